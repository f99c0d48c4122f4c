#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hardened/util.h"
#include "hardened/verdicts.h"

static const char *const severity_names[SEV_COUNT] = { "UNKNOWN", "LOW", "MEDIUM", "HIGH", "CRITICAL" };

const char *
severity_name (enum severity s)
{
        return (unsigned) s < SEV_COUNT ? severity_names[s] : "?";
}

int
severity_from_name (const char *name)
{
        for (int i = 0; i < SEV_COUNT; i++)
                if (strcmp (name, severity_names[i]) == 0)
                        return i;
        return -1;
}

/* ---- shapes ---------------------------------------------------------------- */

static bool
is_hex64 (const char *s)
{
        for (size_t i = 0; i < 64; i++)
                if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
                        return false;
        return s[64] == '\0';
}

/* sha256:<64 lower-case hex>: an image ID, or a manifest digest. */
static bool
is_sha256 (const char *s)
{
        return strncmp (s, "sha256:", 7) == 0 && is_hex64 (s + 7);
}

/* The digest of "NAME@sha256:...", or of a bare digest; NULL otherwise. */
static const char *
digest_of (const char *ref)
{
        const char *at = strrchr (ref, '@');

        if (!at)
                return is_sha256 (ref) ? ref : NULL;
        return at > ref && is_sha256 (at + 1) ? at + 1 : NULL;
}

/* ---- RFC 3339 -------------------------------------------------------------- */

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static int64_t
days_from_civil (int64_t y, unsigned m, unsigned d)
{
        int64_t era;
        unsigned yoe, doy, doe;

        y -= m <= 2;
        era = (y >= 0 ? y : y - 399) / 400;
        yoe = (unsigned) (y - era * 400);
        doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
        doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097 + (int64_t) doe - 719468;
}

/* `n` decimal digits at s into *out. */
static bool
digits (const char *s, size_t n, unsigned *out)
{
        *out = 0;
        for (size_t i = 0; i < n; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return false;
                *out = *out * 10 + (unsigned) (s[i] - '0');
        }
        return true;
}

static unsigned
month_days (unsigned y, unsigned m)
{
        static const unsigned char days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
        bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

        return days[m - 1] + (m == 2 && leap);
}

/* The zone at s ("Z", "+HH:MM", "-HH:MM") in seconds east of UTC. */
static int
zone_offset (const char *s, int64_t *off)
{
        unsigned hh, mm;

        if ((s[0] == 'Z' || s[0] == 'z') && s[1] == '\0') {
                *off = 0;
                return 0;
        }
        if ((s[0] != '+' && s[0] != '-') || !digits (s + 1, 2, &hh) || s[3] != ':' || !digits (s + 4, 2, &mm)
            || s[6] != '\0' || hh > 23 || mm > 59)
                return -1;
        *off = (s[0] == '-' ? -1 : 1) * (int64_t) (hh * 3600 + mm * 60);
        return 0;
}

int
verdict_time_parse (const char *s, int64_t *out)
{
        unsigned y, mo, d, h, mi, se;
        int64_t off;
        const char *z;

        if (strlen (s) < 20 || !digits (s, 4, &y) || s[4] != '-' || !digits (s + 5, 2, &mo) || s[7] != '-'
            || !digits (s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't') || !digits (s + 11, 2, &h) || s[13] != ':'
            || !digits (s + 14, 2, &mi) || s[16] != ':' || !digits (s + 17, 2, &se))
                return -1;
        if (mo < 1 || mo > 12 || d < 1 || d > month_days (y, mo) || h > 23 || mi > 59 || se > 60)
                return -1;
        z = s + 19;
        if (*z == '.') {
                const char *f = ++z;
                while (*z >= '0' && *z <= '9')
                        z++;
                if (z == f)
                        return -1;
        }
        if (zone_offset (z, &off) < 0)
                return -1;
        *out = days_from_civil (y, mo, d) * 86400 + h * 3600 + mi * 60 + (se > 59 ? 59 : se) - off;
        return 0;
}

