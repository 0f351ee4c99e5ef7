// SPDX-License-Identifier: GPL-2.0
/*
 * Sets the VM looks keys up in, so that a rule naming thousands of hosts,
 * networks or ports costs a lookup rather than a scan.
 *
 * Protocol and port sets are bitmaps (a port set is 8 KiB), so ranges cost
 * nothing extra. Address sets keep one open-addressing hash table per
 * distinct prefix length, longest first; a lookup masks the key to each
 * length in turn and probes at most as far as the longest displacement any
 * element needed when the table was built, so its cost is bounded whatever
 * the packet holds. Sets are built once, at load, and never change.
 */

#include "vm.h"

struct vm_table {
	u32 plen;		/* prefix length in bits */
	u32 nslots;		/* a power of two */
	u32 max_probe;		/* longest displacement of any element */
	u32 *tags;		/* hash | 1 if the slot is used, else 0 */
	u8 *keys;		/* nslots keys of the set's key length */
};

struct vm_set {
	struct dupto_vm_set pub;
	u32 ntables;
	struct vm_table *tables;	/* longest prefix first */
	u64 *bits;			/* U8 and U16 sets */
	struct dupto_vm_addr *list;	/* IP4 and IP6: elements in order */
};

static const struct {
	u16 keylen;
	u16 elem_size;
	u32 nbits;	/* bitmap sets: number of values */
} set_types[__DUPTO_VM_SET_MAX] = {
	[DUPTO_VM_SET_U8] = { 1, sizeof(struct dupto_vm_range), 256 },
	[DUPTO_VM_SET_U16] = { 2, sizeof(struct dupto_vm_range), 65536 },
	[DUPTO_VM_SET_MAC] = { 6, sizeof(struct dupto_vm_addr), 0 },
	[DUPTO_VM_SET_IP4] = { 4, sizeof(struct dupto_vm_addr), 0 },
	[DUPTO_VM_SET_IP6] = { 16, sizeof(struct dupto_vm_addr), 0 },
};

unsigned int dupto_vm_set_keylen(unsigned int type)
{
	return type < __DUPTO_VM_SET_MAX ? set_types[type].keylen : 0;
}

size_t dupto_vm_set_elem_size(unsigned int type)
{
	return type < __DUPTO_VM_SET_MAX ? set_types[type].elem_size : 0;
}

static __always_inline u32 hash_key(const u8 *key, u32 len)
{
	u64 h = 0x9e3779b97f4a7c15ULL ^ len;
	u32 i;

	for (i = 0; i + 4 <= len; i += 4)
		h = (h ^ dupto_vm_get32(key + i)) * 0xff51afd7ed558ccdULL;
	if (i < len)
		h = (h ^ dupto_vm_get16(key + i)) * 0xff51afd7ed558ccdULL;
	h ^= h >> 29;
	return (u32)h | 1;
}

static __always_inline bool key_equal(const u8 *a, const u8 *b, u32 len)
{
	if (len == 4)
		return dupto_vm_raw32(a) == dupto_vm_raw32(b);
	return !memcmp(a, b, len);
}

static void mask_key(u8 *out, const u8 *key, u32 len, u32 plen)
{
	u32 i;

	for (i = 0; i < len; i++) {
		if (plen >= 8)
			out[i] = key[i];
		else if (plen)
			out[i] = key[i] & (u8)(0xff00 >> plen);
		else
			out[i] = 0;
		plen = plen >= 8 ? plen - 8 : 0;
	}
}

/* Inlined with a constant @len, so an IPv4 lookup is a multiply and a probe. */
static __always_inline bool table_find(const struct vm_table *t, const u8 *key,
				       u32 len)
{
	u32 h = hash_key(key, len);
	u32 mask = t->nslots - 1;
	u32 i, slot;

	for (i = 0, slot = h & mask; i <= t->max_probe; i++, slot = (slot + 1) & mask) {
		if (t->tags[slot] == h &&
		    key_equal(t->keys + (size_t)slot * len, key, len))
			return true;
		if (!t->tags[slot])
			return false;
	}
	return false;
}

static void table_insert(struct vm_table *t, const u8 *key, u32 len)
{
	u32 h = hash_key(key, len);
	u32 mask = t->nslots - 1;
	u32 i, slot;

	if (table_find(t, key, len))
		return;		/* a duplicate element */
	/* At most half full, so a free slot always exists. */
	for (i = 0, slot = h & mask; t->tags[slot]; i++)
		slot = (slot + 1) & mask;
	t->tags[slot] = h;
	memcpy(t->keys + (size_t)slot * len, key, len);
	if (i > t->max_probe)
		t->max_probe = i;
}

