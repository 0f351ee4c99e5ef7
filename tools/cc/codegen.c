// SPDX-License-Identifier: GPL-2.0
/*
 * Code generation: predicates to VM instructions, and the image.
 *
 * Each rule becomes RULE, its test as a tree of conditional jumps, MATCH.
 * A leaf that reads the packet is one fused compare (libpcap's "ld; and;
 * jeq" in one dispatch). Then one optimisation, which never changes which
 * reads a frame goes through before a verdict: a compare whose outcome is
 * already known on every path reaching it (the same read, compared before)
 * becomes a jump, jumps to jumps are threaded and dead code is dropped. A
 * known outcome implies the read already succeeded, so no read that could
 * fail is ever removed, and none is added.
 *
 * The same facts then cross rules (link_rule): where a rule ends, with or
 * without a match, what its reads established about the frame decides the
 * first tests of the next rules, so the jump goes straight past them,
 * into the first rule whose outcome is still open and past its tests that
 * are not. Rules that cannot match the frame are not run at all; a rule
 * that would have been is left exactly as libpcap would have left it, so
 * matches, abandoned rules and counters are what they would have been.
 */

#include <stdlib.h>
#include <string.h>

#include "compiler.h"
#include "vm/vm.h"

#define REG_IHL		7	/* holds the IPv4 header length, see LDIHL */
#define MAX_FACTS	24
#define NO_TARGET	0xffffffffU

struct ir {
	struct dupto_vm_insn in;
	uint32_t t, f;		/* targets (IR indices); f unused if not cond */
	uint32_t xt, xf;	/* t, f when they leave the rule: positions */
	bool cond;		/* t and f are both used */
	bool dead;
	bool keep;		/* a test that always holds, ending a P_CODE */
	uint8_t rtun, wtun;	/* whose tunnel offsets it reads, writes (struct enc) */
};

/* A rule's optimised body, kept until every rule has its place. */
struct rule_code {
	struct ir *ir;		/* index n is the rule's end */
	uint32_t n;
	struct ir *unsplit;	/* before split_matches(), if it split */
	uint32_t unsplit_n;
	uint32_t *pos;		/* IR index -> program position; [n]: the end */
	uint32_t start;		/* position of its RULE instruction */
	uint32_t count;		/* body length */
	uint32_t flags;
};

/* How many rules a jump may skip before it lands on a RULE anyway. */
#define MAX_SKIP	256

struct fact {
	uint32_t off, mask, val;
	uint8_t op;		/* enum dupto_vm_rel */
	uint8_t size;
	uint8_t kind;		/* 0: compare outcome, 1: r7 = IHL at off */
	uint8_t res;
};

struct facts {
	uint8_t n;
	bool set;		/* reached by some path */
	struct fact f[MAX_FACTS];
};

struct gen {
	struct cc *cc;
	bool unopt;		/* the rule's cc_rule.unoptimised */
	unsigned int reg_limit;	/* arithmetic uses the registers below */
	struct ir *ir;
	uint32_t n, cap;
	uint32_t *labels;	/* label -> IR index, NO_TARGET if not placed */
	uint32_t nlabels, labelcap;
	int err;
};

static uint32_t new_label(struct gen *g)
{
	if (g->nlabels == g->labelcap) {
		g->labelcap = g->labelcap ? 2 * g->labelcap : 64;
		g->labels = realloc(g->labels, g->labelcap * sizeof(*g->labels));
		if (!g->labels)
			abort();
	}
	g->labels[g->nlabels] = NO_TARGET;
	return g->nlabels++;
}

static void place(struct gen *g, uint32_t label)
{
	g->labels[label] = g->n;
}

/* Targets are labels while generating, IR indices after resolve(). */
static struct ir *emit(struct gen *g, uint8_t op)
{
	struct ir *ir;

	if (g->n == g->cap) {
		g->cap = g->cap ? 2 * g->cap : 64;
		g->ir = realloc(g->ir, g->cap * sizeof(*g->ir));
		if (!g->ir)
			abort();
	}
	ir = &g->ir[g->n++];
	memset(ir, 0, sizeof(*ir));
	ir->in.op = op;
	ir->t = ir->f = ir->xt = ir->xf = NO_TARGET;
	return ir;
}

static uint32_t width_max(uint8_t size)
{
	return size == 4 ? 0xffffffffU : (1U << (8 * size)) - 1;
}

static uint8_t size_index(uint8_t size)
{
	return size == 1 ? 0 : size == 2 ? 1 : 2;
}

/*
 * The register a read at an offset from p->xreg is indexed by: the
 * register itself, or for a transport header after GENEVE or VXLAN, r0
 * with the IPv4 header length added, which libpcap reads from the
 * header at p->ihl_off from the register, as LDIHL does from the frame.
 */
static uint8_t encap_base(struct gen *g, const struct pred *p)
{
	struct ir *ir;

	if (!p->ihl)
		return p->xreg;
	ir = emit(g, DUPTO_VM_LDXB);
	ir->in.regs = DUPTO_VM_REGS(0, p->xreg);
	ir->in.off = p->ihl_off;
	ir->rtun = p->tun;
	ir = emit(g, DUPTO_VM_ANDK);
	ir->in.imm = 0xf;
	ir = emit(g, DUPTO_VM_LSHK);
	ir->in.imm = 2;
	ir = emit(g, DUPTO_VM_ADDX);
	ir->in.regs = DUPTO_VM_REGS(0, p->xreg);
	ir->rtun = p->tun;
	return 0;
}

/* A fused compare, normalised to operands the verifier accepts. */
static void emit_cmp(struct gen *g, const struct pred *p, uint32_t lt,
		     uint32_t lf)
{
	static const uint8_t base[] = {
		[OP_EQ] = DUPTO_VM_JEQB, [OP_GT] = DUPTO_VM_JGTB,
		[OP_GE] = DUPTO_VM_JGEB, [OP_SET] = DUPTO_VM_JSETB,
	};
	static const uint8_t basex[] = {
		[OP_EQ] = DUPTO_VM_JEQXB, [OP_GT] = DUPTO_VM_JGTXB,
		[OP_GE] = DUPTO_VM_JGEXB, [OP_SET] = DUPTO_VM_JSETXB,
	};
	uint32_t max = width_max(p->size);
	uint32_t mask = p->mask & max, val = p->val;
	uint8_t op = p->op;
	struct ir *ir;

	/*
	 * Masked with 0 the value is a constant, and libpcap's optimiser
	 * (which tcpdump runs) drops the read: "net ::/0" and the zero words
	 * of "net 2001:db8::/32" read nothing, so neither do we. Where
	 * libpcap does not optimise (p->keep: "geneve", "protochain"), the
	 * read stays: a compare whose outcome is the constant's.
	 */
	if (!mask) {
		bool res = op == OP_EQ ? !val : op == OP_GE ? !val : false;

		if (p->keep) {
			op = res ? OP_GE : OP_GT;
			mask = max;
			val = res ? 0 : max;
		} else {
			ir = emit(g, DUPTO_VM_JA);
			ir->t = res ? lt : lf;
			return;
		}
	}
	/* A constant the read can never reach: still read, never true. */
	if ((op == OP_EQ && (val & ~mask)) || (op == OP_GT && val >= max) ||
	    (op == OP_GE && val > max)) {
		op = OP_GT;
		mask = max;
		val = max;
	}
	if (op == OP_SET)
		val &= max;
	if (p->xreg) {
		uint8_t src = encap_base(g, p);

		ir = emit(g, basex[op] + size_index(p->size));
		ir->in.regs = DUPTO_VM_REGS(0, src);
		ir->rtun = p->tun;
	} else if (p->ihl) {
		ir = emit(g, DUPTO_VM_LDIHL);
		ir->in.regs = DUPTO_VM_REGS(REG_IHL, 0);
		ir->in.off = p->ihl_off;
		ir = emit(g, basex[op] + size_index(p->size));
		ir->in.regs = DUPTO_VM_REGS(0, REG_IHL);
	} else {
		ir = emit(g, base[op] + size_index(p->size));
	}
	ir->in.off = p->off;
	ir->in.imm = val;
	ir->in.mask = mask;
	ir->cond = true;
	ir->t = lt;
	ir->f = lf;
}

