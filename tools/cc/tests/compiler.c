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

static void golden(const char *path, const char *dir, bool regen)
{
	char line[2048];
	FILE *f = fopen(path, "r");

	while (f && fgets(line, sizeof(line), f)) {
		char *s = trim(line), *sep, *got = NULL, *want = NULL, file[512];
		struct dupto_vm_prog *prog;
		size_t len = 0, wlen = 0;
		char err[256];
		FILE *mem, *g;

		if (!*s || *s == '#' || !(sep = strstr(s, "|||")))
			continue;
		*sep = 0;
		snprintf(file, sizeof(file), "%s/%s.out", dir, trim(s));
		prog = compile_load(trim(sep + 3), false, err, sizeof(err));
		if (!prog) {
			tap_result(false, "golden %s: %s", file, err);
			continue;
		}
		mem = open_memstream(&got, &len);
		cc_disasm(mem, prog);
		fclose(mem);
		dupto_vm_free(prog);
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

int main(int argc, char **argv)
{
	bool regen = argc > 1 && !strcmp(argv[1], "--regenerate");

	errors("cc/tests/errors.txt");
	golden("cc/tests/golden.txt", "cc/tests/golden", regen);
	return tap_done();
}
