/*
 * tag.c - composing the X-Escalation headers and the subject tag.
 *
 * Text from the message (excerpts, the subject) reaches a header only
 * through tag_sanitize(): no control characters or line breaks, white
 * space collapsed, length capped on a character boundary, and
 * RFC 2047-encoded when it is not plain ASCII or could be mistaken for
 * an encoded word.
 */
#include "tag.h"

#include <string.h>

void
tagging_init(struct tagging *t)
{
	memset(t, 0, sizeof(*t));
}

static void
tag_hdr_free(gpointer p)
{
	struct hdr *h = p;

	g_free(h->name);
	g_free(h->value);
	g_free(h);
}

void
tagging_clear(struct tagging *t)
{
	if (t->add != NULL)
		g_ptr_array_free(t->add, TRUE);
	g_free(t->subject);
	g_free(t->subject_utf8);
	tagging_init(t);
}

bool
tag_is_ours(const char *name)
{
	static const char ours[] = "X-Escalation";
	size_t n = sizeof(ours) - 1;

	return g_ascii_strncasecmp(name, ours, n) == 0 &&
	    (name[n] == '\0' || name[n] == '-');
}

static bool
tag_needs_encoding(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p >= 0x80)
			return true;
	return strstr(s, "=?") != NULL;
}

/* UTF-8 text with controls removed, spaces collapsed, capped. */
static char *
tag_clean(const char *s, size_t maxchars)
{
	char *valid = g_utf8_make_valid(s, -1);
	GString *out = g_string_sized_new(strlen(valid) + 1);
	bool space = false;
	size_t n = 0;

	for (const char *p = valid; *p != '\0' && n < maxchars;
	    p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		if (g_unichar_isspace(c) || g_unichar_iscntrl(c) ||
		    g_unichar_type(c) == G_UNICODE_FORMAT ||
		    g_unichar_type(c) == G_UNICODE_LINE_SEPARATOR ||
		    g_unichar_type(c) == G_UNICODE_PARAGRAPH_SEPARATOR) {
			space = out->len > 0;
			continue;
		}
		if (space) {
			g_string_append_c(out, ' ');
			n++;
			space = false;
			if (n >= maxchars)
				break;
		}
		g_string_append_unichar(out, c);
		n++;
	}
	g_free(valid);
	return g_string_free(out, FALSE);
}

/*
 * RFC 2047 Q-encoding of UTF-8 text into encoded words of at most 75
 * characters, split on character boundaries and joined by spaces
 * (which decoders drop between adjacent encoded words).  Done here
 * rather than by GMime, which leaves ASCII words that look like
 * encoded words as they are.
 */
static char *
tag_encode_words(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const size_t max_payload = 75 - 12; /* "=?UTF-8?Q?" "?=" */
	GString *out = g_string_new(NULL);
	GString *word = g_string_new(NULL);

	for (const char *p = s; *p != '\0'; p = g_utf8_next_char(p)) {
		char enc[4 * 3 + 1];
		size_t n = 0, clen = (size_t)(g_utf8_next_char(p) - p);

		for (size_t i = 0; i < clen; i++) {
			unsigned char c = (unsigned char)p[i];

			if (c == ' ')
				enc[n++] = '_';
			else if (g_ascii_isalnum(c) || strchr("!*+-/", c))
				enc[n++] = (char)c;
			else {
				enc[n++] = '=';
				enc[n++] = hex[c >> 4];
				enc[n++] = hex[c & 15];
			}
		}
		if (word->len + n > max_payload) {
			g_string_append_printf(out, "%s=?UTF-8?Q?%s?=",
			    out->len ? " " : "", word->str);
			g_string_truncate(word, 0);
		}
		g_string_append_len(word, enc, (gssize)n);
	}
	if (word->len > 0 || out->len == 0)
		g_string_append_printf(out, "%s=?UTF-8?Q?%s?=",
		    out->len ? " " : "", word->str);
	g_string_free(word, TRUE);
	return g_string_free(out, FALSE);
}

