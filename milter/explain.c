/*
 * explain.c - why a message was (not) escalated, for people: -t --explain.
 *
 * Prints the text that remained after extraction and normalisation (the
 * exact bytes the rules were run on, so offsets can be checked), then
 * every rule and exclusion match in that text with its byte offset and
 * what became of it, then each category's count against its threshold
 * and the decision.  Hits are found by scanning the normalised text once
 * more with the same rule set; this runs only on request, never in the
 * milter.
 *
 * Text from the message is printed as it is (it is valid UTF-8 after
 * normalisation); control characters are shown as "?".
 */
#include "explain.h"

#include <string.h>

#define EXPLAIN_WIDTH	72	/* characters per text line */
#define EXPLAIN_SHOW	40	/* characters of a hit shown */
#define EXPLAIN_MAX	2000	/* hits listed per message */

struct explain_hit {
	const struct rule *rule;
	size_t from, to;
};

static int
explain_on_hit(const struct rule *r, size_t from, size_t to, void *arg)
{
	GArray *hits = arg;
	struct explain_hit h = { r, from, to };

	if (hits->len >= EXPLAIN_MAX)
		return 1;
	g_array_append_val(hits, h);
	return 0;
}

static int
explain_cmp(const void *a, const void *b)
{
	const struct explain_hit *x = a, *y = b;

	if (x->from != y->from)
		return x->from < y->from ? -1 : 1;
	if (x->to != y->to)
		return x->to > y->to ? -1 : 1;
	return strcmp(x->rule->id, y->rule->id);
}

/* Appends text[0..len) with controls shown as '?', at most max chars. */
static void
explain_put(GString *out, const char *text, size_t len, size_t max)
{
	const char *p = text, *end = text + len;
	size_t n = 0;

	while (p < end && n < max) {
		const char *q = g_utf8_next_char(p);

		if (q > end)
			q = end;
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			g_string_append_c(out, '?');
		else
			g_string_append_len(out, p, q - p);
		p = q;
		n++;
	}
	if (p < end)
		g_string_append(out, "...");
}

/* The text, folded into lines of EXPLAIN_WIDTH characters. */
static void
explain_text(GString *out, const char *text, size_t len)
{
	const char *p = text, *end = text + len;

	g_string_append_printf(out, "text (%zu bytes after extraction and "
	    "normalisation; offsets below count bytes in it):\n", len);
	if (len == 0)
		g_string_append(out, "  (empty)\n");
	while (p < end) {
		const char *q = p;
		size_t n = 0;

		while (q < end && n < EXPLAIN_WIDTH) {
			q = g_utf8_next_char(q);
			n++;
		}
		if (q > end)
			q = end;
		g_string_append_printf(out, "  %6zu | ", (size_t)(p - text));
		explain_put(out, p, (size_t)(q - p), EXPLAIN_WIDTH);
		g_string_append_c(out, '\n');
		p = q;
	}
}

/* The exclusion of the same category whose span holds h, or NULL. */
static const struct explain_hit *
explain_excluder(const struct explain_hit *h, const GArray *hits)
{
	for (guint i = 0; i < hits->len; i++) {
		const struct explain_hit *x =
		    &g_array_index(hits, struct explain_hit, i);

		if (x->rule->exclude && x->rule->cat == h->rule->cat &&
		    x->from <= h->from && h->to <= x->to)
			return x;
	}
	return NULL;
}

/* True when the verdict's evidence starts at h (it was counted). */
static bool
explain_counted(const struct explain_hit *h, const struct signal *s)
{
	for (guint i = 0; i < s->evidence->len; i++) {
		const struct evidence *e = g_ptr_array_index(s->evidence, i);

		if (e->rule == h->rule && e->offset == h->from)
			return true;
	}
	return false;
}

/* True when h lies after the last evidence kept of a capped signal. */
static bool
explain_past_evidence(const struct explain_hit *h, const struct signal *s)
{
	const struct evidence *last;

	if (s->evidence->len == 0 || s->evidence->len >= s->count)
		return false;
	last = g_ptr_array_index(s->evidence, s->evidence->len - 1);
	return h->from > last->offset;
}