/* The prefix tables from @i on: masks the key to each length in turn. */
static noinline bool lookup_prefixes(const struct vm_set *set, const u8 *key,
				     u32 len, u32 i)
{
	u8 masked[16];

	for (; i < set->ntables; i++) {
		mask_key(masked, key, len, set->tables[i].plen);
		if (table_find(&set->tables[i], masked, len))
			return true;
	}
	return false;
}

/* Whole addresses first (the longest prefix comes first), unmasked. */
static __always_inline bool lookup_addr(const struct vm_set *set,
					const u8 *key, u32 len)
{
	u32 i = 0;

	if (set->ntables && set->tables[0].plen == len * 8) {
		if (table_find(&set->tables[0], key, len))
			return true;
		i = 1;
	}
	return i < set->ntables && lookup_prefixes(set, key, len, i);
}

/* One function per key length, so that each is compiled for its length. */
static noinline bool lookup_ip4(const struct vm_set *set, const u8 *key)
{
	return lookup_addr(set, key, 4);
}

static noinline bool lookup_mac(const struct vm_set *set, const u8 *key)
{
	return lookup_addr(set, key, 6);
}

static noinline bool lookup_ip6(const struct vm_set *set, const u8 *key)
{
	return lookup_addr(set, key, 16);
}

bool dupto_vm_set_lookup(const struct dupto_vm_set *pub, const u8 *key)
{
	const struct vm_set *set = (const struct vm_set *)pub;
	u32 i;

	switch (pub->type) {
	case DUPTO_VM_SET_U8:
		return set->bits[key[0] / 64] >> (key[0] % 64) & 1;
	case DUPTO_VM_SET_U16:
		i = dupto_vm_get16(key);
		return set->bits[i / 64] >> (i % 64) & 1;
	case DUPTO_VM_SET_IP4:
		return lookup_ip4(set, key);
	case DUPTO_VM_SET_MAC:
		return lookup_mac(set, key);
	default:
		return lookup_ip6(set, key);
	}
}

/*
 * For a frame that ends inside the key: what libpcap's tests of the
 * elements, one after the other, would have said. Each reads the key a
 * 32-bit word at a time, as far as its prefix goes, and stops at the first
 * word that differs; reading a word the frame does not have fails the
 * whole test. @words of the key are available.
 */
int dupto_vm_set_lookup_partial(const struct dupto_vm_set *pub, const u8 *key,
				u32 words)
{
	const struct vm_set *set = (const struct vm_set *)pub;
	u32 i, j;

	if (!set->list)
		return -1;	/* other sets read their key in one go */
	for (i = 0; i < pub->nelems; i++) {
		const struct dupto_vm_addr *e = &set->list[i];
		u32 need = (e->plen + 31) / 32;

		for (j = 0; j < need; j++) {
			u32 bits = e->plen - 32 * j;
			u32 mask = bits >= 32 ? 0xffffffffU : ~(0xffffffffU >> bits);

			if (j >= words)
				return -1;
			if ((dupto_vm_get32(key + 4 * j) & mask) !=
			    dupto_vm_get32(e->addr + 4 * j))
				break;
		}
		if (j == need)
			return 1;
	}
	return 0;
}

void dupto_vm_set_free(struct dupto_vm_set *pub)
{
	struct vm_set *set = (struct vm_set *)pub;
	u32 i;

	if (!set)
		return;
	for (i = 0; set->tables && i < set->ntables; i++) {
		dupto_vm_kfree(set->tables[i].tags);
		dupto_vm_kfree(set->tables[i].keys);
	}
	dupto_vm_kfree(set->tables);
	dupto_vm_kfree(set->bits);
	dupto_vm_kfree(set->list);
	dupto_vm_kfree(set);
}

