/*
 * main.c - command line: run the milter, check the config (-n), or
 * evaluate messages offline (-t) exactly as the milter would.
 *
 * Exit codes follow sysexits(3): EX_USAGE for a bad command line,
 * EX_CONFIG for a bad config, EX_NOINPUT for an unreadable message,
 * EX_OSERR when the socket or privileges cannot be set up.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <json-glib/json-glib.h>
#include <gmime/gmime.h>
#include <grp.h>
#include <libxml/parser.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "conf.h"
#include "history.h"
#include "recall.h"
#include "log.h"
#include "milter.h"
#include "msg.h"
#include "explain.h"
#include "report.h"
#include "rules.h"

#define MAIN_DEFAULT_CONF CONFDIR "/escalation-milter.yaml"

struct main_opts {
	const char *conf;
	const char *socket;
	bool foreground;
	bool check;
	bool test;
	const char *env_from;	/* -t: --from */
	GPtrArray *env_rcpts;	/* -t: --rcpt, borrowed strings */
	const char *client;	/* -t: --client */
	const char *store;	/* -S: history store spec */
	const char *history;	/* --history ADDRESS */
	const char *forget;	/* --forget ADDRESS */
	int64_t now;		/* -t: --now (seconds), 0 = real time */
	bool explain;		/* -t: --explain, readable instead of JSON */
};

static void
main_usage(FILE *fp)
{
	fprintf(fp,
	    "usage: escalation-milter [-f] [-c FILE] [-p SOCKET]   run the milter\n"
	    "       escalation-milter -n [-c FILE]                check config and rules\n"
	    "       escalation-milter -t [-c FILE] [--from ADDR] [--rcpt ADDR]...\n"
	    "                         [--client IP] [--explain] MESSAGE.eml...\n"
	    "                                                    evaluate messages offline\n"
	    "       escalation-milter --history ADDRESS | --forget ADDRESS [-c FILE] [-S SPEC]\n"
	    "       escalation-milter -V | -h\n"
	    "\n"
	    "  -c FILE    configuration (default " MAIN_DEFAULT_CONF ")\n"
	    "  -p SOCKET  unix:/path, inet:port@host or inet6:port@host\n"
	    "  -S SPEC    history store: sqlite:/path, redis://host:port/db, memory:, none\n"
	    "  -f         stay in the foreground, log to stderr\n"
	    "  -n         check the configuration and rules, then exit\n"
	    "  -t         print one JSON verdict per message (see escalation-milter(8))\n"
	    "  --from ADDR, --rcpt ADDR, --client IP\n"
	    "             -t: the SMTP envelope (default: Return-Path or From; To and Cc)\n"
	    "  --now SECONDS  -t: the clock for history windows (Unix time)\n"
	    "  --explain  -t: print the scanned text, every rule hit with its\n"
	    "             offset, the counts and the decision instead of JSON\n"
	    "  --history ADDRESS  print what is stored for a customer (JSON)\n"
	    "  --forget ADDRESS   erase what is stored for a customer\n"
	    "  -V         print the version\n"
	    "  -h         print this help\n");
}

/* Loads the config or prints every problem; NULL on failure. */
static struct conf *
main_load(const char *path)
{
	struct diag d;
	struct conf *c;

	diag_init(&d);
	c = conf_load(path, &d);
	for (size_t i = 0; i < d.n; i++)
		fprintf(stderr, "%s\n", d.lines[i]);
	if (c == NULL && d.n == 0)
		fprintf(stderr, "%s: cannot load configuration\n", path);
	diag_clear(&d);
	return c;
}

static int main_open_store(const struct conf *c, const struct main_opts *o,
    struct history **h);

/* -n: the config and rules loaded; the history store must open too. */
static int
main_check(struct conf *c, const struct main_opts *o)
{
	char *desc = ruleset_describe(c->rules);
	struct history *h;

	if (main_open_store(c, o, &h) != 0) {
		g_free(desc);
		return EX_CONFIG;
	}
	if (h != NULL) {	/* a real round trip: is the store there? */
		GString *probe = g_string_new(NULL);
		char *err = NULL;
		int rc = h->ops->dump(h, "", probe, &err);

		g_string_free(probe, TRUE);
		if (rc != 0) {
			fprintf(stderr, "history store %s: %s\n",
			    o->store ? o->store : c->history.store,
			    err ? err : "not reachable");
			g_free(err);
			g_free(desc);
			hist_close(h);
			return EX_CONFIG;
		}
	}
	printf("%s: OK\n%shistory: %s\n", c->path, desc,
	    h ? h->ops->name : "none");
	hist_close(h);
	g_free(desc);
	return EX_OK;
}

