// SPDX-License-Identifier: GPL-2.0
/*
 * The sensor device, where dupto delivers mirrored frames:
 *
 *   ip link add s0 type dupto-sensor             # capture on s0 itself
 *   ip link add s1 link eth2 type dupto-sensor   # and out of eth2 as well
 *
 * Every frame transmitted on a sensor reaches the packet taps on it first
 * (tcpdump, Suricata, Zeek), then is consumed as by a dummy device or, with a
 * lower device cabled to a remote sensor box, transmitted on it unchanged.
 *
 * A sensor is a dead end by construction, so that no configuration can turn
 * mirroring into a loop or a leak: it can never be enslaved or carry upper
 * devices, the host stack does not configure IPv6 on it, and its lower's
 * receive path is taken and discarded. A sensor link is transmit-only, like
 * the monitor port of a hardware tap: nothing arriving on it reaches the
 * bridge or the host.
 */

#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/if_vlan.h>
#include <linux/netdevice.h>
#include <net/rtnetlink.h>
#include <net/sch_generic.h>
#include <net/xfrm.h>

#include <uapi/linux/dupto.h>

#include "admin.h"
#include "compat.h"
#include "dupto.h"
#include "netlink.h"
#include "pernet.h"
#include "sensor.h"
#include "shape.h"
#include "stacked.h"

rx_handler_result_t dupto_sensor_handle_frame(struct sk_buff **pskb)
{
	struct sk_buff *skb = *pskb;
	struct net_device *dev = rcu_dereference(skb->dev->rx_handler_data);

	if (unlikely(skb->pkt_type == PACKET_LOOPBACK))
		return RX_HANDLER_PASS;

	dev_core_stats_rx_dropped_inc(dev);
	kfree_skb(skb);
	return RX_HANDLER_CONSUMED;
}

static netdev_tx_t dupto_sensor_xmit(struct sk_buff *skb,
				     struct net_device *dev)
{
	struct net_device *lower = dupto_stacked_lower(dev);
	unsigned int len = skb->len;
	int ret;

	if (!lower) {
		dev_sw_netstats_tx_add(dev, 1, len);
		consume_skb(skb);
		return NETDEV_TX_OK;
	}

	skb->dev = lower;
	ret = dev_queue_xmit(skb);
	if (likely(ret == NET_XMIT_SUCCESS || ret == NET_XMIT_CN))
		dev_sw_netstats_tx_add(dev, 1, len);
	else
		dev_core_stats_tx_dropped_inc(dev);
	return NETDEV_TX_OK;
}

/*
 * Whether validate_xmit_skb() would hand @skb to @skb->dev as it is, with
 * no segmentation, linearising, checksum or tag to do in software. A
 * linear frame with none of those asks nothing of the device's features.
 */
static bool dupto_sensor_as_is(struct sk_buff *skb)
{
	netdev_features_t features;

	if (unlikely(secpath_exists(skb)))
		return false;
	if (likely(!skb_is_nonlinear(skb) && !skb_vlan_tag_present(skb) &&
		   skb->ip_summed != CHECKSUM_PARTIAL))
		return true;

	features = netif_skb_features(skb);
	if (netif_needs_gso(skb, features) ||
	    skb_needs_linearize(skb, features))
		return false;
	if (skb_vlan_tag_present(skb) &&
	    !vlan_hw_offload_capable(features, skb->vlan_proto))
		return false;
	return skb->ip_summed != CHECKSUM_PARTIAL ||
	       (features & NETIF_F_HW_CSUM);
}

#ifndef DUPTO_HAVE_HOTDATA_PTYPE_ALL
struct net_device dupto_compat_tapless = {
	.ptype_all = LIST_HEAD_INIT(dupto_compat_tapless.ptype_all),
};
LIST_HEAD(dupto_compat_no_taps);
#endif

/*
 * What the core's clone for a device's taps is (dev_queue_xmit_nit()), but
 * for its time: the moment dupto sends the frame, where the core stamps it
 * only if a socket asked for timestamps (a key dupto cannot read) and
 * leaves each tap to read the clock otherwise.
 */
