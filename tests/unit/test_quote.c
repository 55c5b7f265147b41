/*
 * test_quote.c - quote_strip(): quoted mail, forwards, signatures and
 * footers cut from plain text, customer text above and between quotes
 * kept; relay_unwrap(): a marketplace relay's wrapper removed.
 */
#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "extract.h"
#include "harness.h"

struct quote_case {
	const char *name;
	const char *in;
	const char *want;
};

static const struct quote_case quote_cases[] = {
	{ "plain text untouched", "Where is my order?\nThanks",
	    "Where is my order?\nThanks" },
	{ "empty", "", "" },
	{ "only blank lines", "\n \n\t\n", "" },
	{ "top post, On wrote, > lines",
	    "I want a refund.\n\nOn Mon, 3 Jun 2024 at 10:00, Support "
	    "<support@shop.example> wrote:\n> Please call us.\n>\n> Bye\n",
	    "I want a refund." },
	{ "attribution wrapped over two lines",
	    "Still broken.\n\nOn Mon, 3 Jun 2024 at 10:00, Support <\n"
	    "support@shop.example> wrote:\n> leave a review\n",
	    "Still broken." },
	{ "attribution wrapped over three lines",
	    "No.\n\nOn Monday, June 3, 2024 at 10:00:00 AM Central European\n"
	    "Summer Time, Customer Support Team of Shop <\n"
	    "support@shop.example> wrote:\n> manager\n",
	    "No." },
	{ "four lines are too many for an attribution",
	    "On 3 June\nI called\nand called\nand nobody wrote:\nhelp\n",
	    "On 3 June\nI called\nand called\nand nobody wrote:\nhelp" },
	{ "attribution without quote marks cuts",
	    "Fine.\nOn Tue, Jun 4, 2024 at 9:15 AM Shop <a@b.c> wrote:\n"
	    "Hi, our manager will call you.\n",
	    "Fine." },
	{ "bottom posting keeps the reply",
	    "On 3 Jun 2024, Shop <a@b.c> wrote:\n> Did it arrive?\n\n"
	    "No, it did not.\n",
	    "No, it did not." },
	{ "inline posting keeps every answer",
	    "> Order number?\n12345\n> Colour?\nred\n> Bye\n",
	    "12345\nred" },
	{ "indented and nested quote marks",
	    "ok\n  > quoted\n>> older\n >> > deep\n", "ok" },
	{ "CRLF line ends",
	    "Hello\r\n\r\nOn Mon, 3 Jun 2024, X <x@y.z> wrote:\r\n> a\r\n",
	    "Hello" },
	{ "French attribution",
	    "Merci.\nLe lun. 3 juin 2024 \xc3\xa0 10:00, Support "
	    "<s@shop.example> a \xc3\xa9" "crit :\n> Bonjour\n",
	    "Merci." },
	{ "German attribution",
	    "Danke.\nAm 03.06.2024 um 10:00 schrieb Support <s@x.de>:\n"
	    "> Hallo\n",
	    "Danke." },
	{ "Spanish attribution",
	    "Gracias.\nEl lun, 3 jun 2024 a las 10:00, Soporte "
	    "(<s@x.es>) escribi\xc3\xb3:\n> Hola\n",
	    "Gracias." },
	{ "Italian attribution",
	    "Grazie.\nIl giorno lun 3 giu 2024 alle ore 10:00 Supporto "
	    "<s@x.it> ha scritto:\n> Ciao\n",
	    "Grazie." },
	{ "On ... wrote: without date or address is customer text",
	    "On Monday my neighbour wrote:\nthe box was empty\n",
	    "On Monday my neighbour wrote:\nthe box was empty" },
	{ "Original Message block",
	    "Call me.\n\n-----Original Message-----\nFrom: Shop\n"
	    "Sent: Monday\nTo: me\nSubject: Re\n\nopen a PayPal dispute\n",
	    "Call me." },
	{ "Original Message, spaced, any case",
	    "ok\n----- original message -----\nsue\n", "ok" },
	{ "underscore rule then From:",
	    "Thanks\n________________________________\n"
	    "From: Shop <s@shop.example>\nSent: Monday\nmanager\n",
	    "Thanks" },
	{ "underscore rule alone is kept",
	    "a\n__________\nb\n", "a\n__________\nb" },
	{ "Outlook header block without separator",
	    "Refund please.\n\nFrom: Riley <r@x.com>\nSent: Sunday, "
	    "August 25, 2024\nSubject: Re: order\n\nphone our line\n",
	    "Refund please." },
	{ "Outlook bold headers (*From:*), Date and To",
	    "Yes.\n*From:* Shop\n*Date:* Mon\n*To:* me\nreview us\n",
	    "Yes." },
	{ "German Outlook header",
	    "Ja.\nVon: Shop <s@x.de>\nGesendet: Montag\nAn: mich\n"
	    "Betreff: AW\nBewertung\n",
	    "Ja." },
	{ "From: line alone is customer text",
	    "From: my phone\nplease hurry\n", "From: my phone\nplease hurry" },
	{ "Gmail forward marker",
	    "see below\n---------- Forwarded message ---------\nFrom: a\n"
	    "chargeback\n",
	    "see below" },
	{ "Apple forward marker",
	    "fyi\n\nBegin forwarded message:\n\nFrom: a\nsue\n", "fyi" },
	{ "signature separator with space",
	    "Where is it?\n-- \nJohn\nCall me: 555\n", "Where is it?" },
	{ "signature separator without space",
	    "Where is it?\n--\nJohn\n", "Where is it?" },
	{ "dashes in text are not a signature",
	    "a -- b\n---\nc\n", "a -- b\n---\nc" },
	{ "quoted signature is only quote",
	    "top\n> text\n> -- \n> sig\nbottom\n", "top\nbottom" },
	{ "blank line runs collapse",
	    "a\n\n\n\nb\n> q\n\n\nc\n", "a\n\nb\n\nc" },
	{ "no trailing newline", "last line", "last line" },

	/* Attributions in other languages, also wrapped. */
	{ "French attribution, no-break space before the colon",
	    "Toujours rien.\nLe lun. 3 juin 2024 \xc3\xa0 10:00, Support "
	    "<s@x.fr> a \xc3\xa9" "crit\xe2\x80\xaf:\n> laissez un avis\n",
	    "Toujours rien." },
	{ "French attribution wrapped over two lines",
	    "Non.\n\nLe lun. 3 juin 2024 \xc3\xa0 10:00, Service client "
	    "<\nsupport@boutique.fr> a \xc3\xa9" "crit :\n> appelez-nous\n",
	    "Non." },
	{ "German attribution wrapped, Gmail style",
	    "Nein.\n\nAm Mo., 3. Juni 2024 um 10:00 Uhr schrieb Kundendienst <\n"
	    "service@shop.de>:\n> Bewertung\n",
	    "Nein." },
	{ "German attribution without quote marks cuts",
	    "Danke.\nAm 03.06.2024 um 10:00 schrieb Shop <s@x.de>:\n"
	    "Rufen Sie uns an.\n",
	    "Danke." },
	{ "Spanish attribution wrapped",
	    "No lleg\xc3\xb3.\n\nEl lun, 3 jun 2024 a las 10:00, Soporte "
	    "(<\nsoporte@tienda.es>) escribi\xc3\xb3:\n> gerente\n",
	    "No lleg\xc3\xb3." },
	{ "Italian attribution wrapped",
	    "No.\nIl giorno lun 3 giu 2024 alle ore 10:00 Assistenza <\n"
	    "a@negozio.it> ha scritto:\n> recensione\n",
	    "No." },
	{ "Dutch attribution (Gmail)",
	    "Nee.\nOp ma 3 jun. 2024 om 10:00 schreef Klantenservice "
	    "<k@winkel.nl>:\n> bel ons\n",
	    "Nee." },
	{ "Dutch attribution (Outlook, het volgende geschreven)",
	    "Nee.\nOp 3 jun. 2024 om 10:00 heeft Winkel <w@winkel.nl> het "
	    "volgende geschreven:\n> manager\n",
	    "Nee." },
	{ "Portuguese attribution wrapped",
	    "N\xc3\xa3o.\nEm seg., 3 de jun. de 2024 \xc3\xa0s 10:00, Loja "
	    "<\nloja@x.com.br> escreveu:\n> avalia\xc3\xa7\xc3\xa3o\n",
	    "N\xc3\xa3o." },
	{ "Polish attribution (Thunderbird)",
	    "Nie.\nW dniu 3.06.2024 o 10:00, Sklep pisze:\n> zadzwo\xc5\x84\n",
	    "Nie." },
	{ "Polish attribution (Gmail, no prefix)",
	    "Nie.\npon., 3 cze 2024 o 10:00 Sklep <s@sklep.pl> "
	    "napisa\xc5\x82(a):\n> prawnik\n",
	    "Nie." },
	{ "Swedish attribution",
	    "Nej.\nDen m\xc3\xa5n 3 juni 2024 kl 10:00 skrev Butik "
	    "<b@butik.se>:\n> ring oss\n",
	    "Nej." },
	{ "Gmail English attribution wrapped before wrote:",
	    "Still nothing.\n\nOn Mon, Jun 3, 2024 at 10:00 AM Shop Support "
	    "<support@shop.example>\nwrote:\n\n> Please call us.\n",
	    "Still nothing." },
	{ "bare attribution before quoted lines is dropped",
	    "top\nShop Support <support@shop.example> wrote:\n> manager\n"
	    "bottom\n",
	    "top\nbottom" },
	{ "bare attribution without quoted lines is the writer's",
	    "Your agent <bob@shop.example> wrote:\nthat I should wait\n",
	    "Your agent <bob@shop.example> wrote:\nthat I should wait" },
	{ "On ... wrote: inside a sentence is kept",
	    "On the form I wrote: 12 Main St\nplease fix it\n",
	    "On the form I wrote: 12 Main St\nplease fix it" },

	/* Outlook header blocks, other languages, no separator. */
	{ "French Outlook header",
	    "Merci.\n\nDe : Boutique <b@x.fr>\nEnvoy\xc3\xa9 : lundi 3 juin "
	    "2024 10:00\n\xc3\x80 : moi\nObjet : RE: commande\n\navocat\n",
	    "Merci." },
	{ "French Outlook header with no-break spaces",
	    "Merci.\nDe\xc2\xa0: Boutique\nEnvoy\xc3\xa9\xc2\xa0: lundi\n"
	    "\xc3\x80\xc2\xa0: moi\nlitige PayPal\n",
	    "Merci." },
	{ "Spanish Outlook header",
	    "Gracias.\nDe: Tienda <t@x.es>\nEnviado el: lunes, 3 de junio "
	    "de 2024 10:00\nPara: yo\nAsunto: RE: pedido\nabogado\n",
	    "Gracias." },
	{ "Italian Outlook header",
	    "Grazie.\nDa: Negozio <n@x.it>\nInviato: luned\xc3\xac 3 giugno "
	    "2024 10:00\nA: io\nOggetto: R: ordine\navvocato\n",
	    "Grazie." },
	{ "Dutch Outlook header",
	    "Dank.\nVan: Winkel <w@x.nl>\nVerzonden: maandag 3 juni 2024\n"
	    "Aan: mij\nOnderwerp: RE: bestelling\nadvocaat\n",
	    "Dank." },
	{ "Polish Outlook header",
	    "Dzi\xc4\x99ki.\nOd: Sklep <s@x.pl>\nWys\xc5\x82" "ano: "
	    "poniedzia\xc5\x82" "ek\nDo: ja\nTemat: RE: zam\xc3\xb3wienie\n"
	    "prawnik\n",
	    "Dzi\xc4\x99ki." },
	{ "English Outlook header after an underscore rule",
	    "Thanks\n\n________________________________\nFrom: Shop "
	    "<s@shop.example>\nSent: Monday, June 3, 2024 10:00 AM\nTo: Ann\n"
	    "Subject: RE: order\n\nLeave us a review!\n",
	    "Thanks" },
	{ "underscore rule then French header",
	    "Merci\n________________________________\nDe : Boutique\navis\n",
	    "Merci" },
	{ "Outlook header joined on one line",
	    "OK.\nFrom: Shop <s@shop.example> Sent: Monday, June 3, 2024 "
	    "To: Ann Subject: RE: order\nmanager\n",
	    "OK." },
	{ "From: line with words after it is the writer's",
	    "From: my side, nothing sent to anyone yet.\nplease hurry\n",
	    "From: my side, nothing sent to anyone yet.\nplease hurry" },

	/* Forwarded mail: the writer's note above is kept. */
	{ "Thunderbird forward marker",
	    "read this\n\n-------- Forwarded Message --------\nSubject: x\n"
	    "dispute\n",
	    "read this" },
	{ "Thunderbird original message marker",
	    "no\n-------- Original Message --------\nmanager\n", "no" },
	{ "German forward marker",
	    "siehe unten\n---------- Weitergeleitete Nachricht ---------\n"
	    "Von: a\nAnwalt\n",
	    "siehe unten" },
	{ "German Thunderbird original marker",
	    "nein\n-------- Original-Nachricht --------\nAnwalt\n", "nein" },
	{ "French forward marker",
	    "voir ci-dessous\n-------- Message transf\xc3\xa9r\xc3\xa9 "
	    "--------\nlitige\n",
	    "voir ci-dessous" },
	{ "Spanish forward marker",
	    "mira\n---------- Mensaje reenviado ---------\nDe: a\ngerente\n",
	    "mira" },
	{ "Apple forward marker, French",
	    "pour info\n\nD\xc3\xa9" "but du message r\xc3\xa9" "exp\xc3\xa9"
	    "di\xc3\xa9 :\n\nDe: a\navis\n",
	    "pour info" },
	{ "forward words in a sentence are kept",
	    "I forwarded message after message and got nothing\n",
	    "I forwarded message after message and got nothing" },

	/* Helpdesk markers. */
	{ "Zendesk reply-above marker",
	    "Still waiting.\n\n##- Please type your reply above this line -##"
	    "\n\nYour request was updated. Leave a review!\n",
	    "Still waiting." },
	{ "plain reply-above marker",
	    "ok\n-- Reply above this line --\ncall us\n", "ok" },
	{ "above this line without a verb is kept",
	    "the crack is just above this line of stitching\n",
	    "the crack is just above this line of stitching" },

	/* Device lines and legal notices. */
	{ "Sent from my iPhone dropped, text above kept",
	    "Where is my refund?\n\nSent from my iPhone\n",
	    "Where is my refund?" },
	{ "device lines in several forms",
	    "a\nSent from Yahoo Mail for iPhone\nGet Outlook for Android\n"
	    "b\nSent from my Verizon, Samsung Galaxy smartphone\n"
	    "Von meinem iPhone gesendet\nEnvoy\xc3\xa9 de mon iPhone\n"
	    "Enviado desde mi iPhone\n",
	    "a\nb" },
	{ "Sent from my phone with a request is the writer's",
	    "Sent from my phone, please call me back\n",
	    "Sent from my phone, please call me back" },
	{ "Sent from my phone with a question is the writer's",
	    "Sent from my iPhone. Can you call me?\n",
	    "Sent from my iPhone. Can you call me?" },
	{ "legal notice dropped, lawyer kept",
	    "If this is not fixed by Friday I will contact my lawyer.\n\n"
	    "Jane\n\nThis e-mail and any attachments are confidential and may "
	    "be privileged.\nIf you are not the intended recipient, please "
	    "notify the sender\nimmediately and delete this e-mail.\n",
	    "If this is not fixed by Friday I will contact my lawyer.\n\nJane" },
	{ "CONFIDENTIALITY NOTICE heading",
	    "Please refund me.\n\nCONFIDENTIALITY NOTICE: This message is "
	    "intended only for the use of the individual to which it is "
	    "addressed and may contain information that is privileged.\n",
	    "Please refund me." },
	{ "DISCLAIMER heading, short notice",
	    "Cancel it.\nDISCLAIMER: The information in this email is "
	    "confidential.\n",
	    "Cancel it." },
	{ "heading on its own line",
	    "Cancel it.\n\n*** DISCLAIMER ***\nThe information contained in "
	    "this message is confidential and intended solely for the "
	    "addressee.\n",
	    "Cancel it." },
	{ "notice of several paragraphs",
	    "Thanks\n\nThis email is confidential. If you have received it "
	    "in error, please delete it.\n\nAny views or opinions presented "
	    "in this email are solely those of the author and do not "
	    "necessarily represent those of the company.\n",
	    "Thanks" },
	{ "external sender banner",
	    "CAUTION: This email originated from outside of the organization. "
	    "Do not click links or open attachments unless you recognize the "
	    "sender.\n\nMy order never arrived.\n",
	    "My order never arrived." },
	{ "environment line dropped",
	    "ok\nPlease consider the environment before printing this email."
	    "\n",
	    "ok" },
	{ "customer words about confidentiality are kept",
	    "This email is about the unauthorized disclosure of my "
	    "confidential data. I will contact my lawyer.\n",
	    "This email is about the unauthorized disclosure of my "
	    "confidential data. I will contact my lawyer." },
	{ "customer disclaimer about themselves is kept",
	    "Disclaimer: I am not a lawyer, but this email is my last "
	    "warning before I sue.\n",
	    "Disclaimer: I am not a lawyer, but this email is my last "
	    "warning before I sue." },
	{ "intended recipient in the writer's story is kept",
	    "This message is to tell you I was not the intended recipient "
	    "of the parcel.\nMy neighbour got it.\n",
	    "This message is to tell you I was not the intended recipient "
	    "of the parcel.\nMy neighbour got it." },
	{ "notice stops at the writer's next sentence",
	    "This email is confidential and intended only for the named "
	    "addressee.\nCall me today or I go to my bank.\n",
	    "Call me today or I go to my bank." },
};

