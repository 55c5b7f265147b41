/*
 * rules.c - rule sets: loading and checking YAML rule files, compiling
 * every phrase and regex of every rule into one Hyperscan database, and
 * scanning normalised text with it.
 *
 * Exports the ruleset_* and rules_scratch_* functions of rules.h.
 *
 * Loading reports every problem it finds as "file:line:col: message"
 * (unknown keys, wrong types, values out of range, bad or duplicate ids,
 * empty lists, invalid regexes, patterns that match the empty string)
 * and compiles nothing unless all files are clean.  Each expression is
 * first compiled on its own so that Hyperscan's complaint points at the
 * line that caused it.
 *
 * Phrases are normalised with norm_text() (as the scanned text is) and
 * turned into a regex: ASCII punctuation escaped, a space matching any
 * run of white space.  All patterns share the flags CASELESS, UTF8, UCP
 * and SOM_LEFTMOST; the Hyperscan id of a pattern is the index of its
 * rule, so several patterns of one rule ending at the same offset give
 * one report.  Hyperscan has no \b in UCP mode: word boundaries are
 * checked in the match callback instead (the character before the match
 * and the one after it must not be a letter, digit, mark or '_').  As
 * Hyperscan reports the leftmost start for each end offset, a pattern
 * with an optional leading part ("(a )?lawyer") can lose a match whose
 * leftmost start falls inside a word: write leading parts as mandatory.
 *
 * The ruleset is immutable once built and owns a prototype scratch;
 * rules_scratch_new() clones it for each thread or connection.
 */
#include "rules.h"

#include <assert.h>
#include <glib.h>
#include <hs.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "norm.h"
#include "ydoc.h"

#define RULES_HS_FLAGS                                                     \
	(HS_FLAG_CASELESS | HS_FLAG_UTF8 | HS_FLAG_UCP | HS_FLAG_SOM_LEFTMOST)
#define RULES_ID_MAX 64		/* bytes of a category or rule id */
#define RULES_EXPR_MAX 4096	/* bytes of one expression */

/* One expression handed to Hyperscan. */
struct rules_pattern {
	char *expr;	  /* owned */
	unsigned rule;	  /* index into rules; the Hyperscan id */
	size_t line, col; /* where it was written (file: the rule's) */
};

struct ruleset {
	struct category *cats;
	size_t ncats;
	struct rule *rules;
	size_t nrules;
	size_t *rule_npat;	/* patterns per rule */
	size_t npatterns;
	hs_database_t *db;
	hs_scratch_t *proto;	/* cloned by rules_scratch_new() */
};

struct rules_scratch {
	const struct ruleset *rs; /* the set it was made for */
	hs_scratch_t *hs;
};

/* Loader state shared by all files of one rule set. */
struct rules_load {
	struct diag *d;
	size_t errors_before;
	const char *first_file;	/* for messages without a position */
	GArray *cats;		/* struct category */
	GArray *rules;		/* struct rule */
	GArray *pats;		/* struct rules_pattern */
	GHashTable *cat_ids;	/* id -> "file:line:col", both owned */
	GHashTable *rule_ids;	/* same for rule and exclusion ids */
};

/* State of one ruleset_scan() call, for the match callback. */
struct rules_scan {
	const struct ruleset *rs;
	const char *text;
	size_t len;
	rules_hit_fn fn;
	void *arg;
};

static const char *const rules_top_keys[] = { "categories", NULL };
static const char *const rules_cat_keys[] = { "id", "description",
	"threshold", "rules", "exclude", NULL };
static const char *const rules_rule_keys[] = { "id", "phrases", "regex",
	"state", "decisive", "boundary", NULL };
static const char *const rules_excl_keys[] = { "id", "phrases", "regex",
	"boundary", NULL };
static const char *const rules_states[] = { "threatened", "opened", NULL };

/* ---- loading ---- */

static void
rules_load_init(struct rules_load *L, struct diag *d)
{
	memset(L, 0, sizeof(*L));
	L->d = d;
	L->errors_before = diag_count(d);
	L->cats = g_array_new(FALSE, TRUE, sizeof(struct category));
	L->rules = g_array_new(FALSE, TRUE, sizeof(struct rule));
	L->pats = g_array_new(FALSE, TRUE, sizeof(struct rules_pattern));
	L->cat_ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    g_free);
	L->rule_ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    g_free);
}

