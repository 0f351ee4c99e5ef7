// SPDX-License-Identifier: GPL-2.0
/*
 * dupto sensor: the devices mirrored frames go to. They are links of kind
 * "dupto-sensor", created and deleted over rtnetlink as "ip link" would
 * (so "ip link add s0 type dupto-sensor" makes the same thing); the dupto
 * family lists them with their counters.
 */

#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include <linux/dupto.h>

#include "dupto.h"
#include "objects.h"
#include "options.h"
#include "output.h"
#include "rtnl.h"

/* ---- replies ---- */

static int stats_cb(const struct nlattr *attr, void *data)
{
	struct model_sensor_stats *st = data;
	uint64_t v;

	if (mnl_attr_validate(attr, MNL_TYPE_U64))
		return MNL_CB_OK;
	v = mnl_attr_get_u64(attr);
	switch (mnl_attr_get_type(attr)) {
	case DUPTO_A_SENSOR_STAT_SENT:
		st->sent = v;
		break;
	case DUPTO_A_SENSOR_STAT_DOWN:
		st->down = v;
		break;
	case DUPTO_A_SENSOR_STAT_QUEUE:
		st->queue = v;
		break;
	case DUPTO_A_SENSOR_STAT_NOMEM:
		st->nomem = v;
		break;
	case DUPTO_A_SENSOR_STAT_LOOP:
		st->loop = v;
		break;
	case DUPTO_A_SENSOR_STAT_RATELIMIT:
		st->ratelimit = v;
		break;
	case DUPTO_A_SENSOR_STAT_SAMPLED:
		st->sampled = v;
		break;
	case DUPTO_A_SENSOR_STAT_SNAPFAIL:
		st->snapfail = v;
		break;
	}
	return MNL_CB_OK;
}

/* A shaping attribute into @sh; false if @attr is none. */
static bool shape_attr(const struct nlattr *attr, struct cc_shape *sh)
{
	const struct cc_option *o;

	for (o = cc_shape_options; o < cc_shape_options + cc_shape_noptions; o++) {
		if (mnl_attr_get_type(attr) != o->attr)
			continue;
		if (o->type == CC_OPT_FLAG)
			cc_shape_set(sh, o, 1);
		else if (o->type == CC_OPT_U32 && !mnl_attr_validate(attr, MNL_TYPE_U32))
			cc_shape_set(sh, o, mnl_attr_get_u32(attr));
		else if (o->type == CC_OPT_U64 && !mnl_attr_validate(attr, MNL_TYPE_U64))
			cc_shape_set(sh, o, mnl_attr_get_u64(attr));
		return true;
	}
	return false;
}

static int sensor_attr_cb(const struct nlattr *attr, void *data)
{
	struct model_sensor *s = data;

	if (shape_attr(attr, &s->shape))
		return MNL_CB_OK;
	switch (mnl_attr_get_type(attr)) {
	case DUPTO_A_SENSOR_IFINDEX:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			s->ifindex = mnl_attr_get_u32(attr);
		break;
	case DUPTO_A_SENSOR_IFNAME:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
			snprintf(s->name, sizeof(s->name), "%s", mnl_attr_get_str(attr));
		break;
	case DUPTO_A_SENSOR_LINK:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			s->linkindex = mnl_attr_get_u32(attr);
		break;
	case DUPTO_A_SENSOR_STATS:
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) == 0)
			mnl_attr_parse_nested(attr, stats_cb, &s->stats);
		break;
	case DUPTO_A_SENSOR_GONE:
		s->gone = true;
		break;
	}
	return MNL_CB_OK;
}

int sensor_parse(const struct nlattr *nest, struct model_sensor *s)
{
	if (mnl_attr_validate(nest, MNL_TYPE_NESTED) < 0 ||
	    mnl_attr_parse_nested(nest, sensor_attr_cb, s) < 0)
		return -1;
	/* the kernel gives the lower device's index; the model keeps names */
	dev_name(s->linkindex, s->link);
	return 0;
}

