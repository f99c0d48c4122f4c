#include "config.h"

#include <stddef.h>

#include <stdio.h>
#include <string.h>

#include "hardened/rules.h"
#include "hardened/util.h"

/* cgroups.path (CIS 5.25): with prefixes, linux.cgroupsPath must start with
 * one; no safe fix. */

static void
cgroups_check (const struct policy *p, const struct json *doc, struct decision *d, const char *id)
{
        const struct policy_list *pre = &p->surface.cgroup_prefixes;
        const struct json *path = json_path (doc, "linux", "cgroupsPath", NULL);

        if (policy_list_len (pre) == 0)
                return;
        for (size_t i = 0; path && i < policy_list_len (pre); i++)
                if (strncmp (path->text, policy_list_at (pre, i), strlen (policy_list_at (pre, i))) == 0)
                        return;
        decision_add (d, id, "/linux/cgroupsPath", path ? path->text : "(absent)", "under an allowed prefix",
                      "cgroupsPath %s is outside the allowed parents", path ? path->text : "(absent)");
}

const struct rule rule_cgroups_path = {
        "cgroups.path", "cgroupsPath", RULE_CREATE, offsetof (struct policy, surface.cgroups_path), cgroups_check, NULL,
};