/* ---- arithmetic into registers r0..r6 ---- */

static const struct {
	enum tok tok;
	uint8_t k, x;
} alu_ops[] = {
	{ T_PLUS, DUPTO_VM_ADDK, DUPTO_VM_ADDX },
	{ T_MINUS, DUPTO_VM_SUBK, DUPTO_VM_SUBX },
	{ T_STAR, DUPTO_VM_MULK, DUPTO_VM_MULX },
	{ T_SLASH, DUPTO_VM_DIVK, DUPTO_VM_DIVX },
	{ T_PERCENT, DUPTO_VM_MODK, DUPTO_VM_MODX },
	{ T_AMP, DUPTO_VM_ANDK, DUPTO_VM_ANDX },
	{ T_PIPE, DUPTO_VM_ORK, DUPTO_VM_ORX },
	{ T_CARET, DUPTO_VM_XORK, DUPTO_VM_XORX },
	{ T_LSH, DUPTO_VM_LSHK, DUPTO_VM_LSHX },
	{ T_RSH, DUPTO_VM_RSHK, DUPTO_VM_RSHX },
};

static void gen_arth(struct gen *g, const struct arth *a, unsigned int reg);

/* "x * 0" and "x & 0": libpcap's optimiser makes them the constant 0 and
 * drops the reads of x: so do we.
 */
static bool is_zero_product(const struct gen *g, const struct arth *a)
{
	return !g->unopt && a->kind == A_BIN && a->r->kind == A_NUM && !a->r->num &&
	       (a->op == T_STAR || a->op == T_AMP);
}

/* One operator of a chain, its left operand's value in @reg already. */
static void gen_arth_op(struct gen *g, const struct arth *a, unsigned int reg)
{
	struct ir *ir;
	size_t i;

	for (i = 0; alu_ops[i].tok != a->op; i++)
		;
	if (a->r->kind == A_NUM) {
		/* sema refused constant zero divisors and wide shifts */
		ir = emit(g, alu_ops[i].k);
		ir->in.regs = DUPTO_VM_REGS(reg, 0);
		ir->in.imm = a->r->num;
		return;
	}
	gen_arth(g, a->r, reg + 1);
	ir = emit(g, alu_ops[i].x);
	ir->in.regs = DUPTO_VM_REGS(reg, reg + 1);
}

/*
 * A chain "x + 1 + 1 ..." along its left edge, in a loop (as sema.c's
 * arth_chain_checks() walks it): its length is no nesting, and the parser
 * does not bound it.
 */
static void gen_arth_chain(struct gen *g, const struct arth *a, unsigned int reg)
{
	const struct arth *x, **edge;
	uint32_t len = 0, i;

	for (x = a; x->kind == A_BIN && !is_zero_product(g, x); x = x->l)
		len++;
	edge = malloc(len * sizeof(*edge));
	if (!edge)
		abort();
	for (x = a, i = 0; i < len; x = x->l)
		edge[i++] = x;
	gen_arth(g, x, reg);
	for (i = len; i-- > 0;)
		gen_arth_op(g, edge[i], reg);
	free(edge);
}

static void gen_arth(struct gen *g, const struct arth *a, unsigned int reg)
{
	struct ir *ir;

	if (reg >= g->reg_limit) {
		if (!g->err)
			g->err = cc_error(g->cc, &a->loc, "arithmetic expression too deeply nested");
		return;
	}
	switch (a->kind) {
	case A_NUM:
		ir = emit(g, DUPTO_VM_LDI);
		ir->in.regs = DUPTO_VM_REGS(reg, 0);
		ir->in.imm = a->num;
		return;
	case A_LEN:
		ir = emit(g, DUPTO_VM_LDLEN);
		ir->in.regs = DUPTO_VM_REGS(reg, 0);
		return;
	case A_NEG:
		gen_arth(g, a->l, reg);
		ir = emit(g, DUPTO_VM_NEG);
		ir->in.regs = DUPTO_VM_REGS(reg, 0);
		return;
	case A_BIN:
		if (is_zero_product(g, a)) {
			ir = emit(g, DUPTO_VM_LDI);
			ir->in.regs = DUPTO_VM_REGS(reg, 0);
			return;
		}
		gen_arth_chain(g, a, reg);
		return;
	case A_LOAD:
		break;
	}

	/* The index, then the read relative to the protocol's header. */
	gen_arth(g, a->l, reg);
	{
		static const uint8_t ldx[] = { DUPTO_VM_LDXB, DUPTO_VM_LDXH, DUPTO_VM_LDXW };
		uint8_t base = a->proto == QP_LINK ? a->enc->linkhdr_reg : a->enc->nl_reg;
		uint32_t off = 0;

		/* inside GENEVE or VXLAN, from the register of the header */
		if (base) {
			ir = emit(g, DUPTO_VM_ADDX);
			ir->in.regs = DUPTO_VM_REGS(reg, base);
			ir->rtun = a->enc->tun;
		}
		switch (a->proto) {
		case QP_LINK:
			off = a->enc->linkhdr;	/* the innermost link header */
			break;
		case QP_TCP:
		case QP_UDP:
		case QP_SCTP:
		case QP_ICMP:
		case QP_IGMP:
		case QP_IGRP:
		case QP_PIM:
		case QP_VRRP:
		case QP_CARP:
			if (reg + 1 >= g->reg_limit) {
				if (!g->err)
					g->err = cc_error(g->cc, &a->loc, "arithmetic expression too deeply nested");
				return;
			}
			if (base) {
				/* LDIHL's work, at an offset from the register */
				ir = emit(g, DUPTO_VM_LDXB);
				ir->in.regs = DUPTO_VM_REGS(reg + 1, base);
				ir->in.off = a->linkoff;
				ir->rtun = a->enc->tun;
				ir = emit(g, DUPTO_VM_ANDK);
				ir->in.regs = DUPTO_VM_REGS(reg + 1, 0);
				ir->in.imm = 0xf;
				ir = emit(g, DUPTO_VM_LSHK);
				ir->in.regs = DUPTO_VM_REGS(reg + 1, 0);
				ir->in.imm = 2;
			} else {
				ir = emit(g, DUPTO_VM_LDIHL);
				ir->in.regs = DUPTO_VM_REGS(reg + 1, 0);
				ir->in.off = a->linkoff;
			}
			ir = emit(g, DUPTO_VM_ADDX);
			ir->in.regs = DUPTO_VM_REGS(reg, reg + 1);
			off = a->linkoff;
			break;
		case QP_ICMP6:
			off = a->linkoff + 40;
			break;
		default:
			off = a->linkoff;
			break;
		}
		ir = emit(g, ldx[size_index(a->size)]);
		ir->in.regs = DUPTO_VM_REGS(reg, reg);
		ir->in.off = off;
	}
}

/* The VM compares with ==, > and >=; the others are their negations. */
static const struct {
	uint8_t op;
	bool reversed;
} relops[] = {
	[T_EQ] = { OP_EQ, false },
	[T_NE] = { OP_EQ, true },
	[T_GT] = { OP_GT, false },
	[T_GE] = { OP_GE, false },
	[T_LT] = { OP_GE, true },
	[T_LE] = { OP_GT, true },
};

