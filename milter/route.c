/*
 * route.c - channel recognition, trust, and the route decision.
 */
#include "route.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

static const char *const route_names[] = { "tag", "copy", "reroute", "hold",
	NULL };

const char *
route_action_name(enum route_action a)
{
	if (a < ROUTE_TAG || a > ROUTE_HOLD)
		return "inherit";
	return route_names[a];
}

int
route_action_from_name(const char *name)
{
	for (int i = 0; route_names[i] != NULL; i++)
		if (strcmp(name, route_names[i]) == 0)
			return i;
	return -1;
}

void
envelope_init(struct envelope *e)
{
	memset(e, 0, sizeof(*e));
	e->rcpts = g_ptr_array_new_with_free_func(g_free);
}

void
envelope_clear(struct envelope *e)
{
	g_free(e->from);
	e->from = NULL;
	if (e->rcpts != NULL)
		g_ptr_array_set_size(e->rcpts, 0);
	e->rcpts_truncated = false;
}

void
envelope_set_from(struct envelope *e, const char *from)
{
	g_free(e->from);
	e->from = g_strdup(from);
}

void
envelope_add_rcpt(struct envelope *e, const char *rcpt, unsigned max)
{
	if (e->rcpts->len >= max) {
		e->rcpts_truncated = true;
		return;
	}
	g_ptr_array_add(e->rcpts, g_strdup(rcpt));
}

char *
route_addr_norm(const char *addr)
{
	const char *p = addr, *end;

	if (addr == NULL)
		return g_strdup("");
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '<')
		p++;
	end = p + strlen(p);
	while (end > p && (end[-1] == ' ' || end[-1] == '\t' ||
	    end[-1] == '>'))
		end--;
	return g_ascii_strdown(p, end - p);
}

/* True when address a (normalised) matches entry: an address or domain. */
static bool
route_addr_matches(const char *a, const char *entry)
{
	const char *at = strrchr(a, '@');

	if (entry[0] == '@')
		entry++;
	else if (strchr(entry, '@') != NULL)
		return strcmp(a, entry) == 0;
	return at != NULL && strcmp(at + 1, entry) == 0;
}

static bool
route_addr_in(const char *raw, char *const *list)
{
	char *a;
	bool hit = false;

	if (list == NULL || raw == NULL)
		return false;
	a = route_addr_norm(raw);
	for (size_t i = 0; list[i] != NULL && !hit; i++)
		hit = route_addr_matches(a, list[i]);
	g_free(a);
	return hit;
}

bool
route_net_parse(const char *s, struct route_net *out)
{
	char buf[64];
	const char *slash = strchr(s, '/');
	size_t len = slash ? (size_t)(slash - s) : strlen(s);
	unsigned max;

	if (len == 0 || len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, buf, out->addr) == 1) {
		out->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, out->addr) == 1) {
		out->family = AF_INET6;
		max = 128;
	} else {
		return false;
	}
	out->prefix = max;
	if (slash != NULL) {
		char *end;
		unsigned long p = strtoul(slash + 1, &end, 10);

		if (slash[1] == '\0' || *end != '\0' || p > max)
			return false;
		out->prefix = (unsigned)p;
	}
	return true;
}

static bool
route_net_contains(const struct route_net *n, int family,
    const unsigned char *addr)
{
	unsigned full = n->prefix / 8, rest = n->prefix % 8;

	if (n->family != family)
		return false;
	if (memcmp(n->addr, addr, full) != 0)
		return false;
	if (rest == 0)
		return true;
	return ((n->addr[full] ^ addr[full]) & (0xff << (8 - rest))) == 0;
}

/* The client address as a family and bytes (IPv4-mapped IPv6 as v4). */
static bool
route_client(const struct envelope *env, int *family, unsigned char *addr)
{
	const struct sockaddr_storage *ss = &env->client;

	if (!env->have_client)
		return false;
	if (ss->ss_family == AF_INET) {
		*family = AF_INET;
		memcpy(addr, &((const struct sockaddr_in *)ss)->sin_addr, 4);
		return true;
	}
	if (ss->ss_family == AF_INET6) {
		const struct in6_addr *a6 =
		    &((const struct sockaddr_in6 *)ss)->sin6_addr;

		if (IN6_IS_ADDR_V4MAPPED(a6)) {
			*family = AF_INET;
			memcpy(addr, a6->s6_addr + 12, 4);
		} else {
			*family = AF_INET6;
			memcpy(addr, a6->s6_addr, 16);
		}
		return true;
	}
	return false;
}

