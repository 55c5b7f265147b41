/*
 * test_detect.c - counting distinct expressions per category:
 * exclusions, overlapping hits, repeats, decisive rules, chargeback
 * state, thresholds.
 */
#include <glib.h>
#include <string.h>

#include "detect.h"
#include "harness.h"
#include "norm.h"
#include "rules.h"

static const char rules_yaml[] =
    "categories:\n"
    "  - id: review-threat\n"
    "    threshold: 2\n"
    "    rules:\n"
    "      - id: review.review\n"
    "        phrases: [review, bad review]\n"
    "      - id: review.bbb\n"
    "        phrases: [bbb]\n"
    "    exclude:\n"
    "      - id: review.good\n"
    "        regex: '(5|five)[ -]star review'\n"
    "  - id: chargeback\n"
    "    threshold: 1\n"
    "    rules:\n"
    "      - id: cb.threat\n"
    "        phrases: [dispute the charge]\n"
    "        state: threatened\n"
    "      - id: cb.opened\n"
    "        regex: 'pp-d-[0-9]+'\n"
    "        state: opened\n"
    "        boundary: false\n"
    "  - id: phone-demand\n"
    "    threshold: 3\n"
    "    rules:\n"
    "      - id: phone.call\n"
    "        phrases: [call me]\n"
    "      - id: phone.only\n"
    "        phrases: [only by phone]\n"
    "        decisive: true\n";

static const struct {
	const char *text;
	unsigned review, cb, phone;	/* expected counts */
	bool f_review, f_cb, f_phone;	/* expected fired */
	enum cb_state state;
} cases[] = {
	{ "nothing here", 0, 0, 0, false, false, false, CB_STATE_NONE },
	{ "I will leave a bad review", 1, 0, 0, false, false, false, 0 },
	{ "a bad review and a BBB complaint", 2, 0, 0, true, false, false, 0 },
	/* overlapping "review" and "bad review" are one expression */
	{ "bad review", 1, 0, 0, false, false, false, 0 },
	/* the same expression twice counts once */
	{ "review. review! review?", 1, 0, 0, false, false, false, 0 },
	/* excluded: inside a 5 star review span */
	{ "I gave you a 5 star review and a five-star review before", 0, 0, 0,
	    false, false, false, 0 },
	{ "5 star review, but now a bad review and bbb", 2, 0, 0, true, false,
	    false, 0 },
	{ "I will dispute the charge", 0, 1, 0, false, true, false,
	    CB_STATE_THREATENED },
	{ "case PP-D-12345 is open; I will dispute the charge", 0, 2, 0, false,
	    true, false, CB_STATE_OPENED },
	{ "call me, call me, CALL ME", 0, 0, 1, false, false, false, 0 },
	{ "I will talk only by phone", 0, 0, 1, false, false, true, 0 },
	/* word boundaries */
	{ "reviewed previews bbbq", 0, 0, 0, false, false, false, 0 },
};

/* "count: each": repeats count again, unless they follow at once. */
static void
test_count_each(const struct limits *lim)
{
	static const char yaml[] =
	    "categories:\n"
	    "  - id: abuse\n"
	    "    threshold: 2\n"
	    "    count: each\n"
	    "    rules:\n"
	    "      - {id: abuse.crap, phrases: [crap, crappy]}\n"
	    "      - {id: abuse.useless, phrases: [useless]}\n"
	    "  - id: legal\n"
	    "    rules:\n"
	    "      - {id: legal.lawyer, phrases: [lawyer]}\n";
	static const struct {
		const char *text;
		unsigned abuse, legal;
	} each[] = {
		{ "this crap ... and then more of the same crap", 2, 0 },
		{ "crap crap crap", 1, 0 },
		{ "useless. absolutely useless.", 1, 0 },
		{ "crap crap, useless", 2, 0 },
		{ "crap crap crap and a long way later, more crap", 2, 0 },
		/* distinct (the default): the same words count once */
		{ "my lawyer ... a long way later: my lawyer", 0, 1 },
	};
	struct diag d;
	struct ruleset *rs;
	struct rules_scratch *s;

	diag_init(&d);
	rs = ruleset_load_mem("each.yaml", yaml, strlen(yaml), &d);
	CHECK(rs != NULL, "count: each loads: %s", d.n ? d.lines[0] : "");
	diag_clear(&d);
	if (rs == NULL)
		return;
	CHECK(ruleset_cat(rs, 0)->count_each && !ruleset_cat(rs, 1)->count_each,
	    "count: each is per category");
	s = rules_scratch_new(rs);
	for (size_t i = 0; i < G_N_ELEMENTS(each); i++) {
		struct verdict v;
		size_t len;
		char *t = norm_text(each[i].text, strlen(each[i].text), &len);

		verdict_init(&v);
		detect_run(rs, s, t, len, lim, &v);
		CHECK(v.sig[0].count == each[i].abuse, "'%s': abuse %u, want %u",
		    each[i].text, v.sig[0].count, each[i].abuse);
		CHECK(v.sig[1].count == each[i].legal, "'%s': legal %u, want %u",
		    each[i].text, v.sig[1].count, each[i].legal);
		verdict_clear(&v);
		g_free(t);
	}
	rules_scratch_free(s);
	ruleset_free(rs);
}

