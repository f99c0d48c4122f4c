/* `update`: the resources runc 1.1.5 will give the container (update.go),
 * as one document the policy judges.
 *
 * runc builds a LinuxResources request with every field 0 (or ""), fills
 * it from `--resources FILE|-` (Go's decoder) or else from the inline
 * flags, copies every field into the container's config (state.json's
 * config.cgroups), except that a quota or a period given alone keeps the
 * other one, and has the cgroup driver write each non-zero value (the v1
 * fs driver leaves a file untouched for 0; memory -1 with swap 0 makes swap
 * -1 as well).  So what the cgroup ends with is the request's value where
 * it is set and the cgroup's current value elsewhere: `--cpu-period 1000`
 * alone under a 1-CPU quota of 100000 gives 100 CPUs.
 *
 * Threat: judging the request alone passes exactly that.  The shim merges
 * the request into the container's current resources as runc keeps them,
 * judges the merged document, and hands runc the whole of it (every judged
 * value explicit) in place of the request, so the cgroup ends with what was
 * judged.  A value the state does not record (0: runc's own updates write
 * the request's zeros back into state.json, so 0 there may hide any value)
 * is judged as unlimited (cpu period: the kernel's 100000) and, unless the
 * policy changes it, handed back as 0 (unchanged). */
#ifndef HARDENED_UPDATE_RESOURCES_H
#define HARDENED_UPDATE_RESOURCES_H

#include <stdbool.h>

#include "hardened/decision.h"
#include "hardened/err.h"
#include "hardened/json.h"

#include "cli.h"

#define UPDATERES_NFIELDS 16

/* Where each merged field came from (for update_resources_finish). */
struct update_resources_sources {
        unsigned char src[UPDATERES_NFIELDS];
};

/* Is `name` (a long flag name) one of update's inline resource flags, the
 * ones runc ignores when --resources is given?  (--l3-cache-schema and
 * --mem-bw-schema are not: runc applies them either way.) */
bool update_resources_is_flag (const char *name);

/* The request runc builds from the inline flags, as a resources document
 * (only the fields a flag sets).  A value the shim cannot read exactly as
 * runc does is a cli.strictValues finding (action reject) in `d`; the
 * request is then incomplete and must not be used. */
int update_resources_from_flags (const struct cli *cli, struct json **request, struct decision *d, struct hd_err *err);

/* Merge `request` (a checked resources document, or the one built from the
 * flags) into `state` (the container's state.json) as runc 1.1.5 does:
 * *merged is a resources document with every field runc applies. */
int update_resources_merge (const struct json *request, const struct json *state, struct json **merged,
                            struct update_resources_sources *src, struct hd_err *err);

/* After the policy: drop the stand-ins the policy left as they were (0 is
 * "unchanged" to runc), keep the period wherever a quota is handed over,
 * drop empty objects. */
void update_resources_finish (struct json *merged, const struct update_resources_sources *src);

#endif
