#include "config.h"

#include <stddef.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hardened/hostpath.h"
#include "hardened/rules.h"
#include "hardened/util.h"

/* mounts.bindSource (CIS 5.6, 5.32; PSS hostPath): a bind mount is known by
 * its options (bind/rbind), whatever its type says.  Its source is
 * canonicalised as runc will use it (relative to the bundle, symlinks
 * resolved) and refused when it is a denied path, under one, or an ancestor
 * of one (binding /var/run would expose /var/run/docker.sock); with an
 * allow-list, it must be under an allowed path.  No safe fix: refused.
 * mounts.propagation (CIS 5.20): no shared/rshared mount, no shared
 * rootfsPropagation; fixed to private.
 * mounts.readOnly (optional): every bind mount read-only (ro as the last of
 * ro/rw, not undone by rrw); fixed by appending "ro" (and "rro" over rrw). */

static bool
is_bind (const struct json *m)
{
        const struct json *o = json_get (m, "options");

        return rules_array_has (o, "bind") || rules_array_has (o, "rbind");
}

/* ---- what runc makes of a mount entry --------------------------------------
 *
 * runc 1.1 (specconv parseMountOptions) reads the options in order: each
 * known flag sets or clears its bit, so the last of ro/rw, nosuid/suid,
 * nodev/dev, noexec/exec wins; "bind" or "rbind" anywhere makes the entry a
 * bind whatever its type says; rro/rrw are recursive attributes applied
 * with mount_setattr to binds only (set wins over clear); "remount" turns
 * the entry into a change of whatever is already mounted there. */

enum {
        MF_RDONLY = 1 << 0, MF_NOSUID = 1 << 1, MF_NODEV = 1 << 2, MF_NOEXEC = 1 << 3,
        MF_REMOUNT = 1 << 4, MF_REC = 1 << 5, MF_RRO = 1 << 6, MF_RRW = 1 << 7,
};

static const struct {
        const char *name;
        unsigned flag;
        bool clear;
} mount_options[] = {
        { "ro", MF_RDONLY, false },     { "rw", MF_RDONLY, true },  { "nosuid", MF_NOSUID, false },
        { "suid", MF_NOSUID, true },    { "nodev", MF_NODEV, false }, { "dev", MF_NODEV, true },
        { "noexec", MF_NOEXEC, false }, { "exec", MF_NOEXEC, true }, { "remount", MF_REMOUNT, false },
        { "rbind", MF_REC, false },     { "rro", MF_RRO, false },   { "rrw", MF_RRW, false },
};

static unsigned
mount_flags (const struct json *m)
{
        const struct json *o = json_get (m, "options");
        unsigned f = 0;

        for (size_t i = 0; o && i < o->n; i++)
                for (size_t k = 0; k < HD_ARRAY_SIZE (mount_options); k++)
                        if (strcmp (o->items[i]->text, mount_options[k].name) == 0)
                                f = mount_options[k].clear ? f & ~mount_options[k].flag : f | mount_options[k].flag;
        return f;
}

/* Is a bind read-only?  rro makes it and every submount read-only; ro
 * remounts the top mount only (so an rbind still shows its submounts
 * writable when `submounts` matter), and rrw clears it again. */
static bool
bind_read_only (unsigned f, bool submounts)
{
        if (f & MF_RRO)
                return true;
        return (f & MF_RDONLY) && !(f & MF_RRW) && !(submounts && (f & MF_REC));
}

/* The host path the kernel will bind: realpath when it exists (symlinks
 * followed, as mount(2) does), else the cleaned path. */
static void
canonical_source (const char *bundle, const char *src, char *out, size_t size)
{
        char joined[PATH_MAX * 2], resolved[PATH_MAX];

        if (src[0] == '/')
                snprintf (joined, sizeof joined, "%s", src);
        else if (bundle && bundle[0] == '/')
                snprintf (joined, sizeof joined, "%s/%s", bundle, src);
        else if (realpath (bundle ? bundle : ".", resolved))
                snprintf (joined, sizeof joined, "%s/%s", resolved, src);
        else
                snprintf (joined, sizeof joined, "/%s", src);
        if (realpath (joined, resolved))
                snprintf (out, size, "%s", resolved);
        else
                hostpath_clean (joined, out, size);
}

/* Is `path` equal to `base` or below it? */
static bool
under (const char *path, const char *base)
{
        return hostpath_under (path, base);
}

/* Files the engine keeps for this very container (Docker's
 * .../containers/<id>/resolv.conf, hostname, hosts, shm): not a host path a
 * user chose, even under a denied tree like /var/lib/docker. */
