#include "config.h"

#include <stddef.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "hardened/num.h"
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
memory_target (const struct policy *p, const struct json *mem, bool update, int64_t *limit, int64_t *swap)
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
memory_check_as (const struct policy *p, const struct json *doc, struct decision *d, const char *id, bool update)
{
        const struct json *mem = resources_peek (doc, "memory");
        int64_t have = 0, sw = 0, limit, swap;
        char found[32], want[32];

        json_number_i64 (json_get (mem, "limit"), &have);
        json_number_i64 (json_get (mem, "swap"), &sw);
        memory_target (p, mem, update, &limit, &swap);
        num_format_size (limit, want, sizeof want);
        if (have <= 0)
                snprintf (found, sizeof found, "unlimited");
        else
                num_format_size (have, found, sizeof found);
        if (limit != have)
                decision_add (d, id, "/linux/resources/memory/limit", found, want,
                              have <= 0 ? "no memory limit (policy: %s)"
                                        : "memory limit %s is above the policy's maximum %s",
                              have <= 0 ? want : found, want);
        else if (swap != sw)
                decision_add (d, id, "/linux/resources/memory/swap", sw ? "more than the limit" : "(absent)", want,
                              "memory+swap must equal the memory limit (no swap)");
}

static int
memory_fix_as (const struct policy *p, struct json *doc, struct hd_err *err, bool update)
{
        struct json *mem = resources_of (doc, "memory", err);
        int64_t limit, swap;

        if (!mem)
                return -1;
        memory_target (p, mem, update, &limit, &swap);
        if (limit > 0 && json_set_i64 (mem, "limit", limit, err) < 0)
                return -1;
        return swap > 0 || (update && json_get (mem, "swap")) ? json_set_i64 (mem, "swap", swap, err) : 0;
}

/* ---- cpu ---- */

