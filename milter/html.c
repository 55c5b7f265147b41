/*
 * html.c - the visible text of an HTML mail part, without quoted mail.
 *
 * Exports html_to_text() and html_to_text_max() (see extract.h).  The
 * document is parsed by libxml2's forgiving HTML parser (no network, no
 * error output) and its tree is walked iteratively in document order,
 * so nesting costs no stack.  Text is appended with HTML white-space
 * rules (runs collapse to one space, <pre> kept as is); <br> and block
 * elements become line breaks, table cells are separated by spaces.
 *
 * Dropped: <head>, <title>, <style>, <script>, <template>, comments;
 * quoted earlier mail: <blockquote> (Apple Mail's type="cite" too),
 * Gmail's div.gmail_quote (and a div.gmail_extra holding a quote),
 * Yahoo's div.yahoo_quoted, ProtonMail's div.protonmail_quote, each
 * leaving a line ">" in its place so that quote_strip() can tell an
 * attribution followed by a quote from one followed by the writer's own
 * bottom-posted words; Thunderbird's div.moz-cite-prefix and Gmail's
 * gmail_attr (attributions) and signatures in div.gmail_signature.
 * Outlook puts the earlier mail after its own markers rather than inside
 * one element, so at id="divRplyFwdMsg", id="appendonsend",
 * class="OutlookMessageHeader", id="mail-editor-reference-message-
 * container", at an <hr> followed by a "From:" line, and at a
 * border-top box starting with "From:" (or its translations) the walk
 * stops: everything after, in document order, goes.  Outlook on the web
 * prefixes the ids and classes of mail it quotes with "x_"; those match
 * too.
 *
 * The input should be UTF-8 (the caller converts charsets); invalid
 * bytes are replaced first.  Output is bounded by max bytes.
 */
#include "extract.h"

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <stdbool.h>
#include <string.h>

#define HTML_TEXT_MAX	((size_t)64 << 20) /* html_to_text() output cap */
#define HTML_PEEK_NODES	32	/* nodes searched for a "From:" line */
#define HTML_MAX_INPUT	((size_t)0x7fffffff) /* htmlReadMemory() takes int */
#define HTML_SEARCH_MAX	200000	/* nodes searched for nested quotes */

enum html_act { HTML_DESCEND, HTML_SKIP, HTML_STOP };

struct html_ctx {
	GString *out;
	size_t base;		/* out->len on entry */
	size_t max;		/* bytes we may append */
	unsigned pre;		/* depth of <pre> elements */
	unsigned search;	/* budget left for html_has_quote() */
	bool space;		/* white space pending */
	bool full;		/* max reached */
};

/* Elements dropped with their content. */
static const char *const html_drop_tags[] = {
	"head", "title", "style", "script", "template", "xml", "iframe",
	"object", "svg", "math", NULL
};

/* Elements that start and end a line. */
static const char *const html_block_tags[] = {
	"p", "div", "li", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6",
	"ul", "ol", "dl", "dt", "dd", "pre", "address", "article", "aside",
	"section", "header", "footer", "nav", "main", "center", "form",
	"fieldset", "figure", "figcaption", "caption", "hr", "body", "html",
	"thead", "tbody", "tfoot", "legend", "details", "summary", NULL
};

/* Classes of elements holding quoted mail: dropped, leaving ">". */
static const char *const html_quote_classes[] = {
	"gmail_quote", "yahoo_quoted", "protonmail_quote", NULL
};

/* Classes of attributions and signatures: dropped. */
static const char *const html_drop_classes[] = {
	"gmail_attr", "gmail_signature", "moz-cite-prefix", NULL
};

/* Ids and classes where Outlook's copy of the earlier mail begins. */
static const char *const html_outlook_ids[] = {
	"divRplyFwdMsg", "appendonsend", "mail-editor-reference-message-"
	"container", NULL
};
static const char *const html_outlook_classes[] = {
	"OutlookMessageHeader", NULL
};

/* Classes of elements dropped only if they hold a quote. */
static const char *const html_extra_classes[] = { "gmail_extra", NULL };

