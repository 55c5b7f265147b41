/*
 * test_context.c - context rules of the shipped rules/default.yaml for
 * the legal, manager-demand and chargeback categories, and the
 * precision of solution-rejected and stalled.
 *
 * Each sentence is normalised and run through detect_run() with the
 * shipped rule set, as the milter does for a message's own text.  The
 * tables say whether legal and manager-demand have an expression and
 * which chargeback state is reported: negations and hypotheticals,
 * threats made by a third party against the writer, a manager merely
 * mentioned versus asked for, chargebacks threatened versus opened
 * (PayPal, Amazon and Shopify notices included), credit-bureau and debt
 * disputes.
 */
#include <glib.h>
#include <string.h>

#include "detect.h"
#include "harness.h"
#include "norm.h"
#include "rules.h"

#define NO CB_STATE_NONE
#define TH CB_STATE_THREATENED
#define OP CB_STATE_OPENED

static const struct {
	const char *text;
	bool legal, manager;
	enum cb_state cb;	/* NO: no chargeback expression */
} cases[] = {
	/* legal: the writer's own threats, reluctant and conditional ones */
	{ "If this is not fixed I will sue.", true, false, NO },
	{ "I don't want to have to call my lawyer.", true, false, NO },
	{ "I'd hate to get lawyers involved.", true, false, NO },
	{ "I will take you to court over this.", true, false, NO },
	{ "I am going to sue your company.", true, false, NO },
	{ "I have contacted an attorney about this order.", true, false,
	    NO },
	{ "My lawyer will be in touch.", true, false, NO },
	{ "I intend to contact the NY AG about this.", true, false, NO },
	{ "I filed a complaint with the state attorney general.", true,
	    false, NO },
	{ "I will report you to the FTC.", true, false, NO },
	{ "See you in small claims court.", true, false, NO },
	{ "I will not hesitate to sue.", true, false, NO },
	{ "I'm prepared to sue if I have to.", true, false, NO },
	{ "We'll sue.", true, false, NO },
	{ "I will be exploring my legal options.", true, false, NO },
	{ "I'm reporting this to Trading Standards.", true, false, NO },
	{ "You will receive a letter from my solicitor.", true, false, NO },
	{ "I'm filing a complaint with the Department of Transportation.",
	    true, false, NO },
	{ "I reported the shop to my state's consumer protection office.",
	    true, false, NO },
	{ "I have already complained to the CFPB.", true, false, NO },
	{ "I'm not going to hesitate to sue.", true, false, NO },
	{ "I will file a lawsuit against your company.", true, false, NO },
	/* legal: action against the writer, cited rules, denials */
	{ "The collector threatened to sue me.", false, false, NO },
	{ "They said they would take me to court.", false, false, NO },
	{ "They are suing me for a debt I don't owe.", false, false, NO },
	{ "A lawsuit was filed against me by the lender.", false, false,
	    NO },
	{ "I received a letter from their attorney demanding payment.",
	    false, false, NO },
	{ "I was contacted by an attorney for the collection agency.",
	    false, false, NO },
	{ "The agency keeps threatening legal action against me.", false,
	    false, NO },
	{ "The collector is going to sue, they told my mother.", false,
	    false, NO },
	{ "I was sued by my landlord last year.", false, false, NO },
	{ "FTC rules say you must ship within 30 days.", false, false, NO },
	{ "According to the CFPB, lenders must answer within 15 days.",
	    false, false, NO },
	{ "I have no intention of taking legal action.", false, false, NO },
	{ "I'm not going to sue anyone, I just want my refund.", false,
	    false, NO },
	{ "Sue from your team was very helpful.", false, false, NO },
	{ "Can Sue call me back?", false, false, NO },
	{ "I am not a lawyer but this seems wrong.", false, false, NO },
	{ "I filed an identity theft report with the FTC.", false, false,
	    NO },
	{ "The ball is in your court.", false, false, NO },
	{ "I used to have an attorney for my accident claim.", false, false,
	    NO },
	{ "I was served with a lawsuit by the debt buyer.", false, false,
	    NO },
	{ "The law firm filed suit against me in county court.", false,
	    false, NO },
	{ "I got a call from an attorney's office saying I would be sued.",
	    false, false, NO },
	{ "The FCC ID is on the back of the router.", false, false, NO },
	{ "Under state consumer protection laws you must refund me.", false,
	    false, NO },

	/* manager: demanded, asked for, reported requests */
	{ "I want to speak to a manager.", false, true, NO },
	{ "I asked for a supervisor twice.", false, true, NO },
	{ "I left messages for the supervisor but nobody called back.",
	    false, true, NO },
	{ "Please escalate this.", false, true, NO },
	{ "Is there a manager I can speak to?", false, true, NO },
	{ "I'd like a supervisor to call me.", false, true, NO },
	{ "Let me talk to someone who can actually make a decision.", false,
	    true, NO },
	{ "Who is in charge there?", false, true, NO },
	{ "I am writing to your CEO.", false, true, NO },
	{ "Put me through to someone higher up.", false, true, NO },
	{ "I want to speak to the owner.", false, true, NO },
	{ "Pass this on to your manager.", false, true, NO },
	{ "I asked to speak to your manager, who told me to wait.", false,
	    true, NO },
	{ "I've asked three times for a supervisor.", false, true, NO },
	{ "Put a manager on the phone.", false, true, NO },
	{ "I will take this further legally.", true, true, NO },
	/* manager: only mentioned, someone's job title, other senses */
	{ "The store manager was very helpful.", false, false, NO },
	{ "Your supervisor told me the refund was processed.", false, false,
	    NO },
	{ "My HR manager tried to contact them.", false, false, NO },
	{ "I will speak to my account manager about the invoice.", false,
	    false, NO },
	{ "The supervisor told me to wait.", false, false, NO },
	{ "Your manager was lovely and sorted it out.", false, false, NO },
	{ "The manager stopped by our table twice.", false, false, NO },
	{ "Prices keep escalating every month.", false, false, NO },
	{ "There is no need to escalate, the parcel arrived.", false, false,
	    NO },
	{ "Things escalated quickly at the counter.", false, false, NO },
	{ "We ordered through corporate sales.", false, false, NO },
	{ "Please thank your manager for me.", false, false, NO },
	{ "Your general manager was fantastic.", false, false, NO },
	{ "I'll escalate this to the Better Business Bureau.", false, false,
	    NO },

	/* chargeback: threatened - intentions, conditions, questions */
	{ "I will dispute the charge with my bank.", false, false, TH },
	{ "I'm going to call my bank.", false, false, TH },
	{ "Refund me or I will file a chargeback.", false, false, TH },
	{ "Do I need to open a PayPal case?", false, false, TH },
	{ "I will open an A-to-z claim.", false, false, TH },
	{ "I haven't disputed the charge yet.", false, false, TH },
	{ "I don't want to file a chargeback, but I will if I must.", false,
	    false, TH },
	{ "I don't want to have to dispute the charge.", false, false, TH },
	{ "I will report this as fraud to my bank.", false, false, TH },
	{ "I called my bank and they said they cannot do a chargeback.",
	    false, false, TH },
	{ "I will call Amex and dispute it.", false, false, TH },
	{ "I have asked my bank for a chargeback.", false, false, TH },
	{ "I asked my bank to reverse the charge but they refused.", false,
	    false, TH },
	/* chargeback: opened - past and reported acts, bank decisions */
	{ "I have disputed the charge with my credit card company.", false,
	    false, OP },
	{ "My bank is investigating.", false, false, OP },
	{ "The chargeback was approved.", false, false, OP },
	{ "I called to dispute a charge last week.", false, false, OP },
	{ "I was forced to open a dispute with my credit card.", false,
	    false, OP },
	{ "My bank denied the dispute.", false, false, OP },
	{ "I reported both charges as unauthorized.", false, false, OP },
	{ "I called my bank's fraud department.", false, false, OP },
	{ "I'm disputing this charge with Chase.", false, false, OP },
	{ "I called Chase immediately to report the fraud.", false, false,
	    OP },
	{ "This is about a credit card transaction dispute which was "
	  "denied.", false, false, OP },
	{ "I will dispute it again; I already disputed the first charge.",
	    false, false, OP },
	/* chargeback: opened - platform notices */
	{ "Your case PP-D-12345678 is under review.", false, false, OP },
	{ "Case ID PP-R-ABC-123456789", false, false, OP },
	{ "A dispute has been opened for this payment.", false, false, OP },
	{ "You've opened a dispute.", false, false, OP },
	{ "Amazon A-to-z Guarantee claim filed.", false, false, OP },
	{ "Chargeback opened for order #1001.", false, false, OP },
	{ "The dispute was closed in favor of the merchant.", false, false,
	    OP },
	{ "I have opened a case with PayPal.", false, false, OP },
	{ "I reported the seller to PayPal.", false, false, OP },
	{ "Klarna has paused my payments while they investigate.", false,
	    false, OP },
	/* chargeback: denials, hypotheticals, other kinds of dispute */
	{ "I won't be disputing the charge.", false, false, NO },
	{ "I have no intention of filing a chargeback.", false, false, NO },
	{ "I don't want a chargeback, I just want the item.", false, false,
	    NO },
	{ "I could have disputed the charge but I wanted to give you a "
	  "chance.", false, false, NO },
	{ "I disputed the account with Experian.", false, false, NO },
	{ "I filed a dispute with the credit bureaus.", false, false, NO },
	{ "I had to dispute the charge-off with Equifax.", false, false,
	    NO },
	{ "I dispute the validity of this debt.", false, false, NO },
	{ "I stopped payment on my check.", false, false, NO },
	{ "I paid with PayPal.", false, false, NO },
	{ "I'll call my bank to check why the card was declined.", false,
	    false, NO },
	{ "My credit card company also charged me a fee.", false, false,
	    NO },
	{ "She filed a claim for my reward points.", false, false, NO },
	{ "I disputed the late payments with the bureaus several times.",
	    false, false, NO },
	{ "I disputed the amount owed with the collector.", false, false,
	    NO },

	/* several at once */
	{ "I disputed the charge, my lawyer says I can sue, and I asked "
	  "for a supervisor.", true, true, OP },
	{ "I'd rather not involve a lawyer, so please ask your manager to "
	  "call me.", true, true, NO },
};

