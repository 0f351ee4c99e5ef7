// SPDX-License-Identifier: GPL-2.0
/*
 * The differential test: libpcap is the oracle. Each expression is compiled
 * by pcap_compile() (what tcpdump does) and by our compiler, and both run
 * over every frame of the corpus; the verdicts must be identical. Every
 * frame with an outer 802.1Q/802.1ad tag is run a second time the way the
 * kernel presents it (tag in metadata) and must still get libpcap's verdict
 * for the frame as captured, but for the one documented difference on
 * frames cut short (oracle_check() in testlib.c).
 *
 * Then the same expressions run together, as rulesets of one rule per
 * expression and one target per rule, in several groupings and with some
 * rules quick or else: every rule must still get its libpcap verdict
 * (through quick and else as the rule language defines them), however
 * the compiler shares what one rule learnt about a frame with the next.
 *
 * Usage: diff EXPRESSIONS SETS CAPTURE...
 *   EXPRESSIONS  one tcpdump expression per line
 *   SETS         "EXPR-WITH-SETS ||| EQUIVALENT-TCPDUMP-EXPR" per line
 *
 * A line "netmask A.B.C.D" of EXPRESSIONS gives the netmask of "ip
 * broadcast" from there on: pcap_compile() gets it, and our compiler a
 * "netmask" statement before the rule (in the rulesets too, as the
 * netmask means nothing to any other expression).
 *
 * A line "refused EXPR" is an expression both must refuse: the words of
 * libpcap that dupto does not implement are those libpcap refuses on
 * Ethernet, and these lines prove it word by word.
 */

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"

static struct frame *frames;
static uint32_t nframes;

/*
 * Every expression both sides compiled, with libpcap's verdict per frame
 * and view (as captured, with the tag in metadata); where the documented
 * difference applies (oracle_check()), the verdict the expression alone got,
 * which every rule of that expression must get too.
 */
struct expr {
	char *text;
	uint8_t *want[2];
};

static struct expr *exprs;
static uint32_t nexprs;

/* the netmask of the lines read so far, as text (libpcap's: oracle_netmask) */
static char netmask_text[32];

/* dupto's verdict, and how it stands to libpcap's (oracle_check()) */
static enum oracle_how run(const struct dupto_vm_prog *prog,
			   const struct dupto_vm_packet *pkt,
			   const struct oracle *oracle, const struct frame *f, bool *got)
{
	struct dupto_vm_result res;

	dupto_vm_run(prog, pkt, &res, NULL);
	*got = res.matched;
	return oracle_check(oracle, f, *got, res.aborted);
}

static void check(const char *ours, const char *expr)
{
	uint32_t i, matches = 0, tagged = 0, bad = 0, cut = 0;
	struct dupto_vm_prog *prog;
	struct oracle oracle;
	int view;
	char err[512];
	uint8_t *buf;

	if (oracle_compile(&oracle, expr, false, err, sizeof(err))) {
		tap_result(false, "%s: libpcap refuses it: %s", expr, err);
		return;
	}
	if (*netmask_text) {
		char *rs = NULL;

		if (asprintf(&rs, "netmask %s\nrule %s to match", netmask_text, ours) < 0)
			abort();
		prog = compile_load(rs, false, err, sizeof(err));
		free(rs);
	} else {
		prog = compile_load(ours, true, err, sizeof(err));
	}
	if (!prog) {
		tap_result(false, "%s: %s", ours, err);
		oracle_free(&oracle);
		return;
	}
	buf = malloc(262144);
	exprs = realloc(exprs, (nexprs + 1) * sizeof(*exprs));
	exprs[nexprs].text = strdup(ours);
	for (view = 0; view < 2; view++)
		exprs[nexprs].want[view] = calloc(nframes ? nframes : 1, 1);
	for (i = 0; i < nframes; i++) {
		bool want = oracle_verdict(&oracle, &frames[i]);
		struct dupto_vm_packet pkt;

		view_capture(&frames[i], &pkt);
		for (view = 0; view < 2; view++) {
			enum oracle_how how;
			bool got;

			if (view && !view_kernel(&frames[i], &pkt, buf))
				break;
			tagged += view;
			how = run(prog, &pkt, &oracle, &frames[i], &got);
			if (how == ORACLE_WRONG && bad++ < 3)
				printf("# %s: frame %u%s: libpcap %d, dupto %d\n", ours, i + 1,
				       view ? " with its tag in metadata" : "", want, got);
			cut += (how == ORACLE_UNOPTIMISED || how == ORACLE_DECIDED) && !view;
			/* a frame without a tag to move has one view */
			exprs[nexprs].want[1][i] = how == ORACLE_SAME ? want : got;
			if (!view)
				exprs[nexprs].want[0][i] = exprs[nexprs].want[1][i];
		}
		matches += want;
	}
	nexprs++;
	tap_result(!bad, "%s (%u of %u frames match, %u also untagged, %u cut short as documented)%s%s",
		   ours, matches, nframes, tagged, cut,
		   ours == expr ? "" : " = ", ours == expr ? "" : expr);
	free(buf);
	dupto_vm_free(prog);
	oracle_free(&oracle);
}

