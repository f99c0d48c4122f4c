/* Paths inside a container: the runtime's default masked and read-only
 * paths, and what makes a path lexically clean. */
#ifndef HARDENED_PATHS_H
#define HARDENED_PATHS_H

#include <stdbool.h>
#include <stddef.h>

/* The runtime's default linux.maskedPaths and linux.readonlyPaths. */
extern const char *const paths_masked_default[];
extern const size_t paths_masked_default_len;
extern const char *const paths_readonly_default[];
extern const size_t paths_readonly_default_len;

/* Is `path` absolute and lexically clean: no "//", "." or ".." component,
 * no trailing "/" ("/" itself is clean)? */
bool paths_clean (const char *path);

#endif
