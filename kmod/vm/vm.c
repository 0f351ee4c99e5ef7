// SPDX-License-Identifier: GPL-2.0
/*
 * The interpreter: runs a verified program on one frame.
 *
 * Everything the verifier proved (opcodes, operands, jump targets, register
 * initialisation, rule structure) is not checked again here. What only the
 * frame can tell is: packet reads are bounds-checked, and a failed read or
 * a division by zero abandons the current rule.
 *
 * It runs the loader's copy of the program, prog->code (see struct
 * dupto_vm_prog and prepare_code() in vm_load.c), made so that the common
 * instruction, a fused compare, is a bounds check, a load, a compare and a
 * jump. Jumps may cross rules, so the rule a failed read abandons is looked
 * up (prog->insn_end) rather than tracked.
 */

#include "vm.h"

/*
 * Reads go through the wire view of the frame: if the outer VLAN tag is in
 * metadata, virtual offsets 12-15 are the tag and everything after them is
 * 4 bytes further on in the bytes the caller gave us.
 */
static const u8 *read_tagged(const struct dupto_vm_packet *pkt, u64 off,
			     u32 n, u8 *buf)
{
	const u8 *p;
	u32 i;

	if (off >= 16)
		return dupto_vm_pkt_read(pkt, off - 4, n, buf);
	if (off + n <= 12)
		return dupto_vm_pkt_read(pkt, off, n, buf);
	/* Straddles the tag: gather byte by byte (n <= 16). */
	for (i = 0; i < n; i++) {
		u64 o = off + i;
		u8 tmp;

		if (o >= 12 && o < 16) {
			u16 half = o < 14 ? pkt->vlan_tpid : pkt->vlan_tci;

			buf[i] = (o & 1) ? half & 0xff : half >> 8;
			continue;
		}
		p = dupto_vm_pkt_read(pkt, o < 12 ? o : o - 4, 1, &tmp);
		if (!p)
			return NULL;
		buf[i] = *p;
	}
	return buf;
}

/*
 * Reads beyond the bytes that can be read in place: the wire view of a
 * tagged frame, bytes beyond the linear part, reads past the end. Kept out
 * of line so that the interpreter's fast path is one compare. Each ends
 * in dupto_vm_pkt_read(), which bounds it by the frame's length.
 */
static noinline const u8 *vm_read_slow(const struct dupto_vm_packet *pkt,
				       u64 off, u32 n, u8 *buf)
{
	if (!pkt->vlan_tagged)
		return dupto_vm_pkt_read(pkt, off, n, buf);
	return read_tagged(pkt, off, n, buf);
}

/*
 * A set lookup on a frame that ends inside the key. Address sets stand for
 * a sequence of libpcap tests that read the key a word at a time, so the
 * words that are there can still decide (see vm_set.c); other sets fail.
 */
static int set_partial(const struct dupto_vm_packet *pkt,
		       const struct dupto_vm_set *set, u64 off, u8 *buf)
{
	const u8 *p;
	u32 words;

	if (set->type != DUPTO_VM_SET_IP4 && set->type != DUPTO_VM_SET_IP6)
		return -1;
	for (words = set->keylen / 4; words-- > 0;) {
		p = words ? vm_read_slow(pkt, off, 4 * words, buf) : buf;
		if (p)
			return dupto_vm_set_lookup_partial(set, p, words);
	}
	return -1;
}

/*
 * One walk of a protocol chain (JCHAIN4, JCHAIN6): the header types met, and
 * whether the walk was cut short by a read outside the frame or by the
 * length limit. A type is met before anything after it is read, so "imm was
 * met" is what libpcap's loop, which stops at imm, decides; "cut short and
 * imm not met" is its failed read.
 */
struct vm_chain {
	u16 off;
	u8 op;
	u8 cut;
	u32 met[256 / 32];
};

/* @n bytes at @off: in place below @fast (as VM_PTR), else the slow way */
static inline const u8 *chain_read(const struct dupto_vm_packet *pkt, u64 fast,
				   u64 off, u32 n, u8 *buf)
{
	if (likely(off + n <= fast))
		return pkt->data + off;
	return vm_read_slow(pkt, off, n, buf);
}

