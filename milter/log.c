/*
 * log.c - logging to stderr or syslog, with a level threshold.
 *
 * The only process-wide state of the program besides the published
 * configuration: the destination and level, set at start-up.
 */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>

static int log_stderr = 1;
static int log_level = LOG_LVL_INFO;
static const char *log_ident = "escalation-milter";

void
log_init(const char *ident, int to_stderr, int facility)
{
	log_ident = ident;
	log_stderr = to_stderr;
	if (!to_stderr)
		openlog(ident, LOG_PID | LOG_NDELAY, facility);
}

void
log_set_level(int level)
{
	log_level = level;
}

int
log_get_level(void)
{
	return log_level;
}

int
log_level_from_name(const char *name)
{
	static const char *names[] = { "error", "warning", "info", "debug" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(name, names[i]) == 0)
			return (int)i;
	return -1;
}

int
log_facility_from_name(const char *name)
{
	static const struct {
		const char *name;
		int fac;
	} tab[] = {
		{ "mail", LOG_MAIL },	  { "daemon", LOG_DAEMON },
		{ "user", LOG_USER },	  { "local0", LOG_LOCAL0 },
		{ "local1", LOG_LOCAL1 }, { "local2", LOG_LOCAL2 },
		{ "local3", LOG_LOCAL3 }, { "local4", LOG_LOCAL4 },
		{ "local5", LOG_LOCAL5 }, { "local6", LOG_LOCAL6 },
		{ "local7", LOG_LOCAL7 },
	};

	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (strcasecmp(name, tab[i].name) == 0)
			return tab[i].fac;
	return -1;
}

void
log_emit(int level, const char *fmt, ...)
{
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	static const char *tag[] = { "error", "warning", "info", "debug" };
	va_list ap;

	if (level < LOG_LVL_ERR || level > LOG_LVL_DEBUG)
		level = LOG_LVL_ERR;
	va_start(ap, fmt);
	if (log_stderr) {
		char line[4096];

		vsnprintf(line, sizeof(line), fmt, ap);
		fprintf(stderr, "%s: %s: %s\n", log_ident, tag[level], line);
	} else {
		vsyslog(prio[level], fmt, ap);
	}
	va_end(ap);
}
