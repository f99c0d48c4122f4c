#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hardened/json.h"
#include "hardened/util.h"

#include "fileio.h"
#include "install_engines.h"
#include "tomledit.h"

static int
oom (struct hd_err *err)
{
        return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
}

/* ---- Docker: daemon.json ------------------------------------------------------ */

/* Strict, as everywhere (duplicate keys, comments, bad UTF-8 refused);
 * dockerd reads the file with Go's encoding/json. */
static int
docker_parse (const char *file, const char *text, size_t len, struct json **out, struct hd_err *err)
{
        if (json_parse (text, len, out, err) < 0)
                return hd_err_prefix (err, "%s:", file);
        if ((*out)->type != JSON_OBJECT)
                return hd_err_set (err, HD_EXIT_REFUSED, EINVAL, "%s: not a JSON object", file);
        return 0;
}

static int
docker_runtimes (const char *file, struct json *root, struct json **out, struct hd_err *err)
{
        struct json *r = json_get (root, "runtimes");

        if (r && r->type != JSON_OBJECT)
                return hd_err_set (err, HD_EXIT_REFUSED, EINVAL, "%s: /runtimes is %s, not an object", file,
                                   json_type_name (r->type));
        *out = r ? r : json_ensure (root, "runtimes", JSON_OBJECT, err);
        return *out ? 0 : -1;
}

static struct json *
docker_entry (const struct install_opts *o)
{
        struct json *e = json_new (JSON_OBJECT), *args = o->nargs ? json_new (JSON_ARRAY) : NULL;
        struct hd_err err;

        if (!e || json_set (e, "path", json_new_string (o->path), &err) < 0)
                return NULL;
        for (size_t i = 0; args && i < o->nargs; i++)
                if (json_append (args, json_new_string (o->args[i]), &err) < 0)
                        return NULL;
        if (args && json_set (e, "runtimeArgs", args, &err) < 0)
                return NULL;
        return e;
}

static void
log_json (FILE *log, const char *sign, const char *ptr, const struct json *v, const struct json *was)
{
        _cleanup_free_ char *a = NULL, *b = NULL;
        struct hd_err ignored;
        size_t l;

        json_write (v, &a, &l, &ignored);
        if (was)
                json_write (was, &b, &l, &ignored);
        fprintf (log, "  %s %s: %s%s%s%s\n", sign, ptr, a ? a : "", b ? " (was " : "", b ? b : "", b ? ")" : "");
}

/* root[key] = v unless it already is; logged. */
static int
docker_put (struct json *obj, const char *key, const char *ptr, struct json *v, FILE *log, bool *changed,
            struct hd_err *err)
{
        const struct json *old = json_get (obj, key);

        if (!v)
                return oom (err);
        if (old && json_equal (old, v))
                return 0;
        log_json (log, old ? "~" : "+", ptr, v, old);
        *changed = true;
        return json_set (obj, key, v, err);
}

static int
docker_text (const struct json *root, bool changed, char **out, size_t *len, struct hd_err *err)
{
        _cleanup_free_ char *text = NULL;
        size_t n;

        if (!changed)
                return 0;
        if (json_write_pretty (root, true, &text, &n, err) < 0)
                return -1;
        if (!(*out = malloc (n + 2)))
                return oom (err);
        memcpy (*out, text, n);
        (*out)[n] = '\n';
        (*out)[n + 1] = '\0';
        *len = n + 1;
        return 0;
}

static int
docker_install (const struct install_opts *o, const struct install_text *in, char **out, size_t *len, FILE *log,
                struct hd_err *err)
{
        _cleanup_json_ struct json *root = NULL;
        struct json *runtimes;
        char ptr[512];
        bool changed = false;

        if (o->as_runc)
                return hd_err_set (err, HD_EXIT_USAGE, EINVAL,
                                   "docker: --as-runc: dockerd refuses a runtime named \"runc\" in daemon.json and "
                                   "its own runc cannot be pointed elsewhere; use --default to make \"%s\" the "
                                   "default runtime",
                                   o->name);
        if (docker_parse (in->file, in->text, in->len, &root, err) < 0
            || docker_runtimes (in->file, root, &runtimes, err) < 0)
                return -1;
        snprintf (ptr, sizeof ptr, "/runtimes/%s", o->name);
        if (docker_put (runtimes, o->name, ptr, docker_entry (o), log, &changed, err) < 0)
                return -1;
        if (o->set_default
            && docker_put (root, "default-runtime", "/default-runtime", json_new_string (o->name), log, &changed, err)
                       < 0)
                return -1;
        return docker_text (root, changed, out, len, err);
}

