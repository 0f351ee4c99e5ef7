// SPDX-License-Identifier: GPL-2.0
/*
 * dupto rule: the namespace's ruleset, one rule at a time.
 *
 * The kernel holds a ruleset as one compiled image, replaced as a whole,
 * and the image keeps each rule's source text. So "rule add" and "rule del"
 * read the image, take the texts of its rules, add or remove one, compile
 * them all and load the result, saying which generation they read: if
 * anything changed the configuration in between, the kernel refuses
 * (-ESTALE) rather than lose that change.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/dupto.h>

#include "compiler.h"
#include "dupto.h"
#include "objects.h"
#include "output.h"

/* The payload of one DUPTO_A_IMAGE: a netlink attribute's, rounded down. */
#define IMAGE_PIECE	65528u
/* Reading again after a change: a few times, then give up. */
#define READ_TRIES	10

/* ---- reading ---- */

struct image_read {
	struct model_ruleset *rs;
	uint32_t total;
	size_t got;
	bool has_len;
};

static int image_attr_cb(const struct nlattr *attr, void *data)
{
	struct image_read *r = data;
	uint16_t len;

	switch (mnl_attr_get_type(attr)) {
	case DUPTO_A_GENERATION:
		if (mnl_attr_validate(attr, MNL_TYPE_U64) == 0)
			r->rs->generation = mnl_attr_get_u64(attr);
		break;
	case DUPTO_A_IMAGE_LEN:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) || r->has_len)
			break;
		r->has_len = true;
		r->total = mnl_attr_get_u32(attr);
		if (r->total) {
			r->rs->image = malloc(r->total);
			if (!r->rs->image) {
				errno = ENOMEM;
				return MNL_CB_ERROR;
			}
		}
		break;
	case DUPTO_A_IMAGE:
		len = mnl_attr_get_payload_len(attr);
		if (!r->rs->image || r->got + len > r->total) {
			errno = EPROTO;
			return MNL_CB_ERROR;
		}
		memcpy(r->rs->image + r->got, mnl_attr_get_payload(attr), len);
		r->got += len;
		break;
	}
	return MNL_CB_OK;
}

static int image_cb(const struct nlmsghdr *nlh, void *data)
{
	return dupto_nl_parse(nlh, image_attr_cb, data);
}

struct stats_read {
	struct model_ruleset *rs;
	uint64_t generation;
};

static int rule_attr_cb(const struct nlattr *attr, void *data)
{
	uint64_t *v = data;	/* index, packets, bytes */

	switch (mnl_attr_get_type(attr)) {
	case DUPTO_A_RULE_INDEX:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			v[0] = mnl_attr_get_u32(attr);
		break;
	case DUPTO_A_RULE_PACKETS:
		if (mnl_attr_validate(attr, MNL_TYPE_U64) == 0)
			v[1] = mnl_attr_get_u64(attr);
		break;
	case DUPTO_A_RULE_BYTES:
		if (mnl_attr_validate(attr, MNL_TYPE_U64) == 0)
			v[2] = mnl_attr_get_u64(attr);
		break;
	}
	return MNL_CB_OK;
}

static int stats_attr_cb(const struct nlattr *attr, void *data)
{
	struct stats_read *r = data;
	uint64_t v[3] = { UINT64_MAX, 0, 0 };

	switch (mnl_attr_get_type(attr)) {
	case DUPTO_A_GENERATION:
		if (mnl_attr_validate(attr, MNL_TYPE_U64) == 0)
			r->generation = mnl_attr_get_u64(attr);
		break;
	case DUPTO_A_RULE:
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED))
			break;
		mnl_attr_parse_nested(attr, rule_attr_cb, v);
		if (v[0] < r->rs->prog->nrules) {
			r->rs->stats[v[0]].packets = v[1];
			r->rs->stats[v[0]].bytes = v[2];
		}
		break;
	}
	return MNL_CB_OK;
}

static int stats_cb(const struct nlmsghdr *nlh, void *data)
{
	return dupto_nl_parse(nlh, stats_attr_cb, data);
}

