// SPDX-License-Identifier: GPL-2.0
/*
 * Groups: the symmetric flow hash and the rendezvous choice of a member,
 * as uapi/linux/dupto_vm.h ("Groups") defines them. Built in the module and,
 * unchanged, in the tool, so that "dupto compile -r" and the tests predict
 * exactly the member the kernel picks: nothing here depends on the box.
 *
 * A frame is parsed once (dupto_vm_flow_parse) into what any hash of it
 * needs; each group then hashes it with its own seed and mode.
 */

#include "vm.h"

#define ETH_P_IPV4	0x0800
#define ETH_P_IPV6_	0x86dd
#define ETH_P_8021Q_	0x8100
#define ETH_P_8021AD_	0x88a8
#define ETH_P_QINQ1_	0x9100

/* "dupto-grp": the second half of every group's SipHash key */
#define DUPTO_VM_HASH_K1	0x647570746f677270ULL

/* At most this many VLAN tags, and IPv6 extension headers, are skipped. */
#define FLOW_MAX_TAGS		4
#define FLOW_MAX_EXTHDRS	8

static bool has_ports(u8 proto)
{
	/* TCP, UDP, DCCP, SCTP, UDP-Lite: ports in the first 4 bytes */
	return proto == 6 || proto == 17 || proto == 33 || proto == 132 ||
	       proto == 136;
}

static void flow_ports(const struct dupto_vm_packet *pkt, u32 off,
		       struct dupto_vm_flow *fl)
{
	const u8 *p;
	u8 buf[4];

	if (fl->frag || !has_ports(fl->proto))
		return;
	p = dupto_vm_pkt_read(pkt, off, 4, buf);
	if (!p)
		return;
	fl->port_a = dupto_vm_get16(p);
	fl->port_b = dupto_vm_get16(p + 2);
}

static bool flow_ip4(const struct dupto_vm_packet *pkt, u32 off,
		     struct dupto_vm_flow *fl)
{
	const u8 *p;
	u8 buf[20];

	p = dupto_vm_pkt_read(pkt, off, 20, buf);
	if (!p || p[0] >> 4 != 4 || (p[0] & 0xf) < 5)
		return false;
	fl->proto = p[9];
	/* MF set or a fragment offset: a fragment, first one included */
	fl->frag = (dupto_vm_get16(p + 6) & 0x3fff) != 0;
	memcpy(fl->addr_a, p + 12, 4);
	memcpy(fl->addr_b, p + 16, 4);
	flow_ports(pkt, off + 4 * (p[0] & 0xf), fl);
	return true;
}

static bool flow_ip6(const struct dupto_vm_packet *pkt, u32 off,
		     struct dupto_vm_flow *fl)
{
	const u8 *p;
	u8 buf[40];
	u8 nh;
	int i;

	p = dupto_vm_pkt_read(pkt, off, 40, buf);
	if (!p || p[0] >> 4 != 6)
		return false;
	nh = p[6];
	memcpy(fl->addr_a, p + 8, 16);
	memcpy(fl->addr_b, p + 24, 16);
	off += 40;
	for (i = 0; i < FLOW_MAX_EXTHDRS; i++) {
		if (nh == 44) {		/* fragment: fixed 8 bytes */
			fl->frag = 1;
			p = dupto_vm_pkt_read(pkt, off, 2, buf);
			if (!p)
				break;
			nh = p[0];
			off += 8;
		} else if (nh == 0 || nh == 43 || nh == 60) {
			/* hop-by-hop, routing, destination options */
			p = dupto_vm_pkt_read(pkt, off, 2, buf);
			if (!p)
				break;
			nh = p[0];
			off += 8 * (p[1] + 1);
		} else {
			break;
		}
	}
	fl->proto = nh;
	flow_ports(pkt, off, fl);
	return true;
}

void dupto_vm_flow_parse(const struct dupto_vm_packet *pkt,
			 struct dupto_vm_flow *fl)
{
	const u8 *p;
	u8 buf[14];
	u32 off = 14;
	u16 type;
	int i;

	memset(fl, 0, sizeof(*fl));
	p = dupto_vm_pkt_read(pkt, 0, 14, buf);
	if (!p)
		return;
	type = dupto_vm_get16(p + 12);
	/* Frames that are not IP are hashed on their Ethernet addresses. */
	memcpy(fl->addr_a, p + 6, 6);
	memcpy(fl->addr_b, p, 6);
	/* A tag held in metadata is not in these bytes; the rest are skipped. */
	for (i = 0; i < FLOW_MAX_TAGS; i++) {
		if (type != ETH_P_8021Q_ && type != ETH_P_8021AD_ &&
		    type != ETH_P_QINQ1_)
			break;
		p = dupto_vm_pkt_read(pkt, off, 4, buf);
		if (!p)
			break;
		type = dupto_vm_get16(p + 2);
		off += 4;
	}
	fl->ethertype = type;
	if (type == ETH_P_IPV4 || type == ETH_P_IPV6_) {
		struct dupto_vm_flow ip = { .ethertype = type };

		if (type == ETH_P_IPV4 ? flow_ip4(pkt, off, &ip) :
					 flow_ip6(pkt, off, &ip))
			*fl = ip;
	}
}

