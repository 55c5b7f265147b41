/*
 * norm.c - text normalisation for matching: valid UTF-8, no format
 * characters, NFKC, case folding, typographic quotes and dashes made
 * plain, white space collapsed to single spaces.
 */
#include "norm.h"

#include <glib.h>
#include <stdbool.h>
#include <string.h>

/* Characters dropped before matching: invisible format characters. */
static bool
norm_dropped(gunichar c)
{
	if (c == 0x00AD || c == 0x034F || c == 0x180E || c == 0xFEFF)
		return true;
	if (c >= 0x200B && c <= 0x200F)
		return true;
	if (c >= 0x202A && c <= 0x202E)
		return true;
	if (c >= 0x2060 && c <= 0x206F)
		return true;
	return g_unichar_type(c) == G_UNICODE_FORMAT;
}

/* Plain equivalents of typographic punctuation, or 0. */
static gunichar
norm_plain(gunichar c)
{
	switch (c) {
	case 0x2018: case 0x2019: case 0x201A: case 0x201B:
	case 0x02BC: case 0x2032: case 0x0060: case 0x00B4:
		return '\'';
	case 0x201C: case 0x201D: case 0x201E: case 0x201F:
	case 0x2033:
		return '"';
	case 0x2010: case 0x2011: case 0x2012: case 0x2013:
	case 0x2014: case 0x2015: case 0x2212:
		return '-';
	default:
		return 0;
	}
}

char *
norm_text(const char *s, size_t len, size_t *outlen)
{
	char *valid, *nfkc, *folded;
	GString *out;
	bool space = false;

	valid = g_utf8_make_valid(s, (gssize)len);
	nfkc = g_utf8_normalize(valid, -1, G_NORMALIZE_NFKC);
	g_free(valid);
	if (nfkc == NULL)	/* cannot happen on valid UTF-8 */
		nfkc = g_strdup("");
	folded = g_utf8_casefold(nfkc, -1);
	g_free(nfkc);

	out = g_string_sized_new(strlen(folded) + 1);
	for (const char *p = folded; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		gunichar plain;

		if (norm_dropped(c))
			continue;
		if (g_unichar_isspace(c) || c == 0x00A0) {
			space = out->len > 0;
			continue;
		}
		if (space) {
			g_string_append_c(out, ' ');
			space = false;
		}
		plain = norm_plain(c);
		g_string_append_unichar(out, plain ? plain : c);
	}
	g_free(folded);
	*outlen = out->len;
	return g_string_free(out, FALSE);
}