static int read_once(struct dupto_nl *nl, struct model_ruleset *rs, bool stats)
{
	struct image_read ir = { .rs = rs };
	struct stats_read sr = { .rs = rs };
	char err[256];
	int ret;

	ret = dupto_nl_talk(nl, dupto_nl_msg(nl, DUPTO_CMD_RULESET_GET, NLM_F_DUMP),
			    image_cb, &ir);
	if (ret)
		return ret;
	if (ir.got != ir.total) {
		fprintf(stderr, "dupto: the kernel sent %zu bytes of a ruleset of %u\n",
			ir.got, ir.total);
		return -EPROTO;
	}
	rs->len = ir.total;
	if (!rs->image)
		return 0;
	/* the kernel's own loader, built here: what it runs, read back */
	ret = dupto_vm_load(rs->image, rs->len, &rs->prog, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "dupto: cannot read the kernel's ruleset: %s\n", err);
		return ret;
	}
	if (!stats)
		return 0;
	rs->stats = calloc(rs->prog->nrules, sizeof(*rs->stats));
	if (!rs->stats)
		return -ENOMEM;
	ret = dupto_nl_talk(nl, dupto_nl_msg(nl, DUPTO_CMD_STATS_GET, NLM_F_DUMP),
			    stats_cb, &sr);
	if (ret)
		return ret;
	/* the counters of another ruleset: read both again */
	return sr.generation == rs->generation ? 0 : -EINTR;
}

int ruleset_get(struct dupto_nl *nl, struct model_ruleset *rs, bool stats)
{
	int tries, err = -EINTR;

	for (tries = 0; tries < READ_TRIES && err == -EINTR; tries++) {
		ruleset_free(rs);
		err = read_once(nl, rs, stats);
	}
	if (err == -EINTR)
		fprintf(stderr, "dupto: the ruleset keeps changing; cannot read it\n");
	else if (err)
		dupto_nl_perror(nl, err, "cannot read the ruleset");
	return err;
}

void ruleset_free(struct model_ruleset *rs)
{
	dupto_vm_free(rs->prog);
	free(rs->image);
	free(rs->stats);
	memset(rs, 0, sizeof(*rs));
}

void ruleset_to_model(const struct model_ruleset *rs, struct model *cfg)
{
	uint32_t i;

	if (rs->prog && model_groups_from_prog(cfg, rs->prog))
		fprintf(stderr, "dupto: warning: a group's name cannot be written\n");
	for (i = 0; rs->prog && i < rs->prog->nrules; i++)
		model_add_rule(cfg, rs->prog->rules[i].text, rs->prog->rules[i].text_len);
}

/* ---- writing ---- */

int ruleset_set(struct dupto_nl *nl, const void *image, size_t len,
		uint64_t generation)
{
	struct nlmsghdr *nlh;
	size_t off, n;
	int err;

	nlh = dupto_nl_msg_size(nl, DUPTO_CMD_RULESET_SET, 0,
				len + (len / IMAGE_PIECE + 1) * MNL_ATTR_HDRLEN);
	if (!nlh)
		return -ENOMEM;
	/* no image at all: no ruleset */
	for (off = 0; off < len; off += n) {
		n = len - off < IMAGE_PIECE ? len - off : IMAGE_PIECE;
		mnl_attr_put(nlh, DUPTO_A_IMAGE, n, (const uint8_t *)image + off);
	}
	if (generation)
		mnl_attr_put_u64(nlh, DUPTO_A_GENERATION, generation);
	err = dupto_nl_ask(nl, nlh, NULL, NULL);
	if (err == -ESTALE && generation)
		return err;
	if (err && dupto_nl_said(nl)[0])
		fprintf(stderr, "dupto: kernel says: %s\n", dupto_nl_said(nl));
	if (err)
		dupto_nl_perror(nl, err, "cannot load the ruleset");
	return err;
}

/* ---- printing ---- */

/* A rule's text without its keyword: what "rule add" takes. */
static const char *rule_body(const char *text)
{
	return strncmp(text, "rule ", 5) ? text : text + 5;
}

void rule_print(const struct model_ruleset *rs, uint32_t i, bool prefix)
{
	const struct dupto_vm_rule *r = &rs->prog->rules[i];
	struct model texts = { 0 };
	uint32_t k;

	model_add_rule(&texts, r->text, r->text_len);
	out_open_object(NULL);
	if (prefix)
		out_text("rule ");
	out_uint("index", "%" PRIu64 ": ", i + 1);
	out_str("text", "%s", rule_body(texts.rules[0]));
	out_open_array("flags");
	if (r->flags & DUPTO_VM_RULE_QUICK)
		out_str(NULL, NULL, "quick");
	if (r->flags & DUPTO_VM_RULE_ELSE)
		out_str(NULL, NULL, "else");
	if (r->flags & DUPTO_VM_RULE_OUT)
		out_str(NULL, NULL, "out");
	out_close_array();
	out_open_array("targets");
	for (k = 0; k < r->ntargets; k++)
		out_str(NULL, NULL, rs->prog->targets[r->target_idx[k]]);
	out_close_array();
	out_nl();
	out_text("\t");
	out_uint("packets", "packets %" PRIu64, rs->stats ? rs->stats[i].packets : 0);
	out_uint("bytes", " bytes %" PRIu64, rs->stats ? rs->stats[i].bytes : 0);
	out_nl();
	out_close_object();
	model_free(&texts);
}

