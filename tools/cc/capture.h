/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Capture files for "dupto compile -r" and the tests, read by libpcap (pcap
 * in either byte order, micro- or nanosecond, and pcapng), one frame at a
 * time. Ethernet only: anything else is refused, naming its link type.
 */
#ifndef DUPTO_CAPTURE_H
#define DUPTO_CAPTURE_H

#include <stdint.h>

#include <pcap/pcap.h>

struct capture {
	pcap_t *pcap;
	const char *path;
	uint32_t frames;	/* read so far */
	/*
	 * Bytes of FCS at the end of every frame, as the link type of a pcap
	 * file says (0: none, or not said). The frames are handed over as
	 * libpcap hands them, FCS included, as tcpdump's filters see them.
	 */
	unsigned int fcs_len;
	char err[PCAP_ERRBUF_SIZE + 256];	/* what went wrong, naming the file */
};

struct capture_frame {
	const uint8_t *data;	/* valid until the next call */
	uint32_t caplen;	/* bytes captured */
	uint32_t wirelen;	/* bytes on the wire, never fewer than captured */
};

/* @path ("-": standard input); 0, or -1 with c->err set */
int capture_open(struct capture *c, const char *path);
/* 1 with a frame, 0 at the end, -1 with c->err set */
int capture_next(struct capture *c, struct capture_frame *f);
void capture_close(struct capture *c);

#endif /* DUPTO_CAPTURE_H */