static bool
engine_managed (const char *src, const char *id)
{
        char needle[300];

        if (!id || !*id)
                return false;
        snprintf (needle, sizeof needle, "/containers/%s/", id);
        return strstr (src, needle) != NULL;
}

static const char *
denied_by (const struct policy *p, const char *src)
{
        const struct policy_list *deny = &p->surface.mount_deny;

        for (size_t i = 0; i < policy_list_len (deny); i++) {
                const char *d = policy_list_at (deny, i);
                /* "/" only denies itself; anything else denies its subtree too */
                if (strcmp (src, d) == 0 || under (d, src) || (strcmp (d, "/") != 0 && under (src, d)))
                        return d;
        }
        return NULL;
}

static bool
allowed (const struct policy *p, const char *src)
{
        const struct policy_list *allow = &p->surface.mount_allow;

        if (!allow->json)
                return true;
        for (size_t i = 0; i < policy_list_len (allow); i++)
                if (under (src, policy_list_at (allow, i)))
                        return true;
        return false;
}

static void
source_check (const struct policy *p, const struct json *doc, struct decision *d, const char *id)
{
        const struct json *mounts = json_get (doc, "mounts");

        for (size_t i = 0; mounts && i < mounts->n; i++) {
                const struct json *m = mounts->items[i], *src = json_get (m, "source");
                char canon[PATH_MAX], ptr[64];
                const char *deny;

                if (!is_bind (m) || !src)
                        continue;
                canonical_source (d->bundle, src->text, canon, sizeof canon);
                if (engine_managed (canon, d->container_id))
                        continue;
                snprintf (ptr, sizeof ptr, "/mounts/%zu/source", i);
                if ((deny = denied_by (p, canon)))
                        decision_add (d, id, ptr, canon, "not a denied host path",
                                      "bind mount of %s exposes %s", canon, deny);
                else if (!allowed (p, canon))
                        decision_add (d, id, ptr, canon, "under an allowed path",
                                      "bind mount of %s is outside the allow-list", canon);
        }
}

static bool
shared (const char *opt)
{
        return strcmp (opt, "shared") == 0 || strcmp (opt, "rshared") == 0;
}

static void
propagation_check (const struct policy *p, const struct json *doc, struct decision *d, const char *id)
{
        const struct json *mounts = json_get (doc, "mounts");
        const struct json *rp = json_path (doc, "linux", "rootfsPropagation", NULL);

        for (size_t i = 0; mounts && i < mounts->n; i++) {
                const struct json *o = json_get (mounts->items[i], "options");
                char ptr[64];
                for (size_t k = 0; o && k < o->n; k++) {
                        if (!shared (o->items[k]->text))
                                continue;
                        snprintf (ptr, sizeof ptr, "/mounts/%zu/options/%zu", i, k);
                        decision_add (d, id, ptr, o->items[k]->text, "private or slave",
                                      "mount propagation %s on %s reaches the host", o->items[k]->text,
                                      json_get (mounts->items[i], "destination")
                                              ? json_get (mounts->items[i], "destination")->text : "?");
                }
        }
        if (rp && shared (rp->text))
                decision_add (d, id, "/linux/rootfsPropagation", rp->text, "private or slave",
                              "rootfs propagation %s reaches the host", rp->text);
}

static int
propagation_fix (const struct policy *p, struct json *doc, const struct decision *ctx, struct hd_err *err)
{
        struct json *mounts = json_get (doc, "mounts");
        struct json *linux_ = json_get (doc, "linux"), *rp = json_get (linux_, "rootfsPropagation");

        for (size_t i = 0; mounts && i < mounts->n; i++) {
                struct json *o = json_get (mounts->items[i], "options");
                for (size_t k = 0; o && k < o->n; k++) {
                        if (!shared (o->items[k]->text))
                                continue;
                        json_free (o->items[k]);
                        o->items[k] = json_new_string ("rprivate");
                        if (!o->items[k])
                                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
                }
        }
        if (rp && shared (rp->text))
                return json_set (linux_, "rootfsPropagation", json_new_string ("rprivate"), err);
        return 0;
}

static void
read_only_check (const struct policy *p, const struct json *doc, struct decision *d, const char *id)
{
        const struct json *mounts = json_get (doc, "mounts");

        for (size_t i = 0; p->surface.mount_read_only && mounts && i < mounts->n; i++) {
                const struct json *m = mounts->items[i], *src = json_get (m, "source");
                char ptr[64];
                if (!is_bind (m) || bind_read_only (mount_flags (m), false)
                    || (src && engine_managed (src->text, d->container_id)))
                        continue;
                snprintf (ptr, sizeof ptr, "/mounts/%zu/options", i);
                decision_add (d, id, ptr, "read-write", "ro", "bind mount on %s is writable",
                              json_get (m, "destination") ? json_get (m, "destination")->text : "?");
        }
}

