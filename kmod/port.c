// SPDX-License-Identifier: GPL-2.0
/*
 * The port device, dupto's classified mirroring bridge port:
 *
 *   ip link add dp0 link eth0 type dupto
 *   ip link set eth0 nomaster; ip link set dp0 master br0
 *
 * dp0 takes eth0's rx_handler. Frames received on eth0 are classified and
 * then go up through dp0 (RX_HANDLER_ANOTHER), so the bridge receives them on
 * dp0 exactly as it would have on eth0; frames the bridge transmits on dp0
 * leave on eth0. The bridge keeps its own rx_handler on dp0, so every bridge
 * feature (STP, VLAN filtering, MST, port notifications) keeps working:
 * interposing on a bridge port's rx_handler instead breaks them all.
 *
 * A port that nothing has taken as a slave (no rx_handler on dp0) is a
 * monitor port, fed by a tap or a SPAN port: frames are classified and then
 * discarded, because the host must never process a monitored feed.
 */

#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/if_vlan.h>
#include <linux/netdevice.h>
#include <net/rtnetlink.h>

#include <uapi/linux/dupto.h>

#include "admin.h"
#include "brport.h"
#include "classify.h"
#include "dupto.h"
#include "netlink.h"
#include "pernet.h"
#include "port.h"
#include "stacked.h"

/* dev_uc_sync() takes the lower's address lock inside ours. */
static struct lock_class_key dupto_port_addr_lock_key;

rx_handler_result_t dupto_port_handle_frame(struct sk_buff **pskb)
{
	struct sk_buff *skb = *pskb;
	struct net_device *dev = rcu_dereference(skb->dev->rx_handler_data);
	struct dupto_port *port = netdev_priv(dev);

	/* Looped back by the lower's own stack: not from the wire. */
	if (unlikely(skb->pkt_type == PACKET_LOOPBACK))
		return RX_HANDLER_PASS;

	/* As a NIC that is down receives nothing. */
	if (unlikely(!(dev->flags & IFF_UP))) {
		kfree_skb_reason(skb, SKB_DROP_REASON_DEV_READY);
		return RX_HANDLER_CONSUMED;
	}

	/* We are about to change skb->dev: a tap may hold another reference. */
	skb = skb_share_check(skb, GFP_ATOMIC);
	if (unlikely(!skb)) {
		dev_core_stats_rx_dropped_inc(dev);
		return RX_HANDLER_CONSUMED;
	}
	*pskb = skb;

	dupto_classify(&port->pi, skb, DUPTO_VM_DIR_IN);
	dev_sw_netstats_rx_add(dev, skb->len + ETH_HLEN);
	skb->dev = dev;

	if (!rcu_access_pointer(dev->rx_handler)) {
		consume_skb(skb);
		return RX_HANDLER_CONSUMED;
	}
	return RX_HANDLER_ANOTHER;
}

static netdev_tx_t dupto_port_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct dupto_port *port = netdev_priv(dev);
	unsigned int len = skb->len;
	int ret;

	/*
	 * The core transmits under rcu_read_lock_bh() alone, but classifying
	 * reads under rcu_read_lock() (dupto's reads, and the sensors' taps'):
	 * the bridge's forwarding holds it, a frame the box sends here does
	 * not. Netfilter's egress hook takes it for its hooks likewise.
	 */
	if (READ_ONCE(port->pi.out)) {
		rcu_read_lock();
		dupto_classify(&port->pi, skb, DUPTO_VM_DIR_OUT);
		rcu_read_unlock();
	}
	skb->dev = port->stk.lower;
	ret = dev_queue_xmit(skb);
	if (likely(ret == NET_XMIT_SUCCESS || ret == NET_XMIT_CN))
		dev_sw_netstats_tx_add(dev, 1, len);
	else
		dev_core_stats_tx_dropped_inc(dev);
	return NETDEV_TX_OK;
}

static int dupto_port_dev_init(struct net_device *dev)
{
	struct dupto_port *port = netdev_priv(dev);
	int err;

	err = dupto_portinfo_init(&port->pi, port->stk.lower,
				  &dupto_port_device_ops);
	if (err)
		return err;
	err = dupto_stacked_take(&port->stk, dupto_port_handle_frame);
	if (err) {
		dupto_portinfo_destroy(&port->pi);
		return err;
	}
	netdev_lockdep_set_classes(dev);
	lockdep_set_class(&dev->addr_list_lock, &dupto_port_addr_lock_key);
	return 0;
}

