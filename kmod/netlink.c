// SPDX-License-Identifier: GPL-2.0
/*
 * The "dupto" generic netlink family; the protocol is documented in
 * uapi/linux/dupto.h.
 */

#include <linux/module.h>
#include <net/genetlink.h>

#include <uapi/linux/dupto.h>

#include "netlink.h"
#include "version.h"

static struct genl_family dupto_genl_family;

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

/*
 * No op has a NULL policy by accident: with resv_start_op at zero the core
 * rejects every attribute sent to an op without one, and every op refuses
 * non-zero reserved header bits.
 */
static const struct genl_ops dupto_genl_ops[] = {
	{
		.cmd	= DUPTO_CMD_GET_INFO,
		.doit	= dupto_nl_get_info,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
};

static struct genl_family dupto_genl_family __ro_after_init = {
	.name		= DUPTO_GENL_NAME,
	.version	= DUPTO_GENL_VERSION,
	.module		= THIS_MODULE,
	.netnsok	= true,
	.resv_start_op	= 0,
	.ops		= dupto_genl_ops,
	.n_ops		= ARRAY_SIZE(dupto_genl_ops),
};

int __init dupto_genl_init(void)
{
	return genl_register_family(&dupto_genl_family);
}

void dupto_genl_exit(void)
{
	genl_unregister_family(&dupto_genl_family);
}

MODULE_ALIAS_GENL_FAMILY(DUPTO_GENL_NAME);
