/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DUPTO_HOOK_H
#define _DUPTO_HOOK_H

#include <linux/netdevice.h>
#include <net/netlink.h>

#include "dupto.h"

int dupto_hook_attach(struct dupto_net *dn, struct net_device *dev,
		      struct dupto_portinfo **pip, struct netlink_ext_ack *extack);
void dupto_hook_detach(struct dupto_portinfo *pi);
void dupto_hook_detach_all(struct dupto_net *dn);
int dupto_hook_set_out(struct dupto_portinfo *pi, bool on);

#endif /* _DUPTO_HOOK_H */
