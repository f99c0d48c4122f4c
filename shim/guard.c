#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hardened/engine.h"
#include "hardened/json.h"
#include "hardened/num.h"
#include "hardened/spec.h"
#include "hardened/trust.h"
#include "hardened/util.h"

#include "docker_image.h"
#include "exec_process.h"
#include "fileio.h"
#include "guard.h"
#include "runc_state.h"
#include "runclog.h"
#include "runtime_flags.h"
#include "update_resources.h"
#include "verbs.h"

/* One guarded call: its verb's row (verbs.h), its command line, the
 * policy, and the record its decisions are folded into. */
struct guard {
        const struct verb *verb;
        struct cli *cli;
        const struct policy *policy;
        struct record *rec;
        const struct json *state; /* exec, update: the container's runc state, or NULL */
};

/* Every finding goes to the log in full, one line each; a refusal then
 * ends with the one-line summary as the last error (what docker prints). */
static int
report (const struct guard *g, const struct decision *d, struct hd_err *err)
{
        static const char *const level[] = {
                [ACTION_OFF] = "info",
                [ACTION_WARN] = "warning",
                [ACTION_REJECT] = "error",
                [ACTION_REWRITE] = "info",
        };
        char line[HD_ERR_MSG_MAX];

        record_add_decision (g->rec, d);
        for (size_t i = 0; i < d->nnotes; i++) {
                snprintf (line, sizeof line, "policy %s: note: %s", d->policy_source, d->notes[i]);
                runclog_log (g->cli->log, g->cli->log_format, "info", line);
        }
        if (d->exemption) {
                snprintf (line, sizeof line, "policy %s: exemption \"%s\" applies to %s", d->policy_source,
                          d->exemption, d->container_id ? d->container_id : "this container");
                runclog_log (g->cli->log, g->cli->log_format, "info", line);
        }
        for (size_t i = 0; i < d->n; i++) {
                decision_finding_line (d, i, line, sizeof line);
                runclog_log (g->cli->log, g->cli->log_format,
                             d->findings[i].action == ACTION_REWRITE && !d->findings[i].fixed
                                     ? "error"
                                     : level[d->findings[i].action],
                             line);
        }
        if (d->verdict != VERDICT_REFUSED)
                return 0;
        decision_summary (d, line, sizeof line);
        return hd_err_set (err, HD_EXIT_REFUSED, EPERM, "%s", line);
}

static bool
depth_is_config (const struct doc_kind *kind)
{
        return kind->where[0] == NULL;
}

/* The record's pod identity, from a config's annotations or (config NULL)
 * the container's runc state, as far as the call's runc root vouches for
 * them (pod_identity.h). */
static void
record_pod_from (const struct guard *g, const struct json *config, const struct json *state)
{
        struct hd_err no_root;
        _cleanup_free_ char *root = cli_state_root (g->cli, &no_root); /* NULL: nothing vouched for */

        if (config)
                pod_identity_from_config (g->policy, root, config, &g->rec->pod);
        else
                pod_identity_from_state (g->policy, root, state, &g->rec->pod);
}

/* The engine's word on the image of the config's container (Docker's
 * config.v2.json, the CRI's annotations) for `s`; `why` says why there is
 * none.  `image` and `why` must live as long as `s` is used. */
static void
subject_image (struct engine_subject *s, const struct json *config, const char *id, struct image_identity *image,
               char *why, size_t size)
{
        if (docker_image_identity (config, id, image, why, size) < 0)
                s->image_note = why;
        s->image = image;
}

/* Run the policy on `*doc`, placed where kind->where says in an otherwise
 * empty config; *doc is updated if a fix replaced it. */
static int
apply_policy (const struct guard *g, const struct doc_kind *kind, struct json **doc, struct decision *d,
              struct hd_err *err)
{
        _cleanup_json_ struct json *outer = NULL;
        struct hd_err no_root;
        _cleanup_free_ char *root = cli_state_root (g->cli, &no_root); /* NULL: no annotation trusted */
        struct engine_subject subject = { .container_id = g->cli->id,
                                          .bundle = depth_is_config (kind) ? g->cli->bundle : NULL,
                                          .state_root = root,
                                          .annotation = g->state ? runc_state_label_unique : NULL,
                                          .annotation_from = g->state };
        struct image_identity image;
        char why[1024];
        struct json *parent = NULL;
        size_t depth = 0;
        int rc;

