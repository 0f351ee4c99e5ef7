// SPDX-License-Identifier: GPL-2.0
/*
 * Mirroring one frame to one sensor: a clone, never a copy, so a frame
 * costs a reference and a small header however large it is; with its MAC
 * header pushed back and its receive timestamp cleared, transmitted on the
 * sensor. A sensor that only feeds its taps takes the frame itself, lent
 * for the call: the taps clone it as they would a transmitted one, and
 * dupto makes no clone of its own. Whatever stops a copy is counted on the
 * sensor, by reason. The taps of every sensor a frame is lent to share
 * one clone of it, as the taps of one device do: a frame for four sensors
 * is cloned once, not four times.
 *
 * A sensor's shaping (shape.c) may sample the copies out or hold them to a
 * rate; a snap length makes the copy a fresh buffer of the frame's first
 * bytes instead of a clone, and a port label pushes a VLAN tag on the copy.
 * The original frame leaves dupto as it came, whatever the sensor asks.
 */

#include <linux/if_vlan.h>
#include <linux/netdevice.h>
#include <linux/percpu.h>
#include <linux/skbuff.h>

#include "dupto.h"
#include "mirror.h"
#include "sensor.h"
#include "shape.h"

/*
 * A mirrored frame must never be mirrored again from inside its own
 * transmission: configuration forbids the loops (a sensor is never a
 * port), this stops whatever the configuration missed.
 */
#define DUPTO_MIRROR_DEPTH	1
static DEFINE_PER_CPU(u8, dupto_mirror_depth);

/* Flow sampling's key: none of a group's, so the two choices are apart. */
static u64 dupto_mirror_flow_hash(void *ctx)
{
	struct dupto_frame *fr = ctx;
	struct dupto_vm_flow fl;
	dupto_vm_hkey key;

	if (!fr->hashed) {
		dupto_vm_flow_parse(fr->pkt, &fl);
		dupto_vm_sample_key(&key);
		fr->sample_hash = dupto_vm_flow_hash(&fl, DUPTO_VM_HASH_PORTS, &key);
		fr->hashed = true;
	}
	return fr->sample_hash;
}

/*
 * A snap's headers where the frame has them, counted from the MAC header,
 * as far as the snap reaches: what a clone would carry. The core reads
 * them on the way out (a tap's copy without a network header is logged as
 * "protocol ... is buggy", and the flow dissector picking a transmit queue
 * on the sensor's lower device would parse the headroom instead).
 */
static void dupto_mirror_snap_headers(struct sk_buff *copy,
				      const struct sk_buff *skb)
{
	int nh = skb_network_header(skb) - skb_mac_header(skb);
	int th;

	skb_reset_mac_header(copy);
	if (nh < ETH_HLEN || nh > copy->len)
		nh = ETH_HLEN;
	skb_set_network_header(copy, nh);
	if (skb_transport_header_was_set(skb)) {
		th = skb_transport_header(skb) - skb_mac_header(skb);
		if (th >= nh && th <= copy->len)
			skb_set_transport_header(copy, th);
	}
}

/*
 * The frame cut to @snaplen bytes as the sensor will see it, in a buffer of
 * its own. Trimming a clone would trim the original's paged data with it
 * (the pages are shared), hence a copy; it has no checksum to offload. A
 * tag the kernel keeps aside is part of those bytes on the sensor's wire,
 * so it costs the copy its 4 bytes, which is what tcpdump -s would keep.
 */
static struct sk_buff *dupto_mirror_snap(const struct sk_buff *skb,
					 unsigned int mac_off,
					 unsigned int snaplen)
{
	struct sk_buff *copy;
	unsigned int n = snaplen;

	if (skb_vlan_tag_present(skb))
		n = max_t(unsigned int, n - VLAN_HLEN, ETH_HLEN);
	copy = alloc_skb(n + NET_SKB_PAD, GFP_ATOMIC);
	if (unlikely(!copy))
		return NULL;
	skb_reserve(copy, NET_SKB_PAD);
	if (skb_copy_bits(skb, -(int)mac_off, skb_put(copy, n), n)) {
		kfree_skb(copy);
		return NULL;
	}
	dupto_mirror_snap_headers(copy, skb);
	copy->protocol = skb->protocol;
	copy->ip_summed = CHECKSUM_NONE;
	__vlan_hwaccel_copy_tag(copy, skb);
	return copy;
}

/*
 * The frame itself, lent to a sensor that delivers in place: the taps get
 * a clone of it (dupto_sensor_deliver()), so dupto needs none of its own.
 * For the call the frame has its MAC header pushed back (its checksum
 * following, as a clone's would) and the sensor as its device; everything
 * is put back before anything else sees it, as AF_PACKET does with a
 * received frame it is lent.
 */
static bool dupto_mirror_lend(struct dupto_frame *fr, struct net_device *sensor)
{
	struct sk_buff *skb = fr->skb;
	struct net_device *dev = skb->dev;
	__wsum csum = skb->csum;
	bool done;

	skb_push_rcsum(skb, fr->mac_off);
	done = dupto_sensor_deliver(sensor, skb, &fr->taps);
	__skb_pull(skb, fr->mac_off);
	skb->csum = csum;
	skb->dev = dev;
	return done;
}

