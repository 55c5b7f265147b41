/*
 * quote.c - cut quoted earlier mail and signatures from plain text.
 *
 * Exports quote_strip() (see extract.h).  The text is rewritten in place
 * in one pass over its lines; look-ahead never goes further than a few
 * lines, so the work is linear in the text.
 *
 * Rules, per line (leading blanks ignored):
 *   - a line starting with '>' is dropped (inline/bottom-posted customer
 *     text between quoted lines is kept);
 *   - an attribution ("On ... wrote:", "Le ... a écrit :", "Am ...
 *     schrieb ...:", "El ... escribió:", "Il ... ha scritto:"), also
 *     wrapped over up to three lines, with a digit or '@' in it, is
 *     dropped; if the next non-blank line is not '>'-quoted the quoted
 *     history is unmarked, so the text is cut there;
 *   - "-----Original Message-----" (and translations), forwarded-message
 *     markers, an Outlook "____" rule followed by "From:", an Outlook
 *     header block (From: with Sent:/Date: and To:/Subject: in the next
 *     few lines) and a "-- " signature separator cut the text there.
 * Runs of blank lines left behind collapse to one; trailing white space
 * is trimmed.
 */
#include "extract.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#define QUOTE_LOOKAHEAD	8	/* lines searched for an Outlook header */
#define QUOTE_ATTR_LINES 3	/* lines an attribution may wrap over */
#define QUOTE_ATTR_MAX	512	/* longest attribution, all lines */

/* One line of the text: [s, s + len), without '\n' or a final '\r'. */
struct quote_line {
	const char *s;
	size_t len;
	size_t next;	/* offset of the following line */
};

struct quote_attr {
	const char *prefix;	/* at the start of the first line */
	const char *infix;	/* somewhere in the lines, or NULL */
	const char *suffix;	/* at the end of the last line */
};

static const struct quote_attr quote_attrs[] = {
	{ "On ", NULL, "wrote:" },
	{ "Le ", NULL, "a \xc3\xa9" "crit :" },
	{ "Le ", NULL, "a \xc3\xa9" "crit:" },
	{ "Am ", " schrieb", ":" },
	{ "El ", NULL, "escribi\xc3\xb3:" },
	{ "Il ", NULL, "ha scritto:" },
};

static const char *const quote_from_words[] = {
	"from", "von", "de", "van", "da", NULL
};
static const char *const quote_sent_words[] = {
	"sent", "date", "gesendet", "datum", "envoy\xc3\xa9", "enviado",
	"enviado el", "inviato", "verzonden", "data", NULL
};
static const char *const quote_to_words[] = {
	"to", "subject", "cc", "an", "betreff", "\xc3\xa0", "a", "objet",
	"para", "asunto", "oggetto", "aan", "onderwerp", NULL
};
static const char *const quote_orig_words[] = {
	"original message", "forwarded message",
	"urspr\xc3\xbcngliche nachricht", "message d'origine",
	"mensaje original", "messaggio originale", "oorspronkelijk bericht",
	"mensagem original", NULL
};

/* Fills l with the line starting at off of text[0..n). */
static void
quote_get_line(const char *text, size_t n, size_t off, struct quote_line *l)
{
	const char *eol = memchr(text + off, '\n', n - off);
	size_t end = eol != NULL ? (size_t)(eol - text) : n;

	l->s = text + off;
	l->len = end - off;
	l->next = eol != NULL ? end + 1 : n;
	if (l->len > 0 && l->s[l->len - 1] == '\r')
		l->len--;
}

/* Leading blanks of a line skipped; *len is reduced to match. */
static const char *
quote_skip_blanks(const char *s, size_t *len)
{
	while (*len > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		(*len)--;
	}
	return s;
}

/* Trailing white space dropped from *len. */
static void
quote_trim_end(const char *s, size_t *len)
{
	while (*len > 0 && (s[*len - 1] == ' ' || s[*len - 1] == '\t' ||
	    s[*len - 1] == '\r'))
		(*len)--;
}

static bool
quote_is_blank(const struct quote_line *l)
{
	size_t len = l->len;

	quote_skip_blanks(l->s, &len);
	return len == 0;
}

static bool
quote_is_quoted(const struct quote_line *l)
{
	size_t len = l->len;
	const char *s = quote_skip_blanks(l->s, &len);

	return len > 0 && *s == '>';
}

