// SPDX-License-Identifier: GPL-2.0
/*
 * What the commands share on their command lines: devices by name, and
 * messages for bad input that name the offending word.
 */

#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "dupto.h"
#include "objects.h"

int dispatch(const char *object, const struct dupto_subcmd *cmds, size_t n,
	     void (*usage)(FILE *f), int argc, char **argv)
{
	size_t i;

	if (argc < 1)
		return cmds[0].fn(0, argv);
	if (matches(argv[0], "help")) {
		usage(stdout);
		return 0;
	}
	for (i = 0; i < n; i++)
		if (matches(argv[0], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	return bad_command(object, argv[0]);
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

int bad_command(const char *object, const char *arg)
{
	fprintf(stderr, "dupto: %s: unknown command \"%s\"; try \"dupto %s help\"\n",
		object, arg, object);
	return 1;
}

int missing(const char *cmd, const char *what)
{
	fprintf(stderr, "dupto: %s: missing %s\n", cmd, what);
	return 1;
}