/* "load [& mask] relop constant" as one fused compare, where possible. */
static bool fuse_rel(const struct pred *p, struct pred *out, bool *reversed)
{
	const struct arth *a = p->a0, *load;
	uint32_t mask = 0xffffffffU, idx;

	if (p->a1->kind != A_NUM)
		return false;
	if (a->kind == A_BIN && a->op == T_AMP && a->r->kind == A_NUM) {
		mask = a->r->num;
		a = a->l;
	}
	if (a->kind != A_LOAD || a->l->kind != A_NUM)
		return false;
	/* inside GENEVE or VXLAN the offsets are registers: no fused compare */
	if (a->enc->nl_reg || a->enc->linkhdr_reg)
		return false;
	load = a;
	idx = load->l->num;
	memset(out, 0, sizeof(*out));
	out->kind = P_CMP;
	out->size = load->size;
	out->mask = mask;
	out->val = p->a1->num;
	switch (load->proto) {
	case QP_LINK:
		out->off = load->enc->linkhdr + idx;
		if (out->off < idx)
			return false;
		break;
	case QP_IP:
	case QP_IP6:
	case QP_ARP:
	case QP_RARP:
	case QP_ATALK:
	case QP_DECNET:
	case QP_SCA:
	case QP_LAT:
	case QP_MOPRC:
	case QP_MOPDL:
		out->off = load->linkoff + idx;
		if (out->off < idx)
			return false;
		break;
	case QP_ICMP6:
		out->off = load->linkoff + 40 + idx;
		if (out->off < idx)
			return false;
		break;
	default:
		/* X = ihl + idx wraps in 32 bits in libpcap: keep it exact */
		if (idx > 0xffff)
			return false;
		out->ihl = true;
		out->ihl_off = load->linkoff;
		out->off = load->linkoff + idx;
		break;
	}
	if (out->off > 0xffff)
		return false;
	out->op = relops[p->relop].op;
	*reversed = relops[p->relop].reversed;
	return true;
}

static void gen_rel(struct gen *g, const struct pred *p, uint32_t lt,
		    uint32_t lf)
{
	struct pred fused;
	bool reversed = false;
	struct ir *ir;
	uint8_t op;

	if (fuse_rel(p, &fused, &reversed)) {
		emit_cmp(g, &fused, reversed ? lf : lt, reversed ? lt : lf);
		return;
	}
	gen_arth(g, p->a0, 0);
	switch (p->relop) {
	case T_EQ:
	case T_NE:
		op = DUPTO_VM_JEQK;
		break;
	case T_GT:
	case T_LE:
		op = DUPTO_VM_JGTK;
		break;
	default:
		op = DUPTO_VM_JGEK;
		break;
	}
	reversed = p->relop == T_NE || p->relop == T_LE || p->relop == T_LT;
	if (p->a1->kind == A_NUM) {
		ir = emit(g, op);
		ir->in.regs = DUPTO_VM_REGS(0, 0);
		ir->in.imm = p->a1->num;
	} else {
		gen_arth(g, p->a1, 1);
		ir = emit(g, op + (DUPTO_VM_JEQX - DUPTO_VM_JEQK));
		ir->in.regs = DUPTO_VM_REGS(0, 1);
	}
	ir->cond = true;
	ir->t = reversed ? lf : lt;
	ir->f = reversed ? lt : lf;
}

static void gen_pred(struct gen *g, const struct pred *p, uint32_t lt,
		     uint32_t lf);

/*
 * An "and"/"or" chain, as deep as it is long along its left edge (see
 * sema.c's lower_chain()), in a loop: each operator's left operand jumps
 * to a label before its right one, which goes where the operator does.
 */
static void gen_chain(struct gen *g, const struct pred *p, uint32_t lt,
		      uint32_t lf)
{
	struct link {
		const struct pred *p;
		uint32_t lt, lf, mid;
	} *edge;
	const struct pred *x;
	uint32_t len = 0, i;

	for (x = p; x->kind == P_AND || x->kind == P_OR; x = x->l)
		len++;
	edge = malloc(len * sizeof(*edge));
	if (!edge)
		abort();
	for (x = p, i = 0; i < len; x = x->l, i++) {
		edge[i].p = x;
		edge[i].lt = lt;
		edge[i].lf = lf;
		edge[i].mid = new_label(g);
		if (x->kind == P_AND)
			lt = edge[i].mid;
		else
			lf = edge[i].mid;
	}
	gen_pred(g, x, lt, lf);
	for (i = len; i-- > 0;) {
		place(g, edge[i].mid);
		gen_pred(g, edge[i].p->r, edge[i].lt, edge[i].lf);
	}
	free(edge);
}

static void gen_pred(struct gen *g, const struct pred *p, uint32_t lt,
		     uint32_t lf)
{
	struct ir *ir;
	uint8_t dst;

	switch (p->kind) {
	case P_AND:
	case P_OR:
		gen_chain(g, p, lt, lf);
		return;
	case P_NOT:
		gen_pred(g, p->l, lf, lt);
		return;
	case P_CMP:
		emit_cmp(g, p, lt, lf);
		return;
	case P_REL:
		gen_rel(g, p, lt, lf);
		return;
	case P_ON:
		ir = emit(g, DUPTO_VM_JON);
		ir->in.off = p->port;
		ir->in.imm = p->dir;
		ir->cond = true;
		ir->t = lt;
		ir->f = lf;
		return;
	case P_SET:
		if (p->xreg) {
			uint8_t src = encap_base(g, p);

			ir = emit(g, DUPTO_VM_JINX);
			ir->in.regs = DUPTO_VM_REGS(0, src);
			ir->rtun = p->tun;
			ir->in.off = p->off;
			ir->in.imm = p->val;
			ir->cond = true;
			ir->t = lt;
			ir->f = lf;
			return;
		}
		if (p->ihl) {
			ir = emit(g, DUPTO_VM_LDIHL);
			ir->in.regs = DUPTO_VM_REGS(REG_IHL, 0);
			ir->in.off = p->ihl_off;
		}
		ir = emit(g, p->ihl ? DUPTO_VM_JINX : DUPTO_VM_JIN);
		if (p->ihl)
			ir->in.regs = DUPTO_VM_REGS(0, REG_IHL);
		ir->in.off = p->off;
		ir->in.imm = p->val;
		ir->cond = true;
		ir->t = lt;
		ir->f = lf;
		return;
	case P_CHAIN:
		ir = emit(g, p->size == 6 ? DUPTO_VM_JCHAIN6 : DUPTO_VM_JCHAIN4);
		ir->in.off = p->off;
		ir->in.imm = p->val;
		ir->cond = true;
		ir->t = lt;
		ir->f = lf;
		return;
	case P_TRUE:
		ir = emit(g, DUPTO_VM_JA);
		ir->t = lt;
		return;
	case P_CODE:
		ir = NULL;
		for (uint32_t i = 0; i < p->ncode; i++) {
			ir = emit(g, p->code[i].op);
			ir->in = p->code[i];
			ir->rtun = p->tun;
			ir->wtun = p->wtun;
		}
		if (p->cond && ir) {
			ir->cond = true;
			ir->t = lt;
			ir->f = lf;
			return;
		}
		/*
		 * A test that always holds ends it, as in libpcap: the code
		 * then ends in a jump, and no instruction falls through to
		 * where the next one may not be placed.
		 */
		dst = ir ? DUPTO_VM_DST(&ir->in) : 0;
		ir = emit(g, DUPTO_VM_JGEK);
		ir->in.regs = DUPTO_VM_REGS(dst, 0);
		ir->rtun = p->wtun;
		ir->keep = true;
		ir->cond = true;
		ir->t = lt;
		ir->f = lt;
		return;
	}
}

/* ---- optimisation ---- */

static bool is_abs_cmp(uint8_t op)
{
	return op >= DUPTO_VM_JEQB && op <= DUPTO_VM_JSETW;
}

static bool falls_through(uint8_t op)
{
	return op != DUPTO_VM_JA && op != DUPTO_VM_MATCH && op != DUPTO_VM_RET;
}

static void fact_of(const struct dupto_vm_insn *in, struct fact *f)
{
	struct dupto_vm_pktcmp c = { 0 };

	dupto_vm_op_pktcmp(in->op, &c);
	memset(f, 0, sizeof(*f));
	f->off = in->off;
	f->mask = in->mask;
	f->val = in->imm;
	f->op = c.rel;
	f->size = c.width;
}