static int
read_only_fix (const struct policy *p, struct json *doc, const struct decision *ctx, struct hd_err *err)
{
        struct json *mounts = json_get (doc, "mounts");

        for (size_t i = 0; mounts && i < mounts->n; i++) {
                struct json *m = mounts->items[i], *o;
                const struct json *src = json_get (m, "source");
                if (!is_bind (m) || bind_read_only (mount_flags (m), false)
                    || (src && engine_managed (src->text, ctx->container_id)))
                        continue;
                o = json_ensure (m, "options", JSON_ARRAY, err);
                /* appended, ro wins over an earlier rw; rro over rrw */
                if (!o || json_append (o, json_new_string ("ro"), err) < 0
                    || ((mount_flags (m) & MF_RRW) && json_append (o, json_new_string ("rro"), err) < 0))
                        return -1;
        }
        return 0;
}

/* The runtime's standard set: each type, where it belongs (NULL: anywhere)
 * and the flags its options must leave set.  A type may appear elsewhere
 * only when the policy allows it; its required flags hold wherever it is. */
static const struct {
        const char *type, *destination;
        unsigned required;
} standard_mounts[] = {
        { "proc", "/proc", MF_NOSUID | MF_NOEXEC | MF_NODEV },
        { "sysfs", "/sys", MF_NOSUID | MF_NOEXEC | MF_NODEV | MF_RDONLY },
        { "cgroup", "/sys/fs/cgroup", MF_NOSUID | MF_NOEXEC | MF_NODEV | MF_RDONLY },
        { "cgroup2", "/sys/fs/cgroup", MF_NOSUID | MF_NOEXEC | MF_NODEV | MF_RDONLY },
        { "devpts", "/dev/pts", MF_NOSUID | MF_NOEXEC },
        { "mqueue", "/dev/mqueue", MF_NOSUID | MF_NOEXEC | MF_NODEV },
        { "tmpfs", NULL, 0 },
};

static const struct {
        unsigned flag;
        const char *option;
} required_options[] = {
        { MF_NOSUID, "nosuid" }, { MF_NOEXEC, "noexec" }, { MF_NODEV, "nodev" }, { MF_RDONLY, "ro" },
};

/* The filesystem runc mounts: "bind" for a bind, else the type as given
 * (runc and the kernel compare it exactly; absent is ""). */
static const char *
mount_type (const struct json *m)
{
        const struct json *t = json_get (m, "type");

        return is_bind (m) ? "bind" : t ? t->text : "";
}

static unsigned
required_flags (const char *type)
{
        for (size_t i = 0; i < HD_ARRAY_SIZE (standard_mounts); i++)
                if (strcmp (standard_mounts[i].type, type) == 0)
                        return standard_mounts[i].required;
        return 0;
}

static bool
standard_pair (const char *type, const char *dest)
{
        for (size_t i = 0; i < HD_ARRAY_SIZE (standard_mounts); i++)
                if (strcmp (standard_mounts[i].type, type) == 0
                    && (!standard_mounts[i].destination || strcmp (standard_mounts[i].destination, dest) == 0))
                        return true;
        return false;
}

/* An allowMounts entry for exactly this type and destination. */
static bool
pair_allowed (const struct policy *p, const char *type, const char *dest)
{
        const struct json *pairs = p->surface.mount_pairs;

        for (size_t i = 0; pairs && i < pairs->n; i++)
                if (strcmp (json_get (pairs->items[i], "type")->text, type) == 0
                    && strcmp (json_get (pairs->items[i], "destination")->text, dest) == 0)
                        return true;
        return false;
}

/* ---- where a mount lands -----------------------------------------------------
 *
 * runc mounts through WithProcfd: the destination is cleaned lexically,
 * stripped of the rootfs's own host path when it is spelled with it
 * (stripRoot: "<rootfs>/proc/sys" is /proc/sys), then joined with
 * securejoin: ".." stops at "/", and symlinks met on the way (in the
 * image, or in the source of an earlier bind) are followed inside the
 * container.  The view below replays that for every entry in order. */

struct mount_view {
        size_t n;
        char **dest;              /* resolved container path of entry i */
        char **host;              /* host directory behind it (binds), NULL: a fresh filesystem */
        char rootfs[PATH_MAX];    /* canonical rootfs on the host, "" when unknown */
        char lexical[PATH_MAX];   /* the rootfs as runc spells it (bundle joined with root.path) */
};

