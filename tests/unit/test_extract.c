/*
 * test_extract.c - extract_message(): whole messages in, the customer's
 * new text out.  Synthetic messages cover encodings, charsets, MIME
 * structures, attachments, malformed input and limits.  In the
 * project's corpus tests/corpus/extract and, when it is present, in the
 * dev corpus ($CORPUS_DIR, else SRCDIR/../shared/corpus/dev), every
 * message must give text and no quoted agent reply may survive; in the
 * project's corpus no marker, relay wrapper or footer either.
 */
#include <gmime/gmime.h>
#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extract.h"
#include "harness.h"
#include "norm.h"

#define ABSENT_MAX 4

struct msg_case {
	const char *name;
	const char *raw;
	const char *subject;	/* expected subject, NULL: none */
	const char *text;	/* expected text, exactly */
	const char *absent[ABSENT_MAX]; /* must not appear anywhere */
};

#define HDR "From: Ann <ann@example.org>\r\nTo: support@shop.example\r\n"
#define MIME "MIME-Version: 1.0\r\n"

static const struct msg_case msg_cases[] = {
	{ "plain 7bit, top-posted reply",
	    HDR "Subject: Re: order 42\r\n\r\n"
	    "I want my money back.\r\n\r\n"
	    "On Mon, 3 Jun 2024 at 10:00, Support <support@shop.example> "
	    "wrote:\r\n> If you open a PayPal dispute we cannot help.\r\n",
	    "Re: order 42", "I want my money back.", { "PayPal" } },
	{ "no headers to speak of, LF line ends",
	    "Subject: x\n\nline one\nline two\n", "x",
	    "line one\nline two", { NULL } },
	{ "quoted-printable UTF-8 with soft breaks",
	    HDR "Subject: qp\r\n" MIME
	    "Content-Type: text/plain; charset=\"utf-8\"\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
	    "I won=E2=80=99t wait any lon=\r\nger, caf=C3=A9.=20\r\n",
	    "qp", "I won\xe2\x80\x99t wait any longer, caf\xc3\xa9.",
	    { "=E2", "=\r" } },
	{ "base64 UTF-8",
	    HDR "Subject: b64\r\n" MIME
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n"
	    /* Hello, I need help.\n\nOn 1 Jan 2024, S <s@x> wrote:\n> call */
	    "SGVsbG8sIEkgbmVlZCBoZWxwLgoKT24gMSBKYW4gMjAyNCwgUyA8c0B4PiB3cm90"
	    "ZToKPiBjYWxsCg==\r\n",
	    "b64", "Hello, I need help.", { "call" } },
	{ "ISO-8859-1 quoted-printable",
	    HDR "Subject: latin\r\n" MIME
	    "Content-Type: text/plain; charset=ISO-8859-1\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
	    "Caf=E9 cr=E8me, =E0 bient=F4t\r\n",
	    "latin", "Caf\xc3\xa9 cr\xc3\xa8me, \xc3\xa0 bient\xc3\xb4t",
	    { NULL } },
	{ "windows-1252 8bit: smart quotes and euro",
	    HDR "Subject: cp\r\n" MIME
	    "Content-Type: text/plain; charset=windows-1252\r\n"
	    "Content-Transfer-Encoding: 8bit\r\n\r\n"
	    "\x93Refund\x94 \x80" "50 \x96 now\r\n",
	    "cp", "\xe2\x80\x9cRefund\xe2\x80\x9d \xe2\x82\xac" "50 "
	    "\xe2\x80\x93 now", { NULL } },
	{ "ISO-8859-1 label with windows-1252 bytes",
	    HDR "Subject: mislabel\r\n" MIME
	    "Content-Type: text/plain; charset=iso-8859-1\r\n\r\n"
	    "it\x92s broken\r\n",
	    "mislabel", "it\xe2\x80\x99s broken", { NULL } },
	{ "ISO-8859-2 through iconv",
	    HDR "Subject: pl\r\n" MIME
	    "Content-Type: text/plain; charset=iso-8859-2\r\n\r\n"
	    "\xb3\xf3" "d\xbc\r\n",
	    "pl", "\xc5\x82\xc3\xb3" "d\xc5\xba", { NULL } },
	{ "UTF-7 (stateful) through iconv",
	    HDR "Subject: u7\r\n" MIME
	    "Content-Type: text/plain; charset=UTF-7\r\n\r\n"
	    "+AOk-t+AOk- ok\r\n",
	    "u7", "\xc3\xa9t\xc3\xa9 ok", { NULL } },
	{ "bogus charset falls back to windows-1252",
	    HDR "Subject: bogus\r\n" MIME
	    "Content-Type: text/plain; charset=x-no-such-charset\r\n\r\n"
	    "\xe9t\xe9\r\n",
	    "bogus", "\xc3\xa9t\xc3\xa9", { NULL } },
	{ "bogus charset, UTF-8 bytes kept",
	    HDR "Subject: bogus2\r\n" MIME
	    "Content-Type: text/plain; charset=\"\"\r\n\r\n"
	    "\xc3\xa9t\xc3\xa9\r\n",
	    "bogus2", "\xc3\xa9t\xc3\xa9", { NULL } },
	{ "undeclared charset, 8bit UTF-8",
	    HDR "Subject: raw\r\n\r\nna\xc3\xafve\r\n",
	    "raw", "na\xc3\xafve", { NULL } },
	{ "UTF-8 label with invalid bytes",
	    HDR "Subject: bad\r\n" MIME
	    "Content-Type: text/plain; charset=utf-8\r\n\r\n"
	    "ok\xff\xfe ok\r\n",
	    "bad", "ok\xef\xbf\xbd\xef\xbf\xbd ok", { NULL } },
	{ "RFC 2047 subject, mixed charsets",
	    HDR "Subject: =?utf-8?q?R=C3=A9clamation?= =?utf-8?b?4oCT?= "
	    "=?ISO-8859-1?Q?commande_=E0_rembourser?=\r\n\r\nbody\r\n",
	    "R\xc3\xa9" "clamation\xe2\x80\x93" "commande \xc3\xa0 rembourser",
	    "body", { NULL } },
	{ "RFC 2047 subject, broken encoded word kept as is",
	    HDR "Subject: =?utf-8?q?broken\r\n\r\nbody\r\n",
	    "=?utf-8?q?broken", "body", { NULL } },
	{ "no subject",
	    "From: a@b.c\r\n\r\nhello\r\n", NULL, "hello", { NULL } },
	{ "multipart/alternative prefers plain",
	    HDR "Subject: alt\r\n" MIME
	    "Content-Type: multipart/alternative; boundary=\"b1\"\r\n\r\n"
	    "--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
	    "Plain words\r\n"
	    "--b1\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
	    "<p>HTML words</p>\r\n--b1--\r\n",
	    "alt", "Plain words", { "HTML words" } },
	{ "multipart/alternative with blank plain uses HTML",
	    HDR "Subject: alt2\r\n" MIME
	    "Content-Type: multipart/alternative; boundary=\"b1\"\r\n\r\n"
	    "--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
	    " \r\n\r\n"
	    "--b1\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
	    "<p>HTML &amp; words</p>\r\n--b1--\r\n",
	    "alt2", "HTML & words", { NULL } },
	{ "multipart/alternative with related HTML",
	    HDR "Subject: alt3\r\n" MIME
	    "Content-Type: multipart/alternative; boundary=\"b1\"\r\n\r\n"
	    "--b1\r\nContent-Type: multipart/related; boundary=\"b2\"\r\n\r\n"
	    "--b2\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
	    "<p>Related <img src=\"cid:x\"> text</p>\r\n"
	    "--b2\r\nContent-Type: image/png\r\nContent-ID: <x>\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n"
	    "--b2--\r\n--b1--\r\n",
	    "alt3", "Related text", { "iVBOR" } },
	{ "HTML only, QP, Gmail quote, entities, style",
	    HDR "Subject: html\r\n" MIME
	    "Content-Type: text/html; charset=\"utf-8\"\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
	    "<html><head><style>p{color:red}</style></head><body>"
	    "<div>Don&#x27;t ignore me.<br>Second line=\r\n.</div>"
	    "<div class=3D\"gmail_quote\"><div class=3D\"gmail_attr\">On Mon, "
	    "Jun 3, 2024 Shop &lt;s@shop.example&gt; wrote:</div>"
	    "<blockquote class=3D\"gmail_quote\">Our manager says no."
	    "</blockquote></div></body></html>\r\n",
	    "html", "Don't ignore me.\nSecond line.",
	    { "manager", "color", "wrote" } },
	{ "HTML, Apple Mail attribution then blockquote",
	    HDR "Subject: apple\r\n" MIME
	    "Content-Type: text/html; charset=utf-8\r\n\r\n"
	    "<html><body><div>Not resolved yet.</div><div><br><blockquote "
	    "type=\"cite\"></blockquote></div><div>On Jun 3, 2024, at 10:00,"
	    " Shop &lt;s@shop.example&gt; wrote:<br></div><blockquote "
	    "type=\"cite\"><div>Ask for a supervisor any time.</div>"
	    "</blockquote></body></html>\r\n",
	    "apple", "Not resolved yet.", { "supervisor", "wrote" } },
	{ "HTML base64, Outlook From/Sent block as text",
	    HDR "Subject: outlook\r\n" MIME
	    "Content-Type: text/html; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n"
	    /* <p>Fix it.</p><p><b>From:</b> Shop<br><b>Sent:</b> Monday<br>
	       <b>Subject:</b> Re</p><p>call our support line</p> */
	    "PHA+Rml4IGl0LjwvcD48cD48Yj5Gcm9tOjwvYj4gU2hvcDxicj48Yj5TZW50Ojwv"
	    "Yj4gTW9uZGF5PGJyPjxiPlN1YmplY3Q6PC9iPiBSZTwvcD48cD5jYWxsIG91ciBz"
	    "dXBwb3J0IGxpbmU8L3A+\r\n",
	    "outlook", "Fix it.", { "support line", "Sent" } },
	{ "HTML without MIME charset, meta charset latin-1",
	    HDR "Subject: meta\r\n" MIME
	    "Content-Type: text/html\r\n\r\n"
	    "<html><head><meta http-equiv=\"Content-Type\" "
	    "content=\"text/html; charset=iso-8859-1\"></head>"
	    "<body>d\xe9j\xe0 vu</body></html>\r\n",
	    "meta", "d\xc3\xa9j\xc3\xa0 vu", { NULL } },
	{ "multipart/mixed: inline parts joined, attachments skipped",
	    HDR "Subject: mixed\r\n" MIME
	    "Content-Type: multipart/mixed; boundary=\"mix\"\r\n\r\n"
	    "preamble text\r\n"
	    "--mix\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
	    "First part.\r\n"
	    "--mix\r\nContent-Type: application/octet-stream\r\n"
	    "Content-Disposition: attachment; filename=\"r.pdf\"\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n"
	    /* "ATTACHMENT-SECRET please call me" */
	    "QVRUQUNITUVOVC1TRUNSRVQgcGxlYXNlIGNhbGwgbWU=\r\n"
	    "--mix\r\nContent-Type: text/plain\r\n"
	    "Content-Disposition: attachment; filename=\"log.txt\"\r\n\r\n"
	    "TEXT-ATTACHMENT-SECRET\r\n"
	    "--mix\r\nContent-Type: image/jpeg\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n"
	    "SU1BR0UtU0VDUkVU\r\n"
	    "--mix\r\nContent-Type: text/plain; charset=utf-8\r\n"
	    "Content-Disposition: inline\r\n\r\n"
	    "Second part.\r\n"
	    "--mix--\r\nepilogue text\r\n",
	    "mixed", "First part.\n\nSecond part.",
	    { "SECRET", "QVRU", "preamble", "epilogue" } },
	{ "message/rfc822 skipped",
	    HDR "Subject: fwd\r\n" MIME
	    "Content-Type: multipart/mixed; boundary=\"m\"\r\n\r\n"
	    "--m\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n"
	    "--m\r\nContent-Type: message/rfc822\r\n\r\n"
	    "Subject: old\r\n\r\nFORWARDED-SECRET lawyer\r\n"
	    "--m--\r\n",
	    "fwd", "See attached.", { "SECRET" } },
	{ "other text subtypes skipped",
	    HDR "Subject: cal\r\n" MIME
	    "Content-Type: multipart/mixed; boundary=\"m\"\r\n\r\n"
	    "--m\r\nContent-Type: text/calendar\r\n\r\nCAL-SECRET\r\n"
	    "--m\r\nContent-Type: text/plain\r\n\r\nok\r\n--m--\r\n",
	    "cal", "ok", { "SECRET" } },
	{ "multipart/signed: the signed text",
	    HDR "Subject: sig\r\n" MIME
	    "Content-Type: multipart/signed; protocol=\"application/"
	    "pgp-signature\"; micalg=pgp-sha256; boundary=\"s\"\r\n\r\n"
	    "--s\r\nContent-Type: text/plain\r\n\r\nsigned words\r\n"
	    "--s\r\nContent-Type: application/pgp-signature\r\n\r\n"
	    "-----BEGIN PGP SIGNATURE-----\r\nSIG-SECRET\r\n"
	    "-----END PGP SIGNATURE-----\r\n--s--\r\n",
	    "sig", "signed words", { "SECRET" } },
	{ "missing end boundary",
	    HDR "Subject: trunc\r\n" MIME
	    "Content-Type: multipart/mixed; boundary=\"x\"\r\n\r\n"
	    "--x\r\nContent-Type: text/plain\r\n\r\nstill here\r\n",
	    "trunc", "still here", { NULL } },
	{ "multipart without boundary parameter",
	    HDR "Subject: nob\r\n" MIME
	    "Content-Type: multipart/mixed\r\n\r\nbody of it\r\n",
	    "nob", NULL, { NULL } },
	{ "garbage headers",
	    "this is not a header\r\n:::: \r\n\x01\x02\xff: \xfe\r\n"
	    "Subject: hi\r\n\r\nbody\r\n",
	    NULL, NULL, { NULL } },
	{ "empty body",
	    HDR "Subject: empty\r\n\r\n", "empty", "", { NULL } },
	{ "headers only, no blank line",
	    HDR "Subject: nobody", "nobody", "", { NULL } },
	{ "only a quote",
	    HDR "Subject: q\r\n\r\n> leave a review\r\n", "q", "", { NULL } },
	{ "Outlook Original Message in windows-1252 QP",
	    HDR "Subject: ol\r\n" MIME
	    "Content-Type: text/plain; charset=\"windows-1252\"\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
	    "Please remove it =96 now.\r\n\r\n-----Original Message-----\r\n"
	    "From: Jamie <j@x>\r\nSent: Wednesday\r\nTo: customer\r\n\r\n"
	    "If you open a PayPal dispute, wait.\r\n",
	    "ol", "Please remove it \xe2\x80\x93 now.", { "PayPal" } },
	{ "attribution wrapped by QP soft break and hard break",
	    HDR "Subject: wrap\r\n" MIME
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
	    "Ok.\r\n\r\nOn Thu, Jun 27, 2024 at 01:16 PM, Taylor "
	    "<c27d@marketpla=\r\n"
	    "ce.amazon.com> wrote:\r\n> Please call us.\r\n",
	    "wrap", "Ok.", { "call" } },
	{ "multipart/related: the root part only, images and extra text "
	    "ignored",
	    HDR "Subject: rel\r\n" MIME
	    "Content-Type: multipart/related; boundary=\"r\"; "
	    "type=\"text/html\"\r\n\r\n"
	    "--r\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
	    "<p>See the photo <img src=\"cid:p1\"></p>\r\n"
	    "--r\r\nContent-Type: image/jpeg\r\nContent-ID: <p1>\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n/9j/4AAQSkZJRg==\r\n"
	    "--r\r\nContent-Type: text/plain\r\nContent-ID: <t1>\r\n\r\n"
	    "RESOURCE-SECRET\r\n--r--\r\n",
	    "rel", "See the photo", { "SECRET", "/9j" } },
	{ "multipart/related with a start parameter",
	    HDR "Subject: start\r\n" MIME
	    "Content-Type: multipart/related; boundary=\"r\"; "
	    "start=\"<root@x>\"\r\n\r\n"
	    "--r\r\nContent-Type: image/png\r\nContent-ID: <img@x>\r\n"
	    "\r\nPNG\r\n"
	    "--r\r\nContent-Type: text/html\r\nContent-ID: <root@x>\r\n\r\n"
	    "<p>Root words</p>\r\n--r--\r\n",
	    "start", "Root words", { "PNG" } },
	{ "mixed > alternative > related, attachment and forwarded mail",
	    HDR "Subject: nest\r\n" MIME
	    "Content-Type: multipart/mixed; boundary=\"m\"\r\n\r\n"
	    "--m\r\nContent-Type: multipart/alternative; boundary=\"a\"\r\n"
	    "\r\n--a\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
	    " \r\n"
	    "--a\r\nContent-Type: multipart/related; boundary=\"r\"\r\n\r\n"
	    "--r\r\nContent-Type: text/html; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
	    "<div>Broken on arrival.<img src=3D\"cid:i\"></div><div id=3D"
	    "\"appendonsend\"></div><div>Leave us a review</div>\r\n"
	    "--r\r\nContent-Type: image/png\r\nContent-ID: <i>\r\n\r\nPNG\r\n"
	    "--r--\r\n--a--\r\n"
	    "--m\r\nContent-Type: message/rfc822\r\n"
	    "Content-Disposition: inline\r\n\r\n"
	    "Subject: old\r\n\r\nplease call us, manager\r\n"
	    "--m--\r\n",
	    "nest", "Broken on arrival.", { "review", "call", "PNG" } },
	{ "Amazon relay, text: only the buyer's words",
	    "From: Buyer <x@marketplace.amazon.com>\r\nTo: s@shop.example\r\n"
	    "Subject: Inquiry from Amazon customer\r\n\r\n"
	    "------------- Begin message -------------\r\n\r\n"
	    "The lid is cracked, can I get a new one?\r\n\r\n"
	    "------------- End message -------------\r\n\r\n"
	    "For Your Information: To help arbitrate disputes and preserve "
	    "trust and safety, we retain all messages buyers and sellers send "
	    "through Amazon.com for two years. Amazon uses filtering "
	    "technology to protect buyers and sellers from possible fraud."
	    "\r\nWas this email helpful?\r\n",
	    "Inquiry from Amazon customer",
	    "The lid is cracked, can I get a new one?",
	    { "disputes", "fraud", "helpful" } },
	{ "Amazon relay, HTML",
	    HDR "Subject: amz\r\n" MIME
	    "Content-Type: text/html; charset=utf-8\r\n\r\n"
	    "<html><body><table><tr><td>Order ID: 114-1234567-1234567</td></tr>"
	    "<tr><td>------------- Begin message -------------</td></tr>"
	    "<tr><td>Wrong size sent.</td></tr>"
	    "<tr><td>------------- End message -------------</td></tr>"
	    "<tr><td>We want you to buy with confidence anytime you purchase "
	    "products. Learn more about our safe buying guarantee.</td></tr>"
	    "</table></body></html>\r\n",
	    "amz", "Wrong size sent.", { "guarantee", "Order" } },
	{ "HTML Apple Mail bottom post: the answer below the quote kept",
	    HDR "Subject: bottom\r\n" MIME
	    "Content-Type: text/html; charset=utf-8\r\n\r\n"
	    "<html><body><div>On Jun 3, 2024, at 10:00, Shop &lt;s@shop.example"
	    "&gt; wrote:</div><blockquote type=\"cite\"><div>Did it arrive? "
	    "Please leave a review.</div></blockquote><div>No, it never came."
	    "</div><blockquote type=\"cite\">Anything else?</blockquote>"
	    "<div>Yes, I want a refund.</div></body></html>\r\n",
	    "bottom", "No, it never came.\nYes, I want a refund.",
	    { "review", "wrote", "else" } },
	{ "HTML Outlook reply: OutlookMessageHeader",
	    HDR "Subject: omh\r\n" MIME
	    "Content-Type: text/html; charset=utf-8\r\n\r\n"
	    "<html><body><div>Not fixed.</div><div class=OutlookMessageHeader>"
	    "<hr><b>From:</b> Shop<br><b>Sent:</b> Monday</div>"
	    "<div>open a PayPal dispute</div></body></html>\r\n",
	    "omh", "Not fixed.", { "PayPal" } },
	{ "plain reply with device line and legal notice",
	    HDR "Subject: foot\r\n\r\n"
	    "I will contact my lawyer.\r\n\r\nSent from my iPhone\r\n\r\n"
	    "This e-mail and any attachments are confidential. If you are not "
	    "the intended recipient, notify the sender.\r\n",
	    "foot", "I will contact my lawyer.",
	    { "iPhone", "confidential" } },
	{ "forwarded in the body: the note above kept",
	    HDR "Subject: Fwd: order\r\n\r\n"
	    "This is what I got from you.\r\n\r\n"
	    "---------- Forwarded message ---------\r\nFrom: Shop "
	    "<s@shop.example>\r\nDate: Mon, Jun 3, 2024\r\nSubject: order\r\n"
	    "\r\nCall us, or ask for a manager.\r\n",
	    "Fwd: order", "This is what I got from you.",
	    { "manager", "Call" } },
	{ "uuencoded text part",
	    HDR "Subject: uu\r\n" MIME
	    "Content-Type: text/plain\r\n"
	    "Content-Transfer-Encoding: x-uuencode\r\n\r\n"
	    "begin 644 a.txt\r\n#:&D*\r\n`\r\nend\r\n",
	    "uu", "hi", { NULL } },
};

