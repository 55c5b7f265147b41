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
#include "log.h"
#include "milter.h"
#include "msg.h"
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
};

static void
main_usage(FILE *fp)
{
	fprintf(fp,
	    "usage: escalation-milter [-f] [-c FILE] [-p SOCKET]   run the milter\n"
	    "       escalation-milter -n [-c FILE]                check config and rules\n"
	    "       escalation-milter -t [-c FILE] [--from ADDR] [--rcpt ADDR]...\n"
	    "                         [--client IP] MESSAGE.eml... evaluate messages offline\n"
	    "       escalation-milter -V | -h\n"
	    "\n"
	    "  -c FILE    configuration (default " MAIN_DEFAULT_CONF ")\n"
	    "  -p SOCKET  unix:/path, inet:port@host or inet6:port@host\n"
	    "  -f         stay in the foreground, log to stderr\n"
	    "  -n         check the configuration and rules, then exit\n"
	    "  -t         print one JSON verdict per message (see escalation-milter(8))\n"
	    "  --from ADDR, --rcpt ADDR, --client IP\n"
	    "             -t: the SMTP envelope (default: Return-Path or From; To and Cc)\n"
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

static int
main_check(struct conf *c)
{
	char *desc = ruleset_describe(c->rules);

	printf("%s: OK\n%s", c->path, desc);
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

static int
main_test(struct conf *c, char **files, int n, const struct main_opts *o)
{
	struct rules_scratch *s = rules_scratch_new(c->rules);
	struct msg *m;
	int rc = EX_OK;

	if (s == NULL) {
		fprintf(stderr, "cannot allocate scan space\n");
		return EX_SOFTWARE;
	}
	m = msg_new(c, s);
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
		char *json;

		if (!g_file_get_contents(files[i], &buf, &len, &err)) {
			fprintf(stderr, "%s: %s\n", files[i], err->message);
			g_error_free(err);
			rc = EX_NOINPUT;
			continue;
		}
		main_test_envelope(m, c, o);
		msg_feed_raw(m, buf, len);
		json = report_json(files[i], msg_eom(m));
		printf("%s\n", json);
		g_free(json);
		g_free(buf);
		msg_reset(m);
	}
	msg_free(m);
	rules_scratch_free(s);
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
	    "%zu exclusions, %zu patterns", VERSION, spec, st.categories,
	    st.rules, st.excludes, st.patterns);
	rc = milter_run();
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
		{ NULL, 0, NULL, 0 },
	};
	struct main_opts o = { MAIN_DEFAULT_CONF, NULL, false, false, false,
		NULL, NULL, NULL };
	struct conf *c;
	int ch, rc;

	log_init("escalation-milter", 1, 0);
	o.env_rcpts = g_ptr_array_new();
	while ((ch = getopt_long(argc, argv, "c:p:fntVh", longopts, NULL)) !=
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
	    (!o.test && optind < argc)) {
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
	if (o.check)
		rc = main_check(c);
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
