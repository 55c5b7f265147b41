/*
 * rules_compile.c - the Hyperscan side of rule sets: checking and
 * compiling expressions, the immutable compiled ruleset, per-thread
 * scratch space and the scan with its word-boundary check.
 *
 * Exports rules_check_expr(), rules_compile_each() and rules_build() to
 * rules.c (rules_int.h), and ruleset_free(), ruleset_describe(),
 * rules_scratch_new(), rules_scratch_free() and ruleset_scan() (rules.h).
 *
 * All patterns share the flags CASELESS, UTF8, UCP and SOM_LEFTMOST; the
 * Hyperscan id of a pattern is the index of its rule, so several patterns
 * of one rule ending at the same offset give one report.  Hyperscan has
 * no \b in UCP mode: word boundaries are checked in the match callback
 * instead (the character before the match and the one after it must not
 * be a letter, digit, mark or '_').  As Hyperscan reports only the
 * leftmost start for each end offset, a pattern with an optional leading
 * part ("(a )?lawyer") can lose a match whose leftmost start falls inside
 * a word: write leading parts as mandatory.
 *
 * A ruleset owns a prototype scratch; rules_scratch_new() clones it for
 * each thread or connection.  Out of memory in Hyperscan aborts, as
 * GLib's allocator does.
 */
#include "rules_int.h"

#include <assert.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

struct rules_scratch {
	const struct ruleset *rs; /* the set it was made for */
	hs_scratch_t *hs;
};

/* State of one ruleset_scan() call, for the match callback. */
struct rules_scan {
	const struct ruleset *rs;
	const char *text;
	size_t len;
	rules_hit_fn fn;
	void *arg;
};

/* ---- checking and compiling ---- */

/* Reports Hyperscan's message, with a hint where the cause is unclear. */
static void
rules_hs_error(struct diag *d, const char *file, size_t line, size_t col,
    const char *what, const char *src, const char *msg)
{
	const char *hint = "";

	if (strstr(msg, "too large") != NULL)
		hint = " (start-of-match tracking makes Unicode classes "
		       "such as \\w or \\S in repeats costly; try [a-z]+ "
		       "or fewer repeats)";
	diag_add(d, file, line, col, "%s: cannot compile '%s': %s%s", what,
	    src, msg, hint);
}

bool
rules_check_expr(struct diag *d, const char *file, size_t line,
    size_t col, const char *what, const char *src, const char *expr)
{
	hs_expr_info_t *info = NULL;
	hs_compile_error_t *err = NULL;
	bool ok = false;

	if (hs_expression_info(expr, RULES_HS_FLAGS, &info, &err) !=
	    HS_SUCCESS) {
		rules_hs_error(d, file, line, col, what, src, err->message);
		goto cleanup;
	}
	if (info->min_width == 0) {
		diag_add(d, file, line, col,
		    "%s: '%s' can match the empty string", what, src);
		goto cleanup;
	}
	ok = true;
cleanup:
	if (err != NULL)
		hs_free_compile_error(err);
	free(info);	/* Hyperscan's default allocator is malloc */
	return ok;
}

/*
 * Compiling each pattern alone costs about half as much again as the
 * whole set, so it is only done when the set failed (to find every
 * culprit, e.g. patterns too large to track their start) or when other
 * errors already stop the load (to report every problem at once).
 */
size_t
rules_compile_each(struct rules_load *L)
{
	size_t failed = 0;

	for (guint i = 0; i < L->pats->len; i++) {
		struct rules_pattern *p =
		    &g_array_index(L->pats, struct rules_pattern, i);
		const struct rule *r =
		    &g_array_index(L->rules, struct rule, p->rule);
		hs_compile_error_t *err = NULL;
		hs_database_t *db = NULL;

		if (hs_compile(p->expr, RULES_HS_FLAGS, HS_MODE_BLOCK, NULL,
		    &db, &err) != HS_SUCCESS) {
			rules_hs_error(L->d, r->file, p->line, p->col,
			    p->what, p->src, err->message);
			hs_free_compile_error(err);
			failed++;
		} else
			hs_free_database(db);
	}
	return failed;
}

/* Compiles all patterns into one database; NULL (with a diag) if not. */
static hs_database_t *
rules_compile(struct rules_load *L)
{
	size_t n = L->pats->len;
	const char **exprs = g_new(const char *, n);
	unsigned *flags = g_new(unsigned, n);
	unsigned *ids = g_new(unsigned, n);
	hs_compile_error_t *err = NULL;
	hs_database_t *db = NULL;

	for (size_t i = 0; i < n; i++) {
		struct rules_pattern *p =
		    &g_array_index(L->pats, struct rules_pattern, i);

		exprs[i] = p->expr;
		flags[i] = RULES_HS_FLAGS;
		ids[i] = p->rule;
	}
	if (hs_compile_multi(exprs, flags, ids, (unsigned)n, HS_MODE_BLOCK,
	    NULL, &db, &err) != HS_SUCCESS) {
		db = NULL;
		if (rules_compile_each(L) == 0)
			diag_add(L->d, L->first_file, 0, 0,
			    "cannot compile the rule set: %s", err->message);
	}
	if (err != NULL)
		hs_free_compile_error(err);
	g_free(exprs);
	g_free(flags);
	g_free(ids);
	return db;
}

