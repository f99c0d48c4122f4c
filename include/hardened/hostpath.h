/* Host paths compared as the kernel sees them. */
#ifndef HARDENED_HOSTPATH_H
#define HARDENED_HOSTPATH_H

#include <stdbool.h>
#include <stddef.h>

/* Is `path` equal to `base` or below it (component-wise)?  "/" is above
 * every absolute path. */
bool hostpath_under (const char *path, const char *base);

/* Lexically clean an absolute path: no "//", ".", "..", trailing "/". */
void hostpath_clean (const char *in, char *out, size_t size);

#endif
