/*
 * test_rules.c - unit tests for rules.c and rules/default.yaml.
 *
 * Tables of {text, rule ids expected} for word boundaries, Unicode and
 * normalisation on a small rule set, then for every category of the
 * starter rules (positives, negatives, exclusions); tables of broken
 * rule files with the exact diagnostics expected; the scan API (early
 * stop, end-offset order, one scratch per thread).
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "norm.h"
#include "rules.h"

struct hit {
	const struct rule *r;
	size_t from, to;
};

static int
test_collect(const struct rule *r, size_t from, size_t to, void *arg)
{
	GArray *hits = arg;
	struct hit h = { r, from, to };

	g_array_append_val(hits, h);
	return 0;
}

/* Normalises text and returns all hits (struct hit); g_array_unref. */
static GArray *
test_scan(const struct ruleset *rs, struct rules_scratch *s,
    const char *text, int *rc)
{
	GArray *hits = g_array_new(FALSE, FALSE, sizeof(struct hit));
	size_t len;
	char *norm = norm_text(text, strlen(text), &len);

	*rc = ruleset_scan(rs, s, norm, len, test_collect, hits);
	g_free(norm);
	return hits;
}

static int
test_cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The ids of signal rules that hit text, sorted, unique, separated by
 * spaces, leaving out hits inside an exclusion of their category (as
 * detect.c does).  g_free.
 */
static char *
test_ids(const struct ruleset *rs, struct rules_scratch *s,
    const char *text)
{
	int rc;
	GArray *hits = test_scan(rs, s, text, &rc);
	GPtrArray *ids = g_ptr_array_new();
	GString *out = g_string_new(NULL);

	CHECK(rc == 0, "scan of \"%s\" returned %d", text, rc);
	for (guint i = 0; i < hits->len; i++) {
		struct hit *h = &g_array_index(hits, struct hit, i);
		bool excluded = false;

		if (h->r->exclude)
			continue;
		for (guint j = 0; j < hits->len && !excluded; j++) {
			struct hit *e = &g_array_index(hits, struct hit, j);

			excluded = e->r->exclude && e->r->cat == h->r->cat &&
			    e->from <= h->from && h->to <= e->to;
		}
		if (!excluded)
			g_ptr_array_add(ids, h->r->id);
	}
	g_ptr_array_sort(ids, test_cmp_str);
	for (guint i = 0; i < ids->len; i++) {
		if (i > 0 && strcmp(ids->pdata[i], ids->pdata[i - 1]) == 0)
			continue;
		g_string_append_printf(out, "%s%s", out->len ? " " : "",
		    (char *)ids->pdata[i]);
	}
	g_ptr_array_free(ids, TRUE);
	g_array_unref(hits);
	return g_string_free(out, FALSE);
}

struct want {
	const char *text;
	const char *ids;	/* sorted, space-separated; "" for none */
};

static void
test_table(const struct ruleset *rs, const struct want *t, size_t n)
{
	struct rules_scratch *s = rules_scratch_new(rs);

	for (size_t i = 0; i < n; i++) {
		char *got = test_ids(rs, s, t[i].text);

		CHECK(strcmp(got, t[i].ids) == 0,
		    "\"%s\": got \"%s\", want \"%s\"", t[i].text, got,
		    t[i].ids);
		g_free(got);
	}
	rules_scratch_free(s);
}

/* ---- a small rule set: boundaries, Unicode, phrases ---- */

static const char small_yaml[] =
    "categories:\n"
    "  - id: t\n"
    "    description: test\n"
    "    threshold: 2\n"
    "    rules:\n"
    "      - id: t.ass\n"
    "        phrases: ass\n"
    "      - id: t.cunt\n"
    "        phrases: cunt\n"
    "      - id: t.fuck\n"
    "        regex: 'fuck\\w*'\n"
    "      - id: t.phrase\n"
    "        phrases: [review, \"a-to-z claim\", \"f*ck\", \"don't call\",\n"
    "          \"so much space\", \"(c) 1+1=2?\"]\n"
    "      - id: t.hell\n"
    "        phrases: hell\n"
    "        boundary: false\n"
    "      - id: t.cafe\n"
    "        phrases: \"Caf\xc3\xa9\"\n"
    "      - id: t.strasse\n"
    "        phrases: \"STRA\xc3\x9f" "E\"\n"
    "      - id: t.file\n"
    "        phrases: \"\xef\xac\x81le\"\n"
    "      - id: t.case\n"
    "        state: opened\n"
    "        decisive: yes\n"
    "        regex: ['pp-d-[0-9]{4,}', 'pp-[0-9]{3}-[0-9]{3}']\n"
    "    exclude:\n"
    "      - id: t.not\n"
    "        phrases: kiss my ass goodbye\n"
    "        boundary: true\n"
    "  - id: u\n"
    "    rules:\n"
    "      - id: u.ass\n"
    "        regex: 'ass(es)?'\n";

