/*
 * history.c - opening a history store from a spec, and the calls that
 * go through its vtable.
 */
#include "history.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void
hist_result_init(struct hist_result *r, size_t ncats)
{
	memset(r, 0, sizeof(*r));
	r->prior = g_new0(unsigned, ncats ? ncats : 1);
	r->first = g_new0(int64_t, ncats ? ncats : 1);
}

void
hist_result_clear(struct hist_result *r)
{
	g_free(r->prior);
	g_free(r->first);
	g_free(r->sticky_fired);
	memset(r, 0, sizeof(*r));
}

/* "redis://host:port/db" with port and db optional. */
static struct history *
hist_open_redis(const char *rest, char **err)
{
	char *host, *p;
	long port = 6379, db = 0;
	struct history *h;

	host = g_strdup(rest);
	p = strchr(host, '/');
	if (p != NULL) {
		char *end;

		*p++ = '\0';
		if (*p != '\0') {
			db = strtol(p, &end, 10);
			if (*end != '\0' || db < 0 || db > 1000) {
				*err = g_strdup_printf("redis: bad database "
				    "number '%s'", p);
				g_free(host);
				return NULL;
			}
		}
	}
	p = strrchr(host, ':');
	if (p != NULL) {
		char *end;

		*p++ = '\0';
		port = strtol(p, &end, 10);
		if (*p == '\0' || *end != '\0' || port < 1 || port > 65535) {
			*err = g_strdup_printf("redis: bad port '%s'", p);
			g_free(host);
			return NULL;
		}
	}
	if (*host == '\0') {
		g_free(host);
		host = g_strdup("127.0.0.1");
	}
	h = hist_redis_open(host, (int)port, (int)db, err);
	g_free(host);
	return h;
}

struct history *
hist_open(const char *spec, char **err)
{
	*err = NULL;
	if (strcmp(spec, "none") == 0)
		return NULL;
	if (strcmp(spec, "memory:") == 0)
		return hist_mem_open(err);
	if (g_str_has_prefix(spec, "sqlite:")) {
		const char *path = spec + strlen("sqlite:");

		if (*path == '\0') {
			*err = g_strdup("sqlite: needs a file path");
			return NULL;
		}
		return hist_sqlite_open(path, err);
	}
	if (g_str_has_prefix(spec, "redis://"))
		return hist_open_redis(spec + strlen("redis://"), err);
	*err = g_strdup_printf("'%s' is not sqlite:/path, redis://host:port/db, "
	    "memory: or none", spec);
	return NULL;
}

void
hist_close(struct history *h)
{
	if (h != NULL)
		h->ops->close(h);
}

int
hist_exchange(struct history *h, const struct hist_msg *m,
    struct hist_result *r, char **err)
{
	return h->ops->exchange(h, m, r, err);
}

int
hist_mark(struct history *h, const struct hist_msg *m, const char *fired,
    char **err)
{
	return h->ops->mark(h, m, fired, err);
}

/* The lazy wrapper: the real store behind a mutex-guarded open. */
struct hist_lazy {
	struct history base;
	pthread_mutex_t lock;
	char *spec;
	int retry;
	time_t last_try;
	struct history *real;
};

/* The real store, opening it when due; NULL with *err when down. */
static struct history *
lazy_get(struct history *base, char **err)
{
	struct hist_lazy *l = (struct hist_lazy *)base;
	struct history *h;
	time_t now = time(NULL);

	pthread_mutex_lock(&l->lock);
	if (l->real == NULL && now - l->last_try >= l->retry) {
		char *e = NULL;

		l->last_try = now;
		l->real = hist_open(l->spec, &e);
		g_free(e);
	}
	h = l->real;
	pthread_mutex_unlock(&l->lock);
	if (h == NULL)
		*err = g_strdup_printf("%s: store not open (retrying every "
		    "%d s)", l->spec, l->retry);
	return h;
}

static int
lazy_exchange(struct history *base, const struct hist_msg *m,
    struct hist_result *r, char **err)
{
	struct history *h = lazy_get(base, err);

	return h != NULL ? h->ops->exchange(h, m, r, err) : -1;
}

static int
lazy_mark(struct history *base, const struct hist_msg *m, const char *fired,
    char **err)
{
	struct history *h = lazy_get(base, err);

	return h != NULL ? h->ops->mark(h, m, fired, err) : -1;
}

static int
lazy_dump(struct history *base, const char *customer, GString *out,
    char **err)
{
	struct history *h = lazy_get(base, err);

	return h != NULL ? h->ops->dump(h, customer, out, err) : -1;
}

static int
lazy_forget(struct history *base, const char *customer, unsigned *removed,
    char **err)
{
	struct history *h = lazy_get(base, err);

	return h != NULL ? h->ops->forget(h, customer, removed, err) : -1;
}

static int
lazy_prune(struct history *base, int64_t before, char **err)
{
	struct history *h = lazy_get(base, err);

	return h != NULL ? h->ops->prune(h, before, err) : -1;
}

static void
lazy_close(struct history *base)
{
	struct hist_lazy *l = (struct hist_lazy *)base;

	hist_close(l->real);
	pthread_mutex_destroy(&l->lock);
	g_free(l->spec);
	g_free(l);
}

static const struct hist_ops lazy_ops = {
	"lazy", lazy_exchange, lazy_mark, lazy_dump, lazy_forget, lazy_prune,
	lazy_close,
};

struct history *
hist_open_lazy(const char *spec, int retry)
{
	struct hist_lazy *l = g_new0(struct hist_lazy, 1);

	l->base.ops = &lazy_ops;
	pthread_mutex_init(&l->lock, NULL);
	l->spec = g_strdup(spec);
	l->retry = retry;
	l->last_try = time(NULL) - retry;
	return &l->base;
}
