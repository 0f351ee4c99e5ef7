// SPDX-License-Identifier: GPL-2.0
/*
 * The configuration model: a file into it, it back into a file. No netlink
 * here, so the tests exercise parsing and "dupto save"'s format without a
 * kernel.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "options.h"
#include "vm/vm.h"

char *read_file(const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	size_t cap = 65536, n = 0, got;
	char *buf;

	if (!f)
		return NULL;
	buf = malloc(cap + 1);
	while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap) {
			char *grown = realloc(buf, 2 * cap + 1);

			if (!grown) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = grown;
			cap *= 2;
		}
	}
	if (ferror(f)) {
		free(buf);
		buf = NULL;
	}
	if (f != stdin)
		fclose(f);
	if (!buf) {
		errno = errno ? errno : EIO;
		return NULL;
	}
	/* the lexer relies on the NUL */
	buf[n] = 0;
	*len = n;
	return buf;
}

static void *grow(void *v, uint32_t n, size_t size)
{
	/* by doubling, from 8 */
	if (n >= 8 && (n & (n - 1)))
		return v;
	v = realloc(v, (n < 8 ? 8 : 2 * (size_t)n) * size);
	if (!v)
		abort();
	return v;
}

struct model_port *model_add_port(struct model *cfg)
{
	struct model_port *p;

	cfg->ports = grow(cfg->ports, cfg->nports, sizeof(*p));
	p = &cfg->ports[cfg->nports++];
	memset(p, 0, sizeof(*p));
	return p;
}

struct model_sensor *model_add_sensor(struct model *cfg)
{
	struct model_sensor *s;

	cfg->sensors = grow(cfg->sensors, cfg->nsensors, sizeof(*s));
	s = &cfg->sensors[cfg->nsensors++];
	memset(s, 0, sizeof(*s));
	return s;
}

/*
 * The compiler already writes a rule on one line; a text from elsewhere
 * (another tool's image) gets the same: blanks and line breaks squeezed
 * into single spaces, none at either end.
 */
void model_add_rule(struct model *cfg, const char *text, size_t len)
{
	char *t = malloc(len + 1), *o = t;
	size_t i;

	if (!t)
		abort();
	for (i = 0; i < len; i++) {
		if (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' ||
		    text[i] == '\r') {
			if (o > t && o[-1] != ' ')
				*o++ = ' ';
			continue;
		}
		*o++ = text[i];
	}
	if (o > t && o[-1] == ' ')
		o--;
	*o = 0;
	cfg->rules = grow(cfg->rules, cfg->nrules, sizeof(*cfg->rules));
	cfg->rules[cfg->nrules++] = t;
}

/* A group statement's text, taken over (malloc()ed). */
static void model_add_group(struct model *cfg, char *text)
{
	cfg->groups = grow(cfg->groups, cfg->ngroups, sizeof(*cfg->groups));
	cfg->groups[cfg->ngroups++] = text;
}

int model_groups_from_cc(struct model *cfg, const struct cc *cc)
{
	uint32_t i;

	for (i = 0; i < cc->ngroups; i++) {
		const struct cc_group *g = &cc->groups[i];
		char *t = cc_group_text(cc->targets[g->target],
					(const char (*)[DUPTO_VM_NAME_MAX])cc->targets,
					g->members, g->weights, g->nmembers,
					g->hash, g->seed);

		if (!t)
			return -1;
		model_add_group(cfg, t);
	}
	return 0;
}

int model_groups_from_prog(struct model *cfg,
			   const struct dupto_vm_prog *prog)
{
	uint16_t members[DUPTO_VM_MAX_MEMBERS];
	uint8_t weights[DUPTO_VM_MAX_MEMBERS];
	uint32_t i, m;

	for (i = 0; i < prog->ngroups; i++) {
		const struct dupto_vm_group *g = &prog->groups[i];
		char *t;

		for (m = 0; m < g->nmembers; m++) {
			members[m] = g->members[m].target;
			weights[m] = g->members[m].weight;
		}
		t = cc_group_text(prog->targets[g->target],
				  (const char (*)[DUPTO_VM_NAME_MAX])prog->targets,
				  members, weights, g->nmembers, g->hash, g->seed);
		if (!t)
			return -1;
		model_add_group(cfg, t);
	}
	return 0;
}

