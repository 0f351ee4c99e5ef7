// SPDX-License-Identifier: GPL-2.0
/*
 * dupto compile: compile a ruleset (or one filter expression), load it with
 * the VM's own loader and print its listing; with -r, run it over a capture
 * file and say where each frame would go.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "compiler.h"
#include "model.h"
#include "dupto.h"
#include "objects.h"
#include "output.h"
#include "vm/vm.h"

static void usage(FILE *f)
{
	cli_usage(f, &dupto_compile_object, CLI_USAGE);
}

/*
 * After the frames: each rule with how many of them it matched, as "dupto
 * show" prints a rule and its counters.
 */
static int print_counts(struct dupto_vm_prog *prog,
			const struct dupto_vm_rule_stats *stats)
{
	struct model_ruleset rs = { .prog = prog };
	uint32_t i;

	rs.stats = calloc(prog->nrules ? prog->nrules : 1, sizeof(*rs.stats));
	if (!rs.stats) {
		fprintf(stderr, "dupto: out of memory\n");
		return -1;
	}
	for (i = 0; i < prog->nrules; i++) {
		rs.stats[i].packets = u64_stats_read(&stats[i].packets);
		rs.stats[i].bytes = u64_stats_read(&stats[i].bytes);
	}
	out_open_array("rules");
	for (i = 0; i < prog->nrules; i++)
		rule_print(&rs, i, true);
	out_close_array();
	free(rs.stats);
	return 0;
}

static int run_capture(struct dupto_vm_prog *prog, const char *path,
		       const char *port, uint8_t dir)
{
	struct dupto_vm_packet pkt = { .dir = dir, .port = DUPTO_VM_PORT_NONE };
	struct dupto_vm_rule_stats *stats;
	struct capture_frame fr;
	struct capture cap;
	uint32_t i;
	int ret, err;

	if (port) {
		for (i = 0; i < prog->nports; i++)
			if (!strcmp(prog->ports[i], port))
				pkt.port = i;
		if (pkt.port == DUPTO_VM_PORT_NONE)
			fprintf(stderr, "dupto: warning: no rule names port \"%s\"\n", port);
	}
	if (capture_open(&cap, path)) {
		fprintf(stderr, "dupto: %s\n", cap.err);
		return 1;
	}
	if (cap.fcs_len)
		fprintf(stderr, "dupto: warning: %s: every frame ends with its %u-byte FCS, which rules see as libpcap's filters do (the kernel's frames have none)\n",
			path, cap.fcs_len);
	stats = calloc(prog->nrules ? prog->nrules : 1, sizeof(*stats));
	if (!stats) {
		fprintf(stderr, "dupto: out of memory\n");
		capture_close(&cap);
		return 1;
	}
	out_open_object(NULL);
	out_open_array("frames");
	while ((ret = capture_next(&cap, &fr)) > 0) {
		struct dupto_vm_result res;
		bool any = false;

		pkt.data = fr.data;
		pkt.len = fr.caplen;
		pkt.wire_len = fr.wirelen;
		dupto_vm_run(prog, &pkt, &res, stats);
		/* every member up: where the kernel sends it then */
		if (prog->ngroups)
			dupto_vm_resolve_groups(prog, &pkt, res.targets, NULL, NULL);
		out_open_object(NULL);
		out_uint("frame", "%" PRIu64 ":", cap.frames);
		out_open_array("targets");
		for (i = 0; i < prog->ntargets; i++) {
			if (!(res.targets[i / 64] >> (i % 64) & 1))
				continue;
			out_str(NULL, " %s", prog->targets[i]);
			any = true;
		}
		if (!any)
			out_text(" -");
		out_close_array();
		out_close_object();
		out_nl();
	}
	out_close_array();
	/* the frames read, even if a later one could not be */
	err = print_counts(prog, stats);
	out_close_object();
	out_flush();
	if (ret < 0)
		fprintf(stderr, "dupto: %s\n", cap.err);
	free(stats);
	capture_close(&cap);
	return ret < 0 || err;
}

