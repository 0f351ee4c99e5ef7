/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The options of sensors and ports, one table for everything that says or
 * reads them: the configuration file's parser, the command line, "dupto
 * save", "dupto show" (text and JSON) and the netlink messages. Each
 * option's range is the kernel's (uapi/linux/dupto.h), so that what one
 * side takes, the others take too.
 */
#ifndef DUPTO_OPTIONS_H
#define DUPTO_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compiler.h"

enum cc_opt_type {
	CC_OPT_FLAG,	/* a word alone; a bool */
	CC_OPT_U32,	/* a word and a number; a uint32_t */
	CC_OPT_U64,	/* a word and a number; a uint64_t */
};

struct cc_option {
	const char *word;	/* as the file and the command line say it */
	const char *key;	/* its member in JSON output */
	const char *what;	/* what its number is, for messages */
	uint16_t attr;		/* its netlink attribute */
	uint8_t type;		/* enum cc_opt_type */
	uint64_t min, max;	/* the number's range */
	size_t off;		/* where it is in struct cc_shape */
};

/* A sensor's shaping options, in the order they are written. */
extern const struct cc_option cc_shape_options[];
extern const size_t cc_shape_noptions;

/* A port's label: "tag VID". */
extern const struct cc_option cc_port_tag;

/* The shaping option named by the @len bytes at @word, NULL if none. */
const struct cc_option *cc_shape_option(const char *word, size_t len);

/*
 * The number in the @len bytes at @text (decimal, hexadecimal after 0x,
 * octal after 0) into @v; false if it is no number or out of @o's range.
 */
bool cc_option_number(const struct cc_option *o, const char *text, size_t len,
		      uint64_t *v);

/* An option's value in @sh: 0 when it is off (a flag: 1 when on). */
uint64_t cc_shape_get(const struct cc_shape *sh, const struct cc_option *o);
void cc_shape_set(struct cc_shape *sh, const struct cc_option *o, uint64_t v);

/*
 * What a shaping needs beyond each option's range: NULL if it is right,
 * else why not, and the option at fault in @o.
 */
const char *cc_shape_invalid(const struct cc_shape *sh, const struct cc_option **o);

#define CC_SHAPE_MAX_OPTIONS	8	/* cc_shape_noptions, at most */

#endif /* DUPTO_OPTIONS_H */