#define RS_MAX		DUPTO_VM_MAX_TARGETS
#define RS_QUICK	1
#define RS_ELSE		2

/*
 * Expressions idx[0..n) as one ruleset, rule j "rule [quick] [else] EXPR to
 * tJ" (flags[j]), so rule j's target is target j.
 */
static void check_ruleset(const char *name, const uint32_t *idx, uint32_t n,
			  const uint8_t *flags)
{
	struct dupto_vm_prog *prog;
	uint32_t i, j, w, bad = 0, views = 0;
	size_t len = 0;
	char *text = NULL, err[512];
	FILE *f = open_memstream(&text, &len);
	uint8_t *buf = malloc(262144);

	if (*netmask_text)
		fprintf(f, "netmask %s\n", netmask_text);
	for (j = 0; j < n; j++)
		fprintf(f, "rule %s%s%s to t%u\n", flags[j] & RS_QUICK ? "quick " : "",
			flags[j] & RS_ELSE ? "else " : "", exprs[idx[j]].text, j);
	fclose(f);
	prog = compile_load(text, false, err, sizeof(err));
	if (!prog) {
		tap_result(false, "ruleset %s: %s", name, err);
		free(text);
		free(buf);
		return;
	}
	for (i = 0; i < nframes; i++) {
		struct dupto_vm_result want, got;
		struct dupto_vm_packet pkt;
		int view;

		view_capture(&frames[i], &pkt);
		for (view = 0; view < 2; view++) {
			if (view && !view_kernel(&frames[i], &pkt, buf))
				break;
			/* what the rule language says, from libpcap's verdicts */
			memset(&want, 0, sizeof(want));
			for (j = 0; j < n; j++) {
				if ((flags[j] & RS_ELSE) && want.matched)
					continue;
				if (!exprs[idx[j]].want[view][i])
					continue;
				want.targets[j / 64] |= 1ULL << (j % 64);
				want.matched++;
				if (flags[j] & RS_QUICK)
					break;
			}
			views++;
			dupto_vm_run(prog, &pkt, &got, NULL);
			for (w = 0; w < DUPTO_VM_TARGET_WORDS; w++)
				if (got.targets[w] != want.targets[w])
					break;
			if ((w < DUPTO_VM_TARGET_WORDS || got.matched != want.matched) &&
			    bad++ < 3)
				printf("# ruleset %s: frame %u%s: rule %u: libpcap %#llx, dupto %#llx\n",
				       name, i + 1, view ? " with its tag in metadata" : "",
				       64 * w, (unsigned long long)want.targets[w],
				       (unsigned long long)got.targets[w]);
		}
	}
	tap_result(!bad, "ruleset %s: %u rules, %u instructions, %u frame views", name,
		   n, prog->ninsns, views);
	dupto_vm_free(prog);
	free(text);
	free(buf);
}

