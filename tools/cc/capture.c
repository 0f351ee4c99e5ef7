// SPDX-License-Identifier: GPL-2.0
/*
 * Capture files through libpcap, for "dupto compile -r" and the tests:
 * libpcap reads every format tcpdump reads, streams the file (a frame in
 * memory at a time, whatever the file's size) and checks what it reads; this
 * file only refuses what is not Ethernet, and says so in a user's words.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "capture.h"

/* "link type NAME (DESCRIPTION)", or its number if libpcap has no name */
static void link_type_name(char *buf, size_t len, int dlt)
{
	const char *name = pcap_datalink_val_to_name(dlt);
	const char *desc = pcap_datalink_val_to_description(dlt);

	if (name && desc)
		snprintf(buf, len, "link type %s (%s)", name, desc);
	else if (name)
		snprintf(buf, len, "link type %s", name);
	else
		snprintf(buf, len, "link type %d", dlt);
}

int capture_open(struct capture *c, const char *path)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "", lt[128];
	unsigned int ext;
	FILE *f;

	memset(c, 0, sizeof(*c));
	c->path = path;
	/*
	 * Opened here, so that a file that cannot be opened is said as the
	 * tool says it of any file, and libpcap's messages (which then never
	 * name the file) get the name once, in front.
	 */
	f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	if (!f) {
		snprintf(c->err, sizeof(c->err), "cannot read \"%s\": %s", path,
			 strerror(errno));
		return -1;
	}
	/* nanoseconds: a nanosecond capture's stamps are not rounded */
	c->pcap = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO,
							   errbuf);
	if (!c->pcap) {
		snprintf(c->err, sizeof(c->err), "%s: %s", path, errbuf);
		if (f != stdin)
			fclose(f);
		return -1;
	}
	/* pcapng: the first interface's; libpcap refuses any other later */
	if (pcap_datalink(c->pcap) != DLT_EN10MB) {
		link_type_name(lt, sizeof(lt), pcap_datalink(c->pcap));
		snprintf(c->err, sizeof(c->err), "%s: %s is not Ethernet: only Ethernet captures are read",
			 path, lt);
		capture_close(c);
		return -1;
	}
	/*
	 * A pcap file's link type may say how long the FCS that ends every
	 * frame is, in 16-bit units (pcap-savefile's "FCS len"): the frames
	 * stay as libpcap hands them, and the caller may warn. Unsigned: a
	 * length of 8 units or more sets the top bit.
	 */
	ext = pcap_datalink_ext(c->pcap);
	if (LT_FCS_LENGTH_PRESENT(ext))
		c->fcs_len = 2 * LT_FCS_LENGTH(ext);
	return 0;
}

int capture_next(struct capture *c, struct capture_frame *f)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	unsigned int type;
	char lt[128];
	int ret;

	ret = pcap_next_ex(c->pcap, &h, &data);
	if (ret == PCAP_ERROR_BREAK)
		return 0;	/* the end of the file */
	if (ret != 1) {
		const char *msg = pcap_geterr(c->pcap);

		/*
		 * libpcap 1.10 stops at a pcapng interface of another link
		 * type than the first's, naming the type by number: name it.
		 */
		if (sscanf(msg, "an interface has a type %u different", &type) == 1) {
			link_type_name(lt, sizeof(lt), type);
			snprintf(c->err, sizeof(c->err),
				 "%s: frame %u: an interface has %s: only Ethernet captures are read",
				 c->path, c->frames + 1, lt);
		} else {
			snprintf(c->err, sizeof(c->err), "%s: frame %u: %s", c->path,
				 c->frames + 1, msg);
		}
		return -1;
	}
	c->frames++;
	f->data = data;
	f->caplen = h->caplen;
	/*
	 * No frame is shorter on the wire than what was captured of it (the
	 * kernel's skb->len is never below its data); a file that says
	 * otherwise is taken at its captured length.
	 */
	f->wirelen = h->len > h->caplen ? h->len : h->caplen;
	return 1;
}

void capture_close(struct capture *c)
{
	if (c->pcap)
		pcap_close(c->pcap);	/* closes the file too */
	c->pcap = NULL;
}
