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
#include <stddef.h>

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

/* ---- for tests of the shipped rules ---- */
struct ruleset;
struct signal;
/* rules/default.yaml, compiled or from $ESCALATION_MILTER_RULES_CACHE;
 * NULL (a failed check) when it does not load. */
struct ruleset *harness_shipped_rules(void);
/* Checks that every evidence excerpt of sig is text[0..len) at its
 * offset. */
void harness_check_evidence(const struct signal *sig, const char *text,
    size_t len, const char *what);
/* The evidence of sig as 'rule "text"; ...', for messages; g_free. */
char *harness_evidence(const struct signal *sig);

#endif
