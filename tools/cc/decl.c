// SPDX-License-Identifier: GPL-2.0
/*
 * The declarations of a configuration file: its ports and sensors are
 * devices of one network namespace, so no two may share a name; a sensor
 * is a dead end, so it is never stacked on a port or another sensor; and
 * its rules may only send frames to the sensors it declares and speak of
 * the ports it declares. "dupto load" relies on this: whatever the file
 * does not declare, it removes.
 *
 * Also: writing a name back so that the lexer reads it as that name.
 */

#include <stdlib.h>
#include <string.h>

#include "compiler.h"

static const char *kind_name(const struct cc_decl *d)
{
	return d->kind == DECL_PORT ? "port" : "sensor";
}

/*
 * The declaration among the first @upto that declares @name, as its own
 * name or (*dev set) as the name of its port device.
 */
static const struct cc_decl *find(const struct cc *cc, const char *name,
				  uint32_t upto, bool *dev)
{
	uint32_t i;

	for (i = 0; i < upto; i++) {
		const struct cc_decl *d = &cc->decls[i];

		*dev = false;
		if (!strcmp(d->name, name))
			return d;
		*dev = true;
		if (d->kind == DECL_PORT && d->other[0] && !strcmp(d->other, name))
			return d;
	}
	return NULL;
}

static int declared_twice(struct cc *cc, const struct loc *loc,
			  const char *name, const struct cc_decl *prev, bool dev)
{
	if (dev)
		return cc_error(cc, loc,
				"'%s' is already declared as the port device of port '%s' on line %u",
				name, prev->name, prev->loc.line);
	return cc_error(cc, loc, "'%s' is already declared as a %s on line %u",
			name, kind_name(prev), prev->loc.line);
}

static int check_decl(struct cc *cc, uint32_t i)
{
	const struct cc_decl *d = &cc->decls[i], *prev;
	bool dev;
	uint32_t j;

	prev = find(cc, d->name, i, &dev);
	if (prev)
		return declared_twice(cc, &d->loc, d->name, prev, dev);
	if (d->kind == DECL_PORT) {
		if (!d->other[0])
			return 0;
		if (!strcmp(d->other, d->name))
			return declared_twice(cc, &d->other_loc, d->other, d, false);
		prev = find(cc, d->other, i, &dev);
		if (prev)
			return declared_twice(cc, &d->other_loc, d->other, prev, dev);
		return 0;
	}

	if (!d->other[0])
		return 0;
	/* a sensor stacked on a port or a sensor would mirror into itself */
	prev = find(cc, d->other, cc->ndecls, &dev);
	if (prev && dev)
		return cc_error(cc, &d->other_loc,
				"a sensor cannot be stacked on the port device of port '%s' (line %u)",
				prev->name, prev->loc.line);
	if (prev)
		return cc_error(cc, &d->other_loc,
				"a sensor cannot be stacked on %s '%s' (line %u)",
				kind_name(prev), prev->name, prev->loc.line);
	/* a device has one receive handler: one sensor per lower device */
	for (j = 0; j < i; j++) {
		prev = &cc->decls[j];
		if (prev->kind == DECL_SENSOR && !strcmp(prev->other, d->other))
			return cc_error(cc, &d->other_loc,
					"'%s' is already the lower device of sensor '%s' on line %u",
					d->other, prev->name, prev->loc.line);
	}
	return 0;
}

static bool declared(const struct cc *cc, const char *name,
		     enum cc_decl_kind kind)
{
	uint32_t i;

	for (i = 0; i < cc->ndecls; i++)
		if (cc->decls[i].kind == kind && !strcmp(cc->decls[i].name, name))
			return true;
	return false;
}

static bool is_group(const struct cc *cc, const char *name)
{
	uint32_t i;

	for (i = 0; i < cc->ngroups; i++)
		if (!strcmp(cc->targets[cc->groups[i].target], name))
			return true;
	return false;
}

/* A group's name is no device's; its members are declared sensors. */
static int check_groups(struct cc *cc)
{
	const struct cc_decl *d;
	uint32_t i, m;
	bool dev;

	for (i = 0; i < cc->ngroups; i++) {
		const struct cc_group *g = &cc->groups[i];
		const char *name = cc->targets[g->target];

		d = find(cc, name, cc->ndecls, &dev);
		if (d)
			return cc_error(cc, &g->loc, dev ?
					"'%s' is the port device of port '%s'; a group needs a name of its own" :
					"'%s' is a %s; a group needs a name of its own",
					name, dev ? d->name : kind_name(d));
		for (m = 0; m < g->nmembers; m++) {
			const char *mn = cc->targets[g->members[m]];

			if (declared(cc, mn, DECL_SENSOR))
				continue;
			d = find(cc, mn, cc->ndecls, &dev);
			if (d && !dev && d->kind == DECL_PORT)
				return cc_error(cc, &g->member_locs[m],
						"member '%s' is a port, not a sensor", mn);
			return cc_error(cc, &g->member_locs[m],
					"member '%s' is not a declared sensor", mn);
		}
	}
	return 0;
}

