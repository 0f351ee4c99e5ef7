// SPDX-License-Identifier: GPL-2.0
/*
 * What the commands share on their command lines: running an object's
 * commands, resolving abbreviations, devices by name, and messages for bad
 * input that name the offending word.
 */

#include <arpa/inet.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "dupto.h"
#include "objects.h"
#include "options.h"

int cli_lookup(const char *ctx, const char *word, const void *words, size_t n,
	       size_t size, const void *(*key)(const void *entry))
{
	const char *base = words, *name;
	size_t i, j, len = strlen(word), found = 0;
	int first = -1;

	if (!len)
		return -1;
	for (i = 0; i < n; i++) {
		name = *(const char *const *)(base + i * size);
		if (name && !strcmp(name, word))
			return i;
	}
	for (i = 0; i < n; i++) {
		name = *(const char *const *)(base + i * size);
		if (!name || strncmp(name, word, len))
			continue;
		if (first >= 0 && key &&
		    key(base + i * size) == key(base + first * size))
			continue;
		if (first < 0)
			first = i;
		found++;
	}
	if (found < 2)
		return first;
	fprintf(stderr, "dupto: %s%s\"%s\" is ambiguous:", ctx ?: "", ctx ? ": " : "", word);
	for (i = 0, j = 0; i < n; i++) {
		name = *(const char *const *)(base + i * size);
		if (name && !strncmp(name, word, len))
			fprintf(stderr, "%s %s", j++ ? "," : "", name);
	}
	fputc('\n', stderr);
	return -2;
}

void cli_usage(FILE *f, const struct cli_object *o, enum cli_usage how)
{
	size_t i, n = 0;

	for (i = 0; i < o->ncmds; i++) {
		if (!o->cmds[i].usage)
			continue;
		fprintf(f, "%s dupto %s%s%s%s\n",
			n++ || how == CLI_LIST ? "      " : "Usage:",
			how == CLI_LIST ? "[ OPTIONS ] " : "", o->name,
			o->cmds[i].usage[0] ? " " : "", o->cmds[i].usage);
	}
	if (how == CLI_HELP && o->about)
		fputs(o->about, f);
}

static const void *cmd_fn(const void *entry)
{
	return (const void *)(uintptr_t)((const struct cli_cmd *)entry)->fn;
}

int cli_run(const struct cli_object *o, int argc, char **argv)
{
	const struct cli_cmd *cmd = &o->cmds[0];
	int i;

	/* an only command may take any word (a file name): "help" alone */
	if (argc && (cmd->name ? matches(argv[0], "help") :
		     argc == 1 && !strcmp(argv[0], "help"))) {
		cli_usage(stdout, o, CLI_HELP);
		return 0;
	}
	if (!cmd->name || !argc)
		return cmd->fn(argc, argv);
	i = cli_lookup(o->name, argv[0], o->cmds, o->ncmds, sizeof(*o->cmds), cmd_fn);
	if (i == -2)
		return 1;
	if (i < 0) {
		fprintf(stderr, "dupto: %s: unknown command \"%s\"; try \"dupto %s help\"\n",
			o->name, argv[0], o->name);
		return 1;
	}
	return o->cmds[i].fn(argc - 1, argv + 1);
}

uint32_t dev_index(const char *cmd, const char *name)
{
	uint32_t ifindex = strlen(name) < IF_NAMESIZE ? if_nametoindex(name) : 0;

	if (!ifindex)
		fprintf(stderr, "dupto: %s: cannot find device \"%s\"\n", cmd, name);
	return ifindex;
}

void dev_name(uint32_t ifindex, char *buf)
{
	if (!ifindex || !if_indextoname(ifindex, buf))
		buf[0] = 0;
}

int bad_arg(const char *cmd, const char *arg)
{
	fprintf(stderr, "dupto: %s: unexpected argument \"%s\"\n", cmd, arg);
	return 1;
}

int cli_number(const char *cmd, const struct cc_option *o, const char *arg,
	       uint64_t *v)
{
	if (cc_option_number(o, arg, strlen(arg), v))
		return 0;
	fprintf(stderr, "dupto: %s: \"%s\": %s is %llu to %llu\n", cmd, arg,
		o->what, (unsigned long long)o->min, (unsigned long long)o->max);
	return 1;
}

int missing(const char *cmd, const char *what)
{
	fprintf(stderr, "dupto: %s: missing %s\n", cmd, what);
	return 1;
}

int cli_netmask(const char *cmd, int argc, char **argv, struct cc *cc)
{
	struct in_addr a;
	const char *why;

	if (!argc || strcmp(argv[0], "netmask"))
		return 0;
	if (argc < 2) {
		missing(cmd, "A.B.C.D after \"netmask\"");
		return -1;
	}
	if (inet_pton(AF_INET, argv[1], &a) != 1) {
		fprintf(stderr, "dupto: %s: \"%s\" is not a netmask such as 255.255.255.0\n",
			cmd, argv[1]);
		return -1;
	}
	why = cc_netmask_invalid(ntohl(a.s_addr));
	if (why) {
		fprintf(stderr, "dupto: %s: netmask %s %s\n", cmd, argv[1], why);
		return -1;
	}
	cc->has_netmask = true;
	cc->netmask = ntohl(a.s_addr);
	return 2;
}
