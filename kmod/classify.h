/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DUPTO_CLASSIFY_H
#define _DUPTO_CLASSIFY_H

#include <linux/skbuff.h>

#include <uapi/linux/dupto_vm.h>

#include "dupto.h"

void dupto_classify_frame(struct dupto_portinfo *pi, struct sk_buff *skb,
			  u8 dir);

/*
 * @dir: DUPTO_VM_DIR_IN or DUPTO_VM_DIR_OUT. Without a ruleset a frame
 * costs this test, not the call: the classifier's locals (the frame's
 * view, the VM's result) are zeroed on entry in kernels built with
 * CONFIG_INIT_STACK_ALL_ZERO, as Debian's are.
 */
static inline void dupto_classify(struct dupto_portinfo *pi,
				  struct sk_buff *skb, u8 dir)
{
	if (rcu_access_pointer(pi->dn->ruleset))
		dupto_classify_frame(pi, skb, dir);
}

#endif /* _DUPTO_CLASSIFY_H */
