/*
 * harness.h - a tiny table-driven test harness.
 *
 * CHECK(cond, fmt, ...) records a pass or a failure (with file:line and
 * the message); harness_done() prints "N passed, N failed" and returns
 * the exit status.  Tests are plain functions called from main().
 */
#ifndef HARNESS_H
#define HARNESS_H

#include <stdbool.h>

void harness_check(bool ok, const char *file, int line, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));
int harness_done(const char *suite);
/* Directory of the source tree (from $SRCDIR, else "."). */
const char *harness_srcdir(void);

#define CHECK(cond, ...) harness_check((cond), __FILE__, __LINE__, __VA_ARGS__)
#define CHECK_STR(got, want, what)                                          \
	harness_check(harness_streq((got), (want)), __FILE__, __LINE__,     \
	    "%s: got \"%s\", want \"%s\"", (what),                          \
	    (got) ? (got) : "(null)", (want) ? (want) : "(null)")

bool harness_streq(const char *a, const char *b);

#endif
