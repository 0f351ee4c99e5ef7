// SPDX-License-Identifier: GPL-2.0
/*
 * Sensor devices over rtnetlink: RTM_NEWLINK, RTM_DELLINK, RTM_GETLINK;
 * and what a bridge port has that only rtnetlink's dumps show:
 * RTM_GETMDB, RTM_GETVLAN. And waiting for devices, on RTMGRP_LINK.
 */

#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include <linux/dupto.h>

#include "nl.h"
#include "rtnl.h"

static struct nlmsghdr *link_msg(struct dupto_nl *rt, uint16_t type,
				 uint16_t flags, uint32_t ifindex)
{
	struct nlmsghdr *nlh = dupto_nl_req(rt, type, flags);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	return nlh;
}

struct kind {
	char *buf;
	size_t size;
};

static int info_cb(const struct nlattr *attr, void *data)
{
	struct kind *k = data;

	if (mnl_attr_get_type(attr) == IFLA_INFO_KIND &&
	    mnl_attr_validate(attr, MNL_TYPE_STRING) == 0)
		snprintf(k->buf, k->size, "%.*s", (int)mnl_attr_get_payload_len(attr),
			 (const char *)mnl_attr_get_payload(attr));
	return MNL_CB_OK;
}

static int link_attr_cb(const struct nlattr *attr, void *data)
{
	if (mnl_attr_get_type(attr) == IFLA_LINKINFO &&
	    mnl_attr_validate(attr, MNL_TYPE_NESTED) == 0)
		mnl_attr_parse_nested(attr, info_cb, data);
	return MNL_CB_OK;
}

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct ifinfomsg), link_attr_cb, data);
}

int rtnl_link_kind(struct dupto_nl *rt, uint32_t ifindex, char *kind,
		   size_t size)
{
	struct nlmsghdr *nlh = link_msg(rt, RTM_GETLINK, 0, ifindex);
	struct kind k = { kind, size };

	/* the link's counters are not wanted, only what it is */
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	kind[0] = 0;
	return dupto_nl_talk(rt, nlh, link_cb, &k);
}

int rtnl_sensor_add(struct dupto_nl *rt, const char *name, uint32_t link)
{
	struct nlmsghdr *nlh = link_msg(rt, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	struct nlattr *info;

	/* up in the same request, as "ip link add ... up" does */
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	if (link)
		mnl_attr_put_u32(nlh, IFLA_LINK, link);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, DUPTO_SENSOR_KIND);
	mnl_attr_nest_end(nlh, info);
	return dupto_nl_talk(rt, nlh, NULL, NULL);
}

int rtnl_link_del(struct dupto_nl *rt, uint32_t ifindex)
{
	return dupto_nl_talk(rt, link_msg(rt, RTM_DELLINK, 0, ifindex), NULL, NULL);
}

/* ---- what converting a bridge port would lose ---- */

/*
 * Per-VLAN options of later kernels than the headers the tool may be built
 * with (if_bridge.h of 6.1 stops at BRIDGE_VLANDB_ENTRY_MCAST_ROUTER).
 */
#define VLANDB_ENTRY_MCAST_MAX_GROUPS	8
#define VLANDB_ENTRY_NEIGH_SUPPRESS	9

/* Dumps a change interrupted are read again, this many times at most. */
#define DUMP_TRIES	10

/* The settings found, named as the kernel names its own (kmod/brport.c). */
struct lost {
	char *text;
	size_t size, len;
	unsigned int named, more;
};

/* room kept for " and 4095 more" */
#define LOST_MORE_LEN	14

static __attribute__((format(printf, 2, 3))) void lost_add(struct lost *l,
							   const char *fmt, ...)
{
	char item[48];
	va_list ap;
	size_t need;

	va_start(ap, fmt);
	vsnprintf(item, sizeof(item), fmt, ap);
	va_end(ap);
	need = (l->named ? 2 : 0) + strlen(item);
	if (l->more || l->len + need + LOST_MORE_LEN >= l->size) {
		l->more++;
		return;
	}
	l->len += snprintf(l->text + l->len, l->size - l->len, "%s%s",
			   l->named ? ", " : "", item);
	l->named++;
}

/* What RTM_GETLINK says of a device that matters here. */
struct link {
	uint32_t master;
	char kind[16];
	bool mst;		/* a bridge with MST on */
};