static int
docker_uninstall (const struct install_opts *o, const struct install_text *in, char **out, size_t *len, FILE *log,
                  struct hd_err *err)
{
        _cleanup_json_ struct json *root = NULL, *backup = NULL;
        struct json *runtimes = NULL, *dflt;
        struct hd_err ignored;
        bool changed = false;

        if (docker_parse (in->file, in->text, in->len, &root, err) < 0)
                return -1;
        if (in->backup && json_parse (in->backup, in->backup_len, &backup, &ignored) < 0)
                backup = NULL;
        if (json_get (root, "runtimes") && docker_runtimes (in->file, root, &runtimes, err) < 0)
                return -1;
        if (runtimes && json_get (runtimes, o->name)) {
                fprintf (log, "  - /runtimes/%s\n", o->name);
                json_del (runtimes, o->name);
                changed = true;
                if (runtimes->n == 0 && !json_get (backup, "runtimes"))
                        json_del (root, "runtimes"), fprintf (log, "  - /runtimes (left empty)\n");
        }
        dflt = json_get (root, "default-runtime");
        if (dflt && dflt->type == JSON_STRING && strcmp (dflt->text, o->name) == 0) {
                const struct json *was = json_get (backup, "default-runtime");
                changed = true;
                if (was && !json_equal (was, dflt)) {
                        log_json (log, "~", "/default-runtime", was, dflt);
                        if (json_set (root, "default-runtime", json_clone (was), err) < 0)
                                return -1;
                } else
                        json_del (root, "default-runtime"), fprintf (log, "  - /default-runtime\n");
        }
        return docker_text (root, changed, out, len, err);
}

static bool
docker_same (const char *a, size_t alen, const char *b, size_t blen)
{
        _cleanup_json_ struct json *x = NULL, *y = NULL;
        struct hd_err ignored;

        return json_parse (a, alen, &x, &ignored) == 0 && json_parse (b, blen, &y, &ignored) == 0 && json_equal (x, y);
}

/* ---- TOML engines: the edits as (table, key, value) ------------------------------ */

static bool
bytes_same (const char *a, size_t alen, const char *b, size_t blen)
{
        return alen == blen && memcmp (a, b, alen) == 0;
}

static int
toml_out (struct toml_doc *doc, const struct install_text *in, char **out, size_t *len, struct hd_err *err)
{
        _cleanup_free_ char *text = NULL;
        size_t n;

        if (toml_doc_text (doc, &text, &n, err) < 0)
                return -1;
        if (!bytes_same (text, n, in->text, in->len)) {
                *out = steal_ptr (&text);
                *len = n;
        }
        return 0;
}

/* A string key: set to `value` (quoted here). */
static int
set_string (struct toml_doc *doc, const struct toml_path *t, const char *key, const char *value, FILE *log,
            struct hd_err *err)
{
        _cleanup_free_ char *q = toml_quote (value), *old = NULL, *was = NULL;

        if (!q || toml_get (doc, t, key, &old, err) < 0)
                return q ? -1 : oom (err);
        /* the same string spelt another way ('literal') is left alone */
        if (old && (was = toml_string_value (old)) && strcmp (was, value) == 0)
                return 0;
        return toml_set (doc, t, key, q, log, err);
}

/* Is `key` in `t` the string `s`? */
static int
is_string (const struct toml_doc *doc, const struct toml_path *t, const char *key, const char *s, bool *yes,
           struct hd_err *err)
{
        _cleanup_free_ char *v = NULL, *str = NULL;

        if (toml_get (doc, t, key, &v, err) < 0)
                return -1;
        str = v ? toml_string_value (v) : NULL;
        *yes = str && strcmp (str, s) == 0;
        return 0;
}

