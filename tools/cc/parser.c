// SPDX-License-Identifier: GPL-2.0
/*
 * The parser: tokens to rules and expression trees, following libpcap's
 * grammar where the two languages overlap:
 *
 *  - "and" and "or" have the same precedence and group to the left, so
 *    "a or b and c" is "(a or b) and c", as in tcpdump;
 *  - a bare value after "and", "or" or "not" inherits the qualifiers of the
 *    primitive before it: "tcp port 80 or 443", "host a and not b";
 *  - "vlan", "mpls" and "pppoes" shift the offsets of everything parsed
 *    after them, whatever the operators around them: each node records the
 *    headers (struct enc) in force at the point where it was parsed.
 *
 * The ruleset syntax around expressions is keyword-led and ignores line
 * breaks:  rule [quick] [else] [EXPR] to TARGET[, TARGET...]
 * and groups of sensors that share the flows:
 *          group NAME members A[, B...] [hash addresses|addresses-ports]
 *                [seed N] [weights W[, W...]]
 * A configuration file adds the declarations of its devices:
 *          port NIC [device [name DEV]]
 *          sensor NAME [link DEV]
 */

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "compiler.h"
#include "options.h"

struct parser {
	struct cc *cc;
	uint32_t linkoff;	/* 14, plus 4 for each "vlan" or "mpls" parsed so far */
	const struct enc *enc;	/* the headers here: enc->nl is linkoff */
	uint32_t depth;		/* levels of nesting entered, CC_MAX_NESTING at most */
	/* for each '(' or '[', the index of the token after its group */
	uint32_t *group_end;
};

static const struct {
	const char *word;
	enum q_proto proto;
} pnames[] = {
	{ "ether", QP_LINK }, { "link", QP_LINK }, { "ip", QP_IP },
	{ "ip6", QP_IP6 }, { "arp", QP_ARP }, { "rarp", QP_RARP },
	{ "tcp", QP_TCP }, { "udp", QP_UDP }, { "icmp", QP_ICMP },
	{ "icmp6", QP_ICMP6 }, { "sctp", QP_SCTP }, { "igmp", QP_IGMP },
	/* libpcap's other link-layer words mean Ethernet on Ethernet */
	{ "ppp", QP_LINK }, { "slip", QP_LINK }, { "fddi", QP_LINK },
	{ "tr", QP_LINK }, { "wlan", QP_LINK },
	{ "atalk", QP_ATALK }, { "aarp", QP_AARP }, { "decnet", QP_DECNET },
	{ "lat", QP_LAT }, { "sca", QP_SCA }, { "moprc", QP_MOPRC },
	{ "mopdl", QP_MOPDL }, { "iso", QP_ISO }, { "esis", QP_ESIS },
	{ "es-is", QP_ESIS }, { "isis", QP_ISIS }, { "is-is", QP_ISIS },
	{ "clnp", QP_CLNP }, { "l1", QP_L1 }, { "l2", QP_L2 }, { "iih", QP_IIH },
	{ "lsp", QP_LSP }, { "snp", QP_SNP }, { "csnp", QP_CSNP },
	{ "psnp", QP_PSNP }, { "stp", QP_STP }, { "ipx", QP_IPX },
	{ "netbeui", QP_NETBEUI }, { "esp", QP_ESP }, { "ah", QP_AH },
	{ "pim", QP_PIM }, { "vrrp", QP_VRRP }, { "carp", QP_CARP },
	{ "igrp", QP_IGRP },
};

/* Words that are not names. */
static const char *const keywords[] = {
	"and", "or", "not", "src", "dst", "host", "net", "mask", "port",
	"portrange", "proto", "vlan", "broadcast", "multicast", "less",
	"greater", "len", "in", "out", "on", "rule", "quick", "else", "to",
	"protochain", "llc", "byte", "inbound", "outbound", "ifindex",
};

/*
 * Encapsulations: libpcap's keywords that move the offsets of what
 * follows them (see struct enc), and "vxlan", libpcap's after 1.10.
 */
static const char *const encap_keywords[] = {
	"mpls", "pppoed", "pppoes", "geneve", "vxlan",
};

/* Before any encapsulation: Ethernet, the network layer at 14. */
static const struct enc enc_ether = { .linkhdr = 0, .linktype = 12, .nl = 14 };

/*
 * libpcap words dupto does not implement: say so rather than "syntax error".
 * Most are refused by libpcap too on Ethernet (ATM, 802.11, pflog and SS7
 * words; "gateway", which libpcap built with IPv6 refuses everywhere).
 * Each has a "refused" line in tests/expressions.txt, where the diff test
 * checks that libpcap refuses it on Ethernet too.
 */
static const char *const unsupported[] = {
	"gateway", "radio", "atm", "lane",
	"oam", "oamf4", "metac", "bcc", "sc", "ilmic", "connectmsg",
	"metaconnect", "type", "subtype", "dir", "addr1", "addr2",
	"addr3", "addr4", "ra", "ta", "action", "reason", "rnr", "rulenum",
	"ruleset", "srnr", "subrulenum", "vpi", "vci", "hdpi",
	"sio", "opc", "dpc", "sls", "hsio", "hopc", "hdpc", "hsls",
	"fisu", "lssu", "msu", "hfisu", "hlssu", "hmsu",
};

static struct token *peek(struct parser *p, uint32_t k)
{
	struct cc *cc = p->cc;
	uint32_t i = cc->tp + k;

	return &cc->toks[i < cc->ntoks ? i : cc->ntoks - 1];
}

static struct token *next(struct parser *p)
{
	struct token *t = peek(p, 0);

	if (t->type != T_EOF)
		p->cc->tp++;
	return t;
}

static bool word_is(const struct token *t, const char *w)
{
	return t->type == T_ID && !t->escaped && strlen(w) == t->loc.len &&
	       !strncmp(t->text, w, t->loc.len);
}

/* "and"/"&&" or "or"/"||": the node kind it makes, or false. */
static bool bool_op(const struct token *t, enum n_kind *kind)
{
	if (t->type == T_ANDAND || word_is(t, "and"))
		*kind = N_AND;
	else if (t->type == T_OROR || word_is(t, "or"))
		*kind = N_OR;
	else
		return false;
	return true;
}

static bool is_kw(struct parser *p, uint32_t k, const char *w)
{
	return word_is(peek(p, k), w);
}

static bool accept_kw(struct parser *p, const char *w)
{
	if (!is_kw(p, 0, w))
		return false;
	next(p);
	return true;
}

bool cc_is_keyword(const char *word, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
		if (strlen(keywords[i]) == len && !strncmp(word, keywords[i], len))
			return true;
	for (i = 0; i < sizeof(pnames) / sizeof(pnames[0]); i++)
		if (strlen(pnames[i].word) == len && !strncmp(word, pnames[i].word, len))
			return true;
	for (i = 0; i < sizeof(encap_keywords) / sizeof(encap_keywords[0]); i++)
		if (strlen(encap_keywords[i]) == len && !strncmp(word, encap_keywords[i], len))
			return true;
	return false;
}

static bool is_keyword(const struct token *t)
{
	return t->type == T_ID && !t->escaped && cc_is_keyword(t->text, t->loc.len);
}

/* The length of a name: an escaped word's text starts after its '\'. */
static uint32_t name_len(const struct token *t)
{
	return t->loc.len - t->escaped;
}

static int pname_of(const struct token *t)
{
	size_t i;

	for (i = 0; i < sizeof(pnames) / sizeof(pnames[0]); i++)
		if (word_is(t, pnames[i].word))
			return pnames[i].proto;
	return -1;
}

