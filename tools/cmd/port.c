// SPDX-License-Identifier: GPL-2.0
/*
 * dupto port: attach the classifier to a device, detach it, list ports.
 *
 * A port is named by its NIC, whichever way it is attached; "port del"
 * also takes the port device's name.
 */

#include <errno.h>
#include <inttypes.h>
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
	struct model_port_stats *st = data;

	if (mnl_attr_validate(attr, MNL_TYPE_U64))
		return MNL_CB_OK;
	switch (mnl_attr_get_type(attr)) {
	case DUPTO_A_PORT_STAT_SEEN:
		st->seen = mnl_attr_get_u64(attr);
		break;
	case DUPTO_A_PORT_STAT_MATCHED:
		st->matched = mnl_attr_get_u64(attr);
		break;
	case DUPTO_A_PORT_STAT_ERRORS:
		st->errors = mnl_attr_get_u64(attr);
		break;
	}
	return MNL_CB_OK;
}

static void copy_name(char *dst, const struct nlattr *attr)
{
	if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
		snprintf(dst, CC_IFNAMSIZ, "%s", mnl_attr_get_str(attr));
}

static int port_attr_cb(const struct nlattr *attr, void *data)
{
	struct model_port *p = data;

	switch (mnl_attr_get_type(attr)) {
	case DUPTO_A_PORT_IFINDEX:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			p->ifindex = mnl_attr_get_u32(attr);
		break;
	case DUPTO_A_PORT_IFNAME:
		copy_name(p->name, attr);
		break;
	case DUPTO_A_PORT_MODE:
		if (mnl_attr_validate(attr, MNL_TYPE_U8) == 0)
			p->device = mnl_attr_get_u8(attr) == DUPTO_PORT_MODE_DEVICE;
		break;
	case DUPTO_A_PORT_DEVINDEX:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			p->devindex = mnl_attr_get_u32(attr);
		break;
	case DUPTO_A_PORT_DEVNAME:
		copy_name(p->devname, attr);
		break;
	case DUPTO_A_PORT_OUT:
		p->out = true;
		break;
	case DUPTO_A_PORT_VID:
		if (mnl_attr_validate(attr, MNL_TYPE_U16) == 0)
			p->vid = mnl_attr_get_u16(attr);
		break;
	case DUPTO_A_PORT_STATS:
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) == 0)
			mnl_attr_parse_nested(attr, stats_cb, &p->stats);
		break;
	case DUPTO_A_PORT_GONE:
		p->gone = true;
		break;
	}
	return MNL_CB_OK;
}

int port_parse(const struct nlattr *nest, struct model_port *p)
{
	if (mnl_attr_validate(nest, MNL_TYPE_NESTED) < 0)
		return -1;
	return mnl_attr_parse_nested(nest, port_attr_cb, p) < 0 ? -1 : 0;
}

static int msg_attr_cb(const struct nlattr *attr, void *data)
{
	if (mnl_attr_get_type(attr) == DUPTO_A_PORT &&
	    mnl_attr_validate(attr, MNL_TYPE_NESTED) == 0)
		port_parse(attr, model_add_port(data));
	return MNL_CB_OK;
}

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	return dupto_nl_parse(nlh, msg_attr_cb, data);
}

int port_dump(struct dupto_nl *nl, struct model *cfg)
{
	int err = dupto_nl_talk(nl, dupto_nl_msg(nl, DUPTO_CMD_PORT_GET, NLM_F_DUMP),
				dump_cb, cfg);

	if (err)
		dupto_nl_perror(nl, err, "cannot list the ports");
	return err;
}

/* ---- requests ---- */

int port_attach(struct dupto_nl *nl, uint32_t ifindex, const char *name,
		bool device, const char *devname, uint16_t vid)
{
	struct nlmsghdr *nlh = dupto_nl_msg(nl, DUPTO_CMD_PORT_NEW, 0);
	struct nlattr *nest = mnl_attr_nest_start(nlh, DUPTO_A_PORT);
	int err;

	mnl_attr_put_u32(nlh, DUPTO_A_PORT_IFINDEX, ifindex);
	mnl_attr_put_u8(nlh, DUPTO_A_PORT_MODE,
			device ? DUPTO_PORT_MODE_DEVICE : DUPTO_PORT_MODE_INPLACE);
	if (device && devname && devname[0])
		mnl_attr_put_strz(nlh, DUPTO_A_PORT_DEVNAME, devname);
	if (vid)
		mnl_attr_put_u16(nlh, DUPTO_A_PORT_VID, vid);
	mnl_attr_nest_end(nlh, nest);
	err = dupto_nl_talk(nl, nlh, NULL, NULL);
	if (err)
		dupto_nl_perror(nl, err, "cannot attach \"%s\"", name);
	return err;
}

