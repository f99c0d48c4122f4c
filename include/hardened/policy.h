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

enum policy_action {
        ACTION_OFF,       /* the rule is not evaluated */
        ACTION_WARN,      /* findings are recorded, nothing changes */
        ACTION_REJECT,    /* a finding refuses the call */
        ACTION_REWRITE,   /* a finding is fixed; refused if it cannot be */
};

enum policy_mode {
        MODE_ENFORCE,
        MODE_AUDIT,       /* every action becomes warn: a dry run */
};

#define POLICY_MAX_RANGES 16
#define POLICY_MAX_TMPFS 16
#define POLICY_MAX_DENY 128

struct policy_user {
        enum policy_action action;
        uint32_t uid, gid;
        size_t nranges;                /* 0: any non-root uid */
        struct { uint32_t min, max; } ranges[POLICY_MAX_RANGES];
};

struct policy_rootfs {
        enum policy_action action;
        size_t ntmpfs;
        const char *tmpfs[POLICY_MAX_TMPFS];   /* absolute paths, point into the policy tree */
        uint64_t tmpfs_size;                   /* bytes */
};

struct policy_caps {
        enum policy_action action;
        uint64_t allow;                /* bit N: capability N */
};

struct policy_seccomp {
        enum policy_action action;
        const char *profile_name;      /* "default" or a path */
        struct json *profile;          /* the profile a rewrite installs (owned) */
        size_t ndeny;
        const char *deny[POLICY_MAX_DENY]; /* must be blocked: built-in minimum + the file's */
};

struct policy_resources {
        enum policy_action action;
        int64_t memory_default, memory_max;    /* bytes; 0: none */
        bool allow_swap;
        uint64_t cpu_period;                   /* microseconds */
        uint64_t cpu_default_milli, cpu_max_milli; /* thousandths of a CPU; 0: none */
        int64_t pids_default, pids_max;        /* 0: none */
};

struct policy {
        char *source;                  /* file path, or "built-in default" */
        char *text;                    /* the file's bytes (positions in messages) */
        size_t text_len;
        struct json *tree;             /* parsed file; strings above point into it */
        enum policy_mode mode;
        char *runtime;                 /* backend path */
        bool allow_unknown_fields;     /* config fields not in OCI 1.2 */
        struct policy_user user;
        struct policy_rootfs rootfs;
        struct policy_caps caps;
        enum policy_action no_new_privileges;
        enum policy_action runtime_flags;     /* --no-pivot, --no-new-keyring */
        struct policy_seccomp seccomp;
        struct policy_resources resources;
};

/* The compiled-in default policy and seccomp profile (generated at build
 * time from policy/profiles/; a test asserts they are byte-identical). */
extern const char policy_default_json[];
extern const size_t policy_default_json_len;
extern const char policy_default_seccomp_json[];
extern const size_t policy_default_seccomp_json_len;

/* Load from bytes; `source` names them in messages ("FILE:LINE:COL: ..."). */
int policy_load_buffer (const char *source, const char *buf, size_t len, struct policy *out,
                        struct hd_err *err);

/* Load a file (symlinks allowed: it is the admin's own file). */
int policy_load_file (const char *path, struct policy *out, struct hd_err *err);

/* Lookup order above.  `named` is --policy's value or NULL. */
int policy_resolve (const char *named, struct policy *out, struct hd_err *err);

void policy_free (struct policy *p);

/* For pass-through verbs, which must stay cheap and must keep working to
 * clean up even under a broken policy: the "runtime" of the policy that
 * would be used, read without validation; NULL when there is none. */
char *policy_peek_runtime (const char *named);

const char *policy_action_name (enum policy_action a);

/* Parse a size: digits with an optional suffix K M G T (powers of 1000) or
 * Ki Mi Gi Ti (powers of 1024).  "512Mi", "4G", "1048576". */
int policy_parse_size (const char *text, uint64_t *out);

/* Parse a CPU count "1", "0.5", "2.25" (at most three decimals) in thousandths. */
int policy_parse_millis (const char *text, size_t len, uint64_t *out);

#endif
