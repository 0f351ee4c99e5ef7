// SPDX-License-Identifier: GPL-2.0
/*
 * The "dupto" generic netlink family; the protocol is documented in
 * uapi/linux/dupto.h. Every handler runs under RTNL, which orders
 * configuration changes against device events; dumps take it for each
 * batch and flag themselves inconsistent if the generation moved between
 * batches.
 */

#include <linux/atomic.h>
#include <linux/if_vlan.h>
#include <linux/module.h>
#include <linux/rtnetlink.h>
#include <linux/stringify.h>
#include <net/genetlink.h>
#include <net/netlink.h>

#include <uapi/linux/dupto.h>

#include "admin.h"
#include "dupto.h"
#include "hook.h"
#include "netlink.h"
#include "pernet.h"
#include "port.h"
#include "ruleset.h"
#include "sensor.h"
#include "shape.h"
#include "version.h"

/* A ruleset image may not exceed this, in all its DUPTO_A_IMAGE pieces. */
#define DUPTO_IMAGE_MAX		(64U << 20)

/* ---- policies ---------------------------------------------------------- */

/* What a request may say of a port; the rest of the nest is for replies. */
static const struct nla_policy dupto_port_policy[DUPTO_A_PORT_MAX + 1] = {
	[DUPTO_A_PORT_IFINDEX]	= NLA_POLICY_MIN(NLA_U32, 1),
	[DUPTO_A_PORT_IFNAME]	= { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
	[DUPTO_A_PORT_MODE]	= NLA_POLICY_MAX(NLA_U8, DUPTO_PORT_MODE_MAX),
	[DUPTO_A_PORT_DEVNAME]	= { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
	[DUPTO_A_PORT_DEVINDEX]	= { .type = NLA_REJECT },
	[DUPTO_A_PORT_OUT]	= { .type = NLA_REJECT },
	[DUPTO_A_PORT_STATS]	= { .type = NLA_REJECT },
	[DUPTO_A_PORT_VID]	= NLA_POLICY_MAX(NLA_U16, DUPTO_VID_MAX),
	[DUPTO_A_PORT_GONE]	= { .type = NLA_REJECT },
};

/* Not const: 6.1's struct nla_policy points at a mutable range. */
static struct netlink_range_validation dupto_snaplen_range = {
	.min = DUPTO_SNAPLEN_MIN,
	.max = DUPTO_SNAPLEN_MAX,
};

static struct netlink_range_validation dupto_burst_range = {
	.min = 1,
	.max = DUPTO_BURST_MAX,
};

/* What SENSOR_SET may say of a sensor: who it is, and all its shaping. */
static const struct nla_policy dupto_sensor_policy[DUPTO_A_SENSOR_MAX + 1] = {
	[DUPTO_A_SENSOR_IFINDEX]	= NLA_POLICY_MIN(NLA_U32, 1),
	[DUPTO_A_SENSOR_IFNAME]		= { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
	[DUPTO_A_SENSOR_LINK]		= { .type = NLA_REJECT },
	[DUPTO_A_SENSOR_STATS]		= { .type = NLA_REJECT },
	[DUPTO_A_SENSOR_SNAPLEN]	= NLA_POLICY_FULL_RANGE(NLA_U32, &dupto_snaplen_range),
	[DUPTO_A_SENSOR_TAG]		= { .type = NLA_FLAG },
	[DUPTO_A_SENSOR_SAMPLE]		= NLA_POLICY_MIN(NLA_U32, 1),
	[DUPTO_A_SENSOR_SAMPLE_FLOW]	= NLA_POLICY_MIN(NLA_U32, 1),
	[DUPTO_A_SENSOR_RATE_PPS]	= NLA_POLICY_MIN(NLA_U32, 1),
	[DUPTO_A_SENSOR_RATE_BPS]	= NLA_POLICY_MIN(NLA_U64, 1),
	[DUPTO_A_SENSOR_BURST]		= NLA_POLICY_FULL_RANGE(NLA_U32, &dupto_burst_range),
	[DUPTO_A_SENSOR_PAD]		= { .type = NLA_REJECT },
	[DUPTO_A_SENSOR_GONE]		= { .type = NLA_REJECT },
};

static const struct nla_policy dupto_sensor_set_policy[DUPTO_A_MAX + 1] = {
	[DUPTO_A_SENSOR]	= NLA_POLICY_NESTED(dupto_sensor_policy),
};

static const struct nla_policy dupto_port_new_policy[DUPTO_A_MAX + 1] = {
	[DUPTO_A_PORT]		= NLA_POLICY_NESTED(dupto_port_policy),
};

static const struct nla_policy dupto_ruleset_set_policy[DUPTO_A_MAX + 1] = {
	[DUPTO_A_GENERATION]	= { .type = NLA_U64 },
	[DUPTO_A_IMAGE]		= { .type = NLA_BINARY },
};

/* ---- extack messages made at run time, for kernels without _FMT ------- */

#ifndef NL_SET_ERR_MSG_FMT
/*
 * The ACK is built after the handler returns and after genl_mutex is
 * released, so the text must outlive the handler: each message gets the
 * next buffer of a ring, reused only after as many later messages, far
 * more than could be in that window at once.
 */
#define DUPTO_ERRMSG_RING	32
#define DUPTO_ERRMSG_LEN	128
static char dupto_errmsg[DUPTO_ERRMSG_RING][DUPTO_ERRMSG_LEN];
static atomic_t dupto_errmsg_next = ATOMIC_INIT(0);

void dupto_compat_set_err_msgf(struct netlink_ext_ack *extack,
			       const char *fmt, ...)
{
	va_list args;
	char *buf;

	if (!extack)
		return;
	buf = dupto_errmsg[(unsigned int)atomic_inc_return(&dupto_errmsg_next) %
			   DUPTO_ERRMSG_RING];
	va_start(args, fmt);
	vsnprintf(buf, DUPTO_ERRMSG_LEN, fmt, args);
	va_end(args);
	extack->_msg = buf;
}
#endif

static struct genl_family dupto_genl_family;

/* Whether the family is registered: RTNL orders it against notifications. */
static bool dupto_nl_up;

/* The attach modes, by enum dupto_port_mode, which the policy bounds. */
static const struct dupto_port_ops *const dupto_nl_port_modes[] = {
	[DUPTO_PORT_MODE_INPLACE]	= &dupto_hook_port_ops,
	[DUPTO_PORT_MODE_DEVICE]	= &dupto_port_device_ops,
};
static_assert(ARRAY_SIZE(dupto_nl_port_modes) == DUPTO_PORT_MODE_MAX + 1);

/* ---- lookups ----------------------------------------------------------- */

/* The device a port nest names, by index or by name: exactly one. */
static struct net_device *dupto_nl_port_dev(struct net *net, struct nlattr **tb,
					    struct nlattr *nest,
					    struct netlink_ext_ack *extack)
{
	struct net_device *dev;

	if (!!tb[DUPTO_A_PORT_IFINDEX] == !!tb[DUPTO_A_PORT_IFNAME]) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "name the device by exactly one of index and name");
		return ERR_PTR(-EINVAL);
	}
	if (tb[DUPTO_A_PORT_IFINDEX])
		dev = __dev_get_by_index(net, nla_get_u32(tb[DUPTO_A_PORT_IFINDEX]));
	else
		dev = __dev_get_by_name(net, nla_data(tb[DUPTO_A_PORT_IFNAME]));
	if (!dev) {
		NL_SET_ERR_MSG_ATTR(extack, tb[DUPTO_A_PORT_IFINDEX] ?:
				    tb[DUPTO_A_PORT_IFNAME], "no such device");
		return ERR_PTR(-ENODEV);
	}
	return dev;
}

/* The port that @tb names, for the commands that act on an existing one. */
static struct dupto_portinfo *dupto_nl_port_info(struct dupto_net *dn,
						 struct nlattr **tb,
						 struct nlattr *nest,
						 struct netlink_ext_ack *extack)
{
	struct dupto_portinfo *pi;
	struct net_device *dev;

	dev = dupto_nl_port_dev(dn->net, tb, nest, extack);
	if (IS_ERR(dev))
		return ERR_CAST(dev);
	pi = dupto_port_find(dn, dev);
	if (!pi) {
		NL_SET_ERR_MSG(extack, "the device is not a dupto port");
		return ERR_PTR(-ENOENT);
	}
	return pi;
}

static int dupto_nl_parse_port(struct genl_info *info, struct nlattr **tb)
{
	/* The missing attribute is reported as such, and in words for
	 * whoever reads only the message.
	 */
	if (GENL_REQ_ATTR_CHECK(info, DUPTO_A_PORT)) {
		NL_SET_ERR_MSG(info->extack, "a port is needed");
		return -EINVAL;
	}
	return nla_parse_nested(tb, DUPTO_A_PORT_MAX, info->attrs[DUPTO_A_PORT],
				dupto_port_policy, info->extack);
}

/* ---- messages ---------------------------------------------------------- */

/* @gone: the ruleset names the port, which is going away (PORT_DEL). */
static int dupto_nl_put_port(struct sk_buff *skb, const struct dupto_portinfo *pi,
			     bool stats, bool gone)
{
	struct nlattr *nest, *snest;
	u64 seen, matched, errors;

	nest = nla_nest_start(skb, DUPTO_A_PORT);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, DUPTO_A_PORT_IFINDEX, pi->dev->ifindex) ||
	    nla_put_string(skb, DUPTO_A_PORT_IFNAME, pi->dev->name) ||
	    nla_put_u8(skb, DUPTO_A_PORT_MODE, pi->ops->mode))
		goto err;
	if (READ_ONCE(pi->vid) && nla_put_u16(skb, DUPTO_A_PORT_VID, READ_ONCE(pi->vid)))
		goto err;
	if (gone && nla_put_flag(skb, DUPTO_A_PORT_GONE))
		goto err;
	if (pi->ops->device) {
		const struct net_device *dev = pi->ops->device(pi);

		if (nla_put_u32(skb, DUPTO_A_PORT_DEVINDEX, dev->ifindex) ||
		    nla_put_string(skb, DUPTO_A_PORT_DEVNAME, dev->name))
			goto err;
	}
	if (stats) {
		if (READ_ONCE(pi->out) && nla_put_flag(skb, DUPTO_A_PORT_OUT))
			goto err;
		dupto_port_stats_read(pi, &seen, &matched, &errors);
		snest = nla_nest_start(skb, DUPTO_A_PORT_STATS);
		if (!snest ||
		    nla_put_u64_64bit(skb, DUPTO_A_PORT_STAT_SEEN, seen,
				      DUPTO_A_PORT_STAT_PAD) ||
		    nla_put_u64_64bit(skb, DUPTO_A_PORT_STAT_MATCHED, matched,
				      DUPTO_A_PORT_STAT_PAD) ||
		    nla_put_u64_64bit(skb, DUPTO_A_PORT_STAT_ERRORS, errors,
				      DUPTO_A_PORT_STAT_PAD))
			goto err;
		nla_nest_end(skb, snest);
	}
	nla_nest_end(skb, nest);
	return 0;

err:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

/* A port the ruleset names that is not attached: its name, and GONE. */
static int dupto_nl_put_gone_port(struct sk_buff *skb, const char *name)
{
	struct nlattr *nest;

	nest = nla_nest_start(skb, DUPTO_A_PORT);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_string(skb, DUPTO_A_PORT_IFNAME, name) ||
	    nla_put_flag(skb, DUPTO_A_PORT_GONE)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int dupto_nl_put_shape(struct sk_buff *skb, const struct dupto_shape *sh)
{
	if (!sh)
		return 0;
	if ((sh->snaplen && nla_put_u32(skb, DUPTO_A_SENSOR_SNAPLEN, sh->snaplen)) ||
	    (sh->tag && nla_put_flag(skb, DUPTO_A_SENSOR_TAG)) ||
	    (sh->sample && nla_put_u32(skb, DUPTO_A_SENSOR_SAMPLE, sh->sample)) ||
	    (sh->sample_flow &&
	     nla_put_u32(skb, DUPTO_A_SENSOR_SAMPLE_FLOW, sh->sample_flow)) ||
	    (sh->pps && nla_put_u32(skb, DUPTO_A_SENSOR_RATE_PPS, sh->pps)) ||
	    (sh->bps && nla_put_u64_64bit(skb, DUPTO_A_SENSOR_RATE_BPS, sh->bps,
					  DUPTO_A_SENSOR_PAD)) ||
	    (sh->burst && nla_put_u32(skb, DUPTO_A_SENSOR_BURST, sh->burst)))
		return -EMSGSIZE;
	return 0;
}

/* @gone: the ruleset sends to the sensor, which is going away (SENSOR_DEL). */
static int dupto_nl_put_sensor(struct sk_buff *skb, struct net_device *dev,
			       bool stats, bool gone)
{
	struct dupto_sensor *sensor = netdev_priv(dev);
	u64 count[DUPTO_SENSOR_NCOUNTS];
	struct nlattr *nest, *snest;
	int i;

	BUILD_BUG_ON(DUPTO_A_SENSOR_STAT_SENT + DUPTO_SENSOR_NCOUNTS - 1 !=
		     DUPTO_A_SENSOR_STAT_MAX);
	nest = nla_nest_start(skb, DUPTO_A_SENSOR);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, DUPTO_A_SENSOR_IFINDEX, dev->ifindex) ||
	    nla_put_string(skb, DUPTO_A_SENSOR_IFNAME, dev->name) ||
	    (sensor->stk.lower &&
	     nla_put_u32(skb, DUPTO_A_SENSOR_LINK, sensor->stk.lower->ifindex)) ||
	    dupto_nl_put_shape(skb, rtnl_dereference(sensor->shape)) ||
	    (gone && nla_put_flag(skb, DUPTO_A_SENSOR_GONE)))
		goto err;
	if (!stats)
		goto out;
	dupto_sensor_stats_read(dev, count);
	snest = nla_nest_start(skb, DUPTO_A_SENSOR_STATS);
	if (!snest)
		goto err;
	for (i = 0; i < DUPTO_SENSOR_NCOUNTS; i++)
		if (nla_put_u64_64bit(skb, DUPTO_A_SENSOR_STAT_SENT + i, count[i],
				      DUPTO_A_SENSOR_STAT_PAD))
			goto err;
	nla_nest_end(skb, snest);