/* -t: every file through the same core the milter uses, in order. */
/* Sets the -t envelope of the next message from the command line. */
static void
main_test_envelope(struct msg *m, const struct conf *c,
    const struct main_opts *o)
{
	struct envelope *env = msg_envelope(m);

	if (o->env_from != NULL)
		envelope_set_from(env, o->env_from);
	for (guint i = 0; i < o->env_rcpts->len; i++)
		envelope_add_rcpt(env, g_ptr_array_index(o->env_rcpts, i),
		    c->limits.max_recipients);
}

/* --client IP as a socket address; false when it is not an address. */
static bool
main_client(struct msg *m, const char *ip)
{
	struct sockaddr_in v4 = { 0 };
	struct sockaddr_in6 v6 = { 0 };

	if (inet_pton(AF_INET, ip, &v4.sin_addr) == 1) {
		v4.sin_family = AF_INET;
		msg_set_client(m, (struct sockaddr *)&v4, sizeof(v4));
		return true;
	}
	if (inet_pton(AF_INET6, ip, &v6.sin6_addr) == 1) {
		v6.sin6_family = AF_INET6;
		msg_set_client(m, (struct sockaddr *)&v6, sizeof(v6));
		return true;
	}
	return false;
}

/* The history store for -t, --history, --forget: fails loudly. */
static int
main_open_store(const struct conf *c, const struct main_opts *o,
    struct history **h)
{
	const char *spec = o->store ? o->store : c->history.store;
	char *err = NULL;

	*h = hist_open(spec, &err);
	if (*h == NULL && err != NULL) {
		fprintf(stderr, "history store %s: %s\n", spec, err);
		g_free(err);
		return -1;
	}
	return 0;
}

/* Prints {"customer": key, "records": [...]} as one line of JSON. */
static void
main_print_customer(const char *key, const char *records)
{
	JsonParser *p = json_parser_new();
	JsonBuilder *b = json_builder_new();
	JsonGenerator *g = json_generator_new();
	JsonNode *root;
	char *out;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "customer");
	json_builder_add_string_value(b, key);
	json_builder_set_member_name(b, "records");
	if (json_parser_load_from_data(p, records, -1, NULL))
		json_builder_add_value(b,
		    json_node_copy(json_parser_get_root(p)));
	else
		json_builder_add_null_value(b);
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	json_generator_set_root(g, root);
	out = json_generator_to_data(g, NULL);
	printf("%s\n", out);
	g_free(out);
	json_node_unref(root);
	g_object_unref(g);
	g_object_unref(b);
	g_object_unref(p);
}

/* --history / --forget: one customer's records, by address. */
static int
main_customer(const struct conf *c, const struct main_opts *o)
{
	const char *addr = o->history ? o->history : o->forget;
	struct history *h;
	char *key, *err = NULL;
	int rc = EX_OK;

	if (main_open_store(c, o, &h) != 0)
		return EX_UNAVAILABLE;
	if (h == NULL) {
		fprintf(stderr, "no history store configured\n");
		return EX_CONFIG;
	}
	key = recall_customer_key(&c->history, addr);
	if (o->history != NULL) {
		GString *out = g_string_new(NULL);

		if (h->ops->dump(h, key, out, &err) == 0)
			main_print_customer(key, out->str);
		else
			rc = EX_UNAVAILABLE;
		g_string_free(out, TRUE);
	} else {
		unsigned removed = 0;

		if (h->ops->forget(h, key, &removed, &err) == 0)
			printf("%s: %u records erased\n", addr, removed);
		else
			rc = EX_UNAVAILABLE;
	}
	if (rc != EX_OK)
		fprintf(stderr, "history store: %s\n", err ? err : "failed");
	g_free(err);
	g_free(key);
	hist_close(h);
	return rc;
}