/* What a compare @q says of a value known to be @v. */
static bool holds(uint32_t v, const struct fact *q)
{
	switch (q->op) {
	case DUPTO_VM_REL_EQ:
		return v == q->val;
	case DUPTO_VM_REL_GT:
		return v > q->val;
	case DUPTO_VM_REL_GE:
		return v >= q->val;
	default:
		return (v & q->val) != 0;
	}
}

/* 1: true, 0: false, -1: unknown; @q a compare's fact_of() */
static int known_fact(const struct facts *fs, const struct fact *q)
{
	uint32_t i;

	for (i = 0; i < fs->n; i++) {
		const struct fact *f = &fs->f[i];

		if (f->kind || f->off != q->off || f->size != q->size || f->mask != q->mask)
			continue;
		if (f->op == q->op && f->val == q->val)
			return f->res;
		if (f->op == DUPTO_VM_REL_EQ && f->res)	/* the value is known */
			return holds(f->val, q);
	}
	return -1;
}

static int known(const struct facts *fs, const struct dupto_vm_insn *in)
{
	struct fact q;

	fact_of(in, &q);
	return known_fact(fs, &q);
}

static bool has_ihl(const struct facts *fs, uint32_t off)
{
	uint32_t i;

	for (i = 0; i < fs->n; i++)
		if (fs->f[i].kind == 1 && fs->f[i].off == off)
			return true;
	return false;
}

static void add_fact(struct facts *fs, const struct fact *f)
{
	if (fs->n == MAX_FACTS) {
		memmove(fs->f, fs->f + 1, (MAX_FACTS - 1) * sizeof(fs->f[0]));
		fs->n--;
	}
	fs->f[fs->n++] = *f;
}

/* Facts flowing along an edge into @to: intersect with what is there. */
static void flow(struct facts *in, uint32_t to, const struct facts *fs)
{
	struct facts *t = &in[to];
	uint32_t i, j, k = 0;

	if (!t->set) {
		*t = *fs;
		t->set = true;
		return;
	}
	for (i = 0; i < t->n; i++) {
		for (j = 0; j < fs->n; j++)
			if (!memcmp(&t->f[i], &fs->f[j], sizeof(t->f[i])))
				break;
		if (j < fs->n)
			t->f[k++] = t->f[i];
	}
	t->n = k;
}

static uint32_t chase(const struct ir *ir, uint32_t n, uint32_t t)
{
	uint32_t hops = 0;

	while (t < n && ir[t].in.op == DUPTO_VM_JA && hops++ < n)
		t = ir[t].t;
	return t;
}

/* What a compare reads, as known() matches a fact to it. */
struct field {
	uint32_t off, mask;
	uint8_t size;
};

/*
 * A path thread() followed, for the next ones to take in one step. The
 * facts decide a compare by those of them about its field alone (known()),
 * so facts that agree with @facts on the fields of the compares the path
 * passed (@fields) follow it to @to from any node on it, whatever else
 * they hold; whether they stop at @to is theirs to say. Agree: the same
 * facts in the same order; or, where the order cannot change what known()
 * says (@any_order), any facts among which are @facts, which are sorted,
 * and of a field whose value a fact gives, that fact only (the others
 * say what it says).
 */
struct walk {
	uint32_t to;
	uint8_t nfields, nfacts;
	bool any_order;
	struct field fields[MAX_FACTS + 1];
	struct fact facts[MAX_FACTS];
};

/*
 * The paths of one rule's optimise(). Without them, "port 1 or port 2 or
 * ..." was quadratic: a frame of neither IPv4 nor IPv6, or of another
 * transport, leaves each term with facts that decide every later term,
 * and its path walked to the rule's end from every term (10,000 terms,
 * 5 * 10^8 steps). optimise() changes only the node it is at, and edges
 * go forward, so a path stays true while the nodes on it are ahead.
 */
struct walks {
	uint32_t *at;		/* node -> 1 + the path through it, 0 if none */
	struct walk *v;
	uint32_t n, cap;
	uint32_t *path;		/* the nodes of the path being followed */
	struct walk cur;	/* and what it needs of the facts */
};

/* Paths shorter than this are walked again rather than kept. */
#define MIN_WALK	8

static bool same_field(const struct field *a, const struct fact *f)
{
	return !f->kind && a->off == f->off && a->size == f->size &&
	       a->mask == f->mask;
}

static void add_field(struct walk *w, const struct field *f)
{
	uint32_t i;

	for (i = 0; i < w->nfields && i <= MAX_FACTS; i++)
		if (w->fields[i].off == f->off && w->fields[i].size == f->size &&
		    w->fields[i].mask == f->mask)
			return;
	/* one more than there is room for: too many to keep the path */
	if (w->nfields <= MAX_FACTS)
		w->fields[w->nfields] = *f;
	if (w->nfields <= MAX_FACTS + 1)
		w->nfields++;
}

/* The facts of @fs about @w's fields, in order, into @v; how many. */
static uint32_t project(const struct walk *w, const struct facts *fs,
			struct fact *v)
{
	uint32_t i, j, n = 0;

	for (i = 0; i < fs->n; i++)
		for (j = 0; j < w->nfields; j++)
			if (same_field(&w->fields[j], &fs->f[i])) {
				v[n++] = fs->f[i];
				break;
			}
	return n;
}

/*
 * Does known() answer the same whatever the order of @v? It takes the
 * first fact that decides: facts that contradict each other (on a path
 * no frame takes, "tcp and not tcp") may decide differently.
 */
static bool order_free(const struct fact *v, uint32_t n)
{
	uint32_t i, j;

	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++) {
			const struct fact *a = &v[i], *b = &v[j];

			if (a->off != b->off || a->size != b->size || a->mask != b->mask)
				continue;
			if (a->op == DUPTO_VM_REL_EQ && a->res && holds(a->val, b) != b->res)
				return false;
			if (b->op == DUPTO_VM_REL_EQ && b->res && holds(b->val, a) != a->res)
				return false;
			if (a->op == b->op && a->val == b->val && a->res != b->res)
				return false;
		}
	return true;
}

static int cmp_fact(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct fact));
}

/* @v sorted, without repeats; its new length. */
static uint32_t sort_facts(struct fact *v, uint32_t n)
{
	uint32_t i, k = 0;

	qsort(v, n, sizeof(*v), cmp_fact);
	for (i = 0; i < n; i++)
		if (!k || cmp_fact(&v[k - 1], &v[i]))
			v[k++] = v[i];
	return k;
}

static bool gives_value(const struct fact *f)
{
	return f->op == DUPTO_VM_REL_EQ && f->res;
}

/* Of a field whose value a fact of @v gives, that fact only. */
static uint32_t keep_values(struct fact *v, uint32_t n)
{
	uint32_t i, j, k = 0;

	for (i = 0; i < n; i++) {
		for (j = 0; j < n && !gives_value(&v[i]); j++)
			if (gives_value(&v[j]) && v[j].off == v[i].off &&
			    v[j].size == v[i].size && v[j].mask == v[i].mask)
				break;
		if (gives_value(&v[i]) || j == n)
			v[k++] = v[i];
	}
	return k;
}

/* Do facts @fs follow path @w? */
static bool follows(const struct walk *w, const struct facts *fs)
{
	struct fact v[MAX_FACTS];
	uint32_t n = project(w, fs, v), i, j;

	if (!w->any_order)
		return n == w->nfacts && !memcmp(v, w->facts, n * sizeof(v[0]));
	if (!order_free(v, n))
		return false;
	n = sort_facts(v, n);
	for (i = 0, j = 0; i < w->nfacts; i++, j++) {
		while (j < n && cmp_fact(&v[j], &w->facts[i]) < 0)
			j++;
		if (j == n || cmp_fact(&v[j], &w->facts[i]))
			return false;
	}
	return true;
}

/*
 * Where an edge carrying facts @fs into @t really leads: past jumps, and
 * past compares whose outcome the facts already decide (libpcap's jump
 * threading), so each path reads a value once. With @ws, by the paths
 * followed before, and kept for the next.
 */
