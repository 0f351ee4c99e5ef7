/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DUPTO_NETLINK_H
#define _DUPTO_NETLINK_H

#include <linux/skbuff.h>

#include "dupto.h"

/* A change, announced by dupto_changed() once it is complete. */
struct sk_buff *dupto_nl_port_event(const struct dupto_portinfo *pi, u8 cmd);
struct sk_buff *dupto_nl_sensor_event(struct net_device *dev, u8 cmd);
struct sk_buff *dupto_nl_ruleset_event(struct dupto_net *dn);
u64 dupto_changed(struct dupto_net *dn, struct sk_buff *event);

int dupto_genl_init(void);
void dupto_genl_exit(void);

#endif /* _DUPTO_NETLINK_H */
