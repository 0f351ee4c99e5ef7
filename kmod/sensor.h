/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DUPTO_SENSOR_H
#define _DUPTO_SENSOR_H

#include <linux/netdevice.h>

#include "dupto.h"

rx_handler_result_t dupto_sensor_handle_frame(struct sk_buff **pskb);
bool netif_is_dupto_sensor(const struct net_device *dev);

/*
 * One frame's clone for the taps of every sensor it is lent to, where the
 * core would make one per sensor (dev_queue_xmit_nit()). @pt on @dev is
 * the tap it goes to next: the last one is given the clone itself, as the
 * core gives it to the last tap of a device. All zero: no clone yet.
 */
struct dupto_sensor_taps {
	struct sk_buff *skb;
	struct packet_type *pt;
	struct net_device *dev;
};

bool dupto_sensor_deliver(struct net_device *dev, struct sk_buff *skb,
			  struct dupto_sensor_taps *taps);
void dupto_sensor_taps_end(struct dupto_sensor_taps *taps);

/* @count is enum dupto_sensor_count; BHs off. */
static inline void dupto_sensor_count(struct net_device *dev, int count)
{
	struct dupto_sensor *sensor = netdev_priv(dev);
	struct dupto_sensor_stats *s = this_cpu_ptr(sensor->stats);

	u64_stats_update_begin(&s->syncp);
	u64_stats_inc(&s->count[count]);
	u64_stats_update_end(&s->syncp);
}

void dupto_sensor_stats_read(const struct net_device *dev,
			     u64 count[DUPTO_SENSOR_NCOUNTS]);
void dupto_sensor_reset_stats(struct net_device *dev);

int dupto_sensor_init(void);
void dupto_sensor_exit(void);

#endif /* _DUPTO_SENSOR_H */
