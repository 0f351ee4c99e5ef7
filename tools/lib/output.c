// SPDX-License-Identifier: GPL-2.0
/*
 * Text and JSON output through one set of calls, so that every show command
 * gets -j for free and its text stays stable.
 */

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "output.h"

#define OUT_MAX_DEPTH 32

static struct {
	bool json;
	bool pretty;
	int depth;
	bool has_members[OUT_MAX_DEPTH];
} out;

void out_init(bool json, bool pretty)
{
	memset(&out, 0, sizeof(out));
	out.json = json;
	out.pretty = pretty;
}

void out_flush(void)
{
	if (out.json && out.depth == 0)
		putchar('\n');
	fflush(stdout);
}

/* Length of the valid UTF-8 sequence at s, or 0 if it is not one. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	else if ((s[0] & 0xe0) == 0xc0 && s[0] >= 0xc2)
		n = 2;
	else if ((s[0] & 0xf0) == 0xe0)
		n = 3;
	else if ((s[0] & 0xf8) == 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

static void json_string(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n;

	putchar('"');
	while (*s) {
		switch (*s) {
		case '"':
			fputs("\\\"", stdout);
			break;
		case '\\':
			fputs("\\\\", stdout);
			break;
		case '\n':
			fputs("\\n", stdout);
			break;
		case '\t':
			fputs("\\t", stdout);
			break;
		default:
			if (*s < 0x20) {
				printf("\\u%04x", *s);
				break;
			}
			n = utf8_len(s);
			if (!n) {
				fputs("\\ufffd", stdout);
				break;
			}
			fwrite(s, 1, n, stdout);
			s += n;
			continue;
		}
		s++;
	}
	putchar('"');
}

static void json_indent(void)
{
	int i;

	if (!out.pretty)
		return;
	putchar('\n');
	for (i = 0; i < out.depth; i++)
		fputs("    ", stdout);
}

/* Separator, indentation and key before a JSON value. */
static void json_member(const char *key)
{
	if (out.depth > 0) {
		if (out.has_members[out.depth])
			putchar(',');
		out.has_members[out.depth] = true;
		json_indent();
	}
	if (key) {
		json_string(key);
		fputs(out.pretty ? ": " : ":", stdout);
	}
}

static void json_open(const char *key, char bracket)
{
	json_member(key);
	putchar(bracket);
	if (out.depth < OUT_MAX_DEPTH - 1)
		out.depth++;
	out.has_members[out.depth] = false;
}

static void json_close(char bracket)
{
	bool had_members = out.has_members[out.depth];

	if (out.depth > 0)
		out.depth--;
	if (had_members)
		json_indent();
	putchar(bracket);
}

void out_open_object(const char *key)
{
	if (out.json)
		json_open(key, '{');
}

void out_close_object(void)
{
	if (out.json)
		json_close('}');
}

void out_open_array(const char *key)
{
	if (out.json)
		json_open(key, '[');
}

void out_close_array(void)
{
	if (out.json)
		json_close(']');
}

void out_str(const char *key, const char *fmt, const char *value)
{
	if (out.json) {
		json_member(key);
		json_string(value);
	} else if (fmt) {
		printf(fmt, value);
	}
}

void out_uint(const char *key, const char *fmt, uint64_t value)
{
	if (out.json) {
		json_member(key);
		printf("%" PRIu64, value);
	} else if (fmt) {
		printf(fmt, value);
	}
}

void out_bool(const char *key, const char *fmt, bool value)
{
	if (out.json) {
		json_member(key);
		fputs(value ? "true" : "false", stdout);
	} else if (fmt) {
		printf(fmt, value ? "true" : "false");
	}
}

void out_text(const char *text)
{
	if (!out.json)
		fputs(text, stdout);
}

void out_nl(void)
{
	if (!out.json)
		putchar('\n');
}