static uint64_t
cpu_period (const struct policy *p, const struct json *cpu)
{
        uint64_t period = 0;

        return json_number_u64 (json_get (cpu, "period"), &period) && period ? period : p->resources.cpu_period;
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
quota_check (const struct policy *p, const struct json *cpu, struct decision *d, const char *id, bool update)
{
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

/* CPU priority (CIS Docker Benchmark 5.12).  Under contention the kernel
 * shares CPU time among sibling cgroups by weight, so a container that
 * raises its weight takes time from every other container on the node, up
 * to its own quota.  runc 1.1 writes a non-zero linux.resources.cpu.shares
 * to cpu.shares (cgroup v1; systemd's CPUShares) or converts it to
 * cpu.weight (v2); 0 or absent leaves the kernel's default (1024), and in
 * an update the current value.  Above resources.cpu.maxShares the shares
 * become the max, on create and update alike; the unified cpu.weight and
 * cpu.weight.nice spellings are held to the same max below. */
static uint64_t
shares_target (const struct policy *p, const struct json *cpu, uint64_t *have)
{
        uint64_t max = p->resources.cpu_max_shares;

        *have = 0;
        json_number_u64 (json_get (cpu, "shares"), have);
        return max && *have > max ? max : *have;
}

static void
shares_check (const struct policy *p, const struct json *cpu, struct decision *d, const char *id)
{
        uint64_t have, want = shares_target (p, cpu, &have);
        char found[24], required[24];

        if (want == have)
                return;
        snprintf (found, sizeof found, "%llu", (unsigned long long) have);
        snprintf (required, sizeof required, "%llu", (unsigned long long) want);
        decision_add (d, id, "/linux/resources/cpu/shares", found, required,
                      "CPU shares %s are above the policy's maximum %s (priority over other containers)", found,
                      required);
}

static void
cpu_check_as (const struct policy *p, const struct json *doc, struct decision *d, const char *id, bool update)
{
        const struct json *cpu = resources_peek (doc, "cpu");

        quota_check (p, cpu, d, id, update);
        shares_check (p, cpu, d, id);
}

static int
cpu_fix_as (const struct policy *p, struct json *doc, struct hd_err *err, bool update)
{
        struct json *cpu = resources_of (doc, "cpu", err);
        int64_t have, want;
        uint64_t have_shares, want_shares;

        if (!cpu)
                return -1;
        want_shares = shares_target (p, cpu, &have_shares);
        if (want_shares != have_shares && json_set_i64 (cpu, "shares", (int64_t) want_shares, err) < 0)
                return -1;
        want = cpu_target (p, cpu, update, &have);
        if (want <= 0)
                return 0;
        if (!json_get (cpu, "period") && json_set_i64 (cpu, "period", (int64_t) cpu_period (p, cpu), err) < 0)
                return -1;
        return json_set_i64 (cpu, "quota", want, err);
}

/* ---- pids ---- */

static void
pids_check_as (const struct policy *p, const struct json *doc, struct decision *d, const char *id, bool update)
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
        return want > 0 ? json_set_i64 (pids, "limit", want, err) : 0;
}

/* ---- unified ---- */

/* resources.unified: linux.resources.unified names cgroup v2 files that
 * runc 1.1's fs2 driver writes after pids, memory and cpu (setUnified), and
 * that its systemd driver turns into unit properties (MemoryMax, TasksMax,
 * CPUQuota...): any key there undoes the limits above.  runc 1.1 refuses a
 * non-nil unified on cgroup v1 (ErrV1NoUnified, even {}), other backends
 * and hosts do not, so it is judged the same on both versions.  A key is
 * refused unless the policy allows it by name; an allowed key that is a
 * limit is held to the same maxima as memory, cpu and pids ("max" is
 * unlimited), and a CPU weight (cpu.weight, cpu.weight.nice) to the
 * priority of resources.cpu.maxShares.  Values are read only in their
 * plain spelling: the kernel parses pids.max, cpu.weight and
 * cpu.weight.nice in base 0 (010 is 8, 0x10 is 16), so anything but
 * decimal digits (a leading minus for a nice), a K/M/G/T size suffix, or
 * "max" is refused rather than guessed at. */

enum unified_kind {
        UNIFIED_OTHER,
        UNIFIED_MEMORY,
        UNIFIED_SWAP,
        UNIFIED_PIDS,
        UNIFIED_CPU_MAX,
        UNIFIED_CPU_WEIGHT,
        UNIFIED_CPU_NICE,
};

static const struct {
        const char *key;
        enum unified_kind kind;
} unified_kinds[] = {
        { "memory.max", UNIFIED_MEMORY }, { "memory.high", UNIFIED_MEMORY },    { "memory.low", UNIFIED_MEMORY },
        { "memory.min", UNIFIED_MEMORY }, { "memory.swap.max", UNIFIED_SWAP },  { "pids.max", UNIFIED_PIDS },
        { "cpu.max", UNIFIED_CPU_MAX },   { "cpu.weight", UNIFIED_CPU_WEIGHT }, { "cpu.weight.nice", UNIFIED_CPU_NICE },
};

static enum unified_kind
unified_kind (const char *key)
{
        for (size_t i = 0; i < HD_ARRAY_SIZE (unified_kinds); i++)
                if (strcmp (unified_kinds[i].key, key) == 0)
                        return unified_kinds[i].kind;
        return UNIFIED_OTHER;
}

/* "max" (-1), or plain decimal; with `size`, an optional K/M/G/T (x1024). */
static int
unified_number (const char *s, size_t len, bool size, int64_t *out)
{
        static const char suffixes[] = "kmgt";
        const char *u;
        uint64_t v, mult = 1;
        size_t digits = strspn (s, "0123456789");

        if (len == 3 && memcmp (s, "max", 3) == 0)
                return *out = -1, 0;
        if (size && digits + 1 == len && (u = strchr (suffixes, s[digits] | 0x20)) && s[digits] != '\0')
                for (ptrdiff_t i = 0; i <= u - suffixes; i++)
                        mult *= 1024;
        else if (digits != len)
                return -1;
        if (parse_u64 (s, digits, &v) < 0 || v > (uint64_t) INT64_MAX / mult)
                return -1;
        *out = (int64_t) (v * mult);
        return 0;
}

/* A value after the policy: unlimited becomes the max, else the default;
 * above the max becomes the max.  Unlike the limits above, 0 is a value. */
static int64_t
unified_cap (int64_t have, int64_t dflt, int64_t max)
{
        if (have < 0)
                return max ? max : dflt ? dflt : -1;
        return max && have > max ? max : have;
}

static int64_t
cpu_share (uint64_t milli, uint64_t period)
{
        unsigned __int128 q = (unsigned __int128) milli * period / 1000;

        return q > INT64_MAX ? INT64_MAX : (int64_t) q;
}

struct unified_verdict {
        bool drop, set;
        char value[64];
        char why[192];
};

/* "QUOTA|max [PERIOD]" against resources.cpu.  Without a period the
 * cgroup's applies: on create the config's (runc writes cpu.max from it
 * first) or the kernel's 100000; on update it is unknown, and the fix
 * writes the policy's period explicitly. */
static void
unified_cpu_max (const struct policy *p, const struct json *doc, const struct json *v, bool update,
                 struct unified_verdict *out)
{
        const char *sp = strchr (v->text, ' ');
        size_t qlen = sp ? (size_t) (sp - v->text) : v->len;
        int64_t quota, have_period = 0, want;
        uint64_t period = 0;

        if (unified_number (v->text, qlen, false, &quota) < 0
            || (sp && (unified_number (sp + 1, v->len - qlen - 1, false, &have_period) < 0 || have_period <= 0))) {
                out->drop = true;
                snprintf (out->why, sizeof out->why,
                          "unified cpu.max \"%s\" is not \"QUOTA|max [PERIOD]\" in plain decimal", v->text);
                return;
        }
        period = (uint64_t) have_period;
        if (!period && !update)
                json_number_u64 (json_path (doc, "linux", "resources", "cpu", "period", NULL), &period);
        if (!period && !update)
                period = 100000;
        if (!period && (p->resources.cpu_max_milli || p->resources.cpu_default_milli))
                period = p->resources.cpu_period;
        want = unified_cap (quota, cpu_share (p->resources.cpu_default_milli, period),
                            cpu_share (p->resources.cpu_max_milli, period));
        if (want == quota && (have_period || !update || !period))
                return;
        out->set = true;
        if (want < 0)
                snprintf (out->value, sizeof out->value, "max %llu", (unsigned long long) period);
        else
                snprintf (out->value, sizeof out->value, "%lld %llu", (long long) want, (unsigned long long) period);
        snprintf (out->why, sizeof out->why,
                  want == quota ? "unified cpu.max \"%s\" in an update has no period: the container's is unknown"
                  : quota < 0   ? "unified cpu.max \"%s\" would remove the CPU limit"
                                : "unified cpu.max \"%s\" is above the policy's maximum",
                  v->text);
}

/* The cpu.weight runc 1.1 writes on cgroup v2 for the policy's maxShares
 * (cgroups.ConvertCPUSharesToCgroupV2Value): a unified cpu.weight above
 * it would give more priority than the shares the policy allows.  Never
 * below the kernel's default weight, 100, which a container that sets
 * nothing has (runc's conversion gives 1024 shares only 39); without
 * maxShares, the kernel's largest weight. */
static int64_t
weight_max (const struct policy *p)
{
        uint64_t shares = p->resources.cpu_max_shares;
        int64_t runc = shares ? (int64_t) (1 + (shares - 2) * 9999 / 262142) : 10000;

        return runc > 100 ? runc : 100;
}

/* cpu.weight.nice sets the group's weight from the kernel's
 * sched_prio_to_weight table (nice 0 is 1024), where cpu.weight W sets
 * W * 1024 / 100 rounded: a nice is allowed when its weight is at most the
 * kernel weight of weight_max. */
static const int32_t nice_weights[40] = {
        88761, 71755, 56483, 46273, 36291, 29154, 23254, 18705, 14949, 11916, 9548, 7620, 6100, 4904,
        3906,  3121,  2501,  1991,  1586,  1277,  1024,  820,   655,   526,   423,  335,  272,  215,
        172,   137,   110,   87,    70,    56,    45,    36,    29,    23,    18,   15,
};

static int64_t
nice_min (const struct policy *p)
{
        int64_t limit = (weight_max (p) * 1024 + 50) / 100, nice = -20;

        while (nice < 19 && nice_weights[nice + 20] > limit)
                nice++;
        return nice;
}

/* "-20" to "19" in plain decimal (the kernel reads base 0: "-024" is -20). */
static int
nice_parse (const struct json *v, int64_t *out)
{
        bool minus = v->len > 1 && v->text[0] == '-';
        int64_t n;

        if (unified_number (v->text + minus, v->len - minus, false, &n) < 0 || n < 0 || n > 20 || (minus && n == 0))
                return -1;
        *out = minus ? -n : n;
        return *out <= 19 ? 0 : -1;
}

static void
unified_cpu_nice (const struct policy *p, const struct json *v, struct unified_verdict *out)
{
        int64_t have, want;

        if (nice_parse (v, &have) < 0) {
                out->drop = true;
                snprintf (out->why, sizeof out->why,
                          "unified cpu.weight.nice \"%s\" is not a nice value from -20 to 19 in plain decimal",
                          v->text);
                return;
        }
        want = nice_min (p);
        want = have < want ? want : have;
        if (want == have)
                return;
        out->set = true;
        snprintf (out->value, sizeof out->value, "%lld", (long long) want);
        snprintf (out->why, sizeof out->why,
                  "unified cpu.weight.nice \"%s\" is above the policy's maximum CPU priority", v->text);
}

/* memory.*, memory.swap.max, pids.max, cpu.weight (validated 1..10000 first). */
static void
unified_limit (const struct policy *p, const char *key, enum unified_kind kind, const struct json *v,
               struct unified_verdict *out)
{
        const struct policy_resources *r = &p->resources;
        int64_t have, want, weight = weight_max (p);

        if (unified_number (v->text, v->len, kind == UNIFIED_MEMORY || kind == UNIFIED_SWAP, &have) < 0
            || (kind == UNIFIED_CPU_WEIGHT && (have < 1 || have > 10000))) {
                out->drop = true;
                snprintf (out->why, sizeof out->why, "unified %s \"%s\" is not %s", key, v->text,
                          kind == UNIFIED_CPU_WEIGHT ? "a weight from 1 to 10000 in plain decimal"
                                                     : "max or plain decimal (bytes may end in K, M, G or T)");
                return;
        }
        if (kind == UNIFIED_MEMORY)
                want = unified_cap (have, r->memory_default, r->memory_max);
        else if (kind == UNIFIED_PIDS)
                want = unified_cap (have, r->pids_default, r->pids_max);
        else if (kind == UNIFIED_SWAP)
                want = r->allow_swap ? have : 0;
        else
                want = have > weight ? weight : have;
        if (want == have)
                return;
        out->set = true;
        snprintf (out->value, sizeof out->value, "%lld", (long long) want);
        snprintf (out->why, sizeof out->why,
                  kind == UNIFIED_SWAP ? "unified %s \"%s\" would allow swap"
                  : have < 0           ? "unified %s \"%s\" would remove the limit"
                                       : "unified %s \"%s\" is above the policy's maximum",
                  key, v->text);
}

static void
unified_judge (const struct policy *p, const struct json *doc, const struct json_member *m, bool update,
               struct unified_verdict *out)
{
        enum unified_kind kind = unified_kind (m->key);

        memset (out, 0, sizeof *out);
        if (!policy_list_has (&p->resources.unified_allow, m->key)) {
                out->drop = true;
                snprintf (out->why, sizeof out->why,
                          "unified %s is not allowed (resources.unified.allow): "
                          "runc writes it after the memory, cpu and pids limits",
                          m->key);
        } else if (m->value->type != JSON_STRING) {
                out->drop = true;
                snprintf (out->why, sizeof out->why, "unified %s is not a string", m->key);
        } else if (kind == UNIFIED_CPU_MAX) {
                unified_cpu_max (p, doc, m->value, update, out);
        } else if (kind == UNIFIED_CPU_NICE) {
                unified_cpu_nice (p, m->value, out);
        } else if (kind != UNIFIED_OTHER) {
                unified_limit (p, m->key, kind, m->value, out);
        }
}

static void
unified_check_as (const struct policy *p, const struct json *doc, struct decision *d, const char *id, bool update)
{
        const struct json *u = resources_peek (doc, "unified");

        for (size_t i = 0; u && u->type == JSON_OBJECT && i < u->n; i++) {
                struct unified_verdict v;
                char ptr[256] = "/linux/resources/unified";
                unified_judge (p, doc, &u->members[i], update, &v);
                if (!v.drop && !v.set)
                        continue;
                json_pointer_append (ptr, sizeof ptr, u->members[i].key);
                decision_add (d, id, ptr, u->members[i].value->type == JSON_STRING ? u->members[i].value->text : "",
                              v.drop ? "(absent)" : v.value, "%s", v.why);
        }
}

/* Which members of a map unified_fix_once drops, by position. */
struct unified_drops {
        const struct json_member *base;
        const bool *drop;
};

static bool
unified_dropped (const struct json_member *m, const void *ctx)
{
        const struct unified_drops *c = ctx;

        return c->drop[m - c->base];
}

/* The fix one member at a time (json_del and json_set look the key up:
 * quadratic in a large map); what a map with a repeated key takes. */
static int
unified_fix_each (const struct policy *p, struct json *doc, struct json *u, struct hd_err *err, bool update)
{
        for (size_t i = 0; i < u->n;) {
                struct unified_verdict v;
                unified_judge (p, doc, &u->members[i], update, &v);
                if (v.drop) {
                        json_del (u, u->members[i].key);
                        continue;
                }
                if (v.set && json_set (u, u->members[i].key, json_new_string (v.value), err) < 0)
                        return -1;
                i++;
        }
        return 0;
}

/* With every key once (as the canonical tree has them) json_set replaces
 * the member's own value and json_del removes that member, so one pass
 * sets the values and json_object_filter removes the dropped members. */
static int
unified_fix_once (const struct policy *p, struct json *doc, struct json *u, struct hd_err *err, bool update)
{
        _cleanup_free_ bool *drop = calloc (u->n + 1, sizeof *drop);
        struct unified_drops c = { u->members, drop };

        if (!drop || json_mark_duplicates (u, drop) < 0)
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        for (size_t i = 0; i < u->n; i++)
                if (drop[i])
                        return unified_fix_each (p, doc, u, err, update);
        for (size_t i = 0; i < u->n; i++) {
                struct unified_verdict v;
                struct json *value;
                unified_judge (p, doc, &u->members[i], update, &v);
                drop[i] = v.drop;
                if (v.drop || !v.set)
                        continue;
                if (!(value = json_new_string (v.value)))
                        return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
                json_free (u->members[i].value);
                u->members[i].value = value;
        }
        json_object_filter (u, unified_dropped, &c);
        return 0;
}

static int
unified_fix_as (const struct policy *p, struct json *doc, struct hd_err *err, bool update)
{
        struct json *res = json_path (doc, "linux", "resources", NULL), *u = json_get (res, "unified");

        if (u && u->type == JSON_OBJECT && unified_fix_once (p, doc, u, err, update) < 0)
                return -1;
        if (u && u->n == 0)
                json_del (res, "unified"); /* runc 1.1 refuses even an empty one on cgroup v1 */
        return 0;
}

/* The same checks with create semantics (absent: unlimited, gets the
 * default) and update semantics (absent or 0: unchanged). */
#define RESOURCE_RULE(name)                                                                                           \
        static void name##_check (const struct policy *p, const struct json *doc, struct decision *d, const char *id) \
        {                                                                                                             \
                name##_check_as (p, doc, d, id, false);                                                               \
        }                                                                                                             \
        static void name##_update_check (const struct policy *p, const struct json *doc, struct decision *d,          \
                                         const char *id)                                                              \
        {                                                                                                             \
                name##_check_as (p, doc, d, id, true);                                                                \
        }                                                                                                             \
        static int name##_fix (const struct policy *p, struct json *doc, const struct decision *ctx,                  \
                               struct hd_err *err)                                                                    \
        {                                                                                                             \
                return name##_fix_as (p, doc, err, false);                                                            \
        }                                                                                                             \
        static int name##_update_fix (const struct policy *p, struct json *doc, const struct decision *ctx,           \
                                      struct hd_err *err)                                                             \
        {                                                                                                             \
                return name##_fix_as (p, doc, err, true);                                                             \
        }

