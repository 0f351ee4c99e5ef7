// SPDX-License-Identifier: GPL-2.0
/*
 * Mirroring one frame to one sensor: a clone, never a copy, so a frame
 * costs a reference and a small header however large it is; with its MAC
 * header pushed back and its receive timestamp cleared, transmitted on the
 * sensor. Whatever stops a copy is counted on the sensor, by reason.
 */

#include <linux/netdevice.h>
#include <linux/percpu.h>
#include <linux/skbuff.h>

#include "dupto.h"
#include "mirror.h"
#include "sensor.h"

/*
 * A mirrored frame must never be mirrored again from inside its own
 * transmission: configuration forbids the loops (a sensor is never a
 * port), this stops whatever the configuration missed.
 */
#define DUPTO_MIRROR_DEPTH	1
static DEFINE_PER_CPU(u8, dupto_mirror_depth);

/* Called with BHs off; @mac_off bytes of MAC header are before skb->data. */
void dupto_mirror(struct sk_buff *skb, unsigned int mac_off,
		  struct net_device *sensor)
{
	struct sk_buff *clone;
	int ret;

	if (unlikely(!netif_running(sensor) || !netif_carrier_ok(sensor))) {
		dupto_sensor_count(sensor, DUPTO_SENSOR_DOWN);
		return;
	}
	if (unlikely(__this_cpu_read(dupto_mirror_depth) >= DUPTO_MIRROR_DEPTH)) {
		dupto_sensor_count(sensor, DUPTO_SENSOR_LOOP);
		return;
	}
	clone = skb_clone(skb, GFP_ATOMIC);
	if (unlikely(!clone)) {
		dupto_sensor_count(sensor, DUPTO_SENSOR_NOMEM);
		return;
	}
	if (mac_off)
		skb_push_rcsum(clone, mac_off);
	nf_reset_ct(clone);
	skb_dst_drop(clone);
	skb_clear_tstamp(clone);
	clone->dev = sensor;

	__this_cpu_inc(dupto_mirror_depth);
	ret = dev_queue_xmit(clone);
	__this_cpu_dec(dupto_mirror_depth);

	if (likely(ret == NET_XMIT_SUCCESS || ret == NET_XMIT_CN))
		dupto_sensor_count(sensor, DUPTO_SENSOR_SENT);
	else
		dupto_sensor_count(sensor, DUPTO_SENSOR_QUEUE);
}
