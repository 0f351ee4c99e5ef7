// SPDX-License-Identifier: GPL-2.0
/*
 * The verifier: proves, once, at load, everything the interpreter relies
 * on. An opcode allow-list table says which fields each instruction uses; a
 * short switch checks the operands that need more; one forward pass over
 * the rules checks jump targets and that no register is read before it is
 * written on every path. Every rejection names the instruction and why.
 *
 * Jumps may leave their rule for a later one (the compiler does so where
 * the fields a rule read already decide the next rules), so a first walk
 * over the RULE headers marks where such a jump may land: on a RULE, on
 * RET, or inside the body of a later rule that is not an else rule, since
 * the else test is made by the RULE instruction.
 *
 * Arithmetic on untrusted values is done in u64 or checked before it is
 * done, so no check can overflow into a pass (nftables' CVE-2022-1015).
 *
 * What a frame may cost is bounded too: jumps go forward, so each
 * instruction runs at most once per frame, and each set lookup probes a
 * bounded number of slots (vm_set.c). The sum over the instructions of
 * what each may cost (uapi/linux/dupto_vm.h, "Cost") is the program's worst
 * case, and a program whose worst case exceeds DUPTO_VM_MAX_COST is
 * refused: softirq time is not the image writer's to spend.
 */

#include "vm.h"

/* What an instruction uses; every field not used must be zero. */
#define F_WDST	(1U << 0)	/* writes dst */
#define F_RDST	(1U << 1)	/* reads dst */
#define F_RSRC	(1U << 2)	/* reads src */
#define F_OFF	(1U << 3)
#define F_JT	(1U << 4)
#define F_JF	(1U << 5)
#define F_IMM	(1U << 6)
#define F_MASK	(1U << 7)
#define F_COND	(F_JT | F_JF)

struct vm_op_info {
	const char *name;
	u16 flags;
	u8 width;	/* bytes a packet compare reads; 0 for other opcodes */
	u8 rel;		/* a packet compare's enum dupto_vm_rel */
};

#define OP(op, nm, fl)		[DUPTO_VM_##op] = { nm, fl, 0, 0 }
#define JPKT(op, nm, r, w)	[DUPTO_VM_##op] = { nm, F_OFF | F_COND | F_IMM | F_MASK, w, \
						    DUPTO_VM_REL_##r }
#define JPKTX(op, nm, r, w)	[DUPTO_VM_##op] = { nm, F_RSRC | F_OFF | F_COND | F_IMM | \
						    F_MASK, w, DUPTO_VM_REL_##r }
#define ALUK(op, nm)		OP(op, nm, F_WDST | F_RDST | F_IMM)
#define ALUX(op, nm)		OP(op, nm, F_WDST | F_RDST | F_RSRC)

