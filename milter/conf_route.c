/*
 * conf_route.c - the "routing:" and "channels:" sections of the config.
 *
 * Read after the rules are loaded, so per-category keys are checked
 * against the real category ids.  Every problem is reported with its
 * file:line:col; nothing is built unless all of it is valid.
 */
#include "conf_route.h"

#include <string.h>

#include "rules.h"
#include "tag.h"

static const char *const route_keys[] = { "mode", "default_action",
	"actions", "trusted_senders", "trusted_networks", "extra_headers",
	NULL };
static const char *const channel_keys[] = { "name", "senders",
	"recipients", "domestic", "owner", "default", "default_action",
	"actions", "thresholds", NULL };
static const char *const hdr_keys[] = { "name", "value", NULL };
static const char *const modes[] = { "enforce", "shadow", NULL };
static const char *const actions[] = { "tag", "copy", "reroute", "hold",
	NULL };
static const char *const placeholders[] = { "{channel}", "{categories}",
	"{owner}", "{domestic}", "{action}", NULL };

/* A plain address: local@domain, printable ASCII, no spaces or <>. */
static bool
conf_route_is_addr(const char *s)
{
	const char *at = strrchr(s, '@');

	if (at == NULL || at == s || at[1] == '\0' || strlen(s) > 254)
		return false;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f ||
		    strchr("<>()[],;:\\\"", *p) != NULL)
			return false;
	return true;
}

/* An address or a domain (optionally "@domain"). */
static bool
conf_route_is_addr_or_domain(const char *s)
{
	if (strchr(s, '@') != NULL && s[0] != '@')
		return conf_route_is_addr(s);
	if (s[0] == '@')
		s++;
	if (*s == '\0' || strlen(s) > 253)
		return false;
	for (const char *p = s; *p; p++)
		if (!g_ascii_isalnum(*p) && *p != '-' && *p != '.')
			return false;
	return true;
}

/* A list of addresses/domains, lower-cased. */
static bool
conf_route_addrs(struct ydoc *y, yaml_node_t *n, const char *what,
    char ***out)
{
	bool ok;

	if (!ydoc_strv(y, n, what, out))
		return false;
	ok = true;
	for (size_t i = 0; (*out)[i] != NULL; i++) {
		char *low = g_ascii_strdown((*out)[i], -1);

		g_free((*out)[i]);
		(*out)[i] = low;
		if (!conf_route_is_addr_or_domain(low)) {
			ydoc_error(y, n, "%s: '%s' is not an address or a "
			    "domain", what, low);
			ok = false;
		}
	}
	return ok;
}

static bool
conf_route_action(struct ydoc *y, yaml_node_t *n, const char *what, int *out)
{
	return ydoc_enum(y, n, what, actions, out);
}

/*
 * A mapping category-id -> action (or threshold when thresholds is set)
 * into a new per-category array.
 */
static bool
conf_route_percat(struct ydoc *y, yaml_node_t *n, const char *what,
    const struct ruleset *rs, bool thresholds, void **out)
{
	size_t ncats = ruleset_ncats(rs);
	int *acts = NULL;
	unsigned *ths = NULL;
	bool ok = true;

	if (n->type != YAML_MAPPING_NODE) {
		ydoc_error(y, n, "%s: expected a mapping of category ids",
		    what);
		return false;
	}
	if (thresholds)
		ths = g_new0(unsigned, ncats ? ncats : 1);
	else {
		acts = g_new(int, ncats ? ncats : 1);
		for (size_t i = 0; i < ncats; i++)
			acts[i] = ROUTE_INHERIT;
	}
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
	    p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(&y->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(&y->doc, p->value);
		const char *id;
		int cat;

		if (!ydoc_scalar(y, k, what, &id)) {
			ok = false;
			continue;
		}
		cat = ruleset_cat_index(rs, id);
		if (cat < 0) {
			ydoc_error(y, k, "%s: no category '%s' in the rules",
			    what, id);
			ok = false;
			continue;
		}
		if (thresholds) {
			unsigned long t;

			if (ydoc_ulong(y, v, id, 1, 1000, &t))
				ths[cat] = (unsigned)t;
			else
				ok = false;
		} else if (!conf_route_action(y, v, id, &acts[cat])) {
			ok = false;
		}
	}
	if (!ok) {
		g_free(acts);
		g_free(ths);
		return false;
	}
	*out = thresholds ? (void *)ths : (void *)acts;
	return true;
}

