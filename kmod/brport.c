// SPDX-License-Identifier: GPL-2.0
/*
 * What a bridge port has of its own, which converting it to a port device
 * would lose.
 *
 * "dupto port add eth0 device" takes eth0 out of its bridge and enslaves a
 * port device in its place, which starts with the bridge's defaults. The
 * kernel has no way to carry a port's settings across, and losing some of
 * them opens the port: a locked (802.1X/MAB) port would come back open, an
 * isolated one would talk to every port, a port kept out of VLANs would
 * join the default one. So a port whose settings are not the defaults is
 * not converted; the refusal names what differs, and the administrator
 * converts by hand (Documentation/admin-guide.rst).
 *
 * Everything is read through the bridge's own netlink fillers, as
 * "bridge -d link show", "bridge vlan show" and "bridge fdb show" would
 * read it, so that no symbol of the bridge module is needed and a module
 * that only monitors taps does not pull the bridge in:
 *   - the port's flags, priority, cost, group_fwd_mask, backup port and
 *     backup nexthop, multicast router, EHT and group limits, and STP
 *     state: the IFLA_PROTINFO nest of the master's ndo_bridge_getlink,
 *     with its VLANs in compressed form;
 *   - the bridge's default PVID, STP mode and MST mode: the master's
 *     rtnl_link_ops fill_info;
 *   - the MRP instances and CFM MEPs the port is in, which the bridge
 *     deletes when the port leaves: the master's ndo_bridge_getlink for the
 *     bridge itself;
 *   - the port's FDB entries: the master's ndo_fdb_dump, filtered by port;
 *   - the other ports' backup ports, which the bridge clears when this
 *     port leaves.
 * Static MDB entries and per-VLAN options are not read here: 6.1 has no
 * way for a module to list MDB entries (no ndo_mdb_dump), nor per-VLAN
 * options (only the RTM_GETVLAN dump has them). The tool checks both
 * before it asks for a conversion; a raw netlink client gets only what is
 * checked here.
 */

#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/if_bridge.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <net/netlink.h>
#include <net/rtnetlink.h>
#include <uapi/linux/neighbour.h>

#include "brport.h"
#include "compat.h"

/*
 * The refusal, as long as an extended ACK message may be made at run time
 * (NETLINK_MAX_FMTMSG_LEN): settings that do not fit are counted.
 */
#define DUPTO_BRPORT_MSG_LEN	80
#define DUPTO_BRPORT_PREFIX	"bridge port settings would be lost: "
/* room kept for " and 4095 more" */
#define DUPTO_BRPORT_MORE_LEN	14

/* A new port's priority: 0x8000 >> BR_PORT_BITS (10, br_private.h). */
#define DUPTO_BRPORT_PRIORITY	0x20
/* A new port's multicast EHT hosts limit (br_private_mcast_eht.h). */
#define DUPTO_BRPORT_EHT_LIMIT	512

struct dupto_brport_lost {
	char text[DUPTO_BRPORT_MSG_LEN];
	size_t len;
	unsigned int named, more;
};

/* Another setting that differs, named as "bridge link set" calls it. */
static __printf(2, 3) void dupto_brport_lost(struct dupto_brport_lost *l,
					     const char *fmt, ...)
{
	char item[32];
	va_list args;
	size_t need;

	va_start(args, fmt);
	vsnprintf(item, sizeof(item), fmt, args);
	va_end(args);

	need = (l->named ? 2 : 0) + strlen(item);
	if (l->more ||
	    l->len + need + DUPTO_BRPORT_MORE_LEN >= sizeof(l->text)) {
		l->more++;
		return;
	}
	l->len += scnprintf(l->text + l->len, sizeof(l->text) - l->len, "%s%s",
			    l->named ? ", " : "", item);
	l->named++;
}

