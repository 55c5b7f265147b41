/*
 * extract.c - the customer's own new text from a MIME message (GMime).
 *
 * Exports extract_init(), extract_message() and extract_clear() (see
 * extract.h).  The message buffer is wrapped, not copied, in a GMime
 * memory stream and parsed; the MIME tree is walked with a depth and a
 * part counter bounded by the limits.  Only text/plain and text/html
 * leaves that are not attachments are decoded (transfer encoding, then
 * charset to UTF-8 with a windows-1252 fallback), at most a bounded
 * number of bytes each; every other leaf and every message/rfc822 part
 * (a forwarded, attached message is not the writer's new words) is
 * skipped without touching its content.  multipart/alternative gives
 * its best text alternative, multipart/related its root part.  Each
 * part's text is unwrapped from a marketplace relay (relay.c) and
 * quote-stripped (quote.c; HTML first goes through html.c) and
 * appended, a blank line between parts, up to lim->max_text_bytes.
 *
 * All GMime objects are created and released inside extract_message().
 * The caller runs g_mime_init() and xmlInitParser() once per process.
 */
#include "extract.h"

#include <errno.h>
#include <gmime/gmime.h>
#include <iconv.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define EXTRACT_DECODE_FACTOR	8	/* decoded bytes per text byte kept */
#define EXTRACT_READ_CHUNK	8192
#define EXTRACT_SNIFF_BYTES	2048	/* where HTML declares its charset */
#define EXTRACT_MAX_INPUT	((size_t)0xffffffffu) /* GByteArray length */

enum extract_kind { EXTRACT_OTHER, EXTRACT_PLAIN, EXTRACT_HTML };

/* The state of one walk over a message. */
struct extract_walk {
	const struct limits *lim;
	struct extracted *ex;
	size_t decode_max;	/* decoded bytes per part */
	bool stop;		/* text limit reached */
};

/* windows-1252 0x80..0x9f; unassigned bytes map to the C1 controls. */
static const gunichar extract_cp1252[32] = {
	0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008d, 0x017d, 0x008f,
	0x0090, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x009d, 0x017e, 0x0178,
};

/* Allocates nothing: safe to call after extract_clear() in a reset. */
void
extract_init(struct extracted *ex)
{
	memset(ex, 0, sizeof(*ex));
}

void
extract_clear(struct extracted *ex)
{
	g_free(ex->subject);
	ex->subject = NULL;
	if (ex->text != NULL)
		g_string_free(ex->text, TRUE);
	ex->text = NULL;
	ex->parts = ex->text_parts = 0;
	ex->truncated = ex->parse_error = false;
}

/* Appends raw[0..len) read as windows-1252 (never fails). */
static void
extract_from_cp1252(const char *raw, size_t len, GString *out)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char b = (unsigned char)raw[i];

		if (b < 0x80)
			g_string_append_c(out, (char)b);
		else if (b < 0xa0)
			g_string_append_unichar(out, extract_cp1252[b - 0x80]);
		else
			g_string_append_unichar(out, b);
	}
}

/* Appends raw as UTF-8, invalid sequences replaced by U+FFFD. */
static void
extract_from_utf8(const char *raw, size_t len, GString *out)
{
	char *valid;

	if (g_utf8_validate_len(raw, len, NULL)) {
		g_string_append_len(out, raw, (gssize)len);
		return;
	}
	valid = g_utf8_make_valid(raw, (gssize)len);
	g_string_append(out, valid);
	g_free(valid);
}

/*
 * Appends raw converted from charset by iconv; returns false if there
 * is no converter.  Bytes iconv rejects become U+FFFD.
 */
static bool
extract_from_iconv(const char *raw, size_t len, const char *charset,
    GString *out)
{
	iconv_t cd = g_mime_iconv_open("UTF-8", charset);
	char *in = (char *)raw;	/* iconv() does not write through it */
	size_t inleft = len;
	char buf[4096];

	if (cd == (iconv_t)-1)
		return false;
	while (inleft > 0) {
		char *o = buf;
		size_t oleft = sizeof(buf);
		size_t r = iconv(cd, &in, &inleft, &o, &oleft);
		int err = errno;

		g_string_append_len(out, buf, (gssize)(o - buf));
		if (r != (size_t)-1 || err == E2BIG)
			continue;
		g_string_append(out, "\xef\xbf\xbd");	/* EILSEQ, EINVAL */
		in++;
		inleft--;
		iconv(cd, NULL, NULL, NULL, NULL);
	}
	g_mime_iconv_close(cd);
	return true;
}

