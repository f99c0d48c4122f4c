/* Who may change a file the shim trusts (sshd StrictModes style).
 *
 * Threat: the shim checks a file and runc (or the shim itself, later)
 * reads it by path.  Anyone who can write the file, or any directory on
 * its path (a writable directory lets them rename the file away and put
 * another in its place), wins that race whatever the shim checked.  So a
 * policy file, a seccomp profile and a bundle are used only when root, or
 * the caller itself, is the only one who can change them.
 *
 * Trusted: every object on the path, the path as given (each symlink on
 * it included) and the path it resolves to, is owned by root or the
 * effective uid, and no directory or file is writable by its group or by
 * others.  One exception, the standard one: an *ancestor* directory that
 * is sticky and owned by root (/tmp, /var/tmp), where nobody can rename or
 * remove an entry they do not own.  Group and other write bits include a
 * POSIX ACL's mask, so an ACL that grants write shows up as group-writable. */
#ifndef HARDENED_TRUST_H
#define HARDENED_TRUST_H

#include <stdbool.h>
#include <sys/stat.h>

#include "hardened/err.h"

/* Refuse `st` (of the object named `name`) unless it is trusted; an
 * `ancestor` may be a sticky root-owned directory.  EPERM, with a message
 * that names the object and the problem. */
int trust_check_stat (const char *name, const struct stat *st, bool ancestor, struct hd_err *err);

/* Refuse `path` unless it and every directory above it, along the path as
 * given and along the path it resolves to, are trusted. */
int trust_check_path (const char *path, struct hd_err *err);

/* A program runc will execute on the host (a hook's path): walked as
 * execve will, one component at a time, every directory passed through
 * (also one a symlink leads to) and the final regular file must be root's
 * alone: owned by root, not writable by group or others, and not on procfs.
 * Stricter than trust_check_path: the caller's own files do not count and
 * no sticky directory is an exception, since root runs the program. */
int trust_check_exec (const char *path, struct hd_err *err);

#endif
