#include "config.h"

#include <stddef.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hardened/bigmem.h"
#include "hardened/hostpath.h"
#include "hardened/paths.h"
#include "hardened/rules.h"
#include "hardened/siphash.h"
#include "hardened/util.h"

/* mounts.bindSource (CIS 5.6, 5.32; PSS hostPath): a bind mount is known by
 * its options (bind/rbind), whatever its type says.  Its source is
 * canonicalised as runc will use it (relative to the bundle, symlinks
 * resolved) and refused when it is a denied path, under one, or an ancestor
 * of one (binding /var/run would expose /var/run/docker.sock); with an
 * allow-list, it must be under an allowed path.  Deny and allow entries are
 * canonicalised the same way.  The engine's own files for this container
 * pass and name its data root, whose named volumes pass and whose rest is
 * denied.  Then the source is judged by what is mounted there (the mount
 * table), since an engine can mount anything at a harmless-looking path.
 * No safe fix: refused.
 * mounts.propagation (CIS 5.20): no shared/rshared mount, no shared
 * rootfsPropagation; fixed to private.
 * mounts.readOnly (optional): every bind mount read-only (ro as the last of
 * ro/rw, not undone by rrw); fixed by appending "ro" (and "rro" over rrw). */

/* ---- what runc makes of a mount entry --------------------------------------
 *
 * runc 1.1 (specconv parseMountOptions) reads the options in order: each
 * known flag sets or clears its bit, so the last of ro/rw, nosuid/suid,
 * nodev/dev, noexec/exec wins; "bind" or "rbind" anywhere makes the entry a
 * bind whatever its type says; rro/rrw are recursive attributes applied
 * with mount_setattr to binds only (set wins over clear); "remount" turns
 * the entry into a change of whatever is already mounted there. */

enum {
        MF_RDONLY = 1 << 0,
        MF_NOSUID = 1 << 1,
        MF_NODEV = 1 << 2,
        MF_NOEXEC = 1 << 3,
        MF_REMOUNT = 1 << 4,
        MF_REC = 1 << 5,
        MF_RRO = 1 << 6,
        MF_RRW = 1 << 7,
        MF_BIND = 1 << 8, /* "bind" or "rbind": never cleared */
};

static const struct {
        const char *name;
        unsigned flag;
        bool clear;
} mount_options[] = {
        { "ro", MF_RDONLY, false },
        { "rw", MF_RDONLY, true },
        { "nosuid", MF_NOSUID, false },
        { "suid", MF_NOSUID, true },
        { "nodev", MF_NODEV, false },
        { "dev", MF_NODEV, true },
        { "noexec", MF_NOEXEC, false },
        { "exec", MF_NOEXEC, true },
        { "remount", MF_REMOUNT, false },
        { "bind", MF_BIND, false },
        { "rbind", MF_REC | MF_BIND, false },
        { "rro", MF_RRO, false },
        { "rrw", MF_RRW, false },
};

/* mount_options by name length (made on first use), each length's
 * entries as numbers plus one, so an option is held against the few names
 * of its length.  Names longer than OPTION_MAX_LEN share the last row
 * (none today), so no entry of the table is ever left out, and an option
 * longer than every name ("mode=755", "size=65536k") is held against none. */
#define OPTION_MAX_LEN 7

static const unsigned char *
options_of_len (size_t len)
{
        static unsigned char by_len[OPTION_MAX_LEN + 2][HD_ARRAY_SIZE (mount_options) + 1];
        static bool made;

        for (size_t k = 0; !made && k < HD_ARRAY_SIZE (mount_options); k++) {
                size_t n = strlen (mount_options[k].name), c = 0;
                if (n > OPTION_MAX_LEN)
                        n = OPTION_MAX_LEN + 1;
                while (by_len[n][c])
                        c++;
                by_len[n][c] = (unsigned char) (k + 1);
        }
        made = true;
        return by_len[len > OPTION_MAX_LEN ? OPTION_MAX_LEN + 1 : len];
}

static unsigned
option_set (size_t k, unsigned f)
{
        return mount_options[k].clear ? f & ~mount_options[k].flag : f | mount_options[k].flag;
}

/* The flags after option `it` (a string item) on top of f.  Its text has
 * no NUL inside (json.c), so a name shorter than it stops the compare. */
static unsigned
option_apply (const struct json *it, unsigned f)
{
        if (it->type != JSON_STRING)
                return f;
        for (const unsigned char *same_len = options_of_len (it->len); *same_len; same_len++) {
                const char *name = mount_options[*same_len - 1u].name;
                size_t j = 0;
                while (j < it->len && it->text[j] == name[j])
                        j++;
                if (j == it->len && name[j] == '\0')
                        return option_set (*same_len - 1u, f);
        }
        return f;
}

/* The flags an entry's options leave, in order (the last of a pair wins;
 * bind and rbind make it a bind whatever its type says). */
static unsigned
mount_flags (const struct json *m)
{
        const struct json *o = json_get (m, "options");
        unsigned f = 0;

        for (size_t i = 0; o && i < o->n; i++)
                f = option_apply (o->items[i], f);
        return f;
}

