// SPDX-License-Identifier: GPL-2.0
/*
 * Verifier and interpreter tables. Every program is serialised into an
 * image and goes through dupto_vm_load(), exactly as the kernel loads one:
 * bad programs must be refused with their exact message, good ones must
 * give their expected verdicts on frames.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compiler.h"
#include "testlib.h"

#define I(o, r, of, t, f, im, m) \
	{ .op = DUPTO_VM_##o, .regs = (r), .off = (of), .jt = (t), .jf = (f), \
	  .imm = (im), .mask = (m) }
#define RULE(n, len, fl)	I(RULE, 0, n, len, 0, fl, 0)
#define MATCH(n)		I(MATCH, 0, n, 0, 0, 0, 0)
#define RET			I(RET, 0, 0, 0, 0, 0, 0)
#define R(d, s)			DUPTO_VM_REGS(d, s)
#define MAXP 24

static void rec(struct image *im, uint16_t type, const void *p, size_t len)
{
	image_put(im, type, p, len, NULL, 0);
}

/* An image: one target and one port per rule... kept simple: 2 targets,
 * 1 port "eth0", one IPv4 set {10.0.0.0/8}, one port set {53, 80}.
 */
static void build(struct image *im, const struct dupto_vm_insn *insns, uint32_t n,
		  uint32_t nrules)
{
	struct dupto_vm_hdr h = { DUPTO_VM_VERSION, n, nrules, 2, 1, 2, 0 };
	struct dupto_vm_set_rec s4 = { DUPTO_VM_SET_IP4, 0, 1 }, sp = { DUPTO_VM_SET_U16, 0, 2 };
	struct dupto_vm_addr a = { .addr = { 10 }, .plen = 8 };
	struct dupto_vm_range pr[2] = { { 53, 53 }, { 80, 80 } };
	uint32_t i;

	im->n = 0;
	rec(im, DUPTO_VM_REC_HEADER, &h, sizeof(h));
	if (n)
		rec(im, DUPTO_VM_REC_INSNS, insns, n * sizeof(*insns));
	rec(im, DUPTO_VM_REC_TARGET, "s0", 3);
	rec(im, DUPTO_VM_REC_TARGET, "s1", 3);
	rec(im, DUPTO_VM_REC_PORT, "eth0", 5);
	for (i = 0; i < nrules; i++) {
		struct dupto_vm_rule_rec rr = { i + 1, 1, 0 };
		uint16_t t = i % 2;
		uint8_t b[sizeof(rr) + sizeof(t)];

		memcpy(b, &rr, sizeof(rr));
		memcpy(b + sizeof(rr), &t, sizeof(t));
		rec(im, DUPTO_VM_REC_RULE, b, sizeof(b));
	}
	rec(im, DUPTO_VM_REC_SET, &s4, sizeof(s4));
	rec(im, DUPTO_VM_REC_SET_ELEMS, &a, sizeof(a));
	rec(im, DUPTO_VM_REC_SET, &sp, sizeof(sp));
	rec(im, DUPTO_VM_REC_SET_ELEMS, pr, sizeof(pr));
}

