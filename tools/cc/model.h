/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A namespace's configuration in memory: its ports, its sensors and the
 * text of its rules. It sits between a configuration file (dupto.conf(5),
 * read by the compiler), the kernel (read and changed by port.c, sensor.c
 * and rule.c) and the printers, as wg's struct wgdevice does.
 */
#ifndef DUPTO_MODEL_H
#define DUPTO_MODEL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "compiler.h"

struct dupto_nl;

struct model_port_stats {
	uint64_t seen;
	uint64_t matched;
	uint64_t errors;
};

struct model_port {
	char name[CC_IFNAMSIZ];		/* the NIC */
	bool device;			/* through a port device */
	char devname[CC_IFNAMSIZ];	/* its name; in a file, "" if not given */
	/* what the kernel says */
	uint32_t ifindex;
	uint32_t devindex;
	bool out;			/* frames leaving it are classified */
	uint16_t vid;			/* its label, 0: none */
	/* the ruleset names it and it is not attached: only the name is known */
	bool gone;
	struct model_port_stats stats;
	/* read from a file: its statement */
	const struct cc_decl *decl;
};

struct model_sensor_stats {
	uint64_t sent;
	uint64_t down;
	uint64_t queue;
	uint64_t nomem;
	uint64_t loop;
	uint64_t ratelimit;
	uint64_t sampled;
	uint64_t snapfail;
};

struct model_sensor {
	char name[CC_IFNAMSIZ];
	char link[CC_IFNAMSIZ];		/* the lower device; "" if none */
	uint32_t ifindex;
	uint32_t linkindex;
	struct cc_shape shape;
	struct model_sensor_stats stats;
	/* deleted while the ruleset sent to it (a notification's) */
	bool gone;
	const struct cc_decl *decl;
};

struct model {
	struct model_port *ports;
	uint32_t nports;
	struct model_sensor *sensors;
	uint32_t nsensors;
	char **groups;			/* "group ...", one line each */
	uint32_t ngroups;
	char **rules;			/* "rule ...", one line each */
	uint32_t nrules;
	/* a parsed file: its compilation, which the declarations are in */
	struct cc cc;
	char *src;
};

/* The whole file ("-": standard input), NUL-terminated; free() it. */
char *read_file(const char *path, size_t *len);

/*
 * Parse and compile a configuration file, diagnostics to @errf. The
 * compiled ruleset stays in cfg->cc (cc_image() gives its image); rules
 * and declarations are also in the model.
 */
int model_parse(struct model *cfg, const char *path, FILE *errf);
/* The same, from text; @file names it in diagnostics. Takes @text. */
int model_parse_text(struct model *cfg, const char *file, char *text,
		     size_t len, FILE *errf);

/* Grow the model by one zeroed port or sensor; allocation failure aborts. */
struct model_port *model_add_port(struct model *cfg);
struct model_sensor *model_add_sensor(struct model *cfg);
/* The groups of a compiled ruleset or of a loaded program, as text. */
int model_groups_from_cc(struct model *cfg, const struct cc *cc);
struct dupto_vm_prog;
int model_groups_from_prog(struct model *cfg,
			   const struct dupto_vm_prog *prog);
/* A rule's text, as the kernel keeps it (not NUL-terminated). */
void model_add_rule(struct model *cfg, const char *text, size_t len);

/*
 * The configuration as a file: ports, sensors, groups and rules, each kind
 * sorted as "dupto save" prints it (ports, sensors and groups by name,
 * rules in order),
 * so that equal configurations read the same. -1, with a message to
 * @errf, if something cannot be written.
 */
int model_write(FILE *f, const struct model *cfg, FILE *errf);

void model_free(struct model *cfg);

/* " snaplen N tag ...": a sensor's shaping as the file and the tool say it */
void shape_write(FILE *f, const struct cc_shape *sh);

#endif /* DUPTO_MODEL_H */