static const struct want small_cases[] = {
	/* word boundaries */
	{ "you ass!", "t.ass u.ass" },
	{ "ASS", "t.ass u.ass" },
	{ "class", "" },
	{ "assess the damage", "" },
	{ "bass guitar, passes, assassin", "" },
	{ "Scunthorpe", "" },
	{ "cunt", "t.cunt" },
	{ "cocktail", "" },
	{ "fucking hell", "t.fuck t.hell" },
	{ "motherfucking", "" },
	{ "shell and hello", "t.hell" },	/* boundary: false */
	{ "_review review_ review2 2review", "" },
	{ "(review) review. \"review\"", "t.phrase" },
	{ "review\xe2\x80\x94" "done", "t.phrase" },	/* em dash */
	{ "\xc2\xabreview\xc2\xbb", "t.phrase" },	/* guillemets */
	/* Unicode letters and marks count as word characters */
	{ "review\xc3\xa9", "" },		/* reviewé */
	{ "\xc3\xa9review", "" },
	{ "\xd0\xb4\xcc\xb2review", "" },	/* Cyrillic de, low line */
	/* a mark left over after a plain letter is dropped (norm) */
	{ "review\xcc\xb2", "t.phrase" },	/* combining low line */
	{ "\xe6\x97\xa5\xe6\x9c\xacreview", "" }, /* 日本review */
	{ "\xd1\x80\xd0\xb5\xd0\xb2 review", "t.phrase" },
	{ "na\xc3\xafve review", "t.phrase" },
	/* normalisation of text and phrases */
	{ "REVIEW", "t.phrase" },
	{ "\xef\xbc\xb2\xef\xbc\xa5\xef\xbc\xb6\xef\xbc\xa9\xef\xbc\xa5"
	  "\xef\xbc\xb7", "t.phrase" },		/* fullwidth */
	{ "re\xe2\x80\x8bview", "t.phrase" },	/* zero-width space */
	{ "an A\xe2\x80\x91to\xe2\x80\x91Z claim", "t.phrase" },
	{ "f*ck", "t.phrase" },
	{ "f*cking", "" },
	{ "fuck", "t.fuck" },		/* the phrase's '*' is literal */
	{ "don\xe2\x80\x99t call", "t.phrase" },
	{ "so   much\t\r\nspace", "t.phrase" },
	{ "(C) 1+1=2?", "t.phrase" },
	{ "c 1+1=2", "" },
	{ "CAF\xc3\x89", "t.cafe" },
	{ "cafe", "" },
	{ "caf\xc3\xa9s", "" },
	{ "Stra\xc3\x9f" "e", "t.strasse" },
	{ "strasse", "t.strasse" },
	{ "file", "t.file" },
	{ "PP-D-12345", "t.case" },
	{ "pp-d-123", "" },
	{ "xpp-d-12345", "" },
	{ "PP-123-456", "t.case" },
	/* exclusions */
	{ "kiss my ass goodbye", "u.ass" },	/* other category */
	{ "you ass, kiss my ass goodbye", "t.ass u.ass" },
	{ "", "" },
};

/* "fuck\w*" on "fucking" ends at fuck, fucki, fuckin, fucking: one hit. */
static void
test_small_spans(const struct ruleset *rs)
{
	struct rules_scratch *s = rules_scratch_new(rs);
	int rc;
	GArray *hits = test_scan(rs, s, "Fucking, fuckers!", &rc);
	size_t last = 0;

	CHECK(rc == 0, "scan rc %d", rc);
	CHECK(hits->len == 2, "fuck\\w*: %u hits, want 2", hits->len);
	if (hits->len == 2) {
		struct hit *a = &g_array_index(hits, struct hit, 0);
		struct hit *b = &g_array_index(hits, struct hit, 1);

		CHECK_STR(a->r->id, "t.fuck", "first hit");
		CHECK(a->from == 0 && a->to == 7, "first span [%zu,%zu)",
		    a->from, a->to);
		CHECK(b->from == 9 && b->to == 16, "second span [%zu,%zu)",
		    b->from, b->to);
	}
	g_array_unref(hits);

	/* Several hits: reported in order of end offset. */
	hits = test_scan(rs, s, "ass review fuck ass hell review", &rc);
	CHECK(hits->len == 8, "order: %u hits, want 8", hits->len);
	for (guint i = 0; i < hits->len; i++) {
		struct hit *h = &g_array_index(hits, struct hit, i);

		CHECK(h->to >= last, "hit %u ends at %zu before %zu", i,
		    h->to, last);
		last = h->to;
	}
	g_array_unref(hits);
	rules_scratch_free(s);
}

static int
test_stop(const struct rule *r, size_t from, size_t to, void *arg)
{
	unsigned *n = arg;

	(void)r;
	(void)from;
	(void)to;
	(*n)++;
	return 1;
}

static void
test_small_api(const struct ruleset *rs)
{
	struct rules_scratch *s = rules_scratch_new(rs), *s2;
	const char *text = "ass ass ass";
	const struct rule *r;
	struct rules_stats st;
	unsigned n = 0;
	int i;

	CHECK(ruleset_ncats(rs) == 2, "ncats %zu", ruleset_ncats(rs));
	CHECK(ruleset_nrules(rs) == 11, "nrules %zu", ruleset_nrules(rs));
	CHECK(ruleset_npatterns(rs) == 17, "npatterns %zu",
	    ruleset_npatterns(rs));
	CHECK(ruleset_cat_index(rs, "u") == 1, "cat index u");
	CHECK(ruleset_cat_index(rs, "nope") == -1, "cat index nope");
	CHECK_STR(ruleset_cat(rs, 0)->description, "test", "description");
	CHECK_STR(ruleset_cat(rs, 1)->description, "", "no description");
	CHECK(ruleset_cat(rs, 0)->threshold == 2, "threshold");
	CHECK(ruleset_cat(rs, 1)->threshold == 1, "default threshold");

	i = ruleset_rule_index(rs, "t.case");
	CHECK(i >= 0, "rule index t.case");
	if (i >= 0) {
		r = ruleset_rule(rs, (size_t)i);
		CHECK(r->state == CB_STATE_OPENED, "t.case state");
		CHECK(r->decisive, "t.case decisive");
		CHECK(r->boundary && !r->exclude && r->cat == 0,
		    "t.case flags");
		CHECK_STR(r->file, "small.yaml", "t.case file");
		CHECK(r->line == 24 && r->col == 9, "t.case at %zu:%zu",
		    r->line, r->col);
	}
	i = ruleset_rule_index(rs, "t.not");
	CHECK(i >= 0 && ruleset_rule(rs, (size_t)i)->exclude, "t.not");
	i = ruleset_rule_index(rs, "t.hell");
	CHECK(i >= 0 && !ruleset_rule(rs, (size_t)i)->boundary, "t.hell");
	i = ruleset_rule_index(rs, "t.ass");
	CHECK(i >= 0 && ruleset_rule(rs, (size_t)i)->state ==
	    CB_STATE_NONE && !ruleset_rule(rs, (size_t)i)->decisive,
	    "t.ass defaults");
	CHECK(ruleset_rule_index(rs, "nope") == -1, "rule index nope");

	ruleset_stats(rs, -1, &st);
	CHECK(st.categories == 2 && st.rules == 10 && st.excludes == 1 &&
	    st.decisive == 1 && st.patterns == 17, "stats %zu %zu %zu %zu "
	    "%zu", st.categories, st.rules, st.excludes, st.decisive,
	    st.patterns);
	ruleset_stats(rs, 1, &st);
	CHECK(st.categories == 1 && st.rules == 1 && st.excludes == 0 &&
	    st.patterns == 1, "stats of u");

	/* A nonzero return stops the scan. */
	CHECK(ruleset_scan(rs, s, text, strlen(text), test_stop, &n) == 0,
	    "stopped scan is a success");
	CHECK(n == 1, "callback called %u times after stop", n);
	/* Empty text, invalid UTF-8, a scratch of another rule set. */
	n = 0;
	CHECK(ruleset_scan(rs, s, "", 0, test_stop, &n) == 0 && n == 0,
	    "empty text");
	CHECK(ruleset_scan(rs, s, "ass \xff", 5, test_stop, &n) == -1,
	    "invalid UTF-8 is refused");
	s2 = rules_scratch_new(rs);
	CHECK(ruleset_scan(rs, s2, text, strlen(text), test_stop, &n) == 0,
	    "second scratch");
	rules_scratch_free(s2);
	rules_scratch_free(NULL);
	ruleset_free(NULL);
	rules_scratch_free(s);
}

