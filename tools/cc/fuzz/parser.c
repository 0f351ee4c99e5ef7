// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the compiler: any text, as a ruleset, one
 * expression, a configuration file or one rule (bits of the first byte),
 * through lexer, parser, declarations, sema, codegen and the VM's loader;
 * whatever loads is run on a few frames.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compiler.h"
#include "vm/vm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t frame[] = {
	0, 1, 2, 3, 4, 5, 0, 6, 7, 8, 9, 10, 0x81, 0x00, 0x00, 0x05, 0x08, 0x00,
	0x45, 0, 0, 40, 0, 1, 0, 0, 64, 6, 0, 0, 10, 1, 2, 3, 192, 168, 1, 1,
	0x04, 0x00, 0x00, 0x50, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0x20, 0,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dupto_vm_prog *prog = NULL;
	struct cc cc = { 0 };
	char *text, err[256];
	size_t n;

	if (!size)
		return 0;
	text = malloc(size);
	memcpy(text, data + 1, size - 1);
	text[size - 1] = 0;
	cc.src = text;
	cc.len = size - 1;
	cc.config = data[0] & 2;
	cc.one_rule = data[0] & 4;
	if (!cc_compile(&cc, data[0] & 1) && !cc_load(&cc, &prog, err, sizeof(err))) {
		for (n = 0; n <= sizeof(frame); n += 7) {
			struct dupto_vm_packet pkt = {
				.data = frame, .len = n, .wire_len = n,
				.port = 0, .dir = DUPTO_VM_DIR_IN,
			};
			struct dupto_vm_result res;

			dupto_vm_run(prog, &pkt, &res, NULL);
		}
		dupto_vm_free(prog);
	} else if (!cc.nerrors) {
		abort();	/* a program the compiler made was refused */
	}
	cc_free(&cc);
	free(text);
	return 0;
}