static void
test_limits_default(struct limits *lim)
{
	memset(lim, 0, sizeof(*lim));
	lim->max_message_bytes = 4u << 20;
	lim->max_text_bytes = 256u << 10;
	lim->max_mime_depth = 16;
	lim->max_mime_parts = 100;
}

/* The text, subject and flags must always be a valid result. */
static void
check_valid(const char *name, const struct extracted *ex)
{
	CHECK(ex->text != NULL, "%s: text not NULL", name);
	if (ex->text == NULL)
		return;
	CHECK(g_utf8_validate(ex->text->str, (gssize)ex->text->len, NULL),
	    "%s: text is UTF-8", name);
	CHECK(ex->subject == NULL || g_utf8_validate(ex->subject, -1, NULL),
	    "%s: subject is UTF-8", name);
}

static void
test_messages(void)
{
	struct limits lim;
	struct extracted ex;

	test_limits_default(&lim);
	extract_init(&ex);
	CHECK(ex.text == NULL && ex.subject == NULL, "init allocates nothing");
	for (size_t i = 0; i < G_N_ELEMENTS(msg_cases); i++) {
		const struct msg_case *c = &msg_cases[i];

		extract_message(c->raw, strlen(c->raw), &lim, &ex);
		check_valid(c->name, &ex);
		if (c->subject != NULL || ex.subject != NULL)
			CHECK_STR(ex.subject, c->subject, c->name);
		if (c->text != NULL)
			CHECK_STR(ex.text->str, c->text, c->name);
		for (int k = 0; k < ABSENT_MAX && c->absent[k] != NULL; k++)
			CHECK(strstr(ex.text->str, c->absent[k]) == NULL,
			    "%s: \"%s\" must not appear in \"%s\"", c->name,
			    c->absent[k], ex.text->str);
		CHECK(!ex.truncated, "%s: not truncated", c->name);
	}
	extract_clear(&ex);
	extract_clear(&ex);	/* safe twice */
	CHECK(ex.text == NULL && ex.subject == NULL, "clear twice");
}