static void dupto_port_dev_uninit(struct net_device *dev)
{
	struct dupto_port *port = netdev_priv(dev);

	dupto_stacked_release(&port->stk);
	dupto_portinfo_destroy(&port->pi);
}

/*
 * A port classifies everything on its wire, so its lower device is
 * promiscuous whenever the port is up, whatever the bridge asks of dp0;
 * all-multicast and the address lists are passed through as macvlan does.
 */
static int dupto_port_open(struct net_device *dev)
{
	struct net_device *lower = dupto_stacked_lower(dev);
	int err;

	err = dev_set_promiscuity(lower, 1);
	if (err)
		return err;
	if (dev->flags & IFF_ALLMULTI) {
		err = dev_set_allmulti(lower, 1);
		if (err) {
			dev_set_promiscuity(lower, -1);
			return err;
		}
	}
	dupto_stacked_sync_operstate(netdev_priv(dev));
	return 0;
}

static int dupto_port_stop(struct net_device *dev)
{
	struct net_device *lower = dupto_stacked_lower(dev);

	dev_uc_unsync(lower, dev);
	dev_mc_unsync(lower, dev);
	if (dev->flags & IFF_ALLMULTI)
		dev_set_allmulti(lower, -1);
	dev_set_promiscuity(lower, -1);
	netif_carrier_off(dev);
	return 0;
}

static void dupto_port_change_rx_flags(struct net_device *dev, int change)
{
	struct net_device *lower = dupto_stacked_lower(dev);

	if ((dev->flags & IFF_UP) && (change & IFF_ALLMULTI))
		dev_set_allmulti(lower, dev->flags & IFF_ALLMULTI ? 1 : -1);
}

static void dupto_port_set_rx_mode(struct net_device *dev)
{
	struct net_device *lower = dupto_stacked_lower(dev);

	dev_uc_sync(lower, dev);
	dev_mc_sync(lower, dev);
}

/* The port and its lower share one MAC address, so that the lower's
 * pkt_type decisions and the bridge's local fdb entries agree.
 */
static int dupto_port_set_mac_address(struct net_device *dev, void *p)
{
	struct net_device *lower = dupto_stacked_lower(dev);
	struct sockaddr *addr = p;
	int err;

	if (!is_valid_ether_addr(addr->sa_data))
		return -EADDRNOTAVAIL;
	err = dev_set_mac_address(lower, addr, NULL);
	if (err)
		return err;
	eth_hw_addr_set(dev, addr->sa_data);
	return 0;
}

/* A bridge with VLAN filtering registers its VLANs on its ports; a NIC that
 * filters VLANs in hardware must hear of them or drop those frames.
 */
static int dupto_port_vlan_rx_add_vid(struct net_device *dev,
				      __be16 proto, u16 vid)
{
	struct net_device *lower = dupto_stacked_lower(dev);

	return vlan_vid_add(lower, proto, vid);
}

static int dupto_port_vlan_rx_kill_vid(struct net_device *dev,
				       __be16 proto, u16 vid)
{
	struct net_device *lower = dupto_stacked_lower(dev);

	vlan_vid_del(lower, proto, vid);
	return 0;
}

static const struct net_device_ops dupto_port_netdev_ops = {
	.ndo_init		= dupto_port_dev_init,
	.ndo_uninit		= dupto_port_dev_uninit,
	.ndo_open		= dupto_port_open,
	.ndo_stop		= dupto_port_stop,
	.ndo_start_xmit		= dupto_port_xmit,
	.ndo_change_rx_flags	= dupto_port_change_rx_flags,
	.ndo_set_rx_mode	= dupto_port_set_rx_mode,
	.ndo_set_mac_address	= dupto_port_set_mac_address,
	.ndo_validate_addr	= eth_validate_addr,
	.ndo_change_mtu		= dupto_stacked_change_mtu,
	.ndo_get_stats64	= dev_get_tstats64,
	.ndo_get_iflink		= dupto_stacked_get_iflink,
	.ndo_vlan_rx_add_vid	= dupto_port_vlan_rx_add_vid,
	.ndo_vlan_rx_kill_vid	= dupto_port_vlan_rx_kill_vid,
};

bool netif_is_dupto_port(const struct net_device *dev)
{
	return dev->netdev_ops == &dupto_port_netdev_ops;
}

