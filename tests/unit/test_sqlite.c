/*
 * test_sqlite.c - what only the SQLite history backend does: schema
 * version and upgrade, refusing foreign, newer, corrupt and non-SQLite
 * files with a clean error, a lock held past the busy timeout (an
 * error, not a hang), owner-only file permissions, opportunistic
 * pruning, and a dump identical to the memory backend's.  The shared
 * semantics are in test_history.c.
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"
#include "history.h"

#define DAY (24 * 3600)
#define T0 1700000000

static char *tmpdir;

/* A fresh path in the temporary directory. */
static char *
db_path(const char *name)
{
	return g_build_filename(tmpdir, name, NULL);
}

static void
db_unlink(const char *path)
{
	char *wal = g_strconcat(path, "-wal", NULL);
	char *shm = g_strconcat(path, "-shm", NULL);

	g_unlink(path);
	g_unlink(wal);
	g_unlink(shm);
	g_free(wal);
	g_free(shm);
}

/* Runs sql on path with a separate connection; returns the first
 * integer column of the last row, or -1. */
static long
db_sql(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	const char *tail = sql;
	long v = -1;

	if (sqlite3_open(path, &db) != SQLITE_OK)
		goto done;
	while (tail != NULL && *tail != '\0') {
		if (sqlite3_prepare_v2(db, tail, -1, &st, &tail) != SQLITE_OK)
			goto done;
		if (st == NULL)
			break;
		while (sqlite3_step(st) == SQLITE_ROW)
			v = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		st = NULL;
	}
done:
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static const char *const cats[] = { "review-threat", "abuse" };
static const int64_t windows[] = { 30 * DAY, 7 * DAY };
static const char *const rules[] = { "review.\"bad\"\\", "abuse.idiot" };

/* Exchanges one message; returns the backend's result code. */
static int
xchg(struct history *h, const char *customer, const char *order,
    const char *msgid, int64_t t, unsigned c0, unsigned c1,
    struct hist_result *r, char **err)
{
	unsigned counts[] = { c0, c1 };
	struct hist_msg m = { customer, order, msgid, t, 2, cats, counts,
		rules, windows, 30 * DAY };

	hist_result_init(r, 2);
	return hist_exchange(h, &m, r, err);
}

/* Opens spec, expecting a failure whose message contains want. */
static void
open_fails(const char *spec, const char *want, const char *what)
{
	char *err = NULL;
	struct history *h = hist_open(spec, &err);

	CHECK(h == NULL && err != NULL && strstr(err, want) != NULL,
	    "%s: open fails with \"%s\": %s", what, want, err ? err : "");
	hist_close(h);
	g_free(err);
}

static void
test_fresh(void)
{
	char *path = db_path("fresh.db"), *spec = g_strconcat("sqlite:", path,
	    NULL), *wal = g_strconcat(path, "-wal", NULL), *err = NULL;
	struct history *h = hist_open(spec, &err);
	struct hist_result r;
	struct stat st;

	CHECK(h != NULL && strcmp(h->ops->name, "sqlite") == 0, "open: %s",
	    err ? err : "");
	if (h == NULL)
		goto done;
	CHECK(xchg(h, "a@example.com", NULL, "m1", T0, 1, 0, &r, &err) == 0,
	    "exchange on a fresh file");
	hist_result_clear(&r);
	CHECK(db_sql(path, "PRAGMA user_version") == 1, "schema version 1");
	CHECK(db_sql(path, "PRAGMA application_id") == 0x45534d48,
	    "application id");
	CHECK(db_sql(path, "SELECT count(*) FROM sqlite_master WHERE "
	    "type = 'index' AND name LIKE 'hist_%'") == 3, "three indexes");
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600,
	    "the database is owner-only (%o)", st.st_mode & 0777);
	CHECK(stat(wal, &st) == 0 && (st.st_mode & 0777) == 0600,
	    "the WAL is owner-only (%o)", st.st_mode & 0777);
	hist_close(h);
	CHECK(db_sql(path, "SELECT count(*) FROM hist WHERE customer = "
	    "'a@example.com' AND msgid = 'm1' AND count = 1") == 1,
	    "the record is stored as given");
	/* reopening a current file keeps its records */
	h = hist_open(spec, &err);
	CHECK(h != NULL && xchg(h, "a@example.com", NULL, "m2", T0 + 1, 0, 0,
	    &r, &err) == 0 && r.prior[0] == 1, "reopen keeps the history");
	hist_result_clear(&r);
	hist_close(h);
done:
	db_unlink(path);
	g_free(err);
	g_free(wal);
	g_free(spec);
	g_free(path);
}

