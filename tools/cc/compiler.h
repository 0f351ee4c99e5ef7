/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The rule compiler: lexer -> parser -> sema -> codegen, with the
 * disassembler alongside. State lives in a struct cc that the caller owns;
 * there are no globals, so any number of compilations (and the fuzzer) can
 * run side by side.
 *
 *   tokens (lexer.c)  ->  AST (parser.c)  ->  predicates with libpcap's
 *   semantics (sema.c)  ->  instructions and the image (codegen.c)
 */
#ifndef DUPTO_COMPILER_H
#define DUPTO_COMPILER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <linux/dupto_vm.h>

/* Where something is in the source: 1-based line and column, length. */
struct loc {
	uint32_t line;
	uint32_t col;
	uint32_t len;
	uint32_t pos;	/* byte offset of the first character */
};

enum tok {
	T_EOF,
	T_ID,		/* word; keywords are words the parser knows */
	T_NUM,
	T_HID,		/* dotted IPv4 address, 2 to 4 parts */
	T_HID6,
	T_EID,		/* Ethernet address */
	T_LPAREN, T_RPAREN, T_LBRACK, T_RBRACK, T_LBRACE, T_RBRACE,
	T_COMMA, T_COLON, T_SLASH,
	T_PLUS, T_MINUS, T_STAR, T_PERCENT, T_AMP, T_PIPE, T_CARET,
	T_LSH, T_RSH,
	T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE,
	T_BANG, T_ANDAND, T_OROR,
};

struct token {
	enum tok type;
	struct loc loc;
	const char *text;	/* into the source; loc.len bytes */
	bool escaped;		/* \word: never a keyword */
	bool big;		/* T_ID: a number, but too large for 32 bits */
	uint32_t num;		/* T_NUM */
	uint8_t addr[16];	/* T_HID (parts left-aligned), T_HID6, T_EID */
	uint8_t parts;		/* T_HID: number of parts */
};

/* Qualifiers of a primitive, libpcap's "proto dir addr". */
enum q_proto {
	QP_DEFAULT, QP_LINK, QP_IP, QP_IP6, QP_ARP, QP_RARP, QP_TCP, QP_UDP,
	QP_ICMP, QP_ICMP6, QP_SCTP, QP_IGMP,
	/*
	 * The rest of libpcap's protocol qualifiers on Ethernet (gencode.c's
	 * Q_ATALK ... Q_ISIS_PSNP): link types and LLC SAPs, the OSI family
	 * and IP protocols that libpcap tests only as a whole.
	 */
	QP_ATALK, QP_AARP, QP_DECNET, QP_LAT, QP_SCA, QP_MOPRC, QP_MOPDL,
	QP_ISO, QP_ESIS, QP_ISIS, QP_CLNP, QP_L1, QP_L2, QP_IIH, QP_LSP,
	QP_SNP, QP_CSNP, QP_PSNP, QP_STP, QP_IPX, QP_NETBEUI,
	QP_ESP, QP_AH, QP_PIM, QP_VRRP, QP_CARP, QP_IGRP,
};
enum q_dir { QD_DEFAULT, QD_SRC, QD_DST, QD_OR, QD_AND };
enum q_addr {
	QA_DEFAULT, QA_HOST, QA_NET, QA_PORT, QA_PORTRANGE, QA_PROTO, QA_PROTOCHAIN
};

struct quals {
	enum q_proto proto;
	enum q_dir dir;
	enum q_addr addr;
	bool valid;		/* false: nothing to inherit */
};

/*
 * Where the headers are, at one point of an expression: libpcap's offsets
 * (gencode.c's off_linkhdr, off_linktype, off_linkpl + off_nl), which
 * "vlan", "mpls" and "pppoes" move for everything parsed after them, and
 * what the link layer is there. Each node keeps the one in force where it
 * was parsed; a keyword that moves them makes a new one, so they are never
 * changed once a node points to them.
 */