static int br_data_cb(const struct nlattr *attr, void *data)
{
	const struct br_boolopt_multi *bm;
	struct link *lk = data;

	if (mnl_attr_get_type(attr) == IFLA_BR_MULTI_BOOLOPT &&
	    mnl_attr_get_payload_len(attr) >= sizeof(*bm)) {
		bm = mnl_attr_get_payload(attr);
		lk->mst = bm->optval & (1u << BR_BOOLOPT_MST_ENABLE);
	}
	return MNL_CB_OK;
}

static int linkinfo_cb(const struct nlattr *attr, void *data)
{
	struct link *lk = data;

	switch (mnl_attr_get_type(attr)) {
	case IFLA_INFO_KIND:
		if (mnl_attr_validate(attr, MNL_TYPE_STRING) == 0)
			snprintf(lk->kind, sizeof(lk->kind), "%.*s",
				 (int)mnl_attr_get_payload_len(attr),
				 (const char *)mnl_attr_get_payload(attr));
		break;
	case IFLA_INFO_DATA:
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) == 0)
			mnl_attr_parse_nested(attr, br_data_cb, lk);
		break;
	}
	return MNL_CB_OK;
}

static int link_info_attr_cb(const struct nlattr *attr, void *data)
{
	struct link *lk = data;

	switch (mnl_attr_get_type(attr)) {
	case IFLA_MASTER:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			lk->master = mnl_attr_get_u32(attr);
		break;
	case IFLA_LINKINFO:
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) == 0)
			mnl_attr_parse_nested(attr, linkinfo_cb, lk);
		break;
	}
	return MNL_CB_OK;
}

static int link_info_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct ifinfomsg), link_info_attr_cb, data);
}

static int link_get(struct dupto_nl *rt, uint32_t ifindex, struct link *lk)
{
	struct nlmsghdr *nlh = link_msg(rt, RTM_GETLINK, 0, ifindex);

	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	memset(lk, 0, sizeof(*lk));
	return dupto_nl_ask(rt, nlh, link_info_cb, lk);
}

/* The port's static MDB entries, in the dump of every bridge's. */
struct mdb {
	uint32_t br, port;
	bool found;
};

static int mdb_entry_cb(const struct nlattr *attr, void *data)
{
	const struct br_mdb_entry *e;
	struct mdb *m = data;

	/* the entry's own attributes follow the struct, in the same attribute */
	if (mnl_attr_get_type(attr) != MDBA_MDB_ENTRY_INFO ||
	    mnl_attr_get_payload_len(attr) < sizeof(*e))
		return MNL_CB_OK;
	e = mnl_attr_get_payload(attr);
	if (e->ifindex == m->port && e->state == MDB_PERMANENT)
		m->found = true;
	return MNL_CB_OK;
}

static int mdb_nest_cb(const struct nlattr *attr, void *data)
{
	if (mnl_attr_get_type(attr) == MDBA_MDB_ENTRY &&
	    mnl_attr_validate(attr, MNL_TYPE_NESTED) == 0)
		mnl_attr_parse_nested(attr, mdb_entry_cb, data);
	return MNL_CB_OK;
}

static int mdb_attr_cb(const struct nlattr *attr, void *data)
{
	if (mnl_attr_get_type(attr) == MDBA_MDB &&
	    mnl_attr_validate(attr, MNL_TYPE_NESTED) == 0)
		mnl_attr_parse_nested(attr, mdb_nest_cb, data);
	return MNL_CB_OK;
}

static int mdb_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct br_port_msg *bpm = mnl_nlmsg_get_payload(nlh);
	struct mdb *m = data;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*bpm) || bpm->ifindex != m->br)
		return MNL_CB_OK;
	return mnl_attr_parse(nlh, sizeof(*bpm), mdb_attr_cb, data);
}

static int mdb_read(struct dupto_nl *rt, struct mdb *m)
{
	struct nlmsghdr *nlh;
	struct br_port_msg *bpm;

	nlh = dupto_nl_req(rt, RTM_GETMDB, NLM_F_DUMP);
	bpm = mnl_nlmsg_put_extra_header(nlh, sizeof(*bpm));
	/* no filter: strict kernels refuse one for MDB dumps */
	bpm->family = AF_BRIDGE;
	m->found = false;
	return dupto_nl_ask(rt, nlh, mdb_cb, m);
}

