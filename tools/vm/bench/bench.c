// SPDX-License-Identifier: GPL-2.0
/*
 * What classifying one frame costs (make bench-vm; the method is in
 * Documentation/performance.rst): our VM, libpcap's bpf_filter() on the same
 * expression, and hand-written C, over the same frames held in memory.
 *
 * Cases:
 *   - each expression of EXPRESSIONS: bpf_filter() on libpcap's optimised
 *     code (tcpdump's), the VM, and the matcher of matchers.c if there is
 *     one. Target: the VM at most 0.7x bpf_filter's instructions.
 *   - RULESET, rules of one target each: the VM runs it as one program,
 *     bpf_filter() runs once per rule. Target: 0.25x.
 *   - "host { 1,000 addresses }" against "host 10.0.0.1", both on the VM.
 *     The other 999 addresses are in none of the frames, so both take the
 *     same paths and differ only by a set lookup against a compare.
 *     Target: 2x.
 *   - Bounds (Documentation/performance.rst, "Bounded work"): a lookup of
 *     every frame's source address in a set of 8192 addresses the unkeyed
 *     hash of old put in one cluster, and the worst program the verifier
 *     accepts (15 lookups in an IPv6 set of all 129 prefix lengths, each
 *     key found in the last table probed; timed over fewer passes),
 *     against "host 10.0.0.1". Then,
 *     natively, the load times of images of each kind at two sizes.
 *
 * Before anything is timed, every classifier must give libpcap's verdict
 * on every frame; a disagreement ends the run with exit code 1. (The
 * callgrind run checks nothing: it counts the same deterministic work.)
 *
 * Natively, each row gets ns per packet: pinned to one CPU, the minimum
 * over REPS repetitions of PASSES passes over all frames, less the same for
 * an empty loop. With --count, under valgrind --tool=callgrind
 * --collect-atstart=no (bench-vm.sh runs it so), each row gets one warm-up
 * pass, then COUNT_PASSES passes collected and dumped as "row N";
 * bench-vm.sh turns the dumps into the COUNTS file -k reads, and the table
 * shows instructions per packet less the empty loop's.
 *
 * Usage: bench [--count] [-k COUNTS] [-n PASSES] [-r REPS] [-c CPU]
 *              EXPRESSIONS RULESET CAPTURE...
 */

#include <math.h>
#include <pcap/pcap.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <valgrind/callgrind.h>

#include "compiler.h"
#include "testlib.h"
#include "bench.h"

#define COUNT_PASSES	10
#define MAX_ROWS	64
#define MAX_RULES	64	/* a verdict is a 64-bit mask of targets */
#define NHOSTS		1000
#define SNAPLEN		262144

enum kind { K_EMPTY, K_BPF, K_VM, K_HAND };

/* BPF programs run one after the other; program i's verdict is bit[i]. */
struct filters {
	struct bpf_program prog[MAX_RULES];
	uint8_t bit[MAX_RULES];
	unsigned int n;
};

struct row {
	const char *classifier;
	char what[96];			/* the case, as the table shows it */
	enum kind kind;
	const struct filters *bpf;	/* K_BPF: what runs; else the oracle */
	struct dupto_vm_prog *prog;	/* K_VM */
	bench_matcher_fn fn;		/* K_HAND */
	int ref;			/* the row ratios are against, or -1 */
	const char *refname;
	double target;			/* most instructions vs ref; 0: none */
	unsigned int code;		/* instructions of the program(s) */
	double ir, ns;			/* per packet, the empty loop's taken off */
	double raw_ir, raw_ns;		/* per packet, as measured */
	unsigned int passes_div;	/* timed over npasses / this, if set */
	bool have_ir;
};

static struct frame *frames;
static struct dupto_vm_packet *views;
static int hostref;		/* the row of "host 10.0.0.1" */
static uint32_t nframes;
static struct row rows[MAX_ROWS];
static unsigned int nrows;
static pcap_t *pcap;
static bool counting;		/* under callgrind: nothing is checked */

static struct row *add_row(const char *classifier, const char *what,
			   enum kind kind, const struct filters *bpf)
{
	struct row *r;

	if (nrows == MAX_ROWS) {
		fprintf(stderr, "bench: more than %d rows\n", MAX_ROWS);
		exit(2);
	}
	r = &rows[nrows++];
	r->classifier = classifier;
	snprintf(r->what, sizeof(r->what), "%s", what);
	r->kind = kind;
	r->bpf = bpf;
	r->ref = -1;
	return r;
}

