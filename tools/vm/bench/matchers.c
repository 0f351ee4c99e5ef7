// SPDX-License-Identifier: GPL-2.0
/*
 * Hand-written C matchers: the floor an interpreter is measured against.
 * Each one gives libpcap's verdict for its expression (the benchmark checks
 * it on every frame), so it reads the same fields in the same order as the
 * BPF that tcpdump -d prints, and gives up, as BPF does, on the first read
 * beyond the captured bytes.
 */

#include "bench.h"

/* Network byte order reads; false if the bytes are not all captured. */
static inline bool rd8(const uint8_t *p, uint32_t len, uint32_t off, uint32_t *v)
{
	if (off >= len)
		return false;
	*v = p[off];
	return true;
}

static inline bool rd16(const uint8_t *p, uint32_t len, uint32_t off, uint32_t *v)
{
	if (off + 2 > len)
		return false;
	*v = (uint32_t)p[off] << 8 | p[off + 1];
	return true;
}

static inline bool rd32(const uint8_t *p, uint32_t len, uint32_t off, uint32_t *v)
{
	if (off + 4 > len)
		return false;
	*v = (uint32_t)p[off] << 24 | (uint32_t)p[off + 1] << 16 |
	     (uint32_t)p[off + 2] << 8 | p[off + 3];
	return true;
}

/* tcp port 80: IPv6 without extension headers, or an unfragmented IPv4. */
static int tcp_port_80(const uint8_t *p, uint32_t len, uint32_t wirelen)
{
	uint32_t v, x;

	if (!rd16(p, len, 12, &v))
		return 0;
	if (v == 0x86dd) {
		if (!rd8(p, len, 20, &v) || v != 6)
			return 0;
		if (!rd16(p, len, 54, &v))
			return 0;
		if (v == 80)
			return 1;
		return rd16(p, len, 56, &v) && v == 80;
	}
	if (v != 0x800)
		return 0;
	if (!rd8(p, len, 23, &v) || v != 6)
		return 0;
	if (!rd16(p, len, 20, &v) || (v & 0x1fff))
		return 0;
	if (!rd8(p, len, 14, &x))
		return 0;
	x = (x & 0xf) << 2;
	if (!rd16(p, len, x + 14, &v))
		return 0;
	if (v == 80)
		return 1;
	return rd16(p, len, x + 16, &v) && v == 80;
}

/* host 10.0.0.1: the IPv4 addresses, or ARP's and RARP's sender and target. */
static int host_10_0_0_1(const uint8_t *p, uint32_t len, uint32_t wirelen)
{
	const uint32_t a = 0x0a000001;
	uint32_t v, src, dst;

	if (!rd16(p, len, 12, &v))
		return 0;
	if (v == 0x800) {
		src = 26;
		dst = 30;
	} else if (v == 0x806 || v == 0x8035) {
		src = 28;
		dst = 38;
	} else {
		return 0;
	}
	if (!rd32(p, len, src, &v))
		return 0;
	if (v == a)
		return 1;
	return rd32(p, len, dst, &v) && v == a;
}

/* ip6 and tcp dst port 443: no extension headers are walked, as in libpcap. */
static int ip6_tcp_dst_443(const uint8_t *p, uint32_t len, uint32_t wirelen)
{
	uint32_t v;

	return rd16(p, len, 12, &v) && v == 0x86dd &&
	       rd8(p, len, 20, &v) && v == 6 &&
	       rd16(p, len, 56, &v) && v == 443;
}

static const struct matcher {
	const char *expr;
	bench_matcher_fn fn;
} matchers[] = {
	{ "tcp port 80", tcp_port_80 },
	{ "host 10.0.0.1", host_10_0_0_1 },
	{ "ip6 and tcp dst port 443", ip6_tcp_dst_443 },
};

bench_matcher_fn bench_matcher(const char *expr)
{
	size_t i;

	for (i = 0; i < sizeof(matchers) / sizeof(matchers[0]); i++)
		if (!strcmp(matchers[i].expr, expr))
			return matchers[i].fn;
	return NULL;
}