static bool
extract_charset_is(const char *charset, const char *const *names)
{
	const char *canon = g_mime_charset_canon_name(charset);

	for (size_t i = 0; names[i] != NULL; i++)
		if (g_ascii_strcasecmp(charset, names[i]) == 0 ||
		    (canon != NULL && g_ascii_strcasecmp(canon, names[i]) == 0))
			return true;
	return false;
}

/* Appends raw as UTF-8 if it is valid UTF-8, else as windows-1252. */
static void
extract_guess(const char *raw, size_t len, GString *out)
{
	if (g_utf8_validate_len(raw, len, NULL))
		g_string_append_len(out, raw, (gssize)len);
	else
		extract_from_cp1252(raw, len, out);
}

/*
 * Appends raw[0..len) in charset (NULL: undeclared) to out as valid
 * UTF-8.  Undeclared, US-ASCII or unknown: UTF-8 if it is, else
 * windows-1252; Latin-1 labels are read as windows-1252, as browsers do.
 */
static void
extract_to_utf8(const char *raw, size_t len, const char *charset,
    GString *out)
{
	static const char *const utf8[] = { "utf-8", "utf8", NULL };
	static const char *const ascii[] = { "us-ascii", "ascii",
	    "ansi_x3.4-1968", NULL };
	static const char *const latin1[] = { "iso-8859-1", "iso8859-1",
	    "latin1", "windows-1252", "cp1252", "x-cp1252", NULL };

	if (charset == NULL || *charset == '\0' ||
	    extract_charset_is(charset, ascii))
		extract_guess(raw, len, out);
	else if (extract_charset_is(charset, utf8))
		extract_from_utf8(raw, len, out);
	else if (extract_charset_is(charset, latin1))
		extract_from_cp1252(raw, len, out);
	else if (!extract_from_iconv(raw, len, charset, out))
		extract_guess(raw, len, out);
}

/*
 * The charset an HTML document declares in its first bytes (<meta
 * charset=...> or http-equiv content="...; charset=..."), or NULL.
 * Returns a new string (g_free).
 */
static char *
extract_html_charset(const char *html, size_t len)
{
	static const char key[] = "charset=";
	size_t n = len < EXTRACT_SNIFF_BYTES ? len : EXTRACT_SNIFF_BYTES;
	size_t kl = sizeof(key) - 1;

	for (size_t i = 0; i + kl <= n; i++) {
		size_t s, e;

		if (g_ascii_strncasecmp(html + i, key, kl) != 0)
			continue;
		s = i + kl;
		while (s < n && (html[s] == '"' || html[s] == '\'' ||
		    html[s] == ' '))
			s++;
		e = s;
		while (e < n && e - s < 40 && (g_ascii_isalnum(html[e]) ||
		    html[e] == '-' || html[e] == '_' || html[e] == '.' ||
		    html[e] == ':'))
			e++;
		return e > s ? g_strndup(html + s, e - s) : NULL;
	}
	return NULL;
}

/*
 * Decodes the transfer encoding of part into raw, at most max bytes.
 * Returns true if the content was longer.
 */
static bool
extract_decode(GMimePart *part, size_t max, GByteArray *raw)
{
	GMimeDataWrapper *content = g_mime_part_get_content(part);
	GMimeStream *stream, *filtered = NULL;
	GMimeFilter *filter;
	GMimeContentEncoding enc;
	char buf[EXTRACT_READ_CHUNK];
	bool cut = false;

	if (content == NULL)
		goto cleanup;
	stream = g_mime_data_wrapper_get_stream(content);
	if (stream == NULL)
		goto cleanup;
	g_mime_stream_reset(stream);
	filtered = g_mime_stream_filter_new(stream);
	enc = g_mime_data_wrapper_get_encoding(content);
	if (enc == GMIME_CONTENT_ENCODING_BASE64 ||
	    enc == GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE ||
	    enc == GMIME_CONTENT_ENCODING_UUENCODE) {
		filter = g_mime_filter_basic_new(enc, FALSE);
		g_mime_stream_filter_add(GMIME_STREAM_FILTER(filtered), filter);
		g_object_unref(filter);
	}
	for (;;) {
		gssize n = g_mime_stream_read(filtered, buf, sizeof(buf));

		if (n <= 0)
			break;
		if ((size_t)n > max - raw->len) {
			n = (gssize)(max - raw->len);
			cut = true;
		}
		g_byte_array_append(raw, (const guint8 *)buf, (guint)n);
		if (cut)
			break;
	}
cleanup:
	if (filtered != NULL)
		g_object_unref(filtered);
	return cut;
}

