#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "hardened/policy.h"
#include "schema.h"

/* The policy file's schema: every key of every object, one row each, with
 * its type, converter (policy/load.c), destination and default
 * (schema.h says how defaults are read and shown).  Rows are in the order
 * the loader checks them and `policy show` prints them; the JSON Schema
 * (profiles/policy.schema.json) is checked against these rows by
 * tests/unit/test-schema.c.  Adding a field is a row here, its converter
 * if no existing one fits, its property in the JSON Schema, and its
 * paragraph in hardened-policy(5). */

/* clang-format 14 takes a macro whose body is an initializer for a function. */
/* clang-format off */
#define KEY(name, type) { name, type, 0 }
#define AT(member) offsetof (struct policy, member)
#define STR(s) { JSON_STRING, s }
#define NUM(s) { JSON_NUMBER, s }
#define BOOL(b) { JSON_BOOL, #b }
#define SHOWN(type, text) { type, text } /* printed only: the converter gets NULL */
#define NONE { JSON_NULL, NULL }
#define END { { NULL, NULL, 0 } }
/* A rule family's action: required in its object; an absent family is off. */
#define ACTION(member) \
        { KEY ("action", &t_string), load_action_field, AT (member), STR ("off"), .flags = SCHEMA_REQUIRED }
/* clang-format on */

static const struct spec_type t_string = { SPEC_STRING, NULL, NULL };
static const struct spec_type t_bool = { SPEC_BOOL, NULL, NULL };
static const struct spec_type t_u32 = { SPEC_U32, NULL, NULL };
static const struct spec_type t_u64 = { SPEC_U64, NULL, NULL };
static const struct spec_type t_i64 = { SPEC_I64, NULL, NULL };
static const struct spec_type t_number = { SPEC_NUMBER, NULL, NULL };
static const struct spec_type t_strings = { SPEC_ARRAY, NULL, &t_string };
static const struct spec_type t_string_map = { SPEC_MAP, NULL, &t_string };
static const struct spec_type t_u64_map = { SPEC_MAP, NULL, &t_u64 };

/* ---- built-in defaults that are lists --------------------------------------- */

static const struct schema_list any_strings = { NULL, NULL, false };
static const struct schema_list abs_paths = { NULL, NULL, true };

/* Host groups below 1000 are the system's own on Debian and most
 * distributions (login.defs SYS_GID_MAX 999): shadow 42, disk 6, adm 4,
 * mail 8, the docker group.  Membership in one reaches host files and
 * sockets through any mount or device, so by default only ordinary groups
 * count as non-root. */
static const struct policy_ids any_uid = { 1, { { 1, UINT32_MAX - 1 } } };
static const struct policy_ids any_gid = { 1, { { 1000, UINT32_MAX - 1 } } };
/* mappedHostUids/Gids, absent or []: the allowed set of the same kind. */
static const size_t same_as_uids = AT (user.uids);
static const size_t same_as_gids = AT (user.gids);

/* The deny-list every seccomp profile must block, whatever the file adds.
 * Judged on the compiled program (seccomp_profile_judge): clone and unshare
 * by their namespace flags, every other name with any arguments.  The new
 * mount API mounts as surely as mount(2) does; clone3 passes its flags in
 * memory a filter cannot see, so it must be blocked outright. */
static const char *const builtin_deny[] = {
        "mount",
        "umount2",
        "pivot_root",
        "fsopen",
        "fsconfig",
        "fsmount",
        "fspick",
        "move_mount",
        "open_tree",
        "mount_setattr",
        "clone",
        "clone3",
        "unshare",
        "setns",
        "ptrace",
        "kexec_load",
        "kexec_file_load",
        "init_module",
        "finit_module",
        "delete_module",
        "bpf",
        "perf_event_open",
        "keyctl",
        "add_key",
        "request_key",
        "userfaultfd",
        "open_by_handle_at",
        "reboot",
        "swapon",
        "swapoff",
        NULL,
};

static const char *const sched_policies[] = { "SCHED_OTHER", "SCHED_FIFO", "SCHED_RR",       "SCHED_BATCH",
                                              "SCHED_ISO",   "SCHED_IDLE", "SCHED_DEADLINE", NULL };