/* One more program for @fl; libpcap's optimiser on unless told (tcpdump's). */
static void add_filter(struct filters *fl, const char *expr, int optimize,
		       unsigned int bit)
{
	if (fl->n == MAX_RULES) {
		fprintf(stderr, "bench: more than %d filters\n", MAX_RULES);
		exit(2);
	}
	if (pcap_compile(pcap, &fl->prog[fl->n], expr, optimize,
			 PCAP_NETMASK_UNKNOWN)) {
		fprintf(stderr, "bench: libpcap refuses \"%.60s\": %s\n", expr,
			pcap_geterr(pcap));
		exit(2);
	}
	fl->bit[fl->n++] = bit;
}

static struct filters *new_filters(void)
{
	struct filters *fl = calloc(1, sizeof(*fl));

	if (!fl)
		abort();
	return fl;
}

static struct dupto_vm_prog *vm_load(const char *text, bool expr)
{
	struct dupto_vm_prog *prog;
	char err[512];

	prog = compile_load(text, expr, err, sizeof(err));
	if (!prog) {
		fprintf(stderr, "bench: \"%.60s\": %s\n", text, err);
		exit(2);
	}
	return prog;
}

static unsigned int filters_len(const struct filters *fl)
{
	unsigned int i, n = 0;

	for (i = 0; i < fl->n; i++)
		n += fl->prog[i].bf_len;
	return n;
}

/* ---- the classifiers: one pass over every frame each ---- */

static inline uint64_t run_filters(const struct filters *fl, const struct frame *f)
{
	uint64_t v = 0;
	unsigned int i;

	for (i = 0; i < fl->n; i++)
		if (bpf_filter(fl->prog[i].bf_insns, f->data, f->wirelen, f->caplen))
			v |= 1ULL << fl->bit[i];
	return v;
}

static inline uint64_t run_vm(const struct dupto_vm_prog *prog,
			      const struct dupto_vm_packet *pkt)
{
	struct dupto_vm_result res;

	dupto_vm_run(prog, pkt, &res, NULL);
	return res.targets[0];
}

/*
 * The loop every pass has; the barrier keeps the compiler from folding it
 * away, and costs nothing at run time.
 */
static __attribute__((__noinline__)) uint64_t pass_empty(const struct row *r)
{
	uint64_t sum = 0;
	uint32_t i;

	for (i = 0; i < nframes; i++)
		__asm__ volatile("" : "+r"(sum) : "r"(&frames[i]));
	return sum;
}

static __attribute__((__noinline__)) uint64_t pass_bpf(const struct row *r)
{
	const struct bpf_insn *insns = r->bpf->prog[0].bf_insns;
	uint64_t sum = 0;
	uint32_t i;

	/* One filter is called as any caller would, with no mask to build. */
	if (r->bpf->n == 1) {
		for (i = 0; i < nframes; i++)
			sum += bpf_filter(insns, frames[i].data, frames[i].wirelen,
					  frames[i].caplen);
		return sum;
	}
	for (i = 0; i < nframes; i++)
		sum += run_filters(r->bpf, &frames[i]);
	return sum;
}

static __attribute__((__noinline__)) uint64_t pass_vm(const struct row *r)
{
	uint64_t sum = 0;
	uint32_t i;

	for (i = 0; i < nframes; i++)
		sum += run_vm(r->prog, &views[i]);
	return sum;
}

static __attribute__((__noinline__)) uint64_t pass_hand(const struct row *r)
{
	uint64_t sum = 0;
	uint32_t i;

	for (i = 0; i < nframes; i++)
		sum += r->fn(frames[i].data, frames[i].caplen, frames[i].wirelen);
	return sum;
}

static uint64_t (*const passes[])(const struct row *) = {
	[K_EMPTY] = pass_empty,
	[K_BPF] = pass_bpf,
	[K_VM] = pass_vm,
	[K_HAND] = pass_hand,
};

static uint64_t verdict(const struct row *r, uint32_t i)
{
	switch (r->kind) {
	case K_BPF:
		return run_filters(r->bpf, &frames[i]);
	case K_VM:
		return run_vm(r->prog, &views[i]);
	case K_HAND:
		return r->fn(frames[i].data, frames[i].caplen, frames[i].wirelen) != 0;
	default:
		return 0;
	}
}

