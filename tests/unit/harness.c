/*
 * harness.c - pass/fail counting for the unit tests, and what the tests
 * of the shipped rules share: loading them, checking evidence.
 */
#include "harness.h"

#include <glib.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect.h"
#include "diag.h"
#include "rules.h"

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

struct ruleset *
harness_shipped_rules(void)
{
	char *files[1];
	struct ruleset *rs;
	struct diag d;

	files[0] = g_build_filename(harness_srcdir(), "rules", "default.yaml",
	    NULL);
	diag_init(&d);
	rs = ruleset_load_cached(files, 1,
	    g_getenv("ESCALATION_MILTER_RULES_CACHE"), &d);
	CHECK(rs != NULL, "%s loads: %s", files[0], d.n ? d.lines[0] : "");
	diag_clear(&d);
	g_free(files[0]);
	return rs;
}

void
harness_check_evidence(const struct signal *sig, const char *text,
    size_t len, const char *what)
{
	for (guint k = 0; k < sig->evidence->len; k++) {
		const struct evidence *e = g_ptr_array_index(sig->evidence, k);
		size_t n = strlen(e->text);

		CHECK(e->offset + n <= len &&
		    memcmp(text + e->offset, e->text, n) == 0,
		    "'%s': evidence '%s' at %zu is in the scanned text", what,
		    e->text, e->offset);
	}
}

char *
harness_evidence(const struct signal *sig)
{
	GString *out = g_string_new(NULL);

	for (guint k = 0; k < sig->evidence->len; k++) {
		const struct evidence *e = g_ptr_array_index(sig->evidence, k);

		g_string_append_printf(out, "%s%s \"%s\"", k ? "; " : "",
		    e->rule->id, e->text);
	}
	return g_string_free(out, FALSE);
}
