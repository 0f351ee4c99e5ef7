// SPDX-License-Identifier: GPL-2.0
/*
 * Rulesets: an image from userspace becomes a verified program bound to
 * its namespace's sensors and ports, and replaces the namespace's ruleset
 * at once, so that a frame is classified by the old one or the new one,
 * never a mix. The old one is freed after an RCU grace period, from a
 * workqueue: freeing it takes locks that may sleep.
 */

#include <linux/bitmap.h>
#include <linux/netdevice.h>
#include <linux/percpu.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "dupto.h"
#include "hook.h"
#include "netlink.h"
#include "pernet.h"
#include "ruleset.h"
#include "sensor.h"

static struct workqueue_struct *dupto_wq;

static void dupto_ruleset_free(struct dupto_ruleset *rs)
{
	struct net_device *dev;
	u32 i;

	if (rs->targets) {
		for (i = 0; i < rs->prog->ntargets; i++) {
			dev = rcu_dereference_protected(rs->targets[i].dev, 1);
			if (dev)
				netdev_put(dev, &rs->targets[i].tracker);
		}
	}
	kfree(rs->targets);
	kfree(rs->port_ifindex);
	bitmap_free(rs->out_ports);
	free_percpu(rs->rule_stats);
	dupto_vm_free(rs->prog);
	kvfree(rs->image);
	kfree(rs);
}

static void dupto_ruleset_free_work(struct work_struct *work)
{
	dupto_ruleset_free(container_of(to_rcu_work(work),
					struct dupto_ruleset, free_work));
}

/* Free a ruleset that is no longer published, once no CPU can use it. */
static void dupto_ruleset_retire(struct dupto_ruleset *rs)
{
	if (!rs)
		return;
	INIT_RCU_WORK(&rs->free_work, dupto_ruleset_free_work);
	queue_rcu_work(dupto_wq, &rs->free_work);
}

/* Target @t is not a sensor: say which group wanted it, if one did. */
static void dupto_ruleset_bind_err(const struct dupto_vm_prog *prog, u32 t,
				   char *err, size_t errlen)
{
	u32 g, m;

	for (g = 0; g < prog->ngroups; g++) {
		for (m = 0; m < prog->groups[g].nmembers; m++) {
			if (prog->groups[g].members[m].target != t)
				continue;
			snprintf(err, errlen,
				 "group %s: member %s is not a dupto sensor in this namespace",
				 prog->targets[prog->groups[g].target], prog->targets[t]);
			return;
		}
	}
	snprintf(err, errlen, "target %s is not a dupto sensor in this namespace",
		 prog->targets[t]);
}

/*
 * Names become devices: sensors for targets, ports for the port table.
 *
 * The loader has made sure no name is there twice, but two names can still
 * be one device: an altname ("ip link property add dev s0 altname s0b"), or
 * a port's NIC and its port device. Such a ruleset is refused, naming both:
 * a target index is what rules, groups (whose members are hashed by name)
 * and the data path's "each sensor gets a frame at most once" count by, so
 * one device behind two indices would get two copies of a frame, or double
 * weight in a group, and a port behind two entries would match "in on" for
 * one of its names only. It is a slip in the configuration, not a need.
 */
