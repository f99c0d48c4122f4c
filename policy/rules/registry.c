#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "hardened/rules.h"
#include "hardened/util.h"

/* Every rule, in the order the engine runs them (and the log lists their
 * findings).  Checks see the document as earlier rules' fixes left it:
 * privileged.container comes first so it reads the engine's config, and
 * seccomp.loadable follows seccomp.profile so it proves the profile that
 * will be written.  The order refusals are *named* in is rules_rank's. */
const struct rule *const rules_registry[] = {
        &rule_privileged, /* first: the signature is read before any fix changes it */
        &rule_user_non_root,
        &rule_user_id_mappings,
        &rule_rootfs_read_only,
        &rule_capabilities,
        &rule_no_new_privileges,
        &rule_seccomp_profile,
        &rule_seccomp_loadable,
        &rule_resources_memory,
        &rule_resources_cpu,
        &rule_resources_pids,
        &rule_resources_unified, /* after memory/cpu/pids: judged against what they left */
        &rule_realtime_cpu,
        &rule_scheduler,
        &rule_io_priority,
        &rule_namespaces,
        &rule_mount_sources,
        &rule_mount_propagation,
        &rule_mount_read_only,
        &rule_mount_types,
        &rule_mount_options,
        &rule_mount_destination,
        &rule_mount_rootfs_path,
        &rule_mount_rootfs_bind,
        &rule_device_cgroup,
        &rule_device_host,
        &rule_masked_paths,
        &rule_sysctls,
        &rule_apparmor,
        &rule_selinux,
        &rule_hooks,
        &rule_annotations,
        &rule_oom_score_adj,
        &rule_rlimits,
        &rule_cgroups_path,
        &rule_secrets,
        &rule_update_memory,
        &rule_update_cpu,
        &rule_update_pids,
        &rule_update_unified,
        &rule_update_realtime_cpu,
        &rule_runtime_flags,
        &rule_runtime_restore_lsm,
};
const size_t rules_registry_len = HD_ARRAY_SIZE (rules_registry);

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
 *      on, runtime flags);
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
