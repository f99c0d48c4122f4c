/* Argument patterns: how a policy names the strings it allows (hook
 * arguments and environment entries).
 *
 * A pattern matches a WHOLE string, byte by byte (no locale, no path
 * semantics: `*` crosses `/`).  Syntax:
 *   *        any run of bytes, possibly empty
 *   ?        exactly one byte
 *   [set]    one byte of the set: bytes and ranges a-z; [!set] negates;
 *            a `-` first or last is literal; `]` and `\` inside need `\`
 *   {N}      right after `?`, `[set]` or a literal byte: that one-byte atom
 *            exactly N times (1 <= N <= PATTERN_MAX_REPEAT), so a 64-digit
 *            hex id is [0-9a-f]{64}
 *   \c       the byte c itself (\*, \?, \[, \{, \\)
 *   other    itself; a `{` that is not a repetition is an error, so a
 *            typo cannot silently become a literal
 * A pattern without special bytes is an exact string.
 *
 * Threat: these patterns decide what runs as root on the host, so the
 * grammar is small, fixed-width per atom (no alternation, no nesting), and
 * checked when the policy loads: a malformed pattern is a load error, never
 * a pattern that matches more (or less) than it reads. */
#ifndef HARDENED_PATTERN_H
#define HARDENED_PATTERN_H

#include <stdbool.h>
#include <stddef.h>

#define PATTERN_MAX_REPEAT 4096

/* 0 if `pattern` is well formed; otherwise -1 with *where set to the byte
 * offset of the problem and *why to a static explanation. */
int pattern_check (const char *pattern, size_t *where, const char **why);

/* Does `s` match `pattern` as a whole?  A malformed pattern matches nothing. */
bool pattern_match (const char *pattern, const char *s);

#endif
