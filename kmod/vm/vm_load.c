// SPDX-License-Identifier: GPL-2.0
/*
 * Loading an image: parse its records into a program, verify the program
 * against the tables the image declares, build its sets and the rules'
 * target bitmaps. The kernel and the userspace tests call exactly this, so
 * what the tests run is what the kernel runs.
 *
 * The image is untrusted: every length is checked before it is used, in
 * arithmetic that cannot wrap (sizes are bounded by the record length,
 * itself at most 65535, and counts by the DUPTO_VM_MAX_* limits).
 */

#include "vm.h"

/*
 * The image may sit at any address (a fuzzer's buffer, a netlink
 * attribute), so fixed structures are copied out of it, never cast in place.
 */
struct vm_loader {
	const u8 *pos, *end;
	u32 rec;			/* number of the current record */
	struct dupto_vm_rec hdr;	/* the current record's header */
	const u8 *data;			/* its payload */
	u32 len;			/* its payload length */
	char *err;
	size_t errlen;
};

#define load_err(ld, fmt, ...) \
	do { \
		if ((ld)->err) \
			snprintf((ld)->err, (ld)->errlen, fmt, ##__VA_ARGS__); \
	} while (0)

/* Step to the next record; 0 at the end of the image, 1 if there is one. */
static int next_rec(struct vm_loader *ld)
{
	size_t left = ld->end - ld->pos;
	struct dupto_vm_rec rec;
	u32 len, padded;

	if (!left)
		return 0;
	ld->rec++;
	if (left < sizeof(rec)) {
		load_err(ld, "record %u: truncated header", ld->rec);
		return -EINVAL;
	}
	memcpy(&rec, ld->pos, sizeof(rec));
	len = rec.len;
	if (len < sizeof(rec) || len > left) {
		load_err(ld, "record %u: bad length %u", ld->rec, len);
		return -EINVAL;
	}
	padded = DUPTO_VM_REC_ALIGN(len);
	if (padded > left)
		padded = left;	/* the last record need not be padded */
	ld->hdr = rec;
	ld->data = ld->pos + sizeof(rec);
	ld->len = len - sizeof(rec);
	ld->pos += padded;
	return 1;
}

/* Consume the next record, which must be of @type. */
static int expect_rec(struct vm_loader *ld, u16 type, const char *what)
{
	int ret = next_rec(ld);

	if (ret < 0)
		return ret;
	if (!ret) {
		load_err(ld, "record %u: image ends, %s expected", ld->rec + 1,
			 what);
		return -EINVAL;
	}
	if (ld->hdr.type != type) {
		load_err(ld, "record %u: type %u, %s expected", ld->rec,
			 ld->hdr.type, what);
		return -EINVAL;
	}
	return 0;
}

/* True if the record after the current one has @type (without moving). */
static bool peek_type(const struct vm_loader *ld, u16 type)
{
	struct dupto_vm_rec rec;

	if ((size_t)(ld->end - ld->pos) < sizeof(rec))
		return false;
	memcpy(&rec, ld->pos, sizeof(rec));
	return rec.type == type;
}

/*
 * Entry @i of a name table (targets or ports). A name is there once: each
 * entry is bound to its own device and holds its own reference, so a name
 * written twice would bind one device twice, and a sensor would be sent a
 * frame once per entry. At most DUPTO_VM_MAX_TARGETS (or _PORTS) names, so
 * comparing each with those before it stays a bounded cost.
 */
static int load_name(struct vm_loader *ld, char (*names)[DUPTO_VM_NAME_MAX],
		     u32 i, const char *what)
{
	int ret = expect_rec(ld, what[0] == 't' ? DUPTO_VM_REC_TARGET :
			     DUPTO_VM_REC_PORT, what);
	u32 j;

	if (ret)
		return ret;
	if (!ld->len || ld->len > DUPTO_VM_NAME_MAX ||
	    ld->data[ld->len - 1] || strlen((const char *)ld->data) != ld->len - 1 ||
	    ld->len == 1) {
		load_err(ld, "record %u: bad %s name", ld->rec, what);
		return -EINVAL;
	}
	memcpy(names[i], ld->data, ld->len);
	for (j = 0; j < i; j++) {
		if (!strcmp(names[j], names[i])) {
			load_err(ld, "record %u: %s %s named twice", ld->rec,
				 what, names[i]);
			return -EINVAL;
		}
	}
	return 0;
}

static int load_insns(struct vm_loader *ld, struct dupto_vm_prog *prog)
{
	u32 have = 0, n;
	int ret;

	prog->insns = dupto_vm_zalloc(prog->ninsns * sizeof(*prog->insns));
	if (!prog->insns)
		return -ENOMEM;
	while (have < prog->ninsns) {
		ret = expect_rec(ld, DUPTO_VM_REC_INSNS, "instructions");
		if (ret)
			return ret;
		n = ld->len / sizeof(struct dupto_vm_insn);
		if (!n || ld->len % sizeof(struct dupto_vm_insn) ||
		    n > prog->ninsns - have) {
			load_err(ld, "record %u: bad instruction record length %u",
				 ld->rec, ld->len);
			return -EINVAL;
		}
		memcpy(prog->insns + have, ld->data, ld->len);
		have += n;
	}
	return 0;
}

static int load_rule(struct vm_loader *ld, struct dupto_vm_prog *prog, u32 r)
{
	struct dupto_vm_rule *rule = &prog->rules[r];
	struct dupto_vm_rule_rec rr;
	struct vm_loader look;
	u32 i, t, total = 0;
	int ret;

	ret = expect_rec(ld, DUPTO_VM_REC_RULE, "rule");
	if (ret)
		return ret;
	if (ld->len < sizeof(rr)) {
		load_err(ld, "record %u: bad rule record", ld->rec);
		return -EINVAL;
	}
	memcpy(&rr, ld->data, sizeof(rr));
	if (rr.reserved || ld->len != sizeof(rr) + rr.ntargets * sizeof(u16)) {
		load_err(ld, "record %u: bad rule record", ld->rec);
		return -EINVAL;
	}
	rule->line = rr.line;
	rule->ntargets = rr.ntargets;
	rule->target_idx = dupto_vm_zalloc(rr.ntargets * sizeof(u16));
	if (!rule->target_idx)
		return -ENOMEM;
	memcpy(rule->target_idx, ld->data + sizeof(rr), rr.ntargets * sizeof(u16));
	for (i = 0; i < rule->ntargets; i++) {
		t = rule->target_idx[i];
		if (t >= prog->ntargets) {
			load_err(ld, "record %u: rule %u: target %u out of range (%u targets)",
				 ld->rec, r, t, prog->ntargets);
			return -EINVAL;
		}
		rule->targets[t / 64] |= 1ULL << (t % 64);
	}

	/*
	 * Source text: the concatenation of the RULE_TEXT records. Measured
	 * first, on a copy of the cursor, so it is allocated and copied once:
	 * growing it record by record copied it over and over, quadratic in
	 * its length.
	 */
	look = *ld;
	while (peek_type(&look, DUPTO_VM_REC_RULE_TEXT)) {
		ret = next_rec(&look);
		if (ret < 0)
			return ret;
		total += look.len;	/* at most 2^24 + 65535 */
		if (total > (1U << 24)) {
			load_err(ld, "record %u: rule %u: source text too long",
				 look.rec, r);
			return -EINVAL;
		}
	}
	if (!total) {
		*ld = look;	/* empty RULE_TEXT records are consumed too */
		return 0;
	}
	rule->text = dupto_vm_zalloc(total + 1);
	if (!rule->text)
		return -ENOMEM;
	while (peek_type(ld, DUPTO_VM_REC_RULE_TEXT)) {
		next_rec(ld);	/* looked at already */
		memcpy(rule->text + rule->text_len, ld->data, ld->len);
		rule->text_len += ld->len;
	}
	return 0;
}

static int load_set(struct vm_loader *ld, struct dupto_vm_prog *prog, u32 s)
{
	struct dupto_vm_set_rec sr;
	size_t esize;
	u32 have = 0, n, nelems;
	u8 *elems;
	int ret;
	char msg[96];

	ret = expect_rec(ld, DUPTO_VM_REC_SET, "set");
	if (ret)
		return ret;
	if (ld->len == sizeof(sr))
		memcpy(&sr, ld->data, sizeof(sr));
	if (ld->len != sizeof(sr) || sr.reserved) {
		load_err(ld, "record %u: bad set record", ld->rec);
		return -EINVAL;
	}
	esize = dupto_vm_set_elem_size(sr.type);
	if (!esize) {
		load_err(ld, "set %u: unknown set type %u", s, sr.type);
		return -EINVAL;
	}
	nelems = sr.nelems;
	if (nelems > DUPTO_VM_MAX_ELEMS) {
		load_err(ld, "set %u: %u elements, at most %u", s, nelems,
			 DUPTO_VM_MAX_ELEMS);
		return -E2BIG;
	}
	elems = dupto_vm_zalloc(nelems * esize);
	if (!elems)
		return -ENOMEM;
	while (have < nelems) {
		ret = expect_rec(ld, DUPTO_VM_REC_SET_ELEMS, "set elements");
		if (ret)
			goto out;
		n = ld->len / esize;
		if (!n || ld->len % esize || n > nelems - have) {
			load_err(ld, "record %u: bad set element record length %u",
				 ld->rec, ld->len);
			ret = -EINVAL;
			goto out;
		}
		memcpy(elems + have * esize, ld->data, ld->len);
		have += n;
	}
	msg[0] = 0;
	dupto_vm_cond_resched();
	prog->sets[s] = dupto_vm_set_build(sr.type, elems, nelems, msg,
					   sizeof(msg));
	if (!prog->sets[s]) {
		load_err(ld, "set %u: %s", s, msg);
		ret = strcmp(msg, "out of memory") ? -EINVAL : -ENOMEM;
	}
out:
	dupto_vm_kfree(elems);
	return ret;
}

/*
 * A group: its own target and its members, each another target that is no
 * group, once, with a weight in range. Messages name the group and members
 * by name, the way the user wrote them.
 */
static int load_group(struct vm_loader *ld, struct dupto_vm_prog *prog, u32 g)
{
	struct dupto_vm_group *grp = &prog->groups[g];
	struct dupto_vm_group_member gm;
	struct dupto_vm_group_rec gr;
	const char *name;
	u32 i, j;
	int ret;

	ret = expect_rec(ld, DUPTO_VM_REC_GROUP, "group");
	if (ret)
		return ret;
	if (ld->len >= sizeof(gr))
		memcpy(&gr, ld->data, sizeof(gr));
	if (ld->len < sizeof(gr) || gr.reserved || gr.reserved2 ||
	    ld->len != sizeof(gr) + gr.nmembers * sizeof(gm)) {
		load_err(ld, "record %u: bad group record", ld->rec);
		return -EINVAL;
	}
	if (gr.target >= prog->ntargets) {
		load_err(ld, "group %u: target %u out of range (%u targets)", g,
			 gr.target, prog->ntargets);
		return -EINVAL;
	}
	name = prog->targets[gr.target];
	if (prog->group_of[gr.target] != DUPTO_VM_GROUP_NONE) {
		load_err(ld, "group %s: declared twice", name);
		return -EINVAL;
	}
	if (gr.hash != DUPTO_VM_HASH_ADDRS && gr.hash != DUPTO_VM_HASH_PORTS) {
		load_err(ld, "group %s: unknown hash mode %u", name, gr.hash);
		return -EINVAL;
	}
	if (!gr.nmembers) {
		load_err(ld, "group %s: no members", name);
		return -EINVAL;
	}
	if (gr.nmembers > DUPTO_VM_MAX_MEMBERS) {
		load_err(ld, "group %s: %u members, at most %u", name,
			 gr.nmembers, DUPTO_VM_MAX_MEMBERS);
		return -E2BIG;
	}
	prog->group_of[gr.target] = g;
	prog->group_targets[gr.target / 64] |= 1ULL << (gr.target % 64);
	grp->target = gr.target;
	grp->hash = gr.hash;
	grp->seed = gr.seed;
	dupto_vm_hash_key(&grp->key, gr.seed);
	grp->members = dupto_vm_zalloc(gr.nmembers * sizeof(*grp->members));
	if (!grp->members)
		return -ENOMEM;
	for (i = 0; i < gr.nmembers; i++) {
		struct dupto_vm_member *m = &grp->members[i];

		memcpy(&gm, ld->data + sizeof(gr) + i * sizeof(gm), sizeof(gm));
		if (gm.reserved) {
			load_err(ld, "record %u: bad group record", ld->rec);
			return -EINVAL;
		}
		if (gm.target >= prog->ntargets) {
			load_err(ld, "group %s: member %u: unknown target %u (%u targets)",
				 name, i + 1, gm.target, prog->ntargets);
			return -EINVAL;
		}
		if (gm.target == gr.target) {
			load_err(ld, "group %s: a group cannot be its own member", name);
			return -EINVAL;
		}
		for (j = 0; j < i; j++) {
			if (grp->members[j].target == gm.target) {
				load_err(ld, "group %s: member %s listed twice", name,
					 prog->targets[gm.target]);
				return -EINVAL;
			}
		}
		if (!gm.weight || gm.weight > DUPTO_VM_MAX_WEIGHT) {
			load_err(ld, "group %s: member %s: weight %u, not 1 to %u",
				 name, prog->targets[gm.target], gm.weight,
				 DUPTO_VM_MAX_WEIGHT);
			return -EINVAL;
		}
		m->target = gm.target;
		m->weight = gm.weight;
		dupto_vm_member_ids(m, prog->targets[gm.target], &grp->key);
		grp->nmembers++;
	}
	return 0;
}

/* Members are targets that are not groups: known once all groups are. */
static int check_members(struct vm_loader *ld, struct dupto_vm_prog *prog)
{
	u32 g, i;

	for (g = 0; g < prog->ngroups; g++) {
		const struct dupto_vm_group *grp = &prog->groups[g];

		for (i = 0; i < grp->nmembers; i++) {
			u16 t = grp->members[i].target;

			if (prog->group_of[t] != DUPTO_VM_GROUP_NONE) {
				load_err(ld, "group %s: member %s is a group",
					 prog->targets[grp->target], prog->targets[t]);
				return -EINVAL;
			}
		}
	}
	return 0;
}

/* How many ways into each instruction (0, 1, 2 for more), and from where. */
static void count_preds(const struct dupto_vm_prog *prog, u8 *npred, u32 *pred)
{
	u32 n, t[2], k, nt;

	for (n = 0; n < prog->ninsns; n++) {
		const struct dupto_vm_insn *in = &prog->insns[n];

		nt = 0;
		switch (in->op) {
		case DUPTO_VM_RET:
			npred[n] = 2;	/* reached from anywhere, on a failed read */
			break;
		case DUPTO_VM_RULE:
			npred[n] = 2;
			t[nt++] = n + 1;
			t[nt++] = n + 1 + in->jt;
			break;
		case DUPTO_VM_MATCH:
		case DUPTO_VM_JA:
			t[nt++] = n + 1 + in->jt;
			break;
		default:
			if (in->op >= DUPTO_VM_JEQK) {
				t[nt++] = n + 1 + in->jt;
				t[nt++] = n + 1 + in->jf;
			} else {
				t[nt++] = n + 1;
			}
			break;
		}
		for (k = 0; k < nt; k++) {
			if (npred[t[k]] < 2)
				npred[t[k]]++;
			pred[t[k]] = n;
		}
	}
}

/*
 * The interpreter's copy of a verified program (see struct dupto_vm_prog):
 * every jump distance one more, so a jump is one addition (a verified
 * target is below ninsns, so it still fits); the constants of JEQ and JSET
 * on 2- and 4-byte fields in the frame's byte order, so the interpreter
 * compares bytes as they are in memory; a JSET's mask folded into its
 * constant; equality tests on whole fields given opcodes that do not mask;
 * and a fused compare whose only way in is a fused compare of the same
 * field given an opcode that does not read it again.
 *
 * Equality and bit tests compare a field's bytes as they are in memory,
 * order tests its value (net[] says which of the two a holds after each
 * fused compare): a compare that does not read again takes a as its way
 * in left it, its constant put in the same order, but for an order test,
 * which needs the value. So the leaves of a search tree (tools/cc/search.c),
 * equality tests below order tests, read nothing either.
 */
static int prepare_code(struct dupto_vm_prog *prog)
{
	static const u8 cached[] = {
		DUPTO_VM_ICEQ, DUPTO_VM_ICGT, DUPTO_VM_ICGE, DUPTO_VM_ICSET,
	};
	static const u8 whole[] = {
		DUPTO_VM_IJEQB, DUPTO_VM_IJEQH, 0, DUPTO_VM_IJEQW,
	};
	static const u8 whole_x[] = {
		DUPTO_VM_IJEQXB, DUPTO_VM_IJEQXH, 0, DUPTO_VM_IJEQXW,
	};
	struct dupto_vm_pktcmp f, g;
	bool cache, want_net, whole_mask;
	u8 *npred, *net;
	u32 *pred, n;

	prog->code = dupto_vm_zalloc(prog->ninsns * sizeof(*prog->code));
	npred = dupto_vm_zalloc(prog->ninsns);
	net = dupto_vm_zalloc(prog->ninsns);
	pred = dupto_vm_zalloc(prog->ninsns * sizeof(*pred));
	if (!prog->code || !npred || !net || !pred) {
		dupto_vm_kfree(npred);
		dupto_vm_kfree(net);
		dupto_vm_kfree(pred);
		return -ENOMEM;
	}
	memcpy(prog->code, prog->insns, prog->ninsns * sizeof(*prog->code));
	count_preds(prog, npred, pred);
	prog->entry = prog->code + (prog->code[0].op == DUPTO_VM_RULE);
	npred[prog->entry - prog->code] = 2;	/* from outside */

	for (n = 0; n < prog->ninsns; n++) {
		struct dupto_vm_insn *in = &prog->code[n];
		const struct dupto_vm_insn *p;
		u8 op = in->op;

		/* the conditional jumps, JEQK to JINX, use jt and jf */
		if (op == DUPTO_VM_RULE || op == DUPTO_VM_MATCH || op == DUPTO_VM_JA) {
			in->jt++;
		} else if (op >= DUPTO_VM_JEQK) {
			in->jt++;
			in->jf++;
		}
		if (!dupto_vm_op_pktcmp(op, &f))
			continue;
		p = &prog->insns[pred[n]];
		cache = npred[n] == 1 && dupto_vm_op_pktcmp(p->op, &g) &&
			g.width == f.width &&
			g.x == f.x && p->off == in->off &&
			(!f.x || DUPTO_VM_SRC(p) == DUPTO_VM_SRC(in));
		/* an order test needs the value; the others take a as it is */
		want_net = f.rel == DUPTO_VM_REL_GT || f.rel == DUPTO_VM_REL_GE;
		if (cache && f.width > 1 && want_net && !net[pred[n]])
			cache = false;
		net[n] = cache ? net[pred[n]] : want_net;
		if (f.rel == DUPTO_VM_REL_SET)
			in->imm &= in->mask;
		if (!net[n]) {
			if (f.width == 2) {
				in->imm = dupto_vm_net16(in->imm);
				in->mask = dupto_vm_net16(in->mask);
			} else if (f.width == 4) {
				in->imm = dupto_vm_net32(in->imm);
				in->mask = dupto_vm_net32(in->mask);
			}
		}
		whole_mask = in->mask == 0xffffffffU >> (32 - 8 * f.width);
		if (cache) {
			in->op = cached[f.rel];
			if (f.rel == DUPTO_VM_REL_EQ && whole_mask)
				in->op = DUPTO_VM_ICEQW;
		} else if (f.rel == DUPTO_VM_REL_EQ && whole_mask) {
			in->op = f.x ? whole_x[f.width - 1] : whole[f.width - 1];
		}
	}
	dupto_vm_kfree(net);
	dupto_vm_kfree(npred);
	dupto_vm_kfree(pred);
	return 0;
}

/* What the interpreter looks up from a verified program. */
static int index_rules(struct dupto_vm_prog *prog)
{
	u32 n = 0, r = 0, end, i;

	prog->insn_end = dupto_vm_zalloc(prog->ninsns * sizeof(*prog->insn_end));
	if (!prog->insn_end)
		return -ENOMEM;
	while (prog->insns[n].op == DUPTO_VM_RULE) {
		end = n + 1 + prog->insns[n].jt;
		prog->rules[r++].flags = prog->insns[n].imm;
		for (i = n; i < end; i++)
			prog->insn_end[i] = end;
		n = end;
	}
	return 0;
}

int dupto_vm_load(const void *image, size_t len, struct dupto_vm_prog **progp,
		  char *err, size_t errlen)
{
	struct vm_loader ld = {
		.pos = image, .end = (const u8 *)image + len,
		.err = err, .errlen = errlen,
	};
	struct dupto_vm_hdr hdr;
	struct dupto_vm_limits lim;
	struct dupto_vm_prog *prog;
	u32 *set_cost;
	u32 i;
	int ret;

	*progp = NULL;
	if (err && errlen)
		err[0] = 0;

	ret = expect_rec(&ld, DUPTO_VM_REC_HEADER, "header");
	if (ret)
		return ret;
	/* the header of an image without groups may end before ngroups */
	memset(&hdr, 0, sizeof(hdr));
	if (ld.len != sizeof(hdr) && ld.len != DUPTO_VM_HDR_LEN_V1) {
		load_err(&ld, "record 1: bad header length %u", ld.len);
		return -EINVAL;
	}
	memcpy(&hdr, ld.data, ld.len);
	if (hdr.version != DUPTO_VM_VERSION) {
		load_err(&ld, "record 1: image version %u, this VM runs version %u",
			 hdr.version, DUPTO_VM_VERSION);
		return -EPROTO;
	}
	if (!hdr.ninsns || hdr.ninsns > DUPTO_VM_MAX_INSNS ||
	    hdr.nrules > DUPTO_VM_MAX_RULES ||
	    hdr.ntargets > DUPTO_VM_MAX_TARGETS ||
	    hdr.nports > DUPTO_VM_MAX_PORTS || hdr.nsets > DUPTO_VM_MAX_SETS ||
	    hdr.ngroups > DUPTO_VM_MAX_GROUPS) {
		load_err(&ld, "record 1: table sizes out of range");
		return -E2BIG;
	}

	prog = dupto_vm_zalloc(sizeof(*prog));
	if (!prog)
		return -ENOMEM;
	prog->ninsns = hdr.ninsns;
	prog->nrules = hdr.nrules;
	prog->ntargets = hdr.ntargets;
	prog->nports = hdr.nports;
	prog->nsets = hdr.nsets;
	prog->rules = dupto_vm_zalloc(prog->nrules * sizeof(*prog->rules));
	prog->sets = dupto_vm_zalloc(prog->nsets * sizeof(*prog->sets));
	prog->targets = dupto_vm_zalloc(prog->ntargets * sizeof(*prog->targets));
	prog->ports = dupto_vm_zalloc(prog->nports * sizeof(*prog->ports));
	prog->groups = dupto_vm_zalloc(hdr.ngroups * sizeof(*prog->groups));
	prog->group_of = dupto_vm_zalloc(prog->ntargets * sizeof(*prog->group_of));
	if (!prog->rules || !prog->sets || !prog->targets || !prog->ports ||
	    !prog->groups || !prog->group_of) {
		ret = -ENOMEM;
		goto fail;
	}
	for (i = 0; i < prog->ntargets; i++)
		prog->group_of[i] = DUPTO_VM_GROUP_NONE;

	ret = load_insns(&ld, prog);
	for (i = 0; !ret && i < prog->ntargets; i++)
		ret = load_name(&ld, prog->targets, i, "target");
	for (i = 0; !ret && i < prog->nports; i++)
		ret = load_name(&ld, prog->ports, i, "port");
	for (i = 0; !ret && i < prog->nrules; i++)
		ret = load_rule(&ld, prog, i);
	for (i = 0; !ret && i < prog->nsets; i++)
		ret = load_set(&ld, prog, i);
	for (i = 0; !ret && i < hdr.ngroups; i++) {
		ret = load_group(&ld, prog, i);
		/* what is half built is freed with the rest */
		prog->ngroups = i + 1;
	}
	if (!ret)
		ret = check_members(&ld, prog);
	if (ret)
		goto fail;
	ret = next_rec(&ld);
	if (ret) {
		if (ret > 0) {
			load_err(&ld, "record %u: unexpected record of type %u after the last %s",
				 ld.rec, ld.hdr.type, prog->ngroups ? "group" : "set");
			ret = -EINVAL;
		}
		goto fail;
	}

	lim.nrules = prog->nrules;
	lim.nports = prog->nports;
	lim.nsets = prog->nsets;
	set_cost = dupto_vm_zalloc(prog->nsets * sizeof(*set_cost));
	if (!set_cost) {
		ret = -ENOMEM;
		goto fail;
	}
	for (i = 0; i < prog->nsets; i++)
		set_cost[i] = dupto_vm_set_cost(prog->sets[i]);
	lim.set_cost = set_cost;
	ret = dupto_vm_verify(prog->insns, prog->ninsns, &lim, err, errlen);
	dupto_vm_kfree(set_cost);
	if (ret)
		goto fail;
	ret = index_rules(prog);
	if (!ret)
		ret = prepare_code(prog);
	if (ret)
		goto fail;
	*progp = prog;
	return 0;

fail:
	if (ret == -ENOMEM)
		load_err(&ld, "out of memory");
	dupto_vm_free(prog);
	return ret;
}

void dupto_vm_free(struct dupto_vm_prog *prog)
{
	u32 i;

	if (!prog)
		return;
	for (i = 0; prog->rules && i < prog->nrules; i++) {
		dupto_vm_kfree(prog->rules[i].target_idx);
		dupto_vm_kfree(prog->rules[i].text);
	}
	for (i = 0; prog->sets && i < prog->nsets; i++)
		dupto_vm_set_free(prog->sets[i]);
	for (i = 0; prog->groups && i < prog->ngroups; i++)
		dupto_vm_kfree(prog->groups[i].members);
	dupto_vm_kfree(prog->groups);
	dupto_vm_kfree(prog->group_of);
	dupto_vm_kfree(prog->insns);
	dupto_vm_kfree(prog->code);
	dupto_vm_kfree(prog->insn_end);
	dupto_vm_kfree(prog->rules);
	dupto_vm_kfree(prog->sets);
	dupto_vm_kfree(prog->targets);
	dupto_vm_kfree(prog->ports);
	dupto_vm_kfree(prog);
}
