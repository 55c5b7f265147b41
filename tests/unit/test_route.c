/*
 * test_route.c - channels, trust, loop guard, action precedence, shadow
 * mode, the milter actions a config needs, and routing config errors.
 */
#include <arpa/inet.h>
#include <glib.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "harness.h"
#include "route.h"
#include "rules.h"

static char *rules_path;

static const char rules_yaml[] =
    "categories:\n"
    "  - id: legal\n"
    "    rules: [{id: legal.lawyer, phrases: [my lawyer]}]\n"
    "  - id: abuse\n"
    "    threshold: 2\n"
    "    rules: [{id: abuse.idiots, phrases: [idiots, morons]}]\n"
    "  - id: phone-demand\n"
    "    threshold: 3\n"
    "    rules: [{id: phone.call, phrases: [call me]}]\n";

static const char routing_yaml[] =
    "routing:\n"
    "  actions: {abuse: copy, legal: hold}\n"
    "  trusted_senders: [domestic.example, lead@shop.example]\n"
    "  trusted_networks: [10.0.0.0/8, 192.0.2.7, '2001:db8::/32']\n"
    "channels:\n"
    "  - name: amazon\n"
    "    senders: [marketplace.amazon.com]\n"
    "    domestic: amz-esc@domestic.example\n"
    "    thresholds: {phone-demand: 1}\n"
    "    actions: {abuse: reroute}\n"
    "  - name: shopify\n"
    "    recipients: [support@shop.example, '@help.shop.example']\n"
    "    domestic: Shop-Esc@Domestic.Example\n"
    "    owner: Sam\n"
    "  - name: other\n"
    "    default: true\n"
    "    default_action: copy\n"
    "    domestic: esc@domestic.example\n";

static struct conf *
load(const char *yaml, struct diag *d)
{
	char *full = g_strdup_printf("rules: [%s]\n%s", rules_path, yaml);
	struct conf *c = conf_load_mem("r.yaml", full, strlen(full), "/", d);

	g_free(full);
	return c;
}

static void
env_make(struct envelope *e, const char *from, const char *rcpts)
{
	char **v = g_strsplit(rcpts, " ", -1);

	envelope_init(e);
	envelope_set_from(e, from);
	for (size_t i = 0; v[i] != NULL; i++)
		if (*v[i] != '\0')
			envelope_add_rcpt(e, v[i], 10);
	g_strfreev(v);
}

static void
env_free(struct envelope *e)
{
	envelope_clear(e);
	g_ptr_array_free(e->rcpts, TRUE);
}

/* A verdict over the three categories with the given counts. */
static void
verdict_make(const struct ruleset *rs, struct verdict *v, unsigned legal,
    unsigned abuse, unsigned phone)
{
	unsigned counts[3] = { legal, abuse, phone };

	verdict_init(v);
	v->nsig = 3;
	v->sig = g_new0(struct signal, 3);
	for (size_t i = 0; i < 3; i++) {
		v->sig[i].cat = ruleset_cat(rs, i);
		v->sig[i].threshold = v->sig[i].cat->threshold;
		v->sig[i].count = counts[i];
		v->sig[i].evidence = g_ptr_array_new();
	}
	verdict_decide(v);
}

static void
test_helpers(void)
{
	static const struct {
		const char *in, *want;
	} norm[] = {
		{ "<Pat@Example.COM>", "pat@example.com" },
		{ "  <a@b> ", "a@b" },
		{ "plain@x.org", "plain@x.org" },
		{ "<>", "" },
	};
	static const struct {
		const char *s;
		bool ok;
		unsigned prefix;
	} nets[] = {
		{ "10.0.0.0/8", true, 8 }, { "192.0.2.7", true, 32 },
		{ "2001:db8::/32", true, 32 }, { "::1", true, 128 },
		{ "10.0.0.0/33", false, 0 }, { "10.0.0/8", false, 0 },
		{ "host.example", false, 0 }, { "10.0.0.0/", false, 0 },
		{ "", false, 0 },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(norm); i++) {
		char *got = route_addr_norm(norm[i].in);

		CHECK_STR(got, norm[i].want, norm[i].in);
		g_free(got);
	}
	for (size_t i = 0; i < G_N_ELEMENTS(nets); i++) {
		struct route_net n;
		bool ok = route_net_parse(nets[i].s, &n);

		CHECK(ok == nets[i].ok, "net '%s' parses: %d", nets[i].s, ok);
		if (ok)
			CHECK(n.prefix == nets[i].prefix, "prefix of %s",
			    nets[i].s);
	}
	for (int a = ROUTE_TAG; a <= ROUTE_HOLD; a++)
		CHECK(route_action_from_name(route_action_name(a)) == a,
		    "action name round trip %d", a);
	CHECK(route_action_from_name("drop") == -1, "unknown action");
}

