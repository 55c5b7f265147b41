/*
 * recall.c - history keys, and folding the history into a verdict.
 */
#include "recall.h"

#include <string.h>

#include "route.h"

char *
recall_customer_key(const struct recall_conf *rc, const char *addr)
{
	char *norm = route_addr_norm(addr);
	char *key;

	if (*norm == '\0' || rc->key_secret == NULL)
		return norm;
	key = g_compute_hmac_for_string(G_CHECKSUM_SHA256,
	    (const guchar *)rc->key_secret, strlen(rc->key_secret), norm, -1);
	g_free(norm);
	return key;
}

/* n ASCII digits at p (and no more digits right after). */
static bool
recall_digits(const char *p, int n)
{
	for (int i = 0; i < n; i++)
		if (!g_ascii_isdigit(p[i]))
			return false;
	return !g_ascii_isdigit(p[n]);
}

char *
recall_find_order(const char *text)
{
	for (const char *p = text; p != NULL && *p != '\0'; p++) {
		bool start = p == text || !g_ascii_isalnum(p[-1]);

		/* Amazon: 123-1234567-1234567 */
		if (start && recall_digits(p, 3) && p[3] == '-' &&
		    recall_digits(p + 4, 7) && p[11] == '-' &&
		    recall_digits(p + 12, 7))
			return g_strndup(p, 19);
		/* Shopify: #1234 (4 to 10 digits) */
		if (*p == '#' && g_ascii_isdigit(p[1])) {
			int n = 0;

			while (n < 11 && g_ascii_isdigit(p[1 + n]))
				n++;
			if (n >= 4 && n <= 10)
				return g_strndup(p, (gsize)n + 1);
		}
	}
	return NULL;
}

char *
recall_msgid_hash(const char *message_id, const char *fallback)
{
	const char *s = message_id != NULL && *message_id != '\0' ?
	    message_id : fallback;
	char *trimmed = g_strstrip(g_strdup(s != NULL ? s : ""));
	char *h = g_compute_checksum_for_string(G_CHECKSUM_SHA256, trimmed,
	    -1);

	g_free(trimmed);
	return h;
}

/* The hist_msg for this message; arrays owned by the caller's frame. */
struct recall_frame {
	struct hist_msg m;
	const char **ids;
	unsigned *counts;
	const char **rules;
};

static void
recall_frame_init(struct recall_frame *f, const struct recall_conf *rc,
    const char *customer, const char *order, const char *msgid, int64_t now,
    const struct verdict *v)
{
	f->ids = g_new0(const char *, v->nsig + 1);
	f->counts = g_new0(unsigned, v->nsig + 1);
	f->rules = g_new0(const char *, v->nsig + 1);
	for (size_t i = 0; i < v->nsig; i++) {
		const struct signal *s = &v->sig[i];

		f->ids[i] = s->cat->id;
		f->counts[i] = s->count;
		if (s->evidence->len > 0)
			f->rules[i] = ((const struct evidence *)
			    g_ptr_array_index(s->evidence, 0))->rule->id;
	}
	f->m.customer = customer;
	f->m.order = order;
	f->m.msgid = msgid;
	f->m.now = now;
	f->m.ncats = MIN(v->nsig, rc->ncats);
	f->m.cat_ids = f->ids;
	f->m.counts = f->counts;
	f->m.rules = f->rules;
	f->m.windows = rc->windows;
	f->m.sticky_window = rc->sticky ? rc->sticky_window : 0;
}

static void
recall_frame_clear(struct recall_frame *f)
{
	g_free(f->ids);
	g_free(f->counts);
	g_free(f->rules);
}

/* Sets followup on the categories named in "legal,abuse". */
static void
recall_followup(struct verdict *v, const char *fired)
{
	char **ids = g_strsplit(fired != NULL ? fired : "", ",", -1);

	for (size_t k = 0; ids[k] != NULL; k++)
		for (size_t i = 0; i < v->nsig; i++)
			if (strcmp(v->sig[i].cat->id, g_strstrip(ids[k])) == 0)
				v->sig[i].followup = true;
	g_strfreev(ids);
}

int
recall_apply(struct history *h, const struct recall_conf *rc,
    const char *customer, const char *order, const char *msgid, int64_t now,
    struct verdict *v, char **err)
{
	struct recall_frame f;
	struct hist_result r;
	int rc_ = 0;

	recall_frame_init(&f, rc, customer, order, msgid, now, v);
	hist_result_init(&r, f.m.ncats);
	if (hist_exchange(h, &f.m, &r, err) != 0) {
		rc_ = -1;
		goto done;
	}
	for (size_t i = 0; i < f.m.ncats; i++) {
		v->sig[i].prior = r.prior[i];
		v->sig[i].first = r.first[i];
	}
	if (rc->sticky && r.sticky)
		recall_followup(v, r.sticky_fired);
	verdict_decide(v);
done:
	hist_result_clear(&r);
	recall_frame_clear(&f);
	return rc_;
}

int
recall_mark(struct history *h, const struct recall_conf *rc,
    const char *customer, const char *order, const char *msgid, int64_t now,
    const struct verdict *v, char **err)
{
	struct recall_frame f;
	GString *fired;
	int ret;

	if (!v->escalate || v->followup)
		return 0;
	fired = g_string_new(NULL);
	for (size_t i = 0; i < v->nsig; i++)
		if (v->sig[i].fired)
			g_string_append_printf(fired, "%s%s",
			    fired->len ? "," : "", v->sig[i].cat->id);
	recall_frame_init(&f, rc, customer, order, msgid, now, v);
	ret = hist_mark(h, &f.m, fired->str, err);
	recall_frame_clear(&f);
	g_string_free(fired, TRUE);
	return ret;
}

void
recall_conf_free(struct recall_conf *rc)
{
	g_free(rc->store);
	g_free(rc->windows);
	g_free(rc->key_secret);
	memset(rc, 0, sizeof(*rc));
}
