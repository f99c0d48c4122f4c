#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "hardened/policy.h"
#include "hardened/util.h"

#include "backend.h"
#include "backend_features.h"
#include "cli.h"
#include "guard.h"
#include "install_cmd.h"
#include "policy_cmd.h"
#include "record_sinks.h"
#include "runclog.h"
#include "verbs.h"
#include "verdicts_cmd.h"

static int
fail (const struct cli *cli, const struct hd_err *err)
{
        runclog_error (cli->log, cli->log_format, err->msg);
        return err->exit ? err->exit : HD_EXIT_INTERNAL;
}

/* The backend: --backend, else the policy's "runtime", else the compiled-in
 * default.  A guarded verb has loaded the policy in full; any other verb
 * only peeks at it. */
static char *
choose_backend (const struct cli *cli, const struct policy *policy, char **owned)
{
        static char compiled_in[] = HD_DEFAULT_RUNTIME;

        *owned = NULL;
        if (cli->backend)
                return cli->backend;
        if (policy)
                return policy->runtime;
        *owned = policy_peek_runtime (cli->policy);
        return *owned ? *owned : compiled_in;
}

/* Before the guard: the verb's flags, then the policy (fail closed).
 * *guarded is cleared for VERB --help, which runc answers without acting. */
static int
read_flags_and_policy (struct cli *cli, struct policy *policy, bool *guarded, struct hd_err *err)
{
        if (cli_parse_verb (cli, err) < 0)
                return -1;
        *guarded = !cli->help;
        if (*guarded && policy_resolve (cli->policy, policy, err) < 0)
                return hd_err_prefix (err, "refusing %s: cannot use the policy: ", cli->verb_name);
        return 0;
}

/* Does the annotations rule judge this call (a verb that makes a
 * container)?  Then it needs the backend's own list, from the cache (never
 * by running the backend here). */
static bool
needs_features (const struct verb *verb, const struct policy *policy)
{
        return verb->makes_container && policy->surface.annotations != ACTION_OFF;
}

/* A guarded call that fails or is refused is recorded too, then reported. */
static int
refuse (const struct cli *cli, struct record *rec, const struct policy *policy, const struct hd_err *err)
{
        struct hd_err ignored;

        if (!rec->outcome || strcmp (rec->outcome, "refused") != 0)
                rec->reason = err->msg;
        rec->outcome = "refused";
        record_emit (rec, policy, &ignored);
        return fail (cli, err);
}

static int
install_main (int argc, char **argv)
{
        return install_cmd_main (argc, argv, false);
}

static int
uninstall_main (int argc, char **argv)
{
        return install_cmd_main (argc, argv, true);
}

/* Not runtime calls: the ops tooling and the node set-up (runc has no such
 * verb), each with the arguments after its name. */
static const struct tool {
        const char *name;
        int (*main) (int argc, char **argv);
} tools[] = {
        { "policy", policy_cmd_main },
        { "install", install_main },
        { "uninstall", uninstall_main },
        { "verdicts", verdicts_cmd_main },
};

static const struct tool *
tool_find (const char *name)
{
        for (size_t i = 0; i < HD_ARRAY_SIZE (tools); i++)
                if (strcmp (name, tools[i].name) == 0)
                        return &tools[i];
        return NULL;
}

int
main (int argc, char **argv)
{
        struct cli cli = { 0 };
        struct hd_err err = { 0 };
        /* static: zero from the start (the policy 13 KB, the record 12 KB:
         * memsets a pass-through verb would pay for nothing); main runs once */
        static struct policy policy;
        static struct record rec;
        const struct verb *verb;
        const struct tool *tool;
        bool guarded;
        char *backend, *owned;

        if (argc >= 2 && (tool = tool_find (argv[1])))
                return tool->main (argc - 2, argv + 2);
        if (cli_parse_globals (argc, argv, &cli, &err) < 0)
                return fail (&cli, &err);
        /* guarded: the call goes through the guard (guard.h) */
        verb = verb_find (cli.verb);
        guarded = verb && !cli.help && !cli.version;
        rec.verb = cli.verb_name;
        rec.log = cli.log;
        rec.log_format = cli.log_format;
        if (guarded && read_flags_and_policy (&cli, &policy, &guarded, &err) < 0) {
                rec.container_id = cli.id;
                return refuse (&cli, &rec, NULL, &err);
        }
        rec.container_id = cli.id;
        rec.bundle = cli.bundle;
        backend = choose_backend (&cli, guarded ? &policy : NULL, &owned);
        if (backend_check (backend, &err) < 0)
                return fail (&cli, &err);
        if (guarded && needs_features (verb, &policy) && backend_features_load (backend, &policy, &err) < 0)
                return refuse (&cli, &rec, &policy, &err);
        /* --help, -h, --version, -v and VERB --help are the backend's to
         * answer, byte for byte: engines and scripts parse them.  The shim's
         * own identity is `hardened policy version` / `policy help`. */
        if (guarded && guard_verb (&cli, &policy, &rec, &err) < 0) {
                return refuse (&cli, &rec, &policy, &err);
        } else if (guarded && record_emit (&rec, &policy, &err) < 0) {
                return fail (&cli, &err);
        }
        cli.backend_argv[0] = backend;
        backend_exec (backend, cli.backend_argv, &err);
        return fail (&cli, &err);
}