static void dupto_port_setup(struct net_device *dev)
{
	ether_setup(dev);
	dev->netdev_ops = &dupto_port_netdev_ops;
	dev->ethtool_ops = &dupto_stacked_ethtool_ops;
	dev->needs_free_netdev = true;
	dev->pcpu_stat_type = NETDEV_PCPU_STAT_TSTATS;

	/* The rx_handler rewrites skb->dev, so no shared skbs from pktgen. */
	dev->priv_flags &= ~IFF_TX_SKB_SHARING;
	dev->priv_flags |= IFF_NO_QUEUE | IFF_UNICAST_FLT;
	dev->max_mtu = ETH_MAX_MTU;

	/* see dupto_stacked_sync_operstate() */
	netif_carrier_off(dev);

	dev->hw_features = DUPTO_STACKED_OFFLOADS;
	dev->features = DUPTO_STACKED_OFFLOADS | NETIF_F_HW_VLAN_CTAG_FILTER |
			NETIF_F_HW_VLAN_STAG_FILTER;
	dev->vlan_features = DUPTO_STACKED_OFFLOADS;
	dev->hw_enc_features = DUPTO_STACKED_OFFLOADS;
	dupto_compat_set_lltx(dev);
	/* The port's classification belongs to its namespace's ruleset. */
	dupto_compat_set_netns_local(dev);
}

/* Register @dev as the port device of @lower, which the caller checked. */
static int dupto_port_register(struct net_device *dev, struct net_device *lower,
			       struct netlink_ext_ack *extack)
{
	struct dupto_port *port = netdev_priv(dev);
	int err;

	port->stk.dev = dev;
	port->stk.lower = lower;
	eth_hw_addr_set(dev, lower->dev_addr);

	err = register_netdevice(dev);
	if (err)
		return err;
	err = dupto_stacked_link(&port->stk, extack);
	if (err)
		goto err_unregister;
	err = dupto_port_link(&port->pi);
	if (err)
		goto err_unlink;
	return 0;

err_unlink:
	dupto_stacked_unlink(&port->stk);
err_unregister:
	unregister_netdevice(dev);
	return err;
}

static int dupto_port_newlink(struct net *src_net, struct net_device *dev,
			      struct nlattr *tb[], struct nlattr *data[],
			      struct netlink_ext_ack *extack)
{
	struct net_device *lower;
	int err;

	/* Before anything else, so that a refusal tells nothing of devices. */
	err = dupto_admin_check_task(dev_net(dev), extack);
	if (err)
		return err;
	if (!tb[IFLA_LINK]) {
		NL_SET_ERR_MSG(extack,
			       "a dupto port needs a lower device: ip link add NAME link DEV type dupto");
		return -EINVAL;
	}
	lower = dupto_stacked_find_lower(src_net, tb, dev, extack);
	if (IS_ERR(lower))
		return PTR_ERR(lower);

	if (tb[IFLA_ADDRESS] &&
	    !ether_addr_equal(dev->dev_addr, lower->dev_addr)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_ADDRESS],
				    "a dupto port has its lower device's MAC address");
		return -EINVAL;
	}
	if (!tb[IFLA_MTU])
		dev->mtu = lower->mtu;
	else if (dev->mtu > lower->mtu) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_MTU],
				    "MTU is larger than the lower device's");
		return -EINVAL;
	}

	err = dupto_port_register(dev, lower, extack);
	if (!err)
		dupto_changed(dupto_net(dev_net(dev)),
			      dupto_nl_port_event(&((struct dupto_port *)netdev_priv(dev))->pi,
						  DUPTO_CMD_PORT_NEW));
	return err;
}

/* The port device goes, and its port with it; the caller announces it. */
static void dupto_port_destroy(struct net_device *dev, struct list_head *head)
{
	struct dupto_port *port = netdev_priv(dev);

	dupto_port_unlink(&port->pi);
	dupto_stacked_unlink(&port->stk);
	unregister_netdevice_queue(dev, head);
}

/* ip link del, its lower's unregistration or its namespace's dismantling */
static void dupto_port_dellink(struct net_device *dev, struct list_head *head)
{
	struct dupto_port *port = netdev_priv(dev);
	struct sk_buff *event;

	event = dupto_nl_port_event(&port->pi, DUPTO_CMD_PORT_DEL);
	dupto_port_destroy(dev, head);
	dupto_changed(port->pi.dn, event);
}

static struct rtnl_link_ops dupto_port_link_ops __read_mostly = {
	.kind		= DUPTO_PORT_KIND,
	.priv_size	= sizeof(struct dupto_port),
	.setup		= dupto_port_setup,
	.newlink	= dupto_port_newlink,
	.dellink	= dupto_port_dellink,
	.get_link_net	= dupto_stacked_get_link_net,
};