static void
view_free (struct mount_view *v)
{
        for (size_t i = 0; i < v->n; i++) {
                free (v->dest[i]);
                free (v->host[i]);
        }
        free (v->dest);
        free (v->host);
}

/* The host path behind container path `cpath` as entry k sees it. */
static bool
host_of (const struct mount_view *v, size_t k, const char *cpath, char *out, size_t size)
{
        for (size_t j = k; j-- > 0;) {
                if (!v->dest[j] || !under (cpath, v->dest[j]))
                        continue;
                if (!v->host[j])
                        return false;
                snprintf (out, size, "%s%s", v->host[j], cpath + (strcmp (v->dest[j], "/") ? strlen (v->dest[j]) : 0));
                return true;
        }
        if (!v->rootfs[0])
                return false;
        snprintf (out, size, "%s%s", strcmp (v->rootfs, "/") ? v->rootfs : "", cpath);
        return true;
}

/* Drop the last component of the container path in out[0..*used). */
static void
pop_component (char *out, size_t *used)
{
        while (*used > 0 && out[--*used] != '/')
                ;
        out[*used] = '\0';
}

/* securejoin over the view for entry k: `clean` is already lexically clean.
 * Past a missing component the rest is lexical; beyond 255 links (where
 * runc fails) the lexical path is the answer. */
static void
view_resolve (const struct mount_view *v, size_t k, const char *clean, char *out, size_t size)
{
        char todo[PATH_MAX * 2], rest[PATH_MAX * 2], link[PATH_MAX], host[PATH_MAX * 2];
        const char *p = todo;
        size_t used = 0;
        int links = 0;

        snprintf (todo, sizeof todo, "%s", clean);
        out[0] = '\0';
        while (*p) {
                struct stat st;
                ssize_t n;
                size_t len;
                while (*p == '/')
                        p++;
                len = strcspn (p, "/");
                if (len == 2 && p[0] == '.' && p[1] == '.')
                        pop_component (out, &used);
                else if (len > 0 && !(len == 1 && p[0] == '.') && used + len + 2 < size) {
                        out[used++] = '/';
                        memcpy (out + used, p, len);
                        out[used += len] = '\0';
                }
                p += len;
                if (len == 0 || !host_of (v, k, out, host, sizeof host) || lstat (host, &st) < 0
                    || !S_ISLNK (st.st_mode))
                        continue;
                if (++links > 255 || (n = readlink (host, link, sizeof link - 1)) <= 0) {
                        snprintf (out, size, "%s", clean);
                        return;
                }
                link[n] = '\0';
                pop_component (out, &used);
                if (link[0] == '/')
                        used = 0, out[0] = '\0';
                snprintf (rest, sizeof rest, "%s/%s", link, p);
                snprintf (todo, sizeof todo, "%s", rest);
                p = todo;
        }
        if (used == 0)
                snprintf (out, size, "/");
}

/* runc's stripRoot then the lexical clean of a destination. */
static void
strip_root (const char *rootfs, const char *dest, char *out, size_t size)
{
        char joined[PATH_MAX * 2];
        size_t n = strlen (rootfs);

        snprintf (joined, sizeof joined, "/%s", dest);
        hostpath_clean (joined, out, size);
        if (!rootfs[0] || strcmp (rootfs, "/") == 0)
                return;
        if (strcmp (out, rootfs) == 0)
                snprintf (out, size, "/");
        else if (strncmp (out, rootfs, n) == 0 && out[n] == '/')
                memmove (out, out + n, strlen (out + n) + 1);
}

/* The rootfs as runc computes it (bundle directory joined with root.path,
 * cleaned: an empty path is the bundle itself) and as the kernel finds it
 * (symlinks resolved). */
static void
rootfs_paths (const struct json *doc, const char *bundle, char *lexical, char *canon, size_t size)
{
        const struct json *path = json_path (doc, "root", "path", NULL);
        char base[PATH_MAX], joined[PATH_MAX * 2];

        lexical[0] = canon[0] = '\0';
        if (!path)
                return;                   /* runc refuses a config without root */
        if (!realpath (bundle ? bundle : ".", base))
                snprintf (base, sizeof base, "%s", bundle && bundle[0] == '/' ? bundle : "/");
        if (path->text[0] == '/')
                snprintf (joined, sizeof joined, "%s", path->text);
        else
                snprintf (joined, sizeof joined, "%s/%s", base, path->text);
        hostpath_clean (joined, lexical, size);
        canonical_source (bundle, path->text, canon, size);
}

