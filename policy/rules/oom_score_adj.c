#include "config.h"

#include <stddef.h>

#include <stdio.h>
#include <string.h>

#include "hardened/rules.h"
#include "hardened/util.h"

/* process.oomScoreAdj: not below 0 (a negative score makes the host's
 * OOM killer pick host processes first); fixed to 0. */

static void
oom_check (const struct policy *p, const struct json *doc, struct decision *d, const char *id)
{
        const struct json *v = json_path (doc, "process", "oomScoreAdj", NULL);
        int64_t adj = 0;

        if (json_number_i64 (v, &adj) && adj < 0)
                decision_add (d, id, "/process/oomScoreAdj", v->text, ">= 0",
                              "oomScoreAdj %lld would protect the container from the OOM killer", (long long) adj);
}

static int
oom_fix (const struct policy *p, struct json *doc, const struct decision *ctx, struct hd_err *err)
{
        struct json *process = json_get (doc, "process");

        return process ? json_set_i64 (process, "oomScoreAdj", 0, err) : 0;
}

const struct rule rule_oom_score_adj = {
        "process.oomScoreAdj",
        "oomScoreAdj",
        RULE_CREATE | RULE_EXEC,
        offsetof (struct policy, surface.oom_score_adj),
        oom_check,
        oom_fix,
};
