/*
 * conf.c - the configuration file: schema, defaults, validation.
 *
 * The schema is the code below: every key is read with a typed ydoc
 * accessor that reports wrong types and out-of-range values with the
 * key's file:line:col, and unknown keys are rejected.  All problems are
 * collected; the config is built only when there are none.  A loaded
 * config is immutable and reference-counted (conf_ref/conf_unref).
 */
#include "conf.h"

#include <glib.h>
#include <string.h>
#include <syslog.h>

#include "conf_history.h"
#include "conf_route.h"
#include "log.h"
#include "rules.h"
#include "ydoc.h"

/* Overrides rules_cache (tests, offline runs): a directory, or "" for none. */
#define CONF_CACHE_ENV "ESCALATION_MILTER_RULES_CACHE"
#define CONF_DEFAULT_SOCKET "unix:/run/escalation-milter/escalation-milter.sock"

static const char *const conf_top_keys[] = { "socket", "socket_mode",
	"socket_group", "user", "pid_file", "rules", "rules_cache", "on_error",
	"log_level",
	"log_facility", "timeout", "limits", "tagging", "routing", "channels",
	"history", NULL };
static const char *const conf_limit_keys[] = { "max_message_bytes",
	"max_text_bytes", "max_mime_depth", "max_mime_parts", "max_headers",
	"max_excerpt", "max_evidence", "max_recipients", NULL };
static const char *const conf_tag_keys[] = { "subject_template",
	"signals_header", "reason_header", "max_header_chars", NULL };
static const char *const conf_on_error[] = { "accept", "tempfail", NULL };
static const char *const conf_levels[] = { "error", "warning", "info",
	"debug", NULL };

/* A config with every default set and no rules. */
static struct conf *
conf_defaults(void)
{
	struct conf *c = g_new0(struct conf, 1);

	c->refs = 1;
	c->socket = g_strdup(CONF_DEFAULT_SOCKET);
	c->socket_mode = 0660;
	c->on_error = ON_ERROR_ACCEPT;
	c->log_level = LOG_LVL_INFO;
	c->log_facility = LOG_MAIL;
	c->timeout = 600;
	c->limits.max_message_bytes = 4u << 20;
	c->limits.max_text_bytes = 256u << 10;
	c->limits.max_mime_depth = 16;
	c->limits.max_mime_parts = 100;
	c->limits.max_headers = 1000;
	c->limits.max_excerpt = 80;
	c->limits.max_evidence = 5;
	c->limits.max_recipients = 1000;
	c->tag.subject_template = g_strdup("[ESCALATED: {categories}] ");
	c->tag.signals_header = true;
	c->tag.reason_header = true;
	c->tag.max_header_chars = 900;
	return c;
}

static void
conf_free(struct conf *c)
{
	g_free(c->path);
	g_free(c->socket);
	g_free(c->socket_group);
	g_free(c->user);
	g_free(c->pid_file);
	g_free(c->rules_cache);
	g_strfreev(c->rules_files);
	g_free(c->tag.subject_template);
	routing_free(&c->routing);
	recall_conf_free(&c->history);
	if (c->rules != NULL)
		ruleset_free(c->rules);
	g_free(c);
}

struct conf *
conf_ref(struct conf *c)
{
	g_atomic_int_inc(&c->refs);
	return c;
}

struct conf *
conf_unref(struct conf *c)
{
	if (c != NULL && g_atomic_int_dec_and_test(&c->refs))
		conf_free(c);
	return NULL;
}

/* Reads an unsigned key of map into *dst when present. */
static void
conf_uint(struct ydoc *y, yaml_node_t *map, const char *key,
    unsigned long min, unsigned long max, void *dst, size_t size,
    bool *ok)
{
	yaml_node_t *n = ydoc_get(y, map, key);
	unsigned long v;

	if (n == NULL)
		return;
	if (!ydoc_ulong(y, n, key, min, max, &v)) {
		*ok = false;
		return;
	}
	if (size == sizeof(size_t))
		*(size_t *)dst = v;
	else
		*(unsigned *)dst = (unsigned)v;
}

#define CONF_UINT(y, map, key, min, max, field, ok)                         \
	conf_uint((y), (map), (key), (min), (max), &(field), sizeof(field), (ok))

static void
conf_read_limits(struct ydoc *y, yaml_node_t *n, struct limits *l, bool *ok)
{
	if (!ydoc_check_map(y, n, "limits", conf_limit_keys)) {
		*ok = false;
		return;
	}
	CONF_UINT(y, n, "max_message_bytes", 1024, 1ul << 30,
	    l->max_message_bytes, ok);
	CONF_UINT(y, n, "max_text_bytes", 256, 64ul << 20, l->max_text_bytes,
	    ok);
	CONF_UINT(y, n, "max_mime_depth", 1, 100, l->max_mime_depth, ok);
	CONF_UINT(y, n, "max_mime_parts", 1, 10000, l->max_mime_parts, ok);
	CONF_UINT(y, n, "max_headers", 16, 100000, l->max_headers, ok);
	CONF_UINT(y, n, "max_excerpt", 8, 400, l->max_excerpt, ok);
	CONF_UINT(y, n, "max_evidence", 1, 50, l->max_evidence, ok);
	CONF_UINT(y, n, "max_recipients", 1, 100000, l->max_recipients, ok);
}