#define CH(off)	I(JCHAIN4, 0, off, 0, 0, 6, 0)
static const struct bad {
	const char *name;
	struct dupto_vm_insn p[MAXP];
	uint32_t n, nrules;
	const char *msg;
} bad[] = {
	{ "no instructions", { RET }, 0, 0, "record 1: table sizes out of range" },
	{ "rules declared, none given", { RET }, 1, 1, "insn 0: program has 0 rules, image declares 1" },
	{ "opcode 200", { { .op = 200 }, RET }, 2, 0, "insn 0: unknown opcode 200" },
	{ "nine protocol chains at different offsets",
	  { RULE(0, 10, 0), CH(14), CH(18), CH(14), CH(22), CH(26), CH(30), CH(34), CH(38), CH(42), CH(46), MATCH(0), RET }, 13, 1,
	  "insn 10: more than 8 protocol chains at different offsets" },
	{ "a protocol chain with a mask", { RULE(0, 2, 0), I(JCHAIN6, 0, 14, 0, 0, 6, 0xff), MATCH(0), RET }, 4, 1,
	  "insn 1: jchain6 uses no mask, field must be zero" },
	{ "a protocol chain reading a register", { RULE(0, 2, 0), I(JCHAIN4, R(0, 1), 14, 0, 0, 6, 0), MATCH(0), RET }, 4, 1,
	  "insn 1: jchain4 uses no src register, field must be zero" },
	{ "opcode past the last", { RULE(0, 2, 0), { .op = __DUPTO_VM_OP_MAX }, MATCH(0), RET }, 4, 1, "insn 1: unknown opcode 72" },
	{ "ldi with src", { RULE(0, 2, 0), I(LDI, R(0, 1), 0, 0, 0, 1, 0), MATCH(0), RET }, 4, 1, "insn 1: ldi uses no src register, field must be zero" },
	{ "ldi with off", { RULE(0, 2, 0), I(LDI, 0, 3, 0, 0, 1, 0), MATCH(0), RET }, 4, 1, "insn 1: ldi uses no off, field must be zero" },
	{ "ldi with jt", { RULE(0, 2, 0), I(LDI, 0, 0, 1, 0, 1, 0), MATCH(0), RET }, 4, 1, "insn 1: ldi uses no jt, field must be zero" },
	{ "ldi with jf", { RULE(0, 2, 0), I(LDI, 0, 0, 0, 1, 1, 0), MATCH(0), RET }, 4, 1, "insn 1: ldi uses no jf, field must be zero" },
	{ "ldi with mask", { RULE(0, 2, 0), I(LDI, 0, 0, 0, 0, 1, 9), MATCH(0), RET }, 4, 1, "insn 1: ldi uses no mask, field must be zero" },
	{ "ldlen with imm", { RULE(0, 2, 0), I(LDLEN, 0, 0, 0, 0, 1, 0), MATCH(0), RET }, 4, 1, "insn 1: ldlen uses no imm, field must be zero" },
	{ "match with dst", { RULE(0, 1, 0), I(MATCH, R(1, 0), 0, 0, 0, 0, 0), RET }, 3, 1, "insn 1: match uses no dst register, field must be zero" },
	{ "match with imm", { RULE(0, 1, 0), I(MATCH, 0, 0, 0, 0, 5, 0), RET }, 3, 1, "insn 1: match uses no imm, field must be zero" },
	{ "match with jf", { RULE(0, 1, 0), I(MATCH, 0, 0, 0, 1, 0, 0), RET }, 3, 1, "insn 1: match uses no jf, field must be zero" },
	{ "match going past the program", { RULE(0, 1, 0), I(MATCH, 0, 0, 1, 0, 0, 0), RET }, 3, 1, "insn 1: jump to insn 3 beyond the program" },
	{ "ret with off", { I(RET, 0, 1, 0, 0, 0, 0) }, 1, 0, "insn 0: ret uses no off, field must be zero" },
	{ "ret with imm", { I(RET, 0, 0, 0, 0, 1, 0) }, 1, 0, "insn 0: ret uses no imm, field must be zero" },
	{ "rule with mask", { I(RULE, 0, 0, 1, 0, 0, 1), MATCH(0), RET }, 3, 1, "insn 0: rule uses no mask, field must be zero" },
	{ "rule with jf", { I(RULE, 0, 0, 1, 1, 0, 0), MATCH(0), RET }, 3, 1, "insn 0: rule uses no jf, field must be zero" },
	{ "rule with regs", { I(RULE, R(2, 0), 0, 1, 0, 0, 0), MATCH(0), RET }, 3, 1, "insn 0: rule uses no dst register, field must be zero" },
	{ "ja with jf", { RULE(0, 2, 0), I(JA, 0, 0, 0, 1, 0, 0), MATCH(0), RET }, 4, 1, "insn 1: ja uses no jf, field must be zero" },
	{ "ja with imm", { RULE(0, 2, 0), I(JA, 0, 0, 0, 0, 1, 0), MATCH(0), RET }, 4, 1, "insn 1: ja uses no imm, field must be zero" },
	{ "jeq k with off", { RULE(0, 3, 0), I(LDI, 0, 0, 0, 0, 1, 0), I(JEQK, 0, 2, 0, 0, 1, 0), MATCH(0), RET }, 5, 1, "insn 2: jeq uses no off, field must be zero" },
	{ "jeq k with mask", { RULE(0, 3, 0), I(LDI, 0, 0, 0, 0, 1, 0), I(JEQK, 0, 0, 0, 0, 1, 7), MATCH(0), RET }, 5, 1, "insn 2: jeq uses no mask, field must be zero" },
	{ "jeqx with imm", { RULE(0, 3, 0), I(LDI, 0, 0, 0, 0, 1, 0), I(JEQX, 0, 0, 0, 0, 1, 0), MATCH(0), RET }, 5, 1, "insn 2: jeqx uses no imm, field must be zero" },
	{ "neg with src", { RULE(0, 3, 0), I(LDI, 0, 0, 0, 0, 1, 0), I(NEG, R(0, 1), 0, 0, 0, 0, 0), MATCH(0), RET }, 5, 1, "insn 2: neg uses no src register, field must be zero" },
	{ "mov with imm", { RULE(0, 3, 0), I(LDI, 0, 0, 0, 0, 1, 0), I(MOV, R(1, 0), 0, 0, 0, 1, 0), MATCH(0), RET }, 5, 1, "insn 2: mov uses no imm, field must be zero" },
	{ "ldb with imm", { RULE(0, 2, 0), I(LDB, 0, 12, 0, 0, 1, 0), MATCH(0), RET }, 4, 1, "insn 1: ldb uses no imm, field must be zero" },
	{ "ldihl with mask", { RULE(0, 2, 0), I(LDIHL, 0, 14, 0, 0, 0, 15), MATCH(0), RET }, 4, 1, "insn 1: ldihl uses no mask, field must be zero" },
	{ "jon with src", { RULE(0, 2, 0), I(JON, R(0, 1), 0, 0, 0, 1, 0), MATCH(0), RET }, 4, 1, "insn 1: jon uses no src register, field must be zero" },
	{ "jon with mask", { RULE(0, 2, 0), I(JON, 0, 0, 0, 0, 1, 1), MATCH(0), RET }, 4, 1, "insn 1: jon uses no mask, field must be zero" },
	{ "jin with src", { RULE(0, 2, 0), I(JIN, R(0, 1), 26, 0, 0, 0, 0), MATCH(0), RET }, 4, 1, "insn 1: jin uses no src register, field must be zero" },
	{ "jin with mask", { RULE(0, 2, 0), I(JIN, 0, 26, 0, 0, 0, 1), MATCH(0), RET }, 4, 1, "insn 1: jin uses no mask, field must be zero" },
	{ "dst r8", { RULE(0, 2, 0), I(LDI, R(8, 0), 0, 0, 0, 1, 0), MATCH(0), RET }, 4, 1, "insn 1: register r8 out of range" },
	{ "dst r15", { RULE(0, 2, 0), I(LDLEN, R(15, 0), 0, 0, 0, 0, 0), MATCH(0), RET }, 4, 1, "insn 1: register r15 out of range" },
	{ "src r9", { RULE(0, 3, 0), I(LDI, 0, 0, 0, 0, 1, 0), I(ADDX, R(0, 9), 0, 0, 0, 0, 0), MATCH(0), RET }, 5, 1, "insn 2: register r9 out of range" },
	{ "alu on an unwritten register", { RULE(0, 2, 0), I(ADDK, 0, 0, 0, 0, 1, 0), MATCH(0), RET }, 4, 1, "insn 1: r0 read before it is written" },
	{ "mov from an unwritten register", { RULE(0, 2, 0), I(MOV, R(0, 1), 0, 0, 0, 0, 0), MATCH(0), RET }, 4, 1, "insn 1: r1 read before it is written" },
	{ "index from an unwritten register", { RULE(0, 2, 0), I(LDXB, R(0, 3), 14, 0, 0, 0, 0), MATCH(0), RET }, 4, 1, "insn 1: r3 read before it is written" },
	{ "compare an unwritten register", { RULE(0, 2, 0), I(JEQK, R(5, 0), 0, 0, 0, 1, 0), MATCH(0), RET }, 4, 1, "insn 1: r5 read before it is written" },
	{ "fused indexed compare, unwritten index", { RULE(0, 2, 0), I(JEQXH, R(0, 7), 14, 0, 0, 80, 0xffff), MATCH(0), RET }, 4, 1, "insn 1: r7 read before it is written" },
	{ "set lookup, unwritten index", { RULE(0, 2, 0), I(JINX, R(0, 7), 14, 0, 0, 1, 0), MATCH(0), RET }, 4, 1, "insn 1: r7 read before it is written" },
	{ "written on one path only",
	  { RULE(0, 5, 0), I(JEQH, 0, 12, 0, 1, 0x800, 0xffff), I(LDI, R(1, 0), 0, 0, 0, 1, 0),
	    I(JEQK, R(1, 0), 0, 0, 0, 1, 0), I(JA, 0, 0, 0, 0, 0, 0), MATCH(0), RET }, 7, 1,
	  "insn 3: r1 read before it is written" },
	{ "registers do not survive a rule",
	  { RULE(0, 2, 0), I(LDI, 0, 0, 0, 0, 1, 0), MATCH(0), RULE(1, 2, 0),
	    I(JEQK, 0, 0, 0, 0, 1, 0), MATCH(1), RET }, 7, 2, "insn 4: r0 read before it is written" },
	{ "divk by zero", { RULE(0, 3, 0), I(LDI, 0, 0, 0, 0, 1, 0), I(DIVK, 0, 0, 0, 0, 0, 0), MATCH(0), RET }, 5, 1, "insn 2: division by zero" },
	{ "modk by zero", { RULE(0, 3, 0), I(LDI, 0, 0, 0, 0, 1, 0), I(MODK, 0, 0, 0, 0, 0, 0), MATCH(0), RET }, 5, 1, "insn 2: division by zero" },
	{ "lshk by 32", { RULE(0, 3, 0), I(LDI, 0, 0, 0, 0, 1, 0), I(LSHK, 0, 0, 0, 0, 32, 0), MATCH(0), RET }, 5, 1, "insn 2: shift by 32, must be less than 32" },
	{ "rshk by 40", { RULE(0, 3, 0), I(LDI, 0, 0, 0, 0, 1, 0), I(RSHK, 0, 0, 0, 0, 40, 0), MATCH(0), RET }, 5, 1, "insn 2: shift by 40, must be less than 32" },
	{ "byte mask too wide", { RULE(0, 2, 0), I(JEQB, 0, 23, 0, 0, 6, 0x100), MATCH(0), RET }, 4, 1, "insn 1: mask 0x100 wider than the 1-byte load" },
	{ "half mask too wide", { RULE(0, 2, 0), I(JSETH, 0, 20, 0, 0, 1, 0x10000), MATCH(0), RET }, 4, 1, "insn 1: mask 0x10000 wider than the 2-byte load" },
	{ "byte value too wide", { RULE(0, 2, 0), I(JEQB, 0, 23, 0, 0, 0x100, 0xff), MATCH(0), RET }, 4, 1, "insn 1: value 0x100 wider than the 1-byte load" },
	{ "indexed half value too wide", { RULE(0, 3, 0), I(LDIHL, R(7, 0), 14, 0, 0, 0, 0), I(JGTXH, R(0, 7), 14, 0, 0, 0x12345, 0xffff), MATCH(0), RET }, 5, 1, "insn 2: value 0x12345 wider than the 2-byte load" },
	{ "port out of range", { RULE(0, 2, 0), I(JON, 0, 1, 0, 0, 1, 0), MATCH(0), RET }, 4, 1, "insn 1: port 1 out of range (1 ports)" },
	{ "port just below any port", { RULE(0, 2, 0), I(JON, 0, 0xfffe, 0, 0, 1, 0), MATCH(0), RET }, 4, 1, "insn 1: port 65534 out of range (1 ports)" },
	{ "no direction", { RULE(0, 2, 0), I(JON, 0, 0, 0, 0, 0, 0), MATCH(0), RET }, 4, 1, "insn 1: bad direction 0x0" },
	{ "unknown direction", { RULE(0, 2, 0), I(JON, 0, 0, 0, 0, 4, 0), MATCH(0), RET }, 4, 1, "insn 1: bad direction 0x4" },
	{ "set out of range", { RULE(0, 2, 0), I(JIN, 0, 26, 0, 0, 2, 0), MATCH(0), RET }, 4, 1, "insn 1: set 2 out of range (2 sets)" },
	{ "indexed set out of range", { RULE(0, 3, 0), I(LDIHL, R(7, 0), 14, 0, 0, 0, 0), I(JINX, R(0, 7), 14, 0, 0, 9, 0), MATCH(0), RET }, 5, 1, "insn 2: set 9 out of range (2 sets)" },
	{ "unknown rule flag", { RULE(0, 1, 8), MATCH(0), RET }, 3, 1, "insn 0: unknown rule flags 0x8" },
	{ "rule out of order", { RULE(1, 1, 0), MATCH(1), RET }, 3, 2, "insn 0: rule 1 out of order, expected rule 0" },
	{ "more rules than declared", { RULE(0, 1, 0), MATCH(0), RULE(1, 1, 0), MATCH(1), RET }, 5, 1, "insn 2: rule 1 beyond the 1 rules the image declares" },
	{ "fewer rules than declared", { RULE(0, 1, 0), MATCH(0), RET }, 3, 2, "insn 2: program has 1 rules, image declares 2" },
	{ "empty rule body", { RULE(0, 0, 0), RET }, 2, 1, "insn 0: rule 0 has an empty body" },
	{ "rule past the end", { RULE(0, 5, 0), MATCH(0), RET }, 3, 1, "insn 0: rule 0 ends beyond the program" },
	{ "no ret at the end", { RULE(0, 1, 0), MATCH(0) }, 2, 1, "insn 0: rule 0 ends beyond the program" },
	{ "first instruction outside a rule", { MATCH(0), RET }, 2, 0, "insn 0: match outside any rule" },
	{ "code between rules", { RULE(0, 1, 0), MATCH(0), I(LDI, 0, 0, 0, 0, 1, 0), RET }, 4, 1, "insn 2: ldi outside any rule" },
	{ "rule inside a rule", { RULE(0, 3, 0), RULE(1, 1, 0), MATCH(1), MATCH(0), RET }, 5, 2, "insn 1: rule inside rule 0, which ends at insn 4" },
	{ "ret inside a rule", { RULE(0, 2, 0), RET, MATCH(0), RET }, 4, 1, "insn 1: ret inside rule 0, which ends at insn 3" },
	{ "ret before the end", { RET, RET }, 2, 0, "insn 0: ret before the last instruction" },
	{ "match of another rule", { RULE(0, 1, 0), MATCH(1), RET }, 3, 1, "insn 1: match of rule 1 inside rule 0" },
	{ "ja past the program", { RULE(0, 2, 0), I(JA, 0, 0, 3, 0, 0, 0), MATCH(0), RET }, 4, 1, "insn 1: jump to insn 5 beyond the program" },
	{ "jt past the program", { RULE(0, 2, 0), I(JEQH, 0, 12, 9, 0, 0x800, 0xffff), MATCH(0), RET }, 4, 1, "insn 1: jump to insn 11 beyond the program" },
	{ "jf into the body of an else rule", { RULE(0, 2, 0), I(JEQH, 0, 12, 0, 2, 0x800, 0xffff), MATCH(0), RULE(1, 1, DUPTO_VM_RULE_ELSE), MATCH(1), RET }, 6, 2, "insn 1: jump to insn 4 inside the body of an else rule" },
	{ "match into the body of an else rule", { RULE(0, 1, 0), I(MATCH, 0, 0, 1, 0, 0, 0), RULE(1, 1, DUPTO_VM_RULE_ELSE), MATCH(1), RET }, 5, 2, "insn 1: jump to insn 3 inside the body of an else rule" },
	{ "a jump into a rule brings no registers its own path lacks",
	  { RULE(0, 2, 0), I(LDI, 0, 0, 0, 0, 1, 0), I(JA, 0, 0, 1, 0, 0, 0), RULE(1, 2, 0),
	    I(JEQK, 0, 0, 0, 0, 1, 0), MATCH(1), RET }, 7, 2, "insn 4: r0 read before it is written" },
	{ "jump past the program", { RULE(0, 2, 0), I(JA, 0, 0, 0xffff, 0, 0, 0), MATCH(0), RET }, 4, 1, "insn 1: jump to insn 65537 beyond the program" },
	{ "unreachable code", { RULE(0, 3, 0), I(JA, 0, 0, 1, 0, 0, 0), I(LDI, 0, 0, 0, 0, 1, 0), MATCH(0), RET }, 5, 1, "insn 2: unreachable instruction" },
	{ "match continuing inside its rule", { RULE(0, 2, 0), MATCH(0), I(LDI, 0, 0, 0, 0, 1, 0), RET }, 4, 1, "insn 1: match continues at insn 2, inside its rule" },
};

