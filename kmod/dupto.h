/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dupto's core objects and their locking rules.
 *
 * Configuration (ports, rulesets, the generation) changes under RTNL only,
 * which also orders it against device events. The data path reads the
 * current ruleset under RCU and never takes a lock.
 */
#ifndef _DUPTO_H
#define _DUPTO_H

#include <linux/build_bug.h>
#include <linux/netdevice.h>
#include <linux/stddef.h>
#include <linux/u64_stats_sync.h>
#include <net/netlink.h>

#include "compat.h"

struct dupto_ruleset;
struct dupto_portinfo;

/* What one network namespace has configured. */
struct dupto_net {
	struct net *net;
	/* NULL: nothing is classified. Replaced under RTNL, read under RCU. */
	struct dupto_ruleset __rcu *ruleset;
	/* Bumped by every change, by dupto_changed() alone (netlink.c): dumps
	 * check it for consistency, listeners for lost notifications.
	 */
	u64 generation;
	/* struct dupto_portinfo, under RTNL */
	struct list_head ports;
};

struct dupto_port_stats {
	u64_stats_t seen;
	u64_stats_t matched;
	u64_stats_t errors;
	struct u64_stats_sync syncp;
};

/*
 * What differs between the ways a port is attached (enum dupto_port_mode):
 * in place (hook.c) or through a port device (port.c). Called under RTNL;
 * none of them announces anything: whoever asked does, once the whole
 * change is made (dupto_changed()).
 */
struct dupto_port_ops {
	u8 mode;			/* enum dupto_port_mode */
	/* Make @dev a port; @devname names the port device, if the mode has one. */
	int (*attach)(struct dupto_net *dn, struct net_device *dev,
		      const char *devname, struct dupto_portinfo **pip,
		      struct netlink_ext_ack *extack);
	/* Undo attach. A failure leaves the port attached. */
	int (*detach)(struct dupto_portinfo *pi, struct netlink_ext_ack *extack);
	/* @pi->dev is being unregistered: let go of it. NULL where the port
	 * goes with the device by itself (a port device with its lower).
	 */
	void (*release)(struct dupto_portinfo *pi);
	/* Classify frames leaving the port, or stop; only starting can fail. */
	int (*set_out)(struct dupto_portinfo *pi, bool on);
	/* The port device, in the mode that has one. */
	struct net_device *(*device)(const struct dupto_portinfo *pi);
};

/*
 * A port: a device whose frames are classified, attached in place (a
 * netfilter hook, hook.c) or through a port device (port.c). Either way
 * the port is named by @dev, the device that receives the frames.
 */
struct dupto_portinfo {
	struct list_head list;		/* in dupto_net.ports */
	struct dupto_net *dn;
	struct net_device *dev;
	const struct dupto_port_ops *ops;
	/* Some rule classifies frames leaving this port. Written under RTNL
	 * before the ruleset that needs it is published and after the one
	 * that needed it is gone; read locklessly.
	 */
	bool out;
	/* The port's label (VLAN ID) for sensors that ask for one; 0: none.
	 * Written under RTNL, read locklessly.
	 */
	u16 vid;
	struct dupto_port_stats __percpu *stats;
};

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

/* netdev_priv() of a port device; pi.dev is stk.lower */
struct dupto_port {
	struct dupto_stacked stk;
	struct dupto_portinfo pi;
};

/* What happened to the copies meant for a sensor (the UAPI's order). */
enum dupto_sensor_count {
	DUPTO_SENSOR_SENT,
	DUPTO_SENSOR_DOWN,
	DUPTO_SENSOR_QUEUE,
	DUPTO_SENSOR_NOMEM,
	DUPTO_SENSOR_LOOP,
	DUPTO_SENSOR_RATELIMIT,
	DUPTO_SENSOR_SAMPLED,
	DUPTO_SENSOR_SNAPFAIL,
	DUPTO_SENSOR_NCOUNTS
};

struct dupto_sensor_stats {
	u64_stats_t count[DUPTO_SENSOR_NCOUNTS];
	struct u64_stats_sync syncp;
};

struct dupto_shape;

/* netdev_priv() of a sensor device; stk.lower is NULL without a lower */
struct dupto_sensor {
	struct dupto_stacked stk;
	struct dupto_sensor_stats __percpu *stats;
	/* NULL: whole frames, all of them. Replaced under RTNL, read under RCU. */
	struct dupto_shape __rcu *shape;
	/* the rate limits' and the sampling's state (shape.c) */
	atomic64_t tat_pkt;
	atomic64_t tat_byte;
	atomic_t sample_count;
};

/* Code shared by both kinds reaches the stacked part through netdev_priv(). */
static_assert(offsetof(struct dupto_port, stk) == 0);
static_assert(offsetof(struct dupto_sensor, stk) == 0);

#endif /* _DUPTO_H */
