#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "hardened/rules.h"
#include "hardened/util.h"

/* The order of importance: the one-line refusal summary (decision_summary)
 * names refusing rules in this order, and what the kubelet or docker shows
 * is cut at a bound, so what can give the container the host comes first.
 * Tiers, then within each the more direct escape first:
 *   1. the document itself is read differently by runc than it is spelt
 *      (what the rules judged is not what was sent);
 *   2. escapes to the host: what the Pod Security Standards' "baseline"
 *      level forbids (privileged, host namespaces, added capabilities,
 *      seccomp, host paths, devices, sysctls, LSM), and what runc or the
 *      host runs on the container's behalf (hooks, annotations runc acts
 *      on, runtime flags), then the image the container runs (images);
 *   3. privilege inside the container: what "restricted" adds (non-root,
 *      no privilege escalation);
 *   4. the container's own filesystem (read-only rootfs, read-only binds);
 *   5. resources and scheduling (denial of service within the node);
 *   6. hygiene (secrets in the environment).
 * Every rule id of the registry and of the document pass is listed
 * (tests/unit/test-decision checks it); an id missing here ranks last. */
static const char *const rules_rank_order[] = {
        /* 1. the document */
        "document.duplicateKey",
        "document.foldedKey",
        "document.null",
        "document.unknownField",
        "cli.strictValues",
        /* 2. escapes to the host */
        "privileged.container",
        "namespaces.private",
        "capabilities.allowList",
        "seccomp.profile",
        "seccomp.loadable",
        "mounts.bindSource",
        "mounts.rootfsPath",
        "mounts.propagation",
        "devices.host",
        "devices.cgroup",
        "hooks.allowList",
        "annotations.runtime",
        "runtime.flags",
        "runtime.restoreLsm",
        "restore.checkpointImage",
        /* what software runs: the image, as its engine named it */
        "images.allowList",
        "images.unknown",
        "images.scan",
        "images.unscanned",
        "mounts.type",
        "mounts.safeOptions",
        "mounts.destination",
        "paths.masked",
        "sysctls.safe",
        "lsm.apparmor",
        "lsm.selinux",
        /* 3. privilege inside the container */
        "user.nonRoot",
        "user.idMappings",
        "process.noNewPrivileges",
        /* 4. the container's own filesystem */
        "rootfs.readOnly",
        "mounts.rootfsBind",
        "mounts.readOnly",
        /* 5. resources and scheduling */
        "resources.memory",
        "resources.cpu",
        "resources.pids",
        "resources.unified",
        "realtime.cpu",
        "process.scheduler",
        "process.ioPriority",
        "process.oomScoreAdj",
        "process.rlimits",
        "cgroups.path",
        /* 6. hygiene */
        "env.secrets",
};

size_t
rules_rank (const char *id)
{
        for (size_t i = 0; i < HD_ARRAY_SIZE (rules_rank_order); i++)
                if (strcmp (id, rules_rank_order[i]) == 0)
                        return i;
        return HD_ARRAY_SIZE (rules_rank_order);
}

bool
rules_ranked (const char *id)
{
        return rules_rank (id) < HD_ARRAY_SIZE (rules_rank_order);
}