static struct sk_buff *dupto_sensor_taps_clone(struct sk_buff *skb)
{
	struct sk_buff *copy = skb_clone(skb, GFP_ATOMIC);

	if (unlikely(!copy))
		return NULL;
	if (unlikely(skb_orphan_frags_rx(copy, GFP_ATOMIC))) {
		kfree_skb(copy);
		return NULL;
	}
	__net_timestamp(copy);
	skb_reset_mac_header(copy);
	if (skb_network_header(copy) < copy->data ||
	    skb_network_header(copy) > skb_tail_pointer(copy))
		skb_reset_network_header(copy);
	copy->transport_header = copy->network_header;
	copy->pkt_type = PACKET_OUTGOING;
	return copy;
}

/*
 * Deliver the clone to the tap it was kept for. A tap given it with
 * references besides its own treats it as shared: it neither changes it
 * nor keeps it without taking a reference (deliver_skb()'s contract).
 */
static void dupto_sensor_taps_flush(struct dupto_sensor_taps *t, bool last)
{
	struct packet_type *pt = t->pt;

	if (!pt)
		return;
	t->pt = NULL;
	if (!last)
		refcount_inc(&t->skb->users);
	pt->func(t->skb, t->dev, pt, t->dev);
}

/*
 * The clone, ready for @dev's taps: the one made for an earlier sensor's
 * when no tap kept a reference to it (only its device differs), otherwise
 * a clone of @skb.
 */
static bool dupto_sensor_taps_ready(struct dupto_sensor_taps *t,
				    struct sk_buff *skb, struct net_device *dev)
{
	if (t->skb) {
		if (t->skb->dev == dev)
			return true;
		dupto_sensor_taps_flush(t, false);
		if (!skb_shared(t->skb)) {
			t->skb->dev = dev;
			return true;
		}
		consume_skb(t->skb);
	}
	t->skb = dupto_sensor_taps_clone(skb);
	return t->skb != NULL;
}

/*
 * @any: the taps on every device, then those on @dev (dev_queue_xmit_nit()).
 * Under rcu_read_lock(), as the core calls taps: theirs are checked against
 * it (a fanout group's reads its members).
 */
static bool dupto_sensor_taps_add(struct dupto_sensor_taps *t,
				  struct sk_buff *skb, struct net_device *dev,
				  const struct list_head *any)
{
	const struct list_head *list = any;
	struct packet_type *pt;

again:
	list_for_each_entry_rcu(pt, list, list) {
		if (READ_ONCE(pt->ignore_outgoing))
			continue;
		/* only a sensor's first tap can want a new clone: none had it */
		if (unlikely(!dupto_sensor_taps_ready(t, skb, dev)))
			return false;
		dupto_sensor_taps_flush(t, false);
		t->pt = pt;
		t->dev = dev;
	}
	if (list == any) {
		list = &dev->ptype_all;
		goto again;
	}
	return true;
}

/* The last tap gets the clone, or the clone is freed. RCU held, BHs off. */
void dupto_sensor_taps_end(struct dupto_sensor_taps *t)
{
	if (t->pt)
		dupto_sensor_taps_flush(t, true);
	else if (t->skb)
		consume_skb(t->skb);
}

/*
 * A sensor without a lower device only feeds the taps on it and counts:
 * the core's transmit path leads to nothing else. Where that path would
 * hand @skb to the device unchanged (no qdisc; nothing on tc's or
 * netfilter's egress; nothing validate_xmit_skb() would do), deliver it to
 * the taps here as xmit_one() would, and count it as dupto_sensor_xmit()
 * does. The taps get a clone (with @taps, the one the taps of the frame's
 * earlier sensors got; without, one of their own), so @skb stays the
 * caller's, unchanged but for skb->dev: the caller can lend it instead of
 * cloning it. The taps' clone has no socket, as no copy has one.
 *
 * Returns false, having changed nothing but skb->dev, where the core must
 * transmit it. Called under RCU with BHs off.
 */
bool dupto_sensor_deliver(struct net_device *dev, struct sk_buff *skb,
			  struct dupto_sensor_taps *taps)
{
	const struct list_head *any;

