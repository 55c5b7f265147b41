/*
 * detect.h - from normalised text to per-category signals and a verdict.
 *
 * detect_run() scans the text once with the rule set, drops hits that
 * fall inside an exclusion span of the same category, merges hits that
 * overlap into one expression, and counts distinct expressions (by their
 * normalised text) per category.  A category fires when its count
 * reaches its threshold or a decisive rule matched.  Chargeback-style
 * categories report "opened" when any opened-state rule matched, else
 * "threatened" when any state rule matched.
 */
#ifndef DETECT_H
#define DETECT_H

#include <glib.h>
#include <stdbool.h>

#include "bounds.h"
#include "rules.h"

struct evidence {
	const struct rule *rule; /* borrowed from the rule set */
	char *text;		 /* excerpt, UTF-8, <= max_excerpt chars */
	size_t offset;		 /* byte offset in the scanned text */
};

struct signal {
	const struct category *cat; /* borrowed */
	unsigned count;		    /* distinct expressions */
	unsigned threshold;
	bool decisive;		    /* a decisive rule matched */
	bool fired;
	enum cb_state state;
	GPtrArray *evidence;	    /* struct evidence *, owned */
};

struct verdict {
	struct signal *sig; /* one per category, rule-set order; owned */
	size_t nsig;
	bool escalate;	    /* at least one category fired */
	bool scan_error;    /* the engine failed; counts are incomplete */
	bool overflow;	    /* too many hits; the rest were not counted */
};

void verdict_init(struct verdict *v);
/* Fills v (cleared first); text is the normalised text. */
void detect_run(const struct ruleset *rs, struct rules_scratch *s,
    const char *text, size_t len, const struct limits *lim,
    struct verdict *v);
/* Recomputes fired/escalate from count, threshold and decisive. */
void verdict_decide(struct verdict *v);
void verdict_clear(struct verdict *v);

#endif
