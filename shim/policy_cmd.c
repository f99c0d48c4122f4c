#include "config.h"

#include <errno.h>
#include <libgen.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hardened/adminfile.h"
#include "hardened/engine.h"
#include "hardened/image.h"
#include "hardened/policy.h"
#include "hardened/spec.h"
#include "hardened/util.h"

#include "backend_features.h"
#include "fileio.h"
#include "policy_cmd.h"

/* `hardened policy ...` prints on stdout (it is a tool, not a runtime verb)
 * and reports through its exit status. */

enum { TOOL_OK = 0, TOOL_FINDINGS = 1, TOOL_USAGE = 2 };

static const char usage[] = "usage: hardened policy lint FILE...\n"
                            "       hardened policy check --policy FILE [--format text|json] [--root DIR]\n"
                            "                [--image NAME] [--image-id sha256:ID] CONFIG...\n"
                            "       hardened policy show [--policy FILE] [--backend PATH]\n"
                            "       hardened policy version | help\n";

static int
usage_error (const char *why)
{
        fprintf (stderr, "hardened policy: %s\n%s", why, usage);
        return TOOL_USAGE;
}

/* ---- the backend's features ------------------------------------------------ */

/* Run `backend features` and cache what it lists, for the create path to
 * read; say what happened on stderr (stdout is the tool's report), only a
 * failure when `quiet` (show: scripts read its output whole).  Not a
 * finding: an ops repo's CI lints without root or the backend. */
static void
refresh_features (const char *backend, bool quiet)
{
        _cleanup_free_ char *where = backend_features_cache_path (backend);
        struct backend_features_entry e;
        struct hd_err err = { 0 };

        if (backend_features_refresh (backend, &e, &err) < 0) {
                fprintf (stderr, "hardened policy: backend %s: features not cached: %s\n", backend, err.msg);
                backend_features_entry_free (&e);
                return;
        }
        if (quiet) {
                backend_features_entry_free (&e);
                return;
        }
        fprintf (stderr, "hardened policy: backend %s: %s", backend,
                 !e.has_features ? "has no features verb: no annotation list of its own"
                 : !e.has_list   ? "features lists no "
                                   "potentiallyUnsafeConfigAnnotations"
                                 : "acts on annotations");
        for (size_t i = 0; i < e.n; i++)
                fprintf (stderr, "%s%s", i ? ", " : " ", e.unsafe[i]);
        fprintf (stderr, " (cached in %s)\n", where ? where : HD_FEATURES_CACHE);
        backend_features_entry_free (&e);
}

/* ---- lint ---------------------------------------------------------------- */

/* Each file's report, then each distinct backend's features cached. */
static int
policy_cmd_lint (int argc, char **argv)
{
        char *backends[64];
        size_t nbackends = 0;
        int status = TOOL_OK;

        if (argc < 2)
                return usage_error ("lint needs at least one FILE");
        for (int i = 1; i < argc; i++) {
                struct json_arena_mark mark = json_arena_mark (); /* each file's trees go with it */
                struct policy p;
                struct hd_err err = { 0 };
                bool seen = false;
                if (policy_load_file (argv[i], &p, &err) < 0) {
                        printf ("%s\n", err.msg);
                        status = TOOL_FINDINGS;
                } else {
                        printf ("%s: ok\n", argv[i]);
                        for (size_t k = 0; k < nbackends; k++)
                                seen |= strcmp (backends[k], p.runtime) == 0;
                        if (!seen && nbackends < HD_ARRAY_SIZE (backends) && (backends[nbackends] = strdup (p.runtime)))
                                nbackends++;
                }
                policy_free (&p);
                json_arena_release (mark);
        }
        fflush (stdout);
        for (size_t k = 0; k < nbackends; k++) {
                refresh_features (backends[k], false);
                free (backends[k]);
        }
        return status;
}

/* ---- show ------------------------------------------------------------------ */

/* --policy FILE / --policy=FILE (--format, --backend, --root where the
 * caller takes them), and the remaining arguments. */
struct policy_cmd_flags {
        const char *policy, *format, *backend, *root, *image, *image_id;
};

