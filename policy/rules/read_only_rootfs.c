#include "config.h"

#include <stddef.h>

#include <stdio.h>
#include <string.h>

#include "hardened/rules.h"
#include "hardened/util.h"

/* rootfs.readOnly: root.readonly must be true.  The fix also mounts a
 * size-capped tmpfs (nosuid,nodev,noexec) on each of the policy's paths
 * that the config does not already mount something on, so ordinary
 * programs that write to /tmp keep working. */

static bool
has_mount (const struct json *doc, const char *dest)
{
        const struct json *mounts = json_get (doc, "mounts");

        for (size_t i = 0; mounts && i < mounts->n; i++) {
                const struct json *d = json_get (mounts->items[i], "destination");
                if (d && strcmp (d->text, dest) == 0)
                        return true;
        }
        return false;
}

static void
rootfs_check (const struct policy *p, const struct json *doc, struct decision *d, const char *id)
{
        const struct json *ro = json_path (doc, "root", "readonly", NULL);

        if (!ro || !ro->boolean)
                decision_add (d, id, "/root/readonly", ro ? "false" : "(absent)", "true",
                              "the root filesystem would be writable");
}

static struct json *
tmpfs_mount (const char *dest, uint64_t size, struct hd_err *err)
{
        static const char *const opts[] = { "nosuid", "nodev", "noexec", "mode=1777" };
        _cleanup_json_ struct json *m = json_new (JSON_OBJECT);
        struct json *o;
        char sz[48];

        if (!m || json_set (m, "destination", json_new_string (dest), err) < 0
            || json_set (m, "type", json_new_string ("tmpfs"), err) < 0
            || json_set (m, "source", json_new_string ("tmpfs"), err) < 0
            || !(o = json_ensure (m, "options", JSON_ARRAY, err)))
                return NULL;
        for (size_t i = 0; i < HD_ARRAY_SIZE (opts); i++)
                if (json_append (o, json_new_string (opts[i]), err) < 0)
                        return NULL;
        snprintf (sz, sizeof sz, "size=%llu", (unsigned long long) size);
        if (json_append (o, json_new_string (sz), err) < 0)
                return NULL;
        return steal_ptr (&m);
}

static int
rootfs_fix (const struct policy *p, struct json *doc, const struct decision *ctx, struct hd_err *err)
{
        struct json *root = json_ensure (doc, "root", JSON_OBJECT, err), *mounts;

        if (!root || json_set_bool (root, "readonly", true, err) < 0)
                return -1;
        for (size_t i = 0; i < p->rootfs.ntmpfs; i++) {
                if (has_mount (doc, p->rootfs.tmpfs[i]))
                        continue;
                mounts = json_ensure (doc, "mounts", JSON_ARRAY, err);
                if (!mounts
                    || json_append (mounts, tmpfs_mount (p->rootfs.tmpfs[i], p->rootfs.tmpfs_size, err), err) < 0)
                        return -1;
        }
        return 0;
}

const struct rule rule_rootfs_read_only = {
        "rootfs.readOnly", "readOnlyRootfs", RULE_CREATE, offsetof (struct policy, rootfs.action),
        rootfs_check,      rootfs_fix,
};
