/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The devices dupto's commands create and delete, over rtnetlink, as
 * "ip link" would: sensors are plain links of kind "dupto-sensor".
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

#endif /* DUPTO_RTNL_H */