struct enc {
	uint32_t linkhdr;	/* the link header: "ether[]", "ether host" */
	uint32_t linktype;	/* the EtherType, or after pppoes the PPP protocol */
	uint32_t nl;		/* the network layer */
	uint32_t mpls;		/* MPLS labels parsed so far */
	bool ppp;		/* after "pppoes": the link layer is PPP */
	/*
	 * After "geneve" or "vxlan" the offsets are from the start of the
	 * inner frame, which the VM computes into registers (CC_REG_*): the
	 * register each offset is relative to, 0 for the frame's start.
	 */
	uint8_t linkhdr_reg, linktype_reg, nl_reg;
	bool geneve;		/* the inner frame may have no link header */
	/*
	 * How many GENEVE or VXLAN headers in: which tunnel's offsets the
	 * registers must hold (a tunnel inside one reuses them)
	 */
	uint8_t tun;
};

/* Tunnels inside tunnels, at most */
#define CC_MAX_TUNNELS		8

/*
 * The registers that hold the offsets of a GENEVE or VXLAN payload, set
 * where the encapsulation matched; arithmetic of rules that have them
 * uses the registers below CC_REG_ENC only.
 */
#define CC_REG_ENC		4
#define CC_REG_LINKHDR		4
#define CC_REG_LINKTYPE		5
#define CC_REG_NL		6

/* Arithmetic of "arth relop arth" tests. */
enum a_kind { A_NUM, A_LEN, A_LOAD, A_BIN, A_NEG };

struct arth {
	enum a_kind kind;
	struct loc loc;
	uint32_t num;			/* A_NUM */
	enum q_proto proto;		/* A_LOAD */
	uint32_t size;			/* A_LOAD: 1, 2 or 4 */
	uint32_t linkoff;		/* A_LOAD: link payload offset */
	const struct enc *enc;		/* A_LOAD: the headers where parsed */
	enum tok op;			/* A_BIN */
	struct arth *l, *r;		/* A_BIN; A_LOAD: l is the index */
};

/* The parse tree of a filter expression. */
enum n_kind {
	N_AND, N_OR, N_NOT,
	N_PRIM,		/* qualified value: host 10.0.0.1, tcp port 80 ... */
	N_PROTO,	/* a bare protocol: tcp, ip6 ... */
	N_REL,		/* arth relop arth */
	N_VLAN, N_LESS, N_GREATER, N_BCAST, N_MCAST,
	N_ON,		/* [in|out] on PORT */
	N_TRUE,
	N_LLC,		/* llc [i|s|u|SUBTYPE]: num is the frame's kind */
	N_BYTE,		/* byte N op M (libpcap's "CBYTE"): num, relop, mask */
	/* encapsulations that move the offsets of what follows (struct enc) */
	N_MPLS, N_PPPOED, N_PPPOES, N_GENEVE, N_VXLAN,
};

struct elem {
	struct token tok;	/* the value */
	uint32_t plen;		/* prefix length; ~0 if none given */
	struct loc loc;		/* value and prefix */
	uint32_t hi;		/* T_ID "N-M" ranges: M (tok.num holds N) */
	bool range;
};

struct node {
	enum n_kind kind;
	struct loc loc;
	struct node *l, *r;
	struct quals q;
	uint32_t linkoff;	/* link payload offset when parsed */
	const struct enc *enc;	/* the headers where parsed */
	/* N_PRIM: one value, or a set */
	struct elem val;
	struct token mask;	/* "net A mask B" */
	bool has_mask;
	struct elem *set;
	uint32_t nset;
	bool is_set;
	/* N_REL */
	struct arth *a0, *a1;
	enum tok relop;
	/* N_VLAN, N_LESS, N_GREATER, N_MPLS, N_PPPOES */
	bool has_num;
	uint32_t num;
	/* N_LLC: control field mask and value; N_BYTE: the value (mask), relop */
	uint32_t mask2;
	/* N_ON */
	uint16_t port;
	uint8_t dir;
	enum q_proto proto;	/* N_PROTO, N_BCAST, N_MCAST */
};

/* Predicates: the libpcap meaning of the tree, ready for code generation. */
enum p_kind { P_AND, P_OR, P_NOT, P_CMP, P_REL, P_ON, P_SET, P_TRUE,
	P_CODE,		/* instructions, then a jump: to true, or as the last says */
	P_CHAIN,	/* "protochain": off, val, size 4 or 6 */
};
enum p_op { OP_EQ, OP_GT, OP_GE, OP_SET };