static int
take_flags (int argc, char **argv, struct policy_cmd_flags *t, bool verb_flags, int *first)
{
        int i = 1;

        for (; i < argc && argv[i][0] == '-'; i++) {
                const char *a = argv[i], **slot = NULL, *v;
                if (strcmp (a, "--") == 0) {
                        i++;
                        break;
                }
                if (strncmp (a, "--policy", 8) == 0)
                        slot = &t->policy, v = a + 8;
                else if (strncmp (a, "--format", 8) == 0 && verb_flags)
                        slot = &t->format, v = a + 8;
                else if (strncmp (a, "--root", 6) == 0 && verb_flags)
                        slot = &t->root, v = a + 6;
                else if (strncmp (a, "--image-id", 10) == 0 && verb_flags)
                        slot = &t->image_id, v = a + 10;
                else if (strncmp (a, "--image", 7) == 0 && verb_flags)
                        slot = &t->image, v = a + 7;
                else if (strncmp (a, "--backend", 9) == 0 && !verb_flags)
                        slot = &t->backend, v = a + 9;
                else
                        return -1;
                if (*v == '=')
                        *slot = v + 1;
                else if (*v == '\0' && i + 1 < argc)
                        *slot = argv[++i];
                else
                        return -1;
        }
        *first = i;
        return 0;
}

static int
policy_cmd_show (int argc, char **argv)
{
        struct policy_cmd_flags t = { 0 };
        _cleanup_free_ char *text = NULL;
        _cleanup_json_ struct json *doc = NULL;
        struct policy p;
        struct hd_err err = { 0 };
        size_t len;
        int first;

        if (take_flags (argc, argv, &t, false, &first) < 0 || first != argc)
                return usage_error ("show takes only --policy FILE and --backend PATH");
        if (policy_resolve (t.policy, &p, &err) < 0 || policy_effective (&p, &doc, &err) < 0
            || json_write_pretty (doc, true, &text, &len, &err) < 0) {
                fprintf (stderr, "hardened policy: %s\n", err.msg);
                policy_free (&p);
                return TOOL_USAGE;
        }
        printf ("%s\n", text);
        fflush (stdout);
        refresh_features (t.backend ? t.backend : p.runtime, true);
        policy_free (&p);
        return TOOL_OK;
}

/* ---- check -------------------------------------------------------------------- */

/* Where the walk stands: the key or index of each step from the root,
 * made a JSON pointer only for an operation (most leaves differ in
 * nothing).  The walk goes down only where both trees have a container, so
 * no deeper than the parsed document (JSON_MAX_DEPTH). */
struct diff_step {
        const char *key; /* NULL: an array's item `index` */
        size_t index;
};

/* One operation: its pointer is at `path` in the diff's `paths`, its
 * value (add, replace) is the checked tree's own node, shared. */
struct diff_op {
        const char *op;
        size_t path;
        const struct json *value;
};

#define DIFF_PATH_MAX 4096

struct diff {
        struct diff_op *ops;
        size_t n, cap;
        char *paths; /* every operation's pointer, NUL-terminated, in order */
        size_t used, room;
        struct diff_step steps[JSON_MAX_DEPTH + 1];
        size_t depth;
        /* the pointer of steps[0..made), made when an operation first
         * needs it and kept while the walk stays below: a map's thousand
         * removals share their parent's pointer.  at[k]: its length after
         * k steps. */
        char prefix[DIFF_PATH_MAX];
        size_t made, at[JSON_MAX_DEPTH + 2];
};

static void
diff_free (struct diff *df)
{
        free (df->ops);
        free (df->paths);
}

/* The pointer of the step being looked at, as json_pointer_append makes
 * it (cut at DIFF_PATH_MAX the same way: appending to the kept prefix is
 * appending to the whole), "/" for the root. */
