// SPDX-License-Identifier: GPL-2.0
/*
 * The lexer: source text to an array of tokens, so the parser can look as
 * far ahead as tcpdump's grammar needs. Addresses are recognised the way
 * libpcap's scanner does (longest match): "0:2" inside "ether[0:2]" is a
 * number and a colon, "1:2:3:4:5:6" an Ethernet address, "::1" IPv6.
 */

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "compiler.h"

/* libpcap's named constants, which its scanner turns into numbers. */
static const struct {
	const char *name;
	uint32_t value;
} named_nums[] = {
	{ "icmptype", 0 }, { "icmpcode", 1 },
	{ "icmp-echoreply", 0 }, { "icmp-unreach", 3 },
	{ "icmp-sourcequench", 4 }, { "icmp-redirect", 5 },
	{ "icmp-echo", 8 }, { "icmp-routeradvert", 9 },
	{ "icmp-routersolicit", 10 }, { "icmp-timxceed", 11 },
	{ "icmp-paramprob", 12 }, { "icmp-tstamp", 13 },
	{ "icmp-tstampreply", 14 }, { "icmp-ireq", 15 },
	{ "icmp-ireqreply", 16 }, { "icmp-maskreq", 17 },
	{ "icmp-maskreply", 18 },
	{ "icmp6type", 0 }, { "icmp6code", 1 },
	{ "icmp6-destinationunreach", 1 }, { "icmp6-packettoobig", 2 },
	{ "icmp6-timeexceeded", 3 }, { "icmp6-parameterproblem", 4 },
	{ "icmp6-echo", 128 }, { "icmp6-echoreply", 129 },
	{ "icmp6-multicastlistenerquery", 130 },
	{ "icmp6-multicastlistenerreportv1", 131 },
	{ "icmp6-multicastlistenerdone", 132 },
	{ "icmp6-routersolicit", 133 }, { "icmp6-routeradvert", 134 },
	{ "icmp6-neighborsolicit", 135 }, { "icmp6-neighboradvert", 136 },
	{ "icmp6-redirect", 137 },
	{ "tcpflags", 13 }, { "tcp-fin", 0x01 }, { "tcp-syn", 0x02 },
	{ "tcp-rst", 0x04 }, { "tcp-push", 0x08 }, { "tcp-ack", 0x10 },
	{ "tcp-urg", 0x20 }, { "tcp-ece", 0x40 }, { "tcp-cwr", 0x80 },
};

static const struct {
	const char *text;
	enum tok type;
} puncts[] = {
	/* two characters first: longest match */
	{ "<<", T_LSH }, { ">>", T_RSH }, { "==", T_EQ }, { "!=", T_NE },
	{ "<=", T_LE }, { ">=", T_GE }, { "&&", T_ANDAND }, { "||", T_OROR },
	{ "(", T_LPAREN }, { ")", T_RPAREN }, { "[", T_LBRACK },
	{ "]", T_RBRACK }, { "{", T_LBRACE }, { "}", T_RBRACE },
	{ ",", T_COMMA }, { ":", T_COLON }, { "/", T_SLASH }, { "+", T_PLUS },
	{ "-", T_MINUS }, { "*", T_STAR }, { "%", T_PERCENT }, { "&", T_AMP },
	{ "|", T_PIPE }, { "^", T_CARET }, { "=", T_EQ }, { "<", T_LT },
	{ ">", T_GT }, { "!", T_BANG },
};

struct lexer {
	struct cc *cc;
	size_t pos;
	uint32_t line, col;
};

static struct token *push(struct cc *cc)
{
	if (cc->ntoks == cc->tokcap) {
		uint32_t cap = cc->tokcap ? 2 * cc->tokcap : 64;
		struct token *t = cc_alloc(cc, cap * sizeof(*t));

		if (cc->ntoks)
			memcpy(t, cc->toks, cc->ntoks * sizeof(*t));
		cc->toks = t;
		cc->tokcap = cap;
	}
	memset(&cc->toks[cc->ntoks], 0, sizeof(cc->toks[0]));
	return &cc->toks[cc->ntoks++];
}

static bool is_word_char(char c)
{
	return isalnum((unsigned char)c) || c == '-' || c == '_' || c == '.';
}

/*
 * A number as libpcap reads one: 0x hex, leading 0 octal, else decimal.
 * False if it is none, or (*big set) one too large for 32 bits.
 */
