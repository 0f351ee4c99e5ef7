// SPDX-License-Identifier: GPL-2.0
/*
 * What port and sensor devices share as devices stacked on a lower device:
 * the checks before taking a lower device, taking and releasing it, and
 * following it (carrier, MTU, MAC address, going away).
 */

#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/if_bridge.h>
#include <linux/netdevice.h>
#include <net/rtnetlink.h>

#include "dupto.h"
#include "pernet.h"
#include "port.h"
#include "sensor.h"
#include "stacked.h"

static bool netif_is_dupto(const struct net_device *dev)
{
	return netif_is_dupto_port(dev) || netif_is_dupto_sensor(dev);
}

/* The port or sensor that owns @lower, or NULL. Under RTNL. */
struct net_device *dupto_stacked_upper(const struct net_device *lower)
{
	rx_handler_func_t *handler = rtnl_dereference(lower->rx_handler);

	if (handler != dupto_port_handle_frame &&
	    handler != dupto_sensor_handle_frame)
		return NULL;
	return rtnl_dereference(lower->rx_handler_data);
}

/* Whether @dev has an upper device other than @except. */
static bool dupto_stacked_has_upper(struct net_device *dev,
				    struct net_device *except)
{
	struct net_device *upper;
	struct list_head *iter;
	bool found = false;

	rcu_read_lock();
	netdev_for_each_upper_dev_rcu(dev, upper, iter) {
		if (upper != except) {
			found = true;
			break;
		}
	}
	rcu_read_unlock();
	return found;
}

/*
 * Everything that makes a device unfit to be owned, checked before we touch
 * it so that a refusal leaves the lower device exactly as it was and says
 * why. Under RTNL, so the answers hold until we have taken the device.
 * @bridged_ok: the caller will take the device out of its bridge first.
 */
int dupto_stacked_check(struct net_device *lower, bool bridged_ok,
			struct netlink_ext_ack *extack)
{
	bool bridged = bridged_ok && netif_is_bridge_port(lower);
	struct net_device *master = netdev_master_upper_dev_get(lower);

	if (lower->flags & IFF_LOOPBACK) {
		NL_SET_ERR_MSG(extack, "lower device is a loopback device");
		return -EINVAL;
	}
	if (lower->type != ARPHRD_ETHER || lower->addr_len != ETH_ALEN) {
		NL_SET_ERR_MSG(extack, "lower device is not an Ethernet device");
		return -EINVAL;
	}
	if (netif_is_dupto(lower)) {
		NL_SET_ERR_MSG(extack,
			       "lower device is a dupto device: dupto devices do not stack");
		return -EINVAL;
	}
	if (netif_is_bridge_master(lower)) {
		NL_SET_ERR_MSG(extack,
			       "lower device is a bridge: stack on one of its ports instead");
		return -EINVAL;
	}
	if (dupto_stacked_upper(lower)) {
		NL_SET_ERR_MSG(extack,
			       "lower device already has a dupto port or sensor");
		return -EBUSY;
	}
	/* Classified twice, or mirrored into a port: a loop. */
	if (dupto_port_find(dupto_net(dev_net(lower)), lower)) {
		NL_SET_ERR_MSG(extack,
			       "lower device is a dupto port: detach it first");
		return -EBUSY;
	}
	if (master && !bridged) {
		if (netif_is_bridge_master(master))
			NL_SET_ERR_MSG(extack,
				       "lower device is a bridge port: take it out of the bridge first");
		else
			NL_SET_ERR_MSG(extack,
				       "lower device is enslaved to another device (bond, team, VRF...)");
		return -EBUSY;
	}
	if (lower->priv_flags & IFF_NO_RX_HANDLER) {
		NL_SET_ERR_MSG(extack,
			       "lower device cannot give up its receive path (ipvlan, VRF...)");
		return -EINVAL;
	}
	if (rcu_access_pointer(lower->rx_handler) && !bridged) {
		NL_SET_ERR_MSG(extack,
			       "lower device's receive path is in use (macvlan, ipvlan...)");
		return -EBUSY;
	}
	/* An upper such as a VLAN device would take its frames before our
	 * rx_handler sees them: those frames would bypass the port (and the
	 * bridge behind it) and reach the host on a transmit-only sensor link.
	 */
	if (dupto_stacked_has_upper(lower, bridged ? master : NULL)) {
		NL_SET_ERR_MSG(extack,
			       "lower device has upper devices (VLAN, macvlan...): delete them first");
		return -EBUSY;
	}
	return 0;
}

/*
 * Loops through a pair. A frame sent on one end of a veth (or netkit) pair
 * is received on the other from the backlog, later, where the recursion
 * guard around a sensor's transmission (mirror.c) no longer sees it. So a
 * sensor's copies must never arrive, through a pair, where dupto classifies
 * or a bridge forwards: both the sensor's side (its lower device's peer)
 * and the port's side (a device that would receive a sensor's copies) are
 * checked, and so is every later link between the two (the notifier).
 */

