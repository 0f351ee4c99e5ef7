// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness: the differential test (cc/tests/diff.c) on
 * expressions and frames the fuzzer makes. Where libpcap and our compiler
 * both compile an expression, the VM must give libpcap's verdict on the
 * frame as captured and with its outer tag in metadata, but for the
 * documented difference on frames cut short (oracle_check() in
 * cc/tests/testlib.c); anything else aborts with the expression and the
 * frame.
 *
 * An input is
 *   byte 0     bit 0: the expression is text (else it is built from its
 *              bytes, below); bit 1: the frame is a corpus frame's first
 *              bytes, then the input's; bit 2: the frame is also cut at
 *              every length
 *   bytes 1-2  which corpus frame (little endian, modulo their number)
 *   byte 3     how many of its bytes (255: all of them)
 *   byte 4     the frame's length on the wire beyond what is captured
 *   then       the expression's bytes, up to a NUL
 *   then       the frame's bytes
 * and a built expression follows
 *   expr := term { ("and" | "or" | "&&" | "||") term }
 *   term := [ "not" | "!" ] ( ATOM | "(" expr ")" )
 * with ATOM a line of the atoms file (cc/tests/atoms.txt), each "@" in it a
 * number chosen by the bytes.
 *
 * An expression libpcap accepts and we refuse is a finding, but for the
 * refusals rule-language.rst documents (documented[] below), which are
 * counted. At exit a summary line starts with "# diff:". DUPTO_FUZZ_ATOMS and DUPTO_FUZZ_CORPUS name
 * other files than the ones make built it with.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler.h"
#include "testlib.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ATOMS	8	/* per expression: it stays within the VM's limits */
#define MAX_DEPTH	4	/* of parentheses */
#define MAX_FRAME	1024
#define MAX_TEXT	1024
#define SHOW_MAX	10	/* expressions only dupto accepts, shown as they come */

static char **atoms;
static uint32_t natoms;
static struct frame *corpus;
static uint32_t ncorpus;
/*
 * What libpcap accepts and dupto refuses on purpose (rule-language.rst,
 * "What libpcap 1.10.3 accepts ... and dupto refuses"): a part of each
 * message, the one place the fuzzer knows them.
 */
static const char *const documented[] = {
	"is reached by frames that did not match it",	/* geneve or ip */
	"libpcap compiles it without reading the byte",	/* byte N & M */
	"no interface has index",			/* ifindex N */
};

static bool documented_refusal(const char *err)
{
	size_t i;

	for (i = 0; i < sizeof(documented) / sizeof(documented[0]); i++)
		if (strstr(err, documented[i]))
			return true;
	return false;
}

static struct {
	unsigned long inputs;
	unsigned long compared;		/* expressions both compiled */
	unsigned long views;		/* frame views checked */
	unsigned long cut;		/* of them, the documented difference */
	unsigned long pcap_refused;
	unsigned long rejects_all;	/* libpcap: "expression rejects all packets" */
	unsigned long refused;		/* libpcap accepts, we refuse */
	unsigned long extension;	/* we accept, libpcap refuses */
	unsigned long dns;		/* skipped: a host name for the DNS */
} st;

/* Numbers an "@" most often stands for: offsets, lengths, protocols, ports. */
static const uint32_t numbers[] = {
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 13, 14, 16, 17, 18, 20, 22, 23, 24,
	26, 30, 34, 38, 40, 41, 43, 44, 47, 50, 51, 53, 54, 58, 59, 60, 64, 80,
	100, 123, 127, 128, 132, 135, 255, 256, 443, 1000, 1023, 1024, 1500,
	1501, 2048, 4094, 4095, 4096, 8080, 32768, 65535, 65536, 0x7fffffff,
	0x80000000, 0xffffffff,
};

struct gen {
	const uint8_t *p, *end;
	FILE *out;
	uint32_t natoms;
};

static uint32_t next(struct gen *g)
{
	return g->p < g->end ? *g->p++ : 0;
}

/* Two bytes, the first the low one. */
static uint32_t next16(struct gen *g)
{
	uint32_t lo = next(g);

	return lo | next(g) << 8;
}

static void gen_atom(struct gen *g)
{
	const char *a = atoms[next16(g) % natoms];
	uint32_t b;

	g->natoms++;
	for (; *a; a++) {
		if (*a != '@') {
			fputc(*a, g->out);
			continue;
		}
		b = next(g);
		if (b < sizeof(numbers) / sizeof(numbers[0]))
			fprintf(g->out, "%u", numbers[b]);
		else if (b < 192)
			fprintf(g->out, "%u", b);
		else
			fprintf(g->out, "%u", next16(g));
	}
}

static void gen_expr(struct gen *g, int depth);

