/*
 * msg.c - one message through the core: collect, parse, judge, compose.
 *
 * Headers and body are copied once into one buffer bounded by
 * limits.max_message_bytes; what does not fit is not scanned (and the
 * result says truncated).  Our own X-Escalation* headers from outside
 * are never buffered; they are remembered by per-name index so the
 * caller can delete them from the highest index down.  The subject
 * and the customer's new text are normalised and scanned together.
 */
#include "msg.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gmime/gmime.h>

#include "log.h"
#include "norm.h"
#include "recall.h"

struct msg {
	const struct conf *conf;
	struct rules_scratch *scratch;
	GByteArray *buf;
	bool in_body;
	bool truncated;
	unsigned nheaders;
	GHashTable *ours;	/* lower-case name -> count (GUINT) */
	GArray *forged;		/* struct hdr_ref */
	char *subject_raw;
	bool judged;
	struct envelope env;
	bool derive_env;	/* -t: envelope from the headers */
	char *hdr_sender;	/* Return-Path or From (derive_env only) */
	GPtrArray *hdr_rcpts;	/* To and Cc values (derive_env only) */
	char *message_id;	/* first Message-ID, for exactly-once */
	char *date;		/* first Date, when there is no Message-ID */
	struct history *hist;	/* borrowed, or NULL */
	int64_t now;		/* injected clock, or 0 */
	struct msg_result res;
};

struct msg *
msg_new(const struct conf *conf, struct rules_scratch *scratch)
{
	struct msg *m = g_new0(struct msg, 1);

	m->conf = conf;
	m->scratch = scratch;
	m->buf = g_byte_array_new();
	m->ours = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	m->forged = g_array_new(FALSE, FALSE, sizeof(struct hdr_ref));
	envelope_init(&m->env);
	m->hdr_rcpts = g_ptr_array_new_with_free_func(g_free);
	extract_init(&m->res.ex);
	verdict_init(&m->res.verdict);
	tagging_init(&m->res.tag);
	return m;
}

void
msg_reset(struct msg *m)
{
	if (m == NULL)
		return;
	g_byte_array_set_size(m->buf, 0);
	m->in_body = m->truncated = m->judged = false;
	m->nheaders = 0;
	g_hash_table_remove_all(m->ours);
	for (guint i = 0; i < m->forged->len; i++)
		g_free(g_array_index(m->forged, struct hdr_ref, i).name);
	g_array_set_size(m->forged, 0);
	g_free(m->subject_raw);
	m->subject_raw = NULL;
	envelope_clear(&m->env);
	g_free(m->hdr_sender);
	m->hdr_sender = NULL;
	g_ptr_array_set_size(m->hdr_rcpts, 0);
	g_free(m->message_id);
	m->message_id = NULL;
	g_free(m->date);
	m->date = NULL;
	extract_clear(&m->res.ex);
	g_free(m->res.norm);
	verdict_clear(&m->res.verdict);
	tagging_clear(&m->res.tag);
	g_free(m->res.remove);
	memset(&m->res, 0, sizeof(m->res));
	extract_init(&m->res.ex);
}

void
msg_free(struct msg *m)
{
	if (m == NULL)
		return;
	msg_reset(m);
	g_byte_array_free(m->buf, TRUE);
	g_hash_table_destroy(m->ours);
	g_array_free(m->forged, TRUE);
	g_ptr_array_free(m->env.rcpts, TRUE);
	g_ptr_array_free(m->hdr_rcpts, TRUE);
	g_free(m);
}

/* Appends what fits under the message limit; true if all of it did. */
static bool
msg_append(struct msg *m, const void *data, size_t len)
{
	size_t max = m->conf->limits.max_message_bytes;

	if (m->buf->len >= max) {
		m->truncated = m->truncated || len > 0;
		return len == 0;
	}
	if (len > max - m->buf->len) {
		len = max - m->buf->len;
		m->truncated = true;
	}
	g_byte_array_append(m->buf, data, (guint)len);
	return !m->truncated;
}

static void
msg_note_ours(struct msg *m, const char *name)
{
	char *key = g_ascii_strdown(name, -1);
	unsigned n = GPOINTER_TO_UINT(g_hash_table_lookup(m->ours, key)) + 1;
	struct hdr_ref r;

	g_hash_table_replace(m->ours, key, GUINT_TO_POINTER(n));
	r.name = g_strdup(name);
	r.index = n;
	g_array_append_val(m->forged, r);
}

/* -t only: remembers the headers an envelope can be taken from. */
static void
msg_note_address(struct msg *m, const char *name, const char *value)
{
	if (g_ascii_strcasecmp(name, "Return-Path") == 0) {
		g_free(m->hdr_sender);
		m->hdr_sender = g_strdup(value);
	} else if (g_ascii_strcasecmp(name, "From") == 0) {
		if (m->hdr_sender == NULL)
			m->hdr_sender = g_strdup(value);
	} else if ((g_ascii_strcasecmp(name, "To") == 0 ||
	    g_ascii_strcasecmp(name, "Cc") == 0) &&
	    m->hdr_rcpts->len < m->conf->limits.max_recipients) {
		g_ptr_array_add(m->hdr_rcpts, g_strdup(value));
	}
}