static void from_decls(struct model *cfg)
{
	uint32_t i;

	for (i = 0; i < cfg->cc.ndecls; i++) {
		const struct cc_decl *d = &cfg->cc.decls[i];

		if (d->kind == DECL_PORT) {
			struct model_port *p = model_add_port(cfg);

			memcpy(p->name, d->name, sizeof(p->name));
			memcpy(p->devname, d->other, sizeof(p->devname));
			p->device = d->device;
			p->vid = d->vid;
			p->decl = d;
		} else {
			struct model_sensor *s = model_add_sensor(cfg);

			memcpy(s->name, d->name, sizeof(s->name));
			memcpy(s->link, d->other, sizeof(s->link));
			s->shape = d->shape;
			s->decl = d;
		}
	}
}

int model_parse_text(struct model *cfg, const char *file, char *text,
		     size_t len, FILE *errf)
{
	uint32_t i;

	cfg->src = text;
	cfg->cc.file = file;
	cfg->cc.src = text;
	cfg->cc.len = len;
	cfg->cc.errf = errf;
	cfg->cc.config = true;
	if (cc_compile(&cfg->cc, false))
		return -1;
	from_decls(cfg);
	if (model_groups_from_cc(cfg, &cfg->cc)) {
		fprintf(errf, "dupto: %s: a group's name cannot be written back\n", file);
		return -1;
	}
	for (i = 0; i < cfg->cc.nrules; i++)
		model_add_rule(cfg, cfg->cc.rules[i].text, cfg->cc.rules[i].text_len);
	return 0;
}

int model_parse(struct model *cfg, const char *path, FILE *errf)
{
	size_t len;
	char *text = read_file(path, &len);

	if (!text) {
		fprintf(errf, "dupto: cannot read \"%s\": %s\n", path, strerror(errno));
		return -1;
	}
	return model_parse_text(cfg, strcmp(path, "-") ? path : "<stdin>", text,
				len, errf);
}

static int by_port_name(const void *a, const void *b)
{
	return strcmp((*(const struct model_port *const *)a)->name,
		      (*(const struct model_port *const *)b)->name);
}

static int by_sensor_name(const void *a, const void *b)
{
	return strcmp((*(const struct model_sensor *const *)a)->name,
		      (*(const struct model_sensor *const *)b)->name);
}

/* A name as the language reads it back, into @buf (CC_IFNAMSIZ + 1). */
static int name(FILE *errf, const char *n, char *buf)
{
	if (!cc_write_name(n, buf, CC_IFNAMSIZ + 1))
		return 0;
	fprintf(errf, "dupto: cannot save \"%s\": a configuration file cannot name that device\n",
		n);
	return -1;
}

static int write_ports(FILE *f, const struct model *cfg, FILE *errf)
{
	const struct model_port **v = calloc(cfg->nports + 1, sizeof(*v));
	char a[CC_IFNAMSIZ + 1], b[CC_IFNAMSIZ + 1];
	uint32_t i;
	int ret = 0;

	if (!v)
		abort();
	for (i = 0; i < cfg->nports; i++)
		v[i] = &cfg->ports[i];
	qsort(v, cfg->nports, sizeof(*v), by_port_name);
	for (i = 0; i < cfg->nports && !ret; i++) {
		ret = name(errf, v[i]->name, a);
		if (ret)
			break;
		if (!v[i]->device)
			fprintf(f, "port %s", a);
		else if (!v[i]->devname[0])
			fprintf(f, "port %s device", a);
		else if (!(ret = name(errf, v[i]->devname, b)))
			fprintf(f, "port %s device name %s", a, b);
		if (!ret && v[i]->vid)
			fprintf(f, " tag %u", v[i]->vid);
		if (!ret)
			fputc('\n', f);
	}
	free(v);
	return ret;
}