/* A NUL byte: the text is cut there or NUL replaced, never embedded. */
static void
test_nul(void)
{
	static const char raw[] = "Subject: n\r\n\r\nab\0cd\r\n";
	struct limits lim;
	struct extracted ex;

	test_limits_default(&lim);
	extract_init(&ex);
	extract_message(raw, sizeof(raw) - 1, &lim, &ex);
	CHECK(strlen(ex.text->str) == ex.text->len, "no NUL in text");
	CHECK(strstr(ex.text->str, "ab") != NULL, "text before NUL kept");
	extract_clear(&ex);
}

static void
test_empty_buffer(void)
{
	struct limits lim;
	struct extracted ex;

	test_limits_default(&lim);
	extract_init(&ex);
	extract_message("", 0, &lim, &ex);
	check_valid("empty buffer", &ex);
	CHECK(ex.text->len == 0, "empty buffer: no text");
	extract_message(NULL, 0, &lim, &ex);
	check_valid("NULL buffer", &ex);
	extract_clear(&ex);
}

/* Nested multiparts n deep around one text part. */
static GString *
make_nested(int n, const char *word)
{
	GString *s = g_string_new("Subject: deep\r\nMIME-Version: 1.0\r\n");

	for (int i = 0; i < n; i++)
		g_string_append_printf(s, "Content-Type: multipart/mixed; "
		    "boundary=\"b%d\"\r\n\r\n--b%d\r\n", i, i);
	g_string_append_printf(s, "Content-Type: text/plain\r\n\r\n%s\r\n",
	    word);
	for (int i = n - 1; i >= 0; i--)
		g_string_append_printf(s, "--b%d--\r\n", i);
	return s;
}