static bool parse_num(const char *s, size_t n, uint32_t *out, bool *big)
{
	unsigned int base = 10;
	uint64_t v = 0;
	size_t i = 0;
	bool over = false;

	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	} else if (n > 1 && s[0] == '0') {
		base = 8;
		i = 1;
	}
	for (; i < n; i++) {
		int d;

		if (isdigit((unsigned char)s[i]))
			d = s[i] - '0';
		else if (isxdigit((unsigned char)s[i]))
			d = tolower((unsigned char)s[i]) - 'a' + 10;
		else
			return false;
		if ((unsigned int)d >= base)
			return false;
		v = v * base + d;
		if (v > 0xffffffffULL) {
			over = true;	/* the rest may still not be digits */
			v = 0;
		}
	}
	if (over) {
		*big = true;
		return false;
	}
	*out = (uint32_t)v;
	return true;
}

static int hexval(char c)
{
	return isdigit((unsigned char)c) ? c - '0' :
	       tolower((unsigned char)c) - 'a' + 10;
}

/* Ethernet address: six groups of 1-2 hex digits joined by @sep. */
static bool parse_mac_sep(const char *s, size_t n, char sep, uint8_t *mac)
{
	size_t i = 0;
	int g;

	for (g = 0; g < 6; g++) {
		int digits = 0, v = 0;

		while (i < n && isxdigit((unsigned char)s[i]) && digits < 2) {
			v = v * 16 + hexval(s[i++]);
			digits++;
		}
		if (!digits)
			return false;
		mac[g] = v;
		if (g < 5) {
			if (i >= n || s[i] != sep)
				return false;
			i++;
		}
	}
	return i == n;
}

/* xxxx.xxxx.xxxx and xxxxxxxxxxxx, as libpcap also accepts */
static bool parse_mac_dotted(const char *s, size_t n, uint8_t *mac)
{
	size_t i, k = 0;

	if (n != 14 && n != 12)
		return false;
	for (i = 0; i < n; i++) {
		if (n == 14 && (i == 4 || i == 9)) {
			if (s[i] != '.')
				return false;
			continue;
		}
		if (!isxdigit((unsigned char)s[i]))
			return false;
		if (k % 2 == 0)
			mac[k / 2] = hexval(s[i]) << 4;
		else
			mac[k / 2] |= hexval(s[i]);
		k++;
	}
	return k == 12;
}

/* Dotted IPv4, 2 to 4 parts (HID); parts left-aligned in addr. */
static bool parse_hid(const char *s, size_t n, struct token *t)
{
	size_t i = 0;
	int parts = 0;

	while (i < n) {
		uint32_t v = 0;
		size_t start = i;

		while (i < n && isdigit((unsigned char)s[i]))
			v = v * 10 + (s[i++] - '0'), v = v > 1000 ? 1000 : v;
		if (i == start || parts == 4)
			return false;
		t->addr[parts++] = v > 255 ? 0 : v;
		if (v > 255)
			t->num = 1;	/* flag: a part out of range */
		if (i < n) {
			if (s[i] != '.' || i + 1 == n)
				return false;
			i++;
		}
	}
	if (parts < 2)
		return false;
	t->parts = parts;
	return true;
}

static bool hexrun_char(char c)
{
	return isxdigit((unsigned char)c) || c == ':' || c == '.';
}

