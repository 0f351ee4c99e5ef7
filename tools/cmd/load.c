// SPDX-License-Identifier: GPL-2.0
/*
 * dupto load: make the namespace match a file, the way "wg syncconf" does.
 * It compiles everything first, so that a mistake changes nothing, then
 * adds what is missing, replaces the ruleset and removes what the file does
 * not declare, in an order where the ruleset never names a sensor or a port
 * that is not there. Should the kernel refuse a step all the same, the same
 * steps put back the configuration that was there: a failed load changes
 * nothing, which is what "systemctl reload dupto" promises.
 */

#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/dupto.h>

#include "dupto.h"
#include "objects.h"
#include "output.h"
#include "rtnl.h"

/*
 * The port of that name. A port the ruleset names that is gone is in the
 * namespace's model by name only, and is not there to keep or detach: the
 * file attaches it again.
 */
static const struct model_port *find_port(const struct model *cfg,
					  const char *name)
{
	uint32_t i;

	for (i = 0; i < cfg->nports; i++)
		if (!strcmp(cfg->ports[i].name, name) && !cfg->ports[i].gone)
			return &cfg->ports[i];
	return NULL;
}

static const struct model_sensor *find_sensor(const struct model *cfg,
					      const char *name)
{
	uint32_t i;

	for (i = 0; i < cfg->nsensors; i++)
		if (!strcmp(cfg->sensors[i].name, name))
			return &cfg->sensors[i];
	return NULL;
}

/* What loading a file does, worked out before anything is done. */
struct plan {
	struct model *want;	/* the file */
	struct ns_state *have;		/* the namespace */
	uint32_t *port_index;		/* per declared port, its NIC */
	uint32_t *link_index;		/* per declared sensor, its lower device */
	void *image;			/* NULL: no rules */
	size_t len;
};

/* A port as the file wants it, attached as it is? */
static bool port_same(const struct model_port *want, const struct model_port *have)
{
	if (want->device != have->device)
		return false;
	return !want->device || !want->devname[0] ||
	       !strcmp(want->devname, have->devname);
}

/*
 * Two images of the same program, tables, sets and rule texts, whichever
 * lines the rules were on: a ruleset that "rule add" built has the lines of
 * its own compilation, not the file's.
 */
static bool image_same(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	size_t off = 0, skip;

	if (alen != blen)
		return false;
	while (off + sizeof(struct dupto_vm_rec) <= alen) {
		const struct dupto_vm_rec *ra = (const void *)(a + off);
		const struct dupto_vm_rec *rb = (const void *)(b + off);

		if (ra->len != rb->len || ra->type != rb->type ||
		    ra->len < sizeof(*ra) || off + ra->len > alen)
			return false;
		/* struct dupto_vm_rule_rec starts with the line */
		skip = sizeof(*ra);
		if (ra->type == DUPTO_VM_REC_RULE && ra->len >= skip + sizeof(uint32_t))
			skip += sizeof(uint32_t);
		if (memcmp(a + off + skip, b + off + skip, ra->len - skip))
			return false;
		off += DUPTO_VM_REC_ALIGN(ra->len);
	}
	return off == alen;
}

/* Does the ruleset now loaded name this port? Then it cannot be detached. */
static bool ruleset_names_port(const struct model_ruleset *rs, const char *name)
{
	uint32_t i;

	for (i = 0; rs->prog && i < rs->prog->nports; i++)
		if (!strcmp(rs->prog->ports[i], name))
			return true;
	return false;
}

/*
 * The file against the namespace: every device it names exists and is of
 * the right kind, so that the changes below do not stop halfway for a
 * reason known in advance. Errors point into the file.
 */