static void
test_depth(void)
{
	struct limits lim;
	struct extracted ex;
	GString *s;

	test_limits_default(&lim);
	extract_init(&ex);
	lim.max_mime_depth = 3;
	s = make_nested(3, "three");
	extract_message(s->str, s->len, &lim, &ex);
	CHECK_STR(ex.text->str, "three", "depth at the limit");
	CHECK(!ex.truncated, "depth at the limit: not truncated");
	g_string_free(s, TRUE);
	s = make_nested(4, "four");
	extract_message(s->str, s->len, &lim, &ex);
	CHECK_STR(ex.text->str, "", "depth over the limit");
	CHECK(ex.truncated, "depth over the limit: truncated");
	g_string_free(s, TRUE);
	lim.max_mime_depth = 100;
	s = make_nested(5000, "very deep");
	extract_message(s->str, s->len, &lim, &ex);
	check_valid("5000 deep", &ex);
	CHECK(ex.truncated || ex.parse_error || ex.text->len > 0,
	    "5000 deep: flagged");
	g_string_free(s, TRUE);
	extract_clear(&ex);
}

static void
test_parts(void)
{
	struct limits lim;
	struct extracted ex;
	GString *s = g_string_new("Subject: many\r\nMIME-Version: 1.0\r\n"
	    "Content-Type: multipart/mixed; boundary=\"p\"\r\n\r\n");

	for (int i = 0; i < 20; i++)
		g_string_append_printf(s, "--p\r\nContent-Type: text/plain"
		    "\r\n\r\npart%d\r\n", i);
	g_string_append(s, "--p--\r\n");
	test_limits_default(&lim);
	lim.max_mime_parts = 4;	/* the multipart and three leaves */
	extract_init(&ex);
	extract_message(s->str, s->len, &lim, &ex);
	CHECK_STR(ex.text->str, "part0\n\npart1\n\npart2", "part limit");
	CHECK(ex.truncated, "part limit: truncated");
	CHECK(ex.parts == 4, "part limit: %u parts counted", ex.parts);
	CHECK(ex.text_parts == 3, "part limit: %u text parts",
	    ex.text_parts);
	lim.max_mime_parts = 100;
	extract_message(s->str, s->len, &lim, &ex);
	CHECK(ex.parts == 21 && ex.text_parts == 20 && !ex.truncated,
	    "20 parts: %u/%u", ex.parts, ex.text_parts);
	g_string_free(s, TRUE);
	/* Thousands of tiny parts: GMime is not even shown most of them. */
	s = g_string_new("Subject: many\r\nContent-Type: multipart/mixed; "
	    "boundary=\"p\"\r\n\r\n");
	for (int i = 0; i < 50000; i++)
		g_string_append(s, "--p\r\nContent-Type: message/rfc822\r\n"
		    "\r\nSubject: z\r\n\r\nq\r\n");
	lim.max_mime_parts = 10;
	extract_message(s->str, s->len, &lim, &ex);
	CHECK(ex.parts == 10 && ex.truncated, "50000 parts: %u visited",
	    ex.parts);
	g_string_free(s, TRUE);
	extract_clear(&ex);
}