/* Every classifier against libpcap, on every frame: the number of rows wrong. */
static unsigned int check(void)
{
	unsigned int n, bad_rows = 0;
	uint32_t i;

	for (n = 0; n < nrows; n++) {
		const struct row *r = &rows[n];
		unsigned int bad = 0;

		if (r->kind == K_EMPTY || r->kind == K_BPF)
			continue;
		for (i = 0; i < nframes; i++) {
			uint64_t want = run_filters(r->bpf, &frames[i]);
			uint64_t got = verdict(r, i);

			if (got != want && bad++ < 3)
				fprintf(stderr, "bench: %s, %s: frame %u: libpcap %#llx, got %#llx\n",
					r->classifier, r->what, i + 1,
					(unsigned long long)want, (unsigned long long)got);
		}
		if (bad) {
			fprintf(stderr, "bench: %s, %s: %u frames disagree with libpcap\n",
				r->classifier, r->what, bad);
			bad_rows++;
		}
	}
	return bad_rows;
}

/* ---- the cases ---- */

static void add_expressions(const char *path)
{
	size_t len;
	char *text = file_read(path, &len), *line, *save;

	if (!text)
		exit(2);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *expr = trim(line);
		struct filters *fl;
		struct row *r;
		int ref;

		if (!*expr || *expr == '#')
			continue;
		fl = new_filters();
		add_filter(fl, expr, 1, 0);
		ref = nrows;
		r = add_row("bpf_filter", expr, K_BPF, fl);
		r->code = filters_len(fl);

		r = add_row("dupto VM", expr, K_VM, fl);
		r->prog = vm_load(expr, true);
		r->code = r->prog->ninsns;
		r->ref = ref;
		r->refname = "bpf_filter";
		r->target = 0.7;

		if (bench_matcher(expr)) {
			r = add_row("hand-written C", expr, K_HAND, fl);
			r->fn = bench_matcher(expr);
			r->ref = ref;
			r->refname = "bpf_filter";
		}
	}
	free(text);
}

/*
 * A ruleset of "rule EXPR to TARGET" lines, one rule a line. Each rule's
 * filter sets the bit of the VM target its rule sends to, so the verdicts
 * of the two sides compare as masks.
 */
static void add_ruleset(const char *path)
{
	struct filters *fl = new_filters();
	struct dupto_vm_prog *prog;
	char *text, *copy, *line, *save, what[64];
	struct row *r;
	size_t len;
	int ref;

	text = file_read(path, &len);
	if (!text)
		exit(2);
	prog = vm_load(text, false);
	copy = strdup(text);
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *s = trim(line), *to;
		const struct dupto_vm_rule *rule;

		if (!*s || *s == '#')
			continue;
		to = strstr(s, " to ");
		while (to && strstr(to + 1, " to "))
			to = strstr(to + 1, " to ");
		if (strncmp(s, "rule ", 5) || !to || strchr(to, ',') ||
		    !strncmp(s + 5, "quick ", 6) || !strncmp(s + 5, "else ", 5)) {
			fprintf(stderr, "%s: want \"rule EXPR to TARGET\" a line: %s\n",
				path, s);
			exit(2);
		}
		*to = 0;
		if (fl->n >= prog->nrules) {
			fprintf(stderr, "%s: more rules than the compiler saw\n", path);
			exit(2);
		}
		rule = &prog->rules[fl->n];
		if (rule->ntargets != 1 || rule->target_idx[0] >= MAX_RULES) {
			fprintf(stderr, "%s: rule %u: want one of the first %d targets\n",
				path, fl->n, MAX_RULES);
			exit(2);
		}
		add_filter(fl, trim(s + 5), 1, rule->target_idx[0]);
	}
	if (fl->n != prog->nrules) {
		fprintf(stderr, "%s: %u rule lines, the compiler saw %u rules\n",
			path, fl->n, prog->nrules);
		exit(2);
	}
	free(copy);
	free(text);

	snprintf(what, sizeof(what), "%u rules to %u targets", fl->n, prog->ntargets);
	ref = nrows;
	r = add_row("bpf_filter", what, K_BPF, fl);
	snprintf(r->what, sizeof(r->what), "%u filters, one per rule", fl->n);
	r->classifier = "bpf_filter x rules";
	r->code = filters_len(fl);
	r = add_row("dupto VM", what, K_VM, fl);
	snprintf(r->what, sizeof(r->what), "%s, one program", what);
	r->prog = prog;
	r->code = prog->ninsns;
	r->ref = ref;
	r->refname = "bpf_filter x rules";
	r->target = 0.25;
}