static const struct vm_op_info vm_ops[__DUPTO_VM_OP_MAX] = {
	OP(RET, "ret", 0),
	OP(RULE, "rule", F_OFF | F_JT | F_IMM),
	OP(MATCH, "match", F_OFF | F_JT),
	OP(JA, "ja", F_JT),
	OP(LDI, "ldi", F_WDST | F_IMM),
	OP(MOV, "mov", F_WDST | F_RSRC),
	OP(LDLEN, "ldlen", F_WDST),
	OP(LDB, "ldb", F_WDST | F_OFF),
	OP(LDH, "ldh", F_WDST | F_OFF),
	OP(LDW, "ldw", F_WDST | F_OFF),
	OP(LDXB, "ldxb", F_WDST | F_RSRC | F_OFF),
	OP(LDXH, "ldxh", F_WDST | F_RSRC | F_OFF),
	OP(LDXW, "ldxw", F_WDST | F_RSRC | F_OFF),
	OP(LDIHL, "ldihl", F_WDST | F_OFF),
	ALUK(ADDK, "add"), ALUK(SUBK, "sub"), ALUK(MULK, "mul"),
	ALUK(DIVK, "div"), ALUK(MODK, "mod"), ALUK(ANDK, "and"),
	ALUK(ORK, "or"), ALUK(XORK, "xor"), ALUK(LSHK, "lsh"),
	ALUK(RSHK, "rsh"),
	ALUX(ADDX, "addx"), ALUX(SUBX, "subx"), ALUX(MULX, "mulx"),
	ALUX(DIVX, "divx"), ALUX(MODX, "modx"), ALUX(ANDX, "andx"),
	ALUX(ORX, "orx"), ALUX(XORX, "xorx"), ALUX(LSHX, "lshx"),
	ALUX(RSHX, "rshx"),
	OP(NEG, "neg", F_WDST | F_RDST),
	OP(JEQK, "jeq", F_RDST | F_IMM | F_COND),
	OP(JGTK, "jgt", F_RDST | F_IMM | F_COND),
	OP(JGEK, "jge", F_RDST | F_IMM | F_COND),
	OP(JSETK, "jset", F_RDST | F_IMM | F_COND),
	OP(JEQX, "jeqx", F_RDST | F_RSRC | F_COND),
	OP(JGTX, "jgtx", F_RDST | F_RSRC | F_COND),
	OP(JGEX, "jgex", F_RDST | F_RSRC | F_COND),
	OP(JSETX, "jsetx", F_RDST | F_RSRC | F_COND),
	JPKT(JEQB, "jeqb", EQ, 1), JPKT(JEQH, "jeqh", EQ, 2),
	JPKT(JEQW, "jeqw", EQ, 4),
	JPKT(JGTB, "jgtb", GT, 1), JPKT(JGTH, "jgth", GT, 2),
	JPKT(JGTW, "jgtw", GT, 4),
	JPKT(JGEB, "jgeb", GE, 1), JPKT(JGEH, "jgeh", GE, 2),
	JPKT(JGEW, "jgew", GE, 4),
	JPKT(JSETB, "jsetb", SET, 1), JPKT(JSETH, "jseth", SET, 2),
	JPKT(JSETW, "jsetw", SET, 4),
	JPKTX(JEQXB, "jeqxb", EQ, 1), JPKTX(JEQXH, "jeqxh", EQ, 2),
	JPKTX(JEQXW, "jeqxw", EQ, 4),
	JPKTX(JGTXB, "jgtxb", GT, 1), JPKTX(JGTXH, "jgtxh", GT, 2),
	JPKTX(JGTXW, "jgtxw", GT, 4),
	JPKTX(JGEXB, "jgexb", GE, 1), JPKTX(JGEXH, "jgexh", GE, 2),
	JPKTX(JGEXW, "jgexw", GE, 4),
	JPKTX(JSETXB, "jsetxb", SET, 1), JPKTX(JSETXH, "jsetxh", SET, 2),
	JPKTX(JSETXW, "jsetxw", SET, 4),
	OP(JON, "jon", F_OFF | F_IMM | F_COND),
	OP(JIN, "jin", F_OFF | F_IMM | F_COND),
	OP(JINX, "jinx", F_RSRC | F_OFF | F_IMM | F_COND),
	OP(JCHAIN4, "jchain4", F_OFF | F_IMM | F_COND),
	OP(JCHAIN6, "jchain6", F_OFF | F_IMM | F_COND),
};

const char *dupto_vm_op_name(unsigned int op)
{
	return op < ARRAY_SIZE(vm_ops) ? vm_ops[op].name : NULL;
}

bool dupto_vm_op_pktcmp(unsigned int op, struct dupto_vm_pktcmp *c)
{
	if (op >= ARRAY_SIZE(vm_ops) || !vm_ops[op].width)
		return false;
	c->width = vm_ops[op].width;
	c->x = !!(vm_ops[op].flags & F_RSRC);
	c->rel = vm_ops[op].rel;
	return true;
}

