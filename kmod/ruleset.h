/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DUPTO_RULESET_H
#define _DUPTO_RULESET_H

#include <linux/netdevice.h>
#include <linux/workqueue.h>

#include "dupto.h"
#include "vm/vm.h"

/* A target of the ruleset: a sensor, or NULL once that sensor is gone. */
struct dupto_target {
	struct net_device __rcu *dev;
	netdevice_tracker tracker;
};

/*
 * A loaded ruleset, published in dupto_net.ruleset. Immutable once
 * published, but for its targets, which only ever go from a sensor to NULL
 * (when the sensor is unregistered), its port bindings and its counters.
 *
 * The port table is by name: each entry is bound to the ifindex of the
 * port's NIC while that port is attached, and 0 ("gone") while it is not,
 * from its detach or its device's unregistration until a port of that name
 * is attached again, which binds it again (dupto_ruleset_bind_port). The
 * bindings are written under RTNL with WRITE_ONCE, read locklessly.
 */
struct dupto_ruleset {
	struct dupto_vm_prog *prog;
	void *image;			/* as loaded, for dumps */
	u32 image_len;
	struct dupto_target *targets;	/* prog->ntargets */
	int *port_ifindex;		/* prog->nports: each port's NIC, or 0 */
	unsigned long *out_ports;	/* port table entries named "out on" */
	bool out_any;			/* a rule says "outbound": every port */
	struct dupto_vm_rule_stats __percpu *rule_stats;	/* prog->nrules */
	/* The namespace's generation that published it: which ruleset a
	 * resumed dump was reading, since a pointer may be reused.
	 */
	u64 generation;
	struct rcu_work free_work;
};

struct dupto_ruleset *dupto_ruleset_prepare(void *image, u32 len, char *err,
					    size_t errlen);
void dupto_ruleset_discard(struct dupto_ruleset *rs);
int dupto_ruleset_replace(struct dupto_net *dn, struct dupto_ruleset *rs,
			  char *err, size_t errlen);
void dupto_ruleset_clear(struct dupto_net *dn);
void dupto_ruleset_unbind(struct dupto_net *dn, struct net_device *sensor);
bool dupto_ruleset_sends_to(const struct dupto_ruleset *rs,
			    const struct net_device *sensor);
int dupto_ruleset_bind_port(struct dupto_net *dn, struct dupto_portinfo *pi);
void dupto_ruleset_unbind_port(struct dupto_net *dn,
			       const struct dupto_portinfo *pi);
bool dupto_ruleset_names_port(const struct dupto_ruleset *rs,
			      const struct net_device *dev);
void dupto_ruleset_rule_stats(const struct dupto_ruleset *rs, u32 rule,
			      u64 *packets, u64 *bytes);
void dupto_ruleset_reset_stats(struct dupto_ruleset *rs);

/* The frame's port as an index of the ruleset's port table. */
static inline u16 dupto_ruleset_port(const struct dupto_ruleset *rs,
				     const struct net_device *dev)
{
	u32 i;

	for (i = 0; i < rs->prog->nports; i++)
		if (READ_ONCE(rs->port_ifindex[i]) == dev->ifindex)
			return i;
	return DUPTO_VM_PORT_NONE;
}

int dupto_ruleset_init(void);
void dupto_ruleset_exit(void);

#endif /* _DUPTO_RULESET_H */
