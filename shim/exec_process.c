#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "hardened/num.h"
#include "hardened/spec.h"
#include "hardened/util.h"

#include "exec_process.h"
#include "fileio.h"
#include "runc_state.h"

/* runc 1.1.5 exec.go getProcess, step by step.  runc reads its flags with
 * urfave/cli: a StringFlag is its last value ("" counts as not given), a
 * StringSliceFlag / Int64SliceFlag every value in order, a BoolFlag its
 * last value read with ParseBool (cli.c has refused other spellings).
 *
 * Threat, beyond the file itself: runc reads --user with strconv.Atoi
 * ("+0", "-1" as 4294967295, 4294967296 truncated to 0 by uint32()) and
 * --additional-gids with ParseInt (2^32+42 truncated to 42).  A value that
 * is not plain decimal is refused in every mode (rule id cli.strictValues,
 * as for update's inline flags): the shim never guesses what runc reads. */

static int
runc_fails (struct hd_err *err, const char *what)
{
        return hd_err_set (err, HD_EXIT_REFUSED, EINVAL, "exec failed: %s", what);
}

static int
strict_value (struct hd_err *err, const struct cli_flag *f, const char *why)
{
        return hd_err_set (err, HD_EXIT_REFUSED, EINVAL,
                           "cli.strictValues: --%s %s: %s; refused rather than guessed at", f->name, f->value, why);
}

/* The last value of a string flag, NULL when absent or "" (runc's
 * `context.String(x) != ""`). */
static const char *
string_flag (const struct cli *cli, const char *name)
{
        const struct cli_flag *f = cli_last_flag (cli, name);

        return f && f->value && f->value[0] ? f->value : NULL;
}

/* ---- one function per flag (or group of flags) ----------------------------- */

struct exec_flag;
typedef int exec_apply_fn (struct json *proc, const struct cli *cli, const struct exec_flag *row, struct hd_err *err);

struct exec_flag {
        const char *flag; /* long name, as cli.c records it */
        const char *key;  /* the process field it sets, or NULL */
        exec_apply_fn *apply;
};

/* --cwd, --apparmor, --process-label: replace the field when non-empty. */
static int
apply_string (struct json *proc, const struct cli *cli, const struct exec_flag *row, struct hd_err *err)
{
        const char *v = string_flag (cli, row->flag);

        return v ? json_set (proc, row->key, json_new_string (v), err) : 0;
}

/* --env/-e: appended to the config's env (a null or absent env starts empty). */
static int
apply_env (struct json *proc, const struct cli *cli, const struct exec_flag *row, struct hd_err *err)
{
        struct json *env = NULL;

        for (int i = 0; i < cli->nflags; i++) {
                if (strcmp (cli->flags[i].name, row->flag) != 0)
                        continue;
                if (!env && !(env = json_ensure (proc, row->key, JSON_ARRAY, err)))
                        return -1;
                if (json_append (env, json_new_string (cli->flags[i].value), err) < 0)
                        return -1;
        }
        return 0;
}

/* --cap/-c: appended to the bounding, effective, permitted and ambient
 * sets (not inheritable) in runc 1.1.5.  runc dereferences
 * process.capabilities without a nil check, so with no capabilities object
 * it crashes (a Go panic) and runs nothing: refused with that reason. */
static int
apply_caps (struct json *proc, const struct cli *cli, const struct exec_flag *row, struct hd_err *err)
{
        static const char *const sets[] = { "bounding", "effective", "permitted", "ambient" };
        struct json *caps = json_get (proc, "capabilities");

        for (int i = 0; i < cli->nflags; i++) {
                if (strcmp (cli->flags[i].name, row->flag) != 0)
                        continue;
                if (!caps || caps->type != JSON_OBJECT)
                        return runc_fails (err, "--cap with no process.capabilities in config.json "
                                                "(runc 1.1.5 dereferences it and panics)");
                for (size_t k = 0; k < HD_ARRAY_SIZE (sets); k++) {
                        struct json *set = json_ensure (caps, sets[k], JSON_ARRAY, err);
                        if (!set || json_append (set, json_new_string (cli->flags[i].value), err) < 0)
                                return -1;
                }
        }
        return 0;
}