/*
 * The port's VLANs whose options are not a new port's: forwarding (unless
 * MST sets the VLANs' states), mcast_router 1 (temp_query), no
 * neigh_suppress, no mcast_max_groups. The dump joins VLANs of equal
 * options into ranges.
 */
struct vlans {
	struct lost *l;
	bool mst;
};

static const char *const stp_states[] = {
	"disabled", "listening", "learning", "forwarding", "blocking",
};

struct vlan_entry {
	uint16_t vid, end;
	int state, router, suppress;
	uint32_t max_groups;
};

static int vlan_opt_cb(const struct nlattr *attr, void *data)
{
	const struct bridge_vlan_info *info;
	struct vlan_entry *v = data;

	switch (mnl_attr_get_type(attr)) {
	case BRIDGE_VLANDB_ENTRY_INFO:
		if (mnl_attr_get_payload_len(attr) >= sizeof(*info)) {
			info = mnl_attr_get_payload(attr);
			v->vid = info->vid;
		}
		break;
	case BRIDGE_VLANDB_ENTRY_RANGE:
		if (mnl_attr_validate(attr, MNL_TYPE_U16) == 0)
			v->end = mnl_attr_get_u16(attr);
		break;
	case BRIDGE_VLANDB_ENTRY_STATE:
		if (mnl_attr_validate(attr, MNL_TYPE_U8) == 0)
			v->state = mnl_attr_get_u8(attr);
		break;
	case BRIDGE_VLANDB_ENTRY_MCAST_ROUTER:
		if (mnl_attr_validate(attr, MNL_TYPE_U8) == 0)
			v->router = mnl_attr_get_u8(attr);
		break;
	case VLANDB_ENTRY_MCAST_MAX_GROUPS:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			v->max_groups = mnl_attr_get_u32(attr);
		break;
	case VLANDB_ENTRY_NEIGH_SUPPRESS:
		if (mnl_attr_validate(attr, MNL_TYPE_U8) == 0)
			v->suppress = mnl_attr_get_u8(attr);
		break;
	}
	return MNL_CB_OK;
}

static int vlan_attr_cb(const struct nlattr *attr, void *data)
{
	struct vlans *vs = data;
	struct vlan_entry v = { .state = BR_STATE_FORWARDING,
				.router = MDB_RTR_TYPE_TEMP_QUERY };
	char vids[24];

	if (mnl_attr_get_type(attr) != BRIDGE_VLANDB_ENTRY ||
	    mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0)
		return MNL_CB_OK;
	mnl_attr_parse_nested(attr, vlan_opt_cb, &v);
	if (v.end > v.vid)
		snprintf(vids, sizeof(vids), "vlans %u-%u", v.vid, v.end);
	else
		snprintf(vids, sizeof(vids), "vlan %u", v.vid);
	if (!vs->mst && v.state != BR_STATE_FORWARDING) {
		if (v.state >= 0 && v.state < (int)(sizeof(stp_states) / sizeof(stp_states[0])))
			lost_add(vs->l, "%s state %s", vids, stp_states[v.state]);
		else
			lost_add(vs->l, "%s state %d", vids, v.state);
	}
	if (v.router != MDB_RTR_TYPE_TEMP_QUERY)
		lost_add(vs->l, "%s mcast_router %d", vids, v.router);
	if (v.suppress)
		lost_add(vs->l, "%s neigh_suppress", vids);
	if (v.max_groups)
		lost_add(vs->l, "%s mcast_max_groups", vids);
	return MNL_CB_OK;
}

static int vlan_cb(const struct nlmsghdr *nlh, void *data)
{
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct br_vlan_msg))
		return MNL_CB_OK;
	return mnl_attr_parse(nlh, sizeof(struct br_vlan_msg), vlan_attr_cb, data);
}

static int vlan_read(struct dupto_nl *rt, uint32_t port, struct lost *l, bool mst)
{
	struct vlans vs = { .l = l, .mst = mst };
	struct br_vlan_msg *bvm;
	struct nlmsghdr *nlh;

	nlh = dupto_nl_req(rt, RTM_GETVLAN, NLM_F_DUMP);
	bvm = mnl_nlmsg_put_extra_header(nlh, sizeof(*bvm));
	bvm->family = AF_BRIDGE;
	bvm->ifindex = port;
	return dupto_nl_ask(rt, nlh, vlan_cb, &vs);
}

