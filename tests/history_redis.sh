#!/bin/sh
#
# tests/history_redis.sh - the Redis history backend against a real
# redis-server on a free loopback port (started here, stopped by PID):
#
#   - the shared suite: HISTORY_SPECS=redis://... tests/unit/test_history
#   - a differential run: random exchanges, marks, dumps and forgets on
#     "memory:" (the reference) and on Redis must give the same answers
#   - every key the backend leaves has a TTL
#   - outages: a stopped (SIGSTOP) server times out in about 1 s, a
#     killed one fails at once, a restarted one is reconnected to
#   - exchange latency (median, p99), printed as a comment
#
# A small probe program (below) is compiled against milter/history*.c.
# Prints "history-redis: N passed, N failed"; skips when redis-server,
# redis-cli or cc is missing.  Exits 1 when something failed.
# VALGRIND_CMD (from tests/run.sh) is put in front of test programs.

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 2

PASS=0
FAIL=0
ok() {
	PASS=$((PASS + 1))
	echo "ok - $1"
}
not_ok() {
	FAIL=$((FAIL + 1))
	echo "not ok - $1"
}
check() { # check STATUS DESCRIPTION: after a test, "check $? ..."
	if [ "$1" = 0 ]; then ok "$2"; else not_ok "$2"; fi
}

for tool in redis-server redis-cli cc pkg-config; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "# $tool not found: skipping the Redis backend tests"
		echo "history-redis: 0 passed, 0 failed, 1 skipped"
		exit 0
	fi
done

