/*
 * test_recall.c - history keys (customer, order number, Message-ID) and
 * a conversation through the core with an injected clock: counts across
 * messages, windows, follow-ups, trusted senders, and a store that fails
 * in the middle of a run.
 */
#include <glib/gstdio.h>
#include <gmime/gmime.h>
#include <libxml/parser.h>
#include <string.h>

#include "conf.h"
#include "harness.h"
#include "history.h"
#include "msg.h"
#include "recall.h"
#include "rules.h"

#define DAY 86400

static void
test_keys(void)
{
	static const struct {
		const char *text, *order;
	} orders[] = {
		{ "order 113-4477120-5531234 arrived broken", "113-4477120-5531234" },
		{ "re: #48213 still waiting", "#48213" },
		{ "#123 is too short, #12345678901 too long", NULL },
		{ "1113-4477120-5531234 has four digits first", NULL },
		{ "phone 555-1234567-1234 is not an order", NULL },
		{ "", NULL },
	};
	struct recall_conf rc = { 0 };
	char *k1, *k2;

	for (size_t i = 0; i < G_N_ELEMENTS(orders); i++) {
		char *got = recall_find_order(orders[i].text);

		CHECK_STR(got, orders[i].order, orders[i].text);
		g_free(got);
	}
	k1 = recall_customer_key(&rc, "<Pat@Example.COM>");
	CHECK_STR(k1, "pat@example.com", "plain key is the normalised address");
	g_free(k1);
	k1 = recall_customer_key(&rc, "<>");
	CHECK_STR(k1, "", "null sender has no key");
	g_free(k1);
	rc.key_secret = "0123456789abcdef0123456789abcdef";
	k1 = recall_customer_key(&rc, "<Pat@Example.COM>");
	k2 = recall_customer_key(&rc, "pat@example.com");
	CHECK(k1 != NULL && strlen(k1) == 64 && strchr(k1, '@') == NULL,
	    "keyed hash hides the address: %s", k1 ? k1 : "");
	CHECK_STR(k1, k2, "keyed hash of the normalised address");
	g_free(k1);
	g_free(k2);
	rc.key_secret = "another secret, another key!!!!";
	k2 = recall_customer_key(&rc, "pat@example.com");
	CHECK(strlen(k2) == 64, "other secret");
	g_free(k2);
	k1 = recall_msgid_hash("<a@b>", "fallback");
	k2 = recall_msgid_hash("  <a@b> ", "other");
	CHECK_STR(k1, k2, "Message-ID hash ignores surrounding space");
	g_free(k2);
	k2 = recall_msgid_hash(NULL, "fallback");
	CHECK(strcmp(k1, k2) != 0 && strlen(k2) == 64, "fallback without id");
	g_free(k1);
	g_free(k2);
}

/* A store whose calls fail while "down" is set, else the memory store. */
struct flaky {
	struct history base;
	struct history *real;
	bool down;
};

static int
flaky_exchange(struct history *b, const struct hist_msg *m,
    struct hist_result *r, char **err)
{
	struct flaky *f = (struct flaky *)b;

	if (f->down) {
		*err = g_strdup("connection refused");
		return -1;
	}
	return hist_exchange(f->real, m, r, err);
}

static int
flaky_mark(struct history *b, const struct hist_msg *m, const char *fired,
    char **err)
{
	struct flaky *f = (struct flaky *)b;

	if (f->down) {
		*err = g_strdup("connection refused");
		return -1;
	}
	return hist_mark(f->real, m, fired, err);
}

static const struct hist_ops flaky_ops = { "flaky", flaky_exchange,
	flaky_mark, NULL, NULL, NULL, NULL };

static const char conf_yaml[] =
    "rules: [inline.yaml]\n"
    "history: {store: 'memory:', window_days: 10, windows: {abuse: 2}}\n"
    "routing: {trusted_senders: [domestic.example]}\n"
    "channels: [{name: c, default: true, domestic: q@domestic.example}]\n";

static const char rules_yaml[] =
    "categories:\n"
    "  - id: review-threat\n"
    "    threshold: 2\n"
    "    rules: [{id: review.bad, phrases: [bad review]}]\n"
    "  - id: abuse\n"
    "    threshold: 2\n"
    "    rules: [{id: abuse.idiots, phrases: [idiots]}]\n";

/* Sends one message; returns its result. */
static const struct msg_result *
send_msg(struct msg *m, const char *from, const char *msgid, int64_t now,
    const char *body)
{
	char *raw = g_strdup_printf("From: %s\r\nSubject: s\r\nMessage-ID: "
	    "<%s>\r\n\r\n%s\r\n", from, msgid, body);

	msg_reset(m);
	msg_set_now(m, now);
	envelope_set_from(msg_envelope(m), from);
	envelope_add_rcpt(msg_envelope(m), "support@shop.example", 10);
	msg_feed_raw(m, raw, strlen(raw));
	g_free(raw);
	return msg_eom(m);
}

