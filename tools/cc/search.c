// SPDX-License-Identifier: GPL-2.0
/*
 * Runs of equality tests on one field become binary searches.
 *
 * A ruleset that sends hosts, ports or VLANs one by one to sensors ("src
 * host A to s1", "src host B to s2", ...) compiles, once link_rule() has
 * let each failed compare jump straight to the next rule's, into a chain:
 * compare the field with A, else with B, else with C, ... Each link costs a
 * dispatch, so a frame that matches none of n rules pays n of them. The
 * chain is one question, which constant the field equals, and the answer
 * to it is found in log2(n) + 1 compares by a search tree over the sorted
 * constants, whose leaves go exactly where the chain's compares would have
 * gone. Nothing else changes: the tree reads the same bytes as the chain's
 * first compare, so it fails (and abandons its rule) exactly when that
 * compare would have; the chain's other compares stay, for the paths that
 * enter it further on.
 *
 * This runs on the finished program, so that chains crossing rules are
 * seen whole; the loader then gives each tree node below the root an
 * opcode that does not read the frame again (see prepare_code()).
 */

#include <stdlib.h>
#include <string.h>

#include "compiler.h"

/* Shorter chains cost no more as they are than as a tree. */
#define MIN_CHAIN	4

struct val_to {
	uint32_t val;
	uint32_t to;		/* where a frame whose field is val goes */
	uint32_t seq;		/* the compare's place in the chain */
};

struct chain {
	uint32_t head;		/* position of the compare the tree replaces */
	uint32_t n;		/* distinct constants, and leaves */
	struct val_to *vt;	/* sorted by constant */
	uint32_t miss;		/* where the others go */
};

/* A tree of n leaves has n - 1 nodes above them. */
static uint32_t tree_size(const struct chain *c)
{
	return 2 * c->n - 1;
}

static bool is_eq(uint8_t op)
{
	return (op >= DUPTO_VM_JEQB && op <= DUPTO_VM_JEQW) ||
	       (op >= DUPTO_VM_JEQXB && op <= DUPTO_VM_JEQXW);
}

/* @b goes on from @a's false edge and tests the same bits the same way. */
static bool same_field(const struct dupto_vm_insn *a, const struct dupto_vm_insn *b)
{
	return a->op == b->op && a->off == b->off && a->mask == b->mask &&
	       DUPTO_VM_SRC(a) == DUPTO_VM_SRC(b);
}

static uint32_t next_in_chain(const struct cc_insns *code, uint32_t i)
{
	const struct dupto_vm_insn *in = &code->v[i];
	uint32_t f = i + 1 + in->jf;

	if (!is_eq(in->op) || f >= code->n || !same_field(in, &code->v[f]))
		return 0;
	return f;
}

