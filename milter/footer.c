/*
 * footer.c - boilerplate at the foot of a writer's own text.
 *
 * Exports footer_is_device() and footer_notice() (see extract.h); both
 * only read the text.
 *
 * A device line is what a mail client appends by itself: "Sent from my
 * iPhone", "Get Outlook for Android", "Von meinem iPhone gesendet" and
 * the like, alone on a short line with nothing the writer added: "Sent
 * from my phone, please call me" (a clause after a comma, a second
 * sentence, a question) is the customer's.
 *
 * A notice is a legal or confidentiality footer.  It starts a line with
 * an opening notices use ("This e-mail ...", "CONFIDENTIALITY NOTICE",
 * "DISCLAIMER", "If you are not the intended recipient", "CAUTION: This
 * email originated ...") and runs to a blank line, past the end of a
 * sentence only into lines that read like a notice too.  Those lines
 * must name the mail and hold enough of the phrases only notices use:
 * two telling ones ("intended recipient", "notify the sender", "any
 * attachments", "in error", "prohibited", ...), or one and two general
 * ones ("confidential", "privileged", "disclosure", "delete", ...), or,
 * under a DISCLAIMER / CONFIDENTIAL heading, any two.  A customer's
 * "This email is my last try before I call my lawyer" is none of these.
 *
 * Each line is looked at in at most one window of bounded size, so the
 * work is linear in the text.
 */
#include "extract.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "textline.h"

#define FOOTER_DEVICE_MAX	72	/* longest device line */
#define FOOTER_LEAD_MAX		8	/* "*** " before a notice heading */
#define FOOTER_NOTICE_LINES	16	/* lines one notice may run over */
#define FOOTER_NOTICE_BYTES	2048	/* bytes one notice may run over */

/* Openings of device lines, matched at the start (ASCII case folded). */
static const char *const footer_devices[] = {
	"sent from my ", "sent from yahoo mail", "sent from outlook",
	"sent from mail for windows", "sent from samsung",
	"sent from the all new aol app", "sent from aol mobile",
	"sent from proton mail", "sent with proton mail",
	"sent from protonmail", "sent via the samsung", "sent from xfinity",
	"get outlook for ", "envoy\xc3\xa9 de mon ",
	"envoy\xc3\xa9 depuis mon ", "obtenez outlook pour ",
	"von meinem ", "gesendet von meinem ", "outlook f\xc3\xbcr ",
	"enviado desde mi ", "enviado desde outlook",
	"enviado desde yahoo", "obtener outlook para ", "enviado do meu ",
	"enviado a partir do ", "inviato da ", "verzonden vanaf mijn ",
	"verstuurd vanaf mijn ", "wys\xc5\x82" "ane z ",
	"skickat fr\xc3\xa5n min ",
	"please consider the environment before printing",
	"think before you print", NULL
};

struct footer_opener {
	const char *s;
	bool heading;	/* a title: any two notice phrases are enough */
};

static const struct footer_opener footer_openers[] = {
	{ "disclaimer", true }, { "legal disclaimer", true },
	{ "e-mail disclaimer", true }, { "email disclaimer", true },
	{ "confidential", true }, { "privileged", true },
	{ "legal notice", true },
	{ "this e-mail", false }, { "this email", false },
	{ "this mail", false }, { "this message", false },
	{ "this communication", false }, { "this transmission", false },
	{ "this electronic", false }, { "the information contained", false },
	{ "the information in this", false },
	{ "the information transmitted", false },
	{ "the content of this", false }, { "the contents of this", false },
	{ "if you are not the intended", false },
	{ "if you are not an intended", false },
	{ "if you have received this", false },
	{ "if you received this", false }, { "any views or opinions", false },
	{ "any views expressed", false }, { "the views expressed", false },
	{ "important notice", false }, { "notice:", false },
	{ "caution:", false }, { "warning:", false },
	{ "external email", false }, { "external e-mail", false },
};

struct footer_phrase {
	const char *s;
	bool telling;	/* hardly ever written but in a notice */
};

static const struct footer_phrase footer_phrases[] = {
	{ "intended recipient", true }, { "intended solely", true },
	{ "intended only", true }, { "intended exclusively", true },
	{ "intended for the use", true }, { "intended for the sole", true },
	{ "intended for the exclusive", true }, { "addressee", true },
	{ "notify the sender", true }, { "notify us immediately", true },
	{ "notify us by", true }, { "in error", true },
	{ "views or opinions", true }, { "any attachment", true },
	{ "files transmitted", true }, { "originated from outside", true },
	{ "do not click", true }, { "prohibited", true },
	{ "do not necessarily", true },
	{ "confidential", false }, { "privileged", false },
	{ "dissemination", false }, { "disclosure", false },
	{ "distribution", false }, { "copying", false }, { "delete", false },
	{ "destroy", false }, { "unauthori", false }, { "liability", false },
	{ "virus", false }, { "legally", false }, { "disclaimer", false },
};

