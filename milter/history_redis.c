/*
 * history_redis.c - the Redis history backend ("redis://host:port/db"),
 * shared by several MX hosts.  Semantics are those of history_mem.c
 * (the reference); exports hist_redis_open() only.
 *
 * Data model (standalone Redis; the scripts name keys they compute, so
 * this is not Redis Cluster safe):
 *   escm:r:CUSTOMER  sorted set of category records, score = time,
 *                    member = JSON [seq, msgid, cat, count, rule, order]
 *   escm:m:CUSTOMER  sorted set of escalation marks, same shape with
 *                    cat = false, count = 0 and rule = the fired list
 *   escm:o:ORDER     set of customers that wrote about the order
 *   escm:seq         counter: insertion order for equal times
 * (order is false when the message had none.)  The customer key is used
 * as given: it may already be a keyed hash.
 *
 * Every vtable call is one Lua script (EVALSHA, EVAL on NOSCRIPT), so a
 * call is atomic across all MX hosts.  exchange and mark trim members
 * older than "keep" (twice the largest window, at least a day) and set
 * EXPIRE keep on every key they write, so idle customers vanish on their
 * own.  The margin over the largest window keeps dump output and a later
 * widening of windows meaningful.  prune is an admin operation: Redis
 * cannot list customers cheaply, so it SCANs escm:* in batches, trims
 * each sorted set and drops order-index entries of customers that have
 * no keys left; each batch is atomic, the whole prune is not.
 *
 * One connection per handle, behind a mutex (milter threads share a
 * handle).  Connect and command timeouts are 1 s.  Any I/O error frees
 * the connection; the next call reconnects.  A connection the server
 * closed (restart) is retried once at once; a failed connect is not
 * retried for REDIS_BACKOFF_US, so a dead server costs one timeout per
 * second rather than one per message.  Errors return -1 with a message;
 * the caller judges the message alone.  SIGPIPE from writing to a closed
 * socket is blocked and consumed in the calling thread.  Host names are
 * resolved with getaddrinfo(), which no timeout bounds: use addresses.
 */
#include "history.h"

#include <errno.h>
#include <hiredis/hiredis.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#define REDIS_TIMEOUT_S 1
#define REDIS_BACKOFF_US G_USEC_PER_SEC
#define REDIS_KEEP_MIN (24 * 3600)
#define REDIS_SCAN_COUNT "500"

enum redis_script {
	RS_EXCHANGE, RS_MARK, RS_DUMP, RS_FORGET, RS_PRUNE, RS_N
};

struct hist_redis {
	struct history base;
	pthread_mutex_t lock;	/* guards everything below */
	redisContext *c;	/* NULL: not connected */
	char *host;
	int port, db;
	int64_t retry_at;	/* monotonic usec of the next connect */
	char *down;		/* why the last connect failed */
	char sha[RS_N][41];	/* SHA1 hex of each script */
};

/* KEYS: seq, records, marks[, order set].  ARGV: now, sticky window,
 * keep, msgid, customer, order, ncats, then id, count, rule, window per
 * category.  Returns sticky, sticky time, fired, then prior, first. */
