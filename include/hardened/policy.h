/* The organisation's policy: file format v1, loaded strictly.
 *
 * The file is JSON read with the same strict parser as config.json and
 * held to a schema table, so a typo is an error with file:line:col, never a
 * silently ignored rule.  Values are then validated by our own rules:
 * capability names against libcap and the running kernel, syscall names
 * against libseccomp for every architecture, sizes and CPU counts by exact
 * grammars.  A policy that fails to load refuses every guarded call.
 *
 * Lookup: --policy FILE, else HD_POLICY_PATH (sysconfdir/hardened/policy.json),
 * else the compiled-in default, which is byte for byte the shipped
 * policy/profiles/default.json. */
#ifndef HARDENED_POLICY_H
#define HARDENED_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hardened/err.h"
#include "hardened/json.h"
#include "hardened/verdicts.h"

enum policy_action {
        ACTION_OFF,     /* the rule is not evaluated */
        ACTION_WARN,    /* findings are recorded, nothing changes */
        ACTION_REJECT,  /* a finding refuses the call */
        ACTION_REWRITE, /* a finding is fixed; refused if it cannot be */
};

enum policy_mode {
        MODE_ENFORCE,
        MODE_AUDIT, /* every action becomes warn: a dry run */
};

#define POLICY_MAX_RANGES 16
#define POLICY_MAX_TMPFS 16
#define POLICY_MAX_DENY 128

/* Inclusive ranges of host ids; the loader never lets one hold 0. */
struct policy_range {
        uint32_t min, max;
};
struct policy_ids {
        size_t n;
        struct policy_range r[POLICY_MAX_RANGES];
};

/* Ids are judged on the host: through the container's user namespace
 * mappings when it has one, as they are otherwise.  A host id 0 is root
 * whatever the process's own uid says. */
struct policy_user {
        enum policy_action action;
        uint32_t uid, gid;             /* what a rewrite sets */
        struct policy_ids uids;        /* allowedUids */
        struct policy_ids gids;        /* allowedGids */
        struct policy_ids mapped_uids; /* mappedHostUids: uidMappings targets */
        struct policy_ids mapped_gids; /* mappedHostGids: gidMappings targets */
        bool require_userns;           /* requireUserNamespace */
        bool allow_root_in_userns;     /* allowRootInUserNamespace: id 0 inside a private one */
};

struct policy_rootfs {
        enum policy_action action;
        size_t ntmpfs;
        const char *tmpfs[POLICY_MAX_TMPFS]; /* absolute paths, point into the policy tree */
        uint64_t tmpfs_size;                 /* bytes */
};

struct policy_caps {
        enum policy_action action;
        uint64_t allow;   /* bit N: capability N */
        uint64_t ambient; /* granted: raised into ambient (with inheritable and
                           * permitted) when the engine gave it in bounding; a
                           * subset of allow */
};

struct policy_seccomp_memo;

struct policy_seccomp {
        enum policy_action action;
        const char *profile_name; /* "default" or a path */
        struct json *profile;     /* the profile a rewrite installs (owned) */
        size_t ndeny;
        const char *deny[POLICY_MAX_DENY]; /* must be blocked: built-in minimum + the file's */
        const unsigned char *text_sha256;  /* SHA-256 of the text `profile` was parsed from, if known */
        bool profile_builtin;              /* `profile` is policy_default_seccomp_tree (): not owned */
        bool deny_ptrace;                  /* denyPtrace: ptrace is on the built-in minimum */
        struct policy_seccomp_memo *memo;  /* the profile's verdict, once judged (owned) */
};

/* A list of strings from the policy file, or built-in defaults when the
 * file does not give it. */
struct policy_list {
        const struct json *json;    /* JSON array of strings, or NULL */
        const char *const *builtin; /* NULL-terminated defaults, or NULL */
};
size_t policy_list_len (const struct policy_list *l);
const char *policy_list_at (const struct policy_list *l, size_t i);
bool policy_list_has (const struct policy_list *l, const char *s);