/* CRLF and lone CR become LF and NUL a space, in place. */
static void
extract_tidy(GString *s)
{
	size_t w = 0;

	for (size_t r = 0; r < s->len; r++) {
		if (s->str[r] == '\0') {
			s->str[w++] = ' ';
		} else if (s->str[r] == '\r') {
			s->str[w++] = '\n';
			if (r + 1 < s->len && s->str[r + 1] == '\n')
				r++;
		} else {
			s->str[w++] = s->str[r];
		}
	}
	g_string_truncate(s, w);
}

static bool
extract_is_blank(const char *s, size_t len)
{
	const char *end = s + len;

	for (const char *p = s; p < end; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		if (!g_unichar_isspace(c) && c != 0x00a0 && c != 0xfeff)
			return false;
	}
	return true;
}

/*
 * The text of a text/plain or text/html leaf, decoded to UTF-8 with LF
 * line ends (HTML still as markup).  Returns a new GString.
 */
static GString *
extract_part_text(struct extract_walk *w, GMimePart *part, bool html)
{
	GByteArray *raw = g_byte_array_new();
	GString *utf8;
	char *sniffed = NULL;
	const char *charset;

	if (extract_decode(part, w->decode_max, raw))
		w->ex->truncated = true;
	charset = g_mime_object_get_content_type_parameter(GMIME_OBJECT(part),
	    "charset");
	if (charset == NULL && html) {
		sniffed = extract_html_charset((const char *)raw->data,
		    raw->len);
		charset = sniffed;
	}
	utf8 = g_string_sized_new(raw->len + raw->len / 8 + 1);
	extract_to_utf8((const char *)raw->data, raw->len, charset, utf8);
	extract_tidy(utf8);
	g_free(sniffed);
	g_byte_array_free(raw, TRUE);
	return utf8;
}

/* Appends s[0..len) to the result within max_text_bytes. */
static void
extract_append(struct extract_walk *w, const char *s, size_t len)
{
	GString *out = w->ex->text;
	size_t max = w->lim->max_text_bytes;
	size_t sep = out->len > 0 ? 2 : 0;

	if (out->len + sep >= max) {
		w->ex->truncated = w->stop = true;
		return;
	}
	g_string_append_len(out, "\n\n", (gssize)sep);
	if (len > max - out->len) {
		len = max - out->len;
		while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
			len--;
		w->ex->truncated = w->stop = true;
	}
	g_string_append_len(out, s, (gssize)len);
}

/* Takes the decoded text of one part: HTML to text, strip, append. */
static void
extract_use(struct extract_walk *w, GString *text, bool html)
{
	size_t room = w->lim->max_text_bytes - w->ex->text->len;
	size_t start = 0;

	if (html) {
		GString *plain = g_string_new("");
		size_t cap = room > SIZE_MAX / 2 ? SIZE_MAX : room * 2;

		if (html_to_text_max(text->str, text->len, cap, plain))
			w->ex->truncated = true;
		g_string_free(text, TRUE);
		text = plain;
	}
	relay_unwrap(text);
	quote_strip(text);
	while (start < text->len && g_ascii_isspace(text->str[start]))
		start++;
	if (start < text->len) {
		extract_append(w, text->str + start, text->len - start);
		w->ex->text_parts++;
	}
	g_string_free(text, TRUE);
}

static bool
extract_is_attachment(GMimeObject *obj)
{
	const char *disp = g_mime_object_get_disposition(obj);

	return disp != NULL && g_ascii_strcasecmp(disp, "attachment") == 0;
}

