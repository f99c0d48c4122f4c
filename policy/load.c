#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <glob.h>
#include <libgen.h>
#include <limits.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hardened/adminfile.h"
#include "hardened/caps.h"
#include "hardened/ids.h"
#include "hardened/num.h"
#include "hardened/paths.h"
#include "hardened/pattern.h"
#include "hardened/policy.h"
#include "hardened/rules.h"
#include "hardened/seccomp_profile.h"
#include "hardened/spec.h"
#include "hardened/trust.h"
#include "hardened/util.h"

/* ---- the file's schema (one table per object, STYLE.md 7) --------------- */

static const struct spec_type p_string = { SPEC_STRING, NULL, NULL };
static const struct spec_type p_bool = { SPEC_BOOL, NULL, NULL };
static const struct spec_type p_u32 = { SPEC_U32, NULL, NULL };
static const struct spec_type p_u64 = { SPEC_U64, NULL, NULL };
static const struct spec_type p_i64 = { SPEC_I64, NULL, NULL };
static const struct spec_type p_number = { SPEC_NUMBER, NULL, NULL };
static const struct spec_type p_strings = { SPEC_ARRAY, NULL, &p_string };

static const struct spec_field range_fields[] = {
        { "min", &p_u32 }, { "max", &p_u32 }, { NULL, NULL },
};
static const struct spec_type p_range = { SPEC_OBJECT, range_fields, NULL };
static const struct spec_type p_ranges = { SPEC_ARRAY, NULL, &p_range };

static const struct spec_field user_fields[] = {
        { "action", &p_string }, { "uid", &p_u32 }, { "gid", &p_u32 },
        { "allowedUids", &p_ranges }, { "allowedGids", &p_ranges },
        { "mappedHostUids", &p_ranges }, { "mappedHostGids", &p_ranges },
        { "requireUserNamespace", &p_bool }, { "allowRootInUserNamespace", &p_bool },
        { NULL, NULL },
};
static const struct spec_field rootfs_fields[] = {
        { "action", &p_string }, { "tmpfs", &p_strings }, { "tmpfsSize", &p_string },
        { NULL, NULL },
};
static const struct spec_field caps_fields[] = {
        { "action", &p_string }, { "allow", &p_strings }, { NULL, NULL },
};
static const struct spec_field action_only_fields[] = {
        { "action", &p_string }, { NULL, NULL },
};
static const struct spec_field seccomp_fields[] = {
        { "action", &p_string }, { "profile", &p_string }, { "deny", &p_strings },
        { NULL, NULL },
};
static const struct spec_field memory_fields[] = {
        { "default", &p_string }, { "max", &p_string }, { "allowSwap", &p_bool }, { NULL, NULL },
};
static const struct spec_field cpu_fields[] = {
        { "default", &p_number }, { "max", &p_number }, { "period", &p_u64 }, { NULL, NULL },
};
static const struct spec_field pids_fields[] = {
        { "default", &p_i64 }, { "max", &p_i64 }, { NULL, NULL },
};
static const struct spec_field unified_fields[] = {
        { "allow", &p_strings }, { NULL, NULL },
};
static const struct spec_type p_unified = { SPEC_OBJECT, unified_fields, NULL };
static const struct spec_type p_memory = { SPEC_OBJECT, memory_fields, NULL };
static const struct spec_type p_cpu = { SPEC_OBJECT, cpu_fields, NULL };
static const struct spec_type p_pids = { SPEC_OBJECT, pids_fields, NULL };
static const struct spec_field resources_fields[] = {
        { "action", &p_string }, { "memory", &p_memory }, { "cpu", &p_cpu }, { "pids", &p_pids },
        { "unified", &p_unified }, { NULL, NULL },
};
static const struct spec_field realtime_fields[] = {
        { "action", &p_string }, { "cpu", &p_number }, { "schedulerPolicies", &p_strings },
        { "ioPriorityClasses", &p_strings }, { NULL, NULL },
};
static const struct spec_type p_realtime = { SPEC_OBJECT, realtime_fields, NULL };

static const struct spec_type p_user = { SPEC_OBJECT, user_fields, NULL };
static const struct spec_type p_rootfs = { SPEC_OBJECT, rootfs_fields, NULL };
static const struct spec_type p_caps = { SPEC_OBJECT, caps_fields, NULL };
static const struct spec_type p_action_only = { SPEC_OBJECT, action_only_fields, NULL };
static const struct spec_type p_seccomp = { SPEC_OBJECT, seccomp_fields, NULL };
static const struct spec_type p_resources = { SPEC_OBJECT, resources_fields, NULL };

static const struct spec_field ns_fields[] = {
        { "action", &p_string }, { "require", &p_strings }, { NULL, NULL },
};
static const struct spec_field mount_pair_fields[] = {
        { "type", &p_string }, { "destination", &p_string }, { NULL, NULL },
};
static const struct spec_type p_mount_pair = { SPEC_OBJECT, mount_pair_fields, NULL };
static const struct spec_type p_mount_pairs = { SPEC_ARRAY, NULL, &p_mount_pair };
static const struct spec_field mounts_fields[] = {
        { "action", &p_string }, { "deny", &p_strings }, { "allow", &p_strings },
        { "readOnly", &p_bool }, { "allowTypes", &p_strings }, { "allowMounts", &p_mount_pairs },
        { "rootfsUnder", &p_strings }, { "rootfsStorage", &p_strings }, { NULL, NULL },
};
static const struct spec_field allow_fields[] = {
        { "action", &p_string }, { "allow", &p_strings }, { NULL, NULL },
};
static const struct spec_field lsm_fields[] = {
        { "action", &p_string }, { "apparmorProfile", &p_string }, { "selinuxLabel", &p_string },
        { NULL, NULL },
};
static const struct spec_field hook_fields[] = {
        { "path", &p_string }, { "args", &p_strings }, { "env", &p_strings },
        { "maxTimeout", &p_u32 },
        { "args0", &p_string }, /* gone: refused with a message that says what replaced it */
        { NULL, NULL },
};
static const struct spec_type p_hook = { SPEC_OBJECT, hook_fields, NULL };
static const struct spec_type p_hooks_list = { SPEC_ARRAY, NULL, &p_hook };
static const struct spec_field hooks_fields[] = {
        { "action", &p_string }, { "allow", &p_hooks_list }, { NULL, NULL },
};
static const struct spec_field annotations_fields[] = {
        { "action", &p_string }, { "prefixes", &p_strings }, { "allow", &p_strings }, { NULL, NULL },
};
static const struct spec_type p_u64_map = { SPEC_MAP, NULL, &p_u64 };
static const struct spec_field rlimits_fields[] = {
        { "action", &p_string }, { "max", &p_u64_map }, { NULL, NULL },
};
static const struct spec_field cgroups_fields[] = {
        { "action", &p_string }, { "prefixes", &p_strings }, { NULL, NULL },
};
static const struct spec_type p_ns = { SPEC_OBJECT, ns_fields, NULL };
static const struct spec_type p_mounts = { SPEC_OBJECT, mounts_fields, NULL };
static const struct spec_type p_allow = { SPEC_OBJECT, allow_fields, NULL };
static const struct spec_type p_lsm = { SPEC_OBJECT, lsm_fields, NULL };
static const struct spec_type p_hooks = { SPEC_OBJECT, hooks_fields, NULL };
static const struct spec_type p_annotations = { SPEC_OBJECT, annotations_fields, NULL };
static const struct spec_type p_rlimits = { SPEC_OBJECT, rlimits_fields, NULL };
static const struct spec_type p_cgroups = { SPEC_OBJECT, cgroups_fields, NULL };

