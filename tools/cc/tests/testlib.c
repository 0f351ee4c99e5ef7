// SPDX-License-Identifier: GPL-2.0
/* TAP output, capture loading and frame views for the userspace tests. */

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "compiler.h"
#include "testlib.h"

static unsigned int tap_n, tap_failed;

void tap_result(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %u - ", ok ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!ok)
		tap_failed++;
	fflush(stdout);
}

int tap_done(void)
{
	printf("1..%u\n", tap_n);
	printf("# %u passed, %u failed\n", tap_n - tap_failed, tap_failed);
	return tap_failed ? 1 : 0;
}

char *file_read(const char *path, size_t *len)
{
	char *buf;
	long size;
	FILE *f;

	f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return NULL;
	}
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	buf = size >= 0 ? malloc(size + 1) : NULL;
	if (!buf || fread(buf, 1, size, f) != (size_t)size) {
		fprintf(stderr, "%s: cannot read\n", path);
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	buf[size] = 0;
	*len = size;
	return buf;
}

char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == '\n' || e[-1] == ' ' || e[-1] == '\t'))
		*--e = 0;
	return s;
}

int frames_load(const char *path, struct frame **frames, uint32_t *n)
{
	struct capture_frame cf;
	struct capture cap;
	int ret;

	if (capture_open(&cap, path)) {
		fprintf(stderr, "%s\n", cap.err);
		return -1;
	}
	while ((ret = capture_next(&cap, &cf)) > 0) {
		struct frame *fr;

		*frames = realloc(*frames, (*n + 1) * sizeof(**frames));
		fr = &(*frames)[(*n)++];
		fr->caplen = cf.caplen;
		fr->wirelen = cf.wirelen;
		fr->data = malloc(cf.caplen ? cf.caplen : 1);
		memcpy(fr->data, cf.data, cf.caplen);
	}
	/* a capture cut short (as one of dpkt's is) still gives its frames */
	if (ret < 0)
		fprintf(stderr, "# %s (using the frames before)\n", cap.err);
	capture_close(&cap);
	return 0;
}

void frames_free(struct frame *frames, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		free(frames[i].data);
	free(frames);
}

void view_capture(const struct frame *f, struct dupto_vm_packet *pkt)
{
	memset(pkt, 0, sizeof(*pkt));
	pkt->data = f->data;
	pkt->len = f->caplen;
	pkt->wire_len = f->wirelen > f->caplen ? f->wirelen : f->caplen;
	pkt->port = DUPTO_VM_PORT_NONE;
	pkt->dir = DUPTO_VM_DIR_IN;
}

bool view_kernel(const struct frame *f, struct dupto_vm_packet *pkt, uint8_t *buf)
{
	uint16_t tpid;

	view_capture(f, pkt);
	if (f->caplen < 18)
		return false;	/* the kernel never untags a frame this short */
	tpid = f->data[12] << 8 | f->data[13];
	if (tpid != 0x8100 && tpid != 0x88a8)
		return false;
	memcpy(buf, f->data, 12);
	memcpy(buf + 12, f->data + 16, f->caplen - 16);
	pkt->data = buf;
	pkt->len = f->caplen - 4;
	pkt->vlan_tagged = 1;
	pkt->vlan_tpid = tpid;
	pkt->vlan_tci = f->data[14] << 8 | f->data[15];
	return true;
}

/* libpcap's program for an optimiser that found nothing matches */
static struct bpf_insn reject_all = BPF_STMT(BPF_RET | BPF_K, 0);

uint32_t oracle_netmask = PCAP_NETMASK_UNKNOWN;

int oracle_compile(struct oracle *o, const char *expr, bool rejects_all, char *err,
		   size_t errlen)
{
	memset(o, 0, sizeof(*o));
	o->pc = pcap_open_dead(DLT_EN10MB, 262144);
	if (!o->pc) {
		snprintf(err, errlen, "pcap_open_dead() failed");
		return -1;
	}
	if (!pcap_compile(o->pc, &o->opt, expr, 1, oracle_netmask)) {
		o->has_plain = !pcap_compile(o->pc, &o->plain, expr, 0, oracle_netmask);
		return 0;
	}
	snprintf(err, errlen, "%s", pcap_geterr(o->pc));
	if (rejects_all && strstr(err, "expression rejects all packets") &&
	    !pcap_compile(o->pc, &o->plain, expr, 0, oracle_netmask)) {
		o->opt.bf_len = 1;
		o->opt.bf_insns = &reject_all;
		o->has_plain = o->rejects_all = true;
		return 0;
	}
	pcap_close(o->pc);
	o->pc = NULL;
	return -1;
}

