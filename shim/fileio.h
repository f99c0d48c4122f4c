/* Untrusted files (STYLE.md 4): read relative to a directory descriptor
 * with O_NOFOLLOW, regular files only, size-capped; replaced atomically.
 *
 * Threat: a config.json that is a symlink, a FIFO or a device could make
 * the shim check one thing while runc reads another, or hang it.  A
 * half-written config would hand runc bytes nobody checked. */
#ifndef HARDENED_FILEIO_H
#define HARDENED_FILEIO_H

#include <stddef.h>
#include <sys/stat.h>

#include "hardened/err.h"

/* Open `path` as a directory (O_DIRECTORY | O_CLOEXEC); returns the fd. */
int fileio_open_dir (const char *path, struct hd_err *err);

/* Read `name` in `dirfd` whole into a malloc'd, NUL-terminated buffer.
 * Refuses symlinks, non-regular files and files over `cap` bytes. */
int fileio_read_at (int dirfd, const char *name, size_t cap, char **out, size_t *len, struct stat *st,
                    struct hd_err *err);

/* Read a whole descriptor (a pipe) up to `cap` bytes. */
int fileio_read_fd (int fd, size_t cap, char **out, size_t *len, struct hd_err *err);

/* Replace `name` in `dirfd` with `data`: an O_EXCL temporary in the same
 * directory, written, given `orig`'s mode and owner, fsync'd, renamed over
 * `name`, then the directory fsync'd.  On any failure the temporary is
 * removed and `name` is untouched. */
int fileio_replace_at (int dirfd, const char *name, const char *data, size_t len, const struct stat *orig,
                       struct hd_err *err);

/* fileio_replace_at in two steps, for a caller that checks the new file
 * before it replaces the old one: the temporary ".<name>.hardened-<random>"
 * written and fsync'd (its name in tmp), then renamed over `name` and the
 * directory fsync'd.  Each removes the temporary when it fails. */
int fileio_write_temp (int dirfd, const char *name, const char *data, size_t len, const struct stat *orig, char *tmp,
                       size_t size, struct hd_err *err);
int fileio_commit_temp (int dirfd, const char *tmp, const char *name, struct hd_err *err);

#endif
