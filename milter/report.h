/*
 * report.h - the -t output: one JSON object per message, and the
 * one-line key=value summary that the milter logs per message.
 *
 * The JSON is a public interface (escalation-milter(8)):
 *   {"file", "escalate", "categories", "followup", "history",
 *    "signals": {id: {"count", "message_count", "history_count",
 *    "threshold", "fired", "state", "evidence": [{"rule", "text", "offset"}]}},
 *    "subject", "headers": [[name, value], ...], "removed",
 *    "route": {"action", "to", "channel", "shadow", "skipped"} | null,
 *    "truncated"}
 */
#ifndef REPORT_H
#define REPORT_H

#include "msg.h"

/* New string (g_free): the JSON object, one line, no newline. */
char *report_json(const char *file, const struct msg_result *r);
/* New string: "categories=legal,abuse signals=legal:1/1,... action=tag". */
char *report_summary(const struct msg_result *r, const char *action);

#endif
