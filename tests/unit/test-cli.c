#include "config.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hardened/util.h"

#include "argv.h"
#include "cli.h"
#include "tap.h"

/* One command line (space-separated; no argument contains a space) and what
 * runc 1.1 would make of it.  err: a substring of the expected refusal. */
static const struct {
        const char *line;
        const char *verb, *id, *bundle, *process, *resources, *log, *log_format, *policy;
        const char *backend_argv; /* argv reaching runc, joined with spaces */
        const char *err;
} cases[] = {
        { "hardened --policy /etc/hardened/p.json --root /var/run/docker/runtime-runc/moby --log /b/log.json --log-format json create --bundle /b --pid-file /b/init.pid c1",
          "create", "c1", "/b", NULL, NULL, "/b/log.json", "json", "/etc/hardened/p.json",
          "hardened --root /var/run/docker/runtime-runc/moby --log /b/log.json --log-format json create --bundle /b --pid-file /b/init.pid c1" },
        { "hardened --root /run/containerd/runc/k8s.io --log /t/log.json --log-format json --systemd-cgroup create --bundle /t --pid-file /t/init.pid c2",
          "create", "c2", "/t", NULL, NULL, "/t/log.json", "json", NULL,
          "hardened --root /run/containerd/runc/k8s.io --log /t/log.json --log-format json --systemd-cgroup create --bundle /t --pid-file /t/init.pid c2" },
        { "hardened --policy=/p.json --backend=/usr/bin/crun create c3", "create", "c3", ".", NULL, NULL, NULL, "text",
          "/p.json", "hardened create c3" },
        { "hardened --backend /usr/bin/crun --policy /p create -b /x c", "create", "c", "/x", NULL, NULL, NULL, "text",
          "/p", "hardened create -b /x c" },
        { "hardened create --bundle=/b c", "create", "c", "/b", NULL, NULL, NULL, "text", NULL,
          "hardened create --bundle=/b c" },
        { "hardened create -b=/b c", "create", "c", "/b", NULL, NULL, NULL, "text", NULL, "hardened create -b=/b c" },
        { "hardened create -bundle /b c", "create", "c", "/b", NULL, NULL, NULL, "text", NULL,
          "hardened create -bundle /b c" },
        { "hardened create --b /b c", "create", "c", "/b", NULL, NULL, NULL, "text", NULL, "hardened create --b /b c" },
        /* urfave/cli moves flags ahead of positional arguments */
        { "hardened create c --bundle /b", "create", "c", "/b", NULL, NULL, NULL, "text", NULL,
          "hardened create c --bundle /b" },
        /* ... and takes the argument after a bool flag as its value, so the
         * id stops flag parsing and the bundle stays the working directory */
        { "hardened create --no-pivot c --bundle /b", "create", "c", ".", NULL, NULL, NULL, "text", NULL, NULL },
        { "hardened create --bundle /x --bundle /y c", "create", "c", "/y", NULL, NULL, NULL, "text", NULL, NULL },
        { "hardened create -b /x --bundle /y c", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
          "two forms of the same flag" },
        { "hardened create --bundle", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "flag needs an argument" },
        { "hardened create --bogus c", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
          "flag provided but not defined: -bogus" },
        { "hardened create ---bundle /b c", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "bad flag syntax" },
        { "hardened create --no-pivot=maybe c", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
          "invalid boolean value" },
        { "hardened create --no-pivot=false -- --bundle", "create", "--bundle", ".", NULL, NULL, NULL, "text", NULL,
          NULL },
        { "hardened create - c", "create", "-", ".", NULL, NULL, NULL, "text", NULL, NULL },
        { "hardened -root /r -log /l -log-format=json run -d -bundle /b c", "run", "c", "/b", NULL, NULL, "/l", "json",
          NULL, "hardened -root /r -log /l -log-format=json run -d -bundle /b c" },
        { "hardened run --detach --keep --no-new-keyring --preserve-fds 3 --bundle /b c", "run", "c", "/b", NULL, NULL,
          NULL, "text", NULL, NULL },
        { "hardened restore --image-path /img --work-path /w --bundle /b --empty-ns network c", "restore", "c", "/b",
          NULL, NULL, NULL, "text", NULL, NULL },
        { "hardened restore c", "restore", "c", ".", NULL, NULL, NULL, "text", NULL, NULL },
        /* exec: no reordering; -p names the process file */
        { "hardened --root /r --log /l --log-format json exec --process /tmp/runc-process1 --detach --pid-file /b/e.pid c",
          "exec", "c", NULL, "/tmp/runc-process1", NULL, "/l", "json", NULL, NULL },
        { "hardened exec -p=/p c", "exec", "c", NULL, "/p", NULL, NULL, "text", NULL, NULL },
        { "hardened exec -t -u 0 c sh -c id", "exec", "c", NULL, NULL, NULL, NULL, "text", NULL, NULL },
        { "hardened exec c --process /p", "exec", "c", NULL, NULL, NULL, NULL, "text", NULL, NULL },
        { "hardened exec --cap CAP_SYS_ADMIN --cap=CAP_NET_RAW -e A=1 c true", "exec", "c", NULL, NULL, NULL, NULL,
          "text", NULL, NULL },
        { "hardened exec -p /a --process /b c", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "two forms" },
        /* update: Docker sends stdin, Podman a file */
        { "hardened --root /r update --resources - c", "update", "c", NULL, NULL, "-", NULL, "text", NULL, NULL },
        { "hardened update --resources=/tmp/r.json c", "update", "c", NULL, NULL, "/tmp/r.json", NULL, "text", NULL,
          NULL },
        { "hardened update c -r /f", "update", "c", NULL, NULL, "/f", NULL, "text", NULL, NULL },
        { "hardened update --memory 100m c", "update", "c", NULL, NULL, NULL, NULL, "text", NULL, NULL },
        /* pass-through verbs: only the globals are read */
        { "hardened --root /r state c", "state", NULL, NULL, NULL, NULL, NULL, "text", NULL,
          "hardened --root /r state c" },
        { "hardened --policy /p features", "features", NULL, NULL, NULL, NULL, NULL, "text", "/p",
          "hardened features" },
        { "hardened --root /r kill c 9", "kill", NULL, NULL, NULL, NULL, NULL, "text", NULL, NULL },
        { "hardened delete --force c", "delete", NULL, NULL, NULL, NULL, NULL, "text", NULL, NULL },
        { "hardened -- create c", "create", "c", ".", NULL, NULL, NULL, "text", NULL, "hardened -- create c" },
        { "hardened", "", NULL, NULL, NULL, NULL, NULL, "text", NULL, "hardened" },
        /* --policy as the value of --log is not the shim's flag */
        { "hardened --log --policy create c", "create", "c", ".", NULL, NULL, "--policy", "text", NULL,
          "hardened --log --policy create c" },
        { "hardened --debug=false --systemd-cgroup=1 create c", "create", "c", ".", NULL, NULL, NULL, "text", NULL,
          NULL },
        { "hardened --debug=maybe create c", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
          "invalid boolean value" },
        { "hardened --log", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "flag needs an argument: -log" },
        { "hardened --bogus create c", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
          "flag provided but not defined: -bogus" },
        { "hardened --policy", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
          "flag needs an argument: -policy" },
        /* the shim's own flags: once, in any spelling */
        { "hardened --policy /a --policy /b create c", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
          "--policy may be given only once" },
        { "hardened --policy=/a -policy /b create c", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
          "--policy may be given only once" },
        { "hardened --backend /a --backend=/b state c", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
          "--backend may be given only once" },
};

