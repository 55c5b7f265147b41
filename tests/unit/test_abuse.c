/*
 * test_abuse.c - the abuse category of the shipped rules/default.yaml,
 * through the real pipeline (norm_text, one scan, detect_run): masked,
 * stretched, spelt-out and look-alike spellings are found; innocent
 * words that contain a swear word (the Scunthorpe problem), praise,
 * self-mockery, formal accusations and other people's scams are not;
 * stacked expletives count once; evidence offsets point into the
 * normalised text.
 */
#include <glib.h>
#include <string.h>

#include "detect.h"
#include "harness.h"
#include "norm.h"
#include "rules.h"

/* Distinct abusive expressions expected in each text (threshold 2). */
static const struct {
	const char *text;
	unsigned count;
} cases[] = {
	/* masked and shortened spellings */
	{ "f*ck this", 1 },
	{ "f**k you", 1 },
	{ "fu*k off", 1 },
	{ "what the f***", 1 },
	{ "f#@k", 1 },
	{ "fvck this", 1 },
	{ "phuck you", 1 },
	{ "fkn late again", 1 },
	{ "sh1t service", 1 },
	{ "$hit service", 1 },
	{ "sh!t", 1 },
	{ "sh*t", 1 },
	{ "s**t", 1 },
	{ "this is bullsh!t", 1 },
	{ "a$$hole", 1 },
	{ "a**hole", 1 },
	{ "kiss my a$$", 1 },
	{ "b!tch", 1 },
	{ "b*tch", 1 },
	{ "biatch", 1 },
	{ "1d10ts", 1 },
	{ "sc@m", 1 },
	{ "$cam artists", 1 },
	{ "this sux", 1 },
	{ "d*mn", 1 },
	{ "cr*p", 1 },
	{ "sc*mmers", 1 },
	{ "p*ssed off", 1 },
	{ "asshats", 1 },
	/* stretched letters */
	{ "fuuuuuuck", 1 },
	{ "FFFFUUUUCCCCKKK", 1 },
	{ "shiiiiiit", 1 },
	{ "idioooooots", 1 },
	{ "craaaaap", 1 },
	{ "daaaaamn", 1 },
	{ "your app suuuucks", 1 },
	{ "what the helllll", 1 },
	/* spelt out */
	{ "f.u.c.k off", 1 },
	{ "F. U. C. K. this", 1 },
	{ "f u c k you", 1 },
	{ "f-u-c-k", 1 },
	{ "f_u_c_k", 1 },
	{ "s.h.i.t", 1 },
	{ "w.t.f", 1 },
	{ "w t f", 1 },
	/* invisible characters and look-alike letters */
	{ "f\xe2\x80\x8bu\xe2\x80\x8c" "ck", 1 },		/* ZWSP, ZWNJ */
	{ "sh\xc2\xadit", 1 },					/* soft hyphen */
	{ "f\xe2\x81\xa0uck", 1 },				/* word joiner */
	{ "fu\xd1\x81k you", 1 },				/* Cyrillic es */
	{ "\xd1\x81r\xd0\xb0p", 1 },				/* Cyrillic es, a */
	{ "you \xd1\x95\xd1\x81\xd0\xb0\xd0\xbc artists", 1 },	/* all Cyrillic */
	{ "\xce\x99\x44\xce\x99\xce\x9fTS", 1 },		/* Greek Iota, Omicron */
	{ "\xef\xbd\x86\xef\xbd\x95\xef\xbd\x83\xef\xbd\x8b", 1 }, /* full width */
	{ "\xf0\x9d\x90\x9f\xf0\x9d\x90\xae\xf0\x9d\x90\x9c\xf0\x9d\x90\xa4",
	    1 },						/* bold */
	{ "\xea\x9c\xb0\xe1\xb4\x9c\xe1\xb4\x84\xe1\xb4\x8b", 1 }, /* small caps */
	{ "f\xcc\xb6u\xcc\xb6" "c\xcc\xb6k\xcc\xb6", 1 },	/* struck through */
	{ "\xe2\x93\xa2\xe2\x93\x97\xe2\x93\x98\xe2\x93\xa3", 1 }, /* circled */
	/* acronyms */
	{ "wtf", 1 },
	{ "WTF???", 1 },
	{ "gfy", 1 },
	{ "rufkm", 1 },
	{ "#yousuck", 1 },
	{ "stfu", 1 },
	{ "why tf is it down", 1 },
	{ "about to cuss them tf out", 1 },
	/* insults aimed at staff or the company */
	{ "you scammers", 1 },
	{ "this is a scam", 1 },
	{ "a bunch of crooks", 1 },
	{ "thieves", 1 },
	{ "liars", 1 },
	{ "you are lying", 1 },
	{ "useless idiots", 1 },
	{ "your staff are incompetent", 1 },
	{ "such incompetence", 1 },
	{ "you are pathetic", 1 },
	{ "morons", 1 },
	{ "the manager is a jerk", 1 },
	{ "clowns", 1 },
	{ "what a joke of a company", 1 },
	{ "what a joke", 1 },
	{ "bunch of muppets", 1 },
	{ "don't be such a dick", 1 },
	{ "bloodsuckers", 1 },
	{ "you robbed me", 1 },
	{ "you cheated me", 1 },
	{ "you are stealing my money", 1 },
	{ "like hell i will", 1 },
	/* mild swearing in anger */
	{ "damn it", 1 },
	{ "this is crap", 1 },
	{ "your support sucks", 1 },
	{ "this is bs", 1 },
	{ "i am pissed", 1 },
	{ "pissed off", 1 },
	{ "what the hell", 1 },
	{ "bollocks", 1 },
	/* not abuse (policy) */
	{ "this is ridiculous", 0 },
	{ "awful, horrible, unacceptable", 0 },
	{ "worst service ever", 0 },
	{ "fraudulent, deceptive, illegal and predatory practices", 0 },
	{ "holy fack it's delicious", 0 },
	{ "holy shit, this is so good", 0 },
	{ "damn good coffee", 0 },
	{ "fucking delicious", 0 },
	{ "my eyes suck", 0 },
	{ "my eyesight really sucks", 0 },
	{ "excuse my stupidity", 0 },
	{ "i feel so stupid", 0 },
	{ "stupid me, wrong address", 0 },
	{ "sorry, dumb question", 0 },
	{ "one hell of a good meal", 0 },
	{ "a kick-ass blender", 0 },
	{ "this place is the shit", 0 },
	{ "XXXX XXXX charged me XXXX", 0 },
	{ "expose them for their incompetence", 0 },
	{ "i don't know if this is incompetence or fraud", 0 },
	{ "it was a scam phone line", 0 },
	{ "i got a scam email", 0 },
	{ "is this a scam?", 0 },
	{ "this is not a scam", 0 },
	{ "i got scammed by someone on a fake site", 0 },
	{ "how do i avoid scams", 0 },
	{ "porch thieves took my parcel", 0 },
	{ "rip off the tape", 0 },
	{ "a BS in nursing", 0 },
	{ "BS 1363 plug", 0 },
	{ "a knee-jerk reaction", 0 },
	{ "the jerk chicken was great", 0 },
	{ "an april fools joke", 0 },
	{ "i want a dumb phone", 0 },
	{ "it sucks up the dust", 0 },
	{ "idiot-proof", 0 },
	{ "a crapshoot", 0 },
	/* the Scunthorpe problem */
	{ "first class", 0 },
	{ "please assess the damage", 0 },
	{ "assassin's creed", 0 },
	{ "delivery to Scunthorpe", 0 },
	{ "cocktail glasses", 0 },
	{ "the Dickens box set", 0 },
	{ "dried shiitake", 0 },
	{ "shitake mushrooms", 0 },
	{ "a Shiite mosque", 0 },
	{ "Sussex, Essex and Middlesex", 0 },
	{ "hello, a shell", 0 },
	{ "scrap metal, skyscraper", 0 },
	{ "Amsterdam", 0 },
	{ "bass guitar, compass", 0 },
	{ "my therapist", 0 },
	{ "Penistone", 0 },
	{ "Arsenal shirt", 0 },
	{ "I assume", 0 },
	{ "Mississippi", 0 },
	{ "bitcoin", 0 },
	{ "a batch of orders", 0 },
	{ "thank you Dick, see you soon", 0 },
	{ "a trip to Fukushima, Fukuoka and Phuket", 0 },
	{ "Kung Fu!! and kung fu??", 0 },
	{ "The Muppets DVD", 0 },
	{ "my dog has parasites", 0 },
	{ "my bag was stolen and the thief took my money", 0 },
	{ "cockpit", 0 },
	{ "scampi", 0 },
	{ "grape", 0 },
	{ "the www site", 0 },
	{ "u.s.a. and a.m.", 0 },
	/* counting: stacked expletives are one expression */
	{ "your shitty fucking website", 1 },
	{ "Fucking shit company.", 1 },
	{ "why the fuck is it late? do your fucking jobs", 2 },
	{ "you fucking idiots", 1 },
	{ "you idiots. you liars.", 2 },
	{ "fuck fuck fuck", 1 },
	{ "damn it. this is bullshit", 2 },
	{ "you suck and your support sucks", 2 },
	{ "f*ck this, you sc@mmers", 2 },
	{ "useless. absolutely useless.", 1 },
};

