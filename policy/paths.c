#include "config.h"

#include <stdbool.h>

#include "hardened/paths.h"
#include "hardened/util.h"

/* What runc's `spec`, Docker, containerd and Podman mask and make read-only
 * by default (paths.masked adds missing ones back). */
const char *const paths_masked_default[] = {
        "/proc/asound",     "/proc/acpi",        "/proc/kcore",       "/proc/keys", "/proc/latency_stats",
        "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware",
};
const size_t paths_masked_default_len = HD_ARRAY_SIZE (paths_masked_default);
const char *const paths_readonly_default[] = {
        "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
};
const size_t paths_readonly_default_len = HD_ARRAY_SIZE (paths_readonly_default);

bool
paths_clean (const char *path)
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
