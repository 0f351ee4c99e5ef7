/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The tool's only door to the kernel: netlink sockets, the generic netlink
 * one bound to the "dupto" family and an rtnetlink one for devices, with
 * extended ACKs on so that the kernel's own words reach the user.
 */
#ifndef DUPTO_NL_H
#define DUPTO_NL_H

#include <stdint.h>
#include <libmnl/libmnl.h>

struct dupto_nl;

/* The dupto netlink version this tool speaks (DUPTO_ABI_VERSION). */
extern const unsigned int dupto_nl_abi;

/* Resolving the family loads the module if it is not loaded yet. */
struct dupto_nl *dupto_nl_open(void);
/* For "dupto version" alone: also a module of another protocol version. */
struct dupto_nl *dupto_nl_open_any_version(void);
/* An rtnetlink socket, for creating and deleting devices (rtnl.c). */
struct dupto_nl *dupto_nl_open_route(void);
void dupto_nl_close(struct dupto_nl *nl);

/*
 * A request header for cmd in the socket's request buffer, to be filled
 * and sent. The buffer holds 64 KiB of attributes; a larger request (a
 * ruleset's image) says how many bytes it needs with dupto_nl_msg_size().
 */
struct nlmsghdr *dupto_nl_msg(struct dupto_nl *nl, uint8_t cmd, uint16_t flags);
struct nlmsghdr *dupto_nl_msg_size(struct dupto_nl *nl, uint8_t cmd,
				   uint16_t flags, size_t size);
/* A bare netlink request of @type, for rtnetlink. */
struct nlmsghdr *dupto_nl_req(struct dupto_nl *nl, uint16_t type, uint16_t flags);

/*
 * Send the request and run cb on every reply until the ACK or the end of a
 * dump, which is always read to its end. Returns 0 or a negative errno:
 * -EINTR if the dump was interrupted by a change (NLM_F_DUMP_INTR), so
 * that the caller starts again. A kernel error message, if any, has been
 * printed as "dupto: kernel says: ...".
 */
int dupto_nl_talk(struct dupto_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb,
		  void *data);
/* The same, but the kernel's message is only kept, for dupto_nl_said(). */
int dupto_nl_ask(struct dupto_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb,
		 void *data);
/* The kernel's message about the last request, "" if it gave none. */
const char *dupto_nl_said(const struct dupto_nl *nl);
/*
 * After a failed dupto_nl_talk(): "dupto: WHAT: strerror(-err)", unless
 * the kernel explained the failure itself.
 */
void dupto_nl_perror(const struct dupto_nl *nl, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Run cb on every top-level attribute of a dupto reply. */
int dupto_nl_parse(const struct nlmsghdr *nlh, mnl_attr_cb_t cb, void *data);

/*
 * Notifications: join the family's multicast group @group, then run cb on
 * every message that arrives until cb says stop, an error, or a signal
 * interrupts the wait (then 0). @lost is called when the socket overflowed
 * and notifications were lost.
 */
int dupto_nl_subscribe(struct dupto_nl *nl, const char *group);
int dupto_nl_listen(struct dupto_nl *nl, mnl_cb_t cb, void (*lost)(void *data),
		    void *data);

#endif /* DUPTO_NL_H */