/* by constant, and for one constant the compare that comes first */
static int cmp_val(const void *a, const void *b)
{
	const struct val_to *x = a, *y = b;

	if (x->val != y->val)
		return x->val < y->val ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int cmp_head(const void *a, const void *b)
{
	const struct chain *x = a, *y = b;

	return x->head < y->head ? -1 : x->head > y->head;
}

/* The chain starting at @head, if it is long enough to be worth a tree. */
static bool find_chain(const struct cc_insns *code, uint32_t head,
		       struct chain *c)
{
	struct val_to *vt;
	uint32_t i, n = 0, len = 0, k;

	for (i = head; i; i = next_in_chain(code, i))
		len++;
	if (len < MIN_CHAIN)
		return false;
	vt = calloc(len, sizeof(*vt));
	if (!vt)
		abort();
	for (i = head;; i = next_in_chain(code, i)) {
		const struct dupto_vm_insn *in = &code->v[i];

		vt[n].val = in->imm;
		vt[n].to = i + 1 + in->jt;
		vt[n].seq = n;
		n++;
		if (!next_in_chain(code, i)) {
			c->miss = i + 1 + in->jf;
			break;
		}
	}
	qsort(vt, n, sizeof(*vt), cmp_val);
	/*
	 * A constant seen before: the earlier compare takes it. A constant
	 * that goes where the others do needs no leaf.
	 */
	for (i = 0, k = 0; i < n; i++) {
		if (i && vt[i].val == vt[i - 1].val)
			continue;
		if (vt[i].to != c->miss)
			vt[k++] = vt[i];
	}
	if (k < MIN_CHAIN) {
		free(vt);
		return false;
	}
	c->head = head;
	c->n = k;
	c->vt = vt;
	return true;
}

/*
 * Old position -> new: each tree replaces the compare at its head, so
 * whatever jumped to that compare now enters the tree, and everything after
 * it moves down by the tree's size less one. @pos[n] is the old end.
 */
static uint32_t *new_positions(const struct chain *cs, uint32_t nc, uint32_t n)
{
	uint32_t *pos = malloc((n + 1) * sizeof(*pos));
	uint32_t i, k = 0, shift = 0;

	if (!pos)
		abort();
	for (i = 0; i <= n; i++) {
		pos[i] = i + shift;
		if (k < nc && cs[k].head == i)
			shift += tree_size(&cs[k++]) - 1;
	}
	return pos;
}

struct emit {
	struct dupto_vm_insn *v;
	uint32_t at;
	const uint32_t *pos;
};

/*
 * The tree over val[lo, hi), at e->at, in preorder: a node asks whether
 * the field is above the left half's largest constant; a leaf is the
 * chain's compare for its constant, whose false edge is the chain's.
 */
static void emit_tree(struct emit *e, const struct dupto_vm_insn *proto,
		      const struct chain *c, uint32_t lo, uint32_t hi)
{
	struct dupto_vm_insn *in = &e->v[e->at];
	uint32_t at = e->at++, mid, left;

	*in = *proto;
	if (hi - lo == 1) {
		in->imm = c->vt[lo].val;
		in->jt = e->pos[c->vt[lo].to] - at - 1;
		in->jf = e->pos[c->miss] - at - 1;
		return;
	}
	mid = lo + (hi - lo) / 2;
	in->op = proto->op + DUPTO_VM_JGTB - DUPTO_VM_JEQB;
	in->imm = c->vt[mid - 1].val;
	left = 2 * (mid - lo) - 1;
	in->jf = 0;		/* the left half follows */
	in->jt = left;		/* then the right half */
	emit_tree(e, proto, c, lo, mid);
	emit_tree(e, proto, c, mid, hi);
}

/* Jump distances from old positions to new ones. */
static void retarget(struct dupto_vm_insn *o, const struct dupto_vm_insn *in,
		     uint32_t i, uint32_t at, const uint32_t *pos)
{
	switch (in->op) {
	case DUPTO_VM_RULE:
	case DUPTO_VM_MATCH:
	case DUPTO_VM_JA:
		o->jt = pos[i + 1 + in->jt] - at - 1;
		break;
	default:
		if (in->op >= DUPTO_VM_JEQK) {
			o->jt = pos[i + 1 + in->jt] - at - 1;
			o->jf = pos[i + 1 + in->jf] - at - 1;
		}
		break;
	}
}

/*
 * The chain's compares after the first stay for the paths that enter the
 * chain further on; where no path does, they are dropped, as the verifier
 * refuses what cannot be reached. Every RULE is reached (a frame abandoned
 * by a failed read arrives there), and so is what follows it.
 */
static uint32_t drop_unreachable(struct dupto_vm_insn *v, uint32_t n)
{
	bool *live = calloc(n, sizeof(*live));
	uint32_t *pos = malloc((n + 1) * sizeof(*pos));
	uint32_t i, m = 0;

	if (!live || !pos)
		abort();
	for (i = 0; i < n; i++) {
		const struct dupto_vm_insn *in = &v[i];

		if (in->op == DUPTO_VM_RULE || in->op == DUPTO_VM_RET)
			live[i] = true;
		if (!live[i])
			continue;
		if (in->op == DUPTO_VM_MATCH || in->op == DUPTO_VM_JA) {
			live[i + 1 + in->jt] = true;
		} else if (in->op >= DUPTO_VM_JEQK) {
			live[i + 1 + in->jt] = true;
			live[i + 1 + in->jf] = true;
		} else if (in->op != DUPTO_VM_RET) {
			live[i + 1] = true;
		}
	}
	for (i = 0; i < n; i++) {
		pos[i] = m;
		m += live[i];
	}
	pos[n] = m;
	for (i = 0; i < n; i++) {
		struct dupto_vm_insn in = v[i];

		if (!live[i])
			continue;
		v[pos[i]] = in;
		retarget(&v[pos[i]], &in, i, pos[i], pos);
	}
	free(live);
	free(pos);
	return m;
}

int cc_search_chains(struct cc *cc)
{
	struct cc_insns *code = &cc->code;
	uint32_t n = code->n, i, k, nc = 0, total = n;
	struct dupto_vm_insn *out;
	uint32_t *pos;
	struct chain *cs;
	bool *inner, *taken;
	struct emit e;

	cs = calloc(n ? n : 1, sizeof(*cs));
	inner = calloc(n ? n : 1, sizeof(*inner));
	taken = calloc(n ? n : 1, sizeof(*taken));
	if (!cs || !inner || !taken)
		abort();
	/*
	 * A chain starts where no compare of the same field leads into it.
	 * Its first compare stays as it is: that is the value libpcap, or
	 * whoever wrote the rules, expected most ("ip" before "ip6"), and it
	 * costs one compare; the tree takes over from the second.
	 */
	for (i = 0; i < n; i++) {
		uint32_t f = next_in_chain(code, i);

		if (f)
			inner[f] = true;
	}
	for (i = 0; i < n; i++) {
		uint32_t head = inner[i] ? 0 : next_in_chain(code, i);

		if (!head || taken[head] || !find_chain(code, head, &cs[nc]))
			continue;
		taken[head] = true;
		if (total + tree_size(&cs[nc]) - 1 > DUPTO_VM_MAX_INSNS) {
			free(cs[nc].vt);
			break;		/* the chains as they are still work */
		}
		total += tree_size(&cs[nc]) - 1;
		nc++;
	}
	free(inner);
	free(taken);
	if (!nc) {
		free(cs);
		return 0;
	}

	qsort(cs, nc, sizeof(*cs), cmp_head);
	out = calloc(total, sizeof(*out));
	pos = new_positions(cs, nc, n);
	if (!out)
		abort();
	e = (struct emit){ .v = out, .pos = pos };
	for (i = 0, k = 0; i < n; i++) {
		const struct dupto_vm_insn *in = &code->v[i];

		if (k < nc && cs[k].head == i) {
			e.at = pos[i];
			emit_tree(&e, in, &cs[k], 0, cs[k].n);
			k++;
			continue;
		}
		out[pos[i]] = *in;
		retarget(&out[pos[i]], in, i, pos[i], pos);
	}
	for (i = 0; i < nc; i++)
		free(cs[i].vt);
	free(cs);
	free(pos);
	free(code->v);
	code->v = out;
	code->n = code->cap = drop_unreachable(out, total);
	return 0;
}
