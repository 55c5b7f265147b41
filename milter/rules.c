/*
 * rules.c - rule sets, the loading half: reading and checking YAML rule
 * files, turning phrases into expressions, and the accessors.
 *
 * Exports ruleset_load(), ruleset_load_mem() and the ruleset_* accessors
 * and ruleset_stats() of rules.h; rules_compile.c does the Hyperscan part
 * (rules_int.h).
 *
 * Loading reports every problem it finds as "file:line:col: message":
 * unknown keys, wrong types, values out of range, bad or duplicate ids
 * (across all files), empty lists, invalid regexes and patterns that can
 * match the empty string (each checked alone by Hyperscan's parser at
 * its own position), and patterns the compiler refuses.  Nothing is
 * compiled into a set unless everything is clean.
 *
 * Phrases are normalised with norm_text(), as the scanned text is, and
 * turned into a regex: ASCII punctuation escaped, a space matching any
 * run of white space, other bytes (UTF-8) as they are.
 */
#include "rules_int.h"

#include <assert.h>
#include <limits.h>
#include <string.h>

#include "norm.h"
#include "ydoc.h"

#define RULES_ID_MAX 64		/* bytes of a category or rule id */
#define RULES_EXPR_MAX 4096	/* bytes of one expression */

static const char *const rules_top_keys[] = { "categories", NULL };
static const char *const rules_cat_keys[] = { "id", "description",
	"threshold", "count", "rules", "exclude", NULL };
static const char *const rules_counts[] = { "distinct", "each", NULL };
static const char *const rules_ext_keys[] = { "extend", "rules", "exclude",
	NULL };
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
		for (guint i = 0; i < L->pats->len; i++) {
			struct rules_pattern *p = &g_array_index(L->pats,
			    struct rules_pattern, i);

			g_free(p->expr);
			g_free(p->src);
			g_free(p->what);
		}
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
	if (!rules_check_expr(y->diag, y->file,
	    (size_t)n->start_mark.line + 1, (size_t)n->start_mark.column + 1,
	    what, value, p.expr))
		goto cleanup;
	p.src = g_strdup(value);
	p.what = g_strdup(what);
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

/*
 * The value of key in mapping n, or NULL; *vwhat becomes "what key" for
 * messages (the previous string is freed; g_free the last one).
 */
static yaml_node_t *
rules_get(struct ydoc *y, yaml_node_t *n, const char *what, const char *key,
    char **vwhat)
{
	g_free(*vwhat);
	*vwhat = g_strdup_printf("%s %s", what, key);
	return ydoc_get(y, n, key);
}