T=$(mktemp -d "${TMPDIR:-/tmp}/escm-redis.XXXXXX") || exit 2
RPID=
PROBE=
cleanup() {
	exec 3>&- 2>/dev/null
	if [ -n "$PROBE" ]; then
		kill "$PROBE" 2>/dev/null
		wait "$PROBE" 2>/dev/null
	fi
	if [ -n "$RPID" ]; then
		kill -CONT "$RPID" 2>/dev/null
		kill "$RPID" 2>/dev/null
		wait "$RPID" 2>/dev/null
	fi
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Starts redis-server on $PORT; returns 1 when it did not come up.
redis_start() {
	redis-server --port "$PORT" --bind 127.0.0.1 --save '' \
	    --appendonly no --daemonize no --dir "$T" \
	    >>"$T/redis.log" 2>&1 &
	RPID=$!
	i=0
	while [ $i -lt 50 ]; do
		if redis-cli -p "$PORT" ping 2>/dev/null | grep -q PONG; then
			return 0
		fi
		if ! kill -0 "$RPID" 2>/dev/null; then
			wait "$RPID" 2>/dev/null
			RPID=
			return 1
		fi
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

redis_stop() {
	kill "$RPID" 2>/dev/null
	wait "$RPID" 2>/dev/null
	RPID=
}

# A free port: try random ones until a server comes up.
n=0
while :; do
	PORT=$((20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 40000))
	if ! redis-cli -p "$PORT" ping >/dev/null 2>&1 && redis_start; then
		break
	fi
	n=$((n + 1))
	if [ $n -ge 10 ]; then
		not_ok "redis-server did not start on a free port: $(tail -n 3 "$T/redis.log")"
		echo "history-redis: $PASS passed, $FAIL failed"
		exit 1
	fi
done
SPEC=redis://127.0.0.1:$PORT/0
echo "# redis-server pid $RPID on $SPEC"

cat >"$T/probe.c" <<'EOF'
/* probe.c - drives milter/history_redis.c for tests/history_redis.sh. */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "history.h"

#define DAY (24 * 3600)

static const char *const cats[] = { "review-threat", "phone-demand",
	"abuse" };
static const char *const rules[] = { "review.bad", "phone.call", NULL };
static const int64_t windows[] = { 10 * DAY, 3 * DAY, 1 * DAY };

/* history.c links every backend; this probe needs no SQLite. */
struct history *
hist_sqlite_open(const char *path, char **err)
{
	*err = g_strdup_printf("sqlite:%s: not in the probe", path);
	return NULL;
}

static struct history *
probe_open(const char *spec)
{
	char *err = NULL;
	struct history *h = hist_open(spec, &err);

	if (h == NULL) {
		printf("open %s: %s\n", spec, err ? err : "?");
		exit(2);
	}
	g_free(err);
	return h;
}

static bool
probe_same(const struct hist_result *a, const struct hist_result *b)
{
	for (size_t c = 0; c < 3; c++)
		if (a->prior[c] != b->prior[c] || a->first[c] != b->first[c])
			return false;
	return a->sticky == b->sticky && a->sticky_time == b->sticky_time &&
	    g_strcmp0(a->sticky_fired, b->sticky_fired) == 0;
}

/* Random traffic on memory: and on spec; every answer must agree. */
static int
probe_diff(const char *spec, int n, guint32 seed)
{
	struct history *ref = probe_open("memory:"), *h = probe_open(spec);
	GRand *g = g_rand_new_with_seed(seed);
	const char *orders[] = { "113-1234567-1234567", "#48213" };
	char cust[3][64];
	int64_t t = 1700000000;
	int bad = 0, sticky = 0, prior = 0;

	for (int k = 0; k < 3; k++)
		g_snprintf(cust[k], sizeof(cust[k]), "diff%u-%d@example.com",
		    seed, k);
	for (int i = 0; i < n && bad < 5; i++) {
		unsigned counts[3];
		char id[32], *e1 = NULL, *e2 = NULL;
		struct hist_msg m = { cust[g_rand_int_range(g, 0, 3)], NULL,
			id, 0, 3, cats, counts, rules, windows, 2 * DAY };
		struct hist_result r1, r2;
		int rc1, rc2;

		/* 400 steps of < 50 min stay within "keep" (20 days) */
		if (g_rand_int_range(g, 0, 4) != 0)	/* else a tie */
			t += g_rand_int_range(g, 0, 3000);
		m.now = t;
		if (g_rand_int_range(g, 0, 3) != 0)
			m.order = orders[g_rand_int_range(g, 0, 2)];
		g_snprintf(id, sizeof(id), "m%d", g_rand_int_range(g, 0, i + 1));
		for (int c = 0; c < 3; c++)
			counts[c] = (unsigned)g_rand_int_range(g, 0, 3);
		if (g_rand_int_range(g, 0, 8) == 0) {
			rc1 = hist_mark(ref, &m, i % 2 ? "abuse" : "legal,abuse",
			    &e1);
			rc2 = hist_mark(h, &m, i % 2 ? "abuse" : "legal,abuse",
			    &e2);
			if (rc1 != 0 || rc2 != 0) {
				printf("mark %d: %s\n", i, e2 ? e2 : "?");
				bad++;
			}
			g_free(e1);
			g_free(e2);
			continue;
		}
		hist_result_init(&r1, 3);
		hist_result_init(&r2, 3);
		rc1 = hist_exchange(ref, &m, &r1, &e1);
		rc2 = hist_exchange(h, &m, &r2, &e2);
		if (rc1 != 0 || rc2 != 0 || !probe_same(&r1, &r2)) {
			printf("exchange %d (%s %s): memory %u,%u,%u sticky %d "
			    "%s, redis %u,%u,%u sticky %d %s %s\n", i,
			    m.customer, id, r1.prior[0], r1.prior[1],
			    r1.prior[2], r1.sticky, r1.sticky_fired,
			    r2.prior[0], r2.prior[1], r2.prior[2], r2.sticky,
			    r2.sticky_fired, e2 ? e2 : "");
			bad++;
		}
		sticky += r1.sticky;
		prior += r1.prior[0] + r1.prior[1] + r1.prior[2] > 0;
		g_free(e1);
		g_free(e2);
		hist_result_clear(&r1);
		hist_result_clear(&r2);
	}
	for (int k = 0; k < 3; k++) {
		GString *d1 = g_string_new(NULL), *d2 = g_string_new(NULL);
		unsigned n1 = 0, n2 = 0;
		char *e = NULL;

		ref->ops->dump(ref, cust[k], d1, &e);
		if (h->ops->dump(h, cust[k], d2, &e) != 0 ||
		    strcmp(d1->str, d2->str) != 0) {
			printf("dump %s differs:\n  memory %.300s\n  redis  "
			    "%.300s %s\n", cust[k], d1->str, d2->str, e ? e : "");
			bad++;
		}
		ref->ops->forget(ref, cust[k], &n1, &e);
		if (h->ops->forget(h, cust[k], &n2, &e) != 0 || n1 != n2) {
			printf("forget %s: memory %u, redis %u\n", cust[k], n1,
			    n2);
			bad++;
		}
		g_free(e);
		g_string_free(d1, TRUE);
		g_string_free(d2, TRUE);
	}
	g_rand_free(g);
	hist_close(ref);
	hist_close(h);
	printf("diff: %s (%d with prior counts, %d sticky)\n",
	    bad ? "FAIL" : "same", prior, sticky);
	return bad ? 1 : 0;
}

static int
probe_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Latency of n exchanges over 100 customers; every third message names
 * an order number that share customers have in common. */
static int
probe_bench(const char *spec, int n, int share)
{
	struct history *h = probe_open(spec);
	int64_t *us = g_new(int64_t, n);
	int errors = 0;

	for (int i = 0; i < n; i++) {
		unsigned counts[3] = { 1, 0, (unsigned)(i % 2) };
		char cust[32], id[32], order[32], *err = NULL;
		struct hist_msg m = { cust, i % 3 ? NULL : order, id,
			1700000000 + i * 60, 3, cats, counts, rules, windows,
			2 * DAY };
		struct hist_result r;
		int64_t t0;

		g_snprintf(cust, sizeof(cust), "bench-%d@example.com", i % 100);
		g_snprintf(id, sizeof(id), "b%d", i);
		g_snprintf(order, sizeof(order), "#%d", 10000 + i % 100 / share);
		hist_result_init(&r, 3);
		t0 = g_get_monotonic_time();
		if (hist_exchange(h, &m, &r, &err) != 0)
			errors++;
		us[i] = g_get_monotonic_time() - t0;
		hist_result_clear(&r);
		g_free(err);
	}
	for (int k = 0; k < 100; k++) {
		char cust[32], *err = NULL;
		unsigned removed;

		g_snprintf(cust, sizeof(cust), "bench-%d@example.com", k);
		h->ops->forget(h, cust, &removed, &err);
		g_free(err);
	}
	qsort(us, (size_t)n, sizeof(*us), probe_cmp);
	printf("bench: %d exchanges, %d customers per order number, %d "
	    "errors, median %lld us, p99 %lld us, max %lld us\n", n, share,
	    errors, (long long)us[n / 2],
	    (long long)us[n * 99 / 100], (long long)us[n - 1]);
	g_free(us);
	hist_close(h);
	return errors ? 1 : 0;
}

/* One handle, one exchange per input line; prints ok|err, ms, detail. */
static int
probe_repl(const char *spec)
{
	struct history *h = probe_open(spec);
	char line[64];
	int i = 0;

	while (fgets(line, sizeof(line), stdin) != NULL && line[0] != 'q') {
		unsigned counts[3] = { 1, 0, 0 };
		char id[32], *err = NULL;
		struct hist_msg m = { "repl@example.com", NULL, id,
			1700000000 + i, 3, cats, counts, rules, windows, 0 };
		struct hist_result r;
		int64_t t0 = g_get_monotonic_time();
		int rc;

		g_snprintf(id, sizeof(id), "r%d", i++);
		hist_result_init(&r, 3);
		rc = hist_exchange(h, &m, &r, &err);
		printf("%s %lld %s\n", rc == 0 ? "ok" : "err",
		    (long long)(g_get_monotonic_time() - t0) / 1000,
		    rc == 0 ? "-" : err);
		fflush(stdout);
		hist_result_clear(&r);
		g_free(err);
	}
	hist_close(h);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "diff") == 0)
		return probe_diff(argv[2], atoi(argv[3]),
		    (guint32)strtoul(argv[4], NULL, 10));
	if (argc == 5 && strcmp(argv[1], "bench") == 0)
		return probe_bench(argv[2], atoi(argv[3]), atoi(argv[4]));
	if (argc == 3 && strcmp(argv[1], "repl") == 0)
		return probe_repl(argv[2]);
	fprintf(stderr, "usage: probe diff|bench|repl SPEC ...\n");
	return 2;
}
EOF