int port_detach(struct dupto_nl *nl, uint32_t ifindex, const char *name)
{
	struct nlmsghdr *nlh = dupto_nl_msg(nl, DUPTO_CMD_PORT_DEL, 0);
	struct nlattr *nest = mnl_attr_nest_start(nlh, DUPTO_A_PORT);
	int err;

	mnl_attr_put_u32(nlh, DUPTO_A_PORT_IFINDEX, ifindex);
	mnl_attr_nest_end(nlh, nest);
	err = dupto_nl_talk(nl, nlh, NULL, NULL);
	if (err)
		dupto_nl_perror(nl, err, "cannot detach \"%s\"", name);
	return err;
}

/* ---- printing ---- */

static void print_stats(const struct model_port_stats *st)
{
	out_open_object("stats");
	out_uint("seen", "seen %" PRIu64, st->seen);
	out_uint("matched", " matched %" PRIu64, st->matched);
	out_uint("errors", " errors %" PRIu64, st->errors);
	out_close_object();
}

void port_print(const struct model_port *p, bool prefix)
{
	out_open_object(NULL);
	if (prefix)
		out_text("port ");
	out_str("ifname", "%s:", p->name);
	out_bool("gone", NULL, p->gone);
	if (p->gone) {
		/* nothing else is known of it until it is attached again */
		out_text(" gone, named by the ruleset");
		out_nl();
		out_close_object();
		return;
	}
	out_uint("ifindex", NULL, p->ifindex);
	if (p->device) {
		out_str("mode", NULL, "device");
		out_str("device", " device %s", p->devname);
		out_uint("devindex", NULL, p->devindex);
	} else {
		out_str("mode", NULL, "inplace");
		out_text(" in place");
	}
	if (p->vid)
		out_uint("tag", " tag %" PRIu64, p->vid);
	out_bool("out", NULL, p->out);
	out_text(p->out ? ", classifying in and out" : ", classifying in");
	out_nl();
	out_text("\t");
	print_stats(&p->stats);
	out_nl();
	out_close_object();
}

void port_print_stats(const struct model_port *p, bool prefix)
{
	out_open_object(NULL);
	if (prefix)
		out_text("port ");
	out_str("ifname", "%s: ", p->name);
	print_stats(&p->stats);
	out_nl();
	out_close_object();
}

/* The port whose NIC or port device is @ifindex. */
static const struct model_port *find(const struct model *cfg,
				     uint32_t ifindex)
{
	uint32_t i;

	for (i = 0; i < cfg->nports; i++)
		if (!cfg->ports[i].gone &&
		    (cfg->ports[i].ifindex == ifindex ||
		     (cfg->ports[i].device && cfg->ports[i].devindex == ifindex)))
			return &cfg->ports[i];
	return NULL;
}

/* ---- commands ---- */

int port_set_vid(struct dupto_nl *nl, uint32_t ifindex, const char *name, uint16_t vid)
{
	struct nlmsghdr *nlh = dupto_nl_msg(nl, DUPTO_CMD_PORT_SET, 0);
	struct nlattr *nest = mnl_attr_nest_start(nlh, DUPTO_A_PORT);
	int err;

	mnl_attr_put_u32(nlh, DUPTO_A_PORT_IFINDEX, ifindex);
	if (vid)
		mnl_attr_put_u16(nlh, DUPTO_A_PORT_VID, vid);
	mnl_attr_nest_end(nlh, nest);
	err = dupto_nl_talk(nl, nlh, NULL, NULL);
	if (err)
		dupto_nl_perror(nl, err, "cannot label port \"%s\"", name);
	return err;
}

/* "tag VID" (or, where @none, "tag none"): 1 after a message if not */
static int parse_tag(const char *cmd, const char *arg, bool none, uint16_t *vid)
{
	const struct cc_option *o = &cc_port_tag;
	uint64_t v;

	if (none && !strcmp(arg, "none")) {
		*vid = 0;
		return 0;
	}
	if (cli_number(cmd, o, arg, &v))
		return 1;
	*vid = v;
	return 0;
}

static int port_set(int argc, char **argv)
{
	struct dupto_nl *nl;
	uint32_t ifindex;
	uint16_t vid;
	int err;

	if (argc < 1)
		return missing("port set", "DEV");
	if (argc < 3 || strcmp(argv[1], "tag"))
		return argc < 2 ? missing("port set", "tag VID") :
		       argc < 3 && !strcmp(argv[1], "tag") ? missing("port set", "VID after \"tag\"") :
		       bad_arg("port set", argv[1]);
	if (argc > 3)
		return bad_arg("port set", argv[3]);
	if (parse_tag("port set", argv[2], true, &vid))
		return 1;
	ifindex = dev_index("port set", argv[0]);
	if (!ifindex)
		return 1;
	nl = dupto_nl_open();
	if (!nl)
		return 1;
	err = port_set_vid(nl, ifindex, argv[0], vid);
	dupto_nl_close(nl);
	return !!err;
}

/*
 * A bridge port that converting would take settings from is refused by the
 * module, save for what it cannot read: the tool reads that first, so
 * that nothing is changed (rtnl.h). 1 after a message if it refuses.
 */
