#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hardened/inline.h"
#include "hardened/num.h"
#include "hardened/rules.h"
#include "hardened/util.h"

/* The policy on flags instead of documents: `update` without
 * --resources (--memory, --memory-swap, --cpu-quota, --cpu-period,
 * --pids-limit, --cpu-rt-runtime, --cpu-rt-period).  A fix edits argv
 * (cli->strip / cli->replace).  create/run/restore's flags are a document
 * of their own (shim/rtflags.c, policy/rules/runtimeflags.c).
 *
 * Threat: runc reads these values with Go parsers that accept more than
 * plain decimal (strconv.Atoi takes "+0"; uint32(4294967296) is 0; the flag
 * package's ints take "0x10" and "010" as hex and octal).  A value that is
 * not plain decimal is refused outright, in every mode: the shim never
 * guesses what runc will read. */

struct inline_ctx {
        struct cli *cli;
        const struct policy *p;
        struct decision *d;
        struct hd_err *err;
        const struct policy_exemption *exemption; /* by container id: flags carry no annotations */
        bool refused;              /* a value the shim will not interpret */
};

static enum policy_action
act (const struct inline_ctx *c, const char *family, enum policy_action a)
{
        return engine_action (c->p, c->exemption, family, a);
}

/* Record a finding with its action; true when the caller should fix it. */
static bool
finding (struct inline_ctx *c, const char *rule, enum policy_action action, const struct cli_flag *f,
         const char *required, const char *msg)
{
        char where[64];
        size_t i = c->d->n;

        snprintf (where, sizeof where, "argv[%d] (--%s)", f->flag_index, f->name);
        decision_add (c->d, rule, where, f->value ? f->value : "true", required, "%s", msg);
        if (i < c->d->n)
                c->d->findings[i].action = action;
        return action == ACTION_REWRITE;
}

static void
mark_fixed (struct inline_ctx *c)
{
        if (c->d->n)
                c->d->findings[c->d->n - 1].fixed = true;
}

/* A value that runc would read in a way we do not. */
static void
unreadable (struct inline_ctx *c, const struct cli_flag *f, const char *why)
{
        char where[64];
        size_t i = c->d->n;

        snprintf (where, sizeof where, "argv[%d] (--%s)", f->flag_index, f->name);
        decision_add (c->d, "cli.strictValues", where, f->value ? f->value : "", "plain decimal",
                      "--%s %s: %s; refused rather than guessed at", f->name, f->value ? f->value : "", why);
        if (i < c->d->n)
                c->d->findings[i].action = ACTION_REJECT;
        c->refused = true;
}

/* Drop a flag (and its separate value) from the backend's argv. */
static void
strip_flag (struct cli *cli, const struct cli_flag *f)
{
        cli->strip[f->flag_index] = true;
        if (f->value_index >= 0)
                cli->strip[f->value_index] = true;
}

/* ---- update --------------------------------------------------------------- */

/* go-units RAMInBytes without fractions: DIGITS[kmgtp][i][b], any case, or -1. */
static int
parse_ram (const char *s, int64_t *out)
{
        static const char units[] = "kmgtp";
        size_t digits = strspn (s, "0123456789");
        const char *u = s + digits, *k;
        uint64_t v, mult = 1;

        if (strcmp (s, "-1") == 0)
                return *out = -1, 0;
        if (parse_u64 (s, digits, &v) < 0)
                return -1;
        if (*u && (k = strchr (units, *u | 0x20)) && *u != '\0') {
                for (ptrdiff_t i = 0; i <= k - units; i++)
                        mult *= 1024;
                u++;
                if ((*u | 0x20) == 'i')
                        u++;
        }
        if ((*u | 0x20) == 'b')
                u++;
        if (*u || v > (uint64_t) INT64_MAX / mult)
                return -1;
        *out = (int64_t) (v * mult);
        return 0;
}

/* One limit flag: -1 is unlimited, 0 unchanged; above `max` is clamped. */
static int
update_limit (struct inline_ctx *c, const struct cli_flag *f, int64_t have, int64_t max, const char *rule)
{
        enum policy_action a = act (c, "resources", c->p->resources.action);
        char want[32];

        if (a == ACTION_OFF || max == 0 || have == 0 || (have > 0 && have <= max))
                return 0;
        snprintf (want, sizeof want, "%lld", (long long) max);
        if (!finding (c, rule, a, f, want, have < 0 ? "update would remove the limit" : "update above the policy's maximum"))
                return 0;
        mark_fixed (c);
        return cli_replace_value (c->cli, f, want, c->err);
}

