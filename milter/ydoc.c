/*
 * ydoc.c - typed access to a libyaml document, with file:line:col errors.
 */
#include "ydoc.h"

#include <errno.h>
#include <glib.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool
ydoc_parse(struct ydoc *y, yaml_parser_t *p)
{
	if (!yaml_parser_load(p, &y->doc)) {
		diag_add(y->diag, y->file, p->problem_mark.line + 1,
		    p->problem_mark.column + 1, "YAML syntax error: %s%s%s",
		    p->problem ? p->problem : "unknown",
		    p->context ? " " : "", p->context ? p->context : "");
		return false;
	}
	y->loaded = true;
	if (yaml_document_get_root_node(&y->doc) == NULL) {
		diag_add(y->diag, y->file, 1, 1, "empty document");
		return false;
	}
	return true;
}

bool
ydoc_load(struct ydoc *y, const char *path, struct diag *d)
{
	yaml_parser_t p;
	FILE *fp;
	bool ok;

	memset(y, 0, sizeof(*y));
	y->file = path;
	y->diag = d;
	fp = fopen(path, "rb");
	if (fp == NULL) {
		diag_add(d, path, 0, 0, "cannot open: %s", strerror(errno));
		return false;
	}
	yaml_parser_initialize(&p);
	yaml_parser_set_input_file(&p, fp);
	ok = ydoc_parse(y, &p);
	yaml_parser_delete(&p);
	fclose(fp);
	return ok;
}

bool
ydoc_load_mem(struct ydoc *y, const char *name, const char *buf, size_t len,
    struct diag *d)
{
	yaml_parser_t p;
	bool ok;

	memset(y, 0, sizeof(*y));
	y->file = name;
	y->diag = d;
	yaml_parser_initialize(&p);
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
	ok = ydoc_parse(y, &p);
	yaml_parser_delete(&p);
	return ok;
}

void
ydoc_free(struct ydoc *y)
{
	if (y->loaded)
		yaml_document_delete(&y->doc);
	y->loaded = false;
}

yaml_node_t *
ydoc_root(struct ydoc *y)
{
	return y->loaded ? yaml_document_get_root_node(&y->doc) : NULL;
}

void
ydoc_error(struct ydoc *y, const yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	if (n != NULL)
		diag_add(y->diag, y->file, n->start_mark.line + 1,
		    n->start_mark.column + 1, "%s", msg);
	else
		diag_add(y->diag, y->file, 0, 0, "%s", msg);
	g_free(msg);
}

static const char *
ydoc_kind(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_SCALAR_NODE:
		return "a scalar";
	case YAML_SEQUENCE_NODE:
		return "a list";
	case YAML_MAPPING_NODE:
		return "a mapping";
	default:
		return "nothing";
	}
}

bool
ydoc_check_map(struct ydoc *y, yaml_node_t *n, const char *what,
    const char *const *allowed)
{
	bool ok = true;

	if (n->type != YAML_MAPPING_NODE) {
		ydoc_error(y, n, "%s: expected a mapping, found %s", what,
		    ydoc_kind(n));
		return false;
	}
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
	    p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(&y->doc, p->key);
		const char *key;
		size_t i;

		if (k == NULL || k->type != YAML_SCALAR_NODE) {
			ydoc_error(y, k, "%s: keys must be scalars", what);
			ok = false;
			continue;
		}
		key = (const char *)k->data.scalar.value;
		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(key, allowed[i]) == 0)
				break;
		if (allowed[i] == NULL) {
			ydoc_error(y, k, "%s: unknown key '%s'", what, key);
			ok = false;
			continue;
		}
		for (yaml_node_pair_t *q = n->data.mapping.pairs.start; q < p;
		    q++) {
			yaml_node_t *k2 =
			    yaml_document_get_node(&y->doc, q->key);

			if (k2 != NULL && k2->type == YAML_SCALAR_NODE &&
			    strcmp((const char *)k2->data.scalar.value, key) ==
				0) {
				ydoc_error(y, k, "%s: duplicate key '%s'",
				    what, key);
				ok = false;
				break;
			}
		}
	}
	return ok;
}

yaml_node_t *
ydoc_get(struct ydoc *y, yaml_node_t *n, const char *key)
{
	if (n == NULL || n->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
	    p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(&y->doc, p->key);

		if (k != NULL && k->type == YAML_SCALAR_NODE &&
		    strcmp((const char *)k->data.scalar.value, key) == 0)
			return yaml_document_get_node(&y->doc, p->value);
	}
	return NULL;
}

bool
ydoc_seq(struct ydoc *y, yaml_node_t *n, const char *what,
    yaml_node_item_t **items, size_t *count)
{
	if (n->type != YAML_SEQUENCE_NODE) {
		ydoc_error(y, n, "%s: expected a list, found %s", what,
		    ydoc_kind(n));
		return false;
	}
	*items = n->data.sequence.items.start;
	*count = (size_t)(n->data.sequence.items.top -
	    n->data.sequence.items.start);
	return true;
}

