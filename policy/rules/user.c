#include "config.h"

#include <stddef.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hardened/ids.h"
#include "hardened/num.h"
#include "hardened/rules.h"
#include "hardened/util.h"

/* The user family judges ids where they count: on the host.
 *
 * user.nonRoot: process.user.uid (absent reads as 0), gid and every
 * additionalGids entry.  Without a user namespace an id is a host id and
 * must lie in allowedUids / allowedGids.  In a user namespace it is
 * translated through the namespace's mappings (the config's for a new one,
 * the kernel's for one joined by path), and the host id must lie in
 * mappedHostUids / mappedHostGids; id 0 inside is root of the namespace
 * (all capabilities over everything it owns) and is refused unless
 * allowRootInUserNamespace.  An id the namespace does not map cannot be
 * taken: the kernel refuses setuid/setgroups, so runc fails to start it.
 *
 * user.idMappings: every mapped host range (linux.uidMappings/gidMappings,
 * with or without a user namespace entry, the mappings of a user namespace
 * joined by path, and a mount's idmap) lies in the mapped host ranges: a
 * range covering host 0 makes some container id host root, whatever
 * process.user says; a range over host system groups makes them the
 * container's.  With requireUserNamespace a config without a private user
 * namespace is refused.  No fix: a mapping cannot be moved without breaking
 * the container's files.
 *
 * Threat: the config's mappings are not what the kernel applies when the
 * namespace is joined by path (runc 1.1 setns()es and writes nothing), so
 * those are read from the kernel, never trusted from the config. */

#define USER_MAX_MAPS 340 /* the kernel's limit on lines of a uid_map */

struct id_range {
        uint64_t inner, outer, size;
};

struct id_maps {
        size_t n;
        struct id_range m[USER_MAX_MAPS];
};

enum userns_kind { USERNS_NONE, USERNS_NEW, USERNS_JOINED };

/* What the kernel will apply to the container's ids. */
struct userns {
        enum userns_kind kind;
        size_t index;     /* of the namespaces entry */
        const char *path; /* USERNS_JOINED */
        bool known;       /* maps below are what the kernel applies */
        char why[160];    /* !known: why not */
        struct id_maps uid, gid;
};

static const char *const id_kind[] = { "uid", "gid" };

/* ---- reading mappings -------------------------------------------------- */

/* A JSON array of OCI LinuxIDMapping; absent fields read as 0, as Go does. */
static void
maps_from_json (const struct json *arr, struct id_maps *out)
{
        out->n = 0;
        for (size_t i = 0; arr && i < arr->n && out->n < USER_MAX_MAPS; i++) {
                struct id_range *r = &out->m[out->n++];
                r->inner = r->outer = r->size = 0;
                json_number_u64 (json_get (arr->items[i], "containerID"), &r->inner);
                json_number_u64 (json_get (arr->items[i], "hostID"), &r->outer);
                json_number_u64 (json_get (arr->items[i], "size"), &r->size);
        }
}

/* /proc/PID/{uid,gid}_map text: "INNER OUTER COUNT" lines, blank-padded. */
static int
maps_parse (char *text, struct id_maps *out)
{
        char *save = NULL, *tok;
        uint64_t v[3];
        size_t k = 0;

        out->n = 0;
        for (tok = strtok_r (text, " \n", &save); tok; tok = strtok_r (NULL, " \n", &save)) {
                if (parse_u64 (tok, strlen (tok), &v[k]) < 0)
                        return -1;
                if (++k < 3)
                        continue;
                if (out->n == USER_MAX_MAPS)
                        return -1;
                out->m[out->n++] = (struct id_range) { v[0], v[1], v[2] };
                k = 0;
        }
        return k == 0 ? 0 : -1;
}

