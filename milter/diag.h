/*
 * diag.h - collected diagnostics for config and rule files.
 *
 * Every problem is kept as "file:line:col: message" (line and column
 * 1-based) so that -n can print them all, not just the first.
 */
#ifndef DIAG_H
#define DIAG_H

#include <stddef.h>

struct diag {
	char **lines;	/* owned, each g_malloc'd */
	size_t n, cap;
};

void diag_init(struct diag *d);
void diag_clear(struct diag *d);
/* Adds "file:line:col: message"; line/col are 1-based, 0 omits them. */
void diag_add(struct diag *d, const char *file, size_t line, size_t col,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
size_t diag_count(const struct diag *d);

#endif