static int
view_build (const struct json *doc, const struct decision *d, struct mount_view *v)
{
        const struct json *mounts = json_get (doc, "mounts");
        char clean[PATH_MAX], resolved[PATH_MAX], canon[PATH_MAX];
        struct stat st;

        memset (v, 0, sizeof *v);
        rootfs_paths (doc, d->bundle, v->lexical, v->rootfs, sizeof v->rootfs);
        if (v->rootfs[0] && (stat (v->rootfs, &st) < 0 || !S_ISDIR (st.st_mode)))
                v->rootfs[0] = '\0';
        if (!mounts || mounts->n == 0)
                return 0;
        v->dest = calloc (mounts->n, sizeof *v->dest);
        v->host = calloc (mounts->n, sizeof *v->host);
        if (!v->dest || !v->host)
                return -1;
        v->n = mounts->n;
        for (size_t i = 0; i < mounts->n; i++) {
                const struct json *m = mounts->items[i], *dst = json_get (m, "destination");
                const struct json *src = json_get (m, "source");
                strip_root (v->lexical, dst ? dst->text : "", clean, sizeof clean);
                view_resolve (v, i, clean, resolved, sizeof resolved);
                if (!(v->dest[i] = strdup (resolved)))
                        return -1;
                if (is_bind (m) && src) {
                        canonical_source (d->bundle, src->text, canon, sizeof canon);
                        if (!(v->host[i] = strdup (canon)))
                                return -1;
                }
        }
        return 0;
}

/* ---- mounts.type, mounts.safeOptions, mounts.destination ---------------------
 *
 * mounts.type: every entry that is not a bind mounts a filesystem of the
 * runtime's standard set where it belongs (proc on /proc, sysfs on /sys,
 * cgroup or cgroup2 on /sys/fs/cgroup, devpts on /dev/pts, mqueue on
 * /dev/mqueue, tmpfs anywhere), a type of allowTypes, or an allowMounts
 * pair.  Anything else (overlay over host directories, devtmpfs, a second
 * proc or sysfs that nothing masks, debugfs, bpf, a host disk, nfs...)
 * reaches the host and has no safe fix.  An allowed type's host paths
 * (an absolute source, overlay's lowerdir/upperdir/workdir) are held to
 * mounts.deny.  "remount", on any entry, changes a mount that is already
 * there (the rootfs's superblock is the host's) and is refused.
 * mounts.safeOptions: a standard type keeps the flags that make it safe
 * (proc, sysfs, cgroup, mqueue nosuid,noexec,nodev; sysfs and cgroup ro;
 * devpts nosuid,noexec) after the last option that could undo them; the
 * fix appends the missing ones, which then win.
 * mounts.destination: no entry lands on "/", on or under a masked or
 * read-only path (the runtime's defaults and the config's own), on /proc
 * or /sys with another type, or under /proc other than runc's lxcfs binds
 * (runc checks /proc only on the path it did not strip: a destination
 * spelled with the rootfs's host path passes its check).  allowMounts
 * pairs are exempt from both rules. */

/* A host path an allowed filesystem would use, held to the deny-list. */
static void
host_path_check (const struct policy *p, struct decision *d, const char *id, const char *ptr,
                 const char *type, const char *path)
{
        char canon[PATH_MAX];
        const char *deny;

        if (path[0] != '/')
                return;
        canonical_source (d->bundle, path, canon, sizeof canon);
        if ((deny = denied_by (p, canon)))
                decision_add (d, id, ptr, canon, "not a denied host path", "%s mount uses host path %s, which exposes %s",
                              type, canon, deny);
}

/* An absolute source (a block device, a directory) and overlay's layers. */
static void
host_paths_check (const struct policy *p, const struct json *m, size_t i, struct decision *d, const char *id)
{
        static const char *const keys[] = { "lowerdir=", "upperdir=", "workdir=" };
        const struct json *src = json_get (m, "source"), *o = json_get (m, "options");
        const char *type = mount_type (m);
        char ptr[64], list[PATH_MAX];

        snprintf (ptr, sizeof ptr, "/mounts/%zu/source", i);
        if (src)
                host_path_check (p, d, id, ptr, type, src->text);
        for (size_t k = 0; o && k < o->n; k++)
                for (size_t j = 0; j < HD_ARRAY_SIZE (keys); j++) {
                        if (strncmp (o->items[k]->text, keys[j], strlen (keys[j])) != 0)
                                continue;
                        snprintf (ptr, sizeof ptr, "/mounts/%zu/options/%zu", i, k);
                        snprintf (list, sizeof list, "%s", o->items[k]->text + strlen (keys[j]));
                        for (char *save = NULL, *dir = strtok_r (list, ":", &save); dir; dir = strtok_r (NULL, ":", &save))
                                host_path_check (p, d, id, ptr, type, dir);
                }
}