out:
	nla_nest_end(skb, nest);
	return 0;

err:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

/* ---- GET_INFO ------------------------------------------------------------ */

static int dupto_nl_get_info(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &dupto_genl_family, 0,
				DUPTO_CMD_GET_INFO);
	if (!hdr)
		goto err_msgsize;
	if (nla_put_string(msg, DUPTO_A_INFO_VERSION, DUPTO_VERSION) ||
	    nla_put_u32(msg, DUPTO_A_INFO_ABI, DUPTO_ABI_VERSION))
		goto err_msgsize;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_msgsize:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

/* ---- dumps --------------------------------------------------------------- */

/* Dumps keep their cursor in cb->args[0], and "done" in cb->args[1]. */
static void *dupto_nl_dump_put(struct sk_buff *skb, struct netlink_callback *cb,
			       u8 cmd, struct dupto_net *dn)
{
	void *hdr;

	cb->seq = (u32)dn->generation;
	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &dupto_genl_family, NLM_F_MULTI, cmd);
	if (!hdr)
		return NULL;
	genl_dump_check_consistent(cb, hdr);
	if (nla_put_u64_64bit(skb, DUPTO_A_GENERATION, dn->generation,
			      DUPTO_A_PAD)) {
		genlmsg_cancel(skb, hdr);
		return NULL;
	}
	return hdr;
}

/*
 * The attached ports, then the ports the ruleset names that are gone: the
 * cursor counts both, and a change between batches is flagged by the
 * generation, which every attach, detach and unregistration bumps.
 */
static int dupto_nl_port_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct dupto_net *dn = dupto_net(sock_net(cb->skb->sk));
	const struct dupto_ruleset *rs;
	struct dupto_portinfo *pi;
	long i = 0;
	void *hdr;
	u32 p;

	rtnl_lock();
	list_for_each_entry(pi, &dn->ports, list) {
		if (i++ < cb->args[0])
			continue;
		hdr = dupto_nl_dump_put(skb, cb, DUPTO_CMD_PORT_GET, dn);
		if (!hdr)
			goto out;
		if (dupto_nl_put_port(skb, pi, true, false)) {
			genlmsg_cancel(skb, hdr);
			goto out;
		}
		genlmsg_end(skb, hdr);
		cb->args[0] = i;
	}
	rs = rtnl_dereference(dn->ruleset);
	for (p = 0; rs && p < rs->prog->nports; p++) {
		if (rs->port_ifindex[p] || i++ < cb->args[0])
			continue;
		hdr = dupto_nl_dump_put(skb, cb, DUPTO_CMD_PORT_GET, dn);
		if (!hdr)
			goto out;
		if (dupto_nl_put_gone_port(skb, rs->prog->ports[p])) {
			genlmsg_cancel(skb, hdr);
			goto out;
		}
		genlmsg_end(skb, hdr);
		cb->args[0] = i;
	}
