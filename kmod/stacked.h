/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DUPTO_STACKED_H
#define _DUPTO_STACKED_H

#include <linux/ethtool.h>
#include <linux/netdevice.h>
#include <net/rtnetlink.h>

#include "dupto.h"

/*
 * Offloads a stacked device can always advertise: anything its lower device
 * cannot do is done in software by dev_queue_xmit() on the lower device.
 */
#define DUPTO_STACKED_OFFLOADS						\
	(NETIF_F_SG | NETIF_F_HW_CSUM | NETIF_F_HIGHDMA |		\
	 NETIF_F_FRAGLIST | NETIF_F_GSO_SOFTWARE | NETIF_F_GSO_ROBUST |	\
	 NETIF_F_GSO_ENCAP_ALL | NETIF_F_HW_VLAN_CTAG_TX |		\
	 NETIF_F_HW_VLAN_STAG_TX)

static inline struct net_device *dupto_stacked_lower(const struct net_device *dev)
{
	const struct dupto_stacked *stk = netdev_priv(dev);

	return stk->lower;
}

struct net_device *dupto_stacked_upper(const struct net_device *lower);
static inline bool dupto_stacked_owned(const struct net_device *dev)
{
	return dupto_stacked_upper(dev);
}
int dupto_stacked_check(struct net_device *lower, bool bridged_ok,
			struct netlink_ext_ack *extack);
int dupto_stacked_check_loop(struct net_device *dev, bool sensor,
			     struct netlink_ext_ack *extack);
struct net_device *dupto_stacked_find_lower(struct net *net,
					    struct nlattr *tb[],
					    struct net_device *dev,
					    struct netlink_ext_ack *extack);
int dupto_stacked_take(struct dupto_stacked *stk, rx_handler_func_t *handler);
void dupto_stacked_release(struct dupto_stacked *stk);
int dupto_stacked_link(struct dupto_stacked *stk,
		       struct netlink_ext_ack *extack);
void dupto_stacked_unlink(struct dupto_stacked *stk);
void dupto_stacked_sync_operstate(struct dupto_stacked *stk);
int dupto_stacked_change_mtu(struct net_device *dev, int new_mtu);
int dupto_stacked_get_iflink(const struct net_device *dev);
struct net *dupto_stacked_get_link_net(const struct net_device *dev);
extern const struct ethtool_ops dupto_stacked_ethtool_ops;

int dupto_stacked_init(void);
void dupto_stacked_exit(void);

#endif /* _DUPTO_STACKED_H */
