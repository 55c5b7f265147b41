/*
 * milter.c - libmilter callbacks translated into calls of the core.
 *
 * The only file that knows libmilter.  A connection context owns a
 * config reference, a scan scratch and a message (msg.h); the message
 * is reset at end of message, abort, each MAIL FROM and close.  On any
 * internal failure the configured on_error verdict applies: mail is
 * accepted unchanged (default) or tempfailed, never rejected.
 *
 * The published config is the only global: taken with a reference
 * under a mutex at connect, so a later swap never frees a config that a
 * live connection uses.
 */
#include "milter.h"

#include <errno.h>
#include <grp.h>
#include <libmilter/mfapi.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "msg.h"
#include "report.h"
#include "rules.h"

static pthread_mutex_t milter_lock = PTHREAD_MUTEX_INITIALIZER;
static struct conf *milter_conf;	/* published config (one reference) */
static bool milter_unix;		/* listening on a unix socket; set once */
static unsigned long milter_actions;	/* SMFIF_* the config needs; set once */
static struct history *milter_hist;	/* shared, thread-safe; set once */

void
milter_set_history(struct history *h)
{
	milter_hist = h;
}

struct milter_conn {
	struct conf *conf;		/* own reference */
	struct rules_scratch *scratch;
	struct msg *msg;
	unsigned long pflags;		/* negotiated protocol flags */
	unsigned nrcpt;
	char client[64];
};

static struct conf *
milter_conf_get(void)
{
	struct conf *c;

	pthread_mutex_lock(&milter_lock);
	c = milter_conf != NULL ? conf_ref(milter_conf) : NULL;
	pthread_mutex_unlock(&milter_lock);
	return c;
}

/* The reply for a step whose "no reply" flag may be negotiated. */
static sfsistat
milter_cont(const struct milter_conn *mc, unsigned long nr_flag)
{
	return mc != NULL && (mc->pflags & nr_flag) ? SMFIS_NOREPLY
						    : SMFIS_CONTINUE;
}

/* The configured verdict for an internal error. */
static sfsistat
milter_on_error(SMFICTX *ctx, const struct conf *c, const char *what)
{
	const char *qid = smfi_getsymval(ctx, "i");
	bool tempfail = c != NULL && c->on_error == ON_ERROR_TEMPFAIL;

	log_err("%s: internal error: %s; on_error=%s", qid ? qid : "NOQUEUE",
	    what, tempfail ? "tempfail" : "accept");
	return tempfail ? SMFIS_TEMPFAIL : SMFIS_ACCEPT;
}

static void
milter_conn_free(struct milter_conn *mc)
{
	if (mc == NULL)
		return;
	msg_free(mc->msg);
	rules_scratch_free(mc->scratch);
	conf_unref(mc->conf);
	g_free(mc);
}

/* "add headers, quarantine" for a set of SMFIF_* flags. */
static char *
milter_action_names(unsigned long flags)
{
	static const struct {
		unsigned long flag;
		const char *name;
	} tab[] = {
		{ SMFIF_ADDHDRS, "add headers" },
		{ SMFIF_CHGHDRS, "change headers" },
		{ SMFIF_ADDRCPT, "add recipients" },
		{ SMFIF_DELRCPT, "delete recipients" },
		{ SMFIF_QUARANTINE, "quarantine" },
	};
	GString *s = g_string_new(NULL);

	for (size_t i = 0; i < G_N_ELEMENTS(tab); i++)
		if (flags & tab[i].flag)
			g_string_append_printf(s, "%s%s", s->len ? ", " : "",
			    tab[i].name);
	return g_string_free(s, FALSE);
}

