#include "config.h"

#include <stddef.h>

#include <errno.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "hardened/rules.h"
#include "hardened/util.h"

/* namespaces.private (CIS 5.10, 5.16, 5.17, 5.21; PSS host namespaces):
 * every required namespace type is the container's own, and no namespace
 * entry of any type joins one of the host's.  A missing entry of a required
 * type means the host's namespace is shared.  An entry with a path joins
 * that namespace; it is judged as runc's init will open it:
 *
 * - runc 1.1 lstat()s the path from the bundle directory (its working
 *   directory after `create --bundle`), then nsexec open()s it from the
 *   root filesystem (the init's working directory, libcontainer sets
 *   cmd.Dir = rootfs), before any setns().  A relative path is therefore
 *   checked in one place and opened in another, under the image's control:
 *   it is refused (runc 1.2 refuses it too).
 * - An absolute path is opened in the mount namespace and with the /proc
 *   the shim sees (runc is the shim after execve, and its init is its
 *   child, in the same namespaces until the setns() calls, which follow all
 *   the open()s).  Symlinks are followed here one by one, as the kernel
 *   will.  /proc/self and /proc/thread-self name the opener: for runc's
 *   init they name a process that shares every namespace with the shim, so
 *   /proc/self/ns/<type> resolves to the same namespace for both.  Every
 *   other per-process link of /proc (fd/N, cwd, root, exe, map_files/...)
 *   names something that differs between the shim and runc's init, or
 *   jumps into another mount namespace: a path through one is not judged
 *   but refused.  The final namespace file is compared by device and inode.
 *
 * The host's namespaces are known by two references, and a path that is
 * any namespace of either (of any type: a user, cgroup or time entry that
 * is the host's is as much a lie about privacy as a network one) is the
 * host's:
 * - the shim's own /proc/self/ns/<type>, always.  An engine execs the shim
 *   from its own namespaces, which are the host's (or, when the engine
 *   itself runs in a container, that container's: then they are the
 *   namespaces of the machine the engine manages, and joining them is
 *   joining the engine's network, pids and mounts).  If the shim cannot
 *   read its own, nothing is judged and every path is refused.
 * - pid 1's /proc/1/ns/<type>, when it can be read.  It cannot on hosts
 *   where pid 1 is not ptrace-readable (here: a sandbox init; under some
 *   CRI setups); then the shim's own namespaces are the only reference.
 *   In a pid namespace (the shim started under `unshare --pid
 *   --mount-proc`, or inside a container), pid 1 is that namespace's init
 *   and its namespaces count as the host's too: conservative.
 * A shim run inside a container, by something other than the host's
 * engine, protects that container's namespaces, not the machine's: it
 * cannot recognise a path to the machine's namespaces that neither its
 * own nor its pid 1's are.  Deploy it where the engine runs.
 *
 * Limitation: the path is judged once, at create.  A symlink on the way
 * that someone else can change, or a /proc/<pid> whose process exits and
 * whose pid is reused before runc opens it, is a race; keep namespace
 * files in root-owned directories (/run/netns, /proc/<pid>/ns). */

static const struct {
        const char *type, *proc;
} ns_names[] = {
        { "pid", "pid" },       { "pid", "pid_for_children" },
        { "ipc", "ipc" },       { "uts", "uts" },
        { "network", "net" },   { "mount", "mnt" },
        { "cgroup", "cgroup" }, { "user", "user" },
        { "time", "time" },     { "time", "time_for_children" },
};

/* Namespaces the shim must be able to read its own of, or judge nothing. */
static const char *const ns_core[] = { "net", "pid", "mnt", "user" };

#define NS_MAX_LINKS 40 /* the kernel's MAXSYMLINKS */

struct ns_ref {
        dev_t dev;
        ino_t ino;
        const char *type; /* OCI name of the namespace's type */
        char file[40];    /* the reference it was read from */
};

/* Every namespace of the shim and of pid 1 that can be read; 0 when the
 * shim cannot read its own core namespaces. */
static size_t
ns_host_refs (struct ns_ref *refs, size_t max)
{
        static const char *const owners[] = { "self", "1" };
        size_t n = 0;

        for (size_t o = 0; o < HD_ARRAY_SIZE (owners); o++)
                for (size_t i = 0; i < HD_ARRAY_SIZE (ns_names) && n < max; i++) {
                        struct stat st;
                        snprintf (refs[n].file, sizeof refs[n].file, "/proc/%s/ns/%s", owners[o], ns_names[i].proc);
                        if (stat (refs[n].file, &st) < 0) {
                                for (size_t c = 0; o == 0 && c < HD_ARRAY_SIZE (ns_core); c++)
                                        if (strcmp (ns_core[c], ns_names[i].proc) == 0)
                                                return 0;
                                continue;
                        }
                        refs[n].dev = st.st_dev;
                        refs[n].ino = st.st_ino;
                        refs[n].type = ns_names[i].type;
                        n++;
                }
        return n;
}

