/*
 * textline.c - lines of extracted text and ASCII case-insensitive
 * prefix, suffix and substring tests (textline.h).
 */
#include "textline.h"

#include <glib.h>
#include <string.h>

void
textline_get(const char *text, size_t n, size_t off, struct textline *l)
{
	const char *eol = off < n ? memchr(text + off, '\n', n - off) : NULL;
	size_t end = eol != NULL ? (size_t)(eol - text) : n;

	l->off = off;
	l->next = eol != NULL ? end + 1 : n;
	l->s = text + off;
	l->len = end - off;
	while (l->len > 0 && (*l->s == ' ' || *l->s == '\t')) {
		l->s++;
		l->len--;
	}
	while (l->len > 0 && g_ascii_isspace(l->s[l->len - 1]))
		l->len--;
}

bool
text_has_prefix(const char *s, size_t len, const char *word)
{
	size_t wl = strlen(word);

	return len >= wl && g_ascii_strncasecmp(s, word, wl) == 0;
}

bool
text_has_suffix(const char *s, size_t len, const char *word)
{
	size_t wl = strlen(word);

	return len >= wl && g_ascii_strncasecmp(s + len - wl, word, wl) == 0;
}

bool
text_contains(const char *s, size_t len, const char *word)
{
	size_t wl = strlen(word);
	char first = g_ascii_tolower(word[0]);

	for (size_t i = 0; i + wl <= len; i++)
		if (g_ascii_tolower(s[i]) == first &&
		    g_ascii_strncasecmp(s + i, word, wl) == 0)
			return true;
	return false;
}