/* Uninstall: `key` back to the backup's value, or removed when it had none. */
static int
restore_key (struct toml_doc *doc, const struct toml_doc *backup, const struct toml_path *t, const char *key, FILE *log,
             struct hd_err *err)
{
        _cleanup_free_ char *was = NULL;
        struct hd_err ignored;

        if (backup && toml_get (backup, t, key, &was, &ignored) < 0)
                was = NULL;
        return was ? toml_set (doc, t, key, was, log, err) : toml_del (doc, t, key, log, err);
}

/* Uninstall: a table left without keys goes unless the backup had it. */
static int
drop_if_empty (struct toml_doc *doc, const struct toml_doc *backup, const struct toml_path *t, FILE *log,
               struct hd_err *err)
{
        if (!toml_has_table (doc, t) || toml_table_nkeys (doc, t) > 0 || (backup && toml_has_table (backup, t)))
                return 0;
        return toml_del_table (doc, t, log, err);
}

static void
path_join (struct toml_path *out, const struct toml_path *base, const char *a, const char *b)
{
        *out = *base;
        if (a)
                out->part[out->n++] = a;
        if (b)
                out->part[out->n++] = b;
}

static struct toml_doc *
backup_doc (const struct install_text *in)
{
        struct toml_doc *doc = NULL;
        struct hd_err ignored;

        if (in->backup && toml_doc_parse (in->file, in->backup, in->backup_len, &doc, &ignored) < 0)
                return NULL;
        return doc;
}

/* ---- containerd 1.6: config.toml version 2, the CRI plugin's handlers ------------- */

static const struct toml_path toml_root = { 0 };
static const struct toml_path cri = { 3, { "plugins", "io.containerd.grpc.v1.cri", "containerd" } };
static const char runc_v2[] = "io.containerd.runc.v2";

/* containerd 1.6 reads a file without `version` as version 1, where the
 * plugin is "cri" and these tables mean nothing. */
static int
containerd_version (const struct toml_doc *doc, const char *file, struct hd_err *err)
{
        _cleanup_free_ char *v = NULL;

        if (toml_get (doc, &toml_root, "version", &v, err) < 0)
                return -1;
        if (!v || strcmp (v, "2") != 0)
                return hd_err_set (err, HD_EXIT_REFUSED, EINVAL,
                                   "%s: %s%s: hardened install edits containerd 1.6's version 2 configuration "
                                   "(`containerd config default` writes one); this one is read as version %s",
                                   file, v ? "version = " : "no \"version = 2\"", v ? v : "", v ? v : "1");
        return 0;
}

static int
containerd_as_runc (struct toml_doc *doc, const struct install_opts *o, const char *file, FILE *log, struct hd_err *err)
{
        struct toml_path r, ro;
        _cleanup_free_ char *type = NULL, *s = NULL;

        path_join (&r, &cri, "runtimes", "runc");
        path_join (&ro, &r, "options", NULL);
        if (toml_get (doc, &r, "runtime_type", &type, err) < 0)
                return -1;
        if (type && (!(s = toml_string_value (type)) || strcmp (s, runc_v2) != 0))
                return hd_err_set (err, HD_EXIT_REFUSED, EINVAL,
                                   "%s: %s runtime_type = %s: --as-runc sets options.BinaryName, which only %s reads",
                                   file, toml_path_name (&r), type, runc_v2);
        /* a runc table in the file replaces containerd's default one whole:
         * without runtime_type the handler would have none */
        if (set_string (doc, &r, "runtime_type", runc_v2, log, err) < 0)
                return -1;
        return set_string (doc, &ro, "BinaryName", o->path, log, err);
}

static int
containerd_install (const struct install_opts *o, const struct install_text *in, char **out, size_t *len, FILE *log,
                    struct hd_err *err)
{
        struct toml_doc *doc;
        struct toml_path h, ho;
        int rc = -1;

