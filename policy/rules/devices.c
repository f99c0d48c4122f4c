#include "config.h"

#include <stddef.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "hardened/caps.h"
#include "hardened/devcgroup.h"
#include "hardened/paths.h"
#include "hardened/rules.h"
#include "hardened/util.h"

/* devices.host: every linux.devices entry is, by its type and numbers,
 * a runtime default or an allow-listed device (no safe fix: refused).
 * devices.cgroup: the device cgroup runc builds from linux.resources.devices
 * lets the container read or write only the devices it is given: the
 * runtime defaults and its allowed linux.devices entries (fixed by
 * dropping the rules that give more).
 *
 * Threat: a device is what its type and numbers say, never its path: a
 * block device 8:0 named /dev/null is the host's first disk, and a node
 * the image carries is opened through the cgroup alone.  So entries are
 * judged by (type, major, minor) and the cgroup by what runc's emulator
 * makes of its rules (devcgroup.h), in every spelling runc accepts. */

/* ---- what a container is given ---- */

/* A device by numbers; minor may be DEVCG_WILDCARD (every minor of one major). */
struct given_dev {
        char type; /* 'c' or 'b' */
        int64_t major, minor;
};

/* The runtime defaults, known by their numbers.  `node`: the runtime (or
 * the container's own devpts) makes a node for it, so a linux.devices
 * entry may name it.  tun/tap is no node: runc 1.1 appends "c 10:200 rwm"
 * to every container's cgroup itself (runc 1.2 no longer does), so a rule
 * of the config that repeats it gives nothing more. */
static const struct {
        const char *name;
        struct given_dev dev;
        bool node;
} runtime_defaults[] = {
        { "null", { 'c', 1, 3 }, true },
        { "zero", { 'c', 1, 5 }, true },
        { "full", { 'c', 1, 7 }, true },
        { "random", { 'c', 1, 8 }, true },
        { "urandom", { 'c', 1, 9 }, true },
        { "tty", { 'c', 5, 0 }, true },
        { "console", { 'c', 5, 1 }, true },
        { "ptmx", { 'c', 5, 2 }, true },
        { "pts", { 'c', 136, DEVCG_WILDCARD }, true },
        { "tun/tap", { 'c', 10, 200 }, false },
};

#define GIVEN_MAX 256

struct given_set {
        size_t n;
        struct given_dev d[GIVEN_MAX];
};

static void
given_add (struct given_set *g, char type, int64_t major, int64_t minor)
{
        if (g->n < GIVEN_MAX) /* past it, fewer devices count as given: stricter */
                g->d[g->n++] = (struct given_dev) { type, major, minor };
}

/* Is every device of (type, major, minor) in g?  A wildcard is covered
 * only by the same wildcard (136:* by pts), never by single devices. */
static bool
given_covers (const struct given_set *g, char type, int64_t major, int64_t minor)
{
        if (devcg_number_is_wildcard (major))
                return false;
        for (size_t i = 0; i < g->n; i++)
                if (g->d[i].type == type && g->d[i].major == major
                    && (g->d[i].minor == DEVCG_WILDCARD
                        || (!devcg_number_is_wildcard (minor) && g->d[i].minor == minor)))
                        return true;
        return false;
}

/* The node defaults and the policy's allow-list, paths resolved on the host
 * now (one that does not exist or is no device gives nothing). */
static void
given_nodes (const struct policy *p, struct given_set *g)
{
        g->n = 0;
        for (size_t i = 0; i < HD_ARRAY_SIZE (runtime_defaults); i++)
                if (runtime_defaults[i].node)
                        given_add (g, runtime_defaults[i].dev.type, runtime_defaults[i].dev.major,
                                   runtime_defaults[i].dev.minor);
        for (size_t i = 0; i < p->surface.ndevices; i++) {
                const struct policy_device *a = &p->surface.devices_allowed[i];
                struct stat st;
                if (!a->path)
                        given_add (g, a->type, a->major, a->any_minor ? (int64_t) DEVCG_WILDCARD : (int64_t) a->minor);
                else if (stat (a->path, &st) == 0 && (S_ISCHR (st.st_mode) || S_ISBLK (st.st_mode)))
                        given_add (g, S_ISCHR (st.st_mode) ? 'c' : 'b', major (st.st_rdev), minor (st.st_rdev));
        }
}

