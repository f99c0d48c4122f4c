/* The process runc 1.1 runs for `exec` without --process (shim/exec_process.c).
 *
 * runc's exec.go getProcess: the container's state under --root, its first
 * "bundle=" label (utils.SearchLabels; the config's annotations come before
 * runc's own label, so an annotation named "bundle" wins), that bundle's
 * config.json as it is at exec time, its "process", then the inline flags
 * merged onto it.  The shim builds the same document, judges it with the
 * process rules like a --process file, and hands runc the checked copy
 * with --process, so runc never reads config.json or the inline flags.
 *
 * Threat: config.json is read when exec runs, not when the container was
 * created: an edit after `run` (uid 0, every capability) or an annotation
 * "bundle" naming another directory would otherwise give `runc exec ID sh`
 * whatever that file says, with only the flags checked. */
#ifndef HARDENED_EXEC_PROCESS_H
#define HARDENED_EXEC_PROCESS_H

#include "hardened/err.h"
#include "hardened/json.h"

#include "cli.h"

enum exec_process_outcome {
        /* *process is the document runc would run; *source names where its
         * template came from (BUNDLE/config.json) */
        EXECPROC_BUILT,
        /* runc fails on the command line alone, before it reads any
         * process (no id: usage; no command: "process args cannot be
         * empty"): leave the call to runc, which prints its own error */
        EXECPROC_RUNC_REFUSES,
        /* the container's state does not exist: runc will print "container
         * does not exist"; nothing to build */
        EXECPROC_NO_CONTAINER,
};

/* Build the process for cli (verb exec, no --process).  `spec_flags` are
 * spec_check's flags for the config.json read.  Returns an
 * enum exec_process_outcome, or < 0 with err set (a config runc would refuse,
 * a flag value runc would read differently from plain decimal). */
int exec_process_build (const struct cli *cli, unsigned spec_flags, struct json **process, char **source,
                        struct hd_err *err);

/* Drop the inline process flags (the ones exec_process_build merged, and an
 * empty --process) from the backend's argv: runc ignores them once it is
 * given --process. */
void exec_process_strip_flags (struct cli *cli);

#endif