static const char *tok_desc(const struct token *t)
{
	switch (t->type) {
	case T_EOF:
		return "end of input";
	default:
		return NULL;
	}
}

/* A number the lexer found too large (struct token's big): say so. */
static void *too_large(struct parser *p, const struct token *t)
{
	cc_error(p->cc, &t->loc, "number %.*s is too large (at most %u)",
		 (int)t->loc.len, t->text, UINT32_MAX);
	return NULL;
}

/* "expected X, found Y" at the current token. */
static void *expected(struct parser *p, const char *what)
{
	struct token *t = peek(p, 0);
	const char *desc = tok_desc(t);
	size_t i;

	if (t->type == T_ID && t->big)
		return too_large(p, t);
	for (i = 0; t->type == T_ID && i < sizeof(unsupported) / sizeof(unsupported[0]); i++) {
		if (word_is(t, unsupported[i])) {
			cc_error(p->cc, &t->loc, "'%s' is not supported by dupto",
				 unsupported[i]);
			return NULL;
		}
	}
	if (desc)
		cc_error(p->cc, &t->loc, "expected %s, found %s", what, desc);
	else
		cc_error(p->cc, &t->loc, "expected %s, found '%.*s'", what,
			 (int)t->loc.len, t->text);
	return NULL;
}

static struct node *new_node(struct parser *p, enum n_kind kind,
			     const struct loc *loc)
{
	struct node *n = cc_alloc(p->cc, sizeof(*n));

	n->kind = kind;
	n->loc = *loc;
	n->linkoff = p->linkoff;
	n->enc = p->enc;
	return n;
}

/* The location from @a to the end of the previous token. */
static struct loc span(struct parser *p, const struct loc *a)
{
	const struct token *last = &p->cc->toks[p->cc->tp ? p->cc->tp - 1 : 0];
	struct loc l = *a;

	if (last->loc.pos + last->loc.len > a->pos)
		l.len = last->loc.pos + last->loc.len - a->pos;
	/* a caret line stays on the first line */
	if (last->loc.line != a->line)
		l.len = a->len;
	return l;
}

static bool is_relop(enum tok t)
{
	return t == T_EQ || t == T_NE || t == T_LT || t == T_LE ||
	       t == T_GT || t == T_GE;
}

static bool is_arith_op(enum tok t)
{
	return t == T_PLUS || t == T_MINUS || t == T_STAR || t == T_SLASH ||
	       t == T_PERCENT || t == T_AMP || t == T_PIPE || t == T_CARET ||
	       t == T_LSH || t == T_RSH;
}

/*
 * Index of the token after the parenthesis group starting at @k. The
 * parser asks at every '(' of a term, so the ends are found once, up
 * front: scanning each group anew would make nested groups quadratic.
 */
static uint32_t skip_group(struct parser *p, uint32_t k)
{
	return p->group_end[p->cc->tp + k] - p->cc->tp;
}

/*
 * Any closing bracket closes the latest open one, as the parser's own
 * scan used to count them; a group still open at the end runs to T_EOF.
 */
static void find_groups(struct parser *p)
{
	struct cc *cc = p->cc;
	uint32_t *open = cc_alloc(cc, cc->ntoks * sizeof(*open));
	uint32_t i, n = 0;

	p->group_end = cc_alloc(cc, cc->ntoks * sizeof(*p->group_end));
	for (i = 0; i < cc->ntoks; i++) {
		enum tok t = cc->toks[i].type;

		p->group_end[i] = i + 1;
		if (t == T_LPAREN || t == T_LBRACK)
			open[n++] = i;
		else if ((t == T_RPAREN || t == T_RBRACK) && n)
			p->group_end[open[--n]] = i + 1;
	}
	while (n)
		p->group_end[open[--n]] = cc->ntoks - 1;
}

/*
 * One level deeper, at @t: refused past CC_MAX_NESTING, before the
 * recursion it stands for can exhaust the stack here or in a later pass.
 */
static bool enter(struct parser *p, const struct token *t)
{
	if (p->depth == CC_MAX_NESTING) {
		cc_error(p->cc, &t->loc, "expression nested more than %d levels deep",
			 CC_MAX_NESTING);
		return false;
	}
	p->depth++;
	return true;
}

/* Does the term at the current token start "arth relop arth"? */
static bool starts_arith(struct parser *p)
{
	struct token *t = peek(p, 0);
	enum tok after;

	if (t->type == T_MINUS || is_kw(p, 0, "len"))
		return true;
	if (pname_of(t) >= 0 && peek(p, 1)->type == T_LBRACK)
		return true;
	if (t->type == T_NUM) {
		after = peek(p, 1)->type;
		return is_relop(after) || is_arith_op(after);
	}
	if (t->type == T_LPAREN) {
		after = peek(p, skip_group(p, 0))->type;
		return is_relop(after) || is_arith_op(after);
	}
	return false;
}

/* ---- arithmetic ---- */

static struct arth *parse_arth(struct parser *p, int prec);

static struct arth *new_arth(struct parser *p, enum a_kind kind,
			     const struct loc *loc)
{
	struct arth *a = cc_alloc(p->cc, sizeof(*a));

	a->kind = kind;
	a->loc = *loc;
	return a;
}

static struct arth *parse_arth_atom(struct parser *p)
{
	struct token *t = peek(p, 0);
	struct arth *a;
	int proto;

	if (t->type == T_NUM) {
		next(p);
		a = new_arth(p, A_NUM, &t->loc);
		a->num = t->num;
		return a;
	}
	if (word_is(t, "len")) {
		next(p);
		return new_arth(p, A_LEN, &t->loc);
	}
	if (t->type == T_MINUS) {
		next(p);
		a = new_arth(p, A_NEG, &t->loc);
		if (!enter(p, t))
			return NULL;
		a->l = parse_arth(p, 6);
		p->depth--;
		if (!a->l)
			return NULL;
		a->loc = span(p, &t->loc);
		return a;
	}
	if (t->type == T_LPAREN) {
		next(p);
		if (!enter(p, t))
			return NULL;
		a = parse_arth(p, 0);
		p->depth--;
		if (!a)
			return NULL;
		if (peek(p, 0)->type != T_RPAREN)
			return expected(p, "')'");
		next(p);
		return a;
	}
	proto = pname_of(t);
	if (proto >= 0 && peek(p, 1)->type == T_LBRACK) {
		struct token *open;

		next(p);
		open = next(p);
		a = new_arth(p, A_LOAD, &t->loc);
		a->proto = proto;
		a->linkoff = p->linkoff;
		a->enc = p->enc;
		a->size = 1;
		if (!enter(p, open))
			return NULL;
		a->l = parse_arth(p, 0);
		p->depth--;
		if (!a->l)
			return NULL;
		if (peek(p, 0)->type == T_COLON) {
			struct token *sz;

			next(p);
			sz = peek(p, 0);
			if (sz->type != T_NUM)
				return expected(p, "a load size (1, 2 or 4)");
			next(p);
			if (sz->num != 1 && sz->num != 2 && sz->num != 4) {
				cc_error(p->cc, &sz->loc, "data size must be 1, 2, or 4");
				return NULL;
			}
			a->size = sz->num;
		}
		if (peek(p, 0)->type != T_RBRACK)
			return expected(p, "']'");
		next(p);
		a->loc = span(p, &t->loc);
		return a;
	}
	if (proto >= 0)
		return expected(p, "'[' after the protocol in an arithmetic expression");
	return expected(p, "a number, 'len' or a packet load such as 'ip[0]'");
}