static void
diff_path (struct diff *df, char *path)
{
        for (; df->made < df->depth; df->made++) {
                char idx[24], *p = idx + sizeof idx;
                size_t v = df->steps[df->made].index;
                if (df->steps[df->made].key) {
                        json_pointer_append (df->prefix, sizeof df->prefix, df->steps[df->made].key);
                } else {
                        *--p = '\0';
                        do
                                *--p = (char) ('0' + v % 10);
                        while (v /= 10);
                        json_pointer_append (df->prefix, sizeof df->prefix, p);
                }
                df->at[df->made + 1] = strlen (df->prefix);
        }
        if (df->depth == 0)
                memcpy (path, "/", 2);
        else
                memcpy (path, df->prefix, df->at[df->depth] + 1);
}

/* Room for one more operation and its pointer; false: out of memory (the
 * diff is then left short, as a failed json_append left it). */
static bool
diff_room (struct diff *df)
{
        if (df->n == df->cap) {
                size_t cap = df->cap ? df->cap * 2 : 64;
                struct diff_op *ops = realloc (df->ops, cap * sizeof *ops);
                if (!ops)
                        return false;
                df->ops = ops;
                df->cap = cap;
        }
        if (df->room - df->used < DIFF_PATH_MAX) {
                size_t room = df->room ? df->room * 2 : 4 * DIFF_PATH_MAX;
                char *paths = realloc (df->paths, room);
                if (!paths)
                        return false;
                df->paths = paths;
                df->room = room;
        }
        return true;
}

static void
diff_op (struct diff *df, const char *op, const struct json *value)
{
        char *path;

        if (!diff_room (df))
                return;
        path = df->paths + df->used;
        diff_path (df, path);
        df->ops[df->n++] = (struct diff_op) { op, df->used, value };
        df->used += strlen (path) + 1;
}

static bool
diff_push (struct diff *df, const char *key, size_t index)
{
        if (df->depth >= HD_ARRAY_SIZE (df->steps))
                return false;
        df->steps[df->depth++] = (struct diff_step) { key, index };
        return true;
}

/* One step back up: the kept prefix no longer holds the step left. */
static void
diff_pop (struct diff *df)
{
        df->depth--;
        if (df->made > df->depth) {
                df->made = df->depth;
                df->prefix[df->at[df->depth]] = '\0';
        }
}

static void diff_walk (struct diff *df, const struct json *a, const struct json *b);

/* Members of a missing from b are removed, those of b missing from a
 * added.  Keys are looked up through an index of each object (a map an
 * attacker filled stays linear); a's index is built only for a member of b
 * that no key of a found (an add, or a later copy of a repeated key), so
 * a map that only lost members or kept them all costs one index.  Out of
 * memory, the diff is left short. */
static void
diff_object (struct diff *df, const struct json *a, const struct json *b)
{
        _cleanup_free_ bool *found = calloc (b->n + 1, sizeof *found);
        struct json_index ia, ib;
        bool indexed = false;

        if (!found || json_index_build (&ib, b) < 0)
                return;
        for (size_t i = 0; i < a->n; i++) {
                const struct json_member *other = json_index_get_at (&ib, a->members[i].key, i);
                if (!diff_push (df, a->members[i].key, 0))
                        break;
                if (!other) {
                        diff_op (df, "remove", NULL);
                } else {
                        found[other - b->members] = true;
                        diff_walk (df, a->members[i].value, other->value);
                }
                diff_pop (df);
        }
        for (size_t i = 0; i < b->n; i++) {
                if (found[i])
                        continue;
                if (!indexed && json_index_build (&ia, a) < 0)
                        break;
                indexed = true;
                if (!json_index_get (&ia, b->members[i].key) && diff_push (df, b->members[i].key, 0)) {
                        diff_op (df, "add", b->members[i].value);
                        diff_pop (df);
                }
        }
        if (indexed)
                json_index_release (&ia);
        json_index_release (&ib);
}

/* JSON-Patch-like operations that turn `a` into `b` (arrays of different
 * length are replaced whole; a leaf is replaced unless it would be written
 * as the same bytes, json_equal). */
static void
diff_walk (struct diff *df, const struct json *a, const struct json *b)
{
        if (a->type == JSON_OBJECT && b->type == JSON_OBJECT) {
                diff_object (df, a, b);
                return;
        }
        if (a->type == JSON_ARRAY && b->type == JSON_ARRAY && a->n == b->n) {
                for (size_t i = 0; i < a->n && diff_push (df, NULL, i); i++) {
                        diff_walk (df, a->items[i], b->items[i]);
                        diff_pop (df);
                }
                return;
        }
        if (!json_equal (a, b))
                diff_op (df, "replace", b);
}

