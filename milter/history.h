/*
 * history.h - what each customer has said before: per-category counts
 * across a conversation, behind a small vtable with one file per
 * backend (history_mem.c, history_sqlite.c, history_redis.c).
 *
 * The store keeps no message content: a customer key (the normalised
 * sender address, or its keyed hash), an order number when one was
 * found, the category, the first rule id, a count, the time, and a hash
 * of the Message-ID.  A message is one record per category; recording
 * the same message again (same customer, same Message-ID hash) replaces
 * its record, so a retried or redelivered message never counts twice.
 *
 * hist_exchange() is atomic per customer: it records this message and
 * returns what OTHER messages of the same customer -- or of the same
 * order number -- contributed within each category's window, so
 * concurrent messages of one customer count exactly.
 *
 * Errors never reach the mail: a backend returns -1 with a message and
 * the caller judges the message on its own counts ("degraded").
 */
#ifndef HISTORY_H
#define HISTORY_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

/* This message, as the history sees it.  All pointers are borrowed. */
struct hist_msg {
	const char *customer;	/* key; never NULL or "" */
	const char *order;	/* order number, or NULL */
	const char *msgid;	/* hex hash of the Message-ID; never NULL */
	int64_t now;		/* unix seconds (tests inject it) */
	size_t ncats;
	const char *const *cat_ids;	/* category ids */
	const unsigned *counts;	/* this message: distinct expressions */
	const char *const *rules;	/* first rule id per category or NULL */
	const int64_t *windows;	/* seconds each category counts back */
	int64_t sticky_window;	/* seconds an escalation stays; 0 = off */
};

/* What the history says; arrays have ncats entries.  hist_result_clear. */
struct hist_result {
	unsigned *prior;	/* counts of other messages in the window */
	int64_t *first;		/* oldest such record's time, 0 if none */
	bool sticky;		/* an earlier message escalated in window */
	char *sticky_fired;	/* its fired categories ("legal,abuse") */
	int64_t sticky_time;
};

struct history;

struct hist_ops {
	const char *name;	/* "sqlite", "redis", "memory" */
	int (*exchange)(struct history *h, const struct hist_msg *m,
	    struct hist_result *r, char **err);
	/* Marks this (already exchanged) message as escalated with fired. */
	int (*mark)(struct history *h, const struct hist_msg *m,
	    const char *fired, char **err);
	/* Appends a JSON array of the customer's records to out. */
	int (*dump)(struct history *h, const char *customer, GString *out,
	    char **err);
	/* Erases every record of the customer; *removed gets the count. */
	int (*forget)(struct history *h, const char *customer,
	    unsigned *removed, char **err);
	/* Drops records older than before (unix seconds). */
	int (*prune)(struct history *h, int64_t before, char **err);
	void (*close)(struct history *h);
};

struct history {
	const struct hist_ops *ops;
	/* backend state follows in the backend's own struct */
};

/*
 * Opens a store from a spec: "sqlite:/path/file.db", "redis://host:port/db",
 * "memory:" or "none" (returns NULL and no error: no history).  On
 * failure returns NULL with *err set (g_free).
 */
struct history *hist_open(const char *spec, char **err);
void hist_close(struct history *h);
/*
 * For the daemon: a handle that opens spec on first use and, while the
 * store cannot be opened, tries again at most every retry seconds;
 * meanwhile every call fails (the caller degrades).  Never NULL.
 */
struct history *hist_open_lazy(const char *spec, int retry);

int hist_exchange(struct history *h, const struct hist_msg *m,
    struct hist_result *r, char **err);
int hist_mark(struct history *h, const struct hist_msg *m, const char *fired,
    char **err);

void hist_result_init(struct hist_result *r, size_t ncats);
void hist_result_clear(struct hist_result *r);

/* The backends (one file each). */
struct history *hist_mem_open(char **err);
struct history *hist_sqlite_open(const char *path, char **err);
struct history *hist_redis_open(const char *host, int port, int db,
    char **err);

#endif
