/* SPDX-License-Identifier: GPL-2.0 */
/* What the benchmark's files share. */
#ifndef DUPTO_BENCH_H
#define DUPTO_BENCH_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/*
 * A hand-written matcher: nonzero if the frame matches. The arguments are
 * bpf_filter()'s: the captured bytes, their length, the wire length.
 */
typedef int (*bench_matcher_fn)(const uint8_t *data, uint32_t caplen,
				uint32_t wirelen);

/* matchers.c: the matcher written for exactly this expression, or NULL. */
bench_matcher_fn bench_matcher(const char *expr);

#endif /* DUPTO_BENCH_H */
