/*
 * history_sqlite.c - the SQLite history backend ("sqlite:/path/file.db").
 *
 * Exports hist_sqlite_open(); everything else is reached through the
 * vtable (history.h), with the semantics of history_mem.c.
 *
 * One connection per handle, guarded by the handle's mutex, so milter
 * threads may share a handle.  Every vtable call is one transaction
 * (BEGIN IMMEDIATE ... COMMIT), so several handles or processes on one
 * file count exactly too.  WAL journal, synchronous=NORMAL, a busy
 * timeout of SQ_BUSY_MS: a lock held longer makes the call fail (-1),
 * it never hangs.  Statements are prepared once per handle.
 *
 * The schema version is PRAGMA user_version; sq_migrate() brings an
 * older file up one step at a time (sq_migrations[]).  A file of
 * another application, or of a newer schema, is refused.  Rows older
 * than every window are pruned at most once an hour per handle.
 *
 * Diagnoses (in *err, "sqlite:PATH: what: reason"): a missing directory,
 * a file that is not a database, a foreign or newer schema, and any
 * SQLite error (locked, corrupt, full disk).  No message content is
 * stored: see history.h.
 */
#include "history.h"

#include <errno.h>
#include <fcntl.h>
#include <json-glib/json-glib.h>
#include <pthread.h>
#include <sqlite3.h>
#include <string.h>
#include <unistd.h>

#define SQ_BUSY_MS	5000	/* longest wait for another writer */
#define SQ_PRUNE_EVERY	(3600 * G_TIME_SPAN_SECOND)
#define SQ_KEEP_MIN	(366 * 24 * 3600)	/* opportunistic prune keeps */
#define SQ_APP_ID	0x45534d48	/* PRAGMA application_id, "ESMH" */

/* Schema steps: sq_migrations[v] takes a file from version v to v + 1.
 * Add version 2 by appending its step; never edit an old one. */
static const char *const sq_migrations[] = {
	/* 0 -> 1 */
	"CREATE TABLE hist ("
	" id INTEGER PRIMARY KEY,"	/* stable insertion order (dump) */
	" customer TEXT NOT NULL,"
	" order_no TEXT,"
	" msgid TEXT NOT NULL,"		/* a hash, from the caller */
	" category TEXT,"		/* NULL: an escalation mark */
	" rule TEXT,"			/* rule id, or a mark's fired list */
	" count INTEGER NOT NULL,"
	" t INTEGER NOT NULL);"
	"CREATE INDEX hist_customer ON hist(customer, category, t);"
	"CREATE INDEX hist_order ON hist(order_no, category, t)"
	" WHERE order_no IS NOT NULL;"
	"CREATE INDEX hist_msgid ON hist(customer, msgid);",
};
#define SQ_VERSION ((int)G_N_ELEMENTS(sq_migrations))

/* Cached statements, one set per handle. */
enum sq_stmt {
	SQ_BEGIN, SQ_COMMIT, SQ_ROLLBACK, SQ_DEL_CATS, SQ_SUM, SQ_STICKY,
	SQ_INSERT, SQ_DEL_MARK, SQ_DUMP, SQ_FORGET, SQ_PRUNE, SQ_NSTMT
};

/* Records of this customer, plus those of other customers that share
 * the order number (?5) -- each record once.  ?4 is this message. */
#define SQ_RELATED(cols, cond)                                              \
	"SELECT " cols " FROM hist WHERE customer = ?1 AND " cond            \
	" AND msgid <> ?4 UNION ALL SELECT " cols " FROM hist"               \
	" WHERE ?5 IS NOT NULL AND order_no = ?5 AND customer <> ?1 AND "    \
	cond " AND msgid <> ?4"

