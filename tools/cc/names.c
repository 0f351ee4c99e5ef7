// SPDX-License-Identifier: GPL-2.0
/*
 * Names in rules, resolved when the rules are compiled, as libpcap resolves
 * them when tcpdump compiles a filter (its nametoaddr.c): services from
 * /etc/services, protocols from /etc/protocols, hosts from /etc/hosts and
 * the DNS, networks from /etc/networks, Ethernet hosts from /etc/ethers,
 * all through libc, and Ethernet protocol names from libpcap's own table.
 * Each name a rule uses is noted with its meaning for the listing; the
 * rule's text keeps the name, so a ruleset compiled again (by "dupto rule
 * add", or at the next boot) looks it up again.
 */

#include <arpa/inet.h>
#include <ctype.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/ether.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler.h"

/* ---- libc's resolver ---- */

static int sys_service(const char *name, const char *proto)
{
	struct servent se, *res = NULL;
	char buf[4096];

	if (getservbyname_r(name, proto, &se, buf, sizeof(buf), &res) || !res)
		return -1;
	return ntohs((uint16_t)res->s_port);
}

static int sys_protocol(const char *name)
{
	struct protoent pe, *res = NULL;
	char buf[4096];

	if (getprotobyname_r(name, &pe, buf, sizeof(buf), &res) || !res)
		return -1;
	return res->p_proto;
}

