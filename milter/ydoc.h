/*
 * ydoc.h - a loaded YAML document with typed, position-aware accessors.
 *
 * Wraps libyaml's document API for the config and rule loaders.  Every
 * accessor reports a wrong type or value into the diag list as
 * "file:line:col: message" using the node's start mark (libyaml's marks
 * are 0-based; 1 is added).  Accessors return false on error and leave
 * *out untouched.
 */
#ifndef YDOC_H
#define YDOC_H

#include <stdbool.h>
#include <yaml.h>

#include "diag.h"

struct ydoc {
	yaml_document_t doc;
	const char *file;	/* borrowed; must outlive the ydoc */
	struct diag *diag;	/* borrowed */
	bool loaded;
};

/* Loads one YAML document from path; false (with a diag) on failure. */
bool ydoc_load(struct ydoc *y, const char *path, struct diag *d);
/* Loads from memory (for tests); name is used in diagnostics. */
bool ydoc_load_mem(struct ydoc *y, const char *name, const char *buf,
    size_t len, struct diag *d);
void ydoc_free(struct ydoc *y);

yaml_node_t *ydoc_root(struct ydoc *y);
void ydoc_error(struct ydoc *y, const yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Checks that n is a mapping whose keys are all scalars from allowed
 * (NULL-terminated) and appear once; reports every offender.
 */
bool ydoc_check_map(struct ydoc *y, yaml_node_t *n, const char *what,
    const char *const *allowed);
/* The value for key in mapping n, or NULL. */
yaml_node_t *ydoc_get(struct ydoc *y, yaml_node_t *n, const char *key);
/* Number of items of a sequence node (reports non-sequences). */
bool ydoc_seq(struct ydoc *y, yaml_node_t *n, const char *what,
    yaml_node_item_t **items, size_t *count);
yaml_node_t *ydoc_item(struct ydoc *y, yaml_node_item_t item);

/* Scalars.  A plain "~" or "null" is not a string. */
bool ydoc_scalar(struct ydoc *y, yaml_node_t *n, const char *what,
    const char **out);
bool ydoc_str(struct ydoc *y, yaml_node_t *n, const char *what, char **out);
bool ydoc_bool(struct ydoc *y, yaml_node_t *n, const char *what, bool *out);
bool ydoc_ulong(struct ydoc *y, yaml_node_t *n, const char *what,
    unsigned long min, unsigned long max, unsigned long *out);
/* Index into names (NULL-terminated) of the scalar's value. */
bool ydoc_enum(struct ydoc *y, yaml_node_t *n, const char *what,
    const char *const *names, int *out);
/* A string or a sequence of strings, as a NULL-terminated g_strv. */
bool ydoc_strv(struct ydoc *y, yaml_node_t *n, const char *what,
    char ***out);

#endif
