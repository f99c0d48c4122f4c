#include "config.h"

#include <stddef.h>

#include <stdio.h>
#include <string.h>

#include "hardened/rules.h"
#include "hardened/util.h"

/* process.rlimits: each rlimit the policy caps (its "max", plus the
 * built-in RLIMIT_RTPRIO 0 below) has hard and soft at most the cap;
 * clamped. */

/* Caps that apply unless the policy's "max" names the rlimit.
 * RLIMIT_RTPRIO lets a process without CAP_SYS_NICE choose SCHED_FIFO or
 * SCHED_RR up to its value (sched_setscheduler(2)): the real-time way
 * around every CPU limit (realtime.c).  Hard counts as much as soft, which
 * the process may raise to it.  RLIMIT_RTTIME is not capped: it only bounds
 * a real-time task's CPU time, and unlimited is the kernel's default. */
static const struct {
        const char *type;
        uint64_t cap;
} rlimit_builtin[] = {
        { "RLIMIT_RTPRIO", 0 },
};

static uint64_t
rlimit_cap (const struct policy *p, const char *type, bool *capped)
{
        uint64_t v = 0;

        *capped = json_number_u64 (json_get (p->surface.rlimit_max, type), &v);
        for (size_t i = 0; !*capped && !json_get (p->surface.rlimit_max, type) && i < HD_ARRAY_SIZE (rlimit_builtin);
             i++)
                if (strcmp (rlimit_builtin[i].type, type) == 0)
                        return *capped = true, rlimit_builtin[i].cap;
        return v;
}

static void
rlimits_check (const struct policy *p, const struct json *doc, struct decision *d, const char *id)
{
        const struct json *list = json_path (doc, "process", "rlimits", NULL);

        for (size_t i = 0; list && i < list->n; i++) {
                const struct json *t = json_get (list->items[i], "type");
                uint64_t hard = 0, soft = 0, cap;
                bool capped;
                char ptr[64], want[32];
                if (!t)
                        continue;
                cap = rlimit_cap (p, t->text, &capped);
                json_number_u64 (json_get (list->items[i], "hard"), &hard);
                json_number_u64 (json_get (list->items[i], "soft"), &soft);
                if (!capped || (hard <= cap && soft <= cap))
                        continue;
                snprintf (ptr, sizeof ptr, "/process/rlimits/%zu", i);
                snprintf (want, sizeof want, "%llu", (unsigned long long) cap);
                decision_add (d, id, ptr, t->text, want, "%s above the policy's ceiling %s", t->text, want);
        }
}

static int
rlimits_fix (const struct policy *p, struct json *doc, const struct decision *ctx, struct hd_err *err)
{
        struct json *list = json_path (doc, "process", "rlimits", NULL);
        static const char *const keys[] = { "hard", "soft" };

        for (size_t i = 0; list && i < list->n; i++) {
                const struct json *t = json_get (list->items[i], "type");
                bool capped;
                uint64_t cap = t ? rlimit_cap (p, t->text, &capped) : 0;
                for (size_t k = 0; t && capped && k < HD_ARRAY_SIZE (keys); k++) {
                        uint64_t v = 0;
                        if (json_number_u64 (json_get (list->items[i], keys[k]), &v) && v > cap
                            && json_set (list->items[i], keys[k], json_new_u64 (cap), err) < 0)
                                return -1;
                }
        }
        return 0;
}

const struct rule rule_rlimits = {
        "process.rlimits", "rlimits",   RULE_CREATE | RULE_EXEC, offsetof (struct policy, surface.rlimits),
        rlimits_check,     rlimits_fix,
};