static int
update_memory (struct inline_ctx *c)
{
        const struct cli_flag *mem = cli_last_flag (c->cli, "memory"), *swap = cli_last_flag (c->cli, "memory-swap");
        enum policy_action a = act (c, "resources", c->p->resources.action);
        int64_t limit = 0, sw = 0;

        if ((mem && parse_ram (mem->value, &limit) < 0) || (swap && parse_ram (swap->value, &sw) < 0)) {
                unreadable (c, mem && parse_ram (mem->value, &limit) < 0 ? mem : swap,
                            "not a size runc reads exactly (DIGITS[kmgtp][b] or -1)");
                return 0;
        }
        if (mem && update_limit (c, mem, limit, c->p->resources.memory_max, "resources.memory") < 0)
                return -1;
        if (c->p->resources.memory_max && limit < 0)
                limit = c->p->resources.memory_max;
        else if (c->p->resources.memory_max && limit > c->p->resources.memory_max)
                limit = c->p->resources.memory_max;
        if (a == ACTION_OFF || c->p->resources.allow_swap || !swap || (limit > 0 && sw == limit) || sw == 0)
                return 0;
        if (!finding (c, "resources.memory", a, swap, "equal to the memory limit", "update would allow swap"))
                return 0;
        mark_fixed (c);
        if (limit > 0) {
                char v[32];
                snprintf (v, sizeof v, "%lld", (long long) limit);
                return cli_replace_value (c->cli, swap, v, c->err);
        }
        /* every copy: runc takes the last one given, so dropping only the
         * last would hand it an earlier --memory-swap -1 */
        for (int i = 0; i < c->cli->nflags; i++)
                if (strcmp (c->cli->flags[i].name, "memory-swap") == 0)
                        strip_flag (c->cli, &c->cli->flags[i]);
        return 0;
}

static int
update_cpu (struct inline_ctx *c)
{
        const struct cli_flag *q = cli_last_flag (c->cli, "cpu-quota"), *per = cli_last_flag (c->cli, "cpu-period");
        uint64_t period = c->p->resources.cpu_period;
        int64_t quota = 0;

        if ((per && parse_u64 (per->value, strlen (per->value), &period) < 0)
            || (q && parse_i64 (q->value, strlen (q->value), &quota) < 0)) {
                unreadable (c, per && parse_u64 (per->value, strlen (per->value), &period) < 0 ? per : q,
                            "not a plain decimal integer");
                return 0;
        }
        if (!q || period == 0)
                return 0;
        return update_limit (c, q, quota, (int64_t) (c->p->resources.cpu_max_milli * period / 1000),
                             "resources.cpu");
}

static int
update_pids (struct inline_ctx *c)
{
        const struct cli_flag *f = cli_last_flag (c->cli, "pids-limit");
        int64_t v;

        if (!f)
                return 0;
        if (parse_i64 (f->value, strlen (f->value), &v) < 0) {
                unreadable (c, f, "not plain decimal (runc would read 010 as octal, 0x10 as hex)");
                return 0;
        }
        return update_limit (c, f, v, c->p->resources.pids_max, "resources.pids");
}

/* --cpu-rt-runtime / --cpu-rt-period: judged as the realtime family judges
 * an update document.  A value to drop becomes "0" (runc: unchanged), not
 * a stripped flag, so an earlier copy of the flag cannot take its place. */
static int
update_rt_value (struct inline_ctx *c, const struct cli_flag *f, long long have, long long want)
{
        char v[32];

        if (!f || have == want)
                return 0;
        snprintf (v, sizeof v, "%lld", want);
        return cli_replace_value (c->cli, f, v, c->err);
}

static int
update_realtime (struct inline_ctx *c)
{
        const struct cli_flag *rt = cli_last_flag (c->cli, "cpu-rt-runtime"), *per = cli_last_flag (c->cli, "cpu-rt-period");
        enum policy_action a = act (c, "realtime", c->p->realtime.action);
        struct rules_rt_target t;
        int64_t runtime = 0;
        uint64_t period = 0;
        bool bad_period = per && parse_u64 (per->value, strlen (per->value), &period) < 0;

        if (bad_period || (rt && parse_i64 (rt->value, strlen (rt->value), &runtime) < 0)) {
                unreadable (c, bad_period ? per : rt, "not a plain decimal integer");
                return 0;
        }
        if (a == ACTION_OFF || rules_realtime_cpu (c->p, runtime, period, true, &t) == 0)
                return 0;
        if (!finding (c, "realtime.cpu", a, runtime ? rt : per, "real-time CPU within the policy", t.why))
                return 0;
        if (!per && t.period != period)
                return 0; /* a period would have to be added: refused */
        mark_fixed (c);
        if (update_rt_value (c, rt, (long long) runtime, (long long) t.runtime) < 0)
                return -1;
        return update_rt_value (c, per, (long long) period, (long long) t.period);
}

static int
update_flags (struct inline_ctx *c)
{
        if (c->cli->resources)
                return 0; /* runc ignores the inline resource flags with --resources */
        if (update_memory (c) < 0 || update_cpu (c) < 0 || update_pids (c) < 0 || update_realtime (c) < 0)
                return -1;
        return 0;
}

int
inline_check (struct cli *cli, const struct policy *p, struct decision *d, struct hd_err *err)
{
        struct inline_ctx c = { .cli = cli, .p = p, .d = d, .err = err };
        int rc = 0;

        memset (d, 0, sizeof *d);
        d->mode = p->mode;
        d->policy_source = p->source;
        d->container_id = cli->id;
        c.exemption = engine_exemption (p, NULL, cli->id);
        d->exemption = c.exemption ? c.exemption->name : NULL;
        if (cli->verb == CLI_VERB_UPDATE)
                rc = update_flags (&c);
        if (rc < 0)
                return -1;
        d->verdict = VERDICT_ALLOWED;
        for (size_t i = 0; i < d->n; i++) {
                if (d->findings[i].action == ACTION_REJECT
                    || (d->findings[i].action == ACTION_REWRITE && !d->findings[i].fixed))
                        d->verdict = VERDICT_REFUSED;
                else if (d->findings[i].fixed && d->verdict == VERDICT_ALLOWED)
                        d->verdict = VERDICT_REWRITTEN;
        }
        return cli_build_backend_argv (cli, err);
}