/* ---- one scratch per thread ---- */

struct thread_arg {
	const struct ruleset *rs;
	unsigned hits;
};

static int
test_count(const struct rule *r, size_t from, size_t to, void *arg)
{
	unsigned *n = arg;

	(void)r;
	(void)from;
	(void)to;
	(*n)++;
	return 0;
}

static gpointer
test_thread(gpointer p)
{
	struct thread_arg *ta = p;
	struct rules_scratch *s = rules_scratch_new(ta->rs);
	const char *text = "you ass, fucking review, a-to-z claim";

	for (int i = 0; i < 500; i++)
		if (ruleset_scan(ta->rs, s, text, strlen(text), test_count,
		    &ta->hits) != 0)
			break;
	rules_scratch_free(s);
	return NULL;
}

static void
test_threads(const struct ruleset *rs)
{
	struct thread_arg ta[4];
	GThread *th[4];

	for (int i = 0; i < 4; i++) {
		ta[i].rs = rs;
		ta[i].hits = 0;
		th[i] = g_thread_new("scan", test_thread, &ta[i]);
	}
	for (int i = 0; i < 4; i++) {
		g_thread_join(th[i]);
		CHECK(ta[i].hits == 500 * 5, "thread %d: %u hits", i,
		    ta[i].hits);
	}
}

static void
test_small(void)
{
	struct diag d;
	struct ruleset *rs;

	diag_init(&d);
	rs = ruleset_load_mem("small.yaml", small_yaml, strlen(small_yaml),
	    &d);
	CHECK(rs != NULL, "small rule set loads");
	for (size_t i = 0; i < d.n; i++)
		CHECK(0, "unexpected: %s", d.lines[i]);
	if (rs != NULL) {
		test_table(rs, small_cases, G_N_ELEMENTS(small_cases));
		test_small_spans(rs);
		test_small_api(rs);
		test_threads(rs);
	}
	ruleset_free(rs);
	diag_clear(&d);
}

/* "extend:" puts rules and exclusions into an earlier category. */
static void
test_extend(void)
{
	static const char yaml[] =
	    "categories:\n"
	    "  - id: legal\n"
	    "    threshold: 1\n"
	    "    rules:\n"
	    "      - {id: legal.lawyer, phrases: [lawyer]}\n"
	    "  - id: abuse\n"
	    "    threshold: 2\n"
	    "    rules:\n"
	    "      - {id: abuse.crap, phrases: [crap]}\n"
	    "  - extend: legal\n"
	    "    rules:\n"
	    "      - {id: legal.fr.avocat, phrases: [avocat]}\n"
	    "    exclude:\n"
	    "      - {id: legal.fr.sans, phrases: [sans avocat]}\n";
	struct diag d;
	struct ruleset *rs;
	struct rules_scratch *s;
	char *ids;

	diag_init(&d);
	rs = ruleset_load_mem("extend.yaml", yaml, strlen(yaml), &d);
	CHECK(rs != NULL && d.n == 0, "extend: loads");
	if (rs == NULL) {
		diag_clear(&d);
		return;
	}
	CHECK(ruleset_ncats(rs) == 2, "extend: no new category");
	s = rules_scratch_new(rs);
	ids = test_ids(rs, s, "Mon avocat et mon lawyer");
	CHECK_STR(ids, "legal.fr.avocat legal.lawyer", "extend: both rules");
	g_free(ids);
	ids = test_ids(rs, s, "je suis sans avocat");
	CHECK_STR(ids, "", "extend: the exclusion applies");
	g_free(ids);
	rules_scratch_free(s);
	ruleset_free(rs);
	diag_clear(&d);
}

/* The compiled set of "-n" in describe: compiled, cached or loaded. */
static char *
test_cache_load(const char *file, const char *dir)
{
	char *files[1] = { (char *)file };
	struct diag d;
	struct ruleset *rs;
	char *desc = NULL;

	diag_init(&d);
	rs = ruleset_load_cached(files, 1, dir, &d);
	CHECK(rs != NULL && d.n == 0, "cache: loads");
	if (rs != NULL) {
		struct rules_scratch *s = rules_scratch_new(rs);
		char *ids = test_ids(rs, s, "My lawyer says so");

		CHECK_STR(ids, "legal.lawyer", "cache: the set matches");
		g_free(ids);
		rules_scratch_free(s);
		desc = ruleset_describe(rs);
	}
	ruleset_free(rs);
	diag_clear(&d);
	return desc;
}