static const struct spec_field rules_fields[] = {
        { "user", &p_user },
        { "readOnlyRootfs", &p_rootfs },
        { "capabilities", &p_caps },
        { "noNewPrivileges", &p_action_only },
        { "seccomp", &p_seccomp },
        { "resources", &p_resources },
        { "realtime", &p_realtime },
        { "runtimeFlags", &p_action_only },
        { "hostNamespaces", &p_ns },
        { "mounts", &p_mounts },
        { "privileged", &p_action_only },
        { "devices", &p_allow },
        { "maskedPaths", &p_action_only },
        { "sysctls", &p_allow },
        { "lsm", &p_lsm },
        { "hooks", &p_hooks },
        { "annotations", &p_annotations },
        { "oomScoreAdj", &p_action_only },
        { "rlimits", &p_rlimits },
        { "cgroupsPath", &p_cgroups },
        { "secrets", &p_action_only },
        { NULL, NULL },
};
static const struct spec_type p_rules = { SPEC_OBJECT, rules_fields, NULL };

static const struct spec_type p_string_map = { SPEC_MAP, NULL, &p_string };
static const struct spec_field match_fields[] = {
        { "annotations", &p_string_map }, { "ids", &p_strings }, { NULL, NULL },
};
static const struct spec_type p_match = { SPEC_OBJECT, match_fields, NULL };
static const struct spec_type p_action_map = { SPEC_MAP, NULL, &p_action_only };
static const struct spec_field exemption_fields[] = {
        { "name", &p_string }, { "match", &p_match }, { "rules", &p_action_map }, { NULL, NULL },
};
static const struct spec_type p_exemption = { SPEC_OBJECT, exemption_fields, NULL };
static const struct spec_type p_exemptions = { SPEC_ARRAY, NULL, &p_exemption };
static const struct spec_field trust_fields[] = {
        { "root", &p_string }, { "prefixes", &p_strings }, { NULL, NULL },
};
static const struct spec_type p_trust = { SPEC_OBJECT, trust_fields, NULL };
static const struct spec_type p_trusts = { SPEC_ARRAY, NULL, &p_trust };

static const struct spec_field audit_fields[] = {
        { "required", &p_bool }, { NULL, NULL },
};
static const struct spec_type p_audit = { SPEC_OBJECT, audit_fields, NULL };

static const struct spec_field document_fields[] = {
        { "foldedKeys", &p_string }, { "nulls", &p_string }, { "duplicateKeys", &p_string },
        { "unknownFields", &p_string }, { NULL, NULL },
};
static const struct spec_type p_document = { SPEC_OBJECT, document_fields, NULL };

static const struct spec_field policy_fields[] = {
        { "apiVersion", &p_string },
        { "mode", &p_string },
        { "runtime", &p_string },
        { "unknownFields", &p_string },
        { "document", &p_document },
        { "extends", &p_string },
        { "decisionLog", &p_string },
        { "audit", &p_audit },
        { "rules", &p_rules },
        { "exemptions", &p_exemptions },
        { "trustedAnnotations", &p_trusts },
        { NULL, NULL },
};
static const struct spec_type p_policy = { SPEC_OBJECT, policy_fields, NULL };

/* The deny-list every seccomp profile must block, whatever the file adds.
 * Judged on the compiled program (seccomp_profile_judge): clone and unshare
 * by their namespace flags, every other name with any arguments.  The new
 * mount API mounts as surely as mount(2) does; clone3 passes its flags in
 * memory a filter cannot see, so it must be blocked outright. */
static const char *const builtin_deny[] = {
        "mount", "umount2", "pivot_root", "fsopen", "fsconfig", "fsmount", "fspick", "move_mount",
        "open_tree", "mount_setattr", "clone", "clone3", "unshare", "setns", "ptrace", "kexec_load",
        "kexec_file_load", "init_module", "finit_module", "delete_module", "bpf", "perf_event_open",
        "keyctl", "add_key", "request_key", "userfaultfd", "open_by_handle_at", "reboot", "swapon",
        "swapoff",
};

/* ---- helpers -------------------------------------------------------------- */

struct loader {
        struct policy *p;
        struct hd_err *err;
};

static int
load_fail (struct loader *l, const struct json *at, const char *ptr, const char *fmt, ...)
        __attribute__ ((format (printf, 4, 5)));

/* "SOURCE:LINE:COL: /pointer: message" */
static int
load_fail (struct loader *l, const struct json *at, const char *ptr, const char *fmt, ...)
{
        char what[1024];
        unsigned line = 1, col = 1;
        va_list ap;

        va_start (ap, fmt);
        vsnprintf (what, sizeof what, fmt, ap);
        va_end (ap);
        const struct policy_source *src = &l->p->sources[at && at->src < l->p->nsources ? at->src : 0];

        if (at && at->off != JSON_NO_OFFSET)
                json_line_col (src->text, src->len, at->off, &line, &col);
        return hd_err_set (l->err, HD_EXIT_REFUSED, EINVAL, "%s:%u:%u: %s: %s", src->name,
                           line, col, ptr, what);
}

const char *
policy_action_name (enum policy_action a)
{
        static const char *const names[] = {
                [ACTION_OFF] = "off", [ACTION_WARN] = "warn",
                [ACTION_REJECT] = "reject", [ACTION_REWRITE] = "rewrite",
        };
        return names[a];
}

static int
parse_enum (struct loader *l, const struct json *j, const char *ptr, const char *const *names,
            size_t n, int *out)
{
        for (size_t i = 0; i < n; i++)
                if (names[i] && strcmp (j->text, names[i]) == 0)
                        return *out = (int) i, 0;
        return load_fail (l, j, ptr, "\"%s\" is not one of the accepted values", j->text);
}

/* A rule family's object: its action (required); absent family: off. */
static int
load_action (struct loader *l, const struct json *rule, const char *ptr, enum policy_action *out)
{
        static const char *const names[] = { "off", "warn", "reject", "rewrite" };
        const struct json *a = json_get (rule, "action");
        char aptr[128];
        int v = 0;

        *out = ACTION_OFF;
        if (!rule)
                return 0;
        snprintf (aptr, sizeof aptr, "%s/action", ptr);
        if (!a)
                return load_fail (l, rule, ptr, "\"action\" is required (off, warn, reject or rewrite)");
        if (parse_enum (l, a, aptr, names, HD_ARRAY_SIZE (names), &v) < 0)
                return -1;
        *out = (enum policy_action) v;
        return 0;
}

int
policy_parse_size (const char *text, uint64_t *out)
{
        static const struct {
                const char *suffix;
                uint64_t mult;
        } units[] = {
                { "Ki", 1ULL << 10 }, { "Mi", 1ULL << 20 }, { "Gi", 1ULL << 30 }, { "Ti", 1ULL << 40 },
                { "K", 1000ULL }, { "M", 1000000ULL }, { "G", 1000000000ULL },
                { "T", 1000000000000ULL }, { "", 1 },
        };
        size_t digits = strspn (text, "0123456789");
        uint64_t v;

        if (parse_u64 (text, digits, &v) < 0)
                return -1;
        for (size_t i = 0; i < HD_ARRAY_SIZE (units); i++) {
                if (strcmp (text + digits, units[i].suffix) != 0)
                        continue;
                if (v > INT64_MAX / units[i].mult)
                        return -1;
                *out = v * units[i].mult;
                return 0;
        }
        return -1;
}

int
policy_parse_millis (const char *text, size_t len, uint64_t *out)
{
        size_t whole = 0;
        uint64_t w, frac = 0;

        while (whole < len && text[whole] >= '0' && text[whole] <= '9')
                whole++;
        if (parse_u64 (text, whole, &w) < 0 || w > 1000000)
                return -1;
        if (whole < len) {
                size_t nfrac = len - whole - 1;
                if (text[whole] != '.' || nfrac == 0 || nfrac > 3)
                        return -1;
                for (size_t i = 0; i < 3; i++) {
                        char c = i < nfrac ? text[whole + 1 + i] : '0';
                        if (c < '0' || c > '9')
                                return -1;
                        frac = frac * 10 + (uint64_t) (c - '0');
                }
        }
        *out = w * 1000 + frac;
        return 0;
}