static const char *const sched_default[] = { "SCHED_OTHER", "SCHED_BATCH", "SCHED_IDLE", NULL };
static const char *const ioprio_classes[] = { "IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE", NULL };
static const char *const ioprio_default[] = { "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE", NULL };
static const struct schema_list sched_list = { sched_default, sched_policies, false };
static const struct schema_list ioprio_list = { ioprio_default, ioprio_classes, false };

static const char *const ns_default[] = { "pid", "ipc", "uts", "network", "mount", NULL };
static const char *const ns_types[] = { "pid", "ipc", "uts", "network", "mount", "cgroup", "user", "time", NULL };
static const struct schema_list ns_list = { ns_default, ns_types, false };

/* Bind sources refused by default (CIS 5.6, 5.32; PSS hostPath): the host's
 * root and system trees, and every engine's state and control sockets:
 * Docker, containerd, CRI-O and Podman (containers/storage), the kubelet
 * (pod volumes, service-account tokens), etcd, runc's own state, systemd
 * and D-Bus, the per-user runtime directories (rootless engines' sockets)
 * and the shim's own proof and backend-features caches.
 * A denied path also denies its ancestors (so a socket denies its parent
 * directories) and, except "/", everything below it.  Entries are
 * canonicalised when judged (a symlinked entry denies its target); the
 * /var/run spellings still count where /var/run is a directory of its own. */
static const char *const mount_deny_default[] = {
        "/",
        "/etc",
        "/proc",
        "/sys",
        "/dev",
        "/boot",
        "/root",
        "/var/lib/docker",
        "/var/lib/containerd",
        "/var/lib/containers",
        "/var/lib/kubelet",
        "/var/lib/etcd",
        "/run/docker.sock",
        "/run/docker",
        "/run/containerd",
        "/run/containers",
        "/run/crio",
        "/run/podman",
        "/run/runc",
        "/run/systemd",
        "/run/dbus",
        "/run/user",
        HD_PROOF_CACHE,
        "/var/run/docker.sock",
        "/var/run/docker",
        "/var/run/containerd",
        "/var/run/containers",
        "/var/run/crio",
        "/var/run/podman",
        "/var/run/runc",
        "/var/run/systemd",
        "/var/run/dbus",
        "/var/run/user",
        "/var/run/hardened",
        HD_FEATURES_CACHE_ROOT,
        NULL,
};
static const struct schema_list mount_deny_list = { mount_deny_default, NULL, true };

/* Where the engines keep container root filesystems (Docker's storage
 * drivers under its default data-root, containerd's task bundles, Podman
 * and CRI-O's storage): a rootfs below one is not refused for lying under
 * a denied path such as /var/lib/docker. */
static const char *const rootfs_storage_default[] = {
        "/var/lib/docker/overlay2",
        "/var/lib/docker/fuse-overlayfs",
        "/var/lib/docker/vfs/dir",
        "/var/lib/docker/btrfs/subvolumes",
        "/var/lib/docker/zfs/graph",
        "/var/lib/docker/aufs/mnt",
        "/run/containerd/io.containerd.runtime.v2.task",
        "/var/lib/containers/storage/overlay",
        NULL,
};
static const struct schema_list rootfs_storage_list = { rootfs_storage_default, NULL, true };

/* The built-in hook allow-list: Docker's libnetwork hook.  dockerd sets
 * {"path": "/proc/<its pid>/exe", "args": ["libnetwork-setkey",
 * "-exec-root=<exec root>", <64-hex container id>, <12-hex controller id>]}
 * and no env (moby daemon/oci_linux.go, withLibnetwork); the hooks rule
 * rewrites the path to the binary it names, and dockerd's re-exec keys on
 * argv[0], so the binary's own path runs the same code.  Exactly that shape,
 * any exec root and ids, nothing looser. */
static const char *const hook_default_paths[] = { "/usr/sbin/dockerd", "/usr/bin/dockerd" };
static const char *const hook_default_args[] = {
        "libnetwork-setkey",
        "-exec-root=/*",
        "[0-9a-f]{64}",
        "[0-9a-f]{12}",
};
static const struct schema_hooks hook_defaults = {
        hook_default_paths,
        sizeof hook_default_paths / sizeof *hook_default_paths,
        hook_default_args,
        sizeof hook_default_args / sizeof *hook_default_args,
};