/* The port's flags: BRPORT attribute, its default, its name when it differs. */
static const struct {
	int attr;
	bool on;
	const char *name;
} dupto_brport_flags[] = {
	{ IFLA_BRPORT_LOCKED,		false,	"locked" },
#ifdef DUPTO_HAVE_IFLA_BRPORT_MAB
	{ IFLA_BRPORT_MAB,		false,	"mab" },
#endif
	{ IFLA_BRPORT_ISOLATED,		false,	"isolated" },
	{ IFLA_BRPORT_GUARD,		false,	"guard" },
	{ IFLA_BRPORT_PROTECT,		false,	"root_block" },
	{ IFLA_BRPORT_LEARNING,		true,	"learning off" },
	{ IFLA_BRPORT_UNICAST_FLOOD,	true,	"flood off" },
	{ IFLA_BRPORT_MCAST_FLOOD,	true,	"mcast_flood off" },
	{ IFLA_BRPORT_BCAST_FLOOD,	true,	"bcast_flood off" },
	{ IFLA_BRPORT_MODE,		false,	"hairpin" },
	{ IFLA_BRPORT_FAST_LEAVE,	false,	"fastleave" },
	{ IFLA_BRPORT_MCAST_TO_UCAST,	false,	"mcast_to_unicast" },
	{ IFLA_BRPORT_PROXYARP,		false,	"proxy_arp" },
	{ IFLA_BRPORT_PROXYARP_WIFI,	false,	"proxy_arp_wifi" },
	{ IFLA_BRPORT_NEIGH_SUPPRESS,	false,	"neigh_suppress" },
#ifdef DUPTO_HAVE_IFLA_BRPORT_NEIGH_VLAN_SUPPRESS
	{ IFLA_BRPORT_NEIGH_VLAN_SUPPRESS, false, "neigh_vlan_suppress" },
#endif
	{ IFLA_BRPORT_VLAN_TUNNEL,	false,	"vlan_tunnel" },
};

/*
 * The cost the bridge gives a new port (port_cost() in br_if.c) from its
 * link speed, which the port device reports as its NIC's: a cost other
 * than that is the administrator's.
 */
static u32 dupto_brport_cost(struct net_device *nic)
{
	struct ethtool_link_ksettings ks;

	if (__ethtool_get_link_ksettings(nic, &ks))
		return 100;
	switch (ks.base.speed) {
	case SPEED_10000:
		return 2;
	case SPEED_5000:
		return 3;
	case SPEED_2500:
		return 4;
	case SPEED_1000:
		return 5;
	case SPEED_100:
		return 19;
	case SPEED_10:
	case SPEED_UNKNOWN:
		return 100;
	default:
		return ks.base.speed > SPEED_10000 ? 1 : 100;
	}
}

struct dupto_brport_br {
	u16 default_pvid;
	bool stp;
	bool mst;
};

/* What rtnl_link_ops->fill_info says of the bridge. */
static int dupto_brport_bridge(struct net_device *br,
			       struct dupto_brport_br *info)
{
	const struct rtnl_link_ops *ops = br->rtnl_link_ops;
	const struct nlattr *attr;
	struct sk_buff *skb;
	int err, rem;

	if (!ops || !ops->fill_info || !ops->get_size)
		return -EOPNOTSUPP;
	skb = alloc_skb(ops->get_size(br), GFP_KERNEL);
	if (!skb)
		return -ENOMEM;
	err = ops->fill_info(skb, br);
	if (err)
		goto out;
	info->default_pvid = 0;
	info->stp = true;
	info->mst = false;
	nla_for_each_attr(attr, (struct nlattr *)skb->data, skb->len, rem) {
		const struct br_boolopt_multi *bm;

		switch (nla_type(attr)) {
		case IFLA_BR_VLAN_DEFAULT_PVID:
			info->default_pvid = nla_get_u16(attr);
			break;
		case IFLA_BR_STP_STATE:
			info->stp = nla_get_u32(attr);
			break;
		case IFLA_BR_MULTI_BOOLOPT:
			if (nla_len(attr) < sizeof(*bm))
				break;
			bm = nla_data(attr);
			info->mst = bm->optval & BIT(BR_BOOLOPT_MST_ENABLE);
			break;
		}
	}
out:
	kfree_skb(skb);
	return err;
}