/* Frees what the loader still owns (arrays not handed to a ruleset). */
static void
rules_load_clear(struct rules_load *L)
{
	if (L->cats != NULL) {
		for (guint i = 0; i < L->cats->len; i++) {
			struct category *c =
			    &g_array_index(L->cats, struct category, i);

			g_free(c->id);
			g_free(c->description);
		}
		g_array_free(L->cats, TRUE);
	}
	if (L->rules != NULL) {
		for (guint i = 0; i < L->rules->len; i++) {
			struct rule *r = &g_array_index(L->rules, struct rule,
			    i);

			g_free(r->id);
			g_free(r->file);
		}
		g_array_free(L->rules, TRUE);
	}
	if (L->pats != NULL) {
		for (guint i = 0; i < L->pats->len; i++)
			g_free(g_array_index(L->pats, struct rules_pattern,
			    i).expr);
		g_array_free(L->pats, TRUE);
	}
	if (L->cat_ids != NULL)
		g_hash_table_destroy(L->cat_ids);
	if (L->rule_ids != NULL)
		g_hash_table_destroy(L->rule_ids);
	memset(L, 0, sizeof(*L));
}

/* Category ids: ^[a-z][a-z0-9-]*$; rule ids may also use '.' and '_'. */
static bool
rules_id_ok(const char *s, bool cat)
{
	size_t n = strlen(s);

	if (n == 0 || n > RULES_ID_MAX)
		return false;
	if (cat ? !g_ascii_islower(s[0]) :
	    !(g_ascii_islower(s[0]) || g_ascii_isdigit(s[0])))
		return false;
	for (size_t i = 1; i < n; i++) {
		char c = s[i];

		if (g_ascii_islower(c) || g_ascii_isdigit(c) || c == '-')
			continue;
		if (!cat && (c == '.' || c == '_'))
			continue;
		return false;
	}
	return true;
}

/* "kind 'id'" when the mapping has a usable id, else "kind"; g_free. */
static char *
rules_what(struct ydoc *y, yaml_node_t *map, const char *kind, bool cat)
{
	yaml_node_t *v = ydoc_get(y, map, "id");
	const char *s;

	if (v == NULL || v->type != YAML_SCALAR_NODE)
		return g_strdup(kind);
	s = (const char *)v->data.scalar.value;
	if (!rules_id_ok(s, cat))
		return g_strdup(kind);
	return g_strdup_printf("%s '%s'", kind, s);
}

/* Reads and checks the id of a category or rule; NULL on error. */
static char *
rules_load_id(struct rules_load *L, struct ydoc *y, yaml_node_t *map,
    const char *kind, bool cat)
{
	GHashTable *seen = cat ? L->cat_ids : L->rule_ids;
	yaml_node_t *v = ydoc_get(y, map, "id");
	char *what = g_strdup_printf("%s id", kind);
	const char *s, *first;
	char *id = NULL;

	if (v == NULL) {
		ydoc_error(y, map, "%s: missing key 'id'", kind);
		goto cleanup;
	}
	if (!ydoc_scalar(y, v, what, &s))
		goto cleanup;
	if (!rules_id_ok(s, cat)) {
		ydoc_error(y, v, "%s: '%s' is not valid (%s, at most %d "
		    "characters)", what, s,
		    cat ? "a-z first, then a-z 0-9 -" :
			  "a-z or 0-9 first, then a-z 0-9 . _ -",
		    RULES_ID_MAX);
		goto cleanup;
	}
	first = g_hash_table_lookup(seen, s);
	if (first != NULL) {
		ydoc_error(y, v, "%s: duplicate id '%s' (first used at %s)",
		    what, s, first);
		goto cleanup;
	}
	g_hash_table_insert(seen, g_strdup(s),
	    g_strdup_printf("%s:%zu:%zu", y->file,
		(size_t)v->start_mark.line + 1,
		(size_t)v->start_mark.column + 1));
	id = g_strdup(s);
cleanup:
	g_free(what);
	return id;
}

