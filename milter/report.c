/*
 * report.c - JSON for -t and the per-message log summary.
 */
#include "report.h"

#include <json-glib/json-glib.h>

static void
report_signals(JsonBuilder *b, const struct verdict *v)
{
	json_builder_set_member_name(b, "signals");
	json_builder_begin_object(b);
	for (size_t i = 0; i < v->nsig; i++) {
		const struct signal *s = &v->sig[i];
		const char *st = rules_state_name(s->state);

		if (s->count == 0)
			continue;
		json_builder_set_member_name(b, s->cat->id);
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "count");
		json_builder_add_int_value(b, s->count + s->prior);
		json_builder_set_member_name(b, "message_count");
		json_builder_add_int_value(b, s->count);
		json_builder_set_member_name(b, "history_count");
		json_builder_add_int_value(b, s->prior);
		json_builder_set_member_name(b, "threshold");
		json_builder_add_int_value(b, s->threshold);
		json_builder_set_member_name(b, "fired");
		json_builder_add_boolean_value(b, s->fired);
		json_builder_set_member_name(b, "state");
		if (st != NULL)
			json_builder_add_string_value(b, st);
		else
			json_builder_add_null_value(b);
		json_builder_set_member_name(b, "evidence");
		json_builder_begin_array(b);
		for (guint j = 0; j < s->evidence->len; j++) {
			const struct evidence *e =
			    g_ptr_array_index(s->evidence, j);

			json_builder_begin_object(b);
			json_builder_set_member_name(b, "rule");
			json_builder_add_string_value(b, e->rule->id);
			json_builder_set_member_name(b, "text");
			json_builder_add_string_value(b, e->text);
			json_builder_set_member_name(b, "offset");
			json_builder_add_int_value(b, (gint64)e->offset);
			json_builder_end_object(b);
		}
		json_builder_end_array(b);
		json_builder_end_object(b);
	}
	json_builder_end_object(b);
}

/* "route": {"action", "to", "channel", "shadow", "skipped"} or null */
static void
report_route(JsonBuilder *b, const struct msg_result *r)
{
	const struct route *ro = &r->route;

	json_builder_set_member_name(b, "route");
	if (!ro->routed) {
		json_builder_add_null_value(b);
		return;
	}
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "action");
	json_builder_add_string_value(b, route_action_name(ro->action));
	json_builder_set_member_name(b, "to");
	if (ro->to != NULL)
		json_builder_add_string_value(b, ro->to);
	else
		json_builder_add_null_value(b);
	json_builder_set_member_name(b, "channel");
	if (ro->channel != NULL)
		json_builder_add_string_value(b, ro->channel->name);
	else
		json_builder_add_null_value(b);
	json_builder_set_member_name(b, "shadow");
	json_builder_add_boolean_value(b, ro->shadow);
	json_builder_set_member_name(b, "skipped");
	if (ro->skipped != NULL)
		json_builder_add_string_value(b, ro->skipped);
	else
		json_builder_add_null_value(b);
	json_builder_end_object(b);
}

char *
report_json(const char *file, const struct msg_result *r)
{
	JsonBuilder *b = json_builder_new();
	JsonGenerator *g;
	JsonNode *root;
	char *out;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "file");
	json_builder_add_string_value(b, file);
	json_builder_set_member_name(b, "escalate");
	json_builder_add_boolean_value(b, r->verdict.escalate);
	json_builder_set_member_name(b, "categories");
	json_builder_begin_array(b);
	for (size_t i = 0; i < r->verdict.nsig; i++)
		if (r->verdict.sig[i].fired)
			json_builder_add_string_value(b,
			    r->verdict.sig[i].cat->id);
	json_builder_end_array(b);
	json_builder_set_member_name(b, "followup");
	json_builder_add_boolean_value(b, r->verdict.followup);
	json_builder_set_member_name(b, "history");
	if (r->history_used)
		json_builder_add_string_value(b, "used");
	else if (r->history_unavailable)
		json_builder_add_string_value(b, "unavailable");
	else
		json_builder_add_null_value(b);
	report_signals(b, &r->verdict);
	json_builder_set_member_name(b, "subject");
	if (r->tag.subject_utf8 != NULL)
		json_builder_add_string_value(b, r->tag.subject_utf8);
	else
		json_builder_add_null_value(b);
	json_builder_set_member_name(b, "headers");
	json_builder_begin_array(b);
	if (r->tag.subject != NULL) {
		json_builder_begin_array(b);
		json_builder_add_string_value(b, "Subject");
		json_builder_add_string_value(b, r->tag.subject);
		json_builder_end_array(b);
	}
	for (guint i = 0; r->tag.add != NULL && i < r->tag.add->len; i++) {
		const struct hdr *h = g_ptr_array_index(r->tag.add, i);

		json_builder_begin_array(b);
		json_builder_add_string_value(b, h->name);
		json_builder_add_string_value(b, h->value);
		json_builder_end_array(b);
	}
	json_builder_end_array(b);
	json_builder_set_member_name(b, "removed");
	json_builder_begin_array(b);
	for (size_t i = 0; i < r->nremove; i++) {
		json_builder_begin_array(b);
		json_builder_add_string_value(b, r->remove[i].name);
		json_builder_add_int_value(b, r->remove[i].index);
		json_builder_end_array(b);
	}
	json_builder_end_array(b);
	report_route(b, r);
	json_builder_set_member_name(b, "truncated");
	json_builder_add_boolean_value(b, r->truncated);
	json_builder_end_object(b);

	root = json_builder_get_root(b);
	g = json_generator_new();
	json_generator_set_root(g, root);
	out = json_generator_to_data(g, NULL);
	json_node_unref(root);
	g_object_unref(g);
	g_object_unref(b);
	return out;
}

char *
report_summary(const struct msg_result *r, const char *action)
{
	GString *s = g_string_new("categories=");
	bool any = false;

	for (size_t i = 0; i < r->verdict.nsig; i++) {
		if (!r->verdict.sig[i].fired)
			continue;
		g_string_append_printf(s, "%s%s", any ? "," : "",
		    r->verdict.sig[i].cat->id);
		any = true;
	}
	if (!any)
		g_string_append(s, "-");
	g_string_append(s, " signals=");
	any = false;
	for (size_t i = 0; i < r->verdict.nsig; i++) {
		const struct signal *sg = &r->verdict.sig[i];

		if (sg->count == 0)
			continue;
		g_string_append_printf(s, "%s%s:%u/%u", any ? "," : "",
		    sg->cat->id, sg->count + sg->prior, sg->threshold);
		any = true;
	}
	if (!any)
		g_string_append(s, "-");
	if (r->route.routed)
		g_string_append_printf(s, " channel=%s route=%s%s%s%s",
		    r->route.channel ? r->route.channel->name : "-",
		    route_action_name(r->route.action),
		    r->route.to ? ":" : "", r->route.to ? r->route.to : "",
		    r->route.shadow ? "(shadow)" : "");
	if (r->verdict.followup)
		g_string_append(s, " followup=yes");
	if (r->history_unavailable)
		g_string_append(s, " history=unavailable");
	if (r->route.skipped != NULL)
		g_string_append_printf(s, " not_routed=%s", r->route.skipped);
	g_string_append_printf(s, " forged_removed=%zu truncated=%s action=%s",
	    r->nremove, r->truncated ? "yes" : "no", action);
	return g_string_free(s, FALSE);
}