#define set_err(fmt, ...) \
	do { \
		if (err) \
			snprintf(err, errlen, fmt, ##__VA_ARGS__); \
	} while (0)

static int build_bitmap(struct vm_set *set, const struct dupto_vm_range *r,
			u32 nelems, u32 nbits, char *err, size_t errlen)
{
	u32 i, v;

	set->bits = dupto_vm_zalloc(nbits / 8);
	if (!set->bits)
		return -ENOMEM;
	for (i = 0; i < nelems; i++) {
		if (r[i].first > r[i].last) {
			set_err("element %u: range %u-%u is reversed", i,
				r[i].first, r[i].last);
			return -EINVAL;
		}
		if (r[i].last >= nbits) {
			set_err("element %u: %u out of range", i, r[i].last);
			return -EINVAL;
		}
		for (v = r[i].first; v <= r[i].last; v++)
			set->bits[v / 64] |= 1ULL << (v % 64);
	}
	return 0;
}

static int build_tables(struct vm_set *set, const struct dupto_vm_addr *a,
			u32 nelems, char *err, size_t errlen)
{
	u32 len = set->pub.keylen, maxbits = len * 8;
	u32 count[129] = { 0 };
	u32 i, t, plen;
	u8 masked[16];

	for (i = 0; i < nelems; i++) {
		plen = a[i].plen;
		if (a[i].reserved[0] || a[i].reserved[1] || a[i].reserved[2]) {
			set_err("element %u: reserved bytes not zero", i);
			return -EINVAL;
		}
		if (plen > maxbits ||
		    (set->pub.type == DUPTO_VM_SET_MAC && plen != maxbits)) {
			set_err("element %u: bad prefix length %u", i, plen);
			return -EINVAL;
		}
		mask_key(masked, a[i].addr, 16, plen);
		if (memcmp(masked, a[i].addr, 16)) {
			set_err("element %u: bits set beyond prefix length %u",
				i, plen);
			return -EINVAL;
		}
		if (!count[plen]++)
			set->ntables++;
	}

	set->tables = dupto_vm_zalloc(set->ntables * sizeof(*set->tables));
	if (!set->tables)
		return -ENOMEM;
	for (plen = maxbits + 1, t = 0; plen-- > 0;) {
		struct vm_table *tb;

		if (!count[plen])
			continue;
		tb = &set->tables[t];
		tb->plen = plen;
		tb->nslots = 4;
		while (tb->nslots < 2 * count[plen])
			tb->nslots *= 2;
		tb->tags = dupto_vm_zalloc(tb->nslots * sizeof(*tb->tags));
		tb->keys = dupto_vm_zalloc((size_t)tb->nslots * len);
		if (!tb->tags || !tb->keys)
			return -ENOMEM;
		/* from here on count[] maps a length to its table */
		count[plen] = t++;
	}
	for (i = 0; i < nelems; i++)
		table_insert(&set->tables[count[a[i].plen]], a[i].addr, len);
	if (set->pub.type != DUPTO_VM_SET_MAC) {
		u32 *at = count, sum = 0;	/* count[] is free again */

		/*
		 * Shortest prefix first (a stable counting sort): the order in
		 * which the elements' tests decide a frame cut inside the key.
		 */
		set->list = dupto_vm_zalloc(nelems * sizeof(*a));
		if (!set->list)
			return -ENOMEM;
		memset(count, 0, sizeof(count));
		for (i = 0; i < nelems; i++)
			at[a[i].plen]++;
		for (plen = 0; plen <= maxbits; plen++) {
			u32 c = at[plen];

			at[plen] = sum;
			sum += c;
		}
		for (i = 0; i < nelems; i++)
			set->list[at[a[i].plen]++] = a[i];
	}
	return 0;
}

struct dupto_vm_set *dupto_vm_set_build(unsigned int type, const void *elems,
					u32 nelems, char *err, size_t errlen)
{
	struct vm_set *set;
	int ret;

	if (type == DUPTO_VM_SET_UNSPEC || type >= __DUPTO_VM_SET_MAX) {
		set_err("unknown set type %u", type);
		return NULL;
	}
	if (nelems > DUPTO_VM_MAX_ELEMS) {
		set_err("%u elements, at most %u", nelems, DUPTO_VM_MAX_ELEMS);
		return NULL;
	}
	set = dupto_vm_zalloc(sizeof(*set));
	if (!set) {
		set_err("out of memory");
		return NULL;
	}
	set->pub.type = type;
	set->pub.keylen = set_types[type].keylen;
	set->pub.nelems = nelems;
	if (set_types[type].nbits)
		ret = build_bitmap(set, elems, nelems, set_types[type].nbits,
				   err, errlen);
	else
		ret = build_tables(set, elems, nelems, err, errlen);
	if (ret) {
		if (ret == -ENOMEM)
			set_err("out of memory");
		dupto_vm_set_free(&set->pub);
		return NULL;
	}
	return &set->pub;
}