static const char *const sq_sql[SQ_NSTMT] = {
	[SQ_BEGIN] = "BEGIN IMMEDIATE",
	[SQ_COMMIT] = "COMMIT",
	[SQ_ROLLBACK] = "ROLLBACK",
	[SQ_DEL_CATS] = "DELETE FROM hist WHERE customer = ?1 AND msgid = ?2"
	    " AND category IS NOT NULL",
	/* ?2 category, ?3 oldest time counted */
	[SQ_SUM] = "SELECT total(count), min(t) FROM ("
	    SQ_RELATED("count, t", "category = ?2 AND t >= ?3") ")",
	/* ?3 oldest time counted; the latest mark wins, ties: the later */
	[SQ_STICKY] = "SELECT rule, t FROM ("
	    SQ_RELATED("rule, t, id", "category IS NULL AND t >= ?3")
	    ") ORDER BY t DESC, id DESC LIMIT 1",
	[SQ_INSERT] = "INSERT INTO hist (customer, order_no, msgid, category,"
	    " rule, count, t) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[SQ_DEL_MARK] = "DELETE FROM hist WHERE customer = ?1 AND msgid = ?2"
	    " AND category IS NULL",
	[SQ_DUMP] = "SELECT t, category, rule, count, order_no, msgid"
	    " FROM hist WHERE customer = ?1 ORDER BY id",
	[SQ_FORGET] = "DELETE FROM hist WHERE customer = ?1",
	[SQ_PRUNE] = "DELETE FROM hist WHERE t < ?1",
};

struct hist_sqlite {
	struct history base;
	pthread_mutex_t lock;	/* guards everything below */
	sqlite3 *db;
	char *path;
	sqlite3_stmt *st[SQ_NSTMT];
	gint64 pruned;		/* monotonic time of the last prune, or 0 */
};

/* Sets *err to "sqlite:PATH: what: SQLite's reason". */
static void
sq_error(struct hist_sqlite *h, char **err, const char *what)
{
	*err = g_strdup_printf("sqlite:%s: %s: %s", h->path, what,
	    sqlite3_errmsg(h->db));
}

/* now - window, without overflow. */
static int64_t
sq_since(int64_t now, int64_t window)
{
	int64_t since;

	if (__builtin_sub_overflow(now, window, &since))
		return window > 0 ? INT64_MIN : INT64_MAX;
	return since;
}

/* Binds text (NULL binds NULL); the string must outlive the step. */
static int
sq_text(sqlite3_stmt *st, int i, const char *s)
{
	return sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
}

/* Steps a statement that returns no rows; resets it.  SQLITE_OK or the
 * error code, with *err set. */
static int
sq_run(struct hist_sqlite *h, enum sq_stmt s, const char *what, char **err)
{
	int rc = sqlite3_step(h->st[s]);

	if (rc == SQLITE_DONE) {
		sqlite3_reset(h->st[s]);
		return SQLITE_OK;
	}
	sq_error(h, err, what);
	sqlite3_reset(h->st[s]);
	return rc;
}

/* Ends a failed transaction, if one is open. */
static void
sq_rollback(struct hist_sqlite *h)
{
	for (int s = 0; s < SQ_NSTMT; s++)
		sqlite3_reset(h->st[s]);
	if (!sqlite3_get_autocommit(h->db))
		(void)sqlite3_step(h->st[SQ_ROLLBACK]);
	sqlite3_reset(h->st[SQ_ROLLBACK]);
}

/* Binds the related-records parameters of SQ_SUM and SQ_STICKY. */
static int
sq_bind_related(sqlite3_stmt *st, const struct hist_msg *m, int64_t since)
{
	int rc = sq_text(st, 1, m->customer);

	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 3, since);
	if (rc == SQLITE_OK)
		rc = sq_text(st, 4, m->msgid);
	if (rc == SQLITE_OK)
		rc = sq_text(st, 5, m->order);
	return rc;
}

/* Adds other messages' counts per category within its window. */
static int
sq_exchange_counts(struct hist_sqlite *h, const struct hist_msg *m,
    struct hist_result *res, char **err)
{
	sqlite3_stmt *st = h->st[SQ_SUM];

	for (size_t c = 0; c < m->ncats; c++) {
		int rc = sq_bind_related(st, m, sq_since(m->now,
		    m->windows[c]));

		if (rc == SQLITE_OK)
			rc = sq_text(st, 2, m->cat_ids[c]);
		if (rc == SQLITE_OK)
			rc = sqlite3_step(st);
		if (rc != SQLITE_ROW) {
			sq_error(h, err, "counting history");
			return -1;
		}
		res->prior[c] += (unsigned)sqlite3_column_int64(st, 0);
		if (sqlite3_column_type(st, 1) != SQLITE_NULL) {
			int64_t t = sqlite3_column_int64(st, 1);

			if (res->first[c] == 0 || t < res->first[c])
				res->first[c] = t;
		}
		sqlite3_reset(st);
	}
	return 0;
}