static void
set_client(struct envelope *e, const char *ip)
{
	struct sockaddr_in *v4 = (struct sockaddr_in *)&e->client;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&e->client;

	memset(&e->client, 0, sizeof(e->client));
	e->have_client = true;
	if (inet_pton(AF_INET, ip, &v4->sin_addr) == 1)
		v4->sin_family = AF_INET;
	else if (inet_pton(AF_INET6, ip, &v6->sin6_addr) == 1)
		v6->sin6_family = AF_INET6;
	else
		e->have_client = false;
}

static const struct {
	const char *from, *rcpts, *client;
	unsigned legal, abuse, phone;
	const char *channel;		/* NULL: no channel */
	enum route_action action;
	const char *to;
	const char *skipped;
	bool routed;
} cases[] = {
	/* nothing fired: no route at all */
	{ "<c@example.com>", "<support@shop.example>", NULL, 0, 1, 0,
	    "shopify", ROUTE_TAG, NULL, NULL, false },
	/* default action reroute, recipient match, domestic lower-cased */
	{ "<c@example.com>", "<Support@Shop.Example>", NULL, 0, 0, 3,
	    "shopify", ROUTE_REROUTE, "shop-esc@domestic.example", NULL, true },
	/* recipient domain entry */
	{ "<c@example.com>", "<x@help.shop.example>", NULL, 0, 0, 3,
	    "shopify", ROUTE_REROUTE, "shop-esc@domestic.example", NULL, true },
	/* global per-category action copy */
	{ "<c@example.com>", "<support@shop.example>", NULL, 0, 2, 0,
	    "shopify", ROUTE_COPY, "shop-esc@domestic.example", NULL, true },
	/* strongest wins: hold over copy */
	{ "<c@example.com>", "<support@shop.example>", NULL, 1, 2, 0,
	    "shopify", ROUTE_HOLD, NULL, NULL, true },
	/* channel threshold: amazon phone 1/1 fires; channel action wins */
	{ "<buyer@marketplace.amazon.com>", "<s@marketplace.amazon.com>",
	    NULL, 0, 0, 1, "amazon", ROUTE_REROUTE, "amz-esc@domestic.example",
	    NULL, true },
	{ "<buyer@marketplace.amazon.com>", "<s@x.example>", NULL, 0, 2, 0,
	    "amazon", ROUTE_REROUTE, "amz-esc@domestic.example", NULL, true },
	/* the same phone request elsewhere is 1/3: nothing fires */
	{ "<c@example.com>", "<support@shop.example>", NULL, 0, 0, 1,
	    "shopify", ROUTE_TAG, NULL, NULL, false },
	/* default channel with its own default action */
	{ "<c@example.com>", "<info@elsewhere.example>", NULL, 0, 0, 3,
	    "other", ROUTE_COPY, "esc@domestic.example", NULL, true },
	/* a global per-category action beats a channel's default action */
	{ "<c@example.com>", "<info@elsewhere.example>", NULL, 1, 0, 0,
	    "other", ROUTE_HOLD, NULL, NULL, true },
	/* trusted sender domain and address, trusted networks */
	{ "<anyone@domestic.example>", "<support@shop.example>", NULL, 0, 0,
	    3, "shopify", ROUTE_REROUTE, "shop-esc@domestic.example",
	    "trusted", true },
	{ "<LEAD@shop.example>", "<support@shop.example>", NULL, 0, 0, 3,
	    "shopify", ROUTE_REROUTE, "shop-esc@domestic.example", "trusted",
	    true },
	{ "<c@example.com>", "<support@shop.example>", "10.1.2.3", 0, 0, 3,
	    "shopify", ROUTE_REROUTE, "shop-esc@domestic.example", "trusted",
	    true },
	{ "<c@example.com>", "<support@shop.example>", "192.0.2.8", 0, 0, 3,
	    "shopify", ROUTE_REROUTE, "shop-esc@domestic.example", NULL, true },
	{ "<c@example.com>", "<support@shop.example>", "2001:db8:1::5", 0, 0,
	    3, "shopify", ROUTE_REROUTE, "shop-esc@domestic.example",
	    "trusted", true },
	{ "<c@example.com>", "<support@shop.example>", "::ffff:10.0.0.9", 0,
	    0, 3, "shopify", ROUTE_REROUTE, "shop-esc@domestic.example",
	    "trusted", true },
	/* lookalike domains are not trusted */
	{ "<c@evil-domestic.example>", "<support@shop.example>", NULL, 0, 0,
	    3, "shopify", ROUTE_REROUTE, "shop-esc@domestic.example", NULL,
	    true },
	/* loop: already addressed to a domestic queue */
	{ "<c@example.com>", "<support@shop.example> <ESC@domestic.example>",
	    NULL, 0, 0, 3, "shopify", ROUTE_REROUTE,
	    "shop-esc@domestic.example", "loop", true },
};

