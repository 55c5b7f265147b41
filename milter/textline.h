/*
 * textline.h - lines of extracted text and ASCII case-insensitive tests
 * on them, shared by the parts of extraction that read text line by
 * line (quote.c, footer.c, relay.c).
 */
#ifndef TEXTLINE_H
#define TEXTLINE_H

#include <stdbool.h>
#include <stddef.h>

struct textline {
	const char *s;	/* the line, blanks at both ends trimmed */
	size_t len;
	size_t off;	/* where the line starts in the text */
	size_t next;	/* offset of the following line (n at the end) */
};

/* The line of text[0..n) that starts at off (< n or == n: empty). */
void textline_get(const char *text, size_t n, size_t off,
    struct textline *l);
/* Does s[0..len) start with, end with or contain word (ASCII case)? */
bool text_has_prefix(const char *s, size_t len, const char *word);
bool text_has_suffix(const char *s, size_t len, const char *word);
bool text_contains(const char *s, size_t len, const char *word);

#endif
