/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The classification VM: load (verify and build) a ruleset image, run it on
 * a frame, free it. The same sources build in the module and, through
 * vm_env.h, in userspace for the tool and the tests; the encoding is in
 * uapi/linux/dupto_vm.h.
 *
 * A loaded program is immutable: dupto_vm_run() only reads it, so any
 * number of CPUs may run it at once (the caller publishes it with RCU).
 */
#ifndef _DUPTO_VM_H
#define _DUPTO_VM_H

#include "vm_env.h"
#include "uapi/linux/dupto_vm.h"

#define DUPTO_VM_TARGET_WORDS	(DUPTO_VM_MAX_TARGETS / 64)
/* A frame on no port of the ruleset: JON never matches. */
#define DUPTO_VM_PORT_NONE	0xffff

/*
 * Opcodes of the interpreter's own copy of a program (prog->code), never
 * in an image; prepare_code() in vm_load.c makes them.
 *   IJEQ*  an equality test on a whole field (mask all ones): no masking
 *   IC*    a fused compare of the field its only predecessor, also a
 *          fused compare, has just read: no read, the value is at hand
 *          (what BPF's accumulator gives "jeq #a; jeq #b" for free)
 */
enum dupto_vm_iop {
	DUPTO_VM_IJEQB = __DUPTO_VM_OP_MAX,
	DUPTO_VM_IJEQH,
	DUPTO_VM_IJEQW,
	DUPTO_VM_IJEQXB,
	DUPTO_VM_IJEQXH,
	DUPTO_VM_IJEQXW,
	DUPTO_VM_ICEQ,
	DUPTO_VM_ICEQW,		/* whole field */
	DUPTO_VM_ICGT,
	DUPTO_VM_ICGE,
	DUPTO_VM_ICSET,

	__DUPTO_VM_IOP_MAX
};

/*
 * What the VM knows of a frame. The caller describes the frame as it has
 * it; the VM presents it as it was on the wire.
 *
 * @data, @len: the bytes from the first byte of the Ethernet header that
 *   can be read directly (in the kernel: skb_mac_header() and the linear
 *   length from there). If the outer VLAN tag was moved into metadata, it
 *   is not in these bytes: they go on with the inner EtherType at offset 12.
 *   @len <= dupto_vm_pkt_end(): the VM reads up to @len in place unchecked.
 * @wire_len: the length on the wire, including a tag held in metadata. The
 *   frame's bytes, through @data and @read together, are the first
 *   dupto_vm_pkt_end() of them: @wire_len less such a tag.
 * @read: bytes beyond @len, for non-linear frames: copy @n bytes at offset
 *   @off of the same byte sequence into @buf, or return a pointer to them,
 *   or NULL if they cannot be had. NULL if the frame is linear. The VM calls
 *   it only for 1 <= @n <= 40 bytes that lie inside the frame
 *   (@off + @n <= dupto_vm_pkt_end()) and not wholly inside @len: a hook
 *   never sees an offset it would have to check, however hostile the
 *   program. dupto_vm_pkt_read() is the one place that calls it.
 * @ctx: for @read (the skb).
 * @vlan_tagged, @vlan_tpid, @vlan_tci: the outer tag held in metadata.
 * @port: the frame's port as an index of the ruleset's port table, or
 *   DUPTO_VM_PORT_NONE.
 * @dir: DUPTO_VM_DIR_IN on receive, DUPTO_VM_DIR_OUT on transmit.
 */
struct dupto_vm_packet {
	const u8 *data;
	u32 len;
	u32 wire_len;
	const u8 *(*read)(const struct dupto_vm_packet *pkt, u32 off, u32 n,
			  u8 *buf);
	const void *ctx;
	u16 vlan_tpid;
	u16 vlan_tci;
	u8 vlan_tagged;
	u8 dir;
	u16 port;
};

/* The largest read the VM and the flow hash make at once, in bytes. */
#define DUPTO_VM_READ_MAX	40

/* How many bytes @data and @read hold: the frame less a tag in metadata. */
static inline u32 dupto_vm_pkt_end(const struct dupto_vm_packet *pkt)
{
	u32 tag = pkt->vlan_tagged ? 4 : 0;

	return pkt->wire_len > tag ? pkt->wire_len - tag : 0;
}

