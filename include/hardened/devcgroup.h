/* The device cgroup as runc 1.1 builds it, simulated.
 *
 * Threat: linux.resources.devices is attacker-shaped (docker run
 * --device-cgroup-rule, --privileged, a hand-written config), and an image
 * can carry device nodes of its own, so the cgroup is what stands between
 * a container and the host's disks.  A rule must therefore be judged by
 * what runc makes of it, not by its spelling.  runc (libcontainer/specconv
 * CreateCgroupConfig, libcontainer/cgroups/devices' emulator, which both
 * the cgroup v1 writer and the v2 eBPF generator use) reads a rule as:
 *   - type absent or "" is "a"; "a" resets the cgroup to allow-everything
 *     (allow) or deny-everything (deny) whatever its numbers and access;
 *     any other type than a, b, c makes runc refuse the config;
 *   - major / minor absent or -1 are wildcards;
 *   - access is the set of its r, w and m characters: order, repeats and
 *     any other character do not matter; empty makes runc refuse;
 *   - rules apply in order from deny-everything; a typed rule adds to or
 *     subtracts from the exception of exactly its (type, major, minor);
 *     the kernel lets an access through when any exception matching the
 *     device, wildcards included, has it.
 * runc then appends its own AllowedDevices (mknod of every char and block
 * device, the standard nodes, the ptys and, in 1.1, tun/tap c 10:200):
 * allows only, which can add access but never take any away. */
#ifndef HARDENED_DEVCGROUP_H
#define HARDENED_DEVCGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hardened/json.h"

#define DEVCG_WILDCARD (-1)

enum devcg_access {
        DEVCG_READ = 1 << 0,
        DEVCG_WRITE = 1 << 1,
        DEVCG_MKNOD = 1 << 2,
        DEVCG_OPEN = DEVCG_READ | DEVCG_WRITE, /* what reaches a device's contents */
};

/* One rule, numbers as runc holds them (int64, kept as written: see
 * devcg_number_is_wildcard). */
struct devcg_rule {
        char type;            /* 'a', 'b' or 'c' */
        int64_t major, minor; /* DEVCG_WILDCARD or the number */
        unsigned access;      /* enum devcg_access bits */
        bool allow;
};

/* A linux.resources.devices item read as specconv reads it.  -1 when runc
 * refuses the whole config because of it (unknown type, empty access). */
int devcg_rule_read (const struct json *item, struct devcg_rule *out);

/* "r", "rw", "rwm" ... from access bits (buf of at least 4 bytes). */
const char *devcg_access_text (unsigned access, char *buf);
/* "c 1:3 rwm", "a *:* rwm", "b 8:* r" (buf of at least 64 bytes). */
const char *devcg_rule_text (const struct devcg_rule *r, char *buf, size_t size);

/* Does this major or minor match every device?  -1 (runc's wildcard);
 * 4294967295, which the cgroup v1 kernel code takes as its own wildcard;
 * and any other value outside 0..UINT32_MAX, which runc keeps as written
 * and the v2 eBPF program compares truncated to 32 bits: judged as
 * matching every device. */
bool devcg_number_is_wildcard (int64_t v);

#define DEVCG_MAX_EXCEPTIONS 512

/* The emulator's state: a default and exceptions keyed by exactly
 * (type, major, minor). */
struct devcg_state {
        bool default_allow; /* black-list: every device not excepted */
        bool overflow;      /* more distinct exceptions than kept: judge as everything */
        size_t n;
        struct devcg_rule ex[DEVCG_MAX_EXCEPTIONS];
};

/* Deny-everything, where runc starts. */
void devcg_init (struct devcg_state *s);
void devcg_apply (struct devcg_state *s, const struct devcg_rule *r);
/* Every valid rule of a linux.resources.devices array, in order (the
 * rules runc refuses are skipped: runc would not start the container). */
void devcg_simulate (const struct json *rules, struct devcg_state *s);

/* Read and write of every char and block device (--privileged). */
bool devcg_allows_everything (const struct devcg_state *s);

#endif
