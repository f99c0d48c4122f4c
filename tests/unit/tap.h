/* A minimal TAP producer for the unit tests (read by automake's tap-driver). */
#ifndef HARDENED_TAP_H
#define HARDENED_TAP_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_n, tap_failed;

#define ok(cond, ...)                                                                    \
        do {                                                                             \
                int ok_ = !!(cond);                                                      \
                printf ("%sok %d - ", ok_ ? "" : "not ", ++tap_n);                       \
                printf (__VA_ARGS__);                                                    \
                printf ("\n");                                                           \
                if (!ok_) {                                                              \
                        tap_failed++;                                                    \
                        printf ("#   failed at %s:%d: %s\n", __FILE__, __LINE__, #cond); \
                }                                                                        \
        } while (0)

#define is_str(got, want, ...)                                                                           \
        do {                                                                                             \
                const char *g_ = (got), *w_ = (want);                                                    \
                int same_ = (g_ && w_) ? strcmp (g_, w_) == 0 : g_ == w_;                                \
                ok (same_, __VA_ARGS__);                                                                 \
                if (!same_)                                                                              \
                        printf ("#   got:  %s\n#   want: %s\n", g_ ? g_ : "(null)", w_ ? w_ : "(null)"); \
        } while (0)

/* Does `hay` contain `needle`?  Prints the haystack on failure. */
#define has_str(hay, needle, ...)                                                        \
        do {                                                                             \
                const char *h_ = (hay), *n_ = (needle);                                  \
                int found_ = h_ && strstr (h_, n_) != NULL;                              \
                ok (found_, __VA_ARGS__);                                                \
                if (!found_)                                                             \
                        printf ("#   in:   %s\n#   want: %s\n", h_ ? h_ : "(null)", n_); \
        } while (0)

/* Docker 20.10's captured documents in tests/fixtures (the one list for the
 * tests that walk them all): config.json files, then --process files. */
#define TAP_DOCKER_RUN_FIXTURES                                                                                     \
        "run-capall-hostipc-uts-device.json", "run-default.json", "run-hardened-flags.json", "run-privileged.json", \
                "run-root-group0-apparmor-unconfined.json", "run-sysctl-ulimit-oom-secrets.json",                   \
                "run-unconfined-sysadmin-pidhost-sock.json"
#define TAP_DOCKER_EXEC_FIXTURES "exec-privileged.json", "exec-user0.json", "exec-user1000-env-cwd.json"

/* Read $ENVVAR/name (or dflt/name) whole; NULL if unreadable.  *len is
 * optional. */
static inline char *
tap_slurp (const char *envvar, const char *dflt, const char *name, size_t *len)
{
        char path[4096];
        const char *dir = getenv (envvar);
        FILE *f;
        char *buf;
        long n;

        snprintf (path, sizeof path, "%s/%s", dir ? dir : dflt, name);
        if (!(f = fopen (path, "rbe")))
                return NULL;
        fseek (f, 0, SEEK_END);
        n = ftell (f);
        rewind (f);
        buf = malloc ((size_t) n + 1);
        if (buf && fread (buf, 1, (size_t) n, f) != (size_t) n) {
                free (buf);
                buf = NULL;
        }
        fclose (f);
        if (buf) {
                buf[n] = '\0';
                if (len)
                        *len = (size_t) n;
        }
        return buf;
}

static inline int
tap_done (void)
{
        printf ("1..%d\n", tap_n);
        return tap_failed ? 1 : 0;
}

#endif
