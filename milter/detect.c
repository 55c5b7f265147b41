/*
 * detect.c - per-category signal counting over one scan of the text.
 *
 * Hits are collected from the single multi-pattern scan, then for each
 * category: hits inside an exclusion span are dropped, overlapping hits
 * merge into one expression, and expressions are counted: distinct ones
 * (by normalised text), or every one for a "count: each" category
 * (except an immediate repetition of the same words).
 * Evidence keeps the first max_evidence expressions.
 */
#include "detect.h"

#include <string.h>

#include "log.h"

struct detect_hit {
	const struct rule *rule;
	size_t from, to;
};

/*
 * In a "count: each" category, the same expression again within this
 * many bytes of the previous one is one outburst, not two.
 */
#define DETECT_REPEAT_GAP 16

/* Collects hits; bounded so that hostile text cannot grow it forever. */
#define DETECT_MAX_HITS 4096

struct detect_ctx {
	GArray *hits;	/* struct detect_hit */
	bool overflow;
};

static int
detect_on_hit(const struct rule *r, size_t from, size_t to, void *arg)
{
	struct detect_ctx *ctx = arg;
	struct detect_hit h = { r, from, to };

	if (ctx->hits->len >= DETECT_MAX_HITS) {
		ctx->overflow = true;
		return 1;
	}
	g_array_append_val(ctx->hits, h);
	return 0;
}

static int
detect_cmp_hit(const void *a, const void *b)
{
	const struct detect_hit *x = a, *y = b;

	if (x->rule->cat != y->rule->cat)
		return x->rule->cat < y->rule->cat ? -1 : 1;
	if (x->from != y->from)
		return x->from < y->from ? -1 : 1;
	/* longest first at the same start */
	if (x->to != y->to)
		return x->to > y->to ? -1 : 1;
	return 0;
}

void
verdict_init(struct verdict *v)
{
	memset(v, 0, sizeof(*v));
}

void
verdict_clear(struct verdict *v)
{
	for (size_t i = 0; i < v->nsig; i++) {
		GPtrArray *ev = v->sig[i].evidence;

		for (guint j = 0; ev != NULL && j < ev->len; j++) {
			struct evidence *e = g_ptr_array_index(ev, j);

			g_free(e->text);
			g_free(e);
		}
		if (ev != NULL)
			g_ptr_array_free(ev, TRUE);
	}
	g_free(v->sig);
	verdict_init(v);
}

void
verdict_decide(struct verdict *v)
{
	bool follow = false;

	v->escalate = false;
	for (size_t i = 0; i < v->nsig; i++) {
		struct signal *s = &v->sig[i];

		s->fired = s->count > 0 &&
		    (s->decisive || s->count + s->prior >= s->threshold);
		if (s->fired)
			v->escalate = true;
		follow = follow || s->followup;
	}
	v->followup = !v->escalate && follow;
	if (v->followup)
		v->escalate = true;
}

/* True when [from,to) lies within an exclusion hit of the same category. */
static bool
detect_excluded(const struct detect_hit *h, const struct detect_hit *all,
    size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct detect_hit *x = &all[i];

		if (x->rule->cat != h->rule->cat || !x->rule->exclude)
			continue;
		if (x->from <= h->from && h->to <= x->to)
			return true;
		if (x->from > h->from)
			break;	/* sorted by start within the category */
	}
	return false;
}

/* Excerpt of text[from,to), cut to at most maxchars characters. */
static char *
detect_excerpt(const char *text, size_t from, size_t to, unsigned maxchars)
{
	const char *p = text + from, *end = text + to;
	unsigned n = 0;

	while (p < end && n < maxchars) {
		p = g_utf8_next_char(p);
		n++;
	}
	if (p > end)
		p = end;
	return g_strndup(text + from, (gsize)(p - (text + from)));
}

/* Counts one category's hits h[0..n), already sorted by start. */
static void
detect_category(struct signal *s, const struct detect_hit *h, size_t n,
    const struct detect_hit *all, size_t nall, const char *text,
    const struct limits *lim)
{
	GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal,
	    g_free, NULL);
	const char *last = NULL;	/* last counted expression, in seen */
	size_t i = 0, last_end = 0;

	while (i < n) {
		const struct detect_hit *first;
		size_t end, j;
		char *key;

		if (h[i].rule->exclude || detect_excluded(&h[i], all, nall)) {
			i++;
			continue;
		}
		/* merge every non-excluded hit overlapping this expression */
		first = &h[i];
		end = first->to;
		for (j = i + 1; j < n && h[j].from < end; j++) {
			if (h[j].rule->exclude ||
			    detect_excluded(&h[j], all, nall))
				continue;
			if (h[j].to > end)
				end = h[j].to;
			if (h[j].rule->decisive)
				s->decisive = true;
			if (h[j].rule->state > s->state)
				s->state = h[j].rule->state;
		}
		if (first->rule->decisive)
			s->decisive = true;
		if (first->rule->state > s->state)
			s->state = first->rule->state;
		key = g_strndup(text + first->from, end - first->from);
		if (s->cat->count_each && last != NULL &&
		    strcmp(last, key) == 0 &&
		    first->from - last_end <= DETECT_REPEAT_GAP) {
			/* "fuck fuck fuck", "useless. absolutely useless" */
			last_end = end;
			g_free(key);
		} else if (s->cat->count_each ||
		    !g_hash_table_contains(seen, key)) {
			last_end = end;
			s->count++;
			if (s->evidence->len < lim->max_evidence) {
				struct evidence *e = g_new0(struct evidence, 1);

				e->rule = first->rule;
				e->offset = first->from;
				e->text = detect_excerpt(text, first->from, end,
				    lim->max_excerpt);
				g_ptr_array_add(s->evidence, e);
			}
			g_hash_table_add(seen, key);
			last = key;
		} else {
			g_free(key);
		}
		i = j;
	}
	g_hash_table_destroy(seen);
}

void
detect_run(const struct ruleset *rs, struct rules_scratch *scratch,
    const char *text, size_t len, const struct limits *lim,
    struct verdict *v)
{
	struct detect_ctx ctx = { NULL, false };
	struct detect_hit *h;
	size_t n, i;

	verdict_clear(v);
	v->nsig = ruleset_ncats(rs);
	v->sig = g_new0(struct signal, v->nsig ? v->nsig : 1);
	for (i = 0; i < v->nsig; i++) {
		v->sig[i].cat = ruleset_cat(rs, i);
		v->sig[i].threshold = v->sig[i].cat->threshold;
		v->sig[i].evidence = g_ptr_array_new();
	}

	ctx.hits = g_array_new(FALSE, FALSE, sizeof(struct detect_hit));
	if (ruleset_scan(rs, scratch, text, len, detect_on_hit, &ctx) != 0)
		v->scan_error = true;
	v->overflow = ctx.overflow;
	if (ctx.overflow)
		log_warn("detect: more than %d rule hits; the rest ignored",
		    DETECT_MAX_HITS);
	g_array_sort(ctx.hits, detect_cmp_hit);
	h = (struct detect_hit *)(void *)ctx.hits->data;
	n = ctx.hits->len;

	for (i = 0; i < n;) {
		size_t j = i;
		int cat = h[i].rule->cat;

		while (j < n && h[j].rule->cat == cat)
			j++;
		detect_category(&v->sig[cat], &h[i], j - i, &h[i], j - i,
		    text, lim);
		i = j;
	}
	g_array_free(ctx.hits, TRUE);
	verdict_decide(v);
}
