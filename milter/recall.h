/*
 * recall.h - a message in the light of the customer's history.
 *
 * Derives the keys the history is kept under (the customer: normalised
 * sender address, or its keyed hash; an order number found in the
 * text; a hash of the Message-ID), records the message's counts and
 * reads back what earlier messages of the conversation said, so that
 * thresholds count across messages and a customer whose case escalated
 * stays escalated for a while (sticky follow-ups).
 */
#ifndef RECALL_H
#define RECALL_H

#include <stdbool.h>
#include <stdint.h>

#include "detect.h"
#include "history.h"

struct recall_conf {
	char *store;		/* spec (history.h); "none" = no history */
	int64_t *windows;	/* per category, seconds */
	size_t ncats;
	bool sticky;		/* later mail follows an escalation */
	int64_t sticky_window;	/* seconds */
	char *key_secret;	/* keyed hash of addresses, or NULL */
	bool tempfail_unavailable; /* store down: tempfail, not accept */
	unsigned retry;		/* seconds between tries to open a store */
};

/* New string: the customer key for an address ("" for the null sender). */
char *recall_customer_key(const struct recall_conf *rc, const char *addr);
/* New string: the first order number in text (Amazon 123-1234567-1234567
 * or Shopify #1234), or NULL. */
char *recall_find_order(const char *text);
/* New string: hex SHA-256 of the Message-ID, or of fallback without one. */
char *recall_msgid_hash(const char *message_id, const char *fallback);

/*
 * Records this message and folds the history into v: prior counts,
 * their oldest time, follow-up flags; then re-decides v.  Returns 0, or
 * -1 with *err when the store failed (v is then left as it was).
 */
int recall_apply(struct history *h, const struct recall_conf *rc,
    const char *customer, const char *order, const char *msgid, int64_t now,
    struct verdict *v, char **err);
/* Remembers that this message escalated (not for mere follow-ups). */
int recall_mark(struct history *h, const struct recall_conf *rc,
    const char *customer, const char *order, const char *msgid, int64_t now,
    const struct verdict *v, char **err);

void recall_conf_free(struct recall_conf *rc);

#endif
