/*
 * route.h - sending escalated mail to the domestic team's queue.
 *
 * Sales channels (amazon, shopify, ...) are recognised by envelope
 * sender and recipient addresses or domains; each names its domestic
 * queue address and the person in charge, and may override thresholds
 * and route actions per category.  route_decide() picks, for a judged
 * message, the channel and the strongest action of the fired
 * categories (hold > reroute > copy > tag), and says when routing must
 * not happen: a trusted sender or client network, or a message already
 * addressed to a domestic queue (no loops).  Knows nothing of libmilter.
 */
#ifndef ROUTE_H
#define ROUTE_H

#include <glib.h>
#include <stdbool.h>
#include <sys/socket.h>

#include "detect.h"

/* In order of strength. */
enum route_action {
	ROUTE_INHERIT = -1,	/* config only: take the next level's */
	ROUTE_TAG = 0,		/* headers and subject only */
	ROUTE_COPY,		/* add the domestic address, keep the others */
	ROUTE_REROUTE,		/* add the domestic address, drop the others */
	ROUTE_HOLD		/* MTA hold queue (quarantine) */
};

struct route_net {
	int family;		/* AF_INET or AF_INET6 */
	unsigned char addr[16];
	unsigned prefix;	/* bits */
};

struct route_channel {
	char *name;
	char **senders;		/* addresses or domains, lower case */
	char **recipients;	/* addresses or domains, lower case */
	char *domestic;		/* queue address */
	char *owner;		/* person in charge, or NULL */
	bool is_default;	/* catches what no channel matches */
	int default_action;	/* ROUTE_INHERIT or an action */
	int *actions;		/* per category: ROUTE_INHERIT or action */
	unsigned *thresholds;	/* per category: 0 = the rule set's */
};

struct route_hdr {
	char *name;
	char *value;		/* template: {channel} {categories} ... */
};

struct routing {
	bool shadow;		/* decide and tag, never change recipients */
	int default_action;	/* ROUTE_REROUTE unless configured */
	int *actions;		/* per category: ROUTE_INHERIT or action */
	size_t ncats;
	char **trusted_senders;	/* addresses or domains, lower case */
	struct route_net *trusted_nets;
	size_t ntrusted_nets;
	struct route_hdr *extra;	/* extra headers for the helpdesk */
	size_t nextra;
	struct route_channel *channels;
	size_t nchannels;
};

/* The SMTP envelope of one message, as the MTA gave it. */
struct envelope {
	char *from;		/* as given, may have <> */
	GPtrArray *rcpts;	/* char *, as given (smfi_delrcpt needs it) */
	bool rcpts_truncated;	/* more than max_recipients */
	bool have_client;
	struct sockaddr_storage client;
};

struct route {
	bool routed;		/* a category fired and a channel applies */
	enum route_action action;
	const struct route_channel *channel;	/* borrowed, or NULL */
	const char *to;		/* domestic address for copy/reroute, or NULL */
	bool shadow;		/* decided, not to be carried out */
	const char *skipped;	/* "trusted", "loop", "no-channel" or NULL */
};

void envelope_init(struct envelope *e);
void envelope_clear(struct envelope *e);
void envelope_set_from(struct envelope *e, const char *from);
/* Adds a recipient unless max are recorded already (then truncated). */
void envelope_add_rcpt(struct envelope *e, const char *rcpt, unsigned max);

const char *route_action_name(enum route_action a);
/* Index of name in tag|copy|reroute|hold, or -1. */
int route_action_from_name(const char *name);
/* "a@b.example" from "<A@B.Example>": new string, lower case. */
char *route_addr_norm(const char *addr);
/* Parses "10.0.0.0/8", "192.0.2.7", "2001:db8::/32"; false if bad. */
bool route_net_parse(const char *s, struct route_net *out);

/* The channel for an envelope: first match in order, else the default. */
const struct route_channel *route_channel_for(const struct routing *rt,
    const struct envelope *env);
/* Applies the channel's threshold overrides to v and re-decides it. */
void route_apply_thresholds(const struct route_channel *ch,
    struct verdict *v);
bool route_trusted(const struct routing *rt, const struct envelope *env);
/* Fills out for a judged message (v already decided). */
void route_decide(const struct routing *rt, const struct route_channel *ch,
    const struct envelope *env, const struct verdict *v, bool trusted,
    struct route *out);

/* Bit set of ROUTE_* actions (1 << action) a config may ever carry out. */
unsigned route_actions_possible(const struct routing *rt);

void routing_free(struct routing *rt);

#endif