/* Where exemptions may match by annotation.  An engine that takes
 * annotations from its users (docker run --annotation, podman
 * --annotation) lets anyone claim any exemption, so an annotation counts
 * only under a runc state root named here, and only for keys the engine
 * there sets itself, after its users' own: containerd's CRI keeps k8s.io
 * containers under <state>/runc/k8s.io and writes io.kubernetes.cri.* last
 * (pass-through pod annotations come first). */
static const char trusted_default[] =
        "[{\"root\": \"/run/containerd/runc/k8s.io\", \"prefixes\": [\"io.kubernetes.cri.\"]},"
        " {\"root\": \"/var/run/containerd/runc/k8s.io\", \"prefixes\": [\"io.kubernetes.cri.\"]}]";

/* ---- rules.user ------------------------------------------------------------ */

static const struct schema_row range_rows[] = {
        /* base: struct policy_range */
        { KEY ("min", &t_u32), load_u32, offsetof (struct policy_range, min), NUM ("1") },
        { KEY ("max", &t_u32), load_u32, offsetof (struct policy_range, max), NUM ("4294967294") },
        END,
};
static const struct spec_type t_range = SCHEMA_OBJECT (range_rows);
static const struct spec_type t_ranges = { SPEC_ARRAY, NULL, &t_range };

static const struct schema_row user_rows[] = {
        ACTION (user.action),
        { KEY ("uid", &t_u32), load_user_id, AT (user.uid), NUM ("65534") },
        { KEY ("gid", &t_u32), load_user_id, AT (user.gid), NUM ("65534") },
        { KEY ("allowedUids", &t_ranges), load_ranges, AT (user.uids), NONE, show_ranges, &any_uid },
        { KEY ("allowedGids", &t_ranges), load_ranges, AT (user.gids), NONE, show_ranges, &any_gid },
        { KEY ("mappedHostUids", &t_ranges), load_mapped_ranges, AT (user.mapped_uids), NONE, show_ranges,
          &same_as_uids },
        { KEY ("mappedHostGids", &t_ranges), load_mapped_ranges, AT (user.mapped_gids), NONE, show_ranges,
          &same_as_gids },
        { KEY ("requireUserNamespace", &t_bool), load_bool, AT (user.require_userns), BOOL (false) },
        { KEY ("allowRootInUserNamespace", &t_bool), load_bool, AT (user.allow_root_in_userns), BOOL (false) },
        END,
};

/* ---- rules.readOnlyRootfs, capabilities, noNewPrivileges, runtimeFlags, restore, seccomp */

static const struct schema_row rootfs_rows[] = {
        ACTION (rootfs.action),
        { KEY ("tmpfs", &t_strings), load_tmpfs, AT (rootfs), SHOWN (JSON_ARRAY, "[]") },
        { KEY ("tmpfsSize", &t_string), load_tmpfs_size, AT (rootfs.tmpfs_size), STR ("64Mi") },
        END,
};
static const struct schema_row caps_rows[] = {
        ACTION (caps.action),
        { KEY ("allow", &t_strings), load_caps, AT (caps.allow), SHOWN (JSON_ARRAY, "[]") },
        /* after allow: each one must be allowed */
        { KEY ("ambient", &t_strings), load_caps_ambient, AT (caps.ambient), SHOWN (JSON_ARRAY, "[]") },
        END,
};
static const struct schema_row nnp_rows[] = { ACTION (no_new_privileges), END };
static const struct schema_row runtime_flags_rows[] = { ACTION (runtime_flags), END };
static const struct schema_row restore_rows[] = { ACTION (restore), END };
static const struct schema_row seccomp_rows[] = {
        ACTION (seccomp.action),
        { KEY ("profile", &t_string), load_seccomp_profile, AT (seccomp), STR ("default") },
        /* before deny: load_deny leaves ptrace out of the minimum when false */
        { KEY ("denyPtrace", &t_bool), load_bool, AT (seccomp.deny_ptrace), BOOL (true) },
        { KEY ("deny", &t_strings), load_deny, AT (seccomp), NONE, show_deny, builtin_deny },
        END,
};

/* ---- rules.resources, realtime --------------------------------------------- */