/*
 * The master's RTM_NEWLINK for @dev, as "bridge link show" gets it. For a
 * port: its settings in IFLA_PROTINFO and, with RTEXT_FILTER_BRVLAN_COMPRESSED
 * in @filter, its VLANs in ranges. For the bridge itself: what @filter asks
 * of it in IFLA_AF_SPEC. A port in many VLANs, or a bridge with many CFM
 * MEPs, needs more than a page.
 */
static struct sk_buff *dupto_brport_getlink(struct net_device *br,
					    struct net_device *dev, u32 filter)
{
	unsigned int size = NLMSG_GOODSIZE;
	struct sk_buff *skb;
	int err;

	if (!br->netdev_ops->ndo_bridge_getlink)
		return ERR_PTR(-EOPNOTSUPP);
	for (;;) {
		skb = alloc_skb(size, GFP_KERNEL);
		if (!skb)
			return ERR_PTR(-ENOMEM);
		err = br->netdev_ops->ndo_bridge_getlink(skb, 0, 0, dev, filter, 0);
		if (!err && skb->len)
			return skb;
		kfree_skb(skb);
		if (err != -EMSGSIZE || size >= 16 * NLMSG_GOODSIZE)
			return ERR_PTR(err ?: -ENODATA);
		size *= 4;
	}
}

static const struct nlattr *dupto_brport_find(const struct sk_buff *skb,
					      int type)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)skb->data;

	return nlmsg_find_attr(nlh, sizeof(struct ifinfomsg), type);
}

static void dupto_brport_attrs(struct dupto_brport_lost *l,
			       const struct nlattr *protinfo,
			       const struct dupto_brport_br *bri,
			       struct net_device *nic)
{
	const struct nlattr *attr;
	struct net_device *dev;
	int i, rem;

	for (i = 0; i < ARRAY_SIZE(dupto_brport_flags); i++) {
		attr = nla_find_nested(protinfo, dupto_brport_flags[i].attr);
		if (attr && nla_len(attr) >= 1 &&
		    !!nla_get_u8(attr) != dupto_brport_flags[i].on)
			dupto_brport_lost(l, "%s", dupto_brport_flags[i].name);
	}
	nla_for_each_nested(attr, protinfo, rem) {
		switch (nla_type(attr)) {
		case IFLA_BRPORT_PRIORITY:
			if (nla_get_u16(attr) != DUPTO_BRPORT_PRIORITY)
				dupto_brport_lost(l, "priority");
			break;
		case IFLA_BRPORT_COST:
			/* The bridge recomputes it only while the link is up,
			 * when the speed is known.
			 */
			if (netif_running(nic) && netif_oper_up(nic) &&
			    nla_get_u32(attr) != dupto_brport_cost(nic))
				dupto_brport_lost(l, "cost");
			break;
		case IFLA_BRPORT_GROUP_FWD_MASK:
			if (nla_get_u16(attr))
				dupto_brport_lost(l, "group_fwd_mask");
			break;
		case IFLA_BRPORT_BACKUP_PORT:
			dev = __dev_get_by_index(dev_net(nic), nla_get_u32(attr));
			dupto_brport_lost(l, "backup_port %s", dev ? dev->name : "");
			break;
		case IFLA_BRPORT_MULTICAST_ROUTER:
			if (nla_get_u8(attr) != MDB_RTR_TYPE_TEMP_QUERY)
				dupto_brport_lost(l, "mcast_router");
			break;
		case IFLA_BRPORT_MCAST_EHT_HOSTS_LIMIT:
			if (nla_get_u32(attr) != DUPTO_BRPORT_EHT_LIMIT)
				dupto_brport_lost(l, "mcast_eht_hosts_limit");
			break;
#ifdef DUPTO_HAVE_IFLA_BRPORT_MCAST_MAX_GROUPS
		case IFLA_BRPORT_MCAST_MAX_GROUPS:
			/* 0: no limit */
			if (nla_get_u32(attr))
				dupto_brport_lost(l, "mcast_max_groups");
			break;
#endif
#ifdef DUPTO_HAVE_IFLA_BRPORT_BACKUP_NHID
		case IFLA_BRPORT_BACKUP_NHID:
			if (nla_get_u32(attr))
				dupto_brport_lost(l, "backup_nhid");
			break;
#endif
		case IFLA_BRPORT_STATE:
			/* Without STP, the state is the administrator's: a
			 * new port would forward at once.
			 */
			if (!bri->stp && nla_get_u8(attr) != BR_STATE_FORWARDING &&
			    nla_get_u8(attr) != BR_STATE_DISABLED)
				dupto_brport_lost(l, "state");
			break;
		}
	}
}

