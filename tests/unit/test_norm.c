/*
 * test_norm.c - normalisation table: folding, NFKC, invisible
 * characters, typographic punctuation, white space, look-alike letters
 * of other scripts, spelt-out and stretched words; and normalising
 * twice changes nothing.
 */
#include <glib.h>
#include <string.h>

#include "harness.h"
#include "norm.h"

static const struct {
	const char *in, *want;
} cases[] = {
	{ "Hello  World", "hello world" },
	{ "  leading and trailing \r\n", "leading and trailing" },
	{ "line\r\nbreaks\n\n\tand\ttabs", "line breaks and tabs" },
	{ "STRASSE Straße", "strasse strasse" },
	{ "ＦＵＬＬ ｗｉｄｔｈ", "full width" },
	{ "f\xe2\x80\x8bu\xe2\x80\x8c" "ck", "fuck" },	/* zero-width */
	{ "soft\xc2\xadhyphen", "softhyphen" },
	{ "don\xe2\x80\x99t \xe2\x80\x9cquoted\xe2\x80\x9d", "don't \"quoted\"" },
	{ "one\xe2\x80\x93two", "one-two" },
	{ "non\xc2\xa0" "breaking", "non breaking" },
	{ "Caf\xc3\xa9", "caf\xc3\xa9" },
	{ "bad \xff\xfe bytes", "bad \xef\xbf\xbd\xef\xbf\xbd bytes" },
	{ "", "" },
	{ "\n\n\n", "" },
	/* compatibility forms (NFKC) */
	{ "\xf0\x9d\x90\x9f\xf0\x9d\x90\xae\xf0\x9d\x90\x9c\xf0\x9d\x90\xa4", "fuck" },
	{ "\xe2\x93\x95\xe2\x93\xa4\xe2\x93\x92\xe2\x93\x9a", "fuck" },
	{ "\xef\xac\x80", "ff" },				/* ligature */
	/* small capitals, stray combining marks */
	{ "\xea\x9c\xb0\xe1\xb4\x9c\xe1\xb4\x84\xe1\xb4\x8b "
	    "\xca\x8f\xe1\xb4\x8f\xe1\xb4\x9c", "fuck you" },
	{ "f\xcc\xb6u\xcc\xb6" "c\xcc\xb6k\xcc\xb6", "fuck" },	/* struck */
	{ "s\xcd\x93\xcc\xbdh\xcd\x93i\xcc\xbdt", "shit" },	/* zalgo */
	{ "Cafe\xcc\x81", "caf\xc3\xa9" },			/* composes */
	{ "na\xc3\xafve", "na\xc3\xafve" },
	/* look-alike letters inside Latin words */
	{ "fu\xd1\x81k", "fuck" },				/* Cyrillic es */
	{ "\xd0\xb0\xd1\x95\xd1\x95hole", "asshole" },	/* a, dze, dze */
	{ "\xce\x97\xce\x95LL\xce\x9f", "hello" },		/* Greek capitals */
	{ "id\xce\xb9\xce\xbft", "idiot" },			/* Greek iota, omicron */
	{ "you \xd1\x95\xd1\x81\xd0\xb0\xd0\xbc artists", "you scam artists" },
	{ "f u \xd1\x81 k", "fuck" },
	/* ... but real Russian, Greek and Armenian text is left alone */
	{ "\xd0\x9c\xd0\xbe\xd1\x81\xd0\xba\xd0\xb2\xd0\xb0",
	    "\xd0\xbc\xd0\xbe\xd1\x81\xd0\xba\xd0\xb2\xd0\xb0" },
	{ "\xd1\x83 \xd0\xb2\xd0\xb0\xd1\x81 iPhone",
	    "\xd1\x83 \xd0\xb2\xd0\xb0\xd1\x81 iphone" },
	{ "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82, "
	    "\xd0\xba\xd0\xb0\xd0\xba \xd0\xb4\xd0\xb5\xd0\xbb\xd0\xb0?",
	    "\xd0\xbf\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82, "
	    "\xd0\xba\xd0\xb0\xd0\xba \xd0\xb4\xd0\xb5\xd0\xbb\xd0\xb0?" },
	{ "\xce\x9a\xce\xb1\xce\xbb\xce\xb7\xce\xbc\xce\xad\xcf\x81"
	    "\xce\xb1 iPhone",
	    "\xce\xba\xce\xb1\xce\xbb\xce\xb7\xce\xbc\xce\xad\xcf\x81"
	    "\xce\xb1 iphone" },
	{ "\xd5\xa2\xd5\xa1\xd6\x80\xd6\x87",		/* NFKC only */
	    "\xd5\xa2\xd5\xa1\xd6\x80\xd5\xa5\xd6\x82" },
	/* spelt-out letters */
	{ "f.u.c.k off", "fuck off" },
	{ "F. U. C. K.", "fuck." },
	{ "f u c k you", "fuck you" },
	{ "s-h-i-t", "shit" },
	{ "f_u_c_k", "fuck" },
	{ "f*u*c*k", "fuck" },
	{ "b.b.b. complaint", "bbb. complaint" },
	{ "f.u.ck", "f.u.ck" },
	{ "u r a joke", "u r a joke" },
	{ "e.g. a.m. b.s.", "e.g. a.m. b.s." },
	{ "plan a or b", "plan a or b" },
	{ "f-ing", "f-ing" },
	/* stretched letters */
	{ "fuuuuuck", "fuuck" },
	{ "Shiiiiit", "shiit" },
	{ "helllll nooooo", "hell noo" },
	{ "class shiitake", "class shiitake" },
	{ "XXXX xx/xx/xxxx numberXXXX-XXXXfor",
	    "xxxx xx/xx/xxxx numberxxxx-xxxxfor" },		/* redactions */
	{ "www zzz 1111 !!!!", "www zzz 1111 !!!!" },
};

int
main(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		size_t len;
		char *got = norm_text(cases[i].in, strlen(cases[i].in), &len);

		CHECK_STR(got, cases[i].want, cases[i].in);
		CHECK(len == strlen(got), "length of case %zu", i);
		CHECK(g_utf8_validate(got, -1, NULL), "valid UTF-8 %zu", i);
		{	/* normalised text is a fixed point */
			size_t len2;
			char *again = norm_text(got, len, &len2);

			CHECK_STR(again, got, "normalised twice");
			g_free(again);
		}
		g_free(got);
	}
	{	/* embedded NUL is not the end of the text */
		size_t len;
		char *got = norm_text("a\0b", 3, &len);

		CHECK(len >= 1 && got[0] == 'a', "NUL-containing input");
		g_free(got);
	}
	return harness_done("norm");
}