/* Groupings: runs of consecutive expressions, every k-th, with flags. */
static void check_rulesets(void)
{
	uint32_t idx[RS_MAX], i, g, n;
	uint8_t flags[RS_MAX];
	char name[64];

	for (g = 0; g * 48 < nexprs; g++) {
		for (n = 0; n < 48 && g * 48 + n < nexprs; n++) {
			idx[n] = g * 48 + n;
			flags[n] = 0;
		}
		snprintf(name, sizeof(name), "expressions %u-%u", g * 48 + 1, g * 48 + n);
		check_ruleset(name, idx, n, flags);
	}
	for (g = 0; g < 8; g++) {
		for (n = 0, i = g; i < nexprs && n < RS_MAX; i += 8) {
			idx[n] = i;
			flags[n++] = 0;
		}
		snprintf(name, sizeof(name), "every 8th expression from %u", g + 1);
		check_ruleset(name, idx, n, flags);
	}
	for (g = 0; g * 48 < nexprs; g++) {
		for (n = 0; n < 48 && g * 48 + n < nexprs; n++) {
			idx[n] = g * 48 + n;
			flags[n] = (n % 7 == 3 ? RS_QUICK : 0) | (n % 5 == 4 ? RS_ELSE : 0);
		}
		snprintf(name, sizeof(name), "expressions %u-%u, some quick or else",
			 g * 48 + 1, g * 48 + n);
		check_ruleset(name, idx, n, flags);
	}
}

static void check_refused(const char *expr)
{
	struct dupto_vm_prog *prog;
	struct oracle oracle;
	char theirs[512] = "", ours[512] = "";
	bool t, o;

	t = oracle_compile(&oracle, expr, false, theirs, sizeof(theirs)) != 0;
	if (!t)
		oracle_free(&oracle);
	prog = compile_load(expr, true, ours, sizeof(ours));
	o = !prog;
	dupto_vm_free(prog);
	tap_result(t && o, "refused on Ethernet by both: %s (libpcap: %s; dupto: %s)",
		   expr, t ? theirs : "ACCEPTS IT", o ? ours : "ACCEPTS IT");
}

static int each_line(const char *path, bool sets)
{
	char line[4096];
	FILE *f = fopen(path, "r");

	if (!f) {
		perror(path);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *s = trim(line), *sep;

		if (!*s || *s == '#')
			continue;
		if (!sets && !strncmp(s, "netmask ", 8)) {
			struct in_addr a;

			if (inet_pton(AF_INET, trim(s + 8), &a) != 1) {
				tap_result(false, "%s: not a netmask", s);
				continue;
			}
			snprintf(netmask_text, sizeof(netmask_text), "%s", trim(s + 8));
			/* gencode.c compares it with the address as loaded: host order */
			oracle_netmask = ntohl(a.s_addr);
			continue;
		}
		if (!sets && !strncmp(s, "refused ", 8)) {
			check_refused(trim(s + 8));
			continue;
		}
		if (!sets) {
			check(s, s);
			continue;
		}
		sep = strstr(s, "|||");
		if (!sep) {
			tap_result(false, "%s: no ||| in the line", s);
			continue;
		}
		*sep = 0;
		check(trim(s), trim(sep + 3));
	}
	fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	int i;

	if (argc < 4) {
		fprintf(stderr, "Usage: diff EXPRESSIONS SETS CAPTURE...\n");
		return 2;
	}
	for (i = 3; i < argc; i++)
		if (frames_load(argv[i], &frames, &nframes))
			return 2;
	printf("# %u frames from %d captures\n", nframes, argc - 3);
	if (each_line(argv[1], false) || each_line(argv[2], true))
		return 2;
	check_rulesets();
	for (i = 0; i < (int)nexprs; i++) {
		free(exprs[i].text);
		free(exprs[i].want[0]);
		free(exprs[i].want[1]);
	}
	free(exprs);
	frames_free(frames, nframes);
	return tap_done();
}