/* The first mailbox address of a header value, or NULL. */
static char *
msg_first_addr(const char *value, GPtrArray *all)
{
	InternetAddressList *l = internet_address_list_parse(NULL, value);
	char *first = NULL;

	for (int i = 0; l != NULL && i < internet_address_list_length(l);
	    i++) {
		InternetAddress *a = internet_address_list_get_address(l, i);
		const char *addr;

		if (!INTERNET_ADDRESS_IS_MAILBOX(a))
			continue;
		addr = internet_address_mailbox_get_addr(
		    INTERNET_ADDRESS_MAILBOX(a));
		if (addr == NULL || *addr == '\0')
			continue;
		if (first == NULL)
			first = g_strdup(addr);
		if (all != NULL)
			g_ptr_array_add(all, g_strdup(addr));
	}
	if (l != NULL)
		g_object_unref(l);
	return first;
}

static void
msg_derive_envelope(struct msg *m)
{
	unsigned max = m->conf->limits.max_recipients;

	if (m->env.from == NULL && m->hdr_sender != NULL)
		m->env.from = msg_first_addr(m->hdr_sender, NULL);
	if (m->env.rcpts->len > 0)
		return;
	for (guint i = 0; i < m->hdr_rcpts->len; i++) {
		GPtrArray *all = g_ptr_array_new_with_free_func(g_free);

		g_free(msg_first_addr(g_ptr_array_index(m->hdr_rcpts, i), all));
		for (guint j = 0; j < all->len; j++)
			envelope_add_rcpt(&m->env, g_ptr_array_index(all, j),
			    max);
		g_ptr_array_free(all, TRUE);
	}
}

void
msg_set_history(struct msg *m, struct history *h)
{
	m->hist = h;
}

void
msg_set_now(struct msg *m, int64_t now)
{
	m->now = now;
}

struct envelope *
msg_envelope(struct msg *m)
{
	return &m->env;
}

void
msg_set_client(struct msg *m, const struct sockaddr *sa, size_t salen)
{
	m->env.have_client = sa != NULL && salen <= sizeof(m->env.client);
	if (m->env.have_client)
		memcpy(&m->env.client, sa, salen);
}

void
msg_envelope_from_headers(struct msg *m, bool on)
{
	m->derive_env = on;
}

void
msg_header(struct msg *m, const char *name, const char *value)
{
	if (m->in_body)
		return;
	if (tag_is_ours(name)) {
		msg_note_ours(m, name);
		return;
	}
	if (m->subject_raw == NULL && g_ascii_strcasecmp(name, "Subject") == 0)
		m->subject_raw = g_strdup(value);
	if (m->message_id == NULL &&
	    g_ascii_strcasecmp(name, "Message-ID") == 0)
		m->message_id = g_strdup(value);
	if (m->date == NULL && g_ascii_strcasecmp(name, "Date") == 0)
		m->date = g_strdup(value);
	if (m->derive_env)
		msg_note_address(m, name, value);
	if (++m->nheaders > m->conf->limits.max_headers) {
		m->truncated = true;
		return;
	}
	msg_append(m, name, strlen(name));
	msg_append(m, ": ", 2);
	msg_append(m, value, strlen(value));
	msg_append(m, "\r\n", 2);
}

void
msg_body(struct msg *m, const void *data, size_t len)
{
	if (!m->in_body) {
		msg_append(m, "\r\n", 2);
		m->in_body = true;
	}
	msg_append(m, data, len);
}

bool
msg_has_subject(const struct msg *m)
{
	return m->subject_raw != NULL;
}

static int
msg_cmp_ref(const void *a, const void *b)
{
	const struct hdr_ref *x = a, *y = b;
	int c = g_ascii_strcasecmp(x->name, y->name);

	if (c != 0)
		return c;
	return x->index > y->index ? -1 : x->index < y->index ? 1 : 0;
}

/* The forged headers, highest index first within each name. */
static void
msg_collect_forged(struct msg *m)
{
	struct msg_result *r = &m->res;

	r->nremove = r->trusted ? 0 : m->forged->len;
	r->remove = g_new0(struct hdr_ref, r->nremove ? r->nremove : 1);
	for (guint i = 0; i < r->nremove; i++)
		r->remove[i] = g_array_index(m->forged, struct hdr_ref, i);
	qsort(r->remove, r->nremove, sizeof(*r->remove), msg_cmp_ref);
}

/*
 * Channel, thresholds, trust and route, then the headers.  Mail from a
 * trusted sender or network keeps its X-Escalation headers; when it
 * carries some, none are added again.
 */
/*
 * The customer's history: record this message, fold in what earlier
 * ones said.  Trusted mail (the team forwarding a case back) and mail
 * without a sender are not part of a customer's conversation.  When
 * the store fails the message is judged on its own counts.
 */
