/*
 * test_norm.c - normalisation table: folding, NFKC, invisible
 * characters, typographic punctuation, white space.
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