static void gen_term(struct gen *g, int depth)
{
	uint32_t b = next(g);

	if (b & 1)
		fputs(b & 2 ? "not " : "!", g->out);
	if (b & 4 && depth < MAX_DEPTH && g->natoms < MAX_ATOMS - 1) {
		fputc('(', g->out);
		gen_expr(g, depth + 1);
		fputc(')', g->out);
	} else {
		gen_atom(g);
	}
}

static void gen_expr(struct gen *g, int depth)
{
	static const char *const ops[] = { " and ", " or ", " && ", " || " };
	uint32_t n = 1 + next(g) % 4, i;

	gen_term(g, depth);
	for (i = 1; i < n && g->natoms < MAX_ATOMS; i++) {
		fputs(ops[next(g) % 4], g->out);
		gen_term(g, depth);
	}
}

/* An expression as text, its bytes outside printable ASCII as \xNN. */
static const char *show(const char *s)
{
	static char buf[4 * MAX_TEXT + 1];
	char *o = buf;

	for (; *s && o < buf + sizeof(buf) - 4; s++) {
		if (*s >= 0x20 && *s < 0x7f)
			*o++ = *s;
		else
			o += sprintf(o, "\\x%02x", (uint8_t)*s);
	}
	*o = 0;
	return buf;
}

static void hexdump(const uint8_t *p, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		fprintf(stderr, "%02x", p[i]);
	fputc('\n', stderr);
}

/* Both views of the frame, from a copy of exactly its size for ASan. */
static void check_frame(const struct oracle *o, const struct dupto_vm_prog *prog,
			const char *expr, const uint8_t *data, uint32_t caplen,
			uint32_t wirelen)
{
	struct frame f = { .data = malloc(caplen ? caplen : 1), .caplen = caplen,
			   .wirelen = wirelen };
	uint8_t *buf = malloc(caplen ? caplen : 1);
	struct dupto_vm_packet pkt;
	int view;

	memcpy(f.data, data, caplen);
	view_capture(&f, &pkt);
	for (view = 0; view < 2; view++) {
		struct dupto_vm_result res;
		enum oracle_how how;

		if (view && !view_kernel(&f, &pkt, buf))
			break;
		dupto_vm_run(prog, &pkt, &res, NULL);
		how = oracle_check(o, &f, res.matched, res.aborted);
		st.views++;
		if (how != ORACLE_WRONG) {
			st.cut += how != ORACLE_SAME;
			continue;
		}
		fprintf(stderr, "\ndiff: libpcap and dupto disagree\n"
			"  expression: %s\n"
			"  frame%s: %u bytes captured, %u on the wire; libpcap %d, dupto %d%s\n"
			"  bytes: ", show(expr), view ? " with its outer tag in metadata" : "",
			caplen, wirelen, oracle_verdict(o, &f), !!res.matched,
			res.aborted ? " (a read past the end)" : "");
		hexdump(data, caplen);
		abort();
	}
	free(buf);
	free(f.data);
}

/*
 * The machine's names, as libpcap has them, but no host name that would go
 * to the DNS: an input naming one is skipped (the DNS may be slow, absent or
 * answer differently from one lookup to the next).
 */
static bool dns_wanted;

static int guard_host(const char *name, struct cc_host_addr *addrs, int max)
{
	if (strcmp(name, "localhost")) {
		dns_wanted = true;
		return 0;
	}
	return cc_system_resolver.host(name, addrs, max);
}

/* the machine's resolver, with guard_host() for hosts */
static struct cc_resolver resolver;

static void check(const char *expr, const uint8_t *frame, uint32_t len,
		  uint32_t wirelen, bool cuts)
{
	char err[512], pcap_err[512];
	struct dupto_vm_prog *prog;
	struct oracle o;
	uint32_t n;

	dns_wanted = false;
	prog = compile_load_with(expr, true, &resolver, err, sizeof(err));
	if (dns_wanted) {
		st.dns++;
		dupto_vm_free(prog);
		return;
	}
	if (oracle_compile(&o, expr, true, pcap_err, sizeof(pcap_err))) {
		st.pcap_refused++;
		if (prog && st.extension++ < SHOW_MAX)
			fprintf(stderr, "# diff: only dupto accepts: %s\n", show(expr));
		dupto_vm_free(prog);
		return;
	}
	/* tcpdump refuses what matches nothing; we may too, or match nothing */
	if (!prog && o.rejects_all) {
		oracle_free(&o);
		return;
	}
	if (!prog) {
		oracle_free(&o);
		if (documented_refusal(err)) {
			st.refused++;
			return;
		}
		fprintf(stderr, "# diff: libpcap accepts, dupto refuses: %s", show(expr));
		fprintf(stderr, ": %s\n", show(err));
		abort();
	}
	st.compared++;
	st.rejects_all += o.rejects_all;
	check_frame(&o, prog, expr, frame, len, wirelen);
	for (n = 0; cuts && n < len; n++)
		check_frame(&o, prog, expr, frame, n, wirelen);
	dupto_vm_free(prog);
	oracle_free(&o);
}

