#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "hardened/backend.h"
#include "hardened/cli.h"
#include "hardened/guard.h"
#include "hardened/policy.h"
#include "hardened/sink.h"
#include "hardened/tool.h"
#include "hardened/record.h"

static const char help_text[] =
        "hardened " PACKAGE_VERSION " - a policy-enforcing front for an OCI runtime\n"
        "\n"
        "Usage: hardened [--policy FILE] [--backend PATH] [runc global flags] VERB [flags] [args]\n"
        "       hardened policy lint FILE...\n"
        "       hardened policy check --policy FILE [--format text|json] CONFIG...\n"
        "       hardened policy show [--policy FILE]\n"
        "\n"
        "hardened is called exactly like runc.  For create, run, restore, exec --process and\n"
        "update --resources it reads the JSON runc would read, refuses anything runc's decoder\n"
        "could read differently (duplicate or case-folded keys, nulls, bad numbers, unknown\n"
        "fields, invalid UTF-8), applies the policy to create/run/restore (rewriting the\n"
        "config or refusing it), writes the checked document back, and then execs the backend\n"
        "with the same arguments minus its own flags.  Every other verb passes straight through.\n"
        "\n"
        "Own flags (among the global flags, before the verb):\n"
        "  --policy FILE    policy file to enforce (paths must not contain white space:\n"
        "                   Docker splits runtimeArgs on it)\n"
        "                   default: the installed policy: " HD_POLICY_PATH "\n"
        "                   and without it the compiled-in default\n"
        "  --backend PATH   backend runtime to exec (default: the policy's \"runtime\",\n"
        "                   else " HD_DEFAULT_RUNTIME ")\n"
        "\n"
        "Errors go to runc's --log file in its --log-format (the last \"level\":\"error\" line\n"
        "is what docker run prints) and to stderr; never to stdout.\n"
        "\n"
        "Exit status: 1 refused (bad input or policy), 2 usage error in hardened's own flags,\n"
        "125 internal failure, 126 backend not executable (or hardened itself),\n"
        "127 backend not found; otherwise the backend's own status.\n"
        "\n"
        "The backend's help follows.\n"
        "\n";

static int
fail (const struct cli *cli, const struct hd_err *err)
{
        sink_error (cli->log, cli->log_format, err->msg);
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

/* A guarded verb: its flags, the policy (fail closed), then the check. */
static int
guard (struct cli *cli, struct policy *policy, struct hd_err *err)
{
        if (cli_parse_verb (cli, err) < 0)
                return -1;
        if (policy_resolve (cli->policy, policy, err) < 0)
                return hd_err_prefix (err, "refusing %s: cannot use the policy: ", cli->verb_name);
        return 0;
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

int
main (int argc, char **argv)
{
        struct cli cli = { 0 };
        struct hd_err err = { 0 };
        struct policy policy = { 0 };
        struct record rec = { 0 };
        bool guarded;
        char *backend, *owned;

        /* Not a runtime call: the ops tooling (runc has no "policy" verb). */
        if (argc >= 2 && strcmp (argv[1], "policy") == 0)
                return tool_policy (argc - 2, argv + 2);
        if (cli_parse_globals (argc, argv, &cli, &err) < 0)
                return fail (&cli, &err);
        guarded = guard_applies (&cli) && !cli.help && !cli.version;
        rec.verb = cli.verb_name;
        if (guarded && guard (&cli, &policy, &err) < 0) {
                rec.container_id = cli.id;
                return refuse (&cli, &rec, NULL, &err);
        }
        rec.container_id = cli.id;
        rec.bundle = cli.bundle;
        backend = choose_backend (&cli, guarded ? &policy : NULL, &owned);
        if (backend_check (backend, &err) < 0)
                return fail (&cli, &err);
        if (cli.help || cli.version) {
                /* urfave/cli: --help wins over --version; then runc prints its own. */
                fputs (cli.help ? help_text : "hardened version " PACKAGE_VERSION "\n", stdout);
                if (fflush (stdout) != 0)
                        return HD_EXIT_INTERNAL;
        } else if (guarded && guard_verb (&cli, &policy, &rec, &err) < 0) {
                return refuse (&cli, &rec, &policy, &err);
        } else if (guarded && record_emit (&rec, &policy, &err) < 0) {
                return fail (&cli, &err);
        }
        cli.backend_argv[0] = backend;
        backend_exec (backend, cli.backend_argv, &err);
        return fail (&cli, &err);
}