static int check(struct plan *p, struct dupto_nl *rt)
{
	struct model *want = p->want;
	const struct model *have = &p->have->cfg;
	struct cc *cc = &want->cc;
	char lost[RTNL_BRPORT_LOST_SIZE];
	uint32_t i, j;
	int err;

	for (i = 0; i < want->nports; i++) {
		const struct model_port *w = &want->ports[i];
		const struct model_port *h = find_port(have, w->name);

		for (j = 0; j < have->nports; j++)
			if (have->ports[j].device && !strcmp(have->ports[j].devname, w->name))
				return cc_error(cc, &w->decl->loc,
						"'%s' is the port device of port '%s'; a port is named by its NIC",
						w->name, have->ports[j].name);
		if (find_sensor(have, w->name))
			return cc_error(cc, &w->decl->loc, "'%s' is a dupto sensor", w->name);
		p->port_index[i] = if_nametoindex(w->name);
		if (!p->port_index[i])
			return cc_error(cc, &w->decl->loc, "there is no device '%s' in this namespace",
					w->name);
		/* a bridge port to convert: what the module cannot read (rtnl.h) */
		if (!w->device || (h && port_same(w, h)))
			continue;
		err = rtnl_brport_lost(rt, p->port_index[i], w->name, lost, sizeof(lost));
		if (err)
			return -1;
		if (lost[0])
			return cc_error(cc, &w->decl->loc,
					"cannot attach '%s': bridge port settings would be lost: %s",
					w->name, lost);
	}
	for (i = 0; i < want->nsensors; i++) {
		const struct model_sensor *w = &want->sensors[i];

		if (!find_sensor(have, w->name) && if_nametoindex(w->name))
			return cc_error(cc, &w->decl->loc,
					"there is a device '%s' in this namespace, and it is not a dupto sensor",
					w->name);
		if (!w->link[0])
			continue;
		p->link_index[i] = if_nametoindex(w->link);
		if (!p->link_index[i])
			return cc_error(cc, &w->decl->other_loc,
					"there is no device '%s' in this namespace", w->link);
	}
	return 0;
}

static int apply(struct plan *p, struct dupto_nl *nl, struct dupto_nl *rt)
{
	const struct model *want = p->want, *have = &p->have->cfg;
	const struct model_ruleset *rs = &p->have->rs;
	bool changed = false, cleared = false;
	uint32_t i;
	int err;

	/* A port changes mode by detaching it, which the ruleset may forbid. */
	for (i = 0; i < want->nports && !cleared; i++) {
		const struct model_port *h = find_port(have, want->ports[i].name);

		if (h && !port_same(&want->ports[i], h) && ruleset_names_port(rs, h->name)) {
			err = ruleset_set(nl, NULL, 0, 0);
			if (err)
				return err;
			cleared = true;
		}
	}

	for (i = 0; i < want->nsensors; i++) {
		const struct model_sensor *w = &want->sensors[i];
		const struct model_sensor *h = find_sensor(have, w->name);

		if (h && h->linkindex == p->link_index[i]) {
			if (memcmp(&h->shape, &w->shape, sizeof(w->shape))) {
				err = sensor_shape_set(nl, w->name, &w->shape);
				if (err)
					return err;
			}
			continue;
		}
		/* on another lower device: a sensor cannot move, make it again */
		if (h && (err = rtnl_link_del(rt, h->ifindex))) {
			dupto_nl_perror(rt, err, "cannot delete sensor \"%s\"", w->name);
			return err;
		}
		err = rtnl_sensor_add(rt, w->name, p->link_index[i]);
		if (err) {
			dupto_nl_perror(rt, err, "cannot create sensor \"%s\"", w->name);
			return err;
		}
		if (memcmp(&w->shape, &(struct cc_shape){ 0 }, sizeof(w->shape))) {
			err = sensor_shape_set(nl, w->name, &w->shape);
			if (err)
				return err;
		}
		changed = true;
	}

	for (i = 0; i < want->nports; i++) {
		const struct model_port *w = &want->ports[i];
		const struct model_port *h = find_port(have, w->name);

		if (h && port_same(w, h)) {
			if (h->vid != w->vid &&
			    (err = port_set_vid(nl, p->port_index[i], w->name, w->vid)))
				return err;
			continue;
		}
		if (h && (err = port_detach(nl, h->ifindex, h->name)))
			return err;
		err = port_attach(nl, p->port_index[i], w->name, w->device,
				  w->devname, w->vid);
		if (err)
			return err;
		changed = true;
	}

	/* an unchanged ruleset keeps its counters */
	if (changed || cleared || !image_same(p->image, p->len, rs->image, rs->len)) {
		err = ruleset_set(nl, p->image, p->len, 0);
		if (err)
			return err;
	}

	/* Last, what the file does not declare: no rule names it now. */
	for (i = 0; i < have->nports; i++) {
		const struct model_port *h = &have->ports[i];

		if (h->gone)
			continue;
		if (!find_port(want, h->name) && (err = port_detach(nl, h->ifindex, h->name)))
			return err;
	}
	for (i = 0; i < have->nsensors; i++) {
		const struct model_sensor *h = &have->sensors[i];

		if (find_sensor(want, h->name))
			continue;
		err = rtnl_link_del(rt, h->ifindex);
		if (err) {
			dupto_nl_perror(rt, err, "cannot delete sensor \"%s\"", h->name);
			return err;
		}
	}
	return 0;
}

