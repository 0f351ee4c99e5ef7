// SPDX-License-Identifier: GPL-2.0
/*
 * dupto monitor: one line per change to the namespace's configuration, as
 * the kernel announces them on the family's "config" multicast group; with
 * -j, one JSON object per line.
 */

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <linux/dupto.h>
#include <linux/genetlink.h>

#include "dupto.h"
#include "objects.h"
#include "output.h"

struct event {
	uint64_t generation;
	uint32_t image_len;
	bool has_image_len;
	struct model_port port;
	bool has_port;
};

static int event_attr_cb(const struct nlattr *attr, void *data)
{
	struct event *ev = data;

	switch (mnl_attr_get_type(attr)) {
	case DUPTO_A_GENERATION:
		if (mnl_attr_validate(attr, MNL_TYPE_U64) == 0)
			ev->generation = mnl_attr_get_u64(attr);
		break;
	case DUPTO_A_IMAGE_LEN:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0) {
			ev->image_len = mnl_attr_get_u32(attr);
			ev->has_image_len = true;
		}
		break;
	case DUPTO_A_PORT:
		if (port_parse(attr, &ev->port) == 0)
			ev->has_port = true;
		break;
	}
	return MNL_CB_OK;
}

static void print_port(const struct event *ev)
{
	out_open_object("port");
	out_str("ifname", " %s", ev->port.name);
	out_uint("ifindex", NULL, ev->port.ifindex);
	out_str("mode", NULL, ev->port.device ? "device" : "inplace");
	out_bool("gone", NULL, ev->port.gone);
	out_close_object();
}

static int event_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);
	struct event ev = { 0 };

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*genl)))
		return MNL_CB_OK;
	dupto_nl_parse(nlh, event_attr_cb, &ev);
	out_open_object(NULL);
	out_uint("generation", "%" PRIu64 ": ", ev.generation);
	switch (genl->cmd) {
	case DUPTO_CMD_PORT_NEW:
		out_str("event", "%s", "port add");
		print_port(&ev);
		out_text(ev.port.device ? " device" : " in place");
		break;
	case DUPTO_CMD_PORT_DEL:
		out_str("event", "%s", "port del");
		print_port(&ev);
		/* went away while the ruleset names it: "port show" lists it */
		if (ev.port.gone)
			out_text(", gone: the ruleset names it");
		break;
	case DUPTO_CMD_RULESET_SET:
		if (ev.image_len) {
			out_str("event", "%s", "ruleset set");
			out_uint("image_len", ", %" PRIu64 " bytes", ev.image_len);
		} else {
			out_str("event", "%s", "ruleset removed");
		}
		break;
	default:
		/* a newer module's news: say that something happened */
		out_str("event", "%s", "unknown");
		out_uint("cmd", " command %" PRIu64, genl->cmd);
		break;
	}
	out_close_object();
	out_nl();
	out_flush();
	return MNL_CB_OK;
}

static void lost(void *data)
{
	fprintf(stderr, "dupto: monitor: events were lost (the socket overflowed)\n");
}

static void stop(int sig)
{
}

static int do_monitor(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = stop };
	struct dupto_nl *nl;
	int err;

	if (argc)
		return bad_arg("monitor", argv[0]);

	nl = dupto_nl_open();
	if (!nl)
		return 1;
	err = dupto_nl_subscribe(nl, DUPTO_MCGRP_CONFIG);
	if (!err) {
		/* no SA_RESTART: a signal ends the wait, and we exit cleanly */
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		err = dupto_nl_listen(nl, event_cb, lost, NULL);
		if (err)
			dupto_nl_perror(NULL, err, "monitor");
	}
	dupto_nl_close(nl);
	return !!err;
}

static const struct cli_cmd cmds[] = {
	{ NULL, do_monitor, "" },
};

const struct cli_object dupto_monitor_object = DUPTO_OBJECT("monitor", cmds,
	"Print the changes to the namespace's configuration as they happen:\n"
	"the generation each change made, and what it was.\n");