static bool
on_procfs (const char *dir)
{
        struct statfs fs;

        return statfs (*dir ? dir : "/", &fs) == 0 && fs.f_type == PROC_SUPER_MAGIC;
}

/* Is `cur` (a resolved directory) named "ns"? */
static bool
is_ns_dir (const char *cur)
{
        const char *slash = strrchr (cur, '/');

        return slash && strcmp (slash + 1, "ns") == 0;
}

/* A symlink met while resolving: follow it (rewriting the rest of the path
 * in `rest`), stop at it (a final namespace file), or refuse it. */
enum ns_link { NS_LINK_FOLLOW, NS_LINK_FINAL, NS_LINK_REFUSE };

static enum ns_link
ns_link_kind (const char *cur, const char *comp, const char *after)
{
        if (!on_procfs (cur))
                return NS_LINK_FOLLOW;
        if (strcmp (comp, "self") == 0 || strcmp (comp, "thread-self") == 0)
                return NS_LINK_FOLLOW; /* "PID" / "PID/task/TID": plain text */
        if (is_ns_dir (cur) && after[strspn (after, "/")] == '\0')
                return NS_LINK_FINAL;
        return NS_LINK_REFUSE;
}

/* Replace `rest` with "TARGET/AFTER", where AFTER points into rest. */
static int
ns_splice (char *rest, size_t size, const char *target, const char *after)
{
        char tmp[PATH_MAX * 2];

        if ((size_t) snprintf (tmp, sizeof tmp, "%s/%s", target, after) >= sizeof tmp || strlen (tmp) >= size)
                return -1;
        snprintf (rest, size, "%s", tmp);
        return 0;
}

/* Resolve absolute `path` into `out` the way the kernel will for runc's
 * init: every symlink followed textually, stopping at a final
 * /proc/<pid>/ns/<name>.  -1 with `why` when the path cannot be judged. */
static int
ns_resolve (const char *path, char *out, size_t size, char *why, size_t wsize)
{
        char rest[PATH_MAX * 2], cur[PATH_MAX] = "", cand[PATH_MAX], target[PATH_MAX];
        const char *p = rest;
        int links = 0;

        if (strlen (path) >= sizeof rest)
                return snprintf (why, wsize, "the path is too long"), -1;
        snprintf (rest, sizeof rest, "%s", path);
        while (*(p += strspn (p, "/"))) {
                size_t clen = strcspn (p, "/");
                char comp[NAME_MAX + 1];
                struct stat st;
                ssize_t tlen;

                if (clen > NAME_MAX)
                        return snprintf (why, wsize, "a path component is too long"), -1;
                memcpy (comp, p, clen);
                comp[clen] = '\0';
                p += clen;
                if (strcmp (comp, ".") == 0)
                        continue;
                if (strcmp (comp, "..") == 0) {
                        char *slash = strrchr (cur, '/');
                        if (slash)
                                *slash = '\0';
                        continue;
                }
                if ((size_t) snprintf (cand, sizeof cand, "%s/%s", cur, comp) >= sizeof cand)
                        return snprintf (why, wsize, "the path is too long"), -1;
                if (lstat (cand, &st) < 0)
                        return hd_why_sys (why, wsize, errno, "%s", cand);
                if (!S_ISLNK (st.st_mode)) {
                        snprintf (cur, sizeof cur, "%s", cand);
                        continue;
                }
                switch (ns_link_kind (cur, comp, p)) {
                case NS_LINK_FINAL:
                        snprintf (cur, sizeof cur, "%s", cand);
                        continue;
                case NS_LINK_REFUSE:
                        return snprintf (why, wsize,
                                         "%s is a /proc link other than self, thread-self or a "
                                         "namespace file, which runc's init would not see as the shim does",
                                         cand),
                               -1;
                case NS_LINK_FOLLOW:
                        break;
                }
                if (++links > NS_MAX_LINKS)
                        return hd_why_errno (why, wsize, ELOOP);
                tlen = readlink (cand, target, sizeof target - 1);
                if (tlen < 0 || (size_t) tlen >= sizeof target - 1)
                        return snprintf (why, wsize, "%s: cannot read the link", cand), -1;
                target[tlen] = '\0';
                if (target[0] == '/')
                        cur[0] = '\0';
                if (ns_splice (rest, sizeof rest, target, p) < 0)
                        return snprintf (why, wsize, "the path is too long"), -1;
                p = rest;
        }
        snprintf (out, size, "%s", *cur ? cur : "/");
        return 0;
}

