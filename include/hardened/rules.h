/* The rule registry and what rules share.
 *
 * A rule is a table entry: an id, the verbs it applies to, the action the
 * policy gives it, a check that records findings without touching the
 * document, and a fix that edits the document until the check finds
 * nothing.  The engine (engine.h) runs them and owns the actions. */
#ifndef HARDENED_RULES_H
#define HARDENED_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hardened/decision.h"
#include "hardened/engine.h"
#include "hardened/json.h"
#include "hardened/policy.h"

struct rule {
        const char *id;
        const char *family; /* the policy's key under "rules" (exemptions name it) */
        unsigned verbs;
        size_t action; /* offsetof (struct policy, <family>.action) */
        void (*check) (const struct policy *p, const struct json *doc, struct decision *d, const char *id);
        /* NULL: no safe fix.  ctx carries the subject (container id, bundle). */
        int (*fix) (const struct policy *p, struct json *doc, const struct decision *ctx, struct hd_err *err);
};

extern const struct rule *const rules_registry[];
extern const size_t rules_registry_len;

/* A rule id's place in the order of importance (policy/rules/rank.c
 * says how it is decided): 0 is the most important.  The one-line refusal
 * summary names rules in this order.  An id not ranked gets a rank after
 * every ranked one, and rules_ranked() is false for it. */
size_t rules_rank (const char *id);
bool rules_ranked (const char *id);

/* One object per rule, defined in policy/rules/<family>.c. */
extern const struct rule rule_user_non_root, rule_user_id_mappings, rule_rootfs_read_only, rule_capabilities,
        rule_no_new_privileges, rule_seccomp_profile, rule_seccomp_loadable, rule_resources_memory, rule_resources_cpu,
        rule_resources_pids, rule_update_memory, rule_update_cpu, rule_update_pids, rule_namespaces, rule_mount_sources,
        rule_mount_propagation, rule_mount_read_only, rule_privileged, rule_device_cgroup, rule_device_host,
        rule_masked_paths, rule_sysctls, rule_apparmor, rule_selinux, rule_hooks, rule_annotations, rule_oom_score_adj,
        rule_rlimits, rule_cgroups_path, rule_secrets;
extern const struct rule rule_mount_types, rule_mount_options, rule_mount_destination, rule_mount_rootfs_path,
        rule_mount_rootfs_bind;
extern const struct rule rule_resources_unified, rule_update_unified, rule_realtime_cpu, rule_update_realtime_cpu,
        rule_scheduler, rule_io_priority;
extern const struct rule rule_runtime_flags, rule_runtime_restore_lsm, rule_restore_image;
extern const struct rule rule_images, rule_images_unknown, rule_images_scan, rule_images_unscanned;

/* Free the mount view a decision holds (policy/rules/mounts.c), if any. */
void rules_mount_view_release (struct decision *d);

/* Is the canonical `src` one of container `id`'s own engine files, by the
 * engines' layouts below their data roots (policy/rules/mounts.c: Docker's
 * <root>/containers/<id>/{hosts,hostname,resolv.conf,mounts/...},
 * containers/storage's <root>/<driver>-containers/<id>/userdata/...)?
 * The data root is copied to `root` (unless NULL). */
bool engine_file_root (const char *src, const char *id, char *root, size_t size);

/* A namespace path as runc's init will open it (policy/rules/host_namespaces.c
 * says how): one of the host's namespaces (of any type; the shim's own and,
 * when readable, pid 1's), private, or not judged (relative, through a
 * /proc link that runc's init would see differently, unreadable).  `why`
 * says which reference matched or why it was not judged. */
enum rules_ns_verdict {
        RULES_NS_PRIVATE,
        RULES_NS_HOST,
        RULES_NS_UNCHECKED,
};
enum rules_ns_verdict rules_ns_judge (const char *path, char *why, size_t size);

/* rules_ns_judge() is not RULES_NS_PRIVATE: the host's, or not judged.
 * `type` is informational (may be NULL): every host namespace counts. */
bool rules_ns_is_host (const char *type, const char *path);

/* Real-time CPU time asked for (realtimeRuntime, realtimePeriod; 0: absent,
 * which in an update means unchanged), judged by the realtime family
 * (policy/rules/realtime.c): 0 when allowed, else 1 with `t` holding what
 * the policy allows instead (0: drop the value) and why.  For documents
 * and for update's --cpu-rt-runtime/--cpu-rt-period alike. */
struct rules_rt_target {
        int64_t runtime;
        uint64_t period;
        char why[160];
};
int rules_realtime_cpu (const struct policy *p, int64_t runtime, uint64_t period, bool update,
                        struct rules_rt_target *t);

#endif