out:
	rtnl_unlock();
	return skb->len;
}

static int dupto_nl_sensor_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct net *net = sock_net(cb->skb->sk);
	struct dupto_net *dn = dupto_net(net);
	struct net_device *dev;
	long i = 0;
	void *hdr;

	rtnl_lock();
	for_each_netdev(net, dev) {
		if (!netif_is_dupto_sensor(dev) || i++ < cb->args[0])
			continue;
		hdr = dupto_nl_dump_put(skb, cb, DUPTO_CMD_SENSOR_GET, dn);
		if (!hdr)
			break;
		if (dupto_nl_put_sensor(skb, dev, true, false)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
		cb->args[0] = i;
	}
	rtnl_unlock();
	return skb->len;
}

/*
 * The ruleset a resumable dump reads, by the generation that published it
 * (0: none): the first batch notes it in cb->args[2], later batches go on
 * only while it is still the namespace's ruleset. Its offsets (bytes of the
 * image, rule numbers) mean nothing in another one, so a dump that finds it
 * replaced sends one last message, which dupto_nl_dump_put() flags
 * NLM_F_DUMP_INTR, and ends: the reader starts again.
 */
static const struct dupto_ruleset *dupto_nl_dump_ruleset(struct netlink_callback *cb,
							 struct dupto_net *dn,
							 bool *replaced)
{
	const struct dupto_ruleset *rs = rtnl_dereference(dn->ruleset);
	u64 generation = rs ? rs->generation : 0;

	*replaced = false;
	if (!cb->args[3]) {
		cb->args[2] = generation;
		cb->args[3] = 1;
	} else if (cb->args[2] != generation) {
		*replaced = true;
	}
	return rs;
}

/* Without room for the last message, the next batch sends it. */
static void dupto_nl_dump_replaced(struct sk_buff *skb, struct netlink_callback *cb,
				   u8 cmd, struct dupto_net *dn)
{
	void *hdr;

	hdr = dupto_nl_dump_put(skb, cb, cmd, dn);
	if (!hdr)
		return;
	genlmsg_end(skb, hdr);
	cb->args[1] = 1;
}

/*
 * The image in pieces as large as each message has room for. cb->args: [0]
 * the bytes sent, [1] done, [2] and [3] the ruleset (dupto_nl_dump_ruleset).
 */
static int dupto_nl_ruleset_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct dupto_net *dn = dupto_net(sock_net(cb->skb->sk));
	const struct dupto_ruleset *rs;
	u32 off = cb->args[0], len, room;
	bool replaced;
	void *hdr;

	if (cb->args[1])
		return 0;
	rtnl_lock();
	rs = dupto_nl_dump_ruleset(cb, dn, &replaced);
	if (replaced) {
		dupto_nl_dump_replaced(skb, cb, DUPTO_CMD_RULESET_GET, dn);
		goto out;
	}
	do {
		hdr = dupto_nl_dump_put(skb, cb, DUPTO_CMD_RULESET_GET, dn);
		if (!hdr)
			break;
		if (!rs) {
			genlmsg_end(skb, hdr);
			cb->args[1] = 1;
			break;
		}
		if (nla_put_u32(skb, DUPTO_A_IMAGE_LEN, rs->image_len)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		room = skb_tailroom(skb);
		if (room < NLA_HDRLEN + 64) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		len = min_t(u32, rs->image_len - off,
			    min_t(u32, room - NLA_HDRLEN - 8, U16_MAX - NLA_HDRLEN));
		if (nla_put(skb, DUPTO_A_IMAGE, len, rs->image + off)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
		off += len;
		cb->args[0] = off;
		if (off == rs->image_len)
			cb->args[1] = 1;
	} while (!cb->args[1]);
out:
	rtnl_unlock();
	return skb->len;
}

/* One message per rule; cb->args as for the ruleset's dump, [0] the rule. */
static int dupto_nl_stats_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct dupto_net *dn = dupto_net(sock_net(cb->skb->sk));
	const struct dupto_ruleset *rs;
	struct nlattr *nest;
	u64 packets, bytes;
	bool replaced;
	u32 r;
	void *hdr;

	if (cb->args[1])
		return 0;
	rtnl_lock();
	rs = dupto_nl_dump_ruleset(cb, dn, &replaced);
	if (replaced) {
		dupto_nl_dump_replaced(skb, cb, DUPTO_CMD_STATS_GET, dn);
		goto out;
	}
	for (r = cb->args[0]; rs && r < rs->prog->nrules; r++) {
		hdr = dupto_nl_dump_put(skb, cb, DUPTO_CMD_STATS_GET, dn);
		if (!hdr)
			break;
		dupto_ruleset_rule_stats(rs, r, &packets, &bytes);
		nest = nla_nest_start(skb, DUPTO_A_RULE);
		if (!nest || nla_put_u32(skb, DUPTO_A_RULE_INDEX, r) ||
		    nla_put_u64_64bit(skb, DUPTO_A_RULE_PACKETS, packets,
				      DUPTO_A_RULE_PAD) ||
		    nla_put_u64_64bit(skb, DUPTO_A_RULE_BYTES, bytes,
				      DUPTO_A_RULE_PAD)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		nla_nest_end(skb, nest);
		genlmsg_end(skb, hdr);
		cb->args[0] = r + 1;
	}
out:
	rtnl_unlock();
	return skb->len;
}

/* ---- changes ------------------------------------------------------------- */

/* Fills and sends @msg, made before the change so that no failure follows it. */
static int dupto_nl_reply_port(struct sk_buff *msg, struct genl_info *info,
			       const struct dupto_portinfo *pi, u64 generation)
{
	void *hdr;

	hdr = genlmsg_put_reply(msg, info, &dupto_genl_family, 0,
				DUPTO_CMD_PORT_NEW);
	if (!hdr || dupto_nl_put_port(msg, pi, false, false) ||
	    nla_put_u64_64bit(msg, DUPTO_A_GENERATION, generation, DUPTO_A_PAD)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int dupto_nl_port_new(struct sk_buff *skb, struct genl_info *info)
{
	struct dupto_net *dn = dupto_net(genl_info_net(info));
	struct nlattr *tb[DUPTO_A_PORT_MAX + 1];
	const struct dupto_port_ops *ops;
	struct dupto_portinfo *pi;
	struct net_device *dev;
	const char *name = NULL;
	struct sk_buff *msg;
	u64 generation;
	int err;

	err = dupto_nl_parse_port(info, tb);
	if (err)
		return err;
	ops = dupto_nl_port_modes[tb[DUPTO_A_PORT_MODE] ?
				  nla_get_u8(tb[DUPTO_A_PORT_MODE]) :
				  DUPTO_PORT_MODE_INPLACE];
	if (tb[DUPTO_A_PORT_DEVNAME]) {
		if (!ops->device) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[DUPTO_A_PORT_DEVNAME],
					    "only a port in device mode has a port device to name");
			return -EINVAL;
		}
		name = nla_data(tb[DUPTO_A_PORT_DEVNAME]);
		if (!dev_valid_name(name)) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[DUPTO_A_PORT_DEVNAME],
					    "invalid device name");
			return -EINVAL;
		}
	}

	/*
	 * The reply is allocated first: a port attached by a request that
	 * then fails for want of memory would be a change the caller is told
	 * did not happen (faults.sh).
	 */
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	rtnl_lock();
	dev = dupto_nl_port_dev(dn->net, tb, info->attrs[DUPTO_A_PORT],
				info->extack);
	if (IS_ERR(dev)) {
		err = PTR_ERR(dev);
		goto out;
	}
	if (dupto_port_find(dn, dev)) {
		NL_SET_ERR_MSG(info->extack, "the device is a dupto port already");
		err = -EEXIST;
		goto out;
	}
	err = ops->attach(dn, dev, name, &pi, info->extack);
	if (err)
		goto out;
	if (tb[DUPTO_A_PORT_VID])
		WRITE_ONCE(pi->vid, nla_get_u16(tb[DUPTO_A_PORT_VID]));
	generation = dupto_changed(dn, dupto_nl_port_event(pi, DUPTO_CMD_PORT_NEW));
	err = dupto_nl_reply_port(msg, info, pi, generation);
	msg = NULL;
