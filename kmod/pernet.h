/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DUPTO_PERNET_H
#define _DUPTO_PERNET_H

#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "dupto.h"

extern unsigned int dupto_net_id;

static inline struct dupto_net *dupto_net(const struct net *net)
{
	return net_generic(net, dupto_net_id);
}

int dupto_portinfo_init(struct dupto_portinfo *pi, struct net_device *dev,
			const struct dupto_port_ops *ops);
void dupto_portinfo_destroy(struct dupto_portinfo *pi);
int dupto_port_link(struct dupto_portinfo *pi);
void dupto_port_unlink(struct dupto_portinfo *pi);
struct dupto_portinfo *dupto_port_find(struct dupto_net *dn,
				       const struct net_device *dev);
int dupto_port_set_out(struct dupto_portinfo *pi, bool on);
void dupto_port_stats_read(const struct dupto_portinfo *pi, u64 *seen,
			   u64 *matched, u64 *errors);
void dupto_net_reset_stats(struct dupto_net *dn);

int dupto_pernet_init(void);
void dupto_pernet_exit(void);

#endif /* _DUPTO_PERNET_H */