/* Exactly the SMFIF_* actions a config can use. */
static unsigned long
milter_actions_for(const struct conf *c)
{
	unsigned possible = route_actions_possible(&c->routing);
	unsigned long f = SMFIF_ADDHDRS | SMFIF_CHGHDRS;

	if (possible & ((1u << ROUTE_COPY) | (1u << ROUTE_REROUTE)))
		f |= SMFIF_ADDRCPT;
	if (possible & (1u << ROUTE_REROUTE))
		f |= SMFIF_DELRCPT;
	if (possible & (1u << ROUTE_HOLD))
		f |= SMFIF_QUARANTINE;
	return f;
}

/* The connection context, created by whichever callback comes first. */
static struct milter_conn *
milter_conn_get(SMFICTX *ctx)
{
	struct milter_conn *mc = smfi_getpriv(ctx);

	if (mc == NULL) {
		mc = g_new0(struct milter_conn, 1);
		g_strlcpy(mc->client, "unknown", sizeof(mc->client));
		smfi_setpriv(ctx, mc);
	}
	return mc;
}

static sfsistat
milter_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
    unsigned long f2, unsigned long f3, unsigned long *pf0,
    unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
	const unsigned long need = milter_actions;
	unsigned long want;

	(void)f2;
	(void)f3;
	if ((f0 & need) != need) {
		char *missing = milter_action_names(need & ~f0);

		log_err("the MTA refuses milter actions this configuration "
		    "needs: %s; session refused, the MTA's default for a "
		    "failed milter applies (Postfix milter_default_action, "
		    "Sendmail F=)", missing);
		g_free(missing);
		return SMFIS_REJECT;	/* libmilter: filter is not used */
	}
	*pf0 = need;
	want = SMFIP_NOHELO | SMFIP_NOUNKNOWN | SMFIP_NODATA | SMFIP_NR_HDR |
	    SMFIP_NR_EOH | SMFIP_NR_BODY | SMFIP_NR_CONN | SMFIP_NR_HELO;
	/* Over TCP, no-reply for MAIL/RCPT/DATA stalls on Nagle (NOTES). */
	if (milter_unix)
		want |= SMFIP_NR_MAIL | SMFIP_NR_RCPT | SMFIP_NR_DATA;
	*pf1 = f1 & want;
	*pf2 = 0;
	*pf3 = 0;
	milter_conn_get(ctx)->pflags = *pf1;
	return SMFIS_CONTINUE;
}

static sfsistat
milter_connect(SMFICTX *ctx, char *host, _SOCK_ADDR *addr)
{
	struct milter_conn *mc = milter_conn_get(ctx);

	if (host != NULL)
		g_strlcpy(mc->client, host, sizeof(mc->client));
	if (mc->conf == NULL)
		mc->conf = milter_conf_get();
	if (mc->conf == NULL)
		return milter_on_error(ctx, NULL, "no configuration");
	if (mc->scratch == NULL)
		mc->scratch = rules_scratch_new(mc->conf->rules);
	if (mc->scratch == NULL)
		return milter_on_error(ctx, mc->conf, "scratch allocation");
	if (mc->msg == NULL) {
		mc->msg = msg_new(mc->conf, mc->scratch);
		msg_set_history(mc->msg, milter_hist);
	}
	if (addr != NULL && addr->sa_family == AF_INET)
		msg_set_client(mc->msg, addr, sizeof(struct sockaddr_in));
	else if (addr != NULL && addr->sa_family == AF_INET6)
		msg_set_client(mc->msg, addr, sizeof(struct sockaddr_in6));
	return milter_cont(mc, SMFIP_NR_CONN);
}

static sfsistat
milter_envfrom(SMFICTX *ctx, char **argv)
{
	struct milter_conn *mc = smfi_getpriv(ctx);

	if (mc == NULL || mc->msg == NULL)
		return milter_on_error(ctx, NULL, "no connection context");
	msg_reset(mc->msg);
	mc->nrcpt = 0;
	envelope_set_from(msg_envelope(mc->msg), argv[0]);
	return milter_cont(mc, SMFIP_NR_MAIL);
}

