/* The fast path of a pass-through verb's look at the policy file: its root
 * object's "runtime" string, in a few instructions a byte, deciding only
 * documents it can prove json_parse accepts.
 *
 * Private to the policy library (load.c's policy_peek_runtime calls it
 * before json_peek_string; the unit test holds the two to each other). */
#ifndef HARDENED_POLICY_PEEK_H
#define HARDENED_POLICY_PEEK_H

#include <stddef.h>

/* What json_peek_string (buf, len, key, out, err) would answer, when that
 * is cheap to know.  Returns 1 when the document is one json_parse accepts:
 * *out is then a malloc'd copy of the root object's member `key` if that is
 * a string, else NULL.  Returns 0 (and *out NULL) when it cannot tell: the
 * caller must ask json_peek_string.  It answers 0 for every invalid
 * document (a duplicate key, a bad byte, a truncated value, ...), and for
 * valid ones outside a plain subset of JSON: a root that is not an object,
 * nesting deeper than JSON_MAX_DEPTH / 2, whitespace other than space, tab,
 * CR and LF, a \u escape anywhere, an escape in a key or in the member's
 * value, more than 256 keys in the objects open at once, a document over
 * 256 KiB, or no memory.  So a 1 never admits a document the full parser
 * would refuse, and never differs in the string found. */
int peek_string_fast (const char *buf, size_t len, const char *key, char **out);

#endif
