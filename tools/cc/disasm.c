// SPDX-License-Identifier: GPL-2.0
/*
 * The disassembler: a loaded program as a stable listing, one instruction
 * per line, jump targets as absolute instruction numbers. The golden files
 * in tests/ hold listings, so its format only changes with them.
 *
 *   rule 0, line 1: tcp port 80 to s1
 *      0  rule     #0                       end 9
 *      1  jeqh     [12] == 0x86dd           -> 2, 5
 */

#include <arpa/inet.h>
#include <inttypes.h>
#include <string.h>

#include "compiler.h"
#include "vm/vm.h"

static const char *const rel[] = {
	[DUPTO_VM_REL_EQ] = "==", [DUPTO_VM_REL_GT] = ">",
	[DUPTO_VM_REL_GE] = ">=", [DUPTO_VM_REL_SET] = "&",
};

static void operands(char *buf, size_t len, const struct dupto_vm_prog *prog,
		     const struct dupto_vm_insn *in)
{
	unsigned int dst = DUPTO_VM_DST(in), src = DUPTO_VM_SRC(in);
	uint8_t op = in->op;
	struct dupto_vm_pktcmp c;
	char where[48];

	buf[0] = 0;
	if (dupto_vm_op_pktcmp(op, &c)) {
		uint32_t full = 0xffffffffU >> (32 - 8 * c.width);

		if (c.x)
			snprintf(where, sizeof(where), "[r%u + %u]", src, in->off);
		else
			snprintf(where, sizeof(where), "[%u]", in->off);
		if (in->mask != full)
			snprintf(buf, len, "(%s & 0x%x) %s 0x%x", where, in->mask,
				 rel[c.rel], in->imm);
		else
			snprintf(buf, len, "%s %s 0x%x", where, rel[c.rel], in->imm);
		return;
	}
	switch (op) {
	case DUPTO_VM_RULE:
		snprintf(buf, len, "#%u%s%s%s", in->off,
			 in->imm & DUPTO_VM_RULE_QUICK ? " quick" : "",
			 in->imm & DUPTO_VM_RULE_ELSE ? " else" : "",
			 in->imm & DUPTO_VM_RULE_OUT ? " out" : "");
		return;
	case DUPTO_VM_MATCH:
		snprintf(buf, len, "#%u", in->off);
		return;
	case DUPTO_VM_LDI:
		snprintf(buf, len, "r%u, 0x%x", dst, in->imm);
		return;
	case DUPTO_VM_MOV:
		snprintf(buf, len, "r%u, r%u", dst, src);
		return;
	case DUPTO_VM_LDLEN:
	case DUPTO_VM_NEG:
		snprintf(buf, len, "r%u", dst);
		return;
	case DUPTO_VM_LDB:
	case DUPTO_VM_LDH:
	case DUPTO_VM_LDW:
	case DUPTO_VM_LDIHL:
		snprintf(buf, len, "r%u, [%u]", dst, in->off);
		return;
	case DUPTO_VM_LDXB:
	case DUPTO_VM_LDXH:
	case DUPTO_VM_LDXW:
		snprintf(buf, len, "r%u, [r%u + %u]", dst, src, in->off);
		return;
	case DUPTO_VM_JON:
		snprintf(buf, len, "%s on %s",
			 in->imm == DUPTO_VM_DIR_IN ? "in" :
			 in->imm == DUPTO_VM_DIR_OUT ? "out" : "any",
			 in->off == DUPTO_VM_PORT_ANY ? "any port" :
			 in->off < prog->nports ? prog->ports[in->off] : "?");
		return;
	case DUPTO_VM_JIN:
		snprintf(buf, len, "[%u] in set %u", in->off, in->imm);
		return;
	case DUPTO_VM_JINX:
		snprintf(buf, len, "[r%u + %u] in set %u", src, in->off, in->imm);
		return;
	case DUPTO_VM_JCHAIN4:
	case DUPTO_VM_JCHAIN6:
		snprintf(buf, len, "[%u] chain has %u", in->off, in->imm);
		return;
	}
	if (op >= DUPTO_VM_ADDK && op <= DUPTO_VM_RSHK)
		snprintf(buf, len, "r%u, 0x%x", dst, in->imm);
	else if (op >= DUPTO_VM_ADDX && op <= DUPTO_VM_RSHX)
		snprintf(buf, len, "r%u, r%u", dst, src);
	else if (op >= DUPTO_VM_JEQK && op <= DUPTO_VM_JSETK)
		snprintf(buf, len, "r%u, 0x%x", dst, in->imm);
	else if (op >= DUPTO_VM_JEQX && op <= DUPTO_VM_JSETX)
		snprintf(buf, len, "r%u, r%u", dst, src);
}