/* The text cap cuts on a character boundary and flags truncation. */
static void
test_text_cap(void)
{
	static const char raw[] = "Subject: cap\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n\r\n"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\r\n";
	struct limits lim;
	struct extracted ex;

	test_limits_default(&lim);
	lim.max_text_bytes = 5;
	extract_init(&ex);
	extract_message(raw, sizeof(raw) - 1, &lim, &ex);
	CHECK_STR(ex.text->str, "\xc3\xa9\xc3\xa9", "cut before a split");
	CHECK(ex.truncated, "text cap: truncated");
	extract_clear(&ex);
}

/* A 1 MB line in plain text and in HTML: bounded, no crash. */
static void
test_megabyte_line(void)
{
	struct limits lim;
	struct extracted ex;
	GString *s;

	test_limits_default(&lim);
	extract_init(&ex);
	for (int html = 0; html < 2; html++) {
		s = g_string_new("Subject: big\r\nContent-Type: text/");
		g_string_append(s, html ? "html\r\n\r\n<p>" : "plain\r\n\r\n");
		for (int i = 0; i < (1 << 20); i++)
			g_string_append_c(s, "abcdefgh"[i & 7]);
		extract_message(s->str, s->len, &lim, &ex);
		check_valid("1 MB line", &ex);
		CHECK(ex.text->len == lim.max_text_bytes,
		    "1 MB line: capped at %zu (%zu)", lim.max_text_bytes,
		    ex.text->len);
		CHECK(ex.truncated, "1 MB line: truncated");
		g_string_free(s, TRUE);
	}
	extract_clear(&ex);
}