int
main(void)
{
	struct diag d;
	struct ruleset *rs;
	struct rules_scratch *s;
	struct limits lim = { 1 << 20, 1 << 20, 8, 8, 100, 80, 5, 100 };

	diag_init(&d);
	rs = ruleset_load_mem("t.yaml", rules_yaml, strlen(rules_yaml), &d);
	CHECK(rs != NULL, "rules load: %s", d.n ? d.lines[0] : "");
	diag_clear(&d);
	if (rs == NULL)
		return harness_done("detect");
	s = rules_scratch_new(rs);
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct verdict v;
		size_t len;
		char *t = norm_text(cases[i].text, strlen(cases[i].text), &len);

		verdict_init(&v);
		detect_run(rs, s, t, len, &lim, &v);
		CHECK(v.nsig == 3, "three signals");
		CHECK(v.sig[0].count == cases[i].review,
		    "'%s': review count %u, want %u", cases[i].text,
		    v.sig[0].count, cases[i].review);
		CHECK(v.sig[1].count == cases[i].cb,
		    "'%s': chargeback count %u, want %u", cases[i].text,
		    v.sig[1].count, cases[i].cb);
		CHECK(v.sig[2].count == cases[i].phone,
		    "'%s': phone count %u, want %u", cases[i].text,
		    v.sig[2].count, cases[i].phone);
		CHECK(v.sig[0].fired == cases[i].f_review &&
		    v.sig[1].fired == cases[i].f_cb &&
		    v.sig[2].fired == cases[i].f_phone,
		    "'%s': fired set", cases[i].text);
		CHECK(v.escalate == (cases[i].f_review || cases[i].f_cb ||
		    cases[i].f_phone), "'%s': escalate", cases[i].text);
		if (cases[i].cb > 0)
			CHECK(v.sig[1].state == cases[i].state,
			    "'%s': state %d", cases[i].text, v.sig[1].state);
		for (size_t k = 0; k < v.nsig; k++)
			CHECK(v.sig[k].evidence->len == MIN(v.sig[k].count,
			    lim.max_evidence), "evidence per expression");
		verdict_clear(&v);
		verdict_clear(&v);	/* twice is safe */
		g_free(t);
	}
	{	/* evidence is capped in items and characters */
		struct limits small = lim;
		struct verdict v;
		const char *t = "bad review bbb";

		small.max_evidence = 1;
		small.max_excerpt = 3;
		verdict_init(&v);
		detect_run(rs, s, t, strlen(t), &small, &v);
		CHECK(v.sig[0].count == 2 && v.sig[0].evidence->len == 1,
		    "evidence capped at max_evidence");
		if (v.sig[0].evidence->len == 1) {
			struct evidence *e = g_ptr_array_index(v.sig[0].evidence,
			    0);

			CHECK_STR(e->text, "bad", "excerpt capped");
			CHECK_STR(e->rule->id, "review.review", "rule id");
		}
		verdict_clear(&v);
	}
	rules_scratch_free(s);
	ruleset_free(rs);
	test_count_each(&lim);
	return harness_done("detect");
}