static void summary(void)
{
	fprintf(stderr, "# diff: %lu inputs, %lu expressions both compiled (%lu that libpcap's "
		"optimiser finds match nothing), %lu frame views agreed (%lu as documented "
		"for frames cut short), %lu refused by libpcap (%lu of them accepted by "
		"dupto), %lu accepted by libpcap and refused by dupto%s, %lu skipped for a "
		"host name the DNS would resolve\n",
		st.inputs, st.compared, st.rejects_all, st.views, st.cut, st.pcap_refused,
		st.extension, st.refused, " as documented",
		st.dns);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data + 5, *end = data + size, *nul;
	uint8_t frame[MAX_FRAME];
	uint32_t len = 0, wirelen;
	size_t tlen;
	char *text;

	if (size < 5)
		return 0;
	st.inputs++;
	nul = memchr(p, 0, end - p);
	if (data[0] & 1) {
		tlen = (nul ? nul : end) - p;
		if (tlen > MAX_TEXT)
			return 0;
		text = malloc(tlen + 1);
		memcpy(text, p, tlen);
		text[tlen] = 0;
	} else {
		struct gen g = { .p = p, .end = nul ? nul : end };

		tlen = 0;
		text = NULL;
		g.out = open_memstream(&text, &tlen);
		gen_expr(&g, 0);
		fclose(g.out);
	}
	p = nul ? nul + 1 : end;

	if (data[0] & 2 && ncorpus) {
		const struct frame *c = &corpus[(data[1] | data[2] << 8) % ncorpus];

		len = data[3] == 255 || data[3] > c->caplen ? c->caplen : data[3];
		if (len > MAX_FRAME)
			len = MAX_FRAME;
		memcpy(frame, c->data, len);
	}
	if ((size_t)(end - p) > MAX_FRAME - len)
		end = p + (MAX_FRAME - len);
	memcpy(frame + len, p, end - p);
	len += end - p;
	wirelen = len + data[4];

	check(text, frame, len, wirelen, data[0] & 4);
	free(text);
	return 0;
}

static char *file_or(const char *env, const char *built, size_t *size)
{
	const char *path = getenv(env) ? getenv(env) : built;
	char *text = file_read(path, size);

	if (!text)
		exit(1);
	return text;
}

/*
 * Every atom must be one libpcap accepts alone (with each "@" as 1): a line
 * it refuses is a mistake in the table, which would only waste inputs.
 * One we refuse fails at once.
 */
static void atoms_check(void)
{
	uint32_t i, refused = 0;

	for (i = 0; i < natoms; i++) {
		struct dupto_vm_prog *prog;
		char expr[512], err[512], *s;
		struct oracle o;

		snprintf(expr, sizeof(expr), "%s", atoms[i]);
		for (s = expr; (s = strchr(s, '@'));)
			*s = '1';
		if (oracle_compile(&o, expr, false, err, sizeof(err))) {
			fprintf(stderr, "diff: atom '%s' (as '%s'): libpcap refuses it: %s\n",
				atoms[i], expr, err);
			exit(1);
		}
		oracle_free(&o);
		prog = compile_load(expr, true, err, sizeof(err));
		if (prog) {
			dupto_vm_free(prog);
			continue;
		}
		fprintf(stderr, "# diff: atom '%s' refused by dupto: %s\n", atoms[i], err);
		refused++;
	}
	fprintf(stderr, "# diff: %u atoms, %u refused by dupto, %u corpus frames\n",
		natoms, refused, ncorpus);
	if (refused)
		exit(1);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *corpus_path = getenv("DUPTO_FUZZ_CORPUS") ?
				  getenv("DUPTO_FUZZ_CORPUS") : DUPTO_FUZZ_CORPUS;
	char *text, *line, *save;
	size_t size;

	/*
	 * libpcap still asks the DNS for a host name in an expression we
	 * refuse before we look the name up ("gateway NAME"): one try of
	 * one second (glibc's resolver reads this at its first use), so no
	 * unreachable server makes an input outlast libFuzzer's timeout.
	 */
	setenv("RES_OPTIONS", "timeout:1 attempts:1", 0);
	resolver = cc_system_resolver;
	resolver.host = guard_host;

	text = file_or("DUPTO_FUZZ_ATOMS", DUPTO_FUZZ_ATOMS, &size);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		line = trim(line);
		if (!*line || *line == '#')
			continue;
		atoms = realloc(atoms, (natoms + 1) * sizeof(*atoms));
		atoms[natoms++] = strdup(line);
	}
	free(text);
	if (!natoms) {
		fprintf(stderr, "diff: no atoms in %s\n", getenv("DUPTO_FUZZ_ATOMS") ?
			getenv("DUPTO_FUZZ_ATOMS") : DUPTO_FUZZ_ATOMS);
		exit(1);
	}
	if (frames_load(corpus_path, &corpus, &ncorpus))
		exit(1);
	atoms_check();
	atexit(summary);
	return 0;
}