static bool
is_bind (const struct json *m)
{
        return mount_flags (m) & MF_BIND;
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

/* The host path the kernel will bind: symlinks followed, as mount(2) does;
 * a path that does not exist (yet) is its longest existing ancestor,
 * resolved, followed by the rest. */
static void
canonical_source (const char *bundle, const char *src, char *out, size_t size)
{
        char joined[PATH_MAX * 2], resolved[PATH_MAX];

        if (src[0] == '/')
                hd_append (joined, sizeof joined, 0, &src, 1);
        else if (bundle && bundle[0] == '/')
                hd_append (joined, sizeof joined, 0, (const char *[]) { bundle, "/", src }, 3);
        else if (hostpath_realpath (bundle ? bundle : ".", resolved) == 0)
                hd_append (joined, sizeof joined, 0, (const char *[]) { resolved, "/", src }, 3);
        else
                hd_append (joined, sizeof joined, 0, (const char *[]) { "/", src }, 2);
        hostpath_canonical (joined, out, size);
}

/* a then b in out, cut to size as snprintf ("%s%s") cuts it, without its
 * cost: this runs for every entry of every view. */
static void
concat (char *out, size_t size, const char *a, const char *b)
{
        size_t la = strnlen (a, size - 1), lb = strnlen (b, size - 1 - la);

        memcpy (out, a, la);
        memcpy (out + la, b, lb);
        out[la + lb] = '\0';
}

/* Is `path` equal to `base` or below it? */
static bool
under (const char *path, const char *base)
{
        return hostpath_under (path, base);
}

static bool
name_in (const char *s, const char *const *names)
{
        for (size_t i = 0; names[i]; i++)
                if (strcmp (s, names[i]) == 0)
                        return true;
        return false;
}

/* The files an engine makes for one container and binds into it, by layout
 * below the engine's data root:
 *   Docker                <root>/containers/<id>/{hosts,hostname,resolv.conf,mounts/...}
 *   Podman, CRI-O         <root>/<driver>-containers/<id>/userdata/{hosts,...,shm}
 * (containers/storage's graph root for shm, its run root for the rest). */
static const char *const docker_files[] = { "hosts", "hostname", "resolv.conf", NULL };
static const char *const storage_files[] = { "hosts", "hostname", "resolv.conf", ".containerenv", "shm", NULL };
static const char *const storage_drivers[] = { "overlay", "vfs", "btrfs", "zfs", "aufs", "devicemapper", NULL };

/* Is <dir>/<id>/<file> a layout above?  dir is one component of len bytes. */
static bool
layout_match (const char *dir, size_t len, const char *file)
{
        static const char suffix[] = "-containers";
        char driver[32];

        if (len == strlen ("containers") && strncmp (dir, "containers", len) == 0)
                return name_in (file, docker_files) || (strncmp (file, "mounts/", 7) == 0 && file[7]);
        if (len <= strlen (suffix) || len - strlen (suffix) >= sizeof driver
            || strncmp (dir + len - strlen (suffix), suffix, strlen (suffix)) != 0)
                return false;
        snprintf (driver, sizeof driver, "%.*s", (int) (len - strlen (suffix)), dir);
        return name_in (driver, storage_drivers) && strncmp (file, "userdata/", 9) == 0
               && name_in (file + 9, storage_files);
}

/* Is the canonical `src` one of this container's own engine files?  The
 * container id comes from the engine's argv, so a user cannot point at
 * another container's files, nor invent a data root without knowing the
 * id the engine will pick.  The root is copied out when `root` is given. */
bool
engine_file_root (const char *src, const char *id, char *root, size_t size)
{
        size_t idlen = id ? strlen (id) : 0;

        if (!idlen || strchr (id, '/') || strcmp (id, ".") == 0 || strcmp (id, "..") == 0)
                return false;
        for (const char *p = strchr (src, '/'); p; p = strchr (p + 1, '/')) {
                const char *dir = p;
                if (strncmp (p + 1, id, idlen) != 0 || p[1 + idlen] != '/')
                        continue;
                while (dir > src && dir[-1] != '/')
                        dir--;
                if (dir - 1 <= src || !layout_match (dir, (size_t) (p - dir), p + 2 + idlen))
                        continue;
                if (root)
                        snprintf (root, size, "%.*s", (int) (dir - 1 - src), src);
                return true;
        }
        return false;
}

/* A pod's files, in the trusted CRI context only (d->cri: the ids are the
 * engine's own io.kubernetes.cri.sandbox-id and sandbox-uid, which a pod's
 * author neither chooses nor knows before the pod exists):
 *   containerd 1.6  <root or state>/io.containerd.grpc.v1.cri/sandboxes/<sandbox id>/{hosts,hostname,resolv.conf,shm}
 *   the kubelet     <root>/pods/<pod uid>/etc-hosts, .../containers/<name>/<file> (termination log),
 *                   .../volumes/<plugin>/<volume>[/...] (emptyDir, configMap, secret, projected tokens)
 * A hostPath of /var/lib/kubelet (or of another pod's directory) is none of these. */
static const char *const cri_sandbox_files[] = { "hosts", "hostname", "resolv.conf", "shm", NULL };

/* The number of components of the relative path s, or 0 when one is
 * empty, "." or "..". */
static size_t
components (const char *s)
{
        size_t n = 0;

        for (const char *c = s;; n++) {
                size_t len = strcspn (c, "/");
                if (len == 0 || (len == 1 && c[0] == '.') || (len == 2 && c[0] == '.' && c[1] == '.'))
                        return 0;
                if (!c[len])
                        return n + 1;
                c += len + 1;
        }
}

static bool
kubelet_pod_file (const char *rest)
{
        return strcmp (rest, "etc-hosts") == 0
               || (strncmp (rest, "containers/", 11) == 0 && components (rest + 11) == 2)
               || (strncmp (rest, "volumes/", 8) == 0 && components (rest + 8) >= 2);
}

static bool
id_below (const char *src, const char *layout, const char *id, const char **rest)
{
        size_t idlen = id ? strlen (id) : 0, n = strlen (layout);

        if (!idlen || strchr (id, '/') || strcmp (id, ".") == 0 || strcmp (id, "..") == 0)
                return false;
        for (const char *p = strstr (src, layout); p; p = strstr (p + 1, layout))
                if (strncmp (p + n, id, idlen) == 0 && p[n + idlen] == '/') {
                        *rest = p + n + idlen + 1;
                        return true;
                }
        return false;
}

static bool
cri_pod_file (const char *src, const struct decision *d)
{
        const char *rest;

        if (d->cri.role == CRI_NONE)
                return false;
        return (id_below (src, "/io.containerd.grpc.v1.cri/sandboxes/", d->cri.sandbox_id, &rest)
                && name_in (rest, cri_sandbox_files))
               || (id_below (src, "/pods/", d->cri.pod_uid, &rest) && kubelet_pod_file (rest));
}

static bool
engine_managed (const char *src, const struct decision *d)
{
        return engine_file_root (src, d->container_id, NULL, 0) || cri_pod_file (src, d);
}

/* A region of a filesystem that a denied path shows: (device, path inside
 * the filesystem, and whether everything below counts too), and the host
 * path it is seen at, to map a hit back to a name. */
struct bind_region {
        unsigned major, minor;
        char *path;
        bool subtree;
        const char *at;    /* host path showing `path` */
        const char *entry; /* the denied path, for the message */
};

#define BIND_MAX_ROOTS 8

/* What judging one config's bind sources needs, each piece built once per
 * call and only when a source needs it. */
struct bind_ctx {
        const struct policy *p;
        const struct decision *d;
        size_t nmounts, nroots, ndeny, nallow, nregions;
        char **canon;                         /* per mount: canonical source, or NULL if not a bind */
        char *roots[BIND_MAX_ROOTS];          /* engine data roots this config names */
        char **deny, **deny_written, **allow; /* canonical entries; deny as written, cleaned */
        bool table_read;
        bool lists_built; /* bind_lists ran: lists_rc is its answer */
        int lists_rc;
        struct hostpath_mounts table; /* /proc/self/mountinfo */
        struct bind_region *regions;
};

static void
free_strings (char **v, size_t n)
{
        for (size_t i = 0; v && i < n; i++)
                free (v[i]);
        free (v);
}

static void
bind_ctx_free (struct bind_ctx *c)
{
        free_strings (c->canon, c->nmounts);
        free_strings (c->deny, c->ndeny);
        free_strings (c->deny_written, c->ndeny);
        free_strings (c->allow, c->nallow);
        for (size_t i = 0; i < c->nroots; i++)
                free (c->roots[i]);
        for (size_t i = 0; i < c->nregions; i++)
                free (c->regions[i].path);
        free (c->regions);
        hostpath_mounts_free (&c->table);
}

static int
add_root (struct bind_ctx *c, const char *root)
{
        for (size_t i = 0; i < c->nroots; i++)
                if (strcmp (c->roots[i], root) == 0)
                        return 0;
        if (c->nroots == BIND_MAX_ROOTS)
                return 0; /* fewer roots only means fewer volumes pass */
        return (c->roots[c->nroots++] = strdup (root)) ? 0 : -1;
}

/* Canonical sources, and the data roots the engine files among them name.
 * Podman's bundle (the engine's argv) is <graph root>/<driver>-containers/
 * <id>/userdata and names its graph root even without a shm bind. */
static int
bind_sources (struct bind_ctx *c, const struct json *mounts)
{
        char canon[PATH_MAX], root[PATH_MAX], probe[PATH_MAX + 8];

        if (!(c->canon = calloc (mounts->n, sizeof *c->canon)))
                return -1;
        c->nmounts = mounts->n;
        for (size_t i = 0; i < mounts->n; i++) {
                const struct json *src = json_get (mounts->items[i], "source");
                if (!is_bind (mounts->items[i]) || !src)
                        continue;
                canonical_source (c->d->bundle, src->text, canon, sizeof canon);
                if (!(c->canon[i] = strdup (canon)))
                        return -1;
                if (engine_file_root (canon, c->d->container_id, root, sizeof root) && add_root (c, root) < 0)
                        return -1;
        }
        if (c->d->bundle && c->d->bundle[0] == '/') {
                hostpath_canonical (c->d->bundle, canon, sizeof canon);
                snprintf (probe, sizeof probe, "%s/hosts", canon);
                if (strstr (canon, "-containers/") && engine_file_root (probe, c->d->container_id, root, sizeof root)
                    && add_root (c, root) < 0)
                        return -1;
        }
        return 0;
}

/* The policy's deny and allow entries as the kernel will reach them: a
 * denied symlink denies its target (and, as written, still its ancestors).
 * Built once per call, with the same answer every time. */
static int
bind_lists_build (struct bind_ctx *c)
{
        const struct policy_list *deny = &c->p->surface.mount_deny, *allow = &c->p->surface.mount_allow;
        char buf[PATH_MAX];

        c->deny = calloc (policy_list_len (deny) + 1, sizeof *c->deny);
        c->deny_written = calloc (policy_list_len (deny) + 1, sizeof *c->deny_written);
        c->allow = calloc (policy_list_len (allow) + 1, sizeof *c->allow);
        if (!c->deny || !c->deny_written || !c->allow)
                return -1;
        for (; c->ndeny < policy_list_len (deny); c->ndeny++) {
                hostpath_canonical (policy_list_at (deny, c->ndeny), buf, sizeof buf);
                c->deny[c->ndeny] = strdup (buf);
                hostpath_clean (policy_list_at (deny, c->ndeny), buf, sizeof buf);
                if (!c->deny[c->ndeny] || !(c->deny_written[c->ndeny] = strdup (buf)))
                        return c->ndeny++, -1;
        }
        for (; c->nallow < policy_list_len (allow); c->nallow++) {
                hostpath_canonical (policy_list_at (allow, c->nallow), buf, sizeof buf);
                if (!(c->allow[c->nallow] = strdup (buf)))
                        return -1;
        }
        return 0;
}

static int
bind_lists (struct bind_ctx *c)
{
        if (!c->lists_built) {
                c->lists_built = true;
                c->lists_rc = bind_lists_build (c);
        }
        return c->lists_rc;
}

/* "/" only denies itself; anything else denies its subtree too; and a
 * source above a denied path exposes it. */
static bool
deny_hit (const char *src, const char *d)
{
        return strcmp (src, d) == 0 || under (d, src) || (strcmp (d, "/") != 0 && under (src, d));
}

/* The denied path (or engine data root) `src` is, is under, or is above. */
static const char *
denied_by (const struct bind_ctx *c, const char *src)
{
        for (size_t i = 0; i < c->ndeny; i++)
                if (deny_hit (src, c->deny[i]) || deny_hit (src, c->deny_written[i]))
                        return c->deny_written[i];
        for (size_t i = 0; i < c->nroots; i++)
                if (deny_hit (src, c->roots[i]))
                        return c->roots[i];
        return NULL;
}

static bool
allowed (const struct bind_ctx *c, const char *src)
{
        if (!c->p->surface.mount_allow.json)
                return true;
        for (size_t i = 0; i < c->nallow; i++)
                if (under (src, c->allow[i]))
                        return true;
        return false;
}

/* Is `src` at or below a named volume's data, <root>/volumes/<name>/_data,
 * of a data root this config names?  `vol` gets <root>/volumes/<name>. */
static bool
engine_volume (const struct bind_ctx *c, const char *src, char *vol, size_t size)
{
        for (size_t i = 0; i < c->nroots; i++) {
                size_t n = strlen (c->roots[i]);
                const char *name = src + n + strlen ("/volumes/"), *end;
                if (strncmp (src, c->roots[i], n) != 0 || strncmp (src + n, "/volumes/", 9) != 0)
                        continue;
                end = name + strcspn (name, "/");
                if (end == name || strncmp (end, "/_data", 6) != 0 || (end[6] && end[6] != '/'))
                        continue;
                snprintf (vol, size, "%.*s", (int) (end - src), src);
                return true;
        }
        return false;
}

/* Docker's local driver records the options of a volume made with
 * `docker volume create --opt type=... --opt o=... --opt device=...` in
 * <root>/volumes/<name>/opts.json (root-owned).  An absolute MountDevice is
 * a host path the engine mounts there: a bind source (o=bind) or a block
 * device, judged like any bind source.  Absent: a plain volume.  0: read
 * (*device set or empty); < 0: unreadable, err says why. */
static int
volume_device (const char *vol, char *device, size_t size, struct hd_err *err)
{
        _cleanup_json_ struct json *doc = NULL;
        _cleanup_free_ char *buf = NULL;
        _cleanup_close_ int fd = -1;
        const struct json *dev;
        char path[PATH_MAX + 16];
        struct stat st;
        ssize_t n;

        device[0] = '\0';
        snprintf (path, sizeof path, "%s/opts.json", vol);
        fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
        if (fd < 0 && errno == ENOENT)
                return 0;
        if (fd < 0 || fstat (fd, &st) < 0)
                return hd_err_sys (err, HD_EXIT_REFUSED, errno, "%s", path);
        if (!S_ISREG (st.st_mode) || (st.st_uid != 0 && st.st_uid != geteuid ()) || st.st_size > 65536)
                return hd_err_set (err, HD_EXIT_REFUSED, EPERM, "%s is not the engine's record", path);
        if (!(buf = malloc ((size_t) st.st_size + 1)))
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        if ((n = read (fd, buf, (size_t) st.st_size)) != st.st_size)
                return hd_err_set (err, HD_EXIT_INTERNAL, n < 0 ? errno : EIO, "%s: short read", path);
        if (json_parse (buf, (size_t) n, &doc, err) < 0)
                return hd_err_prefix (err, "%s: ", path);
        dev = json_get (doc, "MountDevice");
        if (dev && dev->type == JSON_STRING && dev->text[0] == '/')
                hostpath_canonical (dev->text, device, size);
        return 0;
}

/* Filesystems that are the host kernel's own interfaces: any mount of
 * them made on the host (a volume of --opt type=proc, a bind of
 * /sys/fs/cgroup) shows the host, whichever instance it is. */
static const char *const kernel_fs[] = {
        "proc", "sysfs",    "devtmpfs", "devpts", "cgroup",      "cgroup2", "debugfs", "tracefs", "securityfs",
        "bpf",  "configfs", "efivarfs", "pstore", "binfmt_misc", "fusectl", "nsfs",    NULL,
};

static int
add_region (struct bind_ctx *c, const struct hostpath_mount *m, const char *path, bool subtree, const char *at,
            const char *entry)
{
        struct bind_region *grown = realloc (c->regions, (c->nregions + 1) * sizeof *grown);

        if (!grown)
                return -1;
        c->regions = grown;
        grown[c->nregions] = (struct bind_region) { m->major, m->minor, strdup (path), subtree, at, entry };
        return grown[c->nregions++].path ? 0 : -1;
}

/* The mount that holds `path` (which exists): by the id statx gives, else
 * by the longest mount point. */
static const struct hostpath_mount *
mount_holding (const struct bind_ctx *c, const char *path, const struct statx *sx)
{
        if (sx->stx_mask & STATX_MNT_ID)
                return hostpath_mount_by_id (&c->table, sx->stx_mnt_id);
        return hostpath_mount_of (&c->table, path);
}

/* The regions one denied path shows: where its own name lands, and every
 * mount below it (except named volumes, judged as sources of their own). */
static int
regions_of (struct bind_ctx *c, const char *entry)
{
        const struct hostpath_mount *m;
        struct statx sx;
        char fs[PATH_MAX], vol[PATH_MAX];

        if (statx (AT_FDCWD, entry, 0, STATX_MNT_ID, &sx) < 0 || !(m = mount_holding (c, entry, &sx)))
                return 0; /* nothing there to show */
        hostpath_in_fs (m, entry, fs, sizeof fs);
        if (add_region (c, m, fs, strcmp (entry, "/") != 0, entry, entry) < 0)
                return -1;
        for (size_t i = 0; strcmp (entry, "/") != 0 && i < c->table.n; i++) {
                const struct hostpath_mount *s = &c->table.m[i];
                if (strcmp (s->point, entry) != 0 && under (s->point, entry)
                    && !engine_volume (c, s->point, vol, sizeof vol)
                    && add_region (c, s, s->root, true, s->point, entry) < 0)
                        return -1;
        }
        return 0;
}

/* Read the mount table and the regions of every denied path, once. */
static int
bind_table (struct bind_ctx *c, struct hd_err *err)
{
        if (c->table_read)
                return 0;
        if (hostpath_mounts_read ("/proc/self/mountinfo", &c->table, err) < 0)
                return -1;
        c->table_read = true;
        for (size_t i = 0; i < c->ndeny; i++)
                if (regions_of (c, c->deny[i]) < 0)
                        return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        for (size_t i = 0; i < c->nroots; i++)
                if (regions_of (c, c->roots[i]) < 0)
                        return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        return 0;
}

/* Does `fs` (inside a filesystem) show region r?  Showing more than r
 * does; showing part of it does unless that part is seen on the host as a
 * named volume's data (a plain volume is a directory of the data root). */
static bool
region_shown (const struct bind_ctx *c, const struct bind_region *r, const char *fs)
{
        char host[PATH_MAX * 2], vol[PATH_MAX];

        if (under (r->path, fs) && strcmp (r->path, fs) != 0)
                return true;
        if (strcmp (fs, r->path) != 0 && !(r->subtree && under (fs, r->path)))
                return false;
        snprintf (host, sizeof host, "%s/%s", r->at, fs + (strcmp (r->path, "/") == 0 ? 0 : strlen (r->path)));
        hostpath_clean (host, vol, sizeof vol);
        return !engine_volume (c, vol, host, sizeof host);
}

/* Does `fs` inside mount m's filesystem show a denied region?  Sets `why`. */
static bool
mount_exposes (const struct bind_ctx *c, const struct hostpath_mount *m, const char *fs, char *why, size_t size)
{
        if (name_in (m->fstype, kernel_fs)) {
                snprintf (why, size, "the host's %s filesystem", m->fstype);
                return true;
        }
        for (size_t i = 0; i < c->nregions; i++) {
                const struct bind_region *r = &c->regions[i];
                if (r->major == m->major && r->minor == m->minor && region_shown (c, r, fs)) {
                        snprintf (why, size, "%s", r->entry);
                        return true;
                }
        }
        return false;
}

/* A source is what is mounted there, not its name: realpath() cannot see
 * through a mount point.  The source is judged by the filesystem region its
 * mount shows (a bind mount of /etc at a volume's _data shows /etc), and so
 * is every mount below it (rbind carries them).  The mount table is read
 * once per call, and only for a source that is not the engine's own file. */
static void
exposure_check (struct bind_ctx *c, struct decision *d, const char *id, const char *ptr, const char *src)
{
        const struct hostpath_mount *m;
        struct hd_err err;
        struct statx sx;
        char fs[PATH_MAX], why[PATH_MAX];

        if (statx (AT_FDCWD, src, 0, STATX_MNT_ID, &sx) < 0)
                return; /* nothing there: runc's bind fails */
        if (bind_table (c, &err) < 0) {
                decision_add (d, id, ptr, src, "a readable mount table", "cannot tell what is mounted at %s: %s", src,
                              err.msg);
                return;
        }
        if (!(m = mount_holding (c, src, &sx))) {
                decision_add (d, id, ptr, src, "a listed mount", "%s is on no mount of the mount table", src);
                return;
        }
        hostpath_in_fs (m, src, fs, sizeof fs);
        if (mount_exposes (c, m, fs, why, sizeof why)) {
                decision_add (d, id, ptr, src, "not a denied host path",
                              "bind mount of %s shows %s of device %u:%u, which exposes %s", src, fs, m->major,
                              m->minor, why);
                return;
        }
        for (size_t i = 0; i < c->table.n; i++) {
                const struct hostpath_mount *s = &c->table.m[i];
                if (strcmp (s->point, src) != 0 && under (s->point, src)
                    && mount_exposes (c, s, s->root, why, sizeof why)) {
                        decision_add (d, id, ptr, src, "not a denied host path",
                                      "bind mount of %s carries the mount at %s, which exposes %s", src, s->point, why);
                        return;
                }
        }
}

/* A named volume passes the path check; what the engine mounted there (its
 * record) must not be a denied path. */
static bool
volume_refused (const struct bind_ctx *c, struct decision *d, const char *id, const char *ptr, const char *src,
                const char *vol)
{
        char device[PATH_MAX], vol_of_device[PATH_MAX];
        const char *deny;
        struct hd_err err;

        if (volume_device (vol, device, sizeof device, &err) < 0) {
                decision_add (d, id, ptr, src, "a readable volume record", "volume %s: %s", vol, err.msg);
                return true;
        }
        if (device[0] && !engine_volume (c, device, vol_of_device, sizeof vol_of_device)
            && (deny = denied_by (c, device))) {
                decision_add (d, id, ptr, src, "not a denied host path", "volume %s is a mount of %s, which exposes %s",
                              vol, device, deny);
                return true;
        }
        return false;
}

static void
source_judge (struct bind_ctx *c, struct decision *d, const char *id, size_t i)
{
        const char *src = c->canon[i], *deny;
        char ptr[64], vol[PATH_MAX];

        if (engine_managed (src, d))
                return;
        snprintf (ptr, sizeof ptr, "/mounts/%zu/source", i);
        if (engine_volume (c, src, vol, sizeof vol)) {
                if (volume_refused (c, d, id, ptr, src, vol))
                        return;
        } else if ((deny = denied_by (c, src))) {
                decision_add (d, id, ptr, src, "not a denied host path", "bind mount of %s exposes %s", src, deny);
                return;
        } else if (!allowed (c, src)) {
                decision_add (d, id, ptr, src, "under an allowed path", "bind mount of %s is outside the allow-list",
                              src);
                return;
        }
        exposure_check (c, d, id, ptr, src);
}

/* Docker's default config binds only its own files: no list is needed. */
static bool
only_engine_files (const struct bind_ctx *c)
{
        for (size_t i = 0; i < c->nmounts; i++)
                if (c->canon[i] && !engine_managed (c->canon[i], c->d))
                        return false;
        return true;
}

static void
source_check (const struct policy *p, const struct json *doc, struct decision *d, const char *id)
{
        const struct json *mounts = json_get (doc, "mounts");
        __attribute__ ((cleanup (bind_ctx_free))) struct bind_ctx c = { .p = p, .d = d };

        if (!mounts || mounts->type != JSON_ARRAY || mounts->n == 0)
                return;
        if (bind_sources (&c, mounts) < 0 || (!only_engine_files (&c) && bind_lists (&c) < 0)) {
                decision_add (d, id, "/mounts", "?", "judged", "bind sources cannot be judged: out of memory");
                return;
        }
        for (size_t i = 0; i < c.nmounts; i++)
                if (c.canon[i])
                        source_judge (&c, d, id, i);
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
                                              ? json_get (mounts->items[i], "destination")->text
                                              : "?");
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
                if (!is_bind (m) || bind_read_only (mount_flags (m), false) || (src && engine_managed (src->text, d)))
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
                if (!is_bind (m) || bind_read_only (mount_flags (m), false) || (src && engine_managed (src->text, ctx)))
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
        { MF_NOSUID, "nosuid" },
        { MF_NOEXEC, "noexec" },
        { MF_NODEV, "nodev" },
        { MF_RDONLY, "ro" },
};

