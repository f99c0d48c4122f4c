#include "config.h"

#include <stddef.h>

#include <stdio.h>
#include <string.h>

#include "hardened/num.h"
#include "hardened/rules.h"

/* user.nonRoot: process.user.uid 0 (or absent, which runc reads as 0) is
 * replaced by the policy's uid or refused; likewise gid 0 and group 0 among
 * additionalGids; an optional allow-list of uid ranges. */

static uint32_t
read_id (const struct json *user, const char *key)
{
        uint64_t v = 0;

        json_number_u64 (json_get (user, key), &v);
        return (uint32_t) v;
}

/* The schema check made every id a canonical uint32, so "0" is zero. */
static bool
is_zero (const struct json *n)
{
        uint64_t v;

        return json_number_u64 (n, &v) && v == 0;
}

bool
rules_uid_allowed (const struct policy_user *u, uint32_t uid)
{
        if (uid == 0)
                return false;
        for (size_t i = 0; i < u->nranges; i++)
                if (uid >= u->ranges[i].min && uid <= u->ranges[i].max)
                        return true;
        return u->nranges == 0;
}

static void
user_check (const struct policy *p, const struct json *doc, struct decision *d, const char *id)
{
        const struct json *user = json_path (doc, "process", "user", NULL);
        const struct json *gids = json_get (user, "additionalGids");
        uint32_t uid = read_id (user, "uid"), gid = read_id (user, "gid");
        char found[32], want[64];

        snprintf (found, sizeof found, "%u", uid);
        snprintf (want, sizeof want, "non-root%s (policy uid %u)", p->user.nranges ? ", in the allowed ranges" : "", p->user.uid);
        if (!rules_uid_allowed (&p->user, uid))
                decision_add (d, id, "/process/user/uid", found, want,
                              uid == 0 ? "the container would run as root (uid 0)"
                                       : "uid %u is outside the allowed ranges", uid);
        snprintf (found, sizeof found, "%u", gid);
        snprintf (want, sizeof want, "non-zero (policy gid %u)", p->user.gid);
        if (gid == 0)
                decision_add (d, id, "/process/user/gid", found, want, "the container's group would be root (gid 0)");
        for (size_t i = 0; gids && i < gids->n; i++)
                if (is_zero (gids->items[i])) {
                        char ptr[64];
                        snprintf (ptr, sizeof ptr, "/process/user/additionalGids/%zu", i);
                        decision_add (d, id, ptr, "0", "no group 0", "group 0 (root) among the additional groups");
                }
}

static int
user_fix (const struct policy *p, struct json *doc, const struct decision *ctx, struct hd_err *err)
{
        struct json *process = json_ensure (doc, "process", JSON_OBJECT, err);
        struct json *user = process ? json_ensure (process, "user", JSON_OBJECT, err) : NULL;
        struct json *gids = json_get (user, "additionalGids");

        if (!user)
                return -1;
        if (!rules_uid_allowed (&p->user, read_id (user, "uid"))
            && rules_set_i64 (user, "uid", p->user.uid, err) < 0)
                return -1;
        if (read_id (user, "gid") == 0 && rules_set_i64 (user, "gid", p->user.gid, err) < 0)
                return -1;
        for (size_t i = 0; gids && i < gids->n;) {
                if (is_zero (gids->items[i])) {
                        json_free (gids->items[i]);
                        memmove (&gids->items[i], &gids->items[i + 1], (gids->n - i - 1) * sizeof *gids->items);
                        gids->n--;
                } else {
                        i++;
                }
        }
        return 0;
}

const struct rule rule_user_non_root = {
        "user.nonRoot", "user", RULE_CREATE | RULE_EXEC, offsetof (struct policy, user.action), user_check, user_fix,
};
