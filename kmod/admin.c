// SPDX-License-Identifier: GPL-2.0
/*
 * Who may configure dupto.
 *
 * Configuring dupto loads a program into the kernel, and creates devices
 * that sit on a NIC's receive path: the kind of surface that unprivileged
 * user namespaces have turned into kernel bugs elsewhere (nftables). So by
 * default only CAP_NET_ADMIN in the initial user namespace may do anything
 * with dupto, in any network namespace: every generic netlink command, read
 * or write, and creating either link kind. The module parameter
 * userns_admin=1 gives a network namespace's own administrator, CAP_NET_ADMIN
 * in the user namespace that owns it, the same rights there; a container's
 * root can then mirror its own traffic.
 *
 * The parameter is read-only once the module is loaded: "off" then means
 * that nobody but the initial namespace's administrator has configured
 * anything since the module was loaded. Turning it off at run time would
 * leave in place what namespace admins set up while it was on.
 */

#include <linux/capability.h>
#include <linux/module.h>
#include <linux/netlink.h>
#include <linux/user_namespace.h>
#include <net/net_namespace.h>

#include "admin.h"

static bool userns_admin;
module_param(userns_admin, bool, 0444);
MODULE_PARM_DESC(userns_admin,
		 "let a network namespace's own admin (CAP_NET_ADMIN in its user namespace) configure dupto there; off: CAP_NET_ADMIN in the initial user namespace only. Fixed at load");

/* The user namespace whose CAP_NET_ADMIN configures @net. */
static struct user_namespace *dupto_admin_ns(const struct net *net)
{
	return userns_admin ? net->user_ns : &init_user_ns;
}

static int dupto_admin_refuse(struct netlink_ext_ack *extack)
{
	if (userns_admin)
		NL_SET_ERR_MSG(extack,
			       "dupto needs CAP_NET_ADMIN in the user namespace owning the network namespace (module parameter dupto.userns_admin=1)");
	else
		NL_SET_ERR_MSG(extack,
			       "dupto needs CAP_NET_ADMIN in the initial user namespace (module parameter dupto.userns_admin=0)");
	return -EPERM;
}

/*
 * A generic netlink request: as GENL_ADMIN_PERM and GENL_UNS_ADMIN_PERM
 * check, both whoever opened the socket and whoever sent the request must
 * hold the capability, so that a socket handed to a less privileged
 * process is no way in.
 */
int dupto_admin_check_request(const struct sk_buff *skb, struct net *net,
			      struct netlink_ext_ack *extack)
{
	if (netlink_ns_capable(skb, dupto_admin_ns(net), CAP_NET_ADMIN))
		return 0;
	return dupto_admin_refuse(extack);
}

/*
 * rtnetlink's newlink, which gets no request skb: it runs in the task that
 * sent the request, which must hold the capability. rtnetlink has already
 * checked both the socket and the task against @net's own user namespace.
 */
int dupto_admin_check_task(struct net *net, struct netlink_ext_ack *extack)
{
	if (ns_capable(dupto_admin_ns(net), CAP_NET_ADMIN))
		return 0;
	return dupto_admin_refuse(extack);
}
