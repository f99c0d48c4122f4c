#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "hardened/rules.h"
#include "hardened/util.h"

/* The runtime flags document (RULE_FLAGS): what create, run and restore's
 * flags tell runc to do to the container, as shim/runtime_flags.c reads them off
 * the command line (every bool with Go's strconv.ParseBool, last one
 * given wins):
 *
 *   { "noPivot": true,              create, run, restore: MS_MOVE + chroot
 *                                   instead of pivot_root(2)
 *     "noNewKeyring": true,         create, run: no session keyring of its own
 *     "lsmProfile": "TYPE:NAME",    restore: CRIU puts every restored task
 *                                   under this LSM profile
 *     "lsmMountContext": "CTX",     restore: CRIU's context= for the mounts
 *     "config": { "apparmorProfile", "selinuxLabel", "mountLabel" },
 *                                   the checked config.json's labels
 *     "annotations": { ... },       the checked config's, for exemptions
 *     "restore": { "imagePath": "PATH" } }
 *                                   restore only (policy/rules/restore.c):
 *                                   --image-path, "" for runc's default
 *
 * A key is absent when its flag was not given (or was given empty, which
 * runc reads as not given).  A fix edits the document; the shim hands runc
 * the flags the fixed document says, and nothing else.
 *
 * Threat: these flags change the container without appearing in
 * config.json.  Without pivot_root the host's root stays mounted under the
 * container's root: a process with CAP_SYS_ADMIN detaches "/" and setns(2)
 * into its own mount namespace lands on the host's root filesystem (shown
 * in tests/integration/runtime-flags.bats).  Without a new session keyring the
 * container shares the keys of the caller's session.  On restore,
 * --lsm-profile and --lsm-mount-context replace the labels of the checked
 * config with ones the policy never saw ("apparmor:unconfined"): they are
 * accepted only when they say what the checked config says (what Podman
 * passes). */

static const struct {
        const char *key;
        const char *flag;
        const char *why;
} bool_flags[] = {
        { "noPivot", "no-pivot", "--no-pivot keeps the host's root reachable through the mount namespace" },
        { "noNewKeyring", "no-new-keyring", "--no-new-keyring shares the caller's session keyring with the container" },
};

static void
flags_check (const struct policy *p, const struct json *doc, struct decision *d, const char *id)
{
        (void) p;
        for (size_t i = 0; i < HD_ARRAY_SIZE (bool_flags); i++) {
                const struct json *v = json_get (doc, bool_flags[i].key);
                char ptr[64];

                if (!v || v->type != JSON_BOOL || !v->boolean)
                        continue;
                snprintf (ptr, sizeof ptr, "/%s", bool_flags[i].key);
                decision_add (d, id, ptr, "true", "false (--no-pivot/--no-new-keyring not given)", "%s",
                              bool_flags[i].why);
        }
}

static int
flags_fix (const struct policy *p, struct json *doc, const struct decision *ctx, struct hd_err *err)
{
        (void) p;
        (void) ctx;
        for (size_t i = 0; i < HD_ARRAY_SIZE (bool_flags); i++)
                if (json_get (doc, bool_flags[i].key) && json_set_bool (doc, bool_flags[i].key, false, err) < 0)
                        return -1;
        return 0;
}

const struct rule rule_runtime_flags = {
        "runtime.flags", "runtimeFlags", RULE_FLAGS, offsetof (struct policy, runtime_flags), flags_check, flags_fix,
};

/* ---- restore's LSM overrides ---------------------------------------------- */

/* CRIU reads --lsm-profile as "apparmor:NAME" or "selinux:LABEL". */
static const struct {
        const char *prefix;
        const char *config_key;
} lsm_types[] = {
        { "apparmor:", "apparmorProfile" },
        { "selinux:", "selinuxLabel" },
};

static const char *
doc_string (const struct json *obj, const char *key)
{
        const struct json *v = json_get (obj, key);

        return v && v->type == JSON_STRING && v->len ? v->text : NULL;
}

/* What --lsm-profile must say: the checked config's label of the same LSM,
 * as "TYPE:LABEL" in `out`; false when the config has none (or the type is
 * not one CRIU knows). */
static bool
lsm_profile_wanted (const struct json *doc, const char *given, char *out, size_t size)
{
        const struct json *config = json_get (doc, "config");

        for (size_t i = 0; i < HD_ARRAY_SIZE (lsm_types); i++) {
                const char *label = doc_string (config, lsm_types[i].config_key);
                if (strncmp (given, lsm_types[i].prefix, strlen (lsm_types[i].prefix)) == 0 && label) {
                        snprintf (out, size, "%s%s", lsm_types[i].prefix, label);
                        return true;
                }
        }
        return false;
}

static void
lsm_check (const struct policy *p, const struct json *doc, struct decision *d, const char *id)
{
        const char *profile = doc_string (doc, "lsmProfile"), *context = doc_string (doc, "lsmMountContext");
        const char *mount_label = doc_string (json_get (doc, "config"), "mountLabel");
        char want[192];
        bool have = profile && lsm_profile_wanted (doc, profile, want, sizeof want);

        (void) p;
        if (profile && !(have && strcmp (profile, want) == 0))
                decision_add (d, id, "/lsmProfile", profile, have ? want : "absent (the config has no such label)",
                              "restore --lsm-profile replaces the checked config's LSM label");
        if (context && !(mount_label && strcmp (context, mount_label) == 0))
                decision_add (d, id, "/lsmMountContext", context,
                              mount_label ? mount_label : "absent (the config has no linux.mountLabel)",
                              "restore --lsm-mount-context replaces the checked config's mount label");
}

/* The config's own label where it has one; otherwise the flag goes, and
 * CRIU restores the labels the checkpoint recorded, as a plain restore. */
static int
lsm_fix (const struct policy *p, struct json *doc, const struct decision *ctx, struct hd_err *err)
{
        const char *profile = doc_string (doc, "lsmProfile"), *context = doc_string (doc, "lsmMountContext");
        const char *mount_label = doc_string (json_get (doc, "config"), "mountLabel");
        char want[192];

        (void) p;
        (void) ctx;
        if (profile && lsm_profile_wanted (doc, profile, want, sizeof want)) {
                if (json_set (doc, "lsmProfile", json_new_string (want), err) < 0)
                        return -1;
        } else if (profile) {
                json_del (doc, "lsmProfile");
        }
        if (context && mount_label)
                return json_set (doc, "lsmMountContext", json_new_string (mount_label), err);
        if (context)
                json_del (doc, "lsmMountContext");
        return 0;
}

const struct rule rule_runtime_restore_lsm = {
        "runtime.restoreLsm", "runtimeFlags", RULE_FLAGS, offsetof (struct policy, runtime_flags), lsm_check, lsm_fix,
};