static const char redis_lua_exchange[] =
    "local now, swin, keep = tonumber(ARGV[1]), tonumber(ARGV[2]), "
    "tonumber(ARGV[3])\n"
    "local msgid, cust, order = ARGV[4], ARGV[5], false\n"
    "if #KEYS == 4 then order = ARGV[6] end\n"
    "local n = tonumber(ARGV[7])\n"
    "local cat, cnt, rule, win, prior, first = {}, {}, {}, {}, {}, {}\n"
    "local maxwin = swin\n"
    "for c = 1, n do\n"
    "  local b = 7 + (c - 1) * 4\n"
    "  cat[c], cnt[c], rule[c] = ARGV[b + 1], tonumber(ARGV[b + 2]), "
    "ARGV[b + 3]\n"
    "  win[c], prior[c], first[c] = tonumber(ARGV[b + 4]), 0, 0\n"
    "  if win[c] > maxwin then maxwin = win[c] end\n"
    "end\n"
    "local function rows(key, linked)\n"
    "  local all = redis.call('ZRANGEBYSCORE', key,\n"
    "    linked and (now - maxwin) or '-inf', '+inf', 'WITHSCORES')\n"
    "  for j = 1, #all, 2 do\n"
    "    local r, t = cjson.decode(all[j]), tonumber(all[j + 1])\n"
    "    if r[2] == msgid then\n"
    "      if not linked then redis.call('ZREM', key, all[j]) end\n"
    "    elseif not linked or r[6] == order then\n"
    "      for c = 1, n do\n"
    "        if r[3] == cat[c] and t >= now - win[c] then\n"
    "          prior[c] = prior[c] + r[4]\n"
    "          if first[c] == 0 or t < first[c] then first[c] = t end\n"
    "        end\n"
    "      end\n"
    "    end\n"
    "  end\n"
    "end\n"
    "local st, sseq, sfired = 0, -1, false\n"
    "local function marks(key, linked)\n"
    "  if swin <= 0 then return end\n"
    "  local all = redis.call('ZRANGEBYSCORE', key, now - swin, '+inf',\n"
    "    'WITHSCORES')\n"
    "  for j = 1, #all, 2 do\n"
    "    local r, t = cjson.decode(all[j]), tonumber(all[j + 1])\n"
    "    if r[2] ~= msgid and (not linked or r[6] == order) and\n"
    "        (t > st or (t == st and r[1] > sseq)) then\n"
    "      st, sseq, sfired = t, r[1], r[5]\n"
    "    end\n"
    "  end\n"
    "end\n"
    "rows(KEYS[2], false)\n"
    "marks(KEYS[3], false)\n"
    "if order then\n"
    "  for _, o in ipairs(redis.call('SMEMBERS', KEYS[4])) do\n"
    "    if o ~= cust then\n"
    "      rows('escm:r:' .. o, true)\n"
    "      marks('escm:m:' .. o, true)\n"
    "    end\n"
    "  end\n"
    "end\n"
    "local added = false\n"
    "for c = 1, n do\n"
    "  if cnt[c] > 0 then\n"
    "    local seq = redis.call('INCR', KEYS[1])\n"
    "    redis.call('ZADD', KEYS[2], now,\n"
    "      cjson.encode({seq, msgid, cat[c], cnt[c], rule[c], order}))\n"
    "    added = true\n"
    "  end\n"
    "end\n"
    "if added and order then redis.call('SADD', KEYS[4], cust) end\n"
    "for k = 2, 3 do\n"
    "  redis.call('ZREMRANGEBYSCORE', KEYS[k], '-inf', '(' .. (now - keep))\n"
    "end\n"
    "for k = 1, #KEYS do redis.call('EXPIRE', KEYS[k], keep) end\n"
    "local out = {sfired and 1 or 0, st, sfired or ''}\n"
    "for c = 1, n do\n"
    "  out[#out + 1] = prior[c]\n"
    "  out[#out + 1] = first[c]\n"
    "end\n"
    "return out\n";

/* KEYS: seq, marks[, order set].  ARGV: now, keep, msgid, customer,
 * order, fired. */
static const char redis_lua_mark[] =
    "local now, keep, msgid = tonumber(ARGV[1]), ARGV[2], ARGV[3]\n"
    "local order = false\n"
    "if #KEYS == 3 then order = ARGV[5] end\n"
    "for _, v in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do\n"
    "  if cjson.decode(v)[2] == msgid then redis.call('ZREM', KEYS[2], v) "
    "end\n"
    "end\n"
    "local seq = redis.call('INCR', KEYS[1])\n"
    "redis.call('ZADD', KEYS[2], now,\n"
    "  cjson.encode({seq, msgid, false, 0, ARGV[6], order}))\n"
    "if order then redis.call('SADD', KEYS[3], ARGV[4]) end\n"
    "redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. (now - keep))\n"
    "for k = 1, #KEYS do redis.call('EXPIRE', KEYS[k], keep) end\n"
    "return 1\n";

/* KEYS: records, marks.  Returns time, kind ("c"..cat or "m"), rule,
 * count, order ("-" or "o"..order), msgid per record, oldest first. */