static int
load_size (struct loader *l, const struct json *obj, const char *key, const char *ptr,
           int64_t *out)
{
        const struct json *j = json_get (obj, key);
        uint64_t v;

        *out = 0;
        if (!j)
                return 0;
        if (policy_parse_size (j->text, &v) < 0 || v == 0)
                return load_fail (l, j, ptr, "\"%s\" is not a size (e.g. 512Mi, 4G, 1048576)",
                                  j->text);
        *out = (int64_t) v;
        return 0;
}

static int
load_u32 (const struct json *obj, const char *key, uint32_t dflt, uint32_t *out)
{
        const struct json *j = json_get (obj, key);

        *out = dflt;
        return j ? parse_u32 (j->text, j->len, out) : 0; /* schema-checked already */
}

static int
load_i64 (struct loader *l, const struct json *obj, const char *key, const char *ptr, int64_t *out)
{
        const struct json *j = json_get (obj, key);

        *out = 0;
        if (!j)
                return 0;
        if (parse_i64 (j->text, j->len, out) < 0 || *out <= 0)
                return load_fail (l, j, ptr, "must be a positive integer");
        return 0;
}

static int
load_millis (struct loader *l, const struct json *obj, const char *key, const char *ptr,
             uint64_t *out)
{
        const struct json *j = json_get (obj, key);

        *out = 0;
        if (!j)
                return 0;
        if (policy_parse_millis (j->text, j->len, out) < 0 || *out == 0)
                return load_fail (l, j, ptr, "%s is not a CPU count (e.g. 1, 0.5, 2.25)", j->text);
        return 0;
}

/* ---- rule families -------------------------------------------------------- */

/* Host groups below 1000 are the system's own on Debian and most
 * distributions (login.defs SYS_GID_MAX 999): shadow 42, disk 6, adm 4,
 * mail 8, the docker group.  Membership in one reaches host files and
 * sockets through any mount or device, so by default only ordinary groups
 * count as non-root. */
#define POLICY_GID_MIN_DEFAULT 1000

/* rules/user/KEY: inclusive ranges with 0 < min <= max; absent: `dflt`. */
static int
load_ranges (struct loader *l, const struct json *r, const char *key, const struct policy_ids *dflt,
             struct policy_ids *out)
{
        const struct json *ranges = json_get (r, key);

        if (!ranges || ranges->n == 0) { /* [] is the default, as it always was for allowedUids */
                *out = *dflt;
                return 0;
        }
        out->n = 0;
        for (size_t i = 0; i < ranges->n; i++) {
                const struct json *e = ranges->items[i];
                char ptr[64];
                snprintf (ptr, sizeof ptr, "/rules/user/%s/%zu", key, i);
                if (out->n == POLICY_MAX_RANGES)
                        return load_fail (l, e, ptr, "at most %d ranges", POLICY_MAX_RANGES);
                load_u32 (e, "min", 1, &out->r[out->n].min);
                load_u32 (e, "max", UINT32_MAX - 1, &out->r[out->n].max);
                if (out->r[out->n].min == 0 || out->r[out->n].min > out->r[out->n].max)
                        return load_fail (l, e, ptr, "needs 0 < min <= max");
                out->n++;
        }
        return 0;
}

static bool
load_bool (const struct json *r, const char *key)
{
        const struct json *v = json_get (r, key);

        return v && v->boolean;
}

static int
load_user (struct loader *l, const struct json *rules)
{
        static const struct policy_ids any_uid = { 1, { { 1, UINT32_MAX - 1 } } };
        static const struct policy_ids any_gid = { 1, { { POLICY_GID_MIN_DEFAULT, UINT32_MAX - 1 } } };
        const struct json *r = json_get (rules, "user");
        struct policy_user *u = &l->p->user;

        if (load_action (l, r, "/rules/user", &u->action) < 0)
                return -1;
        load_u32 (r, "uid", 65534, &u->uid);
        load_u32 (r, "gid", 65534, &u->gid);
        if (u->uid == 0 || u->gid == 0)
                return load_fail (l, r, "/rules/user", "uid and gid must not be 0");
        if (load_ranges (l, r, "allowedUids", &any_uid, &u->uids) < 0
            || load_ranges (l, r, "allowedGids", &any_gid, &u->gids) < 0
            || load_ranges (l, r, "mappedHostUids", &u->uids, &u->mapped_uids) < 0
            || load_ranges (l, r, "mappedHostGids", &u->gids, &u->mapped_gids) < 0)
                return -1;
        /* A rewrite must land on an id the rule accepts, or it fixes nothing
         * (a rejecting policy never sets them: its ids are not judged). */
        if (u->action == ACTION_REWRITE && !ids_allowed (&u->uids, u->uid))
                return load_fail (l, json_get (r, "uid") ? json_get (r, "uid") : r, "/rules/user/uid",
                                  "%u is outside allowedUids", u->uid);
        if (u->action == ACTION_REWRITE && !ids_allowed (&u->gids, u->gid))
                return load_fail (l, json_get (r, "gid") ? json_get (r, "gid") : r, "/rules/user/gid",
                                  "%u is outside allowedGids", u->gid);
        u->require_userns = load_bool (r, "requireUserNamespace");
        u->allow_root_in_userns = load_bool (r, "allowRootInUserNamespace");
        return 0;
}

static int
load_rootfs (struct loader *l, const struct json *rules)
{
        const struct json *r = json_get (rules, "readOnlyRootfs"), *list;
        struct policy_rootfs *f = &l->p->rootfs;
        int64_t size;

        if (load_action (l, r, "/rules/readOnlyRootfs", &f->action) < 0
            || load_size (l, r, "tmpfsSize", "/rules/readOnlyRootfs/tmpfsSize", &size) < 0)
                return -1;
        f->tmpfs_size = size ? (uint64_t) size : 64ULL << 20;
        list = json_get (r, "tmpfs");
        for (size_t i = 0; list && i < list->n; i++) {
                const struct json *e = list->items[i];
                char ptr[64];
                snprintf (ptr, sizeof ptr, "/rules/readOnlyRootfs/tmpfs/%zu", i);
                if (e->text[0] != '/' || strstr (e->text, "/../") || strcmp (e->text, "/") == 0)
                        return load_fail (l, e, ptr, "\"%s\" must be an absolute path below /", e->text);
                if (f->ntmpfs == POLICY_MAX_TMPFS)
                        return load_fail (l, e, ptr, "at most %d tmpfs paths", POLICY_MAX_TMPFS);
                f->tmpfs[f->ntmpfs++] = e->text;
        }
        return 0;
}

static int
load_caps (struct loader *l, const struct json *rules)
{
        const struct json *r = json_get (rules, "capabilities"), *list;
        struct policy_caps *c = &l->p->caps;

        if (load_action (l, r, "/rules/capabilities", &c->action) < 0)
                return -1;
        list = json_get (r, "allow");
        for (size_t i = 0; list && i < list->n; i++) {
                const struct json *e = list->items[i];
                char ptr[64];
                int cap;
                snprintf (ptr, sizeof ptr, "/rules/capabilities/allow/%zu", i);
                if (caps_from_name (e->text, &cap) < 0)
                        return load_fail (l, e, ptr, "\"%s\" is not a capability of this kernel "
                                                     "(exact CAP_* names only)", e->text);
                c->allow |= 1ULL << cap;
        }
        return 0;
}