/*
 * The regex for a literal phrase: normalised like the scanned text,
 * ASCII punctuation escaped, a space matching a run of white space.
 * Bytes of multi-byte characters are copied as they are.  g_free.
 */
static char *
rules_phrase_expr(const char *phrase)
{
	size_t nlen;
	char *norm = norm_text(phrase, strlen(phrase), &nlen);
	GString *re = g_string_sized_new(nlen * 2 + 1);

	for (size_t i = 0; i < nlen; i++) {
		unsigned char c = (unsigned char)norm[i];

		if (c == ' ')
			g_string_append(re, "\\s+");
		else if (c >= 0x80 || g_ascii_isalnum(c))
			g_string_append_c(re, (char)c);
		else if (g_ascii_ispunct(c)) {
			g_string_append_c(re, '\\');
			g_string_append_c(re, (char)c);
		} else
			g_string_append_printf(re, "\\x%02x", c);
	}
	g_free(norm);
	return g_string_free(re, FALSE);
}

/* Hyperscan's message, with a hint where the cause is not obvious. */
static void
rules_hs_error(struct ydoc *y, yaml_node_t *n, const char *what,
    const char *value, const char *msg)
{
	const char *hint = "";

	if (strstr(msg, "too large") != NULL)
		hint = " (start-of-match tracking makes Unicode classes "
		       "such as \\w or \\S in repeats costly; try [a-z]+ "
		       "or fewer repeats)";
	ydoc_error(y, n, "%s: cannot compile '%s': %s%s", what, value, msg,
	    hint);
}

/* Compiles expr alone to see that it is valid and matches something. */
static bool
rules_check_expr(struct ydoc *y, yaml_node_t *n, const char *what,
    const char *value, const char *expr)
{
	hs_expr_info_t *info = NULL;
	hs_compile_error_t *err = NULL;
	hs_database_t *db = NULL;
	bool ok = false;

	if (hs_expression_info(expr, RULES_HS_FLAGS, &info, &err) !=
	    HS_SUCCESS) {
		rules_hs_error(y, n, what, value, err->message);
		goto cleanup;
	}
	if (info->min_width == 0) {
		ydoc_error(y, n, "%s: '%s' can match the empty string", what,
		    value);
		goto cleanup;
	}
	if (hs_compile(expr, RULES_HS_FLAGS, HS_MODE_BLOCK, NULL, &db,
	    &err) != HS_SUCCESS) {
		rules_hs_error(y, n, what, value, err->message);
		goto cleanup;
	}
	ok = true;
cleanup:
	if (db != NULL)
		hs_free_database(db);
	if (err != NULL)
		hs_free_compile_error(err);
	free(info);	/* Hyperscan's default allocator is malloc */
	return ok;
}

/* Checks one phrase or regex (scalar node n) and adds it to rule ri. */
static void
rules_add_pattern(struct rules_load *L, struct ydoc *y, yaml_node_t *n,
    const char *what, unsigned ri, bool phrase)
{
	struct rules_pattern p = { 0 };
	const char *value;

	if (!ydoc_scalar(y, n, what, &value))
		return;
	p.expr = phrase ? rules_phrase_expr(value) : g_strdup(value);
	if (p.expr[0] == '\0') {
		ydoc_error(y, n, "%s: '%s' is empty after normalisation",
		    what, value);
		goto cleanup;
	}
	if (strlen(p.expr) > RULES_EXPR_MAX) {
		ydoc_error(y, n, "%s: longer than %d bytes", what,
		    RULES_EXPR_MAX);
		goto cleanup;
	}
	if (!rules_check_expr(y, n, what, value, p.expr))
		goto cleanup;
	p.rule = ri;
	p.line = (size_t)n->start_mark.line + 1;
	p.col = (size_t)n->start_mark.column + 1;
	g_array_append_val(L->pats, p);
	p.expr = NULL;
cleanup:
	g_free(p.expr);
}

/*
 * Adds the patterns under key ("phrases" or "regex": a string or a
 * non-empty list of strings) to rule ri; false when the key is absent.
 */
