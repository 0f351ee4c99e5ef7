// SPDX-License-Identifier: GPL-2.0
/*
 * dupto group: sensors that share the flows, one member per flow.
 *
 * Groups travel in the ruleset's image (uapi/linux/dupto_vm.h, "Groups"),
 * so "group add" and "group del" work as "rule add" does: read the image,
 * take its groups' and rules' texts, change them, compile the whole and
 * load it in place of the generation read.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler.h"
#include "dupto.h"
#include "objects.h"
#include "output.h"

static const struct dupto_vm_group *find(const struct dupto_vm_prog *prog,
					 const char *name)
{
	uint32_t i;

	for (i = 0; prog && i < prog->ngroups; i++)
		if (!strcmp(prog->targets[prog->groups[i].target], name))
			return &prog->groups[i];
	return NULL;
}

/* The first rule that names target @t, from 1; 0 if none does. */
static uint32_t rule_naming(const struct dupto_vm_prog *prog, uint16_t t)
{
	uint32_t r, k;

	for (r = 0; prog && r < prog->nrules; r++)
		for (k = 0; k < prog->rules[r].ntargets; k++)
			if (prog->rules[r].target_idx[k] == t)
				return r + 1;
	return 0;
}

static int group_add(int argc, char **argv)
{
	struct cc one = { .file = "<group>", .errf = stderr };
	struct model_ruleset rs = { 0 };
	struct model cfg = { 0 };
	struct dupto_nl *nl = NULL;
	const char *name;
	char *text = NULL;
	size_t len = 0;
	uint32_t i, r;
	FILE *mem;
	int err = -EINVAL;

	if (argc < 1)
		return missing("group add", "NAME");
	/* the words of the command line are the statement's */
	mem = open_memstream(&text, &len);
	if (!mem)
		return 1;
	fputs("group", mem);
	for (i = 0; i < (uint32_t)argc; i++)
		fprintf(mem, " %s", argv[i]);
	fclose(mem);
	one.src = text;
	one.len = len;
	if (cc_compile(&one, false))
		goto out;
	if (one.ngroups != 1 || one.nrules || one.ndecls) {
		fprintf(stderr, "dupto: group add: one group, and nothing else\n");
		goto out;
	}
	name = one.targets[one.groups[0].target];

	nl = dupto_nl_open();
	if (!nl || ruleset_get(nl, &rs, false))
		goto out;
	if (find(rs.prog, name)) {
		fprintf(stderr, "dupto: group add: there is a group \"%s\" already\n", name);
		goto out;
	}
	for (i = 0; rs.prog && i < rs.prog->ntargets; i++) {
		if (strcmp(rs.prog->targets[i], name))
			continue;
		r = rule_naming(rs.prog, i);
		if (r)
			fprintf(stderr, "dupto: group add: rule %u sends frames to sensor \"%s\"; a group needs a name of its own\n",
				r, name);
		else
			fprintf(stderr, "dupto: group add: \"%s\" is a member of a group; a group needs a name of its own\n",
				name);
		goto out;
	}
	ruleset_to_model(&rs, &cfg);
	model_groups_from_cc(&cfg, &one);
	err = ruleset_replace(nl, &cfg, rs.generation);
out:
	dupto_nl_close(nl);
	ruleset_free(&rs);
	model_free(&cfg);
	cc_free(&one);
	free(text);
	return !!err;
}

