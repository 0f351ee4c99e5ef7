// SPDX-License-Identifier: GPL-2.0
/*
 * libmnl plumbing for the dupto generic netlink family and for rtnetlink:
 * family resolution, requests, replies, extended ACKs and notifications.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <time.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include <linux/dupto.h>

#include "nl.h"

/*
 * The protocol version this tool speaks: the header's, but for the test
 * build of a tool of the previous version (selftests/genl.sh).
 */
#ifndef DUPTO_TOOL_ABI
#define DUPTO_TOOL_ABI DUPTO_GENL_VERSION
#endif
const unsigned int dupto_nl_abi = DUPTO_TOOL_ABI;

/*
 * Replies: a dump message is at most 32 KiB (the kernel's cap) plus what a
 * single large attribute may add; anything larger is cut short and
 * reported as ENOSPC by libmnl rather than misread.
 */
#define NL_RECV_SIZE	(128u << 10)
/* Requests: anything but a ruleset's image. */
#define NL_REQ_SIZE	(64u << 10)

struct dupto_nl {
	struct mnl_socket *sk;
	unsigned int portid;
	unsigned int seq;
	uint16_t family;
	uint32_t family_version;	/* the module's DUPTO_ABI_VERSION */
	uint32_t mcgrp_config;
	char *rbuf;
	char *req;
	size_t reqcap;
	int sndbuf;		/* the socket's send buffer, as the kernel has it */
	char said[512];		/* the kernel's message about the last request */
	bool quiet;		/* keep it without printing it */
};

/* One request's replies, for the callbacks. */
struct talk {
	struct dupto_nl *nl;
	mnl_cb_t cb;
	void *data;
	int err;		/* the first error, negative */
	bool done;		/* the ACK, the error or the dump's end was read */
	bool intr;		/* the dump was interrupted */
};

static void keep_extack(struct dupto_nl *nl, const struct nlmsghdr *nlh,
			size_t offset)
{
	const struct nlattr *attr;

	/* @offset: of the TLVs, from the end of the netlink header */
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) ||
	    sizeof(*nlh) + offset + sizeof(struct nlattr) > nlh->nlmsg_len)
		return;
	mnl_attr_for_each(attr, nlh, offset) {
		if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
		    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
			snprintf(nl->said, sizeof(nl->said), "%s",
				 mnl_attr_get_str(attr));
	}
	if (nl->said[0] && !nl->quiet)
		fprintf(stderr, "dupto: kernel says: %s\n", nl->said);
}

static void on_error(struct talk *t, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	size_t offset;

	t->done = true;
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err))) {
		t->err = t->err ? t->err : -EBADMSG;
		return;
	}
	if (!err->error)
		return;
	/* Without NLM_F_CAPPED the request is echoed before the TLVs. */
	offset = sizeof(*err);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		offset += mnl_nlmsg_get_payload_len(&err->msg);
	keep_extack(t->nl, nlh, offset);
	if (!t->err)
		t->err = err->error;
}

static void on_done(struct talk *t, const struct nlmsghdr *nlh)
{
	const int *err = mnl_nlmsg_get_payload(nlh);

	t->done = true;
	/* A dump that failed midway reports its error in NLMSG_DONE. */
	if (nlh->nlmsg_len >= mnl_nlmsg_size(sizeof(int)) && *err < 0) {
		keep_extack(t->nl, nlh, sizeof(int));
		if (!t->err)
			t->err = *err;
	}
}

/*
 * One datagram's messages. Unlike mnl_cb_run(), it reads every message to
 * the end even after an error, so that a dump never leaves messages behind
 * for the next request, and it sees NLM_F_DUMP_INTR on any of them,
 * NLMSG_DONE included.
 */
static void run(struct talk *t, const struct nlmsghdr *req, const void *buf,
		size_t len)
{
	const struct nlmsghdr *nlh = buf;
	int left = (int)len;

	for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		if (nlh->nlmsg_seq != req->nlmsg_seq || nlh->nlmsg_pid != t->nl->portid)
			continue;	/* not ours: a late reply to an earlier request */
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
			t->intr = true;
		switch (nlh->nlmsg_type) {
		case NLMSG_ERROR:
			on_error(t, nlh);
			break;
		case NLMSG_DONE:
			on_done(t, nlh);
			break;
		case NLMSG_NOOP:
		case NLMSG_OVERRUN:
			break;
		default:
			/* after an error, the rest is only read */
			if (t->cb && !t->err && t->cb(nlh, t->data) < MNL_CB_OK)
				t->err = -(errno ? errno : EPROTO);
		}
	}
}

