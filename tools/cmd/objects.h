/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What each object's file knows of the kernel, for the commands that deal
 * with all of them (load, save, show, stats): reading ports, sensors and
 * the ruleset into the model, changing them, and printing them.
 */
#ifndef DUPTO_OBJECTS_H
#define DUPTO_OBJECTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "model.h"
#include "nl.h"
#include "vm/vm.h"

/* port.c */
int port_dump(struct dupto_nl *nl, struct model *cfg);
/* A DUPTO_A_PORT nest, of a dump or a notification, into @p. */
int port_parse(const struct nlattr *nest, struct model_port *p);
/* Attach @ifindex in device mode if @device, its port device named @devname
 * (NULL or "": the kernel's choice), labelled @vid (0: none). */
int port_attach(struct dupto_nl *nl, uint32_t ifindex, const char *name,
		bool device, const char *devname, uint16_t vid);
int port_detach(struct dupto_nl *nl, uint32_t ifindex, const char *name);
/* One port, as "port show" prints it; @prefix: "port " first, as "show" does. */
void port_print(const struct model_port *p, bool prefix);
void port_print_stats(const struct model_port *p, bool prefix);

/* sensor.c */
int sensor_dump(struct dupto_nl *nl, struct model *cfg);
/* A DUPTO_A_SENSOR nest, of a dump or a notification, into @s. */
int sensor_parse(const struct nlattr *nest, struct model_sensor *s);
void sensor_print(const struct model_sensor *s, bool prefix);
/* " snaplen N tag ...": the words of the options that are set. */
void sensor_print_shape(const struct cc_shape *sh);
/* Replace a sensor's shaping with @sh. */
int sensor_shape_set(struct dupto_nl *nl, const char *name, const struct cc_shape *sh);
/* Set a port's label (0: none). */
int port_set_vid(struct dupto_nl *nl, uint32_t ifindex, const char *name, uint16_t vid);
void sensor_print_stats(const struct model_sensor *s, bool prefix);

/* rule.c: the namespace's ruleset, as read from the kernel */
struct model_rule_stats {
	uint64_t packets;
	uint64_t bytes;
};

struct model_ruleset {
	uint64_t generation;
	uint8_t *image;			/* NULL: no ruleset */
	size_t len;
	struct dupto_vm_prog *prog;	/* the image, loaded by the VM's loader */
	struct model_rule_stats *stats;	/* per rule, with stats */
};

/* The ruleset, and its rules' counters if @stats, of one generation. */
int ruleset_get(struct dupto_nl *nl, struct model_ruleset *rs, bool stats);
void ruleset_free(struct model_ruleset *rs);
/*
 * Replace the ruleset by @image (NULL: none). With @generation non-zero,
 * only if the configuration is still at that generation: otherwise
 * -ESTALE, and nothing printed, so that the caller can say what happened.
 */
int ruleset_set(struct dupto_nl *nl, const void *image, size_t len,
		uint64_t generation);
/*
 * The groups and rules of @cfg compiled and loaded in place of the ruleset
 * of @generation; -ESTALE (said) if that is no longer the one loaded.
 */
int ruleset_replace(struct dupto_nl *nl, const struct model *cfg,
		    uint64_t generation);
/* The groups' and rules' texts into the model. */
void ruleset_to_model(const struct model_ruleset *rs, struct model *cfg);
void rule_print(const struct model_ruleset *rs, uint32_t i, bool prefix);
/* group.c */
void group_print(const struct dupto_vm_prog *prog, const struct dupto_vm_group *g,
		 bool prefix);
void rule_print_stats(const struct model_ruleset *rs, uint32_t i, bool prefix);

/* show.c: a namespace's ports, sensors and ruleset, as save, show, stats and
 * load read them */
struct ns_state {
	struct model cfg;	/* ports and sensors */
	struct model_ruleset rs;
};

/* Everything, with counters if @stats. */
int ns_state_read(struct dupto_nl *nl, struct ns_state *st, bool stats);
void ns_state_free(struct ns_state *st);

/* cli.c: the command line's objects, their commands and their words */

/* "dupto OBJECT COMMAND ...": a command, and its synopsis. */
struct cli_cmd {
	const char *name;	/* NULL: the object's only command */
	int (*fn)(int argc, char **argv);
	const char *usage;	/* after "dupto OBJECT "; NULL: another name */
};

struct cli_object {
	const char *name;
	const struct cli_cmd *cmds;	/* the first runs when none is named */
	size_t ncmds;
	const char *about;	/* what "dupto OBJECT help" adds to the synopsis */
};

#define DUPTO_XSTR(x)	#x
#define DUPTO_STR(x)	DUPTO_XSTR(x)

#define DUPTO_OBJECT(nm, c, text) \
	{ .name = nm, .cmds = c, .ncmds = sizeof(c) / sizeof((c)[0]), .about = text }

extern const struct cli_object dupto_port_object, dupto_sensor_object,
	dupto_group_object, dupto_rule_object, dupto_load_object,
	dupto_save_object, dupto_show_object, dupto_stats_object,
	dupto_monitor_object, dupto_version_object, dupto_compile_object;

/*
 * Which of the @n words at @words (each the first member of an entry
 * @size bytes from the last) @word is: the word itself, or an abbreviation
 * of one word only, entries whose @key is the same counting once (@key
 * NULL: all differ). -1 if none; -2 after "dupto: CTX: "WORD" is
 * ambiguous: ..." naming the candidates (CTX NULL: "dupto: "WORD" ..."). Every word of the command line
 * is resolved so; the configuration file takes whole words.
 */
int cli_lookup(const char *ctx, const char *word, const void *words, size_t n,
	       size_t size, const void *(*key)(const void *entry));

enum cli_usage {
	CLI_USAGE,	/* "Usage: dupto OBJECT ...", a line per command */
	CLI_HELP,	/* that, and what the object is for */
	CLI_LIST,	/* "       dupto [ OPTIONS ] OBJECT ...": in "dupto help" */
};

void cli_usage(FILE *f, const struct cli_object *o, enum cli_usage how);

/*
 * Run @o's command that argv[0] names (none: the first); "help" prints
 * the object's help.
 */
int cli_run(const struct cli_object *o, int argc, char **argv);

/* The index of device @name, or 0 after "dupto: CMD: cannot find device". */
uint32_t dev_index(const char *cmd, const char *name);
/* The name of device @ifindex into @buf (IF_NAMESIZE), or "" */
void dev_name(uint32_t ifindex, char *buf);
/* "dupto: CMD: unexpected argument "ARG"" and 1, for "return". */
int bad_arg(const char *cmd, const char *arg);
struct cc_option;
/* @arg as @o's number into @v; 1 after "dupto: CMD: "ARG": WHAT is MIN to MAX". */
int cli_number(const char *cmd, const struct cc_option *o, const char *arg,
	       uint64_t *v);
/* "dupto: CMD: missing WHAT" and 1. */
int missing(const char *cmd, const char *what);
/*
 * "netmask A.B.C.D" at @argv (@argc words left): the netmask of "ip
 * broadcast" into @cc, and the words it took (2); 0 if @argv does not
 * start with "netmask"; -1 after a message.
 */
int cli_netmask(const char *cmd, int argc, char **argv, struct cc *cc);

#endif /* DUPTO_OBJECTS_H */