static int msg_attr_cb(const struct nlattr *attr, void *data)
{
	if (mnl_attr_get_type(attr) == DUPTO_A_SENSOR)
		sensor_parse(attr, model_add_sensor(data));
	return MNL_CB_OK;
}

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	return dupto_nl_parse(nlh, msg_attr_cb, data);
}

int sensor_dump(struct dupto_nl *nl, struct model *cfg)
{
	int err;

	err = dupto_nl_talk(nl, dupto_nl_msg(nl, DUPTO_CMD_SENSOR_GET, NLM_F_DUMP),
			    dump_cb, cfg);
	if (err)
		dupto_nl_perror(nl, err, "cannot list the sensors");
	return err;
}

/* ---- printing ---- */

static void print_stats(const struct model_sensor_stats *st)
{
	out_open_object("stats");
	out_uint("sent", "sent %" PRIu64, st->sent);
	out_text(" dropped:");
	out_uint("down", " down %" PRIu64, st->down);
	out_uint("queue", " queue %" PRIu64, st->queue);
	out_uint("nomem", " nomem %" PRIu64, st->nomem);
	out_uint("loop", " loop %" PRIu64, st->loop);
	out_uint("ratelimit", " ratelimit %" PRIu64, st->ratelimit);
	out_uint("sampled", " sampled %" PRIu64, st->sampled);
	out_uint("snapfail", " snapfail %" PRIu64, st->snapfail);
	out_close_object();
}

void sensor_print_shape(const struct cc_shape *sh)
{
	const struct cc_option *o;
	char fmt[32];
	uint64_t v;

	out_open_object("shaping");
	for (o = cc_shape_options; o < cc_shape_options + cc_shape_noptions; o++) {
		v = cc_shape_get(sh, o);
		if (!v)
			continue;
		if (o->type == CC_OPT_FLAG) {
			snprintf(fmt, sizeof(fmt), " %s", o->word);
			out_bool(o->key, fmt, true);
		} else {
			snprintf(fmt, sizeof(fmt), " %s %%" PRIu64, o->word);
			out_uint(o->key, fmt, v);
		}
	}
	out_close_object();
}

int sensor_shape_set(struct dupto_nl *nl, const char *name, const struct cc_shape *sh)
{
	struct nlmsghdr *nlh = dupto_nl_msg(nl, DUPTO_CMD_SENSOR_SET, 0);
	struct nlattr *nest = mnl_attr_nest_start(nlh, DUPTO_A_SENSOR);
	const struct cc_option *o;
	uint64_t v;
	int err;

	mnl_attr_put_strz(nlh, DUPTO_A_SENSOR_IFNAME, name);
	for (o = cc_shape_options; o < cc_shape_options + cc_shape_noptions; o++) {
		v = cc_shape_get(sh, o);
		if (!v)
			continue;
		if (o->type == CC_OPT_FLAG)
			mnl_attr_put(nlh, o->attr, 0, NULL);
		else if (o->type == CC_OPT_U32)
			mnl_attr_put_u32(nlh, o->attr, v);
		else
			mnl_attr_put_u64(nlh, o->attr, v);
	}
	mnl_attr_nest_end(nlh, nest);
	err = dupto_nl_talk(nl, nlh, NULL, NULL);
	if (err)
		dupto_nl_perror(nl, err, "cannot shape sensor \"%s\"", name);
	return err;
}

void sensor_print(const struct model_sensor *s, bool prefix)
{
	out_open_object(NULL);
	if (prefix)
		out_text("sensor ");
	out_str("ifname", "%s:", s->name);
	out_uint("ifindex", NULL, s->ifindex);
	if (s->linkindex) {
		/* a lower device in no namespace of ours has no name here */
		out_str("link", " link %s", s->link[0] ? s->link : "?");
		out_uint("linkindex", NULL, s->linkindex);
	} else {
		out_text(" no link");
	}
	sensor_print_shape(&s->shape);
	out_nl();
	out_text("\t");
	print_stats(&s->stats);
	out_nl();
	out_close_object();
}

