/* SPDX-License-Identifier: GPL-2.0 */
/* Who may configure dupto: see admin.c. */
#ifndef _DUPTO_ADMIN_H
#define _DUPTO_ADMIN_H

#include <linux/netlink.h>
#include <linux/skbuff.h>

struct net;

int dupto_admin_check_request(const struct sk_buff *skb, struct net *net,
			      struct netlink_ext_ack *extack);
int dupto_admin_check_task(struct net *net, struct netlink_ext_ack *extack);

#endif /* _DUPTO_ADMIN_H */
