#include "config.h"

#include <stddef.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hardened/rules.h"
#include "hardened/util.h"

/* privileged.container (CIS 5.5, PSS privileged): the --privileged
 * signature, reported as one clear finding besides the individual ones.
 * devices.cgroup (CIS 5.18): no allow-all device rule (fixed by removing it).
 * devices.host: no host device beyond the runtime's defaults unless
 * allow-listed (no safe fix: refused).
 * paths.masked: the runtime's default masked and read-only paths are
 * present (missing ones are added back). */

static const char *const default_devices[] = {
        "/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty",
        "/dev/console", "/dev/ptmx", "/dev/pts/ptmx",
};
static const char *const masked_default[] = {
        "/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
        "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware",
};
static const char *const readonly_default[] = {
        "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
};

static bool
allow_all_rule (const struct json *r, const void *unused)
{
        const struct json *type = json_get (r, "type"), *allow = json_get (r, "allow");

        (void) unused;
        return allow && allow->boolean && (!type || strcmp (type->text, "a") == 0)
               && !json_get (r, "major") && !json_get (r, "minor");
}

static bool
has_allow_all (const struct json *doc)
{
        const struct json *rules = json_path (doc, "linux", "resources", "devices", NULL);

        for (size_t i = 0; rules && i < rules->n; i++)
                if (allow_all_rule (rules->items[i], NULL))
                        return true;
        return false;
}

/* ---- privileged ---- */

/* Every capability up to CAP_AUDIT_READ (37): what --privileged grants
 * whatever the engine's own list of newer capabilities. */
static bool
all_capabilities (const struct json *doc)
{
        const struct json *b = json_path (doc, "process", "capabilities", "bounding", NULL);
        const uint64_t classic = (1ULL << 38) - 1;
        uint64_t have = 0;
        int cap;

        for (size_t i = 0; b && i < b->n; i++)
                if (rules_cap_from_name (b->items[i]->text, &cap) == 0)
                        have |= 1ULL << cap;
        return (have & classic) == classic;
}

static void
privileged_check (const struct policy *p, const struct json *doc, struct decision *d, const char *id)
{
        const struct json *masked = json_path (doc, "linux", "maskedPaths", NULL);
        const struct json *ro = json_path (doc, "linux", "readonlyPaths", NULL);

        if (all_capabilities (doc) && (!masked || masked->n == 0) && (!ro || ro->n == 0) && has_allow_all (doc))
                decision_add (d, id, "/", "all capabilities, no masked paths, all devices", "not privileged",
                              "privileged container (--privileged): all capabilities, masked and "
                              "read-only paths dropped, every device allowed");
}

/* ---- device cgroup ---- */

static void
cgroup_check (const struct policy *p, const struct json *doc, struct decision *d, const char *id)
{
        if (has_allow_all (doc))
                decision_add (d, id, "/linux/resources/devices", "allow all", "default deny",
                              "a device rule allows every device");
}

static int
cgroup_fix (const struct policy *p, struct json *doc, const struct decision *ctx, struct hd_err *err)
{
        (void) err;
        rules_array_filter (json_path (doc, "linux", "resources", "devices", NULL), allow_all_rule, NULL);
        return 0;
}

/* ---- host devices ---- */

static bool
device_ok (const struct policy *p, const char *path)
{
        for (size_t i = 0; i < HD_ARRAY_SIZE (default_devices); i++)
                if (strcmp (default_devices[i], path) == 0)
                        return true;
        return policy_list_has (&p->surface.device_allow, path);
}

static void
host_check (const struct policy *p, const struct json *doc, struct decision *d, const char *id)
{
        const struct json *devs = json_path (doc, "linux", "devices", NULL);
        char found[160] = "";
        size_t used = 0, count = 0;

        for (size_t i = 0; devs && i < devs->n; i++) {
                const struct json *path = json_get (devs->items[i], "path");
                if (!path || device_ok (p, path->text))
                        continue;
                if (used < sizeof found)
                        used += (size_t) snprintf (found + used, sizeof found - used, "%s%s", count ? "," : "",
                                                   path->text);
                count++;
        }
        if (count)
                decision_add (d, id, "/linux/devices", found, "runtime defaults or allow-listed",
                              "%zu host device(s) not allowed: %s", count, found);
}

/* ---- masked and read-only paths ---- */

static void
masked_check (const struct policy *p, const struct json *doc, struct decision *d, const char *id)
{
        const struct {
                const char *key, *ptr;
                const char *const *want;
                size_t n;
        } lists[] = {
                { "maskedPaths", "/linux/maskedPaths", masked_default, HD_ARRAY_SIZE (masked_default) },
                { "readonlyPaths", "/linux/readonlyPaths", readonly_default, HD_ARRAY_SIZE (readonly_default) },
        };

        for (size_t l = 0; l < HD_ARRAY_SIZE (lists); l++) {
                const struct json *have = json_path (doc, "linux", lists[l].key, NULL);
                char missing[160] = "";
                size_t used = 0;
                for (size_t i = 0; i < lists[l].n; i++)
                        if (!rules_array_has (have, lists[l].want[i]) && used < sizeof missing)
                                used += (size_t) snprintf (missing + used, sizeof missing - used, "%s%s",
                                                           used ? "," : "", lists[l].want[i]);
                if (used)
                        decision_add (d, id, lists[l].ptr, missing, "present", "%s missing: %s", lists[l].key,
                                      missing);
        }
}

static int
masked_add (struct json *linux_, const char *key, const char *const *want, size_t n, struct hd_err *err)
{
        struct json *have = json_ensure (linux_, key, JSON_ARRAY, err);

        if (!have)
                return -1;
        for (size_t i = 0; i < n; i++)
                if (!rules_array_has (have, want[i]) && json_append (have, json_new_string (want[i]), err) < 0)
                        return -1;
        return 0;
}

static int
masked_fix (const struct policy *p, struct json *doc, const struct decision *ctx, struct hd_err *err)
{
        struct json *linux_ = json_ensure (doc, "linux", JSON_OBJECT, err);

        if (!linux_ || masked_add (linux_, "maskedPaths", masked_default, HD_ARRAY_SIZE (masked_default), err) < 0)
                return -1;
        return masked_add (linux_, "readonlyPaths", readonly_default, HD_ARRAY_SIZE (readonly_default), err);
}

const struct rule rule_privileged = {
        "privileged.container", "privileged", RULE_CREATE, offsetof (struct policy, surface.privileged), privileged_check, NULL,
};
const struct rule rule_device_cgroup = {
        "devices.cgroup", "devices", RULE_CREATE, offsetof (struct policy, surface.devices), cgroup_check, cgroup_fix,
};
const struct rule rule_device_host = {
        "devices.host", "devices", RULE_CREATE, offsetof (struct policy, surface.devices), host_check, NULL,
};
const struct rule rule_masked_paths = {
        "paths.masked", "maskedPaths", RULE_CREATE, offsetof (struct policy, surface.masked_paths), masked_check, masked_fix,
};