struct pred {
	enum p_kind kind;
	struct pred *l, *r;
	/* P_CMP, P_SET: the packet read; P_CHAIN: off, val, size 4 or 6 */
	uint8_t op;		/* enum p_op */
	uint8_t size;
	bool ihl;		/* offset from the IPv4 header length at ihl_off */
	uint32_t ihl_off;
	uint32_t off;
	uint32_t mask;
	uint32_t val;		/* P_SET: set number */
	uint8_t xreg;		/* offsets from this register (struct enc); 0: none */
	uint8_t tun;		/* whose offsets it is (struct enc) */
	uint8_t wtun;		/* P_CODE: whose offsets it writes */
	bool keep;		/* read even where the mask makes it constant */
	/* P_CODE: @ncode instructions; @cond: the last one jumps as it tests */
	struct dupto_vm_insn *code;
	uint32_t ncode;
	bool cond;
	/* P_REL */
	struct arth *a0, *a1;
	enum tok relop;
	/* P_ON */
	uint16_t port;
	uint8_t dir;
};

struct cc_set {
	uint16_t type;			/* DUPTO_VM_SET_* */
	uint32_t n, cap;
	void *elems;			/* dupto_vm_range or dupto_vm_addr */
};

struct cc_rule {
	struct loc loc;
	uint32_t flags;			/* DUPTO_VM_RULE_* */
	struct node *expr;		/* NULL: every frame */
	struct pred *pred;
	uint16_t *targets;
	uint32_t ntargets;
	const char *text;		/* source of the rule */
	uint32_t text_len;
	/* "rule netmask A.B.C.D ...": the rule's own netmask (host order) */
	bool has_netmask;
	uint32_t netmask;
	/*
	 * libpcap does not optimise a filter with "geneve" or "protochain":
	 * its reads stay, even those whose outcome a mask makes constant.
	 */
	bool unoptimised;
	bool enc_regs;			/* it uses the CC_REG_* registers */
};

/*
 * A "port" or "sensor" statement of a configuration file. Ports, port
 * devices and sensors are network devices of one namespace, so their names
 * are device names (IFNAMSIZ) and must all differ.
 */
enum cc_decl_kind { DECL_PORT, DECL_SENSOR };

/* A sensor's shaping (uapi/linux/dupto.h, SENSOR_SET); zero: off. */
struct cc_shape {
	uint32_t snaplen;
	bool tag;
	uint32_t sample;
	uint32_t sample_flow;
	uint32_t pps;
	uint64_t bps;
	uint32_t burst;
};

#define CC_IFNAMSIZ 16			/* the kernel's IFNAMSIZ */

struct cc_decl {
	enum cc_decl_kind kind;
	struct loc loc;			/* the name */
	char name[CC_IFNAMSIZ];		/* port: the NIC; sensor: the sensor */
	bool device;			/* port: through a port device */
	/* port: the port device's name; sensor: its lower device; "" if none */
	char other[CC_IFNAMSIZ];
	struct loc other_loc;
	uint16_t vid;			/* port: its label, 0 if none */
	struct cc_shape shape;		/* sensor */
};

/*
 * A "group" statement: a target whose frames go to one of its members per
 * flow (uapi/linux/dupto_vm.h, "Groups"). Its name and its members' are
 * entries of the target table.
 */
#define CC_GROUP_DEFAULT_HASH	DUPTO_VM_HASH_PORTS

struct cc_group {
	struct loc loc;			/* the name */
	uint16_t target;		/* its entry in the target table */
	uint8_t hash;			/* enum dupto_vm_hash */
	uint32_t seed;
	uint32_t nmembers;
	uint16_t *members;		/* target indices */
	struct loc *member_locs;
	uint8_t *weights;		/* all 1 unless given */
};

struct cc_insns {
	struct dupto_vm_insn *v;
	uint32_t n, cap;
};

/*
 * Where names in rules come from (names.c). libpcap resolves a name when
 * it compiles a filter, through libc: services, protocols, hosts,
 * networks and Ethernet hosts. dupto does the same, behind this table so
 * that the tests and the fuzzer can give names fixed meanings instead of
 * the machine's (and never wait for a DNS server).
 */
#define CC_MAX_HOST_ADDRS	64

struct cc_host_addr {
	uint8_t family;			/* 4 or 6 */
	uint8_t a[16];
};