static void
explain_hits(GString *out, const struct msg_result *r,
    const struct ruleset *rs, struct rules_scratch *s)
{
	GArray *hits = g_array_new(FALSE, FALSE, sizeof(struct explain_hit));
	int rc = ruleset_scan(rs, s, r->norm, r->norm_len, explain_on_hit,
	    hits);

	g_array_sort(hits, explain_cmp);
	g_string_append_printf(out, "hits (%u):\n", hits->len);
	for (guint i = 0; i < hits->len; i++) {
		const struct explain_hit *h =
		    &g_array_index(hits, struct explain_hit, i);
		const struct category *c = ruleset_cat(rs, (size_t)h->rule->cat);
		const struct explain_hit *x;
		const char *what;

		g_string_append_printf(out, "  @%-6zu %-17s %-28s \"", h->from,
		    c->id, h->rule->id);
		explain_put(out, r->norm + h->from, h->to - h->from,
		    EXPLAIN_SHOW);
		g_string_append(out, "\" ");
		if (h->rule->exclude)
			what = "exclusion";
		else if ((x = explain_excluder(h, hits)) != NULL) {
			g_string_append_printf(out, "excluded by %s @%zu\n",
			    x->rule->id, x->from);
			continue;
		} else if (explain_counted(h, &r->verdict.sig[h->rule->cat]))
			what = "counted";
		else if (explain_past_evidence(h, &r->verdict.sig[h->rule->cat]))
			what = "past the evidence limit (max_evidence)";
		else
			what = "merged or repeated";
		g_string_append(out, what);
		if (h->rule->decisive && !h->rule->exclude)
			g_string_append(out, ", decisive");
		if (h->rule->state != CB_STATE_NONE)
			g_string_append_printf(out, ", %s",
			    rules_state_name(h->rule->state));
		g_string_append_c(out, '\n');
	}
	if (hits->len >= EXPLAIN_MAX)
		g_string_append_printf(out, "  (only the first %d hits)\n",
		    EXPLAIN_MAX);
	if (rc != 0)
		g_string_append(out, "  (the scan failed: counts may be "
		    "incomplete)\n");
	g_array_free(hits, TRUE);
}

static void
explain_verdict(GString *out, const struct msg_result *r)
{
	const struct verdict *v = &r->verdict;
	bool any = false;

	g_string_append(out, "categories:\n");
	for (size_t i = 0; i < v->nsig; i++) {
		const struct signal *s = &v->sig[i];

		if (s->count == 0 && !s->followup)
			continue;
		any = true;
		g_string_append_printf(out, "  %-17s %u here + %u before = %u, "
		    "threshold %u%s%s%s%s\n", s->cat->id, s->count, s->prior,
		    s->count + s->prior, s->threshold,
		    s->decisive ? ", decisive rule" : "",
		    s->state != CB_STATE_NONE ? ", " : "",
		    s->state != CB_STATE_NONE ? rules_state_name(s->state) : "",
		    s->fired ? ": FIRED" : s->followup ? ": follow-up" :
		    ": below threshold");
	}
	if (!any)
		g_string_append(out, "  (none)\n");
	g_string_append_printf(out, "decision: %s%s%s\n",
	    v->escalate ? "escalate" : "no escalation",
	    v->followup ? " (follow-up)" : "",
	    r->trusted ? " (trusted sender: not judged)" : "");
}

char *
explain_message(const char *file, const struct msg_result *r,
    const struct ruleset *rs, struct rules_scratch *s)
{
	GString *out = g_string_new(NULL);

	g_string_append_printf(out, "== %s\n", file);
	g_string_append_printf(out, "mime: %u part(s), %u text part(s) "
	    "used%s%s\n", r->ex.parts, r->ex.text_parts,
	    r->ex.parse_error ? ", parse error" : "",
	    r->truncated ? ", truncated at a limit" : "");
	if (r->ex.subject != NULL) {
		g_string_append(out, "subject: ");
		explain_put(out, r->ex.subject, strlen(r->ex.subject),
		    EXPLAIN_WIDTH * 2);
		g_string_append_c(out, '\n');
	}
	explain_text(out, r->norm != NULL ? r->norm : "",
	    r->norm != NULL ? r->norm_len : 0);
	if (r->norm != NULL)
		explain_hits(out, r, rs, s);
	explain_verdict(out, r);
	return g_string_free(out, FALSE);
}
