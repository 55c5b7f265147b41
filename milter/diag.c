/*
 * diag.c - collected "file:line:col: message" diagnostics.
 */
#include "diag.h"

#include <glib.h>
#include <stdarg.h>

void
diag_init(struct diag *d)
{
	d->lines = NULL;
	d->n = d->cap = 0;
}

void
diag_clear(struct diag *d)
{
	for (size_t i = 0; i < d->n; i++)
		g_free(d->lines[i]);
	g_free(d->lines);
	diag_init(d);
}

void
diag_add(struct diag *d, const char *file, size_t line, size_t col,
    const char *fmt, ...)
{
	va_list ap;
	char *msg, *full;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	if (line > 0 && col > 0)
		full = g_strdup_printf("%s:%zu:%zu: %s", file, line, col, msg);
	else if (line > 0)
		full = g_strdup_printf("%s:%zu: %s", file, line, msg);
	else
		full = g_strdup_printf("%s: %s", file, msg);
	g_free(msg);
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 8;
		d->lines = g_renew(char *, d->lines, d->cap);
	}
	d->lines[d->n++] = full;
}

size_t
diag_count(const struct diag *d)
{
	return d->n;
}