struct policy_resources {
        enum policy_action action;
        int64_t memory_default, memory_max; /* bytes; 0: none */
        bool allow_swap;
        uint64_t cpu_period;                       /* microseconds */
        uint64_t cpu_default_milli, cpu_max_milli; /* thousandths of a CPU; 0: none */
        uint64_t cpu_max_shares;                   /* cpu.shares at most (CPU priority); 0: none */
        int64_t pids_default, pids_max;            /* 0: none */
        struct policy_list unified_allow;          /* linux.resources.unified keys allowed */
};

/* Real-time scheduling: CPU time outside the fair scheduler's limits. */
struct policy_realtime {
        enum policy_action action;
        uint64_t cpu_milli;                 /* realtimeRuntime/realtimePeriod at most, thousandths; 0: none */
        struct policy_list scheduler_allow; /* process.scheduler policies allowed */
        struct policy_list ioprio_allow;    /* process.ioPriority classes allowed */
};

#define POLICY_MAX_DEVICES 64

/* One devices "allow" entry.  Written as a host device's absolute path,
 * resolved to its type and numbers by stat(2) on the host at check time
 * (symlinks followed: /dev/disk/by-id/... names the disk it points to); or
 * as numbers, "c 10:200" or "b 7:*" (every minor of one major). */
struct policy_device {
        const char *path;      /* NULL: given by numbers */
        char type;             /* 'c' or 'b' (numbers only) */
        uint32_t major, minor; /* below 4096 and 2^20, the kernel's ranges */
        bool any_minor;
};

#define POLICY_MAX_HOOKS 16
#define POLICY_MAX_HOOK_ARGS 32
#define POLICY_MAX_HOOK_ENV 16

/* One allowed hook (rules.hooks.allow[i], or a built-in default).  runc
 * runs `path` with exactly the hook's args as argv (argv[0] included; none:
 * argv is the path alone) and its env as the environment, so each of them
 * is matched whole.  Strings point into the policy tree or static data. */
struct policy_hook {
        const char *path;                       /* exact and absolute */
        size_t nargs;                           /* the hook has exactly this many args */
        const char *args[POLICY_MAX_HOOK_ARGS]; /* one pattern (pattern.h) per argument */
        size_t nenv;                            /* 0: the hook carries no env */
        const char *env[POLICY_MAX_HOOK_ENV];   /* each env entry matches one of these */
        uint32_t max_timeout;                   /* seconds; 0: any timeout, or none */
};

/* The rest of the CIS Docker Benchmark 5 / Pod Security Standards surface. */
struct policy_surface {
        enum policy_action host_namespaces;
        struct policy_list ns_require; /* namespace types that must be private */
        enum policy_action mounts;
        struct policy_list mount_deny;     /* bind sources refused (and their ancestors) */
        struct policy_list mount_allow;    /* if given: bind sources must be under one */
        bool mount_read_only;              /* every bind mount must be read-only */
        struct policy_list mount_types;    /* filesystem types allowed anywhere beyond the standard set */
        const struct json *mount_pairs;    /* [{"type", "destination"}] allowed there, or NULL */
        struct policy_list rootfs_under;   /* if given: root.path must lie below one */
        struct policy_list rootfs_storage; /* engine storage: a rootfs below one may be under a denied path */
        enum policy_action privileged;
        enum policy_action devices;
        struct policy_list device_allow; /* devices allowed beyond the defaults, as written */
        size_t ndevices;
        struct policy_device devices_allowed[POLICY_MAX_DEVICES]; /* the same, parsed */
        enum policy_action masked_paths;
        enum policy_action sysctls;
        struct policy_list sysctl_allow; /* beyond the Kubernetes safe set */
        enum policy_action lsm;
        const char *apparmor_profile; /* applied where AppArmor is enabled, or NULL */
        const char *selinux_label;    /* applied where SELinux is enabled, or NULL */
        enum policy_action hooks;
        size_t nhook_allow; /* the file's "allow", else the built-in list */
        struct policy_hook hook_allow[POLICY_MAX_HOOKS];
        enum policy_action annotations;
        struct policy_list annotation_prefixes; /* more runtime-interpreted key prefixes (added) */
        struct policy_list annotation_allow;    /* exact keys allowed anyway */
        enum policy_action oom_score_adj;
        enum policy_action rlimits;
        const struct json *rlimit_max; /* {"RLIMIT_NOFILE": N, ...}, or NULL */
        enum policy_action cgroups_path;
        struct policy_list cgroup_prefixes;
        enum policy_action secrets;
};