/* The filesystem runc mounts: "bind" for a bind, else the type as given
 * (runc and the kernel compare it exactly; absent is ""). */
static const char *
type_of (const struct json *m, unsigned flags)
{
        const struct json *t = json_get (m, "type");

        return flags & MF_BIND ? "bind" : t ? t->text : "";
}

static const char *
mount_type (const struct json *m)
{
        return type_of (m, mount_flags (m));
}

static unsigned
required_flags (const char *type)
{
        for (size_t i = 0; i < HD_ARRAY_SIZE (standard_mounts); i++)
                if (standard_mounts[i].type[0] == type[0] && strcmp (standard_mounts[i].type, type) == 0)
                        return standard_mounts[i].required;
        return 0;
}

static bool
standard_pair (const char *type, const char *dest)
{
        for (size_t i = 0; i < HD_ARRAY_SIZE (standard_mounts); i++)
                if (standard_mounts[i].type[0] == type[0] && strcmp (standard_mounts[i].type, type) == 0
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
        char **dest;            /* resolved container path of entry i */
        const char **source;    /* a bind's source as written, NULL: a fresh filesystem */
        char **host;            /* a bind's canonical source, made when first asked for (host_of) */
        unsigned *flags;        /* entry i's mount_flags, read again whenever the view is (view_of) */
        const char *bundle;     /* sources are relative to it */
        char rootfs[PATH_MAX];  /* canonical rootfs on the host, "" when unknown */
        char lexical[PATH_MAX]; /* the rootfs as runc spells it (bundle joined with root.path) */
        /* what it was made of (view_holds): the mounts array, each entry's
         * node and destination text, root.path's text */
        const struct json *mounts;
        const struct json **entry;
        const char **written;
        const char *root_path;
};

static void
view_free (struct mount_view *v)
{
        for (size_t i = 0; i < v->n; i++) {
                free (v->dest[i]);
                free (v->host[i]);
        }
        free (v->dest);
        free (v->source);
        free (v->host);
        free (v->flags);
        free (v->entry);
        free (v->written);
}

/* ---- the destinations resolved so far -------------------------------------
 *
 * A trie of path components: node 0 is "/", and a node's child for one
 * component is found in one open-addressing table keyed by (parent,
 * component) under hd_hash's per-process random key, so no config makes
 * look-ups collide.  A node holds the last entry resolved to it; entry k
 * is resolved before it is added, so the index then holds entries < k. */

struct dest_node {
        size_t parent;
        const char *name; /* into the entry's resolved destination */
        size_t len;
        size_t last;   /* last entry mounted here, plus one; 0: none */
        uint64_t hash; /* of (parent, name): the table grows without hashing again */
};

struct dest_index {
        struct dest_node *node;
        size_t n, cap;
        size_t *slot; /* node number plus one; 0: empty */
        size_t nslot; /* a power of two, at least twice n */
};

#define DEST_NONE ((size_t) -1)

static void
dest_index_free (struct dest_index *x)
{
        free (x->node);
        free (x->slot);
}

/* The slot of (parent, name), whose hd_hash is `hash`: where that node
 * is, or the empty slot where it goes. */
static size_t *
dest_slot (const struct dest_index *x, uint64_t hash, size_t parent, const char *name, size_t len)
{
        size_t i = (size_t) hash & (x->nslot - 1);

        for (;; i = (i + 1) & (x->nslot - 1)) {
                const struct dest_node *nd = x->slot[i] ? &x->node[x->slot[i] - 1] : NULL;
                if (!nd
                    || (nd->hash == hash && nd->parent == parent && nd->len == len
                        && memcmp (nd->name, name, len) == 0))
                        return &x->slot[i];
        }
}

static size_t
dest_child (const struct dest_index *x, size_t parent, const char *name, size_t len)
{
        size_t s = *dest_slot (x, hd_hash (parent, name, len), parent, name, len);

        return s ? s - 1 : DEST_NONE;
}

/* Double the table (rehashing every node but the root). */
static int
dest_grow (struct dest_index *x)
{
        size_t *old = x->slot, nold = x->nslot;

        if (!(x->slot = hd_big_alloc (nold * 2 * sizeof *x->slot))) {
                x->slot = old;
                return -1;
        }
        memset (x->slot, 0, nold * 2 * sizeof *x->slot);
        x->nslot = nold * 2;
        for (size_t i = 0; i < nold; i++)
                if (old[i]) {
                        const struct dest_node *nd = &x->node[old[i] - 1];
                        *dest_slot (x, nd->hash, nd->parent, nd->name, nd->len) = old[i];
                }
        free (old);
        return 0;
}

/* The child (parent, name), made if it is not there; DEST_NONE: no memory. */
static size_t
dest_ensure (struct dest_index *x, size_t parent, const char *name, size_t len)
{
        uint64_t hash = hd_hash (parent, name, len);
        size_t *s = dest_slot (x, hash, parent, name, len);

        if (*s)
                return *s - 1;
        if (x->n == x->cap) {
                struct dest_node *grown = hd_big_realloc (x->node, x->n * sizeof *grown, (x->cap * 2) * sizeof *grown);
                if (!grown)
                        return DEST_NONE;
                x->node = grown;
                x->cap *= 2;
        }
        x->node[x->n] = (struct dest_node) { parent, name, len, 0, hash };
        *s = ++x->n;
        if (x->n * 2 > x->nslot && dest_grow (x) < 0)
                return DEST_NONE;
        return x->n - 1;
}

static int
dest_index_init (struct dest_index *x)
{
        memset (x, 0, sizeof *x);
        x->cap = 16;
        x->nslot = 32;
        x->node = calloc (x->cap, sizeof *x->node);
        x->slot = calloc (x->nslot, sizeof *x->slot);
        if (!x->node || !x->slot)
                return -1;
        x->node[x->n++] = (struct dest_node) { DEST_NONE, "", 0, 0, 0 }; /* "/", in no slot */
        return 0;
}

/* The node of the absolute `path`, made with its ancestors if need be
 * (DEST_NONE: no memory): each component after a "/" is one step, so "/"
 * is the root and only a path made of the same components reaches the
 * node, as hostpath_under compares a clean path with a clean base. */
static size_t
dest_path_node (struct dest_index *x, const char *path)
{
        size_t at = 0;

        for (const char *p = path[0] == '/' && path[1] ? path : ""; *p == '/' && at != DEST_NONE;) {
                size_t len = strcspn (p + 1, "/");
                at = dest_ensure (x, at, p + 1, len);
                p += 1 + len;
        }
        return at;
}

/* Entry i lands on `dest` (as view_resolve makes it). */
static int
dest_add (struct dest_index *x, const char *dest, size_t i)
{
        size_t at = dest_path_node (x, dest);

        if (at == DEST_NONE)
                return -1;
        x->node[at].last = i + 1;
        return 0;
}

/* The container path view_resolve has built so far, one component per
 * level: the index node it reaches (DEST_NONE past the last one) and the
 * last entry whose destination is it or an ancestor, plus one. */
#define VIEW_DEPTH (PATH_MAX / 2 + 2)

struct dest_walk {
        const struct dest_index *x;
        size_t depth;
        size_t node[VIEW_DEPTH];
        size_t best[VIEW_DEPTH];
};

static void
walk_push (struct dest_walk *w, const char *name, size_t len)
{
        size_t at = w->node[w->depth];
        size_t nd = at == DEST_NONE ? DEST_NONE : dest_child (w->x, at, name, len);
        size_t last = nd == DEST_NONE ? 0 : w->x->node[nd].last;

        w->depth++;
        w->node[w->depth] = nd;
        w->best[w->depth] = last > w->best[w->depth - 1] ? last : w->best[w->depth - 1];
}

/* The host path behind container path `cpath` where the last entry on it
 * or above it is best - 1 (0: none, the rootfs).  A bind's source is
 * canonicalised here, once per entry, and only for an entry a later
 * destination goes through (canonicalising is a walk of the host's files). */
static bool
host_of (struct mount_view *v, size_t best, const char *cpath, char *out, size_t size)
{
        if (best) {
                size_t j = best - 1;
                char canon[PATH_MAX];
                const char *host = v->host[j];
                if (!v->source[j])
                        return false;
                if (!host) {
                        canonical_source (v->bundle, v->source[j], canon, sizeof canon);
                        host = v->host[j] = strdup (canon); /* not kept without memory: made again */
                        if (!host)
                                host = canon;
                }
                snprintf (out, size, "%s%s", host, cpath + (strcmp (v->dest[j], "/") ? strlen (v->dest[j]) : 0));
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

/* pop_component, and the walk one level up with it. */
static void
walk_pop (struct dest_walk *w, char *out, size_t *used)
{
        if (*used > 0)
                w->depth--;
        pop_component (out, used);
}

/* securejoin over the view for the next entry (the index holds the ones
 * before it): `clean` is already lexically clean.  Past a missing
 * component the rest is lexical; beyond 255 links (where runc fails) the
 * lexical path is the answer.  `w` is scratch (large for the stack). */
static void
view_resolve (struct mount_view *v, struct dest_walk *w, const char *clean, char *out, size_t size)
{
        char todo[PATH_MAX * 2], rest[PATH_MAX * 2], link[PATH_MAX], host[PATH_MAX * 2];
        const char *p = todo;
        size_t used = 0;
        int links = 0;

        concat (todo, sizeof todo, "", clean);
        out[0] = '\0';
        w->depth = 0;
        w->node[0] = 0;
        w->best[0] = w->x->node[0].last;
        while (*p) {
                struct stat st;
                ssize_t n;
                size_t len;
                while (*p == '/')
                        p++;
                len = strcspn (p, "/");
                if (len == 2 && p[0] == '.' && p[1] == '.')
                        walk_pop (w, out, &used);
                else if (len > 0 && !(len == 1 && p[0] == '.') && used + len + 2 < size && w->depth + 1 < VIEW_DEPTH) {
                        walk_push (w, p, len);
                        out[used++] = '/';
                        memcpy (out + used, p, len);
                        out[used += len] = '\0';
                }
                p += len;
                if (len == 0 || !host_of (v, w->best[w->depth], out, host, sizeof host) || lstat (host, &st) < 0
                    || !S_ISLNK (st.st_mode))
                        continue;
                if (++links > 255 || (n = readlink (host, link, sizeof link - 1)) <= 0) {
                        snprintf (out, size, "%s", clean);
                        return;
                }
                link[n] = '\0';
                walk_pop (w, out, &used);
                if (link[0] == '/')
                        used = 0, out[0] = '\0', w->depth = 0;
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

        concat (joined, sizeof joined, "/", dest);
        hostpath_clean (joined, out, size);
        if (!rootfs[0] || strcmp (rootfs, "/") == 0)
                return;
        if (strcmp (out, rootfs) == 0)
                snprintf (out, size, "/");
        else if (strncmp (out, rootfs, n) == 0 && out[n] == '/')
                memmove (out, out + n, strlen (out + n) + 1);
}

/* root.path's text, or NULL. */
static const char *
root_path_text (const struct json *doc)
{
        const struct json *path = json_path (doc, "root", "path", NULL);

        return path ? path->text : NULL;
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
                return; /* runc refuses a config without root */
        if (hostpath_realpath (bundle ? bundle : ".", base) < 0)
                snprintf (base, sizeof base, "%s", bundle && bundle[0] == '/' ? bundle : "/");
        if (path->text[0] == '/')
                snprintf (joined, sizeof joined, "%s", path->text);
        else
                snprintf (joined, sizeof joined, "%s/%s", base, path->text);
        hostpath_clean (joined, lexical, size);
        canonical_source (bundle, path->text, canon, size);
}

/* Resolve every entry in order, each against the ones before it. */
static int
view_entries (const struct json *mounts, struct mount_view *v, struct dest_index *x, struct dest_walk *w)
{
        char clean[PATH_MAX], resolved[PATH_MAX];

        for (size_t i = 0; i < mounts->n; i++) {
                const struct json *m = mounts->items[i], *dst = json_get (m, "destination");
                const struct json *src = json_get (m, "source");
                v->entry[i] = m;
                v->written[i] = dst ? dst->text : NULL;
                v->flags[i] = mount_flags (m);
                strip_root (v->lexical, dst ? dst->text : "", clean, sizeof clean);
                view_resolve (v, w, clean, resolved, sizeof resolved);
                if (!(v->dest[i] = strdup (resolved)) || dest_add (x, v->dest[i], i) < 0)
                        return -1;
                if ((v->flags[i] & MF_BIND) && src)
                        v->source[i] = src->text;
        }
        return 0;
}

static int
view_build (const struct json *doc, const struct decision *d, struct mount_view *v)
{
        const struct json *mounts = json_get (doc, "mounts");
        struct dest_index x;
        struct dest_walk *w;
        struct stat st;
        int rc;

        memset (v, 0, sizeof *v);
        v->bundle = d->bundle;
        v->mounts = mounts;
        v->root_path = root_path_text (doc);
        rootfs_paths (doc, d->bundle, v->lexical, v->rootfs, sizeof v->rootfs);
        if (v->rootfs[0] && (stat (v->rootfs, &st) < 0 || !S_ISDIR (st.st_mode)))
                v->rootfs[0] = '\0';
        if (!mounts || mounts->n == 0)
                return 0;
        v->dest = calloc (mounts->n, sizeof *v->dest);
        v->source = calloc (mounts->n, sizeof *v->source);
        v->host = calloc (mounts->n, sizeof *v->host);
        v->flags = calloc (mounts->n, sizeof *v->flags);
        v->entry = calloc (mounts->n, sizeof *v->entry);
        v->written = calloc (mounts->n, sizeof *v->written);
        if (!v->dest || !v->source || !v->host || !v->flags || !v->entry || !v->written)
                return -1;
        v->n = mounts->n;
        if (dest_index_init (&x) < 0 || !(w = malloc (sizeof *w))) {
                dest_index_free (&x);
                return -1;
        }
        w->x = &x;
        rc = view_entries (mounts, v, &x, w);
        free (w);
        dest_index_free (&x);
        return rc;
}

/* Does v still say where doc's mounts land?  mounts.type makes the view
 * and mounts.destination finds it in the decision, with mounts.safeOptions
 * (and any fix) between them.  A fix that changes an entry replaces its
 * node or text with a new one (the arena reuses no memory within a call,
 * and no text is written in place), so the same pointers are the same
 * values; the flags are read again (and kept), since a fix may append
 * options or replace one in place. */
static bool
view_holds (struct mount_view *v, const struct json *doc, const struct decision *d)
{
        const struct json *mounts = json_get (doc, "mounts");

        if (v->bundle != d->bundle || v->mounts != mounts || v->root_path != root_path_text (doc)
            || v->n != (mounts ? mounts->n : 0))
                return false;
        for (size_t i = 0; i < v->n; i++) {
                const struct json *m = mounts->items[i], *dst = json_get (m, "destination"), *src;
                if (m != v->entry[i] || (dst ? dst->text : NULL) != v->written[i])
                        return false;
                v->flags[i] = mount_flags (m);
                src = v->flags[i] & MF_BIND ? json_get (m, "source") : NULL;
                if ((src ? src->text : NULL) != v->source[i])
                        return false;
        }
        return true;
}

/* The view of doc's mounts: the decision's own while it holds, else made
 * again and kept there; NULL: out of memory.  Its flags are doc's as it is
 * now, so a check (which changes nothing) reads them from the view. */
static const struct mount_view *
view_of (const struct json *doc, struct decision *d)
{
        struct mount_view *v = d->mount_view;

        if (v && view_holds (v, doc, d))
                return v;
        rules_mount_view_release (d);
        if (!(v = malloc (sizeof *v)))
                return NULL;
        if (view_build (doc, d, v) < 0) {
                view_free (v);
                free (v);
                return NULL;
        }
        return d->mount_view = v;
}

void
rules_mount_view_release (struct decision *d)
{
        if (!d->mount_view)
                return;
        view_free (d->mount_view);
        free (d->mount_view);
        d->mount_view = NULL;
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

/* A host path an allowed filesystem would use, held to the deny-list.  c
 * is the call's: its lists are canonicalised once, on the first path. */
static void
host_path_check (struct bind_ctx *c, struct decision *d, const char *id, const char *ptr, const char *type,
                 const char *path)
{
        char canon[PATH_MAX];
        const char *deny;

        if (path[0] != '/')
                return;
        canonical_source (d->bundle, path, canon, sizeof canon);
        if (bind_lists (c) < 0)
                decision_add (d, id, ptr, canon, "judged", "cannot judge host path %s: out of memory", canon);
        else if ((deny = denied_by (c, canon)))
                decision_add (d, id, ptr, canon, "not a denied host path",
                              "%s mount uses host path %s, which exposes %s", type, canon, deny);
}

/* An absolute source (a block device, a directory) and overlay's layers. */
static void
host_paths_check (struct bind_ctx *c, const struct json *m, size_t i, struct decision *d, const char *id)
{
        static const char *const keys[] = { "lowerdir=", "upperdir=", "workdir=" };
        const struct json *src = json_get (m, "source"), *o = json_get (m, "options");
        const char *type = mount_type (m);
        char ptr[64], list[PATH_MAX];

        snprintf (ptr, sizeof ptr, "/mounts/%zu/source", i);
        if (src)
                host_path_check (c, d, id, ptr, type, src->text);
        for (size_t k = 0; o && k < o->n; k++)
                for (size_t j = 0; j < HD_ARRAY_SIZE (keys); j++) {
                        if (strncmp (o->items[k]->text, keys[j], strlen (keys[j])) != 0)
                                continue;
                        snprintf (ptr, sizeof ptr, "/mounts/%zu/options/%zu", i, k);
                        snprintf (list, sizeof list, "%s", o->items[k]->text + strlen (keys[j]));
                        for (char *save = NULL, *dir = strtok_r (list, ":", &save); dir;
                             dir = strtok_r (NULL, ":", &save))
                                host_path_check (c, d, id, ptr, type, dir);
                }
}

/* "/mounts/<i>" in ptr (formatted only for a finding: most entries pass). */
static const char *
entry_ptr (char *ptr, size_t size, size_t i)
{
        snprintf (ptr, size, "/mounts/%zu", i);
        return ptr;
}

static void
type_judge (struct bind_ctx *c, const struct json *m, size_t i, unsigned flags, const char *dest, struct decision *d,
            const char *id)
{
        const struct policy *p = c->p;
        const char *type = type_of (m, flags);
        char ptr[64];

        if (flags & MF_REMOUNT)
                decision_add (d, id, entry_ptr (ptr, sizeof ptr, i), "remount", "a new mount",
                              "remount on %s changes the mount already there, not a new one", dest);
        else if (strcmp (type, "bind") == 0 && (flags & MF_BIND))
                return;
        else if (strcmp (type, "bind") == 0)
                decision_add (d, id, entry_ptr (ptr, sizeof ptr, i), "bind", "a bind or rbind option",
                              "type bind on %s without a bind or rbind option is no bind mount", dest);
        else if (!type[0])
                decision_add (d, id, entry_ptr (ptr, sizeof ptr, i), "(no type)", "a filesystem type",
                              "mount on %s has no filesystem type", dest);
        else if (standard_pair (type, dest))
                return;
        else if (policy_list_has (&p->surface.mount_types, type) || pair_allowed (p, type, dest))
                host_paths_check (c, m, i, d, id);
        else
                decision_add (d, id, entry_ptr (ptr, sizeof ptr, i), type,
                              "the runtime's standard mounts or allowTypes/allowMounts",
                              "%s mount on %s is outside the runtime's standard set", type, dest);
}

/* Every entry with its destination resolved as runc will, and one deny
 * list for the host paths of all of them. */
static void
type_check (const struct policy *p, const struct json *doc, struct decision *d, const char *id)
{
        const struct json *mounts = json_get (doc, "mounts");
        __attribute__ ((cleanup (bind_ctx_free))) struct bind_ctx c = { .p = p, .d = d };
        const struct mount_view *v = view_of (doc, d);

        if (!v)
                decision_add (d, id, "/mounts", "?", "judged", "cannot judge the mounts: out of memory");
        else
                for (size_t i = 0; mounts && i < mounts->n; i++)
                        type_judge (&c, mounts->items[i], i, v->flags[i], v->dest[i], d, id);
}

/* The required options the entry's flags do not leave set, as "a,b". */
static unsigned
missing_options (const struct json *m, char *names, size_t size)
{
        unsigned flags = mount_flags (m);
        unsigned missing = flags & MF_BIND ? 0 : required_flags (type_of (m, flags)) & ~flags;
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

/* The masked and read-only paths a destination may not be on or under:
 * the runtime's defaults, then the config's maskedPaths and readonlyPaths
 * (cleaned unless written clean; "/" left out), in a trie whose nodes
 * hold the first entry that is them, plus one.  A destination's answer,
 * the first entry on or above it, takes one walk of its components. */
struct protected_set {
        struct dest_index x;
        char **path; /* entry i as compared */
        size_t n;
};

static void
protected_free (struct protected_set *s)
{
        free_strings (s->path, s->n);
        dest_index_free (&s->x);
}

/* Add `path` (cleaned when it is a config's entry that is not clean). */
static int
protected_add (struct protected_set *s, const char *path, bool config)
{
        char joined[PATH_MAX + 2], buf[PATH_MAX];
        size_t at;

        if (config && !paths_clean (path)) {
                snprintf (joined, sizeof joined, "/%s", path);
                hostpath_clean (joined, buf, sizeof buf);
                path = buf;
        }
        if (strcmp (path, "/") == 0)
                return 0;
        if (!(s->path[s->n] = strdup (path)))
                return -1;
        if ((at = dest_path_node (&s->x, s->path[s->n++])) == DEST_NONE)
                return -1;
        if (!s->x.node[at].last)
                s->x.node[at].last = s->n;
        return 0;
}

static int
protected_build (const struct json *doc, struct protected_set *s)
{
        const struct json *masked = json_path (doc, "linux", "maskedPaths", NULL);
        const struct json *readonly = json_path (doc, "linux", "readonlyPaths", NULL);
        const struct json *have[] = { masked, readonly };
        size_t n = paths_masked_default_len + paths_readonly_default_len + (masked ? masked->n : 0)
                   + (readonly ? readonly->n : 0);

        memset (s, 0, sizeof *s);
        if (dest_index_init (&s->x) < 0 || !(s->path = calloc (n + 1, sizeof *s->path)))
                return -1;
        for (size_t i = 0; i < paths_masked_default_len; i++)
                if (protected_add (s, paths_masked_default[i], false) < 0)
                        return -1;
        for (size_t i = 0; i < paths_readonly_default_len; i++)
                if (protected_add (s, paths_readonly_default[i], false) < 0)
                        return -1;
        for (size_t l = 0; l < HD_ARRAY_SIZE (have); l++)
                for (size_t i = 0; have[l] && i < have[l]->n; i++)
                        if (protected_add (s, have[l]->items[i]->text, true) < 0)
                                return -1;
        return 0;
}

/* The masked or read-only path `dest` (clean) is on or under, or NULL. */
static const char *
protected_path (const struct protected_set *s, const char *dest, char *buf, size_t size)
{
        size_t at = 0, best = 0;

        for (const char *p = dest[0] == '/' && dest[1] ? dest : ""; *p == '/';) {
                size_t len = strcspn (p + 1, "/");
                if ((at = dest_child (&s->x, at, p + 1, len)) == DEST_NONE)
                        break;
                if (s->x.node[at].last && (!best || s->x.node[at].last < best))
                        best = s->x.node[at].last;
                p += 1 + len;
        }
        if (!best)
                return NULL;
        snprintf (buf, size, "%s", s->path[best - 1]);
        return buf;
}

/* The binds runc allows under /proc (lxcfs's files; checkProcMount). */
static bool
lxcfs_bind (const char *dest)
{
        static const char *const files[] = {
                "/proc/cpuinfo", "/proc/diskstats", "/proc/meminfo",  "/proc/stat",    "/proc/swaps",
                "/proc/uptime",  "/proc/loadavg",   "/proc/slabinfo", "/proc/net/dev",
        };

        for (size_t i = 0; i < HD_ARRAY_SIZE (files); i++)
                if (strcmp (files[i], dest) == 0)
                        return true;
        return false;
}

/* Why a mount of `type` may not land on `dest`, or NULL; *path: the
 * masked or read-only path it is on or under ("" otherwise, in buf). */
static const char *
destination_problem (const struct protected_set *s, const char *type, const char *dest, char *buf, size_t size,
                     const char **path)
{
        *path = "";
        if (strcmp (dest, "/") == 0)
                return "it would cover the container's root filesystem";
        if ((*path = protected_path (s, dest, buf, size)))
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
destination_judge (const struct policy *p, const struct json *m, const struct protected_set *s, size_t i,
                   unsigned flags, const char *dest, struct decision *d, const char *id)
{
        const char *type = type_of (m, flags), *why, *path;
        char ptr[64], buf[PATH_MAX];

        if (pair_allowed (p, type, dest) || !(why = destination_problem (s, type, dest, buf, sizeof buf, &path)))
                return;
        snprintf (ptr, sizeof ptr, "/mounts/%zu/destination", i);
        decision_add (d, id, ptr, dest, "not a masked, read-only or kernel path", "%s mount on %s refused: %s%s",
                      type[0] ? type : "untyped", dest, why, path);
}

/* Every entry, with the protected paths indexed once per call. */
static void
destination_check (const struct policy *p, const struct json *doc, struct decision *d, const char *id)
{
        const struct json *mounts = json_get (doc, "mounts");
        struct protected_set s = { 0 };
        const struct mount_view *v = view_of (doc, d);

        if (!v || (mounts && mounts->n && protected_build (doc, &s) < 0))
                decision_add (d, id, "/mounts", "?", "judged", "cannot judge the mounts: out of memory");
        else
                for (size_t i = 0; mounts && i < mounts->n; i++)
                        destination_judge (p, mounts->items[i], &s, i, v->flags[i], v->dest[i], d, id);
        protected_free (&s);
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
                decision_add (d, id, "/root/path", canon, "not a denied host path", "root filesystem %s exposes %s",
                              canon, deny);
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
                unsigned flags = mount_flags (m);
                if (!(flags & MF_BIND) || !src)
                        continue;
                canonical_source (d->bundle, src->text, canon, sizeof canon);
                if (engine_managed (canon, d))
                        continue;
                parent = strcmp (canon, rootfs) != 0 && under (rootfs, canon);
                if ((!parent && !under (canon, rootfs)) || bind_read_only (flags, parent))
                        continue;
                snprintf (ptr, sizeof ptr, "/mounts/%zu/options", i);
                decision_add (d, id, ptr, "writable", parent ? "rro" : "ro",
                              "writable bind of %s (%s the root filesystem) undoes root.readonly", canon,
                              parent                        ? "a parent of"
                              : strcmp (canon, rootfs) == 0 ? "it is"
                                                            : "inside");
        }
}

const struct rule rule_mount_sources = {
        "mounts.bindSource", "mounts", RULE_CREATE, offsetof (struct policy, surface.mounts), source_check, NULL,
};
const struct rule rule_mount_propagation = {
        "mounts.propagation", "mounts",        RULE_CREATE, offsetof (struct policy, surface.mounts),
        propagation_check,    propagation_fix,
};
const struct rule rule_mount_read_only = {
        "mounts.readOnly", "mounts",      RULE_CREATE, offsetof (struct policy, surface.mounts),
        read_only_check,   read_only_fix,
};
const struct rule rule_mount_types = {
        "mounts.type", "mounts", RULE_CREATE, offsetof (struct policy, surface.mounts), type_check, NULL,
};
const struct rule rule_mount_options = {
        "mounts.safeOptions", "mounts",    RULE_CREATE, offsetof (struct policy, surface.mounts),
        options_check,        options_fix,
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