# shellcheck disable=SC2046 # pkg-config word lists
if ! cc -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra \
    $(pkg-config --cflags glib-2.0 json-glib-1.0 hiredis) -iquote milter \
    -o "$T/probe" "$T/probe.c" milter/history.c milter/history_mem.c \
    milter/history_redis.c $(pkg-config --libs glib-2.0 json-glib-1.0 hiredis) \
    -lpthread >"$T/cc.log" 2>&1; then
	not_ok "probe does not build: $(head -n 5 "$T/cc.log")"
	echo "history-redis: $PASS passed, $FAIL failed"
	exit 1
fi

# --- the shared suite
if [ -x tests/unit/test_history ]; then
	# shellcheck disable=SC2086 # VALGRIND_CMD is a command line
	HISTORY_SPECS=$SPEC $VALGRIND_CMD tests/unit/test_history
	rc=$?
	[ "$rc" = 0 ]
	check $? "test_history against $SPEC exits 0 (exit $rc)"
else
	not_ok "tests/unit/test_history is not built (make tests/unit/test_history)"
fi

# --- the same answers as the reference backend
for seed in 1 2 3 4; do
	# shellcheck disable=SC2086
	out=$($VALGRIND_CMD "$T/probe" diff "$SPEC" 400 "$seed" 2>&1)
	rc=$?
	[ "$rc" = 0 ]
	check $? "seed $seed: Redis answers as memory: does (exit $rc) $(echo "$out" | head -n 3)"
