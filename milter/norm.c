/*
 * norm.c - text normalisation for matching.
 *
 * Exports norm_text() (norm.h).  The steps, each one linear pass:
 *
 *  1. valid UTF-8, format characters dropped (zero-width space and
 *     joiner, soft hyphen, bidi controls), Unicode NFKC (full-width
 *     forms, mathematical letters, ligatures and circled letters become
 *     plain letters);
 *  2. look-alike letters of other scripts (Cyrillic, Greek, Armenian)
 *     become the Latin letters they imitate, but only in a word that
 *     also has Latin letters ("fuck" spelt with a Cyrillic es), or in a
 *     word made only of look-alikes that stands between Latin words;
 *     real Russian or Greek text is left alone;
 *  3. case folding; then, character by character: combining marks left
 *     over after a plain letter dropped (struck-through or "zalgo"
 *     text), Latin small capitals, typographic quotes and dashes made
 *     plain, every run of white space one space, none at either end;
 *  4. single letters spelt out with one separator ("f.u.c.k", "s-h-i-t",
 *     "f u c k") joined into one word: at least three letters with '.',
 *     '-', '_' or '*' (optionally followed by a space), at least four
 *     with a bare space;
 *  5. a letter stretched to three or more inside a word ("fuuuuck",
 *     "shiiiit", "helllll") cut to two; English has no tripled letters,
 *     so doubled ones ("hell", "class") stay intact.  Runs that form a
 *     word alone ("zzz", "www") and runs of x (redactions) are kept.
 *
 * Rule phrases go through the same function, so both sides agree.  The
 * result is what rules match and what evidence offsets refer to.
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

/* Latin small capitals and script letters (after case folding), or 0. */
static char
norm_smallcap(gunichar c)
{
	switch (c) {
	case 0x1D00: case 0x0251: return 'a';
	case 0x0299: return 'b';
	case 0x1D04: return 'c';
	case 0x1D05: return 'd';
	case 0x1D07: return 'e';
	case 0xA730: return 'f';
	case 0x0262: case 0x0261: return 'g';
	case 0x029C: return 'h';
	case 0x026A: return 'i';
	case 0x1D0A: return 'j';
	case 0x1D0B: return 'k';
	case 0x029F: return 'l';
	case 0x1D0D: return 'm';
	case 0x0274: return 'n';
	case 0x1D0F: return 'o';
	case 0x1D18: return 'p';
	case 0x0280: return 'r';
	case 0xA731: return 's';
	case 0x1D1B: return 't';
	case 0x1D1C: return 'u';
	case 0x1D20: return 'v';
	case 0x1D21: return 'w';
	case 0x028F: return 'y';
	case 0x1D22: return 'z';
	default: return 0;
	}
}

/*
 * The Latin letter that a Cyrillic, Greek or Armenian letter imitates
 * (lower case), or 0.  Before case folding, so that capitals that look
 * different from their small letters (Greek H/eta, N/nu) map each to
 * what they look like.
 */
static char
norm_lookalike(gunichar c)
{
	switch (c) {
	/* Cyrillic */
	case 0x0410: case 0x0430: return 'a';
	case 0x0412: case 0x0432: case 0x044C: return 'b';
	case 0x0421: case 0x0441: return 'c';
	case 0x0500: case 0x0501: return 'd';
	case 0x0415: case 0x0435: case 0x0401: case 0x0451: return 'e';
	case 0x041D: case 0x043D: case 0x04BA: case 0x04BB: return 'h';
	case 0x0406: case 0x0456: case 0x0407: case 0x0457: case 0x04C0:
		return 'i';
	case 0x0408: case 0x0458: return 'j';
	case 0x041A: case 0x043A: return 'k';
	case 0x04CF: return 'l';
	case 0x041C: case 0x043C: return 'm';
	case 0x043F: return 'n';
	case 0x041E: case 0x043E: return 'o';
	case 0x0420: case 0x0440: return 'p';
	case 0x051A: case 0x051B: return 'q';
	case 0x0405: case 0x0455: return 's';
	case 0x0422: case 0x0442: return 't';
	case 0x051C: case 0x051D: return 'w';
	case 0x0425: case 0x0445: return 'x';
	case 0x0423: case 0x0443: case 0x04AE: case 0x04AF: return 'y';
	/* Greek */
	case 0x0391: case 0x03B1: return 'a';
	case 0x0392: case 0x03B2: return 'b';
	case 0x03F2: case 0x03F9: return 'c';
	case 0x0395: case 0x03B5: return 'e';
	case 0x0397: return 'h';
	case 0x0399: case 0x03B9: return 'i';
	case 0x037F: case 0x03F3: return 'j';
	case 0x039A: case 0x03BA: return 'k';
	case 0x039C: return 'm';
	case 0x039D: case 0x03B7: return 'n';
	case 0x039F: case 0x03BF: return 'o';
	case 0x03A1: case 0x03C1: return 'p';
	case 0x03A4: case 0x03C4: return 't';
	case 0x03BC: case 0x03C5: return 'u';
	case 0x03BD: return 'v';
	case 0x03C9: return 'w';
	case 0x03A7: case 0x03C7: return 'x';
	case 0x03A5: case 0x03B3: return 'y';
	case 0x0396: return 'z';
	/* Armenian */
	case 0x0581: return 'g';
	case 0x0570: return 'h';
	case 0x0578: return 'n';
	case 0x0585: return 'o';
	case 0x057D: return 'u';
	default: return 0;
	}
}

