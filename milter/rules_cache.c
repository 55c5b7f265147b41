/*
 * rules_cache.c - compiled rule sets kept on disk, so that a start-up,
 * -n or -t with unchanged rules does not compile them again.
 *
 * Compiling every phrase and regex into one Hyperscan database takes
 * seconds; loading a serialised one takes milliseconds.  The cache file
 * is DIR/rules-KEY.hsdb, KEY the SHA-256 of the Hyperscan version and of
 * every expression with its flags and id, in order: any change to a rule
 * file that changes what is compiled gives a new key.  A file is used
 * only when it is a regular file owned by the current user (or root) and
 * writable by nobody else, in a directory with the same properties, so
 * another local user cannot plant a database.  Hyperscan checks the
 * version and platform of what it deserialises; a file it refuses is
 * replaced.  Writes go to a temporary file renamed into place, so that
 * concurrent starts never see half a file.  A failure never stops the
 * load: the rules are compiled as if there were no cache, and the
 * returned note (shown by -n) says why.
 */
#include "rules_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define RULES_CACHE_MAX	(256u << 20)	/* bytes of one cache file */

/* The cache key of the patterns of L, hex; g_free. */
static char *
rules_cache_key(const struct rules_load *L)
{
	GChecksum *ck = g_checksum_new(G_CHECKSUM_SHA256);
	const char *v = hs_version();
	char *key;

	g_checksum_update(ck, (const guchar *)v, (gssize)strlen(v) + 1);
	for (guint i = 0; i < L->pats->len; i++) {
		const struct rules_pattern *p =
		    &g_array_index(L->pats, struct rules_pattern, i);
		char num[64];
		int n = snprintf(num, sizeof(num), "|%u|%u|",
		    (unsigned)RULES_HS_FLAGS, p->rule);

		g_checksum_update(ck, (const guchar *)num, n);
		g_checksum_update(ck, (const guchar *)p->expr,
		    (gssize)strlen(p->expr) + 1);
	}
	key = g_strdup(g_checksum_get_string(ck));
	g_checksum_free(ck);
	return key;
}

/* True when st belongs to us (or root) and only the owner may write. */
static bool
rules_cache_safe(const struct stat *st)
{
	return (st->st_uid == geteuid() || st->st_uid == 0) &&
	    (st->st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

/* The database in path, or NULL. */
static hs_database_t *
rules_cache_read(const char *path)
{
	hs_database_t *db = NULL;
	struct stat st;
	char *buf;
	ssize_t got;
	size_t off = 0;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    !rules_cache_safe(&st) || st.st_size <= 0 ||
	    (unsigned long long)st.st_size > RULES_CACHE_MAX) {
		close(fd);
		return NULL;
	}
	buf = g_malloc((size_t)st.st_size);
	while (off < (size_t)st.st_size) {
		got = read(fd, buf + off, (size_t)st.st_size - off);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		off += (size_t)got;
	}
	close(fd);
	if (off == (size_t)st.st_size &&
	    hs_deserialize_database(buf, off, &db) != HS_SUCCESS)
		db = NULL;
	g_free(buf);
	return db;
}

/* Writes db to path through a temporary file; false on failure. */
static bool
rules_cache_write(const char *dir, const char *path, const hs_database_t *db)
{
	char *bytes = NULL, *tmp;
	size_t len = 0, off = 0;
	bool ok = false;
	int fd;

	if (hs_serialize_database(db, &bytes, &len) != HS_SUCCESS)
		return false;
	tmp = g_strdup_printf("%s/.rules-XXXXXX", dir);
	fd = g_mkstemp_full(tmp, O_WRONLY | O_CLOEXEC, 0600);
	if (fd >= 0) {
		while (off < len) {
			ssize_t put = write(fd, bytes + off, len - off);

			if (put < 0 && errno == EINTR)
				continue;
			if (put <= 0)
				break;
			off += (size_t)put;
		}
		if (close(fd) != 0 || off != len || rename(tmp, path) != 0)
			(void)unlink(tmp);
		else
			ok = true;
	}
	g_free(tmp);
	free(bytes);		/* Hyperscan allocated it with malloc */
	return ok;
}

hs_database_t *
rules_cache_compile(struct rules_load *L, const char *dir,
    hs_database_t *(*compile)(struct rules_load *), const char **how)
{
	struct stat st;
	hs_database_t *db;
	char *key, *path;

	*how = "compiled";
	if (dir == NULL || *dir == '\0')
		return compile(L);
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode) ||
	    !rules_cache_safe(&st)) {
		*how = "compiled; the cache directory is missing or unsafe";
		return compile(L);
	}
	key = rules_cache_key(L);
	path = g_strdup_printf("%s/rules-%s.hsdb", dir, key);
	db = rules_cache_read(path);
	if (db != NULL)
		*how = "loaded from the cache";
	else {
		db = compile(L);
		if (db != NULL)
			*how = rules_cache_write(dir, path, db) ?
			    "compiled and cached" :
			    "compiled; cannot write the cache";
	}
	g_free(path);
	g_free(key);
	return db;
}
