#include "config.h"

#include <stdio.h>
#include <string.h>

#include "hardened/rules.h"
#include "hardened/util.h"

/* ---- the runtime's masked and read-only paths ------------------------------ */

/* What runc's `spec`, Docker, containerd and Podman mask and make read-only
 * by default (paths.masked adds missing ones back). */
const char *const rules_masked_default[] = {
        "/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
        "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware",
};
const size_t rules_masked_default_len = HD_ARRAY_SIZE (rules_masked_default);
const char *const rules_readonly_default[] = {
        "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
};
const size_t rules_readonly_default_len = HD_ARRAY_SIZE (rules_readonly_default);

bool
rules_path_clean (const char *path)
{
        if (path[0] != '/')
                return false;
        for (const char *p = path; *p; p++) {
                if (*p != '/')
                        continue;
                if (p[1] == '/' || (p[1] == '\0' && p != path))
                        return false;
                if (p[1] == '.' && (p[2] == '/' || p[2] == '\0' || (p[2] == '.' && (p[3] == '/' || p[3] == '\0'))))
                        return false;
        }
        return true;
}

/* ---- id ranges --------------------------------------------------------------- */

bool
rules_id_allowed (const struct policy_ids *ids, uint32_t id)
{
        for (size_t i = 0; i < ids->n; i++)
                if (id >= ids->r[i].min && id <= ids->r[i].max)
                        return true;
        return false;
}

/* ---- editing ------------------------------------------------------------------ */

int
rules_set_i64 (struct json *obj, const char *key, int64_t v, struct hd_err *err)
{
        struct json *n = json_new_i64 (v);

        if (!n)
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        return json_set (obj, key, n, err);
}

int
rules_set_bool (struct json *obj, const char *key, bool v, struct hd_err *err)
{
        struct json *n = json_new_bool (v);

        if (!n)
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        return json_set (obj, key, n, err);
}

void
rules_format_size (int64_t v, char *buf, size_t size)
{
        static const char *const units[] = { "Ti", "Gi", "Mi", "Ki" };

        for (size_t i = 0; i < HD_ARRAY_SIZE (units) && v > 0; i++) {
                int64_t m = (int64_t) 1 << (10 * (4 - i));
                if (v % m == 0) {
                        snprintf (buf, size, "%lld%s", (long long) (v / m), units[i]);
                        return;
                }
        }
        snprintf (buf, size, "%lld", (long long) v);
}

void
rules_array_filter (struct json *arr, bool (*drop) (const struct json *item, const void *ctx),
                    const void *ctx)
{
        size_t kept = 0;

        for (size_t i = 0; arr && arr->type == JSON_ARRAY && i < arr->n; i++) {
                if (drop (arr->items[i], ctx))
                        json_free (arr->items[i]);
                else
                        arr->items[kept++] = arr->items[i];
        }
        if (arr && arr->type == JSON_ARRAY)
                arr->n = kept;
}

bool
rules_array_has (const struct json *arr, const char *s)
{
        for (size_t i = 0; arr && i < arr->n; i++)
                if (arr->items[i]->type == JSON_STRING && strcmp (arr->items[i]->text, s) == 0)
                        return true;
        return false;
}
