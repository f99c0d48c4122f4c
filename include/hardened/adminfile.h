/* Reading a whole file: any file (capped), and the administrator's own. */
#ifndef HARDENED_ADMINFILE_H
#define HARDENED_ADMINFILE_H

#include <stddef.h>

#include "hardened/err.h"

/* Read a whole regular file (symlinks followed), capped. */
int rules_read_file (const char *path, char **out, size_t *len, struct hd_err *err);

/* rules_read_file for the administrator's own files (a policy, what it
 * extends, its overlays, a seccomp profile): refused unless only root (or
 * the caller) can change the file and every directory above it
 * (trust_check_path), because a policy someone else can write is theirs. */
int rules_read_admin_file (const char *path, char **out, size_t *len, struct hd_err *err);

#endif
