/*
 * test_tag.c - header composition: sanitising hostile text, the subject
 * tag (once only, RFC 2047-safe), recognising our own header names.
 */
#include <gmime/gmime.h>
#include <string.h>

#include "harness.h"
#include "tag.h"

static void
test_sanitize(void)
{
	static const struct {
		const char *in;
		size_t max;
		const char *want;
	} cases[] = {
		{ "plain text", 100, "plain text" },
		{ "line\r\nInjected: header", 100, "line Injected: header" },
		{ "tab\tand\x01" "ctl\x7f", 100, "tab and ctl" },
		{ "  spaces   collapse  ", 100, "spaces collapse" },
		{ "0123456789", 4, "0123" },
		{ "", 10, "" },
		{ "ascii =?utf-8?q?x?= lookalike", 100,
		    "=?us-ascii?q?ascii_=3D=3Futf-8=3Fq=3Fx=3F=3D_lookalike?=" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *got = tag_sanitize(cases[i].in, cases[i].max);

		if (strstr(cases[i].want, "=?") == NULL)
			CHECK_STR(got, cases[i].want, cases[i].in);
		CHECK(strpbrk(got, "\r\n") == NULL, "no CR/LF in %zu", i);
		for (const char *p = got; *p; p++)
			CHECK((unsigned char)*p >= 0x20 &&
			    (unsigned char)*p < 0x7f, "printable ASCII %zu", i);
		g_free(got);
	}
	{	/* non-ASCII is encoded and decodes back */
		char *got = tag_sanitize("caf\xc3\xa9 \xe2\x82\xac", 100);
		char *dec = g_mime_utils_header_decode_text(NULL, got);

		CHECK(g_str_has_prefix(got, "=?"), "encoded: %s", got);
		CHECK_STR(dec, "caf\xc3\xa9 \xe2\x82\xac", "round trip");
		g_free(dec);
		g_free(got);
	}
	{	/* encoded-word lookalike cannot be smuggled through */
		char *got = tag_sanitize("=?utf-8?b?SW5qZWN0?=", 100);
		char *dec = g_mime_utils_header_decode_text(NULL, got);

		CHECK_STR(dec, "=?utf-8?b?SW5qZWN0?=", "lookalike kept literal");
		g_free(dec);
		g_free(got);
	}
	{	/* cap is in characters, never splits UTF-8 */
		char *got = tag_sanitize("\xc3\xa9\xc3\xa9\xc3\xa9", 2);
		char *dec = g_mime_utils_header_decode_text(NULL, got);

		CHECK_STR(dec, "\xc3\xa9\xc3\xa9", "cap on characters");
		g_free(dec);
		g_free(got);
	}
	{	/* invalid UTF-8 is made valid */
		char *got = tag_sanitize("bad\xff", 100);

		CHECK(g_str_is_ascii(got), "invalid UTF-8 encoded: %s", got);
		g_free(got);
	}
}

static void
test_ours(void)
{
	CHECK(tag_is_ours("X-Escalation"), "exact");
	CHECK(tag_is_ours("x-escalation-signals"), "lower case");
	CHECK(tag_is_ours("X-ESCALATION-Route"), "upper case");
	CHECK(!tag_is_ours("X-Escalations"), "longer name");
	CHECK(!tag_is_ours("X-Escalatio"), "prefix only");
	CHECK(!tag_is_ours("Subject"), "other header");
}

/* A verdict with the given categories fired (count = threshold). */
static void
fake_verdict(struct verdict *v, struct category *cats, size_t n,
    const bool *fired)
{
	verdict_init(v);
	v->nsig = n;
	v->sig = g_new0(struct signal, n);
	for (size_t i = 0; i < n; i++) {
		v->sig[i].cat = &cats[i];
		v->sig[i].threshold = cats[i].threshold;
		v->sig[i].count = fired[i] ? cats[i].threshold : 0;
		v->sig[i].evidence = g_ptr_array_new();
	}
	verdict_decide(v);
}

static void
test_subject(void)
{
	struct category cats[] = { { "legal", "", 1, false }, { "abuse", "", 2, false },
		{ "chargeback", "", 1, false } };
	const bool fired[] = { true, false, true };
	struct tag_conf tc = { "[ESCALATED: {categories}] ", true, true, 900 };
	static const struct {
		const char *raw, *utf8, *want_hdr, *want_utf8;
	} cases[] = {
		{ "Where is my order", "Where is my order",
		    "[ESCALATED: legal, chargeback] Where is my order",
		    "[ESCALATED: legal, chargeback] Where is my order" },
		{ "Re: [ESCALATED: legal] again", "Re: [ESCALATED: legal] again",
		    NULL, NULL },
		{ "re: [escalated: abuse] lower", "re: [escalated: abuse] lower",
		    NULL, NULL },
		{ "=?utf-8?q?Caf=C3=A9?=", "Caf\xc3\xa9",
		    "[ESCALATED: legal, chargeback] =?utf-8?q?Caf=C3=A9?=",
		    "[ESCALATED: legal, chargeback] Caf\xc3\xa9" },
		{ "Raw \xc3\xa9 8bit", "Raw \xc3\xa9 8bit", NULL,
		    "[ESCALATED: legal, chargeback] Raw \xc3\xa9 8bit" },
		{ NULL, NULL, "[ESCALATED: legal, chargeback] ",
		    "[ESCALATED: legal, chargeback] " },
	};
	struct verdict v;

	fake_verdict(&v, cats, G_N_ELEMENTS(cats), fired);
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct tagging t;

		tagging_init(&t);
		tag_compose(&tc, &v, cases[i].raw, cases[i].utf8, &t);
		if (cases[i].want_utf8 == NULL) {
			CHECK(t.subject == NULL, "not tagged twice: %s",
			    cases[i].raw);
		} else {
			char *dec;

			CHECK(t.subject != NULL, "tagged %zu", i);
			if (t.subject == NULL) {
				tagging_clear(&t);
				continue;
			}
			if (cases[i].want_hdr != NULL)
				CHECK_STR(t.subject, cases[i].want_hdr,
				    "subject header");
			CHECK(g_str_is_ascii(t.subject) &&
			    strpbrk(t.subject, "\r\n") == NULL,
			    "subject is one ASCII line: %s", t.subject);
			dec = g_mime_utils_header_decode_text(NULL, t.subject);
			CHECK(g_str_has_prefix(dec,
			    "[ESCALATED: legal, chargeback]"),
			    "decoded subject: %s", dec);
			g_free(dec);
			CHECK_STR(t.subject_utf8, cases[i].want_utf8, "utf8");
		}
		tagging_clear(&t);
	}
	verdict_clear(&v);
}