bool
route_trusted(const struct routing *rt, const struct envelope *env)
{
	unsigned char addr[16];
	int family;

	if (route_addr_in(env->from, rt->trusted_senders))
		return true;
	if (!route_client(env, &family, addr))
		return false;
	for (size_t i = 0; i < rt->ntrusted_nets; i++)
		if (route_net_contains(&rt->trusted_nets[i], family, addr))
			return true;
	return false;
}

const struct route_channel *
route_channel_for(const struct routing *rt, const struct envelope *env)
{
	const struct route_channel *dflt = NULL;

	for (size_t i = 0; i < rt->nchannels; i++) {
		const struct route_channel *ch = &rt->channels[i];

		if (ch->is_default)
			dflt = ch;
		if (route_addr_in(env->from, ch->senders))
			return ch;
		for (guint j = 0; j < env->rcpts->len; j++)
			if (route_addr_in(g_ptr_array_index(env->rcpts, j),
			    ch->recipients))
				return ch;
	}
	return dflt;
}

void
route_apply_thresholds(const struct route_channel *ch, struct verdict *v)
{
	if (ch == NULL || ch->thresholds == NULL)
		return;
	for (size_t i = 0; i < v->nsig; i++)
		if (ch->thresholds[i] > 0)
			v->sig[i].threshold = ch->thresholds[i];
	verdict_decide(v);
}

/*
 * The action for category cat, most specific first: the channel's for
 * the category, the global one for the category, the channel's default,
 * the global default.
 */
static enum route_action
route_action_for(const struct routing *rt, const struct route_channel *ch,
    size_t cat)
{
	if (ch->actions != NULL && ch->actions[cat] != ROUTE_INHERIT)
		return (enum route_action)ch->actions[cat];
	if (rt->actions != NULL && rt->actions[cat] != ROUTE_INHERIT)
		return (enum route_action)rt->actions[cat];
	if (ch->default_action != ROUTE_INHERIT)
		return (enum route_action)ch->default_action;
	return (enum route_action)rt->default_action;
}

/* True when a recipient is already one of the domestic queues. */
static bool
route_is_loop(const struct routing *rt, const struct envelope *env)
{
	for (guint j = 0; j < env->rcpts->len; j++) {
		char *a = route_addr_norm(g_ptr_array_index(env->rcpts, j));
		bool hit = false;

		for (size_t i = 0; i < rt->nchannels && !hit; i++)
			hit = g_ascii_strcasecmp(a, rt->channels[i].domestic) ==
			    0;
		g_free(a);
		if (hit)
			return true;
	}
	return false;
}

void
route_decide(const struct routing *rt, const struct route_channel *ch,
    const struct envelope *env, const struct verdict *v, bool trusted,
    struct route *out)
{
	memset(out, 0, sizeof(*out));
	out->action = ROUTE_TAG;
	if (!v->escalate || rt->nchannels == 0)
		return;
	out->routed = true;
	out->channel = ch;
	out->shadow = rt->shadow;
	if (ch == NULL) {
		out->skipped = "no-channel";
		return;
	}
	for (size_t i = 0; i < v->nsig && i < rt->ncats; i++) {
		enum route_action a;

		/* a follow-up goes where the earlier escalation went */
		if (!(v->followup ? v->sig[i].followup : v->sig[i].fired))
			continue;
		a = route_action_for(rt, ch, i);
		if (a > out->action)
			out->action = a;
	}
	if (out->action == ROUTE_COPY || out->action == ROUTE_REROUTE)
		out->to = ch->domestic;
	if (trusted)
		out->skipped = "trusted";
	else if (route_is_loop(rt, env))
		out->skipped = "loop";
}

unsigned
route_actions_possible(const struct routing *rt)
{
	unsigned bits = 1u << ROUTE_TAG;

	if (rt->nchannels == 0 || rt->shadow)
		return bits;
	for (size_t c = 0; c < rt->nchannels; c++)
		for (size_t i = 0; i < rt->ncats; i++)
			bits |= 1u << route_action_for(rt, &rt->channels[c], i);
	return bits;
}

static void
route_channel_free(struct route_channel *ch)
{
	g_free(ch->name);
	g_strfreev(ch->senders);
	g_strfreev(ch->recipients);
	g_free(ch->domestic);
	g_free(ch->owner);
	g_free(ch->actions);
	g_free(ch->thresholds);
}

void
routing_free(struct routing *rt)
{
	for (size_t i = 0; i < rt->nchannels; i++)
		route_channel_free(&rt->channels[i]);
	g_free(rt->channels);
	for (size_t i = 0; i < rt->nextra; i++) {
		g_free(rt->extra[i].name);
		g_free(rt->extra[i].value);
	}
	g_free(rt->extra);
	g_free(rt->actions);
	g_strfreev(rt->trusted_senders);
	g_free(rt->trusted_nets);
	memset(rt, 0, sizeof(*rt));
}
