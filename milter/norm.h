/*
 * norm.h - normalisation of text for matching.
 *
 * norm_text() makes UTF-8 valid, applies Unicode NFKC, turns look-alike
 * Cyrillic, Greek and Armenian letters inside Latin words into the Latin
 * letters they imitate, case folds (GLib), removes zero-width and other
 * format characters and combining marks left over after a plain letter,
 * makes small capitals, typographic quotes and dashes plain, maps every
 * run of white space (including line breaks) to one space and trims,
 * joins spelt-out letters ("f.u.c.k", "s h i t") and cuts a letter
 * stretched three times or more inside a word to two ("fuuuck" becomes
 * "fuuck").  Details in norm.c.  The result is what rules are matched
 * against and what excerpts and evidence offsets refer to; rule phrases
 * go through the same function.  Normalising twice gives the same text.
 */
#ifndef NORM_H
#define NORM_H

#include <stddef.h>

/* Returns a new string (g_free), never NULL; *outlen gets its length. */
char *norm_text(const char *s, size_t len, size_t *outlen);

#endif