/* One rule or exclusion (mapping n) of category ci. */
static void
rules_load_rule(struct rules_load *L, struct ydoc *y, yaml_node_t *n,
    size_t ci, bool exclude)
{
	const char *const *keys = exclude ? rules_excl_keys : rules_rule_keys;
	const char *kind = exclude ? "exclusion" : "rule";
	struct rule r = { 0 };
	char *what, *vwhat = NULL;
	yaml_node_t *v;
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
	/* an exclusion's "state" and "decisive" were reported above */
	v = rules_get(y, n, what, "state", &vwhat);
	if (!exclude && v != NULL &&
	    ydoc_enum(y, v, vwhat, rules_states, &state))
		r.state = state == 0 ? CB_STATE_THREATENED : CB_STATE_OPENED;
	v = rules_get(y, n, what, "decisive", &vwhat);
	if (!exclude && v != NULL)
		ydoc_bool(y, v, vwhat, &r.decisive);
	v = rules_get(y, n, what, "boundary", &vwhat);
	if (v != NULL)
		ydoc_bool(y, v, vwhat, &r.boundary);
	g_free(vwhat);
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

/*
 * "- extend: ID" (mapping n): more rules and exclusions for a category
 * defined in an earlier file or earlier in this one.  Threshold and
 * description stay where the category was defined.
 */
static void
rules_load_extend(struct rules_load *L, struct ydoc *y, yaml_node_t *n)
{
	yaml_node_t *v = ydoc_get(y, n, "extend"), *list;
	const char *id;
	char *what, *vwhat = NULL;
	size_t ci;

	ydoc_check_map(y, n, "extension", rules_ext_keys);
	if (!ydoc_scalar(y, v, "extend", &id))
		return;
	for (ci = 0; ci < L->cats->len; ci++) {
		const char *cid = g_array_index(L->cats, struct category,
		    ci).id;

		if (cid != NULL && strcmp(cid, id) == 0)
			break;
	}
	if (ci == L->cats->len) {
		ydoc_error(y, v, "extend: no category '%s' defined before "
		    "this point", id);
		return;
	}
	what = g_strdup_printf("extension of '%s'", id);
	list = rules_get(y, n, what, "rules", &vwhat);
	if (list != NULL)
		rules_load_list(L, y, list, vwhat, ci, false);
	list = rules_get(y, n, what, "exclude", &vwhat);
	if (list != NULL)
		rules_load_list(L, y, list, vwhat, ci, true);
	if (ydoc_get(y, n, "rules") == NULL && ydoc_get(y, n, "exclude") == NULL)
		ydoc_error(y, n, "%s: needs 'rules' or 'exclude'", what);
	g_free(vwhat);
	g_free(what);
}

/* One category (mapping n). */
static void
rules_load_cat(struct rules_load *L, struct ydoc *y, yaml_node_t *n)
{
	struct category c = { 0 };
	unsigned long threshold = 1;
	char *what, *vwhat = NULL;
	yaml_node_t *v;
	size_t ci;
	int mode;

	if (n == NULL || n->type != YAML_MAPPING_NODE) {
		if (n != NULL)
			ydoc_check_map(y, n, "category", rules_cat_keys);
		return;
	}
	if (ydoc_get(y, n, "extend") != NULL) {
		rules_load_extend(L, y, n);
		return;
	}
	what = rules_what(y, n, "category", true);
	ydoc_check_map(y, n, what, rules_cat_keys);
	c.id = rules_load_id(L, y, n, "category", true);
	v = rules_get(y, n, what, "description", &vwhat);
	if (v != NULL)
		ydoc_str(y, v, vwhat, &c.description);
	if (c.description == NULL)
		c.description = g_strdup("");
	v = rules_get(y, n, what, "threshold", &vwhat);
	if (v != NULL)
		ydoc_ulong(y, v, vwhat, 1, 1000, &threshold);
	c.threshold = (unsigned)threshold;
	v = rules_get(y, n, what, "count", &vwhat);
	if (v != NULL && ydoc_enum(y, v, vwhat, rules_counts, &mode))
		c.count_each = mode == 1;
	ci = L->cats->len;
	g_array_append_val(L->cats, c);

	v = rules_get(y, n, what, "rules", &vwhat);
	if (v == NULL)
		ydoc_error(y, n, "%s: missing key 'rules'", what);
	else
		rules_load_list(L, y, v, vwhat, ci, false);
	v = rules_get(y, n, what, "exclude", &vwhat);
	if (v != NULL)
		rules_load_list(L, y, v, vwhat, ci, true);
	g_free(vwhat);
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
	v = ydoc_get(y, root, "categories");
	if (v == NULL) {
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

/* Builds the rule set from the loader; NULL (with diagnostics) if not. */
static struct ruleset *
rules_load_finish(struct rules_load *L)
{
	if (diag_count(L->d) > L->errors_before) {
		rules_compile_each(L);	/* every problem, not the first */
		return NULL;
	}
	if (L->cats->len == 0 || L->pats->len == 0) {
		diag_add(L->d, L->first_file, 0, 0, "no rules");
		return NULL;
	}
	if (L->rules->len > UINT_MAX || L->pats->len > UINT_MAX) {
		diag_add(L->d, L->first_file, 0, 0, "too many rules");
		return NULL;
	}
	return rules_build(L);
}

struct ruleset *
ruleset_load(char *const *files, size_t n, struct diag *d)
{
	return ruleset_load_cached(files, n, NULL, d);
}

struct ruleset *
ruleset_load_cached(char *const *files, size_t n, const char *cache_dir,
    struct diag *d)
{
	struct rules_load L;
	struct ruleset *rs;

	rules_load_init(&L, d);
	L.cache_dir = cache_dir;
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

const char *
rules_state_name(enum cb_state st)
{
	switch (st) {
	case CB_STATE_OPENED:
		return "opened";
	case CB_STATE_THREATENED:
		return "threatened";
	default:
		return NULL;
	}
}
