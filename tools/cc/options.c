// SPDX-License-Identifier: GPL-2.0
/*
 * The options of sensors and ports (options.h): their words, their ranges,
 * where they live in the model.
 */

#include <ctype.h>
#include <string.h>

#include <linux/dupto.h>

#include "options.h"

#define SHAPE(w, k, wh, a, t, lo, hi, field) \
	{ .word = w, .key = k, .what = wh, .attr = a, .type = t, .min = lo, \
	  .max = hi, .off = offsetof(struct cc_shape, field) }

const struct cc_option cc_shape_options[] = {
	SHAPE("snaplen", "snaplen", "a snap length", DUPTO_A_SENSOR_SNAPLEN,
	      CC_OPT_U32, DUPTO_SNAPLEN_MIN, DUPTO_SNAPLEN_MAX, snaplen),
	SHAPE("tag", "tag", NULL, DUPTO_A_SENSOR_TAG, CC_OPT_FLAG, 0, 1, tag),
	SHAPE("sample", "sample", "a sampling ratio", DUPTO_A_SENSOR_SAMPLE,
	      CC_OPT_U32, 1, UINT32_MAX, sample),
	SHAPE("sample-flows", "sample_flows", "a sampling ratio",
	      DUPTO_A_SENSOR_SAMPLE_FLOW, CC_OPT_U32, 1, UINT32_MAX,
	      sample_flow),
	SHAPE("rate", "rate", "a rate in frames per second",
	      DUPTO_A_SENSOR_RATE_PPS, CC_OPT_U32, 1, UINT32_MAX, pps),
	SHAPE("byte-rate", "byte_rate", "a rate in bytes per second",
	      DUPTO_A_SENSOR_RATE_BPS, CC_OPT_U64, 1, UINT64_MAX, bps),
	SHAPE("burst", "burst", "a burst in frames", DUPTO_A_SENSOR_BURST,
	      CC_OPT_U32, 1, DUPTO_BURST_MAX, burst),
};

const size_t cc_shape_noptions = sizeof(cc_shape_options) / sizeof(cc_shape_options[0]);
_Static_assert(sizeof(cc_shape_options) / sizeof(cc_shape_options[0]) <= CC_SHAPE_MAX_OPTIONS,
	       "CC_SHAPE_MAX_OPTIONS");

const struct cc_option cc_port_tag = {
	.word = "tag", .key = "tag", .what = "a VLAN ID", .attr = DUPTO_A_PORT_VID,
	.type = CC_OPT_U32, .min = 1, .max = DUPTO_VID_MAX,
};

const struct cc_option *cc_shape_option(const char *word, size_t len)
{
	size_t i;

	for (i = 0; i < cc_shape_noptions; i++)
		if (strlen(cc_shape_options[i].word) == len &&
		    !memcmp(cc_shape_options[i].word, word, len))
			return &cc_shape_options[i];
	return NULL;
}

bool cc_option_number(const struct cc_option *o, const char *text, size_t len,
		      uint64_t *v)
{
	unsigned int base = 10, d;
	uint64_t n = 0;
	size_t i = 0;

	/* as the rule language's numbers and strtoull(), C's bases */
	if (len > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
		base = 16;
		i = 2;
	} else if (len > 1 && text[0] == '0') {
		base = 8;
		i = 1;
	}
	if (i == len)
		return false;
	for (; i < len; i++) {
		if (isdigit((unsigned char)text[i]))
			d = text[i] - '0';
		else if (isxdigit((unsigned char)text[i]))
			d = tolower((unsigned char)text[i]) - 'a' + 10;
		else
			return false;
		if (d >= base)
			return false;
		if (n > (UINT64_MAX - d) / base)
			return false;
		n = n * base + d;
	}
	if (n < o->min || n > o->max)
		return false;
	*v = n;
	return true;
}

uint64_t cc_shape_get(const struct cc_shape *sh, const struct cc_option *o)
{
	const char *p = (const char *)sh + o->off;

	switch (o->type) {
	case CC_OPT_FLAG:
		return *(const bool *)p;
	case CC_OPT_U32:
		return *(const uint32_t *)p;
	default:
		return *(const uint64_t *)p;
	}
}

void cc_shape_set(struct cc_shape *sh, const struct cc_option *o, uint64_t v)
{
	char *p = (char *)sh + o->off;

	switch (o->type) {
	case CC_OPT_FLAG:
		*(bool *)p = v;
		break;
	case CC_OPT_U32:
		*(uint32_t *)p = v;
		break;
	default:
		*(uint64_t *)p = v;
		break;
	}
}

const char *cc_shape_invalid(const struct cc_shape *sh, const struct cc_option **o)
{
	if (sh->burst && !sh->pps && !sh->bps) {
		*o = cc_shape_option("burst", 5);
		return "a burst needs a rate or a byte-rate";
	}
	return NULL;
}