static bool
rules_load_patterns(struct rules_load *L, struct ydoc *y,
    yaml_node_t *map, const char *rwhat, const char *key, unsigned ri)
{
	yaml_node_t *n = ydoc_get(y, map, key);
	char *what = g_strdup_printf("%s %s", rwhat, key);
	bool phrase = strcmp(key, "phrases") == 0;
	yaml_node_item_t *items;
	size_t count;

	if (n == NULL) {
		g_free(what);
		return false;
	}
	if (n->type == YAML_SCALAR_NODE)
		rules_add_pattern(L, y, n, what, ri, phrase);
	else if (ydoc_seq(y, n, what, &items, &count)) {
		if (count == 0)
			ydoc_error(y, n, "%s: the list is empty", what);
		for (size_t i = 0; i < count; i++)
			rules_add_pattern(L, y, ydoc_item(y, items[i]), what,
			    ri, phrase);
	}
	g_free(what);
	return true;
}

/* One rule or exclusion (mapping n) of category ci. */
static void
rules_load_rule(struct rules_load *L, struct ydoc *y, yaml_node_t *n,
    size_t ci, bool exclude)
{
	const char *const *keys = exclude ? rules_excl_keys : rules_rule_keys;
	const char *kind = exclude ? "exclusion" : "rule";
	struct rule r = { 0 };
	yaml_node_t *v;
	char *what, *vwhat;
	unsigned ri;
	bool has;
	int state;

	if (n == NULL || n->type != YAML_MAPPING_NODE) {
		if (n != NULL)
			ydoc_check_map(y, n, kind, keys);
		return;
	}
	what = rules_what(y, n, kind, false);
	ydoc_check_map(y, n, what, keys);
	r.id = rules_load_id(L, y, n, kind, false);
	r.cat = (int)ci;
	r.exclude = exclude;
	r.boundary = true;
	r.file = g_strdup(y->file);
	r.line = (size_t)n->start_mark.line + 1;
	r.col = (size_t)n->start_mark.column + 1;
	if (!exclude && (v = ydoc_get(y, n, "state")) != NULL) {
		vwhat = g_strdup_printf("%s state", what);
		if (ydoc_enum(y, v, vwhat, rules_states, &state))
			r.state = state == 0 ? CB_STATE_THREATENED :
					       CB_STATE_OPENED;
		g_free(vwhat);
	}
	if (!exclude && (v = ydoc_get(y, n, "decisive")) != NULL) {
		vwhat = g_strdup_printf("%s decisive", what);
		ydoc_bool(y, v, vwhat, &r.decisive);
		g_free(vwhat);
	}
	if ((v = ydoc_get(y, n, "boundary")) != NULL) {
		vwhat = g_strdup_printf("%s boundary", what);
		ydoc_bool(y, v, vwhat, &r.boundary);
		g_free(vwhat);
	}
	ri = L->rules->len;
	g_array_append_val(L->rules, r);
	has = rules_load_patterns(L, y, n, what, "phrases", ri);
	if (rules_load_patterns(L, y, n, what, "regex", ri))
		has = true;
	if (!has)
		ydoc_error(y, n, "%s: needs 'phrases' or 'regex'", what);
	g_free(what);
}

/* The rules or exclude list (node n) of category ci. */
static void
rules_load_list(struct rules_load *L, struct ydoc *y, yaml_node_t *n,
    const char *what, size_t ci, bool exclude)
{
	yaml_node_item_t *items;
	size_t count;

	if (!ydoc_seq(y, n, what, &items, &count))
		return;
	if (count == 0 && !exclude)
		ydoc_error(y, n, "%s: the list is empty", what);
	for (size_t i = 0; i < count; i++)
		rules_load_rule(L, y, ydoc_item(y, items[i]), ci, exclude);
}

