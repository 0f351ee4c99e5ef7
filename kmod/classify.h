/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DUPTO_CLASSIFY_H
#define _DUPTO_CLASSIFY_H

#include <linux/skbuff.h>

#include <uapi/linux/dupto_vm.h>

#include "dupto.h"

/* @dir: DUPTO_VM_DIR_IN or DUPTO_VM_DIR_OUT */
void dupto_classify(struct dupto_portinfo *pi, struct sk_buff *skb, u8 dir);

#endif /* _DUPTO_CLASSIFY_H */