static void
test_versions(void)
{
	char *path = db_path("v.db"), *spec = g_strconcat("sqlite:", path,
	    NULL), *err = NULL;
	struct history *h;
	struct hist_result r;

	/* version 0: an empty SQLite file is brought up to version 1 */
	db_sql(path, "PRAGMA user_version = 0; VACUUM");
	h = hist_open(spec, &err);
	CHECK(h != NULL && xchg(h, "a@example.com", NULL, "m1", T0, 1, 0, &r,
	    &err) == 0, "an empty version-0 file is upgraded: %s",
	    err ? err : "");
	hist_result_clear(&r);
	hist_close(h);
	CHECK(db_sql(path, "PRAGMA user_version") == 1,
	    "upgraded to version 1");
	/* a newer schema is refused, the file left alone */
	db_sql(path, "PRAGMA user_version = 7");
	open_fails(spec, "schema version 7 is newer", "newer schema");
	CHECK(db_sql(path, "SELECT count(*) FROM hist") == 1,
	    "a refused file keeps its records");
	db_unlink(path);
	/* another application's database is not touched */
	db_sql(path, "CREATE TABLE customers (name TEXT)");
	open_fails(spec, "not an escalation-milter history", "foreign file");
	CHECK(db_sql(path, "SELECT count(*) FROM sqlite_master WHERE "
	    "name = 'hist'") == 0, "no table added to a foreign file");
	db_unlink(path);
	g_free(err);
	g_free(spec);
	g_free(path);
}

/* Not a database, a damaged one, a missing directory. */
static void
test_broken_files(void)
{
	char *path = db_path("bad.db"), *spec = g_strconcat("sqlite:", path,
	    NULL), *err = NULL;
	struct history *h;
	struct hist_result r;
	GString *big = g_string_new(NULL);

	open_fails("sqlite:/nonexistent-dir/x/h.db", "does not exist",
	    "missing directory");
	for (int i = 0; i < 200; i++)
		g_string_append(big, "From: someone\nthis is not SQLite\n");
	g_file_set_contents(path, big->str, (gssize)big->len, NULL);
	open_fails(spec, "file is not a database", "text file");
	db_unlink(path);

	/* a real history whose pages are overwritten with garbage */
	h = hist_open(spec, &err);
	for (int i = 0; h != NULL && i < 300; i++) {
		char id[16];

		g_snprintf(id, sizeof(id), "m%d", i);
		xchg(h, "a@example.com", NULL, id, T0 + i, 1, 1, &r, &err);
		hist_result_clear(&r);
	}
	hist_close(h);
	db_sql(path, "PRAGMA wal_checkpoint(TRUNCATE)");
	{
		gchar *data = NULL;
		gsize len = 0;

		g_file_get_contents(path, &data, &len, NULL);
		for (gsize i = 4096; i < len; i++)
			data[i] = (char)(i * 7);
		g_file_set_contents(path, data, (gssize)len, NULL);
		g_free(data);
	}
	h = hist_open(spec, &err);
	if (h != NULL) {
		int rc = xchg(h, "a@example.com", NULL, "x", T0 + 999, 1, 0,
		    &r, &err);

		CHECK(rc == -1 && err != NULL && r.prior[0] == 0,
		    "a corrupt file gives an error and no counts: %s",
		    err ? err : "");
		hist_result_clear(&r);
		hist_close(h);
	} else {
		CHECK(err != NULL && strstr(err, "malformed") != NULL,
		    "a file with garbage data pages is refused: %s", err);
	}
	g_free(err);
	db_unlink(path);
	g_string_free(big, TRUE);
	g_free(spec);
	g_free(path);
}