/* ---- linux.devices entries ---- */

struct entry {
        const char *path;     /* "" when absent */
        char type;            /* 'c' (also "u"), 'b', 'p'; 0: not one runc accepts */
        int64_t major, minor; /* absent: 0, Go's zero value */
};

static void
entry_read (const struct json *dev, struct entry *e)
{
        static const struct {
                const char *spec;
                char type;
        } types[] = { { "c", 'c' }, { "u", 'c' }, { "b", 'b' }, { "p", 'p' } };
        const struct json *path = json_get (dev, "path"), *type = json_get (dev, "type");
        const struct json *major = json_get (dev, "major"), *minor = json_get (dev, "minor");

        e->path = path && path->type == JSON_STRING ? path->text : "";
        e->type = 0;
        for (size_t i = 0; type && type->type == JSON_STRING && i < HD_ARRAY_SIZE (types); i++)
                if (strcmp (type->text, types[i].spec) == 0)
                        e->type = types[i].type;
        e->major = e->minor = 0;
        if ((major && !json_number_i64 (major, &e->major)) || (minor && !json_number_i64 (minor, &e->minor)))
                e->type = 0;
}

/* runc bind-mounts each entry's path from the host instead of making a
 * node when the container has a user namespace or runc runs in one
 * (libcontainer/rootfs_linux.go createDevices): then the path is a host
 * path, and what is mounted is whatever the host has there. */
static bool
in_user_namespace (void)
{
        _cleanup_close_ int fd = open ("/proc/self/uid_map", O_RDONLY | O_CLOEXEC);
        char buf[128];
        ssize_t n;

        if (fd < 0)
                return false; /* no user namespaces in this kernel: as runc decides */
        n = read (fd, buf, sizeof buf - 1);
        if (n <= 0)
                return true;
        buf[n] = '\0';
        /* The initial namespace's map is exactly one line: 0 0 4294967295. */
        char *save = NULL, *a = strtok_r (buf, " \n", &save), *b = strtok_r (NULL, " \n", &save);
        char *c = strtok_r (NULL, " \n", &save), *more = strtok_r (NULL, " \n", &save);
        return !(a && b && c && !more && strcmp (a, "0") == 0 && strcmp (b, "0") == 0 && strcmp (c, "4294967295") == 0);
}

static bool
binds_host_paths (const struct json *doc)
{
        const struct json *ns = json_path (doc, "linux", "namespaces", NULL);

        for (size_t i = 0; ns && ns->type == JSON_ARRAY && i < ns->n; i++) {
                const struct json *t = json_get (ns->items[i], "type");
                if (t && t->type == JSON_STRING && strcmp (t->text, "user") == 0)
                        return true;
        }
        return in_user_namespace ();
}

/* With bind mounts, the host's file at the path must be exactly the device
 * the entry names; a host fifo is a channel to whatever reads it on the
 * host (/run/initctl), so fifos are not bound. */
static const char *
bind_problem (const struct entry *e)
{
        struct stat st;

        if (e->type == 'p')
                return "a host fifo would be bind-mounted";
        if (e->path[0] != '/' || stat (e->path, &st) < 0)
                return "bind-mounted from the host, where it is no such device";
        if ((e->type == 'c' ? !S_ISCHR (st.st_mode) : !S_ISBLK (st.st_mode))
            || major (st.st_rdev) != (unsigned) e->major || minor (st.st_rdev) != (unsigned) e->minor)
                return "bind-mounted from the host, where it is another file";
        return NULL;
}