out:
	rtnl_unlock();
	nlmsg_free(msg);
	return err;
}

static int dupto_nl_port_del(struct sk_buff *skb, struct genl_info *info)
{
	struct dupto_net *dn = dupto_net(genl_info_net(info));
	struct nlattr *tb[DUPTO_A_PORT_MAX + 1];
	struct dupto_portinfo *pi;
	struct net_device *nic;
	struct sk_buff *event;
	int err;

	err = dupto_nl_parse_port(info, tb);
	if (err)
		return err;
	if (tb[DUPTO_A_PORT_MODE] || tb[DUPTO_A_PORT_DEVNAME] ||
	    tb[DUPTO_A_PORT_VID]) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[DUPTO_A_PORT_MODE] ?:
				    tb[DUPTO_A_PORT_DEVNAME] ?: tb[DUPTO_A_PORT_VID],
				    "a port is detached by its device alone");
		return -EINVAL;
	}

	rtnl_lock();
	pi = dupto_nl_port_info(dn, tb, info->attrs[DUPTO_A_PORT], info->extack);
	if (IS_ERR(pi)) {
		err = PTR_ERR(pi);
		goto out;
	}
	if (dupto_ruleset_names_port(rtnl_dereference(dn->ruleset), pi->dev)) {
		NL_SET_ERR_MSG(info->extack,
			       "the ruleset names this port: load a ruleset without it first");
		err = -EBUSY;
		goto out;
	}
	nic = pi->dev;
	event = dupto_nl_port_event(pi, DUPTO_CMD_PORT_DEL);
	err = pi->ops->detach(pi, info->extack);
	/* a port device may be gone, and its NIC not back in its bridge */
	if (!dupto_port_find(dn, nic))
		dupto_changed(dn, event);
	else
		nlmsg_free(event);
out:
	rtnl_unlock();
	return err;
}

/* A port's label: the only thing of a port that changes in place. */
static int dupto_nl_port_set(struct sk_buff *skb, struct genl_info *info)
{
	struct dupto_net *dn = dupto_net(genl_info_net(info));
	struct nlattr *tb[DUPTO_A_PORT_MAX + 1];
	struct dupto_portinfo *pi;
	u16 vid = 0;
	int err;

	err = dupto_nl_parse_port(info, tb);
	if (err)
		return err;
	if (tb[DUPTO_A_PORT_MODE] || tb[DUPTO_A_PORT_DEVNAME]) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[DUPTO_A_PORT_MODE] ?:
				    tb[DUPTO_A_PORT_DEVNAME],
				    "a port changes mode by detaching it and attaching it again");
		return -EINVAL;
	}
	if (tb[DUPTO_A_PORT_VID])
		vid = nla_get_u16(tb[DUPTO_A_PORT_VID]);

	rtnl_lock();
	pi = dupto_nl_port_info(dn, tb, info->attrs[DUPTO_A_PORT], info->extack);
	if (IS_ERR(pi)) {
		err = PTR_ERR(pi);
		goto out;
	}
	WRITE_ONCE(pi->vid, vid);
	dupto_changed(dn, dupto_nl_port_event(pi, DUPTO_CMD_PORT_SET));