/* The container id Docker would use: its bind sources carry it. */
static char *
docker_id (const char *text)
{
        regex_t re;
        regmatch_t m[2];
        char *id = NULL;

        if (regcomp (&re, "/containers/([0-9a-f]{64})/", REG_EXTENDED) != 0)
                return NULL;
        if (regexec (&re, text, 2, m, 0) == 0)
                id = strndup (text + m[1].rm_so, (size_t) (m[1].rm_eo - m[1].rm_so));
        regfree (&re);
        return id;
}

static const char *const verdicts[] = { "allowed", "rewritten", "refused" };

static struct json *
findings_json (const struct decision *d, struct hd_err *err)
{
        struct json *a = json_new (JSON_ARRAY);

        for (size_t i = 0; a && i < d->n; i++) {
                const struct finding *f = &d->findings[i];
                struct json *o = json_new (JSON_OBJECT);
                if (!o || json_set (o, "rule", json_new_string (f->rule), err) < 0
                    || json_set (o, "action", json_new_string (policy_action_name (f->action)), err) < 0
                    || json_set (o, "pointer", json_new_string (f->pointer), err) < 0
                    || json_set (o, "found", json_new_string (f->found), err) < 0
                    || json_set (o, "required", json_new_string (f->required), err) < 0
                    || json_set (o, "message", json_new_string (f->message), err) < 0
                    || json_set (o, "fixed", json_new_bool (f->fixed), err) < 0 || json_append (a, o, err) < 0)
                        return a;
        }
        return a;
}

static void
print_text (const char *config, const struct decision *d, const struct diff *df, const char *error)
{
        printf ("%s: %s%s%s%s\n", config, error ? "refused" : verdicts[d->verdict],
                d && d->exemption ? " (exemption \"" : "", d && d->exemption ? d->exemption : "",
                d && d->exemption ? "\")" : "");
        if (error) {
                printf ("  %s\n", error);
                return;
        }
        for (size_t i = 0; i < d->nnotes; i++)
                printf ("  note: %s\n", d->notes[i]);
        for (size_t i = 0; i < d->n; i++) {
                char line[1024];
                decision_finding_line (d, i, line, sizeof line);
                fputs ("  ", stdout);
                fputs (line, stdout);
                putchar ('\n');
        }
        /* "  OP PATH[: VALUE]" per operation, without printf's cost or a
         * lock per call: a diff is as long as the document is (every
         * sysctl an attacker sent) */
        flockfile (stdout);
        for (size_t i = 0; df && i < df->n; i++) {
                _cleanup_free_ char *text = NULL;
                size_t len;
                struct hd_err ignored;
                if (df->ops[i].value)
                        json_write (df->ops[i].value, &text, &len, &ignored);
                fputs_unlocked ("  ", stdout);
                fputs_unlocked (df->ops[i].op, stdout);
                putchar_unlocked (' ');
                fputs_unlocked (df->paths + df->ops[i].path, stdout);
                if (text) {
                        fputs_unlocked (": ", stdout);
                        fputs_unlocked (text, stdout);
                }
                putchar_unlocked ('\n');
        }
        funlockfile (stdout);
}

/* The operations as JSON: [{"op","path","value"}...]. */
static struct json *
diff_json (const struct diff *df, struct hd_err *err)
{
        struct json *a = json_new (JSON_ARRAY);

        for (size_t i = 0; a && df && i < df->n; i++) {
                struct json *o = json_new (JSON_OBJECT);
                if (!o || json_add (o, "op", json_new_string (df->ops[i].op), err) < 0
                    || json_add (o, "path", json_new_string (df->paths + df->ops[i].path), err) < 0
                    || (df->ops[i].value && json_add (o, "value", json_clone (df->ops[i].value), err) < 0)
                    || json_append (a, o, err) < 0)
                        return a;
        }
        return a;
}