	if (dupto_stacked_lower(dev) || dev->real_num_tx_queues != 1 ||
	    rcu_dereference_bh(netdev_get_tx_queue(dev, 0)->qdisc)->enqueue ||
	    dupto_compat_egress_hooked(dev))
		return false;

	skb->dev = dev;
	if (unlikely(!dupto_sensor_as_is(skb)))
		return false;

	if (dev_nit_active(dev)) {
		any = taps ? dupto_compat_ptype_all() : NULL;
		if (any) {
			/* no clone for the taps: the caller's own, or its count */
			if (!dupto_sensor_taps_add(taps, skb, dev, any))
				return false;
		} else if (taps && skb->sk) {
			/*
			 * The core's walk would take a lent frame's socket (a
			 * local sender's, or a veth peer's) for the sender and
			 * pass over that socket's own tap (skb_loop_sk()).
			 */
			return false;
		} else {
			dev_queue_xmit_nit(skb, dev);
		}
	}
	dev_sw_netstats_tx_add(dev, 1, skb->len);
	return true;
}

static int dupto_sensor_dev_init(struct net_device *dev)
{
	struct dupto_sensor *sensor = netdev_priv(dev);
	int err;

	sensor->stats = netdev_alloc_pcpu_stats(struct dupto_sensor_stats);
	if (!sensor->stats)
		return -ENOMEM;
	if (!sensor->stk.lower)
		return 0;
	err = dupto_stacked_take(&sensor->stk, dupto_sensor_handle_frame);
	if (err)
		free_percpu(sensor->stats);
	return err;
}

static void dupto_sensor_dev_uninit(struct net_device *dev)
{
	struct dupto_sensor *sensor = netdev_priv(dev);

	if (sensor->stk.lower)
		dupto_stacked_release(&sensor->stk);
	dupto_shape_free(sensor);
}

/*
 * The counters outlive ndo_uninit: a CPU that took the sensor from the
 * ruleset before its unregistration dropped it may still count a copy,
 * until the grace period the core waits for before it destroys devices.
 */
static void dupto_sensor_destructor(struct net_device *dev)
{
	struct dupto_sensor *sensor = netdev_priv(dev);

	free_percpu(sensor->stats);
}

void dupto_sensor_stats_read(const struct net_device *dev,
			     u64 count[DUPTO_SENSOR_NCOUNTS])
{
	const struct dupto_sensor *sensor = netdev_priv(dev);
	int cpu, i;

	memset(count, 0, DUPTO_SENSOR_NCOUNTS * sizeof(*count));
	for_each_possible_cpu(cpu) {
		const struct dupto_sensor_stats *s = per_cpu_ptr(sensor->stats, cpu);
		u64 v[DUPTO_SENSOR_NCOUNTS];
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			for (i = 0; i < DUPTO_SENSOR_NCOUNTS; i++)
				v[i] = u64_stats_read(&s->count[i]);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		for (i = 0; i < DUPTO_SENSOR_NCOUNTS; i++)
			count[i] += v[i];
	}
}

void dupto_sensor_reset_stats(struct net_device *dev)
{
	struct dupto_sensor *sensor = netdev_priv(dev);
	int cpu, i;

	for_each_possible_cpu(cpu) {
		struct dupto_sensor_stats *s = per_cpu_ptr(sensor->stats, cpu);

		for (i = 0; i < DUPTO_SENSOR_NCOUNTS; i++)
			u64_stats_set(&s->count[i], 0);
	}
}

static int dupto_sensor_open(struct net_device *dev)
{
	dupto_stacked_sync_operstate(netdev_priv(dev));
	return 0;
}

static int dupto_sensor_stop(struct net_device *dev)
{
	netif_carrier_off(dev);
	return 0;
}

static const struct net_device_ops dupto_sensor_netdev_ops = {
	.ndo_init		= dupto_sensor_dev_init,
	.ndo_uninit		= dupto_sensor_dev_uninit,
	.ndo_open		= dupto_sensor_open,
	.ndo_stop		= dupto_sensor_stop,
	.ndo_start_xmit		= dupto_sensor_xmit,
	.ndo_set_mac_address	= eth_mac_addr,
	.ndo_validate_addr	= eth_validate_addr,
	.ndo_change_mtu		= dupto_stacked_change_mtu,
	.ndo_get_stats64	= dev_get_tstats64,
	.ndo_get_iflink		= dupto_stacked_get_iflink,
};