static void
test_decide(const struct conf *c)
{
	const struct routing *rt = &c->routing;

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct envelope e;
		struct verdict v;
		struct route r;
		const struct route_channel *ch;
		bool trusted;

		env_make(&e, cases[i].from, cases[i].rcpts);
		if (cases[i].client != NULL)
			set_client(&e, cases[i].client);
		verdict_make(c->rules, &v, cases[i].legal, cases[i].abuse,
		    cases[i].phone);
		ch = route_channel_for(rt, &e);
		route_apply_thresholds(ch, &v);
		trusted = route_trusted(rt, &e);
		route_decide(rt, ch, &e, &v, trusted, &r);
		CHECK_STR(ch ? ch->name : NULL, cases[i].channel, "channel");
		CHECK(r.routed == cases[i].routed, "case %zu routed %d", i,
		    r.routed);
		CHECK(r.action == cases[i].action, "case %zu action %s, want "
		    "%s", i, route_action_name(r.action),
		    route_action_name(cases[i].action));
		CHECK_STR(r.to, cases[i].to, "to");
		CHECK_STR(r.skipped, cases[i].skipped, "skipped");
		CHECK(!r.shadow, "enforce mode");
		verdict_clear(&v);
		env_free(&e);
	}
}

static void
test_shadow_and_actions(void)
{
	struct diag d;
	struct conf *c;
	unsigned bits;

	diag_init(&d);
	c = load(routing_yaml, &d);
	bits = route_actions_possible(&c->routing);
	CHECK(bits == ((1u << ROUTE_TAG) | (1u << ROUTE_COPY) |
	    (1u << ROUTE_REROUTE) | (1u << ROUTE_HOLD)), "all actions "
	    "possible: %x", bits);
	conf_unref(c);

	c = load("routing: {mode: shadow}\nchannels: [{name: a, default: "
		 "true, domestic: q@d.example}]\n", &d);
	CHECK(c != NULL && c->routing.shadow, "shadow mode loads");
	if (c != NULL) {
		struct envelope e;
		struct verdict v;
		struct route r;

		CHECK(route_actions_possible(&c->routing) == 1u << ROUTE_TAG,
		    "shadow needs no recipient actions");
		env_make(&e, "<c@x.example>", "<s@y.example>");
		verdict_make(c->rules, &v, 1, 0, 0);
		route_decide(&c->routing, route_channel_for(&c->routing, &e),
		    &e, &v, false, &r);
		CHECK(r.shadow && r.action == ROUTE_REROUTE && r.routed,
		    "shadow decides a reroute without doing it");
		verdict_clear(&v);
		env_free(&e);
	}
	conf_unref(c);

	c = load("routing: {default_action: tag}\nchannels: [{name: a, "
		 "default: true, domestic: q@d.example}]\n", &d);
	CHECK(c != NULL && route_actions_possible(&c->routing) ==
	    1u << ROUTE_TAG, "tag-only config needs no recipient actions");
	conf_unref(c);

	c = load("", &d);
	CHECK(c != NULL && c->routing.nchannels == 0 &&
	    route_actions_possible(&c->routing) == 1u << ROUTE_TAG,
	    "no channels: tag only");
	conf_unref(c);
	CHECK(d.n == 0, "no diagnostics: %s", d.n ? d.lines[0] : "");
	diag_clear(&d);
}