/* Which kind of text leaf obj is, if any. */
static enum extract_kind
extract_text_kind(GMimeObject *obj)
{
	GMimeContentType *ct;

	if (!GMIME_IS_PART(obj) || extract_is_attachment(obj))
		return EXTRACT_OTHER;
	ct = g_mime_object_get_content_type(obj);
	if (ct == NULL)
		return EXTRACT_OTHER;
	if (g_mime_content_type_is_type(ct, "text", "plain"))
		return EXTRACT_PLAIN;
	if (g_mime_content_type_is_type(ct, "text", "html"))
		return EXTRACT_HTML;
	return EXTRACT_OTHER;
}

/* Counts a part against max_mime_parts; false when over. */
static bool
extract_count(struct extract_walk *w)
{
	if (w->ex->parts >= w->lim->max_mime_parts) {
		w->ex->truncated = w->stop = true;
		return false;
	}
	w->ex->parts++;
	return true;
}

static void extract_walk(struct extract_walk *w, GMimeObject *obj,
    unsigned depth);

/*
 * multipart/alternative: the text/plain alternative if it has text,
 * else the first HTML (or multipart holding HTML) alternative.
 */
static void
extract_alternative(struct extract_walk *w, GMimeMultipart *mp,
    unsigned depth)
{
	int count = g_mime_multipart_get_count(mp);
	unsigned before;

	for (int i = 0; i < count && !w->stop; i++) {
		GMimeObject *child = g_mime_multipart_get_part(mp, i);
		GString *text;

		if (extract_text_kind(child) != EXTRACT_PLAIN)
			continue;
		if (!extract_count(w))
			return;
		text = extract_part_text(w, GMIME_PART(child), false);
		if (!extract_is_blank(text->str, text->len)) {
			extract_use(w, text, false);
			return;
		}
		g_string_free(text, TRUE);
		break;
	}
	for (int i = 0; i < count && !w->stop; i++) {
		GMimeObject *child = g_mime_multipart_get_part(mp, i);

		if (extract_text_kind(child) != EXTRACT_HTML &&
		    !GMIME_IS_MULTIPART(child))
			continue;
		before = w->ex->text_parts;
		extract_walk(w, child, depth);
		if (w->ex->text_parts > before)
			return;
	}
}

/*
 * multipart/related: its root part only (the "start" parameter, else
 * the first part); the other parts are what the root refers to (inline
 * images, style sheets), not text of their own.
 */
static void
extract_related(struct extract_walk *w, GMimeMultipart *mp, unsigned depth)
{
	const char *start = g_mime_object_get_content_type_parameter(
	    GMIME_OBJECT(mp), "start");
	int count = g_mime_multipart_get_count(mp);
	GMimeObject *root = count > 0 ? g_mime_multipart_get_part(mp, 0) :
	    NULL;
	size_t sl;

	if (start != NULL && *start == '<')
		start++;
	sl = start != NULL ? strcspn(start, ">") : 0;
	for (int i = 0; i < count && sl > 0; i++) {
		GMimeObject *child = g_mime_multipart_get_part(mp, i);
		const char *cid = g_mime_object_get_content_id(child);

		if (cid != NULL && strlen(cid) == sl &&
		    strncmp(cid, start, sl) == 0) {
			root = child;
			break;
		}
	}
	extract_walk(w, root, depth);
}

/* Visits obj, a part at the given multipart nesting depth. */
static void
extract_walk(struct extract_walk *w, GMimeObject *obj, unsigned depth)
{
	enum extract_kind kind;

	if (w->stop || obj == NULL || !extract_count(w))
		return;
	if (GMIME_IS_MULTIPART(obj)) {
		GMimeMultipart *mp = GMIME_MULTIPART(obj);
		GMimeContentType *ct = g_mime_object_get_content_type(obj);
		int count = g_mime_multipart_get_count(mp);

		if (depth >= w->lim->max_mime_depth) {
			w->ex->truncated = true;
			return;
		}
		if (ct != NULL && g_mime_content_type_is_type(ct, "multipart",
		    "alternative")) {
			extract_alternative(w, mp, depth + 1);
			return;
		}
		if (ct != NULL && g_mime_content_type_is_type(ct, "multipart",
		    "related")) {
			extract_related(w, mp, depth + 1);
			return;
		}
		for (int i = 0; i < count && !w->stop; i++)
			extract_walk(w, g_mime_multipart_get_part(mp, i),
			    depth + 1);
		return;
	}
	kind = extract_text_kind(obj);
	if (kind != EXTRACT_OTHER)
		extract_use(w, extract_part_text(w, GMIME_PART(obj),
		    kind == EXTRACT_HTML), kind == EXTRACT_HTML);
}