/* The first use, in the source, of an undeclared target or port. */
static int check_uses(struct cc *cc)
{
	const struct loc *loc = NULL;
	const char *name = NULL;
	bool target = false;
	const struct cc_decl *d;
	uint32_t i;
	bool dev;

	for (i = 0; i < cc->ntargets; i++) {
		if (declared(cc, cc->targets[i], DECL_SENSOR) ||
		    is_group(cc, cc->targets[i]))
			continue;
		if (!loc || cc->target_locs[i].pos < loc->pos) {
			loc = &cc->target_locs[i];
			name = cc->targets[i];
			target = true;
		}
	}
	for (i = 0; i < cc->nports; i++) {
		if (declared(cc, cc->ports[i], DECL_PORT))
			continue;
		if (!loc || cc->port_locs[i].pos < loc->pos) {
			loc = &cc->port_locs[i];
			name = cc->ports[i];
			target = false;
		}
	}
	if (!loc)
		return 0;

	d = find(cc, name, cc->ndecls, &dev);
	if (target && d && d->kind == DECL_PORT)
		return cc_error(cc, loc, "target '%s' is a port, not a sensor", name);
	if (target)
		return cc_error(cc, loc, "target '%s' is not a declared sensor", name);
	if (d && dev)
		return cc_error(cc, loc,
				"'%s' is the port device of port '%s'; rules name a port by its NIC",
				name, d->name);
	return cc_error(cc, loc, "port '%s' is not a declared port", name);
}

int cc_decls(struct cc *cc)
{
	uint32_t i;

	if (!cc->config && !cc->ndecls)
		return 0;	/* a ruleset: the kernel binds its names */
	for (i = 0; i < cc->ndecls; i++)
		if (check_decl(cc, i))
			return -1;
	if (check_groups(cc))
		return -1;
	return check_uses(cc);
}

/* Does @text lex as exactly one word, escaped or not, that is no keyword? */
static bool one_word(const char *text, bool escaped)
{
	struct cc cc = { .src = text, .len = strlen(text) };
	bool ok;

	ok = !cc_lex(&cc) && cc.ntoks == 2 && cc.toks[0].type == T_ID &&
	     cc.toks[0].escaped == escaped && cc.toks[0].loc.len == cc.len &&
	     (escaped || !cc_is_keyword(text, cc.len));
	cc_free(&cc);
	return ok;
}

int cc_write_name(const char *name, char *buf, size_t size)
{
	size_t len = strlen(name);

	if (len + 2 > size || !len)
		return -1;
	if (one_word(name, false)) {
		memcpy(buf, name, len + 1);
		return 0;
	}
	buf[0] = '\\';
	memcpy(buf + 1, name, len + 1);
	return one_word(buf, true) ? 0 : -1;
}

char *cc_group_text(const char *name, const char (*targets)[DUPTO_VM_NAME_MAX],
		    const uint16_t *members, const uint8_t *weights, uint32_t n,
		    uint8_t hash, uint32_t seed)
{
	char buf[DUPTO_VM_NAME_MAX + 2];
	bool weighted = false;
	char *text = NULL;
	size_t len = 0;
	uint32_t i;
	FILE *f;
	int bad;

	f = open_memstream(&text, &len);
	if (!f)
		return NULL;
	bad = cc_write_name(name, buf, sizeof(buf));
	fprintf(f, "group %s members", buf);
	for (i = 0; i < n && !bad; i++) {
		bad = cc_write_name(targets[members[i]], buf, sizeof(buf));
		fprintf(f, "%s %s", i ? "," : "", buf);
		weighted |= weights[i] != 1;
	}
	fprintf(f, " hash %s seed %u",
		hash == DUPTO_VM_HASH_ADDRS ? "addresses" : "addresses-ports", seed);
	if (weighted) {
		fputs(" weights", f);
		for (i = 0; i < n; i++)
			fprintf(f, "%s %u", i ? "," : "", weights[i]);
	}
	fclose(f);
	if (bad) {
		free(text);
		return NULL;
	}
	return text;
}
