// SPDX-License-Identifier: GPL-2.0
/*
 * The interpreter: runs a verified program on one frame.
 *
 * Everything the verifier proved (opcodes, operands, jump targets, register
 * initialisation, rule structure) is not checked again here. What only the
 * frame can tell is: packet reads are bounds-checked, and a failed read or
 * a division by zero abandons the current rule.
 */

#include "vm.h"

/*
 * Reads go through the wire view of the frame: if the outer VLAN tag is in
 * metadata, virtual offsets 12-15 are the tag and everything after them is
 * 4 bytes further on in the bytes the caller gave us.
 */
static const u8 *read_phys(const struct dupto_vm_packet *pkt, u64 off, u32 n,
			   u8 *buf)
{
	if (likely(off + n <= pkt->len))
		return pkt->data + off;
	if (!pkt->read || off + n > 0xffffffffULL)
		return NULL;
	return pkt->read(pkt, (u32)off, n, buf);
}

static const u8 *read_tagged(const struct dupto_vm_packet *pkt, u64 off,
			     u32 n, u8 *buf)
{
	const u8 *p;
	u32 i;

	if (off >= 16)
		return read_phys(pkt, off - 4, n, buf);
	if (off + n <= 12)
		return read_phys(pkt, off, n, buf);
	/* Straddles the tag: gather byte by byte (n <= 16). */
	for (i = 0; i < n; i++) {
		u64 o = off + i;
		u8 tmp;

		if (o >= 12 && o < 16) {
			u16 half = o < 14 ? pkt->vlan_tpid : pkt->vlan_tci;

			buf[i] = (o & 1) ? half & 0xff : half >> 8;
			continue;
		}
		p = read_phys(pkt, o < 12 ? o : o - 4, 1, &tmp);
		if (!p)
			return NULL;
		buf[i] = *p;
	}
	return buf;
}

static __always_inline const u8 *vm_read(const struct dupto_vm_packet *pkt,
					 u64 off, u32 n, u8 *buf)
{
	if (likely(!pkt->vlan_tagged)) {
		if (likely(off + n <= pkt->len))
			return pkt->data + off;
		return read_phys(pkt, off, n, buf);
	}
	return read_tagged(pkt, off, n, buf);
}

static __always_inline u32 vm_value(const u8 *p, u32 n)
{
	if (n == 1)
		return p[0];
	if (n == 2)
		return dupto_vm_get16(p);
	return dupto_vm_get32(p);
}

/* Width of the packet read of a load or fused compare, from its opcode. */
static __always_inline u32 vm_width(u8 op, u8 first)
{
	return 1U << ((op - first) % 3);
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
		p = words ? vm_read(pkt, off, 4 * words, buf) : buf;
		if (p)
			return dupto_vm_set_lookup_partial(set, p, words);
	}
	return -1;
}

void dupto_vm_run(const struct dupto_vm_prog *prog,
		  const struct dupto_vm_packet *pkt,
		  struct dupto_vm_result *res,
		  struct dupto_vm_rule_stats *stats)
{
	const struct dupto_vm_insn *insns = prog->insns;
	const struct dupto_vm_insn *insn;
	u32 reg[DUPTO_VM_NREGS] = { 0 };
	u32 pc = 0, end = 0, flags = 0;
	bool taken = false;
	const u8 *p;
	u8 buf[16];
	u32 a, b, i;
	u64 off;
	bool cond;

	memset(res, 0, sizeof(*res));

