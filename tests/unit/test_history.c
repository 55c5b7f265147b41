/*
 * test_history.c - one suite of history semantics for every backend:
 * counting across messages, exactly once per Message-ID, windows with an
 * injected clock, order numbers linking customers, sticky escalation,
 * forget, dump, prune, and concurrent writers counting exactly.
 *
 * Backends come from $HISTORY_SPECS (space separated); by default
 * "memory:" and a temporary SQLite file.  tests/history_redis.sh runs it
 * against a real redis-server.
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <pthread.h>
#include <string.h>

#include "harness.h"
#include "history.h"

#define DAY (24 * 3600)

static const char *const cats[] = { "review-threat", "phone-demand",
	"abuse" };
static const int64_t windows[] = { 30 * DAY, 30 * DAY, 7 * DAY };
#define NCATS 3

/* A message of customer with counts c0,c1,c2 at time t. */
static struct hist_msg
msg(const char *customer, const char *order, const char *msgid, int64_t t,
    const unsigned *counts)
{
	static const char *const rules[] = { "review.bad", "phone.call",
		"abuse.idiot" };
	struct hist_msg m = { customer, order, msgid, t, NCATS, cats, counts,
		rules, windows, 30 * DAY };

	return m;
}

/* Exchanges and returns prior[cat]; -1 on a store error. */
static long
xchg(struct history *h, const char *customer, const char *order,
    const char *msgid, int64_t t, unsigned c0, unsigned c1, unsigned c2,
    struct hist_result *out)
{
	unsigned counts[NCATS] = { c0, c1, c2 };
	struct hist_msg m = msg(customer, order, msgid, t, counts);
	char *err = NULL;
	int rc;

	hist_result_init(out, NCATS);
	rc = hist_exchange(h, &m, out, &err);
	if (rc != 0) {
		CHECK(false, "exchange failed: %s", err ? err : "?");
		g_free(err);
		return -1;
	}
	return 0;
}