int
main(void)
{
	struct ruleset *rs;
	struct rules_scratch *s;
	struct limits lim = { 1 << 20, 1 << 20, 8, 8, 100, 80, 5, 100 };
	int cat;

	rs = harness_shipped_rules();
	if (rs == NULL)
		return harness_done("abuse");
	cat = ruleset_cat_index(rs, "abuse");
	CHECK(cat >= 0, "the shipped rules have an abuse category");
	if (cat < 0) {
		ruleset_free(rs);
		return harness_done("abuse");
	}
	s = rules_scratch_new(rs);
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct verdict v;
		const struct signal *sig;
		size_t len;
		char *t = norm_text(cases[i].text, strlen(cases[i].text), &len);

		verdict_init(&v);
		detect_run(rs, s, t, len, &lim, &v);
		sig = &v.sig[cat];
		CHECK(sig->count == cases[i].count,
		    "'%s' (scanned as '%s'): %u abusive expressions, want %u",
		    cases[i].text, t, sig->count, cases[i].count);
		CHECK(sig->fired == (cases[i].count >= sig->threshold),
		    "'%s': fired", cases[i].text);
		harness_check_evidence(sig, t, len, cases[i].text);
		verdict_clear(&v);
		g_free(t);
	}
	rules_scratch_free(s);
	ruleset_free(rs);
	return harness_done("abuse");
}