/* Looks for the latest escalation mark within the sticky window. */
static int
sq_exchange_sticky(struct hist_sqlite *h, const struct hist_msg *m,
    struct hist_result *res, char **err)
{
	sqlite3_stmt *st = h->st[SQ_STICKY];
	int rc = sq_bind_related(st, m, sq_since(m->now, m->sticky_window));

	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_int64(st, 1) >=
	    res->sticky_time) {
		res->sticky = true;
		res->sticky_time = sqlite3_column_int64(st, 1);
		g_free(res->sticky_fired);
		res->sticky_fired = g_strdup((const char *)
		    sqlite3_column_text(st, 0));
	} else if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		sq_error(h, err, "reading escalations");
		sqlite3_reset(st);
		return -1;
	}
	sqlite3_reset(st);
	return 0;
}

/* Inserts one record of this message (cat NULL: an escalation mark). */
static int
sq_insert(struct hist_sqlite *h, const struct hist_msg *m, const char *cat,
    const char *rule, unsigned count, char **err)
{
	sqlite3_stmt *st = h->st[SQ_INSERT];
	int rc = sq_text(st, 1, m->customer);

	if (rc == SQLITE_OK)
		rc = sq_text(st, 2, m->order);
	if (rc == SQLITE_OK)
		rc = sq_text(st, 3, m->msgid);
	if (rc == SQLITE_OK)
		rc = sq_text(st, 4, cat);
	if (rc == SQLITE_OK)
		rc = sq_text(st, 5, rule);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 6, count);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 7, m->now);
	if (rc != SQLITE_OK) {
		sq_error(h, err, "recording");
		return -1;
	}
	return sq_run(h, SQ_INSERT, "recording", err) == SQLITE_OK ? 0 : -1;
}

/* Deletes this message's records of one kind (SQ_DEL_CATS|SQ_DEL_MARK). */
static int
sq_delete_msg(struct hist_sqlite *h, enum sq_stmt s, const struct hist_msg *m,
    char **err)
{
	int rc = sq_text(h->st[s], 1, m->customer);

	if (rc == SQLITE_OK)
		rc = sq_text(h->st[s], 2, m->msgid);
	if (rc == SQLITE_OK)
		rc = sq_run(h, s, "replacing a message", err);
	else
		sq_error(h, err, "replacing a message");
	return rc == SQLITE_OK ? 0 : -1;
}

/* Drops rows older than every window, at most once an hour.  Runs in
 * its own transaction after the caller's; a failure only delays it. */
static void
sq_maybe_prune(struct hist_sqlite *h, const struct hist_msg *m)
{
	gint64 mono = g_get_monotonic_time();
	int64_t keep = MAX(SQ_KEEP_MIN, m->sticky_window);
	char *err = NULL;

	if (h->pruned != 0 && mono - h->pruned < SQ_PRUNE_EVERY)
		return;
	h->pruned = mono;
	for (size_t c = 0; c < m->ncats; c++)
		keep = MAX(keep, m->windows[c]);
	if (sqlite3_bind_int64(h->st[SQ_PRUNE], 1, sq_since(m->now, keep)) !=
	    SQLITE_OK || sq_run(h, SQ_PRUNE, "pruning", &err) != SQLITE_OK)
		g_free(err);	/* busy or failing: the next hour will do */
}

static int
sq_exchange(struct history *base, const struct hist_msg *m,
    struct hist_result *res, char **err)
{
	struct hist_sqlite *h = (struct hist_sqlite *)base;
	int rc = -1;