/* Does the line s[0..n) start like a header field, "name:"? */
static bool
extract_is_field(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && i < 80 && s[i] > ' ' && s[i] < 127 && s[i] != ':')
		i++;
	return i > 0 && i < n && s[i] == ':';
}

/*
 * How much of buf GMime may parse.  GMime builds its whole tree before
 * the walk can count anything, at about 0.5-2 KB per part and per
 * header, so a message of tiny parts or headers would cost ~100 times
 * its size in memory.  The input is cut before the line that takes the
 * count of boundary-like lines ("--...") or of header-like lines past a
 * budget well above what the limits let the walk use.
 */
static size_t
extract_bound_input(const char *buf, size_t len, const struct limits *lim,
    bool *cut)
{
	size_t max_dashes = 4 * (size_t)lim->max_mime_parts + 64;
	size_t max_fields = 16 * (size_t)lim->max_headers + 1024;
	size_t dashes = 0, fields = 0, off = 0;

	while (off < len) {
		const char *eol = memchr(buf + off, '\n', len - off);
		size_t next = eol != NULL ? (size_t)(eol - buf) + 1 : len;

		if (next - off >= 2 && buf[off] == '-' && buf[off + 1] == '-')
			dashes++;
		else if (extract_is_field(buf + off, next - off))
			fields++;
		if (dashes > max_dashes || fields > max_fields) {
			*cut = true;
			return off;
		}
		off = next;
	}
	return len;
}

/* The decoded subject as valid UTF-8 on one line, or NULL. */
static char *
extract_subject(GMimeMessage *msg)
{
	const char *subj = g_mime_message_get_subject(msg);
	char *s;

	if (subj == NULL)
		return NULL;
	s = g_utf8_make_valid(subj, -1);
	for (char *p = s; *p != '\0'; p++)
		if (*p == '\r' || *p == '\n' || *p == '\t')
			*p = ' ';
	return s;
}

void
extract_message(const char *buf, size_t len, const struct limits *lim,
    struct extracted *ex)
{
	struct extract_walk w = { .lim = lim, .ex = ex };
	GByteArray *array = NULL;
	GMimeStream *stream = NULL;
	GMimeParser *parser = NULL;
	GMimeMessage *msg = NULL;

	extract_clear(ex);
	ex->text = g_string_new("");
	w.decode_max = lim->max_text_bytes > SIZE_MAX / EXTRACT_DECODE_FACTOR
	    ? SIZE_MAX : lim->max_text_bytes * EXTRACT_DECODE_FACTOR;
	if (len > EXTRACT_MAX_INPUT) {
		len = EXTRACT_MAX_INPUT;
		ex->truncated = true;
	}
	len = extract_bound_input(buf, len, lim, &ex->truncated);
	/* GMime reads through the array; it never writes or frees buf. */
	array = g_byte_array_new_take((guint8 *)buf, len);
	stream = g_mime_stream_mem_new_with_byte_array(array);
	g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(stream), FALSE);
	parser = g_mime_parser_new_with_stream(stream);
	g_mime_parser_set_persist_stream(parser, TRUE);
	msg = g_mime_parser_construct_message(parser, NULL);
	if (msg == NULL) {
		ex->parse_error = true;
		goto cleanup;
	}
	ex->subject = extract_subject(msg);
	extract_walk(&w, g_mime_message_get_mime_part(msg), 0);
cleanup:
	if (msg != NULL)
		g_object_unref(msg);
	if (parser != NULL)
		g_object_unref(parser);
	if (stream != NULL)
		g_object_unref(stream);
	if (array != NULL)
		(void)g_byte_array_free(array, FALSE);
}