        if (o->nargs)
                return hd_err_set (err, HD_EXIT_USAGE, EINVAL,
                                   "containerd: runtime arguments after \"--\" are Docker's; containerd's runc "
                                   "options carry none (hardened reads the installed policy)");
        if (toml_doc_parse (in->file, in->text, in->len, &doc, err) < 0)
                return -1;
        path_join (&h, &cri, "runtimes", o->name);
        path_join (&ho, &h, "options", NULL);
        if (containerd_version (doc, in->file, err) == 0 && set_string (doc, &h, "runtime_type", runc_v2, log, err) == 0
            && set_string (doc, &ho, "BinaryName", o->path, log, err) == 0
            && (!o->set_default || set_string (doc, &cri, "default_runtime_name", o->name, log, err) == 0)
            && (!o->as_runc || containerd_as_runc (doc, o, in->file, log, err) == 0))
                rc = toml_out (doc, in, out, len, err);
        toml_doc_free (doc);
        return rc;
}

static int
containerd_unrunc (struct toml_doc *doc, const struct toml_doc *backup, const struct install_opts *o, FILE *log,
                   struct hd_err *err)
{
        struct toml_path r, ro;
        bool ours;

        path_join (&r, &cri, "runtimes", "runc");
        path_join (&ro, &r, "options", NULL);
        if (is_string (doc, &ro, "BinaryName", o->path, &ours, err) < 0)
                return -1;
        if (!ours)
                return 0;
        if (restore_key (doc, backup, &ro, "BinaryName", log, err) < 0
            || drop_if_empty (doc, backup, &ro, log, err) < 0)
                return -1;
        /* the runtime_type install added goes with the table it was added to */
        if (toml_table_nkeys (doc, &r) == 1 && !toml_has_table (doc, &ro)
            && restore_key (doc, backup, &r, "runtime_type", log, err) < 0)
                return -1;
        return drop_if_empty (doc, backup, &r, log, err);
}

static int
containerd_uninstall (const struct install_opts *o, const struct install_text *in, char **out, size_t *len, FILE *log,
                      struct hd_err *err)
{
        struct toml_doc *doc, *backup = backup_doc (in);
        struct toml_path h, ho;
        bool dflt;
        int rc = -1;

        if (toml_doc_parse (in->file, in->text, in->len, &doc, err) < 0) {
                toml_doc_free (backup);
                return -1;
        }
        path_join (&h, &cri, "runtimes", o->name);
        path_join (&ho, &h, "options", NULL);
        if (toml_del_table (doc, &ho, log, err) == 0 && toml_del_table (doc, &h, log, err) == 0
            && is_string (doc, &cri, "default_runtime_name", o->name, &dflt, err) == 0
            && (!dflt || restore_key (doc, backup, &cri, "default_runtime_name", log, err) == 0)
            && drop_if_empty (doc, backup, &cri, log, err) == 0 && containerd_unrunc (doc, backup, o, log, err) == 0)
                rc = toml_out (doc, in, out, len, err);
        toml_doc_free (doc);
        toml_doc_free (backup);
        return rc;
}

/* ---- containerd itself reads the new file ----------------------------------------- */

/* `containerd --config TMP config dump`, its output in *out. */
static int
run_containerd (const char *bin, const char *tmp, char **out, size_t *len, int *status, struct hd_err *err)
{
        _cleanup_free_ char *b = strdup (bin), *t = strdup (tmp);
        char flag[] = "--config", verb[] = "config", sub[] = "dump";
        char *argv[] = { b, flag, t, verb, sub, NULL };
        int fds[2];
        pid_t pid;
        extern char **environ;

        if (!b || !t)
                return oom (err);
        if (pipe2 (fds, O_CLOEXEC) < 0)
                return hd_err_sys (err, HD_EXIT_INTERNAL, errno, "pipe");
        if ((pid = fork ()) < 0) {
                close (fds[0]);
                close (fds[1]);
                return hd_err_sys (err, HD_EXIT_INTERNAL, errno, "fork");
        }
        if (pid == 0) {
                dup2 (fds[1], 1);
                dup2 (fds[1], 2);
                execve (bin, argv, environ);
                _exit (127);
        }
        close (fds[1]);
        if (fileio_read_fd (fds[0], 4u << 20, out, len, err) < 0) {
                close (fds[0]);
                waitpid (pid, status, 0);
                return -1;
        }
        close (fds[0]);
        while (waitpid (pid, status, 0) < 0)
                if (errno != EINTR)
                        return hd_err_sys (err, HD_EXIT_INTERNAL, errno, "waitpid %s", bin);
        return 0;
}

