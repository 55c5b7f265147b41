/*
 * explain.h - a readable account of one judged message (-t --explain):
 * the scanned text, every rule hit with its offset and fate, each
 * category's count against its threshold, and the decision.
 */
#ifndef EXPLAIN_H
#define EXPLAIN_H

#include "msg.h"
#include "rules.h"

/*
 * New string (g_free), several lines ending in '\n'.  rs must be the
 * rule set that judged r; s a scratch space for it (scanned again).
 */
char *explain_message(const char *file, const struct msg_result *r,
    const struct ruleset *rs, struct rules_scratch *s);

#endif