/* Images that are broken around the program. */
static void bad_images(void)
{
	struct dupto_vm_insn p[] = { RULE(0, 1, 0), MATCH(0), RET };
	struct dupto_vm_prog *prog;
	struct image im = { 0 };
	char err[256];
	static const struct {
		const char *name;
		size_t at;		/* offset to patch, 0: none */
		uint8_t val;
		size_t cut;		/* bytes to drop from the end, 0: none */
		const char *msg;
	} rows[] = {
		{ "bad version", 4, 9, 0, "record 1: image version 9, this VM runs version 2" },
		{ "cut short", 0, 0, 3, "record 10: bad length 12" },
		{ "record length below its header", 0, 0, 0, NULL },
	};
	struct { const char *name; const char *msg; int kind; } more[] = {
		{ "target name not terminated", "record 3: bad target name", 1 },
		{ "rule names a missing target", "record 6: rule 0: target 7 out of range (2 targets)", 2 },
		{ "set element with host bits", "set 0: element 0: bits set beyond prefix length 8", 3 },
		{ "reversed port range", "set 1: element 0: range 80-53 is reversed", 4 },
		{ "unknown set type", "set 0: unknown set type 9", 5 },
		{ "trailing record", "record 11: unexpected record of type 1 after the last set", 6 },
		{ "records out of order", "record 3: type 4, target expected", 7 },
		{ "prefix longer than the key", "set 0: element 0: bad prefix length 33", 8 },
	};
	size_t i;

	for (i = 0; i < 2; i++) {
		build(&im, p, 3, 1);
		if (rows[i].at)
			im.p[rows[i].at] = rows[i].val;
		prog = NULL;
		dupto_vm_load(im.p, im.n - rows[i].cut, &prog, err, sizeof(err));
		tap_result(!prog && !strcmp(err, rows[i].msg), "image refused: %s: \"%s\"%s%s",
			   rows[i].name, rows[i].msg, prog || strcmp(err, rows[i].msg) ? " got " : "",
			   prog ? "(loaded)" : strcmp(err, rows[i].msg) ? err : "");
		dupto_vm_free(prog);
	}
	for (i = 0; i < sizeof(more) / sizeof(more[0]); i++) {
		size_t off = 0;
		uint8_t *b;

		build(&im, p, 3, 1);
		b = im.p;
		/* find records by walking them */
		{
			uint32_t nrec = 0;
			size_t pos = 0;

			while (pos < im.n) {
				struct dupto_vm_rec r;

				memcpy(&r, b + pos, sizeof(r));
				nrec++;
				if (more[i].kind == 1 && nrec == 3)
					b[pos + 4 + 2] = 'x';	/* overwrite the NUL */
				if (more[i].kind == 2 && nrec == 6)
					b[pos + 4 + 8] = 7;
				if (more[i].kind == 3 && nrec == 8)
					b[pos + 4 + 1] = 1;
				if (more[i].kind == 4 && nrec == 10) {
					uint16_t rg[2] = { 80, 53 };

					memcpy(b + pos + 4, rg, 4);
				}
				if (more[i].kind == 5 && nrec == 7)
					b[pos + 4] = 9;
				if (more[i].kind == 7 && nrec == 3)
					b[pos + 2] = DUPTO_VM_REC_PORT;
				if (more[i].kind == 8 && nrec == 8)
					b[pos + 4 + 16] = 33;
				pos += DUPTO_VM_REC_ALIGN(r.len);
			}
			off = im.n;
		}
		if (more[i].kind == 6) {
			struct dupto_vm_hdr h = { 0 };

			rec(&im, DUPTO_VM_REC_HEADER, &h, sizeof(h));
			off = im.n;
		}
		prog = NULL;
		dupto_vm_load(im.p, off, &prog, err, sizeof(err));
		tap_result(!prog && !strcmp(err, more[i].msg), "image refused: %s: \"%s\"%s%s",
			   more[i].name, more[i].msg, prog || strcmp(err, more[i].msg) ? " got " : "",
			   prog ? "(loaded)" : strcmp(err, more[i].msg) ? err : "");
		dupto_vm_free(prog);
	}
	free(im.p);
}

/*
 * Name tables: a name is there once, whatever else differs. Rows of
 * targets and ports (comma-separated) and the loader's message, NULL for
 * an image that loads. The program sends every frame to target 0 in port
 * table entry 0 (in on PORT0 to TARGET0).
 */
static void names(void)
{
	static const struct {
		const char *name, *targets, *ports, *msg;
	} rows[] = {
		{ "distinct names", "s0,s1", "eth0,eth1", NULL },
		{ "a name and a longer one it begins", "s0,s00", "eth0,eth00", NULL },
		{ "target named twice", "s0,s0", "eth0", "record 4: target s0 named twice" },
		{ "target named twice, apart", "s0,s1,s2,s1", "eth0", "record 6: target s1 named twice" },
		{ "port named twice", "s0", "eth0,eth0", "record 5: port eth0 named twice" },
		{ "port named twice, after others", "s0,s1", "eth0,eth1,eth2,eth1",
		  "record 8: port eth1 named twice" },
		{ "a target and a port of one name", "x0", "x0", NULL },
	};
	struct dupto_vm_insn p[] = {
		RULE(0, 2, 0), I(JON, 0, 0, 0, 1, DUPTO_VM_DIR_IN, 0), MATCH(0), RET,
	};
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct dupto_vm_hdr h = { DUPTO_VM_VERSION, 4, 1, 0, 0, 0, 0 };
		struct dupto_vm_rule_rec rr = { 1, 1, 0 };
		char list[2][64], *names[2][8], *save, *tok;
		uint32_t n[2] = { 0, 0 }, k, j;
		struct dupto_vm_prog *prog = NULL;
		struct image im = { 0 };
		uint8_t b[sizeof(rr) + sizeof(uint16_t)] = { 0 };
		char err[256] = "";

		snprintf(list[0], sizeof(list[0]), "%s", rows[i].targets);
		snprintf(list[1], sizeof(list[1]), "%s", rows[i].ports);
		for (k = 0; k < 2; k++)
			for (tok = strtok_r(list[k], ",", &save); tok;
			     tok = strtok_r(NULL, ",", &save))
				names[k][n[k]++] = tok;
		h.ntargets = n[0];
		h.nports = n[1];
		rec(&im, DUPTO_VM_REC_HEADER, &h, DUPTO_VM_HDR_LEN_V1);
		rec(&im, DUPTO_VM_REC_INSNS, p, sizeof(p));
		for (k = 0; k < 2; k++)
			for (j = 0; j < n[k]; j++)
				rec(&im, k ? DUPTO_VM_REC_PORT : DUPTO_VM_REC_TARGET,
				    names[k][j], strlen(names[k][j]) + 1);
		memcpy(b, &rr, sizeof(rr));
		rec(&im, DUPTO_VM_REC_RULE, b, sizeof(b));
		dupto_vm_load(im.p, im.n, &prog, err, sizeof(err));
		free(im.p);
		if (rows[i].msg)
			tap_result(!prog && !strcmp(err, rows[i].msg),
				   "names refused: %s: \"%s\"%s%s", rows[i].name,
				   rows[i].msg, prog || strcmp(err, rows[i].msg) ? " got " : "",
				   prog ? "(loaded)" : strcmp(err, rows[i].msg) ? err : "");
		else
			tap_result(prog != NULL, "names load: %s%s%s", rows[i].name,
				   prog ? "" : ": ", prog ? "" : err);
		dupto_vm_free(prog);
	}
}

static void bad_programs(void)
{
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct dupto_vm_prog *prog = NULL;
		struct image im = { 0 };
		char err[256] = "";

		if (!bad[i].msg)
			continue;
		build(&im, bad[i].p, bad[i].n, bad[i].nrules);
		dupto_vm_load(im.p, im.n, &prog, err, sizeof(err));
		free(im.p);
		tap_result(!prog && !strcmp(err, bad[i].msg), "refused: %s: \"%s\"%s%s",
			   bad[i].name, bad[i].msg, prog || strcmp(err, bad[i].msg) ? " got " : "",
			   prog ? "(loaded)" : strcmp(err, bad[i].msg) ? err : "");
		dupto_vm_free(prog);
	}
}

/* ---- good programs ---- */

/* A TCP/IPv4 frame 10.1.2.3:1024 -> 192.168.1.1:80, 60 bytes. */
static uint8_t tcp4[60] = {
	0, 1, 2, 3, 4, 5, 0, 6, 7, 8, 9, 10, 0x08, 0x00,
	0x45, 0, 0, 40, 0, 1, 0, 0, 64, 6, 0, 0, 10, 1, 2, 3, 192, 168, 1, 1,
	0x04, 0x00, 0x00, 0x50, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0x20, 0,
};
/* The same with an 802.1Q tag (VLAN 5), 64 bytes. */
static uint8_t tcp4v[64];
static uint8_t arp[42] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 6, 7, 8, 9, 10, 0x08, 0x06 };
/*
 * IPv6, hop-by-hop, fragment, TCP: 90 bytes. And IPv4 whose AH header
 * (length 3) sends libpcap's walk back to itself, forever: 60 bytes.
 */
static uint8_t tcp6x[90] = {
	0, 1, 2, 3, 4, 5, 0, 6, 7, 8, 9, 10, 0x86, 0xdd,
	0x60, 0, 0, 0, 0, 36, 0, 64, [22] = 0x20, 0x01, 0x0d, 0xb8, [37] = 1,
	[38] = 0x20, 0x01, 0x0d, 0xb8, [53] = 2,
	[54] = 44, 0, 1, 4, 0, 0, 0, 0,		/* hop-by-hop: PadN */
	[62] = 6, 0, 0, 0, 0, 0, 0, 1,		/* fragment */
	[70] = 0x04, 0x00, 0x00, 0x50, [82] = 0x50, 0x02, 0x20,
};
static uint8_t ahloop[60] = {
	0, 1, 2, 3, 4, 5, 0, 6, 7, 8, 9, 10, 0x08, 0x00,
	0x45, 0, 0, 40, 0, 1, 0, 0, 64, 51, 0, 0, 10, 1, 2, 3, 192, 168, 1, 1,
	51, 3,
};