/* The other end of @dev, when @dev is one end of a pair. */
static struct net_device *dupto_stacked_peer_rcu(struct net_device *dev)
{
	if (!dev->netdev_ops->ndo_get_peer_dev)
		return NULL;
	return dev->netdev_ops->ndo_get_peer_dev(dev);
}

/* What classifies or forwards the frames @dev receives, or NULL. RTNL. */
static const char *dupto_stacked_port_kind(struct net_device *dev)
{
	if (netif_is_bridge_master(dev))
		return "a bridge";
	if (netif_is_bridge_port(dev))
		return "a bridge port";
	if (dupto_port_find(dupto_net(dev_net(dev)), dev))
		return "a dupto port";
	return NULL;
}

struct dupto_stacked_reach {
	struct net_device *dev;
	const char *kind;
};

static int dupto_stacked_reach_one(struct net_device *dev,
				   struct netdev_nested_priv *priv)
{
	struct dupto_stacked_reach *r = priv->data;

	r->kind = dupto_stacked_port_kind(dev);
	if (!r->kind)
		return 0;
	r->dev = dev;
	return 1;
}

/*
 * Whether the frames @dev receives reach a port or a bridge: on @dev
 * itself or on a device stacked on it (a VLAN, a bond, a port device).
 * If so, @r says which device and what it is. Under RTNL.
 */
static bool dupto_stacked_reaches_port(struct net_device *dev,
				       struct dupto_stacked_reach *r)
{
	struct netdev_nested_priv priv = { .data = r };
	int found;

	if (dupto_stacked_reach_one(dev, &priv))
		return true;
	rcu_read_lock();
	found = netdev_walk_all_upper_dev_rcu(dev, dupto_stacked_reach_one,
					      &priv);
	rcu_read_unlock();
	return found;
}

static int dupto_stacked_feeder_one(struct net_device *dev,
				    struct netdev_nested_priv *priv)
{
	struct net_device *peer = dupto_stacked_peer_rcu(dev), *owner;

	if (!peer)
		return 0;
	owner = dupto_stacked_upper(peer);
	if (!owner || !netif_is_dupto_sensor(owner))
		return 0;
	priv->data = owner;
	return 1;
}

/*
 * The sensor whose copies @dev receives: @dev, or a device it is stacked
 * on, is the peer of a sensor's lower device. NULL if none. Under RTNL,
 * which keeps the pairs, and what owns their ends, as they are.
 */
static struct net_device *dupto_stacked_feeder(struct net_device *dev)
{
	struct netdev_nested_priv priv = { .data = NULL };

	rcu_read_lock();
	if (!dupto_stacked_feeder_one(dev, &priv))
		netdev_walk_all_lower_dev_rcu(dev, dupto_stacked_feeder_one,
					      &priv);
	rcu_read_unlock();
	return priv.data;
}

static int dupto_stacked_loop_error(struct net_device *dev,
				    struct net_device *sensor,
				    struct netlink_ext_ack *extack)
{
	dupto_set_err_msgf(extack,
			   "copies would loop: %s receives what sensor %s sends",
			   dev->name, sensor->name);
	return -EBUSY;
}

/*
 * @dev is a sensor's lower device (@sensor true) or a device about to be
 * a port: refuse it if the sensor's copies would come back to be
 * classified or bridged. Under RTNL.
 */
int dupto_stacked_check_loop(struct net_device *dev, bool sensor,
			     struct netlink_ext_ack *extack)
{
	struct dupto_stacked_reach r;
	struct net_device *peer, *feeder;

	ASSERT_RTNL();
	if (!sensor) {
		feeder = dupto_stacked_feeder(dev);
		return feeder ? dupto_stacked_loop_error(dev, feeder, extack) : 0;
	}

	/* RTNL keeps the peer: a pair is only ever taken apart under it */
	rcu_read_lock();
	peer = dupto_stacked_peer_rcu(dev);
	rcu_read_unlock();
	if (!peer || !dupto_stacked_reaches_port(peer, &r))
		return 0;
	if (r.dev == peer)
		dupto_set_err_msgf(extack, "copies would loop: peer %s is %s",
				   peer->name, r.kind);
	else
		dupto_set_err_msgf(extack,
				   "copies would loop: peer %s is under %s, %s",
				   peer->name, r.dev->name, r.kind);
	return -EBUSY;
}

/*
 * @dev is about to be stacked on @upper (enslaved to a bridge or a bond,
 * given a VLAN): refuse if that takes a sensor's copies to a port or a
 * bridge.
 */
