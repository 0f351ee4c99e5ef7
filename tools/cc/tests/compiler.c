// SPDX-License-Identifier: GPL-2.0
/*
 * Compiler tables: diagnostics ({input, expected message}) and golden
 * listings (cc/tests/golden/NAME.out, rewritten by "compiler --regenerate").
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler.h"
#include "testlib.h"

static void errors(const char *path)
{
	char line[1024];
	FILE *f = fopen(path, "r");

	while (f && fgets(line, sizeof(line), f)) {
		char *s = trim(line), *sep, *got = NULL, *nl;
		size_t len = 0;
		struct cc cc = { 0 };
		FILE *mem;
		int ret;

		if (!*s || *s == '#' || !(sep = strstr(s, "|||")))
			continue;
		*sep = 0;
		s = trim(s);
		mem = open_memstream(&got, &len);
		cc.src = s;
		cc.len = strlen(s);
		cc.errf = mem;
		cc.resolver = &test_resolver;
		ret = cc_compile(&cc, false);
		fclose(mem);
		nl = strchr(got, '\n');
		if (nl)
			*nl = 0;
		tap_result(ret && !strcmp(got, trim(sep + 3)), "error: %s -> %s%s%s", s,
			   trim(sep + 3), strcmp(got, trim(sep + 3)) ? " GOT " : "", strcmp(got, trim(sep + 3)) ? got : "");
		free(got);
		cc_free(&cc);
	}
	if (f)
		fclose(f);
}

/*
 * Inputs too long for a row of errors.txt: @head, @open @count times,
 * @mid, @close @count times, @tail. @want is the first line of the
 * diagnostic (NULL: the input compiles), @quote the two after it (NULL:
 * not checked).
 */
static const struct {
	const char *head, *open, *mid, *close, *tail;
	unsigned int count;
	const char *want, *quote;
} long_inputs[] = {
	/* nesting stops at CC_MAX_NESTING levels, wherever it is */
	{ "rule ", "not ", "tcp", "", " to s", 100000,
	  "<input>:1:1030: error: expression nested more than 256 levels deep",
	  "...t not not not not not not not not not not not not not not not not not not not not not not not not no...\n"
	  "                                                     ^~~\n" },
	{ "rule ", "!", "tcp", "", " to s", 100000,
	  "<input>:1:262: error: expression nested more than 256 levels deep", NULL },
	{ "rule ", "(", "tcp", ")", " to s", 100000,
	  "<input>:1:262: error: expression nested more than 256 levels deep", NULL },
	{ "rule ", "(", "tcp", ")", " to s", 257,
	  "<input>:1:262: error: expression nested more than 256 levels deep", NULL },
	{ "rule ", "(", "tcp", ")", " to s", 256, NULL, NULL },
	{ "rule host ", "not ", "10.0.0.1", "", " to s", 100000,
	  "<input>:1:1035: error: expression nested more than 256 levels deep", NULL },
	{ "rule host ", "(", "10.0.0.1", ")", " to s", 100000,
	  "<input>:1:267: error: expression nested more than 256 levels deep", NULL },
	{ "rule ", "(", "len", ")", " = 1 to s", 100000,
	  "<input>:1:262: error: expression nested more than 256 levels deep", NULL },
	{ "rule ", "-", "1", "", " = len to s", 100000,
	  "<input>:1:262: error: expression nested more than 256 levels deep", NULL },
	{ "rule ", "ip[", "0", "]", " = 1 to s", 100000,
	  "<input>:1:776: error: expression nested more than 256 levels deep", NULL },
	{ "rule ip[0", " ^ 1", "", "", "] = 1 to s", 100000,
	  "<input>:1:1031: error: expression nested more than 256 levels deep", NULL },
	{ "rule ip[0", " % 1", "", "", "] = 1 to s", 100000,
	  "<input>:1:1031: error: expression nested more than 256 levels deep", NULL },
	/* chains nest nothing: as long as the program fits */
	{ "rule tcp", " and tcp", "", "", " to s", 100000, NULL, NULL },
	{ "rule tcp", " or udp and tcp", "", "", " to s", 50000, NULL, NULL },
	{ "rule host 10.0.0.1", " or 10.0.0.2", "", "", " to s", 3000, NULL, NULL },
	{ "rule ip[0", " + 1", "", "", "] = 1 to s", 1000, NULL, NULL },
	{ "rule ip[0", " + 1", "", "", "] = 1 to s", 100000,
	  "<input>:1:1: error: the program grows beyond 65535 instructions", NULL },
	/* a long line is quoted around the caret */
	{ "rule port 1", " or port 2", " or port 70000", " or port 3", " to s", 40,
	  "<input>:1:421: error: illegal port number 70000 > 65535",
	  "...2 or port 2 or port 2 or port 2 or port 2 or port 70000 or port 3 or port 3 or port 3 or port 3 or p...\n"
	  "                                                     ^~~~~\n" },
	{ "rule port 1", " or port 2", " or", "", " port 3 too", 40,
	  "<input>:1:423: error: expected 'and', 'or' or 'to', found 'too'",
	  "...port 2 or port 2 or port 2 or port 2 or port 2 or port 2 or port 2 or port 2 or port 2 or port 3 too\n"
	  "                                                                                                    ^~~\n" },
	{ "rule ", "", "tcp and foo", "", " to s", 0,
	  "<input>:1:14: error: a value here needs a qualified primitive before it to take its qualifiers from (such as 'host' or 'port')",
	  "rule tcp and foo to s\n"
	  "             ^~~\n" },
};

