// SPDX-License-Identifier: GPL-2.0
/*
 * The compiler's driver: the pipeline, its allocations and its diagnostics
 * ("file:line:col: error: ...", the source line and a caret under the
 * offending text, like nft).
 */

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "compiler.h"
#include "vm/vm.h"

void *cc_alloc(struct cc *cc, size_t size)
{
	void *p = calloc(1, size ? size : 1);

	if (!p)
		abort();
	if (cc->nallocs == cc->alloccap) {
		cc->alloccap = cc->alloccap ? 2 * cc->alloccap : 64;
		cc->allocs = realloc(cc->allocs, cc->alloccap * sizeof(*cc->allocs));
		if (!cc->allocs)
			abort();
	}
	cc->allocs[cc->nallocs++] = p;
	return p;
}

void *cc_grow(struct cc *cc, void *v, uint32_t n, size_t size)
{
	void *grown;

	if (n && (n & (n - 1)))
		return v;
	grown = cc_alloc(cc, (n ? 2 * (size_t)n : 1) * size);
	if (n)
		memcpy(grown, v, n * size);
	return grown;
}

void cc_free(struct cc *cc)
{
	uint32_t i;

	for (i = 0; i < cc->nallocs; i++)
		free(cc->allocs[i]);
	free(cc->allocs);
	free(cc->code.v);
	cc->allocs = NULL;
	cc->nallocs = cc->alloccap = 0;
	cc->names = NULL;
	cc->nnames = 0;
	cc->lookups = NULL;
	cc->code.v = NULL;
	cc->code.n = cc->code.cap = 0;
}

/*
 * How much of a source line an error quotes, around the caret: a ruleset
 * written by a program may hold a rule of a hundred thousand characters on
 * one line, of which the reader needs the few words near the error.
 */
#define QUOTE_WIDTH	100

int cc_error(struct cc *cc, const struct loc *loc, const char *fmt, ...)
{
	const char *line, *end;
	uint32_t i, len, n, c, from, to, limit;
	va_list ap;

	cc->nerrors++;
	if (cc->nerrors > 1)
		return -1;	/* the first error is the one that matters */
	va_start(ap, fmt);
	vsnprintf(cc->errmsg, sizeof(cc->errmsg), fmt, ap);
	va_end(ap);
	if (!cc->errf)
		return -1;

	fprintf(cc->errf, "%s:%u:%u: error: %s\n", cc->file ? cc->file : "<input>",
		loc->line, loc->col, cc->errmsg);
	line = cc->src + (loc->pos < cc->len ? loc->pos : cc->len);
	while (line > cc->src && line[-1] != '\n')
		line--;
	end = line;
	while (end < cc->src + cc->len && *end != '\n')
		end++;
	n = end - line;
	c = loc->col - 1 < n ? loc->col - 1 : n;
	/* the caret half-way, unless an end of the line is nearer than that */
	from = 0;
	to = n;
	if (n > QUOTE_WIDTH) {
		from = c > QUOTE_WIDTH / 2 ? c - QUOTE_WIDTH / 2 : 0;
		if (from > n - QUOTE_WIDTH)
			from = n - QUOTE_WIDTH;
		to = from + QUOTE_WIDTH;
		/* a cut end splits no UTF-8 character (comments may hold them) */
		while (from < c && (line[from] & 0xc0) == 0x80)
			from++;
		while (to > c + 1 && to < n && (line[to] & 0xc0) == 0x80)
			to--;
	}
	fprintf(cc->errf, "%s%.*s%s\n", from ? "..." : "", (int)(to - from),
		line + from, to < n ? "..." : "");
	if (from)
		fputs("   ", cc->errf);
	for (i = from; i < c; i++)
		fputc(line[i] == '\t' ? '\t' : ' ', cc->errf);
	/* the marks end with the line, or with its part quoted */
	len = loc->len ? loc->len : 1;
	limit = to < n ? to : n + 1;
	if (c + len > limit)
		len = limit > c ? limit - c : 1;
	fputc('^', cc->errf);
	for (i = 1; i < len; i++)
		fputc('~', cc->errf);
	fputc('\n', cc->errf);
	return -1;
}

int cc_compile(struct cc *cc, bool expr_only)
{
	if (cc_lex(cc))
		return -1;
	if (expr_only ? cc_parse_expr(cc) : cc_parse(cc))
		return -1;
	if (!expr_only && cc_decls(cc))
		return -1;
	if (cc_sema(cc))
		return -1;
	return cc_codegen(cc);
}

int cc_load(struct cc *cc, struct dupto_vm_prog **prog, char *err,
	    size_t errlen)
{
	size_t len;
	void *image;
	int ret;

	if (cc_image(cc, &image, &len))
		return -1;
	ret = dupto_vm_load(image, len, prog, err, errlen);
	free(image);
	return ret;
}