/*
 * The @n bytes at @off of the frame's bytes (tag in metadata aside), or
 * NULL if the frame does not hold them. Every read of frame bytes beyond
 * the directly readable part comes here, and is bounded here by the
 * frame's length, whatever the offset (a program computes offsets from
 * registers: any value up to 2^32 + 2^16) and whatever the caller's @read
 * would do with it.
 */
static inline const u8 *dupto_vm_pkt_read(const struct dupto_vm_packet *pkt,
					  u64 off, u32 n, u8 *buf)
{
	u32 end = dupto_vm_pkt_end(pkt);

	if (off > end || n > end - off)
		return NULL;
	if (off + n <= pkt->len)
		return pkt->data + off;
	if (!pkt->read)
		return NULL;
	return pkt->read(pkt, (u32)off, n, buf);
}

/*
 * The outcome for one frame. @targets has bit i set if target i of the
 * ruleset's target table should receive the frame.
 */
struct dupto_vm_result {
	u64 targets[DUPTO_VM_TARGET_WORDS];
	u32 matched;	/* rules that matched */
	u32 aborted;	/* rules abandoned on a failed packet read */
};

/*
 * Per-rule counters, bumped by dupto_vm_run() as rules match, so no second
 * pass is needed: the kernel passes its per-CPU array. u64_stats, as every
 * counter of dupto's is, so that a 32-bit reader sees no torn value.
 */
struct dupto_vm_rule_stats {
	u64_stats_t packets;
	u64_stats_t bytes;
	struct u64_stats_sync syncp;
};

struct dupto_vm_rule {
	u64 targets[DUPTO_VM_TARGET_WORDS];
	u32 flags;		/* DUPTO_VM_RULE_*, from its RULE instruction */
	u16 *target_idx;	/* the targets in the order written */
	u32 ntargets;
	u32 line;
	char *text;		/* source text, not NUL-terminated */
	u32 text_len;
};

/* The part of a set the interpreter needs; the rest is vm_set.c's. */
struct dupto_vm_set {
	u16 type;	/* enum dupto_vm_set_type */
	u16 keylen;	/* bytes read from the packet */
	u32 nelems;
};

/* A member of a group, with its identities (see balance.c). */
struct dupto_vm_member {
	u16 target;
	u8 weight;
	u64 id[DUPTO_VM_MAX_WEIGHT];
};

struct dupto_vm_group {
	u16 target;		/* the group's own entry in the target table */
	u8 hash;		/* enum dupto_vm_hash */
	u32 seed;
	dupto_vm_hkey key;	/* from the seed */
	u32 nmembers;
	struct dupto_vm_member *members;
};

#define DUPTO_VM_GROUP_NONE	0xffff

/*
 * What a hash of a frame's flow needs, parsed once (balance.c): addresses
 * and ports as the frame has them, source first.
 */
struct dupto_vm_flow {
	u16 ethertype;
	u8 proto;
	u8 frag;
	u16 port_a, port_b;
	u8 addr_a[16], addr_b[16];
};

struct dupto_vm_prog {
	struct dupto_vm_insn *insns;	/* as the image gave them */
	/*
	 * What the interpreter runs (vm_load.c, prepare_code()): the same
	 * instructions with jt and jf counted from the instruction itself
	 * (one more than in the encoding), the constants of the equality
	 * and bit tests on 2- and 4-byte fields in the frame's byte order,
	 * a bit test's mask folded into its imm, and some compares as the
	 * interpreter's own opcodes (enum dupto_vm_iop).
	 */
	struct dupto_vm_insn *code;
	/*
	 * Where the interpreter starts: past the first RULE, which no rule
	 * precedes, so which is never skipped as else.
	 */
	const struct dupto_vm_insn *entry;
	/*
	 * For each instruction, the end of the rule it is in: where a failed
	 * read continues. Jumps cross rules, so the interpreter cannot keep
	 * track of the rule it is in; it looks it up here, on that rare path.
	 */
	u16 *insn_end;
	u32 ninsns;
	u32 nrules;
	u32 ntargets;
	u32 nports;
	u32 nsets;
	struct dupto_vm_rule *rules;
	struct dupto_vm_set **sets;
	char (*targets)[DUPTO_VM_NAME_MAX];
	char (*ports)[DUPTO_VM_NAME_MAX];
	u32 ngroups;
	struct dupto_vm_group *groups;
	u16 *group_of;		/* per target: its group, or DUPTO_VM_GROUP_NONE */
	u64 group_targets[DUPTO_VM_TARGET_WORDS];	/* targets that are groups */
};