/*
 * The read hook of a non-linear frame, as the kernel's (classify.c) is:
 * it trusts the VM to ask only for bytes of the frame that are not all in
 * the linear part, and reads them unchecked. A request outside that
 * contract is the bug these rows exist to catch, so it stops the test.
 */
static const uint8_t *split_read(const struct dupto_vm_packet *pkt, uint32_t off,
				 uint32_t n, uint8_t *buf)
{
	const uint8_t *whole = pkt->ctx;
	uint32_t end = dupto_vm_pkt_end(pkt);

	if (!n || n > DUPTO_VM_READ_MAX || off > end || n > end - off ||
	    off + n <= pkt->len) {
		fprintf(stderr, "read hook: %u bytes at %u of a %u-byte frame, %u linear\n",
			n, off, end, pkt->len);
		abort();
	}
	memcpy(buf, whole + off, n);
	return buf;
}

/* SPLIT: 20 bytes linear, the rest through the hook; KSPLIT: the same
 * with the tag in metadata, as the kernel gives a tagged GRO frame.
 */
enum view { CAPTURE, KERNEL, SPLIT, KSPLIT };

static const struct good {
	const char *name;
	struct dupto_vm_insn p[MAXP];
	uint32_t n, nrules;
	const uint8_t *frame;
	uint32_t len;
	enum view view;
	uint16_t port;
	uint8_t dir;
	uint64_t targets;	/* bitmap */
	uint32_t matched, aborted;
} good[] = {
	{ "ethertype IPv4", { RULE(0, 2, 0), I(JEQH, 0, 12, 0, 1, 0x800, 0xffff), MATCH(0), RET }, 4, 1, tcp4, 60, CAPTURE, 0, 1, 1, 1, 0 },
	{ "ethertype IPv4 on ARP", { RULE(0, 2, 0), I(JEQH, 0, 12, 0, 1, 0x800, 0xffff), MATCH(0), RET }, 4, 1, arp, 42, CAPTURE, 0, 1, 0, 0, 0 },
	{ "a failed read abandons only its rule",
	  { RULE(0, 2, 0), I(JEQB, 0, 100, 0, 0, 0, 0xff), MATCH(0), RULE(1, 1, 0), MATCH(1), RET }, 6, 2, tcp4, 60, CAPTURE, 0, 1, 2, 1, 1 },
	{ "a failed read under not is no match",
	  { RULE(0, 2, 0), I(JEQB, 0, 100, 1, 0, 0, 0xff), MATCH(0), RET }, 4, 1, tcp4, 60, CAPTURE, 0, 1, 0, 0, 1 },
	{ "rules fire independently",
	  { RULE(0, 1, 0), MATCH(0), RULE(1, 1, 0), MATCH(1), RET }, 5, 2, tcp4, 60, CAPTURE, 0, 1, 3, 2, 0 },
	{ "quick stops at its match",
	  { RULE(0, 1, DUPTO_VM_RULE_QUICK), MATCH(0), RULE(1, 1, 0), MATCH(1), RET }, 5, 2, tcp4, 60, CAPTURE, 0, 1, 1, 1, 0 },
	{ "quick without a match goes on",
	  { RULE(0, 2, DUPTO_VM_RULE_QUICK), I(JEQH, 0, 12, 0, 1, 0x806, 0xffff), MATCH(0), RULE(1, 1, 0), MATCH(1), RET }, 6, 2, tcp4, 60, CAPTURE, 0, 1, 2, 1, 0 },
	{ "else is skipped after a match",
	  { RULE(0, 1, 0), MATCH(0), RULE(1, 1, DUPTO_VM_RULE_ELSE), MATCH(1), RET }, 5, 2, tcp4, 60, CAPTURE, 0, 1, 1, 1, 0 },
	{ "else takes what no rule took",
	  { RULE(0, 2, 0), I(JEQH, 0, 12, 0, 1, 0x806, 0xffff), MATCH(0), RULE(1, 1, DUPTO_VM_RULE_ELSE), MATCH(1), RET }, 6, 2, tcp4, 60, CAPTURE, 0, 1, 2, 1, 0 },
	{ "else after an abandoned rule",
	  { RULE(0, 2, 0), I(JEQB, 0, 200, 0, 0, 0, 0xff), MATCH(0), RULE(1, 1, DUPTO_VM_RULE_ELSE), MATCH(1), RET }, 6, 2, tcp4, 60, CAPTURE, 0, 1, 2, 1, 1 },
	{ "leaving a port, a rule without out does not match",
	  { RULE(0, 1, 0), MATCH(0), RET }, 3, 1, tcp4, 60, CAPTURE, 0, DUPTO_VM_DIR_OUT, 0, 0, 0 },
	{ "leaving a port, an out rule matches",
	  { RULE(0, 1, DUPTO_VM_RULE_OUT), MATCH(0), RET }, 3, 1, tcp4, 60, CAPTURE, 0, DUPTO_VM_DIR_OUT, 1, 1, 0 },
	{ "leaving a port, a quick rule without out does not stop",
	  { RULE(0, 1, DUPTO_VM_RULE_QUICK), MATCH(0), RULE(1, 1, DUPTO_VM_RULE_OUT), MATCH(1), RET }, 5, 2, tcp4, 60, CAPTURE, 0, DUPTO_VM_DIR_OUT, 2, 1, 0 },
	{ "leaving a port, an ignored match leaves else rules the frame",
	  { RULE(0, 1, 0), I(MATCH, 0, 0, 2, 0, 0, 0), RULE(1, 1, DUPTO_VM_RULE_ELSE | DUPTO_VM_RULE_OUT), MATCH(1), RET }, 5, 2, tcp4, 60, CAPTURE, 0, DUPTO_VM_DIR_OUT, 2, 1, 0 },
	{ "arriving, every rule may match",
	  { RULE(0, 1, 0), MATCH(0), RULE(1, 1, DUPTO_VM_RULE_OUT), MATCH(1), RET }, 5, 2, tcp4, 60, CAPTURE, 0, DUPTO_VM_DIR_IN, 3, 2, 0 },
	{ "division by a zero register abandons the rule",
	  { RULE(0, 5, 0), I(LDI, 0, 0, 0, 0, 7, 0), I(LDI, R(1, 0), 0, 0, 0, 0, 0), I(DIVX, R(0, 1), 0, 0, 0, 0, 0), I(JEQK, 0, 0, 0, 1, 0, 0), MATCH(0), RET }, 7, 1, tcp4, 60, CAPTURE, 0, 1, 0, 0, 1 },
	{ "a shift by 32 or more gives 0",
	  { RULE(0, 5, 0), I(LDI, 0, 0, 0, 0, 7, 0), I(LDI, R(1, 0), 0, 0, 0, 40, 0), I(LSHX, R(0, 1), 0, 0, 0, 0, 0), I(JEQK, 0, 0, 0, 1, 0, 0), MATCH(0), RET }, 7, 1, tcp4, 60, CAPTURE, 0, 1, 1, 1, 0 },
	{ "arithmetic wraps",
	  { RULE(0, 4, 0), I(LDI, 0, 0, 0, 0, 0xffffffff, 0), I(ADDK, 0, 0, 0, 0, 2, 0), I(JEQK, 0, 0, 0, 1, 1, 0), MATCH(0), RET }, 6, 1, tcp4, 60, CAPTURE, 0, 1, 1, 1, 0 },
	{ "wire length",
	  { RULE(0, 3, 0), I(LDLEN, 0, 0, 0, 0, 0, 0), I(JEQK, 0, 0, 0, 1, 60, 0), MATCH(0), RET }, 5, 1, tcp4, 60, CAPTURE, 0, 1, 1, 1, 0 },
	{ "transport port through the IPv4 header length",
	  { RULE(0, 3, 0), I(LDIHL, R(7, 0), 14, 0, 0, 0, 0), I(JEQXH, R(0, 7), 16, 0, 1, 80, 0xffff), MATCH(0), RET }, 5, 1, tcp4, 60, CAPTURE, 0, 1, 1, 1, 0 },
	{ "indexed load beyond the frame",
	  { RULE(0, 4, 0), I(LDI, 0, 0, 0, 0, 0xfffffff0, 0), I(LDXW, R(1, 0), 0xffff, 0, 0, 0, 0), I(JEQK, R(1, 0), 0, 0, 0, 0, 0), MATCH(0), RET }, 6, 1, tcp4, 60, CAPTURE, 0, 1, 0, 0, 1 },
	{ "jset on TCP flags",
	  { RULE(0, 3, 0), I(LDIHL, R(7, 0), 14, 0, 0, 0, 0), I(JSETXB, R(0, 7), 27, 0, 1, 0x02, 0xff), MATCH(0), RET }, 5, 1, tcp4, 60, CAPTURE, 0, 1, 1, 1, 0 },
	{ "source in an IPv4 prefix set", { RULE(0, 2, 0), I(JIN, 0, 26, 0, 1, 0, 0), MATCH(0), RET }, 4, 1, tcp4, 60, CAPTURE, 0, 1, 1, 1, 0 },
	{ "destination not in the set", { RULE(0, 2, 0), I(JIN, 0, 30, 0, 1, 0, 0), MATCH(0), RET }, 4, 1, tcp4, 60, CAPTURE, 0, 1, 0, 0, 0 },
	{ "port set through the header length",
	  { RULE(0, 3, 0), I(LDIHL, R(7, 0), 14, 0, 0, 0, 0), I(JINX, R(0, 7), 16, 0, 1, 1, 0), MATCH(0), RET }, 5, 1, tcp4, 60, CAPTURE, 0, 1, 1, 1, 0 },
	{ "in on eth0, received on it", { RULE(0, 2, 0), I(JON, 0, 0, 0, 1, DUPTO_VM_DIR_IN, 0), MATCH(0), RET }, 4, 1, tcp4, 60, CAPTURE, 0, DUPTO_VM_DIR_IN, 1, 1, 0 },
	{ "in on eth0, sent on it", { RULE(0, 2, 0), I(JON, 0, 0, 0, 1, DUPTO_VM_DIR_IN, 0), MATCH(0), RET }, 4, 1, tcp4, 60, CAPTURE, 0, DUPTO_VM_DIR_OUT, 0, 0, 0 },
	{ "on eth0, either way", { RULE(0, 2, DUPTO_VM_RULE_OUT), I(JON, 0, 0, 0, 1, 3, 0), MATCH(0), RET }, 4, 1, tcp4, 60, CAPTURE, 0, DUPTO_VM_DIR_OUT, 1, 1, 0 },
	{ "on eth0, frame on no port", { RULE(0, 2, 0), I(JON, 0, 0, 0, 1, 3, 0), MATCH(0), RET }, 4, 1, tcp4, 60, CAPTURE, DUPTO_VM_PORT_NONE, DUPTO_VM_DIR_IN, 0, 0, 0 },
	{ "tag in metadata read at offset 12", { RULE(0, 2, 0), I(JEQH, 0, 12, 0, 1, 0x8100, 0xffff), MATCH(0), RET }, 4, 1, tcp4v, 64, KERNEL, 0, 1, 1, 1, 0 },
	{ "VLAN id from metadata", { RULE(0, 2, 0), I(JEQH, 0, 14, 0, 1, 5, 0x0fff), MATCH(0), RET }, 4, 1, tcp4v, 64, KERNEL, 0, 1, 1, 1, 0 },
	{ "inner EtherType after the tag", { RULE(0, 2, 0), I(JEQH, 0, 16, 0, 1, 0x800, 0xffff), MATCH(0), RET }, 4, 1, tcp4v, 64, KERNEL, 0, 1, 1, 1, 0 },
	{ "a word across the tag", { RULE(0, 2, 0), I(JEQW, 0, 14, 0, 1, 0x00050800, 0xffffffff), MATCH(0), RET }, 4, 1, tcp4v, 64, KERNEL, 0, 1, 1, 1, 0 },
	{ "a word across the MAC and the tag", { RULE(0, 2, 0), I(JEQW, 0, 10, 0, 1, 0x090a8100, 0xffffffff), MATCH(0), RET }, 4, 1, tcp4v, 64, KERNEL, 0, 1, 1, 1, 0 },
	{ "tagged source address", { RULE(0, 2, 0), I(JEQW, 0, 30, 0, 1, 0x0a010203, 0xffffffff), MATCH(0), RET }, 4, 1, tcp4v, 64, KERNEL, 0, 1, 1, 1, 0 },
	{ "non-linear frame through the read hook", { RULE(0, 2, 0), I(JEQW, 0, 30, 0, 1, 0xc0a80101, 0xffffffff), MATCH(0), RET }, 4, 1, tcp4, 60, SPLIT, 0, 1, 1, 1, 0 },
	{ "non-linear frame, read past its end", { RULE(0, 2, 0), I(JEQW, 0, 58, 0, 1, 0, 0xffffffff), MATCH(0), RET }, 4, 1, tcp4, 60, SPLIT, 0, 1, 0, 0, 1 },
	/* Offsets from registers near 0, 2^31 and 2^32 - 1: only bytes of the frame are read. */
	{ "non-linear, indexed load at a register's offset", { RULE(0, 4, 0), I(LDI, 0, 0, 0, 0, 30, 0), I(LDXW, R(1, 0), 0, 0, 0, 0, 0), I(JEQK, R(1, 0), 0, 0, 1, 0xc0a80101, 0), MATCH(0), RET }, 6, 1, tcp4, 60, SPLIT, 0, 1, 1, 1, 0 },
	{ "non-linear, indexed load at 2^31 - 2", { RULE(0, 4, 0), I(LDI, 0, 0, 0, 0, 0x7ffffffe, 0), I(LDXW, R(1, 0), 0, 0, 0, 0, 0), I(JGEK, R(1, 0), 0, 0, 1, 0, 0), MATCH(0), RET }, 6, 1, tcp4, 60, SPLIT, 0, 1, 0, 0, 1 },
	{ "non-linear, indexed load at 2^31", { RULE(0, 4, 0), I(LDI, 0, 0, 0, 0, 0x80000000, 0), I(LDXW, R(1, 0), 0, 0, 0, 0, 0), I(JGEK, R(1, 0), 0, 0, 1, 0, 0), MATCH(0), RET }, 6, 1, tcp4, 60, SPLIT, 0, 1, 0, 0, 1 },
	{ "non-linear, indexed byte at 2^32 - 1 + 0xffff", { RULE(0, 4, 0), I(LDI, 0, 0, 0, 0, 0xffffffff, 0), I(LDXB, R(1, 0), 0xffff, 0, 0, 0, 0), I(JGEK, R(1, 0), 0, 0, 1, 0, 0), MATCH(0), RET }, 6, 1, tcp4, 60, SPLIT, 0, 1, 0, 0, 1 },
	{ "non-linear, indexed word ending at 2^32", { RULE(0, 4, 0), I(LDI, 0, 0, 0, 0, 0xfffffffc, 0), I(LDXW, R(1, 0), 0, 0, 0, 0, 0), I(JGEK, R(1, 0), 0, 0, 1, 0, 0), MATCH(0), RET }, 6, 1, tcp4, 60, SPLIT, 0, 1, 0, 0, 1 },
	{ "non-linear, indexed compare at 2^31", { RULE(0, 3, 0), I(LDI, 0, 0, 0, 0, 0x80000000, 0), I(JEQXW, R(0, 0), 0, 0, 1, 0, 0xffffffff), MATCH(0), RET }, 5, 1, tcp4, 60, SPLIT, 0, 1, 0, 0, 1 },
	{ "non-linear, indexed set lookup at 2^31", { RULE(0, 3, 0), I(LDI, 0, 0, 0, 0, 0x80000000, 0), I(JINX, R(0, 0), 0, 0, 1, 0, 0), MATCH(0), RET }, 5, 1, tcp4, 60, SPLIT, 0, 1, 0, 0, 1 },
	{ "non-linear, indexed set lookup at 2^32 - 2", { RULE(0, 3, 0), I(LDI, 0, 0, 0, 0, 0xfffffffe, 0), I(JINX, R(0, 0), 0, 0, 1, 1, 0), MATCH(0), RET }, 5, 1, tcp4, 60, SPLIT, 0, 1, 0, 0, 1 },
	{ "non-linear, load at the last offset an instruction holds", { RULE(0, 3, 0), I(LDW, R(1, 0), 0xffff, 0, 0, 0, 0), I(JGEK, R(1, 0), 0, 0, 1, 0, 0), MATCH(0), RET }, 5, 1, tcp4, 60, SPLIT, 0, 1, 0, 0, 1 },
	{ "non-linear tagged, a word across the tag", { RULE(0, 2, 0), I(JEQW, 0, 14, 0, 1, 0x00050800, 0xffffffff), MATCH(0), RET }, 4, 1, tcp4v, 64, KSPLIT, 0, 1, 1, 1, 0 },
	{ "non-linear tagged, the destination address", { RULE(0, 2, 0), I(JEQW, 0, 34, 0, 1, 0xc0a80101, 0xffffffff), MATCH(0), RET }, 4, 1, tcp4v, 64, KSPLIT, 0, 1, 1, 1, 0 },
	{ "non-linear tagged, the last byte", { RULE(0, 2, 0), I(JEQB, 0, 63, 0, 1, 0, 0xff), MATCH(0), RET }, 4, 1, tcp4v, 64, KSPLIT, 0, 1, 1, 1, 0 },
	{ "non-linear tagged, one past the last byte", { RULE(0, 2, 0), I(JEQB, 0, 64, 0, 1, 0, 0xff), MATCH(0), RET }, 4, 1, tcp4v, 64, KSPLIT, 0, 1, 0, 0, 1 },
	{ "non-linear tagged, indexed load at 2^31 + 12", { RULE(0, 4, 0), I(LDI, 0, 0, 0, 0, 0x8000000c, 0), I(LDXH, R(1, 0), 0, 0, 0, 0, 0), I(JGEK, R(1, 0), 0, 0, 1, 0, 0), MATCH(0), RET }, 6, 1, tcp4v, 64, KSPLIT, 0, 1, 0, 0, 1 },
	{ "non-linear tagged, indexed load at 2^32 - 2", { RULE(0, 4, 0), I(LDI, 0, 0, 0, 0, 0xfffffffe, 0), I(LDXW, R(1, 0), 0, 0, 0, 0, 0), I(JGEK, R(1, 0), 0, 0, 1, 0, 0), MATCH(0), RET }, 6, 1, tcp4v, 64, KSPLIT, 0, 1, 0, 0, 1 },
	{ "a match may skip later rules",
	  { RULE(0, 1, 0), I(MATCH, 0, 0, 2, 0, 0, 0), RULE(1, 1, 0), MATCH(1), RET }, 5, 2, tcp4, 60, CAPTURE, 0, 1, 1, 1, 0 },
	{ "a jump into a later rule's body",
	  { RULE(0, 2, 0), I(JEQH, 0, 12, 3, 0, 0x800, 0xffff), MATCH(0), RULE(1, 2, 0),
	    I(JEQH, 0, 12, 0, 1, 0x806, 0xffff), MATCH(1), RET }, 7, 2, tcp4, 60, CAPTURE, 0, 1, 2, 1, 0 },
	{ "the same rules on a frame that takes no jump",
	  { RULE(0, 2, 0), I(JEQH, 0, 12, 3, 0, 0x800, 0xffff), MATCH(0), RULE(1, 2, 0),
	    I(JEQH, 0, 12, 0, 1, 0x806, 0xffff), MATCH(1), RET }, 7, 2, arp, 42, CAPTURE, 0, 1, 3, 2, 0 },
	{ "a failed read abandons the rule a jump entered",
	  { RULE(0, 2, 0), I(JEQH, 0, 12, 2, 0, 0x800, 0xffff), MATCH(0), RULE(1, 2, 0),
	    I(JEQB, 0, 100, 0, 0, 0, 0xff), MATCH(1), RULE(2, 1, 0), MATCH(2), RET }, 9, 3, tcp4, 60, CAPTURE, 0, 1, 1, 1, 1 },
	/* libpcap's inbound and outbound: any port */
	{ "inbound, arriving", { RULE(0, 2, 0), I(JON, 0, DUPTO_VM_PORT_ANY, 0, 1, DUPTO_VM_DIR_IN, 0), MATCH(0), RET }, 4, 1, tcp4, 60, CAPTURE, 0, DUPTO_VM_DIR_IN, 1, 1, 0 },
	{ "inbound, leaving", { RULE(0, 2, DUPTO_VM_RULE_OUT), I(JON, 0, DUPTO_VM_PORT_ANY, 0, 1, DUPTO_VM_DIR_IN, 0), MATCH(0), RET }, 4, 1, tcp4, 60, CAPTURE, 0, DUPTO_VM_DIR_OUT, 0, 0, 0 },
	{ "outbound, leaving", { RULE(0, 2, DUPTO_VM_RULE_OUT), I(JON, 0, DUPTO_VM_PORT_ANY, 0, 1, DUPTO_VM_DIR_OUT, 0), MATCH(0), RET }, 4, 1, tcp4, 60, CAPTURE, 0, DUPTO_VM_DIR_OUT, 1, 1, 0 },
	{ "inbound, on no port of the table", { RULE(0, 2, 0), I(JON, 0, DUPTO_VM_PORT_ANY, 0, 1, DUPTO_VM_DIR_IN, 0), MATCH(0), RET }, 4, 1, tcp4, 60, CAPTURE, DUPTO_VM_PORT_NONE, DUPTO_VM_DIR_IN, 1, 1, 0 },
	/* protocol chains */
	{ "ip protochain 6 on TCP", { RULE(0, 2, 0), I(JCHAIN4, 0, 14, 0, 1, 6, 0), MATCH(0), RET }, 4, 1, tcp4, 60, CAPTURE, 0, 1, 1, 1, 0 },
	{ "ip protochain 17 on TCP", { RULE(0, 2, 0), I(JCHAIN4, 0, 14, 0, 1, 17, 0), MATCH(0), RET }, 4, 1, tcp4, 60, CAPTURE, 0, 1, 0, 0, 0 },
	{ "ip protochain 262 (never a type) on TCP", { RULE(0, 2, 0), I(JCHAIN4, 0, 14, 0, 1, 262, 0), MATCH(0), RET }, 4, 1, tcp4, 60, CAPTURE, 0, 1, 0, 0, 0 },
	{ "ip protochain 6, tag in metadata", { RULE(0, 2, 0), I(JCHAIN4, 0, 18, 0, 1, 6, 0), MATCH(0), RET }, 4, 1, tcp4v, 64, KERNEL, 0, 1, 1, 1, 0 },
	{ "ip protochain 6, non-linear", { RULE(0, 2, 0), I(JCHAIN4, 0, 14, 0, 1, 6, 0), MATCH(0), RET }, 4, 1, tcp4, 60, SPLIT, 0, 1, 1, 1, 0 },
	{ "ip protochain past the frame", { RULE(0, 2, 0), I(JCHAIN4, 0, 56, 0, 1, 6, 0), MATCH(0), RET }, 4, 1, tcp4, 60, CAPTURE, 0, 1, 0, 0, 1 },
	{ "ip6 protochain 6 past hop-by-hop and fragment", { RULE(0, 2, 0), I(JCHAIN6, 0, 14, 0, 1, 6, 0), MATCH(0), RET }, 4, 1, tcp6x, 90, CAPTURE, 0, 1, 1, 1, 0 },
	{ "ip6 protochain 44 stops at the fragment header", { RULE(0, 2, 0), I(JCHAIN6, 0, 14, 0, 1, 44, 0), MATCH(0), RET }, 4, 1, tcp6x, 90, CAPTURE, 0, 1, 1, 1, 0 },
	{ "ip6 protochain 17 walks the chain to TCP", { RULE(0, 2, 0), I(JCHAIN6, 0, 14, 0, 1, 17, 0), MATCH(0), RET }, 4, 1, tcp6x, 90, CAPTURE, 0, 1, 0, 0, 0 },
	{ "ip6 protochain 0 is the first header", { RULE(0, 2, 0), I(JCHAIN6, 0, 14, 0, 1, 0, 0), MATCH(0), RET }, 4, 1, tcp6x, 62, CAPTURE, 0, 1, 1, 1, 0 },
	{ "ip6 protochain 6 on a frame cut inside the chain", { RULE(0, 2, 0), I(JCHAIN6, 0, 14, 0, 1, 6, 0), MATCH(0), RET }, 4, 1, tcp6x, 62, CAPTURE, 0, 1, 0, 0, 1 },
	{ "ip6 protochain 6, non-linear", { RULE(0, 2, 0), I(JCHAIN6, 0, 14, 0, 1, 6, 0), MATCH(0), RET }, 4, 1, tcp6x, 90, SPLIT, 0, 1, 1, 1, 0 },
	{ "IPv4's walk does not step over IPv6 headers", { RULE(0, 2, 0), I(JCHAIN4, 0, 14, 0, 1, 6, 0), MATCH(0), RET }, 4, 1, tcp6x, 90, CAPTURE, 0, 1, 0, 0, 0 },
	{ "an AH that loops: its own type is met", { RULE(0, 2, 0), I(JCHAIN4, 0, 14, 0, 1, 51, 0), MATCH(0), RET }, 4, 1, ahloop, 60, CAPTURE, 0, 1, 1, 1, 0 },
	{ "an AH that loops is cut at DUPTO_VM_CHAIN_MAX", { RULE(0, 2, 0), I(JCHAIN4, 0, 14, 0, 1, 6, 0), MATCH(0), RET }, 4, 1, ahloop, 60, CAPTURE, 0, 1, 0, 0, 1 },
	{ "one walk answers every rule that asks",
	  { RULE(0, 2, 0), I(JCHAIN4, 0, 14, 0, 1, 6, 0), MATCH(0), RULE(1, 2, 0), I(JCHAIN4, 0, 14, 0, 1, 51, 0), MATCH(1),
	    RULE(2, 2, 0), I(JCHAIN6, 0, 14, 0, 1, 51, 0), MATCH(2), RET }, 10, 3, ahloop, 60, CAPTURE, 0, 1, 2, 1, 2 },
	{ "registers written before a jump into a rule that writes them too",
	  { RULE(0, 3, 0), I(LDIHL, R(7, 0), 14, 0, 0, 0, 0), I(JEQH, 0, 12, 3, 0, 0x800, 0xffff), MATCH(0),
	    RULE(1, 3, 0), I(LDIHL, R(7, 0), 14, 0, 0, 0, 0), I(JEQXH, R(0, 7), 16, 0, 1, 80, 0xffff), MATCH(1), RET },
	  9, 2, tcp4, 60, CAPTURE, 0, 1, 2, 1, 0 },
};