char *
tag_sanitize(const char *s, size_t maxchars)
{
	char *clean = tag_clean(s != NULL ? s : "", maxchars);
	char *enc;

	if (!tag_needs_encoding(clean))
		return clean;
	enc = tag_encode_words(clean);
	g_free(clean);
	return enc;
}

char *
tag_fired_list(const struct verdict *v)
{
	GString *s = g_string_new(v->followup ? "followup" : NULL);

	for (size_t i = 0; i < v->nsig; i++) {
		const struct signal *sg = &v->sig[i];

		if (!(v->followup ? sg->followup : sg->fired))
			continue;
		if (s->len > 0)
			g_string_append(s, ", ");
		g_string_append(s, sg->cat->id);
	}
	return g_string_free(s, FALSE);
}

void
tagging_add(struct tagging *t, const char *name, char *value)
{
	struct hdr *h = g_new0(struct hdr, 1);

	h->name = g_strdup(name);
	h->value = value;
	g_ptr_array_add(t->add, h);
}

/* "abuse=2/2, review-threat=1/2" over categories with evidence. */
static char *
tag_signals(const struct verdict *v)
{
	GString *s = g_string_new(NULL);

	for (size_t i = 0; i < v->nsig; i++) {
		const struct signal *sg = &v->sig[i];

		if (sg->count == 0)
			continue;
		g_string_append_printf(s, "%s%s=%u/%u", s->len ? ", " : "",
		    sg->cat->id, sg->count + sg->prior, sg->threshold);
	}
	return g_string_free(s, FALSE);
}

/* "1st", "2nd", "3rd", "11th", "22nd" ... */
static const char *
tag_ordinal_suffix(unsigned n)
{
	if (n % 100 >= 11 && n % 100 <= 13)
		return "th";
	switch (n % 10) {
	case 1:
		return "st";
	case 2:
		return "nd";
	case 3:
		return "rd";
	default:
		return "th";
	}
}

/* " (opened)", " (2nd in 6 days)", " (opened, 3rd today)" or "". */
static void
tag_qualifier(GString *s, const struct signal *sg, int64_t now)
{
	const char *st = rules_state_name(sg->state);
	unsigned total = sg->count + sg->prior;

	if (st == NULL && sg->prior == 0)
		return;
	g_string_append(s, " (");
	if (st != NULL)
		g_string_append_printf(s, "%s%s", st, sg->prior ? ", " : "");
	if (sg->prior > 0) {
		int64_t days = sg->first > 0 && now > sg->first ?
		    (now - sg->first) / 86400 : 0;

		g_string_append_printf(s, "%u%s ", total,
		    tag_ordinal_suffix(total));
		if (days <= 0)
			g_string_append(s, "today");
		else
			g_string_append_printf(s, "in %lld day%s",
			    (long long)days, days == 1 ? "" : "s");
	}
	g_string_append_c(s, ')');
}

/*
 * The note for the agent, UTF-8 before sanitising:
 * legal: legal.lawyer "my lawyer"; review-threat (2nd in 6 days): ...
 */
static char *
tag_reason(const struct verdict *v)
{
	GString *s = g_string_new(NULL);

	if (v->followup) {
		char *fired = tag_fired_list(v);

		g_string_append_printf(s, "follow-up of an escalated case "
		    "(%s)", fired + strlen("followup, "));
		g_free(fired);
	}
	for (size_t i = 0; i < v->nsig; i++) {
		const struct signal *sg = &v->sig[i];

		if (sg->count == 0)
			continue;
		g_string_append_printf(s, "%s%s", s->len ? "; " : "",
		    sg->cat->id);
		tag_qualifier(s, sg, v->now);
		g_string_append_c(s, ':');
		for (guint j = 0; j < sg->evidence->len; j++) {
			const struct evidence *e =
			    g_ptr_array_index(sg->evidence, j);
			char *q = g_strdup(e->text);

			g_strdelimit(q, "\"", '\'');
			g_string_append_printf(s, "%s %s \"%s\"",
			    j ? "," : "", e->rule->id, q);
			g_free(q);
		}
	}
	return g_string_free(s, FALSE);
}