static const struct schema_row memory_rows[] = {
        { KEY ("default", &t_string), load_size_field, AT (resources.memory_default), SHOWN (JSON_NULL, "null") },
        { KEY ("max", &t_string), load_size_field, AT (resources.memory_max), SHOWN (JSON_NULL, "null") },
        { KEY ("allowSwap", &t_bool), load_bool, AT (resources.allow_swap), BOOL (false) },
        END,
};
static const struct schema_row cpu_rows[] = {
        { KEY ("default", &t_number), load_millis_field, AT (resources.cpu_default_milli), SHOWN (JSON_NULL, "null") },
        { KEY ("max", &t_number), load_millis_field, AT (resources.cpu_max_milli), SHOWN (JSON_NULL, "null") },
        { KEY ("period", &t_u64), load_period, AT (resources.cpu_period), NUM ("100000") },
        { KEY ("maxShares", &t_u64), load_shares, AT (resources.cpu_max_shares), SHOWN (JSON_NULL, "null") },
        END,
};
static const struct schema_row pids_rows[] = {
        { KEY ("default", &t_i64), load_positive, AT (resources.pids_default), SHOWN (JSON_NULL, "null") },
        { KEY ("max", &t_i64), load_positive, AT (resources.pids_max), SHOWN (JSON_NULL, "null") },
        END,
};
static const struct schema_row unified_rows[] = {
        { KEY ("allow", &t_strings), load_unified, AT (resources.unified_allow), SHOWN (JSON_ARRAY, "[]") },
        END,
};
static const struct spec_type t_memory = SCHEMA_OBJECT (memory_rows);
static const struct spec_type t_cpu = SCHEMA_OBJECT (cpu_rows);
static const struct spec_type t_pids = SCHEMA_OBJECT (pids_rows);
static const struct spec_type t_unified = SCHEMA_OBJECT (unified_rows);
static const struct schema_row resources_rows[] = {
        ACTION (resources.action), { KEY ("memory", &t_memory) },   { KEY ("cpu", &t_cpu) },
        { KEY ("pids", &t_pids) }, { KEY ("unified", &t_unified) }, END,
};

static const struct schema_row realtime_rows[] = {
        ACTION (realtime.action),
        { KEY ("schedulerPolicies", &t_strings), load_list_field, AT (realtime.scheduler_allow), NONE, show_list,
          &sched_list },
        { KEY ("ioPriorityClasses", &t_strings), load_list_field, AT (realtime.ioprio_allow), NONE, show_list,
          &ioprio_list },
        { KEY ("cpu", &t_number), load_realtime_cpu, AT (realtime.cpu_milli), NUM ("0") },
        END,
};

/* ---- rules.hostNamespaces, mounts, privileged, devices, maskedPaths, sysctls, lsm */

static const struct schema_row ns_rows[] = {
        ACTION (surface.host_namespaces),
        { KEY ("require", &t_strings), load_list_field, AT (surface.ns_require), NONE, show_list, &ns_list },
        END,
};

static const struct schema_row mount_pair_rows[] = {
        /* read by load_mount_pairs */
        { KEY ("type", &t_string) },
        { KEY ("destination", &t_string) },
        END,
};
static const struct spec_type t_mount_pair = SCHEMA_OBJECT (mount_pair_rows);
static const struct spec_type t_mount_pairs = { SPEC_ARRAY, NULL, &t_mount_pair };
static const struct schema_row mounts_rows[] = {
        ACTION (surface.mounts),
        { KEY ("deny", &t_strings), load_list_field, AT (surface.mount_deny), NONE, show_list, &mount_deny_list },
        { KEY ("allow", &t_strings), load_list_field, AT (surface.mount_allow), SHOWN (JSON_NULL, "null"), NULL,
          &abs_paths },
        { KEY ("readOnly", &t_bool), load_bool, AT (surface.mount_read_only), BOOL (false) },
        { KEY ("allowTypes", &t_strings), load_fs_types, AT (surface.mount_types), SHOWN (JSON_ARRAY, "[]") },
        { KEY ("allowMounts", &t_mount_pairs), load_mount_pairs, AT (surface.mount_pairs), SHOWN (JSON_ARRAY, "[]") },
        { KEY ("rootfsUnder", &t_strings), load_list_field, AT (surface.rootfs_under), SHOWN (JSON_NULL, "null"), NULL,
          &abs_paths },
        { KEY ("rootfsStorage", &t_strings), load_list_field, AT (surface.rootfs_storage), NONE, show_list,
          &rootfs_storage_list },
        END,
};

