// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the loader, the verifier and the interpreter.
 * Mode 0: the input is an image. Mode 1: the input is instructions, put in
 * an image with fixed tables, followed by frame bytes. Whatever loads runs
 * over every prefix of the frame, with and without a tag in metadata and
 * through the non-linear read hook: a verified program must never read out
 * of bounds, never loop (libFuzzer's timeout) and never trip a sanitizer.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compiler.h"
#include "vm/vm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void rec(struct image *im, uint16_t type, const void *p, size_t len)
{
	image_put(im, type, p, len, NULL, 0);
}

/*
 * The kernel's read hook (classify.c) reads what it is asked for without a
 * check of its own: the VM promises to ask only for bytes of the frame not
 * all in the linear part. A request outside that is a read outside the
 * frame in the kernel, so here it is a crash for the fuzzer to find.
 */
static const uint8_t *hook(const struct dupto_vm_packet *pkt, uint32_t off,
			   uint32_t n, uint8_t *buf)
{
	const uint8_t *whole = pkt->ctx;
	uint32_t end = dupto_vm_pkt_end(pkt);

	if (!n || n > DUPTO_VM_READ_MAX || off > end || n > end - off ||
	    off + n <= pkt->len)
		abort();
	memcpy(buf, whole + off, n);
	return buf;
}

static void run_all(const struct dupto_vm_prog *prog, const uint8_t *f, size_t len)
{
	struct dupto_vm_rule_stats *stats = calloc(prog->nrules + 1, sizeof(*stats));
	size_t n;

	for (n = 0; n <= len && n < 256; n++) {
		/* an exact-size copy, so ASan sees any read past the end */
		uint8_t *copy = malloc(n ? n : 1);
		struct dupto_vm_packet pkt = {
			.data = copy, .len = n, .wire_len = n + (n & 2 ? 4 : 0),
			.port = f[0] % 3, .dir = 1 + (n & 1), .vlan_tagged = n & 2,
			.vlan_tpid = 0x8100, .vlan_tci = (uint16_t)n,
		};
		struct dupto_vm_result res;

		memcpy(copy, f, n);
		dupto_vm_run(prog, &pkt, &res, stats);
		pkt.len = n / 2;
		pkt.read = hook;
		pkt.ctx = copy;
		dupto_vm_run(prog, &pkt, &res, stats);
		free(copy);
	}
	free(stats);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dupto_vm_prog *prog = NULL;
	static const uint8_t zero[1];
	char err[256];
	struct image im = { 0 };
	size_t ninsns;

	if (size < 2)
		return 0;
	if (!(data[0] & 1)) {
		if (!dupto_vm_load(data + 1, size - 1, &prog, err, sizeof(err))) {
			run_all(prog, zero, 0);
			dupto_vm_free(prog);
		}
		return 0;
	}

	ninsns = data[1] % 32 + 1;
	if (size < 2 + ninsns * sizeof(struct dupto_vm_insn))
		return 0;
	{
		struct dupto_vm_hdr h = { DUPTO_VM_VERSION, ninsns, data[0] >> 1 & 3, 2, 2, 2, 0 };
		struct dupto_vm_set_rec s6 = { DUPTO_VM_SET_IP6, 0, 2 }, sp = { DUPTO_VM_SET_U16, 0, 1 };
		struct dupto_vm_addr a[2] = { { .addr = { 0x20, 0x01, 0x0d, 0xb8 }, .plen = 32 },
					      { .addr = { 0xfe, 0x80 }, .plen = 10 } };
		struct dupto_vm_range pr = { 0, 1023 };
		uint32_t r;

		rec(&im, DUPTO_VM_REC_HEADER, &h, sizeof(h));
		rec(&im, DUPTO_VM_REC_INSNS, data + 2, ninsns * sizeof(struct dupto_vm_insn));
		rec(&im, DUPTO_VM_REC_TARGET, "a", 2);
		rec(&im, DUPTO_VM_REC_TARGET, "b", 2);
		rec(&im, DUPTO_VM_REC_PORT, "p0", 3);
		rec(&im, DUPTO_VM_REC_PORT, "p1", 3);
		for (r = 0; r < h.nrules; r++) {
			uint8_t b[sizeof(struct dupto_vm_rule_rec) + 2] = { 0 };

			b[4] = 1;
			b[8] = r & 1;
			rec(&im, DUPTO_VM_REC_RULE, b, sizeof(b));
		}
		rec(&im, DUPTO_VM_REC_SET, &s6, sizeof(s6));
		rec(&im, DUPTO_VM_REC_SET_ELEMS, a, sizeof(a));
		rec(&im, DUPTO_VM_REC_SET, &sp, sizeof(sp));
		rec(&im, DUPTO_VM_REC_SET_ELEMS, &pr, sizeof(pr));
	}
	if (!dupto_vm_load(im.p, im.n, &prog, err, sizeof(err))) {
		size_t used = 2 + ninsns * sizeof(struct dupto_vm_insn);

		run_all(prog, size > used ? data + used : zero, size - used);
		dupto_vm_free(prog);
	}
	free(im.p);
	return 0;
}