/*
 * Precedence climbing with libpcap's levels: | & << >> + - * /. libpcap's
 * grammar (1.10) declares no precedence for '^' and '%', so yacc always
 * shifts them: each takes the operand just before it, whatever operator
 * precedes that, and everything after it: "a + b ^ c & d" is
 * "a + (b ^ (c & d))", "len % 6 % 4" is "len % (6 % 4)".
 */
static bool shifts(enum tok t)
{
	return t == T_CARET || t == T_PERCENT;
}

static int arith_prec(enum tok t)
{
	switch (t) {
	case T_PIPE:
		return 1;
	case T_AMP:
		return 2;
	case T_CARET:
	case T_PERCENT:
		return 9;
	case T_LSH:
	case T_RSH:
		return 3;
	case T_PLUS:
	case T_MINUS:
		return 4;
	case T_STAR:
	case T_SLASH:
		return 5;
	default:
		return 0;
	}
}

static struct arth *parse_arth(struct parser *p, int min)
{
	struct arth *l = parse_arth_atom(p);

	while (l) {
		struct token *op = peek(p, 0);
		int prec = arith_prec(op->type);
		struct arth *a;

		if (!prec || prec < min)
			break;
		next(p);
		a = new_arth(p, A_BIN, &op->loc);
		a->op = op->type;
		a->l = l;
		/* the others nest at most as many levels as there are precedences */
		if (shifts(op->type) && !enter(p, op))
			return NULL;
		a->r = parse_arth(p, shifts(op->type) ? 1 : prec + 1);
		if (shifts(op->type))
			p->depth--;
		if (!a->r)
			return NULL;
		l = a;
	}
	return l;
}

static struct node *parse_relation(struct parser *p)
{
	struct token *start = peek(p, 0), *op;
	struct node *n;
	struct arth *a0, *a1;

	a0 = parse_arth(p, 1);
	if (!a0)
		return NULL;
	op = peek(p, 0);
	if (!is_relop(op->type))
		return expected(p, "a comparison (=, !=, <, <=, >, >=)");
	next(p);
	a1 = parse_arth(p, 1);
	if (!a1)
		return NULL;
	n = new_node(p, N_REL, &start->loc);
	n->a0 = a0;
	n->a1 = a1;
	n->relop = op->type;
	n->loc = span(p, &start->loc);
	return n;
}

/* ---- values ---- */

static bool starts_value(struct parser *p, uint32_t k)
{
	struct token *t = peek(p, k);
	enum tok after;

	switch (t->type) {
	case T_HID:
	case T_HID6:
	case T_EID:
	case T_LBRACE:
		return true;
	case T_NUM:
		after = peek(p, k + 1)->type;
		return !is_relop(after) && !is_arith_op(after);
	case T_ID:
		return !is_keyword(t);
	default:
		return false;
	}
}

static int parse_elem(struct parser *p, struct elem *e)
{
	struct token *t = peek(p, 0);

	memset(e, 0, sizeof(*e));
	e->plen = ~0U;
	switch (t->type) {
	case T_HID:
	case T_HID6:
	case T_EID:
	case T_NUM:
	case T_ID:
		break;
	default:
		expected(p, "an address, number or name");
		return -1;
	}
	if (t->type == T_ID && is_keyword(t)) {
		expected(p, "an address, number or name");
		return -1;
	}
	if (t->type == T_ID && t->big) {
		too_large(p, t);
		return -1;
	}
	next(p);
	e->tok = *t;
	e->loc = t->loc;
	if ((t->type == T_HID || t->type == T_HID6 || t->type == T_NUM) &&
	    peek(p, 0)->type == T_SLASH) {
		struct token *len;

		next(p);
		len = peek(p, 0);
		if (len->type != T_NUM) {
			expected(p, "a prefix length");
			return -1;
		}
		next(p);
		e->plen = len->num;
		e->loc = span(p, &t->loc);
	}
	return 0;
}

/* { elem, elem, ... } */
static int parse_set(struct parser *p, struct node *n)
{
	struct token *open = next(p);
	uint32_t cap = 0;

	n->is_set = true;
	if (peek(p, 0)->type == T_RBRACE) {
		cc_error(p->cc, &peek(p, 0)->loc, "empty set");
		return -1;
	}
	while (1) {
		if (n->nset == cap) {
			struct elem *grown;

			cap = cap ? 2 * cap : 8;
			grown = cc_alloc(p->cc, cap * sizeof(*grown));
			if (n->nset)
				memcpy(grown, n->set, n->nset * sizeof(*grown));
			n->set = grown;
		}
		if (parse_elem(p, &n->set[n->nset]))
			return -1;
		n->nset++;
		if (peek(p, 0)->type == T_RBRACE)
			break;
		if (peek(p, 0)->type != T_COMMA) {
			expected(p, "',' or '}'");
			return -1;
		}
		next(p);
	}
	next(p);
	n->loc = span(p, &open->loc);
	return 0;
}

/* A value with qualifiers @q: the "id" of libpcap's grammar. */
static struct node *parse_id(struct parser *p, struct quals *q);

static struct node *parse_value(struct parser *p, const struct quals *q)
{
	struct token *t = peek(p, 0);
	struct node *n;

	if (!q->valid) {
		cc_error(p->cc, &t->loc,
			 "a value here needs a qualified primitive before it to take its qualifiers from (such as 'host' or 'port')");
		return NULL;
	}
	n = new_node(p, N_PRIM, &t->loc);
	n->q = *q;
	if (t->type == T_LBRACE) {
		if (parse_set(p, n))
			return NULL;
		return n;
	}
	if (parse_elem(p, &n->val))
		return NULL;
	if (is_kw(p, 0, "mask")) {
		next(p);
		if (peek(p, 0)->type != T_HID) {
			expected(p, "a netmask such as 255.255.0.0");
			return NULL;
		}
		n->mask = *next(p);
		n->has_mask = true;
	}
	n->loc = span(p, &t->loc);
	return n;
}

static struct node *parse_id(struct parser *p, struct quals *q)
{
	struct token *t = peek(p, 0);
	struct node *n, *l;

	if (t->type == T_BANG || word_is(t, "not")) {
		next(p);
		if (!enter(p, t))
			return NULL;
		l = parse_id(p, q);
		p->depth--;
		if (!l)
			return NULL;
		n = new_node(p, N_NOT, &t->loc);
		n->l = l;
		return n;
	}
	if (t->type == T_LPAREN) {
		/* ( id { and|or id } ): every id inherits @q */
		next(p);
		if (!enter(p, t))
			return NULL;
		l = parse_id(p, q);
		while (l) {
			struct token *op = peek(p, 0);
			enum n_kind kind;

			if (!bool_op(op, &kind))
				break;
			next(p);
			n = new_node(p, kind, &op->loc);
			n->l = l;
			n->r = parse_id(p, q);
			if (!n->r)
				return NULL;
			l = n;
		}
		p->depth--;
		if (!l)
			return NULL;
		if (peek(p, 0)->type != T_RPAREN)
			return expected(p, "')'");
		next(p);
		return l;
	}
	return parse_value(p, q);
}

/* ---- encapsulations ---- */

/*
 * How far any header may be: the VM's offsets are 16 bits, and an IPv6
 * transport read adds 40 and a port 2 to the network layer's.
 */
#define MAX_NL_OFFSET	0xff00

