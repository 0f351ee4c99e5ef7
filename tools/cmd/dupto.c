// SPDX-License-Identifier: GPL-2.0
/*
 * dupto: configure classified mirroring of bridged traffic to sensors.
 *
 * main() parses the options every command shares, enters the requested
 * network namespace and hands the rest of the command line to the object's
 * handler from the table below.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "version.h"
#include "dupto.h"
#include "output.h"

struct dupto_opts dupto_opts;

struct dupto_object {
	const char *name;
	int (*handler)(int argc, char **argv);
	const char *usage;
};

static const struct dupto_object objects[] = {
	{ "port", do_port, "port { add DEV [ device [ name NAME ] ] | del DEV | show [ DEV ] }" },
	{ "sensor", do_sensor, "sensor { add NAME [ link DEV ] | del NAME | show [ NAME ] }" },
	{ "group", do_group, "group { add NAME members SENSOR[,SENSOR...] [ OPTIONS ] | del NAME | show [ NAME ] }" },
	{ "rule", do_rule, "rule { add [ index N ] RULE | del N | show [ -d ] }" },
	{ "load", do_load, "load FILE" },
	{ "save", do_save, "save" },
	{ "show", do_show, "show" },
	{ "stats", do_stats, "stats [ reset ]" },
	{ "monitor", do_monitor, "monitor" },
	{ "version", do_version, "version" },
	{ "compile", do_compile, "compile { FILE | -e TEXT } [ -r CAPTURE [ on PORT ] [ in | out ] ]" },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f,
		"Usage: dupto [ OPTIONS ] OBJECT { COMMAND | help }\n"
		"where  OPTIONS := { -j[son] | -p[retty] | -n[etns] NAME | -V[ersion] | -h[elp] }\n"
		"       OBJECT := {");
	for (i = 0; i < sizeof(objects) / sizeof(objects[0]); i++)
		fprintf(f, "%s %s", i ? " |" : "", objects[i].name);
	fprintf(f, " }\n\n");
	for (i = 0; i < sizeof(objects) / sizeof(objects[0]); i++)
		fprintf(f, "       dupto [ OPTIONS ] %s\n", objects[i].usage);
}

bool matches(const char *arg, const char *word)
{
	size_t len = strlen(arg);

	return len && len <= strlen(word) && !strncmp(arg, word, len);
}

/* Like "ip -n NAME": run in the namespace "ip netns add NAME" created. */
static int enter_netns(const char *name)
{
	char path[PATH_MAX];
	int fd;

	if (strchr(name, '/')) {
		fprintf(stderr, "dupto: invalid network namespace name \"%s\"\n",
			name);
		return -1;
	}
	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "dupto: cannot open network namespace \"%s\": %s\n",
			name, strerror(errno));
		return -1;
	}
	if (setns(fd, CLONE_NEWNET) < 0) {
		fprintf(stderr, "dupto: cannot enter network namespace \"%s\": %s\n",
			name, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static const struct dupto_object *find_object(const char *name)
{
	const struct dupto_object *found = NULL;
	size_t i;

	for (i = 0; i < sizeof(objects) / sizeof(objects[0]); i++) {
		if (!strcmp(name, objects[i].name))
			return &objects[i];
		if (matches(name, objects[i].name)) {
			if (found)
				return NULL;	/* ambiguous */
			found = &objects[i];
		}
	}
	return found;
}

int main(int argc, char **argv)
{
	const struct dupto_object *obj;

	while (argc > 1 && argv[1][0] == '-' && argv[1][1]) {
		const char *opt = argv[1] + 1 + (argv[1][1] == '-');

		if (matches(opt, "json")) {
			dupto_opts.json = true;
		} else if (matches(opt, "pretty")) {
			dupto_opts.pretty = true;
		} else if (matches(opt, "netns")) {
			if (argc < 3) {
				fprintf(stderr, "dupto: option \"%s\" needs a namespace name\n",
					argv[1]);
				return 1;
			}
			dupto_opts.netns = argv[2];
			argc--;
			argv++;
		} else if (matches(opt, "Version")) {
			printf("dupto %s\n", DUPTO_VERSION);
			return 0;
		} else if (matches(opt, "help")) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "dupto: unknown option \"%s\"; try \"dupto help\"\n",
				argv[1]);
			return 1;
		}
		argc--;
		argv++;
	}

	if (argc < 2) {
		usage(stderr);
		return 1;
	}
	if (matches(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	obj = find_object(argv[1]);
	if (!obj) {
		fprintf(stderr, "dupto: unknown object \"%s\"; try \"dupto help\"\n",
			argv[1]);
		return 1;
	}
	if (dupto_opts.netns && enter_netns(dupto_opts.netns))
		return 1;

	out_init(dupto_opts.json, dupto_opts.pretty);
	return obj->handler(argc - 2, argv + 2);
}