/* A compiled set kept on disk is reused, and only from a safe place. */
static void
test_cache(void)
{
	char *dir = g_dir_make_tmp("test_rules_cache_XXXXXX", NULL);
	char *file = g_build_filename(dir, "r.yaml", NULL);
	char *cache = g_build_filename(dir, "cache", NULL);
	char *desc, *db = NULL;
	const char *name;
	GDir *gd;

	CHECK(dir != NULL, "temporary directory");
	if (dir == NULL)
		return;
	g_file_set_contents(file, "categories:\n  - id: legal\n    rules:\n"
	    "      - {id: legal.lawyer, phrases: [lawyer]}\n", -1, NULL);
	desc = test_cache_load(file, NULL);
	CHECK(desc != NULL && strstr(desc, "(compiled)") != NULL,
	    "cache: none configured");
	g_free(desc);
	desc = test_cache_load(file, cache);
	CHECK(desc != NULL && strstr(desc, "missing or unsafe") != NULL,
	    "cache: a missing directory is said, not fatal");
	g_free(desc);
	g_mkdir(cache, 0700);
	desc = test_cache_load(file, cache);
	CHECK(desc != NULL && strstr(desc, "(compiled and cached)") != NULL,
	    "cache: first load compiles and writes");
	g_free(desc);
	desc = test_cache_load(file, cache);
	CHECK(desc != NULL && strstr(desc, "(loaded from the cache)") != NULL,
	    "cache: second load reads it");
	g_free(desc);
	gd = g_dir_open(cache, 0, NULL);
	while (gd != NULL && (name = g_dir_read_name(gd)) != NULL)
		if (g_str_has_suffix(name, ".hsdb"))
			db = g_build_filename(cache, name, NULL);
	if (gd != NULL)
		g_dir_close(gd);
	CHECK(db != NULL, "cache: one .hsdb file");
	if (db != NULL) {
		g_file_set_contents(db, "not a database", -1, NULL);
		g_chmod(db, 0600);
		desc = test_cache_load(file, cache);
		CHECK(desc != NULL &&
		    strstr(desc, "(compiled and cached)") != NULL,
		    "cache: a damaged file is compiled again and replaced");
		g_free(desc);
		g_chmod(db, 0666);
		desc = test_cache_load(file, cache);
		CHECK(desc != NULL &&
		    strstr(desc, "(compiled and cached)") != NULL,
		    "cache: a file others may write is not used");
		g_free(desc);
		g_chmod(cache, 0777);
		desc = test_cache_load(file, cache);
		CHECK(desc != NULL && strstr(desc, "missing or unsafe") != NULL,
		    "cache: a directory others may write is not used");
		g_free(desc);
		g_chmod(cache, 0700);
		g_file_set_contents(file, "categories:\n  - id: legal\n"
		    "    rules:\n      - {id: legal.lawyer, phrases: "
		    "[lawyer, attorney]}\n", -1, NULL);
		desc = test_cache_load(file, cache);
		CHECK(desc != NULL &&
		    strstr(desc, "(compiled and cached)") != NULL,
		    "cache: changed rules get their own entry");
		g_free(desc);
	}
	g_free(db);
	gd = g_dir_open(cache, 0, NULL);
	while (gd != NULL && (name = g_dir_read_name(gd)) != NULL) {
		char *p = g_build_filename(cache, name, NULL);

		g_unlink(p);
		g_free(p);
	}
	if (gd != NULL)
		g_dir_close(gd);
	g_rmdir(cache);
	g_unlink(file);
	g_rmdir(dir);
	g_free(cache);
	g_free(file);
	g_free(dir);
}

/* ---- broken rule files ---- */

#define HEAD "categories:\n  - id: c\n    rules:\n"

struct bad {
	const char *yaml;
	const char *want[6];	/* every diagnostic, in order */
};

