/* Scan verdicts: what a vulnerability scanner found in an image, known
 * offline on the create path.
 *
 * `hardened verdicts import` turns Trivy JSON reports (`trivy image
 * --format json`, SchemaVersion 2) into one verdict file, keyed by the
 * image ID and the repository digests the report names; the images rule
 * reads that file (an administrator's file like the policy: only root may
 * change it) and looks the container's image up in it.  No scanner and no
 * network on the create path.
 *
 * Threat: a report is the scanner's output about an image someone else
 * built, so every field the verdict keeps is checked for its shape (an
 * image ID is sha256:<64 hex>, a severity is one of Trivy's five, a time is
 * RFC 3339) and a report that is not what it should be is refused whole,
 * never half counted: a verdict that undercounts lets an image through. */
#ifndef HARDENED_VERDICTS_H
#define HARDENED_VERDICTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hardened/err.h"
#include "hardened/json.h"

/* Trivy's severities, lowest first (pkg/types: UNKNOWN LOW MEDIUM HIGH CRITICAL). */
enum severity { SEV_UNKNOWN, SEV_LOW, SEV_MEDIUM, SEV_HIGH, SEV_CRITICAL, SEV_COUNT };

/* The name of a severity, and back (exact, upper case); -1 when unknown. */
const char *severity_name (enum severity s);
int severity_from_name (const char *name);

#define VERDICT_ID_MAX 72 /* "sha256:" + 64 hex + NUL */

struct scan_verdict {
        char image_id[VERDICT_ID_MAX]; /* sha256:<64 hex> */
        const struct json *digests;    /* array of "NAME@sha256:<64 hex>" (may be empty) */
        const char *artifact;          /* the name the scan was asked for, or "" */
        int64_t scanned_at;            /* seconds since the epoch, UTC */
        uint32_t found[SEV_COUNT];     /* vulnerabilities per severity */
        uint32_t fixable[SEV_COUNT];   /* of which with a fixed version */
};

/* RFC 3339 ("2026-11-30T10:00:00Z", "...T10:00:00.123+09:00") to seconds
 * since the epoch; -1 when it is not one. */
int verdict_time_parse (const char *s, int64_t *out);
/* And back, "2026-11-30T09:15:02Z". */
void verdict_time_format (int64_t t, char *buf, size_t size);

/* A verdict from one parsed Trivy report.  `scanned_at` is used when the
 * report has no CreatedAt (Trivy before 0.48); -1: none given, and such a
 * report is refused.  Messages name the field (a JSON pointer). */
int verdict_from_trivy (const struct json *report, int64_t scanned_at, struct scan_verdict *out, struct hd_err *err);

/* The verdict file for `n` verdicts (pretty JSON, images sorted by ID; a
 * later verdict for the same image ID replaces an earlier, older one).
 * *out is malloc'd. */
int verdicts_write (struct scan_verdict *v, size_t n, char **out, size_t *len, struct hd_err *err);

/* A loaded verdict file. */
struct verdicts {
        size_t n;
        struct scan_verdict *v;
};

/* Parse and check a verdict file's text (as verdicts_write writes it);
 * every field is checked, unknown keys refused.  Messages name the field. */
int verdicts_parse (const char *text, size_t len, struct verdicts *out, struct hd_err *err);

/* The verdict for an image, by its ID (sha256:...) or, when that is
 * unknown or has none, by a repository digest (the sha256:... after '@',
 * or the digest alone); NULL when there is none. */
const struct scan_verdict *verdicts_find (const struct verdicts *vs, const char *image_id, const char *digest);

/* How many vulnerabilities at `min` or above (only those with a fixed
 * version when `fixable_only`). */
uint32_t verdict_at_or_above (const struct scan_verdict *v, enum severity min, bool fixable_only);

#endif