struct ruleset *
rules_build(struct rules_load *L)
{
	struct ruleset *rs;
	hs_database_t *db;
	const char *how;

	db = rules_cache_compile(L, L->cache_dir, rules_compile, &how);
	if (db == NULL)
		return NULL;
	rs = g_new0(struct ruleset, 1);
	rs->db = db;
	rs->how = how;
	if (hs_alloc_scratch(rs->db, &rs->proto) != HS_SUCCESS)
		g_error("rules: cannot allocate Hyperscan scratch space");
	rs->ncats = L->cats->len;
	rs->cats = (struct category *)(void *)g_array_free(L->cats, FALSE);
	L->cats = NULL;
	rs->nrules = L->rules->len;
	rs->rules = (struct rule *)(void *)g_array_free(L->rules, FALSE);
	L->rules = NULL;
	rs->npatterns = L->pats->len;
	rs->rule_npat = g_new0(size_t, rs->nrules);
	for (size_t i = 0; i < rs->npatterns; i++)
		rs->rule_npat[g_array_index(L->pats, struct rules_pattern,
		    i).rule]++;
	return rs;
}

void
ruleset_free(struct ruleset *rs)
{
	if (rs == NULL)
		return;
	if (rs->proto != NULL)
		hs_free_scratch(rs->proto);
	if (rs->db != NULL)
		hs_free_database(rs->db);
	for (size_t i = 0; i < rs->ncats; i++) {
		g_free(rs->cats[i].id);
		g_free(rs->cats[i].description);
	}
	for (size_t i = 0; i < rs->nrules; i++) {
		g_free(rs->rules[i].id);
		g_free(rs->rules[i].file);
	}
	g_free(rs->cats);
	g_free(rs->rules);
	g_free(rs->rule_npat);
	g_free(rs);
}

char *
ruleset_describe(const struct ruleset *rs)
{
	GString *out = g_string_new(NULL);
	struct rules_stats st;
	size_t dbsize = 0;

	ruleset_stats(rs, -1, &st);
	if (hs_database_size(rs->db, &dbsize) != HS_SUCCESS)
		dbsize = 0;
	g_string_append_printf(out, "%zu categories, %zu rules, %zu "
	    "exclusions, %zu patterns, %zu bytes compiled (%s)\n",
	    st.categories, st.rules, st.excludes, st.patterns, dbsize,
	    rs->how != NULL ? rs->how : "compiled");
	for (size_t i = 0; i < rs->ncats; i++) {
		ruleset_stats(rs, (int)i, &st);
		g_string_append_printf(out, "  %s: threshold %u, %zu rules "
		    "(%zu decisive), %zu exclusions, %zu patterns\n",
		    rs->cats[i].id, rs->cats[i].threshold, st.rules,
		    st.decisive, st.excludes, st.patterns);
	}
	return g_string_free(out, FALSE);
}

/* ---- scanning ---- */

struct rules_scratch *
rules_scratch_new(const struct ruleset *rs)
{
	struct rules_scratch *s = g_new0(struct rules_scratch, 1);

	s->rs = rs;
	if (hs_clone_scratch(rs->proto, &s->hs) != HS_SUCCESS)
		g_error("rules: cannot clone Hyperscan scratch space");
	return s;
}

void
rules_scratch_free(struct rules_scratch *s)
{
	if (s == NULL)
		return;
	if (s->hs != NULL)
		hs_free_scratch(s->hs);
	g_free(s);
}

/* A letter, digit, combining mark or '_': what \w would match. */
static bool
rules_word_char(gunichar c)
{
	return c == '_' || g_unichar_isalnum(c) || g_unichar_ismark(c);
}

/* True when the character ending at text[off] is a word character. */
static bool
rules_word_before(const char *text, size_t off)
{
	const char *p;
	gunichar c;

	if (off == 0)
		return false;
	p = g_utf8_find_prev_char(text, text + off);
	if (p == NULL)
		return false;
	c = g_utf8_get_char_validated(p, (gssize)(text + off - p));
	if (c == (gunichar)-1 || c == (gunichar)-2)
		return false;
	return rules_word_char(c);
}

/* True when the character starting at text[off] is a word character. */
static bool
rules_word_at(const char *text, size_t len, size_t off)
{
	gunichar c;

	if (off >= len)
		return false;
	c = g_utf8_get_char_validated(text + off, (gssize)(len - off));
	if (c == (gunichar)-1 || c == (gunichar)-2)
		return false;
	return rules_word_char(c);
}

/* Hyperscan's match callback: boundary check, then the caller's. */
static int
rules_on_match(unsigned int id, unsigned long long from,
    unsigned long long to, unsigned int flags, void *ctx)
{
	struct rules_scan *sc = ctx;
	const struct rule *r;

	(void)flags;
	if (id >= sc->rs->nrules || to > sc->len || from >= to)
		return 0;
	r = &sc->rs->rules[id];
	if (r->boundary && (rules_word_before(sc->text, (size_t)from) ||
	    rules_word_at(sc->text, sc->len, (size_t)to)))
		return 0;
	return sc->fn(r, (size_t)from, (size_t)to, sc->arg) != 0;
}

int
ruleset_scan(const struct ruleset *rs, struct rules_scratch *s,
    const char *text, size_t len, rules_hit_fn fn, void *arg)
{
	struct rules_scan sc = { rs, text, len, fn, arg };
	hs_error_t e;

	assert(s != NULL && s->rs == rs);
	if (s == NULL || s->rs != rs || len > UINT_MAX)
		return -1;
	if (len == 0)
		return 0;	/* no pattern matches the empty string */
	if (!g_utf8_validate_len(text, len, NULL))
		return -1;	/* Hyperscan's UTF-8 mode needs valid input */
	e = hs_scan(rs->db, text, (unsigned)len, 0, s->hs, rules_on_match,
	    &sc);
	return e == HS_SUCCESS || e == HS_SCAN_TERMINATED ? 0 : -1;
}
