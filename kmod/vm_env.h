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
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/types.h>

static inline void *dupto_vm_zalloc(size_t size)
{
	return kvzalloc(size, GFP_KERNEL_ACCOUNT);
}

static inline void dupto_vm_kfree(const void *p)
{
	kvfree(p);
}

#else /* userspace */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
#ifndef __annotate_jump_table
#define __annotate_jump_table
#endif
#ifndef noinline
#define noinline	__attribute__((__noinline__))
#endif
#ifndef __always_inline
#define __always_inline	inline __attribute__((__always_inline__))
#endif

static inline void *dupto_vm_zalloc(size_t size)
{
	return calloc(1, size ? size : 1);
}

static inline void dupto_vm_kfree(const void *p)
{
	free((void *)p);
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
