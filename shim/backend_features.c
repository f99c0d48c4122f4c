#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hardened/json.h"
#include "hardened/sha256.h"
#include "hardened/util.h"

#include "backend_features.h"
#include "fileio.h"

#define FEATURES_OUTPUT_MAX (1024 * 1024)
#define FEATURES_TIMEOUT_MS 10000
#define FEATURES_ENTRY_MAX 200
#define FEATURES_CACHE_MAX (128 * 1024)
#define FEATURES_KEY "potentiallyUnsafeConfigAnnotations"

/* "<sha256 of the path>.json": one file per backend path, any path. */
static void
cache_name (const char *backend, char name[2 * SHA256_DIGEST_SIZE + 6])
{
        unsigned char d[SHA256_DIGEST_SIZE];

        sha256 (backend, strlen (backend), d);
        hd_hex (name, d, sizeof d);
        memcpy (name + 2 * sizeof d, ".json", 6);
}

char *
backend_features_cache_path (const char *backend)
{
        char name[2 * SHA256_DIGEST_SIZE + 6], *out;

        cache_name (backend, name);
        return asprintf (&out, "%s/%s", HD_FEATURES_CACHE, name) < 0 ? NULL : out;
}

/* The backend file as exec would find it: any reinstall changes one field. */
static int
identity (const char *backend, char *buf, size_t size)
{
        struct stat st;

        if (stat (backend, &st) < 0)
                return -1;
        snprintf (buf, size, "%" PRIu64 ":%" PRIu64 ":%" PRIu64 ":%lld.%09ld:%lld.%09ld", (uint64_t) st.st_dev,
                  (uint64_t) st.st_ino, (uint64_t) st.st_size, (long long) st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
                  (long long) st.st_ctim.tv_sec, st.st_ctim.tv_nsec);
        return 0;
}

void
backend_features_entry_free (struct backend_features_entry *e)
{
        for (size_t i = 0; i < e->n; i++)
                free (e->unsafe[i]);
        memset (e, 0, sizeof *e);
}

/* ---- running the backend (tooling only) ---------------------------------- */

static void
child (const char *backend, int out)
{
        char path[4096], verb[] = "features";
        char *argv[] = { path, verb, NULL };
        int null = open ("/dev/null", O_RDWR | O_CLOEXEC);

        snprintf (path, sizeof path, "%s", backend);

        if (null < 0 || dup2 (null, 0) < 0 || dup2 (out, 1) < 0 || dup2 (null, 2) < 0)
                _exit (127);
        execve (backend, argv, environ);
        _exit (127);
}

/* Read the child's stdout until EOF, the size cap or the deadline. */
static int
read_bounded (int fd, char **out, size_t *len, struct hd_err *err)
{
        struct timespec start, now;
        size_t cap = 4096;

        *len = 0;
        if (!(*out = malloc (cap + 1)))
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        clock_gettime (CLOCK_MONOTONIC, &start);
        for (;;) {
                struct pollfd pfd = { .fd = fd, .events = POLLIN };
                long left;
                ssize_t n;
                clock_gettime (CLOCK_MONOTONIC, &now);
                left = FEATURES_TIMEOUT_MS
                       - ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000);
                if (left <= 0 || poll (&pfd, 1, (int) left) == 0)
                        return hd_err_set (err, HD_EXIT_INTERNAL, ETIMEDOUT, "gave no answer within %d s",
                                           FEATURES_TIMEOUT_MS / 1000);
                if (*len == cap) {
                        char *bigger = cap >= FEATURES_OUTPUT_MAX ? NULL : realloc (*out, 2 * cap + 1);
                        if (!bigger)
                                return hd_err_set (err, HD_EXIT_INTERNAL, E2BIG, "printed more than %d bytes",
                                                   FEATURES_OUTPUT_MAX);
                        *out = bigger;
                        cap *= 2;
                }
                n = read (fd, *out + *len, cap - *len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return hd_err_sys (err, HD_EXIT_INTERNAL, errno, "read");
                if (n == 0)
                        break;
                *len += (size_t) n;
        }
        (*out)[*len] = '\0';
        return 0;
}