/* Another writer holds the lock longer than the busy timeout (5 s). */
static void
test_locked(void)
{
	char *path = db_path("locked.db"), *spec = g_strconcat("sqlite:", path,
	    NULL), *err = NULL;
	struct history *h = hist_open(spec, &err);
	struct hist_result r;
	sqlite3 *other = NULL;
	gint64 start;
	int rc;

	CHECK(h != NULL, "open: %s", err ? err : "");
	if (h == NULL)
		goto done;
	xchg(h, "a@example.com", NULL, "m1", T0, 1, 0, &r, &err);
	hist_result_clear(&r);
	sqlite3_open(path, &other);
	CHECK(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL) ==
	    SQLITE_OK, "another connection takes the write lock");
	start = g_get_monotonic_time();
	rc = xchg(h, "a@example.com", NULL, "m2", T0 + 1, 1, 0, &r, &err);
	start = (g_get_monotonic_time() - start) / 1000;
	CHECK(rc == -1 && err != NULL && strstr(err, "locked") != NULL &&
	    r.prior[0] == 0, "a locked database is an error: %s",
	    err ? err : "");
	CHECK(start >= 4000 && start < 8000, "after the busy timeout, not "
	    "before and not forever (%ld ms)", (long)start);
	hist_result_clear(&r);
	g_free(err);
	err = NULL;
	sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(other);
	CHECK(xchg(h, "a@example.com", NULL, "m2", T0 + 1, 1, 0, &r, &err) ==
	    0 && r.prior[0] == 1, "the handle works again after the lock");
	hist_result_clear(&r);
	hist_close(h);
done:
	g_free(err);
	db_unlink(path);
	g_free(spec);
	g_free(path);
}

/* Rows older than every window (and a year) go at a handle's first
 * exchange; younger ones stay. */
static void
test_auto_prune(void)
{
	char *path = db_path("prune.db"), *spec = g_strconcat("sqlite:", path,
	    NULL), *err = NULL;
	struct history *h = hist_open(spec, &err);
	struct hist_result r;

	xchg(h, "a@example.com", NULL, "old", T0 - 400 * DAY, 1, 0, &r, &err);
	hist_result_clear(&r);
	xchg(h, "a@example.com", NULL, "young", T0 - 300 * DAY, 1, 0, &r,
	    &err);
	hist_result_clear(&r);
	hist_close(h);
	CHECK(db_sql(path, "SELECT count(*) FROM hist") == 2, "two records");
	h = hist_open(spec, &err);
	xchg(h, "b@example.com", NULL, "now", T0, 0, 0, &r, &err);
	hist_result_clear(&r);
	hist_close(h);
	CHECK(db_sql(path, "SELECT count(*) FROM hist WHERE msgid = 'old'") ==
	    0 && db_sql(path, "SELECT count(*) FROM hist WHERE msgid = "
	    "'young'") == 1, "records older than a year are pruned");
	g_free(err);
	db_unlink(path);
	g_free(spec);
	g_free(path);
}

/* The same calls give the same dump as the memory backend. */
static void
test_dump_like_memory(void)
{
	char *path = db_path("dump.db"), *spec = g_strconcat("sqlite:", path,
	    NULL), *err = NULL;
	struct history *hs[2] = { hist_open("memory:", &err),
		hist_open(spec, &err) };
	GString *out[2] = { g_string_new(NULL), g_string_new(NULL) };

	for (int i = 0; i < 2; i++) {
		struct hist_result r;
		unsigned counts[] = { 2, 0 };
		struct hist_msg m = { "d@example.com", "113-1", "m2", T0 + 9,
			2, cats, counts, rules, windows, 30 * DAY };

		xchg(hs[i], "d@example.com", NULL, "m1", T0, 1, 1, &r, &err);
		hist_result_clear(&r);
		xchg(hs[i], "d@example.com", "113-1", "m2", T0 + 5, 1, 0, &r,
		    &err);
		hist_result_clear(&r);
		hist_result_init(&r, 2);
		hist_exchange(hs[i], &m, &r, &err);	/* replaces m2 */
		hist_result_clear(&r);
		hist_mark(hs[i], &m, "review-threat,abuse", &err);
		xchg(hs[i], "e@example.com", NULL, "e1", T0, 1, 1, &r, &err);
		hist_result_clear(&r);
		CHECK(hs[i]->ops->dump(hs[i], "d@example.com", out[i], &err) ==
		    0, "dump %s", hs[i]->ops->name);
		hist_close(hs[i]);
	}
	CHECK(strcmp(out[0]->str, out[1]->str) == 0, "sqlite dumps as memory "
	    "does:\n  %s\n  %s", out[0]->str, out[1]->str);
	g_string_free(out[0], TRUE);
	g_string_free(out[1], TRUE);
	g_free(err);
	db_unlink(path);
	g_free(spec);
	g_free(path);
}

int
main(void)
{
	tmpdir = g_dir_make_tmp("histsq-XXXXXX", NULL);
	test_fresh();
	test_versions();
	test_broken_files();
	test_auto_prune();
	test_dump_like_memory();
	test_locked();
	g_rmdir(tmpdir);
	g_free(tmpdir);
	return harness_done("sqlite");
}