static void good_programs(void)
{
	size_t i;

	memcpy(tcp4v, tcp4, 12);
	tcp4v[12] = 0x81;
	tcp4v[14] = 0x00;
	tcp4v[15] = 5;
	memcpy(tcp4v + 16, tcp4 + 12, 48);

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		const struct good *g = &good[i];
		struct dupto_vm_rule_stats stats[4];
		struct dupto_vm_prog *prog = NULL;
		struct dupto_vm_packet pkt;
		struct dupto_vm_result res;
		struct frame fr = { (uint8_t *)g->frame, g->len, g->len };
		uint8_t buf[128];
		char err[256] = "";
		struct image im = { 0 };
		uint64_t want_stats = 0, got_stats = 0;
		uint32_t r;
		int err_load;

		memset(stats, 0, sizeof(stats));
		build(&im, g->p, g->n, g->nrules);
		err_load = dupto_vm_load(im.p, im.n, &prog, err, sizeof(err));
		free(im.p);
		if (err_load) {
			tap_result(false, "runs: %s: refused: %s", g->name, err);
			continue;
		}
		if (g->view == KERNEL || g->view == KSPLIT)
			view_kernel(&fr, &pkt, buf);
		else
			view_capture(&fr, &pkt);
		if (g->view == SPLIT || g->view == KSPLIT) {
			pkt.ctx = pkt.data;
			pkt.len = 20;
			pkt.read = split_read;
		}
		pkt.port = g->port;
		pkt.dir = g->dir;
		dupto_vm_run(prog, &pkt, &res, stats);
		for (r = 0; r < g->nrules; r++) {
			got_stats += u64_stats_read(&stats[r].packets);
			want_stats += u64_stats_read(&stats[r].bytes) ==
				      u64_stats_read(&stats[r].packets) * g->len;
		}
		tap_result(res.targets[0] == g->targets && !res.targets[1] &&
			   res.matched == g->matched && res.aborted == g->aborted &&
			   got_stats == g->matched && want_stats == g->nrules,
			   "runs: %s: targets 0x%llx, %u matched, %u abandoned",
			   g->name, (unsigned long long)res.targets[0], res.matched,
			   res.aborted);
		dupto_vm_free(prog);
	}
}