	pthread_mutex_lock(&h->lock);
	if (sq_run(h, SQ_BEGIN, "starting a transaction", err) != SQLITE_OK)
		goto fail;
	if (sq_delete_msg(h, SQ_DEL_CATS, m, err) != 0 ||
	    sq_exchange_counts(h, m, res, err) != 0)
		goto fail;
	if (m->sticky_window > 0 && sq_exchange_sticky(h, m, res, err) != 0)
		goto fail;
	for (size_t c = 0; c < m->ncats; c++)
		if (m->counts[c] > 0 && sq_insert(h, m, m->cat_ids[c],
		    m->rules[c], m->counts[c], err) != 0)
			goto fail;
	if (sq_run(h, SQ_COMMIT, "committing", err) != SQLITE_OK)
		goto fail;
	rc = 0;
	sq_maybe_prune(h, m);
	goto done;
fail:
	sq_rollback(h);
	/* the caller judges the message on its own: no half answers */
	memset(res->prior, 0, m->ncats * sizeof(*res->prior));
	memset(res->first, 0, m->ncats * sizeof(*res->first));
	res->sticky = false;
	res->sticky_time = 0;
	res->sticky_fired = (g_free(res->sticky_fired), NULL);
done:
	pthread_mutex_unlock(&h->lock);
	return rc;
}

static int
sq_mark(struct history *base, const struct hist_msg *m, const char *fired,
    char **err)
{
	struct hist_sqlite *h = (struct hist_sqlite *)base;
	int rc = -1;

	pthread_mutex_lock(&h->lock);
	if (sq_run(h, SQ_BEGIN, "starting a transaction", err) != SQLITE_OK)
		goto fail;
	if (sq_delete_msg(h, SQ_DEL_MARK, m, err) != 0 ||
	    sq_insert(h, m, NULL, fired, 0, err) != 0)
		goto fail;
	if (sq_run(h, SQ_COMMIT, "committing", err) != SQLITE_OK)
		goto fail;
	rc = 0;
	goto done;
fail:
	sq_rollback(h);
done:
	pthread_mutex_unlock(&h->lock);
	return rc;
}

/* Adds a text column to the builder: a string or null. */
static void
sq_json_text(JsonBuilder *b, const char *key, sqlite3_stmt *st, int col,
    const char *null_as)
{
	const char *s = (const char *)sqlite3_column_text(st, col);

	json_builder_set_member_name(b, key);
	if (s == NULL)
		s = null_as;
	if (s == NULL)
		json_builder_add_null_value(b);
	else
		json_builder_add_string_value(b, s);
}

/* The customer's records as history_mem.c writes them. */
static int
sq_dump(struct history *base, const char *customer, GString *out,
    char **err)
{
	struct hist_sqlite *h = (struct hist_sqlite *)base;
	sqlite3_stmt *st = h->st[SQ_DUMP];
	JsonBuilder *b = json_builder_new();
	int rc;

	json_builder_begin_array(b);
	pthread_mutex_lock(&h->lock);
	rc = sq_text(st, 1, customer);
	while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		bool mark = sqlite3_column_type(st, 1) == SQLITE_NULL;

		rc = SQLITE_OK;
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "time");
		json_builder_add_int_value(b, sqlite3_column_int64(st, 0));
		sq_json_text(b, "category", st, 1, NULL);
		sq_json_text(b, mark ? "escalated" : "rule", st, 2, "");
		json_builder_set_member_name(b, "count");
		json_builder_add_int_value(b, sqlite3_column_int64(st, 3));
		sq_json_text(b, "order", st, 4, NULL);
		sq_json_text(b, "msgid", st, 5, "");
		json_builder_end_object(b);
	}
	if (rc != SQLITE_DONE)
		sq_error(h, err, "reading the customer's records");
	sqlite3_reset(st);
	pthread_mutex_unlock(&h->lock);
	json_builder_end_array(b);
	if (rc == SQLITE_DONE) {
		JsonGenerator *gen = json_generator_new();
		JsonNode *root = json_builder_get_root(b);

		json_generator_set_root(gen, root);
		/* json_generator_to_gstring() needs json-glib 1.4 */
		json_generator_to_gstring(gen, out);
		json_node_unref(root);
		g_object_unref(gen);
	}
	g_object_unref(b);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int
