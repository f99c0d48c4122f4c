#include "config.h"

#include <stddef.h>

#include <linux/capability.h>

#include "hardened/caps.h"
#include "hardened/devcgroup.h"
#include "hardened/rules.h"

/* privileged.container (CIS 5.5, PSS privileged): the --privileged
 * signature, reported as one clear finding besides the individual ones
 * (capabilities, devices, masked paths judge the parts). */

/* CAP_SYS_ADMIN in the bounding set.  An engine's privileged mode grants
 * every capability *it* holds, not a fixed list: Docker 20.10 its 38,
 * containerd its own process's bounding set, which lacks what the host
 * withheld from it (CAP_SYS_RESOURCE where root runs without it, as on
 * these test machines).  So the signature cannot ask for every capability;
 * CAP_SYS_ADMIN, with the masks and the device cgroup gone, is what makes
 * the rest of the list moot. */
static bool
sys_admin (const struct json *doc)
{
        return caps_listed (json_path (doc, "process", "capabilities", "bounding", NULL), CAP_SYS_ADMIN);
}

/* Every device allowed, in any spelling: judged on the emulated cgroup. */
static void
privileged_check (const struct policy *p, const struct json *doc, struct decision *d, const char *id)
{
        const struct json *masked = json_path (doc, "linux", "maskedPaths", NULL);
        const struct json *ro = json_path (doc, "linux", "readonlyPaths", NULL);
        struct devcg_state s;

        devcg_simulate (json_path (doc, "linux", "resources", "devices", NULL), &s);
        if (sys_admin (doc) && (!masked || masked->n == 0) && (!ro || ro->n == 0) && devcg_allows_everything (&s))
                decision_add (d, id, "/", "CAP_SYS_ADMIN, no masked paths, all devices", "not privileged",
                              "privileged container (--privileged): CAP_SYS_ADMIN, masked and "
                              "read-only paths dropped, every device allowed");
}

const struct rule rule_privileged = {
        "privileged.container", "privileged", RULE_CREATE, offsetof (struct policy, surface.privileged),
        privileged_check,       NULL,
};