/* The first containerd binary: the node's (below --root), then ours. */
static const char *
find_containerd (const char *root, char *buf, size_t size)
{
        static const char *const where[] = { "/usr/bin/containerd", "/usr/local/bin/containerd",
                                             "/usr/sbin/containerd" };

        for (int pass = 0; pass < 2; pass++)
                for (size_t i = 0; i < HD_ARRAY_SIZE (where); i++) {
                        snprintf (buf, size, "%s%s", pass == 0 ? root : "", where[i]);
                        if (access (buf, X_OK) == 0)
                                return buf;
                }
        return NULL;
}

static int
containerd_validate (const struct install_opts *o, const char *root, const char *tmp, FILE *log, struct hd_err *err)
{
        char bin[4096], want[1024];
        _cleanup_free_ char *dump = NULL, *q = toml_quote (o->path);
        const char *at;
        size_t len;
        int status;

        if (!find_containerd (root, bin, sizeof bin)) {
                fprintf (log, "  not checked by containerd: no containerd binary found\n");
                return 0;
        }
        if (!q || run_containerd (bin, tmp, &dump, &len, &status, err) < 0)
                return q ? -1 : oom (err);
        if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
                return hd_err_set (err, HD_EXIT_REFUSED, EINVAL,
                                   "%s --config %s config dump refused the new file: %.*s", bin, tmp,
                                   (int) strcspn (dump, "\n"), dump);
        snprintf (want, sizeof want, "[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.%s.options]", o->name);
        at = strstr (dump, want);
        if (!o->uninstall
            && (!at || !strstr (at, "BinaryName = ")
                || strncmp (strstr (at, "BinaryName = ") + 13, q, strlen (q)) != 0))
                return hd_err_set (err, HD_EXIT_REFUSED, EINVAL,
                                   "%s config dump of the new file does not show the handler %s with BinaryName = %s "
                                   "(does an imported file replace the CRI plugin's section?)",
                                   bin, o->name, q);
        fprintf (log, "  checked: %s --config FILE config dump reads it%s\n", bin,
                 o->uninstall ? "" : " and shows the handler");
        return 0;
}

/* ---- Podman: containers.conf ([engine.runtimes], [engine] runtime) ---------------- */

static const struct toml_path engine = { 1, { "engine" } };
static const struct toml_path engine_runtimes = { 2, { "engine", "runtimes" } };

/* One TOML string on `f`. */
static void
put_quoted (FILE *f, const char *sep, const char *s)
{
        _cleanup_free_ char *q = toml_quote (s);

        fprintf (f, "%s%s", sep, q ? q : "\"\"");
}

/* `runc` = [hardened, what was there but hardened]: Podman takes the first
 * path that exists. */
static int
podman_as_runc (struct toml_doc *doc, const struct install_opts *o, const char *file, FILE *log, struct hd_err *err)
{
        _cleanup_free_ char *v = NULL;
        char **items = NULL;
        size_t n = 0;
        FILE *list;
        char *text = NULL;
        size_t tlen;
        int rc;

        if (toml_get (doc, &engine_runtimes, "runc", &v, err) < 0)
                return -1;
        if (v && !toml_string_array (v, &items, &n))
                return hd_err_set (err, HD_EXIT_REFUSED, EINVAL, "%s: [engine.runtimes] runc = %s: not a list of paths",
                                   file, v);
        if (!(list = open_memstream (&text, &tlen)))
                return oom (err);
        put_quoted (list, "[", o->path);
        for (size_t i = 0; i < n; i++) {
                if (strcmp (items[i], o->path) != 0)
                        put_quoted (list, ", ", items[i]);
                free (items[i]);
        }
        free (items);
        fputc (']', list);
        fclose (list);
        rc = toml_set (doc, &engine_runtimes, "runc", text, log, err);
        free (text);
        return rc;
}

static int
podman_install (const struct install_opts *o, const struct install_text *in, char **out, size_t *len, FILE *log,
                struct hd_err *err)
{
        struct toml_doc *doc;
        _cleanup_free_ char *q = toml_quote (o->path), *list = NULL;
        int rc = -1;