static int dupto_stacked_check_link(struct net_device *dev,
				    struct net_device *upper,
				    struct netlink_ext_ack *extack)
{
	struct dupto_stacked_reach r;
	struct net_device *feeder;

	feeder = dupto_stacked_feeder(dev);
	if (!feeder || !dupto_stacked_reaches_port(upper, &r))
		return 0;
	return dupto_stacked_loop_error(dev, feeder, extack);
}

struct net_device *dupto_stacked_find_lower(struct net *net,
					    struct nlattr *tb[],
					    struct net_device *dev,
					    struct netlink_ext_ack *extack)
{
	struct net_device *lower;
	int err;

	lower = __dev_get_by_index(net, nla_get_u32(tb[IFLA_LINK]));
	if (!lower) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_LINK],
				    "lower device does not exist");
		return ERR_PTR(-ENODEV);
	}
	if (!net_eq(dev_net(dev), dev_net(lower))) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_LINK],
				    "lower device is in another network namespace");
		return ERR_PTR(-EINVAL);
	}
	err = dupto_stacked_check(lower, false, extack);
	if (!err)
		err = dupto_stacked_check_loop(lower, netif_is_dupto_sensor(dev),
					       extack);
	if (err) {
		NL_SET_BAD_ATTR(extack, tb[IFLA_LINK]);
		return ERR_PTR(err);
	}
	return lower;
}

/*
 * From ndo_init: the rx_handler is taken before the device is listed, so
 * that a failed registration unwinds it through ndo_uninit and nothing else.
 * dupto_stacked_check() has already made sure the handler slot is free.
 */
int dupto_stacked_take(struct dupto_stacked *stk, rx_handler_func_t *handler)
{
	struct net_device *dev = stk->dev, *lower = stk->lower;
	int err;

	err = netdev_rx_handler_register(lower, handler, dev);
	if (err)
		return err;
	netdev_hold(lower, &stk->lower_tracker, GFP_KERNEL);

	dev->hard_header_len = lower->hard_header_len;
	dev->needed_headroom = lower->needed_headroom;
	dev->needed_tailroom = lower->needed_tailroom;
	netif_inherit_tso_max(dev, lower);
	return 0;
}

/* From ndo_uninit, whatever path unregisters the device. */
void dupto_stacked_release(struct dupto_stacked *stk)
{
	netdev_rx_handler_unregister(stk->lower);
	netdev_put(stk->lower, &stk->lower_tracker);
}

/*
 * Making our device the lower's master shows the ownership in "ip link"
 * ("eth0 ... master dp0") and makes the core refuse any other master. The
 * link can only be made once the device is registered, and must be undone
 * before unregistration starts (from dellink), because the core insists a
 * device being unregistered has no upper or lower devices left.
 */
int dupto_stacked_link(struct dupto_stacked *stk,
		       struct netlink_ext_ack *extack)
{
	return netdev_master_upper_dev_link(stk->lower, stk->dev, NULL, NULL,
					    extack);
}

void dupto_stacked_unlink(struct dupto_stacked *stk)
{
	netdev_upper_dev_unlink(stk->lower, stk->dev);
}

/*
 * Carrier and operstate as the lower has them, while our device is up; a
 * lower that is administratively down may still claim carrier, so force it
 * off then. Carrier stays off while our device is down so that opening it
 * is a carrier transition: that is what makes linkwatch compute an
 * operstate ("UP") instead of leaving it UNKNOWN. Without a lower device,
 * carrier simply follows our own state.
 */
void dupto_stacked_sync_operstate(struct dupto_stacked *stk)
{
	if (!netif_running(stk->dev))
		netif_carrier_off(stk->dev);
	else if (!stk->lower)
		netif_carrier_on(stk->dev);
	else if (stk->lower->flags & IFF_UP)
		netif_stacked_transfer_operstate(stk->lower, stk->dev);
	else
		netif_carrier_off(stk->dev);
}

int dupto_stacked_change_mtu(struct net_device *dev, int new_mtu)
{
	struct dupto_stacked *stk = netdev_priv(dev);

	if (stk->lower && new_mtu > READ_ONCE(stk->lower->mtu))
		return -EINVAL;
	WRITE_ONCE(dev->mtu, new_mtu);
	return 0;
}

int dupto_stacked_get_iflink(const struct net_device *dev)
{
	const struct dupto_stacked *stk = netdev_priv(dev);

	return stk->lower ? READ_ONCE(stk->lower->ifindex) : dev->ifindex;
}

struct net *dupto_stacked_get_link_net(const struct net_device *dev)
{
	const struct dupto_stacked *stk = netdev_priv(dev);

	return dev_net(stk->lower ? stk->lower : dev);
}

