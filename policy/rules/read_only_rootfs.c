#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "hardened/rules.h"
#include "hardened/util.h"

/* rootfs.readOnly: root.readonly must be true.  The fix also mounts a
 * size-capped tmpfs (nosuid,nodev,noexec) on each of the policy's paths
 * that the config does not already mount something on, so ordinary
 * programs that write to /tmp keep working.  runc 1.1.5 gives a tmpfs the
 * mode of the directory it covers (rootfs_linux.go, case "tmpfs": chmod to
 * the old stat), so mode=1777 holds only where the image has no directory:
 * the tmpfs is owned by the container's user instead (uid=, gid=, as the
 * user rule, which runs first, left process.user), or a non-root service
 * could not write to /var/lib/nginx or /run/postgresql on its own tmpfs. */

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

/* uid=N and gid=N for a non-root process.user: the tmpfs's owner. */
static int
owner_options (const struct json *doc, struct json *o, struct hd_err *err)
{
        static const char *const keys[] = { "uid", "gid" };
        char opt[32];
        uint64_t v;

        for (size_t i = 0; i < HD_ARRAY_SIZE (keys); i++) {
                if (!json_number_u64 (json_path (doc, "process", "user", keys[i], NULL), &v) || v == 0)
                        continue;
                snprintf (opt, sizeof opt, "%s=%llu", keys[i], (unsigned long long) v);
                if (json_append (o, json_new_string (opt), err) < 0)
                        return -1;
        }
        return 0;
}

static struct json *
tmpfs_mount (const struct json *doc, const char *dest, uint64_t size, struct hd_err *err)
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
        if (json_append (o, json_new_string (sz), err) < 0 || owner_options (doc, o, err) < 0)
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
                    || json_append (mounts, tmpfs_mount (doc, p->rootfs.tmpfs[i], p->rootfs.tmpfs_size, err), err) < 0)
                        return -1;
        }
        return 0;
}

const struct rule rule_rootfs_read_only = {
        "rootfs.readOnly", "readOnlyRootfs", RULE_CREATE, offsetof (struct policy, rootfs.action),
        rootfs_check,      rootfs_fix,
};