/* solution-rejected and stalled: expressions expected in one sentence */
static const struct {
	const char *text;
	unsigned rejected, stalled;
} process[] = {
	{ "A coupon is not acceptable.", 1, 0 },
	{ "I don't want a replacement, I want a refund.", 1, 0 },
	{ "That's not a solution.", 1, 0 },
	{ "I refuse your offer.", 1, 0 },
	{ "This is unacceptable, the parcel is late.", 0, 0 },
	{ "It is not good enough that I had to wait.", 0, 0 },
	{ "If this is not acceptable, please let us know.", 0, 0 },
	{ "Still no update on my order.", 0, 1 },
	{ "This is my third email.", 0, 1 },
	{ "I'm still waiting for a response.", 0, 1 },
	{ "Nobody has replied.", 0, 1 },
	{ "This is my third time ordering here and it was lovely.", 0, 0 },
	{ "No reply needed, thanks!", 0, 0 },
	{ "No news is good news.", 0, 0 },
};

/* The category index of id, checked. */
static int
test_cat(const struct ruleset *rs, const char *id)
{
	int i = ruleset_cat_index(rs, id);

	CHECK(i >= 0, "category %s in the shipped rules", id);
	return i;
}

static void
test_run(const struct ruleset *rs, struct rules_scratch *s,
    const char *text, struct verdict *v)
{
	struct limits lim = {
		.max_message_bytes = 1 << 20,
		.max_text_bytes = 1 << 20,
		.max_mime_depth = 8,
		.max_mime_parts = 8,
		.max_headers = 100,
		.max_excerpt = 80,
		.max_evidence = 5,
		.max_recipients = 100,
	};
	size_t len;
	char *t = norm_text(text, strlen(text), &len);

	detect_run(rs, s, t, len, &lim, v);
	CHECK(!v->scan_error, "'%s': scan", text);
	g_free(t);
}

