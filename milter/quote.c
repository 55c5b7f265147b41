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
 *     schrieb ...:", "El ... escribió:", "Il ... ha scritto:", "Op ...
 *     schreef ...:", "Em ... escreveu:", "W dniu ... pisze:", ...), also
 *     wrapped over up to three lines, with a digit or '@' in it, is
 *     dropped; if the next non-blank line is not '>'-quoted the quoted
 *     history is unmarked, so the text is cut there.  A bare "Name
 *     <a@b> wrote:" line is dropped only when quoted lines follow;
 *   - "-----Original Message-----" and forwarded-message markers (and
 *     translations), an Outlook "____" rule followed by "From:", an
 *     Outlook header block (From: with Sent:/Date: and To:/Subject: in
 *     the next few lines, or all on one line, in several languages), a
 *     helpdesk "reply above this line" marker and a "-- " signature
 *     separator cut the text there;
 *   - a mail client's "Sent from my iPhone" line and a legal or
 *     confidentiality notice (footer.c) are dropped.
 * Runs of blank lines left behind collapse to one; trailing white space
 * is trimmed.
 */
#include "extract.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "textline.h"

#define QUOTE_LOOKAHEAD	8	/* lines searched for an Outlook header */
#define QUOTE_ATTR_LINES 3	/* lines an attribution may wrap over */
#define QUOTE_ATTR_MAX	512	/* longest attribution, all lines */
#define QUOTE_MARKER_MAX 120	/* longest helpdesk / forward marker line */

/* One line of the text: [s, s + len), without '\n' or a final '\r'. */
struct quote_line {
	const char *s;
	size_t len;
	size_t next;	/* offset of the following line */
};

/*
 * An attribution: the first line starts with prefix, the last ends with
 * suffix (white space before a final ':' is not significant), infix is
 * somewhere.  An empty prefix is a bare attribution: one line (or two
 * when the second holds only the suffix) with an address in it.  weak:
 * dropped only when quoted lines follow, never a cut.
 */
struct quote_attr {
	const char *prefix;
	const char *infix;	/* or NULL */
	const char *suffix;
	bool weak;
};

static const struct quote_attr quote_attrs[] = {
	{ "On ", NULL, "wrote:", false },
	{ "Le ", NULL, "a \xc3\xa9" "crit:", false },
	{ "Am ", " schrieb", ":", false },
	{ "El ", NULL, "escribi\xc3\xb3:", false },
	{ "Il ", NULL, "ha scritto:", false },
	{ "Op ", " schreef", ":", false },
	{ "Op ", NULL, "geschreven:", false },
	{ "Em ", NULL, "escreveu:", false },
	{ "W dniu ", NULL, "pisze:", false },
	{ "Den ", " skrev", ":", false },
	{ "", NULL, "napisa\xc5\x82(a):", false },
	{ "", NULL, "wrote:", true },
};