/* The kernel refuses a request larger than its send buffer less 32 bytes. */
static int make_room(struct dupto_nl *nl, size_t len)
{
	int want = (int)len + 4096;
	socklen_t sl = sizeof(nl->sndbuf);
	int fd = mnl_socket_get_fd(nl->sk);

	if (len + 32 <= (size_t)nl->sndbuf)
		return 0;
	/* The kernel doubles what it is given; FORCE ignores wmem_max (root). */
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &want, sizeof(want)))
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &want, sizeof(want));
	getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &nl->sndbuf, &sl);
	if (len + 32 <= (size_t)nl->sndbuf)
		return 0;
	fprintf(stderr,
		"dupto: a request of %zu bytes does not fit the socket's send buffer of %d bytes; raise net.core.wmem_max\n",
		len, nl->sndbuf);
	return -EMSGSIZE;
}

static int talk(struct dupto_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb,
		void *data)
{
	struct talk t = { .nl = nl, .cb = cb, .data = data };
	ssize_t len;
	int err;

	nl->said[0] = 0;
	err = make_room(nl, nlh->nlmsg_len);
	if (err)
		return err;
	if (mnl_socket_sendto(nl->sk, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	while (!t.done) {
		len = mnl_socket_recvfrom(nl->sk, nl->rbuf, NL_RECV_SIZE);
		if (len < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		errno = 0;
		run(&t, nlh, nl->rbuf, len);
	}
	if (t.err)
		return t.err;
	return t.intr ? -EINTR : 0;
}

int dupto_nl_talk(struct dupto_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb,
		  void *data)
{
	nl->quiet = false;
	return talk(nl, nlh, cb, data);
}

int dupto_nl_ask(struct dupto_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb,
		 void *data)
{
	int err;

	nl->quiet = true;
	err = talk(nl, nlh, cb, data);
	nl->quiet = false;
	return err;
}

const char *dupto_nl_said(const struct dupto_nl *nl)
{
	return nl->said;
}

void dupto_nl_perror(const struct dupto_nl *nl, int err, const char *fmt, ...)
{
	va_list ap;

	/* the kernel's own words are better than an errno */
	if (nl && nl->said[0])
		return;
	fputs("dupto: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(-err));
}

struct nlmsghdr *dupto_nl_req(struct dupto_nl *nl, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl->req);

	nlh->nlmsg_type = type;
	/*
	 * Dumps end with NLMSG_DONE; everything else asks for an ACK. A dump
	 * has both bits of NLM_F_DUMP: one of them alone is NLM_F_EXCL on a
	 * request that creates something.
	 */
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	if ((flags & NLM_F_DUMP) != NLM_F_DUMP)
		nlh->nlmsg_flags |= NLM_F_ACK;
	nlh->nlmsg_seq = ++nl->seq;
	return nlh;
}

static struct nlmsghdr *genl_start(struct dupto_nl *nl, uint16_t type,
				   uint8_t cmd, uint8_t version, uint16_t flags)
{
	struct nlmsghdr *nlh = dupto_nl_req(nl, type, flags);
	struct genlmsghdr *genl;

	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = version;
	return nlh;
}

struct nlmsghdr *dupto_nl_msg(struct dupto_nl *nl, uint8_t cmd, uint16_t flags)
{
	return genl_start(nl, nl->family, cmd, DUPTO_TOOL_ABI, flags);
}

struct nlmsghdr *dupto_nl_msg_size(struct dupto_nl *nl, uint8_t cmd,
				   uint16_t flags, size_t size)
{
	size_t need = size + 1024;	/* headers and the small attributes */

	if (need > nl->reqcap) {
		char *grown = realloc(nl->req, need);

		if (!grown)
			return NULL;
		nl->req = grown;
		nl->reqcap = need;
	}
	return dupto_nl_msg(nl, cmd, flags);
}

int dupto_nl_parse(const struct nlmsghdr *nlh, mnl_attr_cb_t cb, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), cb, data);
}

/* ---- the family and its multicast group ---- */

static int mcgrp_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	if (type == CTRL_ATTR_MCAST_GRP_NAME &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
		tb[type] = attr;
	else if (type == CTRL_ATTR_MCAST_GRP_ID &&
		 mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
		tb[type] = attr;
	return MNL_CB_OK;
}

static int family_attr_cb(const struct nlattr *attr, void *data)
{
	struct dupto_nl *nl = data;
	const struct nlattr *grp;

	switch (mnl_attr_get_type(attr)) {
	case CTRL_ATTR_FAMILY_ID:
		if (mnl_attr_validate(attr, MNL_TYPE_U16) == 0)
			nl->family = mnl_attr_get_u16(attr);
		break;
	case CTRL_ATTR_VERSION:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			nl->family_version = mnl_attr_get_u32(attr);
		break;
	case CTRL_ATTR_MCAST_GROUPS:
		mnl_attr_for_each_nested(grp, attr) {
			const struct nlattr *tb[CTRL_ATTR_MCAST_GRP_MAX + 1] = { 0 };

			mnl_attr_parse_nested(grp, mcgrp_cb, tb);
			if (tb[CTRL_ATTR_MCAST_GRP_NAME] && tb[CTRL_ATTR_MCAST_GRP_ID] &&
			    !strcmp(mnl_attr_get_str(tb[CTRL_ATTR_MCAST_GRP_NAME]),
				    DUPTO_MCGRP_CONFIG))
				nl->mcgrp_config = mnl_attr_get_u32(tb[CTRL_ATTR_MCAST_GRP_ID]);
		}
		break;
	}
	return MNL_CB_OK;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	return dupto_nl_parse(nlh, family_attr_cb, data);
}

static struct dupto_nl *nl_open(int bus)
{
	struct dupto_nl *nl;
	socklen_t sl = sizeof(nl->sndbuf);
	int one = 1;

	nl = calloc(1, sizeof(*nl));
	if (!nl)
		return NULL;
	nl->rbuf = malloc(NL_RECV_SIZE);
	nl->req = malloc(NL_REQ_SIZE);
	nl->reqcap = NL_REQ_SIZE;
	nl->sk = mnl_socket_open(bus);
	if (!nl->rbuf || !nl->req || !nl->sk)
		goto err;
	/* Old kernels lack these; errors then come without messages. */
	mnl_socket_setsockopt(nl->sk, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sk, NETLINK_CAP_ACK, &one, sizeof(one));
	if (mnl_socket_bind(nl->sk, 0, MNL_SOCKET_AUTOPID) < 0)
		goto err;
	nl->portid = mnl_socket_get_portid(nl->sk);
	nl->seq = time(NULL);
	getsockopt(mnl_socket_get_fd(nl->sk), SOL_SOCKET, SO_SNDBUF, &nl->sndbuf, &sl);
	return nl;
err:
	one = errno;
	dupto_nl_close(nl);
	errno = one;
	return NULL;
}

/*
 * Where the running kernel's module tree has dupto (modules.dep's path,
 * into @path), or false if it has none: whether DKMS (or make install)
 * put one there for this kernel is the first thing to know when the
 * module would not load.
 */
static bool module_installed(const char *release, char *path, size_t size)
{
	char dep[256], line[1024];
	bool found = false;
	FILE *f;

	snprintf(dep, sizeof(dep), "/lib/modules/%s/modules.dep", release);
	f = fopen(dep, "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':'), *base;

		if (!colon)
			continue;
		*colon = 0;
		base = strrchr(line, '/');
		base = base ? base + 1 : line;
		/* dupto.ko, or compressed: dupto.ko.xz, .zst, .gz */
		if (!strncmp(base, "dupto.ko", 8) && (!base[8] || base[8] == '.')) {
			snprintf(path, size, "/lib/modules/%s/%s", release, line);
			found = true;
		}
	}
	fclose(f);
	return found;
}

/*
 * The module is not there and the kernel could not load it: say where to
 * look, which depends on whether this kernel has a dupto module at all.
 */
static void module_missing(void)
{
	struct utsname u;
	char path[1536];

	fprintf(stderr, "dupto: the dupto kernel module is not loaded and could not be loaded\n");
	if (uname(&u))
		return;
	if (!module_installed(u.release, path, sizeof(path))) {
		fprintf(stderr,
			"dupto: Linux %s has none installed: \"dkms status dupto\" says whether DKMS\n"
			"dupto: built it for this kernel (which takes linux-headers-%s; a kernel dupto\n"
			"dupto: does not support is skipped, and the kernel upgrade's output said so)\n",
			u.release, u.release);
		return;
	}
	fprintf(stderr,
		"dupto: it is %s: \"modprobe dupto\" says why it does not load, and the\n"
		"dupto: kernel log (journalctl -k) may say more; under Secure Boot, a module\n"
		"dupto: not signed by an enrolled Machine Owner Key is refused (mokutil --sb-state;\n"
		"dupto: the installation guide has how DKMS signs it)\n", path);
}

/*
 * The family, for any request (@any_version) or, by default, only if the
 * module speaks this tool's version of the protocol: a module of another
 * version would read the same messages otherwise (uapi/linux/dupto.h,
 * DUPTO_ABI_VERSION), so nothing is sent to it.
 */
static struct dupto_nl *nl_open_family(bool any_version)
{
	struct nlmsghdr *nlh;
	struct dupto_nl *nl;
	int err;

	nl = nl_open(NETLINK_GENERIC);
	if (!nl)
		goto err;
	nlh = genl_start(nl, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, 0);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, DUPTO_GENL_NAME);
	err = dupto_nl_ask(nl, nlh, family_cb, nl);
	if (err == -ENOENT) {
		module_missing();
		errno = ENOENT;
		goto err_quiet;
	}
	if (err || !nl->family) {
		errno = err ? -err : EPROTO;
		goto err;
	}
	if (!any_version && nl->family_version != DUPTO_TOOL_ABI) {
		fprintf(stderr,
			"dupto: the module speaks dupto netlink version %u, this tool version %u: install matching versions\n",
			nl->family_version, DUPTO_TOOL_ABI);
		errno = EPROTO;
		goto err_quiet;
	}
	return nl;

err:
	fprintf(stderr, "dupto: cannot talk to the kernel: %s\n",
		strerror(errno));
err_quiet:
	err = errno;
	dupto_nl_close(nl);
	errno = err;
	return NULL;
}

struct dupto_nl *dupto_nl_open(void)
{
	return nl_open_family(false);
}

struct dupto_nl *dupto_nl_open_any_version(void)
{
	return nl_open_family(true);
}

struct dupto_nl *dupto_nl_open_route(void)
{
	struct dupto_nl *nl = nl_open(NETLINK_ROUTE);

	if (!nl)
		fprintf(stderr, "dupto: cannot open an rtnetlink socket: %s\n",
			strerror(errno));
	return nl;
}

void dupto_nl_close(struct dupto_nl *nl)
{
	if (!nl)
		return;
	if (nl->sk)
		mnl_socket_close(nl->sk);
	free(nl->rbuf);
	free(nl->req);
	free(nl);
}

/* ---- notifications ---- */

int dupto_nl_subscribe(struct dupto_nl *nl, const char *group)
{
	uint32_t id = strcmp(group, DUPTO_MCGRP_CONFIG) ? 0 : nl->mcgrp_config;

	if (!id) {
		fprintf(stderr, "dupto: the module has no multicast group \"%s\"\n", group);
		return -ENOENT;
	}
	if (mnl_socket_setsockopt(nl->sk, NETLINK_ADD_MEMBERSHIP, &id, sizeof(id)) < 0) {
		int err = -errno;

		dupto_nl_perror(NULL, err, "cannot join the multicast group \"%s\"", group);
		return err;
	}
	return 0;
}

int dupto_nl_listen(struct dupto_nl *nl, mnl_cb_t cb, void (*lost)(void *data),
		    void *data)
{
	ssize_t len;
	int ret;

	while (1) {
		len = mnl_socket_recvfrom(nl->sk, nl->rbuf, NL_RECV_SIZE);
		if (len < 0 && errno == ENOBUFS) {
			lost(data);
			continue;
		}
		if (len < 0)
			return errno == EINTR ? 0 : -errno;
		/* notifications come from the kernel, sequence number 0 */
		ret = mnl_cb_run(nl->rbuf, len, 0, 0, cb, data);
		if (ret <= MNL_CB_STOP)
			return ret < 0 ? -errno : 0;
	}
}