/* The template's fixed text before its first placeholder. */
static char *
tag_fixed_prefix(const char *tmpl)
{
	const char *brace = strchr(tmpl, '{');
	char *p = g_strndup(tmpl, brace ? (gsize)(brace - tmpl) : strlen(tmpl));

	return g_strstrip(p);
}

static bool
tag_has_prefix_already(const char *subject, const char *fixed)
{
	char *a, *b;
	bool found;

	if (subject == NULL || *fixed == '\0')
		return false;
	a = g_utf8_casefold(subject, -1);
	b = g_utf8_casefold(fixed, -1);
	found = strstr(a, b) != NULL;
	g_free(a);
	g_free(b);
	return found;
}

char *
tag_strip_subject(const struct tag_conf *tc, const char *subject)
{
	const char *tmpl = tc->subject_template, *ph;
	char *fixed, *tail, *lower, *out;
	GString *res;
	size_t pos = 0;

	if (subject == NULL)
		return NULL;
	ph = tmpl != NULL ? strstr(tmpl, "{categories}") : NULL;
	if (ph == NULL)
		return g_strdup(subject);
	fixed = g_ascii_strdown(tmpl, ph - tmpl);
	tail = g_strstrip(g_strdup(ph + strlen("{categories}")));
	g_strstrip(fixed);
	if (*fixed == '\0' || *tail == '\0') {
		g_free(fixed);
		g_free(tail);
		return g_strdup(subject);
	}
	lower = g_ascii_strdown(subject, -1);	/* same byte offsets */
	res = g_string_new(NULL);
	for (;;) {
		char *a = strstr(lower + pos, fixed), *b;

		if (a == NULL)
			break;
		b = strstr(a + strlen(fixed), tail);
		if (b == NULL)
			break;
		g_string_append_len(res, subject + pos, a - (lower + pos));
		pos = (size_t)(b - lower) + strlen(tail);
	}
	g_string_append(res, subject + pos);
	out = g_string_free(res, FALSE);
	g_free(lower);
	g_free(tail);
	g_free(fixed);
	return out;
}

/* The template with {categories} replaced by the fired ids. */
static char *
tag_render(const char *tmpl, const struct verdict *v)
{
	GString *r = g_string_new(tmpl);
	char *fired = tag_fired_list(v);

	g_string_replace(r, "{categories}", fired, 0);
	g_free(fired);
	return g_string_free(r, FALSE);
}

/*
 * Prefixes the subject with the rendered template, once.  A clean ASCII
 * subject is kept as received after the prefix, so its encoded words
 * stay valid; one with raw 8-bit bytes is re-encoded from the decoded
 * text.
 */
static void
tag_subject(const struct tag_conf *tc, const struct verdict *v,
    const char *raw, const char *decoded, struct tagging *t)
{
	char *fixed, *rendered, *raw_clean;

	if (tc->subject_template == NULL || *tc->subject_template == '\0')
		return;
	fixed = tag_fixed_prefix(tc->subject_template);
	rendered = tag_render(tc->subject_template, v);
	if (tag_has_prefix_already(decoded ? decoded : raw,
	    *fixed != '\0' ? fixed : rendered))
		goto done;
	t->subject_utf8 = g_strconcat(rendered, decoded ? decoded : "", NULL);
	raw_clean = tag_clean(raw != NULL ? raw : "", tc->max_header_chars);
	if (g_str_is_ascii(raw_clean)) {
		/* the template was checked at load: one line of UTF-8 */
		bool enc = !g_str_is_ascii(rendered);
		char *prefix = enc ? tag_encode_words(rendered) :
		    g_strdup(rendered);
		bool sep = enc && *raw_clean != '\0';

		t->subject = g_strconcat(prefix, sep ? " " : "", raw_clean,
		    NULL);
		g_free(prefix);
	} else {
		t->subject = tag_sanitize(t->subject_utf8,
		    tc->max_header_chars);
	}
	g_free(raw_clean);
done:
	g_free(rendered);
	g_free(fixed);
}