static const struct bad bad_cases[] = {
	{ "categories: []\nfoo: 1\n",
	  { "bad.yaml:2:1: rule file: unknown key 'foo'",
	    "bad.yaml:1:13: categories: the list is empty" } },
	{ "rules: []\n",
	  { "bad.yaml:1:1: rule file: unknown key 'rules'",
	    "bad.yaml:1:1: rule file: missing key 'categories'" } },
	{ "- a\n",
	  { "bad.yaml:1:1: rule file: expected a mapping, found a list" } },
	{ "categories: {id: c}\n",
	  { "bad.yaml:1:13: categories: expected a list, found a mapping" } },
	{ "categories: [x]\n",
	  { "bad.yaml:1:14: category: expected a mapping, found a scalar" } },
	{ "categories:\n  - id: c\n    treshold: 2\n    rules:\n"
	  "      - {id: r, phrases: x}\n",
	  { "bad.yaml:3:5: category 'c': unknown key 'treshold'" } },
	{ "categories:\n  - id: c\n    threshold: two\n    rules:\n"
	  "      - {id: r, phrases: x}\n",
	  { "bad.yaml:3:16: category 'c' threshold: expected a whole "
	    "number, found 'two'" } },
	{ "categories:\n  - id: c\n    threshold: 0\n    rules:\n"
	  "      - {id: r, phrases: x}\n",
	  { "bad.yaml:3:16: category 'c' threshold: 0 is out of range "
	    "(1 to 1000)" } },
	{ "categories:\n  - id: c\n    threshold: 1001\n    rules:\n"
	  "      - {id: r, phrases: x}\n",
	  { "bad.yaml:3:16: category 'c' threshold: 1001 is out of range "
	    "(1 to 1000)" } },
	{ "categories:\n  - id: c\n    description: [a]\n    rules:\n"
	  "      - {id: r, phrases: x}\n",
	  { "bad.yaml:3:18: category 'c' description: expected a value, "
	    "found a list" } },
	{ "categories:\n  - id: Legal\n    rules:\n"
	  "      - {id: r, phrases: x}\n",
	  { "bad.yaml:2:9: category id: 'Legal' is not valid (a-z first, "
	    "then a-z 0-9 -, at most 64 characters)" } },
	{ "categories:\n  - description: x\n    rules:\n"
	  "      - {id: r, phrases: x}\n",
	  { "bad.yaml:2:5: category: missing key 'id'" } },
	{ "categories:\n  - id: c\n",
	  { "bad.yaml:2:5: category 'c': missing key 'rules'" } },
	{ "categories:\n  - id: c\n    rules: []\n",
	  { "bad.yaml:3:12: category 'c' rules: the list is empty" } },
	{ "categories:\n  - id: c\n    rules: x\n",
	  { "bad.yaml:3:12: category 'c' rules: expected a list, found a "
	    "scalar" } },
	{ HEAD "      - {id: r}\n",
	  { "bad.yaml:4:9: rule 'r': needs 'phrases' or 'regex'" } },
	{ HEAD "      - {phrases: x}\n",
	  { "bad.yaml:4:9: rule: missing key 'id'" } },
	{ HEAD "      - {id: 'a b', phrases: x}\n",
	  { "bad.yaml:4:14: rule id: 'a b' is not valid (a-z or 0-9 "
	    "first, then a-z 0-9 . _ -, at most 64 characters)" } },
	{ HEAD "      - {id: r, phrase: x}\n",
	  { "bad.yaml:4:17: rule 'r': unknown key 'phrase'",
	    "bad.yaml:4:9: rule 'r': needs 'phrases' or 'regex'" } },
	{ HEAD "      - {id: r, phrases: []}\n",
	  { "bad.yaml:4:26: rule 'r' phrases: the list is empty" } },
	{ HEAD "      - {id: r, phrases: [a, {b: c}]}\n",
	  { "bad.yaml:4:30: rule 'r' phrases: expected a value, found a "
	    "mapping" } },
	{ HEAD "      - {id: r, phrases: \"\\u200b \"}\n",
	  { "bad.yaml:4:26: rule 'r' phrases: '\xe2\x80\x8b ' is empty "
	    "after normalisation" } },
	{ HEAD "      - {id: r, regex: '(x'}\n",
	  { "bad.yaml:4:24: rule 'r' regex: cannot compile '(x': Missing "
	    "close parenthesis for group started at index 0." } },
	{ HEAD "      - {id: r, regex: '\\bx'}\n",
	  { "bad.yaml:4:24: rule 'r' regex: cannot compile '\\bx': \\b "
	    "unsupported in UCP mode at index 0." } },
	{ HEAD "      - {id: r, regex: [ok, 'a*', 'x|']}\n",
	  { "bad.yaml:4:29: rule 'r' regex: 'a*' can match the empty "
	    "string",
	    "bad.yaml:4:35: rule 'r' regex: 'x|' can match the empty "
	    "string" } },
	{ HEAD "      - {id: r, phrases: x, state: open}\n",
	  { "bad.yaml:4:36: rule 'r' state: 'open' is not one of: "
	    "threatened, opened" } },
	{ HEAD "      - {id: r, phrases: x, decisive: maybe}\n",
	  { "bad.yaml:4:39: rule 'r' decisive: expected true or false, "
	    "found 'maybe'" } },
	{ HEAD "      - {id: r, phrases: x, boundary: ~}\n",
	  { "bad.yaml:4:39: rule 'r' boundary: expected a value, found "
	    "null" } },
	{ HEAD "      - {id: r, phrases: x}\n    exclude:\n"
	  "      - {id: e, phrases: y, state: opened}\n",
	  { "bad.yaml:6:29: exclusion 'e': unknown key 'state'" } },
	{ HEAD "      - {id: r, phrases: x}\n    exclude: {id: e}\n",
	  { "bad.yaml:5:14: category 'c' exclude: expected a list, found "
	    "a mapping" } },
	{ HEAD "      - {id: r, phrases: x}\n      - {id: r, phrases: y}\n",
	  { "bad.yaml:5:14: rule id: duplicate id 'r' (first used at "
	    "bad.yaml:4:14)" } },
	{ HEAD "      - {id: r, phrases: x}\n    exclude:\n"
	  "      - {id: r, phrases: y}\n",
	  { "bad.yaml:6:14: exclusion id: duplicate id 'r' (first used at "
	    "bad.yaml:4:14)" } },
	{ HEAD "      - {id: r, phrases: x}\n  - id: c\n    rules:\n"
	  "      - {id: s, phrases: y}\n",
	  { "bad.yaml:5:9: category id: duplicate id 'c' (first used at "
	    "bad.yaml:2:9)" } },
	{ "categories:\n  - id: c\n    rules:\n      - {id: r, phrases: x\n",
	  { "bad.yaml:5:1: YAML syntax error: did not find expected ',' "
	    "or '}' while parsing a flow mapping" } },
	{ "",
	  { "bad.yaml:1:1: empty document" } },
	{ "categories:\n  - id: c\n    count: sometimes\n    rules:\n"
	  "      - {id: r, phrases: x}\n",
	  { "bad.yaml:3:12: category 'c' count: 'sometimes' is not one of: "
	    "distinct, each" } },
	/* "extend:" adds to a category defined before it, nothing else. */
	{ HEAD "      - {id: r, phrases: x}\n  - extend: nope\n    rules:\n"
	  "      - {id: s, phrases: y}\n",
	  { "bad.yaml:5:13: extend: no category 'nope' defined before this "
	    "point" } },
	{ HEAD "      - {id: r, phrases: x}\n  - extend: c\n    threshold: 2\n"
	  "    rules:\n      - {id: s, phrases: y}\n",
	  { "bad.yaml:6:5: extension: unknown key 'threshold'" } },
	{ HEAD "      - {id: r, phrases: x}\n  - extend: c\n",
	  { "bad.yaml:5:5: extension of 'c': needs 'rules' or 'exclude'" } },
	{ HEAD "      - {id: r, phrases: x}\n  - extend: c\n    rules:\n"
	  "      - {id: r, phrases: y}\n",
	  { "bad.yaml:7:14: rule id: duplicate id 'r' (first used at "
	    "bad.yaml:4:14)" } },
	/* Valid alone for the parser, refused by the compiler: found when
	 * the whole set fails, reported at the pattern. */
	{ HEAD "      - {id: r, regex: ['ok', '(\\w+ ){0,4}scam']}\n",
	  { "bad.yaml:4:31: rule 'r' regex: cannot compile '(\\w+ ){0,4}scam"
	    "': Pattern is too large. (start-of-match tracking makes Unicode "
	    "classes such as \\w or \\S in repeats costly; try [a-z]+ or "
	    "fewer repeats)" } },
	/* ... also when other errors stop the set from being compiled. */
	{ HEAD "      - {id: r, regex: '(\\w+ ){0,4}scam', x: 1}\n",
	  { "bad.yaml:4:43: rule 'r': unknown key 'x'",
	    "bad.yaml:4:24: rule 'r' regex: cannot compile '(\\w+ ){0,4}scam"
	    "': Pattern is too large. (start-of-match tracking makes Unicode "
	    "classes such as \\w or \\S in repeats costly; try [a-z]+ or "
	    "fewer repeats)" } },
	/* Several problems: every one is reported. */
	{ "categories:\n"
	  "  - id: c\n"
	  "    threshold: -1\n"
	  "    rules:\n"
	  "      - {id: r, regex: '[z-a]', colour: red}\n"
	  "      - {id: r, phrases: ok, decisive: 2}\n",
	  { "bad.yaml:3:16: category 'c' threshold: expected a whole "
	    "number, found '-1'",
	    "bad.yaml:5:33: rule 'r': unknown key 'colour'",
	    "bad.yaml:5:24: rule 'r' regex: cannot compile '[z-a]': "
	    "Range out of order in character class at index 3.",
	    "bad.yaml:6:14: rule id: duplicate id 'r' (first used at "
	    "bad.yaml:5:14)",
	    "bad.yaml:6:40: rule 'r' decisive: expected true or false, "
	    "found '2'" } },
};