/* Header template: a valid field name that is not ours, a known value. */
static bool
conf_route_hdr(struct ydoc *y, yaml_node_t *n, struct route_hdr *h)
{
	static const char *const reserved[] = { "subject", "from", "to", "cc",
		"bcc", "date", "message-id", "received", "return-path",
		"sender", "reply-to", NULL };
	yaml_node_t *name, *value;
	bool ok = true;

	if (!ydoc_check_map(y, n, "extra_headers", hdr_keys))
		return false;
	name = ydoc_get(y, n, "name");
	value = ydoc_get(y, n, "value");
	if (name == NULL || value == NULL) {
		ydoc_error(y, n, "extra_headers: needs name and value");
		return false;
	}
	if (!ydoc_str(y, name, "name", &h->name) ||
	    !ydoc_str(y, value, "value", &h->value))
		return false;
	for (const char *p = h->name; *p; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f ||
		    *p == ':')
			ok = false;
	if (!ok || *h->name == '\0' || strlen(h->name) > 76) {
		ydoc_error(y, name, "name: '%s' is not a header field name",
		    h->name);
		return false;
	}
	for (int i = 0; reserved[i] != NULL; i++)
		if (g_ascii_strcasecmp(h->name, reserved[i]) == 0)
			ok = false;
	if (!ok || tag_is_ours(h->name)) {
		ydoc_error(y, name, "name: '%s' is reserved", h->name);
		return false;
	}
	if (strpbrk(h->value, "\r\n") != NULL ||
	    !g_utf8_validate(h->value, -1, NULL) || strlen(h->value) > 400) {
		ydoc_error(y, value, "value: must be one line of UTF-8 text "
		    "(at most 400 bytes)");
		return false;
	}
	for (const char *p = strchr(h->value, '{'); p != NULL;
	    p = strchr(p + 1, '{')) {
		int i;

		for (i = 0; placeholders[i] != NULL; i++)
			if (strncmp(p, placeholders[i],
			    strlen(placeholders[i])) == 0)
				break;
		if (placeholders[i] == NULL) {
			ydoc_error(y, value, "value: unknown placeholder at "
			    "'%.20s' (known: {channel} {categories} {owner} "
			    "{domestic} {action})", p);
			return false;
		}
	}
	return true;
}

static void
conf_route_global(struct ydoc *y, yaml_node_t *n, const struct ruleset *rs,
    struct routing *rt, bool *ok)
{
	yaml_node_t *v;
	int e;

	if (!ydoc_check_map(y, n, "routing", route_keys)) {
		*ok = false;
		return;
	}
	if ((v = ydoc_get(y, n, "mode")) != NULL) {
		if (ydoc_enum(y, v, "mode", modes, &e))
			rt->shadow = e == 1;
		else
			*ok = false;
	}
	if ((v = ydoc_get(y, n, "default_action")) != NULL &&
	    !conf_route_action(y, v, "default_action", &rt->default_action))
		*ok = false;
	if ((v = ydoc_get(y, n, "actions")) != NULL &&
	    !conf_route_percat(y, v, "actions", rs, false,
		(void **)&rt->actions))
		*ok = false;
	if ((v = ydoc_get(y, n, "trusted_senders")) != NULL &&
	    !conf_route_addrs(y, v, "trusted_senders", &rt->trusted_senders))
		*ok = false;
	if ((v = ydoc_get(y, n, "trusted_networks")) != NULL) {
		char **nets = NULL;

		if (!ydoc_strv(y, v, "trusted_networks", &nets)) {
			*ok = false;
		} else {
			rt->ntrusted_nets = g_strv_length(nets);
			rt->trusted_nets = g_new0(struct route_net,
			    rt->ntrusted_nets);
			for (size_t i = 0; i < rt->ntrusted_nets; i++)
				if (!route_net_parse(nets[i],
				    &rt->trusted_nets[i])) {
					ydoc_error(y, v, "trusted_networks: "
					    "'%s' is not an address or "
					    "address/prefix", nets[i]);
					*ok = false;
				}
			g_strfreev(nets);
		}
	}
	if ((v = ydoc_get(y, n, "extra_headers")) != NULL) {
		yaml_node_item_t *items;
		size_t count;

		if (!ydoc_seq(y, v, "extra_headers", &items, &count)) {
			*ok = false;
			return;
		}
		rt->extra = g_new0(struct route_hdr, count ? count : 1);
		rt->nextra = count;
		for (size_t i = 0; i < count; i++)
			if (!conf_route_hdr(y, ydoc_item(y, items[i]),
			    &rt->extra[i]))
				*ok = false;
	}
}

static void
conf_route_channel(struct ydoc *y, yaml_node_t *n, const struct ruleset *rs,
    struct route_channel *ch, bool *ok)
{
	yaml_node_t *v;

