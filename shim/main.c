#include "config.h"

#include <stdio.h>

#include "hardened/backend.h"
#include "hardened/cli.h"
#include "hardened/guard.h"
#include "hardened/sink.h"

static const char help_text[] =
        "hardened " PACKAGE_VERSION " - a policy-enforcing front for an OCI runtime\n"
        "\n"
        "Usage: hardened [--policy FILE] [--backend PATH] [runc global flags] VERB [flags] [args]\n"
        "\n"
        "hardened is called exactly like runc.  For create, run, restore, exec --process and\n"
        "update --resources it reads the JSON runc would read, refuses anything runc's decoder\n"
        "could read differently (duplicate or case-folded keys, nulls, bad numbers, unknown\n"
        "fields, invalid UTF-8), writes the checked document back, and then execs the backend\n"
        "with the same arguments minus its own flags.  Every other verb passes straight through.\n"
        "\n"
        "Own flags (among the global flags, before the verb):\n"
        "  --policy FILE    policy file to enforce (paths must not contain white space:\n"
        "                   Docker splits runtimeArgs on it)\n"
        "  --backend PATH   backend runtime to exec (default: " HD_DEFAULT_RUNTIME ")\n"
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

int
main (int argc, char **argv)
{
        struct cli cli = { 0 };
        struct hd_err err = { 0 };
        char default_backend[] = HD_DEFAULT_RUNTIME;
        char *backend = default_backend;

        if (cli_parse_globals (argc, argv, &cli, &err) < 0)
                return fail (&cli, &err);
        if (cli.backend)
                backend = cli.backend;
        if (backend_check (backend, &err) < 0)
                return fail (&cli, &err);
        if (cli.help || cli.version) {
                /* urfave/cli: --help wins over --version; then runc prints its own. */
                fputs (cli.help ? help_text : "hardened version " PACKAGE_VERSION "\n", stdout);
                if (fflush (stdout) != 0)
                        return HD_EXIT_INTERNAL;
        } else if (guard_verb (&cli, &err) < 0) {
                return fail (&cli, &err);
        }
        cli.backend_argv[0] = backend;
        backend_exec (backend, cli.backend_argv, &err);
        return fail (&cli, &err);
}