static void
test_semantics(const char *spec, struct history *h)
{
	const int64_t t0 = 1700000000;
	struct hist_result r;
	char *err = NULL;
	unsigned removed = 0;

	/* first message: nothing before */
	xchg(h, "pat@example.com", NULL, "m1", t0, 1, 1, 0, &r);
	CHECK(r.prior[0] == 0 && r.prior[1] == 0 && !r.sticky,
	    "%s: first message has no history", spec);
	hist_result_clear(&r);

	/* second message six days later: one review threat before */
	xchg(h, "pat@example.com", NULL, "m2", t0 + 6 * DAY, 1, 1, 0, &r);
	CHECK(r.prior[0] == 1 && r.prior[1] == 1 && r.prior[2] == 0,
	    "%s: second message sees the first (%u,%u,%u)", spec, r.prior[0],
	    r.prior[1], r.prior[2]);
	CHECK(r.first[0] == t0, "%s: oldest counted record time", spec);
	hist_result_clear(&r);

	/* the same message again (retry): it does not count twice */
	xchg(h, "pat@example.com", NULL, "m2", t0 + 6 * DAY + 60, 1, 1, 0, &r);
	CHECK(r.prior[0] == 1, "%s: a retried Message-ID is not counted "
	    "again (prior %u)", spec, r.prior[0]);
	hist_result_clear(&r);

	/* third message: two before, from two messages */
	xchg(h, "pat@example.com", NULL, "m3", t0 + 7 * DAY, 0, 2, 0, &r);
	CHECK(r.prior[1] == 2 && r.prior[0] == 2, "%s: counts add up over "
	    "messages (%u,%u)", spec, r.prior[0], r.prior[1]);
	hist_result_clear(&r);

	/* another customer shares nothing ... */
	xchg(h, "sam@example.com", NULL, "s1", t0 + 7 * DAY, 0, 0, 0, &r);
	CHECK(r.prior[0] == 0 && r.prior[1] == 0, "%s: other customers are "
	    "separate", spec);
	hist_result_clear(&r);
	/* ... unless they write about the same order */
	xchg(h, "pat@example.com", "113-1234567-1234567", "m4",
	    t0 + 8 * DAY, 0, 0, 1, &r);
	hist_result_clear(&r);
	xchg(h, "pat.other@example.net", "113-1234567-1234567", "o1",
	    t0 + 8 * DAY + 5, 0, 0, 0, &r);
	CHECK(r.prior[2] == 1, "%s: the same order number links two "
	    "addresses (%u)", spec, r.prior[2]);
	hist_result_clear(&r);

	/* windows: abuse counts back 7 days, reviews 30 */
	xchg(h, "pat@example.com", NULL, "m5", t0 + 16 * DAY, 0, 0, 0, &r);
	CHECK(r.prior[2] == 0, "%s: abuse from 8 days ago is outside its "
	    "7-day window (%u)", spec, r.prior[2]);
	CHECK(r.prior[0] == 2, "%s: reviews within 30 days still count "
	    "(%u)", spec, r.prior[0]);
	hist_result_clear(&r);
	xchg(h, "pat@example.com", NULL, "m6", t0 + 31 * DAY, 0, 0, 0, &r);
	CHECK(r.prior[0] == 1, "%s: the first review threat expired after 30 "
	    "days (%u)", spec, r.prior[0]);
	hist_result_clear(&r);

	/* sticky: an escalation is remembered for the sticky window */
	{
		unsigned counts[NCATS] = { 1, 0, 0 };
		struct hist_msg m = msg("pat@example.com", NULL, "m6",
		    t0 + 31 * DAY, counts);

		CHECK(hist_mark(h, &m, "review-threat", &err) == 0,
		    "%s: mark escalated", spec);
		CHECK(hist_mark(h, &m, "review-threat", &err) == 0,
		    "%s: marking twice is harmless", spec);
	}
	xchg(h, "pat@example.com", NULL, "m7", t0 + 33 * DAY, 0, 0, 0, &r);
	CHECK(r.sticky && r.sticky_fired != NULL &&
	    strcmp(r.sticky_fired, "review-threat") == 0 &&
	    r.sticky_time == t0 + 31 * DAY, "%s: later mail follows the "
	    "escalation (%d, %s)", spec, r.sticky, r.sticky_fired);
	hist_result_clear(&r);
	xchg(h, "pat@example.com", NULL, "m8", t0 + 62 * DAY, 0, 0, 0, &r);
	CHECK(!r.sticky, "%s: the escalation is forgotten after its window",
	    spec);
	hist_result_clear(&r);

	/* dump and forget */
	{
		GString *out = g_string_new(NULL);
		JsonParser *p = json_parser_new();

		CHECK(h->ops->dump(h, "pat@example.com", out, &err) == 0,
		    "%s: dump", spec);
		CHECK(json_parser_load_from_data(p, out->str, -1, NULL) &&
		    JSON_NODE_HOLDS_ARRAY(json_parser_get_root(p)) &&
		    json_array_get_length(json_node_get_array(
			json_parser_get_root(p))) >= 5,
		    "%s: dump is a JSON array of records: %.200s", spec,
		    out->str);
		CHECK(strstr(out->str, "sam@") == NULL, "%s: dump shows only "
		    "that customer", spec);
		g_object_unref(p);
		g_string_free(out, TRUE);
	}
	CHECK(h->ops->forget(h, "pat@example.com", &removed, &err) == 0 &&
	    removed >= 5, "%s: forget removed %u records", spec, removed);
	xchg(h, "pat@example.com", NULL, "m9", t0 + 34 * DAY, 0, 0, 0, &r);
	CHECK(r.prior[0] == 0 && r.prior[1] == 0 && !r.sticky,
	    "%s: nothing left after forget", spec);
	hist_result_clear(&r);

	/* prune drops what is older than a cut-off */
	xchg(h, "old@example.com", NULL, "p1", t0, 1, 0, 0, &r);
	hist_result_clear(&r);
	CHECK(h->ops->prune(h, t0 + 1, &err) == 0, "%s: prune", spec);
	xchg(h, "old@example.com", NULL, "p2", t0 + 2, 0, 0, 0, &r);
	CHECK(r.prior[0] == 0, "%s: pruned records are gone", spec);
	hist_result_clear(&r);
	g_free(err);
}

/* Concurrent writers: every message of one customer sees a distinct
 * prior count, 0 .. N-1, so nothing is lost or counted twice. */
#define THREADS 6
#define PER_THREAD 20

struct worker {
	const char *spec;
	struct history *shared;	/* or NULL: open an own handle */
	int id;
	unsigned seen[PER_THREAD];
	int errors;
};

