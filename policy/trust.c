#include "config.h"

#include <errno.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "hardened/hostpath.h"
#include "hardened/trust.h"
#include "hardened/util.h"

int
trust_check_stat (const char *name, const struct stat *st, bool ancestor, struct hd_err *err)
{
        uid_t euid = geteuid ();

        if (st->st_uid != 0 && st->st_uid != euid)
                return euid == 0 ? hd_err_set (err, HD_EXIT_REFUSED, EPERM, "%s is owned by uid %u, not by root", name,
                                               (unsigned) st->st_uid)
                                 : hd_err_set (err, HD_EXIT_REFUSED, EPERM,
                                               "%s is owned by uid %u, not by root or uid %u", name,
                                               (unsigned) st->st_uid, (unsigned) euid);
        /* A symlink's own mode is always 0777 and means nothing; its owner
         * (who may replace it in a sticky directory) is what counts. */
        if (S_ISLNK (st->st_mode) || !(st->st_mode & (S_IWGRP | S_IWOTH)))
                return 0;
        if (ancestor && S_ISDIR (st->st_mode) && (st->st_mode & S_ISVTX) && st->st_uid == 0)
                return 0;
        return hd_err_set (err, HD_EXIT_REFUSED, EPERM, "%s is writable by %s (mode %04o)", name,
                           (st->st_mode & S_IWOTH) ? "others" : "its group", (unsigned) (st->st_mode & 07777));
}

/* Prefixes already found trustworthy in this process, and whether each is
 * a symlink: the policy and the bundle share their ancestors (/, /dev,
 * /dev/shm ...).  Only root could make a root-owned, unwritable directory
 * someone else's in the milliseconds between two checks, and root can as
 * well do it after the last.  Only root's are remembered (their verdict
 * does not depend on the euid asking); refusals are not (each is asked
 * anew, so its message is the same); full: asked anew. */
#define TRUST_MEMO 32

static struct {
        char *path;
        bool ancestor, link;
} trusted[TRUST_MEMO];
static size_t ntrusted;

static int
trusted_find (const char *prefix, bool ancestor)
{
        for (size_t i = 0; i < ntrusted; i++)
                if (trusted[i].ancestor == ancestor && strcmp (trusted[i].path, prefix) == 0)
                        return (int) i;
        return -1;
}

/* lstat the prefix and check it (a prefix is an ancestor when a non-empty
 * component follows it); *linked set when it is a symlink. */
static int
check_prefix (const char *prefix, bool ancestor, bool *linked, struct hd_err *err)
{
        int known = trusted_find (prefix, ancestor);
        struct stat st;

        if (known >= 0) {
                *linked |= trusted[known].link;
                return 0;
        }
        if (lstat (prefix, &st) < 0)
                return hd_err_sys (err, HD_EXIT_REFUSED, errno, "%s", prefix);
        if (trust_check_stat (prefix, &st, ancestor, err) < 0)
                return -1;
        *linked |= S_ISLNK (st.st_mode);
        if (st.st_uid == 0 && ntrusted < TRUST_MEMO && (trusted[ntrusted].path = strdup (prefix))) {
                trusted[ntrusted].ancestor = ancestor;
                trusted[ntrusted++].link = S_ISLNK (st.st_mode);
        }
        return 0;
}

/* lstat "/" and then every prefix of the absolute path `abs` that ends a
 * component, and check it; a prefix is an ancestor when another component
 * follows.  lstat follows the symlinks of earlier components, so a symlink
 * on the way is checked itself, then what it leads to.  *linked: one of
 * them is a symlink. */
static int
walk (const char *abs, bool *linked, struct hd_err *err)
{
        char prefix[PATH_MAX] = "/";
        size_t n = strlen (abs), pos = 0;

        if (n >= sizeof prefix)
                return hd_err_set (err, HD_EXIT_REFUSED, ENAMETOOLONG, "%s: path too long", abs);
        if (check_prefix (prefix, n > 1, linked, err) < 0)
                return -1;
        while (pos < n) {
                size_t end, next;

                while (pos < n && abs[pos] == '/')
                        pos++;
                if (pos == n)
                        break;
                for (end = pos; end < n && abs[end] != '/'; end++)
                        ;
                for (next = end; next < n && abs[next] == '/'; next++)
                        ;
                memcpy (prefix, abs, end);
                prefix[end] = '\0';
                if (check_prefix (prefix, next < n, linked, err) < 0)
                        return -1;
                pos = end;
        }
        return 0;
}

/* A clean path ("/a/b": no ".", "..", "//" or trailing "/") whose every
 * prefix the walk found to be no symlink is its own realpath: realpath
 * would only read each of those links again. */
static bool
is_clean (const char *abs)
{
        char clean[PATH_MAX];

        hostpath_clean (abs, clean, sizeof clean);
        return strcmp (clean, abs) == 0;
}

int
trust_check_path (const char *path, struct hd_err *err)
{
        _cleanup_free_ char *abs = NULL;
        char resolved[PATH_MAX];
        bool linked = false;

        if (path[0] == '/') {
                abs = strdup (path);
        } else {
                _cleanup_free_ char *cwd = getcwd (NULL, 0);
                if (cwd && asprintf (&abs, "%s/%s", cwd, path) < 0)
                        abs = NULL;
        }
        if (!abs)
                return hd_err_sys (err, HD_EXIT_INTERNAL, errno ? errno : ENOMEM, "%s", path);
        if (walk (abs, &linked, err) < 0)
                return -1;
        if (!linked && is_clean (abs))
                return 0;
        if (hostpath_realpath (path, resolved) < 0)
                return hd_err_sys (err, HD_EXIT_REFUSED, errno, "%s", path);
        linked = false;
        return strcmp (resolved, abs) == 0 ? 0 : walk (resolved, &linked, err);
}