/* Words that open an Outlook header block ("From:" and translations). */
static const char *const html_from_words[] = {
	"from", "von", "de", "van", "da", "od", "fr\xc3\xa5n", NULL
};

/* U+00A0 (&nbsp;) at s? */
static bool
html_is_nbsp(const char *s)
{
	return (unsigned char)s[0] == 0xc2 && (unsigned char)s[1] == 0xa0;
}

static bool
html_in_list(const char *name, const char *const *list)
{
	for (size_t i = 0; list[i] != NULL; i++)
		if (g_ascii_strcasecmp(name, list[i]) == 0)
			return true;
	return false;
}

/* Borrowed value of attribute name of element n, or NULL. */
static const char *
html_attr(const xmlNode *n, const char *name)
{
	for (const xmlAttr *a = n->properties; a != NULL; a = a->next) {
		if (a->name == NULL ||
		    g_ascii_strcasecmp((const char *)a->name, name) != 0)
			continue;
		if (a->children != NULL && a->children->type == XML_TEXT_NODE &&
		    a->children->content != NULL)
			return (const char *)a->children->content;
		return "";
	}
	return NULL;
}

/*
 * Is s[0..len) the name word (any case), maybe behind the "x_" prefixes
 * Outlook on the web adds to the names in mail it quotes?
 */
static bool
html_is_name(const char *s, size_t len, const char *word)
{
	size_t wl = strlen(word);

	while (len > wl && len >= 2 && (s[0] == 'x' || s[0] == 'X') &&
	    s[1] == '_') {
		s += 2;
		len -= 2;
	}
	return len == wl && g_ascii_strncasecmp(s, word, wl) == 0;
}

/* Does the white-space separated list s contain word (any case)? */
static bool
html_has_token(const char *s, const char *word)
{
	while (s != NULL && *s != '\0') {
		size_t tl;

		while (g_ascii_isspace(*s))
			s++;
		tl = 0;
		while (s[tl] != '\0' && !g_ascii_isspace(s[tl]))
			tl++;
		if (tl > 0 && html_is_name(s, tl, word))
			return true;
		s += tl;
	}
	return false;
}

/* Is the id of element n one of ids? */
static bool
html_has_id(const xmlNode *n, const char *const *ids)
{
	const char *id = html_attr(n, "id");

	if (id == NULL)
		return false;
	for (size_t i = 0; ids[i] != NULL; i++)
		if (html_is_name(id, strlen(id), ids[i]))
			return true;
	return false;
}

static bool
html_has_class(const xmlNode *n, const char *const *classes)
{
	const char *cls = html_attr(n, "class");

	if (cls == NULL)
		return false;
	for (size_t i = 0; classes[i] != NULL; i++)
		if (html_has_token(cls, classes[i]))
			return true;
	return false;
}

/* The node after n in document order (into children if down), or NULL. */
static const xmlNode *
html_doc_next(const xmlNode *n, bool down)
{
	if (down && n->children != NULL)
		return n->children;
	while (n != NULL) {
		if (n->next != NULL)
			return n->next;
		n = n->parent;
		if (n != NULL && n->type != XML_ELEMENT_NODE)
			return NULL;
	}
	return NULL;
}

/*
 * Does the first non-blank text from n on (document order, a few nodes
 * at most) start like an Outlook header, "From:"?
 */
static bool
html_peek_from(const xmlNode *n)
{
	for (int i = 0; n != NULL && i < HTML_PEEK_NODES; i++) {
		const char *s;

		if (n->type == XML_TEXT_NODE && n->content != NULL) {
			s = (const char *)n->content;
			while (g_ascii_isspace(*s) || html_is_nbsp(s))
				s += g_ascii_isspace(*s) ? 1 : 2;
			if (*s == '\0') {
				n = html_doc_next(n, true);
				continue;
			}
			for (size_t k = 0; html_from_words[k] != NULL; k++) {
				size_t wl = strlen(html_from_words[k]);
				const char *p = s + wl;

				if (g_ascii_strncasecmp(s, html_from_words[k],
				    wl) != 0)
					continue;
				while (*p == ' ' || html_is_nbsp(p))
					p += *p == ' ' ? 1 : 2;
				if (*p == ':')
					return true;
			}
			return false;
		}
		n = html_doc_next(n, true);
	}
	return false;
}