/* {"name", "id", "source"} of the judged image, or null when unknown. */
static struct json *
image_json (const struct image_identity *img, struct hd_err *err)
{
        struct json *o;

        if (img->source == IMAGE_UNKNOWN)
                return json_new (JSON_NULL);
        o = json_new (JSON_OBJECT);
        if (o && img->name[0])
                json_set (o, "name", json_new_string (img->name), err);
        if (o && img->id[0])
                json_set (o, "id", json_new_string (img->id), err);
        if (o)
                json_set (o, "source", json_new_string (image_source_name (img->source)), err);
        return o;
}

static void
print_json (const char *config, const struct decision *d, const struct diff *df, const char *error)
{
        _cleanup_json_ struct json *o = json_new (JSON_OBJECT);
        _cleanup_free_ char *text = NULL;
        struct hd_err err;
        size_t len;

        if (!o || json_set (o, "config", json_new_string (config), &err) < 0
            || json_set (o, "decision", json_new_string (error ? "refused" : verdicts[d->verdict]), &err) < 0)
                return;
        if (error)
                json_set (o, "error", json_new_string (error), &err);
        else {
                if (d->exemption)
                        json_set (o, "exemption", json_new_string (d->exemption), &err);
                json_set (o, "image", image_json (&d->image, &err), &err);
                struct json *notes = json_new (JSON_ARRAY);
                for (size_t i = 0; notes && i < d->nnotes; i++)
                        json_append (notes, json_new_string (d->notes[i]), &err);
                json_set (o, "notes", notes, &err);
                json_set (o, "findings", findings_json (d, &err), &err);
                json_set (o, "diff", diff_json (df, &err), &err);
        }
        if (json_write (o, &text, &len, &err) == 0)
                printf ("%s\n", text);
}

static void
report (bool json, const char *config, const struct decision *d, const struct diff *df, const char *error)
{
        if (json)
                print_json (config, d, df, error);
        else
                print_text (config, d, df, error);
}

/* One config: parse strictly, check, run the policy, show the outcome. */
static int
check_one (const struct policy *p, const char *path, const char *root, const struct image_identity *image, bool json)
{
        _cleanup_free_ char *text = NULL, *id = NULL, *dir_copy = strdup (path);
        _cleanup_json_ struct json *doc = NULL, *before = NULL;
        struct engine_subject subject = { 0 };
        struct decision d = { 0 };
        struct hd_err err = { 0 };
        size_t len;
        __attribute__ ((cleanup (diff_free))) struct diff df = { 0 };
        struct decision canon = { 0 };
        struct spec_canon_actions actions;

        spec_canon_actions_for (p, &actions);
        if (adminfile_read_any (path, &text, &len, &err) < 0
            || json_parse_flags (text, len, JSON_KEEP_DUPLICATES, &doc, &err) < 0 || !(before = json_snapshot (doc))
            || doc->type != JSON_OBJECT
            || spec_canonicalize (&doc, &spec_config, &actions, &canon, text, len, &err) < 0) {
                report (json, path, NULL, NULL, doc && doc->type != JSON_OBJECT ? "expected an object" : err.msg);
                return TOOL_FINDINGS;
        }
        id = docker_id (text);
        subject.container_id = id;
        subject.bundle = dir_copy ? dirname (dir_copy) : ".";
        subject.state_root = root;
        subject.image = image;
        if (engine_run (p, RULE_CREATE, doc, &subject, &d, &err) < 0) {
                report (json, path, NULL, NULL, err.msg);
                return TOOL_USAGE;
        }
        decision_prepend (&d, &canon);
        diff_walk (&df, before, doc);
        report (json, path, &d, &df, NULL);
        return d.verdict == VERDICT_REFUSED ? TOOL_FINDINGS : TOOL_OK;
}

/* --image NAME and --image-id sha256:ID: the identity an engine would
 * give (what CI knows of the image it built). */