static void
test_bad_one(size_t i, const struct bad *b)
{
	struct diag d;
	struct ruleset *rs;
	size_t want = 0;

	diag_init(&d);
	rs = ruleset_load_mem("bad.yaml", b->yaml, strlen(b->yaml), &d);
	CHECK(rs == NULL, "bad case %zu loaded", i);
	while (want < G_N_ELEMENTS(b->want) && b->want[want] != NULL)
		want++;
	CHECK(d.n == want,
	    "bad case %zu: %zu diagnostics, want %zu", i, d.n, want);
	for (size_t j = 0; j < want && j < d.n; j++)
		CHECK_STR(d.lines[j], b->want[j], "diagnostic");
	ruleset_free(rs);
	diag_clear(&d);
}

/* Files: a missing one, and a category id repeated across two files. */
static void
test_bad_files(void)
{
	char *dir = g_dir_make_tmp("test_rules_XXXXXX", NULL);
	char *a = g_build_filename(dir, "a.yaml", NULL);
	char *b = g_build_filename(dir, "b.yaml", NULL);
	char *want = NULL;
	char *files[2];
	struct diag d;
	struct ruleset *rs;

	diag_init(&d);
	files[0] = (char *)"/nonexistent/rules.yaml";
	rs = ruleset_load(files, 1, &d);
	CHECK(rs == NULL && d.n == 1, "missing file");
	if (d.n >= 1)
		CHECK_STR(d.lines[0], "/nonexistent/rules.yaml: cannot open: "
		    "No such file or directory", "missing file");
	diag_clear(&d);

	rs = ruleset_load(files, 0, &d);
	CHECK(rs == NULL && d.n == 1, "no files");
	diag_clear(&d);

	CHECK(dir != NULL, "temporary directory");
	if (dir == NULL)
		goto cleanup;
	g_file_set_contents(a, HEAD "      - {id: r, phrases: x}\n", -1,
	    NULL);
	g_file_set_contents(b, HEAD "      - {id: r, phrases: y}\n", -1,
	    NULL);
	files[0] = a;
	files[1] = b;
	rs = ruleset_load(files, 2, &d);
	CHECK(rs == NULL && d.n == 2, "duplicates across files: %zu", d.n);
	want = g_strdup_printf("%s:2:9: category id: duplicate id 'c' "
	    "(first used at %s:2:9)", b, a);
	if (d.n >= 1)
		CHECK_STR(d.lines[0], want, "duplicate category across files");
	g_free(want);
	want = g_strdup_printf("%s:4:14: rule id: duplicate id 'r' "
	    "(first used at %s:4:14)", b, a);
	if (d.n >= 2)
		CHECK_STR(d.lines[1], want, "duplicate rule across files");
	diag_clear(&d);

	/* Two good files make one set. */
	g_file_set_contents(b, "categories:\n  - id: d\n    rules:\n"
	    "      - {id: s, phrases: y}\n", -1, NULL);
	rs = ruleset_load(files, 2, &d);
	CHECK(rs != NULL && d.n == 0, "two files load");
	if (rs != NULL) {
		CHECK(ruleset_ncats(rs) == 2 && ruleset_nrules(rs) == 2,
		    "two files: counts");
		CHECK_STR(ruleset_rule(rs, 1)->file, b, "file of rule s");
	}
	ruleset_free(rs);
	diag_clear(&d);
cleanup:
	g_remove(a);
	g_remove(b);
	if (dir != NULL)
		g_rmdir(dir);
	g_free(want);
	g_free(a);
	g_free(b);
	g_free(dir);
}

static void
test_bad(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(bad_cases); i++)
		test_bad_one(i, &bad_cases[i]);
	test_bad_files();
}

/* ---- the starter rules ---- */

