#include "config.h"

#include <stdio.h>
#include <string.h>

#include "hardened/decision.h"
#include "hardened/json.h"
#include "hardened/rules.h"
#include "hardened/spec.h"
#include "hardened/util.h"

#include "tap.h"

/* Every id a finding can carry has a rank: the registry's rules, the
 * document pass's classes (found by running it) and the update flags'. */
static void
every_id_ranked (void)
{
        static const char doc[] = "{\"ociVersion\": \"1.0.2\", \"ociversion\": \"1.0.2\", \"hostname\": null,"
                                  " \"hostname\": \"h\", \"zzz\": 1}";
        struct spec_canon_actions a = { ACTION_REJECT, ACTION_REJECT, ACTION_REJECT, ACTION_REJECT };
        _cleanup_json_ struct json *j = NULL;
        struct decision d = { 0 };
        struct hd_err err = { 0 };
        bool all = true;

        for (size_t i = 0; i < rules_registry_len; i++)
                if (!rules_ranked (rules_registry[i]->id)) {
                        all = false;
                        printf ("# not ranked: %s\n", rules_registry[i]->id);
                }
        ok (all, "every rule of the registry has a rank");
        ok (json_parse_flags (doc, strlen (doc), JSON_KEEP_DUPLICATES, &j, &err) == 0
                    && spec_canonicalize (&j, &spec_config, &a, &d, doc, strlen (doc), &err) == 0 && d.n >= 4,
            "the document pass finds a folded key, a null, a duplicate and an unknown field (%zu findings)", d.n);
        for (size_t i = 0; i < d.n; i++)
                ok (rules_ranked (d.findings[i].rule), "%s has a rank", d.findings[i].rule);
        ok (rules_ranked ("cli.strictValues"), "cli.strictValues has a rank");
        ok (!rules_ranked ("no.such") && rules_rank ("no.such") > rules_rank ("env.secrets"),
            "an unknown id ranks after every ranked one");
}

/* The tiers: escapes to the host, then privilege inside, the filesystem,
 * resources, hygiene. */
static void
tiers (void)
{
        static const char *const order[] = {
                "document.duplicateKey", "privileged.container", "namespaces.private", "capabilities.allowList",
                "seccomp.profile",       "mounts.bindSource",    "devices.host",       "hooks.allowList",
                "annotations.runtime",   "user.nonRoot",         "rootfs.readOnly",    "resources.memory",
                "process.oomScoreAdj",   "env.secrets",
        };

        for (size_t i = 1; i < HD_ARRAY_SIZE (order); i++)
                ok (rules_rank (order[i - 1]) < rules_rank (order[i]), "%s ranks before %s", order[i - 1], order[i]);
}

/* A decision as the engine leaves it: one refusing finding per rule of the
 * registry, in the registry's (evaluation) order or (reverse) the other way
 * round, two for user.nonRoot. */
static void
many_findings (struct decision *d, bool reverse)
{
        decision_init (d);
        d->policy_source = "/etc/hardened/policy.json";
        for (size_t j = 0; j < rules_registry_len; j++) {
                const char *id = rules_registry[reverse ? rules_registry_len - 1 - j : j]->id;
                bool seen = false;
                for (size_t k = 0; k < d->n; k++)
                        seen |= strcmp (d->findings[k].rule, id) == 0;
                if (seen)
                        continue; /* update's rules share the resource rules' ids */
                decision_add (d, id, "/x", "found", "required", "what %s found", id);
                if (strcmp (id, "user.nonRoot") == 0)
                        decision_add (d, id, "/y", "found", "required", "a second finding");
        }
        for (size_t i = 0; i < d->n; i++)
                d->findings[i].action = ACTION_REJECT;
        d->verdict = VERDICT_REFUSED;
}

/* Where `id`'s entry starts in `s`, or NULL. */
static const char *
entry_of (const char *s, const char *id)
{
        char want[96];

        snprintf (want, sizeof want, "%s: what %s found", id, id);
        return strstr (s, want);
}

