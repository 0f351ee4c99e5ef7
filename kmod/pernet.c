// SPDX-License-Identifier: GPL-2.0
/*
 * Each network namespace's dupto state: its ports, its ruleset and its
 * generation. Everything here runs under RTNL.
 */

#include <linux/netdevice.h>
#include <linux/percpu.h>
#include <linux/rtnetlink.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include <uapi/linux/dupto.h>

#include "dupto.h"
#include "netlink.h"
#include "pernet.h"
#include "port.h"
#include "ruleset.h"
#include "sensor.h"

unsigned int dupto_net_id __read_mostly;

int dupto_portinfo_init(struct dupto_portinfo *pi, struct net_device *dev,
			const struct dupto_port_ops *ops)
{
	pi->stats = netdev_alloc_pcpu_stats(struct dupto_port_stats);
	if (!pi->stats)
		return -ENOMEM;
	INIT_LIST_HEAD(&pi->list);
	pi->dn = dupto_net(dev_net(dev));
	pi->dev = dev;
	pi->ops = ops;
	return 0;
}

void dupto_portinfo_destroy(struct dupto_portinfo *pi)
{
	free_percpu(pi->stats);
	pi->stats = NULL;
}

/*
 * A port joins or leaves its namespace's configuration, and the ruleset's
 * port table entries that name it are bound to it or become gone: a port
 * that comes back, by whatever ifindex, is classified as its rules say.
 * These are steps of an attach or a detach; whoever makes the whole change
 * announces it.
 */
int dupto_port_link(struct dupto_portinfo *pi)
{
	int err;

	ASSERT_RTNL();
	list_add_tail(&pi->list, &pi->dn->ports);
	err = dupto_ruleset_bind_port(pi->dn, pi);
	if (err) {
		list_del_init(&pi->list);
		return err;
	}
	return 0;
}

void dupto_port_unlink(struct dupto_portinfo *pi)
{
	ASSERT_RTNL();
	dupto_ruleset_unbind_port(pi->dn, pi);
	list_del_init(&pi->list);
}

/* The port of @dev: the device it classifies, or its port device. */
struct dupto_portinfo *dupto_port_find(struct dupto_net *dn,
				       const struct net_device *dev)
{
	struct dupto_portinfo *pi;

	ASSERT_RTNL();
	if (netif_is_dupto_port(dev))
		return &((struct dupto_port *)netdev_priv(dev))->pi;
	list_for_each_entry(pi, &dn->ports, list)
		if (pi->dev == dev)
			return pi;
	return NULL;
}

/* Classify frames leaving the port, or stop. */
int dupto_port_set_out(struct dupto_portinfo *pi, bool on)
{
	return pi->ops->set_out(pi, on);
}

void dupto_port_stats_read(const struct dupto_portinfo *pi, u64 *seen,
			   u64 *matched, u64 *errors)
{
	int cpu;

	*seen = *matched = *errors = 0;
	for_each_possible_cpu(cpu) {
		const struct dupto_port_stats *s = per_cpu_ptr(pi->stats, cpu);
		u64 a, b, c;
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			a = u64_stats_read(&s->seen);
			b = u64_stats_read(&s->matched);
			c = u64_stats_read(&s->errors);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		*seen += a;
		*matched += b;
		*errors += c;
	}
}

static void dupto_port_reset_stats(struct dupto_portinfo *pi)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct dupto_port_stats *s = per_cpu_ptr(pi->stats, cpu);

		u64_stats_set(&s->seen, 0);
		u64_stats_set(&s->matched, 0);
		u64_stats_set(&s->errors, 0);
	}
}

/* Counters may move while they are zeroed: a reset is not a snapshot. */
void dupto_net_reset_stats(struct dupto_net *dn)
{
	struct dupto_portinfo *pi;
	struct net_device *dev;

	ASSERT_RTNL();
	list_for_each_entry(pi, &dn->ports, list)
		dupto_port_reset_stats(pi);
	for_each_netdev(dn->net, dev)
		if (netif_is_dupto_sensor(dev))
			dupto_sensor_reset_stats(dev);
	dupto_ruleset_reset_stats(rtnl_dereference(dn->ruleset));
}

static int __net_init dupto_net_init(struct net *net)
{
	struct dupto_net *dn = dupto_net(net);

	dn->net = net;
	dn->generation = 1;
	INIT_LIST_HEAD(&dn->ports);
	RCU_INIT_POINTER(dn->ruleset, NULL);
	return 0;
}

/*
 * Devices go first when a namespace is dismantled, and take their ports
 * with them (dupto_net_event, port devices' dellink); the ruleset is what
 * is left. On module unload, in-place ports of live namespaces remain.
 * Nobody is left to tell.
 */
static void __net_exit dupto_net_exit(struct net *net)
{
	struct dupto_net *dn = dupto_net(net);
	struct dupto_portinfo *pi, *tmp;

	rtnl_lock();
	list_for_each_entry_safe(pi, tmp, &dn->ports, list)
		if (pi->ops->release)
			pi->ops->release(pi);
	dupto_ruleset_clear(dn);
	rtnl_unlock();
	WARN_ON_ONCE(!list_empty(&dn->ports));
}

/*
 * Devices leaving a namespace (deleted, or moved away) take their part of
 * its configuration with them: an in-place port is detached, a sensor is
 * dropped from the ruleset's targets. Port devices go by their dellink.
 *
 * Each device of an unregistration batch comes here in turn, and no grace
 * period is waited for: the core waits for one after the whole batch's
 * notifiers, before it frees any of the devices (and a sensor's counters,
 * freed with it, dupto_sensor_destructor()).
 */
static int dupto_net_event(struct notifier_block *nb, unsigned long event,
			   void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct dupto_portinfo *pi;
	struct dupto_net *dn;
	struct sk_buff *ev;

	if (event != NETDEV_UNREGISTER)
		return NOTIFY_DONE;
	dn = dupto_net(dev_net(dev));
	if (netif_is_dupto_sensor(dev)) {
		ev = dupto_nl_sensor_event(dev, DUPTO_CMD_SENSOR_DEL);
		dupto_ruleset_unbind(dn, dev);
		dupto_changed(dn, ev);
		return NOTIFY_DONE;
	}
	list_for_each_entry(pi, &dn->ports, list) {
		if (pi->dev == dev && pi->ops->release) {
			ev = dupto_nl_port_event(pi, DUPTO_CMD_PORT_DEL);
			pi->ops->release(pi);
			dupto_changed(dn, ev);
			break;
		}
	}
	return NOTIFY_DONE;
}

static struct notifier_block dupto_net_notifier = {
	.notifier_call = dupto_net_event,
};

static struct pernet_operations dupto_net_ops = {
	.init = dupto_net_init,
	.exit = dupto_net_exit,
	.id = &dupto_net_id,
	.size = sizeof(struct dupto_net),
};

int dupto_pernet_init(void)
{
	int err;

	err = register_pernet_subsys(&dupto_net_ops);
	if (err)
		return err;
	err = register_netdevice_notifier(&dupto_net_notifier);
	if (err)
		unregister_pernet_subsys(&dupto_net_ops);
	return err;
}

/*
 * The notifier goes first: unregistering it replays NETDEV_UNREGISTER for
 * every device, which it must handle while the namespaces' state exists.
 */
void dupto_pernet_exit(void)
{
	unregister_netdevice_notifier(&dupto_net_notifier);
	unregister_pernet_subsys(&dupto_net_ops);
}
