/*
 * bounds.h - bounds on everything a message controls.
 *
 * Each field is a config key under "limits:" (see conf.c for defaults
 * and ranges).  Hitting a limit never rejects mail: the message is judged
 * on what was read within the limit and the event is logged.
 */
#ifndef BOUNDS_H
#define BOUNDS_H

#include <stddef.h>

struct limits {
	size_t max_message_bytes; /* header+body bytes buffered and parsed */
	size_t max_text_bytes;	  /* decoded text scanned per message */
	unsigned max_mime_depth;  /* nesting of multiparts/message parts */
	unsigned max_mime_parts;  /* parts visited */
	unsigned max_headers;	  /* headers recorded per message */
	unsigned max_excerpt;	  /* characters of evidence per hit */
	unsigned max_evidence;	  /* evidence items kept per category */
	unsigned max_recipients;  /* envelope recipients recorded */
};

#endif