void rule_print_stats(const struct model_ruleset *rs, uint32_t i, bool prefix)
{
	out_open_object(NULL);
	if (prefix)
		out_text("rule ");
	out_uint("index", "%" PRIu64 ": ", i + 1);
	out_uint("packets", "packets %" PRIu64, rs->stats ? rs->stats[i].packets : 0);
	out_uint("bytes", " bytes %" PRIu64, rs->stats ? rs->stats[i].bytes : 0);
	out_nl();
	out_close_object();
}

/* ---- commands ---- */

/* A rule number, as "rule show" gives them: from 1. */
static int parse_number(const char *cmd, const char *arg, uint32_t *n)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (arg[0] < '0' || arg[0] > '9' || *end || errno || v == 0 || v >= UINT32_MAX) {
		fprintf(stderr, "dupto: %s: \"%s\" is not a rule number\n", cmd, arg);
		return -1;
	}
	*n = v;
	return 0;
}

static const char *plural(uint32_t n)
{
	return n == 1 ? "" : "s";
}

/*
 * The ruleset of the rules in @cfg compiled and loaded in place of the
 * one of @generation. The texts come from the kernel, which compiled
 * them before; the rule added has been compiled on its own already, so
 * an error here is the whole ruleset's (too many rules, too many targets).
 */
int ruleset_replace(struct dupto_nl *nl, const struct model *cfg,
		    uint64_t generation)
{
	struct cc cc = { .file = "<ruleset>", .errf = stderr };
	char *text = NULL;
	size_t len = 0, ilen = 0;
	void *image = NULL;
	uint32_t i;
	FILE *mem;
	int err;

	mem = open_memstream(&text, &len);
	if (!mem)
		return -ENOMEM;
	for (i = 0; i < cfg->ngroups; i++)
		fprintf(mem, "%s\n", cfg->groups[i]);
	for (i = 0; i < cfg->nrules; i++)
		fprintf(mem, "%s\n", cfg->rules[i]);
	fclose(mem);
	cc.src = text;
	cc.len = len;
	if ((cfg->nrules || cfg->ngroups) &&
	    (cc_compile(&cc, false) || cc_image(&cc, &image, &ilen))) {
		err = -EINVAL;
		goto out;
	}
	err = ruleset_set(nl, image, ilen, generation);
	if (err == -ESTALE)
		fprintf(stderr, "dupto: the ruleset changed while this command ran; try again\n");
out:
	free(image);
	cc_free(&cc);
	free(text);
	return err;
}

/* Every rule of the kernel's ruleset has a text to compile again. */
static int texts_ok(const char *cmd, const struct model *cfg)
{
	uint32_t i;

	for (i = 0; i < cfg->nrules; i++) {
		if (strncmp(cfg->rules[i], "rule ", 5)) {
			fprintf(stderr,
				"dupto: %s: rule %u has no rule text to compile again; replace the ruleset with \"dupto load\"\n",
				cmd, i + 1);
			return -1;
		}
	}
	return 0;
}

static int rule_add(int argc, char **argv)
{
	struct cc one = { .file = "<rule>", .errf = stderr, .one_rule = true };
	struct model_ruleset rs = { 0 };
	struct model cfg = { 0 };
	uint32_t at = UINT32_MAX, i;
	char *text = NULL;
	struct dupto_nl *nl = NULL;
	size_t len = 0;
	FILE *mem;
	int err = -EINVAL, k;

	/* exactly "index": "in" starts a rule ("in on eth0 ...") */
	if (argc >= 1 && !strcmp(argv[0], "index")) {
		if (argc < 2)
			return missing("rule add", "N after \"index\"");
		if (parse_number("rule add", argv[1], &at))
			return 1;
		argc -= 2;
		argv += 2;
	}
	k = cli_netmask("rule add", argc, argv, &one);
	if (k < 0)
		return 1;
	argc -= k;
	argv += k;
	if (argc < 1)
		return missing("rule add", "RULE");

	/* the words of the command line are the rule's text */
	mem = open_memstream(&text, &len);
	if (!mem)
		return 1;
	for (i = 0; i < (uint32_t)argc; i++)
		fprintf(mem, "%s%s", i ? " " : "", argv[i]);
	fclose(mem);
	one.src = text;
	one.len = len;
	if (cc_compile(&one, false))
		goto out;

	nl = dupto_nl_open();
	if (!nl || ruleset_get(nl, &rs, false))
		goto out;
	ruleset_to_model(&rs, &cfg);
	if (texts_ok("rule add", &cfg))
		goto out;
	if (at != UINT32_MAX && at > cfg.nrules + 1) {
		fprintf(stderr, "dupto: rule add: index %u is beyond the end of the ruleset (%u rule%s)\n",
			at, cfg.nrules, plural(cfg.nrules));
		goto out;
	}
	/* the new rule goes last, or becomes rule @at */
	model_add_rule(&cfg, one.rules[0].text, one.rules[0].text_len);
	if (at != UINT32_MAX) {
		char *added = cfg.rules[cfg.nrules - 1];

		memmove(&cfg.rules[at], &cfg.rules[at - 1],
			(cfg.nrules - at) * sizeof(*cfg.rules));
		cfg.rules[at - 1] = added;
	}
	err = ruleset_replace(nl, &cfg, rs.generation);
out:
	dupto_nl_close(nl);
	ruleset_free(&rs);
	model_free(&cfg);
	cc_free(&one);
	free(text);
	return !!err;
}

