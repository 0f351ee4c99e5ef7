// SPDX-License-Identifier: GPL-2.0
/*
 * Semantic analysis: checks what the parser cannot (ranges, addresses,
 * qualifier combinations) and gives each primitive its libpcap meaning on
 * Ethernet as a tree of packet comparisons. Every offset and every order of
 * evaluation below is libpcap's (gencode.c), because order matters: a read
 * past the end of the frame abandons the rule, so "ip6 net ::/32" must
 * still read all four words of the address, in turn, like libpcap does.
 *
 * Offsets are from the start of the frame. linkoff is where the network
 * header starts (14, plus 4 per "vlan" or "mpls" parsed before); the
 * EtherType is the two bytes just before it, except inside MPLS, which has
 * no type field, and after "pppoes", where the PPP protocol takes its
 * place (struct enc, and ethertype() below).
 */

#include <stdlib.h>
#include <string.h>

#include "compiler.h"

#define ETH_IP		0x0800
#define ETH_ARP		0x0806
#define ETH_RARP	0x8035
#define ETH_IP6		0x86dd
#define ETH_IPX		0x8137
#define ETH_ATALK	0x809b
#define ETH_AARP	0x80f3
#define IPPROTO_FRAG6	44

struct sema {
	struct cc *cc;
	struct cc_rule *rule;	/* the rule being lowered */
	const struct enc *enc;	/* the headers of the node being lowered */
	const struct loc *loc;	/* and where it is, for errors */
	uint8_t base;		/* the register offsets are from (struct enc) */
	bool keep;		/* the rule is one libpcap does not optimise */
	/* the protochain walks of the ruleset: (offset << 1 | IPv6) each */
	uint32_t walks[DUPTO_VM_CHAIN_WALKS];
	uint32_t nwalks;
};

/* The rule being lowered, for the names it resolves. */
static uint32_t rule_no(const struct sema *s)
{
	return s->rule - s->cc->rules;
}

static struct pred *new_pred(struct sema *s, enum p_kind kind)
{
	struct pred *p = cc_alloc(s->cc, sizeof(*p));

	p->kind = kind;
	return p;
}

static struct pred *pand(struct sema *s, struct pred *a, struct pred *b)
{
	struct pred *p;

	if (!a)
		return b;
	if (!b)
		return a;
	p = new_pred(s, P_AND);
	p->l = a;
	p->r = b;
	return p;
}

static struct pred *por(struct sema *s, struct pred *a, struct pred *b)
{
	struct pred *p;

	if (!a)
		return b;
	if (!b)
		return a;
	p = new_pred(s, P_OR);
	p->l = a;
	p->r = b;
	return p;
}

static struct pred *pnot(struct sema *s, struct pred *a)
{
	struct pred *p = new_pred(s, P_NOT);

	p->l = a;
	return p;
}

/* (P[off:size] & mask) op val */
static struct pred *cmp(struct sema *s, uint32_t off, uint8_t size,
			uint32_t mask, enum p_op op, uint32_t val)
{
	struct pred *p = new_pred(s, P_CMP);

	p->off = off;
	p->size = size;
	p->mask = mask;
	p->op = op;
	p->val = val;
	p->xreg = s->base;
	p->tun = s->enc->tun;
	p->keep = s->keep;
	return p;
}

#define MASK_ALL	0xffffffffU

/* cmp() at an offset from register @reg rather than the network layer's */
static struct pred *cmp_at(struct sema *s, uint8_t reg, uint32_t off, uint8_t size,
			   uint32_t mask, enum p_op op, uint32_t val)
{
	uint8_t base = s->base;
	struct pred *p;

	s->base = reg;
	p = cmp(s, off, size, mask, op, val);
	s->base = base;
	return p;
}

/* The link type field, EtherType or PPP protocol: (P[type:2] & mask) op val */
static struct pred *linktype_cmp(struct sema *s, enum p_op op, uint32_t val)
{
	return cmp_at(s, s->enc->linktype_reg, s->enc->linktype, 2, MASK_ALL, op, val);
}

/* The same, at an offset from the transport header of the IPv4 packet at
 * @l3 (libpcap's "ldxb 4*([l3]&0xf); ld [x + l3 + off]").
 */
static struct pred *cmp4(struct sema *s, uint32_t l3, uint32_t off,
			 uint8_t size, enum p_op op, uint32_t val)
{
	struct pred *p = cmp(s, l3 + off, size, MASK_ALL, op, val);

	p->ihl = true;
	p->ihl_off = l3;
	return p;
}

static struct pred *in_set(struct sema *s, uint32_t off, uint32_t set,
			   bool ihl, uint32_t l3)
{
	struct pred *p = new_pred(s, P_SET);

	p->off = off;
	p->val = set;
	p->ihl = ihl;
	p->ihl_off = l3;
	p->xreg = s->base;
	p->tun = s->enc->tun;
	return p;
}

static struct pred *encap_linktype(struct sema *s, uint32_t l3, uint32_t type);
static bool encap_ether_ok(struct sema *s, const char *what);
static struct pred *geneve_ll_check(struct sema *s);

/*
 * libpcap's gen_linktype() for a network protocol whose header is at @l3:
 * the EtherType before it, or what takes its place in an encapsulation.
 */
static struct pred *ethertype(struct sema *s, uint32_t l3, uint32_t type)
{
	if (s->enc->mpls || s->enc->ppp)
		return encap_linktype(s, l3, type);
	return linktype_cmp(s, OP_EQ, type);
}

/* IPv4 "fragment offset is zero" */
static struct pred *not_frag(struct sema *s, uint32_t l3)
{
	return pnot(s, cmp(s, l3 + 6, 2, MASK_ALL, OP_SET, 0x1fff));
}

/* A test of the protocol byte, or a set lookup on it. */
static struct pred *proto_byte(struct sema *s, uint32_t off, uint32_t v,
			       int set)
{
	return set >= 0 ? in_set(s, off, set, false, 0) :
	       cmp(s, off, 1, MASK_ALL, OP_EQ, v);
}

static struct pred *proto4(struct sema *s, uint32_t l3, uint32_t v, int set)
{
	return pand(s, ethertype(s, l3, ETH_IP), proto_byte(s, l3 + 9, v, set));
}

/* IPv6: the next header, or the one after a fragment header. */
static struct pred *proto6(struct sema *s, uint32_t l3, uint32_t v, int set)
{
	return pand(s, ethertype(s, l3, ETH_IP6),
		    por(s, proto_byte(s, l3 + 6, v, set),
			pand(s, cmp(s, l3 + 6, 1, MASK_ALL, OP_EQ, IPPROTO_FRAG6),
			     proto_byte(s, l3 + 40, v, set))));
}

static struct pred *l2_abbrev(struct sema *s, enum q_proto proto, uint32_t l3);

/* libpcap's gen_proto_abbrev(): the meaning of a bare protocol name. */
static struct pred *proto_abbrev(struct sema *s, enum q_proto proto,
				 uint32_t l3)
{
	switch (proto) {
	case QP_IP:
		return ethertype(s, l3, ETH_IP);
	case QP_IP6:
		return ethertype(s, l3, ETH_IP6);
	case QP_ARP:
		return ethertype(s, l3, ETH_ARP);
	case QP_RARP:
		return ethertype(s, l3, ETH_RARP);
	case QP_TCP:
		return por(s, proto4(s, l3, 6, -1), proto6(s, l3, 6, -1));
	case QP_UDP:
		return por(s, proto4(s, l3, 17, -1), proto6(s, l3, 17, -1));
	case QP_SCTP:
		return por(s, proto4(s, l3, 132, -1), proto6(s, l3, 132, -1));
	case QP_ICMP:
		return proto4(s, l3, 1, -1);
	case QP_IGMP:
		return proto4(s, l3, 2, -1);
	case QP_ICMP6:
		return proto6(s, l3, 58, -1);
	default:
		return l2_abbrev(s, proto, l3);
	}
}

static const char *proto_name(enum q_proto p)
{
	static const char *const names[] = {
		[QP_DEFAULT] = "", [QP_LINK] = "ether", [QP_IP] = "ip",
		[QP_IP6] = "ip6", [QP_ARP] = "arp", [QP_RARP] = "rarp",
		[QP_TCP] = "tcp", [QP_UDP] = "udp", [QP_ICMP] = "icmp",
		[QP_ICMP6] = "icmp6", [QP_SCTP] = "sctp", [QP_IGMP] = "igmp",
		[QP_ATALK] = "atalk", [QP_AARP] = "aarp", [QP_DECNET] = "decnet",
		[QP_LAT] = "lat", [QP_SCA] = "sca", [QP_MOPRC] = "moprc",
		[QP_MOPDL] = "mopdl", [QP_ISO] = "iso", [QP_ESIS] = "esis",
		[QP_ISIS] = "isis", [QP_CLNP] = "clnp", [QP_L1] = "l1",
		[QP_L2] = "l2", [QP_IIH] = "iih", [QP_LSP] = "lsp",
		[QP_SNP] = "snp", [QP_CSNP] = "csnp", [QP_PSNP] = "psnp",
		[QP_STP] = "stp", [QP_IPX] = "ipx", [QP_NETBEUI] = "netbeui",
		[QP_ESP] = "esp", [QP_AH] = "ah", [QP_PIM] = "pim",
		[QP_VRRP] = "vrrp", [QP_CARP] = "carp", [QP_IGRP] = "igrp",
	};

	return names[p];
}

/* ---- sets ---- */

static int new_set(struct sema *s, uint16_t type)
{
	struct cc *cc = s->cc;
	uint32_t n = cc->nsets;

	if (n == DUPTO_VM_MAX_SETS)
		return -1;
	if (!(n & (n - 1)) || !n) {
		struct cc_set *grown = cc_alloc(cc, (n ? 2 * n : 1) * sizeof(*grown));

		if (n)
			memcpy(grown, cc->sets, n * sizeof(*grown));
		cc->sets = grown;
	}
	memset(&cc->sets[n], 0, sizeof(cc->sets[n]));
	cc->sets[n].type = type;
	cc->nsets++;
	return n;
}