/* Does the subtree under n hold a blockquote or a Gmail quote? */
static bool
html_has_quote(struct html_ctx *c, const xmlNode *top)
{
	const xmlNode *n = top->children;

	while (n != NULL) {
		if (c->search == 0)
			return true;	/* too big to tell: assume quoted */
		c->search--;
		if (n->type == XML_ELEMENT_NODE &&
		    (g_ascii_strcasecmp((const char *)n->name,
		    "blockquote") == 0 ||
		    html_has_class(n, html_quote_classes)))
			return true;
		if (n->children != NULL) {
			n = n->children;
			continue;
		}
		while (n != top && n->next == NULL)
			n = n->parent;
		n = n == top ? NULL : n->next;
	}
	return false;
}

/* Appends s[0..len), within the output bound. */
static void
html_put(struct html_ctx *c, const char *s, size_t len)
{
	size_t used = c->out->len - c->base;

	if (c->full)
		return;
	if (len > c->max - used) {
		len = c->max - used;
		while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
			len--;
		c->full = true;
	}
	g_string_append_len(c->out, s, (gssize)len);
}

static char
html_last(const struct html_ctx *c)
{
	return c->out->len > c->base ? c->out->str[c->out->len - 1] : '\n';
}

/* Ends the current line unless at the start of one. */
static void
html_break(struct html_ctx *c, bool force)
{
	while (c->out->len > c->base && c->out->str[c->out->len - 1] == ' ')
		g_string_truncate(c->out, c->out->len - 1);
	c->space = false;
	if (force || html_last(c) != '\n')
		html_put(c, "\n", 1);
}

/* Appends a text node: white space collapsed unless inside <pre>. */
static void
html_text(struct html_ctx *c, const char *s)
{
	if (c->pre > 0) {
		html_put(c, s, strlen(s));
		return;
	}
	while (*s != '\0' && !c->full) {
		size_t run = 0;

		if (g_ascii_isspace(*s)) {
			c->space = true;
			s++;
			continue;
		}
		if (html_is_nbsp(s)) {
			c->space = true;
			s += 2;
			continue;
		}
		while (s[run] != '\0' && !g_ascii_isspace(s[run]) &&
		    !html_is_nbsp(s + run))
			run++;
		if (c->space && html_last(c) != '\n' && html_last(c) != ' ')
			html_put(c, " ", 1);
		c->space = false;
		html_put(c, s, run);
		s += run;
	}
}

/* Is element n where Outlook's copy of the earlier mail begins? */
static bool
html_is_outlook_start(const xmlNode *n, const char *name)
{
	const char *style;

	if (html_has_id(n, html_outlook_ids) ||
	    html_has_class(n, html_outlook_classes))
		return true;
	if (g_ascii_strcasecmp(name, "hr") == 0)
		return html_peek_from(html_doc_next(n, false));
	if (g_ascii_strcasecmp(name, "div") != 0 &&
	    g_ascii_strcasecmp(name, "p") != 0)
		return false;
	style = html_attr(n, "style");
	if (style == NULL || strstr(style, "border-top") == NULL)
		return false;
	return html_peek_from(html_doc_next(n, true));
}

/*
 * A quote was dropped here: a line ">" stands for it (once, however
 * many quotes follow each other).
 */
static enum html_act
html_quote_mark(struct html_ctx *c)
{
	size_t len = c->out->len - c->base;

	html_break(c, false);
	if (!(len >= 2 && strcmp(c->out->str + c->out->len - 2, ">\n") == 0 &&
	    (len == 2 || c->out->str[c->out->len - 3] == '\n')))
		html_put(c, ">\n", 2);
	return HTML_SKIP;
}