static void long_input_rows(void)
{
	size_t i;

	for (i = 0; i < sizeof(long_inputs) / sizeof(long_inputs[0]); i++) {
		char *src = NULL, *got = NULL, *quote;
		size_t len = 0, glen = 0;
		struct cc cc = { 0 };
		FILE *mem;
		unsigned int k;
		bool ok;
		int ret;

		mem = open_memstream(&src, &len);
		fputs(long_inputs[i].head, mem);
		for (k = 0; k < long_inputs[i].count; k++)
			fputs(long_inputs[i].open, mem);
		fputs(long_inputs[i].mid, mem);
		for (k = 0; k < long_inputs[i].count; k++)
			fputs(long_inputs[i].close, mem);
		fputs(long_inputs[i].tail, mem);
		fclose(mem);
		mem = open_memstream(&got, &glen);
		cc.src = src;
		cc.len = len;
		cc.errf = mem;
		ret = cc_compile(&cc, false);
		fclose(mem);
		quote = strchr(got, '\n');
		if (quote)
			*quote++ = 0;
		if (!long_inputs[i].want)
			ok = !ret && !*got;
		else
			ok = ret && !strcmp(got, long_inputs[i].want) &&
			     (!long_inputs[i].quote ||
			      (quote && !strcmp(quote, long_inputs[i].quote)));
		tap_result(ok, "error: %s%s...%s x %u -> %s", long_inputs[i].head,
			   long_inputs[i].open, long_inputs[i].tail,
			   long_inputs[i].count,
			   long_inputs[i].want ? long_inputs[i].want : "compiles");
		if (!ok)
			printf("# got: %s\n%s", got, quote ? quote : "");
		free(got);
		free(src);
		cc_free(&cc);
	}
}