/* Run `judge` on every entry with its destination resolved as runc will. */
static void
judge_each (const struct policy *p, const struct json *doc, struct decision *d, const char *id,
            void (*judge) (const struct policy *p, const struct json *doc, size_t i, const char *dest,
                           struct decision *d, const char *id))
{
        const struct json *mounts = json_get (doc, "mounts");
        struct mount_view v;

        if (view_build (doc, d, &v) < 0)
                decision_add (d, id, "/mounts", "?", "judged", "cannot judge the mounts: out of memory");
        else
                for (size_t i = 0; mounts && i < mounts->n; i++)
                        judge (p, doc, i, v.dest[i], d, id);
        view_free (&v);
}

static void
type_judge (const struct policy *p, const struct json *doc, size_t i, const char *dest, struct decision *d,
            const char *id)
{
        const struct json *m = json_get (doc, "mounts")->items[i];
        const char *type = mount_type (m);
        char ptr[64];

        snprintf (ptr, sizeof ptr, "/mounts/%zu", i);
        if (mount_flags (m) & MF_REMOUNT)
                decision_add (d, id, ptr, "remount", "a new mount",
                              "remount on %s changes the mount already there, not a new one", dest);
        else if (strcmp (type, "bind") == 0 && is_bind (m))
                return;
        else if (strcmp (type, "bind") == 0)
                decision_add (d, id, ptr, "bind", "a bind or rbind option",
                              "type bind on %s without a bind or rbind option is no bind mount", dest);
        else if (!type[0])
                decision_add (d, id, ptr, "(no type)", "a filesystem type", "mount on %s has no filesystem type", dest);
        else if (standard_pair (type, dest))
                return;
        else if (policy_list_has (&p->surface.mount_types, type) || pair_allowed (p, type, dest))
                host_paths_check (p, m, i, d, id);
        else
                decision_add (d, id, ptr, type, "the runtime's standard mounts or allowTypes/allowMounts",
                              "%s mount on %s is outside the runtime's standard set", type, dest);
}

static void
type_check (const struct policy *p, const struct json *doc, struct decision *d, const char *id)
{
        judge_each (p, doc, d, id, type_judge);
}

/* The required options the entry's flags do not leave set, as "a,b". */
static unsigned
missing_options (const struct json *m, char *names, size_t size)
{
        unsigned missing = is_bind (m) ? 0 : required_flags (mount_type (m)) & ~mount_flags (m);
        size_t used = 0;

        names[0] = '\0';
        for (size_t k = 0; k < HD_ARRAY_SIZE (required_options); k++)
                if ((missing & required_options[k].flag) && used < size)
                        used += (size_t) snprintf (names + used, size - used, "%s%s", used ? "," : "",
                                                   required_options[k].option);
        return missing;
}

static void
options_check (const struct policy *p, const struct json *doc, struct decision *d, const char *id)
{
        const struct json *mounts = json_get (doc, "mounts");

        for (size_t i = 0; mounts && i < mounts->n; i++) {
                const struct json *m = mounts->items[i], *dst = json_get (m, "destination");
                char ptr[64], names[64];
                if (!missing_options (m, names, sizeof names))
                        continue;
                snprintf (ptr, sizeof ptr, "/mounts/%zu/options", i);
                decision_add (d, id, ptr, "without", names, "%s mount on %s lacks %s", mount_type (m),
                              dst ? dst->text : "?", names);
        }
}

static int
options_fix (const struct policy *p, struct json *doc, const struct decision *ctx, struct hd_err *err)
{
        struct json *mounts = json_get (doc, "mounts");

        for (size_t i = 0; mounts && i < mounts->n; i++) {
                struct json *m = mounts->items[i], *o;
                char names[64];
                unsigned missing = missing_options (m, names, sizeof names);
                if (!missing)
                        continue;
                if (!(o = json_ensure (m, "options", JSON_ARRAY, err)))
                        return -1;
                for (size_t k = 0; k < HD_ARRAY_SIZE (required_options); k++)
                        if ((missing & required_options[k].flag)
                            && json_append (o, json_new_string (required_options[k].option), err) < 0)
                                return -1;
        }
        return 0;
}

