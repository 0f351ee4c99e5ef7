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
#include "options.h"
#include "output.h"

struct event {
	uint64_t generation;
	uint32_t image_len;
	bool has_image_len;
	struct model_port port;
	struct model_sensor sensor;
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
		port_parse(attr, &ev->port);
		break;
	case DUPTO_A_SENSOR:
		sensor_parse(attr, &ev->sensor);
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
	if (ev->port.device)
		out_str("devname", NULL, ev->port.devname);
	out_uint("vid", NULL, ev->port.vid);
	out_bool("gone", NULL, ev->port.gone);
	out_close_object();
}

static void print_sensor(const struct event *ev, bool shape)
{
	out_open_object("sensor");
	out_str("ifname", " %s", ev->sensor.name);
	out_uint("ifindex", NULL, ev->sensor.ifindex);
	if (ev->sensor.linkindex) {
		out_str("link", " link %s", ev->sensor.link[0] ? ev->sensor.link : "?");
		out_uint("linkindex", NULL, ev->sensor.linkindex);
	}
	if (shape)
		sensor_print_shape(&ev->sensor.shape);
	out_bool("gone", NULL, ev->sensor.gone);
	out_close_object();
}

static bool shape_empty(const struct cc_shape *sh)
{
	size_t i;

	for (i = 0; i < cc_shape_noptions; i++)
		if (cc_shape_get(sh, &cc_shape_options[i]))
			return false;
	return true;
}

static int event_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);
	struct event ev = { 0 };
	char label[16];

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
		snprintf(label, sizeof(label), " label %u", ev.port.vid);
		if (ev.port.vid)
			out_text(label);
		break;
	case DUPTO_CMD_PORT_SET:
		out_str("event", "%s", "port set");
		print_port(&ev);
		snprintf(label, sizeof(label), " label %u", ev.port.vid);
		out_text(ev.port.vid ? label : " no label");
		break;
	case DUPTO_CMD_PORT_DEL:
		out_str("event", "%s", "port del");
		print_port(&ev);
		/* went away while the ruleset names it: "port show" lists it */
		if (ev.port.gone)
			out_text(", gone: the ruleset names it");
		break;
	case DUPTO_CMD_SENSOR_NEW:
		out_str("event", "%s", "sensor add");
		print_sensor(&ev, true);
		break;
	case DUPTO_CMD_SENSOR_SET:
		out_str("event", "%s", "sensor set");
		print_sensor(&ev, true);
		if (shape_empty(&ev.sensor.shape))
			out_text(" no shaping");
		break;
	case DUPTO_CMD_SENSOR_DEL:
		out_str("event", "%s", "sensor del");
		print_sensor(&ev, false);
		/* its rules send nothing now, until a ruleset is loaded */
		if (ev.sensor.gone)
			out_text(", gone: the ruleset sent to it");
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