void oracle_free(struct oracle *o)
{
	if (!o->pc)
		return;
	if (!o->rejects_all)
		pcap_freecode(&o->opt);
	if (o->has_plain)
		pcap_freecode(&o->plain);
	pcap_close(o->pc);
	o->pc = NULL;
}

static bool bpf_verdict(const struct bpf_program *bpf, const struct frame *f)
{
	struct pcap_pkthdr h = { .caplen = f->caplen, .len = f->wirelen };

	return pcap_offline_filter(bpf, &h, f->data) != 0;
}

bool oracle_verdict(const struct oracle *o, const struct frame *f)
{
	return bpf_verdict(&o->opt, f);
}

/* Byte @off of the frame continued with @fill bytes past what was captured. */
static uint32_t byte_at(const struct frame *f, uint64_t off, uint8_t fill)
{
	return off < f->caplen ? f->data[off] : fill;
}

static uint32_t load(const struct frame *f, uint64_t off, uint32_t size, uint8_t fill)
{
	uint32_t v = 0, i;

	for (i = 0; i < size; i++)
		v = v << 8 | byte_at(f, off + i, fill);
	return v;
}

/*
 * libpcap's verdict for the frame continued without end by @fill bytes: a
 * classic BPF interpreter as bpf_filter() is, but where its loads past the
 * end make the filter return 0, these read @fill. -1 if it does not come
 * to a verdict (a loop that walks on, as ip6 protochain's over zeros).
 */
static int continued_verdict(const struct bpf_program *bpf, const struct frame *f,
			     uint8_t fill)
{
	uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = { 0 }, pc = 0, steps;

	for (steps = 0; steps < 1000000 && pc < bpf->bf_len; steps++, pc++) {
		const struct bpf_insn *in = &bpf->bf_insns[pc];
		uint32_t k = in->k, src = BPF_SRC(in->code) == BPF_X ? x : k;
		static const uint32_t sizes[] = { [BPF_W] = 4, [BPF_H] = 2, [BPF_B] = 1 };

		switch (BPF_CLASS(in->code)) {
		case BPF_RET:
			return (BPF_RVAL(in->code) == BPF_A ? a : k) != 0;
		case BPF_LD:
			switch (BPF_MODE(in->code)) {
			case BPF_ABS:
				a = load(f, k, sizes[BPF_SIZE(in->code)], fill);
				break;
			case BPF_IND:
				a = load(f, (uint64_t)x + k, sizes[BPF_SIZE(in->code)], fill);
				break;
			case BPF_LEN:
				a = f->wirelen;
				break;
			case BPF_IMM:
				a = k;
				break;
			case BPF_MEM:
				a = mem[k % BPF_MEMWORDS];
				break;
			default:
				return -1;
			}
			break;
		case BPF_LDX:
			switch (BPF_MODE(in->code)) {
			case BPF_MSH:
				x = (byte_at(f, k, fill) & 0xf) << 2;
				break;
			case BPF_LEN:
				x = f->wirelen;
				break;
			case BPF_IMM:
				x = k;
				break;
			case BPF_MEM:
				x = mem[k % BPF_MEMWORDS];
				break;
			default:
				return -1;
			}
			break;
		case BPF_ST:
			mem[k % BPF_MEMWORDS] = a;
			break;
		case BPF_STX:
			mem[k % BPF_MEMWORDS] = x;
			break;
		case BPF_JMP:
			switch (BPF_OP(in->code)) {
			case BPF_JA:
				pc += k;
				break;
			case BPF_JEQ:
				pc += a == src ? in->jt : in->jf;
				break;
			case BPF_JGT:
				pc += a > src ? in->jt : in->jf;
				break;
			case BPF_JGE:
				pc += a >= src ? in->jt : in->jf;
				break;
			case BPF_JSET:
				pc += a & src ? in->jt : in->jf;
				break;
			default:
				return -1;
			}
			break;
		case BPF_ALU:
			switch (BPF_OP(in->code)) {
			case BPF_ADD: a += src; break;
			case BPF_SUB: a -= src; break;
			case BPF_MUL: a *= src; break;
			case BPF_DIV:
				if (!src)
					return 0;
				a /= src;
				break;
			case BPF_MOD:
				if (!src)
					return 0;
				a %= src;
				break;
			case BPF_AND: a &= src; break;
			case BPF_OR: a |= src; break;
			case BPF_XOR: a ^= src; break;
			case BPF_LSH: a = src < 32 ? a << src : 0; break;
			case BPF_RSH: a = src < 32 ? a >> src : 0; break;
			case BPF_NEG: a = 0U - a; break;
			default:
				return -1;
			}
			break;
		case BPF_MISC:
			if (BPF_MISCOP(in->code) == BPF_TAX)
				x = a;
			else
				a = x;
			break;
		}
	}
	return -1;
}

