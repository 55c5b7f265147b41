/*
 * history_redis.c - the Redis history backend ("redis://host:port/db").
 */
#include "history.h"

struct history *
hist_redis_open(const char *host, int port, int db, char **err)
{
	*err = g_strdup_printf("redis://%s:%d/%d: backend not available",
	    host, port, db);
	return NULL;
}
