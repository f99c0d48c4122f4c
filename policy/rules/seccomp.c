#include "config.h"

#include <stddef.h>

#include <stdio.h>
#include <string.h>

#include "hardened/rules.h"
#include "hardened/util.h"

/* seccomp.profile: the container must have a deny-by-default profile that
 * blocks every system call of the policy's deny-list.  A missing profile,
 * {}, or a defaultAction of allow/log is replaced by the policy's profile
 * (or refused); so is an engine's profile that lets a denied call through.
 * seccomp.loadable: the final profile compiles with libseccomp. */

static const char *const non_blocking[] = {
        "SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_TRACE", "SCMP_ACT_NOTIFY",
};

static bool
blocking (const struct json *action)
{
        for (size_t i = 0; i < HD_ARRAY_SIZE (non_blocking); i++)
                if (!action || strcmp (action->text, non_blocking[i]) == 0)
                        return false;
        return true;
}

/* Is `name` let through by some rule (conditionally counts: the check is
 * about what can get through)? */
static bool
rule_lets_through (const struct json *rules, const char *name)
{
        for (size_t i = 0; rules && i < rules->n; i++) {
                const struct json *names = json_get (rules->items[i], "names");
                if (blocking (json_get (rules->items[i], "action")))
                        continue;
                for (size_t k = 0; names && k < names->n; k++)
                        if (strcmp (names->items[k]->text, name) == 0)
                                return true;
        }
        return false;
}

static void
seccomp_check (const struct policy *p, const struct json *doc, struct decision *d, const char *id)
{
        const struct json *sc = json_path (doc, "linux", "seccomp", NULL);
        const struct json *dflt = json_get (sc, "defaultAction"), *rules = json_get (sc, "syscalls");
        char found[160] = "";
        size_t used = 0;

        if (!sc || sc->n == 0 || !blocking (dflt)) {
                decision_add (d, id, "/linux/seccomp", !sc ? "(absent)" : !dflt ? "{}" : dflt->text,
                              "a deny-by-default profile", "no deny-by-default seccomp profile");
                return;
        }
        for (size_t i = 0; i < p->seccomp.ndeny; i++)
                if (rule_lets_through (rules, p->seccomp.deny[i]) && used < sizeof found)
                        used += (size_t) snprintf (found + used, sizeof found - used, "%s%s",
                                                   used ? "," : "", p->seccomp.deny[i]);
        if (used)
                decision_add (d, id, "/linux/seccomp/syscalls", found, "blocked",
                              "the seccomp profile allows %s", found);
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

        if (sc && sc->n && rules_seccomp_compile (sc, &err) < 0)
                decision_add (d, id, "/linux/seccomp", err.msg, "a profile libseccomp compiles",
                              "the seccomp profile does not load: %s", err.msg);
}

const struct rule rule_seccomp_profile = {
        "seccomp.profile", "seccomp", RULE_CREATE, offsetof (struct policy, seccomp.action), seccomp_check, seccomp_fix,
};
const struct rule rule_seccomp_loadable = {
        "seccomp.loadable", "seccomp", RULE_CREATE, offsetof (struct policy, seccomp.action), loadable_check, seccomp_fix,
};
