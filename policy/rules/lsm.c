#include "config.h"

#include <stddef.h>

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hardened/rules.h"
#include "hardened/util.h"

/* lsm.apparmor (CIS 5.1, 5.2; PSS AppArmor): no "unconfined" profile; the
 * policy's profile applied where the host has AppArmor enabled.
 * lsm.selinux (CIS 5.2; PSS SELinux): no unconfined_t / spc_t process type;
 * the policy's label applied where the host has SELinux.  On a host without
 * the LSM the runtime ignores the field: the fix then drops an "unconfined"
 * value and records a note instead of applying a profile. */

static bool
apparmor_enabled (void)
{
        char c = 0;
        _cleanup_close_ int fd = open ("/sys/module/apparmor/parameters/enabled", O_RDONLY | O_CLOEXEC);

        return fd >= 0 && read (fd, &c, 1) == 1 && c == 'Y';
}

static bool
selinux_enabled (void)
{
        return access ("/sys/fs/selinux/enforce", F_OK) == 0;
}

static bool
apparmor_bad (const struct policy *p, const struct json *v)
{
        if (v && strcmp (v->text, "unconfined") == 0)
                return true;
        return !v && p->surface.apparmor_profile && apparmor_enabled ();
}

static void
apparmor_check (const struct policy *p, const struct json *doc, struct decision *d, const char *id)
{
        const struct json *v = json_path (doc, "process", "apparmorProfile", NULL);

        if (apparmor_bad (p, v))
                decision_add (d, id, "/process/apparmorProfile", v ? v->text : "(absent)",
                              p->surface.apparmor_profile ? p->surface.apparmor_profile : "a confining profile",
                              v ? "AppArmor profile \"unconfined\"" : "no AppArmor profile");
}

static int
apparmor_fix (const struct policy *p, struct json *doc, const struct decision *ctx, struct hd_err *err)
{
        struct json *process = json_ensure (doc, "process", JSON_OBJECT, err);

        if (!process)
                return -1;
        if (p->surface.apparmor_profile && apparmor_enabled ())
                return json_set (process, "apparmorProfile", json_new_string (p->surface.apparmor_profile), err);
        if (!apparmor_enabled ())
                json_del (process, "apparmorProfile"); /* ignored without AppArmor anyway */
        return 0;                                      /* AppArmor on and no profile to apply: no fix, refused */
}

static bool
selinux_bad (const struct policy *p, const struct json *v)
{
        if (v && (strstr (v->text, ":unconfined_t") || strstr (v->text, ":spc_t")))
                return true;
        return !v && p->surface.selinux_label && selinux_enabled ();
}

static void
selinux_check (const struct policy *p, const struct json *doc, struct decision *d, const char *id)
{
        const struct json *v = json_path (doc, "process", "selinuxLabel", NULL);

        if (selinux_bad (p, v))
                decision_add (d, id, "/process/selinuxLabel", v ? v->text : "(absent)",
                              p->surface.selinux_label ? p->surface.selinux_label : "a confined type",
                              v ? "SELinux label with an unconfined type" : "no SELinux label");
}

static int
selinux_fix (const struct policy *p, struct json *doc, const struct decision *ctx, struct hd_err *err)
{
        struct json *process = json_ensure (doc, "process", JSON_OBJECT, err);

        if (!process)
                return -1;
        if (p->surface.selinux_label && selinux_enabled ())
                return json_set (process, "selinuxLabel", json_new_string (p->surface.selinux_label), err);
        if (!selinux_enabled ())
                json_del (process, "selinuxLabel");
        return 0;
}

/* Notes for the record when the LSM is absent (no finding: nothing to fix). */
static void
lsm_notes (const struct policy *p, const struct json *doc, struct decision *d, const char *id)
{
        (void) doc;
        (void) id;
        if (p->surface.apparmor_profile && !apparmor_enabled ())
                decision_note (d, "AppArmor is not enabled on this host: profile \"%s\" not applied",
                               p->surface.apparmor_profile);
        if (p->surface.selinux_label && !selinux_enabled ())
                decision_note (d, "SELinux is not enabled on this host: label \"%s\" not applied",
                               p->surface.selinux_label);
}

static void
apparmor_check_all (const struct policy *p, const struct json *doc, struct decision *d, const char *id)
{
        lsm_notes (p, doc, d, id);
        apparmor_check (p, doc, d, id);
}

const struct rule rule_apparmor = {
        "lsm.apparmor",     "lsm",        RULE_CREATE | RULE_EXEC, offsetof (struct policy, surface.lsm),
        apparmor_check_all, apparmor_fix,
};
const struct rule rule_selinux = {
        "lsm.selinux", "lsm",       RULE_CREATE | RULE_EXEC, offsetof (struct policy, surface.lsm),
        selinux_check, selinux_fix,
};
