// SPDX-License-Identifier: GPL-2.0
/*
 * dupto: classified mirroring of bridged traffic to network security sensors.
 *
 * Subsystems come up in dependency order and go down in the reverse: the
 * netdevice notifier outlives every device that needs it; rulesets, and
 * ports attached in place, are freed after a grace period, which
 * dupto_ruleset_exit() waits for (rcu_barrier()) once every namespace's
 * state is gone; the link types and the netlink family come last, so that
 * nothing is configured before everything is there to hold it.
 */

#include <linux/module.h>

#include "netlink.h"
#include "pernet.h"
#include "port.h"
#include "ruleset.h"
#include "sensor.h"
#include "stacked.h"
#include "version.h"

static int __init dupto_init(void)
{
	int err;

	err = dupto_stacked_init();
	if (err)
		goto err_stacked;
	err = dupto_ruleset_init();
	if (err)
		goto err_ruleset;
	err = dupto_pernet_init();
	if (err)
		goto err_pernet;
	err = dupto_port_init();
	if (err)
		goto err_port;
	err = dupto_sensor_init();
	if (err)
		goto err_sensor;
	err = dupto_genl_init();
	if (err)
		goto err_genl;

	return 0;

err_genl:
	dupto_sensor_exit();
err_sensor:
	dupto_port_exit();
err_port:
	dupto_pernet_exit();
err_pernet:
	dupto_ruleset_exit();
err_ruleset:
	dupto_stacked_exit();
err_stacked:
	return err;
}

static void __exit dupto_exit(void)
{
	dupto_genl_exit();
	dupto_sensor_exit();
	dupto_port_exit();
	dupto_pernet_exit();
	dupto_ruleset_exit();
	dupto_stacked_exit();
}

module_init(dupto_init);
module_exit(dupto_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Classified mirroring of bridged traffic to network security sensors");
MODULE_VERSION(DUPTO_VERSION);
