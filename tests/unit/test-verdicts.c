#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hardened/json.h"
#include "hardened/verdicts.h"

#include "tap.h"

#define ID_A "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define ID_B "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define DG_A "sha256:dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"

static const struct {
        const char *text;
        int64_t want; /* -1: refused */
} times[] = {
        { "1970-01-01T00:00:00Z", 0 },
        { "2026-11-30T09:15:02Z", 1796030102 },
        { "2026-11-30T09:15:02.123456789Z", 1796030102 },
        { "2026-11-30T10:15:02+01:00", 1796030102 },
        { "2026-11-30T04:45:02-04:30", 1796030102 },
        { "2026-11-30t09:15:02z", 1796030102 },
        { "2024-02-29T00:00:00Z", 1709164800 },
        { "2000-03-01T00:00:00Z", 951868800 },
        { "2023-02-29T00:00:00Z", -1 }, /* not a leap year */
        { "2026-13-01T00:00:00Z", -1 },
        { "2026-11-31T00:00:00Z", -1 },
        { "2026-11-30T24:00:00Z", -1 },
        { "2026-11-30T09:15:02", -1 },      /* no zone */
        { "2026-11-30T09:15:02.Z", -1 },    /* empty fraction */
        { "2026-11-30 09:15:02Z", -1 },     /* RFC 3339 allows it; Trivy never writes it */
        { "2026-11-30T09:15:02+0100", -1 }, /* no colon */
        { "2026-11-30T09:15:02Z trailing", -1 },
        { "", -1 },
};

static struct scan_verdict
one (const char *id, int64_t when, const struct json *digests)
{
        struct scan_verdict v = { .digests = digests, .artifact = "x", .scanned_at = when };

        snprintf (v.image_id, sizeof v.image_id, "%s", id);
        v.found[SEV_CRITICAL] = 2;
        v.fixable[SEV_CRITICAL] = 1;
        v.found[SEV_HIGH] = 3;
        v.found[SEV_LOW] = 7;
        v.fixable[SEV_LOW] = 7;
        return v;
}

static void
round_trip (void)
{
        struct json *digests;
        struct scan_verdict v[3];
        struct verdicts vs;
        struct hd_err err;
        char *text = NULL;
        size_t len;
        const struct scan_verdict *f;

        json_parse ("[\"registry.example/a@" DG_A "\"]", strlen ("[\"registry.example/a@" DG_A "\"]"), &digests, &err);
        v[0] = one (ID_B, 100, NULL);
        v[1] = one (ID_A, 200, digests);
        v[2] = one (ID_B, 50, NULL); /* older scan of B, given later: dropped */
        v[2].found[SEV_CRITICAL] = 9;
        ok (verdicts_write (v, 3, &text, &len, &err) == 0, "verdicts_write");
        ok (verdicts_parse (text, len, &vs, &err) == 0, "the written file parses back: %s", err.msg);
        ok (vs.n == 2, "one verdict per image (%zu)", vs.n);
        is_str (vs.v[0].image_id, ID_A, "sorted by image ID");
        f = verdicts_find (&vs, ID_B, NULL);
        ok (f && f->scanned_at == 100 && f->found[SEV_CRITICAL] == 2, "the newer scan of B is kept");
        ok (verdicts_find (&vs, NULL, "other/name@" DG_A) == &vs.v[0], "found by digest under another name");
        ok (verdicts_find (&vs, NULL, DG_A) == &vs.v[0], "found by a bare digest");
        ok (verdicts_find (&vs, ID_A "0", NULL) == NULL, "an ID one character longer is not found");
        ok (verdicts_find (&vs, NULL, "x@sha256:00") == NULL, "a malformed digest finds nothing");
        ok (verdict_at_or_above (f, SEV_HIGH, false) == 5, "CRITICAL and HIGH at or above HIGH: 5");
        ok (verdict_at_or_above (f, SEV_HIGH, true) == 1, "of which fixable: 1");
        ok (verdict_at_or_above (f, SEV_UNKNOWN, false) == 12, "everything at or above UNKNOWN: 12");
        free (text);
}

/* The file is an administrator's: each malformed field refused, by name. */
static const struct {
        const char *edit_from, *edit_to, *want;
} bad_files[] = {
        { "\"ImageVerdicts\"", "\"Verdicts\"", "not a verdict file" },
        { "\"imageID\": \"sha256:a", "\"imageID\": \"sha256:A", "/images/0/imageID" },
        { "\"scannedAt\": \"1970", "\"scannedAt\": \"x970", "/images/0/scannedAt" },
        { "\"CRITICAL\": 2,", "\"CRITICAL\": -1,", "/images/0/found/CRITICAL: missing or not a count" },
        { "\"CRITICAL\": 2,", "\"CRITICAL\": 0,", "/images/0/fixable/CRITICAL: more than found" },
        { "\"CRITICAL\": 1,", "\"CRITICAL\": 1.5,", "/images/0/fixable/CRITICAL: missing or not a count" },
        { "\"artifact\"", "\"artefact\"", "/images/0/artefact: unknown field" },
        { "\"LOW\": 7,", "\"LOW\": 7, \"NEGLIGIBLE\": 0,", "/images/0/found/NEGLIGIBLE: unknown field" },
};

static void
bad_file (size_t i)
{
        struct scan_verdict v = one (ID_A, 0, NULL);
        struct verdicts vs;
        struct hd_err err = { 0 };
        char *text = NULL, *at, *edited;
        size_t len, size;

        verdicts_write (&v, 1, &text, &len, &err);
        at = strstr (text, bad_files[i].edit_from);
        if (!at) {
                ok (0, "edit %zu: %s not in the file", i, bad_files[i].edit_from);
                return;
        }
        size = len + strlen (bad_files[i].edit_to) + 1;
        edited = malloc (size);
        snprintf (edited, size, "%.*s%s%s", (int) (at - text), text, bad_files[i].edit_to,
                  at + strlen (bad_files[i].edit_from));
        ok (verdicts_parse (edited, strlen (edited), &vs, &err) < 0, "refused: %s -> %s", bad_files[i].edit_from,
            bad_files[i].edit_to);
        has_str (err.msg, bad_files[i].want, "the message names it");
        free (edited);
        free (text);
}

int
main (void)
{
        for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
                int64_t t = -2;
                int rc = verdict_time_parse (times[i].text, &t);
                ok (times[i].want < 0 ? rc < 0 : rc == 0 && t == times[i].want, "time \"%s\": %s (%lld)", times[i].text,
                    times[i].want < 0 ? "refused" : "parsed", (long long) t);
        }
        for (int s = 0; s < SEV_COUNT; s++)
                ok (severity_from_name (severity_name (s)) == s, "severity %s round-trips", severity_name (s));
        ok (severity_from_name ("critical") < 0 && severity_from_name ("NEGLIGIBLE") < 0,
            "severities are Trivy's five, upper case only");
        round_trip ();
        for (size_t i = 0; i < sizeof bad_files / sizeof bad_files[0]; i++)
                bad_file (i);
        printf ("1..%d\n", tap_n);
        return tap_failed != 0;
}