static int
main_test(struct conf *c, char **files, int n, const struct main_opts *o)
{
	struct rules_scratch *s;
	struct history *hist;
	struct msg *m;
	int rc = EX_OK;

	if (main_open_store(c, o, &hist) != 0)
		return EX_UNAVAILABLE;
	s = rules_scratch_new(c->rules);

	if (s == NULL) {
		fprintf(stderr, "cannot allocate scan space\n");
		return EX_SOFTWARE;
	}
	m = msg_new(c, s);
	msg_set_history(m, hist);
	msg_set_now(m, o->now);
	msg_envelope_from_headers(m, o->env_from == NULL &&
	    o->env_rcpts->len == 0);
	if (o->client != NULL && !main_client(m, o->client)) {
		fprintf(stderr, "--client: '%s' is not an IP address\n",
		    o->client);
		rc = EX_USAGE;
		n = 0;
	}
	for (int i = 0; i < n; i++) {
		gchar *buf = NULL;
		gsize len = 0;
		GError *err = NULL;
		const struct msg_result *r;
		char *json;

		if (!g_file_get_contents(files[i], &buf, &len, &err)) {
			fprintf(stderr, "%s: %s\n", files[i], err->message);
			g_error_free(err);
			rc = EX_NOINPUT;
			continue;
		}
		main_test_envelope(m, c, o);
		msg_feed_raw(m, buf, len);
		r = msg_eom(m);
		if (r->history_unavailable)
			rc = EX_UNAVAILABLE;
		if (o->explain) {
			json = explain_message(files[i], r, c->rules, s);
			printf("%s%s", i > 0 ? "\n" : "", json);
		} else {
			json = report_json(files[i], r);
			printf("%s\n", json);
		}
		g_free(json);
		g_free(buf);
		msg_reset(m);
	}
	msg_free(m);
	rules_scratch_free(s);
	hist_close(hist);
	return rc;
}

static int
main_write_pid(const char *path)
{
	FILE *fp = fopen(path, "w");

	if (fp == NULL) {
		log_err("pid_file %s: %s", path, strerror(errno));
		return -1;
	}
	fprintf(fp, "%ld\n", (long)getpid());
	fclose(fp);
	return 0;
}

/* Drops root to conf->user; the unix socket is handed over first. */
static int
main_drop(const struct conf *c, const char *spec)
{
	struct passwd *pw;

	if (geteuid() != 0 || c->user == NULL)
		return 0;
	pw = getpwnam(c->user);
	if (pw == NULL) {
		log_err("user: no such user '%s'", c->user);
		return -1;
	}
	if (spec[0] == '/' || g_str_has_prefix(spec, "unix:") ||
	    g_str_has_prefix(spec, "local:")) {
		const char *path = spec[0] == '/' ? spec : strchr(spec, ':') + 1;

		if (chown(path, pw->pw_uid, (gid_t)-1) != 0)
			log_warn("chown %s: %s", path, strerror(errno));
	}
	if (setgid(pw->pw_gid) != 0 || initgroups(pw->pw_name, pw->pw_gid) != 0 ||
	    setuid(pw->pw_uid) != 0) {
		log_err("cannot drop privileges to %s: %s", c->user,
		    strerror(errno));
		return -1;
	}
	if (setuid(0) == 0) {
		log_err("privileges could be regained after the drop");
		return -1;
	}
	return 0;
}

/* libmilter leaves a unix socket behind; remove ours at exit. */
static void
main_unlink_socket(const char *spec)
{
	const char *path = NULL;

	if (spec[0] == '/')
		path = spec;
	else if (g_str_has_prefix(spec, "unix:") ||
	    g_str_has_prefix(spec, "local:"))
		path = strchr(spec, ':') + 1;
	if (path != NULL && unlink(path) != 0 && errno != ENOENT)
		log_warn("cannot remove socket %s: %s", path, strerror(errno));
}