static void
conf_read_tagging(struct ydoc *y, yaml_node_t *n, struct tag_conf *t,
    bool *ok)
{
	yaml_node_t *v;

	if (!ydoc_check_map(y, n, "tagging", conf_tag_keys)) {
		*ok = false;
		return;
	}
	v = ydoc_get(y, n, "subject_template");
	if (v != NULL) {
		const char *s;

		if (v->type == YAML_SCALAR_NODE &&
		    v->data.scalar.length == 0) {
			g_free(t->subject_template);
			t->subject_template = g_strdup("");
		} else if (!ydoc_scalar(y, v, "subject_template", &s)) {
			*ok = false;
		} else if (!g_utf8_validate(s, -1, NULL) ||
		    strpbrk(s, "\r\n") != NULL) {
			ydoc_error(y, v, "subject_template: must be one line "
			    "of UTF-8 text");
			*ok = false;
		} else if (strlen(s) > 200) {
			ydoc_error(y, v, "subject_template: longer than 200 "
			    "bytes");
			*ok = false;
		} else {
			g_free(t->subject_template);
			t->subject_template = g_strdup(s);
		}
	}
	v = ydoc_get(y, n, "signals_header");
	if (v != NULL && !ydoc_bool(y, v, "signals_header", &t->signals_header))
		*ok = false;
	v = ydoc_get(y, n, "reason_header");
	if (v != NULL && !ydoc_bool(y, v, "reason_header", &t->reason_header))
		*ok = false;
	CONF_UINT(y, n, "max_header_chars", 80, 980, t->max_header_chars, ok);
}

/* Validates a milter socket spec: unix:/path, local:, inet:, inet6:. */
static bool
conf_socket_ok(const char *s)
{
	const char *at;

	if (g_str_has_prefix(s, "unix:") || g_str_has_prefix(s, "local:"))
		return strchr(s, ':')[1] == '/';
	if (!g_str_has_prefix(s, "inet:") && !g_str_has_prefix(s, "inet6:"))
		return false;
	s = strchr(s, ':') + 1;
	at = strchr(s, '@');
	if (at == s)
		return false;
	for (const char *p = s; p < (at ? at : s + strlen(s)); p++)
		if (!g_ascii_isdigit(*p))
			return false;
	return true;
}

static void
conf_read_daemon(struct ydoc *y, yaml_node_t *root, struct conf *c, bool *ok)
{
	yaml_node_t *v;
	const char *s;
	int e;

	v = ydoc_get(y, root, "socket");
	if (v != NULL && ydoc_scalar(y, v, "socket", &s)) {
		if (!conf_socket_ok(s)) {
			ydoc_error(y, v, "socket: '%s' is not unix:/path, "
			    "inet:port@host or inet6:port@host", s);
			*ok = false;
		} else {
			g_free(c->socket);
			c->socket = g_strdup(s);
		}
	} else if (v != NULL) {
		*ok = false;
	}
	v = ydoc_get(y, root, "socket_mode");
	if (v != NULL && ydoc_scalar(y, v, "socket_mode", &s)) {
		char *end;
		unsigned long m = strtoul(s, &end, 8);

		if (*s == '\0' || *end != '\0' || m > 0777) {
			ydoc_error(y, v, "socket_mode: '%s' is not an octal "
			    "mode such as \"0660\"", s);
			*ok = false;
		} else {
			c->socket_mode = (unsigned)m;
		}
	} else if (v != NULL) {
		*ok = false;
	}
	v = ydoc_get(y, root, "socket_group");
	if (v != NULL && !ydoc_str(y, v, "socket_group", &c->socket_group))
		*ok = false;
	v = ydoc_get(y, root, "user");
	if (v != NULL && !ydoc_str(y, v, "user", &c->user))
		*ok = false;
	v = ydoc_get(y, root, "pid_file");
	if (v != NULL && !ydoc_str(y, v, "pid_file", &c->pid_file))
		*ok = false;
	v = ydoc_get(y, root, "on_error");
	if (v != NULL) {
		if (ydoc_enum(y, v, "on_error", conf_on_error, &e))
			c->on_error = (enum on_error)e;
		else
			*ok = false;
	}
	v = ydoc_get(y, root, "log_level");
	if (v != NULL) {
		if (ydoc_enum(y, v, "log_level", conf_levels, &e))
			c->log_level = e;
		else
			*ok = false;
	}
	v = ydoc_get(y, root, "log_facility");
	if (v != NULL && ydoc_scalar(y, v, "log_facility", &s)) {
		e = log_facility_from_name(s);
		if (e < 0) {
			ydoc_error(y, v, "log_facility: unknown facility "
			    "'%s' (mail, daemon, user, local0..local7)", s);
			*ok = false;
		} else {
			c->log_facility = e;
		}
	} else if (v != NULL) {
		*ok = false;
	}
	CONF_UINT(y, root, "timeout", 1, 3600, c->timeout, ok);
}