/* `backend features`'s stdout and whether it exited 0. */
static int
run_features (const char *backend, char **out, size_t *len, bool *ok, struct hd_err *err)
{
        int p[2], status = 0, rc;
        pid_t pid;

        if (pipe2 (p, O_CLOEXEC) < 0)
                return hd_err_sys (err, HD_EXIT_INTERNAL, errno, "pipe");
        pid = fork ();
        if (pid == 0)
                child (backend, p[1]);
        close (p[1]);
        if (pid < 0) {
                close (p[0]);
                return hd_err_sys (err, HD_EXIT_INTERNAL, errno, "fork");
        }
        rc = read_bounded (p[0], out, len, err);
        close (p[0]);
        if (rc < 0)
                kill (pid, SIGKILL); /* our own child, which hung or flooded */
        while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
                ;
        *ok = WIFEXITED (status) && WEXITSTATUS (status) == 0;
        return rc;
}

/* The list from features' JSON: strings, non-empty, bounded. */
static int
parse_list (const struct json *list, struct backend_features_entry *out, struct hd_err *err)
{
        if (list->type != JSON_ARRAY)
                return hd_err_set (err, HD_EXIT_REFUSED, EINVAL, FEATURES_KEY " is not an array");
        if (list->n > FEATURES_MAX_ENTRIES)
                return hd_err_set (err, HD_EXIT_REFUSED, E2BIG, FEATURES_KEY " has more than %d entries",
                                   FEATURES_MAX_ENTRIES);
        for (size_t i = 0; i < list->n; i++) {
                const struct json *e = list->items[i];
                if (e->type != JSON_STRING || e->len == 0 || e->len > FEATURES_ENTRY_MAX || strlen (e->text) != e->len)
                        return hd_err_set (err, HD_EXIT_REFUSED, EINVAL, FEATURES_KEY "[%zu] is not a key", i);
                if (!(out->unsafe[out->n++] = strdup (e->text)))
                        return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        }
        out->has_list = true;
        return 0;
}

/* ---- the cache ------------------------------------------------------------ */

/* Only the shim's own user (root) may have written it. */
static bool
trusted (const struct stat *st)
{
        return st->st_uid == geteuid () && !(st->st_mode & 022);
}