static int
maps_read (const char *file, struct id_maps *out)
{
        char buf[USER_MAX_MAPS * 34 + 1];
        _cleanup_close_ int fd = open (file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        size_t len = 0;
        ssize_t n;

        if (fd < 0)
                return -1;
        while (len < sizeof buf - 1 && (n = read (fd, buf + len, sizeof buf - 1 - len)) > 0)
                len += (size_t) n;
        buf[len] = '\0';
        return maps_parse (buf, out);
}

/* A child joins the namespace `fd` names and waits; the shim, still in its
 * own user namespace, reads the child's maps, so outer ids are the shim's
 * (the host's) even for a nested namespace.  The child never outlives this
 * call and execs nothing. */
static int
maps_of_ns_fd (int fd, struct id_maps *uid, struct id_maps *gid, char *why, size_t size)
{
        int ready[2], done[2], status = 0, rc = -1;
        char file[64], ok = 0;
        pid_t pid;

        if (pipe2 (ready, O_CLOEXEC) < 0)
                return hd_why_sys (why, size, errno, "pipe");
        if (pipe2 (done, O_CLOEXEC) < 0) {
                hd_why_sys (why, size, errno, "pipe");
                close (ready[0]);
                close (ready[1]);
                return -1;
        }
        pid = fork ();
        if (pid == 0) {
                char c = setns (fd, CLONE_NEWUSER) == 0 ? 1 : 0;
                close (ready[0]);
                close (done[1]);
                if (write (ready[1], &c, 1) == 1 && c)
                        (void) !read (done[0], &c, 1); /* returns when the parent closes its end */
                _exit (0);
        }
        close (ready[1]);
        close (done[0]);
        if (pid < 0)
                hd_why_sys (why, size, errno, "fork");
        else if (read (ready[0], &ok, 1) != 1 || !ok)
                snprintf (why, size, "this process cannot enter it");
        else {
                snprintf (file, sizeof file, "/proc/%d/uid_map", (int) pid);
                rc = maps_read (file, uid);
                snprintf (file, sizeof file, "/proc/%d/gid_map", (int) pid);
                if (rc == 0)
                        rc = maps_read (file, gid);
                if (rc < 0)
                        snprintf (why, size, "cannot read its uid_map/gid_map");
        }
        close (ready[0]);
        close (done[1]);
        while (pid > 0 && waitpid (pid, &status, 0) < 0 && errno == EINTR)
                ;
        return rc;
}

/* The joined namespace's maps, as runc will join it: runc opens the path
 * too, so opening it here (non-blocking: a FIFO must not hang the shim)
 * exposes nothing new.  The shim's own namespace (the host's when an engine
 * calls it) cannot be entered again and is read directly.  One namespace
 * is remembered by device and inode: the rules read it more than once. */
static int
maps_of_joined (const char *path, struct userns *ns)
{
        static struct {
                dev_t dev;
                ino_t ino;
                bool valid;
                struct id_maps uid, gid;
        } cache;
        _cleanup_close_ int fd = -1;
        struct stat a, self;
        int rc;

        if (path[0] != '/')
                return snprintf (ns->why, sizeof ns->why,
                                 "a relative path is resolved by runc from a directory the shim does not know"),
                       -1;
        fd = open (path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
        if (fd < 0 || fstat (fd, &a) < 0)
                return hd_why_errno (ns->why, sizeof ns->why, errno);
        if (!S_ISREG (a.st_mode))
                return snprintf (ns->why, sizeof ns->why, "not a namespace file"), -1;
        if (cache.valid && cache.dev == a.st_dev && cache.ino == a.st_ino) {
                ns->uid = cache.uid;
                ns->gid = cache.gid;
                return 0;
        }
        if (stat ("/proc/self/ns/user", &self) == 0 && a.st_dev == self.st_dev && a.st_ino == self.st_ino)
                rc = maps_read ("/proc/self/uid_map", &ns->uid) < 0 || maps_read ("/proc/self/gid_map", &ns->gid) < 0
                             ? (snprintf (ns->why, sizeof ns->why, "cannot read /proc/self/uid_map"), -1)
                             : 0;
        else
                rc = maps_of_ns_fd (fd, &ns->uid, &ns->gid, ns->why, sizeof ns->why);
        if (rc == 0) {
                cache.dev = a.st_dev;
                cache.ino = a.st_ino;
                cache.uid = ns->uid;
                cache.gid = ns->gid;
                cache.valid = true;
        }
        return rc;
}

static void
userns_read (const struct json *doc, struct userns *ns)
{
        const struct json *list = json_path (doc, "linux", "namespaces", NULL);
        const struct json *linux_ = json_get (doc, "linux");

        /* Not memset: the maps are 16 KB and only their first n entries count. */
        ns->kind = USERNS_NONE;
        ns->index = 0;
        ns->path = NULL;
        ns->known = false;
        ns->why[0] = '\0';
        ns->uid.n = ns->gid.n = 0;
        for (size_t i = 0; list && i < list->n; i++) {
                const struct json *t = json_get (list->items[i], "type"), *path;
                if (!t || strcmp (t->text, "user") != 0)
                        continue;
                path = json_get (list->items[i], "path");
                ns->index = i;
                ns->kind = path && path->len ? USERNS_JOINED : USERNS_NEW;
                ns->path = path ? path->text : NULL;
                break;
        }
        if (ns->kind == USERNS_NEW) {
                maps_from_json (json_get (linux_, "uidMappings"), &ns->uid);
                maps_from_json (json_get (linux_, "gidMappings"), &ns->gid);
                ns->known = true;
        } else if (ns->kind == USERNS_JOINED) {
                ns->known = maps_of_joined (ns->path, ns) == 0;
        }
}

/* ---- judging ids ----------------------------------------------------------- */

/* The first host id of [first, last] outside `ids`, or -1 if all are in. */
static int64_t
first_outside (const struct policy_ids *ids, uint64_t first, uint64_t last)
{
        uint64_t at = first;

        while (at <= last) {
                size_t i;
                if (at > UINT32_MAX)
                        return (int64_t) at;
                for (i = 0; i < ids->n; i++)
                        if (at >= ids->r[i].min && at <= ids->r[i].max)
                                break;
                if (i == ids->n)
                        return (int64_t) at;
                at = (uint64_t) ids->r[i].max + 1;
        }
        return -1;
}

enum verdict_id { ID_OK, ID_ROOT_INSIDE, ID_HOST_ROOT, ID_OUTSIDE };

/* Judge container id `id` of kind k (0 uid, 1 gid); *host gets its host id. */
static enum verdict_id
judge_id (const struct policy_user *u, const struct userns *ns, int k, uint32_t id, uint64_t *host)
{
        const struct id_maps *maps = k ? &ns->gid : &ns->uid;

        *host = id;
        if (ns->kind == USERNS_NONE || !ns->known)
                return id == 0 ? ID_HOST_ROOT : ids_allowed (k ? &u->gids : &u->uids, id) ? ID_OK : ID_OUTSIDE;
        for (size_t i = 0; i < maps->n; i++) {
                const struct id_range *r = &maps->m[i];
                if (id < r->inner || id - r->inner >= r->size)
                        continue;
                *host = r->outer + (id - r->inner);
                if (*host == 0)
                        return ID_HOST_ROOT;
                if (id == 0 && !u->allow_root_in_userns)
                        return ID_ROOT_INSIDE;
                return *host <= UINT32_MAX && ids_allowed (k ? &u->mapped_gids : &u->mapped_uids, (uint32_t) *host)
                               ? ID_OK
                               : ID_OUTSIDE;
        }
        /* Unmapped: the kernel refuses to switch to it (runc 1.1 also
         * refuses a namespace that leaves container 0 unmapped). */
        return id == 0 && !u->allow_root_in_userns ? ID_ROOT_INSIDE : ID_OK;
}

static uint32_t
read_id (const struct json *user, const char *key)
{
        uint64_t v = 0;

        json_number_u64 (json_get (user, key), &v);
        return (uint32_t) v;
}

static bool
id_ok (const struct policy_user *u, const struct userns *ns, int k, uint32_t id)
{
        uint64_t host;

        return judge_id (u, ns, k, id, &host) == ID_OK;
}

/* One finding for a bad process id, naming its pointer and host id. */
static void
report_id (const struct policy_user *u, const struct userns *ns, int k, uint32_t id, const char *ptr, const char *what,
           struct decision *d, const char *rule)
{
        char found[48], want[96];
        uint64_t host;
        enum verdict_id v = judge_id (u, ns, k, id, &host);

        if (v == ID_OK)
                return;
        snprintf (found, sizeof found, host == id ? "%u" : "%u (host %llu)", id, (unsigned long long) host);
        snprintf (want, sizeof want, "a host %s in the policy's allowed range (policy %s %u)", id_kind[k], id_kind[k],
                  k ? u->gid : u->uid);
        if (v == ID_ROOT_INSIDE)
                decision_add (d, rule, ptr, found, want,
                              "%s: %s 0 is root of the container's user namespace (host %s %llu); "
                              "allowRootInUserNamespace is off",
                              ptr, what, id_kind[k], (unsigned long long) host);
        else if (v == ID_HOST_ROOT && host == id)
                decision_add (d, rule, ptr, found, want, "%s (%s 0): %s is host %s 0",
                              k == 0         ? "the container would run as root"
                              : *what == 'g' ? "the container's group would be root"
                                             : "group 0 (root) among the additional groups",
                              id_kind[k], ptr, id_kind[k]);
        else if (v == ID_HOST_ROOT)
                decision_add (d, rule, ptr, found, want, "%s: %s %u maps to host %s 0 (root)", ptr, what, id,
                              id_kind[k]);
        else
                decision_add (d, rule, ptr, found, want, "%s: %s %u is host %s %llu, outside the allowed host %ss", ptr,
                              what, id, id_kind[k], (unsigned long long) host, id_kind[k]);
}

static void
user_check (const struct policy *p, const struct json *doc, struct decision *d, const char *id)
{
        const struct json *user = json_path (doc, "process", "user", NULL);
        const struct json *gids = json_get (user, "additionalGids");
        struct userns ns;

        userns_read (doc, &ns);
        report_id (&p->user, &ns, 0, read_id (user, "uid"), "/process/user/uid", "uid", d, id);
        report_id (&p->user, &ns, 1, read_id (user, "gid"), "/process/user/gid", "gid", d, id);
        for (size_t i = 0; gids && i < gids->n; i++) {
                char ptr[64];
                uint64_t v = 0;
                json_number_u64 (gids->items[i], &v);
                snprintf (ptr, sizeof ptr, "/process/user/additionalGids/%zu", i);
                report_id (&p->user, &ns, 1, (uint32_t) v, ptr, "additional gid", d, id);
        }
}

struct gid_filter {
        const struct policy_user *u;
        const struct userns *ns;
};

static bool
drop_gid (const struct json *item, const void *ctx)
{
        const struct gid_filter *c = ctx;
        uint64_t v = 0;

        json_number_u64 (item, &v);
        return !id_ok (c->u, c->ns, 1, (uint32_t) v);
}

static int
user_fix (const struct policy *p, struct json *doc, const struct decision *ctx, struct hd_err *err)
{
        struct json *process = json_ensure (doc, "process", JSON_OBJECT, err);
        struct json *user = process ? json_ensure (process, "user", JSON_OBJECT, err) : NULL;
        struct userns ns;

        if (!user)
                return -1;
        userns_read (doc, &ns);
        if (!id_ok (&p->user, &ns, 0, read_id (user, "uid")) && json_set_i64 (user, "uid", p->user.uid, err) < 0)
                return -1;
        if (!id_ok (&p->user, &ns, 1, read_id (user, "gid")) && json_set_i64 (user, "gid", p->user.gid, err) < 0)
                return -1;
        if (json_get (user, "additionalGids"))
                json_array_filter (json_get (user, "additionalGids"), drop_gid, &(struct gid_filter) { &p->user, &ns });
        return 0;
}

const struct rule rule_user_non_root = {
        "user.nonRoot", "user", RULE_CREATE | RULE_EXEC, offsetof (struct policy, user.action), user_check, user_fix,
};

/* ---- mappings -------------------------------------------------------------- */

/* One mapped range against the allowed host ranges. */
static void
judge_range (const struct policy_user *u, int k, const struct id_range *r, const char *ptr, const char *whose,
             struct decision *d, const char *rule)
{
        const struct policy_ids *ids = k ? &u->mapped_gids : &u->mapped_uids;
        uint64_t last = r->outer + r->size - 1;
        char found[80];
        int64_t bad;

        if (r->size == 0)
                return; /* covers nothing (the kernel refuses it) */
        bad = first_outside (ids, r->outer, last);
        if (bad < 0)
                return;
        snprintf (found, sizeof found, "container %llu-%llu -> host %llu-%llu", (unsigned long long) r->inner,
                  (unsigned long long) (r->inner + r->size - 1), (unsigned long long) r->outer,
                  (unsigned long long) last);
        if (last > UINT32_MAX - 1)
                decision_add (
                        d, rule, ptr, found, "a host range in the policy's mapped host ids",
                        "%s: %s maps onto host %ss %llu-%llu, past 4294967294: the range wraps to host %s 0 (root)",
                        ptr, whose, id_kind[k], (unsigned long long) r->outer, (unsigned long long) last, id_kind[k]);
        else if (bad == 0)
                decision_add (d, rule, ptr, found, "a host range in the policy's mapped host ids",
                              "%s: %s covers host %s 0 (root): container %s %llu is host root", ptr, whose, id_kind[k],
                              id_kind[k], (unsigned long long) r->inner);
        else
                decision_add (d, rule, ptr, found, "a host range in the policy's mapped host ids",
                              "%s: %s covers host %s %lld, outside the allowed host %ss", ptr, whose, id_kind[k],
                              (long long) bad, id_kind[k]);
}

static void
judge_maps (const struct policy_user *u, int k, const struct id_maps *maps, const char *base, bool indexed,
            const char *whose, struct decision *d, const char *rule)
{
        for (size_t i = 0; i < maps->n; i++) {
                char ptr[128];
                if (indexed)
                        snprintf (ptr, sizeof ptr, "%s/%zu", base, i);
                else
                        snprintf (ptr, sizeof ptr, "%s", base);
                judge_range (u, k, &maps->m[i], ptr, whose, d, rule);
        }
}

/* linux.uidMappings / gidMappings and every mount's idmap. */
static void
judge_config_maps (const struct policy_user *u, const struct json *doc, struct decision *d, const char *rule)
{
        static const char *const keys[] = { "uidMappings", "gidMappings" };
        const struct json *mounts = json_get (doc, "mounts");
        struct id_maps maps;
        char base[96];

        for (int k = 0; k < 2; k++) {
                maps_from_json (json_path (doc, "linux", keys[k], NULL), &maps);
                snprintf (base, sizeof base, "/linux/%s", keys[k]);
                judge_maps (u, k, &maps, base, true, "the mapping", d, rule);
                for (size_t m = 0; mounts && m < mounts->n; m++) {
                        maps_from_json (json_get (mounts->items[m], keys[k]), &maps);
                        if (maps.n == 0)
                                continue; /* no pointer to format for most mounts */
                        snprintf (base, sizeof base, "/mounts/%zu/%s", m, keys[k]);
                        judge_maps (u, k, &maps, base, true, "the mount's idmap", d, rule);
                }
        }
}

static void
maps_check (const struct policy *p, const struct json *doc, struct decision *d, const char *id)
{
        const struct policy_user *u = &p->user;
        struct userns ns;
        char ptr[64];

        judge_config_maps (u, doc, d, id);
        userns_read (doc, &ns);
        snprintf (ptr, sizeof ptr, "/linux/namespaces/%zu/path", ns.index);
        if (ns.kind == USERNS_JOINED && !ns.known)
                decision_add (d, id, ptr, ns.path, "a user namespace whose mappings can be read",
                              "%s: the mappings of the user namespace %s cannot be checked: %s", ptr, ns.path, ns.why);
        else if (ns.kind == USERNS_JOINED)
                for (int k = 0; k < 2; k++)
                        judge_maps (u, k, k ? &ns.gid : &ns.uid, ptr, false, "the joined user namespace", d, id);
        if (u->require_userns && ns.kind == USERNS_NONE)
                decision_add (d, id, "/linux/namespaces", "(no user namespace)", "a private user namespace",
                              "/linux/namespaces: no user namespace: the container's ids would be host ids, "
                              "and the policy requires a private user namespace (requireUserNamespace)");
        else if (u->require_userns && ns.kind == USERNS_NEW && (ns.uid.n == 0 || ns.gid.n == 0))
                decision_add (d, id, ns.uid.n ? "/linux/gidMappings" : "/linux/uidMappings", "(absent)",
                              "a mapping onto the mapped host ids",
                              "/linux/%s: a user namespace without %s mappings (requireUserNamespace)",
                              ns.uid.n ? "gidMappings" : "uidMappings", ns.uid.n ? "gid" : "uid");
}

const struct rule rule_user_id_mappings = {
        "user.idMappings", "user", RULE_CREATE, offsetof (struct policy, user.action), maps_check, NULL,
};