static void
test_cases(const struct ruleset *rs, struct rules_scratch *s)
{
	int legal = test_cat(rs, "legal");
	int manager = test_cat(rs, "manager-demand");
	int cb = test_cat(rs, "chargeback");

	if (legal < 0 || manager < 0 || cb < 0)
		return;
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct verdict v;
		const struct signal *sl, *sm, *sc;
		enum cb_state st;
		char *el, *em, *ec;

		verdict_init(&v);
		test_run(rs, s, cases[i].text, &v);
		sl = &v.sig[legal];
		sm = &v.sig[manager];
		sc = &v.sig[cb];
		st = sc->count > 0 ? sc->state : CB_STATE_NONE;
		el = harness_evidence(sl);
		em = harness_evidence(sm);
		ec = harness_evidence(sc);
		CHECK((sl->count > 0) == cases[i].legal,
		    "'%s': legal %u, want %s [%s]", cases[i].text, sl->count,
		    cases[i].legal ? "some" : "none", el);
		CHECK((sm->count > 0) == cases[i].manager,
		    "'%s': manager %u, want %s [%s]", cases[i].text,
		    sm->count, cases[i].manager ? "some" : "none", em);
		CHECK(st == cases[i].cb, "'%s': chargeback %s, want %s [%s]",
		    cases[i].text, st ? rules_state_name(st) : "none",
		    cases[i].cb ? rules_state_name(cases[i].cb) : "none", ec);
		/* a single-expression category with threshold 1 fires */
		CHECK(sc->fired == (st != CB_STATE_NONE), "'%s': chargeback "
		    "fired", cases[i].text);
		g_free(el);
		g_free(em);
		g_free(ec);
		verdict_clear(&v);
	}
}

static void
test_process(const struct ruleset *rs, struct rules_scratch *s)
{
	int rej = test_cat(rs, "solution-rejected");
	int stl = test_cat(rs, "stalled");

	if (rej < 0 || stl < 0)
		return;
	for (size_t i = 0; i < G_N_ELEMENTS(process); i++) {
		struct verdict v;
		char *er, *es;

		verdict_init(&v);
		test_run(rs, s, process[i].text, &v);
		er = harness_evidence(&v.sig[rej]);
		es = harness_evidence(&v.sig[stl]);
		CHECK(v.sig[rej].count == process[i].rejected,
		    "'%s': solution-rejected %u, want %u [%s]",
		    process[i].text, v.sig[rej].count, process[i].rejected,
		    er);
		CHECK(v.sig[stl].count == process[i].stalled,
		    "'%s': stalled %u, want %u [%s]", process[i].text,
		    v.sig[stl].count, process[i].stalled, es);
		g_free(er);
		g_free(es);
		verdict_clear(&v);
	}
}

int
main(void)
{
	struct ruleset *rs = harness_shipped_rules();
	struct rules_scratch *s;

	if (rs != NULL) {
		s = rules_scratch_new(rs);
		test_cases(rs, s);
		test_process(rs, s);
		rules_scratch_free(s);
		ruleset_free(rs);
	}
	return harness_done("context");
}