/* Resolves one rule file path against basedir; reports a missing file. */
static char *
conf_rule_path(struct ydoc *y, yaml_node_t *n, const char *basedir,
    bool *ok)
{
	const char *v;
	char *path;

	if (!ydoc_scalar(y, n, "rules", &v)) {
		*ok = false;
		return NULL;
	}
	path = g_canonicalize_filename(v, basedir);
	if (!g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
		ydoc_error(y, n, "rules: cannot open %s: %s", path,
		    g_file_test(path, G_FILE_TEST_EXISTS) ?
			"not a regular file" : "no such file");
		*ok = false;
		g_free(path);
		return NULL;
	}
	return path;
}

/* Reads "rules:" (a path or a list), resolving against basedir. */
static void
conf_read_rules(struct ydoc *y, yaml_node_t *root, const char *basedir,
    struct conf *c, bool *ok)
{
	yaml_node_t *v = ydoc_get(y, root, "rules");
	GPtrArray *files = g_ptr_array_new();
	bool good = true;

	if (v == NULL) {
		g_ptr_array_add(files,
		    g_canonicalize_filename("rules/default.yaml", basedir));
	} else if (v->type == YAML_SEQUENCE_NODE) {
		yaml_node_item_t *items;
		size_t n;

		ydoc_seq(y, v, "rules", &items, &n);
		if (n == 0) {
			ydoc_error(y, v, "rules: the list is empty");
			good = false;
		}
		for (size_t i = 0; i < n; i++) {
			char *p = conf_rule_path(y, ydoc_item(y, items[i]),
			    basedir, &good);

			if (p != NULL)
				g_ptr_array_add(files, p);
		}
	} else {
		char *p = conf_rule_path(y, v, basedir, &good);

		if (p != NULL)
			g_ptr_array_add(files, p);
	}
	g_ptr_array_add(files, NULL);
	if (!good) {
		g_strfreev((char **)g_ptr_array_free(files, FALSE));
		*ok = false;
		return;
	}
	c->rules_files = (char **)g_ptr_array_free(files, FALSE);
}

static struct conf *
conf_build(struct ydoc *y, const char *name, const char *basedir,
    struct diag *d)
{
	struct conf *c = conf_defaults();
	yaml_node_t *root = ydoc_root(y), *v;
	bool ok = true;

	c->path = g_strdup(name);
	if (!ydoc_check_map(y, root, "configuration", conf_top_keys))
		ok = false;
	if (root->type == YAML_MAPPING_NODE) {
		conf_read_daemon(y, root, c, &ok);
		conf_read_rules(y, root, basedir, c, &ok);
		v = ydoc_get(y, root, "limits");
		if (v != NULL)
			conf_read_limits(y, v, &c->limits, &ok);
		v = ydoc_get(y, root, "tagging");
		if (v != NULL)
			conf_read_tagging(y, v, &c->tag, &ok);
	}
	if (ok && root->type == YAML_MAPPING_NODE &&
	    (v = ydoc_get(y, root, "rules_cache")) != NULL) {
		char *dir = NULL;

		if (ydoc_str(y, v, "rules_cache", &dir))
			c->rules_cache = g_canonicalize_filename(dir, basedir);
		else
			ok = false;
		g_free(dir);
	}
	if (ok && c->rules_files != NULL) {
		const char *env = g_getenv(CONF_CACHE_ENV);

		c->rules = ruleset_load_cached(c->rules_files,
		    g_strv_length(c->rules_files),
		    env != NULL ? env : c->rules_cache, d);
		if (c->rules == NULL)
			ok = false;
	}
	if (ok && !conf_route_read(y, root, c->rules, &c->routing))
		ok = false;
	if (ok && !conf_history_read(y, root, basedir, c->rules, &c->history))
		ok = false;
	if (!ok || diag_count(d) > 0)
		return conf_unref(c);
	return c;
}

struct conf *
conf_load(const char *path, struct diag *d)
{
	struct ydoc y;
	struct conf *c = NULL;
	char *dir;

	if (ydoc_load(&y, path, d)) {
		char *rel = g_path_get_dirname(path);

		dir = g_canonicalize_filename(rel, NULL);
		c = conf_build(&y, path, dir, d);
		g_free(dir);
		g_free(rel);
	}
	ydoc_free(&y);
	return c;
}

struct conf *
conf_load_mem(const char *name, const char *buf, size_t len,
    const char *basedir, struct diag *d)
{
	struct ydoc y;
	struct conf *c = NULL;

	if (ydoc_load_mem(&y, name, buf, len, d)) {
		char *dir = g_canonicalize_filename(basedir, NULL);

		c = conf_build(&y, name, dir, d);
		g_free(dir);
	}
	ydoc_free(&y);
	return c;
}