enum rules_ns_verdict
rules_ns_judge (const char *path, char *why, size_t size)
{
        struct ns_ref refs[2 * HD_ARRAY_SIZE (ns_names)];
        char resolved[PATH_MAX];
        size_t n;
        struct stat st;

        if (path[0] != '/')
                return snprintf (why, size,
                                 "a relative path (runc checks it from the bundle and opens it "
                                 "from the root filesystem)"),
                       RULES_NS_UNCHECKED;
        if (ns_resolve (path, resolved, sizeof resolved, why, size) < 0)
                return RULES_NS_UNCHECKED;
        if (stat (resolved, &st) < 0)
                return hd_why_sys (why, size, errno, "%s", resolved), RULES_NS_UNCHECKED;
        n = ns_host_refs (refs, HD_ARRAY_SIZE (refs));
        if (n == 0)
                return snprintf (why, size, "the shim cannot read its own /proc/self/ns"), RULES_NS_UNCHECKED;
        for (size_t i = 0; i < n; i++)
                if (refs[i].dev == st.st_dev && refs[i].ino == st.st_ino)
                        return snprintf (why, size, "the host's %s namespace (the same as %s %s)", refs[i].type,
                                         strncmp (refs[i].file, "/proc/self/", 11) == 0 ? "the shim's own" : "pid 1's",
                                         refs[i].file),
                               RULES_NS_HOST;
        snprintf (why, size, "private");
        return RULES_NS_PRIVATE;
}

bool
rules_ns_is_host (const char *type, const char *path)
{
        char why[PATH_MAX + 160];

        (void) type; /* any of the host's namespaces counts, whatever the entry's type */
        return rules_ns_judge (path, why, sizeof why) != RULES_NS_PRIVATE;
}

static struct json *
ns_entry (const struct json *doc, const char *type)
{
        struct json *list = json_path (doc, "linux", "namespaces", NULL);

        for (size_t i = 0; list && i < list->n; i++) {
                const struct json *t = json_get (list->items[i], "type");
                if (t && strcmp (t->text, type) == 0)
                        return list->items[i];
        }
        return NULL;
}

/* The entry's path when it names a namespace to join ("" or absent: a new one). */
static const struct json *
ns_join_path (const struct json *entry)
{
        const struct json *path = json_get (entry, "path");

        return path && path->type == JSON_STRING && path->len > 0 ? path : NULL;
}

static void
ns_check_path (const struct json *entry, size_t i, struct decision *d, const char *id)
{
        const struct json *path = ns_join_path (entry), *t = json_get (entry, "type");
        const char *type = t && t->type == JSON_STRING ? t->text : "(no type)";
        char why[PATH_MAX + 160], ptr[64];
        enum rules_ns_verdict v;

        if (!path)
                return;
        v = rules_ns_judge (path->text, why, sizeof why);
        snprintf (ptr, sizeof ptr, "/linux/namespaces/%zu/path", i);
        if (v == RULES_NS_HOST)
                decision_add (d, id, ptr, path->text, "a private namespace", "the %s entry would join %s through %s",
                              type, why, path->text);
        else if (v == RULES_NS_UNCHECKED)
                decision_add (d, id, ptr, path->text, "an absolute path to a namespace that is not the host's",
                              "%s namespace path %s cannot be judged: %s", type, path->text, why);
}

static void
ns_check (const struct policy *p, const struct json *doc, struct decision *d, const char *id)
{
        const struct policy_list *req = &p->surface.ns_require;
        const struct json *list = json_path (doc, "linux", "namespaces", NULL);

        for (size_t i = 0; list && list->type == JSON_ARRAY && i < list->n; i++)
                ns_check_path (list->items[i], i, d, id);
        for (size_t i = 0; i < policy_list_len (req); i++) {
                const char *type = policy_list_at (req, i);
                if (!ns_entry (doc, type))
                        decision_add (d, id, "/linux/namespaces", "(absent)", type,
                                      "the container would share the host's %s namespace", type);
        }
}

static int
ns_fix (const struct policy *p, struct json *doc, const struct decision *ctx, struct hd_err *err)
{
        struct json *linux_ = json_ensure (doc, "linux", JSON_OBJECT, err);
        struct json *list = linux_ ? json_ensure (linux_, "namespaces", JSON_ARRAY, err) : NULL;
        const struct policy_list *req = &p->surface.ns_require;

        if (!list)
                return -1;
        for (size_t i = 0; i < list->n; i++) {
                const struct json *path = ns_join_path (list->items[i]);
                if (path && rules_ns_is_host (NULL, path->text))
                        json_del (list->items[i], "path"); /* a new namespace of its own instead */
        }
        for (size_t i = 0; i < policy_list_len (req); i++) {
                const char *type = policy_list_at (req, i);
                struct json *n;
                if (ns_entry (doc, type))
                        continue;
                n = json_new (JSON_OBJECT);
                if (!n)
                        return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
                if (json_set (n, "type", json_new_string (type), err) < 0) {
                        json_free (n);
                        return -1;
                }
                if (json_append (list, n, err) < 0)
                        return -1;
        }
        return 0;
}

const struct rule rule_namespaces = {
        "namespaces.private",
        "hostNamespaces",
        RULE_CREATE,
        offsetof (struct policy, surface.host_namespaces),
        ns_check,
        ns_fix,
};
