// SPDX-License-Identifier: GPL-2.0
/*
 * Sets the VM looks keys up in, so that a rule naming thousands of hosts,
 * networks or ports costs a lookup rather than a scan.
 *
 * Protocol and port sets are bitmaps (a port set is 8 KiB), so ranges cost
 * nothing extra. Address sets keep one open-addressing hash table per
 * distinct prefix length, longest first; a lookup masks the key to each
 * length in turn and probes each table.
 *
 * Whoever writes the image chooses the elements, and whoever sends frames
 * chooses the keys looked up; neither may choose where they land, or keys
 * that share a slot would make every insert and every lookup walk all of
 * them (quadratic loading, thousands of probes per lookup in softirq). So
 * each table hashes under its own random secret (hash_key()), and no element
 * may sit more than DUPTO_VM_SET_PROBES - 1 slots past its home slot: a
 * lookup then probes at most DUPTO_VM_SET_PROBES slots, whatever the keys.
 * An element that would sit further makes the table rebuild under a new
 * key; after a few keys, in a table twice the size. With random keys the
 * first key almost always does; the limits only stop an unlucky image (or
 * a broken random source) from looping. Sets are built once, at load, and
 * never change.
 */

#include "vm.h"

/* Keys tried per table size, and table sizes tried, before giving up. */
#define VM_SET_KEYS	2
#define VM_SET_GROWTHS	3

#ifdef DUPTO_VM_TEST_HOOKS
unsigned long dupto_vm_probes;
unsigned long dupto_vm_alloc_bytes;
#endif

struct vm_table {
	u32 plen;		/* prefix length in bits */
	u32 nslots;		/* a power of two */
	u32 max_probe;		/* longest displacement, < DUPTO_VM_SET_PROBES */
	u32 shift;		/* 32 - log2(nslots) */
	struct vm_hash_secret {
		u64 a, b;	/* multiply-add-shift */
		u32 nh[4];	/* NH, for keys longer than 4 bytes */
	} secret;		/* this table's, random (hash_key()) */
	u32 *tags;		/* hash | 1 if the slot is used, else 0 */
	u8 *keys;		/* nslots keys of the set's key length */
};

/*
 * For a frame that ends inside an IPv4 or IPv6 key (see
 * dupto_vm_set_lookup_partial()): trunc[w] holds the first w words of every
 * element longer than w words, so that whether such an element agrees with
 * the w words a frame has is one lookup. trunc[0] is not a table: any
 * element longer than 0 words agrees with a frame that has none.
 */