/* --tty/-t: runc sets terminal false first, then the flag's value if given. */
static int
apply_tty (struct json *proc, const struct cli *cli, const struct exec_flag *row, struct hd_err *err)
{
        const struct cli_flag *f = cli_last_flag (cli, row->flag);

        return json_set (proc, row->key, json_new_bool (f && f->on), err);
}

/* --no-new-privs: only when given (context.IsSet), to its value. */
static int
apply_nnp (struct json *proc, const struct cli *cli, const struct exec_flag *row, struct hd_err *err)
{
        const struct cli_flag *f = cli_last_flag (cli, row->flag);

        return f ? json_set (proc, row->key, json_new_bool (f->on), err) : 0;
}

/* --user/-u UID[:GID]: strings.SplitN(v, ":", 2); the gid (if any) then the
 * uid replace the config's; without :GID the config's gid stays. */
static int
apply_user (struct json *proc, const struct cli *cli, const struct exec_flag *row, struct hd_err *err)
{
        const struct cli_flag *f = cli_last_flag (cli, row->flag);
        const char *colon;
        uint32_t uid, gid = 0;
        struct json *user;

        if (!string_flag (cli, row->flag))
                return 0;
        colon = strchr (f->value, ':');
        if (parse_u32 (f->value, colon ? (size_t) (colon - f->value) : strlen (f->value), &uid) < 0
            || (colon && parse_u32 (colon + 1, strlen (colon + 1), &gid) < 0))
                return strict_value (err, f, "not UID[:GID] in plain decimal");
        if (!(user = json_ensure (proc, row->key, JSON_OBJECT, err)))
                return -1;
        if (colon && json_set (user, "gid", json_new_u64 (gid), err) < 0)
                return -1;
        return json_set (user, "uid", json_new_u64 (uid), err);
}

/* --additional-gids/-g GID, one per flag: appended to user.additionalGids. */
static int
apply_gids (struct json *proc, const struct cli *cli, const struct exec_flag *row, struct hd_err *err)
{
        struct json *user, *gids = NULL;
        uint32_t gid;

        for (int i = 0; i < cli->nflags; i++) {
                const struct cli_flag *f = &cli->flags[i];
                if (strcmp (f->name, row->flag) != 0)
                        continue;
                if (parse_u32 (f->value, strlen (f->value), &gid) < 0)
                        return strict_value (err, f,
                                             "not a plain decimal gid (runc takes +42, 042, "
                                             "and truncates 4294967338 to 42)");
                if (!gids
                    && (!(user = json_ensure (proc, "user", JSON_OBJECT, err))
                        || !(gids = json_ensure (user, row->key, JSON_ARRAY, err))))
                        return -1;
                if (json_append (gids, json_new_u64 (gid), err) < 0)
                        return -1;
        }
        return 0;
}

/* Every inline flag that stands for a process field, in getProcess's order.
 * The same rows say which flags are stripped once runc gets --process. */
static const struct exec_flag exec_flags[] = {
        { "cwd", "cwd", apply_string },
        { "apparmor", "apparmorProfile", apply_string },
        { "process-label", "selinuxLabel", apply_string },
        { "cap", NULL, apply_caps },
        { "env", "env", apply_env },
        { "tty", "terminal", apply_tty },
        { "no-new-privs", "noNewPrivileges", apply_nnp },
        { "user", "user", apply_user },
        { "additional-gids", "additionalGids", apply_gids },
};

/* ---- the template ------------------------------------------------------------ */

/* runc's validateProcessSpec, which loadSpec runs on config.json's process
 * before any flag is applied (a flag cannot mend it).  Its SELinux check
 * runc repeats on the document it is handed, so it is left to runc. */
static int
validate_template (const struct json *p, struct hd_err *err)
{
        const struct json *cwd = json_get (p, "cwd"), *args = json_get (p, "args");

        if (!p || p->type != JSON_OBJECT)
                return runc_fails (err, "process property must not be empty");
        if (!cwd || cwd->type != JSON_STRING || cwd->len == 0)
                return runc_fails (err, "Cwd property must not be empty");
        if (cwd->text[0] != '/')
                return runc_fails (err, "Cwd must be an absolute path");
        if (!args || args->type != JSON_ARRAY || args->n == 0)
                return runc_fails (err, "args must not be empty");
        return 0;
}