void sensor_print_stats(const struct model_sensor *s, bool prefix)
{
	out_open_object(NULL);
	if (prefix)
		out_text("sensor ");
	out_str("ifname", "%s: ", s->name);
	print_stats(&s->stats);
	out_nl();
	out_close_object();
}

/* ---- commands ---- */

static bool name_ok(const char *cmd, const char *name)
{
	if (!name[0] || strlen(name) >= CC_IFNAMSIZ) {
		fprintf(stderr, "dupto: %s: \"%s\" is not a device name (1 to %d characters)\n",
			cmd, name, CC_IFNAMSIZ - 1);
		return false;
	}
	return true;
}

/*
 * The shaping options at @argv, abbreviations allowed, up to the first word
 * that is none; how many words they took, -1 after a message.
 */
static int shape_parse_args(const char *cmd, int argc, char **argv, struct cc_shape *sh)
{
	const struct cc_option *o;
	const char *why;
	uint64_t v;
	int i = 0, k;

	while (i < argc) {
		k = cli_lookup(cmd, argv[i], cc_shape_options, cc_shape_noptions,
			       sizeof(*cc_shape_options), NULL);
		if (k == -2)
			return -1;
		if (k < 0)
			break;
		o = &cc_shape_options[k];
		if (cc_shape_get(sh, o)) {
			fprintf(stderr, "dupto: %s: \"%s\" is given twice\n", cmd, o->word);
			return -1;
		}
		v = 1;
		if (o->type != CC_OPT_FLAG) {
			if (i + 1 >= argc) {
				fprintf(stderr, "dupto: %s: missing %s after \"%s\"\n",
					cmd, o->what, argv[i]);
				return -1;
			}
			if (cli_number(cmd, o, argv[i + 1], &v))
				return -1;
			i++;
		}
		cc_shape_set(sh, o, v);
		i++;
	}
	why = cc_shape_invalid(sh, &o);
	if (why) {
		fprintf(stderr, "dupto: %s: %s\n", cmd, why);
		return -1;
	}
	return i;
}

static int sensor_add(int argc, char **argv)
{
	const char *name, *link = NULL;
	struct cc_shape sh = { 0 };
	uint32_t linkindex = 0;
	struct dupto_nl *rt, *nl;
	int err, n;

	if (argc < 1)
		return missing("sensor add", "NAME");
	name = *argv++;
	argc--;
	if (argc && matches(*argv, "link")) {
		if (argc < 2)
			return missing("sensor add", "DEV after \"link\"");
		link = argv[1];
		argv += 2;
		argc -= 2;
	}
	n = shape_parse_args("sensor add", argc, argv, &sh);
	if (n < 0)
		return 1;
	argc -= n;
	argv += n;
	if (argc && link && matches(*argv, "link")) {
		fprintf(stderr, "dupto: sensor add: \"link\" is given twice\n");
		return 1;
	}
	if (argc)
		return bad_arg("sensor add", *argv);
	if (!name_ok("sensor add", name))
		return 1;
	if (if_nametoindex(name)) {
		fprintf(stderr, "dupto: sensor add: device \"%s\" already exists\n", name);
		return 1;
	}
	if (link && !(linkindex = dev_index("sensor add", link)))
		return 1;

	rt = dupto_nl_open_route();
	if (!rt)
		return 1;
	err = rtnl_sensor_add(rt, name, linkindex);
	if (err)
		dupto_nl_perror(rt, err, "sensor add: cannot create \"%s\"", name);
	dupto_nl_close(rt);
	if (err || !memcmp(&sh, &(struct cc_shape){ 0 }, sizeof(sh)))
		return !!err;
	nl = dupto_nl_open();
	err = nl ? sensor_shape_set(nl, name, &sh) : 1;
	dupto_nl_close(nl);
	return !!err;
}

