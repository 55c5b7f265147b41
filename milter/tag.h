/*
 * tag.h - what the milter writes into a message: the X-Escalation
 * headers and the subject tag, composed from a verdict.
 *
 * Everything taken from the message is sanitised first (tag_sanitize):
 * control characters and line breaks removed, white space collapsed,
 * length capped on a character boundary, RFC 2047-encoded when not
 * ASCII.  The subject tag is added once: a subject that already carries
 * the template's fixed prefix is left alone.
 */
#ifndef TAG_H
#define TAG_H

#include <glib.h>
#include <stdbool.h>

#include "detect.h"
#include "route.h"

struct tag_conf {
	char *subject_template;	/* "{categories}" is replaced; "" = off */
	bool signals_header;	/* X-Escalation-Signals */
	bool reason_header;	/* X-Escalation-Reason */
	unsigned max_header_chars; /* cap per header value */
};

struct hdr {
	char *name;
	char *value;	/* ready to hand to the MTA: ASCII, no CR/LF */
};

struct tagging {
	GPtrArray *add;		/* struct hdr *, in order; owned */
	char *subject;		/* new Subject header value, or NULL */
	char *subject_utf8;	/* the same, decoded, for -t output */
};

void tagging_init(struct tagging *t);
void tagging_clear(struct tagging *t);

/*
 * Composes headers and subject from v.  subject_raw is the Subject
 * header value as received (may be RFC 2047-encoded, may be NULL) and
 * subject_utf8 its decoded form (may be NULL).
 */
void tag_compose(const struct tag_conf *tc, const struct verdict *v,
    const char *subject_raw, const char *subject_utf8, struct tagging *t);

/*
 * Appends the routing audit headers: X-Escalation-Route (what was or
 * would be done, channel, owner), one X-Escalation-Original-Rcpt per
 * original recipient when recipients change (or would, in shadow mode),
 * and the configured extra headers when mail goes to a domestic queue.
 */
void tag_route(const struct tag_conf *tc, const struct routing *rt,
    const struct route *ro, const struct envelope *env,
    const struct verdict *v, struct tagging *t);

/* Appends a header (value owned by t from now on, already safe). */
void tagging_add(struct tagging *t, const char *name, char *value);

/* New string: s made safe for a header value, at most maxchars chars. */
char *tag_sanitize(const char *s, size_t maxchars);
/* New string: the fired category ids joined by ", ". */
char *tag_fired_list(const struct verdict *v);

/*
 * New string: subject without any tag the template would have made
 * (e.g. "[ESCALATED: legal] "), so our own words are never scanned.
 */
char *tag_strip_subject(const struct tag_conf *tc, const char *subject);

/* True for X-Escalation and X-Escalation-* (any case). */
bool tag_is_ours(const char *header_name);

#endif