static const struct want default_cases[] = {
	/* abuse: positives */
	{ "What the fuck is this", "abuse.fuck" },
	{ "FUUUCK this, fucking useless",
	    "abuse.fuck abuse.incompetent abuse.stacked" },
	{ "you motherfuckers", "abuse.fuck" },
	{ "f*ck you and your f**king company", "abuse.fuck" },
	{ "this f***ing thing, f***", "abuse.fuck" },
	{ "wtf?? stfu", "abuse.acronym" },
	{ "why tf is it late", "abuse.acronym" },
	{ "this is bullshit", "abuse.shit" },
	{ "your shitty site, sh*t", "abuse.shit" },
	{ "what a load of BS", "abuse.bs" },
	{ "#bs excuse", "abuse.bs" },
	{ "piece of crap, crappy", "abuse.crap" },
	{ "damn it, goddamn", "abuse.damn" },
	{ "what the hell is going on", "abuse.hell" },
	{ "I am pissed off", "abuse.piss" },
	{ "your service sucks, you guys suck #yousuck", "abuse.suck" },
	{ "you absolute assholes", "abuse.ass" },
	{ "half-assed job", "abuse.ass" },
	{ "greedy bastards", "abuse.bastard" },
	{ "screw you", "abuse.screw" },
	{ "you idiots", "abuse.idiot" },
	{ "bunch of morons", "abuse.idiot" },
	{ "your stupid website", "abuse.idiot" },
	{ "what a joke", "abuse.incompetent" },
	{ "totally incompetent and pathetic", "abuse.incompetent" },
	{ "you are scammers and thieves", "abuse.cheat" },
	{ "this is a scam", "abuse.cheat" },
	{ "stop lying to me, you are liars", "abuse.cheat" },
	{ "what a rip-off", "abuse.cheat" },
	{ "you ripped me off", "abuse.cheat" },
	{ "bunch of crooks", "abuse.cheat" },
	/* abuse: negatives and boundaries */
	{ "I was assessing the class of service", "" },
	{ "we ship to Scunthorpe and Penistone", "" },
	{ "a cocktail shaker", "" },
	{ "shiitake and shitake mushrooms", "" },
	{ "the scrap metal was damaged at Amsterdam", "" },
	{ "Hello, the shell is cracked", "" },
	{ "I bought a BS 1363 plug", "" },
	{ "I have a BS in chemistry", "" },
	{ "the vacuum sucks up dust well", "" },
	{ "a knee-jerk reaction", "" },
	{ "it is idiot-proof", "" },
	{ "crooked picture frame", "" },
	{ "beef jerky", "" },
	{ "the package was lying on the porch", "" },
	{ "it was a crapshoot", "" },
	{ "flame retardant fabric", "" },
	{ "this is not a scam, right?", "" },
	{ "is this a scam?", "" },
	{ "I got a scam email pretending to be you", "" },
	{ "porch thieves took my parcel", "" },
	{ "a thief stole my package", "" },
	{ "rip off the tape first", "" },
	{ "damn good coffee", "" },
	{ "holy crap, this is amazing", "" },
	{ "I feel so stupid, sorry for the dumb question", "" },
	{ "you must think we are stupid", "" },
	{ "the Sue from your team was great", "" },
	{ "I'm an idiot, I ordered the wrong size", "" },
	{ "a dumbbell set, shrimp scampi, 5 lbs", "" },
	{ "I am familiar with the cheatsheet", "" },
	{ "the FCUK t-shirt", "" },
	/* legal */
	{ "I will contact my lawyer", "legal.lawyer" },
	{ "you will hear from an attorney", "legal.lawyer" },
	{ "expect a lawyer's letter", "legal.lawyer" },
	{ "I will take legal action", "legal.action" },
	{ "see you in small claims court", "legal.action" },
	{ "I will sue you", "legal.sue" },
	{ "a class action lawsuit", "legal.sue" },
	{ "I am suing", "legal.sue" },
	{ "reported to the attorney general", "legal.regulator" },
	{ "complaint with the FTC and the CFPB", "legal.regulator" },
	{ "call Trading Standards", "legal.regulator" },
	{ "the consumer protection agency", "legal.regulator" },
	{ "I will report you to the authorities", "legal.regulator" },
	{ "I am not a lawyer but this seems wrong", "" },
	{ "she has power of attorney for me", "" },
	{ "the ball is in your court", "" },
	{ "lunch at the food court", "" },
	{ "Sue helped me yesterday", "" },
	{ "I filed an FTC identity theft report", "" },
	{ "I pursued the matter", "" },
	{ "I will take you to court", "legal.action" },
	{ "they keep taking me to court", "" },
	{ "I will file a law suite", "legal.sue" },
	{ "I wrote to the state AG", "legal.regulator" },
	{ "I spoke with a lawyer", "legal.lawyer" },
	/* manager-demand */
	{ "I want to speak to a manager", "manager.ask" },
	{ "let me talk to your supervisor", "manager.ask" },
	{ "I asked for a supervisor", "manager.ask" },
	{ "transfer me to a manager", "manager.ask" },
	{ "someone higher up please", "manager.higher" },
	{ "put me through to someone in charge", "manager.higher" },
	{ "someone with more authority", "manager.higher" },
	{ "I will escalate this", "manager.escalate" },
	{ "I want an escalation", "manager.escalate" },
	{ "I am contacting corporate", "manager.corporate" },
	{ "I will email your CEO", "manager.corporate" },
	{ "the manager at the store was lovely", "" },
	{ "I ordered through corporate sales", "" },
	{ "the escalator was broken", "" },
	{ "I asked to speak with her manager", "manager.ask" },
	{ "thank you for escalating my case", "" },
	{ "my manager will collect the parcel", "" },
	/* chargeback: threatened */
	{ "I will dispute the charge", "chargeback.dispute" },
	{ "I will file a chargeback", "chargeback.dispute chargeback.word" },
	{ "I am contacting my bank", "chargeback.bank" },
	{ "I will call my credit card company", "chargeback.bank" },
	{ "please reverse the charge", "chargeback.bank" },
	{ "I'll open a PayPal dispute", "chargeback.paypal" },
	{ "I will file an A-to-z claim", "chargeback.atoz" },
	/* chargeback: opened */
	{ "I have filed a dispute with my bank", "chargeback.filed" },
	{ "I opened a chargeback", "chargeback.filed chargeback.word" },
	{ "I disputed the charge", "chargeback.disputed" },
	{ "my bank reversed the payment", "chargeback.reversed" },
	{ "they gave me a provisional credit", "chargeback.reversed" },
	{ "case PP-D-1234567", "chargeback.paypal-id" },
	{ "case PP-123-456-789-012", "chargeback.paypal-id" },
	{ "an A-to-z claim has been filed", "chargeback.atoz "
	  "chargeback.atoz-filed" },
	/* chargeback: not a card dispute */
	{ "I disputed the charge with Experian", "" },
	{ "I filed a dispute with the credit bureaus", "" },
	{ "I disputed this charge off with Equifax", "" },
	{ "I dispute the validity of this debt", "" },
	{ "my bank details are attached", "" },
	{ "I paid with PayPal", "" },
	{ "Filed dispute with my bank", "chargeback.filed" },
	{ "I disputed this first round of charges", "chargeback.disputed" },
	{ "the charge was disputed", "chargeback.filed" },
	{ "the debt is disputed", "" },
	{ "I'm disputing the delivery date", "" },
	{ "please refund the charge", "" },
	{ "I'll call my bank to check why the card was declined", "" },
	{ "my bank credited your refund", "" },
	{ "I will open an eBay case", "chargeback.platform" },
	{ "a Klarna dispute", "chargeback.platform" },
	/* review-threat */
	{ "I will leave a 1-star review", "review.bad" },
	{ "I will leave a review everywhere", "review.leave" },
	{ "a negative review on Trustpilot", "review.bad review.site" },
	{ "I will post this on Facebook", "review.social" },
	{ "I'll complain to the BBB", "review.site" },
	{ "I will tell everyone and warn people", "review.public" },
	{ "I will go to the media", "review.media" },
	{ "I will contact the news", "review.media" },
	{ "I will expose you", "review.public" },
	{ "I left a 5 star review", "" },
	{ "I will leave a good review", "" },
	{ "five-star review coming", "" },
	{ "great review!", "" },
	{ "I read the bad reviews before buying", "" },
	{ "I had to tell everyone how great it is", "" },
	{ "your BBB accredited business", "" },
	{ "my reviews\xc3\xa9 of", "" },
	{ "I would give zero stars", "review.bad" },
	{ "one star short of perfect", "" },
	{ "10 stars!", "" },
	{ "I want to expose them", "review.public" },
	/* phone-demand */
	{ "please call me", "phone.call-me" },
	{ "give me a call", "phone.call-me" },
	{ "can someone call me back", "phone.call-me" },
	{ "what is your phone number", "phone.number" },
	{ "a number to call", "phone.number" },
	{ "I want to speak to a real person", "phone.person" },
	{ "a live agent please", "phone.person" },
	{ "I will only deal with this by phone", "phone.only" },
	{ "a call is the only way", "phone.only" },
	{ "I will not communicate by email", "phone.only" },
	{ "I need a phone call", "phone.call-me" },
	{ "do not call me", "" },
	{ "please stop calling me at work", "" },
	{ "call me crazy, but", "" },
	{ "you don't even have a phone number", "" },
	{ "I updated my phone number", "" },
	{ "my new cell phone", "" },
	{ "they said they would call me back", "" },
	{ "they'll call me back, they said", "" },
	{ "they never called me back", "phone.call-me" },
	{ "I told them to not call me at work", "" },
	{ "my call back request was ignored", "phone.call-me" },
	{ "I'd like to update my phone number", "" },
	/* ordinary customer mail */
	{ "Hi, I ordered a blue dress last week (order 1234) and it arrived "
	  "with a small tear. Could you send a replacement or a refund? "
	  "Thanks, Anna", "" },
	{ "My card was charged twice for the same order, can you check?",
	  "" },
	{ "Please call the courier, the app keeps crashing on my phone", "" },
	{ "Can you tell me the status of my order? I need it by Friday.",
	  "" },
	/* several categories at once */
	{ "Fuck you idiots, I'm calling my lawyer and disputing the charge",
	  "abuse.fuck abuse.idiot chargeback.dispute legal.lawyer" },
};