static uint32_t thread(const struct ir *ir, uint32_t n, uint32_t t,
		       const struct facts *fs, struct walks *ws)
{
	uint32_t steps, i, passed = 0, failed = 0;
	struct walk *w = ws ? &ws->cur : NULL;
	int k;

	if (w)
		w->nfields = 0;
	for (steps = 0; t < n && steps < n; steps++) {
		const struct ir *x = &ir[t];
		struct fact q;

		/*
		 * Along a path it does not follow, the same path is met at
		 * node after node: it is asked once.
		 */
		if (ws && ws->at[t] && ws->at[t] != failed) {
			const struct walk *before = &ws->v[ws->at[t] - 1];

			if (follows(before, fs)) {
				for (i = 0; i < before->nfields; i++)
					add_field(w, &before->fields[i]);
				t = before->to;	/* which the facts may decide too */
				continue;
			}
			failed = ws->at[t];
		}
		if (x->in.op == DUPTO_VM_JA) {
			if (ws)
				ws->path[passed++] = t;
			t = x->t;
			continue;
		}
		if (!is_abs_cmp(x->in.op))
			break;
		fact_of(&x->in, &q);
		k = known_fact(fs, &q);
		if (k < 0)
			break;
		if (ws) {
			add_field(w, &(struct field){ q.off, q.mask, q.size });
			ws->path[passed++] = t;
		}
		t = k ? x->t : x->f;
	}
	if (!ws || passed < MIN_WALK || w->nfields > MAX_FACTS + 1)
		return t;
	w->nfacts = project(w, fs, w->facts);
	w->any_order = order_free(w->facts, w->nfacts);
	if (w->any_order)
		w->nfacts = keep_values(w->facts, sort_facts(w->facts, w->nfacts));
	w->to = t;
	if (ws->n == ws->cap) {
		ws->cap = ws->cap ? 2 * ws->cap : 64;
		ws->v = realloc(ws->v, ws->cap * sizeof(*ws->v));
		if (!ws->v)
			abort();
	}
	ws->v[ws->n++] = *w;
	for (i = 0; i < passed; i++)
		ws->at[ws->path[i]] = ws->n;
	return t;
}

/*
 * Optimise the body of one rule: ir[0..n) where index n is the rule's end.
 * Index 0 is the first instruction after RULE.
 */
static void optimise(struct ir *ir, uint32_t n, bool unopt)
{
	struct facts *in = calloc(n + 1, sizeof(*in));
	struct walks ws = { 0 };
	bool *live, *keep;
	uint32_t i;

	ws.at = calloc(n + 1, sizeof(*ws.at));
	ws.path = malloc((n + 1) * sizeof(*ws.path));
	if (!in || !ws.at || !ws.path)
		abort();
	in[0].set = true;
	for (i = 0; i < n; i++) {
		struct ir *x = &ir[i];
		struct facts out;
		struct fact f;
		int k;

		if (!in[i].set)
			continue;	/* unreachable */
		out = in[i];
		if (is_abs_cmp(x->in.op) && (k = known(&in[i], &x->in)) >= 0) {
			x->in.op = DUPTO_VM_JA;
			x->in.off = x->in.imm = x->in.mask = 0;
			x->in.regs = 0;
			x->t = k ? x->t : x->f;
			x->cond = false;
		} else if (x->in.op == DUPTO_VM_LDIHL &&
			   DUPTO_VM_DST(&x->in) == REG_IHL &&
			   has_ihl(&in[i], x->in.off)) {
			x->in.op = DUPTO_VM_JA;
			x->in.off = 0;
			x->in.regs = 0;
			x->t = i + 1;
		}

		if (x->in.op == DUPTO_VM_JA) {
			x->t = thread(ir, n, x->t, &out, &ws);
			flow(in, x->t, &out);
			continue;
		}
		if (x->in.op == DUPTO_VM_MATCH)
			continue;
		if (x->in.op == DUPTO_VM_LDIHL && DUPTO_VM_DST(&x->in) == REG_IHL) {
			uint32_t j, m = 0;

			/* r7 now holds this header length only */
			for (j = 0; j < out.n; j++)
				if (!out.f[j].kind)
					out.f[m++] = out.f[j];
			out.n = m;
			memset(&f, 0, sizeof(f));
			f.kind = 1;
			f.off = x->in.off;
			add_fact(&out, &f);
		}
		if (!x->cond) {
			flow(in, i + 1, &out);
			continue;
		}
		if (is_abs_cmp(x->in.op)) {
			struct facts ft = out;

			fact_of(&x->in, &f);
			f.res = 1;
			add_fact(&ft, &f);
			x->t = thread(ir, n, x->t, &ft, &ws);
			flow(in, x->t, &ft);
			f.res = 0;
			add_fact(&out, &f);
			x->f = thread(ir, n, x->f, &out, &ws);
			flow(in, x->f, &out);
		} else {
			x->t = thread(ir, n, x->t, &out, &ws);
			x->f = thread(ir, n, x->f, &out, &ws);
			flow(in, x->t, &out);
			flow(in, x->f, &out);
		}
	}
	free(in);
	free(ws.at);
	free(ws.path);
	free(ws.v);

	/*
	 * Thread jumps, then keep what is reachable from the start. A compare
	 * whose two outcomes lead to the same place decides nothing: libpcap's
	 * optimiser drops it with its read ("net 10.0.0.0/8 or net 0/0" reads
	 * nothing), and so must we, in the same pass order: last first, so a
	 * dropped compare can empty the one before it. So is a load or an
	 * arithmetic step whose register nothing reads before the rule's end
	 * or its match ("tcp port 80 or tcp" is "tcp", without the header
	 * length the port test needed): libpcap drops dead stores too. Not
	 * where libpcap does not optimise (@unopt: "geneve", whose offsets
	 * its optimiser cannot follow, and "protochain", a loop): there every
	 * read stays, and may abandon the rule.
	 */
	for (i = n; i-- > 0;) {
		if (!unopt && ir[i].in.op >= DUPTO_VM_LDI && ir[i].in.op <= DUPTO_VM_NEG) {
			uint32_t t = chase(ir, n, i + 1);

			if (t == n || ir[t].in.op == DUPTO_VM_MATCH) {
				memset(&ir[i].in, 0, sizeof(ir[i].in));
				ir[i].in.op = DUPTO_VM_JA;
				ir[i].t = t;
			}
		}
		if (ir[i].in.op == DUPTO_VM_JA || ir[i].cond)
			ir[i].t = chase(ir, n, ir[i].t);
		if (ir[i].cond) {
			ir[i].f = chase(ir, n, ir[i].f);
			if (ir[i].t == ir[i].f && ir[i].in.op != DUPTO_VM_JON && !unopt &&
			    !ir[i].keep) {
				memset(&ir[i].in, 0, sizeof(ir[i].in));
				ir[i].in.op = DUPTO_VM_JA;
				ir[i].cond = false;
			}
		}
	}
	/*
	 * Jumps are dropped, their sources pointed past them, except one
	 * that a load or an arithmetic step falls into: those have no
	 * target of their own, so where a compare after one was dropped
	 * ("port 1 and ip6[6] = 1 or ..." drops the IPv4 port compare after
	 * its header length is loaded), the jump stays in the program.
	 */
	live = calloc(n + 1, sizeof(*live));
	keep = calloc(n + 1, sizeof(*keep));
	if (!live || !keep)
		abort();
	live[chase(ir, n, 0)] = true;
	for (i = 0; i < n; i++) {
		if (!live[i] || (ir[i].in.op == DUPTO_VM_JA && !keep[i])) {
			ir[i].dead = true;
			continue;
		}
		if (ir[i].cond) {
			live[ir[i].t] = true;
			live[ir[i].f] = true;
		} else if (ir[i].in.op == DUPTO_VM_JA) {
			ir[i].t = chase(ir, n, ir[i].t);
			live[ir[i].t] = true;
		} else if (falls_through(ir[i].in.op)) {
			live[chase(ir, n, i + 1)] = true;
			if (i + 1 < n && ir[i + 1].in.op == DUPTO_VM_JA)
				live[i + 1] = keep[i + 1] = true;
		}
	}
	free(live);
	free(keep);
}