/* NULL if the entry gives the container only what it may have. */
static const char *
entry_problem (const struct entry *e, const struct given_set *nodes, bool bind)
{
        if (!e->type)
                return "not a device type runc accepts (c, u, b, p)";
        if (e->type != 'p') {
                /* runc packs the numbers into 32 bits: larger ones wrap to another device */
                if (e->major < 0 || e->major >= 1 << 12 || e->minor < 0 || e->minor >= 1 << 20)
                        return "numbers outside the kernel's range";
                if (!given_covers (nodes, e->type, e->major, e->minor))
                        return "neither a runtime default nor allowed";
        }
        return bind ? bind_problem (e) : NULL;
}

/* The devices the cgroup may open: every runtime default and each
 * linux.devices entry that passes devices.host. */
static void
given_cgroup (const struct policy *p, const struct json *doc, struct given_set *g)
{
        const struct json *devs = json_path (doc, "linux", "devices", NULL);
        struct given_set nodes;
        bool bind = binds_host_paths (doc);
        struct entry e;

        given_nodes (p, &nodes);
        g->n = 0;
        for (size_t i = 0; i < HD_ARRAY_SIZE (runtime_defaults); i++)
                given_add (g, runtime_defaults[i].dev.type, runtime_defaults[i].dev.major,
                           runtime_defaults[i].dev.minor);
        for (size_t i = 0; devs && devs->type == JSON_ARRAY && i < devs->n; i++) {
                entry_read (devs->items[i], &e);
                if (e.type != 'p' && !entry_problem (&e, &nodes, bind))
                        given_add (g, e.type, e.major, e.minor);
        }
}

/* "/dev/null (b 8:0: neither a runtime default nor allowed)" */
static void
entry_text (const struct entry *e, const char *why, char *buf, size_t size)
{
        if (e->type && e->type != 'p')
                snprintf (buf, size, "%s (%c %" PRId64 ":%" PRId64 ": %s)", e->path, e->type, e->major, e->minor, why);
        else
                snprintf (buf, size, "%s (%s)", e->path, why);
}

static void
host_check (const struct policy *p, const struct json *doc, struct decision *d, const char *id)
{
        const struct json *devs = json_path (doc, "linux", "devices", NULL);
        struct given_set nodes;
        bool bind = binds_host_paths (doc);
        char found[160] = "", one[160];
        size_t used = 0, count = 0;

        given_nodes (p, &nodes);
        for (size_t i = 0; devs && devs->type == JSON_ARRAY && i < devs->n; i++) {
                struct entry e;
                const char *why;
                entry_read (devs->items[i], &e);
                if (!(why = entry_problem (&e, &nodes, bind)))
                        continue;
                entry_text (&e, why, one, sizeof one);
                if (used < sizeof found)
                        used += (size_t) snprintf (found + used, sizeof found - used, "%s%s", count ? ", " : "", one);
                count++;
        }
        if (count)
                decision_add (d, id, "/linux/devices", found, "runtime defaults or allow-listed, by type and numbers",
                              "%zu host device(s) not allowed: %s", count, found);
}

/* ---- device cgroup ---- */

/* Does this one rule give more than g?  A deny never does; an allow that
 * runc refuses is dropped too (another runtime may read it otherwise).
 * Mknod alone gives nothing: opening a node still needs r or w here,
 * and runc grants "c *:* m" and "b *:* m" to every container itself. */
static bool
rule_gives_more (const struct json *item, const void *ctx)
{
        const struct given_set *g = ctx;
        struct devcg_rule r;
        int rc = devcg_rule_read (item, &r);

        if (!r.allow)
                return false;
        if (rc < 0 || r.type == 'a')
                return true;
        return (r.access & DEVCG_OPEN) && !given_covers (g, r.type, r.major, r.minor);
}

