/*
 * conf_history.h - reading the history section of the config.
 */
#ifndef CONF_HISTORY_H
#define CONF_HISTORY_H

#include <stdbool.h>

#include "recall.h"
#include "ydoc.h"

struct ruleset;

/*
 * Fills rc from root's optional "history:" (no section: no history).
 * False with diagnostics on any problem; rc must then still be freed
 * with recall_conf_free().
 */
bool conf_history_read(struct ydoc *y, yaml_node_t *root,
    const char *basedir, const struct ruleset *rs, struct recall_conf *rc);

#endif