static noinline void chain_walk(const struct dupto_vm_packet *pkt, u64 fast,
				struct vm_chain *c)
{
	u32 type, x, n;
	const u8 *p;
	u8 buf[2];
	bool ah;

	memset(c->met, 0, sizeof(c->met));
	c->cut = 1;
	if (c->op == DUPTO_VM_JCHAIN4) {
		p = chain_read(pkt, fast, c->off, 1, buf);
		if (!p)
			return;
		x = (p[0] & 0xf) << 2;
		p = chain_read(pkt, fast, (u64)c->off + 9, 1, buf);
	} else {
		x = 40;
		p = chain_read(pkt, fast, (u64)c->off + 6, 1, buf);
	}
	if (!p)
		return;
	type = p[0];
	for (n = 0;; n++) {
		c->met[type / 32] |= 1U << (type % 32);
		ah = type == 51;
		if (!ah && !(c->op == DUPTO_VM_JCHAIN6 &&
			     (type == 0 || type == 60 || type == 43 || type == 44)))
			break;			/* 59 (no next header) included */
		if (n == DUPTO_VM_CHAIN_MAX)
			return;
		/* x < 40 + n * 2048 <= 2^24: no wrap */
		p = chain_read(pkt, fast, (u64)c->off + x, 2, buf);
		if (!p)
			return;
		type = p[0];
		/*
		 * AH's length is in 4-byte units less 2, the others' in 8-byte
		 * units less 1. After AH libpcap goes on from the network
		 * header, not from the AH header (its code sets x rather than
		 * adding to it, in every release to this day): so do we, since
		 * "protochain" must select what it selects in tcpdump.
		 */
		if (ah)
			x = (p[1] + 2) * 4;
		else
			x += (p[1] + 1) * 8;
	}
	c->cut = 0;
}

/*
 * @p = the @n bytes at @off: in place if they are there (one compare), else
 * through vm_read_slow(); a failed read abandons the rule. @fast is how far
 * the frame can be read in place: its linear length, or only up to the tag
 * if the tag is in metadata.
 */
#define VM_PTR(p, off, n) \
	do { \
		u64 o_ = (off); \
		if (likely(o_ + (n) <= fast)) { \
			(p) = data + o_; \
		} else { \
			(p) = vm_read_slow(pkt, o_, (n), buf); \
			if (unlikely(!(p))) \
				goto abort; \
		} \
	} while (0)

#define DST	reg[DUPTO_VM_DST(insn)]
#define SRC	reg[DUPTO_VM_SRC(insn)]
#define XOFF	((u64)SRC + insn->off)

/*
 * Dispatch. Threaded code, each handler ending in its own indirect jump
 * through a table (as the kernel's eBPF interpreter does), runs fewer
 * instructions and fewer ns per frame than a switch, in userspace. But a
 * kernel built with retpolines (Debian's are) sends every indirect jump
 * through a thunk, and on a CPU that needs retpolines that made the
 * interpreter five to six times slower than a switch, which the kernel
 * compiles without jump tables into a tree of compares and no indirect jump.
 * So such kernels get the switch; DUPTO_VM_SWITCH gets it anywhere (the
 * tests run both). Figures in Documentation/performance.rst.
 */
#if defined(__KERNEL__) && !defined(DUPTO_VM_SWITCH)
#if IS_ENABLED(CONFIG_RETPOLINE) || IS_ENABLED(CONFIG_MITIGATION_RETPOLINE)
#define DUPTO_VM_SWITCH
#endif
#endif
#ifdef DUPTO_VM_SWITCH
#define NEXT()		goto dispatch
#else
#define VM_THREADED
#define NEXT()		goto *jumptable[insn->op]
#endif
#define STEP()		do { insn++; NEXT(); } while (0)
#define JUMP(test)	do { insn += (test) ? insn->jt : insn->jf; NEXT(); } while (0)

/*
 * Fused compares, one handler per width so each is straight-line code.
 * Equality and bit tests compare the bytes as they are in memory (their
 * constants were put in that order at load); order tests need the value.
 */
