#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hardened/trust.h"
#include "hardened/util.h"

int
trust_check_stat (const char *name, const struct stat *st, bool ancestor, struct hd_err *err)
{
        uid_t euid = geteuid ();

        if (st->st_uid != 0 && st->st_uid != euid)
                return euid == 0 ? hd_err_set (err, HD_EXIT_REFUSED, EPERM, "%s is owned by uid %u, not by root",
                                               name, (unsigned) st->st_uid)
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
                           (st->st_mode & S_IWOTH) ? "others" : "its group",
                           (unsigned) (st->st_mode & 07777));
}

/* lstat every prefix of the absolute path `abs`, "/" first, and check it:
 * a prefix is an ancestor when a non-empty component follows it.  lstat
 * follows the symlinks of earlier components, so each symlink on the way is
 * checked itself, then what it leads to. */
static int
check_prefix (char *prefix, bool ancestor, struct hd_err *err)
{
        struct stat st;

        if (lstat (prefix, &st) < 0)
                return hd_err_sys (err, HD_EXIT_REFUSED, errno, "%s", prefix);
        return trust_check_stat (prefix, &st, ancestor, err);
}

/* lstat "/" and then every prefix of the absolute path `abs` that ends a
 * component, and check it; a prefix is an ancestor when another component
 * follows.  lstat follows the symlinks of earlier components, so a symlink
 * on the way is checked itself, then what it leads to. */
static int
walk (const char *abs, struct hd_err *err)
{
        char prefix[PATH_MAX] = "/";
        size_t n = strlen (abs), pos = 0;

        if (n >= sizeof prefix)
                return hd_err_set (err, HD_EXIT_REFUSED, ENAMETOOLONG, "%s: path too long", abs);
        if (check_prefix (prefix, n > 1, err) < 0)
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
                if (check_prefix (prefix, next < n, err) < 0)
                        return -1;
                pos = end;
        }
        return 0;
}

int
trust_check_path (const char *path, struct hd_err *err)
{
        _cleanup_free_ char *resolved = NULL, *abs = NULL;

        if (path[0] == '/') {
                abs = strdup (path);
        } else {
                _cleanup_free_ char *cwd = getcwd (NULL, 0);
                if (cwd && asprintf (&abs, "%s/%s", cwd, path) < 0)
                        abs = NULL;
        }
        if (!abs)
                return hd_err_sys (err, HD_EXIT_INTERNAL, errno ? errno : ENOMEM, "%s", path);
        if (walk (abs, err) < 0)
                return -1;
        resolved = realpath (path, NULL);
        if (!resolved)
                return hd_err_sys (err, HD_EXIT_REFUSED, errno, "%s", path);
        return strcmp (resolved, abs) == 0 ? 0 : walk (resolved, err);
}