static sfsistat
milter_envrcpt(SMFICTX *ctx, char **argv)
{
	struct milter_conn *mc = smfi_getpriv(ctx);

	if (mc == NULL || mc->msg == NULL)
		return milter_on_error(ctx, NULL, "no connection context");
	mc->nrcpt++;
	envelope_add_rcpt(msg_envelope(mc->msg), argv[0],
	    mc->conf->limits.max_recipients);
	return milter_cont(mc, SMFIP_NR_RCPT);
}

static sfsistat
milter_header(SMFICTX *ctx, char *name, char *value)
{
	struct milter_conn *mc = smfi_getpriv(ctx);

	if (mc == NULL || mc->msg == NULL)
		return milter_on_error(ctx, NULL, "no connection context");
	msg_header(mc->msg, name, value);
	return milter_cont(mc, SMFIP_NR_HDR);
}

static sfsistat
milter_eoh(SMFICTX *ctx)
{
	return milter_cont(smfi_getpriv(ctx), SMFIP_NR_EOH);
}

static sfsistat
milter_body(SMFICTX *ctx, unsigned char *chunk, size_t len)
{
	struct milter_conn *mc = smfi_getpriv(ctx);

	if (mc == NULL || mc->msg == NULL)
		return milter_on_error(ctx, NULL, "no connection context");
	msg_body(mc->msg, chunk, len);
	return milter_cont(mc, SMFIP_NR_BODY);
}

/* Deletes forged X-Escalation* headers, highest index first. */
static bool
milter_remove_forged(SMFICTX *ctx, const struct msg_result *r)
{
	for (size_t i = 0; i < r->nremove; i++)
		if (smfi_chgheader(ctx, r->remove[i].name,
			(int)r->remove[i].index, NULL) != MI_SUCCESS)
			return false;
	return true;
}

/* Adds our headers and the subject tag; false when the MTA refused. */
static bool
milter_tag(SMFICTX *ctx, const struct msg_result *r, bool had_subject)
{
	for (guint i = 0; r->tag.add != NULL && i < r->tag.add->len; i++) {
		const struct hdr *h = g_ptr_array_index(r->tag.add, i);

		if (smfi_addheader(ctx, h->name, h->value) != MI_SUCCESS)
			return false;
	}
	if (r->tag.subject != NULL) {
		int rc = had_subject ?
		    smfi_chgheader(ctx, "Subject", 1, r->tag.subject) :
		    smfi_addheader(ctx, "Subject", r->tag.subject);

		if (rc != MI_SUCCESS)
			return false;
	}
	return true;
}

/*
 * Carries out the route.  Reroute adds the domestic address first and
 * removes the original recipients only after that succeeded, so a
 * failure never leaves a message without a recipient.
 */
static bool
milter_route(SMFICTX *ctx, const struct msg_result *r,
    const struct envelope *env, const char *qid)
{
	const struct route *ro = &r->route;
	char *to;

	if (!ro->routed || ro->shadow || ro->skipped != NULL)
		return true;
	switch (ro->action) {
	case ROUTE_TAG:
		return true;
	case ROUTE_HOLD: {
		char *fired = tag_fired_list(&r->verdict);
		char *reason = g_strdup_printf("escalation: %s (channel %s)",
		    fired, ro->channel->name);
		int rc = smfi_quarantine(ctx, reason);

		g_free(reason);
		g_free(fired);
		return rc == MI_SUCCESS;
	}
	case ROUTE_COPY:
	case ROUTE_REROUTE:
		break;
	default:
		return false;
	}
	to = g_strdup_printf("<%s>", ro->to);
	if (smfi_addrcpt(ctx, to) != MI_SUCCESS) {
		g_free(to);
		return false;
	}
	g_free(to);
	if (ro->action == ROUTE_COPY)
		return true;
	if (env->rcpts_truncated)
		log_warn("%s: more recipients than max_recipients; those not "
		    "recorded keep their copy", qid);
	for (guint i = 0; i < env->rcpts->len; i++) {
		char *rcpt = g_ptr_array_index(env->rcpts, i);
		char *norm = route_addr_norm(rcpt);
		bool self = strcmp(norm, ro->to) == 0;

		g_free(norm);
		if (!self && smfi_delrcpt(ctx, rcpt) != MI_SUCCESS)
			return false;
	}
	return true;
}