bool netif_is_dupto_sensor(const struct net_device *dev)
{
	return dev->netdev_ops == &dupto_sensor_netdev_ops;
}

static void dupto_sensor_setup(struct net_device *dev)
{
	ether_setup(dev);
	dev->netdev_ops = &dupto_sensor_netdev_ops;
	dev->ethtool_ops = &dupto_stacked_ethtool_ops;
	dev->needs_free_netdev = true;
	dev->priv_destructor = dupto_sensor_destructor;
	dev->pcpu_stat_type = NETDEV_PCPU_STAT_TSTATS;

	dev->priv_flags &= ~IFF_TX_SKB_SHARING;
	dev->priv_flags |= IFF_NO_QUEUE | IFF_NO_RX_HANDLER | IFF_DONT_BRIDGE |
			   IFF_LIVE_ADDR_CHANGE;
	dev->max_mtu = ETH_MAX_MTU;

	/* see dupto_stacked_sync_operstate() */
	netif_carrier_off(dev);

	dev->hw_features = DUPTO_STACKED_OFFLOADS;
	dev->features = DUPTO_STACKED_OFFLOADS;
	dev->vlan_features = DUPTO_STACKED_OFFLOADS;
	dev->hw_enc_features = DUPTO_STACKED_OFFLOADS;
	dupto_compat_set_lltx(dev);
	dupto_compat_set_netns_local(dev);
	eth_hw_addr_random(dev);
}

static int dupto_sensor_newlink(struct net *src_net, struct net_device *dev,
				struct nlattr *tb[], struct nlattr *data[],
				struct netlink_ext_ack *extack)
{
	struct dupto_sensor *sensor = netdev_priv(dev);
	struct net_device *lower = NULL;
	int err;

	/* Before anything else, so that a refusal tells nothing of devices. */
	err = dupto_admin_check_task(dev_net(dev), extack);
	if (err)
		return err;
	if (tb[IFLA_LINK]) {
		lower = dupto_stacked_find_lower(src_net, tb, dev, extack);
		if (IS_ERR(lower))
			return PTR_ERR(lower);
		if (!tb[IFLA_MTU])
			dev->mtu = lower->mtu;
		else if (dev->mtu > lower->mtu) {
			NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_MTU],
					    "MTU is larger than the lower device's");
			return -EINVAL;
		}
	}

	sensor->stk.dev = dev;
	sensor->stk.lower = lower;

	err = register_netdevice(dev);
	if (err)
		return err;
	dupto_compat_no_addrconf(dev);
	if (lower) {
		err = dupto_stacked_link(&sensor->stk, extack);
		if (err)
			goto err_unregister;
	}
	dupto_changed(dupto_net(dev_net(dev)),
		      dupto_nl_sensor_event(dev, DUPTO_CMD_SENSOR_NEW));
	return 0;

err_unregister:
	unregister_netdevice(dev);
	return err;
}

static void dupto_sensor_dellink(struct net_device *dev,
				 struct list_head *head)
{
	struct dupto_sensor *sensor = netdev_priv(dev);

	if (sensor->stk.lower)
		dupto_stacked_unlink(&sensor->stk);
	unregister_netdevice_queue(dev, head);
}

static struct rtnl_link_ops dupto_sensor_link_ops __read_mostly = {
	.kind		= DUPTO_SENSOR_KIND,
	.priv_size	= sizeof(struct dupto_sensor),
	.setup		= dupto_sensor_setup,
	.newlink	= dupto_sensor_newlink,
	.dellink	= dupto_sensor_dellink,
	.get_link_net	= dupto_stacked_get_link_net,
};

int dupto_sensor_init(void)
{
	return rtnl_link_register(&dupto_sensor_link_ops);
}

void dupto_sensor_exit(void)
{
	rtnl_link_unregister(&dupto_sensor_link_ops);
}

MODULE_ALIAS_RTNL_LINK(DUPTO_SENSOR_KIND);