/* ASCII case-insensitive: does s[0..len) start with word? */
static bool
quote_has_prefix(const char *s, size_t len, const char *word)
{
	size_t wl = strlen(word);

	return len >= wl && g_ascii_strncasecmp(s, word, wl) == 0;
}

static bool
quote_has_suffix(const char *s, size_t len, const char *word)
{
	size_t wl = strlen(word);

	return len >= wl && g_ascii_strncasecmp(s + len - wl, word, wl) == 0;
}

static bool
quote_contains(const char *s, size_t len, const char *word)
{
	size_t wl = strlen(word);

	for (size_t i = 0; i + wl <= len; i++)
		if (g_ascii_strncasecmp(s + i, word, wl) == 0)
			return true;
	return false;
}

/* A digit or '@': attributions carry a date or an address. */
static bool
quote_has_date_or_addr(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (g_ascii_isdigit(s[i]) || s[i] == '@')
			return true;
	return false;
}

/*
 * Is the line a header "Word:" for one of words?  Accepts "*From:*" (bold
 * in plain text) and "De :" (French spacing).
 */
static bool
quote_is_header(const struct quote_line *l, const char *const *words)
{
	size_t len = l->len;
	const char *s = quote_skip_blanks(l->s, &len);

	if (len > 0 && *s == '*') {
		s++;
		len--;
	}
	for (size_t i = 0; words[i] != NULL; i++) {
		size_t wl = strlen(words[i]);
		size_t j = wl;

		if (!quote_has_prefix(s, len, words[i]))
			continue;
		if (j < len && s[j] == '*')
			j++;
		while (j < len && s[j] == ' ')
			j++;
		if (j < len && s[j] == ':')
			return true;
	}
	return false;
}

/* "-----Original Message-----", "---------- Forwarded message ---". */
static bool
quote_is_separator(const struct quote_line *l)
{
	size_t len = l->len, dashes = 0;
	const char *s = quote_skip_blanks(l->s, &len);

	if (quote_has_prefix(s, len, "Begin forwarded message"))
		return true;
	while (dashes < len && s[dashes] == '-')
		dashes++;
	if (dashes < 2)
		return false;
	s += dashes;
	len -= dashes;
	s = quote_skip_blanks(s, &len);
	for (size_t i = 0; quote_orig_words[i] != NULL; i++)
		if (quote_has_prefix(s, len, quote_orig_words[i]))
			return true;
	return false;
}

/* "-- " or "--" alone: a signature follows. */
static bool
quote_is_signature(const struct quote_line *l)
{
	return (l->len == 2 && memcmp(l->s, "--", 2) == 0) ||
	    (l->len == 3 && memcmp(l->s, "-- ", 3) == 0);
}

static bool
quote_is_rule(const struct quote_line *l)
{
	size_t len = l->len;
	const char *s = quote_skip_blanks(l->s, &len);

	quote_trim_end(s, &len);
	if (len < 10)
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] != '_')
			return false;
	return true;
}

/*
 * Outlook header block at off: a From: line, then within the next few
 * lines a Sent:/Date: line and a To:/Subject: line.
 */
static bool
quote_is_outlook(const char *text, size_t n, const struct quote_line *l)
{
	struct quote_line x;
	bool sent = false, to = false;
	size_t off = l->next;

	if (!quote_is_header(l, quote_from_words))
		return false;
	for (int i = 0; i < QUOTE_LOOKAHEAD && off < n; i++) {
		quote_get_line(text, n, off, &x);
		off = x.next;
		if (quote_is_header(&x, quote_sent_words))
			sent = true;
		else if (quote_is_header(&x, quote_to_words))
			to = true;
		if (sent && to)
			return true;
	}
	return false;
}

/* An Outlook "________" rule followed by a From: line. */
static bool
quote_is_rule_from(const char *text, size_t n, const struct quote_line *l)
{
	struct quote_line x;
	size_t off = l->next;

	if (!quote_is_rule(l))
		return false;
	for (int i = 0; i < 3 && off < n; i++) {
		quote_get_line(text, n, off, &x);
		off = x.next;
		if (quote_is_blank(&x))
			continue;
		return quote_is_header(&x, quote_from_words);
	}
	return false;
}

