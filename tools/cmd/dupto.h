/* SPDX-License-Identifier: GPL-2.0 */
/* The options every command honours. */
#ifndef DUPTO_DUPTO_H
#define DUPTO_DUPTO_H

#include <stdbool.h>

struct dupto_opts {
	bool json;
	bool pretty;
	const char *netns;
};

extern struct dupto_opts dupto_opts;

/* True if arg is a non-empty prefix of word, iproute2 style. */
bool matches(const char *arg, const char *word);

#endif /* DUPTO_DUPTO_H */