static int lex_word(struct lexer *lx, struct token *t, bool escaped)
{
	const char *s = lx->cc->src + lx->pos;
	size_t n = 0, hn = 0, i;
	char buf[64];

	/*
	 * Addresses with colons. The source is NUL-terminated, so looking one
	 * character past the run is safe.
	 */
	while (hexrun_char(s[hn]))
		hn++;
	if (!escaped && memchr(s, ':', hn) && !is_word_char(s[hn])) {
		if (parse_mac_sep(s, hn, ':', t->addr)) {
			t->type = T_EID;
			return hn;
		}
		if (hn < sizeof(buf)) {
			memcpy(buf, s, hn);
			buf[hn] = 0;
			if (inet_pton(AF_INET6, buf, t->addr) == 1) {
				t->type = T_HID6;
				return hn;
			}
		}
		memset(t->addr, 0, sizeof(t->addr));
		/* "ether[0:2]": the word before the colon */
	}

	while (is_word_char(s[n]))
		n++;
	/* words end in a letter, digit or dot, as in libpcap */
	while (n > 1 && (s[n - 1] == '-' || s[n - 1] == '_'))
		n--;
	if (!n)
		return 0;

	t->type = T_ID;
	t->escaped = escaped;
	if (escaped)
		return n;
	/* libpcap's scanner prefers these Ethernet forms to numbers */
	if (parse_mac_dotted(s, n, t->addr)) {
		t->type = T_EID;
		return n;
	}
	memset(t->addr, 0, sizeof(t->addr));
	/*
	 * A number too large stays a word, as the options of a sensor take
	 * one for a byte rate; everything else that wants a number says it
	 * is too large.
	 */
	if (isdigit((unsigned char)s[0]) && parse_num(s, n, &t->num, &t->big)) {
		t->type = T_NUM;
		return n;
	}
	for (i = 0; i < sizeof(named_nums) / sizeof(named_nums[0]); i++) {
		if (strlen(named_nums[i].name) == n &&
		    !strncmp(named_nums[i].name, s, n)) {
			t->type = T_NUM;
			t->num = named_nums[i].value;
			return n;
		}
	}
	if (isdigit((unsigned char)s[0]) && parse_hid(s, n, t)) {
		t->type = T_HID;
		return n;
	}
	t->num = 0;
	memset(t->addr, 0, sizeof(t->addr));
	/*
	 * Six groups of one or two hex digits joined by dots: libpcap's
	 * scanner reads them as an Ethernet address, before a host name
	 * ("a.b.c.d.e.f") and after 2 to 4 numbers (an IPv4 address).
	 */
	if (parse_mac_sep(s, n, '.', t->addr)) {
		t->type = T_EID;
		return n;
	}
	memset(t->addr, 0, sizeof(t->addr));
	if (parse_mac_sep(s, n, '-', t->addr)) {
		t->type = T_EID;
		return n;
	}
	memset(t->addr, 0, sizeof(t->addr));
	return n;
}

int cc_lex(struct cc *cc)
{
	struct lexer lx = { .cc = cc, .line = 1, .col = 1 };

	while (1) {
		const char *s = cc->src + lx.pos;
		struct token *t;
		size_t n = 0, i;
		bool escaped = false;

		if (lx.pos >= cc->len || !*s) {
			t = push(cc);
			t->type = T_EOF;
			t->loc = (struct loc){ lx.line, lx.col, 0, (uint32_t)lx.pos };
			t->text = s;
			return cc->nerrors ? -1 : 0;
		}
		if (*s == '\n') {
			lx.pos++;
			lx.line++;
			lx.col = 1;
			continue;
		}
		if (isspace((unsigned char)*s)) {
			lx.pos++;
			lx.col++;
			continue;
		}
		if (*s == '#') {
			while (lx.pos < cc->len && cc->src[lx.pos] != '\n')
				lx.pos++;
			continue;
		}

		t = push(cc);
		t->loc = (struct loc){ lx.line, lx.col, 1, (uint32_t)lx.pos };
		t->text = s;

		if (*s == '\\') {
			escaped = true;
			lx.pos++;
			lx.col++;
			s++;
			if (lx.pos >= cc->len || !isalnum((unsigned char)*s)) {
				cc_error(cc, &t->loc, "a word must follow '\\'");
				return -1;
			}
		}
		if (isalnum((unsigned char)*s) || *s == ':')
			n = lex_word(&lx, t, escaped);
		if (!n && !escaped) {
			for (i = 0; i < sizeof(puncts) / sizeof(puncts[0]); i++) {
				size_t pl = strlen(puncts[i].text);

				if (lx.pos + pl <= cc->len &&
				    !strncmp(s, puncts[i].text, pl)) {
					t->type = puncts[i].type;
					n = pl;
					break;
				}
			}
		}
		if (!n) {
			t->loc.len = 1;
			if (isprint((unsigned char)*s))
				cc_error(cc, &t->loc, "unexpected character '%c'", *s);
			else
				cc_error(cc, &t->loc, "unexpected byte 0x%02x",
					 (unsigned char)*s);
			return -1;
		}
		t->text = s;
		t->loc.len = n + escaped;
		t->loc.pos = (uint32_t)(s - cc->src) - escaped;
		lx.pos += n;
		lx.col += n;
	}
}
