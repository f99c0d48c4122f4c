/* The guard: the one step that checks what runc will read and writes the
 * checked tree back, for a call to a verb in the verb table (verbs.h),
 * after cli_parse_verb has read its flags and the policy has loaded, and
 * before the shim becomes runc.
 *
 * create/run/restore: the bundle's config.json, written back in place
 * (atomically), then the runtime flags (runtime_flags.h); exec --process
 * FILE: the process file; exec without --process: the process runc would
 * build from the bundle's config.json and the inline flags
 * (exec_process.h); update: the request (--resources FILE|- or the inline
 * flags) merged into the container's resources (update_resources.h).
 * exec's and update's checked documents reach runc as --process or
 * --resources /proc/self/fd/N, a sealed memfd.  Each document is read
 * strictly and checked against the OCI schema and the policy, and runc
 * gets the checked tree, so it never reads bytes the shim did not
 * validate. */
#ifndef HARDENED_GUARD_H
#define HARDENED_GUARD_H

#include "hardened/err.h"
#include "hardened/policy.h"

#include "cli.h"
#include "record_sinks.h"

/* For a guarded verb (verbs.h) whose flags cli_parse_verb() has read:
 * check and write back what runc will read, under `policy`, with its row's
 * guard.  0: proceed to exec the backend (also for a verb with no row).
 * < 0: refused or failed; err says why (findings are already in the log).
 * Every decision is folded into `rec`. */
int guard_verb (struct cli *cli, const struct policy *policy, struct record *rec, struct hd_err *err);

/* The guards the verb table's rows name (verb_guard_fn); `g` is
 * guard_verb's context for the call, its verb's row among it. */
struct guard;
int guard_create (const struct guard *g, struct hd_err *err); /* create, run, restore */
int guard_exec (const struct guard *g, struct hd_err *err);
int guard_update (const struct guard *g, struct hd_err *err);

#endif
