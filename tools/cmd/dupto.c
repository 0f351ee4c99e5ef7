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
#include "objects.h"
#include "output.h"

struct dupto_opts dupto_opts;

static const struct cli_object *const objects[] = {
	&dupto_port_object, &dupto_sensor_object, &dupto_group_object,
	&dupto_rule_object, &dupto_load_object, &dupto_save_object,
	&dupto_show_object, &dupto_stats_object, &dupto_monitor_object,
	&dupto_version_object, &dupto_compile_object,
};

#define NOBJECTS	(sizeof(objects) / sizeof(objects[0]))

/* The options every command honours. */
enum { OPT_JSON, OPT_PRETTY, OPT_NETNS, OPT_VERSION, OPT_HELP };

static const struct {
	const char *name;
} options[] = {
	[OPT_JSON] = { "json" },
	[OPT_PRETTY] = { "pretty" },
	[OPT_NETNS] = { "netns" },
	[OPT_VERSION] = { "Version" },
	[OPT_HELP] = { "help" },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f,
		"Usage: dupto [ OPTIONS ] OBJECT { COMMAND | help }\n"
		"where  OPTIONS := { -j[son] | -p[retty] | -n[etns] NAME | -V[ersion] | -h[elp] }\n"
		"       OBJECT := {");
	for (i = 0; i < NOBJECTS; i++)
		fprintf(f, "%s %s", i ? " |" : "", objects[i]->name);
	fprintf(f, " }\n\n");
	for (i = 0; i < NOBJECTS; i++)
		cli_usage(f, objects[i], CLI_LIST);
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

/* The object @word names, by the table above; "help" is none. */
static int find_object(const char *word)
{
	const char *names[NOBJECTS];
	size_t i;

	for (i = 0; i < NOBJECTS; i++)
		names[i] = objects[i]->name;
	return cli_lookup(NULL, word, names, NOBJECTS, sizeof(names[0]), NULL);
}

int main(int argc, char **argv)
{
	int obj, opt;

	while (argc > 1 && argv[1][0] == '-' && argv[1][1]) {
		const char *word = argv[1] + 1 + (argv[1][1] == '-');

		opt = cli_lookup(NULL, word, options, sizeof(options) / sizeof(options[0]),
				 sizeof(options[0]), NULL);
		switch (opt) {
		case OPT_JSON:
			dupto_opts.json = true;
			break;
		case OPT_PRETTY:
			dupto_opts.pretty = true;
			break;
		case OPT_NETNS:
			if (argc < 3) {
				fprintf(stderr, "dupto: option \"%s\" needs a namespace name\n",
					argv[1]);
				return 1;
			}
			dupto_opts.netns = argv[2];
			argc--;
			argv++;
			break;
		case OPT_VERSION:
			printf("dupto %s\n", DUPTO_VERSION);
			return 0;
		case OPT_HELP:
			usage(stdout);
			return 0;
		case -2:
			return 1;
		default:
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
	if (!strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	obj = find_object(argv[1]);
	if (obj == -2)
		return 1;
	if (obj < 0) {
		if (matches(argv[1], "help")) {
			usage(stdout);
			return 0;
		}
		fprintf(stderr, "dupto: unknown object \"%s\"; try \"dupto help\"\n",
			argv[1]);
		return 1;
	}
	if (dupto_opts.netns && enter_netns(dupto_opts.netns))
		return 1;

	out_init(dupto_opts.json, dupto_opts.pretty);
	return cli_run(objects[obj], argc - 2, argv + 2);
}
