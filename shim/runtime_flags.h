/* create/run/restore's runtime flags as a document (shim/runtime_flags.c).
 *
 * The flags that change what runc does to the container (--no-pivot,
 * --no-new-keyring, restore's --lsm-profile and --lsm-mount-context) are
 * read off the parsed command line into the runtime flags document that
 * policy/rules/runtime_flags.c judges; after the engine has run, the
 * backend's argv is made to say exactly what the (possibly fixed) document
 * says.  The other flags of these verbs act on runc's own process, its I/O
 * or its bookkeeping, not on the container's confinement (README,
 * "Runtime flags"). */
#ifndef HARDENED_RUNTIME_FLAGS_H
#define HARDENED_RUNTIME_FLAGS_H

#include "hardened/err.h"
#include "hardened/json.h"

#include "cli.h"

/* The document for cli's flags; `config` is the checked config.json (its
 * labels and annotations go in), or NULL.  *out is owned by the caller. */
int runtime_flags_document (const struct cli *cli, const struct json *config, struct json **out, struct hd_err *err);

/* Edit cli->strip / cli->replace so the backend's flags say what `doc`
 * says, and rebuild cli->backend_argv. */
int runtime_flags_apply (struct cli *cli, const struct json *doc, struct hd_err *err);

#endif