/*
 * A new port has exactly one VLAN, the bridge's default PVID, untagged and
 * PVID, or none if the default PVID is 0. The entries come in order of VID,
 * a range as a RANGE_BEGIN and a RANGE_END entry, the PVID always alone.
 */
static void dupto_brport_vlans(struct dupto_brport_lost *l,
			       const struct nlattr *afspec, u16 def)
{
	const struct bridge_vlan_info *vinfo;
	const struct nlattr *attr;
	bool has_def = false;
	u16 begin = 0, pvid = 0;
	int rem;

	nla_for_each_nested(attr, afspec, rem) {
		if (nla_type(attr) != IFLA_BRIDGE_VLAN_INFO ||
		    nla_len(attr) < sizeof(*vinfo))
			continue;
		vinfo = nla_data(attr);
		if (vinfo->flags & BRIDGE_VLAN_INFO_RANGE_BEGIN) {
			begin = vinfo->vid;
			continue;
		}
		if (!(vinfo->flags & BRIDGE_VLAN_INFO_RANGE_END))
			begin = vinfo->vid;
		if (vinfo->flags & BRIDGE_VLAN_INFO_PVID) {
			pvid = vinfo->vid;
			if (pvid != def)
				dupto_brport_lost(l, "pvid %u", pvid);
		}
		if (begin == def && vinfo->vid == def) {
			has_def = true;
			if (!(vinfo->flags & BRIDGE_VLAN_INFO_UNTAGGED))
				dupto_brport_lost(l, "vlan %u tagged", def);
		} else if (begin == vinfo->vid) {
			dupto_brport_lost(l, "vlan %u", begin);
		} else {
			dupto_brport_lost(l, "vlans %u-%u", begin, vinfo->vid);
		}
	}
	if (def && !has_def)
		dupto_brport_lost(l, "no vlan %u", def);
	else if (def && !pvid)
		dupto_brport_lost(l, "no pvid");
}

/*
 * FDB entries on the port that the administrator made: static ones, and
 * permanent ones other than the port's own address, which the bridge adds
 * for the new port device too (it has the NIC's address). Learned entries
 * are learned again. ndo_fdb_dump reads only cb->args[2] (entries to skip),
 * and cb->skb and cb->nlh for the messages' port ID and sequence.
 */
static int dupto_brport_fdb(struct dupto_brport_lost *l, struct net_device *br,
			    struct net_device *port)
{
	struct nlmsghdr req = { 0 };
	struct netlink_callback cb;
	const struct nlmsghdr *nlh;
	bool found = false;
	const struct ndmsg *ndm;
	const struct nlattr *a;
	struct sk_buff *skb;
	int err, idx, rem;