enum oracle_how oracle_check(const struct oracle *o, const struct frame *f,
			     bool got, bool aborted)
{
	if (got == bpf_verdict(&o->opt, f))
		return ORACLE_SAME;
	if (o->has_plain && got == bpf_verdict(&o->plain, f))
		return ORACLE_UNOPTIMISED;
	if (!aborted && continued_verdict(&o->opt, f, 0) == got &&
	    continued_verdict(&o->opt, f, 0xff) == got)
		return ORACLE_DECIDED;
	return ORACLE_WRONG;
}

struct dupto_vm_prog *compile_load(const char *text, bool expr, char *err,
				   size_t errlen)
{
	return compile_load_with(text, expr, NULL, err, errlen);
}

struct dupto_vm_prog *compile_load_with(const char *text, bool expr,
					const struct cc_resolver *resolver,
					char *err, size_t errlen)
{
	struct cc cc = { .src = text, .len = strlen(text), .resolver = resolver };
	struct dupto_vm_prog *prog = NULL;

	if (cc_compile(&cc, expr)) {
		snprintf(err, errlen, "%s", cc.errmsg);
		cc_free(&cc);
		return NULL;
	}
	if (cc_load(&cc, &prog, err, errlen))
		prog = NULL;
	cc_free(&cc);
	return prog;
}

/* The set hash as it was before it was keyed, for a key of 4 bytes. */
static uint32_t old_set_hash(uint32_t addr)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ 4;

	h = (h ^ addr) * 0xff51afd7ed558ccdULL;
	h ^= h >> 29;
	return (uint32_t)h | 1;
}

void clustered_hosts(uint32_t *addrs, uint32_t n, uint32_t nelems)
{
	uint32_t nslots = 4, i, a;

	/* the table size and home slot the unkeyed hash gave */
	while (nslots < 2 * nelems)
		nslots *= 2;
	/* from 240.0.0.0, which no capture of the tests or the benchmark has */
	for (i = 0, a = 0xf0000000; i < n; a++)
		if ((old_set_hash(a) & (nslots - 1)) < nslots / 8)
			addrs[i++] = a;
}

static void big_lookups(struct image *im, uint32_t njin)
{
	uint32_t n = njin + 3, i;
	struct dupto_vm_hdr h = { DUPTO_VM_VERSION, n, 1, 1, 0, 1, 0 };
	struct dupto_vm_set_rec sr = { DUPTO_VM_SET_IP6, 0, 129 };
	struct dupto_vm_rule_rec rr = { 1, 1, 0 };
	struct dupto_vm_insn *p = calloc(n, sizeof(*p));
	struct dupto_vm_addr elems[129];
	uint16_t target = 0;

	if (!p)
		abort();
	/* element i: the first i bits of 80 00 ... , i.e. one bit set */
	memset(elems, 0, sizeof(elems));
	for (i = 0; i <= 128; i++) {
		elems[i].plen = i;
		if (i)
			elems[i].addr[(i - 1) / 8] = 0x80 >> ((i - 1) % 8);
	}
	p[0] = (struct dupto_vm_insn){ .op = DUPTO_VM_RULE, .jt = njin + 1 };
	for (i = 1; i <= njin; i++)
		p[i] = (struct dupto_vm_insn){ .op = DUPTO_VM_JIN, .off = 22 };
	p[n - 2] = (struct dupto_vm_insn){ .op = DUPTO_VM_MATCH };
	p[n - 1] = (struct dupto_vm_insn){ .op = DUPTO_VM_RET };
	image_put(im, DUPTO_VM_REC_HEADER, &h, sizeof(h), NULL, 0);
	image_put_array(im, DUPTO_VM_REC_INSNS, p, n, sizeof(*p));
	image_put(im, DUPTO_VM_REC_TARGET, "s0", 3, NULL, 0);
	image_put(im, DUPTO_VM_REC_RULE, &rr, sizeof(rr), &target, sizeof(target));
	image_put(im, DUPTO_VM_REC_SET, &sr, sizeof(sr), NULL, 0);
	image_put(im, DUPTO_VM_REC_SET_ELEMS, elems, sizeof(elems), NULL, 0);
	free(p);
}