static const char redis_lua_dump[] =
    "local recs = {}\n"
    "for k = 1, 2 do\n"
    "  local all = redis.call('ZRANGE', KEYS[k], 0, -1, 'WITHSCORES')\n"
    "  for j = 1, #all, 2 do\n"
    "    recs[#recs + 1] = {tonumber(all[j + 1]), cjson.decode(all[j])}\n"
    "  end\n"
    "end\n"
    "table.sort(recs, function(a, b)\n"
    "  if a[1] ~= b[1] then return a[1] < b[1] end\n"
    "  return a[2][1] < b[2][1]\n"
    "end)\n"
    "local out = {}\n"
    "for _, e in ipairs(recs) do\n"
    "  local r = e[2]\n"
    "  out[#out + 1] = e[1]\n"
    "  out[#out + 1] = r[3] and ('c' .. r[3]) or 'm'\n"
    "  out[#out + 1] = r[5]\n"
    "  out[#out + 1] = r[4]\n"
    "  out[#out + 1] = r[6] and ('o' .. r[6]) or '-'\n"
    "  out[#out + 1] = r[2]\n"
    "end\n"
    "return out\n";

/* KEYS: records, marks.  ARGV: customer.  Returns the records removed. */
static const char redis_lua_forget[] =
    "local n = 0\n"
    "for k = 1, 2 do\n"
    "  for _, v in ipairs(redis.call('ZRANGE', KEYS[k], 0, -1)) do\n"
    "    local o = cjson.decode(v)[6]\n"
    "    if o then redis.call('SREM', 'escm:o:' .. o, ARGV[1]) end\n"
    "    n = n + 1\n"
    "  end\n"
    "end\n"
    "redis.call('DEL', KEYS[1], KEYS[2])\n"
    "return n\n";

/* KEYS: a SCAN batch of escm:* keys.  ARGV: before.  Returns the
 * records removed. */
static const char redis_lua_prune[] =
    "local n = 0\n"
    "for _, k in ipairs(KEYS) do\n"
    "  local t = redis.call('TYPE', k).ok\n"
    "  if t == 'zset' then\n"
    "    n = n + redis.call('ZREMRANGEBYSCORE', k, '-inf', '(' .. ARGV[1])\n"
    "  elseif t == 'set' and string.sub(k, 1, 7) == 'escm:o:' then\n"
    "    for _, c in ipairs(redis.call('SMEMBERS', k)) do\n"
    "      if redis.call('EXISTS', 'escm:r:' .. c, 'escm:m:' .. c) == 0 "
    "then\n"
    "        redis.call('SREM', k, c)\n"
    "      end\n"
    "    end\n"
    "  end\n"
    "end\n"
    "return n\n";

static const char *const redis_lua[RS_N] = {
	redis_lua_exchange, redis_lua_mark, redis_lua_dump, redis_lua_forget,
	redis_lua_prune,
};

/* Blocks SIGPIPE in this thread around a command; a SIGPIPE the
 * command raised is consumed before the old mask returns. */
struct redis_sigpipe {
	sigset_t old;
	bool pending;
};

static void
redis_sigpipe_block(struct redis_sigpipe *s)
{
	sigset_t set, pend;

	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	sigemptyset(&pend);
	sigpending(&pend);
	s->pending = sigismember(&pend, SIGPIPE) == 1;
	pthread_sigmask(SIG_BLOCK, &set, &s->old);
}

static void
redis_sigpipe_restore(struct redis_sigpipe *s)
{
	sigset_t set, pend;
	struct timespec zero = { 0, 0 };

	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	sigemptyset(&pend);
	sigpending(&pend);
	if (!s->pending && sigismember(&pend, SIGPIPE) == 1)
		while (sigtimedwait(&set, NULL, &zero) == -1 && errno == EINTR)
			;
	pthread_sigmask(SIG_SETMASK, &s->old, NULL);
}

/* Remembers a failed connect: no new attempt before the backoff. */
static int
redis_connect_failed(struct hist_redis *h, redisContext *c, const char *what,
    char **err)
{
	g_free(h->down);
	h->down = g_strdup_printf("%s: %s", what,
	    c != NULL && c->errstr[0] != '\0' ? c->errstr : "out of memory");
	h->retry_at = g_get_monotonic_time() + REDIS_BACKOFF_US;
	*err = g_strdup_printf("redis %s:%d: %s", h->host, h->port, h->down);
	if (c != NULL)
		redisFree(c);
	return -1;
}