static int sensor_set(int argc, char **argv)
{
	struct cc_shape sh = { 0 };
	struct dupto_nl *nl;
	int err, n;

	if (argc < 1)
		return missing("sensor set", "NAME");
	n = shape_parse_args("sensor set", argc - 1, argv + 1, &sh);
	if (n < 0)
		return 1;
	if (n + 1 < argc)
		return bad_arg("sensor set", argv[n + 1]);
	nl = dupto_nl_open();
	if (!nl)
		return 1;
	err = sensor_shape_set(nl, argv[0], &sh);
	dupto_nl_close(nl);
	return !!err;
}

/* 0 if @ifindex is a dupto sensor, after a message if it is not */
static int is_sensor(struct dupto_nl *rt, const char *cmd, const char *name,
		     uint32_t ifindex)
{
	char kind[64];
	int err = rtnl_link_kind(rt, ifindex, kind, sizeof(kind));

	if (err) {
		dupto_nl_perror(rt, err, "%s: cannot read \"%s\"", cmd, name);
		return err;
	}
	if (strcmp(kind, DUPTO_SENSOR_KIND)) {
		fprintf(stderr, "dupto: %s: \"%s\" is not a dupto sensor\n", cmd, name);
		return -EINVAL;
	}
	return 0;
}

static int sensor_del(int argc, char **argv)
{
	struct dupto_nl *rt;
	uint32_t ifindex;
	int err;

	if (argc < 1)
		return missing("sensor del", "NAME");
	if (argc > 1)
		return bad_arg("sensor del", argv[1]);
	ifindex = dev_index("sensor del", argv[0]);
	if (!ifindex)
		return 1;

	rt = dupto_nl_open_route();
	if (!rt)
		return 1;
	err = is_sensor(rt, "sensor del", argv[0], ifindex);
	if (!err) {
		err = rtnl_link_del(rt, ifindex);
		if (err)
			dupto_nl_perror(rt, err, "sensor del: cannot delete \"%s\"", argv[0]);
	}
	dupto_nl_close(rt);
	return !!err;
}

static int sensor_show(int argc, char **argv)
{
	struct model cfg = { 0 };
	struct dupto_nl *nl;
	uint32_t ifindex = 0, i;
	int err;

	if (argc > 1)
		return bad_arg("sensor show", argv[1]);
	if (argc && !(ifindex = dev_index("sensor show", argv[0])))
		return 1;

	nl = dupto_nl_open();
	if (!nl)
		return 1;
	err = sensor_dump(nl, &cfg);
	dupto_nl_close(nl);
	if (!err && ifindex) {
		for (i = 0; i < cfg.nsensors && cfg.sensors[i].ifindex != ifindex; i++)
			;
		if (i == cfg.nsensors) {
			fprintf(stderr, "dupto: sensor show: \"%s\" is not a dupto sensor\n",
				argv[0]);
			err = -ENOENT;
		}
	}
	if (!err) {
		out_open_array(NULL);
		for (i = 0; i < cfg.nsensors; i++)
			if (!ifindex || cfg.sensors[i].ifindex == ifindex)
				sensor_print(&cfg.sensors[i], false);
		out_close_array();
		out_flush();
	}
	model_free(&cfg);
	return !!err;
}

static const struct cli_cmd cmds[] = {
	{ "show", sensor_show, "show [ NAME ]" },
	{ "add", sensor_add, "add NAME [ link DEV ] [ SHAPING ]" },
	{ "set", sensor_set, "set NAME [ SHAPING ]" },
	{ "delete", sensor_del, "del NAME" },
	{ "list", sensor_show, NULL },
};

const struct cli_object dupto_sensor_object = DUPTO_OBJECT("sensor", cmds,
	"SHAPING := [ snaplen N ] [ tag ] [ sample N ] [ sample-flows N ]\n"
	"           [ rate N ] [ byte-rate N ] [ burst N ]\n"
	"A sensor is a device of kind dupto-sensor: captures on it see the frames rules\n"
	"send it and, with a lower device DEV, so does whatever is cabled to DEV.\n"
	"\"set\" replaces the sensor's shaping with what it says (nothing: none).\n");