static bool
refused_rule (const struct json *rules)
{
        struct devcg_rule r;

        for (size_t i = 0; rules && rules->type == JSON_ARRAY && i < rules->n; i++)
                if (devcg_rule_read (rules->items[i], &r) < 0 && r.allow)
                        return true;
        return false;
}

/* The effective cgroup, as runc's emulator leaves it, opens more than g. */
static bool
state_gives_more (const struct devcg_state *s, const struct given_set *g)
{
        if (s->default_allow || s->overflow)
                return true;
        for (size_t i = 0; i < s->n; i++)
                if ((s->ex[i].access & DEVCG_OPEN) && !given_covers (g, s->ex[i].type, s->ex[i].major, s->ex[i].minor))
                        return true;
        return false;
}

/* "a *:* rwm (every device)", "b 8:0 rwm", "a rule runc refuses" */
static void
rule_text (const struct json *item, char *buf, size_t size)
{
        struct devcg_rule r;
        char text[64];

        if (devcg_rule_read (item, &r) < 0)
                snprintf (buf, size, "a rule runc refuses");
        else
                snprintf (buf, size, "%s%s", devcg_rule_text (&r, text, sizeof text),
                          r.type == 'a' ? " (every device)" : "");
}

static void
cgroup_check (const struct policy *p, const struct json *doc, struct decision *d, const char *id)
{
        const struct json *rules = json_path (doc, "linux", "resources", "devices", NULL);
        struct given_set g;
        struct devcg_state s;
        char found[160] = "", one[96];
        size_t used = 0, count = 0;

        given_cgroup (p, doc, &g);
        devcg_simulate (rules, &s);
        for (size_t i = 0; rules && rules->type == JSON_ARRAY && i < rules->n; i++) {
                if (!rule_gives_more (rules->items[i], &g))
                        continue;
                rule_text (rules->items[i], one, sizeof one);
                if (used < sizeof found)
                        used += (size_t) snprintf (found + used, sizeof found - used, "%s%s", count ? ", " : "", one);
                count++;
        }
        /* The effective cgroup decides; a rule runc refuses is reported too:
         * a runtime other than runc may read it. */
        if (state_gives_more (&s, &g) || refused_rule (rules))
                decision_add (d, id, "/linux/resources/devices", found,
                              "only the runtime defaults and the container's allowed devices",
                              "%zu device cgroup rule(s) give access to devices the container is not given: %s", count,
                              found);
}

/* Drop every rule that gives more, and keep the list starting with a
 * deny-everything (runc starts from one, other runtimes may not). */
static int
cgroup_fix (const struct policy *p, struct json *doc, const struct decision *ctx, struct hd_err *err)
{
        struct json *rules = json_path (doc, "linux", "resources", "devices", NULL);
        struct given_set g;
        struct devcg_rule first;
        struct json *deny;

        given_cgroup (p, doc, &g);
        json_array_filter (rules, rule_gives_more, &g);
        if (!rules || rules->type != JSON_ARRAY
            || (rules->n && devcg_rule_read (rules->items[0], &first) == 0 && first.type == 'a' && !first.allow))
                return 0;
        deny = json_new (JSON_OBJECT);
        if (!deny || json_set (deny, "allow", json_new_bool (false), err) < 0
            || json_set (deny, "access", json_new_string ("rwm"), err) < 0) {
                json_free (deny);
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        }
        if (json_append (rules, deny, err) < 0)
                return -1;
        memmove (&rules->items[1], &rules->items[0], (rules->n - 1) * sizeof rules->items[0]);
        rules->items[0] = deny;
        return 0;
}

const struct rule rule_device_cgroup = {
        "devices.cgroup", "devices", RULE_CREATE, offsetof (struct policy, surface.devices), cgroup_check, cgroup_fix,
};
const struct rule rule_device_host = {
        "devices.host", "devices", RULE_CREATE, offsetof (struct policy, surface.devices), host_check, NULL,
};