/*
 * Parse, verify and build an image. On failure returns a negative errno
 * and, if @err is not NULL, a message: "insn N: reason" for the program
 * ("program: worst-case cost ..." for what it may cost a frame), "record N:
 * reason" for the image around it, "set N: reason" for a set.
 */
int dupto_vm_load(const void *image, size_t len, struct dupto_vm_prog **progp,
		  char *err, size_t errlen);
void dupto_vm_free(struct dupto_vm_prog *prog);

void dupto_vm_run(const struct dupto_vm_prog *prog,
		  const struct dupto_vm_packet *pkt,
		  struct dupto_vm_result *res,
		  struct dupto_vm_rule_stats *stats);

/* balance.c: groups (uapi/linux/dupto_vm.h, "Groups") */
void dupto_vm_flow_parse(const struct dupto_vm_packet *pkt,
			 struct dupto_vm_flow *fl);
void dupto_vm_hash_key(dupto_vm_hkey *key, u32 seed);
void dupto_vm_sample_key(dupto_vm_hkey *key);
/* @mode: enum dupto_vm_hash */
u64 dupto_vm_flow_hash(const struct dupto_vm_flow *fl, u8 mode,
		       const dupto_vm_hkey *key);
void dupto_vm_member_ids(struct dupto_vm_member *m, const char *name,
			 const dupto_vm_hkey *key);
/*
 * The member of @g that gets the flow of @hash among those @live says can
 * take it (NULL: all of them): its target index, or -1 if none can.
 */
int dupto_vm_group_pick(const struct dupto_vm_group *g, u64 hash,
			bool (*live)(const void *ctx, u32 target),
			const void *ctx);

/*
 * The frame's targets, @targets (a struct dupto_vm_result's), with each
 * group replaced by the member that takes the frame's flow. Members are
 * never groups, so a sensor reached directly and through a group is one
 * bit: one copy.
 */
void dupto_vm_resolve_groups(const struct dupto_vm_prog *prog,
			     const struct dupto_vm_packet *pkt, u64 *targets,
			     bool (*live)(const void *ctx, u32 target),
			     const void *ctx);

/* verifier.c */
struct dupto_vm_limits {
	u32 nrules;	/* rules the image declares */
	u32 nports;
	u32 nsets;
	const u32 *set_cost;	/* per set: dupto_vm_set_cost() */
};

int dupto_vm_verify(const struct dupto_vm_insn *insns, u32 ninsns,
		    const struct dupto_vm_limits *lim, char *err, size_t errlen);
/* The mnemonic of an opcode, NULL if there is no such opcode. */
const char *dupto_vm_op_name(unsigned int op);

/* How a packet compare (JEQB to JSETXW) compares, read from the opcode table. */
enum dupto_vm_rel {
	DUPTO_VM_REL_EQ,
	DUPTO_VM_REL_GT,
	DUPTO_VM_REL_GE,
	DUPTO_VM_REL_SET,	/* a bit test */
};

struct dupto_vm_pktcmp {
	u8 width;	/* bytes read: 1, 2 or 4 */
	u8 x;		/* at a register plus off, not at off */
	u8 rel;		/* enum dupto_vm_rel */
};

/* False if @op is no packet compare. */
bool dupto_vm_op_pktcmp(unsigned int op, struct dupto_vm_pktcmp *c);

/* vm_set.c */
size_t dupto_vm_set_elem_size(unsigned int type);
struct dupto_vm_set *dupto_vm_set_build(unsigned int type, const void *elems,
					u32 nelems, char *err, size_t errlen);
bool dupto_vm_set_lookup(const struct dupto_vm_set *set, const u8 *key);
/* A lookup's worst case, in DUPTO_VM_MAX_COST's units */
u32 dupto_vm_set_cost(const struct dupto_vm_set *set);
/* 1, 0, or -1 if libpcap would have read beyond @words words of the key */
int dupto_vm_set_lookup_partial(const struct dupto_vm_set *set, const u8 *key,
				u32 words);
void dupto_vm_set_free(struct dupto_vm_set *set);

#endif /* _DUPTO_VM_H */