static const struct schema_row privileged_rows[] = { ACTION (surface.privileged), END };
static const struct schema_row devices_rows[] = {
        ACTION (surface.devices),
        { KEY ("allow", &t_strings), load_devices, AT (surface), SHOWN (JSON_ARRAY, "[]") },
        END,
};
static const struct schema_row masked_rows[] = { ACTION (surface.masked_paths), END };
static const struct schema_row sysctls_rows[] = {
        ACTION (surface.sysctls),
        { KEY ("allow", &t_strings), load_list_field, AT (surface.sysctl_allow), SHOWN (JSON_ARRAY, "[]"), NULL,
          &any_strings },
        END,
};
static const struct schema_row lsm_rows[] = {
        ACTION (surface.lsm),
        { KEY ("apparmorProfile", &t_string), load_string, AT (surface.apparmor_profile), SHOWN (JSON_NULL, "null") },
        { KEY ("selinuxLabel", &t_string), load_string, AT (surface.selinux_label), SHOWN (JSON_NULL, "null") },
        END,
};

/* ---- rules.hooks, annotations, oomScoreAdj, rlimits, cgroupsPath, secrets -- */

static const struct schema_row hook_rows[] = {
        /* base: struct policy_hook */
        { KEY ("args0", &t_string), load_gone, .flags = SCHEMA_REFUSED },
        { KEY ("path", &t_string), load_hook_path, offsetof (struct policy_hook, path), .flags = SCHEMA_REQUIRED },
        { KEY ("args", &t_strings), load_hook_args },
        { KEY ("env", &t_strings), load_hook_env },
        { KEY ("maxTimeout", &t_u32), load_hook_timeout, offsetof (struct policy_hook, max_timeout) },
        END,
};
static const struct spec_type t_hook = SCHEMA_OBJECT (hook_rows);
static const struct spec_type t_hooks_list = { SPEC_ARRAY, NULL, &t_hook };
static const struct schema_row hooks_rows[] = {
        ACTION (surface.hooks),
        { KEY ("allow", &t_hooks_list), load_hooks, AT (surface), NONE, show_hooks, &hook_defaults },
        END,
};
static const struct schema_row annotations_rows[] = {
        ACTION (surface.annotations),
        { KEY ("prefixes", &t_strings), load_list_field, AT (surface.annotation_prefixes), NONE, show_list,
          &any_strings },
        { KEY ("allow", &t_strings), load_list_field, AT (surface.annotation_allow), SHOWN (JSON_ARRAY, "[]"), NULL,
          &any_strings },
        END,
};
static const struct schema_row oom_rows[] = { ACTION (surface.oom_score_adj), END };
/* RLIMIT_RTPRIO is capped at 0 unless named (policy/rules/rlimits.c). */
static const struct schema_row rlimits_rows[] = {
        ACTION (surface.rlimits),
        { KEY ("max", &t_u64_map), load_json, AT (surface.rlimit_max), SHOWN (JSON_OBJECT, "{\"RLIMIT_RTPRIO\":0}") },
        END,
};
static const struct schema_row cgroups_rows[] = {
        ACTION (surface.cgroups_path),
        { KEY ("prefixes", &t_strings), load_list_field, AT (surface.cgroup_prefixes), SHOWN (JSON_ARRAY, "[]"), NULL,
          &any_strings },
        END,
};
static const struct schema_row secrets_rows[] = { ACTION (surface.secrets), END };

/* ---- rules.images ----------------------------------------------------------- */

static const struct schema_row images_rows[] = {
        ACTION (images.action),
        /* absent: the family's action (load_images_check) */
        { KEY ("unknown", &t_string), load_images_unknown, AT (images.unknown), NONE, show_action },
        { KEY ("allow", &t_strings), load_image_list, AT (images.allow), SHOWN (JSON_ARRAY, "[]") },
        { KEY ("deny", &t_strings), load_image_list, AT (images.deny), SHOWN (JSON_ARRAY, "[]") },
        { KEY ("requireDigest", &t_bool), load_bool, AT (images.require_digest), BOOL (false) },
        { KEY ("verdicts", &t_string), load_verdicts, AT (images.verdicts_path), NONE },
        { KEY ("maxSeverity", &t_string), load_severity, AT (images.max_severity), STR ("CRITICAL") },
        { KEY ("fixableOnly", &t_bool), load_bool, AT (images.fixable_only), BOOL (false) },
        { KEY ("maxAge", &t_string), load_age, AT (images.max_age), NONE },
        /* absent: the family's action (load_images_check) */
        { KEY ("missing", &t_string), load_images_unknown, AT (images.unscanned), NONE, show_action },
        END,
};