static void *set_push(struct sema *s, uint32_t set, size_t esize)
{
	struct cc_set *cs = &s->cc->sets[set];

	if (cs->n == cs->cap) {
		uint32_t cap = cs->cap ? 2 * cs->cap : 16;
		void *grown = cc_alloc(s->cc, cap * esize);

		if (cs->n)
			memcpy(grown, cs->elems, cs->n * esize);
		cs->elems = grown;
		cs->cap = cap;
	}
	return (uint8_t *)cs->elems + esize * cs->n++;
}

/* ---- addresses ---- */

struct addr {
	int family;		/* 4, 6 or 0 for Ethernet */
	uint8_t a[16];
	uint32_t plen;
	struct loc loc;
};

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static bool bits_beyond(const uint8_t *a, uint32_t plen, uint32_t bytes)
{
	uint32_t i;

	for (i = 0; i < bytes; i++) {
		uint32_t keep = plen >= 8 * (i + 1) ? 8 : plen > 8 * i ? plen - 8 * i : 0;
		uint8_t m = keep ? (uint8_t)(0xff00 >> keep) : 0;

		if (a[i] & ~m)
			return true;
	}
	return false;
}

/*
 * An address value in host or net context, with libpcap's rules for
 * partial addresses: "host 10.1" and "net 10.1" mean 10.1.0.0/16, while a
 * plain number is a host ("host 10" is 0.0.0.10) or a network ("net 10"
 * is 10.0.0.0/8).
 */
static int get_addr(struct sema *s, const struct elem *e, enum q_addr qa,
		    bool in_set, struct addr *out)
{
	const struct token *t = &e->tok;
	bool net = qa == QA_NET;
	uint32_t v, mask;

	memset(out, 0, sizeof(*out));
	out->loc = e->loc;
	switch (t->type) {
	case T_EID:
		if (e->plen != ~0U)
			return cc_error(s->cc, &e->loc, "an Ethernet address takes no prefix length");
		out->family = 0;
		memcpy(out->a, t->addr, 6);
		out->plen = 48;
		return 0;
	case T_HID6:
		out->family = 6;
		memcpy(out->a, t->addr, 16);
		out->plen = e->plen == ~0U ? 128 : e->plen;
		if (e->plen != ~0U && !net && !in_set)
			return cc_error(s->cc, &e->loc, "mask syntax for networks only; use 'net'");
		if (out->plen > 128)
			return cc_error(s->cc, &e->loc, "mask length must be <= 128");
		if (bits_beyond(out->a, out->plen, 16))
			return cc_error(s->cc, &e->loc, "non-network bits set in '%.*s'",
					(int)e->loc.len, t->text);
		return 0;
	case T_HID:
		if (t->num)
			return cc_error(s->cc, &t->loc, "bad IPv4 address '%.*s'",
					(int)t->loc.len, t->text);
		v = be32(t->addr);
		mask = MASK_ALL << (32 - 8 * t->parts) ;
		if (t->parts == 4)
			mask = MASK_ALL;
		break;
	case T_NUM:
		if (e->plen != ~0U)
			return cc_error(s->cc, &e->loc, "a prefix needs a dotted address such as 10.0.0.0/8");
		v = t->num;
		mask = MASK_ALL;
		if (net) {
			while (v && !(v & 0xff000000)) {
				v <<= 8;
				mask <<= 8;
			}
		}
		break;
	default:
		return cc_error(s->cc, &t->loc, "expected an address");
	}
	if (e->plen != ~0U) {
		if (!net && !in_set)
			return cc_error(s->cc, &e->loc, "mask syntax for networks only; use 'net'");
		if (e->plen > 32)
			return cc_error(s->cc, &e->loc, "mask length must be <= 32");
		mask = e->plen ? MASK_ALL << (32 - e->plen) : 0;
		if (v & ~mask)
			return cc_error(s->cc, &e->loc, "non-network bits set in '%.*s'",
					(int)e->loc.len, t->text);
	}
	/* A partial mask must be a prefix to live in a set. */
	out->family = 4;
	put32(out->a, v & mask);
	out->plen = mask ? 32 - __builtin_ctz(mask) : 0;
	if (in_set && (uint32_t)(mask ? MASK_ALL << (32 - out->plen) : 0) != mask)
		return cc_error(s->cc, &e->loc, "not a prefix");
	/* keep the exact (v, mask) pair for single values */
	put32(out->a + 4, mask);
	put32(out->a + 8, v);
	return 0;
}

/* dir combination of two tests */
static struct pred *by_dir(struct sema *s, enum q_dir dir, struct pred *src,
			   struct pred *dst)
{
	switch (dir) {
	case QD_SRC:
		return src;
	case QD_DST:
		return dst;
	case QD_AND:
		return pand(s, src, dst);
	default:
		return por(s, src, dst);
	}
}

/* Two builders of the same test, for src and dst: called twice so that
 * each side gets its own tree.
 */
static struct pred *host4_side(struct sema *s, uint32_t off, uint32_t v,
			       uint32_t mask, int set)
{
	if (set >= 0)
		return in_set(s, off, set, false, 0);
	return cmp(s, off, 4, mask, OP_EQ, v);
}

static struct pred *host4(struct sema *s, uint32_t l3, enum q_proto proto,
			  enum q_dir dir, uint32_t v, uint32_t mask, int set)
{
	static const struct {
		enum q_proto proto;
		uint16_t type;
		uint8_t src, dst;
	} kinds[] = {
		{ QP_IP, ETH_IP, 12, 16 },
		{ QP_ARP, ETH_ARP, 14, 24 },
		{ QP_RARP, ETH_RARP, 14, 24 },
	};
	struct pred *res = NULL;
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (proto != QP_DEFAULT && proto != kinds[i].proto)
			continue;
		/* inside MPLS, libpcap tests an address as IPv4's only */
		if (proto == QP_DEFAULT && s->enc->mpls && kinds[i].proto != QP_IP)
			continue;
		res = por(s, res,
			  pand(s, ethertype(s, l3, kinds[i].type),
			       by_dir(s, dir,
				      host4_side(s, l3 + kinds[i].src, v, mask, set),
				      host4_side(s, l3 + kinds[i].dst, v, mask, set))));
	}
	return res;
}

static struct pred *host6_side(struct sema *s, uint32_t off,
			       const uint8_t *a, uint32_t plen, int set)
{
	struct pred *res = NULL;
	uint32_t w;

	if (set >= 0)
		return in_set(s, off, set, false, 0);
	for (w = 0; w < 4; w++) {
		uint32_t bits = plen >= 32 * (w + 1) ? 32 : plen > 32 * w ? plen - 32 * w : 0;
		uint32_t m = bits ? MASK_ALL << (32 - bits) : 0;

		res = pand(s, res, cmp(s, off + 4 * w, 4, m, OP_EQ, be32(a + 4 * w)));
	}
	return res;
}

static struct pred *host6(struct sema *s, uint32_t l3, enum q_dir dir,
			  const uint8_t *a, uint32_t plen, int set)
{
	return pand(s, ethertype(s, l3, ETH_IP6),
		    by_dir(s, dir, host6_side(s, l3 + 8, a, plen, set),
			   host6_side(s, l3 + 24, a, plen, set)));
}

/* 6 bytes as libpcap compares them: the last four, then the first two. */
static struct pred *mac_side(struct sema *s, uint32_t off, const uint8_t *a,
			     int set)
{
	if (set >= 0)
		return in_set(s, off, set, false, 0);
	return pand(s, cmp(s, off + 2, 4, MASK_ALL, OP_EQ, be32(a + 2)),
		    cmp(s, off, 2, MASK_ALL, OP_EQ, (uint32_t)a[0] << 8 | a[1]));
}

static struct pred *ehost(struct sema *s, enum q_dir dir, const uint8_t *a,
			  int set)
{
	uint8_t base = s->base;
	struct pred *p;

	if (!encap_ether_ok(s, "Ethernet addresses"))
		return NULL;
	s->base = s->enc->linkhdr_reg;
	p = by_dir(s, dir, mac_side(s, s->enc->linkhdr + 6, a, set),
		   mac_side(s, s->enc->linkhdr, a, set));
	s->base = base;
	return pand(s, geneve_ll_check(s), p);
}

/* ---- encapsulations ---- */

#define ETH_MPLS	0x8847
#define ETH_PPPOED	0x8863
#define ETH_PPPOES	0x8864
#define PPP_MPLS	0x0281

/*
 * The offset @k bytes before @l3, the network layer: the last MPLS label's.
 * Inside GENEVE or VXLAN, right at the inner frame, libpcap's offset
 * wraps below zero and its interpreter refuses the read, which ends the
 * filter: 0xffff from the register is as far from any frame.
 */
static uint32_t before_nl(const struct sema *s, uint32_t l3, uint32_t k)
{
	return l3 >= k || !s->base ? l3 - k : 0xffff;
}