/* Connects (timeouts set, database selected) unless in the backoff. */
static int
redis_connect(struct hist_redis *h, char **err)
{
	const struct timeval tv = { REDIS_TIMEOUT_S, 0 };
	int64_t now = g_get_monotonic_time();
	redisContext *c;
	redisReply *rep;
	bool ok;

	if (now < h->retry_at) {
		*err = g_strdup_printf("redis %s:%d: %s (next attempt in "
		    "%lld ms)", h->host, h->port, h->down,
		    (long long)(h->retry_at - now) / 1000);
		return -1;
	}
	c = redisConnectWithTimeout(h->host, h->port, tv);
	if (c == NULL || c->err)
		return redis_connect_failed(h, c, "connect", err);
	if (redisSetTimeout(c, tv) != REDIS_OK)
		return redis_connect_failed(h, c, "set timeout", err);
	(void)redisEnableKeepAlive(c);
	rep = redisCommand(c, "SELECT %d", h->db);
	ok = rep != NULL && rep->type == REDIS_REPLY_STATUS;
	if (rep != NULL && rep->type == REDIS_REPLY_ERROR)
		snprintf(c->errstr, sizeof(c->errstr), "%s", rep->str);
	if (rep != NULL)
		freeReplyObject(rep);
	if (!ok)
		return redis_connect_failed(h, c, "SELECT", err);
	h->c = c;
	h->retry_at = 0;
	return 0;
}

/* The server closed a connection we had (restart, idle timeout). */
static bool
redis_conn_lost(const redisContext *c, int saved_errno)
{
	return c->err == REDIS_ERR_EOF || (c->err == REDIS_ERR_IO &&
	    (saved_errno == ECONNRESET || saved_errno == EPIPE));
}

/* Runs one command on the handle's connection, connecting first when
 * needed.  Returns a reply (caller frees) or NULL with *err.  An error
 * reply is returned as a reply.  Caller holds the lock. */
static redisReply *
redis_cmd(struct hist_redis *h, int argc, const char **argv,
    const size_t *argvlen, char **err)
{
	for (int attempt = 0; attempt < 2; attempt++) {
		struct redis_sigpipe sp;
		redisReply *rep;
		bool fresh = h->c == NULL;
		int saved_errno;

		if (fresh && redis_connect(h, err) != 0)
			return NULL;
		redis_sigpipe_block(&sp);
		errno = 0;
		rep = redisCommandArgv(h->c, argc, argv, argvlen);
		saved_errno = errno;
		redis_sigpipe_restore(&sp);
		if (rep != NULL)
			return rep;
		if (fresh || !redis_conn_lost(h->c, saved_errno) ||
		    attempt > 0) {
			bool timeout = h->c->err == REDIS_ERR_IO &&
			    (saved_errno == EAGAIN || saved_errno ==
			    EWOULDBLOCK);

			*err = g_strdup_printf("redis %s:%d: %s: %s", h->host,
			    h->port, argv[0], timeout ? "timed out" :
			    h->c->errstr);
			redisFree(h->c);
			h->c = NULL;
			return NULL;
		}
		redisFree(h->c);
		h->c = NULL;
	}
	return NULL;
}

/* Runs a script with EVALSHA (EVAL when the server lacks it).  args:
 * numkeys, keys, arguments.  Returns a non-error reply or NULL. */
static redisReply *
redis_eval(struct hist_redis *h, enum redis_script s, GPtrArray *args,
    char **err)
{
	const char **argv = g_new(const char *, args->len + 2);
	size_t *len = g_new(size_t, args->len + 2);
	redisReply *rep;

	argv[0] = "EVALSHA";
	argv[1] = h->sha[s];
	for (guint i = 0; i < args->len; i++)
		argv[i + 2] = g_ptr_array_index(args, i);
	for (guint i = 0; i < args->len + 2; i++)
		len[i] = strlen(argv[i]);
	rep = redis_cmd(h, (int)args->len + 2, argv, len, err);
	if (rep != NULL && rep->type == REDIS_REPLY_ERROR &&
	    g_str_has_prefix(rep->str, "NOSCRIPT")) {
		freeReplyObject(rep);
		argv[0] = "EVAL";
		argv[1] = redis_lua[s];
		len[0] = strlen(argv[0]);
		len[1] = strlen(argv[1]);
		rep = redis_cmd(h, (int)args->len + 2, argv, len, err);
	}
	if (rep != NULL && rep->type == REDIS_REPLY_ERROR) {
		*err = g_strdup_printf("redis %s:%d: script: %s", h->host,
		    h->port, rep->str);
		freeReplyObject(rep);
		rep = NULL;
	}
	g_free(argv);
	g_free(len);
	return rep;
}