static char *
join (char **argv, int argc)
{
        static char buf[4096];

        size_t used = 0;

        buf[0] = '\0';
        for (int i = 0; i < argc && used < sizeof buf; i++)
                used += (size_t) snprintf (buf + used, sizeof buf - used, "%s%s", i ? " " : "", argv[i]);
        return buf;
}

static const char *
verb_or_empty (const struct cli *c)
{
        return c->verb_name ? c->verb_name : "";
}

static void
run_case (size_t k)
{
        _cleanup_free_ char *store = NULL;
        _cleanup_free_ char **argv = NULL;
        struct cli c;
        struct hd_err err = { 0 };
        int argc, rc;
        const char *line = cases[k].line;

        argv = split (line, &argc, &store);
        rc = cli_parse_globals (argc, argv, &c, &err);
        if (rc == 0 && c.verb >= CLI_VERB_CREATE)
                rc = cli_parse_verb (&c, &err);
        if (cases[k].err) {
                ok (rc < 0, "refused: %s", line);
                has_str (err.msg, cases[k].err, "  message");
                cli_free (&c);
                return;
        }
        ok (rc == 0, "parsed: %s%s%s", line, rc ? " -- " : "", rc ? err.msg : "");
        is_str (verb_or_empty (&c), cases[k].verb, "  verb");
        is_str (c.id, cases[k].id, "  container id");
        is_str (c.bundle, cases[k].bundle, "  bundle");
        is_str (c.process, cases[k].process, "  process file");
        is_str (c.resources, cases[k].resources, "  resources file");
        is_str (c.log, cases[k].log, "  --log");
        is_str (c.log_format, cases[k].log_format, "  --log-format");
        is_str (c.policy, cases[k].policy, "  --policy");
        if (cases[k].backend_argv)
                is_str (join (c.backend_argv, c.backend_argc), cases[k].backend_argv, "  argv reaching the backend");
        cli_free (&c);
}

