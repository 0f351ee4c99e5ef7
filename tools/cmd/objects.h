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
 * (NULL or "": the kernel's choice). */
int port_attach(struct dupto_nl *nl, uint32_t ifindex, const char *name,
		bool device, const char *devname);
int port_detach(struct dupto_nl *nl, uint32_t ifindex, const char *name);
/* One port, as "port show" prints it; @prefix: "port " first, as "show" does. */
void port_print(const struct model_port *p, bool prefix);
void port_print_stats(const struct model_port *p, bool prefix);

/* sensor.c */
int sensor_dump(struct dupto_nl *nl, struct model *cfg);
void sensor_print(const struct model_sensor *s, bool prefix);
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

/* cli.c: helpers for the command lines */
struct dupto_subcmd {
	const char *name;
	int (*fn)(int argc, char **argv);
};

/*
 * Run the command argv[0] of @object from @cmds, abbreviations allowed
 * (the first match wins, as in iproute2); no command runs the first one,
 * "help" prints the usage.
 */
int dispatch(const char *object, const struct dupto_subcmd *cmds, size_t n,
	     void (*usage)(FILE *f), int argc, char **argv);
/* The index of device @name, or 0 after "dupto: CMD: cannot find device". */
uint32_t dev_index(const char *cmd, const char *name);
/* The name of device @ifindex into @buf (IF_NAMESIZE), or "" */
void dev_name(uint32_t ifindex, char *buf);
/* "dupto: CMD: unexpected argument "ARG"" and 1, for "return". */
int bad_arg(const char *cmd, const char *arg);
/* "dupto: OBJECT: unknown command "ARG"; try "dupto OBJECT help"" and 1. */
int bad_command(const char *object, const char *arg);
/* "dupto: CMD: missing WHAT" and 1. */
int missing(const char *cmd, const char *what);

#endif /* DUPTO_OBJECTS_H */
