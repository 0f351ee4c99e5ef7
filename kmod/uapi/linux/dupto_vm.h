/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * dupto's classification bytecode and the image a compiled ruleset travels
 * in. This header is the protocol document: the tool compiles rules into an
 * image, the kernel verifies and runs it, and both sides read this.
 *
 * Machine model
 * -------------
 * A program classifies one frame. It sees the frame as it was on the wire:
 * bytes from the start of the Ethernet header, with the outer VLAN tag back
 * at offset 12 if the kernel had moved it into packet metadata. Offsets are
 * in bytes from that start; multi-byte values are read in network byte
 * order. The wire length (what libpcap calls the packet length), the port
 * the frame arrived on or leaves by, and its direction are also visible.
 *
 * There are DUPTO_VM_NREGS registers r0..r7 of 32 bits. Arithmetic wraps
 * modulo 2^32; division and modulus by zero and shifts of 32 or more are
 * defined below. A RULE instruction leaves no register written; a register
 * may only be read if it has been written on every path that reaches the
 * read, from the last RULE passed or through a jump from an earlier rule
 * (see Jumps between rules).
 *
 * A program is a sequence of rules followed by one DUPTO_VM_RET:
 *
 *   RULE 0 ... body of rule 0 ...
 *   RULE 1 ... body of rule 1 ...
 *   RET
 *
 * Rules are numbered 0, 1, 2... in program order. The RULE instruction
 * gives the length of the rule's body in jt; the instruction just after the
 * body (the next RULE, or RET) is the rule's end. Control reaching the end
 * of a rule means the rule did not match. MATCH means it did: the rule's
 * targets are added to the frame's target set, its counters are bumped, and
 * control continues jt instructions after it, at the rule's end or beyond
 * (or stops, for a quick rule). A rule may have several MATCH instructions.
 *
 * Rule flags (RULE's imm):
 *   DUPTO_VM_RULE_QUICK  a match ends the program: later rules are skipped.
 *   DUPTO_VM_RULE_ELSE   the rule is skipped if an earlier rule matched.
 *   DUPTO_VM_RULE_OUT    the rule also applies to frames leaving a port.
 *
 * A frame is classified as it arrives on a port (direction in) and, where
 * some rule needs it, as it leaves one (out). A rule without
 * DUPTO_VM_RULE_OUT never matches a frame leaving a port: its MATCH is then
 * ignored (no targets, no counters, no quick stop) and control continues at
 * the rule's end. So rules that say nothing of direction see each frame
 * crossing a bridge once, where it arrives; the compiler sets the flag on
 * the rules that mention a direction out ("out on", or "on" for both).
 *
 * Every rule fires independently: a frame goes to the union of the targets
 * of all the rules that matched, each target at most once.
 *
 * Packet reads are checked at run time. An offset is the instruction's
 * off, plus a register for the indexed loads and compares: any value up to
 * 2^32 - 1 + 0xffff, computed without wrapping. A read of bytes not all
 * inside the frame (its length on the wire, a tag held in metadata
 * included) reads nothing, wherever the frame's bytes are held (or a
 * division by zero): it abandons the current rule (the one whose body
 * holds the instruction) as not matching, and the program continues at the
 * rule's end. That is libpcap's semantics for one filter (an out-of-bounds
 * load makes the whole filter return 0) applied rule by rule.
 *
 * Jumps between rules
 * -------------------
 * A jump may leave its rule for a later one: it may land on a later RULE,
 * on RET, or inside the body of a later rule that is not an else rule (an
 * else rule's test is made by its RULE, which must run). The rules jumped
 * over are not run: they neither match nor are abandoned; a rule entered
 * in its body runs from there, and a failed read in it abandons it. This
 * is how a ruleset shares the work of classifying a frame: where a rule's
 * reads have decided that the next rules cannot match, or the first tests
 * of one, the compiler jumps past them, so each frame is read once rather
 * than once per rule. The compiler only does so where the outcome is the
 * one running every rule would have had.
 *
 * Instructions
 * ------------
 * Fixed 16 bytes (struct dupto_vm_insn), in host byte order. Jumps are
 * forward only: a conditional jump continues at pc + 1 + jt when true and
 * pc + 1 + jf when false. So a program ends in at most as many steps as it
 * has instructions. Fields an instruction does not use must be zero.
 *
 * In the table, P[n] is the n bytes at offset off, and P[src+n] the n bytes
 * at offset src + off (computed without wrapping). "->" marks jumps.
 *
 *   op                 operation
 *   RET                end of program (the last instruction, and only there)
 *   RULE               start rule number off; jt = body length; imm = flags
 *   MATCH              the current rule (off must equal its number) matched;
 *                      pc += 1 + jt, to the rule's end or beyond
 *   JA                 pc += 1 + jt
 *   LDI                dst = imm
 *   MOV                dst = src
 *   LDLEN              dst = wire length
 *   LDB, LDH, LDW      dst = P[1], P[2], P[4]
 *   LDXB, LDXH, LDXW   dst = P[src+1], P[src+2], P[src+4]
 *   LDIHL              dst = 4 * (P[1] & 0xf)   (an IPv4 header length)
 *   ADDK ... RSHK      dst = dst OP imm; DIVK and MODK need imm != 0, LSHK
 *                      and RSHK need imm < 32
 *   ADDX ... RSHX      dst = dst OP src; a zero divisor abandons the rule;
 *                      a shift by 32 or more gives 0
 *   NEG                dst = -dst
 *   JEQK, JGTK, JGEK   dst == imm, dst > imm, dst >= imm  -> jt : jf
 *   JSETK              (dst & imm) != 0                    -> jt : jf
 *   JEQX ... JSETX     the same against src
 *   JEQB ... JSETW     (P[n] & mask) compared with imm     -> jt : jf
 *   JEQXB ... JSETXW   (P[src+n] & mask) compared with imm -> jt : jf
 *   JON                the frame's port is port off (or off is
 *                      DUPTO_VM_PORT_ANY) and its direction is in imm
 *                      (DUPTO_VM_DIR_IN, _OUT or both) -> jt : jf
 *   JIN                the key at P[off] is in set imm     -> jt : jf
 *   JINX               the key at P[src+off] is in set imm -> jt : jf
 *   JCHAIN4            protocol imm is on the IPv4 header chain at off -> jt : jf
 *   JCHAIN6            protocol imm is on the IPv6 header chain at off -> jt : jf
 *
 * The key length of JIN and JINX is the set's (see Sets). Fused compares
 * read 1 (B), 2 (H) or 4 (W) bytes.
 *
 * JCHAIN4 and JCHAIN6 are libpcap's "ip protochain" and "ip6 protochain",
 * for the network header at off. They walk the header chain from the
 * header's protocol field (IPv4: P[off+9], past 4 * (P[off] & 0xf) bytes;
 * IPv6: P[off+6], past 40 bytes), and are true as soon as a header's type
 * is imm. A type of 59 (no next header) ends the walk; so does, for
 * JCHAIN4, any type but 51 (AH), and for JCHAIN6 any type but 0 (hop-by-hop),
 * 60 (destination options), 43 (routing), 44 (fragment) and 51: the walk
 * ends false there. Those are stepped over: the next type is P[x], x the
 * header's offset from off, and the next header is at x + 8 * (P[x+1] + 1),
 * but after AH at 4 * (P[x+1] + 2), counted from off, not from x: libpcap
 * does exactly that (in every release so far), and these instructions
 * select what its "protochain" selects.
 *
 * JON with off DUPTO_VM_PORT_ANY (image version 2) tests the direction
 * alone: libpcap's "inbound" and "outbound". A read outside the frame, or a chain of more than
 * DUPTO_VM_CHAIN_MAX headers stepped over, abandons the rule. The walk is
 * made once per frame for each (opcode, off) and its result kept for the
 * other instructions of the program that ask, so a program may have at most
 * DUPTO_VM_CHAIN_WALKS different (opcode, off) pairs.
 *
 * A jump lands inside its rule's body, on the rule's end, or where a jump
 * between rules may land (above). The loader rejects anything else, with a
 * message "insn N: reason".
 *
 * Image
 * -----
 * A compiled ruleset is an image: a sequence of records, each a 4-byte
 * header (struct dupto_vm_rec: length including the header, type) and its
 * payload, padded with zeros to a multiple of 4 bytes. This is the layout
 * of netlink attributes, so the records can travel as the attributes of a
 * netlink message; no record exceeds 65535 bytes, and a large table is
 * simply split over several records of the same type.
 *
 * The records, in this order:
 *   HEADER     one; struct dupto_vm_hdr: the version and the table sizes
 *   INSNS      instructions, appended in order, ninsns in all
 *   TARGET     one per target, in index order: its name, NUL-terminated
 *   PORT       one per port, in index order: its name, NUL-terminated
 *   RULE       one per rule, in order: struct dupto_vm_rule_rec and its
 *              target indices (__u16 each), then zero or more
 *   RULE_TEXT  records whose payloads, concatenated, are the rule's source
 *              text (no NUL); it is informative, not interpreted
 *   SET        one per set, in index order: struct dupto_vm_set_rec, then
 *   SET_ELEMS  records with its elements, nelems in all
 *   GROUP      one per group, in index order: struct dupto_vm_group_rec and
 *              its members (struct dupto_vm_group_member each)
 *
 * Names are at most DUPTO_VM_NAME_MAX - 1 bytes. Target and port tables
 * hold names only; whoever loads an image binds them to devices.
 *
 * An image carries the version of this format it was written for, and a
 * loader takes only its own (-EPROTO, "record 1: image version N, this VM
 * runs version M"). Version 2 added JCHAIN4, JCHAIN6 and JON's
 * DUPTO_VM_PORT_ANY.
 *
 * The header grew ngroups after the first release: a header record of 24
 * bytes (without it) is one of an image without groups, and every loader
 * takes both lengths. Writers emit the short header when there are no
 * groups, so that a module older than groups still loads their images.
 *
 * Groups
 * ------
 * A group is a target whose frames go to one of its members, chosen per
 * flow: rules name it as they name a sensor (its name is in the target
 * table), and each frame a rule sends to it goes to one member. Members are
 * other targets, never groups, each at most once; a target may be a member
 * of several groups and be named by rules as well, and a frame still
 * reaches it at most once.
 *
 * The member is chosen by rendezvous (highest random weight) hashing over
 * the members that can take the frame (in the kernel: administratively up
 * with carrier): every member gets a score from the frame's flow hash and
 * its own identity, and the highest wins. A member going down thus moves
 * only its own flows, spread over the others, and gets exactly those back
 * when it returns. A member of weight w gets w scores and keeps the best,
 * so its share of the flows is w / (sum of the weights).
 *
 * The flow hash is symmetric (both directions of a flow hash alike) and
 * ignores VLAN tags (802.1Q and 802.1ad, in the frame or in metadata). Its
 * key is, in this order, all in network byte order and zero-padded:
 *
 *   __be16 ethertype  of the network layer, after the tags
 *   __u8   proto      IPv4 protocol or IPv6 upper-layer header; 0 if not IP
 *   __u8   zero
 *   __be16 port_lo, port_hi
 *   __u8   addr_lo[16], addr_hi[16]
 *
 * (40 bytes), where (addr_lo, port_lo) is the lesser of (source address,
 * source port) and (destination address, destination port), addresses
 * compared as bytes first. IPv4 addresses take the first 4 bytes of their
 * field, Ethernet addresses (frames that are neither IPv4 nor IPv6) the
 * first 6, with ethertype the frame's type and proto 0. IPv6 extension
 * headers (hop-by-hop, routing, destination options, fragment) are walked
 * to find the upper layer, at most 8 of them. Ports are those of TCP, UDP,
 * SCTP, UDP-Lite and DCCP, and only in DUPTO_VM_HASH_PORTS mode: they are
 * zero in DUPTO_VM_HASH_ADDRS mode, and zero for every fragment (an IPv4
 * packet with MF set or a fragment offset, an IPv6 packet with a fragment
 * header), since only the first carries them. So in ADDRS mode every
 * fragment of a datagram goes where the rest of its flow goes; in PORTS
 * mode the fragments of a datagram stay together, but may go elsewhere than
 * the flow's unfragmented packets. A frame whose IP header cannot be read
 * whole, or has the wrong version or an IPv4 header length under 20 bytes,
 * is hashed as one that is not IP; ports that cannot be read are 0.
 *
 * The hash is SipHash-2-4 of the key, with the 128-bit key (seed,
 * 0x647570746f677270) as two 64-bit words, seed being the group's. A
 * member's identity is SipHash-2-4 under the same key of its name followed
 * by one byte k, for k = 0 .. weight - 1; its score for k is
 * mix(hash XOR identity_k), where mix is the 64-bit finalizer
 *
 *   x ^= x >> 30; x *= 0xbf58476d1ce4e5b9;
 *   x ^= x >> 27; x *= 0x94d049bb133111eb; x ^= x >> 31;
 *
 * The highest score wins; a tie goes to the member listed first. Nothing
 * of the box enters the choice (no ifindex, no address): two boxes with
 * groups of the same seed and member names send a flow to the member of
 * the same name.
 *
 * Sets
 * ----
 *   DUPTO_VM_SET_U8    protocol numbers (1-byte key); elements are ranges
 *   DUPTO_VM_SET_U16   ports (2-byte key); elements are ranges
 *   DUPTO_VM_SET_MAC   Ethernet addresses (6-byte key), exact
 *   DUPTO_VM_SET_IP4   IPv4 addresses or prefixes (4-byte key)
 *   DUPTO_VM_SET_IP6   IPv6 addresses or prefixes (16-byte key)
 *
 * Range elements are struct dupto_vm_range; address elements are struct
 * dupto_vm_addr, where a prefix must have no bits set beyond its length. A
 * key is in a set if it equals an exact element, lies in a range or starts
 * with a prefix.
 *
 * U8 and U16 sets are bitmaps: a lookup is one load. MAC, IP4 and IP6 sets
 * keep one hash table per distinct prefix length; a lookup probes each
 * table (on a frame that ends inside the key, the tables of the lengths it
 * has and one more), at most DUPTO_VM_SET_PROBES slots in each, whatever
 * the number of elements and whatever the keys: each table is hashed with
 * a universal hash under a random secret of its own, chosen when the image
 * is loaded, so neither the image nor the frames can choose keys that
 * collide whatever the secret, and the loader rebuilds a table under a new
 * secret (or larger) rather than place an element further than that from
 * its home slot. It refuses the set, "set N: cannot place ...", only if no
 * secret does, which random secrets make vanishingly unlikely. The secrets
 * are the kernel's own and never leave it.
 *
 * Cost
 * ----
 * The verifier bounds what a frame may cost. Jumps go forward, so each
 * instruction runs at most once per frame. Counted in instructions:
 *
 *   every instruction                      1
 *   JIN, JINX on a U8 or U16 set           1 more
 *   JIN, JINX on a MAC, IP4 or IP6 set     (L + 1) * DUPTO_VM_COST_TABLE more,
 *                                          L its number of distinct prefix
 *                                          lengths
 *   the first JCHAIN4 or JCHAIN6 of each   DUPTO_VM_CHAIN_MAX more (a header
 *   (opcode, off)                          stepped over costs about what a
 *                                          fused compare does)
 *
 * where DUPTO_VM_COST_TABLE is what one table lookup (a hash and at most
 * DUPTO_VM_SET_PROBES probes) costs in VM instructions: a lookup in a table
 * of 16-byte keys measures about as much as 60 of them (make bench-vm).
 * The sum over
 * the program is its worst case per frame, whatever path a frame takes;
 * the loader refuses a program whose worst case exceeds DUPTO_VM_MAX_COST
 * with "program: worst-case cost X exceeds Y". Any program of at most
 * DUPTO_VM_MAX_INSNS instructions without address sets is within it; with
 * them, for instance, 15 lookups in an IPv6 set of all 129 prefix lengths
 * are, and 16 are not (Documentation/performance.rst has what the worst
 * such program costs in time).
 */

#ifndef _UAPI_LINUX_DUPTO_VM_H
#define _UAPI_LINUX_DUPTO_VM_H

#include <linux/types.h>

#define DUPTO_VM_VERSION	2

/* Limits the loader enforces. */
#define DUPTO_VM_MAX_INSNS	65535
#define DUPTO_VM_MAX_RULES	16384
#define DUPTO_VM_MAX_TARGETS	256
#define DUPTO_VM_MAX_PORTS	256
#define DUPTO_VM_MAX_SETS	4096
#define DUPTO_VM_MAX_ELEMS	65536	/* per set */
#define DUPTO_VM_NAME_MAX	32	/* with the NUL */
#define DUPTO_VM_MAX_GROUPS	64
#define DUPTO_VM_MAX_MEMBERS	64	/* per group */
#define DUPTO_VM_MAX_WEIGHT	16
#define DUPTO_VM_NREGS		8

/* What a frame may cost (see Cost above). */
#define DUPTO_VM_SET_PROBES	16	/* slots one table lookup probes, at most */
#define DUPTO_VM_COST_TABLE	64	/* one table lookup, in instructions */
#define DUPTO_VM_MAX_COST	131072	/* a program's worst case per frame */

/* Protocol chains (JCHAIN4, JCHAIN6) */
#define DUPTO_VM_CHAIN_MAX	8192	/* headers stepped over, at most */
#define DUPTO_VM_CHAIN_WALKS	8	/* distinct (opcode, off) per program */

struct dupto_vm_insn {
	__u8	op;	/* enum dupto_vm_op */
	__u8	regs;	/* dst in bits 0-3, src in bits 4-7 */
	__u16	off;	/* packet offset; rule, port or meta number */
	__u16	jt;	/* forward jump when true; RULE: body length */
	__u16	jf;	/* forward jump when false */
	__u32	imm;	/* immediate, compare value, set number, flags */
	__u32	mask;	/* fused compares: applied to the packet value */
};

#define DUPTO_VM_DST(insn)	((insn)->regs & 0xf)
#define DUPTO_VM_SRC(insn)	((insn)->regs >> 4)
#define DUPTO_VM_REGS(dst, src)	((__u8)((dst) | (src) << 4))

enum dupto_vm_op {
	DUPTO_VM_RET,
	DUPTO_VM_RULE,
	DUPTO_VM_MATCH,
	DUPTO_VM_JA,

	DUPTO_VM_LDI,
	DUPTO_VM_MOV,
	DUPTO_VM_LDLEN,
	DUPTO_VM_LDB,
	DUPTO_VM_LDH,
	DUPTO_VM_LDW,
	DUPTO_VM_LDXB,
	DUPTO_VM_LDXH,
	DUPTO_VM_LDXW,
	DUPTO_VM_LDIHL,

	DUPTO_VM_ADDK,
	DUPTO_VM_SUBK,
	DUPTO_VM_MULK,
	DUPTO_VM_DIVK,
	DUPTO_VM_MODK,
	DUPTO_VM_ANDK,
	DUPTO_VM_ORK,
	DUPTO_VM_XORK,
	DUPTO_VM_LSHK,
	DUPTO_VM_RSHK,
	DUPTO_VM_ADDX,
	DUPTO_VM_SUBX,
	DUPTO_VM_MULX,
	DUPTO_VM_DIVX,
	DUPTO_VM_MODX,
	DUPTO_VM_ANDX,
	DUPTO_VM_ORX,
	DUPTO_VM_XORX,
	DUPTO_VM_LSHX,
	DUPTO_VM_RSHX,
	DUPTO_VM_NEG,

	DUPTO_VM_JEQK,
	DUPTO_VM_JGTK,
	DUPTO_VM_JGEK,
	DUPTO_VM_JSETK,
	DUPTO_VM_JEQX,
	DUPTO_VM_JGTX,
	DUPTO_VM_JGEX,
	DUPTO_VM_JSETX,

	DUPTO_VM_JEQB,
	DUPTO_VM_JEQH,
	DUPTO_VM_JEQW,
	DUPTO_VM_JGTB,
	DUPTO_VM_JGTH,
	DUPTO_VM_JGTW,
	DUPTO_VM_JGEB,
	DUPTO_VM_JGEH,
	DUPTO_VM_JGEW,
	DUPTO_VM_JSETB,
	DUPTO_VM_JSETH,
	DUPTO_VM_JSETW,

	DUPTO_VM_JEQXB,
	DUPTO_VM_JEQXH,
	DUPTO_VM_JEQXW,
	DUPTO_VM_JGTXB,
	DUPTO_VM_JGTXH,
	DUPTO_VM_JGTXW,
	DUPTO_VM_JGEXB,
	DUPTO_VM_JGEXH,
	DUPTO_VM_JGEXW,
	DUPTO_VM_JSETXB,
	DUPTO_VM_JSETXH,
	DUPTO_VM_JSETXW,

	DUPTO_VM_JON,
	DUPTO_VM_JIN,
	DUPTO_VM_JINX,

	/* image version 2 */
	DUPTO_VM_JCHAIN4,
	DUPTO_VM_JCHAIN6,

	__DUPTO_VM_OP_MAX
};

/* RULE flags */
#define DUPTO_VM_RULE_QUICK	(1U << 0)
#define DUPTO_VM_RULE_ELSE	(1U << 1)
#define DUPTO_VM_RULE_OUT	(1U << 2)

/* JON: any port (a frame's direction alone) */
#define DUPTO_VM_PORT_ANY	0xffff

/* JON directions */
#define DUPTO_VM_DIR_IN		(1U << 0)
#define DUPTO_VM_DIR_OUT	(1U << 1)

/* Image records */
struct dupto_vm_rec {
	__u16	len;	/* header and payload, without padding */
	__u16	type;	/* enum dupto_vm_rec_type */
};

#define DUPTO_VM_REC_ALIGN(len)	(((len) + 3U) & ~3U)

enum dupto_vm_rec_type {
	DUPTO_VM_REC_UNSPEC,
	DUPTO_VM_REC_HEADER,
	DUPTO_VM_REC_INSNS,
	DUPTO_VM_REC_TARGET,
	DUPTO_VM_REC_PORT,
	DUPTO_VM_REC_RULE,
	DUPTO_VM_REC_RULE_TEXT,
	DUPTO_VM_REC_SET,
	DUPTO_VM_REC_SET_ELEMS,
	DUPTO_VM_REC_GROUP,

	__DUPTO_VM_REC_MAX
};

struct dupto_vm_hdr {
	__u32	version;	/* DUPTO_VM_VERSION */
	__u32	ninsns;
	__u32	nrules;
	__u32	ntargets;
	__u32	nports;
	__u32	nsets;
	__u32	ngroups;	/* absent in a 24-byte header: 0 */
};

/* The length of a header without ngroups. */
#define DUPTO_VM_HDR_LEN_V1	24

struct dupto_vm_rule_rec {
	__u32	line;		/* where the rule was written; 0 if unknown */
	__u16	ntargets;	/* __u16 target indices follow */
	__u16	reserved;	/* zero */
};

enum dupto_vm_set_type {
	DUPTO_VM_SET_UNSPEC,
	DUPTO_VM_SET_U8,
	DUPTO_VM_SET_U16,
	DUPTO_VM_SET_MAC,
	DUPTO_VM_SET_IP4,
	DUPTO_VM_SET_IP6,

	__DUPTO_VM_SET_MAX
};

struct dupto_vm_set_rec {
	__u16	type;		/* enum dupto_vm_set_type */
	__u16	reserved;	/* zero */
	__u32	nelems;
};

/* U8 and U16 sets: first and last value, inclusive, first <= last */
struct dupto_vm_range {
	__u16	first;
	__u16	last;
};

/* MAC, IP4 and IP6 sets: the address in network order from addr[0] */
struct dupto_vm_addr {
	__u8	addr[16];
	__u8	plen;		/* prefix length; MAC: 48 */
	__u8	reserved[3];	/* zero */
};

/* Group hash modes: what of a flow its hash covers */
enum dupto_vm_hash {
	DUPTO_VM_HASH_UNSPEC,
	DUPTO_VM_HASH_ADDRS,	/* addresses (and protocol) */
	DUPTO_VM_HASH_PORTS,	/* addresses, protocol and ports */

	__DUPTO_VM_HASH_MAX
};

struct dupto_vm_group_rec {
	__u16	target;		/* the group's own entry in the target table */
	__u8	hash;		/* enum dupto_vm_hash */
	__u8	reserved;	/* zero */
	__u32	seed;
	__u16	nmembers;	/* struct dupto_vm_group_member follow */
	__u16	reserved2;	/* zero */
};

struct dupto_vm_group_member {
	__u16	target;		/* a target that is not a group */
	__u8	weight;		/* 1 .. DUPTO_VM_MAX_WEIGHT */
	__u8	reserved;	/* zero */
};

#endif /* _UAPI_LINUX_DUPTO_VM_H */
