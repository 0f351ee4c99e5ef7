/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dupto's core objects and their locking rules.
 */
#ifndef _DUPTO_H
#define _DUPTO_H

#include <linux/build_bug.h>
#include <linux/netdevice.h>
#include <linux/stddef.h>

#include "compat.h"

/*
 * A device that owns a lower device: a port always, a sensor optionally.
 * Owning means holding the lower's rx_handler (rx_handler_data points at
 * our net_device) and being linked as its master, so nothing else can
 * enslave it or take its receive path.
 *
 * @lower is written once, before register_netdevice(), and stays valid for
 * the device's lifetime: the device holds a reference (@lower_tracker) and
 * is deleted when its lower device is unregistered. Everything else about
 * the lower (MTU, MAC, carrier) is read under RTNL or, in the data path,
 * under RCU as the core allows.
 */
struct dupto_stacked {
	struct net_device *dev;
	struct net_device *lower;
	netdevice_tracker lower_tracker;
};

/* netdev_priv() of a port device */
struct dupto_port {
	struct dupto_stacked stk;
};

/* netdev_priv() of a sensor device; stk.lower is NULL without a lower */
struct dupto_sensor {
	struct dupto_stacked stk;
};

/* Code shared by both kinds reaches the stacked part through netdev_priv(). */
static_assert(offsetof(struct dupto_port, stk) == 0);
static_assert(offsetof(struct dupto_sensor, stk) == 0);

#endif /* _DUPTO_H */