out:
	rtnl_unlock();
	return err;
}

/* A sensor's shaping, replaced as a whole. */
static int dupto_nl_sensor_set(struct sk_buff *skb, struct genl_info *info)
{
	struct dupto_net *dn = dupto_net(genl_info_net(info));
	struct nlattr *tb[DUPTO_A_SENSOR_MAX + 1], *nest;
	struct dupto_shape shape = { 0 };
	struct net_device *dev;
	bool any;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, DUPTO_A_SENSOR)) {
		NL_SET_ERR_MSG(info->extack, "a sensor is needed");
		return -EINVAL;
	}
	nest = info->attrs[DUPTO_A_SENSOR];
	err = nla_parse_nested(tb, DUPTO_A_SENSOR_MAX, nest, dupto_sensor_policy,
			       info->extack);
	if (err)
		return err;
	if (!!tb[DUPTO_A_SENSOR_IFINDEX] == !!tb[DUPTO_A_SENSOR_IFNAME]) {
		NL_SET_ERR_MSG_ATTR(info->extack, nest,
				    "name the sensor by exactly one of index and name");
		return -EINVAL;
	}
	if (tb[DUPTO_A_SENSOR_SNAPLEN])
		shape.snaplen = nla_get_u32(tb[DUPTO_A_SENSOR_SNAPLEN]);
	shape.tag = nla_get_flag(tb[DUPTO_A_SENSOR_TAG]);
	if (tb[DUPTO_A_SENSOR_SAMPLE])
		shape.sample = nla_get_u32(tb[DUPTO_A_SENSOR_SAMPLE]);
	if (tb[DUPTO_A_SENSOR_SAMPLE_FLOW])
		shape.sample_flow = nla_get_u32(tb[DUPTO_A_SENSOR_SAMPLE_FLOW]);
	if (tb[DUPTO_A_SENSOR_RATE_PPS])
		shape.pps = nla_get_u32(tb[DUPTO_A_SENSOR_RATE_PPS]);
	if (tb[DUPTO_A_SENSOR_RATE_BPS])
		shape.bps = nla_get_u64(tb[DUPTO_A_SENSOR_RATE_BPS]);
	if (tb[DUPTO_A_SENSOR_BURST]) {
		if (!shape.pps && !shape.bps) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[DUPTO_A_SENSOR_BURST],
					    "a burst needs a rate limit");
			return -EINVAL;
		}
		shape.burst = nla_get_u32(tb[DUPTO_A_SENSOR_BURST]);
	}
	/* 1 in 1 is everything: no sampling */
	if (shape.sample == 1)
		shape.sample = 0;
	if (shape.sample_flow == 1)
		shape.sample_flow = 0;
	any = shape.snaplen || shape.tag || shape.sample || shape.sample_flow ||
	      shape.pps || shape.bps;

	rtnl_lock();
	if (tb[DUPTO_A_SENSOR_IFINDEX])
		dev = __dev_get_by_index(dn->net, nla_get_u32(tb[DUPTO_A_SENSOR_IFINDEX]));
	else
		dev = __dev_get_by_name(dn->net, nla_data(tb[DUPTO_A_SENSOR_IFNAME]));
	if (!dev || !netif_is_dupto_sensor(dev)) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[DUPTO_A_SENSOR_IFINDEX] ?:
				    tb[DUPTO_A_SENSOR_IFNAME],
				    "not a dupto sensor in this namespace");
		err = -ENODEV;
		goto out;
	}
	err = dupto_shape_set(dev, any ? &shape : NULL);
	if (!err)
		dupto_changed(dn, dupto_nl_sensor_event(dev, DUPTO_CMD_SENSOR_SET));
out:
	rtnl_unlock();
	return err;
}

/* The pieces of the image, in order, as one buffer. */
static void *dupto_nl_image(struct genl_info *info, u32 *lenp)
{
	const struct nlattr *attr;
	size_t len = 0;
	void *image;
	int rem;

	nlmsg_for_each_attr(attr, info->nlhdr, GENL_HDRLEN, rem) {
		if (nla_type(attr) != DUPTO_A_IMAGE)
			continue;
		len += nla_len(attr);
		if (len > DUPTO_IMAGE_MAX) {
			NL_SET_ERR_MSG_ATTR(info->extack, attr,
					    "ruleset image too large");
			return ERR_PTR(-E2BIG);
		}
	}
	if (!len)
		return NULL;
	image = kvmalloc(len, GFP_KERNEL_ACCOUNT);
	if (!image)
		return ERR_PTR(-ENOMEM);
	len = 0;
	nlmsg_for_each_attr(attr, info->nlhdr, GENL_HDRLEN, rem) {
		if (nla_type(attr) != DUPTO_A_IMAGE)
			continue;
		memcpy(image + len, nla_data(attr), nla_len(attr));
		len += nla_len(attr);
	}
	*lenp = len;
	return image;
}

/*
 * The image is loaded (parsed, verified, its sets built) before RTNL is
 * taken, so that however long a large image takes, the rest of the
 * networking stack does not wait for it; under RTNL only the generation is
 * checked, the names bound and the ruleset published.
 */
