/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The environment of the VM sources (vm*.c, verifier.c): the kernel's
 * headers in the module, a small stand-in for them in userspace, where the
 * tool and the tests build the same files. Only what is defined here may be
 * used by those files.
 */
#ifndef _DUPTO_VM_ENV_H
#define _DUPTO_VM_ENV_H

#ifdef __KERNEL__

#include <linux/bits.h>
#include <linux/compiler.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/siphash.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/types.h>
#include <linux/u64_stats_sync.h>

static inline void *dupto_vm_zalloc(size_t size)
{
	return kvzalloc(size, GFP_KERNEL_ACCOUNT);
}

static inline void dupto_vm_kfree(const void *p)
{
	kvfree(p);
}

#define dupto_vm_ctz64(x)	__ffs64(x)

typedef siphash_key_t dupto_vm_hkey;

static inline void dupto_vm_random(void *buf, size_t len)
{
	get_random_bytes(buf, len);
}

/*
 * Loading runs in process context without RTNL, and a large image takes
 * a while: let others run between sets and table builds.
 */
#define dupto_vm_cond_resched()	cond_resched()

/* vm_set.c counts its probes only in the userspace tests. */
#define dupto_vm_count_probe()	do { } while (0)

static inline u64 dupto_vm_siphash(const void *data, size_t len,
				   const dupto_vm_hkey *key)
{
	return siphash(data, len, key);
}

#else /* userspace */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <linux/types.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t s32;

#ifndef likely
#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
#endif
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif
#ifndef fallthrough
#define fallthrough	__attribute__((__fallthrough__))
#endif
#ifndef BUILD_BUG_ON
#define BUILD_BUG_ON(c)	_Static_assert(!(c), #c)
#endif
#ifndef __uninitialized
#define __uninitialized
#endif
#ifndef __annotate_jump_table
#define __annotate_jump_table
#endif
#ifndef noinline
#define noinline	__attribute__((__noinline__))
#endif
#ifndef __always_inline
#define __always_inline	inline __attribute__((__always_inline__))
#endif

#ifdef DUPTO_VM_TEST_HOOKS
extern unsigned long dupto_vm_alloc_bytes;	/* vm_set.c */
#endif

static inline void *dupto_vm_zalloc(size_t size)
{
#ifdef DUPTO_VM_TEST_HOOKS
	dupto_vm_alloc_bytes += size;	/* the tests weigh a load's work */
#endif
	return calloc(1, size ? size : 1);
}

static inline void dupto_vm_kfree(const void *p)
{
	free((void *)p);
}

#define dupto_vm_ctz64(x)	__builtin_ctzll(x)

/* The kernel's u64_stats on a 64-bit machine: no sequence count. */
typedef struct {
	u64 v;
} u64_stats_t;

struct u64_stats_sync {
};

static inline void u64_stats_update_begin(struct u64_stats_sync *syncp)
{
}

static inline void u64_stats_update_end(struct u64_stats_sync *syncp)
{
}

static inline void u64_stats_inc(u64_stats_t *p)
{
	p->v++;
}

static inline void u64_stats_add(u64_stats_t *p, unsigned long val)
{
	p->v += val;
}

static inline u64 u64_stats_read(const u64_stats_t *p)
{
	return p->v;
}

/* get_random_bytes(): getrandom(2) blocks only until the pool is ready. */
static inline void dupto_vm_random(void *buf, size_t len)
{
	u8 *p = buf;
	ssize_t n;

	while (len) {
		n = getrandom(p, len, 0);
		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			abort();
		}
		p += n;
		len -= n;
	}
}

#define dupto_vm_cond_resched()	do { } while (0)

/*
 * The tests count the slots set lookups probe (vm_set.c defines the
 * counter when DUPTO_VM_TEST_HOOKS is set); elsewhere it costs nothing.
 */
#ifdef DUPTO_VM_TEST_HOOKS
extern unsigned long dupto_vm_probes;
#define dupto_vm_count_probe()	(dupto_vm_probes++)
#else
#define dupto_vm_count_probe()	do { } while (0)
#endif

/* The kernel's siphash(): SipHash-2-4, the key as two 64-bit words. */
typedef struct {
	u64 key[2];
} dupto_vm_hkey;

#define DUPTO_SIPROUND(v0, v1, v2, v3) \
	do { \
		v0 += v1; v1 = v1 << 13 | v1 >> 51; v1 ^= v0; v0 = v0 << 32 | v0 >> 32; \
		v2 += v3; v3 = v3 << 16 | v3 >> 48; v3 ^= v2; \
		v0 += v3; v3 = v3 << 21 | v3 >> 43; v3 ^= v0; \
		v2 += v1; v1 = v1 << 17 | v1 >> 47; v1 ^= v2; v2 = v2 << 32 | v2 >> 32; \
	} while (0)

static inline u64 dupto_vm_siphash(const void *data, size_t len,
				   const dupto_vm_hkey *key)
{
	const u8 *p = data;
	u64 v0 = 0x736f6d6570736575ULL ^ key->key[0];
	u64 v1 = 0x646f72616e646f6dULL ^ key->key[1];
	u64 v2 = 0x6c7967656e657261ULL ^ key->key[0];
	u64 v3 = 0x7465646279746573ULL ^ key->key[1];
	u64 b = (u64)len << 56, m;
	size_t i, j;

	for (i = 0; i + 8 <= len; i += 8) {
		for (m = 0, j = 0; j < 8; j++)
			m |= (u64)p[i + j] << (8 * j);
		v3 ^= m;
		DUPTO_SIPROUND(v0, v1, v2, v3);
		DUPTO_SIPROUND(v0, v1, v2, v3);
		v0 ^= m;
	}
	for (j = 0; i + j < len; j++)
		b |= (u64)p[i + j] << (8 * j);
	v3 ^= b;
	DUPTO_SIPROUND(v0, v1, v2, v3);
	DUPTO_SIPROUND(v0, v1, v2, v3);
	v0 ^= b;
	v2 ^= 0xff;
	DUPTO_SIPROUND(v0, v1, v2, v3);
	DUPTO_SIPROUND(v0, v1, v2, v3);
	DUPTO_SIPROUND(v0, v1, v2, v3);
	DUPTO_SIPROUND(v0, v1, v2, v3);
	return (v0 ^ v1) ^ (v2 ^ v3);
}

#endif /* __KERNEL__ */

/* Network byte order reads that need no alignment, in either environment. */
static __always_inline u32 dupto_vm_get16(const u8 *p)
{
	return (u32)p[0] << 8 | p[1];
}

static __always_inline u32 dupto_vm_get32(const u8 *p)
{
	return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3];
}

/*
 * The frame's bytes as they are in memory, for compares whose constants
 * were put in the same order at load (dupto_vm_net16/32): no byte swap at
 * run time, whatever the host's byte order.
 */
static __always_inline u32 dupto_vm_raw16(const u8 *p)
{
	u16 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static __always_inline u32 dupto_vm_raw32(const u8 *p)
{
	u32 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline u32 dupto_vm_net16(u32 x)
{
	const u8 b[2] = { (u8)(x >> 8), (u8)x };

	return dupto_vm_raw16(b);
}

static inline u32 dupto_vm_net32(u32 x)
{
	const u8 b[4] = { (u8)(x >> 24), (u8)(x >> 16), (u8)(x >> 8), (u8)x };

	return dupto_vm_raw32(b);
}

#endif /* _DUPTO_VM_ENV_H */