static int sys_host(const char *name, struct cc_host_addr *addrs, int max)
{
	/* libpcap's hints (pcap_nametoaddrinfo), so the same list, in order */
	struct addrinfo hints = {
		.ai_family = PF_UNSPEC,
		.ai_socktype = SOCK_STREAM,
		.ai_protocol = IPPROTO_TCP,
	}, *res, *ai;
	int n = 0, err;

	err = getaddrinfo(name, NULL, &hints, &res);
	/* no such name, or no address: unknown; anything else: no answer */
	if (err == EAI_NONAME || err == EAI_NODATA || err == EAI_ADDRFAMILY)
		return 0;
	if (err)
		return -1;
	for (ai = res; ai; ai = ai->ai_next) {
		if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
			continue;
		if (n < max) {
			memset(&addrs[n], 0, sizeof(addrs[n]));
			if (ai->ai_family == AF_INET) {
				addrs[n].family = 4;
				memcpy(addrs[n].a, &((struct sockaddr_in *)ai->ai_addr)->sin_addr, 4);
			} else {
				addrs[n].family = 6;
				memcpy(addrs[n].a, &((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr, 16);
			}
		}
		n++;
	}
	freeaddrinfo(res);
	return n;
}

static uint32_t sys_network(const char *name)
{
	struct netent ne, *res = NULL;
	char buf[4096];
	int err;

	if (getnetbyname_r(name, &ne, buf, sizeof(buf), &res, &err) || !res)
		return 0;
	return res->n_net;
}

static bool sys_ether(const char *name, uint8_t *mac)
{
	struct ether_addr ea;

	if (ether_hostton(name, &ea))
		return false;
	memcpy(mac, ea.ether_addr_octet, 6);
	return true;
}

static bool sys_ifname(uint32_t index, char name[CC_IFNAMSIZ])
{
	char buf[IF_NAMESIZE];

	if (!index || !if_indextoname(index, buf) || strlen(buf) >= CC_IFNAMSIZ)
		return false;
	strcpy(name, buf);
	return true;
}

const struct cc_resolver cc_system_resolver = {
	.service = sys_service,
	.protocol = sys_protocol,
	.host = sys_host,
	.network = sys_network,
	.ether = sys_ether,
	.ifname = sys_ifname,
};

static const struct cc_resolver *resolver(const struct cc *cc)
{
	return cc->resolver ? cc->resolver : &cc_system_resolver;
}

/* ---- notes for the listing ---- */

static void note(struct cc *cc, uint32_t rule, const struct loc *loc,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void note(struct cc *cc, uint32_t rule, const struct loc *loc,
		 const char *fmt, ...)
{
	struct cc_name *n;
	char *meaning;
	va_list ap;
	uint32_t i;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	meaning = cc_alloc(cc, len + 1);
	va_start(ap, fmt);
	vsnprintf(meaning, len + 1, fmt, ap);
	va_end(ap);
	/* a name used twice in a rule is listed once */
	for (i = cc->nnames; i-- > 0 && cc->names[i].rule == rule;)
		if (strlen(cc->names[i].word) == loc->len &&
		    !strncmp(cc->names[i].word, cc->src + loc->pos, loc->len) &&
		    !strcmp(cc->names[i].meaning, meaning))
			return;
	cc->names = cc_grow(cc, cc->names, cc->nnames, sizeof(*cc->names));
	n = &cc->names[cc->nnames++];
	n->rule = rule;
	n->word = cc_alloc(cc, loc->len + 1);
	memcpy(n->word, cc->src + loc->pos, loc->len);
	n->meaning = meaning;
}

/* @len bytes of @s as a C string in @buf; false if too long for it */
static bool cstr(char *buf, size_t size, const char *s, size_t len)
{
	if (len >= size)
		return false;
	memcpy(buf, s, len);
	buf[len] = 0;
	return true;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

static const char *proto_word(uint8_t proto)
{
	return proto == 6 ? "tcp " : proto == 17 ? "udp " : "";
}

/* ---- what a compilation looked up ---- */

/*
 * Each name asks the resolver once per compilation: a ruleset that names
 * one service or host in ten thousand places reads /etc/services, or asks
 * a DNS server, once, and every rule gets the same answer, whatever order
 * a server would rotate its addresses in.
 */
#define LOOKUP_BUCKETS	256

struct cc_lookup {
	struct cc_lookup *next;
	char kind;		/* 's'ervice, 'p'rotocol, 'h'ost */
	char *name;
	int tcp, udp;		/* service: its ports, -1 for none */
	int proto;		/* protocol: its number, -1 for none */
	int n;			/* host: the resolver's count */
	struct cc_host_addr addrs[];
};

static uint32_t name_hash(char kind, const char *name)
{
	uint32_t h = 2166136261U ^ (uint8_t)kind;

	for (; *name; name++)
		h = (h ^ (uint8_t)*name) * 16777619U;
	return h % LOOKUP_BUCKETS;
}

static const struct cc_lookup *lookup(struct cc *cc, char kind, const char *name)
{
	uint32_t b = name_hash(kind, name);
	struct cc_lookup *l;

	if (!cc->lookups)
		cc->lookups = cc_alloc(cc, LOOKUP_BUCKETS * sizeof(*cc->lookups));
	for (l = cc->lookups[b]; l; l = l->next)
		if (l->kind == kind && !strcmp(l->name, name))
			return l;
	l = cc_alloc(cc, sizeof(*l) + (kind == 'h' ? CC_MAX_HOST_ADDRS * sizeof(l->addrs[0]) : 0));
	l->kind = kind;
	l->name = cc_alloc(cc, strlen(name) + 1);
	strcpy(l->name, name);
	if (kind == 's') {
		l->tcp = resolver(cc)->service(name, "tcp");
		l->udp = resolver(cc)->service(name, "udp");
	} else if (kind == 'p') {
		l->proto = resolver(cc)->protocol(name);
	} else {
		l->n = resolver(cc)->host(name, l->addrs, CC_MAX_HOST_ADDRS);
	}
	l->next = cc->lookups[b];
	cc->lookups[b] = l;
	return l;
}

/* ---- services ---- */

/*
 * libpcap's pcap_nametoport(): the tcp entry wins; a udp entry with the
 * same port makes the name mean both (and sctp, which /etc/services does
 * not list). A number is a port for every protocol, as getaddrinfo()
 * reads one. 1: found; 0: unknown; -1: a number out of range (reported).
 */
/*
 * @wrap: the digits go through getaddrinfo() as a service, as libpcap's
 * pcap_nametoport() sends each end of a port range that is not two
 * numbers ("200080-domain"): that keeps the low 16 bits, without a word.
 */
static int lookup_port(struct cc *cc, const struct loc *loc, const char *name,
		       uint32_t *port, uint8_t *proto, bool wrap)
{
	const struct cc_lookup *l;
	int tcp, udp;

	if (all_digits(name)) {
		unsigned long v = strtoul(name, NULL, 10);

		if (wrap)
			v &= 0xffff;
		/* strtoul() gives ULONG_MAX for digits beyond any integer */
		if (v > 65535)
			return cc_error(cc, loc, "illegal port number %s > 65535", name);
		*port = v;
		*proto = 0;
		return 1;
	}
	l = lookup(cc, 's', name);
	tcp = l->tcp;
	udp = l->udp;
	if (tcp >= 0) {
		*port = tcp;
		*proto = udp == tcp ? 0 : 6;
		return 1;
	}
	if (udp >= 0) {
		*port = udp;
		*proto = 17;
		return 1;
	}
	return 0;
}

int cc_name_port(struct cc *cc, uint32_t rule, const struct loc *loc,
		 const char *name, size_t len, uint32_t *port, uint8_t *proto)
{
	char buf[256];
	int ret = 0;

	if (cstr(buf, sizeof(buf), name, len))
		ret = lookup_port(cc, loc, buf, port, proto, false);
	if (ret < 0)
		return -1;
	if (!ret)
		return cc_error(cc, loc, "unknown port '%.*s'", (int)len, name);
	if (!all_digits(buf))
		note(cc, rule, loc, "%sport %u", proto_word(*proto), *port);
	return 0;
}

/* "N-M" and nothing else */
static bool all_digits_range(const char *s)
{
	size_t n = strspn(s, "0123456789");

	return n && s[n] == '-' && s[n + 1] && all_digits(s + n + 1);
}

int cc_name_portrange(struct cc *cc, uint32_t rule, const struct loc *loc,
		      const char *name, size_t len, uint32_t *lo, uint32_t *hi,
		      uint8_t *proto)
{
	char buf[256], *dash;
	uint8_t p1, p2;
	int ret, a, b;

	if (!cstr(buf, sizeof(buf), name, len) || !(dash = strchr(buf, '-')))
		return cc_error(cc, loc, "'%.*s' is not a port range such as 1024-65535 or ftp-ssh",
				(int)len, name);
	/*
	 * libpcap reads two numbers first, as sscanf("%d-%d") does: whatever
	 * follows them is ignored ("1-1x" is 1-1), a sign is taken
	 */
	if (sscanf(buf, "%d-%d", &a, &b) == 2) {
		if (a < 0 || b < 0)
			return cc_error(cc, loc, "illegal port number %d < 0", a < 0 ? a : b);
		*lo = a;
		*hi = b;
		*proto = 0;
		if (!all_digits_range(buf))
			note(cc, rule, loc, "portrange %d-%d", a < b ? a : b, a < b ? b : a);
		return 0;
	}
	/*
	 * the first '-' splits, as in libpcap: a name that holds one can end
	 * a range (ssh-netbios-ns), not start it
	 */
	*dash = 0;
	ret = lookup_port(cc, loc, buf, lo, &p1, true);
	if (ret < 0)
		return -1;
	if (!ret)
		return cc_error(cc, loc, "unknown port '%s' in range '%.*s'", buf,
				(int)len, name);
	ret = lookup_port(cc, loc, dash + 1, hi, &p2, true);
	if (ret < 0)
		return -1;
	if (!ret)
		return cc_error(cc, loc, "unknown port '%s' in range '%.*s'", dash + 1,
				(int)len, name);
	*proto = p1 == p2 ? p1 : 0;
	note(cc, rule, loc, "%sportrange %u-%u", proto_word(*proto),
	     *lo < *hi ? *lo : *hi, *lo < *hi ? *hi : *lo);
	return 0;
}

/* ---- protocols ---- */

/* libpcap's own tables (nametoaddr.c): EtherTypes, then LLC SAPs. */
static const struct {
	const char *name;
	uint32_t value;
} eth_protos[] = {
	{ "aarp", 0x80f3 }, { "arp", 0x0806 }, { "atalk", 0x809b },
	{ "decnet", 0x6003 }, { "ip", 0x0800 }, { "ip6", 0x86dd },
	{ "lat", 0x6004 }, { "loopback", 0x9000 }, { "mopdl", 0x6001 },
	{ "moprc", 0x6002 }, { "rarp", 0x8035 }, { "sca", 0x6007 },
	{ "iso", 0xfe }, { "stp", 0x42 }, { "ipx", 0xe0 }, { "netbeui", 0xf0 },
};

/* The text of a word: an escaped word's starts after its '\'. */
static const char *word_text(const struct token *t, size_t *len)
{
	*len = t->loc.len - t->escaped;
	return t->text;
}

int cc_name_proto(struct cc *cc, uint32_t rule, const struct token *t,
		  bool ether, uint32_t *v)
{
	size_t len, i;
	const char *w = word_text(t, &len);
	char buf[256];
	int p;

	if (ether) {
		for (i = 0; i < sizeof(eth_protos) / sizeof(eth_protos[0]); i++) {
			if (strlen(eth_protos[i].name) == len &&
			    !strncmp(eth_protos[i].name, w, len)) {
				*v = eth_protos[i].value;
				note(cc, rule, &t->loc, "ether proto 0x%04x", *v);
				return 0;
			}
		}
		return cc_error(cc, &t->loc, "unknown Ethernet protocol '%.*s'", (int)len, w);
	}
	p = cstr(buf, sizeof(buf), w, len) ? lookup(cc, 'p', buf)->proto : -1;
	if (p < 0)
		return cc_error(cc, &t->loc, "unknown IP protocol '%.*s'", (int)len, w);
	*v = p;
	note(cc, rule, &t->loc, "proto %u", *v);
	return 0;
}

/* ---- hosts and networks ---- */

int cc_name_host(struct cc *cc, uint32_t rule, const struct token *t,
		 struct cc_host_addr *addrs)
{
	char buf[1024], text[64];
	size_t len, at = 0;
	const char *w = word_text(t, &len);
	int n = 0, i;

	if (cstr(buf, sizeof(buf), w, len)) {
		const struct cc_lookup *l = lookup(cc, 'h', buf);

		n = l->n;
		if (n > 0)
			memcpy(addrs, l->addrs, (n < CC_MAX_HOST_ADDRS ? n : CC_MAX_HOST_ADDRS) *
			       sizeof(*addrs));
	}
	if (!n)
		return cc_error(cc, &t->loc, "unknown host '%.*s'", (int)len, w);
	if (n < 0)
		return cc_error(cc, &t->loc, "host '%.*s' cannot be looked up: the resolver did not answer",
				(int)len, w);
	if (n > CC_MAX_HOST_ADDRS)
		return cc_error(cc, &t->loc, "host '%.*s' has %d addresses, more than %d",
				(int)len, w, n, CC_MAX_HOST_ADDRS);
	for (i = 0; i < n; i++) {
		inet_ntop(addrs[i].family == 4 ? AF_INET : AF_INET6, addrs[i].a,
			  text, sizeof(text));
		at += snprintf(buf + at, sizeof(buf) - at, "%s%s", i ? ", " : "", text);
		if (at >= sizeof(buf)) {
			strcpy(buf + sizeof(buf) - 4, "...");
			break;
		}
	}
	note(cc, rule, &t->loc, "host %s", buf);
	return n;
}

int cc_name_net(struct cc *cc, uint32_t rule, const struct token *t,
		uint32_t *net, uint32_t *mask)
{
	char buf[256];
	size_t len;
	const char *w = word_text(t, &len);
	uint32_t v = 0, m = 0xffffffffU, plen;

	if (cstr(buf, sizeof(buf), w, len))
		v = resolver(cc)->network(buf);
	/* libpcap takes network 0 for "unknown" too */
	if (!v)
		return cc_error(cc, &t->loc, "unknown network '%.*s'", (int)len, w);
	/* left-justified, as libpcap does: "net 10" is 10.0.0.0/8 */
	while (v && !(v & 0xff000000U)) {
		v <<= 8;
		m <<= 8;
	}
	*net = v;
	*mask = m;
	plen = 32 - __builtin_ctz(m);
	note(cc, rule, &t->loc, "net %u.%u.%u.%u/%u", v >> 24, v >> 16 & 0xff,
	     v >> 8 & 0xff, v & 0xff, plen);
	return 0;
}

int cc_name_ifindex(struct cc *cc, uint32_t rule, const struct token *t,
		    char name[CC_IFNAMSIZ])
{
	if (!resolver(cc)->ifname(t->num, name))
		return cc_error(cc, &t->loc, "no interface has index %u here",
				t->num);
	note(cc, rule, &t->loc, "on %s", name);
	return 0;
}

int cc_name_ether(struct cc *cc, uint32_t rule, const struct token *t,
		  uint8_t *mac)
{
	char buf[256];
	size_t len;
	const char *w = word_text(t, &len);

	if (!cstr(buf, sizeof(buf), w, len) || !resolver(cc)->ether(buf, mac))
		return cc_error(cc, &t->loc, "unknown Ethernet host '%.*s'", (int)len, w);
	note(cc, rule, &t->loc, "ether host %02x:%02x:%02x:%02x:%02x:%02x",
	     mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	return 0;
}