/* ---- groups ---- */

/*
 * A frame of flow @i: UDP over IPv4 (@v6: IPv6 with a hop-by-hop header),
 * 10.1.x.y:(10000 + i) to 10.2.0.z:53, or back with @rev. @frag: an IPv4
 * fragment at 8-byte offset @frag - 1 with MF set (the first carries the
 * ports), or for IPv6 a fragment header after the hop-by-hop one. Returns
 * the frame's length.
 */
static size_t flow_frame(uint8_t *f, uint32_t i, bool rev, bool v6, int frag)
{
	uint8_t a[16] = { 0 }, b[16] = { 0 };
	uint16_t pa = 10000 + i, pb = 53;
	size_t off;

	a[0] = 10; a[1] = 1; a[2] = i >> 8; a[3] = i;
	b[0] = 10; b[1] = 2; b[3] = i % 50 + 1;
	memset(f, 0, 128);
	memcpy(f, rev ? "\x02\0\0\0\0\x0a" : "\x02\0\0\0\0\x0b", 6);
	memcpy(f + 6, rev ? "\x02\0\0\0\0\x0b" : "\x02\0\0\0\0\x0a", 6);
	if (!v6) {
		f[12] = 0x08;
		f[14] = 0x45;
		f[23] = 17;
		if (frag) {
			f[20] = 0x20 | (frag - 1) >> 8;	/* MF */
			f[21] = frag - 1;
		}
		memcpy(f + 26, rev ? b : a, 4);
		memcpy(f + 30, rev ? a : b, 4);
		off = 34;
	} else {
		f[12] = 0x86;
		f[13] = 0xdd;
		f[14] = 0x60;
		f[20] = 0;			/* hop-by-hop */
		memcpy(f + 22, rev ? b : a, 16);
		memcpy(f + 38, rev ? a : b, 16);
		f[54] = frag ? 44 : 17;		/* its next header; length 0 */
		off = 62;
		if (frag) {
			f[62] = 17;
			off = 70;
		}
	}
	f[off] = (rev ? pb : pa) >> 8;
	f[off + 1] = rev ? pb : pa;
	f[off + 2] = (rev ? pa : pb) >> 8;
	f[off + 3] = rev ? pa : pb;
	return off + 8;
}