static void *
worker_run(void *arg)
{
	struct worker *w = arg;
	struct history *h = w->shared;
	char *err = NULL;

	if (h == NULL)
		h = hist_open(w->spec, &err);
	if (h == NULL) {
		w->errors = PER_THREAD;
		g_free(err);
		return NULL;
	}
	for (int i = 0; i < PER_THREAD; i++) {
		unsigned counts[NCATS] = { 0, 1, 0 };
		char id[32];
		struct hist_msg m;
		struct hist_result r;

		g_snprintf(id, sizeof(id), "t%d-%d", w->id, i);
		m = msg("busy@example.com", NULL, id, 1700000000 + i, counts);
		hist_result_init(&r, NCATS);
		if (hist_exchange(h, &m, &r, &err) != 0) {
			w->errors++;
			g_free(err);
			err = NULL;
		}
		w->seen[i] = r.prior[1];
		hist_result_clear(&r);
	}
	if (w->shared == NULL)
		hist_close(h);
	return NULL;
}

static void
test_concurrent(const char *spec, struct history *shared)
{
	struct worker w[THREADS];
	pthread_t t[THREADS];
	bool *hit = g_new0(bool, THREADS * PER_THREAD);
	int errors = 0, distinct = 0;

	for (int i = 0; i < THREADS; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].spec = spec;
		w[i].shared = shared;
		w[i].id = i;
		pthread_create(&t[i], NULL, worker_run, &w[i]);
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		errors += w[i].errors;
		for (int j = 0; j < PER_THREAD; j++)
			if (w[i].seen[j] < THREADS * PER_THREAD &&
			    !hit[w[i].seen[j]]) {
				hit[w[i].seen[j]] = true;
				distinct++;
			}
	}
	CHECK(errors == 0, "%s (%s handles): %d errors under concurrency",
	    spec, shared ? "shared" : "own", errors);
	CHECK(distinct == THREADS * PER_THREAD, "%s (%s handles): %d "
	    "concurrent messages saw %d distinct totals", spec,
	    shared ? "shared" : "own", THREADS * PER_THREAD, distinct);
	g_free(hit);
}

int
main(void)
{
	const char *env = g_getenv("HISTORY_SPECS");
	char *dir = g_dir_make_tmp("hist-XXXXXX", NULL);
	char *specs = env != NULL ? g_strdup(env) :
	    g_strdup_printf("memory: sqlite:%s/h.db", dir);
	char **v = g_strsplit(specs, " ", -1);

	for (size_t i = 0; v[i] != NULL; i++) {
		char *err = NULL;
		struct history *h;

		if (*v[i] == '\0')
			continue;
		h = hist_open(v[i], &err);
		CHECK(h != NULL, "open %s: %s", v[i], err ? err : "");
		g_free(err);
		if (h == NULL)
			continue;
		test_semantics(v[i], h);
		test_concurrent(v[i], h);
		if (strcmp(v[i], "memory:") != 0) {
			unsigned removed;

			h->ops->forget(h, "busy@example.com", &removed, &err);
			test_concurrent(v[i], NULL);
		}
		hist_close(h);
	}
	{	/* bad specs are errors, "none" is no history */
		char *err = NULL;

		CHECK(hist_open("none", &err) == NULL && err == NULL, "none");
		CHECK(hist_open("mysql://x", &err) == NULL && err != NULL,
		    "unknown spec: %s", err ? err : "");
		g_free(err);
		err = NULL;
		CHECK(hist_open("redis://host:99999/0", &err) == NULL &&
		    err != NULL, "bad redis port");
		g_free(err);
		err = NULL;
		CHECK(hist_open("sqlite:/nonexistent-dir/x/h.db", &err) == NULL
		    && err != NULL, "sqlite in a missing directory: %s",
		    err ? err : "");
		g_free(err);
	}
	{
		char *db = g_build_filename(dir, "h.db", NULL);
		char *wal = g_strconcat(db, "-wal", NULL);
		char *shm = g_strconcat(db, "-shm", NULL);

		g_unlink(db);
		g_unlink(wal);
		g_unlink(shm);
		g_free(db);
		g_free(wal);
		g_free(shm);
		g_rmdir(dir);
	}
	g_strfreev(v);
	g_free(specs);
	g_free(dir);
	return harness_done("history");
}