static u64 mix64(u64 x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

void dupto_vm_hash_key(dupto_vm_hkey *key, u32 seed)
{
	key->key[0] = seed;
	key->key[1] = DUPTO_VM_HASH_K1;
}

/* "sample": flow sampling's key, none of a group's */
void dupto_vm_sample_key(dupto_vm_hkey *key)
{
	key->key[0] = 0x73616d706c65ULL;
	key->key[1] = DUPTO_VM_HASH_K1;
}

u64 dupto_vm_flow_hash(const struct dupto_vm_flow *fl, u8 mode,
		       const dupto_vm_hkey *key)
{
	u64 words[5];		/* the 40-byte key, aligned for siphash */
	u8 *k = (u8 *)words;
	u16 pa = 0, pb = 0;
	const u8 *a = fl->addr_a, *b = fl->addr_b;
	int cmp;

	if (mode == DUPTO_VM_HASH_PORTS) {
		pa = fl->port_a;
		pb = fl->port_b;
	}
	cmp = memcmp(a, b, 16);
	if (cmp > 0 || (!cmp && pa > pb)) {
		const u8 *t = a;
		u16 tp = pa;

		a = b;
		b = t;
		pa = pb;
		pb = tp;
	}
	k[0] = fl->ethertype >> 8;
	k[1] = fl->ethertype & 0xff;
	k[2] = fl->proto;
	k[3] = 0;
	k[4] = pa >> 8;
	k[5] = pa & 0xff;
	k[6] = pb >> 8;
	k[7] = pb & 0xff;
	memcpy(k + 8, a, 16);
	memcpy(k + 24, b, 16);
	return dupto_vm_siphash(words, sizeof(words), key);
}

/* A member's identities: its name, then k, hashed under the group's key. */
void dupto_vm_member_ids(struct dupto_vm_member *m, const char *name,
			 const dupto_vm_hkey *key)
{
	u8 buf[DUPTO_VM_NAME_MAX + 1];
	size_t len = strlen(name);
	u32 k;

	memcpy(buf, name, len);
	for (k = 0; k < m->weight; k++) {
		buf[len] = k;
		m->id[k] = dupto_vm_siphash(buf, len + 1, key);
	}
}

int dupto_vm_group_pick(const struct dupto_vm_group *g, u64 hash,
			bool (*live)(const void *ctx, u32 target),
			const void *ctx)
{
	u64 best = 0, s;
	int win = -1;
	u32 m, k;

	for (m = 0; m < g->nmembers; m++) {
		const struct dupto_vm_member *mb = &g->members[m];

		if (live && !live(ctx, mb->target))
			continue;
		for (k = 0; k < mb->weight; k++) {
			s = mix64(hash ^ mb->id[k]);
			if (win < 0 || s > best) {
				best = s;
				win = mb->target;
			}
		}
	}
	return win;
}

void dupto_vm_resolve_groups(const struct dupto_vm_prog *prog,
			     const struct dupto_vm_packet *pkt, u64 *targets,
			     bool (*live)(const void *ctx, u32 target),
			     const void *ctx)
{
	const struct dupto_vm_group *g;
	struct dupto_vm_flow fl;
	bool parsed = false;
	unsigned int w;
	u64 bits, hash;
	int m;

	for (w = 0; w < DUPTO_VM_TARGET_WORDS; w++) {
		bits = targets[w] & prog->group_targets[w];
		targets[w] &= ~prog->group_targets[w];
		for (; bits; bits &= bits - 1) {
			g = &prog->groups[prog->group_of[w * 64 + dupto_vm_ctz64(bits)]];
			if (!parsed) {
				dupto_vm_flow_parse(pkt, &fl);
				parsed = true;
			}
			hash = dupto_vm_flow_hash(&fl, g->hash, &g->key);
			m = dupto_vm_group_pick(g, hash, live, ctx);
			/*
			 * No member can take it: the one that would, were all
			 * up, gets it, and drops it as down, so the loss shows.
			 */
			if (m < 0)
				m = dupto_vm_group_pick(g, hash, NULL, NULL);
			targets[m / 64] |= 1ULL << (m % 64);
		}
	}
}