static const char *const quote_from_words[] = {
	"from", "von", "de", "van", "da", "od", "fr\xc3\xa5n", NULL
};
static const char *const quote_sent_words[] = {
	"sent", "date", "gesendet", "datum", "envoy\xc3\xa9", "envoy\xc3\xa9 le",
	"enviado", "enviado el", "enviada", "inviato", "verzonden", "data",
	"fecha", "wys\xc5\x82" "ano", "wys\xc5\x82" "ane", "skickat", NULL
};
static const char *const quote_to_words[] = {
	"to", "subject", "cc", "an", "betreff", "\xc3\xa0", "\xc3\x80", "a",
	"objet", "para", "asunto", "assunto", "oggetto", "aan", "onderwerp",
	"do", "temat", "till", "\xc3\xa4mne", NULL
};
/* After dashes: "-----Original Message-----", "-- Forwarded message --". */
static const char *const quote_orig_words[] = {
	"original message", "forwarded message",
	"urspr\xc3\xbcngliche nachricht", "original-nachricht",
	"weitergeleitete nachricht", "message d'origine",
	"message transf\xc3\xa9r\xc3\xa9", "message original",
	"mensaje original", "mensaje reenviado", "messaggio originale",
	"messaggio inoltrato", "oorspronkelijk bericht",
	"doorgestuurd bericht", "mensagem original",
	"mensagem encaminhada", "mensagem reencaminhada",
	"wiadomo\xc5\x9b\xc4\x87 oryginalna",
	"wiadomo\xc5\x9b\xc4\x87 przekazana", "vidarebefordrat meddelande",
	NULL
};
/* Without dashes, at the start of a short line (Apple Mail). */
static const char *const quote_fwd_openers[] = {
	"begin forwarded message", "anfang der weitergeleiteten",
	"d\xc3\xa9" "but du message r\xc3\xa9" "exp\xc3\xa9" "di\xc3\xa9",
	"d\xc3\xa9" "but du message transf\xc3\xa9r\xc3\xa9",
	"inicio del mensaje reenviado", "inizio messaggio inoltrato",
	"begin doorgestuurd bericht", "in\xc3\xad" "cio da mensagem",
	NULL
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

/* Length of a blank at s[0..len): space, tab, U+00A0 or U+202F; or 0. */
static size_t
quote_blank_len(const char *s, size_t len)
{
	if (len >= 1 && (s[0] == ' ' || s[0] == '\t'))
		return 1;
	if (len >= 2 && (unsigned char)s[0] == 0xc2 &&
	    (unsigned char)s[1] == 0xa0)
		return 2;
	if (len >= 3 && (unsigned char)s[0] == 0xe2 &&
	    (unsigned char)s[1] == 0x80 && (unsigned char)s[2] == 0xaf)
		return 3;
	return 0;
}

/* Trailing white space (no-break spaces too) dropped from *len. */
static void
quote_trim_end(const char *s, size_t *len)
{
	for (;;) {
		if (*len > 0 && (s[*len - 1] == ' ' || s[*len - 1] == '\t' ||
		    s[*len - 1] == '\r'))
			(*len)--;
		else if (*len >= 2 && quote_blank_len(s + *len - 2, 2) == 2)
			*len -= 2;
		else if (*len >= 3 && quote_blank_len(s + *len - 3, 3) == 3)
			*len -= 3;
		else
			return;
	}
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

/*
 * Does s[0..len) end with suffix?  A final ':' may be preceded by any
 * blanks in the text ("a écrit :", "a écrit\u202f:").
 */
static bool
quote_ends_with(const char *s, size_t len, const char *suffix)
{
	size_t sl = strlen(suffix);

	if (sl == 0 || suffix[sl - 1] != ':')
		return text_has_suffix(s, len, suffix);
	if (len == 0 || s[len - 1] != ':')
		return false;
	len--;
	quote_trim_end(s, &len);
	sl--;
	return len >= sl && g_ascii_strncasecmp(s + len - sl, suffix, sl) == 0;
}

static bool
quote_has_char(const char *s, size_t len, char c)
{
	return memchr(s, c, len) != NULL;
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
 * Does s[0..len) start with a header "Word:" for one of words?  Accepts
 * "*From:*" (bold in plain text) and "De :" (French spacing, no-break
 * spaces too).  Returns the offset after the ':', or 0.
 */
static size_t
quote_header_at(const char *s, size_t len, const char *const *words)
{
	size_t lead = 0;

	if (len > 0 && *s == '*')
		lead = 1;
	for (size_t i = 0; words[i] != NULL; i++) {
		size_t j = lead + strlen(words[i]), b;

		if (!text_has_prefix(s + lead, len - lead, words[i]))
			continue;
		if (j < len && s[j] == '*')
			j++;
		while ((b = quote_blank_len(s + j, len - j)) > 0)
			j += b;
		if (j < len && s[j] == ':')
			return j + 1;
	}
	return 0;
}

static bool
quote_is_header(const struct quote_line *l, const char *const *words)
{
	size_t len = l->len;
	const char *s = quote_skip_blanks(l->s, &len);

	return quote_header_at(s, len, words) > 0;
}

/* Is s[0..len) a marker after dashes ("--- Forwarded message ---")? */
static bool
quote_is_dash_marker(const char *s, size_t len)
{
	size_t dashes = 0;

	while (dashes < len && s[dashes] == '-')
		dashes++;
	if (dashes < 2)
		return false;
	s += dashes;
	len -= dashes;
	s = quote_skip_blanks(s, &len);
	for (size_t i = 0; quote_orig_words[i] != NULL; i++)
		if (text_has_prefix(s, len, quote_orig_words[i]))
			return true;
	return false;
}

/*
 * "-----Original Message-----", "---------- Forwarded message ---",
 * "Begin forwarded message:" and their translations.
 */
static bool
quote_is_separator(const struct quote_line *l)
{
	size_t len = l->len;
	const char *s = quote_skip_blanks(l->s, &len);

	if (len > QUOTE_MARKER_MAX)
		return false;
	for (size_t i = 0; quote_fwd_openers[i] != NULL; i++)
		if (text_has_prefix(s, len, quote_fwd_openers[i]))
			return true;
	return quote_is_dash_marker(s, len);
}

/*
 * A helpdesk's "##- Please type your reply above this line -##" or
 * "Reply above this line": what follows is the conversation so far.
 */
static bool
quote_is_reply_above(const struct quote_line *l)
{
	static const char *const verbs[] = { "reply", "respond", "type",
	    "write", "answer", NULL };

	if (l->len > QUOTE_MARKER_MAX ||
	    !text_contains(l->s, l->len, "above this line"))
		return false;
	for (size_t i = 0; verbs[i] != NULL; i++)
		if (text_contains(l->s, l->len, verbs[i]))
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

/* Is there a " Word:" header for one of words in s[0..len)? */
static bool
quote_has_inline_header(const char *s, size_t len, const char *const *words)
{
	for (size_t i = 1; i < len; i++)
		if ((s[i - 1] == ' ' || s[i - 1] == '*') &&
		    quote_header_at(s + i, len - i, words) > 0)
			return true;
	return false;
}

/*
 * Outlook header block at l: a From: line, then within the next few
 * lines a Sent:/Date: line and a To:/Subject: line; or all of them on
 * the From: line itself (header fields joined by a plain-text copy).
 */
static bool
quote_is_outlook(const char *text, size_t n, const struct quote_line *l)
{
	struct quote_line x;
	bool sent = false, to = false;
	size_t off = l->next, len = l->len, at;
	const char *s = quote_skip_blanks(l->s, &len);

	at = quote_header_at(s, len, quote_from_words);
	if (at == 0)
		return false;
	if (quote_has_inline_header(s + at, len - at, quote_sent_words) &&
	    quote_has_inline_header(s + at, len - at, quote_to_words))
		return true;
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

/* Could an attribution start on s ("On ", "Le ", ... or a bare one)? */
static bool
quote_attr_prefix(const char *s, size_t len)
{
	for (size_t i = 0; i < G_N_ELEMENTS(quote_attrs); i++)
		if (text_has_prefix(s, len, quote_attrs[i].prefix))
			return true;
	return false;
}

/* Does the attribution q match the trimmed lines s[0..nl)? */
static bool
quote_attr_fits(const struct quote_attr *q, const char *const *s,
    const size_t *len, size_t nl)
{
	bool infix = q->infix == NULL;

	if (!text_has_prefix(s[0], len[0], q->prefix) ||
	    !quote_ends_with(s[nl - 1], len[nl - 1], q->suffix))
		return false;
	if (*q->prefix == '\0') {
		/* Bare: one line with '@', or '@' then the suffix alone. */
		if (nl > 2 || !quote_has_char(s[0], len[0], '@'))
			return false;
		if (nl == 2 && len[1] > strlen(q->suffix) + 3)
			return false;
	}
	for (size_t k = 0; k < nl && !infix; k++)
		infix = text_contains(s[k], len[k], q->infix);
	return infix;
}

/*
 * Do the lines l[0..nl) form an attribution?  Returns it, or NULL.  A
 * digit or '@' must show a date or an address.
 */
static const struct quote_attr *
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
		return NULL;
	for (size_t i = 0; i < G_N_ELEMENTS(quote_attrs); i++)
		if (quote_attr_fits(&quote_attrs[i], s, len, nl))
			return &quote_attrs[i];
	return NULL;
}

/*
 * Attribution starting at line l, possibly wrapped over up to
 * QUOTE_ATTR_LINES lines: returns the offset after it (0: none) and
 * sets *weak for a bare "Name <a@b> wrote:".
 */
static size_t
quote_attribution(const char *text, size_t n, const struct quote_line *l,
    bool *weak)
{
	struct quote_line lines[QUOTE_ATTR_LINES];
	const struct quote_attr *q;
	size_t len = l->len;
	const char *s = quote_skip_blanks(l->s, &len);

	if (!quote_attr_prefix(s, len) || len > QUOTE_ATTR_MAX)
		return 0;
	lines[0] = *l;
	for (size_t nl = 1;; nl++) {
		q = quote_attr_match(lines, nl);
		if (q != NULL) {
			*weak = q->weak;
			return lines[nl - 1].next;
		}
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
	    quote_is_reply_above(l) || quote_is_rule_from(text, n, l) ||
	    quote_is_outlook(text, n, l);
}

void
quote_strip(GString *t)
{
	char *text = t->str;
	size_t n = t->len, r = 0, w = 0, after, notice_from = 0, end;
	bool last_blank = true;	/* no blank lines at the start */
	bool weak = false;
	struct quote_line l;

	while (r < n) {
		quote_get_line(text, n, r, &l);
		if (quote_is_quoted(&l)) {
			r = l.next;
			continue;
		}
		if (quote_is_cut(text, n, &l))
			break;
		after = quote_attribution(text, n, &l, &weak);
		if (after > 0) {
			bool quoted = quote_next_is_quoted(text, n, after);

			if (!quoted && !weak)
				break;
			if (quoted) {
				r = after;
				continue;
			}
		}
		if (footer_is_device(l.s, l.len)) {
			r = l.next;
			continue;
		}
		if (r >= notice_from && footer_notice(text, n, r, &end,
		    &notice_from)) {
			r = end;
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
