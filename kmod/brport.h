/* SPDX-License-Identifier: GPL-2.0 */
/* What a bridge port has of its own: see brport.c. */
#ifndef _DUPTO_BRPORT_H
#define _DUPTO_BRPORT_H

#include <linux/netdevice.h>
#include <linux/netlink.h>

int dupto_brport_check(struct net_device *br, struct net_device *port,
		       struct netlink_ext_ack *extack);

#endif /* _DUPTO_BRPORT_H */
