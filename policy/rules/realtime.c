#include "config.h"

#include <stddef.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "hardened/rules.h"
#include "hardened/util.h"

/* The realtime family: CPU and I/O time that the fair schedulers' limits
 * (resources.cpu's quota, the cgroup's weights) do not bound.  A real-time
 * task runs before every fair one on its CPU; without RT group scheduling
 * (cgroup v2, most distribution kernels) the only bound is the kernel's
 * global 95% throttle, so one container starves the host.
 *
 * realtime.cpu: linux.resources.cpu.realtimeRuntime/realtimePeriod (runc
 * 1.1's cgroup v1 driver writes cpu.rt_period_us then cpu.rt_runtime_us,
 * each only when not 0; -1 is unlimited; `update --resources` and `update
 * --cpu-rt-runtime/--cpu-rt-period` write the same, 0 leaving a value as it
 * is).  runtime/period must be at most the policy's `cpu` share (default
 * 0: none).  A runtime needs its period in the same document: the period
 * the cgroup already has is not known to the shim, and an update of the
 * period alone would change the share of a runtime it cannot see.
 *
 * process.scheduler: policy SCHED_FIFO, SCHED_RR or SCHED_DEADLINE (OCI
 * 1.2) is applied by the runtime's init while it still holds every
 * capability, so dropping CAP_SYS_NICE does not stop it.  runc 1.1.5
 * ignores the field (its spec predates it), crun and runc 1.2 apply it:
 * refused unless listed in `schedulerPolicies` (default SCHED_OTHER,
 * SCHED_BATCH, SCHED_IDLE).  The fix drops the object (the default policy).
 *
 * process.ioPriority: class IOPRIO_CLASS_RT is served before every
 * best-effort request on the device; same story, same fix, allowed classes
 * in `ioPriorityClasses` (default IOPRIO_CLASS_BE, IOPRIO_CLASS_IDLE).
 *
 * RLIMIT_RTPRIO, which lets an unprivileged process choose SCHED_FIFO by
 * itself, is the rlimits family's (rlimits.c, built-in cap 0). */

#define RT_DEFAULT_PERIOD 1000000 /* microseconds: the kernel's sched_rt_period_us */

/* runtime * 1000 <= share * period, without overflow. */
static bool
rt_within (int64_t runtime, uint64_t period, uint64_t milli)
{
        return (unsigned __int128) runtime * 1000 <= (unsigned __int128) milli * period;
}

int
rules_realtime_cpu (const struct policy *p, int64_t runtime, uint64_t period, bool update, struct rules_rt_target *t)
{
        uint64_t milli = p->realtime.cpu_milli;
        unsigned __int128 cap;

        t->runtime = runtime;
        t->period = period;
        t->why[0] = '\0';
        if (runtime == 0) {
                if (!update || period == 0 || milli == 0)
                        return 0;
                t->period = 0;
                snprintf (t->why, sizeof t->why,
                          "realtimePeriod %llu without realtimeRuntime would change the "
                          "share of a runtime the shim cannot see",
                          (unsigned long long) period);
                return 1;
        }
        if (period == 0)
                t->period = RT_DEFAULT_PERIOD;
        cap = (unsigned __int128) milli * t->period / 1000;
        t->runtime = runtime > 0 && (unsigned __int128) runtime <= cap ? runtime
                     : cap > INT64_MAX                                 ? INT64_MAX
                                                                       : (int64_t) cap;
        if (runtime < 0)
                snprintf (t->why, sizeof t->why, "unlimited real-time CPU time (realtimeRuntime %lld)",
                          (long long) runtime);
        else if (milli == 0)
                snprintf (t->why, sizeof t->why, "real-time CPU time (realtimeRuntime %lld) is not allowed",
                          (long long) runtime);
        else if (period == 0)
                snprintf (t->why, sizeof t->why,
                          "realtimeRuntime %lld without realtimePeriod: its share of the CPU is unknown",
                          (long long) runtime);
        else if (!rt_within (runtime, period, milli))
                snprintf (t->why, sizeof t->why, "real-time CPU time %lld/%llu is above the policy's %.3g CPU",
                          (long long) runtime, (unsigned long long) period, (double) milli / 1000.0);
        else
                return t->runtime = runtime, 0;
        if (t->runtime == 0)
                t->period = period; /* none allowed: the period alone is harmless */
        return 1;
}

/* ---- realtime.cpu ----------------------------------------------------------- */

static void
rt_read (const struct json *doc, int64_t *runtime, uint64_t *period)
{
        const struct json *cpu = json_path (doc, "linux", "resources", "cpu", NULL);

        *runtime = 0;
        *period = 0;
        json_number_i64 (json_get (cpu, "realtimeRuntime"), runtime);
        json_number_u64 (json_get (cpu, "realtimePeriod"), period);
}

static void
rt_check_as (const struct policy *p, const struct json *doc, struct decision *d, const char *id, bool update)
{
        struct rules_rt_target t;
        int64_t runtime;
        uint64_t period;
        char found[48], want[48];

        rt_read (doc, &runtime, &period);
        if (rules_realtime_cpu (p, runtime, period, update, &t) == 0)
                return;
        snprintf (found, sizeof found, "%lld/%llu", (long long) runtime, (unsigned long long) period);
        snprintf (want, sizeof want, "at most %.3g CPU", (double) p->realtime.cpu_milli / 1000.0);
        decision_add (d, id, runtime ? "/linux/resources/cpu/realtimeRuntime" : "/linux/resources/cpu/realtimePeriod",
                      found, want, "%s", t.why);
}

