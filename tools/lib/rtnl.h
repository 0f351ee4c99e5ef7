/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The devices dupto's commands create and delete, over rtnetlink, as
 * "ip link" would: sensors are plain links of kind "dupto-sensor". What
 * converting a bridge port would lose that the kernel cannot read. And
 * waiting for the devices a configuration names, at boot.
 */
#ifndef DUPTO_RTNL_H
#define DUPTO_RTNL_H

#include <stddef.h>
#include <stdint.h>

struct dupto_nl;

/* The kind of link @ifindex ("veth", "dupto-sensor"; "" if it has none). */
int rtnl_link_kind(struct dupto_nl *rt, uint32_t ifindex, char *kind,
		   size_t size);
/* Create sensor @name, on lower device @link (0: none), and set it up. */
int rtnl_sensor_add(struct dupto_nl *rt, const char *name, uint32_t link);
int rtnl_link_del(struct dupto_nl *rt, uint32_t ifindex);

/*
 * Converting bridge port @ifindex to a port device gives it the bridge's
 * defaults, and the module refuses to convert a port whose settings differ
 * (kmod/brport.c), except for those only rtnetlink's dumps show, which 6.1
 * offers a module no way to read: static MDB entries, and per-VLAN states,
 * mcast_router, neigh_suppress and mcast_max_groups. Those, named as the
 * module names the rest ("static mdb entries, vlan 10 state blocking"),
 * into @lost; "" if none, or if @ifindex is no bridge port. Returns 0, or
 * a negative errno after saying it cannot read port @name's settings.
 */
#define RTNL_BRPORT_LOST_SIZE	160
int rtnl_brport_lost(struct dupto_nl *rt, uint32_t ifindex, const char *name,
		     char *lost, size_t size);

/*
 * Wait until the namespace has a device of each of the @n names, for at
 * most @seconds, woken by rtnetlink's link events (a device created or
 * renamed), not by polling. Says "dupto: CMD: waiting up to N s for DEV,
 * ..." once if some are missing at first and, when time is up, "dupto:
 * CMD: no device DEV, ... after N s". Returns 0 when all are there,
 * -ETIMEDOUT, or another negative errno after saying what failed.
 */
int rtnl_wait_links(const char *cmd, const char *const *names, size_t n,
		    unsigned int seconds);

#endif /* DUPTO_RTNL_H */