static void
test_headers(void)
{
	struct category cats[] = { { "review-threat", "", 2, false },
		{ "abuse", "", 2, false } };
	struct rule r = { 0 };
	struct tag_conf tc = { "[ESCALATED: {categories}] ", true, true, 900 };
	struct verdict v;
	struct tagging t;
	struct evidence *e;
	const bool fired[] = { false, true };

	fake_verdict(&v, cats, 2, fired);
	v.sig[0].count = 1;	/* watch only */
	r.id = "review.one-star";
	e = g_new0(struct evidence, 1);
	e->rule = &r;
	e->text = g_strdup("1 star\r\nX-Evil: yes \"q\"");
	g_ptr_array_add(v.sig[0].evidence, e);
	verdict_decide(&v);
	tagging_init(&t);
	tag_compose(&tc, &v, "Hi", "Hi", &t);
	CHECK(t.add->len == 3, "three headers, got %u", t.add->len);
	if (t.add->len == 3) {
		struct hdr *h0 = g_ptr_array_index(t.add, 0);
		struct hdr *h1 = g_ptr_array_index(t.add, 1);
		struct hdr *h2 = g_ptr_array_index(t.add, 2);

		CHECK_STR(h0->name, "X-Escalation", "name 0");
		CHECK_STR(h0->value, "abuse", "fired list");
		CHECK_STR(h1->value, "review-threat=1/2, abuse=2/2", "signals");
		CHECK(strstr(h2->value, "review.one-star") != NULL &&
		    strpbrk(h2->value, "\r\n") == NULL &&
		    strstr(h2->value, "\"q\"") == NULL,
		    "reason sanitised: %s", h2->value);
	}
	tagging_clear(&t);

	/* nothing fired, nothing seen: no headers, no subject */
	for (size_t i = 0; i < v.nsig; i++)
		v.sig[i].count = 0;
	verdict_decide(&v);
	tagging_init(&t);
	tag_compose(&tc, &v, "Hi", "Hi", &t);
	CHECK(t.add->len == 0 && t.subject == NULL, "untouched");
	tagging_clear(&t);
	verdict_clear(&v);
}

static void
test_strip(void)
{
	struct tag_conf tc = { "[ESCALATED: {categories}] ", true, true, 900 };
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "Re: [ESCALATED: legal] Order", "Re:  Order" },
		{ "[escalated: abuse, legal] x [ESCALATED: y] z", " x  z" },
		{ "No tag here", "No tag here" },
		{ "[ESCALATED: unterminated", "[ESCALATED: unterminated" },
		{ "", "" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *got = tag_strip_subject(&tc, cases[i].in);

		CHECK_STR(got, cases[i].want, cases[i].in);
		g_free(got);
	}
	CHECK(tag_strip_subject(&tc, NULL) == NULL, "NULL subject");
}

int
main(void)
{
	g_mime_init();
	test_strip();
	test_sanitize();
	test_ours();
	test_subject();
	test_headers();
	g_mime_shutdown();
	return harness_done("tag");
}
