/*
 * test_conf.c - config loading: defaults, every kind of error reported
 * as name:line:col, all problems collected, reference counting.
 */
#include <glib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "harness.h"
#include "log.h"
#include "rules.h"

/* A minimal rule file so the config tests don't depend on default.yaml. */
static char *rules_path;

static const char rules_yaml[] =
    "categories:\n"
    "  - id: legal\n"
    "    threshold: 1\n"
    "    rules:\n"
    "      - id: legal.lawyer\n"
    "        phrases: [my lawyer]\n";

static struct conf *
load(const char *yaml, struct diag *d)
{
	char *full = g_strdup_printf("rules: [%s]\n%s", rules_path, yaml);
	struct conf *c = conf_load_mem("test.yaml", full, strlen(full), "/",
	    d);

	g_free(full);
	return c;
}

static void
test_good(void)
{
	struct diag d;
	struct conf *c;

	diag_init(&d);
	c = load("socket: inet:8891@127.0.0.1\non_error: tempfail\n"
		 "limits: {max_headers: 50, max_excerpt: 40}\n"
		 "tagging: {subject_template: '[ESC {categories}] ', "
		 "reason_header: no}\nsocket_mode: '0600'\nlog_level: debug\n",
	    &d);
	CHECK(c != NULL && d.n == 0, "valid config loads (%zu problems: %s)",
	    d.n, d.n ? d.lines[0] : "");
	if (c != NULL) {
		CHECK_STR(c->socket, "inet:8891@127.0.0.1", "socket");
		CHECK(c->on_error == ON_ERROR_TEMPFAIL, "on_error");
		CHECK(c->limits.max_headers == 50, "max_headers");
		CHECK(c->limits.max_excerpt == 40, "max_excerpt");
		CHECK(c->limits.max_mime_depth == 16, "default depth");
		CHECK(!c->tag.reason_header && c->tag.signals_header, "bools");
		CHECK_STR(c->tag.subject_template, "[ESC {categories}] ",
		    "template");
		CHECK(c->socket_mode == 0600, "socket_mode octal");
		CHECK(c->log_level == LOG_LVL_DEBUG, "log_level");
		CHECK(ruleset_ncats(c->rules) == 1, "rules loaded");
		CHECK(conf_ref(c) == c && c->refs == 2, "ref");
		conf_unref(c);
		CHECK(c->refs == 1, "unref");
		CHECK(conf_unref(c) == NULL, "unref returns NULL");
	}
	CHECK(conf_unref(NULL) == NULL, "unref(NULL)");
	diag_clear(&d);
}

static const struct {
	const char *yaml;
	const char *want;	/* expected first diagnostic (prefix) */
	size_t nwant;		/* expected number of diagnostics */
} bad[] = {
	{ "sockett: unix:/x\n", "test.yaml:2:1: configuration: unknown key "
	    "'sockett'", 1 },
	{ "on_error: drop\n", "test.yaml:2:11: on_error: 'drop' is not one "
	    "of: accept, tempfail", 1 },
	{ "limits:\n  max_headers: -3\n", "test.yaml:3:16: max_headers: "
	    "expected a whole number", 1 },
	{ "limits:\n  max_headers: 5\n", "test.yaml:3:16: max_headers: 5 is "
	    "out of range", 1 },
	{ "limits: [1, 2]\n", "test.yaml:2:9: limits: expected a mapping", 1 },
	{ "timeout: {a: 1}\n", "test.yaml:2:10: timeout: expected a value", 1 },
	{ "socket: tcp:25\n", "test.yaml:2:9: socket: 'tcp:25' is not", 1 },
	{ "socket_mode: rw\n", "test.yaml:2:14: socket_mode: 'rw' is not an "
	    "octal", 1 },
	{ "tagging: {signals_header: maybe}\n", "test.yaml:2:27: "
	    "signals_header: expected true or false", 1 },
	{ "log_level: loud\non_error: x\nbogus: 1\n", "test.yaml:4:1: "
	    "configuration: unknown key 'bogus'", 3 },
	{ "log_facility: kern\n", "test.yaml:2:15: log_facility: unknown", 1 },
	{ "on_error: accept\non_error: accept\n", "test.yaml:3:1: "
	    "configuration: duplicate key 'on_error'", 1 },
	{ "x: [unclosed\n", "test.yaml:", 1 },
};

static void
test_bad(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		struct diag d;
		struct conf *c;

		diag_init(&d);
		c = load(bad[i].yaml, &d);
		CHECK(c == NULL, "bad config %zu rejected", i);
		CHECK(d.n == bad[i].nwant, "case %zu: %zu problems, want %zu",
		    i, d.n, bad[i].nwant);
		if (d.n > 0)
			CHECK(g_str_has_prefix(d.lines[0], bad[i].want),
			    "case %zu: got \"%s\", want \"%s...\"", i,
			    d.lines[0], bad[i].want);
		conf_unref(c);
		diag_clear(&d);
	}
}

static void
test_files(void)
{
	struct diag d;
	struct conf *c;
	char *path;

	diag_init(&d);
	c = conf_load("/nonexistent/escalation-milter.yaml", &d);
	CHECK(c == NULL && d.n == 1 && strstr(d.lines[0], "cannot open"),
	    "missing config file reported");
	diag_clear(&d);

	/* a rules file that does not exist, relative to the config dir */
	diag_init(&d);
	c = conf_load_mem("t.yaml", "rules: [nope.yaml]\n", 19, "/nonexistent",
	    &d);
	CHECK(c == NULL && d.n >= 1 &&
	    strstr(d.lines[0], "/nonexistent/nope.yaml") != NULL,
	    "missing rules file reported with resolved path: %s",
	    d.n ? d.lines[0] : "");
	diag_clear(&d);

	/* the shipped config loads with the shipped rules */
	diag_init(&d);
	path = g_build_filename(harness_srcdir(), "conf",
	    "escalation-milter.yaml", NULL);
	{
		gchar *buf;
		gsize len;
		char *base = g_build_filename(harness_srcdir(), "conf", "..",
		    NULL);

		if (g_file_get_contents(path, &buf, &len, NULL)) {
			c = conf_load_mem(path, buf, len, base, &d);
			CHECK(c != NULL, "shipped config loads: %s",
			    d.n ? d.lines[0] : "");
			conf_unref(c);
			g_free(buf);
		} else {
			CHECK(false, "cannot read %s", path);
		}
		g_free(base);
	}
	g_free(path);
	diag_clear(&d);
}

int
main(void)
{
	GError *err = NULL;
	int fd = g_file_open_tmp("rules-XXXXXX.yaml", &rules_path, &err);

	if (fd < 0 || !g_file_set_contents(rules_path, rules_yaml, -1, NULL)) {
		CHECK(false, "temporary rules file");
		return harness_done("conf");
	}
	close(fd);
	test_good();
	test_bad();
	test_files();
	unlink(rules_path);
	g_free(rules_path);
	return harness_done("conf");
}