/* The headers @e in force from here on; -1 past MAX_NL_OFFSET. */
static int set_enc(struct parser *p, const struct token *t, struct enc *e)
{
	if (e->nl > MAX_NL_OFFSET)
		return cc_error(p->cc, &t->loc, "too many encapsulations: headers beyond byte %d",
				MAX_NL_OFFSET);
	p->enc = e;
	p->linkoff = e->nl;
	return 0;
}

/*
 * Move the headers of what is parsed from here on, as libpcap's gen_vlan()
 * and gen_mpls() do, whatever the operators around the keyword @t: the
 * link type by @type, the network layer by @nl; @labels MPLS labels more.
 */
static int shift(struct parser *p, const struct token *t, uint32_t type,
		 uint32_t nl, uint32_t labels)
{
	struct enc *e = cc_alloc(p->cc, sizeof(*e));

	*e = *p->enc;
	e->linktype += type;
	e->nl += nl;
	e->mpls += labels;
	return set_enc(p, t, e);
}

static bool is_encap(const struct token *t)
{
	size_t i;

	for (i = 0; i < sizeof(encap_keywords) / sizeof(encap_keywords[0]); i++)
		if (word_is(t, encap_keywords[i]))
			return true;
	return false;
}

/*
 * geneve [VNI], vxlan [VNI]: what follows is tested in the inner frame,
 * whose offsets the VM computes where the encapsulation matched
 * (sema.c's lower_tunnel()): libpcap's gen_geneve(), and its later
 * releases' gen_vxlan(), whose inner frame is always Ethernet.
 */
static int tunnel(struct parser *p, const struct token *t, bool geneve)
{
	struct enc *e = cc_alloc(p->cc, sizeof(*e));
	struct cc_rule *r = &p->cc->rules[p->cc->nrules - 1];

	if (p->enc->tun == CC_MAX_TUNNELS)
		return cc_error(p->cc, &t->loc, "more than %d 'geneve' or 'vxlan' inside each other",
				CC_MAX_TUNNELS);
	*e = *p->enc;
	e->tun++;
	e->ppp = false;
	e->geneve = geneve;
	e->linkhdr_reg = geneve ? CC_REG_LINKHDR : CC_REG_NL;
	e->linktype_reg = geneve ? CC_REG_LINKTYPE : CC_REG_NL;
	e->nl_reg = CC_REG_NL;
	/* GENEVE's registers hold each offset; VXLAN's inner Ethernet is fixed */
	e->linkhdr = 0;
	e->linktype = geneve ? 0 : 12;
	e->nl = geneve ? 0 : 14;
	r->enc_regs = true;
	r->unoptimised |= geneve;
	p->enc = e;
	p->linkoff = e->nl;
	return 0;
}

/*
 * mpls [LABEL], pppoed, pppoes [SESSION], geneve [VNI], vxlan [VNI]: the
 * node tests the headers in force (the keyword's own), then the headers
 * move for what follows.
 */
static struct node *parse_encap(struct parser *p, struct quals *q)
{
	struct token *t = next(p);
	bool mpls = word_is(t, "mpls"), pppoes = word_is(t, "pppoes");
	bool geneve = word_is(t, "geneve"), vxlan = word_is(t, "vxlan");
	struct node *n = new_node(p, mpls ? N_MPLS : pppoes ? N_PPPOES :
				  geneve ? N_GENEVE : vxlan ? N_VXLAN : N_PPPOED,
				  &t->loc);
	bool num = mpls || pppoes || geneve || vxlan;

	q->valid = false;
	if (num && peek(p, 0)->type == T_NUM) {
		n->has_num = true;
		n->num = next(p)->num;
		n->loc = span(p, &t->loc);
	} else if (num && peek(p, 0)->type == T_ID && peek(p, 0)->big) {
		return too_large(p, peek(p, 0));
	}
	if ((geneve || vxlan) && tunnel(p, t, geneve))
		return NULL;
	if (mpls) {
		/* a label more: the network layer is 4 bytes further */
		if (shift(p, t, 0, 4, 1))
			return NULL;
	} else if (pppoes) {
		/*
		 * PPP inside the 6-byte PPPoE header: its protocol field is
		 * the link type, and the link header, for "ether[]"; the
		 * network layer follows it
		 */
		struct enc *e = cc_alloc(p->cc, sizeof(*e));

		*e = *p->enc;
		e->linkhdr = p->enc->nl + 6;
		e->linktype = e->linkhdr;
		e->linkhdr_reg = e->linktype_reg = e->nl_reg;
		e->nl = e->linkhdr + 2;
		e->ppp = true;
		if (set_enc(p, t, e))
			return NULL;
	}
	return n;
}

/* ---- terms ---- */

static struct node *parse_expr(struct parser *p, struct quals *q);

/* pqual? dqual? aqual? (or pqual proto) and a value */
static struct node *parse_head(struct parser *p, struct quals *q)
{
	struct token *start = peek(p, 0);
	struct quals nq = { .valid = true };
	struct node *n;
	int proto = pname_of(start);

	if (proto >= 0) {
		next(p);
		nq.proto = proto;
	}
	if (is_kw(p, 0, "src") || is_kw(p, 0, "dst")) {
		bool src = is_kw(p, 0, "src");

		next(p);
		nq.dir = src ? QD_SRC : QD_DST;
		if ((is_kw(p, 0, "or") || is_kw(p, 0, "and")) &&
		    is_kw(p, 1, src ? "dst" : "src")) {
			nq.dir = is_kw(p, 0, "or") ? QD_OR : QD_AND;
			next(p);
			next(p);
		}
	}
	if (accept_kw(p, "host"))
		nq.addr = QA_HOST;
	else if (accept_kw(p, "net"))
		nq.addr = QA_NET;
	else if (accept_kw(p, "port"))
		nq.addr = QA_PORT;
	else if (accept_kw(p, "portrange"))
		nq.addr = QA_PORTRANGE;
	else if (nq.dir == QD_DEFAULT && accept_kw(p, "proto"))
		nq.addr = QA_PROTO;
	else if (nq.dir == QD_DEFAULT && accept_kw(p, "protochain")) {
		nq.addr = QA_PROTOCHAIN;
		/* libpcap's optimiser cannot follow its loop, so stays off */
		p->cc->rules[p->cc->nrules - 1].unoptimised = true;
	}

	n = parse_id(p, &nq);
	if (!n)
		return NULL;
	*q = nq;
	return n;
}

/* ---- libpcap's LLC and byte primitives ---- */

/* 802.2 control fields, as libpcap's grammar names them (llc.h) */
/* The index of port @name (@len bytes) in the ruleset's table, added if new. */
static int port_index(struct parser *p, const char *name, uint32_t len,
		      const struct loc *loc)
{
	struct cc *cc = p->cc;
	uint32_t i;

	if (len >= DUPTO_VM_NAME_MAX) {
		cc_error(cc, loc, "port name longer than %d characters",
			 DUPTO_VM_NAME_MAX - 1);
		return -1;
	}
	for (i = 0; i < cc->nports; i++)
		if (strlen(cc->ports[i]) == len && !strncmp(cc->ports[i], name, len))
			return i;
	if (i == DUPTO_VM_MAX_PORTS) {
		cc_error(cc, loc, "too many ports (at most %d)", DUPTO_VM_MAX_PORTS);
		return -1;
	}
	cc->ports = cc_grow(cc, cc->ports, i, sizeof(*cc->ports));
	cc->port_locs = cc_grow(cc, cc->port_locs, i, sizeof(struct loc));
	memcpy(cc->ports[i], name, len);
	cc->ports[i][len] = 0;
	cc->port_locs[i] = *loc;
	cc->nports++;
	return i;
}