#define vm_err(err, errlen, fmt, ...) \
	do { \
		if (err) \
			snprintf(err, errlen, fmt, ##__VA_ARGS__); \
	} while (0)

#define insn_err(n, fmt, ...) \
	vm_err(err, errlen, "insn %u: " fmt, n, ##__VA_ARGS__)

/* Fields not used by the opcode must be zero: nothing is ignored. */
static int check_unused(const struct dupto_vm_insn *insn, u32 n, u16 fl,
			char *err, size_t errlen)
{
	const char *name = vm_ops[insn->op].name;

	if (!(fl & (F_WDST | F_RDST)) && DUPTO_VM_DST(insn)) {
		insn_err(n, "%s uses no dst register, field must be zero", name);
		return -EINVAL;
	}
	if (!(fl & F_RSRC) && DUPTO_VM_SRC(insn)) {
		insn_err(n, "%s uses no src register, field must be zero", name);
		return -EINVAL;
	}
	if (!(fl & F_OFF) && insn->off) {
		insn_err(n, "%s uses no off, field must be zero", name);
		return -EINVAL;
	}
	if (!(fl & F_JT) && insn->jt) {
		insn_err(n, "%s uses no jt, field must be zero", name);
		return -EINVAL;
	}
	if (!(fl & F_JF) && insn->jf) {
		insn_err(n, "%s uses no jf, field must be zero", name);
		return -EINVAL;
	}
	if (!(fl & F_IMM) && insn->imm) {
		insn_err(n, "%s uses no imm, field must be zero", name);
		return -EINVAL;
	}
	if (!(fl & F_MASK) && insn->mask) {
		insn_err(n, "%s uses no mask, field must be zero", name);
		return -EINVAL;
	}
	return 0;
}

/* Operand checks that the table cannot express. */
static int check_operands(const struct dupto_vm_insn *insn, u32 n,
			  const struct dupto_vm_limits *lim, char *err,
			  size_t errlen)
{
	const struct vm_op_info *info = &vm_ops[insn->op];
	u32 max;

	if (info->width) {
		max = info->width == 4 ? 0xffffffffU : (1U << (8 * info->width)) - 1;
		if (insn->mask > max) {
			insn_err(n, "mask 0x%x wider than the %u-byte load",
				 insn->mask, info->width);
			return -EINVAL;
		}
		if (insn->imm > max) {
			insn_err(n, "value 0x%x wider than the %u-byte load",
				 insn->imm, info->width);
			return -EINVAL;
		}
	}

	switch (insn->op) {
	case DUPTO_VM_DIVK:
	case DUPTO_VM_MODK:
		if (!insn->imm) {
			insn_err(n, "division by zero");
			return -EINVAL;
		}
		break;
	case DUPTO_VM_LSHK:
	case DUPTO_VM_RSHK:
		if (insn->imm >= 32) {
			insn_err(n, "shift by %u, must be less than 32", insn->imm);
			return -EINVAL;
		}
		break;
	case DUPTO_VM_JON:
		if (insn->off >= lim->nports && insn->off != DUPTO_VM_PORT_ANY) {
			insn_err(n, "port %u out of range (%u ports)", insn->off,
				 lim->nports);
			return -EINVAL;
		}
		if (!insn->imm ||
		    insn->imm & ~(DUPTO_VM_DIR_IN | DUPTO_VM_DIR_OUT)) {
			insn_err(n, "bad direction 0x%x", insn->imm);
			return -EINVAL;
		}
		break;
	case DUPTO_VM_JIN:
	case DUPTO_VM_JINX:
		if (insn->imm >= lim->nsets) {
			insn_err(n, "set %u out of range (%u sets)", insn->imm,
				 lim->nsets);
			return -EINVAL;
		}
		break;
	case DUPTO_VM_RULE:
		if (insn->imm & ~(DUPTO_VM_RULE_QUICK | DUPTO_VM_RULE_ELSE |
				  DUPTO_VM_RULE_OUT)) {
			insn_err(n, "unknown rule flags 0x%x", insn->imm);
			return -EINVAL;
		}
		break;
	}
	return 0;
}

static int check_regs(const struct dupto_vm_insn *insn, u32 n, u16 fl,
		      u8 init, char *err, size_t errlen)
{
	unsigned int dst = DUPTO_VM_DST(insn), src = DUPTO_VM_SRC(insn);

	if ((fl & (F_WDST | F_RDST)) && dst >= DUPTO_VM_NREGS) {
		insn_err(n, "register r%u out of range", dst);
		return -EINVAL;
	}
	if ((fl & F_RSRC) && src >= DUPTO_VM_NREGS) {
		insn_err(n, "register r%u out of range", src);
		return -EINVAL;
	}
	if ((fl & F_RDST) && !(init & (1U << dst))) {
		insn_err(n, "r%u read before it is written", dst);
		return -EINVAL;
	}
	if ((fl & F_RSRC) && !(init & (1U << src))) {
		insn_err(n, "r%u read before it is written", src);
		return -EINVAL;
	}
	return 0;
}

/*
 * The walks a program's protocol chains make per frame: one per distinct
 * (opcode, off), each paid for once (the interpreter keeps its result).
 */
struct vm_walks {
	u32 n;
	struct {
		u16 off;
		u8 op;
	} walk[DUPTO_VM_CHAIN_WALKS];
};

static int count_walk(struct vm_walks *w, const struct dupto_vm_insn *insn,
		      u32 n, u64 *cost, char *err, size_t errlen)
{
	u32 i;

	for (i = 0; i < w->n; i++)
		if (w->walk[i].op == insn->op && w->walk[i].off == insn->off)
			return 0;
	if (w->n == DUPTO_VM_CHAIN_WALKS) {
		insn_err(n, "more than %u protocol chains at different offsets",
			 (u32)DUPTO_VM_CHAIN_WALKS);
		return -E2BIG;
	}
	w->walk[w->n].op = insn->op;
	w->walk[w->n].off = insn->off;
	w->n++;
	*cost += DUPTO_VM_CHAIN_MAX;
	return 0;
}

/*
 * Per instruction, the registers written on every path that reaches it
 * (@init) and whether any path does (@reached). Jumps only go forward, so
 * one pass in program order sees every predecessor of an instruction
 * before the instruction itself.
 */
struct vm_state {
	u8 init;
	u8 reached;
};

static void flow(struct vm_state *st, u32 to, u8 init)
{
	if (st[to].reached) {
		st[to].init &= init;
	} else {
		st[to].reached = 1;
		st[to].init = init;
	}
}

/*
 * Where a jump from an earlier rule may land (LAND_OK): every RULE, the RET
 * after the last rule, and the bodies of rules that are not else rules
 * (LAND_ELSE marks theirs). Only the headers are looked at here; the main
 * pass checks them, in order, and a broken header stops the walk, so
 * nothing after it is a landing place.
 */
#define LAND_OK		1
#define LAND_ELSE	2

static void mark_landings(const struct dupto_vm_insn *insns, u32 ninsns,
			  u8 *land)
{
	u32 n = 0, end, i;

	while (n < ninsns && insns[n].op == DUPTO_VM_RULE) {
		end = n + 1 + insns[n].jt;
		if (!insns[n].jt || end >= ninsns)
			return;
		land[n] = LAND_OK;
		for (i = n + 1; i < end; i++)
			land[i] = insns[n].imm & DUPTO_VM_RULE_ELSE ? LAND_ELSE : LAND_OK;
		n = end;
	}
	if (n < ninsns && insns[n].op == DUPTO_VM_RET)
		land[n] = LAND_OK;
}

/*
 * A jump from insn @n, in the rule that ends at @end, to @to. Returns
 * 0 and passes the registers on, or -EINVAL with the reason.
 */
static int check_jump(const struct dupto_vm_insn *insns, u32 ninsns,
		      struct vm_state *st, const u8 *land, u32 n, u32 end,
		      u32 to, u8 init, char *err, size_t errlen)
{
	if (to < end) {
		flow(st, to, init);
		return 0;
	}
	if (to == end)
		return 0;	/* the main pass checks what is there */
	if (to >= ninsns) {
		insn_err(n, "jump to insn %u beyond the program", to);
		return -EINVAL;
	}
	if (land[to] == LAND_ELSE) {
		insn_err(n, "jump to insn %u inside the body of an else rule", to);
		return -EINVAL;
	}
	if (land[to] != LAND_OK) {
		insn_err(n, "jump to insn %u outside any rule", to);
		return -EINVAL;
	}
	/* a RULE or RET starts afresh; a body goes on with what we know */
	if (insns[to].op != DUPTO_VM_RULE && insns[to].op != DUPTO_VM_RET)
		flow(st, to, init);
	return 0;
}

int dupto_vm_verify(const struct dupto_vm_insn *insns, u32 ninsns,
		    const struct dupto_vm_limits *lim, char *err, size_t errlen)
{
	u32 n, rule = 0, end = 0;
	u64 cost = 0;		/* at most 65535 * (1 + 130 * 64): no overflow */
	struct vm_walks walks = { 0 };
	struct vm_state *st;
	u8 *land;
	int ret = 0;

	if (!ninsns) {
		vm_err(err, errlen, "insn 0: empty program, ret missing");
		return -EINVAL;
	}
	if (ninsns > DUPTO_VM_MAX_INSNS) {
		vm_err(err, errlen, "insn %u: program longer than %u instructions",
		       (u32)DUPTO_VM_MAX_INSNS, (u32)DUPTO_VM_MAX_INSNS);
		return -E2BIG;
	}

	st = dupto_vm_zalloc(ninsns * sizeof(*st));
	land = dupto_vm_zalloc(ninsns);
	if (!st || !land) {
		dupto_vm_kfree(st);
		dupto_vm_kfree(land);
		return -ENOMEM;
	}
	mark_landings(insns, ninsns, land);

	for (n = 0; n < ninsns; n++) {
		const struct dupto_vm_insn *insn = &insns[n];
		u16 fl;
		u8 init;

		if (insn->op >= __DUPTO_VM_OP_MAX) {
			insn_err(n, "unknown opcode %u", insn->op);
			ret = -EINVAL;
			break;
		}
		fl = vm_ops[insn->op].flags;
		ret = check_unused(insn, n, fl, err, errlen);
		if (!ret)
			ret = check_operands(insn, n, lim, err, errlen);
		if (ret)
			break;
		/* operands checked: imm names a set */
		cost += 1;
		if ((insn->op == DUPTO_VM_JIN || insn->op == DUPTO_VM_JINX) &&
		    lim->set_cost)
			cost += lim->set_cost[insn->imm];
		if (insn->op == DUPTO_VM_JCHAIN4 || insn->op == DUPTO_VM_JCHAIN6) {
			ret = count_walk(&walks, insn, n, &cost, err, errlen);
			if (ret)
				break;
		}

		/* Rule structure: RULE blocks back to back, then RET. */
		if (insn->op == DUPTO_VM_RULE || insn->op == DUPTO_VM_RET) {
			if (n != end) {
				insn_err(n, "%s inside rule %u, which ends at insn %u",
					 vm_ops[insn->op].name, rule - 1, end);
				ret = -EINVAL;
				break;
			}
		} else if (n == end) {
			insn_err(n, "%s outside any rule", vm_ops[insn->op].name);
			ret = -EINVAL;
			break;
		}
		if (insn->op == DUPTO_VM_RET) {
			if (n != ninsns - 1) {
				insn_err(n, "ret before the last instruction");
				ret = -EINVAL;
				break;
			}
			if (rule != lim->nrules) {
				insn_err(n, "program has %u rules, image declares %u",
					 rule, lim->nrules);
				ret = -EINVAL;
				break;
			}
			break;
		}
		if (insn->op == DUPTO_VM_RULE) {
			if (insn->off != rule) {
				insn_err(n, "rule %u out of order, expected rule %u",
					 insn->off, rule);
				ret = -EINVAL;
				break;
			}
			if (rule >= lim->nrules) {
				insn_err(n, "rule %u beyond the %u rules the image declares",
					 rule, lim->nrules);
				ret = -EINVAL;
				break;
			}
			if (!insn->jt) {
				insn_err(n, "rule %u has an empty body", rule);
				ret = -EINVAL;
				break;
			}
			if ((u64)n + 1 + insn->jt >= ninsns) {
				insn_err(n, "rule %u ends beyond the program", rule);
				ret = -EINVAL;
				break;
			}
			end = n + 1 + insn->jt;
			rule++;
			/* Nothing is known at the start of a rule: a rule
			 * abandoned by a failed read reaches the next one
			 * from anywhere.
			 */
			st[n].reached = 1;
			st[n].init = 0;
			flow(st, n + 1, 0);
			continue;
		}

		if (!st[n].reached) {
			insn_err(n, "unreachable instruction");
			ret = -EINVAL;
			break;
		}
		init = st[n].init;
		ret = check_regs(insn, n, fl, init, err, errlen);
		if (ret)
			break;
		if (fl & F_WDST)
			init |= 1U << DUPTO_VM_DST(insn);

		switch (insn->op) {
		case DUPTO_VM_MATCH:
			if (insn->off != rule - 1) {
				insn_err(n, "match of rule %u inside rule %u",
					 insn->off, rule - 1);
				ret = -EINVAL;
				break;
			}
			/* control continues at the rule's end or beyond */
			if (n + 1 + insn->jt < end) {
				insn_err(n, "match continues at insn %u, inside its rule",
					 n + 1 + insn->jt);
				ret = -EINVAL;
				break;
			}
			ret = check_jump(insns, ninsns, st, land, n, end,
					 n + 1 + insn->jt, init, err, errlen);
			break;
		case DUPTO_VM_JA:
			ret = check_jump(insns, ninsns, st, land, n, end,
					 n + 1 + insn->jt, init, err, errlen);
			break;
		default:
			if (!(fl & F_COND)) {
				/* falls through; n + 1 <= end */
				if (n + 1 < end)
					flow(st, n + 1, init);
				break;
			}
			ret = check_jump(insns, ninsns, st, land, n, end,
					 n + 1 + insn->jt, init, err, errlen);
			if (!ret)
				ret = check_jump(insns, ninsns, st, land, n, end,
						 n + 1 + insn->jf, init, err,
						 errlen);
			break;
		}
		if (ret)
			break;
	}

	if (!ret && n == ninsns) {
		/* The loop only ends without a break if RET never came. */
		insn_err(ninsns - 1, "the last instruction must be ret");
		ret = -EINVAL;
	}
	if (!ret && cost > DUPTO_VM_MAX_COST) {
		vm_err(err, errlen, "program: worst-case cost %llu exceeds %u",
		       (unsigned long long)cost, (u32)DUPTO_VM_MAX_COST);
		ret = -E2BIG;
	}
	dupto_vm_kfree(land);
	dupto_vm_kfree(st);
	return ret;
}