/* Does s start like an attribution ("On ", "Le ", ...)? */
static bool
quote_attr_prefix(const char *s, size_t len)
{
	for (size_t i = 0; i < G_N_ELEMENTS(quote_attrs); i++)
		if (quote_has_prefix(s, len, quote_attrs[i].prefix))
			return true;
	return false;
}

/*
 * Do the lines l[0..nl) form an attribution: the first starts with a
 * prefix, the last ends with its suffix, an infix is somewhere, and a
 * digit or '@' shows a date or an address?
 */
static bool
quote_attr_match(const struct quote_line *l, size_t nl)
{
	const char *s[QUOTE_ATTR_LINES];
	size_t len[QUOTE_ATTR_LINES], total = 0;
	bool marked = false;

	for (size_t k = 0; k < nl; k++) {
		len[k] = l[k].len;
		s[k] = quote_skip_blanks(l[k].s, &len[k]);
		quote_trim_end(s[k], &len[k]);
		total += len[k];
		marked = marked || quote_has_date_or_addr(s[k], len[k]);
	}
	if (total > QUOTE_ATTR_MAX || !marked)
		return false;
	for (size_t i = 0; i < G_N_ELEMENTS(quote_attrs); i++) {
		const struct quote_attr *q = &quote_attrs[i];
		bool infix = q->infix == NULL;

		if (!quote_has_prefix(s[0], len[0], q->prefix) ||
		    !quote_has_suffix(s[nl - 1], len[nl - 1], q->suffix))
			continue;
		for (size_t k = 0; k < nl && !infix; k++)
			infix = quote_contains(s[k], len[k], q->infix);
		if (infix)
			return true;
	}
	return false;
}

/*
 * Attribution starting at line l, possibly wrapped over up to
 * QUOTE_ATTR_LINES lines: returns the offset after it, or 0.
 */
static size_t
quote_attribution(const char *text, size_t n, const struct quote_line *l)
{
	struct quote_line lines[QUOTE_ATTR_LINES];
	size_t len = l->len;
	const char *s = quote_skip_blanks(l->s, &len);

	if (!quote_attr_prefix(s, len) || len > QUOTE_ATTR_MAX)
		return 0;
	lines[0] = *l;
	for (size_t nl = 1;; nl++) {
		if (quote_attr_match(lines, nl))
			return lines[nl - 1].next;
		if (nl == QUOTE_ATTR_LINES || lines[nl - 1].next >= n)
			return 0;
		quote_get_line(text, n, lines[nl - 1].next, &lines[nl]);
		if (quote_is_blank(&lines[nl]) || quote_is_quoted(&lines[nl]) ||
		    lines[nl].len > QUOTE_ATTR_MAX)
			return 0;
	}
}

/* Is the first non-blank line at or after off '>'-quoted? */
static bool
quote_next_is_quoted(const char *text, size_t n, size_t off)
{
	struct quote_line x;

	while (off < n) {
		quote_get_line(text, n, off, &x);
		if (!quote_is_blank(&x))
			return quote_is_quoted(&x);
		off = x.next;
	}
	return false;
}

/* Does the text from line l on have to go? */
static bool
quote_is_cut(const char *text, size_t n, const struct quote_line *l)
{
	return quote_is_signature(l) || quote_is_separator(l) ||
	    quote_is_rule_from(text, n, l) || quote_is_outlook(text, n, l);
}

void
quote_strip(GString *t)
{
	char *text = t->str;
	size_t n = t->len, r = 0, w = 0, after;
	bool last_blank = true;	/* no blank lines at the start */
	struct quote_line l;

	while (r < n) {
		quote_get_line(text, n, r, &l);
		if (quote_is_quoted(&l)) {
			r = l.next;
			continue;
		}
		if (quote_is_cut(text, n, &l))
			break;
		after = quote_attribution(text, n, &l);
		if (after > 0) {
			if (!quote_next_is_quoted(text, n, after))
				break;
			r = after;
			continue;
		}
		if (quote_is_blank(&l)) {
			if (!last_blank)
				text[w++] = '\n';
			last_blank = true;
			r = l.next;
			continue;
		}
		last_blank = false;
		memmove(text + w, text + r, l.next - r);
		w += l.next - r;
		r = l.next;
	}
	while (w > 0 && g_ascii_isspace(text[w - 1]))
		w--;
	g_string_truncate(t, w);
}