struct relay_case {
	const char *name;
	const char *in;
	const char *want;
	bool unwrapped;
};

#define AMZ_FYI "For Your Information: To help arbitrate disputes and " \
	"preserve trust and safety, we retain all messages buyers and " \
	"sellers send through Amazon.com for two years. This includes your " \
	"response to the message below. Amazon uses filtering technology to " \
	"protect buyers and sellers from possible fraud. Messages that fail " \
	"this filtering will not be transmitted.\n"
#define AMZ_TAIL "We want you to buy with confidence anytime you purchase " \
	"products on Amazon.com. Learn more about Safe Online Shopping and " \
	"our safe buying guarantee.\nWas this email helpful?\nReport " \
	"questionable activity\n"

static const struct relay_case relay_cases[] = {
	{ "Begin/End message markers",
	    "Dear seller,\n------------- Begin message -------------\n\n"
	    "The box was empty.\nPlease refund.\n\n"
	    "------------- End message -------------\n\n" AMZ_FYI AMZ_TAIL,
	    "\nThe box was empty.\nPlease refund.\n\n", true },
	{ "Begin marker without End: up to the closing text",
	    "------------- Begin message -------------\nWhere is it?\n"
	    AMZ_FYI AMZ_TAIL,
	    "Where is it?\n", true },
	{ "Begin marker alone: the rest",
	    "---- Begin Message ----\nhello\n", "hello\n", true },
	{ "only the first block",
	    "------------- Begin message -------------\nnew words\n"
	    "------------- End message -------------\n"
	    "------------- Begin message -------------\nolder, leave a review\n"
	    "------------- End message -------------\n",
	    "new words\n", true },
	{ "heading and closing text without markers",
	    "Message from customer Jane Doe (jd@example.com):\n"
	    "Order ID: 112-1234567-7654321\nItem: Phone case, blue\n\n"
	    "It came broken.\n\nTo respond, reply to this e-mail or visit "
	    "your Seller Central account.\n" AMZ_FYI,
	    "It came broken.\n\n", true },
	{ "Respond to this customer line",
	    "It is late.\nRespond to this customer\nhttps://sellercentral."
	    "example/messaging\n",
	    "It is late.\n", true },
	{ "heading without closing text",
	    "Message from customer:\nOrder ID: 112-1234567-7654321\n\n"
	    "Wrong colour.\n",
	    "Wrong colour.\n", true },
	{ "no markers: untouched",
	    "I will open a dispute.\nOrder ID: 42\n",
	    "I will open a dispute.\nOrder ID: 42\n", false },
	{ "a customer's own order line is not a heading",
	    "Order ID: 112-1234567-7654321\nThe lid is cracked.\n",
	    "Order ID: 112-1234567-7654321\nThe lid is cracked.\n", false },
	{ "words of the markers in a sentence: untouched",
	    "Begin message: my parcel is lost. End message.\n",
	    "Begin message: my parcel is lost. End message.\n", false },
	{ "For your information without the relay's words: untouched",
	    "For your information: I paid twice.\n",
	    "For your information: I paid twice.\n", false },
	{ "empty", "", "", false },
};