/* Reusing one struct: earlier results are replaced, not leaked. */
static void
test_reuse(void)
{
	static const char a[] = "Subject: a\r\n\r\nfirst\r\n";
	static const char b[] = "\r\n\r\n";
	struct limits lim;
	struct extracted ex;

	test_limits_default(&lim);
	extract_init(&ex);
	extract_message(a, sizeof(a) - 1, &lim, &ex);
	extract_message(b, sizeof(b) - 1, &lim, &ex);
	CHECK(ex.subject == NULL, "reuse: subject reset");
	CHECK(ex.text->len == 0, "reuse: text reset");
	extract_clear(&ex);
	extract_message(a, sizeof(a) - 1, &lim, &ex);	/* after clear */
	CHECK_STR(ex.text->str, "first", "reuse after clear");
	extract_clear(&ex);
}

/* ---- the dev corpus ---- */

/* Text content of an HTML document, markup and all, or NULL. */
static char *
corpus_html_content(const char *html)
{
	htmlDocPtr doc = htmlReadMemory(html, (int)strlen(html), NULL, "UTF-8",
	    HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
	    HTML_PARSE_NONET);
	xmlChar *c;
	char *s;

	if (doc == NULL)
		return NULL;
	c = xmlNodeGetContent((xmlNodePtr)doc);
	s = g_strdup(c != NULL ? (const char *)c : "");
	xmlFree(c);
	xmlFreeDoc(doc);
	return s;
}

