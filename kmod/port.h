/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DUPTO_PORT_H
#define _DUPTO_PORT_H

#include <linux/netdevice.h>
#include <net/netlink.h>

#include "dupto.h"

rx_handler_result_t dupto_port_handle_frame(struct sk_buff **pskb);
bool netif_is_dupto_port(const struct net_device *dev);

int dupto_port_convert(struct net_device *nic, const char *name,
		       struct dupto_portinfo **pip, struct netlink_ext_ack *extack);
int dupto_port_revert(struct dupto_portinfo *pi, struct netlink_ext_ack *extack);
/* The port device of a port attached in device mode. */
struct net_device *dupto_port_device(const struct dupto_portinfo *pi);

int dupto_port_init(void);
void dupto_port_exit(void);

#endif /* _DUPTO_PORT_H */
