#include "config.h"

#include <stddef.h>

#include <stdio.h>
#include <string.h>

#include "hardened/rules.h"
#include "hardened/util.h"

/* process.oomScoreAdj: not below 0 (a negative score makes the host's
 * OOM killer pick host processes first); fixed to 0.
 *
 * Except the scores the kubelet assigns, in the trusted CRI context only
 * (d->cri: containerd's own io.kubernetes.cri.container-type under a
 * trusted runc root; engine_cri_context).  kubernetes pkg/kubelet/qos
 * policy.go gives a pod sandbox PodInfraOOMAdj -998 (containerd 1.6's
 * defaultSandboxOOMAdj), a Guaranteed (or node-critical) container -997,
 * Burstable 1000 - 1000 * request / capacity held to 2..999, BestEffort
 * 1000; the non-negative ones pass anyway.  So -998 passes on a sandbox
 * and -997 on a container, and any other negative value, -998 on a
 * container or -997 on a sandbox included, is one the kubelet never
 * writes: refused as everywhere else. */

static const struct {
        enum cri_role role;
        int64_t adj;
} kubelet_scores[] = {
        { CRI_SANDBOX, -998 },
        { CRI_CONTAINER, -997 },
};

static bool
kubelet_score (const struct decision *d, int64_t adj)
{
        for (size_t i = 0; i < HD_ARRAY_SIZE (kubelet_scores); i++)
                if (d->cri.role == kubelet_scores[i].role && adj == kubelet_scores[i].adj)
                        return true;
        return false;
}

static void
oom_check (const struct policy *p, const struct json *doc, struct decision *d, const char *id)
{
        const struct json *v = json_path (doc, "process", "oomScoreAdj", NULL);
        int64_t adj = 0;

        if (json_number_i64 (v, &adj) && adj < 0 && !kubelet_score (d, adj))
                decision_add (d, id, "/process/oomScoreAdj", v->text,
                              d->cri.role == CRI_SANDBOX     ? ">= 0, or the kubelet's -998 for a pod sandbox"
                              : d->cri.role == CRI_CONTAINER ? ">= 0, or the kubelet's -997 for a container"
                                                             : ">= 0",
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
