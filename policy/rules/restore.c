#include "config.h"

#include <stddef.h>

#include "hardened/rules.h"

/* restore.checkpointImage: `runc restore` (Podman's `container restore
 * --import`, Docker's `start --checkpoint`, containerd's restore) hands
 * CRIU a checkpoint image, and CRIU brings the container's processes back
 * as the image records them: their credentials and capabilities (root with
 * CAP_SYS_ADMIN under a config that grants neither), their seccomp filters
 * or none, no_new_privs, open files, sockets and connections.  runc 1.1.5
 * applies the checked config.json's namespaces, mounts and cgroups around
 * them, but nothing in config.json or on the command line bounds what the
 * restored tasks hold, and the policy does not read CRIU's images.  So a
 * restore is judged as what it is, state the policy cannot see: refused
 * unless the family is off (or relaxed by an exemption for the workloads
 * whose checkpoints the platform produces itself).  There is no fix.
 *
 * Judged on the runtime flags document (its keys: policy/rules/
 * runtime_flags.c), whose "restore" object only a restore has. */

static void
image_check (const struct policy *p, const struct json *doc, struct decision *d, const char *id)
{
        const struct json *restore = json_get (doc, "restore"), *path = json_get (restore, "imagePath");

        (void) p;
        if (!restore)
                return;
        decision_add (d, id, "/restore/imagePath",
                      path && path->type == JSON_STRING && path->len ? path->text : "./checkpoint (runc's default)",
                      "no restore (the policy cannot judge a checkpoint image)",
                      "restore brings back the checkpoint image's processes as CRIU saved them (credentials, "
                      "capabilities, seccomp filters, open files), which config.json does not bound");
}

const struct rule rule_restore_image = {
        "restore.checkpointImage", "restore", RULE_FLAGS, offsetof (struct policy, restore), image_check, NULL,
};