static const struct {
	const char *from, *msgid;
	int64_t day;
	const char *body;
	bool escalate, followup, unavailable;
	unsigned review_total, abuse_total;
} thread[] = {
	{ "pat@example.com", "1", 0, "I will leave a bad review.", false,
	    false, false, 1, 0 },
	{ "pat@example.com", "2", 1, "Really, a bad review.", true, false,
	    false, 2, 0 },
	{ "pat@example.com", "2", 1, "Really, a bad review.", true, false,
	    false, 2, 0 },					/* retry */
	/* later mail follows the escalation; history totals are kept
	 * even without new evidence (only shown when there is some) */
	{ "pat@example.com", "3", 2, "Any news?", true, true, false, 2, 0 },
	{ "pat@example.com", "4", 3, "You idiots.", true, true, false, 2, 1 },
	{ "pat@example.com", "5", 6, "Idiots!", true, true, false, 2, 1 },
	/* abuse window is 2 days: day 3 is out at day 6, day 6 counts */
	{ "pat@example.com", "6", 7, "Idiots, again.", true, false, false, 2,
	    2 },
	/* another customer: fresh */
	{ "sam@example.com", "7", 7, "A bad review.", false, false, false, 1,
	    0 },
	/* the team forwarding a case back is no customer */
	{ "lead@domestic.example", "8", 7, "bad review bad review", false,
	    false, false, 1, 0 },
	/* the store fails: judged alone, flagged */
	{ "sam@example.com", "9", 8, "A bad review.", false, false, true, 1,
	    0 },
	/* and recovers: sam's first message still counts */
	{ "sam@example.com", "10", 9, "A bad review.", true, false, false, 2,
	    0 },
};

static void
test_thread(const char *dir)
{
	struct diag d;
	struct conf *c;
	struct rules_scratch *s;
	struct flaky f = { { &flaky_ops }, NULL, false };
	struct msg *m;
	char *rp = g_build_filename(dir, "inline.yaml", NULL);
	char *err = NULL;
	const int64_t t0 = 1700000000;

	g_file_set_contents(rp, rules_yaml, -1, NULL);
	diag_init(&d);
	c = conf_load_mem("t.yaml", conf_yaml, strlen(conf_yaml), dir, &d);
	CHECK(c != NULL, "config: %s", d.n ? d.lines[0] : "");
	diag_clear(&d);
	g_unlink(rp);
	g_free(rp);
	if (c == NULL)
		return;
	f.real = hist_open(c->history.store, &err);
	s = rules_scratch_new(c->rules);
	m = msg_new(c, s);
	msg_set_history(m, &f.base);
	for (size_t i = 0; i < G_N_ELEMENTS(thread); i++) {
		const struct msg_result *r;

		f.down = thread[i].unavailable;
		r = send_msg(m, thread[i].from, thread[i].msgid,
		    t0 + thread[i].day * DAY, thread[i].body);
		CHECK(r->verdict.escalate == thread[i].escalate,
		    "message %zu escalate %d", i, r->verdict.escalate);
		CHECK(r->verdict.followup == thread[i].followup,
		    "message %zu followup %d", i, r->verdict.followup);
		CHECK(r->history_unavailable == thread[i].unavailable,
		    "message %zu unavailable", i);
		CHECK(r->verdict.sig[0].count + r->verdict.sig[0].prior ==
		    thread[i].review_total, "message %zu review total %u", i,
		    r->verdict.sig[0].count + r->verdict.sig[0].prior);
		CHECK(r->verdict.sig[1].count + r->verdict.sig[1].prior ==
		    thread[i].abuse_total, "message %zu abuse total %u", i,
		    r->verdict.sig[1].count + r->verdict.sig[1].prior);
		if (thread[i].unavailable) {
			bool hdr = false;

			for (guint j = 0; j < r->tag.add->len; j++) {
				const struct hdr *h =
				    g_ptr_array_index(r->tag.add, j);

				hdr = hdr || (strcmp(h->name,
				    "X-Escalation-History") == 0 &&
				    strcmp(h->value, "unavailable") == 0);
			}
			CHECK(hdr, "X-Escalation-History: unavailable");
		}
	}
	msg_free(m);
	rules_scratch_free(s);
	hist_close(f.real);
	conf_unref(c);
}

int
main(void)
{
	char *dir = g_dir_make_tmp("recall-XXXXXX", NULL);

	g_mime_init();
	xmlInitParser();
	test_keys();
	test_thread(dir);
	g_rmdir(dir);
	g_free(dir);
	xmlCleanupParser();
	g_mime_shutdown();
	return harness_done("recall");
}
