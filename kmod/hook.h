/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DUPTO_HOOK_H
#define _DUPTO_HOOK_H

#include "dupto.h"

/* Ports attached in place (DUPTO_PORT_MODE_INPLACE). */
extern const struct dupto_port_ops dupto_hook_port_ops;

#endif /* _DUPTO_HOOK_H */