/* Does a jump to @t land on a MATCH? Index n and beyond is the rule's end. */
static bool jumps_to_match(const struct ir *ir, uint32_t n, uint32_t t)
{
	t = chase(ir, n, t);
	return t < n && ir[t].in.op == DUPTO_VM_MATCH;
}

/*
 * Give each jump to the rule's MATCH its own copy of it, after the body:
 * facts that differ by path (an IPv4 and an IPv6 match of "tcp port 80")
 * then each go on to the next rules instead of meeting, and keeping only
 * what both know, at one MATCH. Index n stays the rule's end.
 */
static void split_matches(struct rule_code *rc)
{
	uint32_t n = rc->n, extra = 0, i, c;
	struct ir *ir = rc->ir, *out;

	for (i = 0; i < n; i++) {
		if (ir[i].dead || !ir[i].cond)
			continue;
		extra += jumps_to_match(ir, n, ir[i].t);
		extra += jumps_to_match(ir, n, ir[i].f);
	}
	if (!extra)
		return;
	out = calloc(n + extra + 1, sizeof(*out));
	if (!out)
		abort();
	memcpy(out, ir, n * sizeof(*ir));
	for (i = 0, c = n; i < n; i++) {
		struct ir *x = &out[i];
		uint32_t *edge[2] = { &x->t, &x->f }, e;

		if (x->t == n)
			x->t = n + extra;
		if (x->cond && x->f == n)
			x->f = n + extra;
		if (x->dead || !x->cond)
			continue;
		for (e = 0; e < 2; e++) {
			uint32_t m;

			/* an edge to the end (rewritten above) leads to no MATCH */
			if (!jumps_to_match(ir, n, *edge[e]))
				continue;
			m = chase(ir, n, *edge[e]);
			out[c] = ir[m];
			out[c].dead = false;
			*edge[e] = c++;
		}
	}
	/* the first MATCH keeps only the entry and what falls into it */
	for (i = 0; i < n; i++) {
		bool live = chase(ir, n, 0) == i;

		if (ir[i].in.op != DUPTO_VM_MATCH || ir[i].dead)
			continue;
		for (c = 0; c < n && !live; c++)
			live = !ir[c].dead && !ir[c].cond &&
			       falls_through(ir[c].in.op) && chase(ir, n, c + 1) == i;
		out[i].dead = !live;
	}
	rc->unsplit = ir;
	rc->unsplit_n = n;
	rc->ir = out;
	rc->n = n + extra;
}

/*
 * Undo split_matches() where every copy of the MATCH leads to the same
 * place after all; true if it did.
 */
static bool unsplit(struct rule_code *rc)
{
	uint32_t i, to = NO_TARGET;
	bool same = true;

	if (!rc->unsplit)
		return false;
	for (i = 0; i < rc->n && same; i++) {
		if (rc->ir[i].dead || rc->ir[i].in.op != DUPTO_VM_MATCH)
			continue;
		same = to == NO_TARGET || rc->ir[i].xt == to;
		to = rc->ir[i].xt;
	}
	if (same) {
		free(rc->ir);
		rc->ir = rc->unsplit;
		rc->n = rc->unsplit_n;
	} else {
		free(rc->unsplit);
	}
	rc->unsplit = NULL;
	return same;
}

/* Positions of the live instructions of a rule placed at @start. */
static void place_rule(struct rule_code *rc, uint32_t start)
{
	struct ir *ir = rc->ir;
	uint32_t i, n = rc->n, count = 0;

	rc->pos = calloc(n + 1, sizeof(*rc->pos));
	if (!rc->pos)
		abort();
	rc->start = start;
	for (i = 0; i < n; i++)
		if (!ir[i].dead)
			rc->pos[i] = start + 1 + count++;
	/* a dead instruction's position is that of the next live one */
	rc->pos[n] = start + 1 + (count ? count : 1);
	for (i = n; i-- > 0;)
		if (ir[i].dead)
			rc->pos[i] = rc->pos[i + 1];
	/* a test that can never be true ("tcp and not tcp") still needs a
	 * body: one jump to the rule's end
	 */
	rc->count = count ? count : 1;
}

/*
 * thread() through a whole rule from its start, also past a LDIHL whose
 * value r7 already holds: where a frame with facts @fs would first do
 * something in rule @rc, or rc->n if the facts decide it does not match.
 */
static uint32_t thread_rule(const struct rule_code *rc, const struct facts *fs)
{
	const struct ir *ir = rc->ir;
	uint32_t t = 0, hops;

	for (hops = 0; hops <= rc->n; hops++) {
		t = thread(ir, rc->n, chase(ir, rc->n, t), fs, NULL);
		if (t < rc->n && ir[t].in.op == DUPTO_VM_LDIHL &&
		    DUPTO_VM_DST(&ir[t].in) == REG_IHL && has_ihl(fs, ir[t].in.off))
			t++;
		else
			break;
	}
	return t;
}

/*
 * Where a frame with facts @fs goes on leaving a rule for rule @k: past the
 * rules the facts decide will not match, into the first that may, past
 * its tests the facts decide. After a match (@matched), else rules are
 * skipped; otherwise one is entered by its RULE, which makes the else test.
 * Past the last rule is RET, at @ret.
 */
static uint32_t xthread(const struct rule_code *rcs, uint32_t nrules, uint32_t k,
			const struct facts *fs, bool matched, uint32_t ret)
{
	uint32_t skipped, t;

	for (skipped = 0; k < nrules; k++, skipped++) {
		const struct rule_code *rc = &rcs[k];

		if (skipped == MAX_SKIP)
			return rc->start;
		if (rc->flags & DUPTO_VM_RULE_ELSE) {
			if (matched)
				continue;
			return rc->start;
		}
		t = thread_rule(rc, fs);
		if (t < rc->n)
			return rc->pos[t];
	}
	return ret;
}

#define DISAGREE	0xfffffffeU

/*
 * A MATCH is where the paths of a rule meet, and meeting keeps only what
 * all of them know. So where each path would go on after the match is
 * worked out as it arrives, into @mto[t]; where they all agree, the MATCH
 * goes there (link_rule()), though no single set of facts says so.
 */
static void match_edge(const struct rule_code *rcs, uint32_t nrules,
		       uint32_t k, uint32_t *mto, uint32_t t,
		       const struct facts *fs, uint32_t ret)
{
	const struct rule_code *rc = &rcs[k];
	uint32_t to;

	if (t >= rc->n || rc->ir[t].in.op != DUPTO_VM_MATCH ||
	    mto[t] == DISAGREE || (rc->flags & DUPTO_VM_RULE_QUICK))
		return;
	to = xthread(rcs, nrules, k + 1, fs, true, ret);
	mto[t] = mto[t] == NO_TARGET || mto[t] == to ? to : DISAGREE;
}

static void link_edge(const struct rule_code *rcs, uint32_t nrules, uint32_t k,
		      struct facts *in, uint32_t *mto, uint32_t t,
		      const struct facts *fs, uint32_t *x, uint32_t ret)
{
	if (t == rcs[k].n) {
		*x = xthread(rcs, nrules, k + 1, fs, false, ret);
		return;
	}
	flow(in, t, fs);
	match_edge(rcs, nrules, k, mto, t, fs, ret);
}

/*
 * The facts of rule @k's final code, as optimise() tracks them, and for
 * every way out of the rule (a match, or a jump to its end) where it
 * leads, as xthread() says.
 */