void
tag_compose(const struct tag_conf *tc, const struct verdict *v,
    const char *subject_raw, const char *subject_utf8, struct tagging *t)
{
	char *s;

	tagging_clear(t);
	t->add = g_ptr_array_new_with_free_func(tag_hdr_free);
	if (v->escalate) {
		s = tag_fired_list(v);
		tagging_add(t, "X-Escalation", tag_sanitize(s,
		    tc->max_header_chars));
		g_free(s);
	}
	if (tc->signals_header) {
		s = tag_signals(v);
		if (*s != '\0')
			tagging_add(t, "X-Escalation-Signals",
			    tag_sanitize(s, tc->max_header_chars));
		g_free(s);
	}
	if (tc->reason_header) {
		s = tag_reason(v);
		if (*s != '\0')
			tagging_add(t, "X-Escalation-Reason",
			    tag_sanitize(s, tc->max_header_chars));
		g_free(s);
	}
	if (v->escalate)
		tag_subject(tc, v, subject_raw, subject_utf8, t);
}

/* "reroute to q@d; channel=amazon; owner=Jane Doe" and its variants. */
static char *
tag_route_value(const struct route *ro)
{
	GString *s = g_string_new(NULL);
	const char *act = route_action_name(ro->action);

	if (ro->skipped != NULL)
		g_string_append_printf(s, "not routed (%s): ", ro->skipped);
	else if (ro->shadow && ro->action != ROUTE_TAG)
		g_string_append(s, "shadow: would ");
	if (ro->to != NULL)
		g_string_append_printf(s, "%s to %s", act, ro->to);
	else if (ro->action == ROUTE_HOLD)
		g_string_append(s, "hold in the MTA's hold queue");
	else
		g_string_append(s, "tag only");
	if (ro->channel != NULL) {
		g_string_append_printf(s, "; channel=%s", ro->channel->name);
		if (ro->channel->owner != NULL)
			g_string_append_printf(s, "; owner=%s",
			    ro->channel->owner);
	}
	return g_string_free(s, FALSE);
}

/* The extra header template with its placeholders filled in. */
static char *
tag_expand(const char *tmpl, const struct route *ro, const struct verdict *v)
{
	GString *s = g_string_new(tmpl);
	char *fired = tag_fired_list(v);

	g_string_replace(s, "{channel}", ro->channel->name, 0);
	g_string_replace(s, "{categories}", fired, 0);
	g_string_replace(s, "{owner}",
	    ro->channel->owner ? ro->channel->owner : "", 0);
	g_string_replace(s, "{domestic}", ro->to ? ro->to : "", 0);
	g_string_replace(s, "{action}", route_action_name(ro->action), 0);
	g_free(fired);
	return g_string_free(s, FALSE);
}

void
tag_route(const struct tag_conf *tc, const struct routing *rt,
    const struct route *ro, const struct envelope *env,
    const struct verdict *v, struct tagging *t)
{
	bool changes;
	char *val;

	if (!ro->routed)
		return;
	val = tag_route_value(ro);
	tagging_add(t, "X-Escalation-Route", tag_sanitize(val,
	    tc->max_header_chars));
	g_free(val);
	changes = ro->skipped == NULL && ro->action != ROUTE_TAG;
	if (changes)
		for (guint i = 0; i < env->rcpts->len; i++) {
			char *a = route_addr_norm(g_ptr_array_index(env->rcpts,
			    i));

			tagging_add(t, "X-Escalation-Original-Rcpt",
			    tag_sanitize(a, tc->max_header_chars));
			g_free(a);
		}
	if (!changes || ro->shadow || ro->action == ROUTE_HOLD)
		return;
	for (size_t i = 0; i < rt->nextra; i++) {
		val = tag_expand(rt->extra[i].value, ro, v);
		tagging_add(t, rt->extra[i].name, tag_sanitize(val,
		    tc->max_header_chars));
		g_free(val);
	}
}
