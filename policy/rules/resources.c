#include "config.h"

#include <stddef.h>

#include <stdio.h>

#include "hardened/rules.h"
#include "hardened/util.h"

/* resources.memory / resources.cpu / resources.pids: a default where the
 * config sets no limit, a maximum that is clamped (rewrite) or refused.
 * "No limit" is absent, 0 or negative (-1 is runc's "unlimited"), and it
 * is above any maximum.  Memory swap must equal the limit (no extra swap)
 * unless the policy allows swap.  Each rule computes one target from the
 * config and the policy; the check reports any difference, the fix writes
 * the target, so the two can never disagree. */

static struct json *
resources_of (struct json *doc, const char *key, struct hd_err *err)
{
        struct json *linux_ = json_ensure (doc, "linux", JSON_OBJECT, err);
        struct json *res = linux_ ? json_ensure (linux_, "resources", JSON_OBJECT, err) : NULL;

        return res ? json_ensure (res, key, JSON_OBJECT, err) : NULL;
}

static const struct json *
resources_peek (const struct json *doc, const char *key)
{
        return json_path (doc, "linux", "resources", key, NULL);
}

/* A limit after the policy: unlimited becomes the default (or the max).
 * In an update document 0 means "leave as it is" (runc writes nothing) and
 * stays 0; -1 is unlimited and is above any maximum. */
static int64_t
limit_target (int64_t have, int64_t dflt, int64_t max, bool update)
{
        if (update && have == 0)
                return 0;
        if (have <= 0 && !update)
                have = dflt ? dflt : max ? max : have;
        return max && (have <= 0 || have > max) ? max : have;
}

/* ---- memory ---- */

/* Swap must equal the limit unless the policy allows swap.  An update that
 * changes swap alone (limit 0) cannot be held to an unknown limit, so its
 * swap is left unchanged (0). */
static void
memory_target (const struct policy *p, const struct json *mem, bool update, int64_t *limit,
               int64_t *swap)
{
        int64_t have = 0, sw = 0;

        json_number_i64 (json_get (mem, "limit"), &have);
        json_number_i64 (json_get (mem, "swap"), &sw);
        *limit = limit_target (have, p->resources.memory_default, p->resources.memory_max, update);
        *swap = sw;
        if (!p->resources.allow_swap)
                *swap = *limit > 0 ? *limit : update ? 0 : sw;
}

static void
memory_check_as (const struct policy *p, const struct json *doc, struct decision *d, const char *id,
                 bool update)
{
        const struct json *mem = resources_peek (doc, "memory");
        int64_t have = 0, sw = 0, limit, swap;
        char found[32], want[32];

        json_number_i64 (json_get (mem, "limit"), &have);
        json_number_i64 (json_get (mem, "swap"), &sw);
        memory_target (p, mem, update, &limit, &swap);
        rules_format_size (limit, want, sizeof want);
        if (have <= 0)
                snprintf (found, sizeof found, "unlimited");
        else
                rules_format_size (have, found, sizeof found);
        if (limit != have)
                decision_add (d, id, "/linux/resources/memory/limit", found, want,
                              have <= 0 ? "no memory limit (policy: %s)" : "memory limit %s is above the policy's maximum %s",
                              have <= 0 ? want : found, want);
        else if (swap != sw)
                decision_add (d, id, "/linux/resources/memory/swap", sw ? "more than the limit" : "(absent)",
                              want, "memory+swap must equal the memory limit (no swap)");
}

static int
memory_fix_as (const struct policy *p, struct json *doc, struct hd_err *err, bool update)
{
        struct json *mem = resources_of (doc, "memory", err);
        int64_t limit, swap;

        if (!mem)
                return -1;
        memory_target (p, mem, update, &limit, &swap);
        if (limit > 0 && rules_set_i64 (mem, "limit", limit, err) < 0)
                return -1;
        return swap > 0 || (update && json_get (mem, "swap")) ? rules_set_i64 (mem, "swap", swap, err) : 0;
}

/* ---- cpu ---- */

static uint64_t
cpu_period (const struct policy *p, const struct json *cpu)
{
        uint64_t period = 0;

        return json_number_u64 (json_get (cpu, "period"), &period) && period ? period
                                                                               : p->resources.cpu_period;
}

/* Quota the policy wants, in microseconds per period; <= 0: unlimited. */
static int64_t
cpu_target (const struct policy *p, const struct json *cpu, bool update, int64_t *have)
{
        uint64_t period = cpu_period (p, cpu);
        int64_t dflt = (int64_t) (p->resources.cpu_default_milli * period / 1000);
        int64_t max = (int64_t) (p->resources.cpu_max_milli * period / 1000);

        *have = 0;
        json_number_i64 (json_get (cpu, "quota"), have);
        return limit_target (*have, dflt, max, update);
}

