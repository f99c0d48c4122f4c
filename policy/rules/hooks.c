#include "config.h"

#include <stddef.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hardened/pattern.h"
#include "hardened/rules.h"
#include "hardened/trust.h"
#include "hardened/util.h"

/* hooks.allowList: a hook is a program runc runs as root on the host, with
 * no container restriction, from the config the attacker wrote.  Every
 * part of it counts, as runc 1.1 uses it (libcontainer/configs Command.Run:
 * exec.Cmd{Path: path, Args: args, Env: env}, killed after timeout):
 *   - path: must be absolute (runc would resolve a relative one from its
 *     working directory) and name a regular file that only root can change:
 *     the file and every directory the kernel passes through to reach it
 *     (symlinks followed, each hop judged) owned by root and not writable by
 *     group or others, none of them on /proc;
 *   - args (argv, argv[0] included), env and timeout must match one
 *     allow-list entry with that path, element by element;
 *   - env never carries a variable the dynamic loader or glibc acts on.
 * "/proc/<pid>/exe" (Docker's libnetwork hook) names whatever that pid runs
 * when runc gets there, and poststop runs at delete, long after the pid
 * may be reused: such a hook is judged as the binary it names now and
 * rewritten to that binary's path (the only fix), provided the path still
 * names the very file the process runs.  Any other /proc path is refused. */

/* Where each stage runs in runc 1.1.5, which decides whose files its path
 * names, and what a refusal says about it. */
static const struct {
        const char *name;
        bool host_files;
        const char *runs;
} stages[] = {
        /* runc create (process_linux.go), in the host's namespaces */
        { "prestart", true, "hooks run as root on the host" },
        { "createRuntime", true, "hooks run as root on the host" },
        /* runc init in the container's mount namespace before pivot_root: / is still the host's */
        { "createContainer", true, "hooks run as root on the host's files" },
        /* runc init after pivot_root, with the container process' credentials:
         * the path names a file of the container, no host file to judge */
        { "startContainer", false, "this hook runs in the container before its process" },
        { "poststart", true, "hooks run as root on the host" }, /* runc start (container_linux.go) */
        { "poststop", true, "hooks run as root on the host" },  /* runc delete (state_linux.go) */
};

/* Variables glibc drops for setuid programs (its "unsecure" list) and every
 * LD_*: a hook runs as root without that protection, so these never pass. */
static const char *const env_never[] = {
        "GCONV_PATH", "GETCONF_DIR", "GLIBC_TUNABLES",   "HOSTALIASES", "LOCALDOMAIN", "LOCPATH", "MALLOC_TRACE",
        "NIS_PATH",   "NLSPATH",     "RESOLV_HOST_CONF", "RES_OPTIONS", "TMPDIR",      "TZDIR",
};

/* Say why into why[wsize] (truncated if need be); returns -1. */
static int say (char *why, size_t wsize, const char *fmt, ...) __attribute__ ((format (printf, 3, 4)));
static int
say (char *why, size_t wsize, const char *fmt, ...)
{
        va_list ap;

        va_start (ap, fmt);
        vsnprintf (why, wsize, fmt, ap);
        va_end (ap);
        return -1;
}

/* ---- the path -------------------------------------------------------------- */

/* "/proc/<pid>/exe" exactly (procfs refuses a pid with a leading zero). */
static bool
proc_exe_form (const char *path)
{
        const char *digits = path + 6;
        size_t n;

        if (strncmp (path, "/proc/", 6) != 0)
                return false;
        n = strspn (digits, "0123456789");
        return n > 0 && digits[0] != '0' && strcmp (digits + n, "/exe") == 0;
}

/* The program "/proc/<pid>/exe" names now, as a path that names that very
 * file (same device and inode): one O_PATH descriptor pins the file, so
 * its path and its identity come from the same process even if the pid
 * exits meanwhile.  A deleted or replaced binary has no such path. */