struct cc_resolver {
	/* @name's port for @proto ("tcp" or "udp"), as /etc/services has it; -1 if none */
	int (*service)(const char *name, const char *proto);
	/* @name's number in /etc/protocols; -1 if none */
	int (*protocol)(const char *name);
	/*
	 * @name's addresses in the order getaddrinfo() gives them, at most
	 * @max into @addrs; returns how many there are (0: unknown name,
	 * -1: no answer, such as a DNS server that cannot be reached).
	 */
	int (*host)(const char *name, struct cc_host_addr *addrs, int max);
	/* @name's network number in /etc/networks, host order; 0 if none */
	uint32_t (*network)(const char *name);
	/* @name's Ethernet address in /etc/ethers */
	bool (*ether)(const char *name, uint8_t *mac);
	/* the name of the interface of index @index here, into @name */
	bool (*ifname)(uint32_t index, char name[CC_IFNAMSIZ]);
};

/* libc's: what libpcap uses on the same machine */
extern const struct cc_resolver cc_system_resolver;

struct cc_lookup;

/* A name a rule used and what it stood for, for the listing. */
struct cc_name {
	uint32_t rule;			/* index in cc->rules */
	char *word;			/* as written, '\' included */
	char *meaning;			/* such as "tcp port 80" */
};

/* A compilation. Zero it, set file/src/len, call cc_compile(). */
struct cc {
	const char *file;
	const char *src;
	size_t len;
	FILE *errf;			/* where diagnostics go; NULL: nowhere */
	/*
	 * What the source is, besides a ruleset: a configuration file, whose
	 * rules may only name the sensors and ports it declares (a source
	 * with declarations is checked so anyway); or one rule without its
	 * leading "rule", as "dupto rule add" takes it.
	 */
	bool config;
	bool one_rule;
	/*
	 * The netmask of "ip broadcast", as pcap_compile() takes one: given
	 * by the caller (a command line option) or by the ruleset's
	 * "netmask" statement; refused if both are given and differ.
	 */
	bool has_netmask;
	uint32_t netmask;		/* host order */
	struct loc netmask_loc;		/* the statement's, if any */
	/* where names come from; NULL: cc_system_resolver */
	const struct cc_resolver *resolver;
	unsigned int nerrors;
	char errmsg[512];		/* the first diagnostic, without source */

	struct token *toks;
	uint32_t ntoks, tokcap, tp;

	struct cc_rule *rules;
	uint32_t nrules;
	char (*targets)[DUPTO_VM_NAME_MAX];
	uint32_t ntargets;
	char (*ports)[DUPTO_VM_NAME_MAX];
	uint32_t nports;
	struct cc_set *sets;
	uint32_t nsets;
	/* where each target and port was first named, for decl.c */
	struct loc *target_locs;
	struct loc *port_locs;
	struct cc_decl *decls;		/* in source order */
	uint32_t ndecls;
	struct cc_group *groups;	/* in source order */
	uint32_t ngroups;
	struct cc_name *names;		/* in the order they were resolved */
	uint32_t nnames;
	/* names looked up so far (names.c): each asks the resolver once */
	struct cc_lookup **lookups;

	struct cc_insns code;

	/* every allocation, freed by cc_free() */
	void **allocs;
	uint32_t nallocs, alloccap;
};

/* driver.c: allocation owned by the compilation */
void *cc_alloc(struct cc *cc, size_t size);
/*
 * An array of @n elements of @size bytes that is about to get element n:
 * @v itself, or a copy with room for twice as many when @n is 0 or a power
 * of two (arrays grow by doubling, the old copy freed with the rest).
 */
void *cc_grow(struct cc *cc, void *v, uint32_t n, size_t size);

/*
 * How deep an expression may nest: parentheses, "not" and "!", and in
 * arithmetic '(', unary '-', a load's '[', '^' and '%' (which group to
 * the right). The passes after the parser recurse once per level, so this
 * bounds their stack whatever the input; chains of "and" and "or", and of
 * the other arithmetic operators, nest nothing and have no such limit.
 */
#define CC_MAX_NESTING	256