        while (kind->where[depth])
                depth++;
        if (depth == 0) {
                /* the config itself: Docker's word on its image, if it is Docker's container */
                subject_image (&subject, *doc, g->cli->id, &image, why, sizeof why);
                return engine_run (g->policy, kind->rule_verb, *doc, &subject, d, err);
        }
        outer = json_new (JSON_OBJECT);
        parent = outer;
        for (size_t i = 0; parent && i + 1 < depth; i++)
                parent = json_ensure (parent, kind->where[i], JSON_OBJECT, err);
        if (!parent || json_set (parent, kind->where[depth - 1], steal_ptr (doc), err) < 0)
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        rc = engine_run (g->policy, kind->rule_verb, outer, &subject, d, err);
        /* take the document back out of the wrapper */
        parent = outer;
        for (size_t i = 0; i + 1 < depth; i++)
                parent = json_get (parent, kind->where[i]);
        for (size_t i = 0; parent && i < parent->n; i++)
                if (strcmp (parent->members[i].key, kind->where[depth - 1]) == 0)
                        *doc = steal_ptr (&parent->members[i].value);
        return *doc ? rc : hd_err_set (err, HD_EXIT_INTERNAL, EINVAL, "lost the checked document");
}

/* Parse one document and decode it as runc's Go decoder will
 * (spec_canonicalize): *doc becomes the canonical tree, and `canon` holds
 * the document pass's findings, which come first in the decision.  Errors
 * start with LINE:COL. */
static int
parse_document (const struct guard *g, const char *data, size_t len, const struct doc_kind *kind, struct json **doc,
                struct decision *canon, struct hd_err *err)
{
        struct spec_canon_actions actions;

        decision_init (canon);
        /* Duplicates are kept for the document pass: the rules see only
         * the canonical tree, which is also what runc is handed. */
        if (json_parse_flags (data, len, JSON_KEEP_DUPLICATES, doc, err) < 0)
                return -1;
        if ((*doc)->type != JSON_OBJECT)
                return hd_err_set (err, HD_EXIT_REFUSED, EINVAL, "1:1: expected an object, found %s",
                                   json_type_name ((*doc)->type));
        spec_canon_actions_for (g->policy, &actions);
        return spec_canonicalize (doc, kind->type, &actions, canon, data, len, err);
}

/* Parse, check against the schema and the policy, and serialise one
 * document; *out is the checked bytes to hand runc, *tree (unless NULL)
 * the checked tree they were written from. */
static int
check_document (const struct guard *g, const char *data, size_t len, const struct doc_kind *kind, char **out,
                size_t *out_len, struct json **tree, struct hd_err *err)
{
        _cleanup_json_ struct json *doc = NULL;
        _cleanup_free_ struct decision *d = decision_new (), *canon = decision_new ();

        if (!d || !canon)
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        if (parse_document (g, data, len, kind, &doc, canon, err) < 0)
                return -1;
        if (depth_is_config (kind))
                record_pod_from (g, doc, NULL);
        if (apply_policy (g, kind, &doc, d, err) < 0)
                return -1;
        decision_prepend (d, canon);
        if (report (g, d, err) < 0)
                return hd_err_prefix (err, " "); /* not a position: keep the label apart */
        if (json_write_sized (doc, len, out, out_len, err) < 0)
                return -1;
        if (tree)
                *tree = steal_ptr (&doc);
        return 0;
}

/* What else a checked document decides before it is written back (so a
 * refusal there leaves the file as it was); NULL: nothing. */
typedef int guard_then_fn (const struct guard *g, const struct json *checked, struct hd_err *err);

/* Read dirfd/name, check it, and write the checked tree back in place.
 * Messages name the file as `label`. */
static int
guard_file_at (const struct guard *g, int dirfd, const char *name, const char *label, const struct doc_kind *kind,
               guard_then_fn *then, struct hd_err *err)
{
        _cleanup_free_ char *data = NULL, *checked = NULL;
        _cleanup_json_ struct json *tree = NULL;
        size_t len, checked_len;
        struct stat st;

        if (fileio_read_at (dirfd, name, JSON_MAX_BYTES, &data, &len, &st, err) < 0)
                return hd_err_prefix (err, "%s: ", label);
        if (check_document (g, data, len, kind, &checked, &checked_len, then ? &tree : NULL, err) < 0)
                return hd_err_prefix (err, "%s:", label); /* err starts with LINE:COL */
        if (then && then (g, tree, err) < 0)
                return -1;
        if (fileio_replace_at (dirfd, name, checked, checked_len, &st, err) < 0)
                return hd_err_prefix (err, "%s: cannot write the checked file back: ", label);
        return 0;
}

