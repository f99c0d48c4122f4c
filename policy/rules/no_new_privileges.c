#include "config.h"

#include <stddef.h>

#include "hardened/rules.h"

/* process.noNewPrivileges: set, so setuid binaries and file capabilities
 * cannot raise privileges inside the container. */

static void
nnp_check (const struct policy *p, const struct json *doc, struct decision *d, const char *id)
{
        const struct json *v = json_path (doc, "process", "noNewPrivileges", NULL);

        if (!v || !v->boolean)
                decision_add (d, id, "/process/noNewPrivileges", v ? "false" : "(absent)", "true",
                              "no_new_privs would not be set");
}

static int
nnp_fix (const struct policy *p, struct json *doc, const struct decision *ctx, struct hd_err *err)
{
        struct json *process = json_ensure (doc, "process", JSON_OBJECT, err);

        return process ? json_set_bool (process, "noNewPrivileges", true, err) : -1;
}

const struct rule rule_no_new_privileges = {
        "process.noNewPrivileges",
        "noNewPrivileges",
        RULE_CREATE | RULE_EXEC,
        offsetof (struct policy, no_new_privileges),
        nnp_check,
        nnp_fix,
};