/* Locked redis_eval; frees args. */
static redisReply *
redis_run(struct hist_redis *h, enum redis_script s, GPtrArray *args,
    char **err)
{
	redisReply *rep;

	pthread_mutex_lock(&h->lock);
	rep = redis_eval(h, s, args, err);
	pthread_mutex_unlock(&h->lock);
	g_ptr_array_free(args, TRUE);
	return rep;
}

static void
redis_arg(GPtrArray *a, const char *s)
{
	g_ptr_array_add(a, g_strdup(s));
}

static void
redis_argf(GPtrArray *a, int64_t v)
{
	g_ptr_array_add(a, g_strdup_printf("%lld", (long long)v));
}

/* How long records live: twice the largest window, at least a day. */
static int64_t
redis_keep(const struct hist_msg *m)
{
	int64_t w = m->sticky_window;

	for (size_t c = 0; c < m->ncats; c++)
		if (m->windows[c] > w)
			w = m->windows[c];
	w = w > INT64_MAX / 2 ? INT64_MAX / 2 : w;
	return 2 * w < REDIS_KEEP_MIN ? REDIS_KEEP_MIN : 2 * w;
}

/* numkeys and keys of the exchange or the mark script. */
static GPtrArray *
redis_msg_keys(const struct hist_msg *m, bool exchange)
{
	GPtrArray *a = g_ptr_array_new_with_free_func(g_free);
	int n = 2 + exchange + (m->order != NULL);

	redis_argf(a, n);
	redis_arg(a, "escm:seq");
	if (exchange)
		g_ptr_array_add(a, g_strconcat("escm:r:", m->customer, NULL));
	g_ptr_array_add(a, g_strconcat("escm:m:", m->customer, NULL));
	if (m->order != NULL)
		g_ptr_array_add(a, g_strconcat("escm:o:", m->order, NULL));
	return a;
}

static bool
redis_is_int(const redisReply *r)
{
	return r->type == REDIS_REPLY_INTEGER;
}

/* Copies the exchange script's reply into res. */
static int
redis_exchange_reply(struct hist_redis *h, const redisReply *rep, size_t n,
    struct hist_result *res, char **err)
{
	if (rep->type != REDIS_REPLY_ARRAY || rep->elements != 3 + 2 * n ||
	    !redis_is_int(rep->element[0]) || !redis_is_int(rep->element[1])
	    || rep->element[2]->type != REDIS_REPLY_STRING)
		goto bad;
	for (size_t c = 0; c < n; c++)
		if (!redis_is_int(rep->element[3 + 2 * c]) ||
		    !redis_is_int(rep->element[4 + 2 * c]))
			goto bad;
	for (size_t c = 0; c < n; c++) {
		res->prior[c] = (unsigned)rep->element[3 + 2 * c]->integer;
		res->first[c] = rep->element[4 + 2 * c]->integer;
	}
	if (rep->element[0]->integer != 0) {
		res->sticky = true;
		res->sticky_time = rep->element[1]->integer;
		g_free(res->sticky_fired);
		res->sticky_fired = g_strdup(rep->element[2]->str);
	}
	return 0;
bad:
	*err = g_strdup_printf("redis %s:%d: exchange: unexpected reply",
	    h->host, h->port);
	return -1;
}

static int
redis_exchange(struct history *base, const struct hist_msg *m,
    struct hist_result *res, char **err)
{
	struct hist_redis *h = (struct hist_redis *)base;
	GPtrArray *a = redis_msg_keys(m, true);
	redisReply *rep;
	int ret;

	redis_argf(a, m->now);
	redis_argf(a, m->sticky_window);
	redis_argf(a, redis_keep(m));
	redis_arg(a, m->msgid);
	redis_arg(a, m->customer);
	redis_arg(a, m->order != NULL ? m->order : "");
	redis_argf(a, (int64_t)m->ncats);
	for (size_t c = 0; c < m->ncats; c++) {
		redis_arg(a, m->cat_ids[c]);
		redis_argf(a, m->counts[c]);
		redis_arg(a, m->rules[c] != NULL ? m->rules[c] : "");
		redis_argf(a, m->windows[c]);
	}
	rep = redis_run(h, RS_EXCHANGE, a, err);
	if (rep == NULL)
		return -1;
	ret = redis_exchange_reply(h, rep, m->ncats, res, err);
	freeReplyObject(rep);
	return ret;
}