/* Whether an exemption of the policy names images: only then does the
 * runtime flags' pass read the engine's word on the image (the config's
 * pass reads it for the image rules regardless). */
static bool
exemptions_name_images (const struct policy *p)
{
        for (size_t i = 0; i < p->nexemptions; i++)
                if (p->exemptions[i].images)
                        return true;
        return false;
}

/* create/run/restore's runtime flags (shim/runtime_flags.c), judged as a
 * document against the checked config, and handed to runc as the fixed
 * document says: the same subject as the config's, so an exemption by
 * image matches here too.  Refusals read "create flags: refused by
 * policy ...". */
static int
guard_runtime_flags (const struct guard *g, const struct json *config, struct hd_err *err)
{
        _cleanup_json_ struct json *doc = NULL;
        struct hd_err no_root;
        _cleanup_free_ char *root = cli_state_root (g->cli, &no_root); /* NULL: no annotation trusted */
        struct engine_subject subject = { .container_id = g->cli->id, .bundle = g->cli->bundle, .state_root = root };
        _cleanup_free_ struct decision *d = decision_new ();
        struct image_identity image;
        char why[1024];

        if (!d)
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        if (exemptions_name_images (g->policy))
                subject_image (&subject, config, g->cli->id, &image, why, sizeof why);
        if (runtime_flags_document (g->cli, config, &doc, err) < 0
            || engine_run (g->policy, RULE_FLAGS, doc, &subject, d, err) < 0 || report (g, d, err) < 0
            || (d->verdict == VERDICT_REWRITTEN && runtime_flags_apply (g->cli, doc, err) < 0))
                return hd_err_prefix (err, "%s flags: ", g->cli->verb_name);
        return 0;
}

/* The bundle stays where it is: runc reads config.json from it after the
 * shim, and records the bundle's path in its state (so a private copy
 * would not be transparent).  So the shim refuses a bundle that anyone but
 * root (or the caller) could change between its check and runc's read: the
 * directory, every directory above it, and config.json. */
static int
guard_bundle_trusted (const struct guard *g, int dirfd, struct hd_err *err)
{
        struct stat opened, named, config;

        if (trust_check_path (g->cli->bundle, err) < 0
            || (fstatat (dirfd, "config.json", &config, AT_SYMLINK_NOFOLLOW) == 0
                && trust_check_stat ("config.json", &config, false, err) < 0))
                return hd_err_prefix (err, "bundle %s: refused, someone other than root can change what runc reads: ",
                                      g->cli->bundle);
        /* The path is stable now; the descriptor must be the directory it names. */
        if (fstat (dirfd, &opened) < 0 || stat (g->cli->bundle, &named) < 0 || opened.st_dev != named.st_dev
            || opened.st_ino != named.st_ino)
                return hd_err_set (err, HD_EXIT_REFUSED, ESTALE, "bundle %s: replaced while it was checked",
                                   g->cli->bundle);
        return 0;
}

/* config.json, then `then`; the file's own errors read "bundle B: config.json...". */
static int
guard_bundle (const struct guard *g, guard_then_fn *then, struct hd_err *err)
{
        _cleanup_close_ int dirfd = fileio_open_dir (g->cli->bundle, err);
        _cleanup_free_ char *label = NULL;

        if (dirfd < 0)
                return hd_err_prefix (err, "bundle %s: ", g->cli->bundle);
        if (guard_bundle_trusted (g, dirfd, err) < 0)
                return -1;
        if (asprintf (&label, "bundle %s: config.json", g->cli->bundle) < 0)
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        return guard_file_at (g, dirfd, "config.json", label, g->verb->doc, then, err);
}

/* The lowest descriptor number above every one this process holds, so a
 * descriptor handed to runc there shadows nothing it inherited
 * (--preserve-fds, LISTEN_FDS, a console).  Only numbers below the soft
 * RLIMIT_NOFILE count: F_DUPFD cannot go above it, and what sits there is
 * not this process's to hand on (valgrind keeps its own descriptors there). */
