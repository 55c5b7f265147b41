/*
 * rules.h - rule sets: categories of escalation signals, their rules,
 * and one multi-pattern (Hyperscan) database that matches all of them in
 * a single pass over the normalised text.
 *
 * A rule file (YAML, see rules/default.yaml and escalation-milter.yaml(5)):
 *
 *   categories:
 *     - id: legal
 *       description: threatens legal action
 *       threshold: 1
 *       rules:
 *         - id: legal.lawyer
 *           phrases: ["my lawyer", "attorney"]
 *         - id: legal.sue
 *           regex: 'su(e|ing) (you|your company)'
 *           state: threatened        # chargeback only: threatened|opened
 *           decisive: true           # fires the category on its own
 *       exclude:                     # hits inside these spans don't count
 *         - id: legal.not
 *           phrases: ["lawyer up"]
 *
 * Phrases are literal text; a space matches any white space.  Regexes are
 * Hyperscan (PCRE subset, no backreferences or lookaround).  All matching
 * is case-insensitive on normalised text (norm.h) and, unless a rule says
 * "boundary: false", a match must start and end on a word boundary
 * (checked with Unicode character classes in the match callback).
 * Several files may be loaded; a category is defined once, and a later
 * entry "- extend: ID" adds rules and exclusions to it (rule files for
 * other languages do that).
 */
#ifndef RULES_H
#define RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

enum cb_state { CB_STATE_NONE = 0, CB_STATE_THREATENED, CB_STATE_OPENED };

/* "threatened", "opened", or NULL for CB_STATE_NONE. */
const char *rules_state_name(enum cb_state st);

struct rule {
	char *id;
	int cat;	  /* index into ruleset.cats */
	bool exclude;	  /* an exclusion, not a signal */
	bool decisive;	  /* fires its category alone */
	bool boundary;	  /* word boundaries required (default true) */
	enum cb_state state;
	char *file;	  /* where defined, for messages */
	size_t line, col;
};

struct category {
	char *id;
	char *description;
	unsigned threshold;
	bool count_each;  /* "count: each": a repeated expression counts
			     again; default "distinct" counts it once */
};

struct ruleset;
struct rules_scratch;

/* Loads and compiles files[0..n); NULL with every problem in d. */
struct ruleset *ruleset_load(char *const *files, size_t n, struct diag *d);
/*
 * The same, keeping the compiled database in cache_dir (NULL: none) so
 * that the next load of the same patterns skips compiling (rules_cache.c).
 */
struct ruleset *ruleset_load_cached(char *const *files, size_t n,
    const char *cache_dir, struct diag *d);
/* Same from one in-memory document (tests, fuzzing). */
struct ruleset *ruleset_load_mem(const char *name, const char *buf,
    size_t len, struct diag *d);
/* Accepts NULL. */
void ruleset_free(struct ruleset *rs);

size_t ruleset_ncats(const struct ruleset *rs);
const struct category *ruleset_cat(const struct ruleset *rs, size_t i);
/* Index of category id, or -1. */
int ruleset_cat_index(const struct ruleset *rs, const char *id);
size_t ruleset_nrules(const struct ruleset *rs);
const struct rule *ruleset_rule(const struct ruleset *rs, size_t i);
size_t ruleset_npatterns(const struct ruleset *rs);
/* Index of rule (or exclusion) id, or -1. */
int ruleset_rule_index(const struct ruleset *rs, const char *id);

struct rules_stats {
	size_t categories;
	size_t rules;	  /* signal rules */
	size_t excludes;  /* exclusion rules */
	size_t decisive;  /* signal rules that fire their category alone */
	size_t patterns;  /* phrases and regexes compiled */
};

/* Counts for category cat, or for the whole set when cat is -1. */
void ruleset_stats(const struct ruleset *rs, int cat,
    struct rules_stats *st);
/*
 * A summary for -n: one line for the set, one per category
 * ("  abuse: threshold 2, 30 rules (0 decisive), ...").  g_free().
 */
char *ruleset_describe(const struct ruleset *rs);

/* Per-thread scan space: one per connection, never shared at once. */
struct rules_scratch *rules_scratch_new(const struct ruleset *rs);
void rules_scratch_free(struct rules_scratch *s);

/*
 * Called for each match (rule, [from, to) byte offsets in text),
 * boundary-checked, in order of end offset.  Exclusion rules are
 * reported too (rule->exclude).  Return nonzero to stop the scan.
 */
typedef int (*rules_hit_fn)(const struct rule *r, size_t from, size_t to,
    void *arg);

/*
 * Scans text once with all patterns; 0 on success (also when fn stopped
 * the scan), -1 on engine error or when text is not valid UTF-8 (text
 * is meant to come from norm_text()).  s must come from
 * rules_scratch_new(rs).
 */
int ruleset_scan(const struct ruleset *rs, struct rules_scratch *s,
    const char *text, size_t len, rules_hit_fn fn, void *arg);

#endif
