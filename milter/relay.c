/*
 * relay.c - the buyer's own words out of a marketplace relay message.
 *
 * Exports relay_unwrap() (see extract.h).  Marketplaces relay a buyer's
 * message wrapped in their own text, which is full of words that look
 * like escalation ("arbitrate disputes", "fraud", "guarantee", "report
 * this message").  The wrapper is recognised by its own markers, never
 * by who the mail is for, and the text is left alone when they are
 * absent:
 *   - "------------- Begin message -------------" ... "------------- End
 *     message -------------": only the lines between are kept (to the
 *     end marker or, without one, to the relay's closing text);
 *   - otherwise the relay's closing text ("To respond to this customer",
 *     "For Your Information: To help arbitrate disputes ...", "Was this
 *     email helpful?", ...) and all after it go, and so does a heading
 *     block of "Message from customer", "Order ID: 123-1234567-1234567",
 *     "Item:" lines above the buyer's text (recognised by its "Message
 *     from customer" or order number line).
 * The text is rewritten in place in one pass plus a bounded look at its
 * first lines, so the work is linear in the text.
 */
#include "extract.h"

#include <stdbool.h>
#include <string.h>

#include "textline.h"

#define RELAY_MARKER_MAX	120	/* longest marker line */
#define RELAY_HEAD_LINES	12	/* lines of a heading block */

/* Lines that start the relay's own closing text. */
static const char *const relay_closers[] = {
	"to respond to this customer", "to respond to this buyer",
	"to respond, reply to this e-mail", "to respond, reply to this email",
	"respond to this customer", "reply to this customer",
	"respond to this buyer", "we want you to buy with confidence",
	"amazon uses filtering technology", "was this email helpful",
	"was this e-mail helpful", "learn more about safe online shopping",
	NULL
};

/* Heading lines the relay puts above the buyer's text. */
static const char *const relay_heads[] = {
	"message from customer", "message from buyer", "order id:",
	"order id #", "order #", "order number:", "item:", "asin:", "sku:",
	"quantity:", "dear seller", "you have received a message",
	"you have a new message", "you've received a message", NULL
};

static bool
relay_in_list(const struct textline *l, const char *const *list)
{
	for (size_t i = 0; list[i] != NULL; i++)
		if (text_has_prefix(l->s, l->len, list[i]))
			return true;
	return false;
}

/* Is c a character relays draw their marker rules with? */
static bool
relay_is_rule_char(char c)
{
	return c == '-' || c == '=' || c == '*' || c == '_';
}

/*
 * "---- Begin message ----" (word "begin") or "---- End message ----"
 * (word "end"): at least three rule characters on each side.
 */
static bool
relay_is_marker(const struct textline *l, const char *word)
{
	size_t i = 0, j = l->len, k;

	if (l->len > RELAY_MARKER_MAX)
		return false;
	while (i < l->len && relay_is_rule_char(l->s[i]))
		i++;
	while (j > i && relay_is_rule_char(l->s[j - 1]))
		j--;
	if (i < 3 || l->len - j < 3)
		return false;
	while (i < j && l->s[i] == ' ')
		i++;
	if (!text_has_prefix(l->s + i, j - i, word))
		return false;
	k = i + strlen(word);
	while (k < j && l->s[k] == ' ')
		k++;
	return text_has_prefix(l->s + k, j - k, "message");
}

/* The relay's closing text: "To respond to this customer", ... */
static bool
relay_is_closer(const struct textline *l)
{
	if (relay_in_list(l, relay_closers))
		return true;
	return text_has_prefix(l->s, l->len, "for your information:") &&
	    (text_contains(l->s, l->len, "arbitrate") ||
	    text_contains(l->s, l->len, "retain all messages"));
}

/* "Order ID: 123-1234567-1234567" (an Amazon order number) */
static bool
relay_is_order_id(const struct textline *l)
{
	static const char shape[] = "ddd-ddddddd-ddddddd";
	size_t sl = sizeof(shape) - 1;

	if (!text_has_prefix(l->s, l->len, "order"))
		return false;
	for (size_t i = 0; i + sl <= l->len; i++) {
		size_t k = 0;

		while (k < sl && (shape[k] == 'd' ?
		    g_ascii_isdigit(l->s[i + k]) : l->s[i + k] == '-'))
			k++;
		if (k == sl)
			return true;
	}
	return false;
}

/*
 * Where the buyer's text starts after a heading block at the top
 * ("Message from customer ...", "Order ID: ...", "Item: ..."), or 0
 * when there is no such block.  The block must hold a "Message from
 * customer" line, or an order number line when the relay's closing
 * text was seen (closed): a customer may start with an order number.
 */
static size_t
relay_skip_heading(const char *text, size_t n, bool closed)
{
	struct textline l;
	size_t off = 0;
	bool relay = false;

	for (int i = 0; i < RELAY_HEAD_LINES && off < n; i++) {
		textline_get(text, n, off, &l);
		if (l.len > 0 && !relay_in_list(&l, relay_heads))
			break;
		if (text_has_prefix(l.s, l.len, "message from") ||
		    (closed && relay_is_order_id(&l)))
			relay = true;
		off = l.next;
	}
	return relay ? off : 0;
}

/* Keeps text[from..to) only. */
static void
relay_keep(GString *t, size_t from, size_t to)
{
	memmove(t->str, t->str + from, to - from);
	g_string_truncate(t, to - from);
}

bool
relay_unwrap(GString *t)
{
	const char *text = t->str;
	size_t n = t->len, off = 0, begin = 0, closer = 0, head;
	bool in_block = false, have_closer = false;
	struct textline l;

	while (off < n) {
		textline_get(text, n, off, &l);
		if (in_block && relay_is_marker(&l, "end")) {
			relay_keep(t, begin, l.off);
			return true;
		}
		if (!in_block && relay_is_marker(&l, "begin")) {
			in_block = true;
			begin = l.next;
		} else if (relay_is_closer(&l)) {
			if (in_block) {
				relay_keep(t, begin, l.off);
				return true;
			}
			if (!have_closer) {
				have_closer = true;
				closer = l.off;
			}
		}
		off = l.next;
	}
	if (in_block) {
		relay_keep(t, begin, n);
		return true;
	}
	if (!have_closer)
		closer = n;
	head = relay_skip_heading(text, closer, have_closer);
	if (head == 0 && !have_closer)
		return false;
	relay_keep(t, head, closer);
	return true;
}
