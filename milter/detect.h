/*
 * detect.h - from normalised text to per-category signals and a verdict.
 *
 * detect_run() scans the text once with the rule set, drops hits that
 * fall inside an exclusion span of the same category, merges hits that
 * overlap into one expression, and counts distinct expressions (by their
 * normalised text) per category, or every expression in a category with
 * "count: each".  A category fires when its count
 * reaches its threshold or a decisive rule matched.  Chargeback-style
 * categories report "opened" when any opened-state rule matched, else
 * "threatened" when any state rule matched.
 */
#ifndef DETECT_H
#define DETECT_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "bounds.h"
#include "rules.h"

struct evidence {
	const struct rule *rule; /* borrowed from the rule set */
	char *text;		 /* excerpt, UTF-8, <= max_excerpt chars */
	size_t offset;		 /* byte offset in the scanned text */
};

struct signal {
	const struct category *cat; /* borrowed */
	unsigned count;		    /* distinct expressions, this message */
	unsigned prior;		    /* from earlier messages (history) */
	int64_t first;		    /* time of the oldest of those, or 0 */
	unsigned threshold;
	bool decisive;		    /* a decisive rule matched */
	bool fired;
	bool followup;		    /* fired before: a sticky escalation */
	enum cb_state state;
	GPtrArray *evidence;	    /* struct evidence *, owned */
};

struct verdict {
	struct signal *sig; /* one per category, rule-set order; owned */
	size_t nsig;
	bool escalate;	    /* at least one category fired (or followup) */
	bool followup;	    /* escalated only as a sticky follow-up */
	int64_t now;	    /* the message's time, for history notes */
	bool scan_error;    /* the engine failed; counts are incomplete */
	bool overflow;	    /* too many hits; the rest were not counted */
};

void verdict_init(struct verdict *v);
/* Fills v (cleared first); text is the normalised text. */
void detect_run(const struct ruleset *rs, struct rules_scratch *s,
    const char *text, size_t len, const struct limits *lim,
    struct verdict *v);
/*
 * Recomputes fired/escalate: a category fires when this message brings
 * evidence and count + prior reaches the threshold, or a decisive rule
 * matched.  Without anything firing, followup categories escalate the
 * message as a follow-up.
 */
void verdict_decide(struct verdict *v);
void verdict_clear(struct verdict *v);

#endif