sq_forget(struct history *base, const char *customer, unsigned *removed,
    char **err)
{
	struct hist_sqlite *h = (struct hist_sqlite *)base;
	int rc;

	*removed = 0;
	pthread_mutex_lock(&h->lock);
	rc = sq_text(h->st[SQ_FORGET], 1, customer);
	if (rc == SQLITE_OK)
		rc = sq_run(h, SQ_FORGET, "forgetting", err);
	else
		sq_error(h, err, "forgetting");
	if (rc == SQLITE_OK)
		*removed = (unsigned)sqlite3_changes(h->db);
	pthread_mutex_unlock(&h->lock);
	return rc == SQLITE_OK ? 0 : -1;
}

static int
sq_prune(struct history *base, int64_t before, char **err)
{
	struct hist_sqlite *h = (struct hist_sqlite *)base;
	int rc;

	pthread_mutex_lock(&h->lock);
	rc = sqlite3_bind_int64(h->st[SQ_PRUNE], 1, before);
	if (rc == SQLITE_OK)
		rc = sq_run(h, SQ_PRUNE, "pruning", err);
	else
		sq_error(h, err, "pruning");
	pthread_mutex_unlock(&h->lock);
	return rc == SQLITE_OK ? 0 : -1;
}

/* Frees everything; accepts a half-opened handle. */
static void
sq_free(struct hist_sqlite *h)
{
	for (int s = 0; s < SQ_NSTMT; s++)
		sqlite3_finalize(h->st[s]);
	if (h->db != NULL)
		sqlite3_close_v2(h->db);
	pthread_mutex_destroy(&h->lock);
	g_free(h->path);
	g_free(h);
}

static void
sq_close(struct history *base)
{
	struct hist_sqlite *h = (struct hist_sqlite *)base;

	/* cheap; keeps the planner's statistics current */
	(void)sqlite3_exec(h->db, "PRAGMA optimize", NULL, NULL, NULL);
	sq_free(h);
}

static const struct hist_ops sq_ops = {
	"sqlite", sq_exchange, sq_mark, sq_dump, sq_forget, sq_prune,
	sq_close,
};

/* Runs one PRAGMA that returns an integer into *value. */
static int
sq_pragma_int(struct hist_sqlite *h, const char *sql, int *value, char **err)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(h->db, sql, -1, &st, NULL);

	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*value = sqlite3_column_int(st, 0);
	else
		sq_error(h, err, "reading the schema version");
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

/* Checks the file is ours (or empty) and brings its schema up to
 * SQ_VERSION, all in one transaction. */
