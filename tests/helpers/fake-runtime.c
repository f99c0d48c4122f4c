/* A stand-in backend runtime for the tests.  It records what the shim
 * handed it into $FAKE_RUNTIME_OUT/:
 *   argv      one argument per line
 *   environ   one variable per line
 *   fds       "N TARGET" per open descriptor (its own scan descriptor excluded)
 *   stdin     everything on standard input, if FAKE_RUNTIME_STDIN is set
 *   copied    a copy of the file named by FAKE_RUNTIME_COPY, if set; "handed"
 *             copies the descriptor the shim handed it (the first argument,
 *             or --flag= value, that names /proc/self/fd/N)
 *   process   a copy of the file its `exec --process` names (-p X, --process X,
 *             --process=X, -p=X), read as runc would: the shim may hand
 *             over a descriptor that only this process holds
 *   resources the same for `update --resources` (-r X, --resources=X, ...)
 * and exits with $FAKE_RUNTIME_EXIT (default 0).  With --version it prints a
 * runc-like version, so the shim's --version output can be checked. */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

/* A small non-negative decimal, or -1 (no atoi: STYLE.md 6). */
static int
small_number (const char *s)
{
        int v = 0;

        if (!s || !*s)
                return -1;
        for (; *s; s++) {
                if (*s < '0' || *s > '9' || v > 100000)
                        return -1;
                v = v * 10 + (*s - '0');
        }
        return v;
}

static FILE *
out_file (const char *dir, const char *name)
{
        char path[PATH_MAX];

        snprintf (path, sizeof path, "%s/%s", dir, name);
        return fopen (path, "we");
}

static void
record_fds (const char *dir)
{
        FILE *f = out_file (dir, "fds");
        DIR *d = opendir ("/proc/self/fd");
        struct dirent *e;

        if (!f || !d)
                exit (90);
        while ((e = readdir (d))) {
                char link[PATH_MAX], target[PATH_MAX] = "";
                ssize_t n;
                if (e->d_name[0] == '.' || small_number (e->d_name) == dirfd (d)
                    || small_number (e->d_name) == fileno (f))
                        continue;
                snprintf (link, sizeof link, "/proc/self/fd/%s", e->d_name);
                n = readlink (link, target, sizeof target - 1);
                target[n > 0 ? n : 0] = '\0';
                fprintf (f, "%s %s\n", e->d_name, target);
        }
        closedir (d);
        fclose (f);
}

static void
copy_stream (FILE *in, FILE *out)
{
        char buf[65536];
        size_t n;

        while ((n = fread (buf, 1, sizeof buf, in)) > 0)
                fwrite (buf, 1, n, out);
}

static void
copy_file (const char *dir, const char *from, const char *name)
{
        FILE *in = fopen (from, "re"), *f;

        if (in && (f = out_file (dir, name))) {
                copy_stream (in, f);
                fclose (f);
        }
        if (in)
                fclose (in);
}

/* The value of verb flag --NAME / -NAME / --C / -C (C its short name), as
 * --NAME=X or --NAME X, or NULL. */
static const char *
flag_value (int argc, char **argv, const char *name, const char *c)
{
        char eq[4][64], sep[4][64];

        snprintf (sep[0], 64, "--%s", name);
        snprintf (sep[1], 64, "-%s", name);
        snprintf (sep[2], 64, "--%s", c);
        snprintf (sep[3], 64, "-%s", c);
        for (size_t k = 0; k < 4; k++)
                snprintf (eq[k], 64, "%s=", sep[k]);
        for (int i = 1; i < argc; i++)
                for (size_t k = 0; k < 4; k++) {
                        if (strncmp (argv[i], eq[k], strlen (eq[k])) == 0)
                                return argv[i] + strlen (eq[k]);
                        if (strcmp (argv[i], sep[k]) == 0 && i + 1 < argc)
                                return argv[i + 1];
                }
        return NULL;
}

/* The /proc/self/fd/N path in argv (alone or as --flag=PATH), or NULL. */
static const char *
handed (int argc, char **argv)
{
        static const char prefix[] = "/proc/self/fd/";

        for (int i = 1; i < argc; i++) {
                const char *eq = strchr (argv[i], '=');
                const char *v = argv[i][0] == '-' && eq ? eq + 1 : argv[i];
                if (strncmp (v, prefix, sizeof prefix - 1) == 0)
                        return v;
        }
        return NULL;
}

int
main (int argc, char **argv)
{
        const char *dir = getenv ("FAKE_RUNTIME_OUT");
        const char *copy = getenv ("FAKE_RUNTIME_COPY");
        const char *code = getenv ("FAKE_RUNTIME_EXIT");
        FILE *f;

        for (int i = 1; i < argc; i++)
                if (strcmp (argv[i], "--version") == 0) {
                        printf ("fake-runtime version 9.9.9\ncommit: none\nspec: 1.0.2-dev\n");
                        break;
                }
        if (!dir)
                return code && small_number (code) > 0 ? small_number (code) : 0;
        record_fds (dir); /* first, before this program opens anything else */
        if (!(f = out_file (dir, "argv")))
                return 91;
        for (int i = 0; i < argc; i++)
                fprintf (f, "%s\n", argv[i]);
        fclose (f);
        if (!(f = out_file (dir, "environ")))
                return 92;
        for (char **e = environ; *e; e++)
                fprintf (f, "%s\n", *e);
        fclose (f);
        if (getenv ("FAKE_RUNTIME_STDIN") && (f = out_file (dir, "stdin"))) {
                copy_stream (stdin, f);
                fclose (f);
        }
        if (copy && strcmp (copy, "handed") == 0)
                copy = handed (argc, argv);
        if (copy)
                copy_file (dir, copy, "copied");
        if (flag_value (argc, argv, "process", "p"))
                copy_file (dir, flag_value (argc, argv, "process", "p"), "process");
        if (flag_value (argc, argv, "resources", "r"))
                copy_file (dir, flag_value (argc, argv, "resources", "r"), "resources");
        return code && small_number (code) > 0 ? small_number (code) : 0;
}