static const struct {
	const char *word;
	uint8_t mask, val;
} llc_kinds[] = {
	{ "i", 0x01, 0x00 },	/* libpcap: not (control & 1) */
	{ "s", 0x03, 0x01 }, { "u", 0x03, 0x03 },
	{ "rr", 0x0f, 0x01 }, { "rnr", 0x0f, 0x05 }, { "rej", 0x0f, 0x09 },
	{ "ui", 0xef, 0x03 }, { "ua", 0xef, 0x63 }, { "disc", 0xef, 0x43 },
	{ "dm", 0xef, 0x0f }, { "sabme", 0xef, 0x6f }, { "test", 0xef, 0xe3 },
	{ "xid", 0xef, 0xaf }, { "frmr", 0xef, 0x87 },
};

/*
 * llc [i|s|u|rr|rnr|rej|ui|ua|disc|dm|sabme|test|xid|frmr]: any word after
 * "llc" that is not a keyword is its kind, in any case, as in libpcap.
 */
static struct node *parse_llc(struct parser *p)
{
	struct token *t = next(p), *k = peek(p, 0);
	struct node *n = new_node(p, N_LLC, &t->loc);
	size_t i;

	if (k->type != T_ID || k->escaped || is_keyword(k))
		return n;
	for (i = 0; i < sizeof(llc_kinds) / sizeof(llc_kinds[0]); i++) {
		if (strlen(llc_kinds[i].word) == k->loc.len &&
		    !strncasecmp(k->text, llc_kinds[i].word, k->loc.len)) {
			next(p);
			n->has_num = true;
			n->mask2 = llc_kinds[i].mask;
			n->num = llc_kinds[i].val;
			n->loc = span(p, &t->loc);
			return n;
		}
	}
	cc_error(p->cc, &k->loc, "unknown LLC type name '%.*s' (i, s, u, rr, rnr, rej, ui, ua, disc, dm, sabme, test, xid or frmr)",
		 (int)k->loc.len, k->text);
	return NULL;
}

/* byte N =|<|>|&|| M: a byte of the frame, from its first */
static struct node *parse_byte(struct parser *p)
{
	struct token *t = next(p), *idx = peek(p, 0), *op, *val;
	struct node *n = new_node(p, N_BYTE, &t->loc);

	if (idx->type != T_NUM)
		return expected(p, "a byte offset");
	next(p);
	op = peek(p, 0);
	if (op->type != T_EQ && op->type != T_LT && op->type != T_GT &&
	    op->type != T_AMP && op->type != T_PIPE)
		return expected(p, "'=', '<', '>', '&' or '|'");
	next(p);
	val = peek(p, 0);
	if (val->type != T_NUM)
		return expected(p, "a number");
	next(p);
	n->num = idx->num;
	n->relop = op->type;
	n->mask2 = val->num;
	n->loc = span(p, &t->loc);
	return n;
}

static struct node *parse_term(struct parser *p, struct quals *q)
{
	struct token *t = peek(p, 0);
	struct node *n, *l;
	int proto;

	if (t->type == T_BANG || word_is(t, "not")) {
		next(p);
		if (!enter(p, t))
			return NULL;
		l = parse_term(p, q);
		p->depth--;
		if (!l)
			return NULL;
		n = new_node(p, N_NOT, &t->loc);
		n->l = l;
		return n;
	}
	if (starts_arith(p)) {
		q->valid = false;
		return parse_relation(p);
	}
	if (t->type == T_LPAREN) {
		struct quals saved = *q;

		next(p);
		if (!enter(p, t))
			return NULL;
		n = parse_expr(p, q);
		p->depth--;
		if (!n)
			return NULL;
		if (peek(p, 0)->type != T_RPAREN)
			return expected(p, "')' or 'and' or 'or'");
		next(p);
		*q = saved;	/* parentheses are transparent to inheritance */
		return n;
	}
	if (word_is(t, "vlan")) {
		next(p);
		n = new_node(p, N_VLAN, &t->loc);
		if (peek(p, 0)->type == T_NUM) {
			n->has_num = true;
			n->num = next(p)->num;
			n->loc = span(p, &t->loc);
		}
		if (shift(p, t, 4, 4, 0))
			return NULL;
		q->valid = false;
		return n;
	}
	if (is_encap(t))
		return parse_encap(p, q);
	if (word_is(t, "less") || word_is(t, "greater")) {
		next(p);
		n = new_node(p, word_is(t, "less") ? N_LESS : N_GREATER, &t->loc);
		if (peek(p, 0)->type != T_NUM)
			return expected(p, "a length");
		n->num = next(p)->num;
		n->loc = span(p, &t->loc);
		q->valid = false;
		return n;
	}
	/*
	 * libpcap's "ifindex N", the interface a frame was captured on: that
	 * port, either way, named as the interface is where this compiles
	 */
	if (word_is(t, "ifindex")) {
		char ifname[CC_IFNAMSIZ];
		struct token *num;
		int i;

		next(p);
		num = peek(p, 0);
		if (num->type != T_NUM)
			return expected(p, "an interface index");
		next(p);
		if (cc_name_ifindex(p->cc, p->cc->nrules - 1, num, ifname))
			return NULL;
		i = port_index(p, ifname, strlen(ifname), &num->loc);
		if (i < 0)
			return NULL;
		n = new_node(p, N_ON, &t->loc);
		n->dir = DUPTO_VM_DIR_IN | DUPTO_VM_DIR_OUT;
		n->port = i;
		n->loc = span(p, &t->loc);
		q->valid = false;
		return n;
	}
	/* libpcap's words for a frame's direction, whatever its port */
	if (word_is(t, "inbound") || word_is(t, "outbound")) {
		next(p);
		n = new_node(p, N_ON, &t->loc);
		n->dir = word_is(t, "inbound") ? DUPTO_VM_DIR_IN : DUPTO_VM_DIR_OUT;
		n->port = DUPTO_VM_PORT_ANY;
		q->valid = false;
		return n;
	}
	if (word_is(t, "on") || ((word_is(t, "in") || word_is(t, "out")) &&
				 is_kw(p, 1, "on"))) {
		struct token *name;
		int i;

		n = new_node(p, N_ON, &t->loc);
		n->dir = word_is(t, "in") ? DUPTO_VM_DIR_IN :
			 word_is(t, "out") ? DUPTO_VM_DIR_OUT :
			 DUPTO_VM_DIR_IN | DUPTO_VM_DIR_OUT;
		if (!word_is(t, "on"))
			next(p);
		next(p);
		name = peek(p, 0);
		if (name->type != T_ID || is_keyword(name))
			return expected(p, "a port name");
		next(p);
		i = port_index(p, name->text, name_len(name), &name->loc);
		if (i < 0)
			return NULL;
		n->port = i;
		n->loc = span(p, &t->loc);
		q->valid = false;
		return n;
	}

	if (word_is(t, "llc") || word_is(t, "byte")) {
		q->valid = false;
		return word_is(t, "llc") ? parse_llc(p) : parse_byte(p);
	}

