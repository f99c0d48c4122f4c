#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "hardened/image.h"
#include "hardened/rules.h"
#include "hardened/util.h"
#include "hardened/verdicts.h"

/* images.allowList and images.unknown: which image a container may be made
 * from, judged on the identity its engine gave (d->image, image.h), never
 * on the image's labels or the container's own annotations (anyone writes
 * those).  Judged at create, where the image is the one actually used: a
 * pull-time control misses `docker load`, `docker import`, a retag and a
 * pre-pulled image; a retag keeps the image ID, so an ID-pinned entry still
 * sees through it.  A pod's sandbox is not judged: its image is the
 * engine's own configuration (containerd's sandbox_image), and containerd
 * 1.6 names no image on it.  Nothing to fix: a finding refuses (rewrite
 * means reject here), or warns. */

/* The first entry of `l` that names the image, or NULL. */
static const char *
listed (const struct policy_list *l, const struct image_identity *img)
{
        for (size_t i = 0; i < policy_list_len (l); i++)
                if (image_matches (policy_list_at (l, i), img))
                        return policy_list_at (l, i);
        return NULL;
}

/* NAME (ID), for a finding's found= value. */
static void
shown (const struct image_identity *img, char *buf, size_t size)
{
        snprintf (buf, size, "%s%s%s%s", img->name[0] ? img->name : "(no name)", img->id[0] ? " (" : "", img->id,
                  img->id[0] ? ")" : "");
}

static bool
judged (const struct decision *d)
{
        return d->cri.role != CRI_SANDBOX && d->image.source != IMAGE_UNKNOWN;
}

static void
images_check (const struct policy *p, const struct json *doc, struct decision *d, const char *id)
{
        const struct image_identity *img = &d->image;
        const char *hit;
        char found[IMAGE_NAME_MAX + IMAGE_ID_MAX + 4], why[512];
        struct image_ref ref;

        (void) doc;
        if (!judged (d))
                return;
        shown (img, found, sizeof found);
        if (img->name[0] && image_ref_parse (img->name, false, &ref, why, sizeof why) < 0)
                decision_add (d, id, "/", found, "an image reference", "image name %s (from %s)", why,
                              image_source_name (img->source));
        if ((hit = listed (&p->images.deny, img)))
                decision_add (d, id, "/", found, "not on images.deny", "image %s is denied by \"%s\" (from %s)", found,
                              hit, image_source_name (img->source));
        else if (policy_list_len (&p->images.allow) && !listed (&p->images.allow, img))
                decision_add (d, id, "/", found, "an image on images.allow",
                              "image %s is not on the allow-list (from %s)", found, image_source_name (img->source));
        if (p->images.require_digest && !img->id[0] && !img->digest[0])
                decision_add (d, id, "/", found, "NAME@sha256:...", "image %s is not pinned by digest (from %s)", found,
                              image_source_name (img->source));
}

static void
unknown_check (const struct policy *p, const struct json *doc, struct decision *d, const char *id)
{
        (void) p;
        (void) doc;
        if (d->cri.role != CRI_SANDBOX && d->image.source == IMAGE_UNKNOWN)
                decision_add (d, id, "/", "(unknown)", "an image named by its engine",
                              "no engine the policy trusts named this container's image");
}

const struct rule rule_images = {
        "images.allowList", "images", RULE_CREATE, offsetof (struct policy, images.action), images_check, NULL,
};

const struct rule rule_images_unknown = {
        "images.unknown", "images", RULE_CREATE, offsetof (struct policy, images.unknown), unknown_check, NULL,
};

/* ---- the scan gate: images.scan, images.unscanned ----------------------- */

/* The image's verdict, by its ID or repository digest (never by name: a
 * tag moves, a scan is of content); NULL when none or no gate. */
static const struct scan_verdict *
verdict_of (const struct policy *p, const struct decision *d)
{
        const struct image_identity *img = &d->image;

        if (!p->images.verdicts_path || !judged (d))
                return NULL;
        return verdicts_find (&p->images.verdicts, img->id[0] ? img->id : NULL, img->digest[0] ? img->digest : NULL);
}

/* "CRITICAL 1 (1 fixable), HIGH 2 (1 fixable), ..." from `min` up. */
static void
counts (const struct scan_verdict *v, int min, char *buf, size_t size)
{
        size_t used = 0;

        buf[0] = '\0';
        for (int s = SEV_COUNT - 1; s >= min && used < size; s--)
                used += (size_t) snprintf (buf + used, size - used, "%s%s %u (%u fixable)", used ? ", " : "",
                                           severity_name (s), v->found[s], v->fixable[s]);
}

static void
scan_check (const struct policy *p, const struct json *doc, struct decision *d, const char *id)
{
        const struct scan_verdict *v = verdict_of (p, d);
        char found[IMAGE_NAME_MAX + IMAGE_ID_MAX + 4], list[256], need[64], when[32];
        int64_t age;
        uint32_t n;

        (void) doc;
        if (!v)
                return;
        shown (&d->image, found, sizeof found);
        n = verdict_at_or_above (v, p->images.max_severity, p->images.fixable_only);
        snprintf (need, sizeof need, "no %svulnerability at or above %s", p->images.fixable_only ? "fixable " : "",
                  severity_name (p->images.max_severity));
        counts (v, p->images.max_severity, list, sizeof list);
        verdict_time_format (v->scanned_at, when, sizeof when);
        if (n)
                decision_add (d, id, "/", list, need,
                              "image %s has %u %svulnerabilities at or above %s (scan of %s, %s)", found, n,
                              p->images.fixable_only ? "fixable " : "", severity_name (p->images.max_severity),
                              v->artifact[0] ? v->artifact : v->image_id, when);
        age = (int64_t) time (NULL) - v->scanned_at;
        if (p->images.max_age && age > p->images.max_age)
                decision_add (d, id, "/", "an older scan", "a scan within maxAge",
                              "the scan verdict of image %s is %lld hours old, maxAge is %lld hours", found,
                              (long long) (age / 3600), (long long) (p->images.max_age / 3600));
}

static void
unscanned_check (const struct policy *p, const struct json *doc, struct decision *d, const char *id)
{
        char found[IMAGE_NAME_MAX + IMAGE_ID_MAX + 4];

        (void) doc;
        if (!p->images.verdicts_path || !judged (d) || verdict_of (p, d))
                return;
        shown (&d->image, found, sizeof found);
        decision_add (d, id, "/", found, "a scan verdict", "image %s has no scan verdict in %s (by ID or digest)",
                      found, p->images.verdicts_path);
}

const struct rule rule_images_scan = {
        "images.scan", "images", RULE_CREATE, offsetof (struct policy, images.action), scan_check, NULL,
};

const struct rule rule_images_unscanned = {
        "images.unscanned", "images", RULE_CREATE, offsetof (struct policy, images.unscanned), unscanned_check, NULL,
};
