/*
 * msg.h - one message through the core, as the milter and -t see it.
 *
 * The caller feeds headers (name, value as received) and body chunks;
 * they are copied once into one bounded buffer.  msg_eom() parses and
 * judges the message and returns what to do with it.  msg_reset() frees
 * everything of the message (safe to call twice) so that the struct can
 * serve the next message of the connection.  Knows nothing of libmilter.
 */
#ifndef MSG_H
#define MSG_H

#include <stdbool.h>
#include <stddef.h>

#include "conf.h"
#include "detect.h"
#include "extract.h"
#include "history.h"
#include "route.h"
#include "tag.h"

struct hdr_ref {
	char *name;	/* as received */
	unsigned index;	/* 1-based among headers of that name */
};

struct msg_result {
	struct extracted ex;
	char *norm;		/* normalised text that was scanned */
	size_t norm_len;
	struct verdict verdict;
	struct tagging tag;
	struct route route;	/* where it goes (route.h) */
	bool trusted;		/* trusted sender or client network */
	bool history_used;	/* the history was consulted */
	bool history_unavailable; /* the store failed: judged alone */
	struct hdr_ref *remove;	/* forged headers, highest index first */
	size_t nremove;
	bool truncated;		/* a limit was hit somewhere */
};

struct msg;

/* conf: borrowed reference that must outlive the msg. */
struct msg *msg_new(const struct conf *conf, struct rules_scratch *scratch);
void msg_free(struct msg *m);
void msg_reset(struct msg *m);

void msg_header(struct msg *m, const char *name, const char *value);
void msg_body(struct msg *m, const void *data, size_t len);
/* Judges the message; the result lives until msg_reset/msg_free. */
const struct msg_result *msg_eom(struct msg *m);

/*
 * The envelope of the current message, filled by the caller (MAIL FROM,
 * RCPT TO); cleared by msg_reset.  The client address outlives resets.
 */
struct envelope *msg_envelope(struct msg *m);
void msg_set_client(struct msg *m, const struct sockaddr *sa,
    size_t salen);
/*
 * For offline runs: take the envelope from the headers (Return-Path or
 * From; To and Cc) when the caller gave none.
 */
void msg_envelope_from_headers(struct msg *m, bool on);

/* The customer history to consult (borrowed; NULL: none). */
void msg_set_history(struct msg *m, struct history *h);
/* The clock for history windows (0: the real time).  For tests. */
void msg_set_now(struct msg *m, int64_t now);

/* True when the message had a Subject header. */
bool msg_has_subject(const struct msg *m);

/* Feeds a whole RFC 5322 message (as from a file) through the above. */
void msg_feed_raw(struct msg *m, const char *buf, size_t len);

#endif
