// SPDX-License-Identifier: GPL-2.0
/*
 * Configuration files (dupto.conf(5)) without a kernel:
 * *  - cc/tests/model.txt: {file, first diagnostic} and {file, what "dupto save"
 *    prints for it} rows; every saved text must read back to itself;
 *  - below: configurations as the kernel reports them (names the language
 *    must escape or cannot write, rule texts from other tools), written.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "testlib.h"

/* "\n" is a line break and "\\" a backslash; any other '\' stays. */
static char *unescape(const char *s)
{
	char *out = malloc(strlen(s) + 1), *o = out;

	while (*s) {
		if (s[0] == '\\' && (s[1] == 'n' || s[1] == '\\')) {
			*o++ = s[1] == 'n' ? '\n' : '\\';
			s += 2;
		} else {
			*o++ = *s++;
		}
	}
	*o = 0;
	return out;
}

/* Parse @text as test.conf; the first diagnostic line in @diag. */
static int parse(struct model *cfg, const char *text, char **diag)
{
	size_t len = 0;
	FILE *mem = open_memstream(diag, &len);
	char *copy = strdup(text), *nl;
	int ret;

	/* names mean what test_resolver says, whatever the machine's files do */
	cfg->cc.resolver = &test_resolver;
	ret = model_parse_text(cfg, "test.conf", copy, strlen(copy), mem);
	fclose(mem);
	nl = strchr(*diag, '\n');
	if (nl)
		*nl = 0;
	return ret;
}

/* model_write() into a string, and its message if it failed. */
static int save(const struct model *cfg, char **out, char **err)
{
	size_t olen = 0, elen = 0;
	FILE *o = open_memstream(out, &olen), *e = open_memstream(err, &elen);
	int ret = model_write(o, cfg, e);

	fclose(o);
	fclose(e);
	return ret;
}

static void error_row(const char *row, const char *in, const char *want)
{
	struct model cfg = { 0 };
	char *diag = NULL;
	int ret = parse(&cfg, in, &diag);
	bool ok = ret && !strcmp(diag, want);

	tap_result(ok, "config error: %s", row);
	if (!ok)
		printf("# got: %s\n", ret ? diag : "(no error)");
	free(diag);
	model_free(&cfg);
}

static void save_row(const char *row, const char *in, const char *want)
{
	struct model cfg = { 0 }, again = { 0 };
	char *diag = NULL, *out = NULL, *err = NULL, *out2 = NULL, *err2 = NULL;
	bool ok;

	if (parse(&cfg, in, &diag)) {
		tap_result(false, "config save: %s", row);
		printf("# %s\n", diag);
		goto out;
	}
	ok = !save(&cfg, &out, &err) && !strcmp(out, want);
	tap_result(ok, "config save: %s", row);
	if (!ok) {
		printf("# want:\n%s# got:\n%s%s", want, out, err);
		goto out;
	}
	free(diag);
	diag = NULL;
	ok = !parse(&again, out, &diag) && !save(&again, &out2, &err2) &&
	     !strcmp(out, out2);
	tap_result(ok, "config save reads back to itself: %s", row);
	if (!ok)
		printf("# %s\n# got:\n%s%s", diag, out2 ? out2 : "", err2 ? err2 : "");
out:
	free(diag);
	free(out);
	free(err);
	free(out2);
	free(err2);
	model_free(&cfg);
	model_free(&again);
}

static void table(const char *path)
{
	char line[2048];
	FILE *f = fopen(path, "r");

	if (!f) {
		tap_result(false, "cannot open %s", path);
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		char *s = trim(line), *sep, *in, *want;
		bool is_save;

		if (!*s || *s == '#')
			continue;
		sep = strstr(s, "|||");
		is_save = !sep;
		if (!sep)
			sep = strstr(s, ">>>");
		if (!sep) {
			tap_result(false, "%s: a row without '|||' or '>>>': %s", path, s);
			continue;
		}
		*sep = 0;
		s = trim(s);
		in = unescape(s);
		if (!*s)
			s = "(an empty file)";
		want = unescape(trim(sep + 3));
		if (is_save) {
			/* each line of the saved text ends in a line break */
			char *w = malloc(strlen(want) + 2);

			sprintf(w, "%s%s", want, *want ? "\n" : "");
			save_row(s, in, w);
			free(w);
		} else {
			error_row(s, in, want);
		}
		free(in);
		free(want);
	}
	fclose(f);
}

/* Configurations as the kernel reports them. */
static const struct {
	const char *what;
	const char *port, *devname;	/* a port, in device mode if devname */
	const char *sensor, *link;
	const char *rule;
	const char *want;		/* the saved text, or the message */
} models[] = {
	{ "a sensor named like a keyword is escaped", .sensor = "tcp",
	  .want = "sensor \\tcp\n" },
	{ "so is one named like a number", .sensor = "123", .link = "0x10",
	  .want = "sensor \\123 link \\0x10\n" },
	{ "and a port named like an address", .port = "1.2.3.4", .devname = "dp0",
	  .want = "port \\1.2.3.4 device name dp0\n" },
	{ "a port device without a name", .port = "eth0", .devname = "",
	  .want = "port eth0 device\n" },
	{ "a name the language cannot write is refused", .sensor = "a:b",
	  .want = "dupto: cannot save \"a:b\": a configuration file cannot name that device\n" },
	{ "so is one ending in a dash", .port = "br-",
	  .want = "dupto: cannot save \"br-\": a configuration file cannot name that device\n" },
	{ "a rule's text gets one line", .rule = "rule  tcp\n\tport 80\n to web ",
	  .want = "rule tcp port 80 to web\n" },
	{ "a rule without text cannot be saved", .rule = "",
	  .want = "dupto: cannot save rule 1: it has no source text\n" },
	{ "nor one whose text is no rule", .rule = "tcp port 80",
	  .want = "dupto: cannot save rule 1: its text \"tcp port 80\" is not a rule statement\n" },
};

static void model_rows(void)
{
	size_t i;

	for (i = 0; i < sizeof(models) / sizeof(models[0]); i++) {
		struct model cfg = { 0 };
		char *out = NULL, *err = NULL;
		bool ok;

		if (models[i].port) {
			struct model_port *p = model_add_port(&cfg);

			snprintf(p->name, sizeof(p->name), "%s", models[i].port);
			if (models[i].devname) {
				p->device = true;
				snprintf(p->devname, sizeof(p->devname), "%s",
					 models[i].devname);
			}
		}
		if (models[i].sensor) {
			struct model_sensor *s = model_add_sensor(&cfg);

			snprintf(s->name, sizeof(s->name), "%s", models[i].sensor);
			if (models[i].link)
				snprintf(s->link, sizeof(s->link), "%s", models[i].link);
		}
		if (models[i].rule)
			model_add_rule(&cfg, models[i].rule, strlen(models[i].rule));
		save(&cfg, &out, &err);
		ok = !strcmp(*err ? err : out, models[i].want) && (!*err || !*out);
		tap_result(ok, "config write: %s", models[i].what);
		if (!ok)
			printf("# got:\n%s%s", out, err);
		free(out);
		free(err);
		model_free(&cfg);
	}
}

int main(void)
{
	table("cc/tests/model.txt");
	model_rows();
	return tap_done();
}