static int dupto_nl_ruleset_set(struct sk_buff *skb, struct genl_info *info)
{
	struct dupto_net *dn = dupto_net(genl_info_net(info));
	struct dupto_ruleset *rs = NULL;
	struct sk_buff *msg;
	char err_text[128];
	void *image, *hdr;
	u32 len = 0;
	int err;

	image = dupto_nl_image(info, &len);
	if (IS_ERR(image))
		return PTR_ERR(image);
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg) {
		kvfree(image);
		return -ENOMEM;
	}
	err_text[0] = 0;
	if (image) {
		rs = dupto_ruleset_prepare(image, len, err_text, sizeof(err_text));
		if (IS_ERR(rs)) {
			dupto_set_err_msg(info->extack, err_text[0] ? err_text :
					  "cannot load the ruleset");
			nlmsg_free(msg);
			return PTR_ERR(rs);
		}
	}

	rtnl_lock();
	if (info->attrs[DUPTO_A_GENERATION] &&
	    nla_get_u64(info->attrs[DUPTO_A_GENERATION]) != dn->generation) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[DUPTO_A_GENERATION],
				    "the configuration changed since that generation");
		dupto_ruleset_discard(rs);
		err = -ESTALE;
		goto err_unlock;
	}
	err = dupto_ruleset_replace(dn, rs, err_text, sizeof(err_text));
	if (err) {
		dupto_set_err_msg(info->extack, err_text[0] ? err_text :
				  "cannot load the ruleset");
		goto err_unlock;
	}
	hdr = genlmsg_put_reply(msg, info, &dupto_genl_family, 0,
				DUPTO_CMD_RULESET_SET);
	if (!hdr || nla_put_u64_64bit(msg, DUPTO_A_GENERATION, dn->generation,
				      DUPTO_A_PAD)) {
		err = -EMSGSIZE;
		goto err_unlock;
	}
	rtnl_unlock();
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_unlock:
	rtnl_unlock();
	nlmsg_free(msg);
	return err;
}

static int dupto_nl_stats_reset(struct sk_buff *skb, struct genl_info *info)
{
	rtnl_lock();
	dupto_net_reset_stats(dupto_net(genl_info_net(info)));
	rtnl_unlock();
	return 0;
}

/* ---- notifications ------------------------------------------------------- */

static const struct genl_multicast_group dupto_mcgrps[] = {
	{ .name = DUPTO_MCGRP_CONFIG, .flags = GENL_MCAST_CAP_NET_ADMIN },
};

/*
 * What a change is announced as: made while what it tells of is still
 * there (before a detach, after an attach), sent by dupto_changed() once
 * the change is complete. NULL when nobody listens, or for want of memory:
 * a listener then sees a generation skipped.
 */
static struct sk_buff *dupto_nl_event_start(struct dupto_net *dn, u8 cmd)
{
	struct sk_buff *msg;

