#include "config.h"

#include <stddef.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hardened/rules.h"
#include "hardened/util.h"

/* mounts.bindSource (CIS 5.6, 5.32; PSS hostPath): a bind mount is known by
 * its options (bind/rbind), whatever its type says.  Its source is
 * canonicalised as runc will use it (relative to the bundle, symlinks
 * resolved) and refused when it is a denied path, under one, or an ancestor
 * of one (binding /var/run would expose /var/run/docker.sock); with an
 * allow-list, it must be under an allowed path.  No safe fix: refused.
 * mounts.propagation (CIS 5.20): no shared/rshared mount, no shared
 * rootfsPropagation; fixed to private.
 * mounts.readOnly (optional): every bind mount read-only; fixed with "ro". */

static bool
is_bind (const struct json *m)
{
        const struct json *o = json_get (m, "options");

        return rules_array_has (o, "bind") || rules_array_has (o, "rbind");
}

/* Lexically clean an absolute path: no "//", ".", "..", trailing "/". */
static void
clean_path (const char *in, char *out, size_t size)
{
        size_t used = 0;
        const char *p = in;

        out[0] = '\0';
        while (*p) {
                size_t len;
                while (*p == '/')
                        p++;
                len = strcspn (p, "/");
                if (len == 0 || (len == 1 && p[0] == '.')) {
                        p += len;
                        continue;
                }
                if (len == 2 && p[0] == '.' && p[1] == '.') {
                        while (used > 0 && out[--used] != '/')
                                ;
                        out[used] = '\0';
                } else if (used + len + 2 < size) {
                        out[used++] = '/';
                        memcpy (out + used, p, len);
                        used += len;
                        out[used] = '\0';
                }
                p += len;
        }
        if (used == 0)
                snprintf (out, size, "/");
}

/* The host path the kernel will bind: realpath when it exists (symlinks
 * followed, as mount(2) does), else the cleaned path. */
static void
canonical_source (const char *bundle, const char *src, char *out, size_t size)
{
        char joined[PATH_MAX * 2], resolved[PATH_MAX];

        if (src[0] == '/')
                snprintf (joined, sizeof joined, "%s", src);
        else if (bundle && bundle[0] == '/')
                snprintf (joined, sizeof joined, "%s/%s", bundle, src);
        else if (realpath (bundle ? bundle : ".", resolved))
                snprintf (joined, sizeof joined, "%s/%s", resolved, src);
        else
                snprintf (joined, sizeof joined, "/%s", src);
        if (realpath (joined, resolved))
                snprintf (out, size, "%s", resolved);
        else
                clean_path (joined, out, size);
}

