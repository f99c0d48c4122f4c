#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "hardened/caps.h"
#include "hardened/devcgroup.h"
#include "hardened/rules.h"

/* privileged.container (CIS 5.5, PSS privileged): the --privileged
 * signature, reported as one clear finding besides the individual ones
 * (capabilities, devices, masked paths judge the parts). */

/* Every capability up to CAP_AUDIT_READ (37): what --privileged grants
 * whatever the engine's own list of newer capabilities. */
static bool
all_capabilities (const struct json *doc)
{
        const struct json *b = json_path (doc, "process", "capabilities", "bounding", NULL);
        const uint64_t classic = (1ULL << 38) - 1;
        uint64_t have = 0;
        int cap;

        for (size_t i = 0; b && i < b->n; i++)
                if (caps_from_name (b->items[i]->text, &cap) == 0)
                        have |= 1ULL << cap;
        return (have & classic) == classic;
}

/* Every device allowed, in any spelling: judged on the emulated cgroup. */
static void
privileged_check (const struct policy *p, const struct json *doc, struct decision *d, const char *id)
{
        const struct json *masked = json_path (doc, "linux", "maskedPaths", NULL);
        const struct json *ro = json_path (doc, "linux", "readonlyPaths", NULL);
        struct devcg_state s;

        devcg_simulate (json_path (doc, "linux", "resources", "devices", NULL), &s);
        if (all_capabilities (doc) && (!masked || masked->n == 0) && (!ro || ro->n == 0)
            && devcg_allows_everything (&s))
                decision_add (d, id, "/", "all capabilities, no masked paths, all devices", "not privileged",
                              "privileged container (--privileged): all capabilities, masked and "
                              "read-only paths dropped, every device allowed");
}

const struct rule rule_privileged = {
        "privileged.container", "privileged", RULE_CREATE, offsetof (struct policy, surface.privileged),
        privileged_check,       NULL,
};
