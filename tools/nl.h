/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The tool's only door to the kernel: a generic netlink socket bound to the
 * "dupto" family, with extended ACKs on so that the kernel's own words reach
 * the user.
 */
#ifndef DUPTO_NL_H
#define DUPTO_NL_H

#include <stdint.h>
#include <libmnl/libmnl.h>

struct dupto_nl;

/* Resolving the family loads the module if it is not loaded yet. */
struct dupto_nl *dupto_nl_open(void);
void dupto_nl_close(struct dupto_nl *nl);

/* A request header for cmd in the socket's buffer, to be filled and sent. */
struct nlmsghdr *dupto_nl_msg(struct dupto_nl *nl, uint8_t cmd, uint16_t flags);

/*
 * Send the request and run cb on every reply until the ACK or the end of a
 * dump. Returns 0 or a negative errno; a kernel error message, if any, has
 * been printed as "dupto: kernel says: ...".
 */
int dupto_nl_talk(struct dupto_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb,
		  void *data);

/* Run cb on every top-level attribute of a dupto reply. */
int dupto_nl_parse(const struct nlmsghdr *nlh, mnl_attr_cb_t cb, void *data);

#endif /* DUPTO_NL_H */