/*
 * "dupto port add NIC device": a port device on @nic, taking @nic's place
 * in its bridge if it has one. Nothing is left changed if a step fails.
 * The new bridge port starts with the bridge's defaults, so a bridge port
 * with settings of its own is refused before anything changes (brport.c).
 */
static int dupto_port_convert(struct dupto_net *dn, struct net_device *nic,
			      const char *name, struct dupto_portinfo **pip,
			      struct netlink_ext_ack *extack)
{
	struct net_device *master, *dev;
	bool up = nic->flags & IFF_UP;
	int err;

	ASSERT_RTNL();
	err = dupto_stacked_check(nic, true, extack);
	if (!err)
		err = dupto_stacked_check_loop(nic, false, extack);
	if (err)
		return err;
	if (name && __dev_get_by_name(dev_net(nic), name)) {
		NL_SET_ERR_MSG(extack, "a device of that name exists");
		return -EEXIST;
	}

	master = netdev_master_upper_dev_get(nic);
	if (master && netif_is_bridge_master(master)) {
		err = dupto_brport_check(master, nic, extack);
		if (err)
			return err;
	}
	if (master) {
		err = master->netdev_ops->ndo_del_slave(master, nic);
		if (err) {
			NL_SET_ERR_MSG(extack, "cannot take the device out of its bridge");
			return err;
		}
	}

	dev = alloc_netdev(sizeof(struct dupto_port), name ?: "dupto%d",
			   name ? NET_NAME_USER : NET_NAME_ENUM, dupto_port_setup);
	if (!dev) {
		err = -ENOMEM;
		goto err_rejoin;
	}
	dev->rtnl_link_ops = &dupto_port_link_ops;
	dev_net_set(dev, dev_net(nic));
	dev->mtu = nic->mtu;
	err = dupto_port_register(dev, nic, extack);
	if (err) {
		free_netdev(dev);
		goto err_rejoin;
	}

	if (master) {
		err = master->netdev_ops->ndo_add_slave(master, dev, extack);
		if (err)
			goto err_delete;
	}
	if (up) {
		err = dev_change_flags(dev, dev->flags | IFF_UP, extack);
		if (err)
			goto err_delete;
	}
	*pip = &((struct dupto_port *)netdev_priv(dev))->pi;
	return 0;

err_delete:
	if (master && netdev_master_upper_dev_get(dev) == master)
		master->netdev_ops->ndo_del_slave(master, dev);
	dupto_port_destroy(dev, NULL);
err_rejoin:
	if (master)
		master->netdev_ops->ndo_add_slave(master, nic, NULL);
	return err;
}

/*
 * The reverse: the port device goes, and its NIC takes its place in its
 * bridge again. Once the port device is out of the bridge, the port is
 * detached whatever else fails.
 */
static int dupto_port_revert(struct dupto_portinfo *pi,
			     struct netlink_ext_ack *extack)
{
	struct dupto_port *port = container_of(pi, struct dupto_port, pi);
	struct net_device *dev = port->stk.dev, *nic = port->stk.lower;
	struct net_device *master;
	int err;

	ASSERT_RTNL();
	master = netdev_master_upper_dev_get(dev);
	if (master && !netif_is_bridge_master(master))
		master = NULL;
	if (master) {
		err = master->netdev_ops->ndo_del_slave(master, dev);
		if (err) {
			NL_SET_ERR_MSG(extack, "cannot take the port device out of its bridge");
			return err;
		}
	}
	dupto_port_destroy(dev, NULL);
	if (master) {
		err = master->netdev_ops->ndo_add_slave(master, nic, extack);
		if (err)
			return err;
	}
	return 0;
}

static int dupto_port_dev_set_out(struct dupto_portinfo *pi, bool on)
{
	WRITE_ONCE(pi->out, on);
	return 0;
}

static struct net_device *dupto_port_device(const struct dupto_portinfo *pi)
{
	return container_of(pi, struct dupto_port, pi)->stk.dev;
}

const struct dupto_port_ops dupto_port_device_ops = {
	.mode		= DUPTO_PORT_MODE_DEVICE,
	.attach		= dupto_port_convert,
	.detach		= dupto_port_revert,
	.set_out	= dupto_port_dev_set_out,
	.device		= dupto_port_device,
};

int dupto_port_init(void)
{
	return rtnl_link_register(&dupto_port_link_ops);
}

void dupto_port_exit(void)
{
	rtnl_link_unregister(&dupto_port_link_ops);
}

MODULE_ALIAS_RTNL_LINK(DUPTO_PORT_KIND);
