// SPDX-License-Identifier: GPL-2.0
/*
 * libmnl plumbing for the dupto generic netlink family: family resolution,
 * requests, replies and extended ACKs.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include <linux/dupto.h>

#include "nl.h"

#define DUPTO_NL_BUFSIZE (1u << 16)

struct dupto_nl {
	struct mnl_socket *sk;
	unsigned int portid;
	unsigned int seq;
	uint16_t family;
	char *buf;
};

static void print_extack(const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	unsigned int offset = sizeof(*err);
	const struct nlattr *attr;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	/* Without NLM_F_CAPPED the request is echoed before the TLVs. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		offset += mnl_nlmsg_get_payload_len(&err->msg);
	if (offset + sizeof(struct nlmsghdr) > nlh->nlmsg_len)
		return;

	mnl_attr_for_each(attr, nlh, offset) {
		if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
		    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
			fprintf(stderr, "dupto: kernel says: %s\n",
				mnl_attr_get_str(attr));
	}
}

static int error_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);

	(void)data;
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err))) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (!err->error)
		return MNL_CB_STOP;
	print_extack(nlh);
	errno = -err->error;
	return MNL_CB_ERROR;
}

static int stop_cb(const struct nlmsghdr *nlh, void *data)
{
	int *err = mnl_nlmsg_get_payload(nlh);

	(void)data;
	/* A dump that failed midway reports its error in NLMSG_DONE. */
	if (nlh->nlmsg_len >= mnl_nlmsg_size(sizeof(int)) && *err < 0) {
		print_extack(nlh);
		errno = -*err;
		return MNL_CB_ERROR;
	}
	return MNL_CB_STOP;
}

static mnl_cb_t ctl_cb[NLMSG_MIN_TYPE] = {
	[NLMSG_ERROR] = error_cb,
	[NLMSG_DONE] = stop_cb,
};

static struct nlmsghdr *msg_start(struct dupto_nl *nl, uint16_t type,
				  uint8_t cmd, uint8_t version, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl->buf);
	struct genlmsghdr *genl;

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
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = version;
	return nlh;
}

struct nlmsghdr *dupto_nl_msg(struct dupto_nl *nl, uint8_t cmd, uint16_t flags)
{
	return msg_start(nl, nl->family, cmd, DUPTO_GENL_VERSION, flags);
}

int dupto_nl_talk(struct dupto_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb,
		  void *data)
{
	ssize_t len;
	int ret;

	if (mnl_socket_sendto(nl->sk, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		len = mnl_socket_recvfrom(nl->sk, nl->buf, DUPTO_NL_BUFSIZE);
		if (len < 0)
			return -errno;
		ret = mnl_cb_run2(nl->buf, len, nlh->nlmsg_seq, nl->portid,
				  cb, data, ctl_cb, NLMSG_MIN_TYPE);
	} while (ret > MNL_CB_STOP);
	return ret < 0 ? -errno : 0;
}

int dupto_nl_parse(const struct nlmsghdr *nlh, mnl_attr_cb_t cb, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), cb, data);
}

static int family_attr_cb(const struct nlattr *attr, void *data)
{
	uint16_t *family = data;

	if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_ID &&
	    mnl_attr_validate(attr, MNL_TYPE_U16) == 0)
		*family = mnl_attr_get_u16(attr);
	return MNL_CB_OK;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	return dupto_nl_parse(nlh, family_attr_cb, data);
}

struct dupto_nl *dupto_nl_open(void)
{
	struct nlmsghdr *nlh;
	struct dupto_nl *nl;
	int one = 1, err;

	nl = calloc(1, sizeof(*nl));
	if (!nl)
		return NULL;
	nl->buf = malloc(DUPTO_NL_BUFSIZE);
	nl->sk = mnl_socket_open(NETLINK_GENERIC);
	if (!nl->buf || !nl->sk)
		goto err;
	/* Old kernels lack these; errors then come without messages. */
	mnl_socket_setsockopt(nl->sk, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sk, NETLINK_CAP_ACK, &one, sizeof(one));
	if (mnl_socket_bind(nl->sk, 0, MNL_SOCKET_AUTOPID) < 0)
		goto err;
	nl->portid = mnl_socket_get_portid(nl->sk);
	nl->seq = time(NULL);

	nlh = msg_start(nl, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, 0);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, DUPTO_GENL_NAME);
	err = dupto_nl_talk(nl, nlh, family_cb, &nl->family);
	if (err == -ENOENT) {
		fprintf(stderr,
			"dupto: the dupto kernel module is not loaded and could not be loaded\n");
		errno = ENOENT;
		goto err_quiet;
	}
	if (err || !nl->family) {
		errno = err ? -err : EPROTO;
		goto err;
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

void dupto_nl_close(struct dupto_nl *nl)
{
	if (!nl)
		return;
	if (nl->sk)
		mnl_socket_close(nl->sk);
	free(nl->buf);
	free(nl);
}
