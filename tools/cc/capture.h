/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A reader of capture files from memory: pcap (both byte orders, micro- and
 * nanosecond) and pcapng. Ethernet only. No globals, no allocation: it
 * walks the caller's buffer, so it can be fuzzed directly.
 */
#ifndef DUPTO_CAPTURE_H
#define DUPTO_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CAPTURE_MAX_IFACES	64

struct capture {
	const uint8_t *buf;
	size_t len, pos;
	bool ng;		/* pcapng */
	bool swap;		/* file byte order differs from ours */
	uint32_t nifaces;	/* pcapng interfaces of the current section */
	uint16_t linktype[CAPTURE_MAX_IFACES];
	char err[128];
};

struct capture_frame {
	const uint8_t *data;
	uint32_t caplen;	/* bytes captured */
	uint32_t wirelen;	/* bytes on the wire */
};

/* 0, or -1 with c->err set */
int capture_open(struct capture *c, const void *buf, size_t len);
/* 1 with a frame, 0 at the end, -1 with c->err set */
int capture_next(struct capture *c, struct capture_frame *f);

#endif /* DUPTO_CAPTURE_H */