/* The PPP protocol libpcap tests for an EtherType (ethertype_to_ppptype()) */
static uint32_t ppp_type(uint32_t type)
{
	static const struct {
		uint32_t ether;
		uint16_t ppp;
	} map[] = {
		{ ETH_IP, 0x0021 }, { ETH_IP6, 0x0057 }, { 0x6003, 0x0027 },	/* DECnet */
		{ ETH_ATALK, 0x0029 }, { 0x0600, 0x0025 },			/* XNS */
		{ 0xfe, 0x0023 },	/* the ISO SAP: OSI */
		{ 0x42, 0x0031 },	/* the spanning tree SAP: bridging PDUs */
		{ 0xe0, 0x002b },	/* the IPX SAP */
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (map[i].ether == type)
			return map[i].ppp;
	return type;
}

/*
 * gen_linktype() where there is no EtherType: inside MPLS, IPv4 and IPv6
 * alone, by the bottom-of-stack bit of the last label and the IP version
 * (gen_mpls_linktype()); after "pppoes", the PPP protocol.
 */
static struct pred *encap_linktype(struct sema *s, uint32_t l3, uint32_t type)
{
	if (s->enc->mpls) {
		if (type != ETH_IP && type != ETH_IP6) {
			cc_error(s->cc, s->loc, "only IPv4 and IPv6 can be tested inside MPLS (after 'mpls'), as in libpcap");
			return NULL;
		}
		return pand(s, cmp(s, before_nl(s, l3, 2), 1, 0x01, OP_EQ, 0x01),
			    cmp(s, l3, 1, 0xf0, OP_EQ, type == ETH_IP ? 0x40 : 0x60));
	}
	return linktype_cmp(s, OP_EQ, ppp_type(type));
}

/* A P_CODE of @n instructions; @cond: the last one is a jump that tests. */
static struct pred *code(struct sema *s, const struct dupto_vm_insn *v, uint32_t n,
			 bool cond)
{
	struct pred *p = new_pred(s, P_CODE);

	p->code = cc_alloc(s->cc, n * sizeof(*v));
	memcpy(p->code, v, n * sizeof(*v));
	p->ncode = n;
	p->cond = cond;
	p->tun = p->wtun = s->enc->tun;
	return p;
}

#define INSN(o, d, sr, of, i) \
	{ .op = DUPTO_VM_##o, .regs = DUPTO_VM_REGS(d, sr), .off = (of), .imm = (i) }

/*
 * Inside GENEVE, a test of the link header first asks whether the inner
 * frame has one, that is, whether GENEVE carried Ethernet (libpcap's
 * gen_geneve_ll_check(): the link header is not where the payload is).
 */
static struct pred *geneve_ll_check(struct sema *s)
{
	static const struct dupto_vm_insn v[] = {
		INSN(JEQX, CC_REG_LINKHDR, CC_REG_NL, 0, 0),
	};

	if (!s->enc->geneve)
		return NULL;
	return pnot(s, code(s, v, 1, true));
}

/* After "pppoes" the link layer is PPP: no Ethernet addresses, no tags. */
static bool encap_ether_ok(struct sema *s, const char *what)
{
	if (!s->enc->ppp)
		return true;
	cc_error(s->cc, s->loc, "%s after 'pppoes': the frame inside PPPoE is PPP, which has none",
		 what);
	return false;
}

/*
 * mpls [LABEL]: the MPLS EtherType (PPP's protocol after "pppoes"), or
 * inside MPLS already, a label that is not the bottom of the stack; then
 * the label's 20 bits. libpcap's gen_mpls().
 */
static struct pred *lower_mpls(struct sema *s, const struct node *n)
{
	const struct enc *e = n->enc;
	struct pred *p;

	if (n->has_num && n->num > 0xfffff) {
		cc_error(s->cc, &n->loc, "MPLS label %u greater than maximum %u",
			 n->num, 0xfffff);
		return NULL;
	}
	if (e->mpls)
		p = cmp(s, before_nl(s, e->nl, 2), 1, 0x01, OP_EQ, 0);
	else if (e->ppp)
		p = cmp(s, e->linktype, 2, MASK_ALL, OP_EQ, PPP_MPLS);
	else
		p = ethertype(s, e->nl, ETH_MPLS);
	if (n->has_num)
		p = pand(s, p, cmp(s, e->nl, 4, 0xfffff000, OP_EQ, n->num << 12));
	return p;
}

/* pppoes [SESSION]: PPPoE session frames, and the session's id */
static struct pred *lower_pppoes(struct sema *s, const struct node *n)
{
	struct pred *p;

	if (n->has_num && n->num > 0xffff) {
		cc_error(s->cc, &n->loc, "PPPoE session number %u greater than maximum %u",
			 n->num, 0xffff);
		return NULL;
	}
	p = ethertype(s, n->enc->nl, ETH_PPPOES);
	if (p && n->has_num)
		p = pand(s, p, cmp(s, n->enc->nl, 4, 0xffff, OP_EQ, n->num));
	return p;
}

/*
 * The UDP tunnel at @l3 (IPv4 and IPv6), to @port, version and flags
 * (@vmask)/@vbits in its first byte, [VNI]; then @hl: the offset of the
 * UDP header from @l3 into r0, as libpcap leaves it in A.
 */
static struct pred *tunnel_check(struct sema *s, const struct node *n,
				 uint32_t port, uint32_t vmask, uint32_t vbits)
{
	uint32_t l3 = n->linkoff;
	uint8_t b = s->base;
	/* the header length, plus the register of a tunnel around this one */
	const struct dupto_vm_insn hl4[] = { INSN(LDIHL, 0, 0, l3, 0) };
	const struct dupto_vm_insn hl4x[] = {
		INSN(LDXB, 0, b, l3, 0), INSN(ANDK, 0, 0, 0, 0xf),
		INSN(LSHK, 0, 0, 0, 2), INSN(ADDX, 0, b, 0, 0),
	};
	const struct dupto_vm_insn hl6[] = { INSN(LDI, 0, 0, 0, 40) };
	const struct dupto_vm_insn hl6x[] = { INSN(MOV, 0, b, 0, 0), INSN(ADDK, 0, 0, 0, 40) };
	struct pred *v4, *v6, *x;

	v4 = pand(s, ethertype(s, l3, ETH_IP),
		  pand(s, pand(s, cmp(s, l3 + 9, 1, MASK_ALL, OP_EQ, 17), not_frag(s, l3)),
		       cmp4(s, l3, 2, 2, OP_EQ, port)));
	x = cmp4(s, l3, 8, 1, OP_EQ, vbits);
	x->mask = vmask;
	v4 = pand(s, v4, x);
	if (n->has_num) {
		x = cmp4(s, l3, 12, 4, OP_EQ, n->num << 8);
		x->mask = 0xffffff00;
		v4 = pand(s, v4, x);
	}
	v4 = pand(s, v4, b ? code(s, hl4x, 4, false) : code(s, hl4, 1, false));
	v6 = pand(s, ethertype(s, l3, ETH_IP6),
		  pand(s, cmp(s, l3 + 6, 1, MASK_ALL, OP_EQ, 17),
		       cmp(s, l3 + 40 + 2, 2, MASK_ALL, OP_EQ, port)));
	v6 = pand(s, v6, cmp(s, l3 + 40 + 8, 1, vmask, OP_EQ, vbits));
	if (n->has_num)
		v6 = pand(s, v6, cmp(s, l3 + 40 + 12, 4, 0xffffff00, OP_EQ, n->num << 8));
	v6 = pand(s, v6, b ? code(s, hl6x, 2, false) : code(s, hl6, 1, false));
	return por(s, v4, v6);
}

/*
 * geneve [VNI] (UDP 6081, version 0) and vxlan [VNI] (UDP 4789, flags
 * 0x08), then where they match, the offsets of the inner frame into the
 * registers struct enc names for what follows: libpcap's gen_geneve() and
 * its later releases' gen_vxlan(), in the same steps.
 */
static struct pred *lower_tunnel(struct sema *s, const struct node *n)
{
	bool geneve = n->kind == N_GENEVE;
	uint32_t l3 = n->linkoff;
	const struct dupto_vm_insn offs[] = {
		/* r0: the GENEVE header; the type after it, if not Ethernet */
		INSN(ADDK, 0, 0, 0, l3 + 8),
		INSN(MOV, CC_REG_LINKTYPE, 0, 0, 0),
		INSN(ADDK, CC_REG_LINKTYPE, 0, 0, 2),
		/* r1: its end, past the options (their length in words) */
		INSN(LDXB, 1, 0, 0, 0),
		INSN(ANDK, 1, 0, 0, 0x3f),
		INSN(MULK, 1, 0, 0, 4),
		INSN(ADDK, 1, 0, 0, 8),
		INSN(ADDX, 1, 0, 0, 0),
		INSN(MOV, CC_REG_LINKHDR, 1, 0, 0),
		INSN(MOV, CC_REG_NL, 1, 0, 0),
		/* Ethernet inside (transparent bridging): its type, its payload */
		INSN(LDXH, 2, 0, 2, 0),
		INSN(JEQK, 2, 0, 0, 0x6558),
	};
	static const struct dupto_vm_insn teb[] = {
		INSN(MOV, CC_REG_LINKTYPE, CC_REG_LINKHDR, 0, 0),
		INSN(ADDK, CC_REG_LINKTYPE, 0, 0, 12),
		INSN(MOV, CC_REG_NL, CC_REG_LINKHDR, 0, 0),
		INSN(ADDK, CC_REG_NL, 0, 0, 14),
	};
	/* VXLAN: always Ethernet, 8 bytes after UDP's 8 */
	const struct dupto_vm_insn vx[] = {
		INSN(ADDK, 0, 0, 0, l3 + 16),
		INSN(MOV, CC_REG_NL, 0, 0, 0),
	};
	struct pred *p, *o, *t;

	if (n->has_num && n->num > 0xffffff) {
		cc_error(s->cc, &n->loc, "%s VNI %u greater than maximum %u",
			 geneve ? "Geneve" : "VXLAN", n->num, 0xffffff);
		return NULL;
	}
	/* the new offsets are this tunnel's, the one past n->enc's */
	if (!geneve) {
		o = code(s, vx, 2, false);
		o->tun = o->wtun = n->enc->tun + 1;
		return pand(s, tunnel_check(s, n, 4789, MASK_ALL, 0x08), o);
	}
	p = tunnel_check(s, n, 6081, 0xc0, 0);
	o = code(s, offs, sizeof(offs) / sizeof(offs[0]), true);
	o->tun = o->wtun = n->enc->tun + 1;
	t = code(s, teb, 4, false);
	t->tun = t->wtun = n->enc->tun + 1;
	return pand(s, p, por(s, pand(s, o, t), new_pred(s, P_TRUE)));
}

/* ---- primitives ---- */

static int check_host_proto(struct sema *s, const struct node *n, int family)
{
	enum q_proto p = n->q.proto;

	if (family == 0) {
		if (p != QP_DEFAULT && p != QP_LINK)
			return cc_error(s->cc, &n->loc, "Ethernet address used with '%s'",
					proto_name(p));
		return 0;
	}
	if (p == QP_LINK)
		return cc_error(s->cc, &n->loc, "'ether' applied to an IP%s address; give an Ethernet address",
				family == 6 ? "v6" : "v4");
	if (family == 4 && (p == QP_DEFAULT || p == QP_IP || p == QP_ARP || p == QP_RARP))
		return 0;
	if (family == 6 && (p == QP_DEFAULT || p == QP_IP6))
		return 0;
	return cc_error(s->cc, &n->loc, "'%s' modifier applied to an IP%s host",
			proto_name(p), family == 6 ? "v6" : "v4");
}

/*
 * A name where an address goes: every address of a host, the network of a
 * network name, the Ethernet address of an Ethernet host, as libpcap's
 * gen_scode() lists them; into @out (CC_MAX_HOST_ADDRS of them), the
 * count, or -1. "ip host NAME" keeps the IPv4 addresses, "ip6 host NAME"
 * the IPv6 ones; "arp host NAME" with an IPv6 address is an error there
 * too.
 */
static int name_addrs(struct sema *s, const struct node *n, const struct elem *e,
		      struct addr *out)
{
	struct cc_host_addr h[CC_MAX_HOST_ADDRS];
	const struct token *t = &e->tok;
	int count, i, k = 0;
	uint32_t v, mask;

	memset(out, 0, sizeof(*out));
	out->loc = e->loc;
	if (n->q.proto == QP_LINK) {
		if (n->q.addr == QA_NET)
			return cc_error(s->cc, &t->loc, "'net' needs an IP network, not an Ethernet address");
		if (cc_name_ether(s->cc, rule_no(s), t, out->a))
			return -1;
		out->family = 0;
		out->plen = 48;
		return 1;
	}
	if (n->q.addr == QA_NET) {
		if (cc_name_net(s->cc, rule_no(s), t, &v, &mask))
			return -1;
		out->family = 4;
		put32(out->a, v);
		out->plen = 32 - __builtin_ctz(mask);
		put32(out->a + 4, mask);
		put32(out->a + 8, v);
		return 1;
	}
	count = cc_name_host(s->cc, rule_no(s), t, h);
	if (count < 0)
		return -1;
	for (i = 0; i < count; i++) {
		struct addr *o = &out[k];

		if ((h[i].family == 4 && n->q.proto == QP_IP6) ||
		    (h[i].family == 6 && n->q.proto == QP_IP))
			continue;
		memset(o, 0, sizeof(*o));
		o->loc = e->loc;
		o->family = h[i].family;
		if (h[i].family == 6) {
			memcpy(o->a, h[i].a, 16);
			o->plen = 128;
		} else {
			memcpy(o->a, h[i].a, 4);
			o->plen = 32;
			put32(o->a + 4, MASK_ALL);
			memcpy(o->a + 8, h[i].a, 4);
		}
		k++;
	}
	if (!k)
		return cc_error(s->cc, &t->loc, "host '%.*s' has no %s address",
				(int)(t->loc.len - t->escaped), t->text,
				n->q.proto == QP_IP6 ? "IPv6" : "IPv4");
	return k;
}

/* Address @a into the set of its family, made on first use. */
static int set_add(struct sema *s, const struct node *n, const struct addr *a,
		   int *set4, int *set6, int *setm)
{
	struct dupto_vm_addr *e;
	int *set;
	uint16_t type;

	if (n->q.addr == QA_NET && a->family == 0)
		return cc_error(s->cc, &a->loc, "'net' needs an IP network, not an Ethernet address");
	if (check_host_proto(s, n, a->family))
		return -1;
	if (a->family && !a->plen)
		return cc_error(s->cc, &a->loc, "a /0 prefix in a set matches every address; test the protocol instead");
	set = a->family == 4 ? set4 : a->family == 6 ? set6 : setm;
	type = a->family == 4 ? DUPTO_VM_SET_IP4 : a->family == 6 ?
	       DUPTO_VM_SET_IP6 : DUPTO_VM_SET_MAC;
	if (*set < 0) {
		*set = new_set(s, type);
		if (*set < 0)
			return cc_error(s->cc, &n->loc, "too many sets (at most %d)",
					DUPTO_VM_MAX_SETS);
	}
	if (s->cc->sets[*set].n == DUPTO_VM_MAX_ELEMS)
		return cc_error(s->cc, &a->loc, "too many elements in a set (at most %d)",
				DUPTO_VM_MAX_ELEMS);
	e = set_push(s, *set, sizeof(*e));
	memset(e, 0, sizeof(*e));
	memcpy(e->addr, a->a, a->family == 4 ? 4 : a->family == 6 ? 16 : 6);
	e->plen = a->plen;
	return 0;
}

static struct pred *lower_host(struct sema *s, const struct node *n)
{
	uint32_t l3 = n->linkoff, i, v, mask;
	struct pred *res = NULL;
	/* a name's addresses, on the stack: a list of many names keeps none */
	struct addr a, named[CC_MAX_HOST_ADDRS];
	int set4 = -1, set6 = -1, setm = -1, count, k;

	if (n->q.proto == QP_TCP || n->q.proto == QP_UDP || n->q.proto == QP_SCTP ||
	    n->q.proto == QP_ICMP || n->q.proto == QP_ICMP6 || n->q.proto == QP_IGMP) {
		cc_error(s->cc, &n->loc, "'%s' modifier applied to host",
			 proto_name(n->q.proto));
		return NULL;
	}
	if (!n->is_set && n->val.tok.type == T_ID) {
		if (n->has_mask) {
			cc_error(s->cc, &n->loc, "'mask' needs a dotted IPv4 network");
			return NULL;
		}
		count = name_addrs(s, n, &n->val, named);
		if (count < 0)
			return NULL;
		/* "host NAME": any of its addresses, in the resolver's order */
		for (k = 0; k < count; k++) {
			if (check_host_proto(s, n, named[k].family))
				return NULL;
			if (named[k].family == 0)
				res = por(s, res, ehost(s, n->q.dir, named[k].a, -1));
			else if (named[k].family == 6)
				res = por(s, res, host6(s, l3, n->q.dir, named[k].a, 128, -1));
			else
				res = por(s, res, host4(s, l3, n->q.proto, n->q.dir,
							be32(named[k].a + 8),
							be32(named[k].a + 4), -1));
		}
		return res;
	}
	if (!n->is_set) {
		if (get_addr(s, &n->val, n->q.addr, false, &a))
			return NULL;
		if (n->val.tok.type == T_EID && n->q.addr == QA_NET) {
			cc_error(s->cc, &n->loc, "'net' needs an IP network, not an Ethernet address");
			return NULL;
		}
		if (check_host_proto(s, n, a.family))
			return NULL;
		if (n->has_mask) {
			const struct token *m = &n->mask;

			if (a.family != 4 || n->val.tok.type != T_HID || n->val.plen != ~0U) {
				cc_error(s->cc, &n->loc, "'mask' needs a dotted IPv4 network");
				return NULL;
			}
			if (n->q.addr != QA_NET && n->q.addr != QA_DEFAULT) {
				cc_error(s->cc, &n->loc, "mask syntax for networks only; use 'net'");
				return NULL;
			}
			mask = be32(m->addr);
			v = be32(a.a + 8);
			if (v & ~mask) {
				cc_error(s->cc, &n->loc, "non-network bits set in '%.*s'",
					 (int)n->loc.len, n->val.tok.text);
				return NULL;
			}
			return host4(s, l3, n->q.proto, n->q.dir, v, mask, -1);
		}
		if (a.family == 0 && n->q.proto == QP_DEFAULT) {
			/* libpcap: "ethernet address used in non-ether expression" */
			cc_error(s->cc, &n->loc, "an Ethernet address needs 'ether', as in 'ether host %.*s'",
				 (int)n->val.loc.len, n->val.tok.text);
			return NULL;
		}
		if (a.family == 0)
			return ehost(s, n->q.dir, a.a, -1);
		if (a.family == 6)
			return host6(s, l3, n->q.dir, a.a, a.plen, -1);
		return host4(s, l3, n->q.proto, n->q.dir, be32(a.a + 8),
			     be32(a.a + 4), -1);
	}

	/* A set: src X {set} or dst X {set}, one lookup per address slot. */
	for (i = 0; i < n->nset; i++) {
		/* a name is as many elements as it has addresses */
		if (n->set[i].tok.type == T_ID) {
			count = name_addrs(s, n, &n->set[i], named);
			if (count < 0)
				return NULL;
		} else {
			if (get_addr(s, &n->set[i], QA_NET, true, &named[0]))
				return NULL;
			count = 1;
		}
		for (k = 0; k < count; k++)
			if (set_add(s, n, &named[k], &set4, &set6, &setm))
				return NULL;
	}
	if (setm >= 0 && (set4 >= 0 || set6 >= 0)) {
		cc_error(s->cc, &n->loc, "a set mixes Ethernet and IP addresses");
		return NULL;
	}
	if (setm >= 0)
		return ehost(s, n->q.dir, NULL, setm);
	if (set4 >= 0)
		res = host4(s, l3, n->q.proto, n->q.dir, 0, 0, set4);
	if (set6 >= 0)
		res = por(s, res, host6(s, l3, n->q.dir, NULL, 0, set6));
	return res;
}

/*
 * The port at @off of the transport header: IPv4 after the header length,
 * IPv6 at the fixed 40 bytes (libpcap does not walk extension headers).
 * A range reads the port twice, ">= lo and not > hi", like libpcap.
 */
static struct pred *port_side(struct sema *s, uint32_t l3, uint32_t off,
			      bool v4, bool range, uint32_t lo, uint32_t hi,
			      int set)
{
	if (set >= 0)
		return in_set(s, v4 ? l3 + off : l3 + 40 + off, set, v4, l3);
	if (!range)
		return v4 ? cmp4(s, l3, off, 2, OP_EQ, lo) :
			    cmp(s, l3 + 40 + off, 2, MASK_ALL, OP_EQ, lo);
	if (v4)
		return pand(s, cmp4(s, l3, off, 2, OP_GE, lo),
			    pnot(s, cmp4(s, l3, off, 2, OP_GT, hi)));
	return pand(s, cmp(s, l3 + 40 + off, 2, MASK_ALL, OP_GE, lo),
		    pnot(s, cmp(s, l3 + 40 + off, 2, MASK_ALL, OP_GT, hi)));
}

static struct pred *ports(struct sema *s, uint32_t l3, enum q_dir dir, bool v4,
			  bool range, uint32_t lo, uint32_t hi, int set)
{
	return by_dir(s, dir, port_side(s, l3, 0, v4, range, lo, hi, set),
		      port_side(s, l3, 2, v4, range, lo, hi, set));
}

/* "N-M" in digits only: a range of numbers, not names */
static bool numeric_range(const char *t, size_t len)
{
	size_t i = 0, d1, d2;

	while (i < len && t[i] >= '0' && t[i] <= '9')
		i++;
	d1 = i;
	if (!d1 || i == len || t[i++] != '-')
		return false;
	while (i < len && t[i] >= '0' && t[i] <= '9')
		i++;
	d2 = i - d1 - 1;
	return d2 && i == len;
}

static const char *ip_proto_word(uint8_t p)
{
	return p == 6 ? "tcp" : p == 17 ? "udp" : "sctp";
}

/*
 * One value of "port" or "portrange": its first and last port, and the
 * one protocol a service name restricts it to (0: none), as libpcap's
 * gen_scode() has it.
 */
static int port_value(struct sema *s, const struct node *n, const struct elem *e,
		      uint32_t *lo, uint32_t *hi, uint8_t *real)
{
	const struct token *t = &e->tok;
	size_t len = t->loc.len - t->escaped;

	*real = 0;
	if (e->plen != ~0U)
		return cc_error(s->cc, &e->loc, "a port takes no prefix length");
	if (t->type == T_NUM) {
		*lo = *hi = t->num;
	} else if (t->type == T_ID && numeric_range(t->text, len)) {
		char *end;
		unsigned long a = strtoul(t->text, &end, 10), b;

		b = strtoul(end + 1, &end, 10);
		if (n->q.addr == QA_PORT && !n->is_set)
			return cc_error(s->cc, &t->loc, "a range needs 'portrange'");
		if (a > 65535 || b > 65535) {
			const char *num = a > 65535 ? t->text : strchr(t->text, '-') + 1;

			/* the number as written: it may not fit in any integer */
			return cc_error(s->cc, &t->loc, "illegal port number %.*s > 65535",
					(int)strspn(num, "0123456789"), num);
		}
		*lo = a;
		*hi = b;
	} else if (t->type == T_ID && n->q.addr == QA_PORTRANGE) {
		if (cc_name_portrange(s->cc, rule_no(s), &t->loc, t->text, len,
				      lo, hi, real))
			return -1;
	} else if (t->type == T_ID && !t->escaped && strspn(t->text, "0123456789") == len) {
		/* only "08" and "09..." get here: libpcap reads them as bad octal */
		return cc_error(s->cc, &t->loc, "number %.*s contains a non-octal digit (a leading 0 makes it octal)",
				(int)len, t->text);
	} else if (t->type == T_ID) {
		if (cc_name_port(s->cc, rule_no(s), &t->loc, t->text, len, lo, real))
			return -1;
		*hi = *lo;
	} else {
		return cc_error(s->cc, &t->loc, "expected a port number");
	}
	if (*lo > 65535 || *hi > 65535)
		return cc_error(s->cc, &t->loc, "illegal port number %u > 65535",
				*lo > 65535 ? *lo : *hi);
	/* "udp port http": libpcap refuses a service the protocol lacks */
	if (*real && n->q.proto != QP_DEFAULT &&
	    *real != (n->q.proto == QP_TCP ? 6 : n->q.proto == QP_UDP ? 17 : 132))
		return cc_error(s->cc, &t->loc, "port%s '%.*s' is %s only, not %s",
				n->q.addr == QA_PORTRANGE ? " range" : "",
				(int)len, t->text, ip_proto_word(*real),
				proto_name(n->q.proto));
	if (*lo > *hi) {
		uint32_t tmp = *lo;

		*lo = *hi;
		*hi = tmp;
	}
	return 0;
}

static struct pred *lower_port(struct sema *s, const struct node *n)
{
	static const uint8_t any[] = { 132, 6, 17 };	/* sctp, tcp, udp */
	uint32_t l3 = n->linkoff, lo = 0, hi = 0, i;
	struct pred *p4 = NULL, *p6 = NULL;
	const uint8_t *protos = any;
	uint8_t one, real, set_real = 0;
	size_t np = 3;
	int set = -1;

	switch (n->q.proto) {
	case QP_TCP:
		one = 6;
		break;
	case QP_UDP:
		one = 17;
		break;
	case QP_SCTP:
		one = 132;
		break;
	case QP_DEFAULT:
		one = 0;
		break;
	default:
		cc_error(s->cc, &n->loc, "illegal qualifier of '%s': '%s'",
			 n->q.addr == QA_PORT ? "port" : "portrange",
			 proto_name(n->q.proto));
		return NULL;
	}

	if (n->is_set) {
		set = new_set(s, DUPTO_VM_SET_U16);
		if (set < 0) {
			cc_error(s->cc, &n->loc, "too many sets (at most %d)",
				 DUPTO_VM_MAX_SETS);
			return NULL;
		}
	}
	for (i = 0; i < (n->is_set ? n->nset : 1); i++) {
		const struct elem *e = n->is_set ? &n->set[i] : &n->val;

		if (port_value(s, n, e, &lo, &hi, &real))
			return NULL;
		/*
		 * A set tests one list of protocols, so its values must all
		 * name the same: "port { http, ssh }" is tcp's, as "port
		 * http or port ssh" is in libpcap.
		 */
		if (!one && i && real != set_real) {
			const struct token *t0 = &n->set[0].tok;

			cc_error(s->cc, &e->loc, "'%.*s' is a port of %s, '%.*s' of %s: a set tests one list of protocols; write '%s %s { ... }' or split the set",
				 (int)(e->tok.loc.len - e->tok.escaped), e->tok.text,
				 real ? ip_proto_word(real) : "every protocol",
				 (int)(t0->loc.len - t0->escaped), t0->text,
				 set_real ? ip_proto_word(set_real) : "every protocol",
				 ip_proto_word(real ? real : set_real),
				 n->q.addr == QA_PORT ? "port" : "portrange");
			return NULL;
		}
		set_real = real;
		if (set >= 0) {
			struct dupto_vm_range *r = set_push(s, set, sizeof(*r));

			r->first = lo;
			r->last = hi;
		}
	}
	/* a service name of one protocol tests it alone, as "tcp port" does */
	if (!one)
		one = set_real;
	if (one) {
		protos = &one;
		np = 1;
	}
	/*
	 * libpcap repeats the port test under each protocol (sctp, tcp, udp);
	 * the tests are identical and read the same bytes, so one test under
	 * "protocol is one of them" reads exactly what libpcap reads.
	 */
	for (i = 0; i < np; i++) {
		p6 = por(s, p6, cmp(s, l3 + 6, 1, MASK_ALL, OP_EQ, protos[i]));
		p4 = por(s, p4, cmp(s, l3 + 9, 1, MASK_ALL, OP_EQ, protos[i]));
	}
	p6 = pand(s, p6, ports(s, l3, n->q.dir, false,
			       n->q.addr == QA_PORTRANGE, lo, hi, set));
	p4 = pand(s, p4, pand(s, not_frag(s, l3),
			      ports(s, l3, n->q.dir, true,
				    n->q.addr == QA_PORTRANGE, lo, hi, set)));
	return por(s, pand(s, ethertype(s, l3, ETH_IP6), p6),
		   pand(s, ethertype(s, l3, ETH_IP), p4));
}

static int proto_value(struct sema *s, const struct token *t, bool ether,
		       uint32_t *v)
{
	if (t->type == T_NUM) {
		*v = t->num;
		return 0;
	}
	if (t->type == T_ID)
		return cc_name_proto(s->cc, rule_no(s), t, ether, v);
	return cc_error(s->cc, &t->loc, "expected a protocol number or name");
}

/*
 * An 802.2 SNAP header at @l3: AA AA 03, the organisation code and the
 * protocol, read as libpcap's gen_bcmp() reads them, last four bytes first.
 */
static struct pred *snap(struct sema *s, uint32_t l3, uint32_t org, uint32_t type)
{
	return pand(s, cmp(s, l3 + 4, 4, MASK_ALL, OP_EQ, (org & 0xffff) << 16 | type),
		    cmp(s, l3, 4, MASK_ALL, OP_EQ, 0xaaaa0300 | org >> 16));
}

/* libpcap's gen_linktype() on Ethernet, for "ether proto N". */
static struct pred *ether_proto(struct sema *s, const struct node *n,
				uint32_t l3, uint32_t v)
{
	struct pred *is_llc;

	/* no LLC inside MPLS or PPP: gen_linktype() tests the type alone */
	if (s->enc->mpls || s->enc->ppp)
		return encap_linktype(s, l3, v);
	is_llc = pnot(s, linktype_cmp(s, OP_GT, 1500));
	switch (v) {
	case 0x06:	/* LLC SAPs that libpcap checks as DSAP and SSAP */
	case 0xf0:
	case 0xfe:
		return pand(s, is_llc, cmp(s, l3, 2, MASK_ALL, OP_EQ, v << 8 | v));
	case 0xe0:
		/*
		 * IPX in its four framings: Ethernet II; then, in 802.3
		 * frames, SNAP, the IPX SAP and "raw" 802.3 (0xffff)
		 */
		return por(s, ethertype(s, l3, ETH_IPX),
			   pand(s, is_llc,
				por(s, snap(s, l3, 0x000000, ETH_IPX),
				    por(s, cmp(s, l3, 1, MASK_ALL, OP_EQ, 0xe0),
					cmp(s, l3, 2, MASK_ALL, OP_EQ, 0xffff)))));
	case ETH_ATALK:
	case ETH_AARP:
		/* EtherTalk phase 1 (the EtherType), or phase 2 (SNAP) */
		return por(s, ethertype(s, l3, v),
			   pand(s, is_llc, snap(s, l3, v == ETH_ATALK ? 0x080007 : 0, v)));
	}
	if (v <= 1500)
		return pand(s, is_llc, cmp(s, l3, 1, MASK_ALL, OP_EQ, v));
	return ethertype(s, l3, v);
}

/*
 * "ip protochain N", "ip6 protochain N": libpcap's loop over the header
 * chain is one instruction of ours (JCHAIN4, JCHAIN6), after the same
 * EtherType test.
 */
static struct pred *chain(struct sema *s, const struct node *n, uint32_t l3,
			  uint32_t v, bool v6)
{
	uint32_t key = l3 << 1 | v6, i;
	struct pred *p;

	if (s->enc->nl_reg) {
		cc_error(s->cc, &n->loc,
			 "'protochain' after 'geneve' or 'vxlan' is not supported: the header's offset varies (libpcap refuses it too)");
		return NULL;
	}
	for (i = 0; i < s->nwalks && s->walks[i] != key; i++)
		;
	if (i == s->nwalks) {
		if (s->nwalks == DUPTO_VM_CHAIN_WALKS) {
			cc_error(s->cc, &n->loc,
				 "a ruleset walks at most %d protocol chains: this one, of %s at offset %u, is one more",
				 DUPTO_VM_CHAIN_WALKS, v6 ? "IPv6" : "IPv4", l3);
			return NULL;
		}
		s->walks[s->nwalks++] = key;
	}
	p = new_pred(s, P_CHAIN);

	p->off = l3;
	p->val = v;
	p->size = v6 ? 6 : 4;
	return pand(s, ethertype(s, l3, v6 ? ETH_IP6 : ETH_IP), p);
}

static struct pred *lower_protochain(struct sema *s, const struct node *n)
{
	struct pred *p4, *p6;
	uint32_t v;

	if (n->q.proto != QP_DEFAULT && n->q.proto != QP_IP && n->q.proto != QP_IP6) {
		cc_error(s->cc, &n->loc,
			 "'%s protochain' is not valid; use 'ip protochain' or 'ip6 protochain'",
			 proto_name(n->q.proto));
		return NULL;
	}
	if (n->is_set) {
		cc_error(s->cc, &n->loc, "'protochain' takes one protocol, not a set");
		return NULL;
	}
	if (n->val.plen != ~0U) {
		cc_error(s->cc, &n->val.loc, "a protocol takes no prefix length");
		return NULL;
	}
	if (proto_value(s, &n->val.tok, false, &v))
		return NULL;
	if (n->q.proto == QP_IP)
		return chain(s, n, n->linkoff, v, false);
	if (n->q.proto == QP_IP6)
		return chain(s, n, n->linkoff, v, true);
	p4 = chain(s, n, n->linkoff, v, false);
	p6 = p4 ? chain(s, n, n->linkoff, v, true) : NULL;
	return p6 ? por(s, p4, p6) : NULL;
}

static struct pred *lower_proto(struct sema *s, const struct node *n)
{
	uint32_t l3 = n->linkoff, v = 0, i;
	int set = -1;

	if (n->q.proto == QP_LINK) {
		if (n->is_set) {
			cc_error(s->cc, &n->loc, "sets of Ethernet protocols are not supported");
			return NULL;
		}
		if (proto_value(s, &n->val.tok, true, &v))
			return NULL;
		return ether_proto(s, n, l3, v);
	}
	if (n->q.proto != QP_DEFAULT && n->q.proto != QP_IP && n->q.proto != QP_IP6) {
		cc_error(s->cc, &n->loc, "'%s proto' is not valid; use 'ip proto' or 'ip6 proto'",
			 proto_name(n->q.proto));
		return NULL;
	}
	if (n->is_set) {
		set = new_set(s, DUPTO_VM_SET_U8);
		if (set < 0) {
			cc_error(s->cc, &n->loc, "too many sets (at most %d)", DUPTO_VM_MAX_SETS);
			return NULL;
		}
		for (i = 0; i < n->nset; i++) {
			struct dupto_vm_range *r;

			if (n->set[i].plen != ~0U) {
				cc_error(s->cc, &n->set[i].loc, "a protocol takes no prefix length");
				return NULL;
			}
			if (proto_value(s, &n->set[i].tok, false, &v))
				return NULL;
			if (v > 255) {
				cc_error(s->cc, &n->set[i].loc, "protocol %u out of range 0-255", v);
				return NULL;
			}
			r = set_push(s, set, sizeof(*r));
			r->first = r->last = v;
		}
	} else {
		if (n->val.plen != ~0U) {
			cc_error(s->cc, &n->val.loc, "a protocol takes no prefix length");
			return NULL;
		}
		if (proto_value(s, &n->val.tok, false, &v))
			return NULL;
	}
	if (n->q.proto == QP_IP)
		return proto4(s, l3, v, set);
	if (n->q.proto == QP_IP6)
		return proto6(s, l3, v, set);
	return por(s, proto4(s, l3, v, set), proto6(s, l3, v, set));
}

/* ---- the rest of libpcap's primitives on Ethernet ---- */

#define ETH_DECNET	0x6003
#define LLCSAP_ISONS	0xfe
#define ISO_CLNP	0x81
#define ISO_ESIS	0x82
#define ISO_ISIS	0x83

/* "iso proto V": an OSI frame (LLC fe fe) whose NLPID, after the LLC header, is V */
static struct pred *iso_proto(struct sema *s, uint32_t l3, uint32_t v)
{
	return pand(s, ether_proto(s, NULL, l3, LLCSAP_ISONS),
		    cmp(s, l3 + 3, 1, MASK_ALL, OP_EQ, v));
}

/* "isis proto V": IS-IS whose PDU type (4 bytes into its header) is V */
static struct pred *isis_pdu(struct sema *s, uint32_t l3, uint32_t v)
{
	return pand(s, iso_proto(s, l3, ISO_ISIS),
		    cmp(s, l3 + 3 + 4, 1, MASK_ALL, OP_EQ, v));
}

/* Any of IS-IS PDU types @v (@n of them), in libpcap's order */
static struct pred *isis_any(struct sema *s, uint32_t l3, const uint8_t *v,
			     size_t n)
{
	struct pred *p = NULL;
	size_t i;

	for (i = 0; i < n; i++)
		p = por(s, p, isis_pdu(s, l3, v[i]));
	return p;
}

/* gen_proto_abbrev() for the qualifiers after QP_IGMP */
static struct pred *l2_abbrev(struct sema *s, enum q_proto proto, uint32_t l3)
{
	/*
	 * IS-IS PDU types: 15-17 hellos (L1 LAN, L2 LAN, point to point),
	 * 18 and 20 LSPs, 24 and 25 CSNPs, 26 and 27 PSNPs, levels 1 and 2
	 */
	static const uint8_t l1[] = { 26, 24, 18, 15, 17 };
	static const uint8_t l2[] = { 27, 25, 20, 16, 17 };
	static const uint8_t iih[] = { 17, 15, 16 };
	static const uint8_t lsp[] = { 18, 20 };
	static const uint8_t snp[] = { 27, 26, 24, 25 };
	static const uint8_t csnp[] = { 24, 25 };
	static const uint8_t psnp[] = { 26, 27 };
	static const uint16_t types[] = {
		[QP_ATALK] = ETH_ATALK, [QP_AARP] = ETH_AARP,
		[QP_DECNET] = ETH_DECNET, [QP_LAT] = 0x6004, [QP_SCA] = 0x6007,
		[QP_MOPRC] = 0x6002, [QP_MOPDL] = 0x6001, [QP_ISO] = LLCSAP_ISONS,
		[QP_STP] = 0x42, [QP_IPX] = 0xe0, [QP_NETBEUI] = 0xf0,
	};

	switch (proto) {
	case QP_ATALK:
	case QP_AARP:
	case QP_DECNET:
	case QP_LAT:
	case QP_SCA:
	case QP_MOPRC:
	case QP_MOPDL:
	case QP_ISO:
	case QP_STP:
	case QP_IPX:
	case QP_NETBEUI:
		return ether_proto(s, NULL, l3, types[proto]);
	case QP_ESIS:
		return iso_proto(s, l3, ISO_ESIS);
	case QP_ISIS:
		return iso_proto(s, l3, ISO_ISIS);
	case QP_CLNP:
		return iso_proto(s, l3, ISO_CLNP);
	case QP_L1:
		return isis_any(s, l3, l1, sizeof(l1));
	case QP_L2:
		return isis_any(s, l3, l2, sizeof(l2));
	case QP_IIH:
		return isis_any(s, l3, iih, sizeof(iih));
	case QP_LSP:
		return isis_any(s, l3, lsp, sizeof(lsp));
	case QP_SNP:
		return isis_any(s, l3, snp, sizeof(snp));
	case QP_CSNP:
		return isis_any(s, l3, csnp, sizeof(csnp));
	case QP_PSNP:
		return isis_any(s, l3, psnp, sizeof(psnp));
	case QP_ESP:
		return por(s, proto4(s, l3, 50, -1), proto6(s, l3, 50, -1));
	case QP_AH:
		return por(s, proto4(s, l3, 51, -1), proto6(s, l3, 51, -1));
	case QP_PIM:
		return por(s, proto4(s, l3, 103, -1), proto6(s, l3, 103, -1));
	/* IPv4 only, as in libpcap; VRRP and CARP share protocol 112 */
	case QP_VRRP:
	case QP_CARP:
		return proto4(s, l3, 112, -1);
	case QP_IGRP:
		return proto4(s, l3, 9, -1);
	default:
		return NULL;
	}
}

/* libpcap's gen_llc(): an 802.3 frame that is not "raw" IPX (ffff) */
/*
 * As libpcap's gen_llc(): the length in place of the EtherType, then the
 * LLC header at the start of the link layer's payload, where the
 * encapsulation has them: "vlan" moves both; "mpls" neither (the payload
 * is where the labels start); after "geneve" the payload is the inner
 * frame's network layer, which for a bare packet is no EtherType's
 * neighbour.
 */
static struct pred *lower_llc(struct sema *s, const struct node *n)
{
	uint8_t reg = s->enc->nl_reg;
	uint32_t llc = reg ? s->enc->nl : s->enc->nl - 4 * s->enc->mpls;
	struct pred *p;

	if (s->enc->ppp) {
		cc_error(s->cc, &n->loc, "'llc' is not valid after 'pppoes': PPP has no LLC header (libpcap refuses it too)");
		return NULL;
	}
	p = pand(s, pnot(s, linktype_cmp(s, OP_GT, 1500)),
		 pnot(s, cmp_at(s, reg, llc, 2, MASK_ALL, OP_EQ, 0xffff)));
	/* its control field, after DSAP and SSAP */
	if (n->has_num)
		p = pand(s, p, cmp_at(s, reg, llc + 2, 1, n->mask2, OP_EQ, n->num));
	return p;
}

/*
 * byte N op M, on the frame's byte N whatever "vlan" came before, as
 * libpcap's gen_byteop() reads it. libpcap compiles '&' and '|' with no
 * load of the byte (they test what an earlier test left in the
 * accumulator), so only the comparisons mean something.
 */
static struct pred *lower_byte(struct sema *s, const struct node *n)
{
	uint8_t reg = s->enc->linkhdr_reg;
	uint32_t off = s->enc->linkhdr + n->num;

	/* from the link header, which geneve and pppoes move (not vlan) */
	switch (n->relop) {
	case T_EQ:
		return cmp_at(s, reg, off, 1, MASK_ALL, OP_EQ, n->mask2);
	case T_GT:
		return cmp_at(s, reg, off, 1, MASK_ALL, OP_GT, n->mask2);
	case T_LT:
		return pnot(s, cmp_at(s, reg, off, 1, MASK_ALL, OP_GE, n->mask2));
	default:
		cc_error(s->cc, &n->loc, "'byte N %c M' is not supported: libpcap compiles it without reading the byte; use 'ether[N] %c M != 0'",
			 n->relop == T_AMP ? '&' : '|', n->relop == T_AMP ? '&' : '|');
		return NULL;
	}
}

/*
 * One side of libpcap's gen_dnhostop(): the DECnet routing header after
 * the 2-byte length, with or without a pad byte, long or short form; the
 * address is compared as libpcap on a little-endian machine does (it is
 * little-endian on the wire).
 */
static struct pred *decnet_side(struct sema *s, uint32_t l3, bool src,
				uint32_t addr)
{
	uint32_t sh = src ? 3 : 1, lh = src ? 15 : 7;
	uint32_t a = (addr & 0xff) << 8 | (addr >> 8 & 0xff);
	struct pred *b1, *b2;

	b1 = pand(s, cmp(s, l3 + 2, 2, 0xff07, OP_EQ, 0x8106),
		  cmp(s, l3 + 2 + 1 + lh, 2, MASK_ALL, OP_EQ, a));
	b2 = pand(s, cmp(s, l3 + 2, 1, 0x07, OP_EQ, 0x06),
		  cmp(s, l3 + 2 + lh, 2, MASK_ALL, OP_EQ, a));
	b1 = por(s, b2, b1);
	b2 = pand(s, cmp(s, l3 + 2, 2, 0xff07, OP_EQ, 0x8102),
		  cmp(s, l3 + 2 + 1 + sh, 2, MASK_ALL, OP_EQ, a));
	b1 = por(s, b2, b1);
	b2 = pand(s, cmp(s, l3 + 2, 1, 0x07, OP_EQ, 0x02),
		  cmp(s, l3 + 2 + sh, 2, MASK_ALL, OP_EQ, a));
	b1 = por(s, b2, b1);
	return pand(s, ethertype(s, l3, ETH_DECNET), b1);
}

/* decnet [src|dst] [host|net] AREA.NODE (or a number): gen_dnhostop() */
static struct pred *lower_decnet(struct sema *s, const struct node *n)
{
	const struct token *t = &n->val.tok;
	uint32_t l3 = n->linkoff, addr;

	if (n->is_set || n->has_mask || n->val.plen != ~0U) {
		cc_error(s->cc, &n->loc, "a DECnet address is one AREA.NODE, without mask, prefix or set");
		return NULL;
	}
	if (t->type == T_NUM) {
		addr = t->num;
	} else if (t->type == T_HID) {
		char *end;
		unsigned long area = strtoul(t->text, &end, 10);
		unsigned long node = strtoul(end + 1, NULL, 10);

		/* libpcap's __pcap_atodn(): 6 bits of area, 10 of node */
		addr = (area << 10 & 0xfc00) | (node & 0x3ff);
	} else {
		cc_error(s->cc, &t->loc, "expected a DECnet address such as 1.2 (AREA.NODE)");
		return NULL;
	}
	switch (n->q.dir) {
	case QD_SRC:
		return decnet_side(s, l3, true, addr);
	case QD_DST:
		return decnet_side(s, l3, false, addr);
	case QD_AND:
		return pand(s, decnet_side(s, l3, true, addr),
			    decnet_side(s, l3, false, addr));
	default:
		return por(s, decnet_side(s, l3, true, addr),
			   decnet_side(s, l3, false, addr));
	}
}

/* "iso proto V" (V a number or \clnp, \esis, \isis) and "isis proto V" */
static struct pred *lower_osi_proto(struct sema *s, const struct node *n)
{
	static const struct {
		const char *name;
		uint8_t v;
	} osi[] = { { "clnp", ISO_CLNP }, { "esis", ISO_ESIS }, { "isis", ISO_ISIS } };
	const struct token *t = &n->val.tok;
	uint32_t v = 0, len = t->loc.len - t->escaped;
	size_t i;

	if (n->is_set || n->val.plen != ~0U) {
		cc_error(s->cc, &n->loc, "'%s proto' takes one protocol", proto_name(n->q.proto));
		return NULL;
	}
	if (n->q.proto == QP_ISIS) {
		/* libpcap knows no names of IS-IS PDU types */
		if (t->type != T_NUM) {
			cc_error(s->cc, &t->loc, "'isis proto' takes a PDU type number, such as 18 (a level 1 LSP)");
			return NULL;
		}
		return isis_pdu(s, n->linkoff, t->num);
	}
	if (t->type == T_NUM) {
		v = t->num;
	} else if (t->type == T_ID) {
		for (i = 0; i < sizeof(osi) / sizeof(osi[0]); i++)
			if (strlen(osi[i].name) == len && !strncmp(t->text, osi[i].name, len))
				break;
		if (i == sizeof(osi) / sizeof(osi[0])) {
			cc_error(s->cc, &t->loc, "unknown OSI protocol '%.*s' (\\clnp, \\esis or \\isis)",
				 (int)len, t->text);
			return NULL;
		}
		v = osi[i].v;
	} else {
		cc_error(s->cc, &t->loc, "expected an OSI protocol number or name");
		return NULL;
	}
	return iso_proto(s, n->linkoff, v);
}

/* A qualifier after QP_IGMP: the primitives libpcap has for it, or an error */
static bool is_l2_proto(enum q_proto p)
{
	return p >= QP_ATALK;
}

static struct pred *lower_l2_prim(struct sema *s, const struct node *n)
{
	const char *w = proto_name(n->q.proto);

	if (n->q.addr == QA_PROTO && (n->q.proto == QP_ISO || n->q.proto == QP_ISIS))
		return lower_osi_proto(s, n);
	if (n->q.addr == QA_PROTO) {
		cc_error(s->cc, &n->loc, "'%s proto' is not valid: only 'iso proto' and 'isis proto' name what %s carries",
			 w, w);
		return NULL;
	}
	if (n->q.proto == QP_DECNET && n->q.addr != QA_PORT && n->q.addr != QA_PORTRANGE)
		return lower_decnet(s, n);
	if (n->q.addr == QA_PORT || n->q.addr == QA_PORTRANGE) {
		cc_error(s->cc, &n->loc, "illegal qualifier of '%s': '%s'",
			 n->q.addr == QA_PORT ? "port" : "portrange", w);
		return NULL;
	}
	cc_error(s->cc, &n->loc, "'%s' has no addresses to test (of these protocols, only 'decnet' has hosts)", w);
	return NULL;
}

static struct pred *lower_prim(struct sema *s, const struct node *n)
{
	if (n->q.dir != QD_DEFAULT &&
	    (n->q.addr == QA_PROTO || n->q.addr == QA_PROTOCHAIN)) {
		cc_error(s->cc, &n->loc, "'proto' takes no direction");
		return NULL;
	}
	if (is_l2_proto(n->q.proto))
		return lower_l2_prim(s, n);
	switch (n->q.addr) {
	case QA_PORT:
	case QA_PORTRANGE:
		return lower_port(s, n);
	case QA_PROTO:
		return lower_proto(s, n);
	case QA_PROTOCHAIN:
		return lower_protochain(s, n);
	default:
		if (n->q.proto == QP_LINK && !n->is_set && n->val.tok.type != T_EID &&
		    n->val.tok.type != T_ID) {
			cc_error(s->cc, &n->val.loc, "expected an Ethernet address");
			return NULL;
		}
		return lower_host(s, n);
	}
}

/* ---- arithmetic ---- */

static int arth_checks(struct sema *s, const struct arth *a, struct pred **out);

/*
 * "x + 1 + 1 ..." is a tree as deep as it is long, along its left edge, as
 * "and" and "or" chains are (lower_chain()): walked in a loop, from the
 * left. An operation keeps the protocol checks of its left operand only,
 * as libpcap 1.10's gen_arth() does: "2 + ip[4] = 6" tests no EtherType,
 * "ip[4] + tcp[0] = 5" tests IPv4 and not TCP. The right operands are
 * still checked for errors.
 */
static int arth_chain_checks(struct sema *s, const struct arth *a,
			     struct pred **out)
{
	const struct arth *x, **edge;
	struct pred *r;
	uint32_t len = 0, i;
	int err;

	for (x = a; x->kind == A_BIN; x = x->l)
		len++;
	edge = malloc(len * sizeof(*edge));
	if (!edge)
		abort();
	for (x = a, i = 0; i < len; x = x->l)
		edge[i++] = x;
	err = arth_checks(s, x, out);
	for (i = len; !err && i-- > 0;) {
		x = edge[i];
		err = arth_checks(s, x->r, &r);
		if (err)
			break;
		if (x->r->kind == A_NUM && !x->r->num &&
		    (x->op == T_SLASH || x->op == T_PERCENT))
			err = cc_error(s->cc, &x->r->loc, "%s by zero",
				       x->op == T_SLASH ? "division" : "modulus");
		else if (x->r->kind == A_NUM && x->r->num > 31 &&
			 (x->op == T_LSH || x->op == T_RSH))
			err = cc_error(s->cc, &x->r->loc, "shift by more than 31 bits");
	}
	free(edge);
	return err;
}

/*
 * The protocol checks a load needs before it is done, in libpcap's order
 * (gen_load): transport loads are IPv4 only and need a first fragment.
 */
static int arth_checks(struct sema *s, const struct arth *a, struct pred **out)
{
	struct pred *l = NULL;
	uint32_t l3;

	*out = NULL;
	switch (a->kind) {
	case A_NUM:
	case A_LEN:
		return 0;
	case A_NEG:
		return arth_checks(s, a->l, out);
	case A_BIN:
		return arth_chain_checks(s, a, out);
	case A_LOAD:
		break;
	}
	if (arth_checks(s, a->l, &l))
		return -1;
	l3 = a->linkoff;
	s->enc = a->enc;
	s->loc = &a->loc;
	s->base = a->enc->nl_reg;
	switch (a->proto) {
	case QP_LINK:
		*out = l;
		return 0;
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
		*out = pand(s, l, proto_abbrev(s, a->proto, l3));
		return 0;
	case QP_TCP:
	case QP_UDP:
	case QP_SCTP:
	case QP_ICMP:
	case QP_IGMP:
	case QP_IGRP:
	case QP_PIM:
	case QP_VRRP:
	case QP_CARP:
		*out = pand(s, ethertype(s, l3, ETH_IP),
			    pand(s, l, pand(s, proto_abbrev(s, a->proto, l3),
					    not_frag(s, l3))));
		return 0;
	case QP_ICMP6:
		*out = pand(s, l, pand(s, ethertype(s, l3, ETH_IP6),
				       cmp(s, l3 + 6, 1, MASK_ALL, OP_EQ, 58)));
		return 0;
	default:
		return cc_error(s->cc, &a->loc, "'%s[...]' is not valid: libpcap has no header offset for %s",
				proto_name(a->proto), proto_name(a->proto));
	}
}

static struct pred *lower_rel(struct sema *s, const struct node *n)
{
	struct pred *c0, *c1, *p;

	if (arth_checks(s, n->a0, &c0) || arth_checks(s, n->a1, &c1))
		return NULL;
	p = new_pred(s, P_REL);
	p->a0 = n->a0;
	p->a1 = n->a1;
	p->relop = n->relop;
	return pand(s, pand(s, c0, c1), p);
}

static struct pred *len_test(struct sema *s, const struct node *n, enum tok op)
{
	struct arth *len = cc_alloc(s->cc, sizeof(*len));
	struct arth *num = cc_alloc(s->cc, sizeof(*num));
	struct pred *p = new_pred(s, P_REL);

	len->kind = A_LEN;
	num->kind = A_NUM;
	num->num = n->num;
	p->a0 = len;
	p->a1 = num;
	p->relop = op;
	return p;
}

static struct pred *lower(struct sema *s, const struct node *n);

/*
 * A rule whose "ip broadcast" took the ruleset's netmask (or the command
 * line's) keeps it in its text, "rule netmask A.B.C.D ...": the text is
 * what the kernel keeps of the rule, and what "dupto save" prints and
 * "dupto rule add" compiles again.
 */
static void text_netmask(struct sema *s, struct cc_rule *r, uint32_t mask)
{
	static const char rule[] = "rule ";
	char *t;
	int n;

	if (r->text_len < sizeof(rule) - 1 || strncmp(r->text, rule, sizeof(rule) - 1))
		return;	/* a filter expression alone ("dupto compile -e") */
	t = cc_alloc(s->cc, r->text_len + 32);
	n = snprintf(t, 32, "rule netmask %u.%u.%u.%u ", mask >> 24, mask >> 16 & 0xff,
		     mask >> 8 & 0xff, mask & 0xff);
	memcpy(t + n, r->text + sizeof(rule) - 1, r->text_len - (sizeof(rule) - 1));
	r->text = t;
	r->text_len += n - (sizeof(rule) - 1);
}

/*
 * "ip broadcast": a destination whose host part (outside the netmask) is
 * all zeros or all ones, as libpcap's gen_broadcast() tests it with the
 * netmask given to pcap_compile(); without one, libpcap refuses it too.
 */
static struct pred *ip_broadcast(struct sema *s, const struct node *n)
{
	uint32_t host, l3 = n->linkoff;

	if (!s->rule->has_netmask && !s->cc->has_netmask) {
		cc_error(s->cc, &n->loc, "'ip broadcast' needs the network's netmask: give it with a 'netmask 255.255.255.0' statement in the ruleset or the netmask option of the command");
		return NULL;
	}
	if (!s->rule->has_netmask) {
		text_netmask(s, s->rule, s->cc->netmask);
		/* once: the rule's other "ip broadcast" find it there */
		s->rule->has_netmask = true;
		s->rule->netmask = s->cc->netmask;
	}
	host = ~s->rule->netmask;
	return pand(s, ethertype(s, l3, ETH_IP),
		    por(s, cmp(s, l3 + 16, 4, host, OP_EQ, 0),
			cmp(s, l3 + 16, 4, host, OP_EQ, host)));
}

/*
 * A chain "a or b and c ..." parses to a tree as deep as it is long, its
 * operators along the left edge (they group to the left), and a list of
 * thousands of hosts is a fair thing to write: so the left edge is walked
 * in a loop, and only the operands, whose nesting the parser bounds, in
 * recursion. The operands are lowered from the left, as they are written,
 * so that sets are numbered and errors found in that order.
 */
static struct pred *lower_chain(struct sema *s, const struct node *n)
{
	const struct node *x, **edge;
	struct pred *acc, *r = NULL;
	uint32_t len = 0, i;

	for (x = n; x->kind == N_AND || x->kind == N_OR; x = x->l)
		len++;
	edge = malloc(len * sizeof(*edge));
	if (!edge)
		abort();
	for (x = n, i = 0; i < len; x = x->l)
		edge[i++] = x;
	acc = lower(s, x);
	for (i = len; acc && i-- > 0;) {
		r = lower(s, edge[i]->r);
		acc = !r ? NULL : edge[i]->kind == N_AND ? pand(s, acc, r) :
		      por(s, acc, r);
	}
	free(edge);
	return acc;
}

static struct pred *lower(struct sema *s, const struct node *n)
{
	struct pred *l, *p;
	uint32_t lt = n->linkoff - 2;

	s->enc = n->enc;
	s->loc = &n->loc;
	s->base = n->enc->nl_reg;
	switch (n->kind) {
	case N_AND:
	case N_OR:
		return lower_chain(s, n);
	case N_NOT:
		l = lower(s, n->l);
		return l ? pnot(s, l) : NULL;
	case N_PRIM:
		return lower_prim(s, n);
	case N_PROTO:
		p = proto_abbrev(s, n->proto, n->linkoff);
		if (!p)
			cc_error(s->cc, &n->loc, "'%s' alone is not a test; say what to match, such as 'ether host'",
				 proto_name(n->proto));
		return p;
	case N_REL:
		return lower_rel(s, n);
	case N_VLAN:
		if (n->has_num && n->num > 4095) {
			cc_error(s->cc, &n->loc, "VLAN tag %u greater than maximum 4095", n->num);
			return NULL;
		}
		if (n->enc->mpls) {
			cc_error(s->cc, &n->loc, "no VLAN match after MPLS: libpcap cannot test a tag inside MPLS");
			return NULL;
		}
		if (!encap_ether_ok(s, "VLAN tags"))
			return NULL;
		p = por(s, linktype_cmp(s, OP_EQ, 0x8100),
			por(s, linktype_cmp(s, OP_EQ, 0x88a8),
			    linktype_cmp(s, OP_EQ, 0x9100)));
		if (n->has_num)
			p = pand(s, p, cmp(s, lt + 2, 2, 0x0fff, OP_EQ, n->num));
		return p;
	case N_LESS:
		return pnot(s, len_test(s, n, T_GT));
	case N_GREATER:
		return len_test(s, n, T_GE);
	case N_BCAST:
		if ((n->proto == QP_DEFAULT || n->proto == QP_LINK) &&
		    !encap_ether_ok(s, "Ethernet broadcast"))
			return NULL;
		if (n->proto == QP_DEFAULT || n->proto == QP_LINK)
			return pand(s, geneve_ll_check(s),
				    pand(s, cmp_at(s, n->enc->linkhdr_reg, n->enc->linkhdr + 2,
						   4, MASK_ALL, OP_EQ, 0xffffffff),
					 cmp_at(s, n->enc->linkhdr_reg, n->enc->linkhdr,
						2, MASK_ALL, OP_EQ, 0xffff)));
		if (n->proto == QP_IP)
			return ip_broadcast(s, n);
		else
			cc_error(s->cc, &n->loc, "'%s broadcast' is not valid: there are 'ether broadcast' and 'ip broadcast'",
				 proto_name(n->proto));
		return NULL;
	case N_MCAST:
		switch (n->proto) {
		case QP_DEFAULT:
		case QP_LINK:
			if (!encap_ether_ok(s, "Ethernet multicast"))
				return NULL;
			return pand(s, geneve_ll_check(s),
				    cmp_at(s, n->enc->linkhdr_reg, n->enc->linkhdr, 1,
					   MASK_ALL, OP_SET, 1));
		case QP_IP:
			return pand(s, ethertype(s, n->linkoff, ETH_IP),
				    cmp(s, n->linkoff + 16, 1, MASK_ALL, OP_GE, 224));
		case QP_IP6:
			return pand(s, ethertype(s, n->linkoff, ETH_IP6),
				    cmp(s, n->linkoff + 24, 1, MASK_ALL, OP_EQ, 255));
		default:
			cc_error(s->cc, &n->loc, "only Ethernet, IP and IPv6 multicast are supported");
			return NULL;
		}
	case N_ON:
		p = new_pred(s, P_ON);
		p->port = n->port;
		p->dir = n->dir;
		/* a rule that speaks of frames leaving a port gets to see them */
		if (n->dir & DUPTO_VM_DIR_OUT)
			s->rule->flags |= DUPTO_VM_RULE_OUT;
		return p;
	case N_TRUE:
		return new_pred(s, P_TRUE);
	case N_LLC:
		return lower_llc(s, n);
	case N_BYTE:
		return lower_byte(s, n);
	case N_MPLS:
		return lower_mpls(s, n);
	case N_PPPOED:
		return ethertype(s, n->linkoff, ETH_PPPOED);
	case N_PPPOES:
		return lower_pppoes(s, n);
	case N_GENEVE:
	case N_VXLAN:
		return lower_tunnel(s, n);
	}
	return NULL;
}

int cc_sema(struct cc *cc)
{
	struct sema s = { .cc = cc };
	uint32_t i;

	for (i = 0; i < cc->nrules; i++) {
		struct cc_rule *r = &cc->rules[i];

		s.rule = r;
		s.keep = r->unoptimised;
		if (!r->expr) {
			r->pred = new_pred(&s, P_TRUE);
			continue;
		}
		r->pred = lower(&s, r->expr);
		/* an encapsulation's refusal may be deep inside a test */
		if (!r->pred || cc->nerrors)
			return -1;
	}
	return 0;
}
