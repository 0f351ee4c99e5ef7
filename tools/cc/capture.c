// SPDX-License-Identifier: GPL-2.0
/*
 * pcap and pcapng reading, for "dupto compile -r" and the tests. Every
 * length in the file is checked against what is left of the buffer before
 * it is used; anything that is not Ethernet is refused with the reason.
 */

#include <stdio.h>
#include <string.h>

#include "capture.h"

#define PCAP_MAGIC_US	0xa1b2c3d4U
#define PCAP_MAGIC_NS	0xa1b23c4dU
#define NG_SHB		0x0a0d0d0aU
#define NG_IDB		0x00000001U
#define NG_PB		0x00000002U	/* obsolete packet block */
#define NG_SPB		0x00000003U
#define NG_EPB		0x00000006U
#define NG_BOM		0x1a2b3c4dU
#define LINKTYPE_ETHERNET	1

static uint32_t swap32(uint32_t v)
{
	return __builtin_bswap32(v);
}

static uint32_t rd32(const struct capture *c, size_t at)
{
	uint32_t v;

	memcpy(&v, c->buf + at, 4);
	return c->swap ? swap32(v) : v;
}

static uint16_t rd16(const struct capture *c, size_t at)
{
	uint16_t v;

	memcpy(&v, c->buf + at, 2);
	return c->swap ? __builtin_bswap16(v) : v;
}

static int fail(struct capture *c, const char *msg)
{
	snprintf(c->err, sizeof(c->err), "%s at byte %zu", msg, c->pos);
	return -1;
}

int capture_open(struct capture *c, const void *buf, size_t len)
{
	uint32_t magic;

	memset(c, 0, sizeof(*c));
	c->buf = buf;
	c->len = len;
	if (len < 4)
		return fail(c, "not a capture file: too short");
	memcpy(&magic, buf, 4);
	if (magic == NG_SHB) {
		c->ng = true;
		return 0;	/* the section header is read as a block */
	}
	if (magic == swap32(PCAP_MAGIC_US) || magic == swap32(PCAP_MAGIC_NS))
		c->swap = true;
	else if (magic != PCAP_MAGIC_US && magic != PCAP_MAGIC_NS)
		return fail(c, "not a pcap or pcapng file");
	if (len < 24)
		return fail(c, "truncated pcap file header");
	if (rd32(c, 20) != LINKTYPE_ETHERNET) {
		snprintf(c->err, sizeof(c->err),
			 "link type %u is not Ethernet (1)", rd32(c, 20));
		return -1;
	}
	c->pos = 24;
	return 0;
}

static int next_pcap(struct capture *c, struct capture_frame *f)
{
	uint32_t incl;

	if (c->pos == c->len)
		return 0;
	if (c->len - c->pos < 16)
		return fail(c, "truncated record header");
	incl = rd32(c, c->pos + 8);
	f->wirelen = rd32(c, c->pos + 12);
	if (incl > c->len - c->pos - 16)
		return fail(c, "truncated record");
	f->data = c->buf + c->pos + 16;
	f->caplen = incl;
	/* no frame is shorter on the wire than what was captured of it */
	if (f->wirelen < incl)
		f->wirelen = incl;
	c->pos += 16 + (size_t)incl;
	return 1;
}

static int next_ng(struct capture *c, struct capture_frame *f)
{
	while (c->pos < c->len) {
		size_t at = c->pos;
		uint32_t type, blen, iface, cap;

		if (c->len - at < 12)
			return fail(c, "truncated block header");
		memcpy(&type, c->buf + at, 4);
		if (type == NG_SHB) {
			uint32_t bom;

			memcpy(&bom, c->buf + at + 8, 4);
			if (bom == NG_BOM)
				c->swap = false;
			else if (bom == swap32(NG_BOM))
				c->swap = true;
			else
				return fail(c, "bad pcapng byte-order magic");
			c->nifaces = 0;
		} else if (c->swap) {
			type = swap32(type);
		}
		blen = rd32(c, at + 4);
		if (blen < 12 || blen % 4 || blen > c->len - at)
			return fail(c, "bad pcapng block length");
		if (rd32(c, at + blen - 4) != blen)
			return fail(c, "pcapng block lengths disagree");
		c->pos += blen;

		switch (type) {
		case NG_IDB:
			if (blen < 20)
				return fail(c, "truncated interface block");
			if (c->nifaces == CAPTURE_MAX_IFACES)
				return fail(c, "too many interfaces");
			c->linktype[c->nifaces++] = rd16(c, at + 8);
			continue;
		case NG_EPB:
		case NG_PB:
			if (blen < 32)
				return fail(c, "truncated packet block");
			iface = type == NG_EPB ? rd32(c, at + 8) : rd16(c, at + 8);
			cap = rd32(c, at + 20);
			f->wirelen = rd32(c, at + 24);
			if (cap > blen - 32)
				return fail(c, "packet longer than its block");
			f->data = c->buf + at + 28;
			f->caplen = cap;
			if (f->wirelen < cap)
				f->wirelen = cap;
			break;
		case NG_SPB:
			if (blen < 16)
				return fail(c, "truncated packet block");
			iface = 0;
			f->wirelen = rd32(c, at + 8);
			cap = blen - 16;
			f->caplen = f->wirelen < cap ? f->wirelen : cap;
			f->data = c->buf + at + 12;
			break;
		default:
			continue;	/* statistics, names, custom blocks */
		}
		if (iface >= c->nifaces)
			return fail(c, "packet on an undeclared interface");
		if (c->linktype[iface] != LINKTYPE_ETHERNET) {
			snprintf(c->err, sizeof(c->err),
				 "interface %u: link type %u is not Ethernet (1)",
				 iface, c->linktype[iface]);
			return -1;
		}
		return 1;
	}
	return 0;
}

int capture_next(struct capture *c, struct capture_frame *f)
{
	return c->ng ? next_ng(c, f) : next_pcap(c, f);
}
