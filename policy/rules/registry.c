#include "config.h"

#include "hardened/rules.h"
#include "hardened/util.h"

/* Every rule, in the order findings are reported.  seccomp.loadable runs
 * after seccomp.profile so it proves the profile that will be written. */
const struct rule *const rules_registry[] = {
        &rule_user_non_root,
        &rule_rootfs_read_only,
        &rule_capabilities,
        &rule_no_new_privileges,
        &rule_seccomp_profile,
        &rule_seccomp_loadable,
        &rule_resources_memory,
        &rule_resources_cpu,
        &rule_resources_pids,
        &rule_update_memory,
        &rule_update_cpu,
        &rule_update_pids,
};
const size_t rules_registry_len = HD_ARRAY_SIZE (rules_registry);
