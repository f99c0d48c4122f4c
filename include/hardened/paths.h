/* Paths inside a container: the runtime's default masked and read-only
 * paths, and what makes a path lexically clean. */
#ifndef HARDENED_PATHS_H
#define HARDENED_PATHS_H

#include <stdbool.h>
#include <stddef.h>

/* The runtime's default linux.maskedPaths and linux.readonlyPaths. */
extern const char *const rules_masked_default[];
extern const size_t rules_masked_default_len;
extern const char *const rules_readonly_default[];
extern const size_t rules_readonly_default_len;

/* Is `path` absolute and lexically clean: no "//", "." or ".." component,
 * no trailing "/" ("/" itself is clean)? */
bool rules_path_clean (const char *path);

#endif
