/* SPDX-License-Identifier: GPL-2.0 */
/* The one place the release number lives: the module and the tool share it. */
#ifndef _DUPTO_VERSION_H
#define _DUPTO_VERSION_H

#define DUPTO_VERSION "0.1.0"

#endif /* _DUPTO_VERSION_H */