static int
proc_exe_read (const char *path, char *out, size_t size, char *why, size_t wsize)
{
        _cleanup_close_ int fd = open (path, O_PATH | O_CLOEXEC);
        struct stat exe, named;
        char self[64];
        ssize_t len;

        if (fd < 0) /* text after the errno text, so not hd_why_sys() */
                return say (why, wsize, "cannot be resolved: %s (no such process?)", strerror (errno));
        snprintf (self, sizeof self, "/proc/self/fd/%d", fd);
        if (fstat (fd, &exe) < 0 || (len = readlink (self, out, size - 1)) < 0)
                return hd_why_sys (why, wsize, errno, "cannot be resolved");
        if ((size_t) len >= size - 1)
                return say (why, wsize, "cannot be resolved: the path is too long");
        out[len] = '\0';
        if (exe.st_nlink == 0 || out[0] != '/')
                return say (why, wsize, "runs %s, which was deleted or replaced since it started", out);
        if (stat (out, &named) < 0 || named.st_dev != exe.st_dev || named.st_ino != exe.st_ino)
                return say (why, wsize, "runs a program that %s no longer names", out);
        return 0;
}

/* out[size]: the binary, or on failure the path unchanged. */
static int
proc_exe_resolve (const char *path, char *out, size_t size, char *why, size_t wsize)
{
        if (proc_exe_read (path, out, size, why, wsize) == 0)
                return 0;
        snprintf (out, size, "%s", path);
        return -1;
}

/* A host program runc will execute: only root may change it or any
 * directory on the way to it (trust_check_exec). */
static int
host_file_safe (const char *exe, char *why, size_t wsize)
{
        struct hd_err err;

        return trust_check_exec (exe, &err) < 0 ? say (why, wsize, "%s", err.msg) : 0;
}

/* ---- args, env, timeout ------------------------------------------------------ */

static bool
env_never_allowed (const char *entry)
{
        size_t name = strcspn (entry, "=");

        if (strncmp (entry, "LD_", 3) == 0)
                return true;
        for (size_t i = 0; i < HD_ARRAY_SIZE (env_never); i++)
                if (strlen (env_never[i]) == name && strncmp (entry, env_never[i], name) == 0)
                        return true;
        return false;
}

static bool
env_allowed (const struct policy_hook *h, const char *entry)
{
        for (size_t k = 0; k < h->nenv; k++)
                if (pattern_match (h->env[k], entry))
                        return true;
        return false;
}

/* Why `hook` is not what entry `h` allows (true), or false when it is.
 * Env values are never quoted: they may be secrets. */
static bool
entry_mismatch (const struct policy_hook *h, const struct json *hook, char *why, size_t wsize)
{
        const struct json *args = json_get (hook, "args"), *env = json_get (hook, "env");
        const struct json *timeout = json_get (hook, "timeout");
        size_t nargs = args ? args->n : 0;
        int64_t t;

        if (nargs != h->nargs)
                return say (why, wsize, "it has %zu args, the allow-list entry %zu", nargs, h->nargs) < 0;
        for (size_t i = 0; i < nargs; i++)
                if (!pattern_match (h->args[i], args->items[i]->text))
                        return say (why, wsize, "args[%zu] \"%s\" does not match \"%s\"", i, args->items[i]->text,
                                    h->args[i])
                               < 0;
        for (size_t i = 0; env && i < env->n; i++)
                if (!env_allowed (h, env->items[i]->text))
                        return say (why, wsize, "env[%zu] (%.*s) is not allowed", i,
                                    (int) strcspn (env->items[i]->text, "="), env->items[i]->text)
                               < 0;
        if (h->max_timeout && !timeout)
                return say (why, wsize, "it has no timeout; the entry allows at most %u s", h->max_timeout) < 0;
        if (h->max_timeout && (!json_number_i64 (timeout, &t) || t < 1 || t > h->max_timeout))
                return say (why, wsize, "timeout %s is not within 1..%u s", timeout->text, h->max_timeout) < 0;
        return false;
}

/* The allow-list: an entry with this path that matches everything else.
 * Otherwise -1, saying what the first entry with this path does not match. */
static int
hook_listed (const struct policy *p, const char *exe, const struct json *hook, char *why, size_t wsize)
{
        bool seen = false;

        for (size_t i = 0; i < p->surface.nhook_allow; i++) {
                const struct policy_hook *h = &p->surface.hook_allow[i];
                char reason[256];
                if (strcmp (h->path, exe) != 0)
                        continue;
                if (!entry_mismatch (h, hook, reason, sizeof reason))
                        return 0;
                if (!seen)
                        say (why, wsize, "not allow-listed: %s", reason);
                seen = true;
        }
        return seen ? -1 : say (why, wsize, "not allow-listed: no entry has this path");
}