	proto = pname_of(t);
	if (proto >= 0 && (is_kw(p, 1, "broadcast") || is_kw(p, 1, "multicast"))) {
		next(p);
		t = next(p);
		n = new_node(p, word_is(t, "broadcast") ? N_BCAST : N_MCAST, &t->loc);
		n->proto = proto;
		q->valid = false;
		return n;
	}
	if (word_is(t, "broadcast") || word_is(t, "multicast")) {
		next(p);
		n = new_node(p, word_is(t, "broadcast") ? N_BCAST : N_MCAST, &t->loc);
		n->proto = QP_DEFAULT;
		q->valid = false;
		return n;
	}
	if (proto >= 0) {
		struct token *after = peek(p, 1);

		if (!(word_is(after, "src") || word_is(after, "dst") ||
		      word_is(after, "host") || word_is(after, "net") ||
		      word_is(after, "port") || word_is(after, "portrange") ||
		      word_is(after, "proto") || word_is(after, "protochain"))) {
			next(p);
			n = new_node(p, N_PROTO, &t->loc);
			n->proto = proto;
			q->valid = false;
			return n;
		}
	}
	if (proto >= 0 || word_is(t, "src") || word_is(t, "dst") ||
	    word_is(t, "host") || word_is(t, "net") || word_is(t, "port") ||
	    word_is(t, "portrange") || word_is(t, "proto") ||
	    word_is(t, "protochain"))
		return parse_head(p, q);

	return expected(p, "a primitive such as 'host', 'port', 'tcp' or 'vlan'");
}

static struct node *parse_expr(struct parser *p, struct quals *q)
{
	struct node *l = parse_term(p, q);

	while (l) {
		struct token *op = peek(p, 0);
		enum n_kind kind;
		struct node *n;
		uint32_t k = 1;

		if (!bool_op(op, &kind))
			break;
		next(p);
		n = new_node(p, kind, &op->loc);
		n->l = l;

		/* A bare value (after any "not") inherits; anything else is a term. */
		k = 0;
		while (peek(p, k)->type == T_BANG || is_kw(p, k, "not"))
			k++;
		if (peek(p, k)->type == T_LPAREN) {
			uint32_t j = k + 1;

			while (peek(p, j)->type == T_BANG || is_kw(p, j, "not"))
				j++;
			if (starts_value(p, j) && peek(p, j)->type != T_LBRACE)
				n->r = parse_id(p, q);
			else
				n->r = parse_term(p, q);
		} else if (starts_value(p, k)) {
			n->r = parse_id(p, q);
		} else {
			n->r = parse_term(p, q);
		}
		if (!n->r)
			return NULL;
		l = n;
	}
	return l;
}

/* The index of target @name in the table, added if it is new; -1 on error. */
static int target_index(struct cc *cc, const struct token *name)
{
	uint32_t i;
	uint32_t len = name_len(name);

	if (len >= DUPTO_VM_NAME_MAX)
		return cc_error(cc, &name->loc, "target name longer than %d characters",
				DUPTO_VM_NAME_MAX - 1);
	for (i = 0; i < cc->ntargets; i++)
		if (strlen(cc->targets[i]) == len &&
		    !strncmp(cc->targets[i], name->text, len))
			break;
	if (i == cc->ntargets) {
		if (i == DUPTO_VM_MAX_TARGETS)
			return cc_error(cc, &name->loc, "too many targets (at most %d)",
					DUPTO_VM_MAX_TARGETS);
		cc->targets = cc_grow(cc, cc->targets, i, sizeof(*cc->targets));
		cc->target_locs = cc_grow(cc, cc->target_locs, i, sizeof(struct loc));
		memcpy(cc->targets[i], name->text, len);
		cc->targets[i][len] = 0;
		cc->target_locs[i] = name->loc;
		cc->ntargets++;
	}
	return i;
}

static int add_target(struct cc *cc, struct cc_rule *r, const struct token *name)
{
	int i = target_index(cc, name);

	if (i < 0)
		return -1;
	for (uint32_t k = 0; k < r->ntargets; k++)
		if (r->targets[k] == i)
			return 0;	/* "to a, a" is "to a" */
	if (!(r->ntargets & (r->ntargets - 1)) || !r->ntargets) {
		uint16_t *grown = cc_alloc(cc, (r->ntargets ? 2 * r->ntargets : 1) *
					   sizeof(*grown));

		if (r->ntargets)
			memcpy(grown, r->targets, r->ntargets * sizeof(*grown));
		r->targets = grown;
	}
	r->targets[r->ntargets++] = i;
	return 0;
}

static struct cc_rule *new_rule(struct cc *cc, const struct loc *loc)
{
	uint32_t n = cc->nrules;

	if (n == DUPTO_VM_MAX_RULES) {
		cc_error(cc, loc, "too many rules (at most %d)", DUPTO_VM_MAX_RULES);
		return NULL;
	}
	if (!(n & (n - 1)) || !n) {
		struct cc_rule *grown = cc_alloc(cc, (n ? 2 * n : 1) * sizeof(*grown));

		if (n)
			memcpy(grown, cc->rules, n * sizeof(*grown));
		cc->rules = grown;
	}
	cc->nrules++;
	memset(&cc->rules[n], 0, sizeof(cc->rules[n]));
	cc->rules[n].loc = *loc;
	return &cc->rules[n];
}

/*
 * The rule's text as the image carries it, on one line: its tokens as
 * written, with one space wherever the source had blanks, line breaks or
 * comments between them. So "dupto save" prints each rule on a line of its
 * own, and the text read back from the kernel compiles to the same rule.
 */
static void rule_text(struct parser *p, struct cc_rule *r, uint32_t first)
{
	static const char prefix[] = "rule ";
	struct cc *cc = p->cc;
	uint32_t i, end = cc->tp, prev = 0;
	size_t size = sizeof(prefix);
	char *text, *o;

	for (i = first; i < end; i++)
		size += cc->toks[i].loc.len + 1;
	o = text = cc_alloc(cc, size);
	/* "dupto rule add" takes the rule without its keyword */
	if (cc->one_rule)
		o = stpcpy(o, prefix);
	for (i = first; i < end; i++) {
		const struct loc *l = &cc->toks[i].loc;

		if (i > first && l->pos > prev)
			*o++ = ' ';
		memcpy(o, cc->src + l->pos, l->len);
		o += l->len;
		prev = l->pos + l->len;
	}
	r->text = text;
	r->text_len = o - text;
}

static int netmask_value(struct parser *p, uint32_t *v);

static int parse_rule(struct parser *p)
{
	uint32_t first = p->cc->tp;
	struct token *start = p->cc->one_rule ? peek(p, 0) : next(p);	/* "rule" */
	struct quals q = { 0 };
	struct cc_rule *r = new_rule(p->cc, &start->loc);

	if (!r)
		return -1;
	p->linkoff = 14;
	p->enc = &enc_ether;
	while (1) {
		/* how a rule keeps the netmask its "ip broadcast" was compiled with */
		if (is_kw(p, 0, "netmask")) {
			if (r->has_netmask)
				return cc_error(p->cc, &peek(p, 0)->loc, "netmask is given twice");
			next(p);
			if (netmask_value(p, &r->netmask))
				return -1;
			r->has_netmask = true;
			continue;
		}
		if (accept_kw(p, "quick"))
			r->flags |= DUPTO_VM_RULE_QUICK;
		else if (accept_kw(p, "else"))
			r->flags |= DUPTO_VM_RULE_ELSE;
		else
			break;
	}
	if (!is_kw(p, 0, "to")) {
		r->expr = parse_expr(p, &q);
		if (!r->expr)
			return -1;
		if (!is_kw(p, 0, "to")) {
			expected(p, "'and', 'or' or 'to'");
			return -1;
		}
	}
	next(p);
	do {
		struct token *name = peek(p, 0);

		if (name->type != T_ID || is_keyword(name)) {
			expected(p, "a target name");
			return -1;
		}
		next(p);
		if (add_target(p->cc, r, name))
			return -1;
	} while (peek(p, 0)->type == T_COMMA && next(p));
	rule_text(p, r, first);
	return 0;
}

