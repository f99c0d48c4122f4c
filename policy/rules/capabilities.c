#include "config.h"

#include <stddef.h>

#include <stdio.h>
#include <string.h>

#include "hardened/caps.h"
#include "hardened/rules.h"
#include "hardened/util.h"

/* capabilities.allowList: bounding, effective and permitted keep only the
 * policy's allow-list; inheritable and ambient keep only its ambient grant,
 * of the capabilities the engine gave in bounding (they carry capabilities
 * across execve into programs that did not ask for them, and past a
 * non-root user's cleared sets).
 *
 * The grant is what lets a non-root service use an allowed capability
 * (nginx binding port 80): runc raises an ambient capability only when it
 * is also inheritable and permitted, so each granted capability the engine
 * gave in the bounding set must be in all three; rewrite puts it there.  A
 * capability the engine did not give in bounding is never granted. */

enum cap_list { ALLOWED, GRANTED };

static const struct {
        const char *set;
        enum cap_list keeps;
        bool holds_grant; /* runc's ambient raise needs the grant here */
} cap_sets[] = {
        { "bounding", ALLOWED, false },   { "effective", ALLOWED, false }, { "permitted", ALLOWED, true },
        { "inheritable", GRANTED, true }, { "ambient", GRANTED, true },
};

/* What a set keeps: the allow-list, or the grant as cap_grant narrowed it
 * to the engine's bounding set.  Not the policy's whole ambient list: the
 * kernel raises an ambient capability from permitted and inheritable alone,
 * never looking at bounding, and capset(2) lets inheritable hold what the
 * caller of runc has inheritable, so a grant the engine dropped would
 * otherwise reach the process (CapBnd empty, CapAmb and CapEff not). */
static uint64_t
cap_list_bits (const struct policy *p, enum cap_list keeps, uint64_t grant)
{
        return keeps == GRANTED ? grant : p->caps.allow;
}

static bool
cap_in (uint64_t bits, const char *name)
{
        int cap;

        return caps_from_name (name, &cap) == 0 && (bits >> cap & 1);
}

/* The granted capabilities the engine gave in bounding (bit N: capability N). */
static uint64_t
cap_grant (const struct policy *p, const struct json *caps)
{
        const struct json *bounding = json_get (caps, "bounding");
        uint64_t grant = 0;
        int cap;

        for (size_t i = 0; p->caps.ambient && bounding && i < bounding->n; i++)
                if (caps_from_name (bounding->items[i]->text, &cap) == 0)
                        grant |= (p->caps.ambient >> cap & 1) << cap;
        return grant;
}

/* Append NAME (a capability's name) to found, comma-separated. */
static void
cap_note (char *found, size_t size, size_t *used, const char *name)
{
        *used = hd_append (found, size, *used, (const char *[]) { *used ? "," : "", name }, 2);
}

static void
caps_check_set (const struct policy *p, const struct json *caps, size_t s, uint64_t grant, struct decision *d,
                const char *id)
{
        const struct json *list = json_get (caps, cap_sets[s].set);
        uint64_t keeps = cap_list_bits (p, cap_sets[s].keeps, grant);
        char ptr[64], found[160] = "", missing[160] = "";
        size_t used = 0, lacking = 0;

        for (size_t i = 0; list && i < list->n; i++)
                if (!cap_in (keeps, list->items[i]->text))
                        cap_note (found, sizeof found, &used, list->items[i]->text);
        for (int cap = 0; cap_sets[s].holds_grant && cap < 64; cap++)
                if ((grant >> cap & 1) && !caps_listed (list, cap))
                        cap_note (missing, sizeof missing, &lacking, caps_to_name (cap));
        hd_append (ptr, sizeof ptr, 0, (const char *[]) { "/process/capabilities/", cap_sets[s].set }, 2);
        if (used)
                decision_add (d, id, ptr, found,
                              cap_sets[s].keeps == GRANTED ? "the policy's ambient grant" : "the policy's allow-list",
                              "%s capabilities not allowed: %s", cap_sets[s].set, found);
        else if (lacking)
                decision_add (d, id, ptr, "not raised", "the policy's ambient grant",
                              "%s capabilities the policy grants are missing: %s", cap_sets[s].set, missing);
}

static void
caps_check (const struct policy *p, const struct json *doc, struct decision *d, const char *id)
{
        const struct json *caps = json_path (doc, "process", "capabilities", NULL);
        uint64_t grant = cap_grant (p, caps);

        for (size_t s = 0; s < HD_ARRAY_SIZE (cap_sets); s++)
                caps_check_set (p, caps, s, grant, d, id);
}

static int
caps_fix_set (const struct policy *p, struct json *caps, size_t s, uint64_t grant, struct hd_err *err)
{
        struct json *list = json_get (caps, cap_sets[s].set);
        uint64_t keeps = cap_list_bits (p, cap_sets[s].keeps, grant);
        size_t kept = 0;

        for (size_t i = 0; list && i < list->n; i++) {
                if (cap_in (keeps, list->items[i]->text))
                        list->items[kept++] = list->items[i];
                else
                        json_free (list->items[i]);
        }
        if (list)
                list->n = kept;
        for (int cap = 0; cap_sets[s].holds_grant && cap < 64; cap++) {
                if (!(grant >> cap & 1) || caps_listed (list, cap))
                        continue;
                if (!list && json_set (caps, cap_sets[s].set, list = json_new (JSON_ARRAY), err) < 0)
                        return -1;
                if (json_append (list, json_new_string (caps_to_name (cap)), err) < 0)
                        return -1;
        }
        return 0;
}

static int
caps_fix (const struct policy *p, struct json *doc, const struct decision *ctx, struct hd_err *err)
{
        struct json *caps = json_path (doc, "process", "capabilities", NULL);
        uint64_t grant = cap_grant (p, caps);

        (void) ctx;
        for (size_t s = 0; caps && s < HD_ARRAY_SIZE (cap_sets); s++)
                if (caps_fix_set (p, caps, s, grant, err) < 0)
                        return -1;
        return 0;
}

const struct rule rule_capabilities = {
        "capabilities.allowList",
        "capabilities",
        RULE_CREATE | RULE_EXEC,
        offsetof (struct policy, caps.action),
        caps_check,
        caps_fix,
};