/*
 * "host { 10.0.0.1, 198.18.0.1, ... }": 10.0.0.1 and 999 addresses of the
 * benchmarking range 198.18.0.0/15 (RFC 2544), which no frame of the
 * corpus carries. Its oracle is libpcap's "src host A or ... or dst host
 * ..." (see cc/tests/sets.txt), compiled without the optimiser: with it,
 * pcap_compile() takes about 50 s, and only the verdicts are wanted.
 */
static void add_hostset(void)
{
	size_t cap = NHOSTS * 24 + 16, n = 0, m = 0;
	char *set = malloc(cap), *src = malloc(cap), *dst, *oracle, what[64];
	struct filters *one = new_filters(), *many = new_filters();
	struct row *r;
	unsigned int i;
	int ref;

	if (!set || !src)
		abort();
	for (i = 0; i < NHOSTS; i++) {
		char a[16];

		if (!i)
			snprintf(a, sizeof(a), "10.0.0.1");
		else
			snprintf(a, sizeof(a), "198.%u.%u.%u", 18 + i / 50000,
				 i / 250 % 200, i % 250 + 1);
		n += snprintf(set + n, cap - n, "%s%s", i ? ", " : "host { ", a);
		m += snprintf(src + m, cap - m, "%s%s", i ? " or " : "src host ", a);
	}
	snprintf(set + n, cap - n, " }");
	/* "src host A or B ..." inherits its qualifiers; so does "dst" */
	dst = strdup(src);
	memcpy(dst, "dst", 3);
	if (asprintf(&oracle, "%s or %s", src, dst) < 0)
		abort();
	add_filter(one, "host 10.0.0.1", 1, 0);
	/* 2 s natively, over a minute under callgrind, which checks nothing */
	if (!counting)
		add_filter(many, oracle, 0, 0);

	hostref = ref = nrows;
	r = add_row("dupto VM", "host 10.0.0.1", K_VM, one);
	r->prog = vm_load("host 10.0.0.1", true);
	r->code = r->prog->ninsns;
	snprintf(what, sizeof(what), "host { %u IPv4 addresses }", NHOSTS);
	r = add_row("dupto VM", what, K_VM, many);
	r->prog = vm_load(set, true);
	r->code = r->prog->ninsns;
	r->ref = ref;
	r->refname = "VM host 10.0.0.1";
	r->target = 2.0;
	free(set);
	free(src);
	free(dst);
	free(oracle);
}

/* A row running an image of cc/tests/testlib.c's, whose verdicts @oracle has. */
static struct row *add_image_row(const char *what, enum big_image kind, uint32_t n,
				 const char *oracle, int ref)
{
	struct filters *fl = new_filters();
	struct image im = { 0 };
	struct row *r;
	char err[256];

	add_filter(fl, oracle, 1, 0);
	r = add_row("dupto VM", what, K_VM, fl);
	big_image(&im, kind, n);
	if (dupto_vm_load(im.p, im.n, &r->prog, err, sizeof(err))) {
		fprintf(stderr, "bench: %s: %s\n", what, err);
		exit(2);
	}
	free(im.p);
	r->code = r->prog->ninsns;
	r->ref = ref;
	r->refname = "VM host 10.0.0.1";
	return r;
}

/*
 * What bounds a frame's cost. The clustered set's addresses are in
 * 240.0.0.0/16, where no frame of the captures has a source address: its
 * oracle matches what is there (read at 26, whatever the frame), so none
 * matches, and check() would say if one did. The worst program matches
 * every frame: ::/0 is in its set, and a frame cut inside the key still
 * has 0 words of it.
 */
static void add_bounds(int ref)
{
	struct row *r;

	add_image_row("host set of 8192 the unkeyed hash clustered", BIG_HOSTS_CLUSTERED,
		      8192, "ether[26:2] = 0xf000", ref);
	r = add_image_row("worst accepted: 15 lookups, IPv6 set of 129 prefix lengths",
			  BIG_LOOKUPS, 15, "", ref);
	r->passes_div = 100;	/* some 0.1 ms a frame */
}

