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
 * header starts (14, plus 4 per "vlan" parsed before); the EtherType is the
 * two bytes just before it.
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
	return p;
}

#define MASK_ALL	0xffffffffU

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
	return p;
}

static struct pred *ethertype(struct sema *s, uint32_t l3, uint32_t type)
{
	return cmp(s, l3 - 2, 2, MASK_ALL, OP_EQ, type);
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
		return NULL;
	}
}

static const char *proto_name(enum q_proto p)
{
	static const char *const names[] = {
		[QP_DEFAULT] = "", [QP_LINK] = "ether", [QP_IP] = "ip",
		[QP_IP6] = "ip6", [QP_ARP] = "arp", [QP_RARP] = "rarp",
		[QP_TCP] = "tcp", [QP_UDP] = "udp", [QP_ICMP] = "icmp",
		[QP_ICMP6] = "icmp6", [QP_SCTP] = "sctp", [QP_IGMP] = "igmp",
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
	return by_dir(s, dir, mac_side(s, 6, a, set), mac_side(s, 0, a, set));
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
	struct pred *is_llc = pnot(s, cmp(s, l3 - 2, 2, MASK_ALL, OP_GT, 1500));

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

static struct pred *lower_prim(struct sema *s, const struct node *n)
{
	if (n->q.dir != QD_DEFAULT &&
	    (n->q.addr == QA_PROTO)) {
		cc_error(s->cc, &n->loc, "'proto' takes no direction");
		return NULL;
	}
	switch (n->q.addr) {
	case QA_PORT:
	case QA_PORTRANGE:
		return lower_port(s, n);
	case QA_PROTO:
		return lower_proto(s, n);
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
	switch (a->proto) {
	case QP_LINK:
		*out = l;
		return 0;
	case QP_IP:
	case QP_IP6:
	case QP_ARP:
	case QP_RARP:
		*out = pand(s, l, proto_abbrev(s, a->proto, l3));
		return 0;
	case QP_TCP:
	case QP_UDP:
	case QP_SCTP:
	case QP_ICMP:
	case QP_IGMP:
		*out = pand(s, ethertype(s, l3, ETH_IP),
			    pand(s, l, pand(s, proto_abbrev(s, a->proto, l3),
					    not_frag(s, l3))));
		return 0;
	case QP_ICMP6:
		*out = pand(s, l, pand(s, ethertype(s, l3, ETH_IP6),
				       cmp(s, l3 + 6, 1, MASK_ALL, OP_EQ, 58)));
		return 0;
	default:
		return cc_error(s->cc, &a->loc, "unsupported protocol for a load");
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
		p = por(s, cmp(s, lt, 2, MASK_ALL, OP_EQ, 0x8100),
			por(s, cmp(s, lt, 2, MASK_ALL, OP_EQ, 0x88a8),
			    cmp(s, lt, 2, MASK_ALL, OP_EQ, 0x9100)));
		if (n->has_num)
			p = pand(s, p, cmp(s, lt + 2, 2, 0x0fff, OP_EQ, n->num));
		return p;
	case N_LESS:
		return pnot(s, len_test(s, n, T_GT));
	case N_GREATER:
		return len_test(s, n, T_GE);
	case N_BCAST:
		if (n->proto == QP_DEFAULT || n->proto == QP_LINK)
			return pand(s, cmp(s, 2, 4, MASK_ALL, OP_EQ, 0xffffffff),
				    cmp(s, 0, 2, MASK_ALL, OP_EQ, 0xffff));
		if (n->proto == QP_IP)
			cc_error(s->cc, &n->loc, "'ip broadcast' needs the netmask, which dupto does not know; use a net test");
		else
			cc_error(s->cc, &n->loc, "only Ethernet broadcast is supported");
		return NULL;
	case N_MCAST:
		switch (n->proto) {
		case QP_DEFAULT:
		case QP_LINK:
			return cmp(s, 0, 1, MASK_ALL, OP_SET, 1);
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
		if (!r->expr) {
			r->pred = new_pred(&s, P_TRUE);
			continue;
		}
		r->pred = lower(&s, r->expr);
		if (!r->pred)
			return -1;
	}
	return 0;
}