/* At debug level: every piece of evidence, escaped for the log. */
static void
milter_log_evidence(const char *qid, const struct msg_result *r)
{
	if (log_get_level() < LOG_LVL_DEBUG)
		return;
	for (size_t i = 0; i < r->verdict.nsig; i++) {
		const struct signal *s = &r->verdict.sig[i];

		for (guint j = 0; j < s->evidence->len; j++) {
			const struct evidence *e =
			    g_ptr_array_index(s->evidence, j);
			char *t = g_strescape(e->text, NULL);

			log_debug("%s: evidence category=%s rule=%s offset=%zu "
			    "text=\"%s\"", qid, s->cat->id, e->rule->id,
			    e->offset, t);
			g_free(t);
		}
	}
}

static sfsistat
milter_eom(SMFICTX *ctx)
{
	struct milter_conn *mc = smfi_getpriv(ctx);
	const struct msg_result *r;
	const char *qid = smfi_getsymval(ctx, "i");
	const char *action;
	char *summary;
	sfsistat rc = SMFIS_CONTINUE;

	if (qid == NULL)
		qid = "NOQUEUE";
	if (mc == NULL || mc->msg == NULL)
		return milter_on_error(ctx, NULL, "no connection context");
	r = msg_eom(mc->msg);
	/* forged headers go even when the scan failed */
	if (!milter_remove_forged(ctx, r)) {
		rc = milter_on_error(ctx, mc->conf, "MTA refused a change");
		action = rc == SMFIS_TEMPFAIL ? "tempfail" : "accept-partial";
	} else if (r->history_unavailable &&
	    mc->conf->history.tempfail_unavailable) {
		log_warn("%s: history unavailable; on_unavailable=tempfail",
		    qid);
		rc = SMFIS_TEMPFAIL;
		action = "tempfail";
	} else if (r->verdict.scan_error) {
		rc = milter_on_error(ctx, mc->conf, "pattern scan failed");
		action = rc == SMFIS_TEMPFAIL ? "tempfail" : "accept-unscanned";
	} else if (!milter_tag(ctx, r, msg_has_subject(mc->msg))) {
		rc = milter_on_error(ctx, mc->conf, "MTA refused a change");
		action = rc == SMFIS_TEMPFAIL ? "tempfail" : "accept-partial";
	} else if (!milter_route(ctx, r, msg_envelope(mc->msg), qid)) {
		rc = milter_on_error(ctx, mc->conf, "MTA refused a route");
		action = rc == SMFIS_TEMPFAIL ? "tempfail" : "accept-partial";
	} else if (r->route.routed && !r->route.shadow &&
	    r->route.skipped == NULL && r->route.action != ROUTE_TAG) {
		action = route_action_name(r->route.action);
	} else {
		action = r->verdict.escalate ? "tag" : "pass";
	}
	milter_log_evidence(qid, r);
	summary = report_summary(r, action);
	log_info("%s: client=%s rcpts=%u %s", qid, mc->client, mc->nrcpt,
	    summary);
	g_free(summary);
	msg_reset(mc->msg);
	return rc;
}

static sfsistat
milter_abort(SMFICTX *ctx)
{
	struct milter_conn *mc = smfi_getpriv(ctx);

	if (mc != NULL)
		msg_reset(mc->msg);
	return SMFIS_CONTINUE;
}

static sfsistat
milter_close(SMFICTX *ctx)
{
	milter_conn_free(smfi_getpriv(ctx));
	smfi_setpriv(ctx, NULL);
	return SMFIS_CONTINUE;
}

