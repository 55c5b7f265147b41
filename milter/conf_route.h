/*
 * conf_route.h - reading the routing and channels config sections.
 */
#ifndef CONF_ROUTE_H
#define CONF_ROUTE_H

#include <stdbool.h>

#include "route.h"
#include "ydoc.h"

struct ruleset;

/*
 * Fills rt from root's "routing:" and "channels:" (both optional: no
 * channels means tag only).  False with diagnostics on any problem; rt
 * must then still be freed with routing_free().
 */
bool conf_route_read(struct ydoc *y, yaml_node_t *root,
    const struct ruleset *rs, struct routing *rt);

#endif
