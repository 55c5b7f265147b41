/*
 * history_mem.c - the in-process history backend ("memory:"): fresh at
 * every start, for tests and -t runs.  It is also the reference for the
 * semantics the other backends implement (history.h).  A mutex makes
 * every call atomic.
 */
#include "history.h"

#include <json-glib/json-glib.h>
#include <pthread.h>
#include <string.h>

struct mem_rec {
	char *customer, *order, *msgid;
	char *cat;		/* NULL: an escalation mark */
	char *rule;		/* or the fired list of a mark */
	unsigned count;
	int64_t t;
};

struct hist_mem {
	struct history base;
	pthread_mutex_t lock;
	GPtrArray *recs;	/* struct mem_rec * */
};

static void
mem_rec_free(gpointer p)
{
	struct mem_rec *r = p;

	g_free(r->customer);
	g_free(r->order);
	g_free(r->msgid);
	g_free(r->cat);
	g_free(r->rule);
	g_free(r);
}

/* The record belongs to this customer, or to the same order number. */
static bool
mem_related(const struct mem_rec *r, const struct hist_msg *m)
{
	if (strcmp(r->customer, m->customer) == 0)
		return true;
	return m->order != NULL && r->order != NULL &&
	    strcmp(r->order, m->order) == 0;
}

static bool
mem_same_msg(const struct mem_rec *r, const struct hist_msg *m, bool mark)
{
	return strcmp(r->customer, m->customer) == 0 &&
	    strcmp(r->msgid, m->msgid) == 0 && (r->cat == NULL) == mark;
}

static void
mem_add(struct hist_mem *h, const struct hist_msg *m, const char *cat,
    const char *rule, unsigned count)
{
	struct mem_rec *r = g_new0(struct mem_rec, 1);

	r->customer = g_strdup(m->customer);
	r->order = g_strdup(m->order);
	r->msgid = g_strdup(m->msgid);
	r->cat = g_strdup(cat);
	r->rule = g_strdup(rule);
	r->count = count;
	r->t = m->now;
	g_ptr_array_add(h->recs, r);
}

static int
mem_exchange(struct history *base, const struct hist_msg *m,
    struct hist_result *res, char **err)
{
	struct hist_mem *h = (struct hist_mem *)base;

	(void)err;
	pthread_mutex_lock(&h->lock);
	for (guint i = h->recs->len; i-- > 0;)
		if (mem_same_msg(g_ptr_array_index(h->recs, i), m, false))
			g_ptr_array_remove_index(h->recs, i);
	for (guint i = 0; i < h->recs->len; i++) {
		const struct mem_rec *r = g_ptr_array_index(h->recs, i);

		if (!mem_related(r, m) || strcmp(r->msgid, m->msgid) == 0)
			continue;
		if (r->cat == NULL) {
			if (m->sticky_window > 0 &&
			    r->t >= m->now - m->sticky_window &&
			    r->t >= res->sticky_time) {
				res->sticky = true;
				res->sticky_time = r->t;
				g_free(res->sticky_fired);
				res->sticky_fired = g_strdup(r->rule);
			}
			continue;
		}
		for (size_t c = 0; c < m->ncats; c++) {
			if (strcmp(r->cat, m->cat_ids[c]) != 0 ||
			    r->t < m->now - m->windows[c])
				continue;
			res->prior[c] += r->count;
			if (res->first[c] == 0 || r->t < res->first[c])
				res->first[c] = r->t;
		}
	}
	for (size_t c = 0; c < m->ncats; c++)
		if (m->counts[c] > 0)
			mem_add(h, m, m->cat_ids[c], m->rules[c], m->counts[c]);
	pthread_mutex_unlock(&h->lock);
	return 0;
}

static int
mem_mark(struct history *base, const struct hist_msg *m, const char *fired,
    char **err)
{
	struct hist_mem *h = (struct hist_mem *)base;

	(void)err;
	pthread_mutex_lock(&h->lock);
	for (guint i = h->recs->len; i-- > 0;)
		if (mem_same_msg(g_ptr_array_index(h->recs, i), m, true))
			g_ptr_array_remove_index(h->recs, i);
	mem_add(h, m, NULL, fired, 0);
	pthread_mutex_unlock(&h->lock);
	return 0;
}

static void
mem_json_str(JsonBuilder *b, const char *key, const char *v)
{
	json_builder_set_member_name(b, key);
	if (v != NULL)
		json_builder_add_string_value(b, v);
	else
		json_builder_add_null_value(b);
}

/* The customer's records as a JSON array (the shape all backends share). */
static int
mem_dump(struct history *base, const char *customer, GString *out,
    char **err)
{
	struct hist_mem *h = (struct hist_mem *)base;
	JsonBuilder *b = json_builder_new();
	JsonGenerator *gen;
	JsonNode *root;

	(void)err;
	json_builder_begin_array(b);
	pthread_mutex_lock(&h->lock);
	for (guint i = 0; i < h->recs->len; i++) {
		const struct mem_rec *r = g_ptr_array_index(h->recs, i);

		if (strcmp(r->customer, customer) != 0)
			continue;
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "time");
		json_builder_add_int_value(b, r->t);
		mem_json_str(b, "category", r->cat);
		mem_json_str(b, r->cat ? "rule" : "escalated",
		    r->rule ? r->rule : "");
		json_builder_set_member_name(b, "count");
		json_builder_add_int_value(b, r->count);
		mem_json_str(b, "order", r->order);
		mem_json_str(b, "msgid", r->msgid);
		json_builder_end_object(b);
	}
	pthread_mutex_unlock(&h->lock);
	json_builder_end_array(b);
	gen = json_generator_new();
	root = json_builder_get_root(b);
	json_generator_set_root(gen, root);
	json_generator_to_gstring(gen, out);
	json_node_unref(root);
	g_object_unref(gen);
	g_object_unref(b);
	return 0;
}

static int
mem_forget(struct history *base, const char *customer, unsigned *removed,
    char **err)
{
	struct hist_mem *h = (struct hist_mem *)base;

	(void)err;
	*removed = 0;
	pthread_mutex_lock(&h->lock);
	for (guint i = h->recs->len; i-- > 0;) {
		const struct mem_rec *r = g_ptr_array_index(h->recs, i);

		if (strcmp(r->customer, customer) == 0) {
			g_ptr_array_remove_index(h->recs, i);
			(*removed)++;
		}
	}
	pthread_mutex_unlock(&h->lock);
	return 0;
}

static int
mem_prune(struct history *base, int64_t before, char **err)
{
	struct hist_mem *h = (struct hist_mem *)base;

	(void)err;
	pthread_mutex_lock(&h->lock);
	for (guint i = h->recs->len; i-- > 0;)
		if (((struct mem_rec *)g_ptr_array_index(h->recs, i))->t <
		    before)
			g_ptr_array_remove_index(h->recs, i);
	pthread_mutex_unlock(&h->lock);
	return 0;
}

static void
mem_close(struct history *base)
{
	struct hist_mem *h = (struct hist_mem *)base;

	g_ptr_array_free(h->recs, TRUE);
	pthread_mutex_destroy(&h->lock);
	g_free(h);
}

static const struct hist_ops mem_ops = {
	"memory", mem_exchange, mem_mark, mem_dump, mem_forget, mem_prune,
	mem_close,
};

struct history *
hist_mem_open(char **err)
{
	struct hist_mem *h = g_new0(struct hist_mem, 1);

	(void)err;
	h->base.ops = &mem_ops;
	pthread_mutex_init(&h->lock, NULL);
	h->recs = g_ptr_array_new_with_free_func(mem_rec_free);
	return &h->base;
}
