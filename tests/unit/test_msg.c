/*
 * test_msg.c - one message through the core: forged-header bookkeeping,
 * chunked bodies, limits, quoted-reply traps, reset.
 */
#include <glib/gstdio.h>
#include <gmime/gmime.h>
#include <libxml/parser.h>
#include <string.h>

#include "conf.h"
#include "harness.h"
#include "msg.h"
#include "rules.h"

static const char conf_yaml[] =
    "limits: {max_message_bytes: 2048, max_headers: 20}\n"
    "rules: [inline.yaml]\n";

static const char rules_yaml[] =
    "categories:\n"
    "  - id: legal\n"
    "    threshold: 1\n"
    "    rules:\n"
    "      - id: legal.lawyer\n"
    "        phrases: [my lawyer, attorney]\n"
    "  - id: abuse\n"
    "    threshold: 2\n"
    "    rules:\n"
    "      - id: abuse.idiots\n"
    "        phrases: [idiots]\n"
    "      - id: abuse.scam\n"
    "        phrases: [scam]\n";

static struct conf *
load_conf(const char *dir)
{
	struct diag d;
	struct conf *c;
	char *rp = g_build_filename(dir, "inline.yaml", NULL);

	g_file_set_contents(rp, rules_yaml, -1, NULL);
	diag_init(&d);
	c = conf_load_mem("t.yaml", conf_yaml, strlen(conf_yaml), dir, &d);
	CHECK(c != NULL, "config loads: %s", d.n ? d.lines[0] : "");
	diag_clear(&d);
	g_free(rp);
	return c;
}

static const char forged[] =
    "From: a@example.com\r\n"
    "X-Escalation: legal\r\n"
    "Subject: hello\r\n"
    "x-escalation-signals: legal=1/1\r\n"
    "X-ESCALATION: abuse\r\n"
    "X-Escalations: not ours\r\n"
    "\r\n"
    "Just a question about my order.\r\n";

static void
test_forged(struct msg *m)
{
	const struct msg_result *r;

	msg_feed_raw(m, forged, strlen(forged));
	r = msg_eom(m);
	CHECK(!r->verdict.escalate, "neutral text");
	CHECK(r->nremove == 3, "three forged headers, got %zu", r->nremove);
	if (r->nremove == 3) {
		CHECK(g_ascii_strcasecmp(r->remove[0].name, "X-Escalation") ==
		    0 && r->remove[0].index == 2, "highest index first");
		CHECK(g_ascii_strcasecmp(r->remove[1].name, "X-Escalation") ==
		    0 && r->remove[1].index == 1, "then index 1");
		CHECK(r->remove[2].index == 1, "signals header index 1");
	}
	CHECK(r->tag.subject == NULL, "subject untouched");
	CHECK(r->tag.add->len == 0, "nothing added");
	msg_reset(m);
	msg_reset(m);	/* twice is safe */
}

static void
test_escalate(struct msg *m)
{
	static const char mail[] =
	    "Subject: =?utf-8?q?Refund_now_=E2=82=AC?=\r\n"
	    "\r\n"
	    "I will forward this to my lawyer. You idiots.\r\n"
	    "\r\n"
	    "On Mon, 3 Jun 2024, Support <s@shop.example> wrote:\r\n"
	    "> We are not a scam, please talk to an attorney if you want.\r\n";
	const struct msg_result *r;

	msg_feed_raw(m, mail, strlen(mail));
	r = msg_eom(m);
	CHECK(r->verdict.escalate, "escalates");
	CHECK(r->verdict.sig[0].count == 1 && r->verdict.sig[0].fired,
	    "legal fired once");
	CHECK(r->verdict.sig[1].count == 1 && !r->verdict.sig[1].fired,
	    "abuse 1/2: quoted 'scam' not counted (count %u)",
	    r->verdict.sig[1].count);
	CHECK(r->tag.subject_utf8 != NULL &&
	    strcmp(r->tag.subject_utf8,
		"[ESCALATED: legal] Refund now \xe2\x82\xac") == 0,
	    "subject decoded and tagged: %s", r->tag.subject_utf8);
	msg_reset(m);
}

/* The same message in 1-byte body chunks gives the same verdict. */
static void
test_chunks(struct msg *m)
{
	static const char body[] = "You are idiots and a scam.\r\n";

	msg_header(m, "Subject", "x");
	for (size_t i = 0; i < sizeof(body) - 1; i++)
		msg_body(m, body + i, 1);
	CHECK(msg_eom(m)->verdict.sig[1].fired, "abuse 2/2 over 1-byte chunks");
	msg_reset(m);
}

static void
test_limits(struct msg *m)
{
	char big[4096];
	const struct msg_result *r;

	memset(big, 'a', sizeof(big));
	msg_header(m, "Subject", "big");
	msg_body(m, "my lawyer ", 10);
	msg_body(m, big, sizeof(big));
	msg_body(m, " attorney", 9);
	r = msg_eom(m);
	CHECK(r->truncated, "over max_message_bytes is truncated");
	CHECK(r->verdict.sig[0].count == 1, "judged on what fitted");
	msg_reset(m);

	for (int i = 0; i < 30; i++)
		msg_header(m, "X-Many", "h");
	CHECK(msg_eom(m)->truncated, "over max_headers is truncated");
	msg_reset(m);

	msg_feed_raw(m, "", 0);
	CHECK(!msg_eom(m)->verdict.escalate, "empty message");
	msg_reset(m);

	msg_feed_raw(m, "no header at all\n\nmy lawyer", 27);
	CHECK(msg_eom(m)->verdict.escalate, "headerless text is body");
	msg_reset(m);
}

int
main(void)
{
	char *dir = g_dir_make_tmp("msg-XXXXXX", NULL);
	struct conf *c;
	struct rules_scratch *s;
	struct msg *m;

	g_mime_init();
	xmlInitParser();
	c = load_conf(dir);
	if (c == NULL)
		return harness_done("msg");
	s = rules_scratch_new(c->rules);
	m = msg_new(c, s);
	test_forged(m);
	test_escalate(m);
	test_chunks(m);
	test_limits(m);
	msg_free(m);
	msg_free(NULL);
	rules_scratch_free(s);
	conf_unref(c);
	{
		char *rp = g_build_filename(dir, "inline.yaml", NULL);

		g_unlink(rp);
		g_free(rp);
		g_rmdir(dir);
	}
	g_free(dir);
	xmlCleanupParser();
	g_mime_shutdown();
	return harness_done("msg");
}