void
verdict_time_format (int64_t t, char *buf, size_t size)
{
        time_t tt = (time_t) t;
        struct tm tm;

        if (!gmtime_r (&tt, &tm) || strftime (buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
                snprintf (buf, size, "?");
}

/* ---- Trivy reports --------------------------------------------------------- */

static const struct json *
string_at (const struct json *obj, const char *key)
{
        const struct json *v = json_get (obj, key);

        return v && v->type == JSON_STRING ? v : NULL;
}

/* One vulnerability (Results/R/Vulnerabilities/V) counted into out. */
static int
count_vulnerability (const struct json *vuln, size_t r, size_t i, struct scan_verdict *out, struct hd_err *err)
{
        const struct json *sev = string_at (vuln, "Severity"), *fixed = json_get (vuln, "FixedVersion");
        int s = sev ? severity_from_name (sev->text) : -1;

        if (s < 0)
                return hd_err_set (err, HD_EXIT_REFUSED, EINVAL,
                                   "/Results/%zu/Vulnerabilities/%zu/Severity: %s (Trivy's are UNKNOWN, LOW, MEDIUM, "
                                   "HIGH, CRITICAL)",
                                   r, i, sev ? sev->text : "missing or not a string");
        if (fixed && fixed->type != JSON_STRING)
                return hd_err_set (err, HD_EXIT_REFUSED, EINVAL,
                                   "/Results/%zu/Vulnerabilities/%zu/FixedVersion: not a string", r, i);
        out->found[s]++;
        if (fixed && fixed->len > 0)
                out->fixable[s]++;
        return 0;
}

/* Classes whose results are package scans (pkg/types: ClassOSPkg, ClassLangPkg). */
static bool
package_class (const struct json *result)
{
        const struct json *c = string_at (result, "Class");

        return c && (strcmp (c->text, "os-pkgs") == 0 || strcmp (c->text, "lang-pkgs") == 0);
}

static int
count_results (const struct json *results, struct scan_verdict *out, struct hd_err *err)
{
        bool scanned = false;

        if (!results || results->type != JSON_ARRAY)
                return hd_err_set (err, HD_EXIT_REFUSED, EINVAL, "/Results: missing or not an array");
        for (size_t r = 0; r < results->n; r++) {
                const struct json *vulns = json_get (results->items[r], "Vulnerabilities");
                if (results->items[r]->type != JSON_OBJECT)
                        return hd_err_set (err, HD_EXIT_REFUSED, EINVAL, "/Results/%zu: not an object", r);
                scanned |= package_class (results->items[r]);
                if (!vulns || vulns->type == JSON_NULL)
                        continue;
                if (vulns->type != JSON_ARRAY)
                        return hd_err_set (err, HD_EXIT_REFUSED, EINVAL, "/Results/%zu/Vulnerabilities: not an array",
                                           r);
                for (size_t i = 0; i < vulns->n; i++)
                        if (count_vulnerability (vulns->items[i], r, i, out, err) < 0)
                                return -1;
        }
        /* a report of secrets or misconfigurations only looks clean */
        if (!scanned)
                return hd_err_set (err, HD_EXIT_REFUSED, EINVAL,
                                   "/Results: no os-pkgs or lang-pkgs result: not a vulnerability scan of the image's "
                                   "packages (trivy image --scanners vuln)");
        return 0;
}

/* `digests` (at `where`), absent or an array of NAME@sha256:<64 hex>. */
static int
check_digests (const struct json *digests, const char *where, struct hd_err *err)
{
        if (digests && digests->type != JSON_ARRAY)
                return hd_err_set (err, HD_EXIT_REFUSED, EINVAL, "%s: not an array", where);
        for (size_t i = 0; digests && i < digests->n; i++)
                if (digests->items[i]->type != JSON_STRING || !digest_of (digests->items[i]->text))
                        return hd_err_set (err, HD_EXIT_REFUSED, EINVAL, "%s/%zu: not NAME@sha256:<64 hex>", where, i);
        return 0;
}

static int
report_time (const struct json *report, int64_t given, int64_t *out, struct hd_err *err)
{
        const struct json *created = json_get (report, "CreatedAt");

        if (!created) {
                if (given < 0)
                        return hd_err_set (err, HD_EXIT_REFUSED, EINVAL,
                                           "/CreatedAt: missing (Trivy before 0.48 writes none): give the scan's time "
                                           "with --scanned-at");
                *out = given;
                return 0;
        }
        if (created->type != JSON_STRING || verdict_time_parse (created->text, out) < 0)
                return hd_err_set (err, HD_EXIT_REFUSED, EINVAL, "/CreatedAt: not an RFC 3339 time");
        return 0;
}

int
verdict_from_trivy (const struct json *report, int64_t scanned_at, struct scan_verdict *out, struct hd_err *err)
{
        const struct json *schema = json_get (report, "SchemaVersion"), *type = json_get (report, "ArtifactType");
        const struct json *meta = json_get (report, "Metadata"), *id = string_at (meta, "ImageID");
        const struct json *name = string_at (report, "ArtifactName");
        int64_t v;

        memset (out, 0, sizeof *out);
        if (!report || report->type != JSON_OBJECT)
                return hd_err_set (err, HD_EXIT_REFUSED, EINVAL, "not a JSON object (a Trivy report is one)");
        if (!schema || !json_number_i64 (schema, &v) || v != 2)
                return hd_err_set (err, HD_EXIT_REFUSED, EINVAL,
                                   "/SchemaVersion: missing or not 2 (this reads Trivy's SchemaVersion 2 reports)");
        if (type && (type->type != JSON_STRING || strcmp (type->text, "container_image") != 0))
                return hd_err_set (err, HD_EXIT_REFUSED, EINVAL, "/ArtifactType: %s, not container_image (trivy image)",
                                   type->type == JSON_STRING ? type->text : "not a string");
        if (!id || !is_sha256 (id->text))
                return hd_err_set (err, HD_EXIT_REFUSED, EINVAL, "/Metadata/ImageID: missing or not sha256:<64 hex>");
        if (check_digests (json_get (meta, "RepoDigests"), "/Metadata/RepoDigests", err) < 0
            || report_time (report, scanned_at, &v, err) < 0)
                return -1;
        snprintf (out->image_id, sizeof out->image_id, "%s", id->text);
        out->digests = json_get (meta, "RepoDigests");
        out->artifact = name ? name->text : "";
        out->scanned_at = v;
        return count_results (json_get (report, "Results"), out, err);
}

/* ---- the verdict file ------------------------------------------------------ */

static const char verdicts_api[] = "hardened/v1", verdicts_kind[] = "ImageVerdicts";

/* By image ID, then newest scan last: the survivor of a run is its last. */
static int
verdict_cmp (const void *a, const void *b)
{
        const struct scan_verdict *x = a, *y = b;
        int c = strcmp (x->image_id, y->image_id);

        return c ? c : (x->scanned_at > y->scanned_at) - (x->scanned_at < y->scanned_at);
}

static struct json *
counts_json (const uint32_t *counts)
{
        struct json *o = json_new (JSON_OBJECT);
        struct hd_err ignored;

        for (int s = SEV_COUNT - 1; o && s >= 0; s--)
                if (json_add (o, severity_names[s], json_new_u64 (counts[s]), &ignored) < 0)
                        return NULL;
        return o;
}

static struct json *
verdict_json (const struct scan_verdict *v, struct hd_err *err)
{
        struct json *o = json_new (JSON_OBJECT), *digests = json_new (JSON_ARRAY);
        char when[32];

        verdict_time_format (v->scanned_at, when, sizeof when);
        for (size_t i = 0; digests && v->digests && i < v->digests->n; i++)
                if (json_append (digests, json_new_string (v->digests->items[i]->text), err) < 0)
                        return NULL;
        if (!o || json_add (o, "imageID", json_new_string (v->image_id), err) < 0
            || json_add (o, "repoDigests", digests, err) < 0
            || json_add (o, "artifact", json_new_string (v->artifact), err) < 0
            || json_add (o, "scannedAt", json_new_string (when), err) < 0
            || json_add (o, "found", counts_json (v->found), err) < 0
            || json_add (o, "fixable", counts_json (v->fixable), err) < 0)
                return NULL;
        return o;
}

/* A text file ends with a newline. */
static int
end_line (char **text, size_t *len, struct hd_err *err)
{
        char *t = realloc (*text, *len + 2);

        if (!t)
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        t[(*len)++] = '\n';
        t[*len] = '\0';
        *text = t;
        return 0;
}

int
verdicts_write (struct scan_verdict *v, size_t n, char **out, size_t *len, struct hd_err *err)
{
        struct json *root = json_new (JSON_OBJECT), *images = json_new (JSON_ARRAY);

        qsort (v, n, sizeof *v, verdict_cmp);
        if (!root || json_add (root, "apiVersion", json_new_string (verdicts_api), err) < 0
            || json_add (root, "kind", json_new_string (verdicts_kind), err) < 0)
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        for (size_t i = 0; i < n; i++) {
                if (i + 1 < n && strcmp (v[i].image_id, v[i + 1].image_id) == 0)
                        continue; /* an older scan of the same image */
                if (json_append (images, verdict_json (&v[i], err), err) < 0)
                        return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        }
        if (json_add (root, "images", images, err) < 0)
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        if (json_write_pretty (root, true, out, len, err) < 0)
                return -1;
        return end_line (out, len, err);
}

/* Every member of obj is one of the `n` keys. */
static int
only_keys (const struct json *obj, const char *const *keys, size_t n, const char *where, struct hd_err *err)
{
        for (size_t i = 0; i < obj->n; i++) {
                size_t k = 0;
                while (k < n && strcmp (keys[k], obj->members[i].key) != 0)
                        k++;
                if (k == n)
                        return hd_err_set (err, HD_EXIT_REFUSED, EINVAL, "%s/%s: unknown field", where,
                                           obj->members[i].key);
        }
        return 0;
}

static int
parse_counts (const struct json *o, uint32_t *counts, const char *where, struct hd_err *err)
{
        uint64_t v;

        if (!o || o->type != JSON_OBJECT)
                return hd_err_set (err, HD_EXIT_REFUSED, EINVAL, "%s: missing or not an object", where);
        if (only_keys (o, severity_names, SEV_COUNT, where, err) < 0)
                return -1;
        for (int s = 0; s < SEV_COUNT; s++) {
                const struct json *c = json_get (o, severity_names[s]);
                if (!c || !json_number_u64 (c, &v) || v > UINT32_MAX)
                        return hd_err_set (err, HD_EXIT_REFUSED, EINVAL, "%s/%s: missing or not a count", where,
                                           severity_names[s]);
                counts[s] = (uint32_t) v;
        }
        return 0;
}

static int
parse_verdict (const struct json *o, size_t i, struct scan_verdict *v, struct hd_err *err)
{
        static const char *const keys[] = { "imageID", "repoDigests", "artifact", "scannedAt", "found", "fixable" };
        const struct json *id = string_at (o, "imageID"), *when = string_at (o, "scannedAt");
        const struct json *artifact = string_at (o, "artifact"), *digests = json_get (o, "repoDigests");
        char where[48], sub[64];

        snprintf (where, sizeof where, "/images/%zu", i);
        memset (v, 0, sizeof *v);
        if (o->type != JSON_OBJECT)
                return hd_err_set (err, HD_EXIT_REFUSED, EINVAL, "%s: not an object", where);
        if (only_keys (o, keys, HD_ARRAY_SIZE (keys), where, err) < 0)
                return -1;
        if (!id || !is_sha256 (id->text))
                return hd_err_set (err, HD_EXIT_REFUSED, EINVAL, "%s/imageID: missing or not sha256:<64 hex>", where);
        if (!when || verdict_time_parse (when->text, &v->scanned_at) < 0)
                return hd_err_set (err, HD_EXIT_REFUSED, EINVAL, "%s/scannedAt: missing or not an RFC 3339 time",
                                   where);
        if (!artifact)
                return hd_err_set (err, HD_EXIT_REFUSED, EINVAL, "%s/artifact: missing or not a string", where);
        snprintf (sub, sizeof sub, "%s/repoDigests", where);
        if (!digests)
                return hd_err_set (err, HD_EXIT_REFUSED, EINVAL, "%s: missing", sub);
        if (check_digests (digests, sub, err) < 0)
                return -1;
        snprintf (v->image_id, sizeof v->image_id, "%s", id->text);
        v->digests = digests;
        v->artifact = artifact->text;
        snprintf (sub, sizeof sub, "%s/found", where);
        if (parse_counts (json_get (o, "found"), v->found, sub, err) < 0)
                return -1;
        snprintf (sub, sizeof sub, "%s/fixable", where);
        if (parse_counts (json_get (o, "fixable"), v->fixable, sub, err) < 0)
                return -1;
        for (int s = 0; s < SEV_COUNT; s++)
                if (v->fixable[s] > v->found[s])
                        return hd_err_set (err, HD_EXIT_REFUSED, EINVAL, "%s/fixable/%s: more than found", where,
                                           severity_names[s]);
        return 0;
}

int
verdicts_parse (const char *text, size_t len, struct verdicts *out, struct hd_err *err)
{
        static const char *const keys[] = { "apiVersion", "kind", "images" };
        struct json *root;
        const struct json *api, *kind, *images;

        memset (out, 0, sizeof *out);
        if (json_parse (text, len, &root, err) < 0)
                return -1;
        api = string_at (root, "apiVersion");
        kind = string_at (root, "kind");
        images = json_get (root, "images");
        if (root->type != JSON_OBJECT)
                return hd_err_set (err, HD_EXIT_REFUSED, EINVAL, "not a JSON object");
        if (only_keys (root, keys, HD_ARRAY_SIZE (keys), "", err) < 0)
                return -1;
        if (!api || strcmp (api->text, verdicts_api) != 0 || !kind || strcmp (kind->text, verdicts_kind) != 0)
                return hd_err_set (err, HD_EXIT_REFUSED, EINVAL, "not a verdict file (apiVersion %s, kind %s)",
                                   verdicts_api, verdicts_kind);
        if (!images || images->type != JSON_ARRAY)
                return hd_err_set (err, HD_EXIT_REFUSED, EINVAL, "/images: missing or not an array");
        out->v = calloc (images->n ? images->n : 1, sizeof *out->v);
        if (!out->v)
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        for (size_t i = 0; i < images->n; i++)
                if (parse_verdict (images->items[i], i, &out->v[i], err) < 0)
                        return -1;
        out->n = images->n;
        return 0;
}

static bool
has_digest (const struct scan_verdict *v, const char *digest)
{
        for (size_t i = 0; v->digests && i < v->digests->n; i++)
                if (strcmp (digest_of (v->digests->items[i]->text), digest) == 0)
                        return true;
        return false;
}

const struct scan_verdict *
verdicts_find (const struct verdicts *vs, const char *image_id, const char *digest)
{
        const char *d = digest ? digest_of (digest) : NULL;

        for (size_t i = 0; image_id && i < vs->n; i++)
                if (strcmp (vs->v[i].image_id, image_id) == 0)
                        return &vs->v[i];
        for (size_t i = 0; d && i < vs->n; i++)
                if (has_digest (&vs->v[i], d))
                        return &vs->v[i];
        return NULL;
}

uint32_t
verdict_at_or_above (const struct scan_verdict *v, enum severity min, bool fixable_only)
{
        uint64_t n = 0;

        for (int s = (int) min; s < SEV_COUNT; s++)
                n += fixable_only ? v->fixable[s] : v->found[s];
        return n > UINT32_MAX ? UINT32_MAX : (uint32_t) n;
}