/* ---- the rule ----------------------------------------------------------------- */

static int
env_safe (const struct json *env, char *why, size_t wsize)
{
        for (size_t i = 0; env && i < env->n; i++)
                if (env_never_allowed (env->items[i]->text))
                        return say (why, wsize, "env[%zu] sets %.*s, which the dynamic loader or libc acts on", i,
                                    (int) strcspn (env->items[i]->text, "="), env->items[i]->text);
        return 0;
}

/* 0 if the hook may run, with exe[PATH_MAX] the binary it runs; otherwise
 * -1 and why says the first thing wrong with it. */
static int
hook_judge (const struct policy *p, size_t stage, const struct json *hook, char *exe, char *why, size_t wsize)
{
        const struct json *path = json_get (hook, "path");
        bool proc;

        snprintf (exe, PATH_MAX, "%s", path ? path->text : "(no path)");
        if (!path || path->text[0] != '/')
                return say (why, wsize, "its path is not absolute (runc would look it up from its working directory)");
        proc = proc_exe_form (path->text);
        if (proc && !stages[stage].host_files)
                return say (why, wsize, "it names a process of the container's pid namespace");
        if ((proc && proc_exe_resolve (path->text, exe, PATH_MAX, why, wsize) < 0)
            || (stages[stage].host_files && host_file_safe (exe, why, wsize) < 0)
            || env_safe (json_get (hook, "env"), why, wsize) < 0)
                return -1;
        return hook_listed (p, exe, hook, why, wsize);
}

static void
hooks_check (const struct policy *p, const struct json *doc, struct decision *d, const char *id)
{
        const struct json *hooks = json_get (doc, "hooks");

        for (size_t s = 0; s < HD_ARRAY_SIZE (stages); s++) {
                const struct json *list = json_get (hooks, stages[s].name);
                for (size_t i = 0; list && i < list->n; i++) {
                        const struct json *path = json_get (list->items[i], "path");
                        const char *shown = path ? path->text : "(no path)";
                        char exe[PATH_MAX], why[256], ptr[64];
                        bool ok = hook_judge (p, s, list->items[i], exe, why, sizeof why) == 0;
                        bool proc = strcmp (exe, shown) != 0;
                        snprintf (ptr, sizeof ptr, "/hooks/%s/%zu", stages[s].name, i);
                        if (!ok)
                                decision_add (d, id, ptr, shown, "an allow-listed hook", "%s hook %s%s%s%s: %s (%s)",
                                              stages[s].name, shown, proc ? " (runs " : "", proc ? exe : "",
                                              proc ? ")" : "", why, stages[s].runs);
                        else if (proc)
                                decision_add (d, id, ptr, shown, exe,
                                              "%s hook %s names a process, which may run something else when runc "
                                              "gets there; the binary it runs now is %s",
                                              stages[s].name, shown, exe);
                }
        }
}

/* The one fix: each /proc/<pid>/exe hook of a host stage becomes the path
 * of the binary it runs now.  The engine then checks the result again, so
 * a hook that is wrong in any other way is still refused. */
static int
hooks_fix (const struct policy *p, struct json *doc, const struct decision *ctx, struct hd_err *err)
{
        const struct json *hooks = json_get (doc, "hooks");

        (void) p;
        (void) ctx;
        for (size_t s = 0; s < HD_ARRAY_SIZE (stages); s++) {
                const struct json *list = json_get (hooks, stages[s].name);
                for (size_t i = 0; stages[s].host_files && list && i < list->n; i++) {
                        const struct json *path = json_get (list->items[i], "path");
                        char exe[PATH_MAX], why[256];
                        if (!path || !proc_exe_form (path->text)
                            || proc_exe_resolve (path->text, exe, sizeof exe, why, sizeof why) < 0)
                                continue;
                        if (json_set (list->items[i], "path", json_new_string (exe), err) < 0)
                                return -1;
                }
        }
        return 0;
}

const struct rule rule_hooks = {
        "hooks.allowList", "hooks", RULE_CREATE, offsetof (struct policy, surface.hooks), hooks_check, hooks_fix,
};
