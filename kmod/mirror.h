/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DUPTO_MIRROR_H
#define _DUPTO_MIRROR_H

#include <linux/netdevice.h>
#include <linux/skbuff.h>

#include "sensor.h"
#include "vm/vm.h"

/* One classified frame, as the copies of it are made. */
struct dupto_frame {
	struct sk_buff *skb;
	unsigned int mac_off;		/* MAC header bytes before skb->data */
	const struct dupto_vm_packet *pkt;
	u16 vid;			/* its port's label; 0: none */
	bool hashed;
	u64 sample_hash;		/* the flow hash flow sampling uses */
	struct dupto_sensor_taps taps;	/* zero until the frame is lent */
};

void dupto_mirror(struct dupto_frame *fr, struct net_device *sensor);
void dupto_mirror_end(struct dupto_frame *fr);

#endif /* _DUPTO_MIRROR_H */