static uint64_t flow_hash(uint32_t i, bool rev, bool v6, int frag, uint8_t mode,
			  const dupto_vm_hkey *key)
{
	struct dupto_vm_packet pkt = { 0 };
	struct dupto_vm_flow fl;
	uint8_t f[128];

	pkt.data = f;
	pkt.len = pkt.wire_len = flow_frame(f, i, rev, v6, frag);
	dupto_vm_flow_parse(&pkt, &fl);
	return dupto_vm_flow_hash(&fl, mode, key);
}

static bool not_target(const void *ctx, uint32_t target)
{
	return target != *(const uint32_t *)ctx;
}

/* What the hash must keep together, and what rendezvous must keep put. */
static void group_hashing(const struct dupto_vm_prog *prog)
{
	static const struct {
		const char *name;
		bool v6;
		int frag;		/* of the second frame */
		uint8_t mode;
		bool same;		/* as the unfragmented forward frame */
	} rows[] = {
		{ "IPv4 reply, ports mode", false, 0, DUPTO_VM_HASH_PORTS, true },
		{ "IPv4 first fragment, addresses mode", false, 1, DUPTO_VM_HASH_ADDRS, true },
		{ "IPv4 later fragment, addresses mode", false, 186, DUPTO_VM_HASH_ADDRS, true },
		{ "IPv4 first fragment, ports mode", false, 1, DUPTO_VM_HASH_PORTS, false },
		{ "IPv6 reply past a hop-by-hop header", true, 0, DUPTO_VM_HASH_PORTS, true },
		{ "IPv6 fragment, addresses mode", true, 1, DUPTO_VM_HASH_ADDRS, true },
		{ "IPv6 fragment, ports mode", true, 1, DUPTO_VM_HASH_PORTS, false },
	};
	const struct dupto_vm_group *g = &prog->groups[0];
	uint32_t n = 10000, count[4] = { 0 }, moved = 0, stray = 0, gone, i, k;
	uint64_t h;
	size_t r;
	int m, m2;

	for (r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		bool ok = true;

		for (i = 0; i < 300 && ok; i++) {
			h = flow_hash(i, false, rows[r].v6, 0, rows[r].mode, &g->key);
			ok = (h == flow_hash(i, !rows[r].frag, rows[r].v6, rows[r].frag,
					     rows[r].mode, &g->key)) == rows[r].same;
		}
		tap_result(ok, "groups: %s: %s the flow's hash over 300 flows",
			   rows[r].name, rows[r].same ? "keeps" : "is not");
	}

	{
		struct dupto_vm_packet pkt = { 0 };
		struct dupto_vm_flow fl;
		uint8_t f[128];

		pkt.data = f;
		pkt.len = pkt.wire_len = flow_frame(f, 7, false, true, 0);
		dupto_vm_flow_parse(&pkt, &fl);
		tap_result(fl.ethertype == 0x86dd && fl.proto == 17 &&
			   fl.port_a == 10007 && fl.port_b == 53,
			   "groups: the IPv6 flow key walks past a hop-by-hop header to UDP's ports");
	}

	/* weights 1, 2, 1 over targets 1, 2, 3: shares 1/4, 1/2, 1/4 */
	for (i = 0; i < n; i++) {
		m = dupto_vm_group_pick(g, flow_hash(i, false, false, 0, g->hash, &g->key),
					NULL, NULL);
		count[m]++;
	}
	tap_result(count[1] > n / 4 * 9 / 10 && count[1] < n / 4 * 11 / 10 &&
		   count[2] > n / 2 * 9 / 10 && count[2] < n / 2 * 11 / 10 &&
		   count[3] > n / 4 * 9 / 10 && count[3] < n / 4 * 11 / 10,
		   "groups: weights 1, 2, 1 share %u flows within 10 %%: %u, %u, %u",
		   n, count[1], count[2], count[3]);

	/* a member gone moves its own flows, and only those */
	for (k = 1; k <= 3; k++) {
		gone = k;
		for (i = 0; i < n; i++) {
			h = flow_hash(i, false, false, 0, g->hash, &g->key);
			m = dupto_vm_group_pick(g, h, NULL, NULL);
			m2 = dupto_vm_group_pick(g, h, not_target, &gone);
			moved += m != m2;
			stray += m != m2 && m != (int)gone;
			stray += m2 == (int)gone;
		}
	}
	tap_result(!stray && moved == n, "groups: a member gone moves only its flows (%u of %u, %u astray)",
		   moved, 3 * n, stray);
}

/* The ruleset of @text as an image, its group record patched by @patch. */
static int group_image(const char *text, struct image *im, int at, uint8_t val)
{
	struct cc cc = { .file = "<test>", .src = text, .len = strlen(text) };
	size_t pos = 0, len;
	void *p;

	if (cc_compile(&cc, false) || cc_image(&cc, &p, &len)) {
		cc_free(&cc);
		return -1;
	}
	cc_free(&cc);
	im->p = p;
	im->n = len;
	if (at < 0)
		return 0;
	/* the first group record */
	while (pos < im->n) {
		struct dupto_vm_rec r;

		memcpy(&r, im->p + pos, sizeof(r));
		if (r.type == DUPTO_VM_REC_GROUP) {
			im->p[pos + 4 + at] = val;
			return 0;
		}
		pos += DUPTO_VM_REC_ALIGN(r.len);
	}
	return -1;
}

static void groups(void)
{
	static const char text[] =
		"group g members a, b, c hash addresses seed 7 weights 1, 2, 1\n"
		"rule to g, a\n";
	/* offsets in the record: gr 12 bytes, then 4 per member */
	static const struct {
		const char *name;
		int at;
		uint8_t val;
		const char *msg;
	} rows[] = {
		{ "bad hash mode", 2, 9, "group g: unknown hash mode 9" },
		{ "reserved byte", 3, 1, "record 9: bad group record" },
		{ "group target out of range", 0, 9, "group 0: target 9 out of range (4 targets)" },
		{ "unknown member", 12, 9, "group g: member 1: unknown target 9 (4 targets)" },
		{ "duplicate member", 16, 1, "group g: member a listed twice" },
		{ "weight 0", 14, 0, "group g: member a: weight 0, not 1 to 16" },
		{ "weight 17", 14, 17, "group g: member a: weight 17, not 1 to 16" },
		{ "member is the group", 12, 0, "group g: a group cannot be its own member" },
		{ "empty group", 8, 0, "record 9: bad group record" },
	};
	/* SipHash-2-4's reference vector: key 00..0f, message 00..0e */
	dupto_vm_hkey key = { { 0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL } };
	uint8_t msg[15], rev[60], tagged[64];
	struct dupto_vm_packet pkt = { 0 };
	struct dupto_vm_prog *prog = NULL;
	struct dupto_vm_flow fl;
	struct image im = { 0 };
	char err[256];
	uint64_t h1, h2, h3;
	size_t i;

	for (i = 0; i < sizeof(msg); i++)
		msg[i] = i;
	tap_result(dupto_vm_siphash(msg, sizeof(msg), &key) == 0xa129ca6149be45e5ULL,
		   "groups: SipHash-2-4 gives the reference vector");

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		err[0] = 0;
		prog = NULL;
		if (group_image(text, &im, rows[i].at, rows[i].val) == 0)
			dupto_vm_load(im.p, im.n, &prog, err, sizeof(err));
		tap_result(!prog && !strcmp(err, rows[i].msg), "groups: refused: %s: \"%s\"%s%s",
			   rows[i].name, rows[i].msg, prog || strcmp(err, rows[i].msg) ? " got " : "",
			   prog ? "(loaded)" : strcmp(err, rows[i].msg) ? err : "");
		dupto_vm_free(prog);
		free(im.p);
	}

	/* both directions of a flow, and a tag, hash alike */
	memcpy(rev, tcp4, sizeof(rev));
	memcpy(rev, tcp4 + 6, 6);
	memcpy(rev + 6, tcp4, 6);
	memcpy(rev + 26, tcp4 + 30, 4);
	memcpy(rev + 30, tcp4 + 26, 4);
	memcpy(rev + 34, tcp4 + 36, 2);
	memcpy(rev + 36, tcp4 + 34, 2);
	memcpy(tagged, tcp4, 12);
	memcpy(tagged + 12, "\x81\x00\x00\x05", 4);
	memcpy(tagged + 16, tcp4 + 12, 48);
	dupto_vm_hash_key(&key, 7);
	pkt.data = tcp4;
	pkt.len = pkt.wire_len = sizeof(tcp4);
	dupto_vm_flow_parse(&pkt, &fl);
	h1 = dupto_vm_flow_hash(&fl, DUPTO_VM_HASH_PORTS, &key);
	pkt.data = rev;
	dupto_vm_flow_parse(&pkt, &fl);
	h2 = dupto_vm_flow_hash(&fl, DUPTO_VM_HASH_PORTS, &key);
	pkt.data = tagged;
	pkt.len = pkt.wire_len = sizeof(tagged);
	dupto_vm_flow_parse(&pkt, &fl);
	h3 = dupto_vm_flow_hash(&fl, DUPTO_VM_HASH_PORTS, &key);
	tap_result(h1 == h2 && h1 == h3, "groups: a flow's two directions and a tagged frame hash alike");
	tap_result(fl.port_a == 1024 && fl.port_b == 80 && fl.proto == 6,
		   "groups: the flow key skips the tag to the ports");

	/* the image loads, and the group goes to one member */
	if (group_image(text, &im, -1, 0) == 0)
		dupto_vm_load(im.p, im.n, &prog, err, sizeof(err));
	tap_result(prog && prog->ngroups == 1 && prog->groups[0].nmembers == 3 &&
		   prog->groups[0].members[1].weight == 2,
		   "groups: an image with a group loads");
	if (prog) {
		struct dupto_vm_result res;
		int n = 0;

		pkt.data = tcp4;
		pkt.len = pkt.wire_len = sizeof(tcp4);
		pkt.port = DUPTO_VM_PORT_NONE;
		dupto_vm_run(prog, &pkt, &res, NULL);
		dupto_vm_resolve_groups(prog, &pkt, res.targets, NULL, NULL);
		for (i = 0; i < 4; i++)
			n += res.targets[0] >> i & 1;
		tap_result(!(res.targets[0] & 1) && (res.targets[0] & 2) &&
			   (n == 1 || n == 2),
			   "groups: a frame goes to one member, and to a once");
		group_hashing(prog);
	}
	dupto_vm_free(prog);
	free(im.p);
}

/* ---- bounded work: loading and per frame ---- */