static void
test_quote_table(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(quote_cases); i++) {
		const struct quote_case *c = &quote_cases[i];
		GString *s = g_string_new(c->in);

		quote_strip(s);
		CHECK_STR(s->str, c->want, c->name);
		CHECK(strlen(s->str) == s->len, "%s: length", c->name);
		g_string_free(s, TRUE);
	}
}

static void
test_relay_table(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(relay_cases); i++) {
		const struct relay_case *c = &relay_cases[i];
		GString *s = g_string_new(c->in);
		bool done = relay_unwrap(s);

		CHECK_STR(s->str, c->want, c->name);
		CHECK(done == c->unwrapped, "%s: unwrapped %d", c->name, done);
		CHECK(strlen(s->str) == s->len, "%s: length", c->name);
		g_string_free(s, TRUE);
	}
}

/* Quote at the very start: nothing of the customer's is left. */
static void
test_quote_only_quote(void)
{
	GString *s = g_string_new("On 1 Jan 2024, A <a@b> wrote:\n> x\n");

	quote_strip(s);
	CHECK_STR(s->str, "", "only a quote");
	g_string_free(s, TRUE);
}

/*
 * Large and repetitive input: a 1 MB line and 100k short lines of
 * markers.  Quadratic work here would not finish within the test
 * runner's time limit; speed itself is for benchmarks, not this test.
 */