/* What to do on entering element n. */
static enum html_act
html_enter_element(struct html_ctx *c, const xmlNode *n)
{
	const char *name = (const char *)n->name;

	if (name == NULL)
		return HTML_SKIP;
	if (g_ascii_strcasecmp(name, "blockquote") == 0)
		return html_quote_mark(c);
	if (html_in_list(name, html_drop_tags))
		return HTML_SKIP;
	if (html_is_outlook_start(n, name))
		return HTML_STOP;
	if (html_has_class(n, html_quote_classes))
		return html_quote_mark(c);
	if (html_has_class(n, html_drop_classes))
		return HTML_SKIP;
	if (html_has_class(n, html_extra_classes) && html_has_quote(c, n))
		return html_quote_mark(c);
	if (g_ascii_strcasecmp(name, "br") == 0) {
		html_break(c, true);
		return HTML_DESCEND;
	}
	if (g_ascii_strcasecmp(name, "td") == 0 ||
	    g_ascii_strcasecmp(name, "th") == 0) {
		c->space = true;
		return HTML_DESCEND;
	}
	if (g_ascii_strcasecmp(name, "pre") == 0)
		c->pre++;
	if (html_in_list(name, html_block_tags))
		html_break(c, false);
	return HTML_DESCEND;
}

static enum html_act
html_enter(struct html_ctx *c, const xmlNode *n)
{
	switch (n->type) {
	case XML_TEXT_NODE:
	case XML_CDATA_SECTION_NODE:
		if (n->content != NULL)
			html_text(c, (const char *)n->content);
		return HTML_DESCEND;
	case XML_ELEMENT_NODE:
		return html_enter_element(c, n);
	default:
		return HTML_SKIP;
	}
}

/* Leaving an element that was entered (not skipped). */
static void
html_leave(struct html_ctx *c, const xmlNode *n)
{
	const char *name = (const char *)n->name;

	if (n->type != XML_ELEMENT_NODE || name == NULL)
		return;
	if (g_ascii_strcasecmp(name, "pre") == 0 && c->pre > 0)
		c->pre--;
	if (html_in_list(name, html_block_tags))
		html_break(c, false);
}

/* Walks the tree from the document's first child, without recursion. */
static void
html_walk(struct html_ctx *c, xmlDoc *doc)
{
	const xmlNode *n = doc->children;

	while (n != NULL && !c->full) {
		enum html_act act = html_enter(c, n);

		if (act == HTML_STOP)
			return;
		if (act == HTML_DESCEND && n->children != NULL) {
			n = n->children;
			continue;
		}
		if (act == HTML_DESCEND)
			html_leave(c, n);
		while (n != NULL && n->next == NULL) {
			n = n->parent;
			if (n == NULL || n->type != XML_ELEMENT_NODE)
				return;
			html_leave(c, n);
		}
		if (n != NULL)
			n = n->next;
	}
}

bool
html_to_text_max(const char *html, size_t len, size_t max, GString *out)
{
	struct html_ctx c = { .out = out, .base = out->len, .max = max,
	    .search = HTML_SEARCH_MAX };
	char *valid = NULL;
	htmlDocPtr doc = NULL;
	int opts = HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
	    HTML_PARSE_NOWARNING | HTML_PARSE_NONET | HTML_PARSE_IGNORE_ENC;

	if (len == 0 || max == 0)
		goto cleanup;
	if (len > HTML_MAX_INPUT) {
		len = HTML_MAX_INPUT;
		c.full = true;
	}
	if (!g_utf8_validate_len(html, len, NULL)) {
		valid = g_utf8_make_valid(html, (gssize)len);
		html = valid;
		len = strlen(valid);
		if (len > HTML_MAX_INPUT)
			len = HTML_MAX_INPUT;
	}
	doc = htmlReadMemory(html, (int)len, NULL, "UTF-8", opts);
	if (doc == NULL)
		goto cleanup;
	html_walk(&c, doc);
	while (out->len > c.base && g_ascii_isspace(out->str[out->len - 1]))
		g_string_truncate(out, out->len - 1);
cleanup:
	if (doc != NULL)
		xmlFreeDoc(doc);
	g_free(valid);
	return c.full;
}

void
html_to_text(const char *html, size_t len, GString *out)
{
	(void)html_to_text_max(html, len, HTML_TEXT_MAX, out);
}
