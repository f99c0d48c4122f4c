#include "config.h"

#include <stddef.h>

#include <stdio.h>
#include <string.h>

#include "hardened/rules.h"
#include "hardened/util.h"

/* annotations.runtime: some annotations change what the runtime does, and
 * any Docker user can set annotations (docker run --annotation).  runc 1.1.5
 * acts on three (libcontainer/specconv, container_linux.go):
 *   bundle                  its labels are "key=value" with the real
 *                           "bundle=<dir>" appended last, and exec finds the
 *                           config.json it builds the process from through
 *                           the first "bundle" label (SearchLabels): an
 *                           annotation names another bundle;
 *   org.systemd.property.*  systemd unit properties of the container's
 *                           scope (systemd cgroup driver): any property;
 *   org.criu.config         the CRIU configuration file for checkpoint and
 *                           restore (any CRIU option).
 * crun adds run.oci.* (e.g. a raw seccomp program replacing the profile)
 * and krun.*.  The rule refuses the union of this built-in list, the
 * policy's own "prefixes" and the configured backend's features list
 * (potentiallyUnsafeConfigAnnotations, read from the features cache by
 * the shim), unless a key is allow-listed exactly.  List entries follow the
 * runtime-spec features convention: one ending in "." is a prefix, any
 * other an exact key.  runc reads its labels by splitting at the first
 * "=", so a key "bundle=/x" is the label "bundle" with value "/x=...": a
 * key is judged as itself and as its part before the first "=".
 * Fixed by removing them. */

static const char *const builtin_unsafe[] = {
        "bundle", "org.systemd.property.", "org.criu.config", "run.oci.", "krun.",
};

/* Does a features-style entry name `key` (whose first len bytes count)? */
static bool
entry_names (const char *entry, const char *key, size_t len)
{
        size_t n;

        if (len > 0 && entry[0] != key[0])
                return false; /* the common answer, without measuring entry */
        n = strlen (entry);
        if (n > 0 && entry[n - 1] == '.')
                return len >= n && strncmp (key, entry, n) == 0;
        return len == n && strncmp (key, entry, n) == 0;
}

/* Is `key` (its first len bytes) runtime-interpreted? */
static bool
unsafe_prefix (const struct policy *p, const char *key, size_t len)
{
        const struct policy_list *pre = &p->surface.annotation_prefixes;

        for (size_t i = 0; i < HD_ARRAY_SIZE (builtin_unsafe); i++)
                if (entry_names (builtin_unsafe[i], key, len))
                        return true;
        for (size_t i = 0; i < p->backend.nunsafe; i++)
                if (entry_names (p->backend.unsafe[i], key, len))
                        return true;
        for (size_t i = 0; i < policy_list_len (pre); i++)
                if (len >= strlen (policy_list_at (pre, i))
                    && strncmp (key, policy_list_at (pre, i), strlen (policy_list_at (pre, i))) == 0)
                        return true;
        return false;
}

static bool
runtime_key (const struct policy *p, const char *key)
{
        size_t len, name;

        if (policy_list_has (&p->surface.annotation_allow, key))
                return false;
        len = strlen (key);
        return unsafe_prefix (p, key, len) || ((name = strcspn (key, "=")) < len && unsafe_prefix (p, key, name));
}

static void
annotations_check (const struct policy *p, const struct json *doc, struct decision *d, const char *id)
{
        const struct json *map = json_get (doc, "annotations");

        for (size_t i = 0; map && i < map->n; i++) {
                char ptr[300];
                if (!runtime_key (p, map->members[i].key) || !decision_room (d))
                        continue;
                snprintf (ptr, sizeof ptr, "/annotations");
                json_pointer_append (ptr, sizeof ptr, map->members[i].key);
                decision_add (d, id, ptr, map->members[i].key, "not runtime-interpreted, or allow-listed",
                              "annotation %s changes what the runtime does", map->members[i].key);
        }
        if (p->backend.note[0])
                decision_note (d, "%s", p->backend.note);
}

static bool
annotation_drop (const struct json_member *m, const void *p)
{
        return runtime_key (p, m->key);
}

static int
annotations_fix (const struct policy *p, struct json *doc, const struct decision *ctx, struct hd_err *err)
{
        (void) err;
        (void) ctx;
        json_object_filter (json_get (doc, "annotations"), annotation_drop, p);
        return 0;
}

const struct rule rule_annotations = {
        "annotations.runtime", "annotations",   RULE_CREATE, offsetof (struct policy, surface.annotations),
        annotations_check,     annotations_fix,
};