static void
corpus_collect(GMimeObject *parent, GMimeObject *part, gpointer data)
{
	GString *all = data;
	GMimeContentType *ct = g_mime_object_get_content_type(part);
	char *t, *h;

	(void)parent;
	if (!GMIME_IS_TEXT_PART(part) || g_mime_content_type_is_type(ct,
	    "text", "calendar"))
		return;
	t = g_mime_text_part_get_text(GMIME_TEXT_PART(part));
	if (t == NULL)
		return;
	if (g_mime_content_type_is_type(ct, "text", "html")) {
		h = corpus_html_content(t);
		g_string_append(all, h != NULL ? h : "");
		g_free(h);
	} else {
		g_string_append(all, t);
	}
	g_string_append(all, "\n");
	g_free(t);
}

/*
 * Everything of a message as text, quotes and all, decoded by GMime's
 * own routines (independently of extract.c).
 */
static char *
corpus_full_text(const char *buf, size_t len)
{
	GMimeStream *st = g_mime_stream_mem_new_with_buffer(buf, len);
	GMimeParser *p = g_mime_parser_new_with_stream(st);
	GMimeMessage *m = g_mime_parser_construct_message(p, NULL);
	GString *all = g_string_new("");

	if (m != NULL) {
		g_mime_message_foreach(m, corpus_collect, all);
		g_object_unref(m);
	}
	g_object_unref(p);
	g_object_unref(st);
	return g_string_free(all, FALSE);
}

/*
 * The quoted agent reply in the corpus: "Hi, <sentence>" and a
 * signature ending "Customer Care".  Returns the first words of the
 * sentence (a new string) or NULL when the message quotes none.
 */
static char *
corpus_agent_needle(const char *full)
{
	const char *care = strstr(full, "Customer Care");
	const char *hi = NULL, *p, *e;

	if (care == NULL)
		return NULL;
	for (p = full; (p = strstr(p, "Hi, ")) != NULL && p < care; p++)
		hi = p;
	if (hi == NULL)
		return NULL;
	hi += 4;
	for (e = hi; *e != '\0' && *e != '\n' && *e != '\r' && e - hi < 48;
	    e++)
		;
	return e - hi >= 12 ? g_strndup(hi, (gsize)(e - hi)) : NULL;
}

static bool
corpus_norm_contains(const char *hay, const char *needle)
{
	size_t hl, nl;
	char *h = norm_text(hay, strlen(hay), &hl);
	char *n = norm_text(needle, strlen(needle), &nl);
	bool found = nl > 0 && strstr(h, n) != NULL;

	g_free(h);
	g_free(n);
	return found;
}

/* "yes" for the files labels.tsv marks as traps. */
static GHashTable *
corpus_traps(const char *dir)
{
	GHashTable *traps = g_hash_table_new_full(g_str_hash, g_str_equal,
	    g_free, NULL);
	char *path = g_build_filename(dir, "labels.tsv", NULL);
	char *data = NULL;
	char **lines;
	int col = -1;

	if (!g_file_get_contents(path, &data, NULL, NULL))
		goto cleanup;
	lines = g_strsplit(data, "\n", -1);
	for (int i = 0; lines[i] != NULL; i++) {
		char **f = g_strsplit(lines[i], "\t", -1);
		int nf = (int)g_strv_length(f);

		for (int k = 0; i == 0 && k < nf; k++)
			if (strcmp(f[k], "trap") == 0)
				col = k;
		if (i > 0 && col >= 0 && col < nf &&
		    strcmp(f[col], "yes") == 0)
			g_hash_table_add(traps, g_strdup(f[0]));
		g_strfreev(f);
	}
	g_strfreev(lines);
cleanup:
	g_free(data);
	g_free(path);
	return traps;
}

struct corpus_stats {
	unsigned files, traps, agent_quotes;
	bool own;	/* the project's corpus: stricter debris check */
};