/* The masked or read-only path `dest` is on or under, or NULL. */
static const char *
protected_path (const struct json *doc, const char *dest, char *buf, size_t size)
{
        const struct {
                const char *const *list;
                size_t n;
                const char *key;
        } lists[] = {
                { rules_masked_default, rules_masked_default_len, NULL },
                { rules_readonly_default, rules_readonly_default_len, NULL },
                { NULL, 0, "maskedPaths" },
                { NULL, 0, "readonlyPaths" },
        };

        for (size_t l = 0; l < HD_ARRAY_SIZE (lists); l++) {
                const struct json *have = lists[l].key ? json_path (doc, "linux", lists[l].key, NULL) : NULL;
                size_t n = lists[l].key ? (have ? have->n : 0) : lists[l].n;
                for (size_t i = 0; i < n; i++) {
                        const char *path = lists[l].key ? have->items[i]->text : lists[l].list[i];
                        char joined[PATH_MAX + 2];
                        if (lists[l].key && !rules_path_clean (path)) {
                                snprintf (joined, sizeof joined, "/%s", path);
                                hostpath_clean (joined, buf, size);
                                path = buf;
                        }
                        if (strcmp (path, "/") != 0 && under (dest, path))
                                return path == buf ? buf : (snprintf (buf, size, "%s", path), buf);
                }
        }
        return NULL;
}

/* The binds runc allows under /proc (lxcfs's files; checkProcMount). */
static bool
lxcfs_bind (const char *dest)
{
        static const char *const files[] = {
                "/proc/cpuinfo", "/proc/diskstats", "/proc/meminfo", "/proc/stat", "/proc/swaps",
                "/proc/uptime", "/proc/loadavg", "/proc/slabinfo", "/proc/net/dev",
        };

        for (size_t i = 0; i < HD_ARRAY_SIZE (files); i++)
                if (strcmp (files[i], dest) == 0)
                        return true;
        return false;
}

/* Why a mount of `type` may not land on `dest`, or NULL; *path: the
 * masked or read-only path it is on or under ("" otherwise, in buf). */
static const char *
destination_problem (const struct json *doc, const char *type, const char *dest, char *buf, size_t size,
                     const char **path)
{
        *path = "";
        if (strcmp (dest, "/") == 0)
                return "it would cover the container's root filesystem";
        if ((*path = protected_path (doc, dest, buf, size)))
                return "it is on or under a path the runtime masks or makes read-only: ";
        *path = "";
        if (strcmp (dest, "/proc") == 0 && strcmp (type, "proc") != 0)
                return "only proc may be mounted on /proc";
        if (strcmp (dest, "/sys") == 0 && strcmp (type, "sysfs") != 0)
                return "only sysfs may be mounted on /sys";
        if (under (dest, "/proc") && strcmp (dest, "/proc") != 0 && !(strcmp (type, "bind") == 0 && lxcfs_bind (dest)))
                return "it is under /proc";
        return NULL;
}

static void
destination_judge (const struct policy *p, const struct json *doc, size_t i, const char *dest,
                   struct decision *d, const char *id)
{
        const char *type = mount_type (json_get (doc, "mounts")->items[i]), *why, *path;
        char ptr[64], buf[PATH_MAX];

        if (pair_allowed (p, type, dest) || !(why = destination_problem (doc, type, dest, buf, sizeof buf, &path)))
                return;
        snprintf (ptr, sizeof ptr, "/mounts/%zu/destination", i);
        decision_add (d, id, ptr, dest, "not a masked, read-only or kernel path", "%s mount on %s refused: %s%s",
                      type[0] ? type : "untyped", dest, why, path);
}

static void
destination_check (const struct policy *p, const struct json *doc, struct decision *d, const char *id)
{
        judge_each (p, doc, d, id, destination_judge);
}

/* ---- mounts.rootfsPath, mounts.rootfsBind ---------------------------------------
 *
 * mounts.rootfsPath: root.path, resolved as runc resolves it (relative to
 * the bundle; symlinks followed, as a runtime that accepts them would),
 * is judged like a bind source against mounts.deny: refused when it is a
 * denied path or an ancestor of one (a rootfs of / or /var shows the
 * host's files and sockets), or lies under one, except strictly below an
 * engine's storage (rootfsStorage, or rootfsUnder when given: Docker's
 * <data-root>/overlay2/<id>/merged lies under the denied /var/lib/docker).
 * With rootfsUnder, it must lie strictly below one of those directories.
 * mounts.rootfsBind: a bind whose source is the rootfs, inside it, or a
 * parent of it must be read-only (rro, or ro that is not undone by rrw;
 * an rbind of a parent needs rro, since ro leaves the rootfs's own mount
 * below it writable), else it undoes root.readonly.  Neither has a fix. */

/* Is `path` strictly below one of the (canonicalised) directories? */
static bool
strictly_under_any (const struct policy_list *l, const char *path, char *dir, size_t size)
{
        for (size_t i = 0; i < policy_list_len (l); i++) {
                canonical_source (NULL, policy_list_at (l, i), dir, size);
                if (strcmp (path, dir) != 0 && under (path, dir))
                        return true;
        }
        return false;
}

