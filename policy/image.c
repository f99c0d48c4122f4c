#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "hardened/decision.h"
#include "hardened/engine.h"
#include "hardened/image.h"
#include "hardened/util.h"

static const char *const source_names[] = {
        [IMAGE_UNKNOWN] = "unknown", [IMAGE_CRI] = "cri", [IMAGE_CRIO] = "cri-o",
        [IMAGE_DOCKER] = "docker",   [IMAGE_CLI] = "cli",
};

const char *
image_source_name (enum image_source s)
{
        return (size_t) s < HD_ARRAY_SIZE (source_names) ? source_names[s] : "unknown";
}

bool
image_is_digest (const char *s)
{
        static const char hex[] = "0123456789abcdef";

        return strncmp (s, "sha256:", 7) == 0 && strlen (s + 7) == 64 && strspn (s + 7, hex) == 64;
}

/* ---- the grammar (distribution/reference's, as Docker 20.10 reads it) ---- */

static bool
alnum_lower (char c)
{
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* [a-z0-9]+ ((\.|_|__|-+) [a-z0-9]+)*, exactly len bytes. */
static bool
path_component_ok (const char *s, size_t len)
{
        size_t i = 0;

        while (i < len) {
                size_t run = 0;
                while (i < len && alnum_lower (s[i]))
                        i++, run++;
                if (run == 0)
                        return false;
                if (i == len)
                        return true;
                if (s[i] == '.' || (s[i] == '_' && !(i + 1 < len && s[i + 1] == '_')))
                        i++;
                else if (s[i] == '_')
                        i += 2;
                else if (s[i] == '-')
                        while (i < len && s[i] == '-')
                                i++;
                else
                        return false;
                if (i == len)
                        return false; /* a separator must be followed by a component */
        }
        return false;
}

/* One or more path components joined by '/'. */
static bool
path_ok (const char *s)
{
        for (;;) {
                size_t len = strcspn (s, "/");
                if (!path_component_ok (s, len))
                        return false;
                if (!s[len])
                        return true;
                s += len + 1;
        }
}

/* [A-Za-z0-9] or [A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9], exactly len bytes. */
static bool
host_component_ok (const char *s, size_t len)
{
        if (len == 0 || !isalnum ((unsigned char) s[0]) || !isalnum ((unsigned char) s[len - 1]))
                return false;
        for (size_t i = 0; i < len; i++)
                if (!isalnum ((unsigned char) s[i]) && s[i] != '-')
                        return false;
        return true;
}

/* Host components joined by '.', then an optional :port. */
static bool
domain_ok (const char *s)
{
        const char *colon = strchr (s, ':');
        const char *end = colon ? colon : s + strlen (s);

        if (colon && (!colon[1] || strspn (colon + 1, "0123456789") != strlen (colon + 1)))
                return false;
        for (const char *c = s;;) {
                const char *dot = memchr (c, '.', (size_t) (end - c));
                if (!host_component_ok (c, (size_t) ((dot ? dot : end) - c)))
                        return false;
                if (!dot)
                        return true;
                c = dot + 1;
        }
}

/* [A-Za-z0-9_][A-Za-z0-9_.-]{0,127} */
static bool
tag_ok (const char *s)
{
        size_t n = strlen (s);

        if (n == 0 || n > 128 || !(isalnum ((unsigned char) s[0]) || s[0] == '_'))
                return false;
        for (size_t i = 1; i < n; i++)
                if (!isalnum ((unsigned char) s[i]) && s[i] != '_' && s[i] != '.' && s[i] != '-')
                        return false;
        return true;
}

/* Docker's splitDockerDomain: is the first component (len bytes) a domain? */
static bool
first_is_domain (const char *s, size_t len)
{
        for (size_t i = 0; i < len; i++)
                if (s[i] == '.' || s[i] == ':' || isupper ((unsigned char) s[i]))
                        return true;
        return len == 9 && strncmp (s, "localhost", 9) == 0;
}

static int
bad (char *why, size_t size, const char *text, const char *problem)
{
        snprintf (why, size, "\"%s\" is not an image reference: %s", text, problem);
        return -1;
}

/* The name part (no tag, no digest) into domain and path. */
static int
split_name (const char *text, const char *name, bool pattern, struct image_ref *out, char *why, size_t size)
{
        size_t first = strcspn (name, "/");
        const char *rest = name;

        snprintf (out->domain, sizeof out->domain, "docker.io");
        if (name[first] == '/' && first_is_domain (name, first)) {
                snprintf (out->domain, sizeof out->domain, "%.*s", (int) first, name);
                rest = name + first + 1;
        }
        for (char *c = out->domain; *c; c++)
                *c = (char) tolower ((unsigned char) *c);
        if (!domain_ok (out->domain))
                return bad (why, size, text, "bad registry host");
        if (strcmp (out->domain, "index.docker.io") == 0)
                snprintf (out->domain, sizeof out->domain, "docker.io");
        if (pattern && rest != name && !rest[0])
                return 0; /* "registry.example/": the whole registry */
        if (!path_ok (rest))
                return bad (why, size, text,
                            "the repository must be lowercase components ([a-z0-9] joined by '.', '_', '__' or "
                            "'-') separated by single '/'");
        snprintf (out->path, sizeof out->path, "%s%s",
                  strcmp (out->domain, "docker.io") == 0 && !strchr (rest, '/') ? "library/" : "", rest);
        return 0;
}

int
image_ref_parse (const char *text, bool pattern, struct image_ref *out, char *why, size_t size)
{
        char name[IMAGE_NAME_MAX];
        const char *at = strrchr (text, '@');
        char *slash, *colon;

        memset (out, 0, sizeof *out);
        if (!text[0] || strlen (text) >= sizeof name)
                return bad (why, size, text, text[0] ? "longer than 255 bytes" : "empty");
        snprintf (name, sizeof name, "%.*s", (int) (at ? (size_t) (at - text) : strlen (text)), text);
        if (at && !image_is_digest (at + 1))
                return bad (why, size, text, "the digest must be sha256: and 64 lowercase hex digits");
        if (at)
                snprintf (out->digest, sizeof out->digest, "%s", at + 1);
        slash = strrchr (name, '/');
        colon = strrchr (slash ? slash : name, ':');
        if (colon) {
                *colon = '\0';
                if (!tag_ok (colon + 1))
                        return bad (why, size, text, "bad tag");
                snprintf (out->tag, sizeof out->tag, "%s", colon + 1);
        }
        if (split_name (text, name, pattern, out, why, size) < 0)
                return -1;
        if (!pattern && !out->tag[0] && !out->digest[0])
                snprintf (out->tag, sizeof out->tag, "latest");
        return 0;
}

/* ---- matching ------------------------------------------------------------- */

static bool
path_covers (const char *pat, const char *path)
{
        size_t n = strlen (pat);

        return n == 0 || (strncmp (path, pat, n) == 0 && (path[n] == '\0' || path[n] == '/'));
}

static bool
digest_is_image (const char *digest, const struct image_identity *img)
{
        return (img->id[0] && strcmp (digest, img->id) == 0) || (img->digest[0] && strcmp (digest, img->digest) == 0);
}

bool
image_matches (const char *pattern, const struct image_identity *img)
{
        struct image_ref pat, ref;
        char why[8];

        if (image_is_digest (pattern))
                return digest_is_image (pattern, img);
        if (!img->name[0] || image_ref_parse (pattern, true, &pat, why, sizeof why) < 0
            || image_ref_parse (img->name, false, &ref, why, sizeof why) < 0 || strcmp (pat.domain, ref.domain) != 0)
                return false;
        if (!pat.tag[0] && !pat.digest[0])
                return path_covers (pat.path, ref.path);
        if (strcmp (pat.path, ref.path) != 0)
                return false;
        if (pat.tag[0] && strcmp (pat.tag, ref.tag) != 0)
                return false;
        return !pat.digest[0] || strcmp (pat.digest, ref.digest) == 0
               || (img->digest[0] && strcmp (pat.digest, img->digest) == 0);
}

/* ---- where the identity comes from ---------------------------------------- */

/* CRI-O's keys (pkg/annotations): counted only under a trustedAnnotations
 * root that gives them (none by default: CRI-O's runc root is the
 * operator's choice). */
#define CRIO_IMAGE_NAME "io.kubernetes.cri-o.ImageName"
#define CRIO_IMAGE_REF "io.kubernetes.cri-o.ImageRef"

static const char *
trusted_value (const struct policy *p, const struct json *doc, const char *root, const char *key)
{
        const struct json *v = json_get (json_get (doc, "annotations"), key);

        return v && v->type == JSON_STRING && engine_annotation_trusted (p, root, key) ? v->text : NULL;
}

/* An ImageRef: 64 hex digits or sha256:<hex> (the image ID), or
 * NAME@sha256:<hex> (a repository digest). */
static void
take_ref (const char *ref, struct image_identity *out)
{
        const char *at = strrchr (ref, '@');
        char id[IMAGE_ID_MAX];

        snprintf (id, sizeof id, "sha256:%s", ref);
        if (image_is_digest (ref) || image_is_digest (id))
                snprintf (out->id, sizeof out->id, "%s", image_is_digest (ref) ? ref : id);
        else if (at && image_is_digest (at + 1))
                snprintf (out->digest, sizeof out->digest, "%s", at + 1);
}

static void
crio_identity (const struct policy *p, const struct json *doc, const char *root, struct image_identity *out)
{
        const char *name = trusted_value (p, doc, root, CRIO_IMAGE_NAME);
        const char *ref = trusted_value (p, doc, root, CRIO_IMAGE_REF);

        if (!name && !ref)
                return;
        out->source = IMAGE_CRIO;
        snprintf (out->name, sizeof out->name, "%s", name ? name : "");
        if (ref)
                take_ref (ref, out);
}

void
image_identity_resolve (const struct policy *p, const struct json *doc, const struct engine_subject *s,
                        const struct cri_context *cri, struct image_identity *out)
{
        const char *at;

        memset (out, 0, sizeof *out);
        if (s && s->image && s->image->source != IMAGE_UNKNOWN)
                *out = *s->image;
        else if (cri && cri->image_name) {
                out->source = IMAGE_CRI;
                snprintf (out->name, sizeof out->name, "%s", cri->image_name);
        } else
                crio_identity (p, doc, s ? s->state_root : NULL, out);
        at = strrchr (out->name, '@');
        if (!out->digest[0] && at && image_is_digest (at + 1))
                snprintf (out->digest, sizeof out->digest, "%s", at + 1);
}