/* One category (mapping n). */
static void
rules_load_cat(struct rules_load *L, struct ydoc *y, yaml_node_t *n)
{
	struct category c = { 0 };
	unsigned long threshold = 1;
	yaml_node_t *v;
	char *what, *vwhat;
	size_t ci;

	if (n == NULL || n->type != YAML_MAPPING_NODE) {
		if (n != NULL)
			ydoc_check_map(y, n, "category", rules_cat_keys);
		return;
	}
	what = rules_what(y, n, "category", true);
	ydoc_check_map(y, n, what, rules_cat_keys);
	c.id = rules_load_id(L, y, n, "category", true);
	if ((v = ydoc_get(y, n, "description")) != NULL) {
		vwhat = g_strdup_printf("%s description", what);
		ydoc_str(y, v, vwhat, &c.description);
		g_free(vwhat);
	}
	if (c.description == NULL)
		c.description = g_strdup("");
	if ((v = ydoc_get(y, n, "threshold")) != NULL) {
		vwhat = g_strdup_printf("%s threshold", what);
		ydoc_ulong(y, v, vwhat, 1, 1000, &threshold);
		g_free(vwhat);
	}
	c.threshold = (unsigned)threshold;
	ci = L->cats->len;
	g_array_append_val(L->cats, c);

	if ((v = ydoc_get(y, n, "rules")) == NULL)
		ydoc_error(y, n, "%s: missing key 'rules'", what);
	else {
		vwhat = g_strdup_printf("%s rules", what);
		rules_load_list(L, y, v, vwhat, ci, false);
		g_free(vwhat);
	}
	if ((v = ydoc_get(y, n, "exclude")) != NULL) {
		vwhat = g_strdup_printf("%s exclude", what);
		rules_load_list(L, y, v, vwhat, ci, true);
		g_free(vwhat);
	}
	g_free(what);
}

/* One loaded document: the top-level mapping and its categories. */
static void
rules_load_doc(struct rules_load *L, struct ydoc *y)
{
	yaml_node_t *root = ydoc_root(y), *v;
	yaml_node_item_t *items;
	size_t count;

	if (root == NULL)
		return;		/* ydoc reported why */
	if (!ydoc_check_map(y, root, "rule file", rules_top_keys) &&
	    root->type != YAML_MAPPING_NODE)
		return;
	if ((v = ydoc_get(y, root, "categories")) == NULL) {
		ydoc_error(y, root, "rule file: missing key 'categories'");
		return;
	}
	if (!ydoc_seq(y, v, "categories", &items, &count))
		return;
	if (count == 0)
		ydoc_error(y, v, "categories: the list is empty");
	for (size_t i = 0; i < count; i++)
		rules_load_cat(L, y, ydoc_item(y, items[i]));
}

/* ---- compiling ---- */

/* Compiles all patterns into rs->db and allocates the prototype. */
static bool
rules_compile(struct rules_load *L, struct ruleset *rs)
{
	size_t n = L->pats->len;
	const char **exprs = g_new(const char *, n);
	unsigned *flags = g_new(unsigned, n);
	unsigned *ids = g_new(unsigned, n);
	hs_compile_error_t *err = NULL;
	bool ok = false;

	for (size_t i = 0; i < n; i++) {
		struct rules_pattern *p =
		    &g_array_index(L->pats, struct rules_pattern, i);

		exprs[i] = p->expr;
		flags[i] = RULES_HS_FLAGS;
		ids[i] = p->rule;
	}
	if (hs_compile_multi(exprs, flags, ids, (unsigned)n, HS_MODE_BLOCK,
	    NULL, &rs->db, &err) != HS_SUCCESS) {
		if (err->expression >= 0 && (size_t)err->expression < n) {
			struct rules_pattern *p = &g_array_index(L->pats,
			    struct rules_pattern, (size_t)err->expression);
			const struct rule *r = &rs->rules[p->rule];

			diag_add(L->d, r->file, p->line, p->col,
			    "rule '%s': cannot compile: %s", r->id,
			    err->message);
		} else
			diag_add(L->d, L->first_file, 0, 0,
			    "cannot compile the rule set: %s", err->message);
		rs->db = NULL;
		goto cleanup;
	}
	if (hs_alloc_scratch(rs->db, &rs->proto) != HS_SUCCESS) {
		diag_add(L->d, L->first_file, 0, 0,
		    "cannot allocate Hyperscan scratch space");
		goto cleanup;
	}
	ok = true;
cleanup:
	if (err != NULL)
		hs_free_compile_error(err);
	g_free(exprs);
	g_free(flags);
	g_free(ids);
	return ok;
}