static int rule_del(int argc, char **argv)
{
	struct model_ruleset rs = { 0 };
	struct model cfg = { 0 };
	struct dupto_nl *nl;
	uint32_t n;
	int err = -EINVAL;

	if (argc < 1)
		return missing("rule del", "N");
	if (argc > 1)
		return bad_arg("rule del", argv[1]);
	if (parse_number("rule del", argv[0], &n))
		return 1;

	nl = dupto_nl_open();
	if (!nl || ruleset_get(nl, &rs, false))
		goto out;
	ruleset_to_model(&rs, &cfg);
	if (n > cfg.nrules) {
		fprintf(stderr, "dupto: rule del: there is no rule %u; the ruleset has %u rule%s\n",
			n, cfg.nrules, plural(cfg.nrules));
		goto out;
	}
	if (texts_ok("rule del", &cfg))
		goto out;
	free(cfg.rules[n - 1]);
	memmove(&cfg.rules[n - 1], &cfg.rules[n], (cfg.nrules - n) * sizeof(*cfg.rules));
	cfg.nrules--;
	err = ruleset_replace(nl, &cfg, rs.generation);
out:
	dupto_nl_close(nl);
	ruleset_free(&rs);
	model_free(&cfg);
	return !!err;
}

/*
 * No rules and no groups: nothing is mirrored, and ports and sensors stay
 * as they are. What stopping dupto.service does.
 */
static int rule_flush(int argc, char **argv)
{
	struct dupto_nl *nl;
	int err;

	if (argc)
		return bad_arg("rule flush", argv[0]);
	nl = dupto_nl_open();
	if (!nl)
		return 1;
	err = ruleset_set(nl, NULL, 0, 0);
	dupto_nl_close(nl);
	return !!err;
}

static int rule_show(int argc, char **argv)
{
	struct model_ruleset rs = { 0 };
	bool listing = false;
	struct dupto_nl *nl;
	uint32_t i;
	int err;

	if (argc && !strcmp(argv[0], "-d")) {
		listing = true;
		argc--;
		argv++;
	}
	if (argc)
		return bad_arg("rule show", argv[0]);
	nl = dupto_nl_open();
	if (!nl)
		return 1;
	err = ruleset_get(nl, &rs, !listing);
	dupto_nl_close(nl);
	if (!err && listing) {
		/* the program as the kernel has it, as "dupto compile" lists one */
		if (rs.prog)
			cc_disasm(stdout, rs.prog, NULL);
	} else if (!err) {
		out_open_array(NULL);
		for (i = 0; rs.prog && i < rs.prog->nrules; i++)
			rule_print(&rs, i, false);
		out_close_array();
		out_flush();
	}
	ruleset_free(&rs);
	return !!err;
}

static const struct cli_cmd cmds[] = {
	{ "show", rule_show, "show [ -d ]" },
	{ "add", rule_add, "add [ index N ] [ netmask MASK ] RULE" },
	{ "delete", rule_del, "del N" },
	{ "flush", rule_flush, "flush" },
	{ "list", rule_show, NULL },
};

const struct cli_object dupto_rule_object = DUPTO_OBJECT("rule", cmds,
	"RULE := [ quick ] [ else ] [ EXPR ] to TARGET [, TARGET ...]\n"
	"EXPR is a filter in tcpdump's language, with \"[ in | out ] on PORT\" and sets;\n"
	"N numbers the rules from 1, as \"dupto rule show\" does; -d prints the\n"
	"bytecode the kernel runs. flush removes every rule and group. netmask gives\n"
	"\"ip broadcast\" its netmask; the rule keeps it (\"rule netmask MASK ...\").\n");