static int
load_deny (struct loader *l, const struct json *list)
{
        struct policy_seccomp *s = &l->p->seccomp;

        for (size_t i = 0; i < HD_ARRAY_SIZE (builtin_deny); i++)
                s->deny[s->ndeny++] = builtin_deny[i];
        for (size_t i = 0; list && i < list->n; i++) {
                const struct json *e = list->items[i];
                char ptr[64];
                snprintf (ptr, sizeof ptr, "/rules/seccomp/deny/%zu", i);
                if (seccomp_syscall_known (s->profile, e->text) < 0)
                        return load_fail (l, e, ptr, "\"%s\" is not a system call libseccomp "
                                                     "knows for any of the profile's architectures",
                                          e->text);
                if (s->ndeny == POLICY_MAX_DENY)
                        return load_fail (l, e, ptr, "at most %d names", POLICY_MAX_DENY);
                s->deny[s->ndeny++] = e->text;
        }
        return 0;
}

static int
load_seccomp (struct loader *l, const struct json *rules)
{
        const struct json *r = json_get (rules, "seccomp"), *name;
        struct policy_seccomp *s = &l->p->seccomp;

        if (load_action (l, r, "/rules/seccomp", &s->action) < 0)
                return -1;
        name = json_get (r, "profile");
        s->profile_name = name ? name->text : "default";
        if (seccomp_profile_load (s->profile_name, &s->profile, l->err) < 0)
                return load_fail (l, name, "/rules/seccomp/profile", "%s", l->err->msg);
        /* the compiled-in profile's digest is computed at build time */
        s->text_sha256 = strcmp (s->profile_name, "default") == 0 ? policy_default_seccomp_json_sha256 : NULL;
        if (!s->memo && !(s->memo = calloc (1, sizeof *s->memo)))
                return hd_err_set (l->err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        return load_deny (l, json_get (r, "deny"));
}

static int
load_resources (struct loader *l, const struct json *rules)
{
        const struct json *r = json_get (rules, "resources");
        const struct json *mem = json_get (r, "memory"), *cpu = json_get (r, "cpu");
        const struct json *pids = json_get (r, "pids"), *swap = json_get (mem, "allowSwap");
        struct policy_resources *x = &l->p->resources;

        if (load_action (l, r, "/rules/resources", &x->action) < 0
            || load_size (l, mem, "default", "/rules/resources/memory/default", &x->memory_default) < 0
            || load_size (l, mem, "max", "/rules/resources/memory/max", &x->memory_max) < 0
            || load_millis (l, cpu, "default", "/rules/resources/cpu/default", &x->cpu_default_milli) < 0
            || load_millis (l, cpu, "max", "/rules/resources/cpu/max", &x->cpu_max_milli) < 0
            || load_i64 (l, pids, "default", "/rules/resources/pids/default", &x->pids_default) < 0
            || load_i64 (l, pids, "max", "/rules/resources/pids/max", &x->pids_max) < 0)
                return -1;
        x->allow_swap = swap && swap->boolean;
        x->cpu_period = 100000;
        if (json_get (cpu, "period")
            && (parse_u64 (json_get (cpu, "period")->text, json_get (cpu, "period")->len, &x->cpu_period) < 0
                || x->cpu_period < 1000 || x->cpu_period > 1000000))
                return load_fail (l, json_get (cpu, "period"), "/rules/resources/cpu/period",
                                  "must be between 1000 and 1000000 microseconds");
        if ((x->memory_max && x->memory_default > x->memory_max)
            || (x->cpu_max_milli && x->cpu_default_milli > x->cpu_max_milli)
            || (x->pids_max && x->pids_default > x->pids_max))
                return load_fail (l, r, "/rules/resources", "a default is above its max");
        return 0;
}

/* ---- lists and the rest of the surface -------------------------------------- */

static int load_list (struct loader *l, const struct json *rule, const char *key, const char *ptr,
                      const char *const *builtin, const char *const *enum_values, bool paths,
                      struct policy_list *out);

static const char *const ns_default[] = { "pid", "ipc", "uts", "network", "mount", NULL };
static const char *const ns_types[] = { "pid", "ipc", "uts", "network", "mount", "cgroup", "user",
                                        "time", NULL };
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
        "/", "/etc", "/proc", "/sys", "/dev", "/boot", "/root",
        "/var/lib/docker", "/var/lib/containerd", "/var/lib/containers", "/var/lib/kubelet",
        "/var/lib/etcd",
        "/run/docker.sock", "/run/docker", "/run/containerd", "/run/containers", "/run/crio",
        "/run/podman", "/run/runc", "/run/systemd", "/run/dbus", "/run/user", HD_PROOF_CACHE,
        "/var/run/docker.sock", "/var/run/docker", "/var/run/containerd", "/var/run/containers",
        "/var/run/crio", "/var/run/podman", "/var/run/runc", "/var/run/systemd", "/var/run/dbus",
        "/var/run/user", "/var/run/hardened", HD_FEATURES_CACHE_ROOT, NULL,
};
/* Where the engines keep container root filesystems (Docker's storage
 * drivers under its default data-root, containerd's task bundles, Podman
 * and CRI-O's storage): a rootfs below one is not refused for lying under
 * a denied path such as /var/lib/docker. */
static const char *const rootfs_storage_default[] = {
        "/var/lib/docker/overlay2", "/var/lib/docker/fuse-overlayfs", "/var/lib/docker/vfs/dir",
        "/var/lib/docker/btrfs/subvolumes", "/var/lib/docker/zfs/graph", "/var/lib/docker/aufs/mnt",
        "/run/containerd/io.containerd.runtime.v2.task", "/var/lib/containers/storage/overlay", NULL,
};

/* The built-in hook allow-list: Docker's libnetwork hook.  dockerd sets
 * {"path": "/proc/<its pid>/exe", "args": ["libnetwork-setkey",
 * "-exec-root=<exec root>", <64-hex container id>, <12-hex controller id>]}
 * and no env (moby daemon/oci_linux.go, withLibnetwork); the hooks rule
 * rewrites the path to the binary it names, and dockerd's re-exec keys on
 * argv[0], so the binary's own path runs the same code.  Exactly that shape,
 * any exec root and ids, nothing looser. */
static const char *const hook_default_paths[] = { "/usr/sbin/dockerd", "/usr/bin/dockerd" };
static const char *const hook_default_args[] = {
        "libnetwork-setkey", "-exec-root=/*", "[0-9a-f]{64}", "[0-9a-f]{12}",
};

static int
load_list (struct loader *l, const struct json *rule, const char *key, const char *ptr,
           const char *const *builtin, const char *const *enum_values, bool paths,
           struct policy_list *out)
{
        const struct json *list = json_get (rule, key);

        out->json = list;
        out->builtin = list ? NULL : builtin;
        for (size_t i = 0; list && i < list->n; i++) {
                const struct json *e = list->items[i];
                char eptr[128];
                bool known = !enum_values;
                snprintf (eptr, sizeof eptr, "%s/%s/%zu", ptr, key, i);
                for (size_t k = 0; enum_values && enum_values[k]; k++)
                        known |= strcmp (enum_values[k], e->text) == 0;
                if (!known)
                        return load_fail (l, e, eptr, "\"%s\" is not one of the accepted values", e->text);
                if (paths && e->text[0] != '/')
                        return load_fail (l, e, eptr, "\"%s\" must be an absolute path", e->text);
                if (e->len == 0)
                        return load_fail (l, e, eptr, "must not be empty");
        }
        return 0;
}

/* "c 10:200", "b 7:*": a type, then decimal numbers in the kernel's ranges
 * (a 12-bit major, a 20-bit minor; larger ones wrap when runc makes the
 * node), "*" for every minor of one major.  No wildcard major: that would
 * be every device of a type. */