	ch->default_action = ROUTE_INHERIT;
	if (!ydoc_check_map(y, n, "channel", channel_keys)) {
		*ok = false;
		return;
	}
	v = ydoc_get(y, n, "name");
	if (v == NULL) {
		ydoc_error(y, n, "channel: needs a name");
		*ok = false;
	} else if (ydoc_str(y, v, "name", &ch->name)) {
		for (const char *p = ch->name; *p; p++)
			if (!g_ascii_islower(*p) && !g_ascii_isdigit(*p) &&
			    *p != '-' && *p != '_') {
				ydoc_error(y, v, "name: '%s' must be lower-case "
				    "letters, digits, - and _", ch->name);
				*ok = false;
				break;
			}
	} else {
		*ok = false;
	}
	v = ydoc_get(y, n, "domestic");
	if (v == NULL) {
		ydoc_error(y, n, "channel: needs a domestic queue address");
		*ok = false;
	} else if (ydoc_str(y, v, "domestic", &ch->domestic)) {
		char *low = g_ascii_strdown(ch->domestic, -1);

		g_free(ch->domestic);
		ch->domestic = low;
		if (!conf_route_is_addr(low)) {
			ydoc_error(y, v, "domestic: '%s' is not an address",
			    low);
			*ok = false;
		}
	} else {
		*ok = false;
	}
	if ((v = ydoc_get(y, n, "owner")) != NULL &&
	    !ydoc_str(y, v, "owner", &ch->owner))
		*ok = false;
	if ((v = ydoc_get(y, n, "senders")) != NULL &&
	    !conf_route_addrs(y, v, "senders", &ch->senders))
		*ok = false;
	if ((v = ydoc_get(y, n, "recipients")) != NULL &&
	    !conf_route_addrs(y, v, "recipients", &ch->recipients))
		*ok = false;
	if ((v = ydoc_get(y, n, "default")) != NULL &&
	    !ydoc_bool(y, v, "default", &ch->is_default))
		*ok = false;
	if ((v = ydoc_get(y, n, "default_action")) != NULL &&
	    !conf_route_action(y, v, "default_action", &ch->default_action))
		*ok = false;
	if ((v = ydoc_get(y, n, "actions")) != NULL &&
	    !conf_route_percat(y, v, "actions", rs, false,
		(void **)&ch->actions))
		*ok = false;
	if ((v = ydoc_get(y, n, "thresholds")) != NULL &&
	    !conf_route_percat(y, v, "thresholds", rs, true,
		(void **)&ch->thresholds))
		*ok = false;
	if (!ch->is_default && ch->senders == NULL && ch->recipients == NULL &&
	    ch->name != NULL) {
		ydoc_error(y, n, "channel %s: needs senders or recipients "
		    "(or default: true)", ch->name);
		*ok = false;
	}
}

static void
conf_route_channels(struct ydoc *y, yaml_node_t *n, const struct ruleset *rs,
    struct routing *rt, bool *ok)
{
	yaml_node_item_t *items;
	size_t count, ndefault = 0;

	if (!ydoc_seq(y, n, "channels", &items, &count)) {
		*ok = false;
		return;
	}
	rt->channels = g_new0(struct route_channel, count ? count : 1);
	rt->nchannels = count;
	for (size_t i = 0; i < count; i++) {
		yaml_node_t *cn = ydoc_item(y, items[i]);
		struct route_channel *ch = &rt->channels[i];

		conf_route_channel(y, cn, rs, ch, ok);
		if (ch->is_default && ++ndefault > 1) {
			ydoc_error(y, cn, "channels: only one channel may be "
			    "the default");
			*ok = false;
		}
		for (size_t j = 0; j < i && ch->name != NULL; j++)
			if (rt->channels[j].name != NULL &&
			    strcmp(rt->channels[j].name, ch->name) == 0) {
				ydoc_error(y, cn, "channels: duplicate name "
				    "'%s'", ch->name);
				*ok = false;
			}
	}
}

bool
conf_route_read(struct ydoc *y, yaml_node_t *root, const struct ruleset *rs,
    struct routing *rt)
{
	yaml_node_t *v;
	bool ok = true;

	memset(rt, 0, sizeof(*rt));
	rt->default_action = ROUTE_REROUTE;
	rt->ncats = ruleset_ncats(rs);
	if ((v = ydoc_get(y, root, "routing")) != NULL)
		conf_route_global(y, v, rs, rt, &ok);
	if ((v = ydoc_get(y, root, "channels")) != NULL)
		conf_route_channels(y, v, rs, rt, &ok);
	return ok;
}