static int
check_image (const struct policy_cmd_flags *t, struct image_identity *out)
{
        memset (out, 0, sizeof *out);
        if (t->image_id && !image_is_digest (t->image_id))
                return usage_error ("--image-id is sha256: and 64 lowercase hex digits");
        if (t->image && (!t->image[0] || strlen (t->image) >= sizeof out->name))
                return usage_error ("--image is a non-empty name of at most 255 bytes");
        if (!t->image && !t->image_id)
                return 0;
        out->source = IMAGE_CLI;
        snprintf (out->name, sizeof out->name, "%s", t->image ? t->image : "");
        snprintf (out->id, sizeof out->id, "%s", t->image_id ? t->image_id : "");
        return 0;
}

static int
policy_cmd_check (int argc, char **argv)
{
        struct policy_cmd_flags t = { .format = "text" };
        struct image_identity image;
        struct policy p;
        struct hd_err err = { 0 };
        int first, status = TOOL_OK;

        if (take_flags (argc, argv, &t, true, &first) < 0)
                return usage_error ("check takes --policy FILE, --format text|json, --root DIR, --image NAME, "
                                    "--image-id ID, then CONFIG...");
        if (!t.policy || first >= argc)
                return usage_error ("check needs --policy FILE and at least one CONFIG");
        if (strcmp (t.format, "text") != 0 && strcmp (t.format, "json") != 0)
                return usage_error ("--format is text or json");
        if (t.root && t.root[0] != '/')
                return usage_error ("--root must be an absolute path");
        if (check_image (&t, &image) != 0)
                return TOOL_USAGE;
        if (policy_load_file (t.policy, &p, &err) < 0) {
                fprintf (stderr, "hardened policy: %s\n", err.msg);
                policy_free (&p);
                return TOOL_USAGE;
        }
        for (int i = first; i < argc; i++) {
                struct json_arena_mark mark = json_arena_mark (); /* each config's trees go with it */
                int rc = check_one (&p, argv[i], t.root, image.source != IMAGE_UNKNOWN ? &image : NULL,
                                    strcmp (t.format, "json") == 0);
                json_arena_release (mark);
                if (rc > status)
                        status = rc;
        }
        policy_free (&p);
        return status;
}

/* ---- version and help: the shim's own identity (runc's --version and
 * --help belong to the backend) ------------------------------------------- */

static const char help_text[] =
        "hardened " PACKAGE_VERSION " - a policy-enforcing front for an OCI runtime\n"
        "\n"
        "Usage: hardened [--policy FILE] [--backend PATH] [runc global flags] VERB [flags] [args]\n"
        "       hardened policy lint FILE...\n"
        "       hardened policy check --policy FILE [--format text|json] [--root DIR]\n"
        "                [--image NAME] [--image-id sha256:ID] CONFIG...\n"
        "       hardened policy show [--policy FILE] [--backend PATH]\n"
        "       hardened policy version | help\n"
        "       hardened install|uninstall docker|containerd|podman [--default] [--as-runc]\n"
        "                [--policy FILE] [--dry-run] [--root DIR] [--config FILE] (see hardened(8))\n"
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
        "The backend's own --help and --version pass through unchanged.\n";

static int
policy_cmd_version (int argc, char **argv)
{
        (void) argv;
        if (argc != 1)
                return usage_error ("version takes no arguments");
        printf ("hardened version %s\n", PACKAGE_VERSION);
        return fflush (stdout) == 0 ? TOOL_OK : TOOL_USAGE;
}

static int
policy_cmd_help (int argc, char **argv)
{
        (void) argc;
        (void) argv;
        fputs (help_text, stdout);
        return fflush (stdout) == 0 ? TOOL_OK : TOOL_USAGE;
}

int
policy_cmd_main (int argc, char **argv)
{
        static const struct {
                const char *name;
                int (*run) (int, char **);
        } tools[] = {
                { "lint", policy_cmd_lint },       { "check", policy_cmd_check }, { "show", policy_cmd_show },
                { "version", policy_cmd_version }, { "help", policy_cmd_help },
        };

        for (size_t i = 0; argc > 0 && i < HD_ARRAY_SIZE (tools); i++)
                if (strcmp (argv[0], tools[i].name) == 0)
                        return tools[i].run (argc, argv);
        return usage_error (argc > 0 ? "unknown subcommand" : "a subcommand is needed");
}