static void
test_default(void)
{
	char *path = g_build_filename(harness_srcdir(), "rules",
	    "default.yaml", NULL);
	char *files[1] = { path };
	static const struct {
		const char *id;
		unsigned threshold;
	} cats[] = { { "abuse", 2 }, { "legal", 1 }, { "manager-demand", 1 },
		{ "chargeback", 1 }, { "review-threat", 2 },
		{ "phone-demand", 3 }, { "solution-rejected", 2 },
		{ "stalled", 2 } };
	struct rules_stats st;
	struct ruleset *rs;
	struct diag d;
	char *desc;
	int cb;

	diag_init(&d);
	rs = ruleset_load_cached(files, 1,
	    g_getenv("ESCALATION_MILTER_RULES_CACHE"), &d);
	CHECK(rs != NULL, "%s loads", path);
	for (size_t i = 0; i < d.n; i++)
		CHECK(0, "unexpected: %s", d.lines[i]);
	if (rs == NULL)
		goto cleanup;

	CHECK(ruleset_ncats(rs) == G_N_ELEMENTS(cats), "default: %zu "
	    "categories", ruleset_ncats(rs));
	for (size_t i = 0; i < G_N_ELEMENTS(cats); i++) {
		int ci = ruleset_cat_index(rs, cats[i].id);

		CHECK(ci >= 0, "category %s", cats[i].id);
		if (ci < 0)
			continue;
		CHECK(ruleset_cat(rs, (size_t)ci)->threshold ==
		    cats[i].threshold, "threshold of %s", cats[i].id);
		CHECK(ruleset_cat(rs, (size_t)ci)->description[0] != '\0',
		    "description of %s", cats[i].id);
		ruleset_stats(rs, ci, &st);
		CHECK(st.rules >= 3, "%s has %zu rules", cats[i].id,
		    st.rules);
	}
	/* Every chargeback rule has a state; opened ones are decisive. */
	cb = ruleset_cat_index(rs, "chargeback");
	for (size_t i = 0; i < ruleset_nrules(rs); i++) {
		const struct rule *r = ruleset_rule(rs, i);

		if (r->cat != cb || r->exclude)
			continue;
		CHECK(r->state != CB_STATE_NONE, "%s has a state", r->id);
		CHECK(r->decisive == (r->state == CB_STATE_OPENED),
		    "%s decisive iff opened", r->id);
	}
	CHECK(ruleset_rule_index(rs, "phone.only") >= 0 &&
	    ruleset_rule(rs, (size_t)ruleset_rule_index(rs,
	    "phone.only"))->decisive, "phone.only is decisive");

	desc = ruleset_describe(rs);
	CHECK(strstr(desc, "8 categories,") == desc, "describe: summary");
	CHECK(strstr(desc, "\n  abuse: threshold 2,") != NULL,
	    "describe abuse");
	if (g_getenv("TEST_RULES_VERBOSE") != NULL)
		fputs(desc, stdout);
	g_free(desc);

	test_table(rs, default_cases, G_N_ELEMENTS(default_cases));
cleanup:
	ruleset_free(rs);
	diag_clear(&d);
	g_free(path);
}

int
main(void)
{
	test_small();
	test_extend();
	test_cache();
	test_bad();
	test_default();
	return harness_done("rules");
}