/*
 * After the kernel refused a step of @failed: the configuration as it was
 * before, by the same steps, from what the namespace has now. What check()
 * vouched for then holds now: every device was there. A port the old
 * ruleset named that was gone is left out; the ruleset still names it.
 */
static int rollback(const struct plan *failed, struct dupto_nl *nl,
		    struct dupto_nl *rt)
{
	const struct model *was = &failed->have->cfg;
	struct model old = { .sensors = was->sensors, .nsensors = was->nsensors };
	struct ns_state now = { 0 };
	struct plan p = { .want = &old, .have = &now,
			  .image = failed->have->rs.image, .len = failed->have->rs.len };
	uint32_t i;
	int err = -ENOMEM;

	old.ports = calloc(was->nports + 1, sizeof(*old.ports));
	p.port_index = calloc(was->nports + 1, sizeof(*p.port_index));
	p.link_index = calloc(was->nsensors + 1, sizeof(*p.link_index));
	if (!old.ports || !p.port_index || !p.link_index)
		goto out;
	for (i = 0; i < was->nports; i++) {
		if (was->ports[i].gone)
			continue;
		p.port_index[old.nports] = was->ports[i].ifindex;
		old.ports[old.nports++] = was->ports[i];
	}
	for (i = 0; i < was->nsensors; i++)
		p.link_index[i] = was->sensors[i].linkindex;
	err = ns_state_read(nl, &now, false);
	if (!err)
		err = apply(&p, nl, rt);
out:
	ns_state_free(&now);
	free(old.ports);
	free(p.port_index);
	free(p.link_index);
	return err;
}

/* The longest wait for devices "-w" takes, an hour: a boot that waits longer
 * for a NIC has a problem this cannot solve. */
#define WAIT_MAX	3600

/*
 * The devices a file needs before it can be loaded: its ports' NICs and
 * its sensors' lower devices. Port devices and sensors the load creates.
 */
static int wait_devices(const struct model *want, unsigned int seconds)
{
	const char **names;
	size_t n = 0;
	uint32_t i;
	int err;

	names = calloc(want->nports + want->nsensors + 1, sizeof(*names));
	if (!names)
		return -ENOMEM;
	for (i = 0; i < want->nports; i++)
		names[n++] = want->ports[i].name;
	for (i = 0; i < want->nsensors; i++)
		if (want->sensors[i].link[0])
			names[n++] = want->sensors[i].link;
	err = rtnl_wait_links("load", names, n, seconds);
	free(names);
	return err;
}

