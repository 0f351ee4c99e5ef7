/* SPDX-License-Identifier: GPL-2.0 */
/* What the userspace tests share: TAP output and frames in memory. */
#ifndef DUPTO_TESTLIB_H
#define DUPTO_TESTLIB_H

#include <pcap/pcap.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vm/vm.h"

struct cc_resolver;

/* TAP: one line per check, "ok N - what" or "not ok N - what". */
void tap_result(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print the plan and a summary; the exit code for main(). */
int tap_done(void);

/* The whole file, NUL-terminated (the NUL not counted in @len); free() it.
 * NULL, with a message on stderr, if it cannot be read.
 */
char *file_read(const char *path, size_t *len);
/* @s without leading blanks, and without trailing blanks and newline. */
char *trim(char *s);

struct frame {
	uint8_t *data;
	uint32_t caplen;
	uint32_t wirelen;
};

/* Append every frame of a capture file; -1 with a message on error. */
int frames_load(const char *path, struct frame **frames, uint32_t *n);
void frames_free(struct frame *frames, uint32_t n);

/*
 * The VM's view of a frame as a capture has it (tag in the data), or as
 * the kernel presents it after skb_vlan_untag() (an outer 802.1Q or
 * 802.1ad tag moved to metadata). Returns false if the kernel view would
 * be the same as the capture view (no outer tag to move). @buf holds the
 * untagged bytes and must be as large as the frame.
 */
void view_capture(const struct frame *f, struct dupto_vm_packet *pkt);
bool view_kernel(const struct frame *f, struct dupto_vm_packet *pkt, uint8_t *buf);

/*
 * libpcap, the oracle: an expression compiled by pcap_compile() on a
 * pcap_open_dead(DLT_EN10MB) handle, with its optimiser as tcpdump does,
 * and once more without it (tcpdump -O).
 */
struct oracle {
	pcap_t *pc;
	struct bpf_program opt;
	struct bpf_program plain;
	bool has_plain;
	/*
	 * The optimiser found that nothing matches and libpcap refused the
	 * expression ("expression rejects all packets", which tcpdump
	 * prints): @opt is then "return 0", @plain the program without the
	 * optimiser. Set only where the caller asked for it.
	 */
	bool rejects_all;
};

/*
 * 0, or -1 with libpcap's message in @err (nothing left to free). With
 * @rejects_all, an expression libpcap's optimiser finds matches nothing
 * compiles too (struct oracle's rejects_all).
 */
/* the netmask "ip broadcast" compiles with (host order); none by default */
extern uint32_t oracle_netmask;
int oracle_compile(struct oracle *o, const char *expr, bool rejects_all, char *err,
		   size_t errlen);
void oracle_free(struct oracle *o);

/* libpcap's verdict on the frame: tcpdump's, the optimised program's. */
bool oracle_verdict(const struct oracle *o, const struct frame *f);

/*
 * How dupto's verdict on a frame, @got (@aborted: its rule was abandoned
 * on a read past the end), stands to libpcap's. The documented difference
 * (rule-language.rst, "Frames cut short") is decided here and nowhere else.
 * On a frame that ends inside the fields an expression reads, libpcap's
 * own verdict depends on its optimiser, which drops reads whose result
 * cannot matter ("ether[1000] & 0 = 0") and may put the others in another
 * order ("port 53 or port 80" compares the source port with 80 before it
 * reads the destination port). dupto reads in the expression's order, as
 * libpcap does without its optimiser, and drops reads too, sometimes ones
 * libpcap's optimiser keeps (where what follows decides alone). So its
 * verdict may be libpcap's without the optimiser, or one it reached
 * without a read past the end that libpcap gives too once the frame goes
 * on, with zeros as with 0xff bytes.
 */
enum oracle_how {
	ORACLE_SAME,		/* tcpdump's verdict */
	ORACLE_UNOPTIMISED,	/* tcpdump -O's, not tcpdump's */
	ORACLE_DECIDED,		/* decided on the bytes there are; libpcap read on */
	ORACLE_WRONG,
};

enum oracle_how oracle_check(const struct oracle *o, const struct frame *f,
			     bool got, bool aborted);

/* Compile @text (a ruleset, or one expression) and load it with the VM's
 * loader; NULL with the error in @err. Names resolve through the machine
 * (cc_system_resolver), or through @resolver.
 */
struct dupto_vm_prog *compile_load(const char *text, bool expr, char *err,
				   size_t errlen);
struct dupto_vm_prog *compile_load_with(const char *text, bool expr,
					const struct cc_resolver *resolver,
					char *err, size_t errlen);

/*
 * Names with fixed meanings, whatever the machine's files and DNS say:
 * services http (tcp 80), https and domain (tcp and udp 443, 53), ntp and
 * netbios-ns (udp 123, 137), ftp-data, ssh, smtp (tcp 20, 22, 25), odd
 * (tcp 7000, udp 7001); protocols ip, tcp, udp, gre, ipv6-icmp; hosts
 * web.test (192.0.2.80, 2001:db8::80), v4.test (192.0.2.4), v6.test
 * (2001:db8::6), crowd.test (65 addresses), down.test (no answer);
 * networks lab.test (10) and lo.test (127.0.0.0); Ethernet host gw.test
 * (00:11:22:33:44:55).
 */
extern const struct cc_resolver test_resolver;

/*
 * Images built to find what loading costs (the tests and make bench-vm):
 * one rule, "JIN set 0" (a key at offset 26), over a set of @n elements,
 * or what @kind says. Pairs of the same size and different content show whether the
 * loader's time follows the image's size or what the image asks for.
 */
enum big_image {
	BIG_PORT_RANGES,	/* a port set of @n ranges 0-65535 */
	BIG_PORT_VALUES,	/* a port set of @n single ports: the same size */
	BIG_HOSTS_RANDOM,	/* an IPv4 set of @n addresses */
	/*
	 * An IPv4 set of @n addresses that the set hash before it was keyed
	 * put in one cluster of its table (old_set_hash() in testlib.c):
	 * every insert and every lookup near it walked the whole cluster.
	 */
	BIG_HOSTS_CLUSTERED,
	BIG_RULE_TEXT,		/* the rule's source text in @n 65000-byte records */
	/*
	 * @n lookups, one after the other, in an IPv6 set of all 129 prefix
	 * lengths with ::/0 among them: every key is in it, found in the
	 * last table a lookup probes, so every frame costs the program's
	 * worst case.
	 */
	BIG_LOOKUPS,
};

struct image;
void big_image(struct image *im, enum big_image kind, uint32_t n);
/* The first @n addresses (host order) that the set hash before it was keyed
 * put in one cluster of the table it built for a set of @nelems addresses.
 */
void clustered_hosts(uint32_t *addrs, uint32_t n, uint32_t nelems);

#endif /* DUPTO_TESTLIB_H */
