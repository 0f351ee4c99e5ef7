// SPDX-License-Identifier: GPL-2.0
/*
 * The differential test: libpcap is the oracle. Each expression is compiled
 * by pcap_compile() (what tcpdump does) and by our compiler, and both run
 * over every frame of the corpus; the verdicts must be identical. Every
 * frame with an outer 802.1Q/802.1ad tag is run a second time the way the
 * kernel presents it (tag in metadata) and must still get libpcap's verdict
 * for the frame as captured.
 *
 * Usage: diff EXPRESSIONS SETS CAPTURE...
 *   EXPRESSIONS  one tcpdump expression per line
 *   SETS         "EXPR-WITH-SETS ||| EQUIVALENT-TCPDUMP-EXPR" per line
 */

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"

static struct frame *frames;
static uint32_t nframes;

static bool run(const struct dupto_vm_prog *prog, const struct dupto_vm_packet *pkt)
{
	struct dupto_vm_result res;

	dupto_vm_run(prog, pkt, &res, NULL);
	return res.matched;
}

static void check(const char *ours, const char *oracle)
{
	pcap_t *pc = pcap_open_dead(DLT_EN10MB, 262144);
	struct dupto_vm_prog *prog;
	struct bpf_program bpf;
	uint32_t i, matches = 0, tagged = 0, bad = 0;
	char err[512];
	uint8_t *buf;

	if (pcap_compile(pc, &bpf, oracle, 1, PCAP_NETMASK_UNKNOWN)) {
		tap_result(false, "%s: libpcap refuses it: %s", oracle, pcap_geterr(pc));
		pcap_close(pc);
		return;
	}
	prog = compile_load(ours, true, err, sizeof(err));
	if (!prog) {
		tap_result(false, "%s: %s", ours, err);
		pcap_freecode(&bpf);
		pcap_close(pc);
		return;
	}
	buf = malloc(262144);
	for (i = 0; i < nframes; i++) {
		struct pcap_pkthdr h = { .caplen = frames[i].caplen, .len = frames[i].wirelen };
		struct dupto_vm_packet pkt;
		bool want = pcap_offline_filter(&bpf, &h, frames[i].data) != 0;
		bool got;

		view_capture(&frames[i], &pkt);
		got = run(prog, &pkt);
		if (got != want && bad++ < 3)
			printf("# %s: frame %u: libpcap %d, dupto %d\n", ours, i + 1, want, got);
		if (view_kernel(&frames[i], &pkt, buf)) {
			tagged++;
			got = run(prog, &pkt);
			if (got != want && bad++ < 3)
				printf("# %s: frame %u with its tag in metadata: libpcap %d, dupto %d\n",
				       ours, i + 1, want, got);
		}
		matches += want;
	}
	tap_result(!bad, "%s (%u of %u frames match, %u also untagged)%s%s", ours,
		   matches, nframes, tagged, ours == oracle ? "" : " = ",
		   ours == oracle ? "" : oracle);
	free(buf);
	dupto_vm_free(prog);
	pcap_freecode(&bpf);
	pcap_close(pc);
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
	frames_free(frames, nframes);
	return tap_done();
}
