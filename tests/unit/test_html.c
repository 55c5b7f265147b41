/*
 * test_html.c - html_to_text(): visible text, line breaks, entities,
 * and quoted mail (Gmail, Apple, Thunderbird, Outlook) left out.
 */
#include <glib.h>
#include <libxml/parser.h>
#include <stdio.h>
#include <string.h>

#include "extract.h"
#include "harness.h"

struct html_case {
	const char *name;
	const char *in;
	const char *want;
};

static const struct html_case html_cases[] = {
	{ "plain words", "<p>Hello world</p>", "Hello world" },
	{ "empty", "", "" },
	{ "not HTML at all", "just text", "just text" },
	{ "entities", "<p>Tom &amp; Jerry &lt;3 &quot;hi&quot; &#x27;x&#39; "
	    "&eacute;t&eacute; &euro;5</p>",
	    "Tom & Jerry <3 \"hi\" 'x' \xc3\xa9t\xc3\xa9 \xe2\x82\xac" "5" },
	{ "nbsp collapses like a space", "<p>a&nbsp;&nbsp; b</p>", "a b" },
	{ "br and paragraphs",
	    "<div>one<br>two<br/>three</div><p>four</p><p>five</p>",
	    "one\ntwo\nthree\nfour\nfive" },
	{ "double br keeps a blank line", "a<br><br>b", "a\n\nb" },
	{ "white space collapses",
	    "<p>  lots\n\tof \r\n  space  </p>", "lots of space" },
	{ "inline elements join", "<p>a<b>b</b><i> c</i> <span>d</span></p>",
	    "ab c d" },
	{ "headings and lists",
	    "<h1>Title</h1><ul><li>one</li><li>two</li></ul>",
	    "Title\none\ntwo" },
	{ "table rows and cells",
	    "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>",
	    "a b\nc" },
	{ "pre keeps white space", "<pre>a  b\n  c</pre>", "a  b\n  c" },
	{ "head, title, style, script dropped",
	    "<html><head><title>T</title><style>p{color:red}</style>"
	    "<script>alert(1)</script></head><body><p>body</p>"
	    "<script>var x;</script></body></html>",
	    "body" },
	{ "comments dropped", "<p>a<!-- secret -->b</p>", "ab" },
	{ "blockquote dropped (Apple, Thunderbird)",
	    "<div>My answer</div><blockquote type=\"cite\">please call "
	    "us</blockquote>",
	    "My answer\n>" },
	{ "Gmail quote dropped",
	    "<div dir=\"ltr\">Refund now</div><br><div class=\"gmail_quote\">"
	    "<div dir=\"ltr\" class=\"gmail_attr\">On Mon, Jun 3, 2024 at "
	    "10:00 AM Shop &lt;s@shop.example&gt; wrote:<br></div>"
	    "<blockquote class=\"gmail_quote\">open a PayPal dispute"
	    "</blockquote></div>",
	    "Refund now\n\n>" },
	{ "Gmail quote, several classes",
	    "<p>x</p><div class=\"foo gmail_quote gmail_quote_container\">"
	    "On wrote: manager</div>",
	    "x\n>" },
	{ "gmail_extra with quote dropped",
	    "<div>mine</div><div class=\"gmail_extra\"><br><div>On Mon "
	    "wrote:</div><blockquote>review</blockquote></div>",
	    "mine\n>" },
	{ "gmail_extra without quote kept",
	    "<div>mine</div><div class=\"gmail_extra\">more of mine</div>",
	    "mine\nmore of mine" },
	{ "Thunderbird cite prefix dropped, bottom post kept",
	    "<div class=\"moz-cite-prefix\">On 3/6/24 10:00, Shop wrote:<br>"
	    "</div><blockquote type=\"cite\">lawyer</blockquote>"
	    "<p>my reply below</p>",
	    ">\nmy reply below" },
	{ "Outlook divRplyFwdMsg and all after",
	    "<div>Top text</div><hr style=\"display:inline-block\">"
	    "<div id=\"divRplyFwdMsg\"><b>From:</b> Shop<br><b>Sent:</b> "
	    "Mon</div><div>please call us</div>",
	    "Top text" },
	{ "Outlook appendonsend and all after",
	    "<div><p>Top</p><div id=\"appendonsend\"></div><p>old</p></div>"
	    "<p>older</p>",
	    "Top" },
	{ "hr then From: block",
	    "<p>Mine</p><hr><p><b>From:</b> Shop<br><b>Sent:</b> x</p>"
	    "<p>chargeback</p>",
	    "Mine" },
	{ "hr without From: is a break",
	    "<p>a</p><hr><p>b</p>", "a\nb" },
	{ "Outlook desktop border-top box",
	    "<p>Mine</p><div style=\"border:none;border-top:solid #E1E1E1 "
	    "1.0pt\"><p><b>From:</b> Shop</p></div><p>manager</p>",
	    "Mine" },
	{ "border-top box without From: kept",
	    "<div style=\"border-top:1px solid\">boxed</div>", "boxed" },
	{ "Gmail signature dropped",
	    "<div>Hi</div><div class=\"gmail_signature\">John, call me</div>",
	    "Hi" },
	{ "broken markup",
	    "<p>one<div>two<b>three</p></i>four<td>five",
	    "one\ntwothreefour five" },
	{ "unclosed comment", "<p>a</p><!-- b", "a" },
	{ "invalid UTF-8 replaced", "<p>caf\xe9</p>", "caf\xef\xbf\xbd" },
	{ "meta charset ignored, input is UTF-8",
	    "<meta charset=\"iso-8859-1\"><p>\xc3\xa9t\xc3\xa9</p>",
	    "\xc3\xa9t\xc3\xa9" },
	{ "uppercase tags", "<P>A<BR>B</P><BLOCKQUOTE>Q</BLOCKQUOTE>",
	    "A\nB\n>" },
	{ "quotes in a row leave one mark",
	    "<p>a</p><blockquote>q1</blockquote><blockquote>q2</blockquote>"
	    "<div class=\"gmail_quote\">q3</div><p>b</p>",
	    "a\n>\nb" },
	{ "Apple Mail: attribution, cite, then the writer's answer",
	    "<div>On Jun 3, 2024, at 10:00, Shop &lt;s@shop.example&gt; "
	    "wrote:</div><blockquote type=\"cite\"><div>Did it arrive?"
	    "</div></blockquote><div>No, it never came.</div>",
	    "On Jun 3, 2024, at 10:00, Shop <s@shop.example> wrote:\n>\n"
	    "No, it never came." },
	{ "Yahoo quote container",
	    "<div>Where is my parcel?</div><div id=\"yahoo_quoted_123\" "
	    "class=\"yahoo_quoted\"><div>On Monday, Shop wrote:</div>"
	    "<div>leave us a review</div></div>",
	    "Where is my parcel?\n>" },
	{ "ProtonMail quote container",
	    "<div>ok</div><div class=\"protonmail_quote\">call us</div>",
	    "ok\n>" },
	{ "Outlook 2003 OutlookMessageHeader and all after",
	    "<div>New words</div><div class=\"OutlookMessageHeader\" "
	    "lang=\"en-us\" dir=\"ltr\" align=\"left\"><hr tabindex=\"-1\">"
	    "<font><b>From:</b> Shop<br><b>Sent:</b> Monday</font></div>"
	    "<div>ask for a manager</div>",
	    "New words" },
	{ "Outlook on the web x_ prefixed divRplyFwdMsg",
	    "<div>Mine</div><div id=\"x_divRplyFwdMsg\"><b>From:</b> x</div>"
	    "<div>PayPal dispute</div>",
	    "Mine" },
	{ "Outlook on the web x_ prefixed gmail quote",
	    "<div>Mine</div><div class=\"x_gmail_quote\">lawyer</div>",
	    "Mine\n>" },
	{ "x_ alone is not a name",
	    "<div id=\"x_\">kept</div>", "kept" },
	{ "Outlook for Mac reference message container",
	    "<div>Top</div><div id=\"mail-editor-reference-message-container"
	    "\"><div><b>From: </b>Shop</div><div>call us</div></div>",
	    "Top" },
	{ "Outlook desktop border-top box, French, no-break space",
	    "<p>Merci</p><div style=\"border:none;border-top:solid #E1E1E1 "
	    "1.0pt;padding:3.0pt 0cm 0cm 0cm\"><p><b>De&nbsp;:</b> Boutique"
	    "<br><b>Envoy\xc3\xa9&nbsp;:</b> lundi</p></div><p>avocat</p>",
	    "Merci" },
	{ "Outlook desktop border-top box, German",
	    "<p>Danke</p><div style=\"border-top:solid #B5C4DF 1.0pt\">"
	    "<p><b>Von:</b> Shop<br><b>Gesendet:</b> Montag</p></div>"
	    "<p>Anwalt</p>",
	    "Danke" },
	{ "Outlook desktop border-top box, Polish",
	    "<p>Dzi\xc4\x99kuj\xc4\x99</p><div style=\"border-top:solid "
	    "#E1E1E1 1.0pt\"><p><b>Od:</b> Sklep</p></div><p>prawnik</p>",
	    "Dzi\xc4\x99kuj\xc4\x99" },
	{ "Thunderbird forward keeps the note above",
	    "<p>See below, still no refund.</p><div class=\"moz-forward-"
	    "container\">-------- Forwarded Message --------<br>Subject: x"
	    "<br>dispute</div>",
	    "See below, still no refund.\n-------- Forwarded Message --------"
	    "\nSubject: x\ndispute" },
};