static int dupto_ruleset_bind(struct dupto_net *dn, struct dupto_ruleset *rs,
			      char *err, size_t errlen)
{
	const struct dupto_vm_prog *prog = rs->prog;
	struct dupto_portinfo *pi;
	struct net_device *dev;
	u32 i, j;

	for (i = 0; i < prog->ntargets; i++) {
		/* a group is no device: its members are */
		if (prog->group_of[i] != DUPTO_VM_GROUP_NONE)
			continue;
		dev = __dev_get_by_name(dn->net, prog->targets[i]);
		if (!dev || !netif_is_dupto_sensor(dev)) {
			dupto_ruleset_bind_err(prog, i, err, errlen);
			return -ENODEV;
		}
		for (j = 0; j < i; j++) {
			if (rtnl_dereference(rs->targets[j].dev) != dev)
				continue;
			snprintf(err, errlen,
				 "targets %s and %s are the same sensor %s: name it once",
				 prog->targets[j], prog->targets[i], dev->name);
			return -EINVAL;
		}
		netdev_hold(dev, &rs->targets[i].tracker, GFP_KERNEL);
		RCU_INIT_POINTER(rs->targets[i].dev, dev);
	}
	for (i = 0; i < prog->nports; i++) {
		dev = __dev_get_by_name(dn->net, prog->ports[i]);
		pi = dev ? dupto_port_find(dn, dev) : NULL;
		if (!pi) {
			snprintf(err, errlen,
				 "port %s is not a dupto port in this namespace",
				 prog->ports[i]);
			return -ENODEV;
		}
		for (j = 0; j < i; j++) {
			if (rs->port_ifindex[j] != pi->dev->ifindex)
				continue;
			snprintf(err, errlen,
				 "ports %s and %s are the same port %s: name it once",
				 prog->ports[j], prog->ports[i], pi->dev->name);
			return -EINVAL;
		}
		rs->port_ifindex[i] = pi->dev->ifindex;
	}
	/* Frames leaving a port are classified where a rule asks for them. */
	for (i = 0; i < prog->ninsns; i++) {
		const struct dupto_vm_insn *insn = &prog->insns[i];

		if (insn->op != DUPTO_VM_JON || !(insn->imm & DUPTO_VM_DIR_OUT))
			continue;
		if (insn->off == DUPTO_VM_PORT_ANY)
			rs->out_any = true;
		else
			__set_bit(insn->off, rs->out_ports);
	}
	return 0;
}

/*
 * Everything that depends only on the image: parse, verify, build its sets
 * and allocate what binding will fill. It may take a while for a large
 * image, so it runs before RTNL is taken (genl_mutex still serialises
 * dupto's requests); only binding and publishing need RTNL.
 */
struct dupto_ruleset *dupto_ruleset_prepare(void *image, u32 len, char *err,
					    size_t errlen)
{
	struct dupto_ruleset *rs;
	int ret, cpu;

	rs = kzalloc(sizeof(*rs), GFP_KERNEL_ACCOUNT);
	if (!rs) {
		kvfree(image);
		return ERR_PTR(-ENOMEM);
	}
	rs->image = image;
	rs->image_len = len;

	ret = dupto_vm_load(image, len, &rs->prog, err, errlen);
	if (ret)
		goto err;
	ret = -ENOMEM;
	rs->targets = kcalloc(rs->prog->ntargets, sizeof(*rs->targets),
			      GFP_KERNEL_ACCOUNT);
	rs->port_ifindex = kcalloc(rs->prog->nports, sizeof(*rs->port_ifindex),
				   GFP_KERNEL_ACCOUNT);
	rs->out_ports = bitmap_zalloc(DUPTO_VM_MAX_PORTS, GFP_KERNEL_ACCOUNT);
	rs->rule_stats = __alloc_percpu_gfp(max_t(size_t, 1, rs->prog->nrules) *
					    sizeof(struct dupto_vm_rule_stats),
					    __alignof__(struct dupto_vm_rule_stats),
					    GFP_KERNEL_ACCOUNT);
	if ((rs->prog->ntargets && !rs->targets) ||
	    (rs->prog->nports && !rs->port_ifindex) || !rs->out_ports ||
	    !rs->rule_stats)
		goto err;
	for_each_possible_cpu(cpu) {
		struct dupto_vm_rule_stats *s = per_cpu_ptr(rs->rule_stats, cpu);
		u32 r;

		for (r = 0; r < rs->prog->nrules; r++)
			u64_stats_init(&s[r].syncp);
	}
	return rs;

err:
	dupto_ruleset_free(rs);
	return ERR_PTR(ret);
}

/* A prepared ruleset that will not be published after all. */
void dupto_ruleset_discard(struct dupto_ruleset *rs)
{
	if (rs)
		dupto_ruleset_free(rs);
}

static bool dupto_ruleset_wants_out(const struct dupto_ruleset *rs,
				    const struct dupto_portinfo *pi)
{
	u32 i;

	if (!rs)
		return false;
	if (rs->out_any)
		return true;
	for_each_set_bit(i, rs->out_ports, rs->prog->nports)
		if (rs->port_ifindex[i] == pi->dev->ifindex)
			return true;
	return false;
}

