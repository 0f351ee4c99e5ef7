// SPDX-License-Identifier: GPL-2.0
/* Sensor devices over rtnetlink: RTM_NEWLINK, RTM_DELLINK, RTM_GETLINK. */

#include <net/if.h>
#include <stdio.h>
#include <string.h>
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
