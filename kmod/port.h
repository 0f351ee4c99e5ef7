/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DUPTO_PORT_H
#define _DUPTO_PORT_H

#include <linux/netdevice.h>

#include "dupto.h"

rx_handler_result_t dupto_port_handle_frame(struct sk_buff **pskb);
bool netif_is_dupto_port(const struct net_device *dev);

/* Ports attached through a port device (DUPTO_PORT_MODE_DEVICE). */
extern const struct dupto_port_ops dupto_port_device_ops;

int dupto_port_init(void);
void dupto_port_exit(void);

#endif /* _DUPTO_PORT_H */