static int
parse_device_numbers (const char *text, struct policy_device *out)
{
        const char *colon = strchr (text, ':'), *minor;

        if ((text[0] != 'c' && text[0] != 'b') || text[1] != ' ' || !colon)
                return -1;
        if (parse_u32 (text + 2, (size_t) (colon - text - 2), &out->major) < 0 || out->major >= 1u << 12)
                return -1;
        minor = colon + 1;
        if (strcmp (minor, "*") == 0)
                out->any_minor = true;
        else if (parse_u32 (minor, strlen (minor), &out->minor) < 0 || out->minor >= 1u << 20)
                return -1;
        out->type = text[0];
        return 0;
}

/* devices.allow: host device paths (resolved at check time, where the
 * devices are) or numbers. */
static int
load_devices (struct loader *l, const struct json *rule)
{
        struct policy_surface *x = &l->p->surface;
        const struct json *list = json_get (rule, "allow");

        if (load_list (l, rule, "allow", "/rules/devices", NULL, NULL, false, &x->device_allow) < 0)
                return -1;
        for (size_t i = 0; list && i < list->n; i++) {
                const struct json *e = list->items[i];
                struct policy_device *d = &x->devices_allowed[x->ndevices];
                char ptr[64];

                snprintf (ptr, sizeof ptr, "/rules/devices/allow/%zu", i);
                if (x->ndevices == POLICY_MAX_DEVICES)
                        return load_fail (l, e, ptr, "at most %d devices", POLICY_MAX_DEVICES);
                memset (d, 0, sizeof *d);
                if (e->text[0] == '/')
                        d->path = e->text;
                else if (parse_device_numbers (e->text, d) < 0)
                        return load_fail (l, e, ptr,
                                          "\"%s\" is neither an absolute device path nor numbers such as "
                                          "\"c 10:200\" or \"b 7:*\" (major below 4096, minor below 1048576)",
                                          e->text);
                x->ndevices++;
        }
        return 0;
}

/* Each string of `list` (at `ptr`) a well-formed pattern, into out[]. */
static int
load_patterns (struct loader *l, const struct json *list, const char *ptr, size_t max,
               const char **out, size_t *n)
{
        *n = 0;
        for (size_t i = 0; list && i < list->n; i++) {
                const struct json *e = list->items[i];
                const char *why;
                size_t where;
                char eptr[160];
                snprintf (eptr, sizeof eptr, "%s/%zu", ptr, i);
                if (i == max)
                        return load_fail (l, e, eptr, "at most %zu entries", max);
                if (pattern_check (e->text, &where, &why) < 0)
                        return load_fail (l, e, eptr, "pattern \"%s\": %s at byte %zu", e->text, why, where);
                out[(*n)++] = e->text;
        }
        return 0;
}

static int
load_hook (struct loader *l, const struct json *e, const char *ptr, struct policy_hook *h)
{
        const struct json *path = json_get (e, "path"), *max = json_get (e, "maxTimeout");
        char sub[128];

        if (json_get (e, "args0"))
                return load_fail (l, json_get (e, "args0"), ptr, "\"args0\" is gone: \"args\" lists every "
                                  "argument, argv[0] first, one pattern each");
        if (!path || path->text[0] != '/' || strncmp (path->text, "/proc/", 6) == 0)
                return load_fail (l, path ? path : e, ptr, "\"path\" must be the absolute path of a file "
                                  "(a /proc/PID/exe hook is matched by the binary it names)");
        h->path = path->text;
        snprintf (sub, sizeof sub, "%s/args", ptr);
        if (load_patterns (l, json_get (e, "args"), sub, POLICY_MAX_HOOK_ARGS, h->args, &h->nargs) < 0)
                return -1;
        snprintf (sub, sizeof sub, "%s/env", ptr);
        if (load_patterns (l, json_get (e, "env"), sub, POLICY_MAX_HOOK_ENV, h->env, &h->nenv) < 0)
                return -1;
        load_u32 (e, "maxTimeout", 0, &h->max_timeout);
        if (max && h->max_timeout == 0)
                return load_fail (l, max, ptr, "\"maxTimeout\" must be at least 1 second");
        return 0;
}

/* rules.hooks.allow, or the built-in list when the file has none. */
static int
load_hooks (struct loader *l, const struct json *allow)
{
        struct policy_surface *x = &l->p->surface;

        if (!allow) {
                for (size_t i = 0; i < HD_ARRAY_SIZE (hook_default_paths); i++) {
                        struct policy_hook *h = &x->hook_allow[x->nhook_allow++];
                        h->path = hook_default_paths[i];
                        h->nargs = HD_ARRAY_SIZE (hook_default_args);
                        memcpy (h->args, hook_default_args, sizeof hook_default_args);
                }
                return 0;
        }
        for (size_t i = 0; i < allow->n; i++) {
                char ptr[64];
                snprintf (ptr, sizeof ptr, "/rules/hooks/allow/%zu", i);
                if (i == POLICY_MAX_HOOKS)
                        return load_fail (l, allow->items[i], ptr, "at most %d hooks", POLICY_MAX_HOOKS);
                if (load_hook (l, allow->items[i], ptr, &x->hook_allow[x->nhook_allow++]) < 0)
                        return -1;
        }
        return 0;
}

/* cgroup v2 files that move processes or controllers: never a resource. */
static const char *const unified_never[] = {
        "cgroup.procs", "cgroup.threads", "cgroup.subtree_control", "cgroup.type",
};

