#include "config.h"

#include <stddef.h>

#include <stdio.h>
#include <string.h>

#include "hardened/rules.h"
#include "hardened/util.h"

/* annotations.runtime: some annotations change what the runtime does
 * (crun's run.oci.* — e.g. a raw seccomp program that replaces the
 * profile —, runc's org.systemd.property.* unit properties,
 * org.criu.config), and any Docker user can set annotations.  Keys with a
 * runtime-interpreted prefix are refused unless allow-listed exactly.
 * Fixed by removing them. */

static bool
runtime_key (const struct policy *p, const char *key)
{
        const struct policy_list *pre = &p->surface.annotation_prefixes;

        if (policy_list_has (&p->surface.annotation_allow, key))
                return false;
        for (size_t i = 0; i < policy_list_len (pre); i++)
                if (strncmp (key, policy_list_at (pre, i), strlen (policy_list_at (pre, i))) == 0)
                        return true;
        return false;
}

static void
annotations_check (const struct policy *p, const struct json *doc, struct decision *d, const char *id)
{
        const struct json *map = json_get (doc, "annotations");

        for (size_t i = 0; map && i < map->n; i++) {
                char ptr[300];
                if (!runtime_key (p, map->members[i].key))
                        continue;
                snprintf (ptr, sizeof ptr, "/annotations/%s", map->members[i].key);
                decision_add (d, id, ptr, map->members[i].key, "not runtime-interpreted, or allow-listed",
                              "annotation %s changes what the runtime does", map->members[i].key);
        }
}

static int
annotations_fix (const struct policy *p, struct json *doc, const struct decision *ctx, struct hd_err *err)
{
        struct json *map = json_get (doc, "annotations");

        (void) err;
        for (size_t i = 0; map && i < map->n;) {
                if (runtime_key (p, map->members[i].key))
                        json_del (map, map->members[i].key);
                else
                        i++;
        }
        return 0;
}

const struct rule rule_annotations = {
        "annotations.runtime", "annotations", RULE_CREATE, offsetof (struct policy, surface.annotations), annotations_check,
        annotations_fix,
};