#define V1(p)		((u32)(p)[0])
#define RAW2(p)		dupto_vm_raw16(p)
#define RAW4(p)		dupto_vm_raw32(p)
#define NET2(p)		dupto_vm_get16(p)
#define NET4(p)		dupto_vm_get32(p)
#define VM_JPKT(op, n, off, val, test) \
	op: \
		VM_PTR(p, off, n); \
		a = val(p); \
		JUMP(test)
#define VM_JEQ(OP, off) \
	VM_JPKT(OP##B, 1, off, V1, (a & insn->mask) == insn->imm); \
	VM_JPKT(OP##H, 2, off, RAW2, (a & insn->mask) == insn->imm); \
	VM_JPKT(OP##W, 4, off, RAW4, (a & insn->mask) == insn->imm)
#define VM_JEQW(OP, off) \
	VM_JPKT(OP##B, 1, off, V1, a == insn->imm); \
	VM_JPKT(OP##H, 2, off, RAW2, a == insn->imm); \
	VM_JPKT(OP##W, 4, off, RAW4, a == insn->imm)
#define VM_JSET(OP, off) \
	VM_JPKT(OP##B, 1, off, V1, a & insn->imm); \
	VM_JPKT(OP##H, 2, off, RAW2, a & insn->imm); \
	VM_JPKT(OP##W, 4, off, RAW4, a & insn->imm)
#define VM_JREL(OP, off, rel) \
	VM_JPKT(OP##B, 1, off, V1, (a & insn->mask) rel insn->imm); \
	VM_JPKT(OP##H, 2, off, NET2, (a & insn->mask) rel insn->imm); \
	VM_JPKT(OP##W, 4, off, NET4, (a & insn->mask) rel insn->imm)

/* Every handler, named after its opcode. */
#define VM_HANDLERS(X) \
	X(RET) X(RULE) X(MATCH) X(JA) \
	X(LDI) X(MOV) X(LDLEN) X(LDB) X(LDH) X(LDW) \
	X(LDXB) X(LDXH) X(LDXW) X(LDIHL) \
	X(ADDK) X(SUBK) X(MULK) X(DIVK) X(MODK) \
	X(ANDK) X(ORK) X(XORK) X(LSHK) X(RSHK) \
	X(ADDX) X(SUBX) X(MULX) X(DIVX) X(MODX) \
	X(ANDX) X(ORX) X(XORX) X(LSHX) X(RSHX) X(NEG) \
	X(JEQK) X(JGTK) X(JGEK) X(JSETK) \
	X(JEQX) X(JGTX) X(JGEX) X(JSETX) \
	X(JEQB) X(JEQH) X(JEQW) X(JGTB) X(JGTH) X(JGTW) \
	X(JGEB) X(JGEH) X(JGEW) X(JSETB) X(JSETH) X(JSETW) \
	X(JEQXB) X(JEQXH) X(JEQXW) X(JGTXB) X(JGTXH) X(JGTXW) \
	X(JGEXB) X(JGEXH) X(JGEXW) X(JSETXB) X(JSETXH) X(JSETXW) \
	X(JON) X(JIN) X(JINX) X(JCHAIN4) X(JCHAIN6) \
	X(IJEQB) X(IJEQH) X(IJEQW) X(IJEQXB) X(IJEQXH) X(IJEQXW) \
	X(ICEQ) X(ICEQW) X(ICGT) X(ICGE) X(ICSET)

#define VM_LABEL(op)	[DUPTO_VM_##op] = &&op,
#define VM_CASE(op)	case DUPTO_VM_##op: goto op;

void dupto_vm_run(const struct dupto_vm_prog *prog,
		  const struct dupto_vm_packet *pkt,
		  struct dupto_vm_result *res,
		  struct dupto_vm_rule_stats *stats)
{
#ifdef VM_THREADED
	static const void * const jumptable[256] __annotate_jump_table = {
		VM_HANDLERS(VM_LABEL)
		/* every byte value has a target; the verifier lets none of these in */
		[__DUPTO_VM_IOP_MAX ... 255] = &&BAD,
	};
#endif
	const struct dupto_vm_insn *insn = prog->entry;
	const u8 *data = pkt->data;
	u64 fast = pkt->len;
	/*
	 * Kernels built to zero every local (INIT_STACK_ALL_ZERO, as Debian's
	 * are) would clear these 320 bytes for every frame: the verifier
	 * proved no register is read unwritten, and only the walks below
	 * @nchain are read, each written whole by chain_walk() first.
	 */
	u32 reg[DUPTO_VM_NREGS] __uninitialized;
	struct vm_chain chain[DUPTO_VM_CHAIN_WALKS] __uninitialized;
	u32 nchain = 0;
	const u8 *p;
	u8 buf[16];
	u32 a = 0, b;
	u64 off;

	/* @len <= dupto_vm_pkt_end() is the caller's promise (vm.h) */
	if (pkt->vlan_tagged && fast > 12)
		fast = 12;
	memset(res, 0, sizeof(*res));
#ifdef VM_THREADED
	NEXT();
#else
dispatch:
	/*
	 * Without jump tables a switch is a tree of compares, about seven
	 * deep: the tests most frames run most are tried first.
	 */
	if (insn->op == DUPTO_VM_IJEQH)
		goto IJEQH;
	if (insn->op == DUPTO_VM_IJEQB)
		goto IJEQB;
	switch (insn->op) {
		VM_HANDLERS(VM_CASE)
	default:
		goto BAD;
	}
#endif

RET:
	return;

RULE:
	if (unlikely(insn->imm & DUPTO_VM_RULE_ELSE) && res->matched) {
		insn += insn->jt;
		NEXT();
	}
	STEP();

MATCH: {
	const struct dupto_vm_rule *r = &prog->rules[insn->off];

	/* Leaving a port, only rules that asked for it match; the others go
	 * on as if they had not, since the code after a MATCH may assume it.
	 */
	if (unlikely(pkt->dir & DUPTO_VM_DIR_OUT) &&
	    !(r->flags & DUPTO_VM_RULE_OUT)) {
		insn = prog->code + prog->insn_end[insn - prog->code];
		NEXT();
	}
	BUILD_BUG_ON(DUPTO_VM_TARGET_WORDS != 4);
	res->targets[0] |= r->targets[0];
	res->targets[1] |= r->targets[1];
	res->targets[2] |= r->targets[2];
	res->targets[3] |= r->targets[3];
	res->matched++;
	if (stats) {
		struct dupto_vm_rule_stats *s = &stats[insn->off];

		u64_stats_update_begin(&s->syncp);
		u64_stats_inc(&s->packets);
		u64_stats_add(&s->bytes, pkt->wire_len);
		u64_stats_update_end(&s->syncp);
	}
	if (r->flags & DUPTO_VM_RULE_QUICK)
		return;
	insn += insn->jt;
	NEXT();
}

JA:
	insn += insn->jt;
	NEXT();

LDI:
	DST = insn->imm;
	STEP();
MOV:
	DST = SRC;
	STEP();
LDLEN:
	DST = pkt->wire_len;
	STEP();
LDB:
	VM_PTR(p, insn->off, 1);
	DST = V1(p);
	STEP();
LDH:
	VM_PTR(p, insn->off, 2);
	DST = NET2(p);
	STEP();
LDW:
	VM_PTR(p, insn->off, 4);
	DST = NET4(p);
	STEP();
LDXB:
	VM_PTR(p, XOFF, 1);
	DST = V1(p);
	STEP();
LDXH:
	VM_PTR(p, XOFF, 2);
	DST = NET2(p);
	STEP();
LDXW:
	VM_PTR(p, XOFF, 4);
	DST = NET4(p);
	STEP();
LDIHL:
	VM_PTR(p, insn->off, 1);
	DST = (p[0] & 0xf) << 2;
	STEP();

ADDK:
	DST += insn->imm;
	STEP();
SUBK:
	DST -= insn->imm;
	STEP();
MULK:
	DST *= insn->imm;
	STEP();
DIVK:
	DST /= insn->imm;
	STEP();
MODK:
	DST %= insn->imm;
	STEP();
ANDK:
	DST &= insn->imm;
	STEP();
ORK:
	DST |= insn->imm;
	STEP();
XORK:
	DST ^= insn->imm;
	STEP();
LSHK:
	DST <<= insn->imm;
	STEP();
RSHK:
	DST >>= insn->imm;
	STEP();
ADDX:
	DST += SRC;
	STEP();
SUBX:
	DST -= SRC;
	STEP();
MULX:
	DST *= SRC;
	STEP();
DIVX:
	b = SRC;
	if (unlikely(!b))
		goto abort;
	DST /= b;
	STEP();
MODX:
	b = SRC;
	if (unlikely(!b))
		goto abort;
	DST %= b;
	STEP();
ANDX:
	DST &= SRC;
	STEP();
ORX:
	DST |= SRC;
	STEP();
XORX:
	DST ^= SRC;
	STEP();
LSHX:
	b = SRC;
	DST = b < 32 ? DST << b : 0;
	STEP();
RSHX:
	b = SRC;
	DST = b < 32 ? DST >> b : 0;
	STEP();
NEG:
	DST = 0U - DST;
	STEP();

JEQK:
	JUMP(DST == insn->imm);
JGTK:
	JUMP(DST > insn->imm);
JGEK:
	JUMP(DST >= insn->imm);
JSETK:
	JUMP(DST & insn->imm);
JEQX:
	JUMP(DST == SRC);
JGTX:
	JUMP(DST > SRC);
JGEX:
	JUMP(DST >= SRC);
JSETX:
	JUMP(DST & SRC);

	/* Fused compares: one dispatch for libpcap's "ld; and; jxx". */
	VM_JEQ(JEQ, insn->off);
	VM_JREL(JGT, insn->off, >);
	VM_JREL(JGE, insn->off, >=);
	VM_JSET(JSET, insn->off);
	VM_JEQ(JEQX, XOFF);
	VM_JREL(JGTX, XOFF, >);
	VM_JREL(JGEX, XOFF, >=);
	VM_JSET(JSETX, XOFF);
	VM_JEQW(IJEQ, insn->off);
	VM_JEQW(IJEQX, XOFF);

	/* the field the only way in has just read is still in a */
ICEQ:
	JUMP((a & insn->mask) == insn->imm);
ICEQW:
	JUMP(a == insn->imm);
ICGT:
	JUMP((a & insn->mask) > insn->imm);
ICGE:
	JUMP((a & insn->mask) >= insn->imm);
ICSET:
	JUMP(a & insn->imm);

JON:
	JUMP((pkt->port == insn->off || insn->off == DUPTO_VM_PORT_ANY) &&
	     (pkt->dir & insn->imm));
JIN:
JINX: {
	const struct dupto_vm_set *set = prog->sets[insn->imm];
	int r;

	off = insn->op == DUPTO_VM_JINX ? XOFF : insn->off;
	if (likely(off + set->keylen <= fast))
		JUMP(dupto_vm_set_lookup(set, data + off));
	p = vm_read_slow(pkt, off, set->keylen, buf);
	if (likely(p))
		JUMP(dupto_vm_set_lookup(set, p));
	r = set_partial(pkt, set, off, buf);
	if (r < 0)
		goto abort;
	JUMP(r);
}

JCHAIN4:
JCHAIN6: {
	struct vm_chain *c = chain;
	u32 v = insn->imm;

	while (c < chain + nchain && (c->op != insn->op || c->off != insn->off))
		c++;
	if (c == chain + nchain) {
		if (unlikely(nchain == DUPTO_VM_CHAIN_WALKS))
			goto BAD;	/* the verifier lets no such program in */
		c->op = insn->op;
		c->off = insn->off;
		chain_walk(pkt, fast, c);
		nchain++;
	}
	if (v < 256 && (c->met[v / 32] & (1U << (v % 32))))
		JUMP(true);
	if (c->cut)
		goto abort;
	JUMP(false);
}

abort:
	/* on to the end of the rule the failed instruction is in */
	res->aborted++;
	insn = prog->code + prog->insn_end[insn - prog->code];
	NEXT();

BAD:
	/* Unreachable after verification; stop rather than guess. */
	return;
}