/* Which denied path the rootfs exposes, or NULL. */
static const char *
rootfs_denied (const struct policy *p, const char *rootfs, char *buf, size_t size)
{
        const struct policy_list *deny = &p->surface.mount_deny;
        char storage[PATH_MAX] = "";
        bool in_storage = strictly_under_any (&p->surface.rootfs_storage, rootfs, storage, sizeof storage)
                          || strictly_under_any (&p->surface.rootfs_under, rootfs, storage, sizeof storage);

        for (size_t i = 0; i < policy_list_len (deny); i++) {
                canonical_source (NULL, policy_list_at (deny, i), buf, size);
                if (strcmp (rootfs, buf) == 0 || under (buf, rootfs))
                        return buf;
                if (strcmp (buf, "/") != 0 && under (rootfs, buf) && !(in_storage && under (storage, buf)))
                        return buf;
        }
        return NULL;
}

static void
rootfs_path_check (const struct policy *p, const struct json *doc, struct decision *d, const char *id)
{
        char lexical[PATH_MAX], canon[PATH_MAX], buf[PATH_MAX];
        const char *deny;

        rootfs_paths (doc, d->bundle, lexical, canon, sizeof canon);
        if (!canon[0])
                return;
        if ((deny = rootfs_denied (p, canon, buf, sizeof buf)))
                decision_add (d, id, "/root/path", canon, "not a denied host path",
                              "root filesystem %s exposes %s", canon, deny);
        else if (p->surface.rootfs_under.json && !strictly_under_any (&p->surface.rootfs_under, canon, buf, sizeof buf))
                decision_add (d, id, "/root/path", canon, "below rootfsUnder",
                              "root filesystem %s is outside rootfsUnder", canon);
}

static void
rootfs_bind_check (const struct policy *p, const struct json *doc, struct decision *d, const char *id)
{
        const struct json *mounts = json_get (doc, "mounts");
        char lexical[PATH_MAX], rootfs[PATH_MAX];

        rootfs_paths (doc, d->bundle, lexical, rootfs, sizeof rootfs);
        for (size_t i = 0; rootfs[0] && mounts && i < mounts->n; i++) {
                const struct json *m = mounts->items[i], *src = json_get (m, "source");
                char canon[PATH_MAX], ptr[64];
                bool parent;
                if (!is_bind (m) || !src)
                        continue;
                canonical_source (d->bundle, src->text, canon, sizeof canon);
                if (engine_managed (canon, d->container_id))
                        continue;
                parent = strcmp (canon, rootfs) != 0 && under (rootfs, canon);
                if ((!parent && !under (canon, rootfs)) || bind_read_only (mount_flags (m), parent))
                        continue;
                snprintf (ptr, sizeof ptr, "/mounts/%zu/options", i);
                decision_add (d, id, ptr, "writable", parent ? "rro" : "ro",
                              "writable bind of %s (%s the root filesystem) undoes root.readonly", canon,
                              parent ? "a parent of" : strcmp (canon, rootfs) == 0 ? "it is" : "inside");
        }
}

const struct rule rule_mount_sources = {
        "mounts.bindSource", "mounts", RULE_CREATE, offsetof (struct policy, surface.mounts), source_check, NULL,
};
const struct rule rule_mount_propagation = {
        "mounts.propagation", "mounts", RULE_CREATE, offsetof (struct policy, surface.mounts), propagation_check, propagation_fix,
};
const struct rule rule_mount_read_only = {
        "mounts.readOnly", "mounts", RULE_CREATE, offsetof (struct policy, surface.mounts), read_only_check, read_only_fix,
};
const struct rule rule_mount_types = {
        "mounts.type", "mounts", RULE_CREATE, offsetof (struct policy, surface.mounts), type_check, NULL,
};
const struct rule rule_mount_options = {
        "mounts.safeOptions", "mounts", RULE_CREATE, offsetof (struct policy, surface.mounts), options_check, options_fix,
};
const struct rule rule_mount_destination = {
        "mounts.destination", "mounts", RULE_CREATE, offsetof (struct policy, surface.mounts), destination_check, NULL,
};
const struct rule rule_mount_rootfs_path = {
        "mounts.rootfsPath", "mounts", RULE_CREATE, offsetof (struct policy, surface.mounts), rootfs_path_check, NULL,
};
const struct rule rule_mount_rootfs_bind = {
        "mounts.rootfsBind", "mounts", RULE_CREATE, offsetof (struct policy, surface.mounts), rootfs_bind_check, NULL,
};