void big_image(struct image *im, enum big_image kind, uint32_t n)
{
	struct dupto_vm_insn insns[] = {
		{ .op = DUPTO_VM_RULE, .jt = 2 },
		{ .op = DUPTO_VM_JIN, .off = 26, .jf = 1 },
		{ .op = DUPTO_VM_MATCH },
		{ .op = DUPTO_VM_RET },
	};
	struct dupto_vm_hdr h = { DUPTO_VM_VERSION, 4, 1, 1, 0, 1, 0 };
	struct dupto_vm_set_rec sr = { DUPTO_VM_SET_U16, 0, n };
	struct dupto_vm_rule_rec rr = { 1, 1, 0 };
	uint16_t target = 0;
	uint32_t i, *addrs;
	void *elems;

	im->n = 0;
	if (kind == BIG_LOOKUPS) {
		big_lookups(im, n);
		return;
	}
	if (kind == BIG_RULE_TEXT)
		sr.nelems = 1;
	else if (kind == BIG_HOSTS_RANDOM || kind == BIG_HOSTS_CLUSTERED)
		sr.type = DUPTO_VM_SET_IP4;
	image_put(im, DUPTO_VM_REC_HEADER, &h, sizeof(h), NULL, 0);
	image_put(im, DUPTO_VM_REC_INSNS, insns, sizeof(insns), NULL, 0);
	image_put(im, DUPTO_VM_REC_TARGET, "s0", 3, NULL, 0);
	image_put(im, DUPTO_VM_REC_RULE, &rr, sizeof(rr), &target, sizeof(target));
	if (kind == BIG_RULE_TEXT) {
		static char text[65000];
		struct dupto_vm_range r = { 80, 80 };

		memset(text, 'x', sizeof(text));
		for (i = 0; i < n; i++)
			image_put(im, DUPTO_VM_REC_RULE_TEXT, text, sizeof(text), NULL, 0);
		image_put(im, DUPTO_VM_REC_SET, &sr, sizeof(sr), NULL, 0);
		image_put(im, DUPTO_VM_REC_SET_ELEMS, &r, sizeof(r), NULL, 0);
		return;
	}
	image_put(im, DUPTO_VM_REC_SET, &sr, sizeof(sr), NULL, 0);
	if (sr.type == DUPTO_VM_SET_U16) {
		struct dupto_vm_range *r = calloc(n, sizeof(*r));

		if (!r)
			abort();
		for (i = 0; i < n; i++) {
			r[i].first = kind == BIG_PORT_RANGES ? 0 : i;
			r[i].last = kind == BIG_PORT_RANGES ? 65535 : i;
		}
		elems = r;
	} else {
		struct dupto_vm_addr *a = calloc(n, sizeof(*a));
		uint64_t x = 0x9e3779b97f4a7c15ULL;

		addrs = calloc(n, sizeof(*addrs));
		if (!a || !addrs)
			abort();
		if (kind == BIG_HOSTS_CLUSTERED)
			clustered_hosts(addrs, n, n);
		for (i = 0; i < n; i++) {
			if (kind == BIG_HOSTS_RANDOM) {
				x ^= x << 13, x ^= x >> 7, x ^= x << 17;
				addrs[i] = (uint32_t)x;
			}
			a[i].addr[0] = addrs[i] >> 24;
			a[i].addr[1] = addrs[i] >> 16;
			a[i].addr[2] = addrs[i] >> 8;
			a[i].addr[3] = addrs[i];
			a[i].plen = 32;
		}
		free(addrs);
		elems = a;
	}
	image_put_array(im, DUPTO_VM_REC_SET_ELEMS, elems, n,
			sr.type == DUPTO_VM_SET_U16 ? sizeof(struct dupto_vm_range) :
			sizeof(struct dupto_vm_addr));
	free(elems);
}