/* The cache directory, made if missing (by the tooling), or -1. */
static int
cache_dir (bool make, struct hd_err *err)
{
        const char *const dirs[] = { HD_FEATURES_CACHE_ROOT, HD_FEATURES_CACHE };
        struct stat st;
        int fd = -1;

        for (size_t i = 0; i < HD_ARRAY_SIZE (dirs); i++) {
                if (fd >= 0)
                        close (fd);
                if (make && mkdir (dirs[i], 0755) < 0 && errno != EEXIST)
                        return hd_err_sys (err, HD_EXIT_INTERNAL, errno, "%s", dirs[i]);
                fd = open (dirs[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0)
                        return hd_err_sys (err, HD_EXIT_INTERNAL, errno, "%s", dirs[i]);
                if (fstat (fd, &st) < 0 || !trusted (&st)) {
                        close (fd);
                        return hd_err_set (err, HD_EXIT_REFUSED, EPERM,
                                           "%s is not owned by root or is writable by others", dirs[i]);
                }
        }
        return fd;
}

static int
write_cache (const char *backend, const char *id, const struct backend_features_entry *e, struct hd_err *err)
{
        _cleanup_json_ struct json *o = json_new (JSON_OBJECT);
        _cleanup_free_ char *text = NULL;
        _cleanup_close_ int dir = -1;
        struct stat mode = { .st_mode = S_IFREG | 0644, .st_uid = geteuid (), .st_gid = getegid () };
        char name[2 * SHA256_DIGEST_SIZE + 6];
        struct json *list = json_new (JSON_ARRAY);
        size_t len;

        for (size_t i = 0; list && i < e->n; i++)
                if (json_append (list, json_new_string (e->unsafe[i]), err) < 0)
                        list = NULL;
        if (!o || !list || json_set (o, "backend", json_new_string (backend), err) < 0
            || json_set (o, "identity", json_new_string (id), err) < 0
            || json_set (o, "features", json_new_bool (e->has_features), err) < 0
            || (e->has_list ? json_set (o, FEATURES_KEY, list, err) : (json_free (list), 0)) < 0
            || json_write (o, &text, &len, err) < 0)
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        if ((dir = cache_dir (true, err)) < 0)
                return -1;
        cache_name (backend, name);
        return fileio_replace_at (dir, name, text, len, &mode, err);
}

int
backend_features_refresh (const char *backend, struct backend_features_entry *out, struct hd_err *err)
{
        _cleanup_free_ char *text = NULL;
        _cleanup_json_ struct json *doc = NULL;
        const struct json *list;
        char id[160];
        size_t len = 0;
        bool ok = false;

        memset (out, 0, sizeof *out);
        if (identity (backend, id, sizeof id) < 0)
                return hd_err_sys (err, HD_EXIT_INTERNAL, errno, "%s", backend);
        if (run_features (backend, &text, &len, &ok, err) < 0)
                return hd_err_prefix (err, "%s features: ", backend);
        /* A backend without the verb (runc before 1.1) fails or prints its
         * help: it has no list of its own, which is itself worth caching. */
        out->has_features = ok && json_parse (text, len, &doc, err) == 0 && doc->type == JSON_OBJECT;
        if (out->has_features && (list = json_get (doc, FEATURES_KEY)) && parse_list (list, out, err) < 0)
                return hd_err_prefix (err, "%s features: ", backend);
        return write_cache (backend, id, out, err);
}

static int
set_note (struct policy *p, const char *backend, const char *why)
{
        snprintf (p->backend.note, sizeof p->backend.note,
                  "backend %.100s: %.60s; built-in annotation list only (run `hardened policy lint`)", backend, why);
        return 0;
}

/* The entry's list into p->backend (the identity already matched). */
static int
take_list (struct policy *p, const struct json *list, struct hd_err *err)
{
        if (!list || list->type != JSON_ARRAY || list->n == 0)
                return 0;
        if (!(p->backend.unsafe = calloc (list->n, sizeof *p->backend.unsafe)))
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        for (size_t i = 0; i < list->n; i++) {
                if (list->items[i]->type != JSON_STRING || list->items[i]->len == 0)
                        continue;
                if (!(p->backend.unsafe[p->backend.nunsafe] = strdup (list->items[i]->text)))
                        return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
                p->backend.nunsafe++;
        }
        return 0;
}

int
backend_features_load (const char *backend, struct policy *p, struct hd_err *err)
{
        _cleanup_close_ int dir = -1;
        _cleanup_free_ char *text = NULL;
        _cleanup_json_ struct json *doc = NULL;
        const struct json *who, *was;
        struct hd_err why = { 0 };
        char name[2 * SHA256_DIGEST_SIZE + 6], id[160];
        struct stat st;
        size_t len;

        p->backend.note[0] = '\0';
        if ((dir = cache_dir (false, &why)) < 0)
                return set_note (p, backend, why.code == ENOENT ? "its features were never cached" : why.msg);
        cache_name (backend, name);
        if (fileio_read_at (dir, name, FEATURES_CACHE_MAX, &text, &len, &st, &why) < 0)
                return set_note (p, backend, why.code == ENOENT ? "its features were never cached" : why.msg);
        if (!trusted (&st))
                return set_note (p, backend, "its features cache entry is not root's own: ignored");
        if (json_parse (text, len, &doc, &why) < 0 || !(who = json_get (doc, "backend"))
            || strcmp (who->text, backend) != 0 || !(was = json_get (doc, "identity")))
                return set_note (p, backend, "its features cache entry is unreadable: ignored");
        if (identity (backend, id, sizeof id) < 0 || strcmp (was->text, id) != 0)
                return set_note (p, backend, "it changed since its features were cached");
        return take_list (p, json_get (doc, FEATURES_KEY), err);
}