	ASSERT_RTNL();
	/* A namespace on its way out has nobody left to tell. */
	if (!dupto_nl_up || !check_net(dn->net) ||
	    !genl_has_listeners(&dupto_genl_family, dn->net, 0))
		return NULL;
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (msg && !genlmsg_put(msg, 0, 0, &dupto_genl_family, 0, cmd)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/* PORT_NEW, PORT_SET, and PORT_DEL, made before the port is detached. */
struct sk_buff *dupto_nl_port_event(const struct dupto_portinfo *pi, u8 cmd)
{
	bool gone = cmd == DUPTO_CMD_PORT_DEL &&
		    dupto_ruleset_names_port(rtnl_dereference(pi->dn->ruleset),
					     pi->dev);
	struct sk_buff *msg;

	msg = dupto_nl_event_start(pi->dn, cmd);
	if (msg && dupto_nl_put_port(msg, pi, false, gone)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/* SENSOR_NEW, SENSOR_SET, and SENSOR_DEL, made before the ruleset lets go. */
struct sk_buff *dupto_nl_sensor_event(struct net_device *dev, u8 cmd)
{
	struct dupto_net *dn = dupto_net(dev_net(dev));
	bool gone = cmd == DUPTO_CMD_SENSOR_DEL &&
		    dupto_ruleset_sends_to(rtnl_dereference(dn->ruleset), dev);
	struct sk_buff *msg;

	msg = dupto_nl_event_start(dn, cmd);
	if (msg && dupto_nl_put_sensor(msg, dev, false, gone)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/* RULESET_SET, made once the new ruleset is published. */
struct sk_buff *dupto_nl_ruleset_event(struct dupto_net *dn)
{
	const struct dupto_ruleset *rs = rtnl_dereference(dn->ruleset);
	struct sk_buff *msg;

	msg = dupto_nl_event_start(dn, DUPTO_CMD_RULESET_SET);
	if (msg && nla_put_u32(msg, DUPTO_A_IMAGE_LEN, rs ? rs->image_len : 0)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/*
 * The one way a namespace's configuration is said to have changed, once
 * the change is complete: the generation moves on by one, and @event (from
 * one of the above, or NULL) goes to the listeners with it. Every change
 * comes here, so a listener that sees a generation skipped knows it missed
 * one (uapi/linux/dupto.h, "Notifications"). Returns the new generation.
 */
u64 dupto_changed(struct dupto_net *dn, struct sk_buff *event)
{
	ASSERT_RTNL();
	dn->generation++;
	if (!event)
		return dn->generation;
	if (nla_put_u64_64bit(event, DUPTO_A_GENERATION, dn->generation,
			      DUPTO_A_PAD)) {
		nlmsg_free(event);
		return dn->generation;
	}
	nlmsg_end(event, nlmsg_hdr(event));
	genlmsg_multicast_netns(&dupto_genl_family, dn->net, event, 0, 0,
				GFP_KERNEL);
	return dn->generation;
}

/* ---- the family ---------------------------------------------------------- */

/*
 * Who may use the family is decided here, not by GENL_*_PERM flags, so that
 * a refusal says what is needed (admin.c). Every doit inherits the check
 * from the family's pre_doit. The core calls no pre_doit for dumps, so
 * each dump starts with this one (dupto_genl_init() refuses a dump without
 * a start); on 6.1 the core gives a dump's start no extack, and a refused
 * dump there is a bare -EPERM.
 */
/*
 * A sender of another version of the protocol means other things by the
 * same messages: it is refused, but for GET_INFO, which any tool may ask to
 * learn what it talks to (uapi/linux/dupto.h, DUPTO_ABI_VERSION).
 */
static int dupto_nl_check_version(const struct genlmsghdr *hdr,
				  struct netlink_ext_ack *extack)
{
	if (hdr->version == DUPTO_GENL_VERSION || hdr->cmd == DUPTO_CMD_GET_INFO)
		return 0;
	NL_SET_ERR_MSG(extack, "this request is not dupto netlink version "
		       __stringify(DUPTO_ABI_VERSION)
		       ": use a dupto tool that matches the module");
	return -EPROTO;
}

static int dupto_nl_pre_doit(const struct dupto_compat_genl_op *ops,
			     struct sk_buff *skb, struct genl_info *info)
{
	int err;

	err = dupto_admin_check_request(skb, genl_info_net(info), info->extack);
	if (err)
		return err;
	return dupto_nl_check_version(info->genlhdr, info->extack);
}

static int dupto_nl_dump_start(struct netlink_callback *cb)
{
	int err;

	err = dupto_admin_check_request(cb->skb, sock_net(cb->skb->sk),
					cb->extack);
	if (err)
		return err;
	return dupto_nl_check_version(nlmsg_data(cb->nlh), cb->extack);
}

/*
 * No op has a NULL policy by accident: with resv_start_op at zero the core
 * rejects every attribute sent to an op without one, and every op refuses
 * non-zero reserved header bits. No op has permission flags: see
 * dupto_nl_pre_doit().
 */
static const struct genl_ops dupto_genl_ops[] = {
	{
		.cmd	= DUPTO_CMD_GET_INFO,
		.doit	= dupto_nl_get_info,
	},
	{
		.cmd	= DUPTO_CMD_PORT_NEW,
		.doit	= dupto_nl_port_new,
		.policy	= dupto_port_new_policy,
		.maxattr = DUPTO_A_MAX,
	},
	{
		.cmd	= DUPTO_CMD_PORT_DEL,
		.doit	= dupto_nl_port_del,
		.policy	= dupto_port_new_policy,
		.maxattr = DUPTO_A_MAX,
	},
	{
		.cmd	= DUPTO_CMD_PORT_GET,
		.start	= dupto_nl_dump_start,
		.dumpit	= dupto_nl_port_dump,
	},
	{
		.cmd	= DUPTO_CMD_SENSOR_GET,
		.start	= dupto_nl_dump_start,
		.dumpit	= dupto_nl_sensor_dump,
	},
	{
		.cmd	= DUPTO_CMD_RULESET_SET,
		.doit	= dupto_nl_ruleset_set,
		.policy	= dupto_ruleset_set_policy,
		.maxattr = DUPTO_A_MAX,
	},
	{
		.cmd	= DUPTO_CMD_RULESET_GET,
		.start	= dupto_nl_dump_start,
		.dumpit	= dupto_nl_ruleset_dump,
	},
	{
		.cmd	= DUPTO_CMD_STATS_GET,
		.start	= dupto_nl_dump_start,
		.dumpit	= dupto_nl_stats_dump,
	},
	{
		.cmd	= DUPTO_CMD_STATS_RESET,
		.doit	= dupto_nl_stats_reset,
	},
	{
		.cmd	= DUPTO_CMD_SENSOR_SET,
		.doit	= dupto_nl_sensor_set,
		.policy	= dupto_sensor_set_policy,
		.maxattr = DUPTO_A_MAX,
	},
	{
		.cmd	= DUPTO_CMD_PORT_SET,
		.doit	= dupto_nl_port_set,
		.policy	= dupto_port_new_policy,
		.maxattr = DUPTO_A_MAX,
	},
};

static struct genl_family dupto_genl_family __ro_after_init = {
	.name		= DUPTO_GENL_NAME,
	.version	= DUPTO_GENL_VERSION,
	.module		= THIS_MODULE,
	.netnsok	= true,
	.resv_start_op	= 0,
	.pre_doit	= dupto_nl_pre_doit,
	.ops		= dupto_genl_ops,
	.n_ops		= ARRAY_SIZE(dupto_genl_ops),
	.mcgrps		= dupto_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(dupto_mcgrps),
};

int __init dupto_genl_init(void)
{
	int i, err;

	/* A dump without the permission check would be open to anyone. */
	for (i = 0; i < ARRAY_SIZE(dupto_genl_ops); i++) {
		if (dupto_genl_ops[i].dumpit &&
		    dupto_genl_ops[i].start != dupto_nl_dump_start) {
			pr_err("command %u dumps without checking permissions\n",
			       dupto_genl_ops[i].cmd);
			return -EINVAL;
		}
	}
	err = genl_register_family(&dupto_genl_family);
	if (err)
		return err;
	rtnl_lock();
	dupto_nl_up = true;
	rtnl_unlock();
	return 0;
}

/*
 * Devices that go after the family (module unload) announce nothing: its
 * multicast group may already be another family's.
 */
void dupto_genl_exit(void)
{
	rtnl_lock();
	dupto_nl_up = false;
	rtnl_unlock();
	genl_unregister_family(&dupto_genl_family);
}

MODULE_ALIAS_GENL_FAMILY(DUPTO_GENL_NAME);