static int
redis_mark(struct history *base, const struct hist_msg *m, const char *fired,
    char **err)
{
	struct hist_redis *h = (struct hist_redis *)base;
	GPtrArray *a = redis_msg_keys(m, false);
	redisReply *rep;

	redis_argf(a, m->now);
	redis_argf(a, redis_keep(m));
	redis_arg(a, m->msgid);
	redis_arg(a, m->customer);
	redis_arg(a, m->order != NULL ? m->order : "");
	redis_arg(a, fired != NULL ? fired : "");
	rep = redis_run(h, RS_MARK, a, err);
	if (rep == NULL)
		return -1;
	freeReplyObject(rep);
	return 0;
}

/* numkeys 2, the customer's two keys. */
static GPtrArray *
redis_customer_keys(const char *customer)
{
	GPtrArray *a = g_ptr_array_new_with_free_func(g_free);

	redis_arg(a, "2");
	g_ptr_array_add(a, g_strconcat("escm:r:", customer, NULL));
	g_ptr_array_add(a, g_strconcat("escm:m:", customer, NULL));
	return a;
}

/* Appends one record of the dump reply (6 elements) as JSON. */
static void
redis_dump_one(GString *out, redisReply **e, bool first)
{
	const char *kind = e[1]->str, *ord = e[4]->str;
	bool mark = kind[0] == 'm';
	char *cat = g_strescape(mark ? "" : kind + 1, NULL);
	char *rule = g_strescape(e[2]->str, NULL);
	char *order = g_strescape(ord[0] == 'o' ? ord + 1 : "", NULL);
	char *msgid = g_strescape(e[5]->str, NULL);

	g_string_append_printf(out, "%s{\"time\":%lld,\"category\":%s%s%s,"
	    "\"%s\":\"%s\",\"count\":%u,\"order\":%s%s%s,\"msgid\":\"%s\"}",
	    first ? "" : ",", (long long)e[0]->integer, mark ? "" : "\"",
	    mark ? "null" : cat, mark ? "" : "\"",
	    mark ? "escalated" : "rule", rule, (unsigned)e[3]->integer,
	    ord[0] == 'o' ? "\"" : "", ord[0] == 'o' ? order : "null",
	    ord[0] == 'o' ? "\"" : "", msgid);
	g_free(cat);
	g_free(rule);
	g_free(order);
	g_free(msgid);
}

static int
redis_dump(struct history *base, const char *customer, GString *out,
    char **err)
{
	struct hist_redis *h = (struct hist_redis *)base;
	redisReply *rep;
	int ret = -1;

	rep = redis_run(h, RS_DUMP, redis_customer_keys(customer), err);
	if (rep == NULL)
		return -1;
	if (rep->type != REDIS_REPLY_ARRAY || rep->elements % 6 != 0)
		goto bad;
	for (size_t i = 0; i < rep->elements; i += 6) {
		redisReply **e = rep->element + i;

		if (!redis_is_int(e[0]) || !redis_is_int(e[3]) ||
		    e[1]->type != REDIS_REPLY_STRING || e[1]->len == 0 ||
		    e[2]->type != REDIS_REPLY_STRING ||
		    e[4]->type != REDIS_REPLY_STRING || e[4]->len == 0 ||
		    e[5]->type != REDIS_REPLY_STRING)
			goto bad;
	}
	g_string_append_c(out, '[');
	for (size_t i = 0; i < rep->elements; i += 6)
		redis_dump_one(out, rep->element + i, i == 0);
	g_string_append_c(out, ']');
	ret = 0;
	goto done;
bad:
	*err = g_strdup_printf("redis %s:%d: dump: unexpected reply",
	    h->host, h->port);
done:
	freeReplyObject(rep);
	return ret;
}

static int
redis_forget(struct history *base, const char *customer, unsigned *removed,
    char **err)
{
	struct hist_redis *h = (struct hist_redis *)base;
	GPtrArray *a = redis_customer_keys(customer);
	redisReply *rep;

	*removed = 0;
	redis_arg(a, customer);
	rep = redis_run(h, RS_FORGET, a, err);
	if (rep == NULL)
		return -1;
	if (redis_is_int(rep))
		*removed = (unsigned)rep->integer;
	freeReplyObject(rep);
	return 0;
}