/* ---- measuring ---- */

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* ms to load, the minimum of @reps loads. */
static double load_ms(enum big_image kind, uint32_t n, size_t *len, unsigned int reps)
{
	struct dupto_vm_prog *prog;
	struct image im = { 0 };
	double best = INFINITY, t;
	char err[256];

	big_image(&im, kind, n);
	*len = im.n;
	while (reps--) {
		t = now_ns();
		if (dupto_vm_load(im.p, im.n, &prog, err, sizeof(err))) {
			fprintf(stderr, "bench: load: %s\n", err);
			exit(2);
		}
		t = now_ns() - t;
		dupto_vm_free(prog);
		if (t < best)
			best = t;
	}
	free(im.p);
	return best / 1e6;
}

/* Loading takes time in proportion to the image, whatever it holds. */
static void print_loads(void)
{
	static const struct {
		const char *what;
		enum big_image kind;
		uint32_t n;
	} loads[] = {
		{ "port set, single ports", BIG_PORT_VALUES, 32768 },
		{ "port set, ranges 0-65535", BIG_PORT_RANGES, 32768 },
		{ "IPv4 set, random addresses", BIG_HOSTS_RANDOM, 32768 },
		{ "IPv4 set, addresses the unkeyed hash clustered", BIG_HOSTS_CLUSTERED, 32768 },
		{ "a rule's text, 65000-byte records", BIG_RULE_TEXT, 128 },
	};
	size_t i, len1, len2;
	double t1, t2;

	printf("\n| image (one set or one rule) | elements | bytes | load ms "
	       "| x2 elements | bytes | load ms | ratio |\n");
	printf("|---|---:|---:|---:|---:|---:|---:|---:|\n");
	for (i = 0; i < sizeof(loads) / sizeof(loads[0]); i++) {
		t1 = load_ms(loads[i].kind, loads[i].n, &len1, 5);
		t2 = load_ms(loads[i].kind, 2 * loads[i].n, &len2, 5);
		printf("| %s | %u | %zu | %.2f | %u | %zu | %.2f | %.2fx |\n",
		       loads[i].what, loads[i].n, len1, t1, 2 * loads[i].n, len2,
		       t2, t2 / t1);
	}
	printf("\nLoad: dupto_vm_load() (parse, verify, build), minimum of 5.\n");
}

static uint64_t sink;

static double time_row(const struct row *r, unsigned int npasses, unsigned int reps)
{
	uint64_t (*pass)(const struct row *) = passes[r->kind];
	double best = INFINITY;
	unsigned int rep, p;

	if (r->passes_div)
		npasses = npasses / r->passes_div ? npasses / r->passes_div : 1;

	sink += pass(r);	/* warm the caches and libpcap's PLT entry */
	for (rep = 0; rep < reps; rep++) {
		double t = now_ns();

		for (p = 0; p < npasses; p++)
			sink += pass(r);
		t = now_ns() - t;
		if (t < best)
			best = t;
	}
	return best / ((double)npasses * nframes);
}

static void count_rows(void)
{
	unsigned int n, p;
	char label[32];

	for (n = 0; n < nrows; n++) {
		uint64_t (*pass)(const struct row *) = passes[rows[n].kind];

		sink += pass(&rows[n]);
		snprintf(label, sizeof(label), "row %u", n);
		CALLGRIND_ZERO_STATS;
		CALLGRIND_TOGGLE_COLLECT;
		for (p = 0; p < COUNT_PASSES; p++)
			sink += pass(&rows[n]);
		CALLGRIND_TOGGLE_COLLECT;
		CALLGRIND_DUMP_STATS_AT(label);
	}
}

/* "N INSTRUCTIONS" lines, as bench-vm.sh writes them from the dumps. */
static void read_counts(const char *path)
{
	unsigned long long ir;
	unsigned int n;
	FILE *f = fopen(path, "r");

	if (!f) {
		perror(path);
		exit(2);
	}
	while (fscanf(f, "%u %llu", &n, &ir) == 2) {
		if (n >= nrows) {
			fprintf(stderr, "%s: row %u: no such row\n", path, n);
			exit(2);
		}
		rows[n].raw_ir = (double)ir / ((double)COUNT_PASSES * nframes);
		rows[n].have_ir = true;
	}
	fclose(f);
	for (n = 0; n < nrows; n++) {
		if (!rows[n].have_ir) {
			fprintf(stderr, "%s: no count for row %u\n", path, n);
			exit(2);
		}
		rows[n].ir = rows[n].raw_ir - rows[0].raw_ir;
	}
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		fprintf(stderr, "bench: warning: cannot pin to CPU %d: %m\n", cpu);
}

/* ---- the table ---- */