yaml_node_t *
ydoc_item(struct ydoc *y, yaml_node_item_t item)
{
	return yaml_document_get_node(&y->doc, item);
}

static bool
ydoc_is_null(const yaml_node_t *n)
{
	const char *v = (const char *)n->data.scalar.value;

	if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	return n->data.scalar.length == 0 || strcmp(v, "~") == 0 ||
	    strcmp(v, "null") == 0 || strcmp(v, "Null") == 0 ||
	    strcmp(v, "NULL") == 0;
}

bool
ydoc_scalar(struct ydoc *y, yaml_node_t *n, const char *what,
    const char **out)
{
	if (n->type != YAML_SCALAR_NODE || ydoc_is_null(n)) {
		ydoc_error(y, n, "%s: expected a value, found %s", what,
		    n->type == YAML_SCALAR_NODE ? "null" : ydoc_kind(n));
		return false;
	}
	if (strlen((const char *)n->data.scalar.value) !=
	    n->data.scalar.length) {
		ydoc_error(y, n, "%s: NUL byte in value", what);
		return false;
	}
	*out = (const char *)n->data.scalar.value;
	return true;
}

bool
ydoc_str(struct ydoc *y, yaml_node_t *n, const char *what, char **out)
{
	const char *v;

	if (!ydoc_scalar(y, n, what, &v))
		return false;
	g_free(*out);
	*out = g_strdup(v);
	return true;
}

bool
ydoc_bool(struct ydoc *y, yaml_node_t *n, const char *what, bool *out)
{
	static const char *const t[] = { "true", "yes", "on", "True", "Yes",
		"On", "TRUE", "YES", "ON", NULL };
	static const char *const f[] = { "false", "no", "off", "False", "No",
		"Off", "FALSE", "NO", "OFF", NULL };
	const char *v;

	if (!ydoc_scalar(y, n, what, &v))
		return false;
	for (int i = 0; t[i] != NULL; i++)
		if (strcmp(v, t[i]) == 0) {
			*out = true;
			return true;
		}
	for (int i = 0; f[i] != NULL; i++)
		if (strcmp(v, f[i]) == 0) {
			*out = false;
			return true;
		}
	ydoc_error(y, n, "%s: expected true or false, found '%s'", what, v);
	return false;
}

bool
ydoc_ulong(struct ydoc *y, yaml_node_t *n, const char *what,
    unsigned long min, unsigned long max, unsigned long *out)
{
	const char *v;
	char *end;
	unsigned long val;

	if (!ydoc_scalar(y, n, what, &v))
		return false;
	errno = 0;
	val = strtoul(v, &end, 10);
	if (v[0] == '\0' || v[0] == '-' || v[0] == '+' || *end != '\0' ||
	    errno == ERANGE) {
		ydoc_error(y, n, "%s: expected a whole number, found '%s'",
		    what, v);
		return false;
	}
	if (val < min || val > max) {
		ydoc_error(y, n, "%s: %lu is out of range (%lu to %lu)", what,
		    val, min, max);
		return false;
	}
	*out = val;
	return true;
}

bool
ydoc_enum(struct ydoc *y, yaml_node_t *n, const char *what,
    const char *const *names, int *out)
{
	const char *v;
	GString *list;

	if (!ydoc_scalar(y, n, what, &v))
		return false;
	for (int i = 0; names[i] != NULL; i++)
		if (strcmp(v, names[i]) == 0) {
			*out = i;
			return true;
		}
	list = g_string_new(NULL);
	for (int i = 0; names[i] != NULL; i++)
		g_string_append_printf(list, "%s%s", i ? ", " : "", names[i]);
	ydoc_error(y, n, "%s: '%s' is not one of: %s", what, v, list->str);
	g_string_free(list, TRUE);
	return false;
}

bool
ydoc_strv(struct ydoc *y, yaml_node_t *n, const char *what, char ***out)
{
	yaml_node_item_t *items;
	size_t count;
	GPtrArray *a;
	bool ok = true;

	if (n->type == YAML_SCALAR_NODE) {
		const char *v;

		if (!ydoc_scalar(y, n, what, &v))
			return false;
		g_strfreev(*out);
		*out = g_new0(char *, 2);
		(*out)[0] = g_strdup(v);
		return true;
	}
	if (!ydoc_seq(y, n, what, &items, &count))
		return false;
	if (count == 0) {
		ydoc_error(y, n, "%s: the list is empty", what);
		return false;
	}
	a = g_ptr_array_new();
	for (size_t i = 0; i < count; i++) {
		const char *v;

		if (ydoc_scalar(y, ydoc_item(y, items[i]), what, &v))
			g_ptr_array_add(a, g_strdup(v));
		else
			ok = false;
	}
	g_ptr_array_add(a, NULL);
	if (!ok) {
		g_strfreev((char **)g_ptr_array_free(a, FALSE));
		return false;
	}
	g_strfreev(*out);
	*out = (char **)g_ptr_array_free(a, FALSE);
	return true;
}