/* ---- rules ------------------------------------------------------------------ */

static const struct spec_type t_user = SCHEMA_OBJECT (user_rows);
static const struct spec_type t_rootfs = SCHEMA_OBJECT (rootfs_rows);
static const struct spec_type t_caps = SCHEMA_OBJECT (caps_rows);
static const struct spec_type t_nnp = SCHEMA_OBJECT (nnp_rows);
static const struct spec_type t_runtime_flags = SCHEMA_OBJECT (runtime_flags_rows);
static const struct spec_type t_restore = SCHEMA_OBJECT (restore_rows);
static const struct spec_type t_seccomp = SCHEMA_OBJECT (seccomp_rows);
static const struct spec_type t_resources = SCHEMA_OBJECT (resources_rows);
static const struct spec_type t_realtime = SCHEMA_OBJECT (realtime_rows);
static const struct spec_type t_ns = SCHEMA_OBJECT (ns_rows);
static const struct spec_type t_mounts = SCHEMA_OBJECT (mounts_rows);
static const struct spec_type t_privileged = SCHEMA_OBJECT (privileged_rows);
static const struct spec_type t_devices = SCHEMA_OBJECT (devices_rows);
static const struct spec_type t_masked = SCHEMA_OBJECT (masked_rows);
static const struct spec_type t_sysctls = SCHEMA_OBJECT (sysctls_rows);
static const struct spec_type t_lsm = SCHEMA_OBJECT (lsm_rows);
static const struct spec_type t_hooks = SCHEMA_OBJECT (hooks_rows);
static const struct spec_type t_annotations = SCHEMA_OBJECT (annotations_rows);
static const struct spec_type t_oom = SCHEMA_OBJECT (oom_rows);
static const struct spec_type t_rlimits = SCHEMA_OBJECT (rlimits_rows);
static const struct spec_type t_cgroups = SCHEMA_OBJECT (cgroups_rows);
static const struct spec_type t_secrets = SCHEMA_OBJECT (secrets_rows);
static const struct spec_type t_images = SCHEMA_OBJECT (images_rows);

/* The rule families: each key is also what exemptions name. */
const struct schema_row schema_rules[] = {
        { KEY ("user", &t_user), load_user_check },
        { KEY ("readOnlyRootfs", &t_rootfs) },
        { KEY ("capabilities", &t_caps) },
        { KEY ("noNewPrivileges", &t_nnp) },
        { KEY ("runtimeFlags", &t_runtime_flags) },
        { KEY ("restore", &t_restore) },
        { KEY ("seccomp", &t_seccomp) },
        { KEY ("resources", &t_resources), load_resources_check },
        { KEY ("realtime", &t_realtime) },
        { KEY ("hostNamespaces", &t_ns) },
        { KEY ("mounts", &t_mounts) },
        { KEY ("privileged", &t_privileged) },
        { KEY ("devices", &t_devices) },
        { KEY ("maskedPaths", &t_masked) },
        { KEY ("sysctls", &t_sysctls) },
        { KEY ("lsm", &t_lsm) },
        { KEY ("hooks", &t_hooks) },
        { KEY ("annotations", &t_annotations) },
        { KEY ("oomScoreAdj", &t_oom) },
        { KEY ("rlimits", &t_rlimits) },
        { KEY ("cgroupsPath", &t_cgroups) },
        { KEY ("secrets", &t_secrets) },
        { KEY ("images", &t_images), load_images_check },
        END,
};
const struct spec_type schema_rules_type = SCHEMA_OBJECT (schema_rules);
#define t_rules schema_rules_type

/* ---- exemptions, trustedAnnotations (their items read by their converters) -- */

