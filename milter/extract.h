/*
 * extract.h - the customer's own new text from a MIME message.
 *
 * extract_message() parses a whole message (header block + body, as
 * bytes) with GMime and returns, as UTF-8:
 *   - the decoded Subject (RFC 2047), and
 *   - the text the customer wrote now: text/plain parts and text/html
 *     parts (converted by html_to_text), charsets decoded to UTF-8,
 *     attachments and attached messages skipped (never decoded), a
 *     marketplace relay's wrapper removed (relay_unwrap), and quoted
 *     earlier mail, forwarded mail and signatures removed (quote_strip).
 * For multipart/alternative only the best text part is used (plain if
 * it has text, else HTML); for multipart/related only its root part.
 * Parts beyond limits are skipped and flagged.
 * Work is proportional to the text decoded, never to attachment size.
 *
 * GMime objects created here never leave the call (not thread-safe).
 */
#ifndef EXTRACT_H
#define EXTRACT_H

#include <glib.h>
#include <stdbool.h>

#include "bounds.h"

struct extracted {
	char *subject;	  /* decoded subject or NULL; owned */
	GString *text;	  /* customer's new text, UTF-8; owned; NULL
			     until extract_message() */
	unsigned parts;	  /* MIME parts visited */
	unsigned text_parts; /* text parts used */
	bool truncated;	  /* a limit was hit (depth, parts, text bytes) */
	bool parse_error; /* GMime could not parse; text may be empty */
};

/* Empties ex; allocates nothing (so a reset may clear, then init). */
void extract_init(struct extracted *ex);
/*
 * Fills ex from buf[0..len); always leaves ex valid, text not NULL.
 * ex must have been set up by extract_init(); earlier contents are freed.
 * buf is only read and need not outlive the call.
 */
void extract_message(const char *buf, size_t len, const struct limits *lim,
    struct extracted *ex);
/* Frees the contents; safe to call twice. */
void extract_clear(struct extracted *ex);

/*
 * html_to_text - append the visible text of an HTML document to out:
 * entities decoded, <br>, <p>, <div>, <li>, <tr>, headings as line
 * breaks, <style>/<script>/<head> dropped, <blockquote> and Gmail /
 * Yahoo / Thunderbird quote containers dropped (each leaves a ">" line,
 * so quote_strip keeps text written between quotes), Outlook's copy of
 * the earlier mail (#divRplyFwdMsg, #appendonsend, .OutlookMessageHeader,
 * a border-top or <hr> header box) and all after it dropped.  Input
 * need not be valid; never fails.
 */
void html_to_text(const char *html, size_t len, GString *out);
/*
 * html_to_text_max - the same, appending at most max bytes (cut on a
 * UTF-8 character boundary).  Returns true if the text had to be cut.
 * html should be UTF-8; invalid bytes are replaced.
 */
bool html_to_text_max(const char *html, size_t len, size_t max,
    GString *out);

/*
 * quote_strip - cut quoted earlier mail and signatures from plain text
 * in place: lines starting with '>', an "On ... wrote:" line (and its
 * translations) and all after it, "-----Original Message-----" and
 * Outlook "From: ... Sent:" header blocks and all after them,
 * forwarded-message markers, a helpdesk "reply above this line" marker
 * and a "-- " signature separator and all after it; "Sent from my
 * iPhone" lines and legal notices (footer_*) are dropped.
 */
void quote_strip(GString *text);

/*
 * relay_unwrap - keep only the buyer's words of a marketplace relay
 * message (Amazon's "Begin message" / "End message" markers, or its
 * heading and closing text), in place.  Returns true if a wrapper was
 * recognised; the text is untouched otherwise.
 */
bool relay_unwrap(GString *text);

/*
 * footer_is_device - is the line s[0..len) a mail client's own "Sent
 * from my iPhone" / "Get Outlook for Android" line?
 */
bool footer_is_device(const char *s, size_t len);
/*
 * footer_notice - does a legal or confidentiality notice start at the
 * line at text[off]?  If so *end is set after it.  Always sets *skip:
 * no notice starts on the lines before it that this call looked at.
 */
bool footer_notice(const char *text, size_t n, size_t off, size_t *end,
    size_t *skip);

#endif