static int
main_run(struct conf *c, const struct main_opts *o)
{
	const char *spec = o->socket ? o->socket : c->socket;
	const char *hspec = o->store ? o->store : c->history.store;
	struct history *hist = NULL;
	struct rules_stats st;
	int rc;

	log_set_level(c->log_level);
	if (!o->foreground) {
		if (daemon(0, 0) != 0) {
			log_err("daemon: %s", strerror(errno));
			return EX_OSERR;
		}
		log_init("escalation-milter", 0, c->log_facility);
	}
	if (milter_open(c, spec) != 0)
		return EX_OSERR;
	if ((c->pid_file != NULL && main_write_pid(c->pid_file) != 0) ||
	    main_drop(c, spec) != 0) {
		main_unlink_socket(spec);
		if (c->pid_file != NULL)
			unlink(c->pid_file);
		return EX_OSERR;
	}
	ruleset_stats(c->rules, -1, &st);
	log_info("starting %s on %s: %zu categories, %zu rules, "
	    "%zu exclusions, %zu patterns, history %s", VERSION, spec,
	    st.categories, st.rules, st.excludes, st.patterns, hspec);
	/* opened after the privilege drop: files belong to the user */
	if (strcmp(hspec, "none") != 0)
		hist = hist_open_lazy(hspec, (int)c->history.retry);
	milter_set_history(hist);
	rc = milter_run();
	hist_close(hist);
	main_unlink_socket(spec);
	log_info("stopped");
	if (c->pid_file != NULL)
		unlink(c->pid_file);
	return rc == 0 ? EX_OK : EX_SOFTWARE;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "from", required_argument, NULL, 'F' },
		{ "rcpt", required_argument, NULL, 'R' },
		{ "client", required_argument, NULL, 'C' },
		{ "now", required_argument, NULL, 'N' },
		{ "explain", no_argument, NULL, 'E' },
		{ "history", required_argument, NULL, 'H' },
		{ "forget", required_argument, NULL, 'X' },
		{ NULL, 0, NULL, 0 },
	};
	struct main_opts o = { 0 };
	struct conf *c;
	int ch, rc;

	log_init("escalation-milter", 1, 0);
	o.conf = MAIN_DEFAULT_CONF;
	o.env_rcpts = g_ptr_array_new();
	while ((ch = getopt_long(argc, argv, "c:p:fntS:Vh", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'F':
			o.env_from = optarg;
			break;
		case 'R':
			g_ptr_array_add(o.env_rcpts, optarg);
			break;
		case 'C':
			o.client = optarg;
			break;
		case 'N': {
			char *end;

			o.now = (int64_t)strtoll(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || o.now <= 0) {
				fprintf(stderr, "--now: '%s' is not a Unix "
				    "time\n", optarg);
				rc = EX_USAGE;
				goto out;
			}
			break;
		}
		case 'E':
			o.explain = true;
			break;
		case 'H':
			o.history = optarg;
			break;
		case 'X':
			o.forget = optarg;
			break;
		case 'S':
			o.store = optarg;
			break;
		case 'c':
			o.conf = optarg;
			break;
		case 'p':
			o.socket = optarg;
			break;
		case 'f':
			o.foreground = true;
			break;
		case 'n':
			o.check = true;
			break;
		case 't':
			o.test = true;
			break;
		case 'V':
			printf("escalation-milter %s\n", VERSION);
			rc = EX_OK;
			goto out;
		case 'h':
			main_usage(stdout);
			rc = EX_OK;
			goto out;
		default:
			main_usage(stderr);
			rc = EX_USAGE;
			goto out;
		}
	}
	if ((o.check && o.test) || (o.test && optind >= argc) ||
	    (o.explain && !o.test) ||
	    (!o.test && optind < argc) ||
	    ((o.history || o.forget) && (o.test || o.check)) ||
	    (o.history && o.forget)) {
		main_usage(stderr);
		rc = EX_USAGE;
		goto out;
	}
	g_mime_init();
	xmlInitParser();
	c = main_load(o.conf);
	if (c == NULL) {
		rc = EX_CONFIG;
		goto done;
	}
	if (o.history != NULL || o.forget != NULL)
		rc = main_customer(c, &o);
	else if (o.check)
		rc = main_check(c, &o);
	else if (o.test)
		rc = main_test(c, argv + optind, argc - optind, &o);
	else
		rc = main_run(c, &o);
	conf_unref(c);
done:
	xmlCleanupParser();
	g_mime_shutdown();
out:
	g_ptr_array_free(o.env_rcpts, TRUE);
	return rc;
}