static void
cpu_check_as (const struct policy *p, const struct json *doc, struct decision *d, const char *id,
              bool update)
{
        const struct json *cpu = resources_peek (doc, "cpu");
        uint64_t period = cpu_period (p, cpu);
        int64_t have, want = cpu_target (p, cpu, update, &have);
        char found[48], required[48];

        if (want == have)
                return;
        snprintf (found, sizeof found, have > 0 ? "%.3g CPU" : "unlimited", (double) have / (double) period);
        snprintf (required, sizeof required, "%.3g CPU", (double) want / (double) period);
        decision_add (d, id, "/linux/resources/cpu/quota", found, required,
                      have <= 0 ? "no CPU limit (policy: %s)" : "CPU limit %s is above the policy's maximum",
                      have <= 0 ? required : found);
}

static int
cpu_fix_as (const struct policy *p, struct json *doc, struct hd_err *err, bool update)
{
        struct json *cpu = resources_of (doc, "cpu", err);
        int64_t have, want;

        if (!cpu)
                return -1;
        want = cpu_target (p, cpu, update, &have);
        if (want <= 0)
                return 0;
        if (!json_get (cpu, "period") && rules_set_i64 (cpu, "period", (int64_t) cpu_period (p, cpu), err) < 0)
                return -1;
        return rules_set_i64 (cpu, "quota", want, err);
}

/* ---- pids ---- */

static void
pids_check_as (const struct policy *p, const struct json *doc, struct decision *d, const char *id,
               bool update)
{
        int64_t have = 0, want;
        char found[32], required[32];

        json_number_i64 (json_get (resources_peek (doc, "pids"), "limit"), &have);
        want = limit_target (have, p->resources.pids_default, p->resources.pids_max, update);
        if (want == have)
                return;
        snprintf (found, sizeof found, have > 0 ? "%lld" : "unlimited", (long long) have);
        snprintf (required, sizeof required, "%lld", (long long) want);
        decision_add (d, id, "/linux/resources/pids/limit", found, required,
                      have <= 0 ? "no pids limit (policy: %s)" : "pids limit %s is above the policy's maximum",
                      have <= 0 ? required : found);
}

static int
pids_fix_as (const struct policy *p, struct json *doc, struct hd_err *err, bool update)
{
        struct json *pids = resources_of (doc, "pids", err);
        int64_t have = 0, want;

        if (!pids)
                return -1;
        json_number_i64 (json_get (pids, "limit"), &have);
        want = limit_target (have, p->resources.pids_default, p->resources.pids_max, update);
        return want > 0 ? rules_set_i64 (pids, "limit", want, err) : 0;
}

/* The same checks with create semantics (absent: unlimited, gets the
 * default) and update semantics (absent or 0: unchanged). */
#define RESOURCE_RULE(name)                                                                   \
        static void name##_check (const struct policy *p, const struct json *doc,             \
                                  struct decision *d, const char *id)                         \
        {                                                                                     \
                name##_check_as (p, doc, d, id, false);                                       \
        }                                                                                     \
        static void name##_update_check (const struct policy *p, const struct json *doc,      \
                                         struct decision *d, const char *id)                  \
        {                                                                                     \
                name##_check_as (p, doc, d, id, true);                                        \
        }                                                                                     \
        static int name##_fix (const struct policy *p, struct json *doc, const struct decision *ctx, struct hd_err *err)  \
        {                                                                                     \
                return name##_fix_as (p, doc, err, false);                                    \
        }                                                                                     \
        static int name##_update_fix (const struct policy *p, struct json *doc,               \
                                      const struct decision *ctx, struct hd_err *err)         \
        {                                                                                     \
                return name##_fix_as (p, doc, err, true);                                     \
        }

RESOURCE_RULE (memory)
RESOURCE_RULE (cpu)
RESOURCE_RULE (pids)

const struct rule rule_resources_memory = {
        "resources.memory", "resources", RULE_CREATE, offsetof (struct policy, resources.action), memory_check, memory_fix,
};
const struct rule rule_resources_cpu = {
        "resources.cpu", "resources", RULE_CREATE, offsetof (struct policy, resources.action), cpu_check, cpu_fix,
};
const struct rule rule_resources_pids = {
        "resources.pids", "resources", RULE_CREATE, offsetof (struct policy, resources.action), pids_check, pids_fix,
};
const struct rule rule_update_memory = {
        "resources.memory", "resources", RULE_UPDATE, offsetof (struct policy, resources.action), memory_update_check, memory_update_fix,
};
const struct rule rule_update_cpu = {
        "resources.cpu", "resources", RULE_UPDATE, offsetof (struct policy, resources.action), cpu_update_check, cpu_update_fix,
};
const struct rule rule_update_pids = {
        "resources.pids", "resources", RULE_UPDATE, offsetof (struct policy, resources.action), pids_update_check, pids_update_fix,
};