static struct smfiDesc milter_desc = {
	.xxfi_name = "escalation-milter",
	.xxfi_version = SMFI_VERSION,
	.xxfi_flags = 0,	/* set from the config in milter_open() */
	.xxfi_connect = milter_connect,
	.xxfi_helo = NULL,
	.xxfi_envfrom = milter_envfrom,
	.xxfi_envrcpt = milter_envrcpt,
	.xxfi_header = milter_header,
	.xxfi_eoh = milter_eoh,
	.xxfi_body = milter_body,
	.xxfi_eom = milter_eom,
	.xxfi_abort = milter_abort,
	.xxfi_close = milter_close,
	.xxfi_unknown = NULL,
	.xxfi_data = NULL,
	.xxfi_negotiate = milter_negotiate,
};

/* Sets TCP_NODELAY on our listening inet socket(s) (see NOTES). */
static void
milter_nodelay(void)
{
	for (int fd = 0; fd < 1024; fd++) {
		int on = 0;
		socklen_t len = sizeof(on);
		struct sockaddr_storage ss;
		socklen_t slen = sizeof(ss);

		if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &len) != 0 ||
		    !on)
			continue;
		if (getsockname(fd, (struct sockaddr *)&ss, &slen) != 0)
			continue;
		if (ss.ss_family != AF_INET && ss.ss_family != AF_INET6)
			continue;
		on = 1;
		if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on,
			sizeof(on)) != 0)
			log_warn("TCP_NODELAY: %s", strerror(errno));
	}
}

/* chmod/chgrp of a unix socket after libmilter created it. */
static int
milter_socket_perms(const struct conf *c, const char *spec)
{
	const char *path = spec[0] == '/' ? spec : strchr(spec, ':') + 1;

	if (chmod(path, c->socket_mode) != 0) {
		log_err("chmod %s: %s", path, strerror(errno));
		return -1;
	}
	if (c->socket_group != NULL) {
		struct group *gr = getgrnam(c->socket_group);

		if (gr == NULL) {
			log_err("socket_group: no group '%s'", c->socket_group);
			return -1;
		}
		if (chown(path, (uid_t)-1, gr->gr_gid) != 0) {
			log_err("chown %s: %s", path, strerror(errno));
			return -1;
		}
	}
	return 0;
}

int
milter_open(struct conf *conf, const char *spec)
{
	bool is_unix;

	if (spec == NULL)
		spec = conf->socket;
	pthread_mutex_lock(&milter_lock);
	conf_unref(milter_conf);
	milter_conf = conf_ref(conf);
	pthread_mutex_unlock(&milter_lock);
	is_unix = g_str_has_prefix(spec, "unix:") ||
	    g_str_has_prefix(spec, "local:") || spec[0] == '/';
	milter_unix = is_unix;

	milter_actions = milter_actions_for(conf);
	milter_desc.xxfi_flags = milter_actions;
	{
		char *names = milter_action_names(milter_actions);

		log_info("milter actions registered: %s", names);
		g_free(names);
	}
	if (smfi_register(milter_desc) != MI_SUCCESS) {
		log_err("smfi_register failed");
		return -1;
	}
	if (smfi_setconn((char *)spec) != MI_SUCCESS) {
		log_err("smfi_setconn %s failed", spec);
		return -1;
	}
	smfi_settimeout((int)conf->timeout);
	if (smfi_opensocket(true) != MI_SUCCESS) {
		log_err("cannot open milter socket %s", spec);
		return -1;
	}
	if (is_unix)
		return milter_socket_perms(conf, spec);
	milter_nodelay();
	return 0;
}

int
milter_run(void)
{
	int rc = smfi_main();
	struct conf *c;

	pthread_mutex_lock(&milter_lock);
	c = milter_conf;
	milter_conf = NULL;
	pthread_mutex_unlock(&milter_lock);
	conf_unref(c);
	return rc == MI_SUCCESS ? 0 : 1;
}
