/*
 * milter.h - the libmilter glue: every smfi_* call lives in milter.c.
 */
#ifndef MILTER_H
#define MILTER_H

#include <stdbool.h>

#include "conf.h"
#include "history.h"

/*
 * Opens the socket (spec, or conf->socket when NULL), applies socket
 * permissions, sets TCP_NODELAY on inet sockets.  Returns 0 or -1
 * (logged).  Must run before privileges are dropped.
 */
int milter_open(struct conf *conf, const char *spec);
/* The customer history every connection consults (borrowed, may be NULL). */
void milter_set_history(struct history *h);
/* Runs the milter until SIGTERM/SIGINT/SIGHUP; returns an exit code. */
int milter_run(void);

#endif
