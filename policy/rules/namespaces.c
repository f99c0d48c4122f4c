#include "config.h"

#include <stddef.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "hardened/rules.h"
#include "hardened/util.h"

/* namespaces.private (CIS 5.10, 5.16, 5.17, 5.21; PSS host namespaces):
 * every required namespace type is the container's own.  A missing entry
 * means the host's namespace is shared; an entry with a path joins that
 * namespace, which is refused when it is the host's, compared by device and
 * inode with /proc/1/ns/<type>, never by string.  Joining another
 * container's namespace (--network container:X) is allowed. */

static const struct {
        const char *type, *proc;
} ns_names[] = {
        { "pid", "pid" }, { "ipc", "ipc" }, { "uts", "uts" }, { "network", "net" },
        { "mount", "mnt" }, { "cgroup", "cgroup" }, { "user", "user" }, { "time", "time" },
};

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

/* True when `path` is the host's namespace of `type`, or cannot be checked. */
bool
rules_ns_is_host (const char *type, const char *path)
{
        char host[64];
        struct stat a, b;

        for (size_t i = 0; i < HD_ARRAY_SIZE (ns_names); i++) {
                if (strcmp (ns_names[i].type, type) != 0)
                        continue;
                snprintf (host, sizeof host, "/proc/1/ns/%s", ns_names[i].proc);
                if (stat (path, &a) < 0 || stat (host, &b) < 0)
                        return true;
                return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
        }
        return true;
}

static void
ns_check (const struct policy *p, const struct json *doc, struct decision *d, const char *id)
{
        const struct policy_list *req = &p->surface.ns_require;

        for (size_t i = 0; i < policy_list_len (req); i++) {
                const char *type = policy_list_at (req, i);
                const struct json *e = ns_entry (doc, type), *path = json_get (e, "path");
                if (!e)
                        decision_add (d, id, "/linux/namespaces", "(absent)", type,
                                      "the container would share the host's %s namespace", type);
                else if (path && rules_ns_is_host (type, path->text))
                        decision_add (d, id, "/linux/namespaces", path->text, "a private namespace",
                                      "the container would join the host's %s namespace (%s)", type, path->text);
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
        for (size_t i = 0; i < policy_list_len (req); i++) {
                const char *type = policy_list_at (req, i);
                struct json *e = ns_entry (doc, type), *n;
                const struct json *path = json_get (e, "path");
                if (e && path && rules_ns_is_host (type, path->text))
                        json_del (e, "path");
                if (e)
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
        "namespaces.private", "hostNamespaces", RULE_CREATE, offsetof (struct policy, surface.host_namespaces), ns_check, ns_fix,
};