/*
 * Classification of frames leaving a port starts before the first ruleset
 * that needs it is published and stops after the last one is gone: in
 * between a frame may be classified on its way out with a ruleset that
 * wants none of it, which costs time, not correctness.
 */
static int dupto_ruleset_start_out(struct dupto_net *dn,
				   const struct dupto_ruleset *rs)
{
	struct dupto_portinfo *pi, *undo;
	int err;

	list_for_each_entry(pi, &dn->ports, list) {
		if (pi->out || !dupto_ruleset_wants_out(rs, pi))
			continue;
		err = dupto_port_set_out(pi, true);
		if (err)
			goto err_undo;
	}
	return 0;

err_undo:
	list_for_each_entry(undo, &dn->ports, list) {
		if (undo == pi)
			break;
		if (undo->out && !dupto_ruleset_wants_out(rtnl_dereference(dn->ruleset), undo))
			dupto_port_set_out(undo, false);
	}
	return err;
}

static void dupto_ruleset_stop_out(struct dupto_net *dn,
				   const struct dupto_ruleset *rs)
{
	struct dupto_portinfo *pi;

	list_for_each_entry(pi, &dn->ports, list)
		if (pi->out && !dupto_ruleset_wants_out(rs, pi))
			dupto_port_set_out(pi, false);
}

static void dupto_ruleset_publish(struct dupto_net *dn,
				  struct dupto_ruleset *rs)
{
	struct dupto_ruleset *old;
	u64 generation;

	old = rcu_replace_pointer(dn->ruleset, rs, lockdep_rtnl_is_held());
	dupto_ruleset_stop_out(dn, rs);
	dupto_ruleset_retire(old);
	generation = dupto_changed(dn, dupto_nl_ruleset_event(dn));
	if (rs)
		rs->generation = generation;
}

/*
 * Replace the namespace's ruleset with @rs, from dupto_ruleset_prepare()
 * (taken over, freed on every path), or remove it if @rs is NULL: bind its
 * names to this namespace's devices and publish it. On failure the old
 * ruleset stays and @err says why.
 */
int dupto_ruleset_replace(struct dupto_net *dn, struct dupto_ruleset *rs,
			  char *err, size_t errlen)
{
	int ret;

	ASSERT_RTNL();
	if (rs) {
		ret = dupto_ruleset_bind(dn, rs, err, errlen);
		if (ret) {
			dupto_ruleset_free(rs);
			return ret;
		}
		ret = dupto_ruleset_start_out(dn, rs);
		if (ret) {
			snprintf(err, errlen,
				 "cannot classify frames leaving a port: %d", ret);
			dupto_ruleset_free(rs);
			return ret;
		}
	}
	dupto_ruleset_publish(dn, rs);
	return 0;
}

void dupto_ruleset_clear(struct dupto_net *dn)
{
	struct dupto_ruleset *old;

	ASSERT_RTNL();
	old = rcu_replace_pointer(dn->ruleset, NULL, lockdep_rtnl_is_held());
	dupto_ruleset_retire(old);
}

/*
 * A sensor the ruleset sends to is being unregistered (NETDEV_UNREGISTER):
 * its frames are no longer sent, and its references are given back at
 * once. A CPU may still be sending it a copy; the core waits for a grace
 * period after the notifiers of the whole unregistration batch, before it
 * frees the device or its counters (dupto_sensor_destructor()), so none is
 * waited for here, once per sensor, under RTNL.
 *
 * Every entry that points at it goes, not just the first: binding gives a
 * device one entry only, and looking at them all keeps that a property of
 * bind alone.
 */
void dupto_ruleset_unbind(struct dupto_net *dn, struct net_device *sensor)
{
	struct dupto_ruleset *rs = rtnl_dereference(dn->ruleset);
	u32 i;

	for (i = 0; rs && i < rs->prog->ntargets; i++) {
		if (rtnl_dereference(rs->targets[i].dev) != sensor)
			continue;
		RCU_INIT_POINTER(rs->targets[i].dev, NULL);
		netdev_put(sensor, &rs->targets[i].tracker);
	}
}