static void link_rule(struct rule_code *rcs, uint32_t nrules, uint32_t k,
		      uint32_t ret)
{
	struct rule_code *rc = &rcs[k];
	struct ir *ir = rc->ir;
	uint32_t n = rc->n, i, start = chase(ir, n, 0);
	struct facts *in = calloc(n + 1, sizeof(*in));
	uint32_t *mto = malloc((n + 1) * sizeof(*mto));
	struct facts none = { 0 };

	if (!in || !mto)
		abort();
	for (i = 0; i <= n; i++)
		mto[i] = NO_TARGET;
	in[start].set = true;
	match_edge(rcs, nrules, k, mto, start, &none, ret);
	for (i = 0; i < n; i++) {
		struct ir *x = &ir[i];
		struct facts out, ft;
		struct fact f;

		if (x->dead || !in[i].set)
			continue;
		out = in[i];
		if (x->in.op == DUPTO_VM_LDIHL && DUPTO_VM_DST(&x->in) == REG_IHL) {
			uint32_t j, m = 0;

			for (j = 0; j < out.n; j++)
				if (!out.f[j].kind)
					out.f[m++] = out.f[j];
			out.n = m;
			memset(&f, 0, sizeof(f));
			f.kind = 1;
			f.off = x->in.off;
			add_fact(&out, &f);
		}
		if (x->in.op == DUPTO_VM_MATCH) {
			/* a quick rule's match ends the program */
			if (rc->flags & DUPTO_VM_RULE_QUICK)
				continue;
			if (mto[i] != NO_TARGET && mto[i] != DISAGREE)
				x->xt = mto[i];
			else
				x->xt = xthread(rcs, nrules, k + 1, &out, true, ret);
			continue;
		}
		if (!x->cond) {
			uint32_t t = chase(ir, n, i + 1);

			if (t < n) {
				flow(in, t, &out);
				match_edge(rcs, nrules, k, mto, t, &out, ret);
			}
			continue;
		}
		if (is_abs_cmp(x->in.op)) {
			ft = out;
			fact_of(&x->in, &f);
			f.res = 1;
			add_fact(&ft, &f);
			link_edge(rcs, nrules, k, in, mto, chase(ir, n, x->t), &ft, &x->xt, ret);
			f.res = 0;
			add_fact(&out, &f);
			link_edge(rcs, nrules, k, in, mto, chase(ir, n, x->f), &out, &x->xf, ret);
		} else {
			link_edge(rcs, nrules, k, in, mto, chase(ir, n, x->t), &out, &x->xt, ret);
			link_edge(rcs, nrules, k, in, mto, chase(ir, n, x->f), &out, &x->xf, ret);
		}
	}
	free(mto);
	free(in);
}

/* Where an edge to IR index @t of a rule leads in the program. */
static uint32_t target_pos(const struct rule_code *rc, uint32_t t, uint32_t x)
{
	return t == rc->n && x != NO_TARGET ? x : rc->pos[t];
}

/* Emit rule @rule: its RULE instruction, then its live instructions. */
static int emit_rule(struct cc *cc, const struct rule_code *rc, uint32_t rule,
		     const struct loc *loc)
{
	struct cc_insns *code = &cc->code;
	const struct ir *ir = rc->ir;
	uint32_t i, n = rc->n;
	struct dupto_vm_insn *in;

	in = &code->v[code->n++];
	memset(in, 0, sizeof(*in));
	in->op = DUPTO_VM_RULE;
	in->off = rule;
	in->jt = rc->count;
	in->imm = rc->flags;
	if (chase(ir, n, 0) == n) {
		in = &code->v[code->n++];
		memset(in, 0, sizeof(*in));
		in->op = DUPTO_VM_JA;
		return 0;
	}
	for (i = 0; i < n; i++) {
		uint32_t at;

		if (ir[i].dead)
			continue;
		at = code->n;
		in = &code->v[code->n++];
		*in = ir[i].in;
		if (ir[i].cond) {
			in->jt = target_pos(rc, chase(ir, n, ir[i].t), ir[i].xt) - at - 1;
			in->jf = target_pos(rc, chase(ir, n, ir[i].f), ir[i].xf) - at - 1;
		} else if (in->op == DUPTO_VM_MATCH) {
			in->jt = target_pos(rc, n, ir[i].xt) - at - 1;
		} else if (in->op == DUPTO_VM_JA) {
			/* one a load falls into (optimise()) */
			in->jt = target_pos(rc, chase(ir, n, ir[i].t), ir[i].xt) - at - 1;
			in->jf = 0;
		} else if (falls_through(in->op) && rc->pos[chase(ir, n, i + 1)] != at + 1 &&
			   (i + 1 == n || ir[i + 1].dead || ir[i + 1].in.op != DUPTO_VM_JA)) {
			/* a fall-through whose next live insn moved: jump */
			return cc_error(cc, loc, "internal error: broken fall-through");
		}
	}
	return 0;
}

/*
 * The registers from CC_REG_ENC that instruction @x reads, and writes, as
 * bits of whose offsets they hold: bit 3 * (tunnel - 1) + (register -
 * CC_REG_ENC). @clear: the bits a write makes stale, the other tunnels'.
 */
static void enc_regs_of(const struct ir *x, uint32_t *rd, uint32_t *wr,
			uint32_t *clear)
{
	const struct dupto_vm_insn *in = &x->in;
	uint8_t op = in->op, dst = DUPTO_VM_DST(in), src = DUPTO_VM_SRC(in);
	uint32_t r = 0, w = 0, k;

	if (op == DUPTO_VM_MOV || (op >= DUPTO_VM_LDXB && op <= DUPTO_VM_LDXW) ||
	    (op >= DUPTO_VM_ADDX && op <= DUPTO_VM_RSHX) ||
	    (op >= DUPTO_VM_JEQX && op <= DUPTO_VM_JSETX) ||
	    (op >= DUPTO_VM_JEQXB && op <= DUPTO_VM_JSETXW) || op == DUPTO_VM_JINX)
		r |= 1U << src;
	if ((op >= DUPTO_VM_ADDK && op <= DUPTO_VM_JSETX))
		r |= 1U << dst;
	if (op >= DUPTO_VM_LDI && op <= DUPTO_VM_NEG)
		w |= 1U << dst;
	r >>= CC_REG_ENC;
	w >>= CC_REG_ENC;
	*rd = x->rtun ? r << 3 * (x->rtun - 1) : 0;
	*wr = x->wtun ? w << 3 * (x->wtun - 1) : 0;
	*clear = 0;
	for (k = 0; k < CC_MAX_TUNNELS; k++)
		*clear |= w << 3 * k;
}

/*
 * The offsets of a GENEVE or VXLAN payload are set where the
 * encapsulation matched. A test after it that a frame can reach without
 * that ("geneve or ip", "not vxlan and tcp") would read them unset: libpcap
 * reads scratch memory it never wrote, whose value is whatever was there,
 * and the VM's loader refuses it. Say so, before the loader does.
 */
static int check_enc_regs(struct gen *g, const struct cc_rule *r)
{
	uint32_t n = g->n, i, k, rd, wr, clear;
	uint32_t *in = malloc((n + 1) * sizeof(*in));
	bool *reached = calloc(n + 1, sizeof(*reached));
	int err = 0;

	if (!in || !reached)
		abort();
	reached[0] = true;
	in[0] = 0;
	for (i = 0; i < n && !err; i++) {
		const struct ir *x = &g->ir[i];
		uint32_t to[2], nto = 0;

		if (!reached[i])
			continue;
		enc_regs_of(x, &rd, &wr, &clear);
		if (rd & ~in[i]) {
			err = cc_error(g->cc, &r->loc, "a test after 'geneve' or 'vxlan' is reached by frames that did not match it, where libpcap reads offsets it never set: test the inner frame under 'geneve and ...' or 'vxlan and ...' only");
			break;
		}
		if (x->cond) {
			to[nto++] = x->t;
			to[nto++] = x->f;
		} else if (x->in.op == DUPTO_VM_JA) {
			to[nto++] = x->t;
		} else if (x->in.op != DUPTO_VM_MATCH) {
			to[nto++] = i + 1;
		}
		for (k = 0; k < nto; k++) {
			uint32_t out = (in[i] & ~clear) | wr;

			in[to[k]] = reached[to[k]] ? in[to[k]] & out : out;
			reached[to[k]] = true;
		}
	}
	free(in);
	free(reached);
	return err;
}