/* "-w SECONDS", "-wait SECONDS" or "--wait SECONDS" */
static bool is_wait(const char *arg)
{
	return arg[0] == '-' && arg[1] &&
	       matches(arg + 1 + (arg[1] == '-'), "wait");
}

static int do_load(int argc, char **argv)
{
	struct model want = { 0 };
	struct dupto_vm_prog *prog = NULL;
	struct dupto_nl *nl = NULL, *rt = NULL;
	struct ns_state have = { 0 };
	struct plan p = { .want = &want, .have = &have };
	unsigned long wait = 0;
	bool waiting = false;
	char msg[256], *end;
	int err = -1, k;

	if (argc >= 1 && is_wait(argv[0])) {
		if (argc < 2)
			return missing("load", "SECONDS after \"-w\"");
		errno = 0;
		wait = strtoul(argv[1], &end, 10);
		if (errno || end == argv[1] || *end || argv[1][0] == '-' ||
		    wait > WAIT_MAX) {
			fprintf(stderr, "dupto: load: \"%s\": seconds to wait are 0 to %u\n",
				argv[1], WAIT_MAX);
			return 1;
		}
		waiting = true;
		argc -= 2;
		argv += 2;
	}
	k = cli_netmask("load", argc, argv, &want.cc);
	if (k < 0)
		return 1;
	argc -= k;
	argv += k;
	if (argc < 1) {
		cli_usage(stderr, &dupto_load_object, CLI_USAGE);
		return 1;
	}
	if (argc > 1)
		return bad_arg("load", argv[1]);

	/* Everything the file says is checked before anything changes. */
	if (model_parse(&want, argv[0], stderr))
		goto out;
	if (want.cc.nrules || want.cc.ngroups) {
		cc_image(&want.cc, &p.image, &p.len);
		if (dupto_vm_load(p.image, p.len, &prog, msg, sizeof(msg))) {
			fprintf(stderr, "dupto: the VM refused the program: %s\n", msg);
			goto out;
		}
	}
	p.port_index = calloc(want.nports + 1, sizeof(*p.port_index));
	p.link_index = calloc(want.nsensors + 1, sizeof(*p.link_index));
	if (!p.port_index || !p.link_index)
		goto out;

	/*
	 * The module first: a boot that lacks it for this kernel says so at
	 * once rather than after the wait.
	 */
	nl = dupto_nl_open();
	if (!nl)
		goto out;
	/* at the deadline, check() names the first missing device in the file */
	if (waiting && wait_devices(&want, wait) == -ENOMEM)
		goto out;
	rt = dupto_nl_open_route();
	if (!rt || ns_state_read(nl, &have, false) || check(&p, rt))
		goto out;
	err = apply(&p, nl, rt);
	if (err && !rollback(&p, nl, rt))
		fprintf(stderr, "dupto: load stopped at this error, and put the configuration back as it was\n");
	else if (err)
		fprintf(stderr, "dupto: load stopped at this error, and could not put the configuration back: the namespace is only partly as \"%s\" says\n",
			argv[0]);
out:
	dupto_nl_close(rt);
	dupto_nl_close(nl);
	dupto_vm_free(prog);
	free(p.image);
	free(p.port_index);
	free(p.link_index);
	ns_state_free(&have);
	model_free(&want);
	return !!err;
}

static const struct cli_cmd cmds[] = {
	{ NULL, do_load, "[ -w[ait] SECONDS ] [ netmask MASK ] FILE" },
};

const struct cli_object dupto_load_object = DUPTO_OBJECT("load", cmds,
	"Make the namespace's ports, sensors and rules those of FILE (dupto.conf(5));\n"
	"FILE \"-\" is standard input. -w waits up to SECONDS for the devices FILE\n"
	"names (ports' NICs, sensors' lower devices) to appear, as at boot.\n"
	"netmask gives \"ip broadcast\" its netmask, as FILE's netmask statement does.\n");
