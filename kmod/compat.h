/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The differences between the kernels dupto supports (Debian's 6.1 and
 * 6.12). Each switch is keyed on what the kernel headers contain, probed by
 * Kbuild (DUPTO_HAVE_*), never on version numbers: distributions backport
 * features, and Debian's 6.1 and 6.12 both carry later changes.
 */
#ifndef _DUPTO_COMPAT_H
#define _DUPTO_COMPAT_H

#include <linux/netdevice.h>
#include <linux/netlink.h>
#include <net/addrconf.h>
#ifdef DUPTO_HAVE_HOTDATA_PTYPE_ALL
#include <net/hotdata.h>
#endif

/* 6.12 moved the lockless-transmit and netns-locality feature bits into
 * plain fields of struct net_device (and renamed netns_local).
 */
static inline void dupto_compat_set_lltx(struct net_device *dev)
{
#ifdef DUPTO_HAVE_DEV_LLTX
	dev->lltx = true;
#else
	dev->features |= NETIF_F_LLTX;
#endif
}

static inline void dupto_compat_set_netns_local(struct net_device *dev)
{
#if defined(DUPTO_HAVE_NETNS_IMMUTABLE)
	dev->netns_immutable = true;
#elif defined(DUPTO_HAVE_NETNS_LOCAL)
	dev->netns_local = true;
#else
	dev->features |= NETIF_F_NETNS_LOCAL;
#endif
}

/*
 * Keep the host's IPv6 stack from configuring (and so from transmitting
 * router solicitations, DAD probes and MLD reports) on a device. Kernels
 * with IFF_NO_ADDRCONF have a flag for exactly this; older ones only have
 * the per-device disable_ipv6 setting, which the administrator can still
 * flip back with sysctl. Call after register_netdevice(), under RTNL.
 */
static inline void dupto_compat_no_addrconf(struct net_device *dev)
{
#ifdef DUPTO_HAVE_IFF_NO_ADDRCONF
	dev->priv_flags |= IFF_NO_ADDRCONF;
#elif IS_ENABLED(CONFIG_IPV6)
	struct inet6_dev *idev = __in6_dev_get(dev);

	if (idev)
		idev->cnf.disable_ipv6 = 1;
#endif
}

/* Since 6.2 the core hands pre_doit the split op it built, not the family's. */
#ifdef DUPTO_HAVE_GENL_SPLIT_OPS
#define dupto_compat_genl_op genl_split_ops
#else
#define dupto_compat_genl_op genl_ops
#endif

/*
 * An extack message made at run time (a verifier's "insn 12: ...", the
 * names of the devices a loop would go through). Kernels with
 * NL_SET_ERR_MSG_FMT copy it into the extack, 79 characters at most;
 * older ones only keep a pointer, read when the ACK is built after the
 * handler has returned, so netlink.c keeps the text in a ring of buffers
 * until then.
 */
#ifdef NL_SET_ERR_MSG_FMT
#define dupto_set_err_msgf(extack, fmt, ...) \
	NL_SET_ERR_MSG_FMT((extack), fmt, ##__VA_ARGS__)
#else
__printf(2, 3)
void dupto_compat_set_err_msgf(struct netlink_ext_ack *extack,
			       const char *fmt, ...);
#define dupto_set_err_msgf dupto_compat_set_err_msgf
#endif
#define dupto_set_err_msg(extack, msg) dupto_set_err_msgf((extack), "%s", (msg))

/*
 * Whether tc (clsact filters; tcx programs since 6.6) or netfilter has
 * anything on @dev's egress: what the core runs in __dev_queue_xmit()
 * before a frame reaches the device.
 */
static inline bool dupto_compat_egress_hooked(const struct net_device *dev)
{
#if defined(DUPTO_HAVE_TCX_EGRESS)
	if (rcu_access_pointer(dev->tcx_egress))
		return true;
#elif IS_ENABLED(CONFIG_NET_CLS_ACT)
	if (rcu_access_pointer(dev->miniq_egress))
		return true;
#endif
#if IS_ENABLED(CONFIG_NETFILTER_EGRESS)
	if (rcu_access_pointer(dev->nf_hooks_egress))
		return true;
#endif
	return false;
}

/*
 * The taps on every device (tcpdump -i any), which see a frame sent on
 * any device before that device's own taps do. Since 6.9 their list is
 * exported in net_hotdata; before, only dev_nit_active() is, and it says
 * whether that list is empty when asked of a device with no taps of its
 * own (sensor.c keeps one, never registered). NULL where the list has
 * entries the caller cannot reach: then only dev_queue_xmit_nit() can
 * deliver to them. Called under RCU.
 */
#ifdef DUPTO_HAVE_HOTDATA_PTYPE_ALL
static inline const struct list_head *dupto_compat_ptype_all(void)
{
	return &net_hotdata.ptype_all;
}
#else
extern struct net_device dupto_compat_tapless;
extern struct list_head dupto_compat_no_taps;

static inline const struct list_head *dupto_compat_ptype_all(void)
{
	return dev_nit_active(&dupto_compat_tapless) ? NULL : &dupto_compat_no_taps;
}
#endif

#endif /* _DUPTO_COMPAT_H */