/* What only quoted, forwarded or relayed text holds. */
static const char *const corpus_debris[] = {
	"Customer Care", "wrote:", "Original Message", "Begin message",
	"End message", "arbitrate", "Seller Central", "above this line",
	"Forwarded", "forwarded message", "Weitergeleitete", "transf\xc3\xa9r",
	"reenviado", "Sent from my", "intended", "DISCLAIMER", "From:",
	"Von:", "De :", "escreveu", "schreef", "pisze", "a \xc3\xa9" "crit",
	"escribi\xc3\xb3", "Order ID", NULL
};

static void
corpus_check_own(const char *base, const char *text)
{
	for (size_t i = 0; corpus_debris[i] != NULL; i++)
		CHECK(strstr(text, corpus_debris[i]) == NULL,
		    "%s: \"%s\" survived in \"%s\"", base, corpus_debris[i],
		    text);
}

static void
corpus_check_file(const char *path, const char *base, bool trap,
    const struct limits *lim, struct corpus_stats *st)
{
	struct extracted ex;
	char *buf = NULL, *full = NULL, *needle = NULL;
	gsize len;

	if (!g_file_get_contents(path, &buf, &len, NULL)) {
		CHECK(false, "%s: cannot read", path);
		return;
	}
	extract_init(&ex);
	extract_message(buf, len, lim, &ex);
	st->files++;
	check_valid(base, &ex);
	CHECK(!ex.parse_error && ex.text->len > 0, "%s: no text", base);
	full = corpus_full_text(buf, len);
	needle = corpus_agent_needle(full);
	if (st->own)
		corpus_check_own(base, ex.text->str);
	if (trap) {
		st->traps++;
		/* Dev traps all quote an agent; the project's may quote a
		   relay's or a footer's words instead. */
		CHECK(needle != NULL || st->own,
		    "%s: trap, agent reply not found", base);
	}
	if (needle != NULL) {
		st->agent_quotes++;
		CHECK(!corpus_norm_contains(ex.text->str, needle),
		    "%s: quoted agent text \"%s\" survived in \"%s\"", base,
		    needle, ex.text->str);
		CHECK(strstr(ex.text->str, "Customer Care") == NULL &&
		    strstr(ex.text->str, "wrote:") == NULL &&
		    strstr(ex.text->str, "Original Message") == NULL,
		    "%s: quote debris in \"%s\"", base, ex.text->str);
	}
	g_free(needle);
	g_free(full);
	extract_clear(&ex);
	g_free(buf);
}

static void
corpus_check_dir(const char *dir, GHashTable *traps,
    const struct limits *lim, struct corpus_stats *st)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *name;

	if (d == NULL)
		return;
	while ((name = g_dir_read_name(d)) != NULL) {
		char *path;

		if (!g_str_has_suffix(name, ".eml"))
			continue;
		path = g_build_filename(dir, name, NULL);
		corpus_check_file(path, name, g_hash_table_contains(traps,
		    name), lim, st);
		g_free(path);
	}
	g_dir_close(d);
}

static void
test_corpus(void)
{
	const char *env = getenv("CORPUS_DIR");
	char *dir, *threads;
	struct limits lim;
	struct corpus_stats st = { 0 }, mine = { 0 };
	GHashTable *traps;
	char *own;

	test_limits_default(&lim);
	own = g_build_filename(harness_srcdir(), "tests", "corpus", "extract",
	    NULL);
	traps = corpus_traps(own);
	mine.own = true;
	corpus_check_dir(own, traps, &lim, &mine);
	CHECK(mine.files >= 20, "corpus %s: %u .eml files", own, mine.files);
	printf("extract: corpus %s: %u messages, %u traps, %u quoting an "
	    "agent reply\n", own, mine.files, mine.traps, mine.agent_quotes);
	g_hash_table_destroy(traps);
	g_free(own);

	dir = env != NULL && *env != '\0' ? g_strdup(env) :
	    g_build_filename(harness_srcdir(), "..", "shared", "corpus", "dev",
	    NULL);
	if (!g_file_test(dir, G_FILE_TEST_IS_DIR)) {
		printf("extract: corpus %s absent, corpus test skipped\n", dir);
		g_free(dir);
		return;
	}
	traps = corpus_traps(dir);
	threads = g_build_filename(dir, "threads", NULL);
	corpus_check_dir(dir, traps, &lim, &st);
	corpus_check_dir(threads, traps, &lim, &st);
	CHECK(st.files > 0, "corpus %s: no .eml files", dir);
	CHECK(st.traps == g_hash_table_size(traps),
	    "corpus: %u of %u traps found", st.traps,
	    g_hash_table_size(traps));
	printf("extract: corpus %s: %u messages, %u traps, %u quoting an "
	    "agent reply\n", dir, st.files, st.traps, st.agent_quotes);
	g_hash_table_destroy(traps);
	g_free(threads);
	g_free(dir);
}

int
main(void)
{
	g_mime_init();
	xmlInitParser();
	test_messages();
	test_nul();
	test_empty_buffer();
	test_depth();
	test_parts();
	test_text_cap();
	test_megabyte_line();
	test_reuse();
	test_corpus();
	xmlCleanupParser();
	g_mime_shutdown();
	return harness_done("extract");
}
