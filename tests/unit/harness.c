/*
 * harness.c - pass/fail counting for the unit tests.
 */
#include "harness.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned passed, failed;

void
harness_check(bool ok, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		passed++;
		return;
	}
	failed++;
	fprintf(stderr, "FAIL %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

bool
harness_streq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

const char *
harness_srcdir(void)
{
	const char *s = getenv("SRCDIR");

	return s != NULL && *s != '\0' ? s : ".";
}

int
harness_done(const char *suite)
{
	printf("%s: %u passed, %u failed\n", suite, passed, failed);
	return failed == 0 ? 0 : 1;
}