static void golden(const char *path, const char *dir, bool regen)
{
	char line[2048];
	FILE *f = fopen(path, "r");

	while (f && fgets(line, sizeof(line), f)) {
		char *s = trim(line), *sep, *got = NULL, *want = NULL, file[512];
		struct dupto_vm_prog *prog = NULL;
		struct cc cc = { 0 };
		size_t len = 0, wlen = 0;
		char err[256];
		FILE *mem, *g;

		if (!*s || *s == '#' || !(sep = strstr(s, "|||")))
			continue;
		*sep = 0;
		snprintf(file, sizeof(file), "%s/%s.out", dir, trim(s));
		/* the names of the listing mean what test_resolver says */
		cc.src = trim(sep + 3);
		cc.len = strlen(cc.src);
		cc.resolver = &test_resolver;
		if (cc_compile(&cc, false) || cc_load(&cc, &prog, err, sizeof(err))) {
			tap_result(false, "golden %s: %s", file, cc.nerrors ? cc.errmsg : err);
			cc_free(&cc);
			continue;
		}
		mem = open_memstream(&got, &len);
		cc_disasm(mem, prog, &cc);
		fclose(mem);
		dupto_vm_free(prog);
		cc_free(&cc);
		if (regen) {
			g = fopen(file, "w");
			fputs(got, g);
			fclose(g);
		}
		g = fopen(file, "r");
		if (g) {
			mem = open_memstream(&want, &wlen);
			while (fgets(line, sizeof(line), g))
				fputs(line, mem);
			fclose(mem);
			fclose(g);
		}
		tap_result(want && !strcmp(got, want), "golden listing %s%s", file,
			   want ? "" : " (missing: make -C tools golden)");
		if (want && strcmp(got, want))
			printf("# got:\n%s", got);
		free(got);
		free(want);
	}
	if (f)
		fclose(f);
}

/*
 * Verdicts written by hand, for what libpcap 1.10 cannot be asked (vxlan):
 * "frame NAME HEX" rows name frames; "EXPR ||| NAME ||| match|no" rows say
 * whether EXPR matches frame NAME as captured.
 */
#define MAX_VERDICT_FRAMES 64

static void verdicts(const char *path)
{
	struct { char *name; struct frame f; } fr[MAX_VERDICT_FRAMES];
	uint32_t nfr = 0, i;
	FILE *f = fopen(path, "r");
	char line[4096];

	if (!f) {
		tap_result(false, "cannot open %s", path);
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		char *l = trim(line), *name, *verdict, *hex;
		struct dupto_vm_prog *prog;
		struct dupto_vm_result res;
		struct dupto_vm_packet pkt;
		char err[512];
		bool want;

		if (!*l || *l == '#')
			continue;
		if (!strncmp(l, "frame ", 6) && nfr < MAX_VERDICT_FRAMES) {
			name = l + 6;
			hex = strchr(name, ' ');
			if (!hex)
				continue;
			*hex++ = 0;
			hex = trim(hex);
			fr[nfr].name = strdup(name);
			fr[nfr].f.data = malloc(strlen(hex) / 2 + 1);
			for (i = 0; hex[2 * i] && hex[2 * i + 1]; i++)
				sscanf(hex + 2 * i, "%2hhx", &fr[nfr].f.data[i]);
			fr[nfr].f.caplen = fr[nfr].f.wirelen = i;
			nfr++;
			continue;
		}
		name = strstr(l, " ||| ");
		verdict = name ? strstr(name + 5, " ||| ") : NULL;
		if (!verdict) {
			tap_result(false, "%s: bad row: %s", path, l);
			continue;
		}
		*name = 0;
		name = trim(name + 5);
		*verdict = 0;
		verdict = trim(verdict + 5);
		want = !strcmp(verdict, "match");
		for (i = 0; i < nfr && strcmp(fr[i].name, name); i++)
			;
		if (i == nfr) {
			tap_result(false, "%s: no frame %s", l, name);
			continue;
		}
		prog = compile_load(l, true, err, sizeof(err));
		if (!prog) {
			tap_result(false, "%s: %s", l, err);
			continue;
		}
		view_capture(&fr[i].f, &pkt);
		dupto_vm_run(prog, &pkt, &res, NULL);
		tap_result(res.matched == want, "%s on %s: %s", l, name, verdict);
		dupto_vm_free(prog);
	}
	fclose(f);
	for (i = 0; i < nfr; i++) {
		free(fr[i].name);
		free(fr[i].f.data);
	}
}

int main(int argc, char **argv)
{
	bool regen = argc > 1 && !strcmp(argv[1], "--regenerate");

	errors("cc/tests/errors.txt");
	long_input_rows();
	golden("cc/tests/golden.txt", "cc/tests/golden", regen);
	verdicts("cc/tests/verdicts.txt");
	return tap_done();
}