static const struct schema_row match_rows[] = {
        { KEY ("annotations", &t_string_map) },
        { KEY ("ids", &t_strings) },
        { KEY ("images", &t_strings) },
        END,
};
static const struct spec_type t_match = SCHEMA_OBJECT (match_rows);
/* An exemption's rule families: each one's action and parameters are
 * checked by load_exemptions (the family must exist, an action is a
 * policy action) and by its policy's load (the parameters are the
 * family's own, schema_rules_type), so here any value passes. */
static const struct spec_type t_family_any = { SPEC_OPAQUE };
static const struct spec_type t_family_map = { SPEC_MAP, NULL, &t_family_any };
static const struct schema_row exemption_rows[] = {
        { KEY ("name", &t_string) },
        { KEY ("match", &t_match) },
        { KEY ("rules", &t_family_map) },
        END,
};
static const struct spec_type t_exemption = SCHEMA_OBJECT (exemption_rows);
static const struct spec_type t_exemptions = { SPEC_ARRAY, NULL, &t_exemption };

static const struct schema_row trust_rows[] = {
        { KEY ("root", &t_string) },
        { KEY ("prefixes", &t_strings) },
        END,
};
static const struct spec_type t_trust = SCHEMA_OBJECT (trust_rows);
static const struct spec_type t_trusts = { SPEC_ARRAY, NULL, &t_trust };

/* ---- the file ------------------------------------------------------------------ */

/* document.*: each class reject (default) or rewrite; unknown fields also allow. */
static const struct schema_row document_rows[] = {
        { KEY ("foldedKeys", &t_string), load_document_class, AT (document.folded_keys), STR ("reject"),
          show_document },
        { KEY ("nulls", &t_string), load_document_class, AT (document.nulls), STR ("reject"), show_document },
        { KEY ("duplicateKeys", &t_string), load_document_class, AT (document.duplicate_keys), STR ("reject"),
          show_document },
        { KEY ("unknownFields", &t_string), load_document_unknown, AT (document.unknown_fields), STR ("reject"),
          show_document },
        END,
};
static const struct spec_type t_document = SCHEMA_OBJECT (document_rows);

static const struct schema_row audit_rows[] = {
        { KEY ("required", &t_bool), load_bool, AT (audit_required), BOOL (false) },
        END,
};
static const struct spec_type t_audit = SCHEMA_OBJECT (audit_rows);

/* podSandbox: a pod's sandbox in the trusted CRI context (policy/engine.c).
 * runc init (a Go program, several threads) runs in the sandbox's cgroup
 * before pause does, so the caps leave it room. */
static const struct schema_row pod_sandbox_rows[] = {
        { KEY ("rewrite", &t_bool), load_bool, AT (pod_sandbox.rewrite), BOOL (true) },
        { KEY ("memory", &t_string), load_size_field, AT (pod_sandbox.memory), STR ("64Mi") },
        { KEY ("pids", &t_i64), load_positive, AT (pod_sandbox.pids), NUM ("32") },
        END,
};
static const struct spec_type t_pod_sandbox = SCHEMA_OBJECT (pod_sandbox_rows);

static const struct schema_row policy_rows[] = {
        { KEY ("apiVersion", &t_string), load_api_version, 0, STR ("hardened/v1"), .flags = SCHEMA_REQUIRED },
        { KEY ("mode", &t_string), load_mode, AT (mode), STR ("enforce") },
        { KEY ("runtime", &t_string), load_runtime, AT (runtime), STR (HD_DEFAULT_RUNTIME) },
        { KEY ("document", &t_document) },
        /* the older spelling of document.unknownFields (reject|allow), below it */
        { KEY ("unknownFields", &t_string), load_legacy_unknown, AT (document.unknown_fields), STR ("reject"),
          show_hide },
        { KEY ("extends", &t_string), NULL, 0, NONE, show_hide }, /* read by the layering, load.c */
        { KEY ("decisionLog", &t_string), load_abs_path, AT (decision_log) },
        { KEY ("audit", &t_audit) },
        { KEY ("rules", &t_rules) },
        { KEY ("podSandbox", &t_pod_sandbox) },
        { KEY ("exemptions", &t_exemptions), load_exemptions, AT (exemptions), SHOWN (JSON_ARRAY, "[]") },
        { KEY ("trustedAnnotations", &t_trusts), load_trust, AT (trusted_annotations), NONE, show_trusted,
          trusted_default },
        END,
};
const struct spec_type schema_policy = SCHEMA_OBJECT (policy_rows);