static void
test_html_table(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(html_cases); i++) {
		const struct html_case *c = &html_cases[i];
		GString *out = g_string_new("");

		html_to_text(c->in, strlen(c->in), out);
		CHECK_STR(out->str, c->want, c->name);
		g_string_free(out, TRUE);
	}
}

/* Appends to what is already there; the cap counts only new bytes. */
static void
test_html_append_and_cap(void)
{
	GString *out = g_string_new("pre:");
	bool cut;

	html_to_text("<p>abc</p>", 10, out);
	CHECK_STR(out->str, "pre:abc", "appends");
	g_string_assign(out, "x");
	/* "é" is two bytes: a cap of 2 must not split it. */
	cut = html_to_text_max("<p>a\xc3\xa9z</p>", 10, 2, out);
	CHECK(cut, "cap reported");
	CHECK_STR(out->str, "xa", "cut on a character boundary");
	g_string_truncate(out, 0);
	cut = html_to_text_max("<p>abc</p>", 10, 100, out);
	CHECK(!cut && strcmp(out->str, "abc") == 0, "no cut under the cap");
	g_string_free(out, TRUE);
}

/* Deep nesting and a huge flat document: no recursion, bounded. */
static void
test_html_large(void)
{
	GString *in = g_string_new("");
	GString *out = g_string_new("");

	for (int i = 0; i < 100000; i++)
		g_string_append(in, "<div><b>");
	g_string_append(in, "deep");
	html_to_text(in->str, in->len, out);
	CHECK(strstr(out->str, "deep") != NULL || out->len == 0,
	    "deep nesting survives");
	g_string_truncate(in, 0);
	g_string_truncate(out, 0);
	for (int i = 0; i < 100000; i++)
		g_string_append(in, "<p>word &amp; word</p>");
	CHECK(html_to_text_max(in->str, in->len, 1000, out),
	    "huge document cut");
	CHECK(out->len <= 1000, "cap honoured (%zu)", out->len);
	g_string_truncate(in, 0);
	g_string_truncate(out, 0);
	for (int i = 0; i < (1 << 20); i++)
		g_string_append_c(in, 'x');
	html_to_text(in->str, in->len, out);
	CHECK(out->len == (1u << 20), "1 MB word (%zu)", out->len);
	g_string_free(in, TRUE);
	g_string_free(out, TRUE);
}

int
main(void)
{
	xmlInitParser();
	test_html_table();
	test_html_append_and_cap();
	test_html_large();
	xmlCleanupParser();
	return harness_done("html");
}