/* Builds the rule set from a clean loader; NULL (with a diag) if not. */
static struct ruleset *
rules_load_finish(struct rules_load *L)
{
	struct ruleset *rs;

	if (diag_count(L->d) > L->errors_before)
		return NULL;
	if (L->cats->len == 0 || L->pats->len == 0) {
		diag_add(L->d, L->first_file, 0, 0, "no rules");
		return NULL;
	}
	if (L->rules->len > UINT_MAX || L->pats->len > UINT_MAX) {
		diag_add(L->d, L->first_file, 0, 0, "too many rules");
		return NULL;
	}
	rs = g_new0(struct ruleset, 1);
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
	if (!rules_compile(L, rs)) {
		ruleset_free(rs);
		rs = NULL;
	}
	return rs;
}

struct ruleset *
ruleset_load(char *const *files, size_t n, struct diag *d)
{
	struct rules_load L;
	struct ruleset *rs;

	rules_load_init(&L, d);
	L.first_file = n > 0 ? files[0] : "rules";
	if (n == 0)
		diag_add(d, L.first_file, 0, 0, "no rule files given");
	for (size_t i = 0; i < n; i++) {
		struct ydoc y;

		if (ydoc_load(&y, files[i], d))
			rules_load_doc(&L, &y);
		ydoc_free(&y);
	}
	rs = rules_load_finish(&L);
	rules_load_clear(&L);
	return rs;
}

struct ruleset *
ruleset_load_mem(const char *name, const char *buf, size_t len,
    struct diag *d)
{
	struct rules_load L;
	struct ruleset *rs;
	struct ydoc y;

	rules_load_init(&L, d);
	L.first_file = name;
	if (ydoc_load_mem(&y, name, buf, len, d))
		rules_load_doc(&L, &y);
	ydoc_free(&y);
	rs = rules_load_finish(&L);
	rules_load_clear(&L);
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

/* ---- accessors ---- */

size_t
ruleset_ncats(const struct ruleset *rs)
{
	return rs->ncats;
}

const struct category *
ruleset_cat(const struct ruleset *rs, size_t i)
{
	assert(i < rs->ncats);
	return &rs->cats[i];
}

int
ruleset_cat_index(const struct ruleset *rs, const char *id)
{
	for (size_t i = 0; i < rs->ncats; i++)
		if (strcmp(rs->cats[i].id, id) == 0)
			return (int)i;
	return -1;
}

size_t
ruleset_nrules(const struct ruleset *rs)
{
	return rs->nrules;
}

const struct rule *
ruleset_rule(const struct ruleset *rs, size_t i)
{
	assert(i < rs->nrules);
	return &rs->rules[i];
}

int
ruleset_rule_index(const struct ruleset *rs, const char *id)
{
	for (size_t i = 0; i < rs->nrules; i++)
		if (strcmp(rs->rules[i].id, id) == 0)
			return (int)i;
	return -1;
}

size_t
ruleset_npatterns(const struct ruleset *rs)
{
	return rs->npatterns;
}

void
ruleset_stats(const struct ruleset *rs, int cat, struct rules_stats *st)
{
	memset(st, 0, sizeof(*st));
	for (size_t i = 0; i < rs->nrules; i++) {
		const struct rule *r = &rs->rules[i];

		if (cat >= 0 && r->cat != cat)
			continue;
		if (r->exclude)
			st->excludes++;
		else
			st->rules++;
		if (r->decisive)
			st->decisive++;
		st->patterns += rs->rule_npat[i];
	}
	st->categories = cat >= 0 ? 1 : rs->ncats;
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
	    "exclusions, %zu patterns, %zu bytes compiled\n", st.categories,
	    st.rules, st.excludes, st.patterns, dbsize);
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
	e = hs_scan(rs->db, text, (unsigned)len, 0, s->hs, rules_on_match,
	    &sc);
	return e == HS_SUCCESS || e == HS_SCAN_TERMINATED ? 0 : -1;
}
