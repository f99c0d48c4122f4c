/* The runc 1.1 command line, read the way runc reads it.
 *
 * runc parses argv with urfave/cli v1.22 on top of Go's flag package:
 * global flags first (stopping at the first non-flag, the verb), then the
 * verb's flags, which urfave/cli first reorders ahead of positional
 * arguments unless the verb opts out (exec, ps).  Flags are written with one
 * or two dashes, as `-f value`, `-f=value`, `--flag value` or `--flag=value`;
 * bool flags take a value only after '='.  The shim must find the bundle,
 * the process file, the resources file and the container id exactly where
 * runc will, or it would check one file while runc reads another.
 *
 * The shim's own flags (`--policy FILE`, `--backend PATH`) are accepted among the global
 * flags, where Docker's runtimeArgs put them, and removed from the argv
 * that reaches the backend; every other byte reaches it unchanged. */
#ifndef HARDENED_CLI_H
#define HARDENED_CLI_H

#include <stdbool.h>

#include "hardened/err.h"

enum cli_verb {
        CLI_VERB_NONE, /* no verb: runc prints its help */
        CLI_VERB_PASS, /* any verb the shim does not guard */
        /* the guarded verbs: each is a row of the verb table (verbs.h) */
        CLI_VERB_CREATE,
        CLI_VERB_RUN,
        CLI_VERB_RESTORE,
        CLI_VERB_EXEC,
        CLI_VERB_UPDATE,
};

/* A verb flag as given, and where: argv[flag_index] is the flag, and its
 * value is argv[value_index], or follows '=' in the flag's own argument
 * (value_index -1).  Bool flags without '=' have a NULL value. */
struct cli_flag {
        const char *name; /* long name: "user", "cap", "memory", ... */
        char *value;
        int flag_index, value_index;
        bool is_bool; /* a Go bool flag */
        bool on;      /* its value, read with Go's strconv.ParseBool
                                   * (store() has refused any other spelling) */
};

struct cli {
        /* the shim's own global flags */
        const char *policy; /* --policy FILE */
        char *backend;      /* --backend PATH: overrides the compiled-in runtime */
        bool help, version;
        /* runc global flags the shim needs for its own messages */
        const char *log;
        const char *log_format; /* "text" unless given */
        const char *root;       /* --root as given, or NULL: see cli_state_root */
        /* the verb and what it names */
        enum cli_verb verb;
        const char *verb_name; /* NULL for CLI_VERB_NONE */
        const char *id;        /* first positional argument of the verb */
        const char *bundle;    /* create/run/restore: --bundle, else "." */
        const char *process;   /* exec: --process, or NULL */
        const char *resources; /* update: --resources, or NULL */
        /* the verb's arguments after urfave/cli's reordering; positional
         * points into verb_args past the flags */
        char **verb_args;
        char **positional;
        int npositional;
        /* the original command line; verb_index is where the verb is, or argc */
        int argc, verb_index;
        char **argv;
        /* the verb's flags in order (guarded verbs only) */
        struct cli_flag *flags;
        int nflags;
        /* edits to argv: strip[i] drops argv[i]; replace[i] (malloc'd)
         * stands in for it; insert[i] (malloc'd) goes just before it */
        bool *strip;
        char **replace;
        char **insert;
        /* argv for the backend: argv with the edits above (the shim's own
         * flags stripped); backend_argv[0] is argv[0] until the caller
         * replaces it.  NULL-terminated.  Rebuilt by cli_build_backend_argv. */
        char **backend_argv;
        int backend_argc;
};

/* Parse the global flags only: enough to find the verb and --log.  This is
 * all a pass-through verb pays for.  Fails only on errors in the shim's own
 * flags; errors runc would report are left for runc to report. */
int cli_parse_globals (int argc, char **argv, struct cli *out, struct hd_err *err);

/* Parse the verb's flags for a guarded verb (create, run, restore, exec,
 * update) by its row in the verb table (verbs.h): its flag table and
 * whether urfave/cli reorders.  Refuses what runc would refuse, so the
 * shim never guesses. */
int cli_parse_verb (struct cli *cli, struct hd_err *err);

/* The last occurrence of the verb flag with long name `name`, or NULL (Go's
 * flag package: the last one wins). */
const struct cli_flag *cli_last_flag (const struct cli *cli, const char *name);

/* Give flag `f` a new value in the backend's argv (in its own argument
 * after '=', or as the separate value); cli_build_backend_argv applies it. */
int cli_replace_value (struct cli *cli, const struct cli_flag *f, const char *value, struct hd_err *err);

/* Drop flag `f` (and its separate value) from the backend's argv. */
void cli_strip_flag (struct cli *cli, const struct cli_flag *f);

/* Put `arg` into the backend's argv just before argv[index] (one argument
 * per slot); cli_build_backend_argv applies it. */
int cli_insert_before (struct cli *cli, int index, const char *arg, struct hd_err *err);

/* Where in argv positional argument `i` of the verb is, or -1. */
int cli_positional_index (const struct cli *cli, int i);

/* Where in argv a flag the shim adds to the verb goes (cli_insert_before):
 * before the first positional argument and any "--" ahead of it; -1 when
 * the verb has no positional argument. */
int cli_flag_slot (const struct cli *cli);

/* Rebuild backend_argv after edits to strip/replace/insert. */
int cli_build_backend_argv (struct cli *cli, struct hd_err *err);

/* The directory runc keeps container state in, as runc 1.1 chooses it:
 * --root, else $XDG_RUNTIME_DIR/runc when runc would honour it (not the
 * real root), else /run/runc; made absolute against the working directory
 * as filepath.Abs does.  malloc'd. */
char *cli_state_root (const struct cli *cli, struct hd_err *err);

void cli_free (struct cli *cli);

#endif