/* What a notice must call itself. */
static const char *const footer_mail_words[] = {
	"mail", "message", "communication", "transmission", NULL
};

/*
 * Is the rest of a device line plain: no question, no second sentence,
 * no clause after a comma ("Sent from my Verizon, Samsung Galaxy" is a
 * device; "Sent from my phone, please call" is not)?
 */
static bool
footer_rest_is_plain(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '?' || s[i] == '!')
			return false;
		if ((s[i] == ',' || s[i] == '.' || s[i] == ';') &&
		    i + 2 < len && s[i + 1] == ' ' &&
		    (g_ascii_islower(s[i + 2]) || s[i] != ','))
			return false;
	}
	return true;
}

bool
footer_is_device(const char *s, size_t len)
{
	while (len > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len > 0 && g_ascii_isspace(s[len - 1]))
		len--;
	if (len == 0 || len > FOOTER_DEVICE_MAX)
		return false;
	for (size_t i = 0; footer_devices[i] != NULL; i++) {
		size_t wl = strlen(footer_devices[i]);

		if (text_has_prefix(s, len, footer_devices[i]))
			return footer_rest_is_plain(s + wl, len - wl);
	}
	return false;
}

/* The opener a line starts with (after "*** ", "[", ...), or NULL. */
static const struct footer_opener *
footer_opener(const struct textline *l)
{
	const char *s = l->s;
	size_t len = l->len;

	for (int i = 0; i < FOOTER_LEAD_MAX && len > 0 &&
	    g_ascii_ispunct(*s) && *s != '-'; i++) {
		s++;
		len--;
	}
	while (len > 0 && *s == ' ') {
		s++;
		len--;
	}
	for (size_t i = 0; i < G_N_ELEMENTS(footer_openers); i++)
		if (text_has_prefix(s, len, footer_openers[i].s))
			return &footer_openers[i];
	return NULL;
}

/* The notice phrases in a line, one bit each. */
static uint64_t
footer_phrases_in(const struct textline *l)
{
	uint64_t bits = 0;

	for (size_t i = 0; i < G_N_ELEMENTS(footer_phrases); i++)
		if (text_contains(l->s, l->len, footer_phrases[i].s))
			bits |= (uint64_t)1 << i;
	return bits;
}

static bool
footer_names_mail(const struct textline *l)
{
	for (size_t i = 0; footer_mail_words[i] != NULL; i++)
		if (text_contains(l->s, l->len, footer_mail_words[i]))
			return true;
	return false;
}

/* Does the line end a sentence ('.', '!', '?', maybe a closing mark)? */
static bool
footer_ends_sentence(const struct textline *l)
{
	size_t len = l->len;

	while (len > 0 && (l->s[len - 1] == ')' || l->s[len - 1] == '"' ||
	    l->s[len - 1] == '\'' || l->s[len - 1] == '*'))
		len--;
	return len > 0 && (l->s[len - 1] == '.' || l->s[len - 1] == '!' ||
	    l->s[len - 1] == '?');
}

/* Are the phrases seen enough for a notice? */
static bool
footer_enough(uint64_t bits, bool heading)
{
	unsigned telling = 0, total = 0;

	for (size_t i = 0; i < G_N_ELEMENTS(footer_phrases); i++) {
		if ((bits & ((uint64_t)1 << i)) == 0)
			continue;
		total++;
		if (footer_phrases[i].telling)
			telling++;
	}
	return telling >= 2 || (telling >= 1 && total >= 3) ||
	    (heading && total >= 2);
}

bool
footer_notice(const char *text, size_t n, size_t off, size_t *end,
    size_t *skip)
{
	const struct footer_opener *op;
	struct textline l;
	uint64_t bits = 0;
	size_t bytes = 0;
	bool mail = false, final = false;

	G_STATIC_ASSERT(G_N_ELEMENTS(footer_phrases) <= 64);
	textline_get(text, n, off, &l);
	*skip = l.next;
	op = footer_opener(&l);
	if (op == NULL)
		return false;
	for (int lines = 0; lines < FOOTER_NOTICE_LINES && off < n; lines++) {
		uint64_t here;

		textline_get(text, n, off, &l);
		if (l.len == 0 || *l.s == '>' || text_has_prefix(l.s, l.len,
		    "--") || text_has_prefix(l.s, l.len, "__") ||
		    bytes + l.len > FOOTER_NOTICE_BYTES)
			break;
		here = footer_phrases_in(&l);
		if (lines > 0 && final && here == 0 && footer_opener(&l) == NULL)
			break;
		bits |= here;
		mail = mail || footer_names_mail(&l);
		final = footer_ends_sentence(&l);
		bytes += l.len;
		off = l.next;
	}
	*skip = off > *skip ? off : *skip;
	if (!mail || !footer_enough(bits, op->heading))
		return false;
	*end = off;
	return true;
}