	for (;;) {
		insn = &insns[pc];
		switch (insn->op) {
		case DUPTO_VM_RET:
			return;

		case DUPTO_VM_RULE:
			end = pc + 1 + insn->jt;
			if ((insn->imm & DUPTO_VM_RULE_ELSE) && taken) {
				pc = end;
				continue;
			}
			flags = insn->imm;
			pc++;
			continue;

		case DUPTO_VM_MATCH: {
			const struct dupto_vm_rule *rule = &prog->rules[insn->off];

			for (i = 0; i < DUPTO_VM_TARGET_WORDS; i++)
				res->targets[i] |= rule->targets[i];
			res->matched++;
			if (stats) {
				stats[insn->off].packets++;
				stats[insn->off].bytes += pkt->wire_len;
			}
			taken = true;
			if (flags & DUPTO_VM_RULE_QUICK)
				return;
			pc = end;
			continue;
		}

		case DUPTO_VM_JA:
			pc += 1 + insn->jt;
			continue;

		case DUPTO_VM_LDI:
			reg[DUPTO_VM_DST(insn)] = insn->imm;
			break;
		case DUPTO_VM_MOV:
			reg[DUPTO_VM_DST(insn)] = reg[DUPTO_VM_SRC(insn)];
			break;
		case DUPTO_VM_LDLEN:
			reg[DUPTO_VM_DST(insn)] = pkt->wire_len;
			break;
		case DUPTO_VM_LDB:
		case DUPTO_VM_LDH:
		case DUPTO_VM_LDW:
			a = vm_width(insn->op, DUPTO_VM_LDB);
			p = vm_read(pkt, insn->off, a, buf);
			if (unlikely(!p))
				goto abort;
			reg[DUPTO_VM_DST(insn)] = vm_value(p, a);
			break;
		case DUPTO_VM_LDXB:
		case DUPTO_VM_LDXH:
		case DUPTO_VM_LDXW:
			a = vm_width(insn->op, DUPTO_VM_LDXB);
			off = (u64)reg[DUPTO_VM_SRC(insn)] + insn->off;
			p = vm_read(pkt, off, a, buf);
			if (unlikely(!p))
				goto abort;
			reg[DUPTO_VM_DST(insn)] = vm_value(p, a);
			break;
		case DUPTO_VM_LDIHL:
			p = vm_read(pkt, insn->off, 1, buf);
			if (unlikely(!p))
				goto abort;
			reg[DUPTO_VM_DST(insn)] = (*p & 0xf) << 2;
			break;

		case DUPTO_VM_ADDK:
			reg[DUPTO_VM_DST(insn)] += insn->imm;
			break;
		case DUPTO_VM_SUBK:
			reg[DUPTO_VM_DST(insn)] -= insn->imm;
			break;
		case DUPTO_VM_MULK:
			reg[DUPTO_VM_DST(insn)] *= insn->imm;
			break;
		case DUPTO_VM_DIVK:
			reg[DUPTO_VM_DST(insn)] /= insn->imm;
			break;
		case DUPTO_VM_MODK:
			reg[DUPTO_VM_DST(insn)] %= insn->imm;
			break;
		case DUPTO_VM_ANDK:
			reg[DUPTO_VM_DST(insn)] &= insn->imm;
			break;
		case DUPTO_VM_ORK:
			reg[DUPTO_VM_DST(insn)] |= insn->imm;
			break;
		case DUPTO_VM_XORK:
			reg[DUPTO_VM_DST(insn)] ^= insn->imm;
			break;
		case DUPTO_VM_LSHK:
			reg[DUPTO_VM_DST(insn)] <<= insn->imm;
			break;
		case DUPTO_VM_RSHK:
			reg[DUPTO_VM_DST(insn)] >>= insn->imm;
			break;
		case DUPTO_VM_ADDX:
			reg[DUPTO_VM_DST(insn)] += reg[DUPTO_VM_SRC(insn)];
			break;
		case DUPTO_VM_SUBX:
			reg[DUPTO_VM_DST(insn)] -= reg[DUPTO_VM_SRC(insn)];
			break;
		case DUPTO_VM_MULX:
			reg[DUPTO_VM_DST(insn)] *= reg[DUPTO_VM_SRC(insn)];
			break;
		case DUPTO_VM_DIVX:
			b = reg[DUPTO_VM_SRC(insn)];
			if (unlikely(!b))
				goto abort;
			reg[DUPTO_VM_DST(insn)] /= b;
			break;
		case DUPTO_VM_MODX:
			b = reg[DUPTO_VM_SRC(insn)];
			if (unlikely(!b))
				goto abort;
			reg[DUPTO_VM_DST(insn)] %= b;
			break;
		case DUPTO_VM_ANDX:
			reg[DUPTO_VM_DST(insn)] &= reg[DUPTO_VM_SRC(insn)];
			break;
		case DUPTO_VM_ORX:
			reg[DUPTO_VM_DST(insn)] |= reg[DUPTO_VM_SRC(insn)];
			break;
		case DUPTO_VM_XORX:
			reg[DUPTO_VM_DST(insn)] ^= reg[DUPTO_VM_SRC(insn)];
			break;
		case DUPTO_VM_LSHX:
			b = reg[DUPTO_VM_SRC(insn)];
			reg[DUPTO_VM_DST(insn)] = b < 32 ? reg[DUPTO_VM_DST(insn)] << b : 0;
			break;
		case DUPTO_VM_RSHX:
			b = reg[DUPTO_VM_SRC(insn)];
			reg[DUPTO_VM_DST(insn)] = b < 32 ? reg[DUPTO_VM_DST(insn)] >> b : 0;
			break;
		case DUPTO_VM_NEG:
			reg[DUPTO_VM_DST(insn)] = 0U - reg[DUPTO_VM_DST(insn)];
			break;

		case DUPTO_VM_JEQK:
			cond = reg[DUPTO_VM_DST(insn)] == insn->imm;
			goto jump;
		case DUPTO_VM_JGTK:
			cond = reg[DUPTO_VM_DST(insn)] > insn->imm;
			goto jump;
		case DUPTO_VM_JGEK:
			cond = reg[DUPTO_VM_DST(insn)] >= insn->imm;
			goto jump;
		case DUPTO_VM_JSETK:
			cond = reg[DUPTO_VM_DST(insn)] & insn->imm;
			goto jump;
		case DUPTO_VM_JEQX:
			cond = reg[DUPTO_VM_DST(insn)] == reg[DUPTO_VM_SRC(insn)];
			goto jump;
		case DUPTO_VM_JGTX:
			cond = reg[DUPTO_VM_DST(insn)] > reg[DUPTO_VM_SRC(insn)];
			goto jump;
		case DUPTO_VM_JGEX:
			cond = reg[DUPTO_VM_DST(insn)] >= reg[DUPTO_VM_SRC(insn)];
			goto jump;
		case DUPTO_VM_JSETX:
			cond = reg[DUPTO_VM_DST(insn)] & reg[DUPTO_VM_SRC(insn)];
			goto jump;

		/* Fused compares: one dispatch for libpcap's "ld; and; jxx". */
		case DUPTO_VM_JEQB:
		case DUPTO_VM_JEQH:
		case DUPTO_VM_JEQW:
			a = vm_width(insn->op, DUPTO_VM_JEQB);
			p = vm_read(pkt, insn->off, a, buf);
			if (unlikely(!p))
				goto abort;
			cond = (vm_value(p, a) & insn->mask) == insn->imm;
			goto jump;
		case DUPTO_VM_JGTB:
		case DUPTO_VM_JGTH:
		case DUPTO_VM_JGTW:
			a = vm_width(insn->op, DUPTO_VM_JGTB);
			p = vm_read(pkt, insn->off, a, buf);
			if (unlikely(!p))
				goto abort;
			cond = (vm_value(p, a) & insn->mask) > insn->imm;
			goto jump;
		case DUPTO_VM_JGEB:
		case DUPTO_VM_JGEH:
		case DUPTO_VM_JGEW:
			a = vm_width(insn->op, DUPTO_VM_JGEB);
			p = vm_read(pkt, insn->off, a, buf);
			if (unlikely(!p))
				goto abort;
			cond = (vm_value(p, a) & insn->mask) >= insn->imm;
			goto jump;
		case DUPTO_VM_JSETB:
		case DUPTO_VM_JSETH:
		case DUPTO_VM_JSETW:
			a = vm_width(insn->op, DUPTO_VM_JSETB);
			p = vm_read(pkt, insn->off, a, buf);
			if (unlikely(!p))
				goto abort;
			cond = vm_value(p, a) & insn->mask & insn->imm;
			goto jump;

		case DUPTO_VM_JEQXB:
		case DUPTO_VM_JEQXH:
		case DUPTO_VM_JEQXW:
			a = vm_width(insn->op, DUPTO_VM_JEQXB);
			off = (u64)reg[DUPTO_VM_SRC(insn)] + insn->off;
			p = vm_read(pkt, off, a, buf);
			if (unlikely(!p))
				goto abort;
			cond = (vm_value(p, a) & insn->mask) == insn->imm;
			goto jump;
		case DUPTO_VM_JGTXB:
		case DUPTO_VM_JGTXH:
		case DUPTO_VM_JGTXW:
			a = vm_width(insn->op, DUPTO_VM_JGTXB);
			off = (u64)reg[DUPTO_VM_SRC(insn)] + insn->off;
			p = vm_read(pkt, off, a, buf);
			if (unlikely(!p))
				goto abort;
			cond = (vm_value(p, a) & insn->mask) > insn->imm;
			goto jump;
		case DUPTO_VM_JGEXB:
		case DUPTO_VM_JGEXH:
		case DUPTO_VM_JGEXW:
			a = vm_width(insn->op, DUPTO_VM_JGEXB);
			off = (u64)reg[DUPTO_VM_SRC(insn)] + insn->off;
			p = vm_read(pkt, off, a, buf);
			if (unlikely(!p))
				goto abort;
			cond = (vm_value(p, a) & insn->mask) >= insn->imm;
			goto jump;
		case DUPTO_VM_JSETXB:
		case DUPTO_VM_JSETXH:
		case DUPTO_VM_JSETXW:
			a = vm_width(insn->op, DUPTO_VM_JSETXB);
			off = (u64)reg[DUPTO_VM_SRC(insn)] + insn->off;
			p = vm_read(pkt, off, a, buf);
			if (unlikely(!p))
				goto abort;
			cond = vm_value(p, a) & insn->mask & insn->imm;
			goto jump;

		case DUPTO_VM_JON:
			cond = pkt->port == insn->off && (pkt->dir & insn->imm);
			goto jump;
		case DUPTO_VM_JIN:
		case DUPTO_VM_JINX: {
			const struct dupto_vm_set *set = prog->sets[insn->imm];

			off = insn->off;
			if (insn->op == DUPTO_VM_JINX)
				off += reg[DUPTO_VM_SRC(insn)];
			p = vm_read(pkt, off, set->keylen, buf);
			if (unlikely(!p)) {
				int r = set_partial(pkt, set, off, buf);

				if (r < 0)
					goto abort;
				cond = r;
				goto jump;
			}
			cond = dupto_vm_set_lookup(set, p);
			goto jump;
		}

		default:
			/* Unreachable after verification; stop rather than guess. */
			return;
		}
		pc++;
		continue;
jump:
		pc += 1 + (cond ? insn->jt : insn->jf);
		continue;
abort:
		res->aborted++;
		pc = end;
	}
}