done

# --- every key expires
out=$("$T/probe" bench "$SPEC" 50 2 2>&1)
keys=$(redis-cli -p "$PORT" --scan --pattern 'escm:*' | wc -l)
eternal=
for k in $(redis-cli -p "$PORT" --scan --pattern 'escm:*'); do
	ttl=$(redis-cli -p "$PORT" ttl "$k")
	[ "$ttl" -gt 0 ] || eternal="$eternal $k($ttl)"
done
[ -z "$eternal" ] && [ "$keys" -gt 0 ]
check $? "all $keys escm:* keys carry a TTL${eternal:+, not:$eternal}"
ttl=$(redis-cli -p "$PORT" ttl escm:r:busy@example.com)
# windows of 30 days: records live twice that
[ "$ttl" -gt $((59 * 86400)) ] && [ "$ttl" -le $((60 * 86400)) ]
check $? "customer records expire after twice the largest window ($ttl s)"

# --- latency
# 50 messages per customer within the windows, order numbers shared by
# 2 customers.  (An order number shared by N customers makes each of its
# exchanges read all N customers' records: "bench SPEC 1000 100".)
out=$("$T/probe" bench "$SPEC" 5000 2 2>&1)
rc=$?
echo "# $out"
[ "$rc" = 0 ]
check $? "5000 exchanges without an error"

# --- outages, driven through one handle
mkfifo "$T/in"
: >"$T/out"	# the job opens it only once the fifo has a writer
# shellcheck disable=SC2086
$VALGRIND_CMD "$T/probe" repl "$SPEC" <"$T/in" >"$T/out" 2>&1 &
PROBE=$!
exec 3>"$T/in"
NLINES=0
# xchg: one exchange; sets RES (ok|err), MS and LINE.
xchg() {
	NLINES=$((NLINES + 1))
	echo x >&3
	i=0
	while [ "$(wc -l <"$T/out")" -lt "$NLINES" ]; do
		i=$((i + 1))
		if [ $i -gt 100 ]; then
			RES=hang
			MS=10000
			LINE="no answer within 10 s"
			return
		fi
		sleep 0.1
	done
	LINE=$(sed -n "${NLINES}p" "$T/out")
	RES=${LINE%% *}
	MS=$(echo "$LINE" | cut -d' ' -f2)
}

xchg
[ "$RES" = ok ]
check $? "exchange through a fresh handle: $LINE"

xchg
evalsha=$(redis-cli -p "$PORT" info commandstats | grep -c '^cmdstat_evalsha:')
[ "$evalsha" = 1 ]
check $? "scripts run from the script cache (EVALSHA)"
redis-cli -p "$PORT" script flush >/dev/null
xchg
[ "$RES" = ok ]
check $? "script cache flushed: EVAL loads it again: $LINE"

redis_stop
redis_start || not_ok "redis-server did not restart"
xchg
[ "$RES" = ok ]
check $? "server restarted: the first call reconnects: $LINE"

kill -STOP "$RPID"
xchg
[ "$RES" = err ] && [ "$MS" -ge 900 ] && [ "$MS" -lt 2500 ]
check $? "server stopped (SIGSTOP): -1 after the 1 s timeout: $LINE"
kill -CONT "$RPID"
xchg
[ "$RES" = ok ]
check $? "server continues: the next call reconnects: $LINE"

redis_stop
xchg
[ "$RES" = err ] && [ "$MS" -lt 500 ]
check $? "server killed: -1 at once: $LINE"
xchg
[ "$RES" = err ] && [ "$MS" -lt 500 ]
check $? "server down: the next call fails fast too: $LINE"

redis_start || not_ok "redis-server did not restart"
sleep 1.2 # the reconnect backoff after a failed connect
xchg
[ "$RES" = ok ]
check $? "server back: the handle reconnects: $LINE"

echo q >&3
exec 3>&-
wait "$PROBE"
rc=$?
[ "$rc" = 0 ]
check $? "probe exits cleanly"
PROBE=

redis_stop
! redis-cli -p "$PORT" ping >/dev/null 2>&1
check $? "our redis-server is gone"

echo "history-redis: $PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
