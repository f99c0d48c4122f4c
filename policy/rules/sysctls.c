#include "config.h"

#include <stddef.h>

#include <stdio.h>
#include <string.h>

#include "hardened/rules.h"
#include "hardened/util.h"

/* sysctls.safe (PSS baseline "sysctls"): only namespaced, safe sysctls:
 * the Kubernetes safe set plus the policy's allow-list; net.* only with a
 * private network namespace (with the host's, it would change the host).
 * Fixed by removing the others. */

static const char *const safe[] = {
        "kernel.shm_rmid_forced",        "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
        "net.ipv4.tcp_syncookies",       "net.ipv4.ping_group_range",    "net.ipv4.ip_local_reserved_ports",
        "net.ipv4.tcp_keepalive_time",   "net.ipv4.tcp_fin_timeout",     "net.ipv4.tcp_keepalive_intvl",
        "net.ipv4.tcp_keepalive_probes",
};

static bool
private_network (const struct json *doc)
{
        const struct json *list = json_path (doc, "linux", "namespaces", NULL);

        for (size_t i = 0; list && i < list->n; i++) {
                const struct json *t = json_get (list->items[i], "type");
                const struct json *path = json_get (list->items[i], "path");
                /* own, or joined from another container: private to containers */
                if (t && strcmp (t->text, "network") == 0)
                        return !path || !rules_ns_is_host ("network", path->text);
        }
        return false;
}

/* `private_net`: private_network (doc), asked once per call, not per entry. */
static bool
sysctl_ok (const struct policy *p, bool private_net, const char *name)
{
        bool listed = policy_list_has (&p->surface.sysctl_allow, name);

        for (size_t i = 0; i < HD_ARRAY_SIZE (safe) && !listed; i++)
                listed = strcmp (safe[i], name) == 0;
        return listed && (strncmp (name, "net.", 4) != 0 || private_net);
}

static void
sysctl_check (const struct policy *p, const struct json *doc, struct decision *d, const char *id)
{
        const struct json *map = json_path (doc, "linux", "sysctl", NULL);
        bool private_net = private_network (doc);

        for (size_t i = 0; map && i < map->n; i++) {
                const char *name = map->members[i].key;
                char ptr[300];
                if (sysctl_ok (p, private_net, name) || !decision_room (d))
                        continue;
                snprintf (ptr, sizeof ptr, "/linux/sysctl/%s", name);
                decision_add (d, id, ptr, name, "a safe, namespaced sysctl",
                              strncmp (name, "net.", 4) == 0 && !private_net
                                      ? "sysctl %s with the host's network namespace"
                                      : "sysctl %s is not in the safe set",
                              name);
        }
}

struct sysctl_ctx {
        const struct policy *p;
        bool private_net;
};

static bool
sysctl_drop (const struct json_member *m, const void *ctx)
{
        const struct sysctl_ctx *c = ctx;

        return !sysctl_ok (c->p, c->private_net, m->key);
}

static int
sysctl_fix (const struct policy *p, struct json *doc, const struct decision *ctx, struct hd_err *err)
{
        struct sysctl_ctx c = { p, private_network (doc) };

        (void) err;
        (void) ctx;
        json_object_filter (json_path (doc, "linux", "sysctl", NULL), sysctl_drop, &c);
        return 0;
}

const struct rule rule_sysctls = {
        "sysctls.safe", "sysctls", RULE_CREATE, offsetof (struct policy, surface.sysctls), sysctl_check, sysctl_fix,
};