        if (o->nargs)
                return hd_err_set (err, HD_EXIT_USAGE, EINVAL,
                                   "podman: runtime arguments after \"--\" are Docker's; containers.conf lists "
                                   "paths only (hardened reads the installed policy)");
        if (!q || asprintf (&list, "[%s]", q) < 0)
                return oom (err);
        if (toml_doc_parse (in->file, in->text, in->len, &doc, err) < 0)
                return -1;
        if (toml_set (doc, &engine_runtimes, o->name, list, log, err) == 0
            && (!o->set_default || set_string (doc, &engine, "runtime", o->name, log, err) == 0)
            && (!o->as_runc || podman_as_runc (doc, o, in->file, log, err) == 0))
                rc = toml_out (doc, in, out, len, err);
        toml_doc_free (doc);
        return rc;
}

static int
podman_unrunc (struct toml_doc *doc, const struct toml_doc *backup, const struct install_opts *o, FILE *log,
               struct hd_err *err)
{
        _cleanup_free_ char *v = NULL;
        char **items = NULL, *text = NULL;
        size_t n = 0, tlen, kept = 0;
        FILE *list;
        int rc = 0;

        if (toml_get (doc, &engine_runtimes, "runc", &v, err) < 0)
                return -1;
        if (!v || !toml_string_array (v, &items, &n) || n == 0 || strcmp (items[0], o->path) != 0)
                goto done;
        if (!(list = open_memstream (&text, &tlen))) {
                rc = oom (err);
                goto done;
        }
        fputc ('[', list);
        for (size_t i = 1; i < n; i++)
                put_quoted (list, kept++ ? ", " : "", items[i]);
        fputc (']', list);
        fclose (list);
        rc = kept ? toml_set (doc, &engine_runtimes, "runc", text, log, err)
                  : restore_key (doc, backup, &engine_runtimes, "runc", log, err);
done:
        for (size_t i = 0; i < n; i++)
                free (items[i]);
        free (items);
        free (text);
        return rc;
}

static int
podman_uninstall (const struct install_opts *o, const struct install_text *in, char **out, size_t *len, FILE *log,
                  struct hd_err *err)
{
        struct toml_doc *doc, *backup = backup_doc (in);
        bool dflt;
        int rc = -1;

        if (toml_doc_parse (in->file, in->text, in->len, &doc, err) < 0) {
                toml_doc_free (backup);
                return -1;
        }
        if (toml_del (doc, &engine_runtimes, o->name, log, err) == 0 && podman_unrunc (doc, backup, o, log, err) == 0
            && is_string (doc, &engine, "runtime", o->name, &dflt, err) == 0
            && (!dflt || restore_key (doc, backup, &engine, "runtime", log, err) == 0)
            && drop_if_empty (doc, backup, &engine_runtimes, log, err) == 0
            && drop_if_empty (doc, backup, &engine, log, err) == 0)
                rc = toml_out (doc, in, out, len, err);
        toml_doc_free (doc);
        toml_doc_free (backup);
        return rc;
}

/* ---- the table ------------------------------------------------------------------------ */

static const struct install_engine engines[] = {
        { "docker", "/etc/docker/daemon.json", "{}",
          "dockerd reads \"runtimes\" and \"default-runtime\" again on SIGHUP: systemctl reload docker "
          "(or kill -HUP the dockerd pid)",
          docker_install, docker_uninstall, docker_same, NULL },
        { "containerd", "/etc/containerd/config.toml",
          "# Written by `hardened install containerd`: containerd's defaults apply to everything not set here.\n"
          "version = 2\n",
          "containerd reads its configuration only when it starts: systemctl restart containerd (running "
          "containers keep running)",
          containerd_install, containerd_uninstall, bytes_same, containerd_validate },
        { "podman", "/etc/containers/containers.conf.d/hardened.conf",
          "# Written by `hardened install podman`: Podman reads containers.conf.d/*.conf after containers.conf.\n",
          "Podman reads containers.conf at every command: nothing to reload", podman_install, podman_uninstall,
          bytes_same, NULL },
};

const struct install_engine *
install_engine_named (const char *name)
{
        for (size_t i = 0; i < HD_ARRAY_SIZE (engines); i++)
                if (strcmp (engines[i].name, name) == 0)
                        return &engines[i];
        return NULL;
}