/*
 * Addresses the set hash before it was keyed put in one cluster: members
 * and others from the same cluster. Each lookup must probe at most
 * DUPTO_VM_SET_PROBES slots (the unkeyed table walked the cluster: about
 * as many probes as members), and still find exactly the members.
 */
static void probe_bound(void)
{
	static const struct {
		const char *name;
		uint32_t from, n;	/* of clustered_hosts(2 * NCLUSTER, NCLUSTER) */
		bool member;
	} rows[] = {
		{ "members", 0, 8192, true },
		{ "non-members from the same cluster", 8192, 8192, false },
	};
	enum { NCLUSTER = 8192 };
	struct dupto_vm_prog *prog = NULL;
	struct image im = { 0 };
	uint32_t *addrs, i, found, worst;
	unsigned long before, total;
	char err[256] = "";
	size_t r;

	addrs = calloc(2 * NCLUSTER, sizeof(*addrs));
	if (!addrs)
		abort();
	/* the image's set is the first NCLUSTER of these */
	clustered_hosts(addrs, 2 * NCLUSTER, NCLUSTER);
	big_image(&im, BIG_HOSTS_CLUSTERED, NCLUSTER);
	dupto_vm_load(im.p, im.n, &prog, err, sizeof(err));
	free(im.p);
	if (!prog) {
		tap_result(false, "bounds: a clustered set loads: %s", err);
		free(addrs);
		return;
	}
	for (r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		found = worst = 0;
		total = 0;
		for (i = rows[r].from; i < rows[r].from + rows[r].n; i++) {
			uint8_t key[4] = { addrs[i] >> 24, addrs[i] >> 16, addrs[i] >> 8, addrs[i] };

			before = dupto_vm_probes;
			found += dupto_vm_set_lookup(prog->sets[0], key);
			before = dupto_vm_probes - before;
			total += before;
			if (before > worst)
				worst = before;
		}
		tap_result(found == (rows[r].member ? rows[r].n : 0) &&
			   worst <= DUPTO_VM_SET_PROBES,
			   "bounds: %u keys the unkeyed hash clustered, %s: %u found, at most %u probes (bound %u), %.2f on average",
			   rows[r].n, rows[r].name, found, worst, DUPTO_VM_SET_PROBES,
			   (double)total / rows[r].n);
	}
	dupto_vm_free(prog);
	free(addrs);
}

/*
 * The verifier's worst case per frame: RULE, @njin lookups in an IPv6 set
 * of 129 prefix lengths (130 table lookups each at worst, one per length
 * and one for a frame cut short), MATCH, RET.
 */
static void cost_limit(void)
{
	static const struct {
		uint32_t njin;
		const char *msg;	/* NULL: accepted */
	} rows[] = {
		{ 1, NULL },
		{ 15, NULL },	/* 3 + 15 * (1 + 130 * 64) = 124818 */
		{ 16, "program: worst-case cost 133139 exceeds 131072" },
		{ 200, "program: worst-case cost 1664203 exceeds 131072" },
	};
	size_t r;

	for (r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		struct dupto_vm_prog *prog = NULL;
		struct image im = { 0 };
		char err[256] = "";
		bool ok;

		big_image(&im, BIG_LOOKUPS, rows[r].njin);
		dupto_vm_load(im.p, im.n, &prog, err, sizeof(err));
		ok = rows[r].msg ? !prog && !strcmp(err, rows[r].msg) : !!prog;
		tap_result(ok, "bounds: %u lookups in a set of 129 prefix lengths: %s%s%s",
			   rows[r].njin, rows[r].msg ? rows[r].msg : "accepted",
			   ok ? "" : ", got ", ok ? "" : prog ? "accepted" : err);
		dupto_vm_free(prog);
		free(im.p);
	}
}

static double load_once(const struct image *im)
{
	struct dupto_vm_prog *prog = NULL;
	struct timespec a, b;
	char err[256];

	clock_gettime(CLOCK_MONOTONIC, &a);
	dupto_vm_load(im->p, im->n, &prog, err, sizeof(err));
	clock_gettime(CLOCK_MONOTONIC, &b);
	if (!prog)
		fprintf(stderr, "# load refused: %s\n", err);
	dupto_vm_free(prog);
	return (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;
}

/*
 * The least of 7 loads of each image, taken in turns so that a busy
 * machine slows both alike.
 */
static void load_ms(enum big_image kind, uint32_t n, enum big_image ref_kind,
		    uint32_t ref_n, double *t, double *ref)
{
	struct image im = { 0 }, ref_im = { 0 };
	double x;
	int rep;

	big_image(&im, kind, n);
	big_image(&ref_im, ref_kind, ref_n);
	*t = *ref = 1e30;
	for (rep = 0; rep < 7; rep++) {
		x = load_once(&im);
		if (x < *t)
			*t = x;
		x = load_once(&ref_im);
		if (x < *ref)
			*ref = x;
	}
	free(im.p);
	free(ref_im.p);
}

/*
 * Loading takes time in proportion to the image, not to what it asks for:
 * two images of the same size load in about the same time. Before, ranges
 * of all 65536 ports were set bit by bit (seconds for a 256 KiB image), and
 * addresses in one cluster made every insert walk it (quadratic).
 */
static void linear_load(void)
{
	static const struct {
		const char *name;
		enum big_image kind, ref;
		uint32_t n, ref_n;
		double most;	/* times the reference's time */
	} rows[] = {
		{ "65536 port ranges 0-65535 vs as many single ports",
		  BIG_PORT_RANGES, BIG_PORT_VALUES, 65536, 65536, 3.0 },
		{ "65536 addresses the unkeyed hash clustered vs random ones",
		  BIG_HOSTS_CLUSTERED, BIG_HOSTS_RANDOM, 65536, 65536, 3.0 },
	};
	double t, ref;
	size_t r;

	for (r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		load_ms(rows[r].kind, rows[r].n, rows[r].ref, rows[r].ref_n, &t, &ref);

		tap_result(t <= rows[r].most * ref + 1.0,
			   "bounds: load time of %s: %.2f ms vs %.2f ms, at most %.1fx",
			   rows[r].name, t, ref, rows[r].most);
	}
}

/*
 * A rule's text, 16 MiB in 256 records: its load allocates about that
 * once, counted (dupto_vm_zalloc() in vm_env.h), not timed. Growing it
 * record by record allocated 2 GiB.
 */
static void text_once(void)
{
	struct dupto_vm_prog *prog = NULL;
	struct image im = { 0 };
	unsigned long bytes;
	char err[256] = "";

	big_image(&im, BIG_RULE_TEXT, 256);
	bytes = dupto_vm_alloc_bytes;
	dupto_vm_load(im.p, im.n, &prog, err, sizeof(err));
	bytes = dupto_vm_alloc_bytes - bytes;
	tap_result(prog && bytes <= 2 * im.n,
		   "bounds: a %zu-byte image of rule text in 256 records loads with %lu bytes allocated, at most twice the image%s%s",
		   im.n, bytes, prog ? "" : ": ", prog ? "" : err);
	dupto_vm_free(prog);
	free(im.p);
}

/*
 * A frame cut inside an address key: the set answers as libpcap's tests of
 * its elements, shortest prefix first, would (a match, no match, or a read
 * past the frame); the reference here is that scan, as the set did it
 * before it answered with lookups.
 */
static int partial_scan(const struct dupto_vm_addr *e, uint32_t n, const uint8_t *key,
			uint32_t words)
{
	uint32_t plen, i, j;

	for (plen = 0; plen <= 128; plen++) {
		for (i = 0; i < n; i++) {
			uint32_t need = (e[i].plen + 31) / 32;

			if (e[i].plen != plen)
				continue;
			for (j = 0; j < need; j++) {
				uint32_t bits = e[i].plen - 32 * j;
				uint32_t mask = bits >= 32 ? 0xffffffffU : ~(0xffffffffU >> bits);

				if (j >= words)
					return -1;
				if ((dupto_vm_get32(key + 4 * j) & mask) !=
				    dupto_vm_get32(e[i].addr + 4 * j))
					break;
			}
			if (j == need)
				return 1;
		}
	}
	return 0;
}

static uint32_t rnd(void)
{
	static uint64_t x = 0x2545f4914f6cdd1dULL;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return (uint32_t)x;
}

static void partial_keys(void)
{
	enum { NSETS = 200, NELEMS = 12, NKEYS = 200 };
	uint32_t s, i, k, w, differ = 0, seen[3] = { 0 };

	for (s = 0; s < NSETS; s++) {
		struct dupto_vm_addr e[NELEMS];
		struct dupto_vm_set *set;
		char err[128];

		memset(e, 0, sizeof(e));
		for (i = 0; i < NELEMS; i++) {
			uint8_t full[16];

			/* few distinct bits, so keys often share prefixes */
			for (k = 0; k < 16; k++)
				full[k] = rnd() % 3 ? 0 : 1 << (rnd() % 2);
			e[i].plen = rnd() % 5 ? 32 * (rnd() % 4) + rnd() % 33 : rnd() % 129;
			if (e[i].plen > 128)
				e[i].plen = 128;
			for (k = 0; k < 16; k++) {
				uint32_t bits = e[i].plen > 8 * k ? e[i].plen - 8 * k : 0;

				e[i].addr[k] = bits >= 8 ? full[k] : full[k] & (uint8_t)(0xff00 >> bits);
			}
		}
		set = dupto_vm_set_build(DUPTO_VM_SET_IP6, e, NELEMS, err, sizeof(err));
		if (!set) {
			differ++;
			continue;
		}
		for (k = 0; k < NKEYS; k++) {
			uint8_t key[16];
			int want, got;

			memcpy(key, e[rnd() % NELEMS].addr, 16);
			if (rnd() % 2)
				key[rnd() % 16] ^= 1 << (rnd() % 2);
			for (w = 0; w < 4; w++) {
				want = partial_scan(e, NELEMS, key, w);
				got = dupto_vm_set_lookup_partial(set, key, w);
				differ += want != got;
				seen[want + 1]++;
			}
		}
		dupto_vm_set_free(set);
	}
	tap_result(!differ && seen[0] && seen[1] && seen[2],
		   "bounds: IPv6 keys cut after 0 to 3 words answer as the element-by-element test: %u of %u differ (%u read past, %u no, %u yes)",
		   differ, NSETS * NKEYS * 4, seen[0], seen[1], seen[2]);
}

int main(void)
{
	bad_programs();
	bad_images();
	names();
	good_programs();
	groups();
	probe_bound();
	partial_keys();
	cost_limit();
	linear_load();
	text_once();
	return tap_done();
}
