/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DUPTO_NETLINK_H
#define _DUPTO_NETLINK_H

#include "dupto.h"

void dupto_nl_notify_port(const struct dupto_portinfo *pi, u8 cmd, bool gone);
void dupto_nl_notify_ruleset(struct dupto_net *dn);

int dupto_genl_init(void);
void dupto_genl_exit(void);

#endif /* _DUPTO_NETLINK_H */
