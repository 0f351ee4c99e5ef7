/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DUPTO_NETLINK_H
#define _DUPTO_NETLINK_H

int dupto_genl_init(void);
void dupto_genl_exit(void);

#endif /* _DUPTO_NETLINK_H */
