/* SPDX-License-Identifier: GPL-2.0 */
/* The subcommands' entry points and the options every one of them honours. */
#ifndef DUPTO_DUPTO_H
#define DUPTO_DUPTO_H

#include <stdbool.h>

struct dupto_opts {
	bool json;
	bool pretty;
	const char *netns;
};

extern struct dupto_opts dupto_opts;

/* True if arg is a non-empty prefix of word, iproute2 style. */
bool matches(const char *arg, const char *word);

int do_version(int argc, char **argv);
int do_compile(int argc, char **argv);
int do_port(int argc, char **argv);
int do_sensor(int argc, char **argv);
int do_rule(int argc, char **argv);
int do_group(int argc, char **argv);
int do_load(int argc, char **argv);
int do_save(int argc, char **argv);
int do_show(int argc, char **argv);
int do_stats(int argc, char **argv);
int do_monitor(int argc, char **argv);

#endif /* DUPTO_DUPTO_H */