/* What a copy keeps of the receive path: nothing (conntrack, route, time). */
static void dupto_mirror_prepare(struct sk_buff *copy)
{
	/* a tag pushed inside lengthened the MAC header */
	skb_reset_mac_len(copy);
	nf_reset_ct(copy);
	skb_dst_drop(copy);
	skb_clear_tstamp(copy);
}

static struct sk_buff *dupto_mirror_clone(const struct dupto_frame *fr)
{
	struct sk_buff *copy = skb_clone(fr->skb, GFP_ATOMIC);

	if (unlikely(!copy))
		return NULL;
	if (fr->mac_off)
		skb_push_rcsum(copy, fr->mac_off);
	return copy;
}

/* Called with BHs off; fr->mac_off bytes of MAC header are before skb->data. */
void dupto_mirror(struct dupto_frame *fr, struct net_device *sensor)
{
	struct dupto_sensor *priv = netdev_priv(sensor);
	const struct dupto_shape *shape = rcu_dereference(priv->shape);
	struct sk_buff *skb = fr->skb, *copy;
	bool snap, label, lend, lent;
	unsigned int len;
	int ret;

	if (unlikely(!netif_running(sensor) || !netif_carrier_ok(sensor))) {
		dupto_sensor_count(sensor, DUPTO_SENSOR_DOWN);
		return;
	}
	if (unlikely(__this_cpu_read(dupto_mirror_depth) >= DUPTO_MIRROR_DEPTH)) {
		dupto_sensor_count(sensor, DUPTO_SENSOR_LOOP);
		return;
	}
	/* the copy's length on the sensor's wire: what its byte rate counts */
	len = fr->mac_off + skb->len +
	      (skb_vlan_tag_present(skb) ? VLAN_HLEN : 0);
	snap = shape && shape->snaplen && len > shape->snaplen;
	if (snap)
		len = shape->snaplen;
	if (shape) {
		switch (dupto_shape_admit(priv, shape, len,
					  dupto_mirror_flow_hash, fr)) {
		case DUPTO_SHAPE_SAMPLED:
			dupto_sensor_count(sensor, DUPTO_SENSOR_SAMPLED);
			return;
		case DUPTO_SHAPE_RATELIMIT:
			dupto_sensor_count(sensor, DUPTO_SENSOR_RATELIMIT);
			return;
		case DUPTO_SHAPE_PASS:
			break;
		}
	}

	label = shape && shape->tag && fr->vid;
	/* a copy that would be the frame as it is can be the frame itself */
	lend = !snap && !label;
	if (lend) {
		__this_cpu_inc(dupto_mirror_depth);
		lent = dupto_mirror_lend(fr, sensor);
		__this_cpu_dec(dupto_mirror_depth);
		if (lent) {
			dupto_sensor_count(sensor, DUPTO_SENSOR_SENT);
			return;
		}
	}
	if (snap) {
		copy = dupto_mirror_snap(skb, fr->mac_off, shape->snaplen);
		if (unlikely(!copy)) {
			dupto_sensor_count(sensor, DUPTO_SENSOR_SNAPFAIL);
			return;
		}
	} else {
		copy = dupto_mirror_clone(fr);
		if (unlikely(!copy)) {
			dupto_sensor_count(sensor, DUPTO_SENSOR_NOMEM);
			return;
		}
	}
	/*
	 * The port's label goes outermost: a tag the frame has in metadata is
	 * put back in the frame first, so the sensor sees port, then VLAN.
	 */
	if (label) {
		if (skb_vlan_tag_present(copy)) {
			copy = __vlan_hwaccel_push_inside(copy);
			if (unlikely(!copy)) {
				dupto_sensor_count(sensor, DUPTO_SENSOR_NOMEM);
				return;
			}
		}
		__vlan_hwaccel_put_tag(copy, htons(ETH_P_8021Q), fr->vid);
	}
	dupto_mirror_prepare(copy);

	/*
	 * A clone of a frame the sensor could not be lent is refused for the
	 * same reasons: it goes the core's way without asking again.
	 */
	__this_cpu_inc(dupto_mirror_depth);
	if (!lend && dupto_sensor_deliver(sensor, copy, NULL)) {
		consume_skb(copy);
		ret = NET_XMIT_SUCCESS;
	} else {
		copy->dev = sensor;
		ret = dev_queue_xmit(copy);
	}
	__this_cpu_dec(dupto_mirror_depth);

	if (likely(ret == NET_XMIT_SUCCESS || ret == NET_XMIT_CN))
		dupto_sensor_count(sensor, DUPTO_SENSOR_SENT);
	else
		dupto_sensor_count(sensor, DUPTO_SENSOR_QUEUE);
}

/*
 * After the frame's last copy: the clone its taps share goes to the last
 * of them, which would have had it from within dupto_mirror().
 */
void dupto_mirror_end(struct dupto_frame *fr)
{
	if (!fr->taps.skb)
		return;
	__this_cpu_inc(dupto_mirror_depth);
	dupto_sensor_taps_end(&fr->taps);
	__this_cpu_dec(dupto_mirror_depth);
}