static void
test_quote_large(void)
{
	GString *s = g_string_new("");
	size_t before;

	for (int i = 0; i < (1 << 20); i++)
		g_string_append_c(s, 'a');
	quote_strip(s);
	CHECK(s->len == (1u << 20), "1 MB line kept (%zu)", s->len);
	g_string_truncate(s, 0);
	for (int i = 0; i < 100000; i++)
		g_string_append(s, i % 2 ? "From: x\n" : "> q\nOn 1 2 3\n");
	quote_strip(s);
	/* Notice openers everywhere, one long paragraph of them. */
	g_string_truncate(s, 0);
	for (int i = 0; i < 20000; i++)
		g_string_append(s, "This email is confidential and\n");
	quote_strip(s);
	g_string_truncate(s, 0);
	for (int i = 0; i < 20000; i++)
		g_string_append(s, "Sent from a@b wrote:\n");
	quote_strip(s);
	g_string_truncate(s, 0);
	for (int i = 0; i < 20000; i++)
		g_string_append(s, "--- Begin message ---\nOrder ID: 1\n");
	before = s->len;
	relay_unwrap(s);
	CHECK(s->len <= before, "relay_unwrap on 20000 markers (%zu bytes)",
	    s->len);
	g_string_free(s, TRUE);
}

int
main(void)
{
	test_quote_table();
	test_relay_table();
	test_quote_only_quote();
	test_quote_large();
	return harness_done("quote");
}