bool dupto_ruleset_sends_to(const struct dupto_ruleset *rs,
			    const struct net_device *sensor)
{
	u32 i;

	for (i = 0; rs && i < rs->prog->ntargets; i++)
		if (rcu_access_pointer(rs->targets[i].dev) == sensor)
			return true;
	return false;
}

/*
 * A port was attached, or its port device registered: the entries of the
 * port table that are gone and name it (by the NIC, an altname or the port
 * device) are bound to it again, whatever its ifindex now, and classifying
 * its frames on the way out starts again if a rule wants them. Under RTNL,
 * with @pi already in the namespace's list and before the attach is
 * announced; on failure nothing is bound and the attach must fail.
 *
 * As at load, one port is behind one entry: a second gone entry that now
 * names the same port (an altname added meanwhile) stays gone.
 */
int dupto_ruleset_bind_port(struct dupto_net *dn, struct dupto_portinfo *pi)
{
	struct dupto_ruleset *rs = rtnl_dereference(dn->ruleset);
	struct net_device *dev;
	int err;
	u32 i;

	if (!rs)
		return 0;
	if (rs->out_any && !pi->out) {
		err = dupto_port_set_out(pi, true);
		if (err)
			return err;
	}
	for (i = 0; i < rs->prog->nports; i++)
		if (rs->port_ifindex[i] == pi->dev->ifindex)
			return 0;
	for (i = 0; i < rs->prog->nports; i++) {
		if (rs->port_ifindex[i])
			continue;
		dev = __dev_get_by_name(dn->net, rs->prog->ports[i]);
		if (dev && dupto_port_find(dn, dev) == pi)
			break;
	}
	if (i == rs->prog->nports)
		return 0;
	if (test_bit(i, rs->out_ports) && !pi->out) {
		err = dupto_port_set_out(pi, true);
		if (err)
			return err;
	}
	WRITE_ONCE(rs->port_ifindex[i], pi->dev->ifindex);
	return 0;
}

/*
 * A port is going (detached, its device unregistered or moved to another
 * namespace): the entries bound to it are gone. A frame already on its way
 * may still be classified as the port's, which is harmless: an entry holds
 * no reference.
 */
void dupto_ruleset_unbind_port(struct dupto_net *dn,
			       const struct dupto_portinfo *pi)
{
	struct dupto_ruleset *rs = rtnl_dereference(dn->ruleset);
	u32 i;

	for (i = 0; rs && i < rs->prog->nports; i++)
		if (rs->port_ifindex[i] == pi->dev->ifindex)
			WRITE_ONCE(rs->port_ifindex[i], 0);
}

bool dupto_ruleset_names_port(const struct dupto_ruleset *rs,
			      const struct net_device *dev)
{
	return rs && dupto_ruleset_port(rs, dev) != DUPTO_VM_PORT_NONE;
}

void dupto_ruleset_rule_stats(const struct dupto_ruleset *rs, u32 rule,
			      u64 *packets, u64 *bytes)
{
	int cpu;

	*packets = *bytes = 0;
	for_each_possible_cpu(cpu) {
		const struct dupto_vm_rule_stats *s = per_cpu_ptr(rs->rule_stats, cpu) + rule;
		unsigned int start;
		u64 p, b;

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			p = u64_stats_read(&s->packets);
			b = u64_stats_read(&s->bytes);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		*packets += p;
		*bytes += b;
	}
}

void dupto_ruleset_reset_stats(struct dupto_ruleset *rs)
{
	int cpu;

	if (!rs)
		return;
	for_each_possible_cpu(cpu) {
		struct dupto_vm_rule_stats *s = per_cpu_ptr(rs->rule_stats, cpu);
		u32 r;

		for (r = 0; r < rs->prog->nrules; r++) {
			u64_stats_set(&s[r].packets, 0);
			u64_stats_set(&s[r].bytes, 0);
		}
	}
}

int dupto_ruleset_init(void)
{
	dupto_wq = alloc_workqueue("dupto", 0, 0);
	return dupto_wq ? 0 : -ENOMEM;
}

/* Every namespace has let go of its ruleset: wait for them to be freed. */
void dupto_ruleset_exit(void)
{
	rcu_barrier();
	destroy_workqueue(dupto_wq);
}