static void fmt(char *buf, size_t len, double v, bool have, const char *f)
{
	if (have)
		snprintf(buf, len, f, v);
	else
		snprintf(buf, len, "-");
}

static unsigned int print_table(bool have_ns)
{
	unsigned int n, missed = 0, targets = 0;

	printf("| classifier | case | code | instructions/packet | ns/packet "
	       "| vs | ratio (instructions) | ratio (ns) | target | met? |\n");
	printf("|---|---|---:|---:|---:|---|---:|---:|---|---|\n");
	for (n = 0; n < nrows; n++) {
		const struct row *r = &rows[n], *ref = r->ref >= 0 ? &rows[r->ref] : NULL;
		char ir[32], ns[32], rir[32], rns[32], target[32], code[16];
		const char *met = "";

		fmt(ir, sizeof(ir), n ? r->ir : r->raw_ir, r->have_ir, "%.1f");
		fmt(ns, sizeof(ns), n ? r->ns : r->raw_ns, have_ns, "%.1f");
		fmt(rir, sizeof(rir), ref ? r->ir / ref->ir : 0, ref && r->have_ir, "%.2fx");
		fmt(rns, sizeof(rns), ref ? r->ns / ref->ns : 0, ref && have_ns, "%.2fx");
		fmt(target, sizeof(target), r->target, r->target > 0, "<= %.2fx");
		fmt(code, sizeof(code), r->code, r->code, "%.0f");
		if (r->target > 0) {
			targets++;
			if (!r->have_ir) {
				met = "not counted";
			} else if (r->ir / ref->ir <= r->target) {
				met = "yes";
			} else {
				met = "**NO**";
				missed++;
			}
		}
		printf("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
		       r->classifier, n ? r->what : "(subtracted from every row)",
		       code, ir, ns, ref ? r->refname : "", rir, rns, target, met);
	}
	printf("\n%u frames; instructions: callgrind, %d passes; ns: minimum of "
	       "the repetitions; both less the empty loop.\n", nframes, COUNT_PASSES);
	if (missed)
		printf("**%u of %u targets MISSED**\n", missed, targets);
	else if (targets && rows[0].have_ir)
		printf("All %u targets met.\n", targets);
	return missed;
}

static void usage(void)
{
	fprintf(stderr, "Usage: bench [--count] [-k COUNTS] [-n PASSES] [-r REPS] [-c CPU]\n"
		"             EXPRESSIONS RULESET CAPTURE...\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned int npasses = 200, reps = 15, n;
	const char *counts = NULL;
	int i, cpu = -1;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--count"))
			counting = true;
		else if (!strcmp(argv[i], "-k") && i + 1 < argc)
			counts = argv[++i];
		else if (!strcmp(argv[i], "-n") && i + 1 < argc)
			npasses = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "-r") && i + 1 < argc)
			reps = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "-c") && i + 1 < argc)
			cpu = strtol(argv[++i], NULL, 0);
		else
			usage();
	}
	if (argc - i < 3 || !npasses || !reps)
		usage();

	for (n = i + 2; n < (unsigned int)argc; n++)
		if (frames_load(argv[n], &frames, &nframes))
			return 2;
	views = calloc(nframes, sizeof(*views));
	if (!views)
		abort();
	for (n = 0; n < nframes; n++)
		view_capture(&frames[n], &views[n]);

	pcap = pcap_open_dead(DLT_EN10MB, SNAPLEN);
	add_row("(empty loop)", "", K_EMPTY, NULL);
	add_expressions(argv[i]);
	add_ruleset(argv[i + 1]);
	add_hostset();
	add_bounds(hostref);

	if (counting) {
		count_rows();
		return 0;
	}
	if (check()) {
		fprintf(stderr, "bench: classifiers disagree with libpcap; nothing timed\n");
		return 1;
	}
	fprintf(stderr, "# %u frames from %d captures, %u rows: every verdict is libpcap's\n",
		nframes, argc - i - 2, nrows);

	if (cpu < 0)
		cpu = sysconf(_SC_NPROCESSORS_ONLN) - 1;
	pin(cpu);
	for (n = 0; n < nrows; n++) {
		rows[n].raw_ns = time_row(&rows[n], npasses, reps);
		rows[n].ns = rows[n].raw_ns - rows[0].raw_ns;
	}
	if (counts)
		read_counts(counts);
	printf("Timing: CPU %d, %u passes x %u repetitions.\n\n", cpu, npasses, reps);
	print_table(true);
	print_loads();
	return 0;
}
