/* Reading a whole file: any file (capped), and the administrator's own. */
#ifndef HARDENED_ADMINFILE_H
#define HARDENED_ADMINFILE_H

#include <stddef.h>

#include "hardened/err.h"

/* Read a whole regular file (symlinks followed) of at most max bytes. */
int adminfile_read_capped (const char *path, size_t max, char **out, size_t *len, struct hd_err *err);
/* The same, capped at JSON_MAX_BYTES. */
int adminfile_read_any (const char *path, char **out, size_t *len, struct hd_err *err);

/* adminfile_read_any for the administrator's own files (a policy, what it
 * extends, its overlays, a seccomp profile): refused unless only root (or
 * the caller) can change the file and every directory above it
 * (trust_check_path), because a policy someone else can write is theirs. */
int adminfile_read (const char *path, char **out, size_t *len, struct hd_err *err);

#endif
