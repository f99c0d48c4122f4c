#include "config.h"

#include <stddef.h>

#include <stdio.h>
#include <string.h>

#include "hardened/caps.h"
#include "hardened/rules.h"
#include "hardened/util.h"

/* capabilities.allowList: bounding, effective and permitted keep only the
 * policy's allow-list; inheritable and ambient must be empty (they carry
 * capabilities across execve into programs that did not ask for them). */

static const struct {
        const char *set;
        bool must_be_empty;
} cap_sets[] = {
        { "bounding", false },   { "effective", false }, { "permitted", false },
        { "inheritable", true }, { "ambient", true },
};

static bool
cap_allowed (const struct policy *p, const char *name, bool must_be_empty)
{
        int cap;

        return !must_be_empty && caps_from_name (name, &cap) == 0 && (p->caps.allow >> cap & 1);
}

static void
caps_check (const struct policy *p, const struct json *doc, struct decision *d, const char *id)
{
        const struct json *caps = json_path (doc, "process", "capabilities", NULL);

        for (size_t s = 0; s < HD_ARRAY_SIZE (cap_sets); s++) {
                const struct json *list = json_get (caps, cap_sets[s].set);
                char ptr[64], found[160] = "";
                size_t used = 0;

                for (size_t i = 0; list && i < list->n; i++)
                        if (!cap_allowed (p, list->items[i]->text, cap_sets[s].must_be_empty) && used < sizeof found)
                                used += (size_t) snprintf (found + used, sizeof found - used, "%s%s", used ? "," : "",
                                                           list->items[i]->text);
                if (!used)
                        continue;
                snprintf (ptr, sizeof ptr, "/process/capabilities/%s", cap_sets[s].set);
                decision_add (d, id, ptr, found, cap_sets[s].must_be_empty ? "empty" : "the policy's allow-list",
                              "%s capabilities not allowed: %s", cap_sets[s].set, found);
        }
}

static int
caps_fix (const struct policy *p, struct json *doc, const struct decision *ctx, struct hd_err *err)
{
        struct json *caps = json_path (doc, "process", "capabilities", NULL);

        for (size_t s = 0; caps && s < HD_ARRAY_SIZE (cap_sets); s++) {
                struct json *list = json_get (caps, cap_sets[s].set);
                size_t kept = 0;

                for (size_t i = 0; list && i < list->n; i++) {
                        if (cap_allowed (p, list->items[i]->text, cap_sets[s].must_be_empty))
                                list->items[kept++] = list->items[i];
                        else
                                json_free (list->items[i]);
                }
                if (list)
                        list->n = kept;
        }
        (void) err;
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
