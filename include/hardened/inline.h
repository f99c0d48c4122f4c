/* The policy on a guarded verb's flags (shim/inline.c): update without
 * --resources (exec: execproc.h; create/run/restore: rtflags.h).
 * Findings go into `d`; rewrites edit
 * cli->strip / cli->replace and rebuild cli->backend_argv. */
#ifndef HARDENED_INLINE_H
#define HARDENED_INLINE_H

#include "hardened/cli.h"
#include "hardened/decision.h"
#include "hardened/err.h"
#include "hardened/policy.h"

int inline_check (struct cli *cli, const struct policy *p, struct decision *d, struct hd_err *err);

#endif