/* BUNDLE/config.json, read now and strictly, as runc's loadSpec will
 * (after os.Chdir(bundle), which follows symlinks in the bundle path);
 * config.json itself must be a regular file, not a link. */
static int
read_config (const char *bundle, unsigned spec_flags, struct json **config, struct hd_err *err)
{
        _cleanup_free_ char *data = NULL;
        _cleanup_close_ int dirfd = -1;
        struct stat st;
        size_t len;

        if (!*bundle) /* SearchLabels found nothing: runc's os.Chdir("") */
                return runc_fails (err, "chdir : no such file or directory (the container has no bundle label)");
        dirfd = fileio_open_dir (bundle, err);
        if (dirfd < 0)
                return hd_err_prefix (err, "bundle %s: ", bundle);
        if (fileio_read_at (dirfd, "config.json", JSON_MAX_BYTES, &data, &len, &st, err) < 0)
                return hd_err_prefix (err, "bundle %s: config.json: ", bundle);
        if (json_parse (data, len, config, err) < 0)
                return hd_err_prefix (err, "bundle %s: config.json:", bundle);
        if ((*config)->type != JSON_OBJECT)
                return hd_err_set (err, HD_EXIT_REFUSED, EINVAL, "bundle %s: config.json:1:1: expected an object",
                                   bundle);
        if (spec_check (*config, &spec_config, spec_flags, data, len, err) < 0)
                return hd_err_prefix (err, "bundle %s: config.json:", bundle);
        return 0;
}

/* p.Args = context.Args()[1:]: every positional argument after the id. */
static int
set_args (struct json *proc, const struct cli *cli, struct hd_err *err)
{
        struct json *args = json_new (JSON_ARRAY);

        for (int i = 1; args && i < cli->npositional; i++)
                if (json_append (args, json_new_string (cli->positional[i]), err) < 0)
                        return json_free (args), -1;
        return json_set (proc, "args", args, err);
}

/* The container's state, and what runc would make of its absence. */
static int
load_state (const struct cli *cli, struct json **state, struct hd_err *err)
{
        if (runc_state_load (cli, state, err) == 0)
                return EXECPROC_BUILT;
        /* ROOT, ROOT/ID or its state.json missing: runc's factory.Load says
         * "container does not exist" before it reads any process */
        return err->code == ENOENT ? EXECPROC_NO_CONTAINER : -1;
}

int
exec_process_build (const struct cli *cli, unsigned spec_flags, struct json **process, char **source,
                    struct hd_err *err)
{
        _cleanup_json_ struct json *state = NULL, *config = NULL, *proc = NULL;
        const char *bundle;
        int rc;

        /* runc checks these before it reads anything: argv alone decides */
        if (cli->npositional < 2)
                return EXECPROC_RUNC_REFUSES;
        rc = load_state (cli, &state, err);
        if (rc != EXECPROC_BUILT)
                return rc;
        bundle = runc_state_label (state, "bundle");
        if (read_config (bundle ? bundle : "", spec_flags, &config, err) < 0)
                return -1;
        if (validate_template (json_get (config, "process"), err) < 0)
                return hd_err_prefix (err, "bundle %s: config.json: ", bundle);
        if (!(proc = json_clone (json_get (config, "process"))))
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        if (set_args (proc, cli, err) < 0)
                return -1;
        for (size_t i = 0; i < HD_ARRAY_SIZE (exec_flags); i++)
                if (exec_flags[i].apply (proc, cli, &exec_flags[i], err) < 0)
                        return -1;
        if (asprintf (source, "%s/config.json", bundle) < 0)
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        *process = steal_ptr (&proc);
        return EXECPROC_BUILT;
}

void
exec_process_strip_flags (struct cli *cli)
{
        for (int i = 0; i < cli->nflags; i++) {
                /* an empty --process (runc: none) would clash with the one
                 * the shim adds: two forms, or two values, of one flag */
                if (strcmp (cli->flags[i].name, "process") == 0)
                        cli_strip_flag (cli, &cli->flags[i]);
                for (size_t k = 0; k < HD_ARRAY_SIZE (exec_flags); k++)
                        if (strcmp (cli->flags[i].name, exec_flags[k].flag) == 0)
                                cli_strip_flag (cli, &cli->flags[i]);
        }
}