/*
 * A device name: any word (a number escaped) but those that start a
 * statement, which mean a name is missing. Its place says it is a device,
 * so the words of the rule language are names here: "sensor s1 link l1"
 * (l1 being an IS-IS word of libpcap's) must not need an escape. A
 * sensor's own name (@target) is also a target of rules, where keywords
 * are not names: escaped if it is one.
 */
static int parse_devname(struct parser *p, const char *what, char *name,
			 struct loc *loc, bool target)
{
	static const char *const statements[] = {
		"port", "sensor", "group", "netmask", "rule",
	};
	struct token *t = peek(p, 0);
	uint32_t len = name_len(t);
	bool statement = false;
	size_t i;

	for (i = 0; i < sizeof(statements) / sizeof(statements[0]); i++)
		statement |= !t->escaped && word_is(t, statements[i]);
	if (t->type != T_ID || statement || (target && is_keyword(t))) {
		expected(p, what);
		return -1;
	}
	next(p);
	if (len >= CC_IFNAMSIZ)
		return cc_error(p->cc, &t->loc, "device name '%.*s' longer than %d characters",
				(int)len, t->text, CC_IFNAMSIZ - 1);
	memcpy(name, t->text, len);
	name[len] = 0;
	*loc = t->loc;
	return 0;
}

static struct cc_decl *new_decl(struct cc *cc, enum cc_decl_kind kind)
{
	struct cc_decl *d;

	cc->decls = cc_grow(cc, cc->decls, cc->ndecls, sizeof(*cc->decls));
	d = &cc->decls[cc->ndecls++];
	memset(d, 0, sizeof(*d));
	d->kind = kind;
	return d;
}

/* A number of at least @min after an option word; -1 after a message. */
/*
 * The number of option @o, in its range (options.h): a number of the rule
 * language, or a word of digits too large for one (a byte rate may exceed
 * 32 bits).
 */
static int option_num(struct parser *p, const struct cc_option *o, uint64_t *v)
{
	struct token *t = peek(p, 0);

	if (t->type != T_NUM && !(t->type == T_ID && !t->escaped &&
				  isdigit((unsigned char)t->text[0]))) {
		expected(p, o->what);
		return -1;
	}
	next(p);
	if (!cc_option_number(o, t->text, t->loc.len, v))
		return cc_error(p->cc, &t->loc, "%s is %llu to %llu", o->what,
				(unsigned long long)o->min,
				(unsigned long long)o->max);
	return 0;
}

/*
 * After a statement, one of its options @given already: say which, rather
 * than that the next statement cannot start with it.
 */
static int given_twice(struct parser *p, const char *const *words,
		       const bool *given, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (given[i] && is_kw(p, 0, words[i]))
			return cc_error(p->cc, &peek(p, 0)->loc, "%s is given twice",
					words[i]);
	return 0;
}

/* port NIC [device [name DEV]] [tag VID] */
static int parse_port(struct parser *p)
{
	struct cc_decl *d = new_decl(p->cc, DECL_PORT);
	const char *const words[] = { "device", "name", cc_port_tag.word };
	bool given[3] = { false };
	uint64_t vid;

	next(p);
	if (parse_devname(p, "a device name", d->name, &d->loc, false))
		return -1;
	if (accept_kw(p, "device")) {
		d->device = given[0] = true;
		if (accept_kw(p, "name")) {
			given[1] = true;
			if (parse_devname(p, "a name for the port device", d->other,
					  &d->other_loc, false))
				return -1;
		}
	}
	if (accept_kw(p, cc_port_tag.word)) {
		given[2] = true;
		if (option_num(p, &cc_port_tag, &vid))
			return -1;
		d->vid = vid;
	}
	return given_twice(p, words, given, 3);
}

/*
 * sensor NAME [link DEV] [snaplen N] [tag] [sample N] [sample-flows N]
 *        [rate N] [byte-rate N] [burst N]
 */
static int parse_shape(struct parser *p, struct cc_shape *sh)
{
	struct token *at[CC_SHAPE_MAX_OPTIONS], *t;
	const struct cc_option *o;
	const char *why;
	uint64_t v;

	for (;;) {
		t = peek(p, 0);
		if (t->type != T_ID || t->escaped ||
		    !(o = cc_shape_option(t->text, t->loc.len)))
			break;
		if (cc_shape_get(sh, o))
			return cc_error(p->cc, &t->loc, "%s is given twice", o->word);
		at[o - cc_shape_options] = next(p);
		v = 1;
		if (o->type != CC_OPT_FLAG && option_num(p, o, &v))
			return -1;
		cc_shape_set(sh, o, v);
	}
	why = cc_shape_invalid(sh, &o);
	if (why)
		return cc_error(p->cc, &at[o - cc_shape_options]->loc, "%s", why);
	return 0;
}

/* sensor NAME [link DEV] */
static int parse_sensor(struct parser *p)
{
	struct cc_decl *d = new_decl(p->cc, DECL_SENSOR);
	const char *const link[] = { "link" };
	bool given;

	next(p);
	if (parse_devname(p, "a sensor name", d->name, &d->loc, true))
		return -1;
	given = accept_kw(p, "link");
	if (given && parse_devname(p, "the name of the sensor's lower device",
				   d->other, &d->other_loc, false))
		return -1;
	if (parse_shape(p, &d->shape))
		return -1;
	return given_twice(p, link, &given, 1);
}

/* A target name: a word that is no keyword, escaped if need be. */
static struct token *target_name(struct parser *p, const char *what)
{
	struct token *t = peek(p, 0);

	if (t->type != T_ID || is_keyword(t)) {
		expected(p, what);
		return NULL;
	}
	return next(p);
}

static struct cc_group *group_named(struct cc *cc, uint16_t target)
{
	uint32_t i;

	for (i = 0; i < cc->ngroups; i++)
		if (cc->groups[i].target == target)
			return &cc->groups[i];
	return NULL;
}

/* WORD[, WORD...]: the tokens, in @v (at most @max), their number in @n */
static int word_list(struct parser *p, const char *what, bool numbers,
		     struct token **v, uint32_t max, uint32_t *n)
{
	struct token *t;

	*n = 0;
	do {
		t = peek(p, 0);
		if (numbers ? t->type != T_NUM : (t->type != T_ID || is_keyword(t))) {
			expected(p, what);
			return -1;
		}
		if (*n == max)
			return cc_error(p->cc, &t->loc, "too many %s (at most %u)",
					numbers ? "weights" : "members", max);
		v[(*n)++] = next(p);
	} while (peek(p, 0)->type == T_COMMA && next(p));
	return 0;
}

/*
 * group NAME members A[, B...] [hash addresses|addresses-ports] [seed N]
 *       [weights W[, W...]]
 */