/* Is `path` equal to `base` or below it? */
static bool
under (const char *path, const char *base)
{
        size_t n = strlen (base);

        if (strcmp (base, "/") == 0)
                return true;
        return strncmp (path, base, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* Files the engine keeps for this very container (Docker's
 * .../containers/<id>/resolv.conf, hostname, hosts, shm): not a host path a
 * user chose, even under a denied tree like /var/lib/docker. */
static bool
engine_managed (const char *src, const char *id)
{
        char needle[300];

        if (!id || !*id)
                return false;
        snprintf (needle, sizeof needle, "/containers/%s/", id);
        return strstr (src, needle) != NULL;
}

static const char *
denied_by (const struct policy *p, const char *src)
{
        const struct policy_list *deny = &p->surface.mount_deny;

        for (size_t i = 0; i < policy_list_len (deny); i++) {
                const char *d = policy_list_at (deny, i);
                /* "/" only denies itself; anything else denies its subtree too */
                if (strcmp (src, d) == 0 || under (d, src) || (strcmp (d, "/") != 0 && under (src, d)))
                        return d;
        }
        return NULL;
}

static bool
allowed (const struct policy *p, const char *src)
{
        const struct policy_list *allow = &p->surface.mount_allow;

        if (!allow->json)
                return true;
        for (size_t i = 0; i < policy_list_len (allow); i++)
                if (under (src, policy_list_at (allow, i)))
                        return true;
        return false;
}

static void
source_check (const struct policy *p, const struct json *doc, struct decision *d, const char *id)
{
        const struct json *mounts = json_get (doc, "mounts");

        for (size_t i = 0; mounts && i < mounts->n; i++) {
                const struct json *m = mounts->items[i], *src = json_get (m, "source");
                char canon[PATH_MAX], ptr[64];
                const char *deny;

                if (!is_bind (m) || !src)
                        continue;
                canonical_source (d->bundle, src->text, canon, sizeof canon);
                if (engine_managed (canon, d->container_id))
                        continue;
                snprintf (ptr, sizeof ptr, "/mounts/%zu/source", i);
                if ((deny = denied_by (p, canon)))
                        decision_add (d, id, ptr, canon, "not a denied host path",
                                      "bind mount of %s exposes %s", canon, deny);
                else if (!allowed (p, canon))
                        decision_add (d, id, ptr, canon, "under an allowed path",
                                      "bind mount of %s is outside the allow-list", canon);
        }
}

static bool
shared (const char *opt)
{
        return strcmp (opt, "shared") == 0 || strcmp (opt, "rshared") == 0;
}

static void
propagation_check (const struct policy *p, const struct json *doc, struct decision *d, const char *id)
{
        const struct json *mounts = json_get (doc, "mounts");
        const struct json *rp = json_path (doc, "linux", "rootfsPropagation", NULL);

        for (size_t i = 0; mounts && i < mounts->n; i++) {
                const struct json *o = json_get (mounts->items[i], "options");
                char ptr[64];
                for (size_t k = 0; o && k < o->n; k++) {
                        if (!shared (o->items[k]->text))
                                continue;
                        snprintf (ptr, sizeof ptr, "/mounts/%zu/options/%zu", i, k);
                        decision_add (d, id, ptr, o->items[k]->text, "private or slave",
                                      "mount propagation %s on %s reaches the host", o->items[k]->text,
                                      json_get (mounts->items[i], "destination")
                                              ? json_get (mounts->items[i], "destination")->text : "?");
                }
        }
        if (rp && shared (rp->text))
                decision_add (d, id, "/linux/rootfsPropagation", rp->text, "private or slave",
                              "rootfs propagation %s reaches the host", rp->text);
}

static int
propagation_fix (const struct policy *p, struct json *doc, const struct decision *ctx, struct hd_err *err)
{
        struct json *mounts = json_get (doc, "mounts");
        struct json *linux_ = json_get (doc, "linux"), *rp = json_get (linux_, "rootfsPropagation");

        for (size_t i = 0; mounts && i < mounts->n; i++) {
                struct json *o = json_get (mounts->items[i], "options");
                for (size_t k = 0; o && k < o->n; k++) {
                        if (!shared (o->items[k]->text))
                                continue;
                        json_free (o->items[k]);
                        o->items[k] = json_new_string ("rprivate");
                        if (!o->items[k])
                                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
                }
        }
        if (rp && shared (rp->text))
                return json_set (linux_, "rootfsPropagation", json_new_string ("rprivate"), err);
        return 0;
}

static void
read_only_check (const struct policy *p, const struct json *doc, struct decision *d, const char *id)
{
        const struct json *mounts = json_get (doc, "mounts");

        for (size_t i = 0; p->surface.mount_read_only && mounts && i < mounts->n; i++) {
                const struct json *m = mounts->items[i], *src = json_get (m, "source");
                char ptr[64];
                if (!is_bind (m) || rules_array_has (json_get (m, "options"), "ro")
                    || (src && engine_managed (src->text, d->container_id)))
                        continue;
                snprintf (ptr, sizeof ptr, "/mounts/%zu/options", i);
                decision_add (d, id, ptr, "read-write", "ro", "bind mount on %s is writable",
                              json_get (m, "destination") ? json_get (m, "destination")->text : "?");
        }
}

static int
read_only_fix (const struct policy *p, struct json *doc, const struct decision *ctx, struct hd_err *err)
{
        struct json *mounts = json_get (doc, "mounts");

        for (size_t i = 0; mounts && i < mounts->n; i++) {
                struct json *m = mounts->items[i], *o;
                const struct json *src = json_get (m, "source");
                if (!is_bind (m) || rules_array_has (json_get (m, "options"), "ro")
                    || (src && engine_managed (src->text, ctx->container_id)))
                        continue;
                o = json_ensure (m, "options", JSON_ARRAY, err);
                if (!o || json_append (o, json_new_string ("ro"), err) < 0)
                        return -1;
        }
        return 0;
}

const struct rule rule_mount_sources = {
        "mounts.bindSource", "mounts", RULE_CREATE, offsetof (struct policy, surface.mounts), source_check, NULL,
};
const struct rule rule_mount_propagation = {
        "mounts.propagation", "mounts", RULE_CREATE, offsetof (struct policy, surface.mounts), propagation_check, propagation_fix,
};
const struct rule rule_mount_read_only = {
        "mounts.readOnly", "mounts", RULE_CREATE, offsetof (struct policy, surface.mounts), read_only_check, read_only_fix,
};
