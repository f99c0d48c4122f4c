/* The runc verbs the shim guards: one row each (shim/verbs.c).
 *
 * A row says everything the shim knows about its verb: how runc reads the
 * verb's flags (runc_flags.h), what document runc then reads and which
 * rules judge it, the guard (guard.h) that checks that document and writes
 * it back, and whether the verb makes a container.  cli.c parses a verb's
 * flags by its row, guard.c runs its row's guard on its row's document,
 * main.c asks the row what else the call needs, and record_sinks.c how
 * the call is recorded.  A verb with no row
 * reaches runc untouched (cli.h: CLI_VERB_PASS). */
#ifndef HARDENED_VERBS_H
#define HARDENED_VERBS_H

#include <stdbool.h>

#include "hardened/err.h"

#include "cli.h"

struct guard;
struct runc_flag;
struct spec_type;

/* What a verb hands runc, and which rules apply to it.  The rules are
 * written against config.json; an exec process file and an update
 * resources document are checked where they would sit in one. */
struct doc_kind {
        const struct spec_type *type; /* its OCI schema (hardened/spec.h) */
        unsigned rule_verb;           /* the rules that judge it: RULE_* (hardened/engine.h) */
        const char *where[3];         /* where it sits in a config.json; { NULL }: it is one */
};

/* Check and write back what runc will read for the call in `g`
 * (shim/guard.c, guard.h).  0: proceed; < 0: refused or failed. */
typedef int verb_guard_fn (const struct guard *g, struct hd_err *err);

struct verb {
        const char *name; /* runc's verb, exactly as written */
        enum cli_verb verb;
        const struct runc_flag *flags; /* runc's flags for it (runc_flags.h) */
        bool reorder;                  /* urfave/cli moves flags ahead of arguments */
        const struct doc_kind *doc;    /* what runc reads, judged by which rules */
        verb_guard_fn *guard;          /* checks and writes back doc */
        bool makes_container;          /* the annotations rule needs the backend's features */
        const char *audit_op;          /* the decision record's op=: "start", "exec", or "resource"
                                        * (recorded as AUDIT_VIRT_RESOURCE, the others as _CONTROL) */
};

/* The row for runc's verb `name` (exact: no case or prefix games), or
 * NULL: the shim does not guard it. */
const struct verb *verb_named (const char *name);

/* The row for `verb`, or NULL for CLI_VERB_NONE and CLI_VERB_PASS. */
const struct verb *verb_find (enum cli_verb verb);

#endif