/* ---- names with fixed meanings (struct cc_resolver) ---- */

static const struct {
	const char *name;
	int tcp, udp;
} t_services[] = {
	{ "http", 80, -1 }, { "https", 443, 443 }, { "domain", 53, 53 },
	{ "ntp", -1, 123 }, { "netbios-ns", -1, 137 }, { "ftp-data", 20, -1 },
	{ "ssh", 22, -1 }, { "smtp", 25, -1 }, { "odd", 7000, 7001 },
};

static int t_service(const char *name, const char *proto)
{
	size_t i;

	for (i = 0; i < sizeof(t_services) / sizeof(t_services[0]); i++)
		if (!strcmp(t_services[i].name, name))
			return strcmp(proto, "tcp") ? t_services[i].udp : t_services[i].tcp;
	return -1;
}

static int t_protocol(const char *name)
{
	static const struct {
		const char *name;
		int value;
	} protos[] = {
		{ "ip", 0 }, { "tcp", 6 }, { "udp", 17 }, { "gre", 47 },
		{ "ipv6-icmp", 58 },
	};
	size_t i;

	for (i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (!strcmp(protos[i].name, name))
			return protos[i].value;
	return -1;
}

static int t_host(const char *name, struct cc_host_addr *addrs, int max)
{
	static const struct {
		const char *name;
		const char *addrs[2];
	} hosts[] = {
		{ "web.test", { "192.0.2.80", "2001:db8::80" } },
		{ "v4.test", { "192.0.2.4" } },
		{ "v6.test", { "2001:db8::6" } },
	};
	size_t i, k;
	int n = 0;

	if (!strcmp(name, "down.test"))
		return -1;	/* as when no DNS server answers */
	if (!strcmp(name, "crowd.test")) {
		/* more addresses than a name may have */
		for (n = 0; n < CC_MAX_HOST_ADDRS + 1; n++) {
			if (n < max) {
				memset(&addrs[n], 0, sizeof(addrs[n]));
				addrs[n].family = 4;
				addrs[n].a[0] = 198;
				addrs[n].a[1] = 51;
				addrs[n].a[2] = 100;
				addrs[n].a[3] = n;
			}
		}
		return n;
	}
	for (i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
		if (strcmp(hosts[i].name, name))
			continue;
		for (k = 0; k < 2 && hosts[i].addrs[k] && n < max; k++) {
			const char *a = hosts[i].addrs[k];

			memset(&addrs[n], 0, sizeof(addrs[n]));
			addrs[n].family = strchr(a, ':') ? 6 : 4;
			inet_pton(addrs[n].family == 6 ? AF_INET6 : AF_INET, a, addrs[n].a);
			n++;
		}
	}
	return n;
}

static uint32_t t_network(const char *name)
{
	return !strcmp(name, "lab.test") ? 10 : !strcmp(name, "lo.test") ? 0x7f000000 : 0;
}

static bool t_ether(const char *name, uint8_t *mac)
{
	static const uint8_t gw[6] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55 };

	if (strcmp(name, "gw.test"))
		return false;
	memcpy(mac, gw, 6);
	return true;
}

/* index 1 is lo, 2 eth0, 3 a name of 15 characters; no other */
static bool t_ifname(uint32_t index, char name[CC_IFNAMSIZ])
{
	static const char *const names[] = { NULL, "lo", "eth0", "a-long-ifname15" };

	if (index >= sizeof(names) / sizeof(names[0]) || !names[index])
		return false;
	strcpy(name, names[index]);
	return true;
}

const struct cc_resolver test_resolver = {
	.service = t_service,
	.protocol = t_protocol,
	.host = t_host,
	.network = t_network,
	.ether = t_ether,
	.ifname = t_ifname,
};
