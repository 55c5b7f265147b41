/*
 * conf.h - the configuration: a schema-checked YAML file made into an
 * immutable, reference-counted struct that also owns the compiled rules.
 *
 * conf_load() reports every problem (unknown keys, wrong types, values
 * out of range, invalid regexes, missing files) as file:line:col into
 * the diag list and returns NULL; otherwise a new reference.  A live
 * connection holds its own reference, so a reload never frees a config
 * in use.
 */
#ifndef CONF_H
#define CONF_H

#include <stdbool.h>
#include <stddef.h>

#include "bounds.h"
#include "diag.h"
#include "recall.h"
#include "route.h"
#include "tag.h"

enum on_error { ON_ERROR_ACCEPT = 0, ON_ERROR_TEMPFAIL };

struct conf {
	int refs;
	char *path;		/* the file loaded, or "(defaults)" */
	char *socket;		/* unix:/path, inet:port@host, inet6:... */
	unsigned socket_mode;	/* unix socket permissions */
	char *socket_group;	/* unix socket group, or NULL */
	char *user;		/* drop privileges to, or NULL */
	char *pid_file;		/* or NULL */
	char **rules_files;	/* resolved paths, NULL-terminated */
	char *rules_cache;	/* compiled rule sets kept here, or NULL */
	enum on_error on_error;
	int log_level;
	int log_facility;
	unsigned timeout;	/* seconds, MTA connection timeout */
	struct limits limits;
	struct tag_conf tag;
	struct ruleset *rules;	/* compiled; owned */
	struct routing routing;	/* channels and route actions; owned */
	struct recall_conf history;	/* history store and windows; owned */
};

/* Loads path; relative rule paths resolve against its directory. */
struct conf *conf_load(const char *path, struct diag *d);
/* Same from memory; relative rule paths resolve against basedir. */
struct conf *conf_load_mem(const char *name, const char *buf, size_t len,
    const char *basedir, struct diag *d);
struct conf *conf_ref(struct conf *c);
/* Drops a reference; returns NULL.  Accepts NULL. */
struct conf *conf_unref(struct conf *c);

#endif