static int
sq_migrate(struct hist_sqlite *h, char **err)
{
	int version = 0, app = 0, tables = 0;
	char *sql = NULL;

	if (sqlite3_exec(h->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
	    SQLITE_OK) {
		sq_error(h, err, "opening");
		return -1;
	}
	if (sq_pragma_int(h, "PRAGMA user_version", &version, err) != 0 ||
	    sq_pragma_int(h, "PRAGMA application_id", &app, err) != 0 ||
	    sq_pragma_int(h, "SELECT count(*) FROM sqlite_master", &tables,
	    err) != 0)
		goto fail;
	if (app != SQ_APP_ID && (app != 0 || tables > 0)) {
		*err = g_strdup_printf("sqlite:%s: not an escalation-milter "
		    "history (another application's database)", h->path);
		goto fail;
	}
	if (version > SQ_VERSION) {
		*err = g_strdup_printf("sqlite:%s: schema version %d is newer "
		    "than this program's (%d)", h->path, version, SQ_VERSION);
		goto fail;
	}
	for (; version < SQ_VERSION; version++)
		if (sqlite3_exec(h->db, sq_migrations[version], NULL, NULL,
		    NULL) != SQLITE_OK) {
			sq_error(h, err, "upgrading the schema");
			goto fail;
		}
	sql = g_strdup_printf("PRAGMA application_id = %d; "
	    "PRAGMA user_version = %d; COMMIT", SQ_APP_ID, SQ_VERSION);
	if (sqlite3_exec(h->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		sq_error(h, err, "upgrading the schema");
		goto fail;
	}
	g_free(sql);
	return 0;
fail:
	g_free(sql);
	if (!sqlite3_get_autocommit(h->db))
		(void)sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/* Walks the first path of the table and of each index: a few pages,
 * enough to refuse a file whose data pages are garbage at open rather
 * than fail every message.  (A full integrity_check is O(size).) */
static int
sq_probe(struct hist_sqlite *h, char **err)
{
	static const char *const probes[] = {
		"SELECT id FROM hist ORDER BY id LIMIT 1",
		"SELECT t FROM hist INDEXED BY hist_customer"
		" ORDER BY customer, category, t LIMIT 1",
		"SELECT t FROM hist INDEXED BY hist_order"
		" WHERE order_no IS NOT NULL ORDER BY order_no, category, t"
		" LIMIT 1",
		"SELECT id FROM hist INDEXED BY hist_msgid"
		" ORDER BY customer, msgid LIMIT 1",
	};

	for (size_t i = 0; i < G_N_ELEMENTS(probes); i++) {
		sqlite3_stmt *st = NULL;
		int rc = sqlite3_prepare_v2(h->db, probes[i], -1, &st, NULL);

		if (rc == SQLITE_OK)
			rc = sqlite3_step(st);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
			sq_error(h, err, "reading");
			sqlite3_finalize(st);
			return -1;
		}
		sqlite3_finalize(st);
	}
	return 0;
}

/* Creates a missing file owner-only (it names customers); SQLite gives
 * the -wal and -shm files the database's mode. */
static int
sq_create(const char *path, char **err)
{
	char *dir = g_path_get_dirname(path);
	int fd, rc = -1;

	if (!g_file_test(dir, G_FILE_TEST_IS_DIR)) {
		*err = g_strdup_printf("sqlite:%s: directory %s does not exist",
		    path, dir);
		goto done;
	}
	if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
		*err = g_strdup_printf("sqlite:%s: is a directory", path);
		goto done;
	}
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 && errno != EEXIST) {
		*err = g_strdup_printf("sqlite:%s: %s", path,
		    g_strerror(errno));
		goto done;
	}
	if (fd >= 0)
		close(fd);
	rc = 0;
done:
	g_free(dir);
	return rc;
}

/* Opens the connection and sets it up; the first read finds a file
 * that is not a database. */
static int
sq_connect(struct hist_sqlite *h, char **err)
{
	static const char setup[] = "PRAGMA synchronous = NORMAL;"
	    "PRAGMA foreign_keys = OFF; PRAGMA secure_delete = FAST;";
	int rc = sqlite3_open_v2(h->path, &h->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);

	if (rc != SQLITE_OK) {
		if (h->db == NULL)
			*err = g_strdup_printf("sqlite:%s: out of memory",
			    h->path);
		else
			sq_error(h, err, "opening");
		return -1;
	}
	sqlite3_busy_timeout(h->db, SQ_BUSY_MS);
	/* WAL: readers never wait for the writer; it stays set in the file */
	if (sqlite3_exec(h->db, "PRAGMA journal_mode = WAL", NULL, NULL,
	    NULL) != SQLITE_OK || sqlite3_exec(h->db, setup, NULL, NULL,
	    NULL) != SQLITE_OK) {
		sq_error(h, err, "opening");
		return -1;
	}
	return 0;
}

/*
 * Opens (creating if need be) the history in path; the directory must
 * exist.  Returns a new handle (hist_close), or NULL with *err set.
 */
struct history *
hist_sqlite_open(const char *path, char **err)
{
	struct hist_sqlite *h;

	*err = NULL;
	if (sq_create(path, err) != 0)
		return NULL;
	h = g_new0(struct hist_sqlite, 1);
	h->base.ops = &sq_ops;
	pthread_mutex_init(&h->lock, NULL);
	h->path = g_strdup(path);
	if (sq_connect(h, err) != 0 || sq_migrate(h, err) != 0 ||
	    sq_probe(h, err) != 0)
		goto fail;
	for (int s = 0; s < SQ_NSTMT; s++)
		if (sqlite3_prepare_v3(h->db, sq_sql[s], -1,
		    SQLITE_PREPARE_PERSISTENT, &h->st[s], NULL) != SQLITE_OK) {
			sq_error(h, err, "preparing statements");
			goto fail;
		}
	return &h->base;
fail:
	sq_free(h);
	return NULL;
}