/* ---- step 1: invisible characters go before NFKC ---- */

/*
 * Removes format characters in place, so that NFKC sees the letters and
 * marks that stay side by side ("e", zero-width space, acute accent
 * compose as they will be read).
 */
static void
norm_strip_invisible(char *s)
{
	char *w = s;

	for (const char *r = s; *r != '\0';) {
		const char *n = g_utf8_next_char(r);

		if (norm_dropped(g_utf8_get_char(r)))
			r = n;
		else
			while (r < n)
				*w++ = *r++;
	}
	*w = '\0';
}

/* ---- step 2: look-alike letters ---- */

enum norm_word {
	NORM_W_NONE,	/* no letters */
	NORM_W_LATIN,	/* Latin letters only */
	NORM_W_MIXED,	/* Latin letters and look-alikes */
	NORM_W_ALIKE,	/* look-alikes only */
	NORM_W_OTHER	/* letters of another script that imitate nothing */
};

/* White space, collapsed to one space in step 3. */
static bool
norm_is_space(gunichar c)
{
	return g_unichar_isspace(c) || c == 0x00A0;
}

/*
 * The look-alike of c or of its small letter, so that a capital is
 * judged as what case folding makes of it (normalising twice gives the
 * same text).
 */
static char
norm_lookalike_any(gunichar c)
{
	char l = norm_lookalike(c);

	return l != 0 ? l : norm_lookalike(g_unichar_tolower(c));
}

/* Classifies the word (up to white space) at p; *end gets its end. */
static enum norm_word
norm_word_class(const char *p, const char **end)
{
	bool latin = false, alike = false, other = false;

	for (; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		if (norm_is_space(c))
			break;
		if (!g_unichar_isalpha(c))
			continue;
		if (norm_lookalike_any(c) != 0)
			alike = true;
		else if (g_unichar_get_script(c) == G_UNICODE_SCRIPT_LATIN)
			latin = true;
		else
			other = true;
	}
	*end = p;
	if (other)
		return NORM_W_OTHER;
	if (alike)
		return latin ? NORM_W_MIXED : NORM_W_ALIKE;
	return latin ? NORM_W_LATIN : NORM_W_NONE;
}

/*
 * The next word at or after p; *start and *end get its bounds, both the
 * end of the text when there is none.
 */
static enum norm_word
norm_next_word(const char *p, const char **start, const char **end)
{
	while (*p != '\0' && norm_is_space(g_utf8_get_char(p)))
		p = g_utf8_next_char(p);
	*start = p;
	*end = p;
	return *p != '\0' ? norm_word_class(p, end) : NORM_W_NONE;
}

/* Whether the word of class w, between words prev and next, is folded. */
static bool
norm_word_folds(enum norm_word w, enum norm_word prev, enum norm_word next)
{
	bool latin_side, foreign_side;

	if (w == NORM_W_MIXED)
		return true;
	if (w != NORM_W_ALIKE)
		return false;
	latin_side = prev == NORM_W_LATIN || prev == NORM_W_MIXED ||
	    next == NORM_W_LATIN || next == NORM_W_MIXED;
	foreign_side = prev == NORM_W_ALIKE || prev == NORM_W_OTHER ||
	    next == NORM_W_ALIKE || next == NORM_W_OTHER;
	return latin_side && !foreign_side;
}

/*
 * Replaces look-alike letters in place (a replacement is never longer
 * than the letter it replaces).  Each word is classified once, as the
 * next word, before it becomes the current one.
 */
static void
norm_lookalikes(char *s)
{
	char *w = s;
	const char *r = s, *start, *end, *nstart, *nend;
	enum norm_word prev = NORM_W_NONE, cur, next;

	cur = norm_next_word(s, &start, &end);
	while (*start != '\0') {
		next = norm_next_word(end, &nstart, &nend);
		memmove(w, r, (size_t)(start - r));	/* the gap before */
		w += start - r;
		r = start;
		if (norm_word_folds(cur, prev, next)) {
			while (r < end) {
				const char *n = g_utf8_next_char(r);
				char l = norm_lookalike_any(g_utf8_get_char(r));

				if (l != 0)
					*w++ = l;
				else
					while (r < n)
						*w++ = *r++;
				r = n;
			}
		} else {
			memmove(w, r, (size_t)(end - r));
			w += end - r;
			r = end;
		}
		prev = cur;
		cur = next;
		start = nstart;
		end = nend;
	}
	memmove(w, r, (size_t)(start - r));	/* the gap at the end */
	w += start - r;
	*w = '\0';
}

/* ---- step 3: character by character ---- */