static int parse_group(struct parser *p)
{
	struct token *members[DUPTO_VM_MAX_MEMBERS], *weights[DUPTO_VM_MAX_MEMBERS];
	struct token *name, *wloc = NULL, *t;
	uint32_t nw = 0, i, j;
	bool hash = false, seed = false;
	struct cc *cc = p->cc;
	struct cc_group *g;
	int ti;

	next(p);
	name = target_name(p, "a group name");
	if (!name)
		return -1;
	ti = target_index(cc, name);
	if (ti < 0)
		return -1;
	if (group_named(cc, ti))
		return cc_error(cc, &name->loc, "group '%s' is already declared on line %u",
				cc->targets[ti], group_named(cc, ti)->loc.line);
	if (cc->ngroups == DUPTO_VM_MAX_GROUPS)
		return cc_error(cc, &name->loc, "too many groups (at most %d)",
				DUPTO_VM_MAX_GROUPS);
	cc->groups = cc_grow(cc, cc->groups, cc->ngroups, sizeof(*cc->groups));
	g = &cc->groups[cc->ngroups++];
	memset(g, 0, sizeof(*g));
	g->loc = name->loc;
	g->target = ti;
	g->hash = CC_GROUP_DEFAULT_HASH;

	if (!accept_kw(p, "members")) {
		expected(p, "'members'");
		return -1;
	}
	if (word_list(p, "a member name", false, members, DUPTO_VM_MAX_MEMBERS,
		      &g->nmembers))
		return -1;
	g->members = cc_alloc(cc, g->nmembers * sizeof(*g->members));
	g->member_locs = cc_alloc(cc, g->nmembers * sizeof(*g->member_locs));
	g->weights = cc_alloc(cc, g->nmembers);
	for (i = 0; i < g->nmembers; i++) {
		ti = target_index(cc, members[i]);
		if (ti < 0)
			return -1;
		if (ti == g->target)
			return cc_error(cc, &members[i]->loc,
					"a group cannot be its own member");
		for (j = 0; j < i; j++)
			if (g->members[j] == ti)
				return cc_error(cc, &members[i]->loc,
						"'%s' is a member already", cc->targets[ti]);
		g->members[i] = ti;
		g->member_locs[i] = members[i]->loc;
		g->weights[i] = 1;
	}

	for (;;) {
		if (!hash && accept_kw(p, "hash")) {
			hash = true;
			if (accept_kw(p, "addresses")) {
				g->hash = DUPTO_VM_HASH_ADDRS;
			} else if (accept_kw(p, "addresses-ports")) {
				g->hash = DUPTO_VM_HASH_PORTS;
			} else {
				expected(p, "'addresses' or 'addresses-ports'");
				return -1;
			}
		} else if (!seed && accept_kw(p, "seed")) {
			seed = true;
			t = peek(p, 0);
			if (t->type != T_NUM) {
				expected(p, "a seed (0 to 4294967295)");
				return -1;
			}
			g->seed = next(p)->num;
		} else if (!wloc && is_kw(p, 0, "weights")) {
			wloc = next(p);
			if (word_list(p, "a weight", true, weights, DUPTO_VM_MAX_MEMBERS, &nw))
				return -1;
			if (nw != g->nmembers)
				return cc_error(cc, &wloc->loc, "%u weight%s for %u member%s",
						nw, nw == 1 ? "" : "s", g->nmembers,
						g->nmembers == 1 ? "" : "s");
			for (i = 0; i < nw; i++) {
				if (!weights[i]->num || weights[i]->num > DUPTO_VM_MAX_WEIGHT)
					return cc_error(cc, &weights[i]->loc,
							"a weight is 1 to %d", DUPTO_VM_MAX_WEIGHT);
				g->weights[i] = weights[i]->num;
			}
		} else {
			const char *const words[] = { "hash", "seed", "weights" };
			const bool given[] = { hash, seed, wloc };

			return given_twice(p, words, given, 3);
		}
	}
}

const char *cc_netmask_invalid(uint32_t mask)
{
	if (~mask & (~mask + 1))
		return "is not a prefix (its ones must come first)";
	/* libpcap's PCAP_NETMASK_UNKNOWN: "ip broadcast" would be refused */
	if (mask == UINT32_MAX)
		return "leaves no host part to be a broadcast address";
	return NULL;
}

/* A.B.C.D after "netmask", into @v; -1 after a message */
static int netmask_value(struct parser *p, uint32_t *v)
{
	struct token *m = peek(p, 0);
	const char *why;

	if (m->type != T_HID || m->parts != 4 || m->num) {
		expected(p, "a netmask such as 255.255.255.0");
		return -1;
	}
	next(p);
	*v = (uint32_t)m->addr[0] << 24 | m->addr[1] << 16 | m->addr[2] << 8 | m->addr[3];
	why = cc_netmask_invalid(*v);
	if (why)
		return cc_error(p->cc, &m->loc, "netmask %.*s %s", (int)m->loc.len, m->text, why);
	return 0;
}

/*
 * netmask A.B.C.D: the netmask of "ip broadcast" in every rule of the
 * ruleset, as libpcap takes one for a whole filter. Once per ruleset; a
 * netmask the caller gave (the command line's) must be the same.
 */
static int parse_netmask(struct parser *p)
{
	struct cc *cc = p->cc;
	struct token *kw = next(p), *m = peek(p, 0);
	uint32_t v;

	if (cc->netmask_loc.line)
		return cc_error(cc, &kw->loc, "netmask is given twice (first on line %u)",
				cc->netmask_loc.line);
	if (netmask_value(p, &v))
		return -1;
	if (cc->has_netmask && cc->netmask != v)
		return cc_error(cc, &m->loc, "netmask %.*s differs from the one given on the command line",
				(int)m->loc.len, m->text);
	cc->has_netmask = true;
	cc->netmask = v;
	cc->netmask_loc = kw->loc;
	return 0;
}

/* Members are sensors: no group may be one, wherever it is declared. */
static int check_groups(struct cc *cc)
{
	uint32_t i, m;

	for (i = 0; i < cc->ngroups; i++) {
		const struct cc_group *g = &cc->groups[i];

		for (m = 0; m < g->nmembers; m++)
			if (group_named(cc, g->members[m]))
				return cc_error(cc, &g->member_locs[m],
						"group '%s' cannot be a member of a group",
						cc->targets[g->members[m]]);
	}
	return 0;
}

int cc_parse(struct cc *cc)
{
	struct parser p = { .cc = cc, .linkoff = 14, .enc = &enc_ether };
	int err;

	find_groups(&p);
	if (cc->one_rule) {
		if (parse_rule(&p))
			return -1;
		if (peek(&p, 0)->type != T_EOF) {
			expected(&p, "',' or the end of the rule");
			return -1;
		}
		return 0;
	}
	while (peek(&p, 0)->type != T_EOF) {
		if (is_kw(&p, 0, "rule")) {
			err = parse_rule(&p);
		} else if (is_kw(&p, 0, "port")) {
			err = parse_port(&p);
		} else if (is_kw(&p, 0, "sensor")) {
			err = parse_sensor(&p);
		} else if (is_kw(&p, 0, "group")) {
			err = parse_group(&p);
		} else if (is_kw(&p, 0, "netmask")) {
			err = parse_netmask(&p);
		} else {
			expected(&p, "'port', 'sensor', 'group', 'netmask' or 'rule'");
			err = -1;
		}
		if (err)
			return -1;
	}
	return check_groups(cc);
}

int cc_parse_expr(struct cc *cc)
{
	struct parser p = { .cc = cc, .linkoff = 14, .enc = &enc_ether };
	struct token name = { .type = T_ID, .text = "match", .loc = { .len = 5 } };
	struct quals q = { 0 };
	struct cc_rule *r = new_rule(cc, &peek(&p, 0)->loc);

	if (!r)
		return -1;
	find_groups(&p);
	if (peek(&p, 0)->type != T_EOF) {
		r->expr = parse_expr(&p, &q);
		if (!r->expr)
			return -1;
		if (peek(&p, 0)->type != T_EOF) {
			expected(&p, "'and', 'or' or the end of the expression");
			return -1;
		}
	}
	r->text = cc->src;
	r->text_len = cc->len;
	return add_target(cc, r, &name);
}
