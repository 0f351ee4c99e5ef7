/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One call prints both outputs: text with the given format, or a JSON member
 * named by the key when -j is in effect (iproute2's print_* convention).
 * Text formats receive exactly one value; JSON ignores them.
 */
#ifndef DUPTO_OUTPUT_H
#define DUPTO_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>

void out_init(bool json, bool pretty);
void out_flush(void);

/* Objects and arrays; key is NULL inside arrays and at the top level. */
void out_open_object(const char *key);
void out_close_object(void);
void out_open_array(const char *key);
void out_close_array(void);

void out_str(const char *key, const char *fmt, const char *value);
/* Text formats take the value as uint64_t: use PRIu64. */
void out_uint(const char *key, const char *fmt, uint64_t value);
void out_bool(const char *key, const char *fmt, bool value);

/* Text only: literal text, or a newline ending a record. */
void out_text(const char *text);
void out_nl(void);

#endif /* DUPTO_OUTPUT_H */