static bool starts_with_word(const char *p, const char *w)
{
	size_t n = strlen(w);

	return !strncmp(p, w, n) && (!p[n] || p[n] == ' ' || p[n] == '\t' ||
				     p[n] == '\n');
}

static int do_compile(int argc, char **argv)
{
	const char *file = NULL, *text = NULL, *capfile = NULL, *port = NULL;
	struct dupto_vm_prog *prog = NULL;
	struct cc cc = { .errf = stderr };
	uint8_t dir = DUPTO_VM_DIR_IN;
	char *buf = NULL, err[256];
	size_t len;
	int ret = 1;

	for (; argc > 0; argc--, argv++) {
		if (!strcmp(argv[0], "-e") && argc > 1) {
			text = *++argv;
			argc--;
		} else if (!strcmp(argv[0], "-r") && argc > 1) {
			capfile = *++argv;
			argc--;
		} else if (!strcmp(argv[0], "on") && argc > 1) {
			port = *++argv;
			argc--;
		} else if (!strcmp(argv[0], "netmask")) {
			int k = cli_netmask("compile", argc, argv, &cc);

			if (k < 0)
				return 1;
			argc -= k - 1;
			argv += k - 1;
		} else if (!strcmp(argv[0], "in")) {
			dir = DUPTO_VM_DIR_IN;
		} else if (!strcmp(argv[0], "out")) {
			dir = DUPTO_VM_DIR_OUT;
		} else if ((argv[0][0] != '-' || !strcmp(argv[0], "-")) && !file && !text) {
			file = argv[0];
		} else {
			fprintf(stderr, "dupto: compile: unexpected argument \"%s\"\n", argv[0]);
			usage(stderr);
			return 1;
		}
	}
	if (!file == !text) {
		usage(stderr);
		return 1;
	}
	if (file && capfile && !strcmp(file, "-") && !strcmp(capfile, "-")) {
		fprintf(stderr, "dupto: compile: the ruleset and the capture cannot both be standard input\n");
		return 1;
	}
	if (file) {
		buf = read_file(file, &len);
		if (!buf) {
			fprintf(stderr, "dupto: cannot read \"%s\": %s\n", file, strerror(errno));
			return 1;
		}
		cc.file = file;
		cc.src = buf;
		cc.len = len;
	} else {
		const char *p = text;

		cc.file = "<command line>";
		cc.src = text;
		cc.len = strlen(text);
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		/*
		 * a ruleset starts with "rule", "group" or "netmask"; anything else is
		 * an expression
		 */
		if (!starts_with_word(p, "rule") && !starts_with_word(p, "group") &&
		    !starts_with_word(p, "netmask")) {
			if (cc_compile(&cc, true))
				goto out;
			goto load;
		}
	}
	if (cc_compile(&cc, false))
		goto out;
load:
	if (cc_load(&cc, &prog, err, sizeof(err))) {
		fprintf(stderr, "dupto: the VM refused the program: %s\n", err);
		goto out;
	}
	if (capfile)
		ret = run_capture(prog, capfile, port, dir);
	else {
		cc_disasm(stdout, prog, &cc);
		ret = 0;
	}
out:
	dupto_vm_free(prog);
	cc_free(&cc);
	free(buf);
	return ret;
}

static const struct cli_cmd cmds[] = {
	{ NULL, do_compile, "{ FILE | -e TEXT } [ netmask MASK ] [ -r CAPTURE [ on PORT ] [ in | out ] ]" },
};

const struct cli_object dupto_compile_object = DUPTO_OBJECT("compile", cmds,
	"FILE is a ruleset or a configuration file (dupto.conf(5)), \"-\" standard input;\n"
	"TEXT is a ruleset, or one filter expression (compiled as \"rule EXPR to match\").\n"
	"With -r, every frame of CAPTURE (pcap or pcapng, Ethernet, read by libpcap;\n"
	"\"-\" standard input) is classified as if it had arrived on PORT (no port by\n"
	"default), and its targets are printed; then each rule with the frames it matched.\n");