static int
rt_set (struct json *cpu, const char *key, int64_t v, struct hd_err *err)
{
        if (v != 0)
                return json_set_i64 (cpu, key, v, err);
        json_del (cpu, key);
        return 0;
}

static int
rt_fix_as (const struct policy *p, struct json *doc, struct hd_err *err, bool update)
{
        struct json *cpu = json_path (doc, "linux", "resources", "cpu", NULL);
        struct rules_rt_target t;
        int64_t runtime;
        uint64_t period;

        rt_read (doc, &runtime, &period);
        if (!cpu || rules_realtime_cpu (p, runtime, period, update, &t) == 0)
                return 0;
        if (rt_set (cpu, "realtimeRuntime", t.runtime, err) < 0)
                return -1;
        return rt_set (cpu, "realtimePeriod", (int64_t) t.period, err);
}

static void
rt_check (const struct policy *p, const struct json *doc, struct decision *d, const char *id)
{
        rt_check_as (p, doc, d, id, false);
}

static void
rt_update_check (const struct policy *p, const struct json *doc, struct decision *d, const char *id)
{
        rt_check_as (p, doc, d, id, true);
}

static int
rt_fix (const struct policy *p, struct json *doc, const struct decision *ctx, struct hd_err *err)
{
        return rt_fix_as (p, doc, err, false);
}

static int
rt_update_fix (const struct policy *p, struct json *doc, const struct decision *ctx, struct hd_err *err)
{
        return rt_fix_as (p, doc, err, true);
}

/* ---- process.scheduler / process.ioPriority --------------------------------- */

/* One process field whose value must be in one of the family's lists. */
struct rt_field {
        const char *object, *key, *pointer, *what, *required, *threat;
        size_t list; /* offsetof (struct policy, realtime.<list>) */
};

static const struct rt_field rt_scheduler = {
        "scheduler",
        "policy",
        "/process/scheduler/policy",
        "scheduling policy",
        "an allowed policy (schedulerPolicies)",
        "the runtime applies it before dropping capabilities",
        offsetof (struct policy, realtime.scheduler_allow),
};
static const struct rt_field rt_io_priority = {
        "ioPriority",
        "class",
        "/process/ioPriority/class",
        "I/O priority class",
        "an allowed class (ioPriorityClasses)",
        "it is served before every best-effort request on the device",
        offsetof (struct policy, realtime.ioprio_allow),
};

/* The field's value when the policy's list does not allow it, else NULL. */
static const struct json *
rt_unlisted (const struct policy *p, const struct json *doc, const struct rt_field *f)
{
        const struct json *v = json_path (doc, "process", f->object, f->key, NULL);
        const struct policy_list *allow = (const struct policy_list *) ((const char *) p + f->list);

        return v && v->type == JSON_STRING && !policy_list_has (allow, v->text) ? v : NULL;
}

static void
rt_field_check (const struct policy *p, const struct json *doc, struct decision *d, const char *id,
                const struct rt_field *f)
{
        const struct json *v = rt_unlisted (p, doc, f);

        if (v)
                decision_add (d, id, f->pointer, v->text, f->required, "%s %s is not allowed: %s", f->what, v->text,
                              f->threat);
}

/* The fix drops the whole object: the runtime's default then applies. */
static int
rt_field_fix (const struct policy *p, struct json *doc, const struct rt_field *f)
{
        if (rt_unlisted (p, doc, f))
                json_del (json_get (doc, "process"), f->object);
        return 0;
}

static void
sched_check (const struct policy *p, const struct json *doc, struct decision *d, const char *id)
{
        rt_field_check (p, doc, d, id, &rt_scheduler);
}

static void
ioprio_check (const struct policy *p, const struct json *doc, struct decision *d, const char *id)
{
        rt_field_check (p, doc, d, id, &rt_io_priority);
}

static int
sched_fix (const struct policy *p, struct json *doc, const struct decision *ctx, struct hd_err *err)
{
        return rt_field_fix (p, doc, &rt_scheduler);
}

static int
ioprio_fix (const struct policy *p, struct json *doc, const struct decision *ctx, struct hd_err *err)
{
        return rt_field_fix (p, doc, &rt_io_priority);
}

const struct rule rule_realtime_cpu = {
        "realtime.cpu", "realtime", RULE_CREATE, offsetof (struct policy, realtime.action), rt_check, rt_fix,
};
const struct rule rule_update_realtime_cpu = {
        "realtime.cpu",  "realtime",    RULE_UPDATE, offsetof (struct policy, realtime.action),
        rt_update_check, rt_update_fix,
};
const struct rule rule_scheduler = {
        "process.scheduler", "realtime", RULE_CREATE | RULE_EXEC, offsetof (struct policy, realtime.action),
        sched_check,         sched_fix,
};
const struct rule rule_io_priority = {
        "process.ioPriority", "realtime", RULE_CREATE | RULE_EXEC, offsetof (struct policy, realtime.action),
        ioprio_check,         ioprio_fix,
};
