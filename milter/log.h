/*
 * log.h - the one logging module.
 *
 * log_init() chooses stderr (foreground, -t, -n) or syslog (daemon).
 * The level check is inside the macros, so arguments of suppressed
 * messages are not evaluated.  Process-wide state: set once at start.
 */
#ifndef LOG_H
#define LOG_H

enum log_level { LOG_LVL_ERR = 0, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

void log_init(const char *ident, int to_stderr, int facility);
void log_set_level(int level);
int log_get_level(void);
/* Returns the level for "error|warning|info|debug", or -1. */
int log_level_from_name(const char *name);
/* Returns the syslog facility for "mail|daemon|local0..7", or -1. */
int log_facility_from_name(const char *name);
void log_emit(int level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define log_at(lvl, ...)                                                    \
	do {                                                                \
		if ((lvl) <= log_get_level())                               \
			log_emit((lvl), __VA_ARGS__);                       \
	} while (0)
#define log_err(...) log_at(LOG_LVL_ERR, __VA_ARGS__)
#define log_warn(...) log_at(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...) log_at(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...) log_at(LOG_LVL_DEBUG, __VA_ARGS__)

#endif
