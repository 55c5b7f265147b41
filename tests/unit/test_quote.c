/*
 * test_quote.c - quote_strip(): quoted mail and signatures cut from
 * plain text, customer text above and between quotes kept.
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

/* Quote at the very start: nothing of the customer's is left. */
static void
test_quote_only_quote(void)
{
	GString *s = g_string_new("On 1 Jan 2024, A <a@b> wrote:\n> x\n");

	quote_strip(s);
	CHECK_STR(s->str, "", "only a quote");
	g_string_free(s, TRUE);
}

/* Linear time: a 1 MB line and 100k short lines finish at once. */
static void
test_quote_large(void)
{
	GString *s = g_string_new("");
	gint64 t0;

	for (int i = 0; i < (1 << 20); i++)
		g_string_append_c(s, 'a');
	t0 = g_get_monotonic_time();
	quote_strip(s);
	CHECK(s->len == (1u << 20), "1 MB line kept (%zu)", s->len);
	g_string_truncate(s, 0);
	for (int i = 0; i < 100000; i++)
		g_string_append(s, i % 2 ? "From: x\n" : "> q\nOn 1 2 3\n");
	quote_strip(s);
	CHECK(g_get_monotonic_time() - t0 < 5 * G_USEC_PER_SEC,
	    "quote_strip is linear");
	g_string_free(s, TRUE);
}

int
main(void)
{
	test_quote_table();
	test_quote_only_quote();
	test_quote_large();
	return harness_done("quote");
}