	if (!br->netdev_ops->ndo_fdb_dump)
		return -EOPNOTSUPP;
	skb = alloc_skb(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return -ENOMEM;
	memset(&cb, 0, sizeof(cb));
	cb.skb = skb;
	cb.nlh = &req;
	do {
		idx = 0;
		err = br->netdev_ops->ndo_fdb_dump(skb, &cb, br, port, &idx);
		nlmsg_for_each_msg(nlh, (struct nlmsghdr *)skb->data, skb->len, rem) {
			ndm = nlmsg_data(nlh);
			if (nlh->nlmsg_len < nlmsg_msg_size(sizeof(*ndm)))
				continue;
			a = nlmsg_find_attr(nlh, sizeof(*ndm), NDA_LLADDR);
			if (ndm->ndm_state & NUD_NOARP || ndm->ndm_flags & NTF_STICKY ||
			    (ndm->ndm_state & NUD_PERMANENT &&
			     !(a && nla_len(a) == ETH_ALEN &&
			       ether_addr_equal(nla_data(a), port->dev_addr))))
				found = true;
		}
		/* An entry that fits no message would stop progress. */
		if (err == -EMSGSIZE && idx == cb.args[2])
			break;
		cb.args[2] = idx;
		skb_trim(skb, 0);
	} while (err == -EMSGSIZE);
	kfree_skb(skb);
	if (err < 0)
		return err;
	if (found)
		dupto_brport_lost(l, "static fdb entries");
	return 0;
}

/*
 * What the bridge keeps of a port outside the port itself, and deletes when
 * it leaves: MRP instances it is a ring or interconnect port of, CFM MEPs
 * made on it. Each is an @entry nest in the bridge's own @type nest, named
 * by its @id attribute, with the port in one of its @ports attributes.
 */
static const struct dupto_brport_proto {
	const char *what;
	u32 filter;
	int type, entry, id;
	int ports[3];	/* 0 ends the list: no such attribute is an ifindex */
} dupto_brport_protos[] = {
	{ "mrp ring", RTEXT_FILTER_MRP, IFLA_BRIDGE_MRP, IFLA_BRIDGE_MRP_INFO,
	  IFLA_BRIDGE_MRP_INFO_RING_ID,
	  { IFLA_BRIDGE_MRP_INFO_P_IFINDEX, IFLA_BRIDGE_MRP_INFO_S_IFINDEX,
	    IFLA_BRIDGE_MRP_INFO_I_IFINDEX } },
	{ "cfm mep", RTEXT_FILTER_CFM_CONFIG, IFLA_BRIDGE_CFM,
	  IFLA_BRIDGE_CFM_MEP_CREATE_INFO, IFLA_BRIDGE_CFM_MEP_CREATE_INSTANCE,
	  { IFLA_BRIDGE_CFM_MEP_CREATE_IFINDEX } },
};

static void dupto_brport_proto_check(struct dupto_brport_lost *l,
				     const struct dupto_brport_proto *proto,
				     const struct nlattr *nest,
				     struct net_device *port)
{
	const struct nlattr *entry, *attr;
	bool on_port;
	int rem, arem, i;
	u32 id;

	nla_for_each_nested(entry, nest, rem) {
		if (nla_type(entry) != proto->entry)
			continue;
		id = 0;
		on_port = false;
		nla_for_each_nested(attr, entry, arem) {
			if (nla_type(attr) == proto->id) {
				id = nla_get_u32(attr);
				continue;
			}
			for (i = 0; i < ARRAY_SIZE(proto->ports) && proto->ports[i]; i++)
				if (nla_type(attr) == proto->ports[i] &&
				    nla_get_u32(attr) == port->ifindex)
					on_port = true;
		}
		if (on_port)
			dupto_brport_lost(l, "%s %u", proto->what, id);
	}
}

/*
 * The bridge reports its protocols for itself, not for the port, and each
 * in a request of its own: asked for both, it stops after MRP on a bridge
 * without MRP and says nothing of CFM.
 */
static int dupto_brport_protocols(struct dupto_brport_lost *l,
				  struct net_device *br, struct net_device *port)
{
	const struct dupto_brport_proto *proto;
	const struct nlattr *afspec, *nest;
	struct sk_buff *skb;

