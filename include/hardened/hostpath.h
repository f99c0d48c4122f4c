/* Host paths as the kernel resolves them, and what a path shows through
 * the host's mount table.
 *
 * A bind source is a name; what runc binds is whatever the kernel finds
 * there when it resolves the name: symlinks followed, and the topmost mount
 * over each component.  realpath() handles the first; only the mount table
 * (/proc/self/mountinfo) tells the second: a bind mount of /etc sitting at
 * /var/lib/docker/volumes/v/_data has a harmless name and shows /etc.  The
 * table maps a path to (device, path inside that filesystem), which is what
 * two names must share to show the same files. */
#ifndef HARDENED_HOSTPATH_H
#define HARDENED_HOSTPATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hardened/err.h"

/* Is `path` equal to `base` or below it (component-wise)?  "/" is above
 * every absolute path. */
bool hostpath_under (const char *path, const char *base);

/* Lexically clean an absolute path: no "//", ".", "..", trailing "/". */
void hostpath_clean (const char *in, char *out, size_t size);

/* realpath (path, out) with out of PATH_MAX: the same answer and errno,
 * but each resolved prefix's link read once per process (remembered: the
 * host's paths as they were when first asked).  Unlike realpath, `out` is
 * left as it was on failure. */
int hostpath_realpath (const char *path, char *out);

/* The path the kernel will reach for the absolute `path`: realpath() when
 * it exists; otherwise the realpath of its longest existing ancestor
 * followed by the rest, cleaned (so /var/run/crio/crio.sock is
 * /run/crio/crio.sock where /var/run -> /run, even without CRI-O). */
void hostpath_canonical (const char *path, char *out, size_t size);

/* One line of mountinfo; strings point into the table's buffer, unescaped. */
struct hostpath_mount {
        uint64_t id;
        unsigned major, minor;
        const char *root;  /* the path inside its filesystem that is mounted */
        const char *point; /* where, in this mount namespace */
        const char *fstype;
};

struct hostpath_mounts {
        char *buf; /* owned */
        size_t n;
        struct hostpath_mount *m; /* owned, in the file's order */
};

/* Parse mountinfo text (taken over: freed by hostpath_mounts_free, also on
 * failure).  A malformed line is an error: the table is a security input. */
int hostpath_mounts_parse (char *text, struct hostpath_mounts *t, struct hd_err *err);
/* Read and parse `file` (/proc/self/mountinfo), size-capped. */
int hostpath_mounts_read (const char *file, struct hostpath_mounts *t, struct hd_err *err);
void hostpath_mounts_free (struct hostpath_mounts *t);

/* The mount with this mount id (statx STATX_MNT_ID), or NULL. */
const struct hostpath_mount *hostpath_mount_by_id (const struct hostpath_mounts *t, uint64_t id);
/* Without a mount id: the mount whose point is the longest prefix of the
 * canonical `path`, the last listed of equals (mounted over the others). */
const struct hostpath_mount *hostpath_mount_of (const struct hostpath_mounts *t, const char *path);
/* What `path` (at or below m->point) is inside m's filesystem:
 * m->root followed by the part of `path` below m->point. */
void hostpath_in_fs (const struct hostpath_mount *m, const char *path, char *out, size_t size);

#endif