static void
summary_order (void)
{
        struct decision d;
        char all[HD_ERR_MSG_MAX * 2], reversed[sizeof all], bounded[1000];
        bool ordered = true, prefix = true;
        size_t in_bounded = 0, entries = 0, last = 0;

        many_findings (&d, true);
        decision_summary (&d, reversed, sizeof reversed);
        many_findings (&d, false);
        decision_summary (&d, all, sizeof all);
        is_str (reversed, all, "the summary does not depend on the order the findings were made in");
        ok (strncmp (all, "refused by policy /etc/hardened/policy.json: privileged.container: ", 67) == 0,
            "the most important rule is named first");
        ok (strstr (all, "namespaces.private") < strstr (all, "user.nonRoot")
                    && strstr (all, "capabilities.allowList") < strstr (all, "user.nonRoot")
                    && strstr (all, "mounts.bindSource") < strstr (all, "rootfs.readOnly")
                    && strstr (all, "user.nonRoot") < strstr (all, "resources.memory"),
            "host escapes before the user, the user before the rootfs and the resources");
        has_str (all, "user.nonRoot: what user.nonRoot found (+1 more)", "a rule's further findings are counted");
        /* every entry, in rank order: the rule ids between "; " and ": " */
        for (const char *e = all + strlen ("refused by policy /etc/hardened/policy.json: "); e; entries++) {
                char id[64];
                size_t rank;
                snprintf (id, sizeof id, "%.*s", (int) strcspn (e, ":"), e);
                rank = rules_rank (id);
                ordered &= rules_ranked (id) && (entries == 0 || rank > last);
                last = rank;
                e = strstr (e, "; ");
                e = e ? e + 2 : NULL;
        }
        ok (entries == d.n - 1, "one entry per rule (%zu)", entries);
        ok (ordered, "the whole summary is in rank order");
        /* bounded: the top-ranked rules are kept, the rest counted */
        decision_summary (&d, bounded, sizeof bounded);
        ok (strlen (bounded) < sizeof bounded, "the bounded summary fits (%zu bytes)", strlen (bounded));
        has_str (bounded, "more rule(s), 0 more finding(s) in the log", "it says how many rules were left out");
        for (size_t i = 0; i < d.n; i++) {
                bool in = entry_of (bounded, d.findings[i].rule) != NULL;
                in_bounded += in;
                for (size_t k = 0; in && k < d.n; k++)
                        prefix &= rules_rank (d.findings[k].rule) >= rules_rank (d.findings[i].rule)
                                  || entry_of (bounded, d.findings[k].rule);
        }
        ok (in_bounded > 5 && in_bounded < d.n && prefix,
            "what fits is the most important rules, none left out above one kept (%zu of %zu)", in_bounded, d.n);
        ok (strncmp (bounded, all, strlen (bounded) - strlen (strstr (bounded, "; and "))) == 0,
            "the bounded summary is the start of the whole one");
}

/* Only refusals are named: a rewritten or warned finding, however
 * important, is not in the line. */
static void
only_refusals (void)
{
        struct decision d;
        char s[512];

        decision_init (&d);
        d.policy_source = "p";
        decision_add (&d, "privileged.container", "/", "", "", "rewritten away");
        d.findings[0].action = ACTION_REWRITE;
        d.findings[0].fixed = true;
        decision_add (&d, "namespaces.private", "/", "", "", "a warning");
        d.findings[1].action = ACTION_WARN;
        decision_add (&d, "resources.memory", "/", "", "", "too much");
        d.findings[2].action = ACTION_REJECT;
        decision_add (&d, "seccomp.profile", "/", "", "", "no safe fix");
        d.findings[3].action = ACTION_REWRITE;
        decision_add (&d, "no.such", "/", "", "", "unranked");
        d.findings[4].action = ACTION_REJECT;
        d.verdict = VERDICT_REFUSED;
        decision_summary (&d, s, sizeof s);
        is_str (s, "refused by policy p: seccomp.profile: no safe fix; resources.memory: too much; no.such: unranked",
                "rewrites and warnings are left out; a rewrite with no safe fix is a refusal; unranked last");
}

int
main (void)
{
        every_id_ranked ();
        tiers ();
        summary_order ();
        only_refusals ();
        return tap_done ();
}