static int check_brport(uint32_t ifindex, const char *name)
{
	char lost[RTNL_BRPORT_LOST_SIZE];
	struct dupto_nl *rt;
	int err;

	rt = dupto_nl_open_route();
	if (!rt)
		return 1;
	err = rtnl_brport_lost(rt, ifindex, name, lost, sizeof(lost));
	if (!err && lost[0])
		fprintf(stderr, "dupto: cannot attach \"%s\": bridge port settings would be lost: %s\n",
			name, lost);
	dupto_nl_close(rt);
	return err || lost[0];
}

static int port_add(int argc, char **argv)
{
	const char *dev, *devname = NULL;
	bool device = false, tagged = false;
	struct dupto_nl *nl;
	uint32_t ifindex;
	uint16_t vid = 0;
	int err;

	if (argc < 1)
		return missing("port add", "DEV");
	dev = *argv++;
	argc--;
	if (argc && matches(*argv, "device")) {
		device = true;
		argv++;
		argc--;
		if (argc && matches(*argv, "name")) {
			if (argc < 2)
				return missing("port add", "NAME");
			devname = argv[1];
			if (strlen(devname) >= CC_IFNAMSIZ) {
				fprintf(stderr, "dupto: port add: \"%s\" is longer than %d characters\n",
					devname, CC_IFNAMSIZ - 1);
				return 1;
			}
			argv += 2;
			argc -= 2;
		}
	}
	if (argc && !strcmp(*argv, "tag")) {
		if (argc < 2)
			return missing("port add", "VID after \"tag\"");
		if (parse_tag("port add", argv[1], false, &vid))
			return 1;
		tagged = true;
		argv += 2;
		argc -= 2;
	}
	if (argc) {
		const char *again = device && matches(*argv, "device") ? "device" :
				    devname && matches(*argv, "name") ? "name" :
				    tagged && !strcmp(*argv, "tag") ? "tag" : NULL;

		if (again) {
			fprintf(stderr, "dupto: port add: \"%s\" is given twice\n", again);
			return 1;
		}
	}
	if (argc)
		return bad_arg("port add", *argv);
	ifindex = dev_index("port add", dev);
	if (!ifindex)
		return 1;
	if (device && check_brport(ifindex, dev))
		return 1;

	nl = dupto_nl_open();
	if (!nl)
		return 1;
	err = port_attach(nl, ifindex, dev, device, devname, vid);
	dupto_nl_close(nl);
	return !!err;
}

static int port_del(int argc, char **argv)
{
	struct model cfg = { 0 };
	struct dupto_nl *nl;
	uint32_t ifindex;
	int err;

	if (argc < 1)
		return missing("port del", "DEV");
	if (argc > 1)
		return bad_arg("port del", argv[1]);
	ifindex = dev_index("port del", argv[0]);
	if (!ifindex)
		return 1;

	nl = dupto_nl_open();
	if (!nl)
		return 1;
	err = port_dump(nl, &cfg);
	if (!err && !find(&cfg, ifindex)) {
		fprintf(stderr, "dupto: port del: \"%s\" is not a port\n", argv[0]);
		err = -ENOENT;
	} else if (!err) {
		err = port_detach(nl, ifindex, argv[0]);
	}
	model_free(&cfg);
	dupto_nl_close(nl);
	return !!err;
}

static int port_show(int argc, char **argv)
{
	struct model cfg = { 0 };
	const struct model_port *only = NULL;
	struct dupto_nl *nl;
	uint32_t ifindex = 0, i;
	int err;

	if (argc > 1)
		return bad_arg("port show", argv[1]);
	if (argc && !(ifindex = dev_index("port show", argv[0])))
		return 1;

	nl = dupto_nl_open();
	if (!nl)
		return 1;
	err = port_dump(nl, &cfg);
	dupto_nl_close(nl);
	if (!err && ifindex && !(only = find(&cfg, ifindex))) {
		fprintf(stderr, "dupto: port show: \"%s\" is not a port\n", argv[0]);
		err = -ENOENT;
	}
	if (!err) {
		out_open_array(NULL);
		for (i = 0; i < cfg.nports; i++)
			if (!only || only == &cfg.ports[i])
				port_print(&cfg.ports[i], false);
		out_close_array();
		out_flush();
	}
	model_free(&cfg);
	return !!err;
}

static const struct cli_cmd cmds[] = {
	{ "show", port_show, "show [ DEV ]" },
	{ "add", port_add, "add DEV [ device [ name NAME ] ] [ tag VID ]" },
	{ "set", port_set, "set DEV tag { VID | none }" },
	{ "delete", port_del, "del DEV" },
	{ "list", port_show, NULL },
};

const struct cli_object dupto_port_object = DUPTO_OBJECT("port", cmds,
	"Frames DEV receives are classified: in place, by a hook on DEV (the default),\n"
	"or through a port device NAME that takes DEV's place in its bridge. Sensors\n"
	"that ask for port labels get VLAN tag VID (1-4094) pushed on DEV's frames.\n");
