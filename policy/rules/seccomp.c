#include "config.h"

#include <stddef.h>

#include <stdio.h>
#include <string.h>

#include "hardened/rules.h"
#include "hardened/seccomp_profile.h"
#include "hardened/util.h"

/* seccomp.profile: the container must have a deny-by-default profile whose
 * compiled program blocks every system call of the policy's deny-list, on
 * every architecture the host executes (seccomp_profile_judge: the BPF that
 * runc would load, run against probes with searched arguments).  A missing
 * profile, {}, a defaultAction that lets unknown calls through, or a
 * profile that lets a denied call through in any spelling (an argument
 * filter that misses a namespace flag, LOG/TRACE/NOTIFY, an architecture's
 * own numbers) is replaced by the policy's profile (or refused).
 * seccomp.loadable: the final profile compiles with libseccomp.  A profile
 * that does not compile is left to seccomp.loadable: both rules share the
 * family's action, so it is reported and fixed either way. */

static const char *const non_blocking[] = {
        "SCMP_ACT_ALLOW",
        "SCMP_ACT_LOG",
        "SCMP_ACT_TRACE",
        "SCMP_ACT_NOTIFY",
};

static bool
blocking (const struct json *action)
{
        for (size_t i = 0; i < HD_ARRAY_SIZE (non_blocking); i++)
                if (!action || strcmp (action->text, non_blocking[i]) == 0)
                        return false;
        return true;
}

static void
seccomp_check (const struct policy *p, const struct json *doc, struct decision *d, const char *id)
{
        const struct json *sc = json_path (doc, "linux", "seccomp", NULL);
        const struct json *dflt = json_get (sc, "defaultAction");
        struct seccomp_verdict v;
        struct hd_err err = { 0 };

        if (!sc || sc->n == 0 || !blocking (dflt)) {
                decision_add (d, id, "/linux/seccomp",
                              !sc     ? "(absent)"
                              : !dflt ? "{}"
                                      : dflt->text,
                              "a deny-by-default profile", "no deny-by-default seccomp profile");
                return;
        }
        if (seccomp_profile_judge (p, sc, &v, &err) == 0 && v.through[0])
                decision_add (d, id, "/linux/seccomp/syscalls", v.through, "blocked", "the seccomp profile allows %s",
                              v.through);
}

static int
seccomp_fix (const struct policy *p, struct json *doc, const struct decision *ctx, struct hd_err *err)
{
        struct json *linux_ = json_ensure (doc, "linux", JSON_OBJECT, err);

        return linux_ ? json_set (linux_, "seccomp", json_clone (p->seccomp.profile), err) : -1;
}

static void
loadable_check (const struct policy *p, const struct json *doc, struct decision *d, const char *id)
{
        const struct json *sc = json_path (doc, "linux", "seccomp", NULL);
        struct hd_err err = { 0 };

        struct seccomp_verdict v;

        if (sc && sc->n && seccomp_profile_judge (p, sc, &v, &err) < 0)
                decision_add (d, id, "/linux/seccomp", err.msg, "a profile libseccomp compiles",
                              "the seccomp profile does not load: %s", err.msg);
}

const struct rule rule_seccomp_profile = {
        "seccomp.profile", "seccomp", RULE_CREATE, offsetof (struct policy, seccomp.action), seccomp_check, seccomp_fix,
};
const struct rule rule_seccomp_loadable = {
        "seccomp.loadable", "seccomp",   RULE_CREATE, offsetof (struct policy, seccomp.action),
        loadable_check,     seccomp_fix,
};