/* Appends the folded text, character-level changes made, to out. */
static void
norm_chars(const char *folded, GString *out)
{
	bool space = false, after_letter = false;

	for (const char *p = folded; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		gunichar plain;
		char cap;

		if (norm_dropped(c))
			continue;
		if (after_letter && g_unichar_ismark(c))
			continue;	/* struck-through or stacked marks */
		if (norm_is_space(c)) {
			space = out->len > 0;
			after_letter = false;
			continue;
		}
		if (space) {
			g_string_append_c(out, ' ');
			space = false;
		}
		cap = norm_smallcap(c);
		if (cap != 0)
			c = (gunichar)cap;
		plain = norm_plain(c);
		g_string_append_unichar(out, plain ? plain : c);
		after_letter = c < 0x80 && g_ascii_isalpha((char)c);
	}
}

/* ---- steps 4 and 5: spelt-out and stretched words ---- */

/* s[i] is part of a word: ASCII letter, digit, '_' or any non-ASCII. */
static bool
norm_ascii_word(const char *s, size_t len, size_t i)
{
	if (i >= len)
		return false;
	return g_ascii_isalnum(s[i]) || s[i] == '_' ||
	    (unsigned char)s[i] >= 0x80;
}

/* s[i] is an ASCII letter. */
static bool
norm_letter(const char *s, size_t len, size_t i)
{
	return i < len && g_ascii_isalpha(s[i]);
}

/*
 * Length of the separator that follows the single letter at i ("." or
 * ". " and the like, or " "), or 0.  A letter followed by anything else
 * is not spelt out.
 */
static size_t
norm_separator(const char *s, size_t len, size_t i)
{
	if (i >= len)
		return 0;
	if (s[i] == ' ')
		return 1;
	if (strchr(".-_*", s[i]) == NULL)
		return 0;
	return i + 1 < len && s[i + 1] == ' ' ? 2 : 1;
}

/*
 * Number of letters spelt out from the single letter at i, each but the
 * last followed by the same separator; *seplen gets its length.
 */
static size_t
norm_spelt(const char *s, size_t len, size_t i, size_t *seplen)
{
	const char *sep = s + i + 1;
	size_t n = 1, p = i, sl = norm_separator(s, len, i + 1);

	*seplen = sl;
	while (sl > 0 && p + 1 + sl < len &&
	    memcmp(s + p + 1, sep, sl) == 0) {
		size_t q = p + 1 + sl;	/* the next letter */

		if (!norm_letter(s, len, q))
			break;
		/* "f.u.ck": the last one is not a single letter */
		if (norm_ascii_word(s, len, q + 1) &&
		    (q + 1 + sl > len || memcmp(s + q + 1, sep, sl) != 0))
			break;
		n++;
		p = q;
	}
	return n;
}

/* Joins spelt-out words in place; returns the new length. */
static size_t
norm_join(char *s, size_t len)
{
	size_t r = 0, w = 0;

	while (r < len) {
		size_t sep, n, min;

		if (!norm_letter(s, len, r) || (r > 0 &&
		    norm_ascii_word(s, len, r - 1))) {
			s[w++] = s[r++];
			continue;
		}
		n = norm_spelt(s, len, r, &sep);
		min = sep == 1 && s[r + 1] == ' ' ? 4 : 3;
		if (n < min) {
			s[w++] = s[r++];
			continue;
		}
		for (size_t k = 0; k < n; k++)
			s[w++] = s[r + k * (sep + 1)];
		r += (n - 1) * (sep + 1) + 1;
	}
	s[w] = '\0';
	return w;
}

/*
 * Cuts letters repeated three times or more inside a word to two.  Runs
 * of x are redaction marks ("XXXX", also glued to a word) and are kept.
 */
static size_t
norm_unstretch(char *s, size_t len)
{
	size_t r = 0, w = 0;

	while (r < len) {
		size_t e = r + 1;

		while (e < len && s[e] == s[r])
			e++;
		if (e - r >= 3 && g_ascii_isalpha(s[r]) && s[r] != 'x' &&
		    ((r > 0 && g_ascii_isalpha(s[r - 1])) ||
		    norm_letter(s, len, e))) {
			s[w++] = s[r];
			s[w++] = s[r];
		} else {
			memmove(s + w, s + r, e - r);
			w += e - r;
		}
		r = e;
	}
	s[w] = '\0';
	return w;
}

char *
norm_text(const char *s, size_t len, size_t *outlen)
{
	char *valid, *nfkc, *folded;
	GString *out;

	valid = g_utf8_make_valid(s, (gssize)len);
	norm_strip_invisible(valid);
	nfkc = g_utf8_normalize(valid, -1, G_NORMALIZE_NFKC);
	g_free(valid);
	if (nfkc == NULL)	/* cannot happen on valid UTF-8 */
		nfkc = g_strdup("");
	norm_lookalikes(nfkc);
	folded = g_utf8_casefold(nfkc, -1);
	g_free(nfkc);

	out = g_string_sized_new(strlen(folded) + 1);
	norm_chars(folded, out);
	g_free(folded);
	out->len = norm_join(out->str, out->len);
	out->len = norm_unstretch(out->str, out->len);
	*outlen = out->len;
	return g_string_free(out, FALSE);
}
