/* Becoming the backend runtime.
 *
 * The shim never forks: the engine tracks the process it started, so the
 * shim execve()s the backend with the same environment and every inherited
 * descriptor untouched (stdio, LISTEN_FDS, --preserve-fds, the console
 * socket).  Everything the shim itself opened is O_CLOEXEC. */
#ifndef HARDENED_BACKEND_H
#define HARDENED_BACKEND_H

#include "hardened/err.h"

/* Refuse a backend that is missing, not an executable regular file, or the
 * shim itself (same device and inode as /proc/self/exe): a mis-install must
 * fail loudly, never loop. */
int backend_check (const char *path, struct hd_err *err);

/* execve(path, argv, environ).  Returns only on failure. */
int backend_exec (const char *path, char **argv, struct hd_err *err);

#endif
