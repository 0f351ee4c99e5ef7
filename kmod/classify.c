// SPDX-License-Identifier: GPL-2.0
/*
 * The data path: a frame a port receives (or, where a rule asks for it,
 * sends) runs through its namespace's ruleset, and each sensor the ruleset
 * picks gets one clone of it. The frame itself is only read: dupto never
 * changes, delays or drops the traffic it classifies.
 */

#include <linux/if_vlan.h>
#include <linux/skbuff.h>

#include "classify.h"
#include "dupto.h"
#include "mirror.h"
#include "ruleset.h"
#include "vm/vm.h"

/*
 * Bytes beyond the linear part. The VM counts offsets from the MAC header
 * and calls this only for bytes inside the frame that are not all in the
 * linear part (vm.h, struct dupto_vm_packet); skb_header_pointer() counts
 * from skb->data, which on receive is @mac_len bytes past the MAC header.
 * Everything stays unsigned: a negative offset would make
 * skb_header_pointer() hand back memory before the frame unchecked.
 */
static const u8 *dupto_classify_read(const struct dupto_vm_packet *pkt,
				     u32 off, u32 n, u8 *buf)
{
	const struct sk_buff *skb = pkt->ctx;
	u32 mac_len = skb->data - skb_mac_header(skb);
	u32 head;

	if (off >= mac_len)
		return skb_header_pointer(skb, off - mac_len, n, buf);
	/* From the MAC header, which is linear, on into the paged part. */
	head = mac_len - off;
	if (n <= head)
		return pkt->data + off;
	memcpy(buf, pkt->data + off, head);
	if (skb_copy_bits(skb, 0, buf + head, n - head))
		return NULL;
	return buf;
}

/* A member can take frames while it is up with carrier. */
static bool dupto_classify_live(const void *ctx, u32 target)
{
	const struct dupto_ruleset *rs = ctx;
	struct net_device *dev = rcu_dereference(rs->targets[target].dev);

	return dev && netif_running(dev) && netif_carrier_ok(dev);
}

/*
 * Called under rcu_read_lock() with BHs off: from the receive path (port
 * device rx_handler, netfilter ingress hook) with skb->data at the network
 * header, or from the transmit path (port device xmit, netfilter egress
 * hook) with skb->data at the MAC header. Either way the MAC header is set.
 */
void dupto_classify_frame(struct dupto_portinfo *pi, struct sk_buff *skb,
			  u8 dir)
{
	const struct dupto_ruleset *rs = rcu_dereference(pi->dn->ruleset);
	struct dupto_port_stats *stats;
	/*
	 * Each written whole before it is read (@res by dupto_vm_run(), @fr
	 * only for a frame that matched): not cleared on entry as well, in
	 * kernels built to zero every local (INIT_STACK_ALL_ZERO).
	 */
	struct dupto_vm_result res __uninitialized;
	struct dupto_vm_packet pkt __uninitialized;
	struct dupto_frame fr __uninitialized;
	unsigned int mac_off, w;
	u64 bits;

	if (!rs)
		return;

	mac_off = skb->data - skb_mac_header(skb);
	pkt.data = skb_mac_header(skb);
	pkt.len = mac_off + skb_headlen(skb);
	pkt.wire_len = mac_off + skb->len;
	pkt.read = skb_is_nonlinear(skb) ? dupto_classify_read : NULL;
	pkt.ctx = skb;
	pkt.vlan_tagged = skb_vlan_tag_present(skb);
	pkt.vlan_tpid = pkt.vlan_tagged ? ntohs(skb->vlan_proto) : 0;
	pkt.vlan_tci = pkt.vlan_tagged ? skb_vlan_tag_get(skb) : 0;
	if (pkt.vlan_tagged)
		pkt.wire_len += VLAN_HLEN;
	pkt.port = dupto_ruleset_port(rs, pi->dev);
	pkt.dir = dir;

	dupto_vm_run(rs->prog, &pkt, &res, this_cpu_ptr(rs->rule_stats));

	stats = this_cpu_ptr(pi->stats);
	u64_stats_update_begin(&stats->syncp);
	u64_stats_inc(&stats->seen);
	if (res.matched)
		u64_stats_inc(&stats->matched);
	if (res.aborted)
		u64_stats_inc(&stats->errors);
	u64_stats_update_end(&stats->syncp);

	if (!res.matched)
		return;
	if (unlikely(rs->prog->ngroups))
		dupto_vm_resolve_groups(rs->prog, &pkt, res.targets,
					dupto_classify_live, rs);
	fr.skb = skb;
	fr.mac_off = mac_off;
	fr.pkt = &pkt;
	fr.vid = READ_ONCE(pi->vid);
	fr.hashed = false;
	fr.taps = (struct dupto_sensor_taps){};
	for (w = 0; w < DUPTO_VM_TARGET_WORDS; w++) {
		for (bits = res.targets[w]; bits; bits &= bits - 1) {
			u32 i = w * 64 + __ffs64(bits);
			struct net_device *sensor = rcu_dereference(rs->targets[i].dev);

			if (sensor)
				dupto_mirror(&fr, sensor);
		}
	}
	dupto_mirror_end(&fr);
}