static int gen_rule(struct gen *g, struct cc_rule *r, uint32_t rule,
		    bool last, struct rule_code *rc)
{
	uint32_t lmatch, lend, i;
	struct ir *ir;

	g->ir = NULL;
	g->n = g->cap = 0;
	g->nlabels = 0;
	g->unopt = r->unoptimised;
	g->reg_limit = r->enc_regs ? CC_REG_ENC : REG_IHL;
	lmatch = new_label(g);
	lend = new_label(g);
	gen_pred(g, r->pred, lmatch, lend);
	place(g, lmatch);
	ir = emit(g, DUPTO_VM_MATCH);
	ir->in.off = rule;
	place(g, lend);
	rc->ir = g->ir;
	rc->n = g->n;
	rc->flags = r->flags;
	if (g->err)
		return g->err;

	/* labels to IR indices; the rule's end is index n */
	for (i = 0; i < g->n; i++) {
		if (g->ir[i].t != NO_TARGET)
			g->ir[i].t = g->labels[g->ir[i].t];
		if (g->ir[i].cond)
			g->ir[i].f = g->labels[g->ir[i].f];
	}
	if (r->enc_regs && check_enc_regs(g, r))
		return -1;
	optimise(g->ir, g->n, r->unoptimised);
	/* only worth it where a match goes on to more rules */
	if (!last && !(r->flags & DUPTO_VM_RULE_QUICK))
		split_matches(rc);
	return 0;
}

int cc_codegen(struct cc *cc)
{
	struct rule_code *rcs = calloc(cc->nrules ? cc->nrules : 1, sizeof(*rcs));
	struct gen g = { .cc = cc };
	struct dupto_vm_insn *ret;
	uint32_t i, at = 0, pass;
	int err = 0;

	if (!rcs)
		abort();
	for (i = 0; i < cc->nrules && !err; i++)
		err = gen_rule(&g, &cc->rules[i], i, i + 1 == cc->nrules, &rcs[i]);
	free(g.labels);
	/* place, link; undo the MATCH splits that bought nothing; again */
	for (pass = 0; pass < 2 && !err; pass++) {
		bool changed = false;

		for (i = 0, at = 0; i < cc->nrules && !err; i++) {
			free(rcs[i].pos);
			place_rule(&rcs[i], at);
			at += 1 + rcs[i].count;
			if (at + 1 > DUPTO_VM_MAX_INSNS)
				err = cc_error(cc, &cc->rules[i].loc,
					       "the program grows beyond %d instructions",
					       DUPTO_VM_MAX_INSNS);
		}
		for (i = 0; i < cc->nrules && !err; i++)
			link_rule(rcs, cc->nrules, i, at);
		for (i = 0; i < cc->nrules && !err && !pass; i++)
			changed |= unsplit(&rcs[i]);
		if (!changed)
			break;
	}
	if (!err) {
		cc->code.cap = at + 1;
		cc->code.v = realloc(cc->code.v, cc->code.cap * sizeof(*cc->code.v));
		if (!cc->code.v)
			abort();
		cc->code.n = 0;
		for (i = 0; i < cc->nrules && !err; i++)
			err = emit_rule(cc, &rcs[i], i, &cc->rules[i].loc);
		ret = &cc->code.v[cc->code.n++];
		memset(ret, 0, sizeof(*ret));
		ret->op = DUPTO_VM_RET;
		if (!err)
			err = cc_search_chains(cc);
	}
	for (i = 0; i < cc->nrules; i++) {
		free(rcs[i].ir);
		free(rcs[i].unsplit);
		free(rcs[i].pos);
	}
	free(rcs);
	return err ? -1 : 0;
}

/* ---- the image ---- */

void image_put(struct image *b, uint16_t type, const void *a, size_t alen,
	       const void *c, size_t clen)
{
	struct dupto_vm_rec rec = { .len = sizeof(rec) + alen + clen, .type = type };
	size_t need = DUPTO_VM_REC_ALIGN(rec.len);

	if (b->n + need > b->cap) {
		while (b->n + need > b->cap)
			b->cap = b->cap ? 2 * b->cap : 4096;
		b->p = realloc(b->p, b->cap);
		if (!b->p)
			abort();
	}
	memset(b->p + b->n, 0, need);
	memcpy(b->p + b->n, &rec, sizeof(rec));
	if (alen)
		memcpy(b->p + b->n + sizeof(rec), a, alen);
	if (clen)
		memcpy(b->p + b->n + sizeof(rec) + alen, c, clen);
	b->n += need;
}

/* Split an array over records of at most 65535 bytes. */
void image_put_array(struct image *b, uint16_t type, const void *v, size_t n,
		     size_t esize)
{
	size_t per = (65535 - sizeof(struct dupto_vm_rec)) / esize, i;

	for (i = 0; i < n; i += per)
		image_put(b, type, (const uint8_t *)v + i * esize,
		    (n - i < per ? n - i : per) * esize, NULL, 0);
}

int cc_image(const struct cc *cc, void **image, size_t *len)
{
	struct dupto_vm_hdr hdr = {
		.version = DUPTO_VM_VERSION, .ninsns = cc->code.n,
		.nrules = cc->nrules, .ntargets = cc->ntargets,
		.nports = cc->nports, .nsets = cc->nsets, .ngroups = cc->ngroups,
	};
	struct image b = { 0 };
	uint32_t i;

	/* without groups, the header every module reads (dupto_vm.h) */
	image_put(&b, DUPTO_VM_REC_HEADER, &hdr,
		  cc->ngroups ? sizeof(hdr) : DUPTO_VM_HDR_LEN_V1, NULL, 0);
	image_put_array(&b, DUPTO_VM_REC_INSNS, cc->code.v, cc->code.n,
		  sizeof(cc->code.v[0]));
	for (i = 0; i < cc->ntargets; i++)
		image_put(&b, DUPTO_VM_REC_TARGET, cc->targets[i],
		    strlen(cc->targets[i]) + 1, NULL, 0);
	for (i = 0; i < cc->nports; i++)
		image_put(&b, DUPTO_VM_REC_PORT, cc->ports[i], strlen(cc->ports[i]) + 1,
		    NULL, 0);
	for (i = 0; i < cc->nrules; i++) {
		const struct cc_rule *r = &cc->rules[i];
		struct dupto_vm_rule_rec rr = {
			.line = r->loc.line, .ntargets = r->ntargets,
		};

		image_put(&b, DUPTO_VM_REC_RULE, &rr, sizeof(rr), r->targets,
		    r->ntargets * sizeof(uint16_t));
		image_put_array(&b, DUPTO_VM_REC_RULE_TEXT, r->text, r->text_len, 1);
	}
	for (i = 0; i < cc->nsets; i++) {
		const struct cc_set *s = &cc->sets[i];
		struct dupto_vm_set_rec sr = { .type = s->type, .nelems = s->n };
		size_t esize = s->type == DUPTO_VM_SET_U8 || s->type == DUPTO_VM_SET_U16 ?
			       sizeof(struct dupto_vm_range) : sizeof(struct dupto_vm_addr);

		image_put(&b, DUPTO_VM_REC_SET, &sr, sizeof(sr), NULL, 0);
		image_put_array(&b, DUPTO_VM_REC_SET_ELEMS, s->elems, s->n, esize);
	}
	for (i = 0; i < cc->ngroups; i++) {
		const struct cc_group *g = &cc->groups[i];
		struct dupto_vm_group_rec gr = {
			.target = g->target, .hash = g->hash, .seed = g->seed,
			.nmembers = g->nmembers,
		};
		struct dupto_vm_group_member gm[DUPTO_VM_MAX_MEMBERS];
		uint32_t m;

		memset(gm, 0, sizeof(gm));
		for (m = 0; m < g->nmembers; m++) {
			gm[m].target = g->members[m];
			gm[m].weight = g->weights[m];
		}
		image_put(&b, DUPTO_VM_REC_GROUP, &gr, sizeof(gr), gm,
			  g->nmembers * sizeof(gm[0]));
	}
	*image = b.p;
	*len = b.n;
	return 0;
}