static int
first_free_above_all (void)
{
        DIR *dir = opendir ("/proc/self/fd");
        struct dirent *e;
        struct rlimit lim;
        uint64_t below = getrlimit (RLIMIT_NOFILE, &lim) == 0 ? (uint64_t) lim.rlim_cur : UINT64_MAX;
        int top = 2;

        while (dir && (e = readdir (dir))) {
                uint32_t n;
                if (parse_u32 (e->d_name, strlen (e->d_name), &n) == 0 && n < INT32_MAX && n < below && (int) n > top)
                        top = (int) n;
        }
        if (dir)
                closedir (dir);
        return top + 1;
}

/* Put `checked` in a sealed memfd at a number above every inherited
 * descriptor and name it /proc/self/fd/N in `path` (runc opens that path
 * in the same process after execve).  Not close-on-exec: it is for runc,
 * which closes it before the container's process starts. */
static int
seal_for_backend (const char *checked, size_t len, char *path, size_t size, struct hd_err *err)
{
        _cleanup_close_ int mfd = memfd_create ("hardened-checked", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        int fd;

        if (mfd < 0 || write (mfd, checked, len) != (ssize_t) len
            || fcntl (mfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0
            || (fd = fcntl (mfd, F_DUPFD, first_free_above_all ())) < 0)
                return hd_err_sys (err, HD_EXIT_INTERNAL, errno, "cannot hand the checked file to the backend");
        snprintf (path, size, "/proc/self/fd/%d", fd);
        return 0;
}

/* Hand runc `checked` as the value of flag `f`. */
static int
hand_over (const struct guard *g, const struct cli_flag *f, const char *checked, size_t len, struct hd_err *err)
{
        char path[64];

        if (seal_for_backend (checked, len, path, sizeof path, err) < 0 || cli_replace_value (g->cli, f, path, err) < 0)
                return -1;
        return cli_build_backend_argv (g->cli, err);
}

/* Give the verb a --NAME=PATH it did not have, just before the container
 * id (exec's flags must precede it: runc does not reorder them). */
static int
add_flag (const struct guard *g, const char *name, const char *path, struct hd_err *err)
{
        char arg[80];

        snprintf (arg, sizeof arg, "--%s=%s", name, path);
        if (cli_insert_before (g->cli, cli_flag_slot (g->cli), arg, err) < 0)
                return -1;
        return cli_build_backend_argv (g->cli, err);
}

/* Open `path` as runc's os.Open does (following links) and read it once:
 * a regular file or a pipe.  Errors name the path. */
static int
read_path_once (const char *path, char **data, size_t *len, struct hd_err *err)
{
        _cleanup_close_ int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        struct stat st;

        if (fd < 0)
                return hd_err_sys (err, HD_EXIT_REFUSED, errno, "%s", path);
        if (fstat (fd, &st) < 0 || !(S_ISREG (st.st_mode) || S_ISFIFO (st.st_mode)))
                return hd_err_set (err, HD_EXIT_REFUSED, EINVAL, "%s: neither a regular file nor a pipe", path);
        if (fileio_read_fd (fd, JSON_MAX_BYTES, data, len, err) < 0)
                return hd_err_prefix (err, "%s: ", path);
        return 0;
}

/* An `exec --process` FILE, whatever it is: a regular file (Docker's
 * /tmp/runc-process*, Podman's in a temp dir), a pipe (bash's <(...) is
 * /dev/fd/63, a symlink to one), a FIFO, a symlink.  runc opens the path,
 * following links, and reads it once, so the shim reads it the same way,
 * checks it, and hands runc the checked bytes in a sealed memfd instead of
 * the path.  So who else can write the file or its directory stops
 * mattering (nothing they change after the read reaches runc), the
 * engine's file is never rewritten, and a pipe read twice cannot give runc
 * nothing.  The path comes from the engine's command line (trusted); what
 * it holds is checked like any document. */
static int
guard_stream (const struct guard *g, const char *flag, const char *path, const struct doc_kind *kind,
              struct hd_err *err)
{
        _cleanup_free_ char *data = NULL, *checked = NULL;
        const struct cli_flag *f = cli_last_flag (g->cli, flag);
        size_t len, checked_len;

        if (read_path_once (path, &data, &len, err) < 0)
                return -1;
        if (!f)
                return hd_err_set (err, HD_EXIT_INTERNAL, EINVAL, "%s: the --%s flag is gone", path, flag);
        if (check_document (g, data, len, kind, &checked, &checked_len, NULL, err) < 0)
                return hd_err_prefix (err, "%s:", path);
        return hand_over (g, f, checked, checked_len, err);
}

int
guard_create (const struct guard *g, struct hd_err *err)
{
        return guard_bundle (g, guard_runtime_flags, err);
}

/* exec without --process: the process runc would build from the bundle's
 * config.json and the inline flags (shim/exec_process.c) is judged like a
 * --process file and handed to runc as one, in a sealed memfd; the inline
 * process flags, which runc then ignores, are dropped.  runc never reads
 * config.json for this exec, so an edit after the check changes nothing. */
static int
guard_exec_inline (const struct guard *g, struct hd_err *err)
{
        _cleanup_json_ struct json *proc = NULL;
        _cleanup_free_ char *source = NULL, *data = NULL, *checked = NULL;
        struct spec_canon_actions actions;
        size_t len, checked_len;
        char path[64];
        int rc;

        /* The template is read strictly (a folded key, null or duplicate in
         * it is refused, fail closed); the process built from it then goes
         * through the document pass like any --process file. */
        spec_canon_actions_for (g->policy, &actions);
        rc = exec_process_build (g->cli, actions.unknown_fields == ACTION_REJECT ? SPEC_STRICT : SPEC_ALLOW_UNKNOWN,
                                 &proc, &source, err);

        if (rc < 0)
                return hd_err_prefix (err, "exec %s: ", g->cli->id);
        if (rc == EXECPROC_RUNC_REFUSES)
                return 0; /* argv alone makes runc fail, before it reads any file */
        /* No container: runc fails with its own "container does not exist".
         * It gets --process /dev/null all the same, so a container that
         * appears between this check and runc's look-up gets an empty
         * process runc refuses, never one built from an unchecked config. */
        if (rc == EXECPROC_NO_CONTAINER) {
                exec_process_strip_flags (g->cli);
                return add_flag (g, "process", "/dev/null", err);
        }
        if (json_write (proc, &data, &len, err) < 0
            || check_document (g, data, len, g->verb->doc, &checked, &checked_len, NULL, err) < 0)
                return hd_err_prefix (err, "exec %s: process from %s and the exec flags:", g->cli->id, source);
        exec_process_strip_flags (g->cli);
        if (seal_for_backend (checked, checked_len, path, sizeof path, err) < 0)
                return -1;
        return add_flag (g, "process", path, err);
}

/* runc reads `--process ""` as no --process at all (context.String ==
 * ""): it builds the process from config.json and the flags. */
int
guard_exec (const struct guard *g, struct hd_err *err)
{
        _cleanup_json_ struct json *state = NULL;
        struct guard with_state = *g;
        struct hd_err no_state;

        /* No state (no container, a bad id): runc fails on its own, and the
         * record names no pod.  With it, the rules know the container's
         * annotations as runc recorded them (exemptions, the CRI context). */
        if (g->cli->id && runc_state_load (g->cli, &state, &no_state) == 0)
                record_pod_from (g, NULL, state);
        with_state.state = state;
        if (!g->cli->process || !*g->cli->process)
                return guard_exec_inline (&with_state, err);
        return guard_stream (&with_state, "process", g->cli->process, g->verb->doc, err);
}

/* A decision about the call itself (its flags), before any rule ran. */
static void
decision_start (const struct guard *g, struct decision *d)
{
        decision_init (d);
        d->mode = g->policy->mode;
        d->policy_source = g->policy->source;
        d->container_id = g->cli->id;
}

/* The request the inline flags make, each read exactly as update.go reads
 * it or refused. */
static int
update_request_flags (const struct guard *g, struct json **request, struct hd_err *err)
{
        _cleanup_free_ struct decision *d = decision_new ();

        if (!d)
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        decision_start (g, d);
        if (update_resources_from_flags (g->cli, request, d, err) < 0)
                return -1;
        d->verdict = d->n ? VERDICT_REFUSED : VERDICT_ALLOWED;
        if (d->n && report (g, d, err) < 0)
                return hd_err_prefix (err, "update flags: ");
        return 0;
}

/* The request runc builds: `-r -` or `-r FILE` read once and checked
 * strictly (runc then ignores the inline flags, unread), or the inline
 * flags, each read exactly as update.go reads it or refused. */
static int
update_request (const struct guard *g, struct json **request, struct decision *canon, struct hd_err *err)
{
        const char *path = g->cli->resources;
        _cleanup_free_ char *data = NULL;
        size_t len;

        decision_init (canon);
        if (!path)
                return update_request_flags (g, request, err);
        if (strcmp (path, "-") == 0 ? fileio_read_fd (STDIN_FILENO, JSON_MAX_BYTES, &data, &len, err)
                                    : read_path_once (path, &data, &len, err))
                return hd_err_prefix (err, "update --resources %s: ", path);
        if (parse_document (g, data, len, g->verb->doc, request, canon, err) < 0)
                return hd_err_prefix (err, "update --resources %s:%s", path,
                                      strcmp (path, "-") == 0 ? " <stdin>:" : "");
        return 0;
}

/* The inline resource flags, which runc ignores once it has --resources. */
static void
update_strip_flags (const struct guard *g)
{
        for (int i = 0; i < g->cli->nflags; i++)
                if (update_resources_is_flag (g->cli->flags[i].name))
                        cli_strip_flag (g->cli, &g->cli->flags[i]);
}

/* runc gets the judged document as --resources /proc/self/fd/N (a sealed
 * memfd, also for `-r -`: runc reads the flag's path, not its stdin),
 * and none of the inline resource flags it would ignore anyway.
 * --l3-cache-schema and --mem-bw-schema stay: runc applies them with
 * --resources too (Intel RDT; no rule judges intelRdt, on create either). */
/* --resources (the last copy, the one runc reads) names `path` instead. */
static int
hand_over_path (const struct guard *g, const char *path, struct hd_err *err)
{
        const struct cli_flag *f = cli_last_flag (g->cli, "resources");

        if (!f || cli_replace_value (g->cli, f, path, err) < 0)
                return f ? -1 : hd_err_set (err, HD_EXIT_INTERNAL, EINVAL, "the --resources flag is gone");
        return cli_build_backend_argv (g->cli, err);
}

static int
update_hand_over (const struct guard *g, const char *doc, size_t len, struct hd_err *err)
{
        const struct cli_flag *f = cli_last_flag (g->cli, "resources");
        char path[64];

        update_strip_flags (g);
        if (f)
                return hand_over (g, f, doc, len, err);
        if (seal_for_backend (doc, len, path, sizeof path, err) < 0)
                return -1;
        return add_flag (g, "resources", path, err);
}

/* update: the request merged into the container's current resources as
 * runc merges it, judged whole, and handed over whole (update_resources.h). */
int
guard_update (const struct guard *g, struct hd_err *err)
{
        _cleanup_json_ struct json *state = NULL, *request = NULL, *merged = NULL;
        _cleanup_free_ char *out = NULL;
        struct guard with_state = *g;
        struct update_resources_sources src;
        _cleanup_free_ struct decision *d = decision_new (), *canon = decision_new ();
        size_t len;

        /* Not exactly one argument: runc's checkArgs fails before anything
         * else, so the call goes through unchanged. */
        if (g->cli->npositional != 1)
                return 0;
        if (!d || !canon)
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        /* No container: runc fails with its own "container does not exist"
         * before it reads a resource, so there is nothing to check.  It gets
         * --resources /dev/null all the same (the inline flags dropped), so
         * a container that appears between this check and runc's look-up
         * gets an empty document runc refuses, never the unchecked flags. */
        if (runc_state_load (g->cli, &state, err) < 0) {
                if (err->code != ENOENT)
                        return -1;
                update_strip_flags (g);
                return g->cli->resources ? hand_over_path (g, "/dev/null", err)
                                         : add_flag (g, "resources", "/dev/null", err);
        }
        record_pod_from (g, NULL, state);
        with_state.state = state;
        if (update_request (g, &request, canon, err) < 0)
                return -1;
        if (update_resources_merge (request, state, &merged, &src, err) < 0)
                return hd_err_prefix (err, "container %s: ", g->cli->id);
        if (apply_policy (&with_state, g->verb->doc, &merged, d, err) < 0)
                return -1;
        decision_prepend (d, canon);
        if (report (g, d, err) < 0)
                return hd_err_prefix (err, "update %s: ", g->cli->id);
        update_resources_finish (merged, &src);
        if (json_write (merged, &out, &len, err) < 0)
                return -1;
        return update_hand_over (g, out, len, err);
}

int
guard_verb (struct cli *cli, const struct policy *policy, struct record *rec, struct hd_err *err)
{
        struct guard g = { .verb = verb_find (cli->verb), .cli = cli, .policy = policy, .rec = rec };

        return g.verb ? g.verb->guard (&g, err) : 0;
}