static bool is_cond(uint8_t op)
{
	return (op >= DUPTO_VM_JEQK && op <= DUPTO_VM_JSETXW) ||
	       op == DUPTO_VM_JON || op == DUPTO_VM_JIN || op == DUPTO_VM_JINX ||
	       op == DUPTO_VM_JCHAIN4 || op == DUPTO_VM_JCHAIN6;
}

static void print_set(FILE *f, const struct dupto_vm_prog *prog, uint32_t i)
{
	static const char *const names[] = {
		[DUPTO_VM_SET_U8] = "proto", [DUPTO_VM_SET_U16] = "port",
		[DUPTO_VM_SET_MAC] = "ether", [DUPTO_VM_SET_IP4] = "ip",
		[DUPTO_VM_SET_IP6] = "ip6",
	};
	const struct dupto_vm_set *s = prog->sets[i];

	fprintf(f, "set %u: %s, %u element%s\n", i, names[s->type], s->nelems,
		s->nelems == 1 ? "" : "s");
}

void cc_disasm(FILE *f, const struct dupto_vm_prog *prog, const struct cc *cc)
{
	uint32_t i, rule = 0, name = 0;

	for (i = 0; i < prog->ninsns; i++) {
		const struct dupto_vm_insn *in = &prog->insns[i];
		char ops[96], line[160];

		if (in->op == DUPTO_VM_RULE && rule < prog->nrules) {
			const struct dupto_vm_rule *r = &prog->rules[rule++];
			uint32_t k;

			fprintf(f, "rule %u, line %u: ", in->off, r->line);
			for (k = 0; k < r->text_len; k++)
				fputc(r->text[k] == '\n' || r->text[k] == '\t' ?
				      ' ' : r->text[k], f);
			fputc('\n', f);
			/* what the rule's names stood for when it was compiled */
			for (; cc && name < cc->nnames && cc->names[name].rule <= rule - 1; name++)
				if (cc->names[name].rule == rule - 1)
					fprintf(f, "       %s: %s\n", cc->names[name].word,
						cc->names[name].meaning);
		}
		operands(ops, sizeof(ops), prog, in);
		snprintf(line, sizeof(line), "%5u  %-8s %s", i,
			 dupto_vm_op_name(in->op), ops);
		if (in->op == DUPTO_VM_RULE)
			fprintf(f, "%-44s end %u\n", line, i + 1 + in->jt);
		else if (in->op == DUPTO_VM_JA ||
			 (in->op == DUPTO_VM_MATCH && in->jt))
			fprintf(f, "%-44s -> %u\n", line, i + 1 + in->jt);
		else if (is_cond(in->op))
			fprintf(f, "%-44s -> %u, %u\n", line, i + 1 + in->jt,
				i + 1 + in->jf);
		else
			fprintf(f, "%s\n", line);
	}
	for (i = 0; i < prog->ntargets; i++)
		fprintf(f, "target %u: %s\n", i, prog->targets[i]);
	for (i = 0; i < prog->nports; i++)
		fprintf(f, "port %u: %s\n", i, prog->ports[i]);
	for (i = 0; i < prog->nsets; i++)
		print_set(f, prog, i);
	for (i = 0; i < prog->ngroups; i++) {
		const struct dupto_vm_group *g = &prog->groups[i];
		uint32_t m;

		fprintf(f, "group %u: target %u, hash %s, seed %u, members", i,
			g->target, g->hash == DUPTO_VM_HASH_ADDRS ? "addresses" :
			"addresses-ports", g->seed);
		for (m = 0; m < g->nmembers; m++)
			fprintf(f, " %u*%u", g->members[m].target, g->members[m].weight);
		fputc('\n', f);
	}
}