/* rules.images (policy/rules/images.c): which images may run, by
 * reference pattern or sha256: ID/digest (image.h says how they match). */
struct policy_images {
        enum policy_action action;  /* images.allowList: deny-list, allow-list, requireDigest */
        enum policy_action unknown; /* images.unknown: no engine named the image */
        struct policy_list allow;   /* if given: the image must match one */
        struct policy_list deny;    /* the image must match none */
        bool require_digest;        /* a name alone (no ID known) must be pinned NAME@sha256:... */
        /* The scan gate (images.scan, images.unscanned): the verdict file
         * `hardened verdicts import` wrote, or NULL for none. */
        const char *verdicts_path;
        struct verdicts verdicts;     /* its entries (owned) */
        int max_severity;             /* enum severity: a vulnerability at or above it is a finding */
        bool fixable_only;            /* count only those with a fixed version */
        int64_t max_age;              /* seconds a verdict stays good; 0: any age */
        enum policy_action unscanned; /* images.unscanned ("missing"): no verdict for the image */
};

/* podSandbox: how a pod's sandbox (containerd's pause container, known
 * only in the trusted CRI context: decision.h, struct cri_context) is
 * judged.  Infrastructure that needs no uid, capability, writable root or
 * system call beyond the policy's, so those families fix it rather than
 * refuse it; host namespaces, mounts, devices and the rest are judged as
 * for any container. */
struct policy_pod_sandbox {
        bool rewrite;   /* the process families (policy/engine.c) get rewrite, not reject */
        int64_t memory; /* bytes: a sandbox's memory default and max; 0: the resources family's */
        int64_t pids;   /* a sandbox's pids default and max; 0: the resources family's */
};

/* The "document" section: what the shim does with JSON that runc's decoder
 * reads with one meaning but that is not written canonically (a key that
 * folds to a field, null, a repeated field, a field runc ignores).  Each is
 * ACTION_REJECT (the default) or ACTION_REWRITE (the meaning written back
 * canonically); unknown fields may also be ACTION_OFF ("allow": passed
 * through, as runc ignores them).  Judged before any rule, on every
 * document runc reads; exemptions do not change it. */
struct policy_document {
        enum policy_action folded_keys, nulls, duplicate_keys, unknown_fields;
};

#define POLICY_MAX_EXEMPTIONS 32

/* Relaxes rule families for matching containers (Kubernetes annotations
 * set by containerd's CRI, or container ids). */
/* Does a family's object in an exemption set anything but its action?
 * Then the exemption carries parameters, and its own policy. */
bool policy_family_has_parameters (const struct json *fam);

struct policy_exemption {
        const char *name;
        const struct json *annotations; /* object of exact key/value matches, or NULL */
        const struct json *ids;         /* array of container ids, or NULL */
        const struct json *images;      /* array of image patterns (images.allow's spellings), or NULL */
        const struct json *rules;       /* {"family": {"action": ..., parameters...}} */
        /* Parameters besides actions (extra tmpfs paths, capabilities, a
         * uid, limits): a matching container is judged by `policy`, the
         * policy with the exemption's rules laid over its own (owned). */
        bool has_parameters;
        struct policy *policy;
};

/* The annotations the configured backend says it acts on (its `features`
 * potentiallyUnsafeConfigAnnotations: an entry ending in "." is a prefix,
 * any other an exact key), as the shim read them from the features cache
 * for this call.  The policy library never runs the backend. */
struct policy_backend_features {
        char **unsafe; /* owned; NULL when nothing was read */
        size_t nunsafe;
        char note[256]; /* why the list is missing or stale; "" when it is current */
};