/* ---- programs runc executes on the host ------------------------------------ */

#define TRUST_MAX_LINKS 40 /* the kernel's own limit */

/* Only root can change `st`: owned by root, not writable by group or others. */
static int
exec_root_only (const char *what, const char *path, const struct stat *st, struct hd_err *err)
{
        if (st->st_uid != 0)
                return hd_err_set (err, HD_EXIT_REFUSED, EPERM, "%s %s is owned by uid %u, not root", what, path,
                                   (unsigned) st->st_uid);
        if (st->st_mode & (S_IWGRP | S_IWOTH))
                return hd_err_set (err, HD_EXIT_REFUSED, EPERM, "%s %s is writable by group or others (mode %04o)",
                                   what, path, (unsigned) (st->st_mode & 07777));
        return 0;
}

/* A directory the walk enters (a real path: every symlink before it resolved). */
static int
exec_dir_safe (const char *dir, struct hd_err *err)
{
        struct statfs fs;
        struct stat st;

        if (lstat (dir, &st) < 0 || statfs (dir, &fs) < 0)
                return hd_err_sys (err, HD_EXIT_REFUSED, errno, "%s", dir);
        if (fs.f_type == PROC_SUPER_MAGIC)
                return hd_err_set (err, HD_EXIT_REFUSED, EPERM,
                                   "it goes through %s, on procfs, which names processes rather than files", dir);
        return exec_root_only ("directory", dir, &st, err);
}

/* rest = the link's target + tail (the components after the link; tail
 * points into rest, so the target is read into its own buffer first). */
static int
exec_follow_link (const char *at, char *rest, const char *tail, unsigned *links, struct hd_err *err)
{
        char link[PATH_MAX];
        ssize_t len = readlink (at, link, sizeof link - 1);
        size_t tlen = strlen (tail);

        if (++*links > TRUST_MAX_LINKS)
                return hd_err_set (err, HD_EXIT_REFUSED, ELOOP, "too many symbolic links");
        if (len < 0)
                return hd_err_sys (err, HD_EXIT_REFUSED, errno, "%s", at);
        if ((size_t) len + tlen >= PATH_MAX)
                return hd_err_set (err, HD_EXIT_REFUSED, ENAMETOOLONG, "%s: the path is too long", at);
        memmove (rest + len, tail, tlen + 1);
        memcpy (rest, link, (size_t) len);
        return 0;
}

/* Walk the absolute `path` as execve will, one component at a time (the
 * sshd StrictModes idea, applied to every hop): each directory passed
 * through, also one a symlink leads to, and the final regular file must be
 * root's alone.  A directory someone else can write lets them swap what
 * runs after the check; so does a file they can write. */
int
trust_check_exec (const char *path, struct hd_err *err)
{
        char cur[PATH_MAX] = "", rest[PATH_MAX], at[PATH_MAX];
        unsigned links = 0;

        snprintf (rest, sizeof rest, "%s", path);
        for (;;) {
                const char *comp = rest + strspn (rest, "/"), *tail;
                size_t len = strcspn (comp, "/");
                struct stat st;

                if (len == 0)
                        return hd_err_set (err, HD_EXIT_REFUSED, EISDIR, "%s names a directory", path);
                tail = comp + len;
                if (len == 1 && comp[0] == '.') {
                        memmove (rest, tail, strlen (tail) + 1);
                        continue;
                }
                if (len == 2 && comp[0] == '.' && comp[1] == '.') {
                        *(strrchr (cur, '/') ? strrchr (cur, '/') : cur) = '\0';
                        memmove (rest, tail, strlen (tail) + 1);
                        continue;
                }
                if (exec_dir_safe (cur[0] ? cur : "/", err) < 0)
                        return -1;
                if ((size_t) snprintf (at, sizeof at, "%s/%.*s", cur, (int) len, comp) >= sizeof at)
                        return hd_err_set (err, HD_EXIT_REFUSED, ENAMETOOLONG, "the path is too long");
                if (lstat (at, &st) < 0)
                        return hd_err_sys (err, HD_EXIT_REFUSED, errno, "%s", at);
                if (S_ISLNK (st.st_mode)) {
                        if (exec_follow_link (at, rest, tail, &links, err) < 0)
                                return -1;
                        if (rest[0] == '/')
                                cur[0] = '\0';
                        continue;
                }
                if (*tail) {
                        if (!S_ISDIR (st.st_mode))
                                return hd_err_set (err, HD_EXIT_REFUSED, ENOTDIR, "%s is not a directory", at);
                        memcpy (cur, at, strlen (at) + 1);
                        memmove (rest, tail, strlen (tail) + 1);
                        continue;
                }
                if (!S_ISREG (st.st_mode))
                        return hd_err_set (err, HD_EXIT_REFUSED, EPERM, "%s is not a regular file", at);
                return exec_root_only ("file", at, &st, err);
        }
}