/* Every spelling Go's strconv.ParseBool accepts, as the value of a verb's
 * bool flag; anything else is refused by the parser (cases above). */
static const struct {
        const char *spelling;
        bool on;
} bools[] = {
        { "1", true },  { "t", true },  { "T", true },  { "TRUE", true },   { "true", true },   { "True", true },
        { "0", false }, { "f", false }, { "F", false }, { "FALSE", false }, { "false", false }, { "False", false },
};

static void
bool_spellings (void)
{
        static const struct {
                const char *before, *after;
        } lines[] = { { "hardened create --no-pivot=", " c" },
                      { "hardened exec --no-new-privs=", " c true" },
                      { "hardened run -no-new-keyring=", " c" } };
        for (size_t l = 0; l < HD_ARRAY_SIZE (lines); l++)
                for (size_t k = 0; k < HD_ARRAY_SIZE (bools); k++) {
                        char line[128], *argv[8], *save = NULL;
                        int argc = 0;
                        struct cli c;
                        struct hd_err err = { 0 };

                        snprintf (line, sizeof line, "%s%s%s", lines[l].before, bools[k].spelling, lines[l].after);
                        for (char *t = strtok_r (line, " ", &save); t; t = strtok_r (NULL, " ", &save))
                                argv[argc++] = t;
                        ok (cli_parse_globals (argc, argv, &c, &err) == 0 && cli_parse_verb (&c, &err) == 0,
                            "parsed: %s...%s", lines[l].before, lines[l].after);
                        ok (c.nflags == 1 && c.flags[0].is_bool && c.flags[0].on == bools[k].on, "  =%s reads as %s",
                            bools[k].spelling, bools[k].on ? "true" : "false");
                        cli_free (&c);
                }
}

/* runc 1.1's choice of state directory. */
static void
state_root (void)
{
        static const struct {
                const char *line, *want;
        } roots[] = {
                { "hardened --root /run/containerd/runc/k8s.io state c", "/run/containerd/runc/k8s.io" },
                { "hardened --root=rel/dir state c", "@CWD@/rel/dir" },
                { "hardened state c", "/run/runc" },
        };
        _cleanup_free_ char *cwd = getcwd (NULL, 0);

        unsetenv ("XDG_RUNTIME_DIR");
        for (size_t k = 0; k < HD_ARRAY_SIZE (roots); k++) {
                _cleanup_free_ char *store = NULL, **argv = NULL, *got = NULL;
                char want[4096];
                struct cli c;
                struct hd_err err = { 0 };
                int argc;

                argv = split (roots[k].line, &argc, &store);
                snprintf (want, sizeof want, "%s%s", strncmp (roots[k].want, "@CWD@", 5) ? "" : cwd,
                          roots[k].want + (strncmp (roots[k].want, "@CWD@", 5) ? 0 : 5));
                ok (cli_parse_globals (argc, argv, &c, &err) == 0, "parsed: %s", roots[k].line);
                got = cli_state_root (&c, &err);
                is_str (got, want, "  state root");
                cli_free (&c);
        }
}

int
main (void)
{
        for (size_t k = 0; k < HD_ARRAY_SIZE (cases); k++)
                run_case (k);
        bool_spellings ();
        state_root ();
        return tap_done ();
}
