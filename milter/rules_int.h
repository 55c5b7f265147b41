/*
 * rules_int.h - what the two halves of the rules module share; no other
 * module includes it.
 *
 * rules.c reads and checks YAML rule files into a struct rules_load;
 * rules_compile.c turns a clean loader into an immutable struct ruleset
 * (one Hyperscan database) and scans with it.  Every Hyperscan call is
 * in rules_compile.c.
 */
#ifndef RULES_INT_H
#define RULES_INT_H

#include <glib.h>
#include <hs.h>
#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "rules.h"

/* Flags of every pattern; \b is checked in the match callback instead. */
#define RULES_HS_FLAGS                                                     \
	(HS_FLAG_CASELESS | HS_FLAG_UTF8 | HS_FLAG_UCP | HS_FLAG_SOM_LEFTMOST)

/* One expression handed to Hyperscan. */
struct rules_pattern {
	char *expr;	  /* Hyperscan expression; owned */
	char *src;	  /* the phrase or regex as written; owned */
	char *what;	  /* "rule 'id' regex", for messages; owned */
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
	const char *how;	/* compiled or cached: static, for -n */
};

/* Loader state shared by all files of one rule set. */
struct rules_load {
	struct diag *d;
	size_t errors_before;	/* diag_count() when loading began */
	const char *first_file;	/* for messages without a position */
	GArray *cats;		/* struct category */
	GArray *rules;		/* struct rule */
	GArray *pats;		/* struct rules_pattern */
	GHashTable *cat_ids;	/* id -> "file:line:col", both owned */
	GHashTable *rule_ids;	/* same for rule and exclusion ids */
	const char *cache_dir;	/* compiled databases kept here, or NULL */
};

/*
 * Parses expr with Hyperscan (no database is built): false, with
 * "file:line:col: what: ..." in d, when it is invalid or can match the
 * empty string.  src is the phrase or regex as written.
 */
bool rules_check_expr(struct diag *d, const char *file, size_t line,
    size_t col, const char *what, const char *src, const char *expr);
/*
 * Compiles each pattern of L on its own and reports the ones Hyperscan
 * refuses at their position; returns how many failed.
 */
size_t rules_compile_each(struct rules_load *L);
/*
 * Compiles a loader without errors into a rule set, moving its arrays
 * into it; NULL (with diagnostics) when Hyperscan refuses the set.
 */
struct ruleset *rules_build(struct rules_load *L);
/*
 * The database for L: from the cache in dir when it holds one for
 * exactly these patterns, else compile(L), stored there for next time
 * (rules_cache.c).  dir NULL: just compile(L).  *how: a static note on
 * what happened, for -n.
 */
hs_database_t *rules_cache_compile(struct rules_load *L, const char *dir,
    hs_database_t *(*compile)(struct rules_load *), const char **how);

#endif
