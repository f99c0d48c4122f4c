/* The backend's own list of annotations it acts on.
 *
 * `BACKEND features` (runc >= 1.2, crun) lists them as
 * potentiallyUnsafeConfigAnnotations; the annotations rule refuses them as
 * well as its built-in list, so a new backend or version cannot add a
 * blind spot.  Running the backend costs a fork and tens of milliseconds,
 * and a backend that hangs would hang every container start, so only the
 * ops tooling (`hardened policy lint`, `policy show`) runs it and writes
 * what it said to a root-owned cache, one file per backend path, tagged
 * with the backend file's identity (device, inode, size, mtime, ctime:
 * any reinstall changes one of them).  The create path only reads that
 * file.  Threat: a cache another user could write would let them remove
 * entries; a cache left from an older backend would hide a newer one's.
 * A missing, stale or untrusted entry is never trusted: the built-in list
 * alone applies and every decision carries a note saying why and what to
 * run.  The built-in list already holds every entry runc 1.1-1.2 and crun
 * are known to list, so only a backend's additions can be missed. */
#ifndef HARDENED_BACKEND_FEATURES_H
#define HARDENED_BACKEND_FEATURES_H

#include <stdbool.h>
#include <stddef.h>

#include "hardened/err.h"
#include "hardened/policy.h"

#define FEATURES_MAX_ENTRIES 256

/* What `BACKEND features` said, as cached. */
struct backend_features_entry {
        bool has_features; /* the backend knows the verb and printed JSON */
        bool has_list;     /* ... with potentiallyUnsafeConfigAnnotations */
        size_t n;
        char *unsafe[FEATURES_MAX_ENTRIES];
};

/* Run `backend features` (stdout read, bounded in size and time), and
 * write the cache entry for it.  The tooling only. */
int backend_features_refresh (const char *backend, struct backend_features_entry *out, struct hd_err *err);

void backend_features_entry_free (struct backend_features_entry *e);

/* The cache file's path for `backend` (malloc'd), for messages. */
char *backend_features_cache_path (const char *backend);

/* Fill p->backend from the cache entry for `backend`; never runs it.  A
 * missing, stale or untrusted entry leaves the list empty and says why in
 * p->backend.note.  Fails only on allocation. */
int backend_features_load (const char *backend, struct policy *p, struct hd_err *err);

#endif