/* resources.unified.allow: exact CONTROLLER.PARAMETER file names. */
static int
load_unified (struct loader *l, const struct json *rules)
{
        const struct json *u = json_get (json_get (rules, "resources"), "unified");
        struct policy_resources *x = &l->p->resources;
        const struct json *list;

        if (load_list (l, u, "allow", "/rules/resources/unified", NULL, NULL, false, &x->unified_allow) < 0)
                return -1;
        list = json_get (u, "allow");
        for (size_t i = 0; list && i < list->n; i++) {
                const char *k = list->items[i]->text;
                const char *dot = strchr (k, '.');
                char ptr[64];
                snprintf (ptr, sizeof ptr, "/rules/resources/unified/allow/%zu", i);
                if (!dot || dot == k || dot[1] == '\0'
                    || strspn (k, "abcdefghijklmnopqrstuvwxyz0123456789_") != (size_t) (dot - k)
                    || strspn (dot, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.") != strlen (dot))
                        return load_fail (l, list->items[i], ptr, "\"%s\" is not a cgroup v2 file name "
                                                                  "(CONTROLLER.PARAMETER)", k);
                for (size_t n = 0; n < HD_ARRAY_SIZE (unified_never); n++)
                        if (strcmp (k, unified_never[n]) == 0)
                                return load_fail (l, list->items[i], ptr, "%s moves processes or controllers, "
                                                                          "not a limit: it cannot be allowed", k);
        }
        return 0;
}

static const char *const sched_policies[] = { "SCHED_OTHER", "SCHED_FIFO", "SCHED_RR", "SCHED_BATCH",
                                              "SCHED_ISO", "SCHED_IDLE", "SCHED_DEADLINE", NULL };
static const char *const sched_default[] = { "SCHED_OTHER", "SCHED_BATCH", "SCHED_IDLE", NULL };
static const char *const ioprio_classes[] = { "IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE", NULL };
static const char *const ioprio_default[] = { "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE", NULL };

/* realtime: cpu is a share of one CPU (0 to 1, "0": none), the lists
 * name what process.scheduler and process.ioPriority may ask for. */
static int
load_realtime (struct loader *l, const struct json *rules)
{
        const struct json *r = json_get (rules, "realtime"), *cpu = json_get (r, "cpu");
        struct policy_realtime *x = &l->p->realtime;

        if (load_action (l, r, "/rules/realtime", &x->action) < 0
            || load_list (l, r, "schedulerPolicies", "/rules/realtime", sched_default, sched_policies, false,
                          &x->scheduler_allow) < 0
            || load_list (l, r, "ioPriorityClasses", "/rules/realtime", ioprio_default, ioprio_classes, false,
                          &x->ioprio_allow) < 0)
                return -1;
        x->cpu_milli = 0;
        if (cpu && (policy_parse_millis (cpu->text, cpu->len, &x->cpu_milli) < 0 || x->cpu_milli > 1000))
                return load_fail (l, cpu, "/rules/realtime/cpu",
                                  "%s is not a share of one CPU between 0 and 1 (e.g. 0, 0.05)", cpu->text);
        return 0;
}

static const char *
load_string (const struct json *rule, const char *key)
{
        const struct json *v = json_get (rule, key);

        return v ? v->text : NULL;
}

/* A filesystem type as mount(2) takes it: the kernel's names are exact
 * (lower case, digits, "_", "-", and "." for FUSE subtypes). */
static bool
fs_type_name (const char *t)
{
        return t[0] && strspn (t, "abcdefghijklmnopqrstuvwxyz0123456789_-.") == strlen (t);
}

/* mounts.allowTypes, allowMounts, rootfsUnder, rootfsStorage. */
static int
load_mount_options (struct loader *l, const struct json *r, struct policy_surface *x)
{
        const struct json *pairs = json_get (r, "allowMounts");
        char ptr[128];

        if (load_list (l, r, "allowTypes", "/rules/mounts", NULL, NULL, false, &x->mount_types) < 0
            || load_list (l, r, "rootfsUnder", "/rules/mounts", NULL, NULL, true, &x->rootfs_under) < 0
            || load_list (l, r, "rootfsStorage", "/rules/mounts", rootfs_storage_default, NULL, true,
                          &x->rootfs_storage) < 0)
                return -1;
        for (size_t i = 0; i < policy_list_len (&x->mount_types); i++) {
                snprintf (ptr, sizeof ptr, "/rules/mounts/allowTypes/%zu", i);
                if (!fs_type_name (policy_list_at (&x->mount_types, i)))
                        return load_fail (l, x->mount_types.json->items[i], ptr,
                                          "\"%s\" is not a filesystem type name", policy_list_at (&x->mount_types, i));
        }
        for (size_t i = 0; pairs && i < pairs->n; i++) {
                const struct json *t = json_get (pairs->items[i], "type");
                const struct json *d = json_get (pairs->items[i], "destination");
                snprintf (ptr, sizeof ptr, "/rules/mounts/allowMounts/%zu", i);
                if (!t || !d)
                        return load_fail (l, pairs->items[i], ptr, "needs \"type\" and \"destination\"");
                if (!fs_type_name (t->text))
                        return load_fail (l, t, ptr, "type \"%s\" is not a filesystem type name", t->text);
                if (!paths_clean (d->text))
                        return load_fail (l, d, ptr, "destination \"%s\" must be a clean absolute path", d->text);
        }
        x->mount_pairs = pairs;
        return 0;
}

static int
load_surface (struct loader *l, const struct json *rules)
{
        struct policy_surface *x = &l->p->surface;
        const struct json *r;

#define FAMILY(key, field) \
        (r = json_get (rules, key), load_action (l, r, "/rules/" key, &x->field))
        if (FAMILY ("hostNamespaces", host_namespaces) < 0
            || load_list (l, r, "require", "/rules/hostNamespaces", ns_default, ns_types, false, &x->ns_require) < 0
            || FAMILY ("mounts", mounts) < 0
            || load_list (l, r, "deny", "/rules/mounts", mount_deny_default, NULL, true, &x->mount_deny) < 0
            || load_list (l, r, "allow", "/rules/mounts", NULL, NULL, true, &x->mount_allow) < 0
            || load_mount_options (l, r, x) < 0
            || FAMILY ("privileged", privileged) < 0
            || FAMILY ("devices", devices) < 0 || load_devices (l, r) < 0
            || FAMILY ("maskedPaths", masked_paths) < 0
            || FAMILY ("sysctls", sysctls) < 0
            || load_list (l, r, "allow", "/rules/sysctls", NULL, NULL, false, &x->sysctl_allow) < 0
            || FAMILY ("lsm", lsm) < 0)
                return -1;
        x->mount_read_only = json_get (json_get (rules, "mounts"), "readOnly")
                             && json_get (json_get (rules, "mounts"), "readOnly")->boolean;
        x->apparmor_profile = load_string (r, "apparmorProfile");
        x->selinux_label = load_string (r, "selinuxLabel");
        if (FAMILY ("hooks", hooks) < 0 || FAMILY ("annotations", annotations) < 0
            || load_list (l, r, "prefixes", "/rules/annotations", NULL, NULL, false,
                          &x->annotation_prefixes) < 0
            || load_list (l, r, "allow", "/rules/annotations", NULL, NULL, false, &x->annotation_allow) < 0
            || FAMILY ("oomScoreAdj", oom_score_adj) < 0 || FAMILY ("rlimits", rlimits) < 0
            || FAMILY ("cgroupsPath", cgroups_path) < 0
            || load_list (l, r, "prefixes", "/rules/cgroupsPath", NULL, NULL, false, &x->cgroup_prefixes) < 0
            || FAMILY ("secrets", secrets) < 0)
                return -1;
#undef FAMILY
        if (load_hooks (l, json_get (json_get (rules, "hooks"), "allow")) < 0)
                return -1;
        x->rlimit_max = json_get (json_get (rules, "rlimits"), "max");
        return 0;
}

/* Exemptions: each needs a name, at least one match criterion, and only
 * rule families that exist. */
static int
load_exemptions (struct loader *l)
{
        const struct json *list = json_get (l->p->tree, "exemptions");

        for (size_t i = 0; list && i < list->n; i++) {
                const struct json *e = list->items[i], *m = json_get (e, "match");
                struct policy_exemption *x;
                char ptr[64];

                snprintf (ptr, sizeof ptr, "/exemptions/%zu", i);
                if (i == POLICY_MAX_EXEMPTIONS)
                        return load_fail (l, e, ptr, "at most %d exemptions", POLICY_MAX_EXEMPTIONS);
                if (!json_get (e, "name") || !json_get (e, "rules")
                    || (!json_get (m, "annotations") && !json_get (m, "ids")))
                        return load_fail (l, e, ptr, "needs \"name\", \"rules\" and a \"match\" "
                                                     "on \"annotations\" or \"ids\"");
                for (size_t k = 0; k < json_get (e, "rules")->n; k++) {
                        const struct json_member *fam = &json_get (e, "rules")->members[k];
                        enum policy_action ignored;
                        char fptr[128];
                        bool known = false;
                        for (const struct spec_field *f = rules_fields; f->name; f++)
                                known |= strcmp (f->name, fam->key) == 0;
                        snprintf (fptr, sizeof fptr, "%s/rules/%s", ptr, fam->key);
                        if (!known)
                                return load_fail (l, fam->value, fptr, "no rule family \"%s\"", fam->key);
                        if (load_action (l, fam->value, fptr, &ignored) < 0)
                                return -1;
                }
                x = &l->p->exemptions[l->p->nexemptions++];
                x->name = json_get (e, "name")->text;
                x->annotations = json_get (m, "annotations");
                x->ids = json_get (m, "ids");
                x->rules = json_get (e, "rules");
        }
        return 0;
}

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

static int
load_trust (struct loader *l)
{
        const struct json *list = json_get (l->p->tree, "trustedAnnotations");

        for (size_t i = 0; list && i < list->n; i++) {
                const struct json *e = list->items[i], *root = json_get (e, "root"), *pre = json_get (e, "prefixes");
                char ptr[64];

                snprintf (ptr, sizeof ptr, "/trustedAnnotations/%zu", i);
                if (!root || !pre || pre->n == 0)
                        return load_fail (l, e, ptr, "needs \"root\" and a non-empty \"prefixes\"");
                if (!paths_clean (root->text))
                        return load_fail (l, root, ptr, "root \"%s\" must be a clean absolute path", root->text);
                for (size_t k = 0; k < pre->n; k++)
                        if (pre->items[k]->len == 0)
                                return load_fail (l, pre->items[k], ptr, "a prefix must not be empty");
        }
        l->p->trusted_annotations = list;
        if (list)
                return 0;
        if (json_parse (trusted_default, sizeof trusted_default - 1, &l->p->trusted_builtin, l->err) < 0)
                return -1;
        l->p->trusted_annotations = l->p->trusted_builtin;
        return 0;
}

/* ---- top level ------------------------------------------------------------ */

/* document.*: each class reject (default) or rewrite; unknown fields also
 * allow.  The older top-level "unknownFields" (reject|allow) still counts,
 * below document.unknownFields, so an overlay can use either. */
static int
load_document (struct loader *l)
{
        static const char *const names[] = {
                [ACTION_OFF] = "allow", [ACTION_REJECT] = "reject", [ACTION_REWRITE] = "rewrite",
        };
        static const struct {
                const char *key;
                size_t field;
                bool allow;     /* "allow" accepted */
        } classes[] = {
                { "foldedKeys", offsetof (struct policy_document, folded_keys), false },
                { "nulls", offsetof (struct policy_document, nulls), false },
                { "duplicateKeys", offsetof (struct policy_document, duplicate_keys), false },
                { "unknownFields", offsetof (struct policy_document, unknown_fields), true },
        };
        static const char *const legacy[] = { [ACTION_OFF] = "allow", [ACTION_REJECT] = "reject" };
        const struct json *doc = json_get (l->p->tree, "document"), *v;
        char ptr[64];
        int e = 0;

        for (size_t i = 0; i < HD_ARRAY_SIZE (classes); i++) {
                enum policy_action a = ACTION_REJECT;

                snprintf (ptr, sizeof ptr, "/document/%s", classes[i].key);
                v = json_get (doc, classes[i].key);
                if (!v && classes[i].allow && (v = json_get (l->p->tree, "unknownFields"))) {
                        if (parse_enum (l, v, "/unknownFields", legacy, HD_ARRAY_SIZE (legacy), &e) < 0)
                                return -1;
                        v = NULL;
                        a = (enum policy_action) e;
                }
                if (v) {
                        if (parse_enum (l, v, ptr, names, classes[i].allow ? HD_ARRAY_SIZE (names) : ACTION_REWRITE + 1,
                                        &e) < 0)
                                return -1;
                        if (e == ACTION_OFF && !classes[i].allow)
                                return load_fail (l, v, ptr, "\"allow\" is only for unknownFields: runc acts on "
                                                  "this class; \"reject\" or \"rewrite\"");
                        a = (enum policy_action) e;
                }
                memcpy ((char *) &l->p->document + classes[i].field, &a, sizeof a);
        }
        return 0;
}

static int
load_top (struct loader *l)
{
        static const char *const modes[] = { [MODE_ENFORCE] = "enforce", [MODE_AUDIT] = "audit" };
        const struct json *root = l->p->tree, *v;
        int e = 0;

        v = json_get (root, "apiVersion");
        if (!v || strcmp (v->text, "hardened/v1") != 0)
                return load_fail (l, v ? v : root, "/apiVersion", "must be \"hardened/v1\"");
        l->p->mode = MODE_ENFORCE;
        if ((v = json_get (root, "mode"))) {
                if (parse_enum (l, v, "/mode", modes, HD_ARRAY_SIZE (modes), &e) < 0)
                        return -1;
                l->p->mode = (enum policy_mode) e;
        }
        if (load_document (l) < 0)
                return -1;
        static char compiled_in[] = HD_DEFAULT_RUNTIME;

        l->p->runtime = compiled_in;
        if ((v = json_get (root, "runtime"))) {
                if (v->text[0] != '/')
                        return load_fail (l, v, "/runtime", "must be an absolute path");
                l->p->runtime = v->text;
        }
        if ((v = json_get (root, "decisionLog"))) {
                if (v->text[0] != '/')
                        return load_fail (l, v, "/decisionLog", "must be an absolute path");
                l->p->decision_log = v->text;
        }
        v = json_path (root, "audit", "required", NULL);
        l->p->audit_required = v && v->boolean;
        return 0;
}

/* ---- sources and layering ------------------------------------------------- */

static void
mark_source (struct json *j, unsigned short src)
{
        j->src = src;
        for (size_t i = 0; i < j->n; i++)
                mark_source (j->type == JSON_OBJECT ? j->members[i].value : j->items[i], src);
}

/* Parse and schema-check one file's bytes as source number nsources. */
static int
add_source (struct policy *p, const char *name, const char *buf, size_t len, struct json **tree,
            struct hd_err *err)
{
        struct policy_source *s;
        const struct json *api;

        if (p->nsources == POLICY_MAX_SOURCES)
                return hd_err_set (err, HD_EXIT_REFUSED, E2BIG, "%s: more than %d layered files", name,
                                   POLICY_MAX_SOURCES);
        s = &p->sources[p->nsources];
        s->name = strdup (name);
        s->text = malloc (len + 1);
        if (!s->name || !s->text) {
                free (s->name);
                free (s->text);
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        }
        memcpy (s->text, buf, len);
        s->text[len] = '\0';
        s->len = len;
        p->nsources++;
        if (json_parse (s->text, len, tree, err) < 0
            || spec_check (*tree, &p_policy, SPEC_EXACT_KEYS, s->text, len, err) < 0)
                return hd_err_prefix (err, "%s:", name);
        mark_source (*tree, (unsigned short) (p->nsources - 1));
        api = json_get (*tree, "apiVersion");
        if (!api || strcmp (api->text, "hardened/v1") != 0) {
                unsigned line = 1, col = 1;
                if (api)
                        json_line_col (s->text, len, api->off, &line, &col);
                return hd_err_set (err, HD_EXIT_REFUSED, EINVAL,
                                   "%s:%u:%u: /apiVersion: must be \"hardened/v1\"", name, line, col);
        }
        return 0;
}

/* Merge `over` into `base` (both consumed; result in *base): objects key by
 * key recursively, anything else replaced, top-level "exemptions" appended. */
static int
merge (struct json **base, struct json *over, bool top, struct hd_err *err)
{
        if (!*base || (*base)->type != JSON_OBJECT || over->type != JSON_OBJECT) {
                json_free (*base);
                *base = over;
                return 0;
        }
        for (size_t i = 0; i < over->n; i++) {
                struct json_member *m = &over->members[i];
                struct json *have = NULL;
                size_t k;
                for (k = 0; k < (*base)->n; k++)
                        if (strcmp ((*base)->members[k].key, m->key) == 0) {
                                have = (*base)->members[k].value;
                                break;
                        }
                if (top && strcmp (m->key, "exemptions") == 0 && have) {
                        for (size_t e = 0; e < m->value->n; e++)
                                if (json_append (have, steal_ptr (&m->value->items[e]), err) < 0)
                                        return -1;
                        continue;
                }
                if (!have) {
                        if (json_set (*base, m->key, steal_ptr (&m->value), err) < 0)
                                return -1;
                        continue;
                }
                if (merge (&(*base)->members[k].value, steal_ptr (&m->value), false, err) < 0)
                        return -1;
        }
        json_free (over);
        return 0;
}

static int load_layered (struct policy *p, const char *path, int depth, struct json **out,
                         struct hd_err *err);

/* The file named by "extends", relative to the extending file's directory. */
static int
load_extends (struct policy *p, const char *path, const struct json *ext, int depth,
              struct json **out, struct hd_err *err)
{
        _cleanup_free_ char *dir_copy = strdup (path);
        char base[PATH_MAX];

        if (!dir_copy)
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        if (ext->text[0] == '/')
                snprintf (base, sizeof base, "%s", ext->text);
        else
                snprintf (base, sizeof base, "%s/%s", dirname (dir_copy), ext->text);
        if (depth >= 8)
                return hd_err_set (err, HD_EXIT_REFUSED, ELOOP,
                                   "%s: /extends: more than 8 levels (a cycle?)", path);
        return load_layered (p, base, depth + 1, out, err);
}

/* A file and the chain it extends, merged (the file's values win). */
static int
load_layered (struct policy *p, const char *path, int depth, struct json **out, struct hd_err *err)
{
        _cleanup_free_ char *buf = NULL;
        _cleanup_json_ struct json *tree = NULL;
        struct json *base = NULL;
        const struct json *ext;
        size_t len;

        if (adminfile_read (path, &buf, &len, err) < 0)
                return hd_err_prefix (err, "policy %s: ", path);
        if (add_source (p, path, buf, len, &tree, err) < 0)
                return -1;
        ext = json_get (tree, "extends");
        if (ext && load_extends (p, path, ext, depth, &base, err) < 0)
                return -1;
        json_del (tree, "extends");
        if (!base) {
                *out = steal_ptr (&tree);
                return 0;
        }
        if (merge (&base, steal_ptr (&tree), true, err) < 0) {
                json_free (base);
                return -1;
        }
        *out = base;
        return 0;
}

/* policy.d/ next to the policy, when there is one: whoever can add a file
 * to it adds to the policy, so it is held to the policy's own standard even
 * while it is empty, and a policy.d that cannot be listed fails the load.
 * 1 when there is one to read, 0 when there is none. */
static int
check_overlay_dir (const char *dir, struct hd_err *err)
{
        struct stat st;

        if (lstat (dir, &st) < 0 && errno == ENOENT)
                return 0;
        if (trust_check_path (dir, err) < 0)
                return hd_err_prefix (err, "policy overlays %s: refused, someone other than root can change them: ",
                                      dir);
        return 1;
}

/* The *.json files of policy.d/ next to `path`, in lexical order, merged on top. */
static int
load_overlays (struct policy *p, const char *path, struct hd_err *err)
{
        _cleanup_free_ char *dir_copy = strdup (path);
        char dir[PATH_MAX], pattern[PATH_MAX + 8];
        glob_t g;
        int rc = 0;

        if (!dir_copy)
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        snprintf (dir, sizeof dir, "%s/policy.d", dirname (dir_copy));
        rc = check_overlay_dir (dir, err);
        if (rc <= 0)
                return rc;
        snprintf (pattern, sizeof pattern, "%s/*.json", dir);
        rc = glob (pattern, GLOB_ERR, NULL, &g);
        if (rc == GLOB_ABORTED)
                return hd_err_set (err, HD_EXIT_REFUSED, EACCES, "policy overlays %s: cannot be listed", dir);
        if (rc != 0)
                return 0; /* no *.json in it */
        for (size_t i = 0; rc == 0 && i < g.gl_pathc; i++) {
                struct json *over = NULL;
                rc = load_layered (p, g.gl_pathv[i], 0, &over, err);
                if (rc == 0)
                        rc = merge (&p->tree, over, true, err);
        }
        globfree (&g);
        return rc;
}

/* Everything after the merged tree is in p->tree. */
static int
load_tree (struct policy *p, struct hd_err *err)
{
        struct loader l = { .p = p, .err = err };
        const struct json *rules = json_get (p->tree, "rules");

        if (load_top (&l) < 0 || load_user (&l, rules) < 0 || load_rootfs (&l, rules) < 0
            || load_caps (&l, rules) < 0
            || load_action (&l, json_get (rules, "noNewPrivileges"), "/rules/noNewPrivileges",
                            &p->no_new_privileges) < 0
            || load_action (&l, json_get (rules, "runtimeFlags"), "/rules/runtimeFlags",
                            &p->runtime_flags) < 0
            || load_seccomp (&l, rules) < 0 || load_resources (&l, rules) < 0
            || load_unified (&l, rules) < 0 || load_realtime (&l, rules) < 0
            || load_surface (&l, rules) < 0 || load_exemptions (&l) < 0 || load_trust (&l) < 0)
                return -1;
        return 0;
}

int
policy_load_buffer (const char *source, const char *buf, size_t len, struct policy *p,
                    struct hd_err *err)
{
        memset (p, 0, sizeof *p);
        p->source = strdup (source);
        if (!p->source)
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        if (add_source (p, source, buf, len, &p->tree, err) < 0)
                return -1;
        if (json_get (p->tree, "extends"))
                return load_fail (&(struct loader) { .p = p, .err = err }, json_get (p->tree, "extends"),
                                  "/extends", "only a policy file can extend another");
        return load_tree (p, err);
}

int
policy_load_file (const char *path, struct policy *p, struct hd_err *err)
{
        memset (p, 0, sizeof *p);
        p->source = strdup (path);
        if (!p->source)
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        if (load_layered (p, path, 0, &p->tree, err) < 0 || load_overlays (p, path, err) < 0)
                return -1;
        return load_tree (p, err);
}

/* The installed policy: 1 when it is absent (nothing at all there, not
 * even a symlink, and its directory no dangling symlink either), 0 when
 * something is there to load, < 0 for a symlink to nothing.  Whatever is
 * there is loaded, so a dangling link, an unreadable or an invalid file
 * fails closed instead of falling back to the built-in default. */
static int
installed_absent (const char *path, struct hd_err *err)
{
        _cleanup_free_ char *dir_copy = strdup (path);
        struct stat st;

        if (lstat (path, &st) == 0) {
                if (S_ISLNK (st.st_mode) && stat (path, &st) < 0)
                        return hd_err_set (err, HD_EXIT_REFUSED, errno,
                                           "policy %s: a symbolic link to nothing (%s); point it at "
                                           "the policy or remove it", path, strerror (errno));
                return 0;
        }
        if (errno != ENOENT || !dir_copy)
                return 0;
        if (lstat (dirname (dir_copy), &st) == 0 && S_ISLNK (st.st_mode) && stat (dir_copy, &st) < 0)
                return hd_err_set (err, HD_EXIT_REFUSED, ENOENT,
                                   "policy %s: its directory %s is a symbolic link to nothing", path,
                                   dir_copy);
        return 1;
}

int
policy_resolve (const char *named, struct policy *p, struct hd_err *err)
{
        int absent;

        if (named)
                return policy_load_file (named, p, err);
        absent = installed_absent (HD_POLICY_PATH, err);
        if (absent < 0)
                return -1;
        if (!absent)
                return policy_load_file (HD_POLICY_PATH, p, err);
        return policy_load_buffer ("built-in default", policy_default_json, policy_default_json_len,
                                   p, err);
}

void
policy_free (struct policy *p)
{
        json_free (p->seccomp.profile);
        free (p->seccomp.memo);
        json_free (p->tree);
        json_free (p->trusted_builtin);
        for (size_t i = 0; i < p->backend.nunsafe; i++)
                free (p->backend.unsafe[i]);
        free (p->backend.unsafe);
        free (p->source);
        for (size_t i = 0; i < p->nsources; i++) {
                free (p->sources[i].name);
                free (p->sources[i].text);
        }
        memset (p, 0, sizeof *p);
}

char *
policy_peek_runtime (const char *named)
{
        const char *path = named ? named : HD_POLICY_PATH;
        _cleanup_free_ char *buf = NULL;
        _cleanup_json_ struct json *tree = NULL;
        struct hd_err ignored;
        const struct json *rt;
        size_t len;

        if (adminfile_read (path, &buf, &len, &ignored) < 0
            || json_parse (buf, len, &tree, &ignored) < 0)
                return NULL;
        rt = json_get (tree, "runtime");
        return rt && rt->type == JSON_STRING && rt->text[0] == '/' ? strdup (rt->text) : NULL;
}
