/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DUPTO_MIRROR_H
#define _DUPTO_MIRROR_H

#include <linux/netdevice.h>
#include <linux/skbuff.h>

void dupto_mirror(struct sk_buff *skb, unsigned int mac_off,
		  struct net_device *sensor);

#endif /* _DUPTO_MIRROR_H */
