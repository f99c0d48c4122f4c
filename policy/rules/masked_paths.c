#include "config.h"

#include <stddef.h>
#include <stdio.h>

#include "hardened/paths.h"
#include "hardened/rules.h"
#include "hardened/util.h"

/* paths.masked: the runtime's default masked and read-only paths are
 * present (missing ones are added back). */

static void
masked_check (const struct policy *p, const struct json *doc, struct decision *d, const char *id)
{
        const struct {
                const char *key, *ptr;
                const char *const *want;
                size_t n;
        } lists[] = {
                { "maskedPaths", "/linux/maskedPaths", paths_masked_default, paths_masked_default_len },
                { "readonlyPaths", "/linux/readonlyPaths", paths_readonly_default, paths_readonly_default_len },
        };

        for (size_t l = 0; l < HD_ARRAY_SIZE (lists); l++) {
                const struct json *have = json_path (doc, "linux", lists[l].key, NULL);
                char missing[160] = "";
                size_t used = 0;
                for (size_t i = 0; i < lists[l].n; i++)
                        if (!json_array_has (have, lists[l].want[i]) && used < sizeof missing)
                                used += (size_t) snprintf (missing + used, sizeof missing - used, "%s%s",
                                                           used ? "," : "", lists[l].want[i]);
                if (used)
                        decision_add (d, id, lists[l].ptr, missing, "present", "%s missing: %s", lists[l].key, missing);
        }
}

static int
masked_add (struct json *linux_, const char *key, const char *const *want, size_t n, struct hd_err *err)
{
        struct json *have = json_ensure (linux_, key, JSON_ARRAY, err);

        if (!have)
                return -1;
        for (size_t i = 0; i < n; i++)
                if (!json_array_has (have, want[i]) && json_append (have, json_new_string (want[i]), err) < 0)
                        return -1;
        return 0;
}

static int
masked_fix (const struct policy *p, struct json *doc, const struct decision *ctx, struct hd_err *err)
{
        struct json *linux_ = json_ensure (doc, "linux", JSON_OBJECT, err);

        if (!linux_ || masked_add (linux_, "maskedPaths", paths_masked_default, paths_masked_default_len, err) < 0)
                return -1;
        return masked_add (linux_, "readonlyPaths", paths_readonly_default, paths_readonly_default_len, err);
}

const struct rule rule_masked_paths = {
        "paths.masked", "maskedPaths", RULE_CREATE, offsetof (struct policy, surface.masked_paths),
        masked_check,   masked_fix,
};
