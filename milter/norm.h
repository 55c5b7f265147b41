/*
 * norm.h - normalisation of text for matching.
 *
 * norm_text() makes UTF-8 valid, removes zero-width and other format
 * characters, applies Unicode NFKC and case folding (GLib), maps every
 * run of white space (including line breaks) to one space, and trims.
 * The result is what rules are matched against and what excerpts are
 * cut from.
 */
#ifndef NORM_H
#define NORM_H

#include <stddef.h>

/* Returns a new string (g_free), never NULL; *outlen gets its length. */
char *norm_text(const char *s, size_t len, size_t *outlen);

#endif