static const struct {
	const char *yaml, *want;
} bad[] = {
	{ "routing: {mode: loud}\n", "r.yaml:2:17: mode: 'loud' is not one of" },
	{ "routing: {default_action: drop}\n", "r.yaml:2:27: default_action: "
	    "'drop' is not one of: tag, copy, reroute, hold" },
	{ "routing: {actions: {legl: hold}}\n", "r.yaml:2:21: actions: no "
	    "category 'legl' in the rules" },
	{ "routing: {trusted_networks: [10.0.0.0/40]}\n", "r.yaml:2:29: "
	    "trusted_networks: '10.0.0.0/40' is not an address" },
	{ "routing: {trusted_senders: ['a b@c']}\n", "r.yaml:2:28: "
	    "trusted_senders: 'a b@c' is not an address or a domain" },
	{ "routing: {extra_headers: [{name: Subject, value: x}]}\n",
	    "r.yaml:2:34: name: 'Subject' is reserved" },
	{ "routing: {extra_headers: [{name: X-Escalation-Q, value: x}]}\n",
	    "r.yaml:2:34: name: 'X-Escalation-Q' is reserved" },
	{ "routing: {extra_headers: [{name: 'X Q', value: x}]}\n",
	    "r.yaml:2:34: name: 'X Q' is not a header field name" },
	{ "routing: {extra_headers: [{name: X-Q, value: '{chanel}'}]}\n",
	    "r.yaml:2:46: value: unknown placeholder" },
	{ "routing: {route: x}\n", "r.yaml:2:11: routing: unknown key 'route'" },
	{ "channels: [{name: a, domestic: q@d.example}]\n", "r.yaml:2:12: "
	    "channel a: needs senders or recipients" },
	{ "channels: [{name: a, default: true}]\n", "r.yaml:2:12: channel: "
	    "needs a domestic queue address" },
	{ "channels: [{name: a, default: true, domestic: nobody}]\n",
	    "r.yaml:2:47: domestic: 'nobody' is not an address" },
	{ "channels: [{name: A!, default: true, domestic: q@d.example}]\n",
	    "r.yaml:2:19: name: 'A!' must be lower-case" },
	{ "channels:\n  - {name: a, default: true, domestic: q@d.example}\n"
	  "  - {name: a, recipients: [x.example], domestic: q@d.example}\n",
	    "r.yaml:4:5: channels: duplicate name 'a'" },
	{ "channels:\n  - {name: a, default: true, domestic: q@d.example}\n"
	  "  - {name: b, default: true, domestic: q@d.example}\n",
	    "r.yaml:4:5: channels: only one channel may be the default" },
	{ "channels: [{name: a, default: true, domestic: q@d.example, "
	  "thresholds: {legal: 0}}]\n", "r.yaml:2:80: legal: 0 is out of "
	    "range" },
};

static void
test_bad(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		struct diag d;
		struct conf *c;

		diag_init(&d);
		c = load(bad[i].yaml, &d);
		CHECK(c == NULL, "bad routing %zu rejected", i);
		CHECK(d.n >= 1 && g_str_has_prefix(d.lines[0], bad[i].want),
		    "case %zu: got \"%s\", want \"%s...\"", i,
		    d.n ? d.lines[0] : "(none)", bad[i].want);
		conf_unref(c);
		diag_clear(&d);
	}
}

int
main(void)
{
	struct diag d;
	struct conf *c;
	int fd = g_file_open_tmp("rules-XXXXXX.yaml", &rules_path, NULL);

	if (fd < 0 || !g_file_set_contents(rules_path, rules_yaml, -1, NULL)) {
		CHECK(false, "temporary rules file");
		return harness_done("route");
	}
	close(fd);
	test_helpers();
	diag_init(&d);
	c = load(routing_yaml, &d);
	CHECK(c != NULL, "routing config loads: %s", d.n ? d.lines[0] : "");
	diag_clear(&d);
	if (c != NULL) {
		test_decide(c);
		conf_unref(c);
	}
	test_shadow_and_actions();
	test_bad();
	unlink(rules_path);
	g_free(rules_path);
	return harness_done("route");
}