/* Prunes one SCAN batch of keys. */
static int
redis_prune_batch(struct hist_redis *h, const redisReply *keys,
    const char *before, char **err)
{
	GPtrArray *a = g_ptr_array_new_with_free_func(g_free);
	redisReply *rep;

	redis_argf(a, (int64_t)keys->elements);
	for (size_t i = 0; i < keys->elements; i++)
		redis_arg(a, keys->element[i]->str);
	redis_arg(a, before);
	rep = redis_eval(h, RS_PRUNE, a, err);
	g_ptr_array_free(a, TRUE);
	if (rep == NULL)
		return -1;
	freeReplyObject(rep);
	return 0;
}

/* SCAN escm:* in batches; each batch is one script.  Holds the handle's
 * lock throughout: run it on a handle of its own. */
static int
redis_prune(struct history *base, int64_t before, char **err)
{
	struct hist_redis *h = (struct hist_redis *)base;
	char *cursor = g_strdup("0"), *cut = g_strdup_printf("%lld",
	    (long long)before);
	int ret = -1;

	pthread_mutex_lock(&h->lock);
	do {
		const char *argv[] = { "SCAN", cursor, "MATCH", "escm:*",
			"COUNT", REDIS_SCAN_COUNT };
		size_t len[G_N_ELEMENTS(argv)];
		redisReply *rep, *keys;

		for (size_t i = 0; i < G_N_ELEMENTS(argv); i++)
			len[i] = strlen(argv[i]);
		rep = redis_cmd(h, (int)G_N_ELEMENTS(argv), argv, len, err);
		if (rep == NULL)
			goto done;
		if (rep->type != REDIS_REPLY_ARRAY || rep->elements != 2 ||
		    rep->element[0]->type != REDIS_REPLY_STRING ||
		    rep->element[1]->type != REDIS_REPLY_ARRAY) {
			*err = g_strdup_printf("redis %s:%d: SCAN: %s",
			    h->host, h->port, rep->type == REDIS_REPLY_ERROR ?
			    rep->str : "unexpected reply");
			freeReplyObject(rep);
			goto done;
		}
		g_free(cursor);
		cursor = g_strdup(rep->element[0]->str);
		keys = rep->element[1];
		if (keys->elements > 0 &&
		    redis_prune_batch(h, keys, cut, err) != 0) {
			freeReplyObject(rep);
			goto done;
		}
		freeReplyObject(rep);
	} while (strcmp(cursor, "0") != 0);
	ret = 0;
done:
	pthread_mutex_unlock(&h->lock);
	g_free(cut);
	g_free(cursor);
	return ret;
}

static void
redis_close(struct history *base)
{
	struct hist_redis *h = (struct hist_redis *)base;

	if (h->c != NULL)
		redisFree(h->c);
	pthread_mutex_destroy(&h->lock);
	g_free(h->host);
	g_free(h->down);
	g_free(h);
}

static const struct hist_ops redis_ops = {
	"redis", redis_exchange, redis_mark, redis_dump, redis_forget,
	redis_prune, redis_close,
};

/*
 * Returns a new handle (caller closes it with hist_close()).  It tries
 * to connect at once but does not fail when the server is down: the
 * milter starts anyway and each call reports the outage.
 */
struct history *
hist_redis_open(const char *host, int port, int db, char **err)
{
	struct hist_redis *h = g_new0(struct hist_redis, 1);
	char *cerr = NULL;

	*err = NULL;
	h->base.ops = &redis_ops;
	pthread_mutex_init(&h->lock, NULL);
	h->host = g_strdup(host);
	h->port = port;
	h->db = db;
	for (int s = 0; s < RS_N; s++) {
		char *sum = g_compute_checksum_for_string(G_CHECKSUM_SHA1,
		    redis_lua[s], -1);

		g_strlcpy(h->sha[s], sum, sizeof(h->sha[s]));
		g_free(sum);
	}
	pthread_mutex_lock(&h->lock);
	(void)redis_connect(h, &cerr);
	pthread_mutex_unlock(&h->lock);
	g_free(cerr);
	return &h->base;
}
