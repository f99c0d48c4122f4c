#include "config.h"

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

/* A limit after the policy: unlimited becomes the default (or the max). */
static int64_t
limit_target (int64_t have, int64_t dflt, int64_t max)
{
        if (have <= 0)
                have = dflt ? dflt : max ? max : have;
        return max && (have <= 0 || have > max) ? max : have;
}

/* ---- memory ---- */

static void
memory_target (const struct policy *p, const struct json *mem, int64_t *limit, int64_t *swap)
{
        int64_t have = 0, sw = 0;

        json_number_i64 (json_get (mem, "limit"), &have);
        json_number_i64 (json_get (mem, "swap"), &sw);
        *limit = limit_target (have, p->resources.memory_default, p->resources.memory_max);
        *swap = !p->resources.allow_swap && *limit > 0 ? *limit : sw;
}

static void
memory_check (const struct policy *p, const struct json *doc, struct decision *d, const char *id)
{
        const struct json *mem = resources_peek (doc, "memory");
        int64_t have = 0, sw = 0, limit, swap;
        char found[32], want[32];

        json_number_i64 (json_get (mem, "limit"), &have);
        json_number_i64 (json_get (mem, "swap"), &sw);
        memory_target (p, mem, &limit, &swap);
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
memory_fix (const struct policy *p, struct json *doc, struct hd_err *err)
{
        struct json *mem = resources_of (doc, "memory", err);
        int64_t limit, swap;

        if (!mem)
                return -1;
        memory_target (p, mem, &limit, &swap);
        if (limit > 0 && rules_set_i64 (mem, "limit", limit, err) < 0)
                return -1;
        return swap > 0 ? rules_set_i64 (mem, "swap", swap, err) : 0;
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
cpu_target (const struct policy *p, const struct json *cpu, int64_t *have)
{
        uint64_t period = cpu_period (p, cpu);
        int64_t dflt = (int64_t) (p->resources.cpu_default_milli * period / 1000);
        int64_t max = (int64_t) (p->resources.cpu_max_milli * period / 1000);

        *have = 0;
        json_number_i64 (json_get (cpu, "quota"), have);
        return limit_target (*have, dflt, max);
}

static void
cpu_check (const struct policy *p, const struct json *doc, struct decision *d, const char *id)
{
        const struct json *cpu = resources_peek (doc, "cpu");
        uint64_t period = cpu_period (p, cpu);
        int64_t have, want = cpu_target (p, cpu, &have);
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
cpu_fix (const struct policy *p, struct json *doc, struct hd_err *err)
{
        struct json *cpu = resources_of (doc, "cpu", err);
        int64_t have, want;

        if (!cpu)
                return -1;
        want = cpu_target (p, cpu, &have);
        if (want <= 0)
                return 0;
        if (!json_get (cpu, "period") && rules_set_i64 (cpu, "period", (int64_t) cpu_period (p, cpu), err) < 0)
                return -1;
        return rules_set_i64 (cpu, "quota", want, err);
}

/* ---- pids ---- */

static void
pids_check (const struct policy *p, const struct json *doc, struct decision *d, const char *id)
{
        int64_t have = 0, want;
        char found[32], required[32];

        json_number_i64 (json_get (resources_peek (doc, "pids"), "limit"), &have);
        want = limit_target (have, p->resources.pids_default, p->resources.pids_max);
        if (want == have)
                return;
        snprintf (found, sizeof found, have > 0 ? "%lld" : "unlimited", (long long) have);
        snprintf (required, sizeof required, "%lld", (long long) want);
        decision_add (d, id, "/linux/resources/pids/limit", found, required,
                      have <= 0 ? "no pids limit (policy: %s)" : "pids limit %s is above the policy's maximum",
                      have <= 0 ? required : found);
}

static int
pids_fix (const struct policy *p, struct json *doc, struct hd_err *err)
{
        struct json *pids = resources_of (doc, "pids", err);
        int64_t have = 0, want;

        if (!pids)
                return -1;
        json_number_i64 (json_get (pids, "limit"), &have);
        want = limit_target (have, p->resources.pids_default, p->resources.pids_max);
        return want > 0 ? rules_set_i64 (pids, "limit", want, err) : 0;
}

static enum policy_action
resources_action (const struct policy *p)
{
        return p->resources.action;
}

const struct rule rule_resources_memory = {
        "resources.memory", RULE_CREATE, resources_action, memory_check, memory_fix,
};
const struct rule rule_resources_cpu = {
        "resources.cpu", RULE_CREATE, resources_action, cpu_check, cpu_fix,
};
const struct rule rule_resources_pids = {
        "resources.pids", RULE_CREATE, resources_action, pids_check, pids_fix,
};