static int group_del(int argc, char **argv)
{
	struct model_ruleset rs = { 0 };
	struct model cfg = { 0 };
	const struct dupto_vm_group *g;
	struct dupto_nl *nl;
	uint32_t r, i;
	int err = -EINVAL;

	if (argc < 1)
		return missing("group del", "NAME");
	if (argc > 1)
		return bad_arg("group del", argv[1]);
	nl = dupto_nl_open();
	if (!nl || ruleset_get(nl, &rs, false))
		goto out;
	g = find(rs.prog, argv[0]);
	if (!g) {
		fprintf(stderr, "dupto: group del: there is no group \"%s\"\n", argv[0]);
		goto out;
	}
	r = rule_naming(rs.prog, g->target);
	if (r) {
		fprintf(stderr, "dupto: group del: rule %u sends frames to group \"%s\"; delete it first\n",
			r, argv[0]);
		goto out;
	}
	/* the model has the groups in the image's order */
	ruleset_to_model(&rs, &cfg);
	i = g - rs.prog->groups;
	free(cfg.groups[i]);
	memmove(&cfg.groups[i], &cfg.groups[i + 1],
		(cfg.ngroups - i - 1) * sizeof(*cfg.groups));
	cfg.ngroups--;
	err = ruleset_replace(nl, &cfg, rs.generation);
out:
	dupto_nl_close(nl);
	ruleset_free(&rs);
	model_free(&cfg);
	return !!err;
}

void group_print(const struct dupto_vm_prog *prog, const struct dupto_vm_group *g,
		 bool prefix)
{
	bool weighted = false;
	uint32_t m;

	out_open_object(NULL);
	if (prefix)
		out_text("group ");
	out_str("name", "%s", prog->targets[g->target]);
	out_open_array("members");
	for (m = 0; m < g->nmembers; m++) {
		out_open_object(NULL);
		out_str("name", m ? ", %s" : " members %s", prog->targets[g->members[m].target]);
		out_uint("weight", NULL, g->members[m].weight);
		out_close_object();
		weighted |= g->members[m].weight != 1;
	}
	out_close_array();
	/* in the words "group add" takes, so that the line can be given back */
	for (m = 0; weighted && m < g->nmembers; m++) {
		char w[16];

		snprintf(w, sizeof(w), m ? ", %u" : " weights %u",
			 g->members[m].weight);
		out_text(w);
	}
	out_str("hash", " hash %s", g->hash == DUPTO_VM_HASH_ADDRS ? "addresses" :
		"addresses-ports");
	out_uint("seed", " seed %" PRIu64, g->seed);
	out_nl();
	out_close_object();
}

static int group_show(int argc, char **argv)
{
	struct model_ruleset rs = { 0 };
	struct dupto_nl *nl;
	uint32_t i;
	int err;

	if (argc > 1)
		return bad_arg("group show", argv[1]);
	nl = dupto_nl_open();
	if (!nl)
		return 1;
	err = ruleset_get(nl, &rs, false);
	dupto_nl_close(nl);
	if (!err && argc && !find(rs.prog, argv[0])) {
		fprintf(stderr, "dupto: group show: there is no group \"%s\"\n", argv[0]);
		err = -ENOENT;
	}
	if (!err) {
		out_open_array(NULL);
		for (i = 0; rs.prog && i < rs.prog->ngroups; i++) {
			const struct dupto_vm_group *g = &rs.prog->groups[i];

			if (!argc || !strcmp(rs.prog->targets[g->target], argv[0]))
				group_print(rs.prog, g, false);
		}
		out_close_array();
		out_flush();
	}
	ruleset_free(&rs);
	return !!err;
}

static const struct cli_cmd cmds[] = {
	{ "show", group_show, "show [ NAME ]" },
	{ "add", group_add, "add NAME members SENSOR[,SENSOR...] [ hash { addresses | addresses-ports } ] [ seed N ] [ weights W[,W...] ]" },
	{ "delete", group_del, "del NAME" },
	{ "list", group_show, NULL },
};

const struct cli_object dupto_group_object = DUPTO_OBJECT("group", cmds,
	"A group sends each flow, both directions, to one of its members: rules name it\n"
	"as a target (\"rule add tcp to NAME\"). The hash covers addresses and ports by\n"
	"default; the seed (0 by default) makes two boxes choose alike; weights are\n"
	"1 to " DUPTO_STR(DUPTO_VM_MAX_WEIGHT) ", 1 by default.\n");