	for (proto = dupto_brport_protos;
	     proto < dupto_brport_protos + ARRAY_SIZE(dupto_brport_protos); proto++) {
		skb = dupto_brport_getlink(br, br, proto->filter);
		if (IS_ERR(skb))
			return PTR_ERR(skb);
		afspec = dupto_brport_find(skb, IFLA_AF_SPEC);
		nest = afspec ? nla_find_nested(afspec, proto->type) : NULL;
		if (nest)
			dupto_brport_proto_check(l, proto, nest, port);
		kfree_skb(skb);
	}
	return 0;
}

/* Ports that fall back on @port: the bridge forgets it when @port leaves. */
static int dupto_brport_backups(struct dupto_brport_lost *l,
				struct net_device *br, struct net_device *port)
{
	const struct nlattr *protinfo, *attr;
	struct net_device *other;
	struct list_head *iter;
	struct sk_buff *skb;

	netdev_for_each_lower_dev(br, other, iter) {
		if (other == port)
			continue;
		skb = dupto_brport_getlink(br, other, 0);
		if (IS_ERR(skb))
			return PTR_ERR(skb);
		protinfo = dupto_brport_find(skb, IFLA_PROTINFO);
		attr = protinfo ? nla_find_nested(protinfo, IFLA_BRPORT_BACKUP_PORT) :
				  NULL;
		if (attr && nla_get_u32(attr) == port->ifindex)
			dupto_brport_lost(l, "backup_port of %s", other->name);
		kfree_skb(skb);
	}
	return 0;
}

int dupto_brport_check(struct net_device *br, struct net_device *port,
		       struct netlink_ext_ack *extack)
{
	const struct nlattr *protinfo, *afspec;
	struct dupto_brport_lost *l;
	struct dupto_brport_br bri;
	struct sk_buff *skb;
	int err;

	ASSERT_RTNL();
	l = kzalloc(sizeof(*l), GFP_KERNEL);
	if (!l)
		return -ENOMEM;
	l->len = strscpy(l->text, DUPTO_BRPORT_PREFIX, sizeof(l->text));
	err = dupto_brport_bridge(br, &bri);
	if (err)
		goto err_read;
	skb = dupto_brport_getlink(br, port, RTEXT_FILTER_BRVLAN_COMPRESSED);
	if (IS_ERR(skb)) {
		err = PTR_ERR(skb);
		goto err_read;
	}
	protinfo = dupto_brport_find(skb, IFLA_PROTINFO);
	afspec = dupto_brport_find(skb, IFLA_AF_SPEC);
	if (!protinfo) {
		kfree_skb(skb);
		err = -ENODATA;
		goto err_read;
	}
	dupto_brport_attrs(l, protinfo, &bri, port);
	if (afspec)
		dupto_brport_vlans(l, afspec, bri.default_pvid);
	else if (bri.default_pvid)
		dupto_brport_lost(l, "no vlan %u", bri.default_pvid);
	kfree_skb(skb);
	/*
	 * With MST, the port's state in each MST instance is its own: a new
	 * port starts them all in its STP state.
	 */
	if (bri.mst)
		dupto_brport_lost(l, "mst_enabled");
	err = dupto_brport_protocols(l, br, port);
	if (err)
		goto err_read;
	err = dupto_brport_fdb(l, br, port);
	if (err)
		goto err_read;
	err = dupto_brport_backups(l, br, port);
	if (err)
		goto err_read;

	if (l->named || l->more) {
		if (l->more)
			scnprintf(l->text + l->len, sizeof(l->text) - l->len,
				  "%s%u more", l->named ? " and " : "", l->more);
		dupto_set_err_msg(extack, l->text);
		err = -EOPNOTSUPP;
	}
	kfree(l);
	return err;

err_read:
	/* What cannot be read might be anything: refuse. */
	NL_SET_ERR_MSG(extack, "cannot read the bridge port's settings");
	kfree(l);
	return err;
}