struct vm_set {
	struct dupto_vm_set pub;
	u32 ntables;
	struct vm_table *tables;	/* longest prefix first */
	u64 *bits;			/* U8 and U16 sets */
	bool any_long;			/* an element with a prefix length > 0 */
	struct vm_table trunc[3];	/* IP6: w = 1, 2, 3 words in trunc[w - 1] */
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

size_t dupto_vm_set_elem_size(unsigned int type)
{
	return type < __DUPTO_VM_SET_MAX ? set_types[type].elem_size : 0;
}

/*
 * Multiply-add-shift (Dietzfelbinger): the top bits of a * x + b, for a
 * 32-bit x and random 64-bit a and b, are a universal hash of x, so two
 * keys share a slot for about one secret in the table's size, whatever the
 * keys. Longer keys are first folded into x by NH (UMAC's hash: a product
 * of key-plus-secret words per 8 bytes), which is almost universal too.
 * An IPv4 key costs one multiply, where SipHash cost nine tenths of a
 * lookup. Not a PRF, and need not be: the probe bound, not the hash,
 * bounds every lookup; the secret only makes an image that clusters under
 * one secret, by bad luck or by design, rebuild into an ordinary table.
 * The slot is the hash's top bits (table_slot()), as the scheme wants.
 */
static __always_inline u32 hash_key(const struct vm_table *t, const u8 *key,
				    u32 len)
{
	const struct vm_hash_secret *k = &t->secret;
	u64 nh;
	u32 x;

	switch (len) {
	case 4:
		x = dupto_vm_raw32(key);
		break;
	case 6:
		nh = (u64)(dupto_vm_raw32(key) + k->nh[0]) *
		     (dupto_vm_raw16(key + 4) + k->nh[1]);
		x = (u32)(nh >> 32) ^ (u32)nh;
		break;
	default: /* 16 */
		nh = (u64)(dupto_vm_raw32(key) + k->nh[0]) *
		     (dupto_vm_raw32(key + 4) + k->nh[1]) +
		     (u64)(dupto_vm_raw32(key + 8) + k->nh[2]) *
		     (dupto_vm_raw32(key + 12) + k->nh[3]);
		x = (u32)(nh >> 32) ^ (u32)nh;
		break;
	}
	return (u32)((x * k->a + k->b) >> 32) | 1;
}

/* The home slot of hash @h: its top bits. */
static __always_inline u32 table_slot(const struct vm_table *t, u32 h)
{
	return h >> t->shift;
}

static __always_inline bool key_equal(const u8 *a, const u8 *b, u32 len)
{
	if (len == 4)
		return dupto_vm_raw32(a) == dupto_vm_raw32(b);
	return !memcmp(a, b, len);
}

/* @out = the first @plen bits of the @len bytes at @key, then zeros. */
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

/*
 * Inlined with a constant @len, so an IPv4 lookup is a hash and a probe.
 * At most max_probe + 1 <= DUPTO_VM_SET_PROBES slots: no element is
 * further from its home slot.
 */
static __always_inline bool table_find(const struct vm_table *t, const u8 *key,
				       u32 len)
{
	u32 h = hash_key(t, key, len);
	u32 mask = t->nslots - 1;
	u32 i, slot;

	for (i = 0, slot = table_slot(t, h); i <= t->max_probe; i++, slot = (slot + 1) & mask) {
		dupto_vm_count_probe();
		if (t->tags[slot] == h &&
		    key_equal(t->keys + (size_t)slot * len, key, len))
			return true;
		if (!t->tags[slot])
			return false;
	}
	return false;
}

/*
 * Place @key, or find it there already. -E2BIG if its slot would be
 * DUPTO_VM_SET_PROBES or more past its home slot; the table is at most half
 * full, so a free slot is never far, and this loop is as bounded as a
 * lookup.
 */
static int table_insert(struct vm_table *t, const u8 *key, u32 len)
{
	u32 h = hash_key(t, key, len);
	u32 mask = t->nslots - 1;
	u32 i, slot;

	for (i = 0, slot = table_slot(t, h); t->tags[slot]; i++, slot = (slot + 1) & mask) {
		if (t->tags[slot] == h &&
		    key_equal(t->keys + (size_t)slot * len, key, len))
			return 0;	/* a duplicate element */
		if (i + 1 >= DUPTO_VM_SET_PROBES)
			return -E2BIG;
	}
	t->tags[slot] = h;
	memcpy(t->keys + (size_t)slot * len, key, len);
	if (i > t->max_probe)
		t->max_probe = i;
	return 0;
}

/*
 * A table of the @n elements at @a, each masked to t->plen, that no lookup
 * probes more than DUPTO_VM_SET_PROBES slots of: built under a new random
 * key until every element fits, in a table twice as large if no key does.
 * Each attempt costs O(n), and there are at most
 * VM_SET_KEYS * VM_SET_GROWTHS of them.
 */
static int table_build(struct vm_table *t, const struct dupto_vm_addr *a,
		       u32 n, u32 len)
{
	u32 size = 4, g, k, i;
	u8 masked[16];

	/*
	 * At most half full; at most a quarter for more than 4096 elements,
	 * where a half-full table almost never keeps them all within
	 * DUPTO_VM_SET_PROBES of home (measured: 65536 random elements in
	 * 131072 slots, a longest displacement of 21 to 49, in 262144 slots
	 * 8 to 13), so that the first key nearly always does.
	 */
	while (size < (n > 4096 ? 4 : 2) * n)	/* n <= DUPTO_VM_MAX_ELEMS */
		size *= 2;
	for (g = 0; g < VM_SET_GROWTHS; g++, size *= 2) {
		dupto_vm_kfree(t->tags);
		dupto_vm_kfree(t->keys);
		t->nslots = size;
		t->shift = 32 - dupto_vm_ctz64(size);	/* size is a power of two */
		t->tags = dupto_vm_zalloc(size * sizeof(*t->tags));
		t->keys = dupto_vm_zalloc((size_t)size * len);
		if (!t->tags || !t->keys)
			return -ENOMEM;
		for (k = 0; k < VM_SET_KEYS; k++) {
			dupto_vm_cond_resched();
			dupto_vm_random(&t->secret, sizeof(t->secret));
			memset(t->tags, 0, size * sizeof(*t->tags));
			t->max_probe = 0;
			for (i = 0; i < n; i++) {
				mask_key(masked, a[i].addr, len, t->plen);
				if (table_insert(t, masked, len))
					break;
			}
			if (i == n)
				return 0;
		}
	}
	return -E2BIG;
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
 * elements, one after the other and shortest prefix first, would have
 * said. Each reads the key a 32-bit word at a time, as far as its prefix
 * goes, and stops at the first word that differs; reading a word the frame
 * does not have fails the whole test. @words of the key are available.
 *
 * Elements of at most @words words come first and read nothing missing: 1
 * if one of them matches. Otherwise the first longer element whose first
 * @words words agree with the key reads past the frame: -1 if there is one
 * (trunc[]), else 0. So the answer costs a lookup per table, not a scan of
 * the elements.
 */
int dupto_vm_set_lookup_partial(const struct dupto_vm_set *pub, const u8 *key,
				u32 words)
{
	const struct vm_set *set = (const struct vm_set *)pub;
	const struct vm_table *t;
	u32 len = pub->keylen, i;
	u8 masked[16];

	if (pub->type != DUPTO_VM_SET_IP4 && pub->type != DUPTO_VM_SET_IP6)
		return -1;	/* other sets read their key in one go */
	if (words >= len / 4)
		return -1;	/* not a partial key */
	/* shortest first: the tables of at most @words words are at the end */
	for (i = set->ntables; i-- > 0 && set->tables[i].plen <= 32 * words;) {
		t = &set->tables[i];
		mask_key(masked, key, len, t->plen);
		if (table_find(t, masked, len))
			return 1;
	}
	if (!words)
		return set->any_long ? -1 : 0;
	t = &set->trunc[words - 1];
	if (!t->nslots)
		return 0;
	mask_key(masked, key, len, t->plen);
	return table_find(t, masked, len) ? -1 : 0;
}

/*
 * The per-frame cost of a lookup, in the units of DUPTO_VM_MAX_COST
 * (uapi/linux/dupto_vm.h, "Cost"): a bitmap is one load; an address set
 * probes every table, or on a frame cut short the tables of its shorter
 * prefixes and one more.
 */
u32 dupto_vm_set_cost(const struct dupto_vm_set *pub)
{
	const struct vm_set *set = (const struct vm_set *)pub;

	if (set->bits)
		return 1;
	return (set->ntables + 1) * DUPTO_VM_COST_TABLE;
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
	for (i = 0; i < ARRAY_SIZE(set->trunc); i++) {
		dupto_vm_kfree(set->trunc[i].tags);
		dupto_vm_kfree(set->trunc[i].keys);
	}
	dupto_vm_kfree(set->tables);
	dupto_vm_kfree(set->bits);
	dupto_vm_kfree(set);
}

#define set_err(fmt, ...) \
	do { \
		if (err) \
			snprintf(err, errlen, fmt, ##__VA_ARGS__); \
	} while (0)

/*
 * Ranges are set a word at a time: the partial words at either end
 * directly, the whole words between them through a difference array
 * (@cover: +1 where a run of whole words starts, -1 after it ends) summed
 * in one pass at the end. So a range costs the same whatever its width,
 * and the set costs its elements plus one pass over the bitmap: ranges
 * covering all 65536 ports, set bit by bit, took seconds.
 */
static int build_bitmap(struct vm_set *set, const struct dupto_vm_range *r,
			u32 nelems, u32 nbits, char *err, size_t errlen)
{
	u32 nwords = nbits / 64, i, fw, lw;
	s32 *cover, run = 0;
	int ret = 0;

	set->bits = dupto_vm_zalloc(nbits / 8);
	cover = dupto_vm_zalloc((nwords + 1) * sizeof(*cover));
	if (!set->bits || !cover) {
		dupto_vm_kfree(cover);
		return -ENOMEM;
	}
	for (i = 0; i < nelems; i++) {
		if (r[i].first > r[i].last) {
			set_err("element %u: range %u-%u is reversed", i,
				r[i].first, r[i].last);
			ret = -EINVAL;
			break;
		}
		if (r[i].last >= nbits) {
			set_err("element %u: %u out of range", i, r[i].last);
			ret = -EINVAL;
			break;
		}
		fw = r[i].first / 64;
		lw = r[i].last / 64;
		if (fw == lw) {
			set->bits[fw] |= (~0ULL << (r[i].first % 64)) &
					 (~0ULL >> (63 - r[i].last % 64));
			continue;
		}
		set->bits[fw] |= ~0ULL << (r[i].first % 64);
		set->bits[lw] |= ~0ULL >> (63 - r[i].last % 64);
		/* at most nelems <= DUPTO_VM_MAX_ELEMS each way: no overflow */
		cover[fw + 1]++;
		cover[lw]--;
	}
	for (i = 0; !ret && i < nwords; i++) {
		run += cover[i];
		if (run)
			set->bits[i] = ~0ULL;
	}
	dupto_vm_kfree(cover);
	return ret;
}

/*
 * One table per distinct prefix length, built from the elements sorted by
 * prefix length (a stable counting sort, shortest first), so that each
 * table takes its elements from one run of the sorted array and can be
 * rebuilt from it. The same array gives the truncated tables of an IPv6
 * set: the elements longer than w words are its tail.
 */
static int build_tables(struct vm_set *set, const struct dupto_vm_addr *a,
			u32 nelems, char *err, size_t errlen)
{
	u32 len = set->pub.keylen, maxbits = len * 8;
	/*
	 * at[plen + 1] counts the elements of each length, then at[plen] is
	 * where they start in sorted[]; placing them moves at[plen] to where
	 * they end, so run plen is then at[plen - 1] (0 for plen 0) to
	 * at[plen].
	 */
	u32 at[130] = { 0 };
	struct dupto_vm_addr *sorted;
	u32 i, t, w, plen, start;
	u8 masked[16];
	int ret = 0;

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
		if (!at[plen + 1]++)
			set->ntables++;
		if (plen)
			set->any_long = true;
	}

	sorted = dupto_vm_zalloc(nelems * sizeof(*sorted));
	set->tables = dupto_vm_zalloc(set->ntables * sizeof(*set->tables));
	if (!sorted || !set->tables) {
		dupto_vm_kfree(sorted);
		return -ENOMEM;
	}
	for (plen = 0; plen <= maxbits; plen++)
		at[plen + 1] += at[plen];
	for (i = 0; i < nelems; i++)
		sorted[at[a[i].plen]++] = a[i];

	for (plen = maxbits + 1, t = 0; !ret && plen-- > 0;) {
		struct vm_table *tb;

		start = plen ? at[plen - 1] : 0;
		if (start == at[plen])
			continue;
		tb = &set->tables[t++];
		tb->plen = plen;
		ret = table_build(tb, sorted + start, at[plen] - start, len);
		if (ret == -E2BIG)
			set_err("cannot place the /%u elements within %u probes",
				plen, DUPTO_VM_SET_PROBES);
	}
	for (w = 1; !ret && set->pub.type == DUPTO_VM_SET_IP6 && w <= 3; w++) {
		/* the tail of sorted[] longer than 32 * w bits */
		start = at[32 * w];
		if (start == nelems)
			continue;
		set->trunc[w - 1].plen = 32 * w;
		ret = table_build(&set->trunc[w - 1], sorted + start,
				  nelems - start, len);
		if (ret == -E2BIG)
			set_err("cannot place the elements longer than /%u within %u probes",
				32 * w, DUPTO_VM_SET_PROBES);
	}
	dupto_vm_kfree(sorted);
	return ret;
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