static int write_sensors(FILE *f, const struct model *cfg, FILE *errf)
{
	const struct model_sensor **v = calloc(cfg->nsensors + 1, sizeof(*v));
	char a[CC_IFNAMSIZ + 1], b[CC_IFNAMSIZ + 1];
	uint32_t i;
	int ret = 0;

	if (!v)
		abort();
	for (i = 0; i < cfg->nsensors; i++)
		v[i] = &cfg->sensors[i];
	qsort(v, cfg->nsensors, sizeof(*v), by_sensor_name);
	for (i = 0; i < cfg->nsensors && !ret; i++) {
		ret = name(errf, v[i]->name, a);
		if (ret)
			break;
		if (!v[i]->link[0])
			fprintf(f, "sensor %s", a);
		else if (!(ret = name(errf, v[i]->link, b)))
			fprintf(f, "sensor %s link %s", a, b);
		if (!ret) {
			shape_write(f, &v[i]->shape);
			fputc('\n', f);
		}
	}
	free(v);
	return ret;
}

/* "group NAME ...": by NAME, the word after "group " */
static int by_group_name(const void *a, const void *b)
{
	const char *x = *(char *const *)a + 6, *y = *(char *const *)b + 6;
	size_t lx = strcspn(x, " "), ly = strcspn(y, " ");
	int c = strncmp(x, y, lx < ly ? lx : ly);

	return c ? c : (lx > ly) - (lx < ly);
}

static int write_groups(FILE *f, const struct model *cfg, FILE *errf)
{
	char **v = calloc(cfg->ngroups + 1, sizeof(*v));
	uint32_t i;

	if (!v)
		abort();
	if (cfg->ngroups)
		memcpy(v, cfg->groups, cfg->ngroups * sizeof(*v));
	qsort(v, cfg->ngroups, sizeof(*v), by_group_name);
	for (i = 0; i < cfg->ngroups; i++)
		fprintf(f, "%s\n", v[i]);
	free(v);
	return 0;
}

static int write_rules(FILE *f, const struct model *cfg, FILE *errf)
{
	uint32_t i;

	for (i = 0; i < cfg->nrules; i++) {
		const char *t = cfg->rules[i];

		if (!*t) {
			fprintf(errf, "dupto: cannot save rule %u: it has no source text\n",
				i + 1);
			return -1;
		}
		if (strncmp(t, "rule ", 5)) {
			fprintf(errf, "dupto: cannot save rule %u: its text \"%s\" is not a rule statement\n",
				i + 1, t);
			return -1;
		}
		fprintf(f, "%s\n", t);
	}
	return 0;
}

int model_write(FILE *f, const struct model *cfg, FILE *errf)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem;
	int ret;

	/* all or nothing: a file that stops short would load a smaller config */
	mem = open_memstream(&text, &len);
	if (!mem)
		abort();
	/* sections apart by a blank line */
	ret = write_ports(mem, cfg, errf);
	if (!ret && cfg->nports && cfg->nsensors)
		fputc('\n', mem);
	if (!ret)
		ret = write_sensors(mem, cfg, errf);
	if (!ret && (cfg->nports || cfg->nsensors) && cfg->ngroups)
		fputc('\n', mem);
	if (!ret)
		ret = write_groups(mem, cfg, errf);
	if (!ret && (cfg->nports || cfg->nsensors || cfg->ngroups) && cfg->nrules)
		fputc('\n', mem);
	if (!ret)
		ret = write_rules(mem, cfg, errf);
	fclose(mem);
	if (!ret)
		fwrite(text, 1, len, f);
	free(text);
	return ret;
}

void model_free(struct model *cfg)
{
	uint32_t i;

	for (i = 0; i < cfg->nrules; i++)
		free(cfg->rules[i]);
	free(cfg->rules);
	for (i = 0; i < cfg->ngroups; i++)
		free(cfg->groups[i]);
	free(cfg->groups);
	free(cfg->ports);
	free(cfg->sensors);
	cc_free(&cfg->cc);
	free(cfg->src);
	memset(cfg, 0, sizeof(*cfg));
}

void shape_write(FILE *f, const struct cc_shape *sh)
{
	const struct cc_option *o;
	uint64_t v;

	for (o = cc_shape_options; o < cc_shape_options + cc_shape_noptions; o++) {
		v = cc_shape_get(sh, o);
		if (!v)
			continue;
		fprintf(f, " %s", o->word);
		if (o->type != CC_OPT_FLAG)
			fprintf(f, " %llu", (unsigned long long)v);
	}
}
