#include "config.h"

#include "hardened/rules.h"
#include "hardened/util.h"

/* Every rule, in the order the engine runs them (and the log lists their
 * findings).  Checks see the document as earlier rules' fixes left it:
 * privileged.container comes first so it reads the engine's config, and
 * seccomp.loadable follows seccomp.profile so it proves the profile that
 * will be written.  The order refusals are *named* in is rules_rank's
 * (policy/rules/rank.c). */
const struct rule *const rules_registry[] = {
        &rule_privileged, /* first: the signature is read before any fix changes it */
        &rule_images_unknown,
        &rule_images,
        &rule_images_scan,
        &rule_images_unscanned,
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
        &rule_restore_image,
};
const size_t rules_registry_len = HD_ARRAY_SIZE (rules_registry);