/* Report an error at @loc; returns -1 for "return cc_error(...)". */
int cc_error(struct cc *cc, const struct loc *loc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Why @mask (host order) cannot be the netmask of "ip broadcast", or NULL:
 * its ones must come first, and leave a host part.
 */
const char *cc_netmask_invalid(uint32_t mask);

int cc_lex(struct cc *cc);
int cc_parse(struct cc *cc);
/* Is @word (@len bytes) a keyword of the language, so never a name? */
bool cc_is_keyword(const char *word, size_t len);
/* Parse @src as one filter expression: the rule "rule EXPR to match". */
int cc_parse_expr(struct cc *cc);
/* decl.c: the declarations agree with each other and with the rules. */
int cc_decls(struct cc *cc);
/*
 * @name as the language writes it: as is, or escaped ("\tcp") where it
 * would read as a keyword, a number or an address. -1 if it cannot be
 * written at all (characters the lexer does not take in a word).
 */
int cc_write_name(const char *name, char *buf, size_t size);
int cc_sema(struct cc *cc);
/*
 * names.c, libpcap's lookups (nametoaddr.c) through cc->resolver, each
 * noting the name and its meaning for rule @rule. -1 with an error at
 * @loc if the name means nothing.
 *
 * A service: its port, and the one protocol it names (6 or 17), or 0 when
 * /etc/services gives the same port for tcp and udp ("port domain" then
 * tests tcp, udp and sctp, "port http" tcp only, as in libpcap).
 */
int cc_name_port(struct cc *cc, uint32_t rule, const struct loc *loc,
		 const char *name, size_t len, uint32_t *port, uint8_t *proto);
/* "portrange a-b" with names: libpcap splits at the first '-' */
int cc_name_portrange(struct cc *cc, uint32_t rule, const struct loc *loc,
		      const char *name, size_t len, uint32_t *lo, uint32_t *hi,
		      uint8_t *proto);
int cc_name_proto(struct cc *cc, uint32_t rule, const struct token *t,
		  bool ether, uint32_t *v);
/* every address of a host: the count, at most CC_MAX_HOST_ADDRS */
int cc_name_host(struct cc *cc, uint32_t rule, const struct token *t,
		 struct cc_host_addr *addrs);
/* a network, left-justified as libpcap does ("10" is 10.0.0.0/8) */
int cc_name_net(struct cc *cc, uint32_t rule, const struct token *t,
		uint32_t *net, uint32_t *mask);
int cc_name_ether(struct cc *cc, uint32_t rule, const struct token *t,
		  uint8_t *mac);
/* "ifindex N": the interface's name where the rules are compiled */
int cc_name_ifindex(struct cc *cc, uint32_t rule, const struct token *t,
		    char name[CC_IFNAMSIZ]);
int cc_codegen(struct cc *cc);
/* search.c: chains of equality tests on one field to binary searches */
int cc_search_chains(struct cc *cc);

/* Whole pipeline; @expr_only: @src is a filter expression, not a ruleset. */
int cc_compile(struct cc *cc, bool expr_only);
void cc_free(struct cc *cc);

/*
 * The canonical text of a group statement, on one line, as "dupto save"
 * prints it: "group NAME members A, B hash MODE seed N [weights W, W]".
 * malloc()ed; NULL if a name cannot be written.
 */
char *cc_group_text(const char *name, const char (*targets)[DUPTO_VM_NAME_MAX],
		    const uint16_t *members, const uint8_t *weights, uint32_t n,
		    uint8_t hash, uint32_t seed);

/* The image of a compiled ruleset; free() it. */
int cc_image(const struct cc *cc, void **image, size_t *len);

/* The image, loaded by the VM's own loader (dupto_vm_load): what the
 * kernel would run. Returns its error code, with its message in @err.
 */
struct dupto_vm_prog;
int cc_load(struct cc *cc, struct dupto_vm_prog **prog, char *err,
	    size_t errlen);

/*
 * disasm.c: the listing of a loaded program; with the compilation that
 * made it (@cc, or NULL), each rule's names and what they resolved to.
 */
void cc_disasm(FILE *f, const struct dupto_vm_prog *prog, const struct cc *cc);

/*
 * An image (uapi/linux/dupto_vm.h) written record by record into a growing
 * buffer: a record's payload is @a then @c; arrays are split over records
 * of at most 65535 bytes. Allocation failure aborts.
 */
struct image {
	uint8_t *p;
	size_t n, cap;
};

void image_put(struct image *im, uint16_t type, const void *a, size_t alen,
	       const void *c, size_t clen);
void image_put_array(struct image *im, uint16_t type, const void *v, size_t n,
		     size_t esize);

#endif /* DUPTO_COMPILER_H */