#define POLICY_MAX_SOURCES 16

/* One file of a layered policy, kept for positions in messages. */
struct policy_source {
        char *name;
        char *text;
        size_t len;
};

/* What the loader read.  Each field's JSON key, converter and default is
 * its row in policy/schema.c (policy/schema.h says how defaults work). */
struct policy {
        char *source;    /* the policy's name: its file, or "built-in default" */
        bool variant;    /* an exemption's policy: source and sources are its base's */
        size_t nsources; /* the file, what it extends, policy.d overlays */
        struct policy_source sources[POLICY_MAX_SOURCES];
        struct json *tree;        /* merged tree; strings above point into it */
        const char *decision_log; /* JSON-lines log of every decision, or NULL */
        bool audit_required;      /* refuse when the kernel audit record fails */
        enum policy_mode mode;
        char *runtime; /* backend path */
        struct policy_document document;
        struct policy_user user;
        struct policy_rootfs rootfs;
        struct policy_caps caps;
        enum policy_action no_new_privileges;
        enum policy_action runtime_flags; /* --no-pivot, --no-new-keyring */
        enum policy_action restore;       /* restore: a checkpoint image the policy cannot judge */
        struct policy_seccomp seccomp;
        struct policy_resources resources;
        struct policy_realtime realtime;
        struct policy_surface surface;
        struct policy_images images;
        struct policy_pod_sandbox pod_sandbox;
        size_t nexemptions;
        struct policy_exemption exemptions[POLICY_MAX_EXEMPTIONS];
        /* Where an exemption may match by annotation: [{"root": runc's
         * state root, "prefixes": [keys the engine there sets itself]}];
         * the file's "trustedAnnotations", or the built-in CRI entries. */
        const struct json *trusted_annotations;
        struct json *trusted_builtin; /* owned: the built-in entries when the file gives none */
        struct policy_backend_features backend;
};

/* The compiled-in default policy and seccomp profile (generated at build
 * time from policy/profiles/; a test asserts they are byte-identical). */
extern const char policy_default_json[];
extern const size_t policy_default_json_len;
extern const char policy_default_seccomp_json[];
extern const size_t policy_default_seccomp_json_len;
extern const unsigned char policy_default_seccomp_json_sha256[32]; /* of those bytes */
/* The tree json_parse makes of those bytes, as static data (generated by
 * policy/embed-tree, linked on the first call): never freed, never edited
 * (a rewrite installs a copy). */
struct json *policy_default_seccomp_tree (void);

/* Load from bytes; `source` names them in messages ("FILE:LINE:COL: ..."). */
int policy_load_buffer (const char *source, const char *buf, size_t len, struct policy *out, struct hd_err *err);

/* Load a file (symlinks allowed: it is the admin's own file, and held to
 * adminfile_read's ownership and mode rules), with what it
 * "extends" and the policy.d/ overlays next to it (layering). */
int policy_load_file (const char *path, struct policy *out, struct hd_err *err);

/* The merged policy document, every default filled in (policy show). */
int policy_effective (const struct policy *p, struct json **out, struct hd_err *err);

/* Lookup order above.  `named` is --policy's value or NULL. */
int policy_resolve (const char *named, struct policy *out, struct hd_err *err);

void policy_free (struct policy *p);

/* For pass-through verbs, which must stay cheap and must keep working to
 * clean up even under a broken policy: the "runtime" of the policy that
 * would be used, read without validation but only from a trusted file
 * (adminfile_read); NULL when there is none. */
char *policy_peek_runtime (const char *named);

const char *policy_action_name (enum policy_action a);

/* Parse a size: digits with an optional suffix K M G T (powers of 1000) or
 * Ki Mi Gi Ti (powers of 1024).  "512Mi", "4G", "1048576". */
int policy_parse_size (const char *text, uint64_t *out);

/* Parse a CPU count "1", "0.5", "2.25" (at most three decimals) in thousandths. */
int policy_parse_millis (const char *text, size_t len, uint64_t *out);

#endif
