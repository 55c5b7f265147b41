/*
 * conf_history.c - the "history:" section of the config.
 *
 * Read after the rules are loaded, so per-category windows are checked
 * against the real category ids.  The store spec is checked for form
 * here; whether the store opens is known only at start-up (-n tries).
 */
#include "conf_history.h"

#include <errno.h>
#include <string.h>

#include "rules.h"

#define DAY_SECONDS ((int64_t)86400)

static const char *const hist_keys[] = { "store", "window_days", "windows",
	"sticky", "sticky_days", "key_secret_file", "on_unavailable",
	"retry_seconds", NULL };
static const char *const unavailable[] = { "accept", "tempfail", NULL };

/* The form of a store spec: sqlite:/abs/path, redis://..., memory:, none. */
static bool
conf_history_spec_ok(const char *s)
{
	if (strcmp(s, "none") == 0 || strcmp(s, "memory:") == 0)
		return true;
	if (g_str_has_prefix(s, "sqlite:"))
		return s[strlen("sqlite:")] == '/';
	return g_str_has_prefix(s, "redis://");
}

/* Reads the secret for keyed customer hashes; it must not be empty. */
static bool
conf_history_secret(struct ydoc *y, yaml_node_t *n, const char *basedir,
    struct recall_conf *rc)
{
	const char *v;
	char *path, *buf = NULL;
	gsize len = 0;
	GError *e = NULL;

	if (!ydoc_scalar(y, n, "key_secret_file", &v))
		return false;
	path = g_canonicalize_filename(v, basedir);
	if (!g_file_get_contents(path, &buf, &len, &e)) {
		ydoc_error(y, n, "key_secret_file: %s", e->message);
		g_error_free(e);
		g_free(path);
		return false;
	}
	g_free(path);
	g_strstrip(buf);
	if (strlen(buf) < 16) {
		ydoc_error(y, n, "key_secret_file: the secret must be at least "
		    "16 characters");
		g_free(buf);
		return false;
	}
	rc->key_secret = buf;
	return true;
}

bool
conf_history_read(struct ydoc *y, yaml_node_t *root, const char *basedir,
    const struct ruleset *rs, struct recall_conf *rc)
{
	yaml_node_t *n = ydoc_get(y, root, "history"), *v;
	unsigned long days = 30;
	bool ok = true;
	int e;

	memset(rc, 0, sizeof(*rc));
	rc->store = g_strdup("none");
	rc->ncats = ruleset_ncats(rs);
	rc->windows = g_new(int64_t, rc->ncats ? rc->ncats : 1);
	rc->sticky = true;
	rc->sticky_window = 30 * DAY_SECONDS;
	rc->retry = 30;
	if (n != NULL && !ydoc_check_map(y, n, "history", hist_keys))
		return false;
	if ((v = ydoc_get(y, n, "store")) != NULL) {
		if (!ydoc_str(y, v, "store", &rc->store)) {
			ok = false;
		} else if (!conf_history_spec_ok(rc->store)) {
			ydoc_error(y, v, "store: '%s' is not sqlite:/path, "
			    "redis://host:port/db, memory: or none", rc->store);
			ok = false;
		}
	}
	if ((v = ydoc_get(y, n, "window_days")) != NULL &&
	    !ydoc_ulong(y, v, "window_days", 1, 3650, &days))
		ok = false;
	for (size_t i = 0; i < rc->ncats; i++)
		rc->windows[i] = (int64_t)days * DAY_SECONDS;
	if ((v = ydoc_get(y, n, "windows")) != NULL) {
		if (v->type != YAML_MAPPING_NODE) {
			ydoc_error(y, v, "windows: expected a mapping of "
			    "category ids to days");
			ok = false;
		} else {
			for (yaml_node_pair_t *p = v->data.mapping.pairs.start;
			    p < v->data.mapping.pairs.top; p++) {
				yaml_node_t *k = yaml_document_get_node(&y->doc,
				    p->key);
				yaml_node_t *d = yaml_document_get_node(&y->doc,
				    p->value);
				const char *id;
				unsigned long w;
				int cat;

				if (!ydoc_scalar(y, k, "windows", &id)) {
					ok = false;
					continue;
				}
				cat = ruleset_cat_index(rs, id);
				if (cat < 0) {
					ydoc_error(y, k, "windows: no category "
					    "'%s' in the rules", id);
					ok = false;
				} else if (ydoc_ulong(y, d, id, 1, 3650, &w)) {
					rc->windows[cat] = (int64_t)w *
					    DAY_SECONDS;
				} else {
					ok = false;
				}
			}
		}
	}
	if ((v = ydoc_get(y, n, "sticky")) != NULL &&
	    !ydoc_bool(y, v, "sticky", &rc->sticky))
		ok = false;
	if ((v = ydoc_get(y, n, "sticky_days")) != NULL) {
		unsigned long d;

		if (ydoc_ulong(y, v, "sticky_days", 1, 3650, &d))
			rc->sticky_window = (int64_t)d * DAY_SECONDS;
		else
			ok = false;
	}
	if ((v = ydoc_get(y, n, "retry_seconds")) != NULL) {
		unsigned long r;

		if (ydoc_ulong(y, v, "retry_seconds", 1, 3600, &r))
			rc->retry = (unsigned)r;
		else
			ok = false;
	}
	if ((v = ydoc_get(y, n, "key_secret_file")) != NULL &&
	    !conf_history_secret(y, v, basedir, rc))
		ok = false;
	if ((v = ydoc_get(y, n, "on_unavailable")) != NULL) {
		if (ydoc_enum(y, v, "on_unavailable", unavailable, &e))
			rc->tempfail_unavailable = e == 1;
		else
			ok = false;
	}
	return ok;
}