static int brport_read(struct dupto_nl *rt, uint32_t ifindex, struct lost *l)
{
	struct mdb m = { .port = ifindex };
	struct link port, br;
	int err, tries;

	err = link_get(rt, ifindex, &port);
	if (err || !port.master)
		return err;
	err = link_get(rt, port.master, &br);
	if (err || strcmp(br.kind, "bridge"))
		return err;

	m.br = port.master;
	err = -EINTR;
	for (tries = 0; tries < DUMP_TRIES && err == -EINTR; tries++)
		err = mdb_read(rt, &m);
	if (err)
		return err;
	if (m.found)
		lost_add(l, "static mdb entries");

	err = -EINTR;
	for (tries = 0; tries < DUMP_TRIES && err == -EINTR; tries++) {
		/* what an interrupted dump named is named again */
		struct lost again = *l;

		l->text[l->len] = 0;
		err = vlan_read(rt, ifindex, &again, br.mst);
		if (!err)
			*l = again;
	}
	return err;
}

int rtnl_brport_lost(struct dupto_nl *rt, uint32_t ifindex, const char *name,
		     char *text, size_t size)
{
	struct lost l = { .text = text, .size = size };
	int err;

	text[0] = 0;
	err = brport_read(rt, ifindex, &l);
	if (err) {
		fprintf(stderr, "dupto: cannot read the bridge port settings of \"%s\": %s\n",
			name, dupto_nl_said(rt)[0] ? dupto_nl_said(rt) :
			err == -EINTR ? "they keep changing" : strerror(-err));
		return err;
	}
	if (l.more)
		snprintf(l.text + l.len, l.size - l.len, "%s%u more",
			 l.named ? " and " : "", l.more);
	return 0;
}

/* ---- waiting for devices ---- */

/* The names of @names that no device has, ", "-separated, into @buf. */
static size_t missing_links(const char *const *names, size_t n, char *buf,
			    size_t size)
{
	size_t i, count = 0, len = 0;

	buf[0] = 0;
	for (i = 0; i < n; i++) {
		if (if_nametoindex(names[i]))
			continue;
		if (len < size)
			len += snprintf(buf + len, size - len, "%s%s",
					count ? ", " : "", names[i]);
		count++;
	}
	return count;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int rtnl_wait_links(const char *cmd, const char *const *names, size_t n,
		    unsigned int seconds)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], which[256];
	int64_t deadline = now_ms() + (int64_t)seconds * 1000, left;
	struct mnl_socket *s;
	struct pollfd pfd;
	bool said = false;
	int err = 0;

	if (!missing_links(names, n, which, sizeof(which)))
		return 0;
	/*
	 * Joined to the link events before looking again, so that a device
	 * that appears between the look and the wait wakes the wait.
	 */
	s = mnl_socket_open(NETLINK_ROUTE);
	if (!s || mnl_socket_bind(s, RTMGRP_LINK, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		fprintf(stderr, "dupto: %s: cannot listen to link events: %s\n",
			cmd, strerror(errno));
		goto out;
	}
	pfd.fd = mnl_socket_get_fd(s);
	pfd.events = POLLIN;
	while (missing_links(names, n, which, sizeof(which))) {
		left = deadline - now_ms();
		if (left <= 0) {
			fprintf(stderr, "dupto: %s: no device %s after %u s\n",
				cmd, which, seconds);
			err = -ETIMEDOUT;
			goto out;
		}
		if (!said) {
			fprintf(stderr, "dupto: %s: waiting up to %u s for %s\n",
				cmd, seconds, which);
			said = true;
		}
		if (poll(&pfd, 1, left > INT_MAX ? INT_MAX : (int)left) < 0 &&
		    errno != EINTR) {
			err = -errno;
			fprintf(stderr, "dupto: %s: cannot wait for link events: %s\n",
				cmd, strerror(errno));
			goto out;
		}
		/*
		 * What the events say does not matter, only that something
		 * changed: the names are looked up again. An overflow
		 * (ENOBUFS) lost events, which the lookup makes up for.
		 */
		for (;;) {
			ssize_t got = recv(pfd.fd, buf, sizeof(buf), MSG_DONTWAIT);

			if (got == 0 || (got < 0 && errno != ENOBUFS))
				break;
		}
	}
out:
	if (s)
		mnl_socket_close(s);
	return err;
}
