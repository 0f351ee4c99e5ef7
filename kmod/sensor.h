/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DUPTO_SENSOR_H
#define _DUPTO_SENSOR_H

#include <linux/netdevice.h>

rx_handler_result_t dupto_sensor_handle_frame(struct sk_buff **pskb);
bool netif_is_dupto_sensor(const struct net_device *dev);

int dupto_sensor_init(void);
void dupto_sensor_exit(void);

#endif /* _DUPTO_SENSOR_H */