static void
msg_recall(struct msg *m, bool mark)
{
	const struct recall_conf *rc = &m->conf->history;
	struct msg_result *r = &m->res;
	char *customer, *order = NULL, *msgid, *fallback, *err = NULL;
	int64_t now = m->now ? m->now : (int64_t)time(NULL);
	int rc_;

	r->verdict.now = now;
	if (m->hist == NULL || r->trusted)
		return;
	customer = recall_customer_key(rc, m->env.from);
	if (*customer == '\0') {
		g_free(customer);
		return;
	}
	order = recall_find_order(r->norm);
	fallback = g_strdup_printf("%s|%s|%s", m->env.from,
	    m->date ? m->date : "", m->subject_raw ? m->subject_raw : "");
	msgid = recall_msgid_hash(m->message_id, fallback);
	if (mark)
		rc_ = recall_mark(m->hist, rc, customer, order, msgid, now,
		    &r->verdict, &err);
	else
		rc_ = recall_apply(m->hist, rc, customer, order, msgid, now,
		    &r->verdict, &err);
	if (rc_ != 0) {
		log_warn("history: %s; judged on this message alone",
		    err ? err : "store failed");
		r->history_unavailable = true;
	} else if (!mark) {
		r->history_used = true;
	}
	g_free(err);
	g_free(msgid);
	g_free(fallback);
	g_free(order);
	g_free(customer);
}

/*
 * Channel, thresholds, trust, history and route, then the headers.
 * Mail from a trusted sender or network keeps its X-Escalation headers;
 * when it carries some, none are added again.
 */
static void
msg_route(struct msg *m)
{
	const struct routing *rt = &m->conf->routing;
	struct msg_result *r = &m->res;
	const struct route_channel *ch;

	if (m->derive_env)
		msg_derive_envelope(m);
	ch = route_channel_for(rt, &m->env);
	route_apply_thresholds(ch, &r->verdict);
	r->trusted = route_trusted(rt, &m->env);
	msg_recall(m, false);
	route_decide(rt, ch, &m->env, &r->verdict, r->trusted, &r->route);
	if (r->history_used && r->verdict.escalate)
		msg_recall(m, true);
	tag_compose(&m->conf->tag, &r->verdict, m->subject_raw,
	    r->ex.subject, &r->tag);
	if (r->trusted && m->forged->len > 0) {
		g_ptr_array_set_size(r->tag.add, 0);
		return;
	}
	tag_route(&m->conf->tag, rt, &r->route, &m->env, &r->verdict,
	    &r->tag);
	if (r->history_unavailable)
		tagging_add(&r->tag, "X-Escalation-History",
		    g_strdup("unavailable"));
}

const struct msg_result *
msg_eom(struct msg *m)
{
	const struct conf *c = m->conf;
	struct msg_result *r = &m->res;
	GString *scan;

	if (m->judged)
		return r;
	m->judged = true;
	if (!m->in_body)
		msg_body(m, "", 0);

	extract_message((const char *)m->buf->data, m->buf->len, &c->limits,
	    &r->ex);
	{
		char *subj = tag_strip_subject(&c->tag, r->ex.subject);

		scan = g_string_new(subj);
		g_free(subj);
	}
	g_string_append(scan, "\n");
	g_string_append_len(scan, r->ex.text->str, (gssize)r->ex.text->len);
	r->norm = norm_text(scan->str, scan->len, &r->norm_len);
	g_string_free(scan, TRUE);

	detect_run(c->rules, m->scratch, r->norm, r->norm_len, &c->limits,
	    &r->verdict);
	msg_route(m);
	msg_collect_forged(m);
	r->truncated = m->truncated || r->ex.truncated || r->verdict.overflow;
	return r;
}

/* Length of the header field starting at p (with continuations). */
static size_t
msg_field_len(const char *p, const char *end)
{
	const char *q = p;

	for (;;) {
		const char *nl = memchr(q, '\n', (size_t)(end - q));

		if (nl == NULL)
			return (size_t)(end - p);
		q = nl + 1;
		if (q >= end || (*q != ' ' && *q != '\t'))
			return (size_t)(q - p);
	}
}

void
msg_feed_raw(struct msg *m, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;

	while (p < end) {
		size_t flen;
		const char *colon, *v, *vend;
		char *name, *value;

		if (*p == '\n' || (*p == '\r' && p + 1 < end && p[1] == '\n')) {
			p += *p == '\r' ? 2 : 1;
			break;	/* blank line: end of header */
		}
		flen = msg_field_len(p, end);
		colon = memchr(p, ':', flen);
		if (colon == NULL || colon == p ||
		    memchr(p, ' ', (size_t)(colon - p)) != NULL)
			break;	/* not a header field: body starts here */
		v = colon + 1;
		vend = p + flen;
		while (v < vend && (*v == ' ' || *v == '\t'))
			v++;
		while (vend > v && (vend[-1] == '\n' || vend[-1] == '\r'))
			vend--;
		name = g_strndup(p, (gsize)(colon - p));
		value = g_strndup(v, (gsize)(vend - v));
		msg_header(m, name, value);
		g_free(name);
		g_free(value);
		p += flen;
	}
	msg_body(m, p, (size_t)(end - p));
}
