// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the compiler: any text, as a ruleset, one
 * expression, a configuration file or one rule (bits of the first byte),
 * through lexer, parser, declarations, sema, codegen and the VM's loader;
 * whatever loads is run on a few frames. Names resolve through a resolver
 * of its own (fz_resolver), never the machine's.
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

/*
 * Names mean what their letters say, so that every path through the name
 * lookups is reachable, and no input waits for a DNS server: a name with
 * an 'x' is unknown, a host with a 'q' gets no answer; otherwise its
 * length makes up the rest.
 */
static int fz_service(const char *name, const char *proto)
{
	size_t n = strlen(name);

	if (strchr(name, 'x') || (name[0] == 't' && proto[0] == 'u') ||
	    (name[0] == 'u' && proto[0] == 't'))
		return -1;
	return (int)(n * 4099 % 65536) + (name[0] == 'o' && proto[0] == 'u');
}

static int fz_protocol(const char *name)
{
	return strchr(name, 'x') ? -1 : (int)(strlen(name) * 37 % 256);
}

static int fz_host(const char *name, struct cc_host_addr *addrs, int max)
{
	size_t n = strlen(name);
	int i, count = strchr(name, 'x') ? 0 : (int)(n % 4) + (n > 60 ? 70 : 0);

	if (strchr(name, 'q'))
		return -1;	/* no answer */

	for (i = 0; i < count && i < max; i++) {
		memset(&addrs[i], 0, sizeof(addrs[i]));
		addrs[i].family = (n + i) % 2 ? 4 : 6;
		addrs[i].a[0] = 10;
		addrs[i].a[3] = (uint8_t)(n + i);
	}
	return count;
}

static uint32_t fz_network(const char *name)
{
	return strchr(name, 'x') ? 0 : (uint32_t)strlen(name) << (strlen(name) % 4 * 8);
}

static bool fz_ether(const char *name, uint8_t *mac)
{
	if (strchr(name, 'x'))
		return false;
	memset(mac, (int)strlen(name), 6);
	return true;
}

/* any index but a multiple of 7, named so it may clash with a port's */
static bool fz_ifname(uint32_t index, char name[CC_IFNAMSIZ])
{
	if (!index || index % 7 == 0)
		return false;
	snprintf(name, CC_IFNAMSIZ, "p%u", index % 100);
	return true;
}

static const struct cc_resolver fz_resolver = {
	.service = fz_service,
	.protocol = fz_protocol,
	.host = fz_host,
	.network = fz_network,
	.ether = fz_ether,
	.ifname = fz_ifname,
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
	cc.resolver = &fz_resolver;
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