static void dupto_stacked_get_drvinfo(struct net_device *dev,
				      struct ethtool_drvinfo *info)
{
	strscpy(info->driver, KBUILD_MODNAME, sizeof(info->driver));
}

/* Link speed and duplex are the lower's: the bridge derives STP path costs
 * from them, so a 10G port must not look like an unknown-speed one.
 */
static int dupto_stacked_get_link_ksettings(struct net_device *dev,
					    struct ethtool_link_ksettings *cmd)
{
	struct dupto_stacked *stk = netdev_priv(dev);

	if (!stk->lower)
		return -EOPNOTSUPP;
	return __ethtool_get_link_ksettings(stk->lower, cmd);
}

/* The port device's and the sensor's: both stand for their lower device. */
const struct ethtool_ops dupto_stacked_ethtool_ops = {
	.get_drvinfo		= dupto_stacked_get_drvinfo,
	.get_link		= ethtool_op_get_link,
	.get_link_ksettings	= dupto_stacked_get_link_ksettings,
	.get_ts_info		= ethtool_op_get_ts_info,
};

static void dupto_stacked_follow_addr(struct dupto_stacked *stk)
{
	if (ether_addr_equal(stk->dev->dev_addr, stk->lower->dev_addr))
		return;
	eth_hw_addr_set(stk->dev, stk->lower->dev_addr);
	call_netdevice_notifiers(NETDEV_CHANGEADDR, stk->dev);
}

static void dupto_stacked_follow_mtu(struct dupto_stacked *stk)
{
	int err;

	if (stk->dev->mtu == stk->lower->mtu)
		return;
	err = dev_set_mtu(stk->dev, stk->lower->mtu);
	if (err)
		netdev_warn(stk->dev, "cannot follow %s to MTU %u: %d\n",
			    stk->lower->name, stk->lower->mtu, err);
}

static int dupto_stacked_event(struct notifier_block *nb,
			       unsigned long event, void *ptr)
{
	struct net_device *lower = netdev_notifier_info_to_dev(ptr);
	struct netdev_notifier_changeupper_info *upper_info = ptr;
	struct dupto_stacked *stk;
	struct net_device *dev;
	LIST_HEAD(kill);
	int err;

	/* A sensor is a dead end: nothing may be stacked on it, and so no
	 * master (VRF, OVS...) can take the frames it transmits anywhere.
	 */
	if (event == NETDEV_PRECHANGEUPPER && upper_info->linking &&
	    netif_is_dupto_sensor(lower)) {
		NL_SET_ERR_MSG(upper_info->info.extack,
			       "a dupto sensor cannot be enslaved or carry upper devices");
		return notifier_from_errno(-EOPNOTSUPP);
	}
	if (event == NETDEV_PRECHANGEUPPER && upper_info->linking) {
		err = dupto_stacked_check_link(lower, upper_info->upper_dev,
					       upper_info->info.extack);
		if (err)
			return notifier_from_errno(err);
	}

	dev = dupto_stacked_upper(lower);
	if (!dev)
		return NOTIFY_DONE;
	stk = netdev_priv(dev);

	switch (event) {
	case NETDEV_UP:
	case NETDEV_DOWN:
	case NETDEV_CHANGE:
		dupto_stacked_sync_operstate(stk);
		break;
	case NETDEV_CHANGEMTU:
		dupto_stacked_follow_mtu(stk);
		break;
	case NETDEV_CHANGEADDR:
		if (netif_is_dupto_port(dev))
			dupto_stacked_follow_addr(stk);
		break;
	case NETDEV_FEAT_CHANGE:
		netif_inherit_tso_max(dev, lower);
		break;
	case NETDEV_PRE_TYPE_CHANGE:
		return notifier_from_errno(-EBUSY);
	case NETDEV_PRECHANGEUPPER:
		if (!upper_info->linking || upper_info->upper_dev == dev)
			break;
		NL_SET_ERR_MSG(upper_info->info.extack,
			       "device belongs to a dupto port or sensor: stack on the dupto device instead");
		return notifier_from_errno(-EBUSY);
	case NETDEV_UNREGISTER:
		/* The lower moving to another namespace unregisters it from
		 * this one only; like every stacked driver we stay put.
		 */
		if (lower->reg_state != NETREG_UNREGISTERING)
			break;
		/* Already on its way out in the same batch: dellink ran. */
		if (dev->reg_state != NETREG_REGISTERED)
			break;
		dev->rtnl_link_ops->dellink(dev, &kill);
		unregister_netdevice_many(&kill);
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block dupto_stacked_notifier = {
	.notifier_call = dupto_stacked_event,
};

int dupto_stacked_init(void)
{
	return register_netdevice_notifier(&dupto_stacked_notifier);
}

void dupto_stacked_exit(void)
{
	unregister_netdevice_notifier(&dupto_stacked_notifier);
}