RESOURCE_RULE (memory)
RESOURCE_RULE (cpu)
RESOURCE_RULE (pids)
RESOURCE_RULE (unified)

const struct rule rule_resources_memory = {
        "resources.memory", "resources", RULE_CREATE, offsetof (struct policy, resources.action),
        memory_check,       memory_fix,
};
const struct rule rule_resources_cpu = {
        "resources.cpu", "resources", RULE_CREATE, offsetof (struct policy, resources.action), cpu_check, cpu_fix,
};
const struct rule rule_resources_pids = {
        "resources.pids", "resources", RULE_CREATE, offsetof (struct policy, resources.action), pids_check, pids_fix,
};
const struct rule rule_update_memory = {
        "resources.memory",  "resources",       RULE_UPDATE, offsetof (struct policy, resources.action),
        memory_update_check, memory_update_fix,
};
const struct rule rule_update_cpu = {
        "resources.cpu",  "resources",    RULE_UPDATE, offsetof (struct policy, resources.action),
        cpu_update_check, cpu_update_fix,
};
const struct rule rule_update_pids = {
        "resources.pids",  "resources",     RULE_UPDATE, offsetof (struct policy, resources.action),
        pids_update_check, pids_update_fix,
};
const struct rule rule_resources_unified = {
        "resources.unified", "resources", RULE_CREATE, offsetof (struct policy, resources.action),
        unified_check,       unified_fix,
};
const struct rule rule_update_unified = {
        "resources.unified",  "resources",        RULE_UPDATE, offsetof (struct policy, resources.action),
        unified_update_check, unified_update_fix,
};
