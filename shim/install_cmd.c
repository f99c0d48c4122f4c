#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hardened/adminfile.h"
#include "hardened/json.h"
#include "hardened/policy.h"
#include "hardened/util.h"

#include "fileio.h"
#include "install_cmd.h"
#include "install_engines.h"

/* Each file changed is read relative to its directory, planned whole
 * (every check done, containerd's own included) before anything is
 * written, then written atomically (temp, fsync, rename; same owner and
 * mode).  An install that changes a file holding nothing of hardened's
 * keeps it as FILE.hardened-backup (a file install created has none); uninstall restores that backup when the file holds
 * nothing but it plus what install added, else removes the entries. */

enum { TOOL_OK = 0, TOOL_REFUSED = 1, TOOL_USAGE = 2 };
#define CONFIG_CAP (4u << 20)
static const char backup_suffix[] = ".hardened-backup";

static const char usage[] =
        "usage: hardened install docker|containerd|podman [--default] [--as-runc] [--policy FILE] [--dry-run]\n"
        "                [--root DIR] [--config FILE] [--path PATH] [--name NAME] [-- RUNTIME-ARGS...]\n"
        "       hardened uninstall docker|containerd|podman [--dry-run] [--root DIR] [--config FILE]\n"
        "                [--path PATH] [--name NAME]\n";

struct install_cmd {
        struct install_opts o;
        const struct install_engine *engine;
        const char *root, *config, *policy;
        char self[PATH_MAX];
};

/* ---- flags ----------------------------------------------------------------- */

static int
take_flag (struct install_cmd *c, int argc, char **argv, int *i)
{
        static const struct {
                const char *name;
                size_t bool_off; /* offset of a bool in install_opts, or SIZE_MAX */
                size_t str_off;  /* offset of a string in install_cmd, or SIZE_MAX */
        } flags[] = {
                { "--default", offsetof (struct install_opts, set_default), SIZE_MAX },
                { "--as-runc", offsetof (struct install_opts, as_runc), SIZE_MAX },
                { "--dry-run", offsetof (struct install_opts, dry_run), SIZE_MAX },
                { "--policy", SIZE_MAX, offsetof (struct install_cmd, policy) },
                { "--root", SIZE_MAX, offsetof (struct install_cmd, root) },
                { "--config", SIZE_MAX, offsetof (struct install_cmd, config) },
                { "--path", SIZE_MAX, offsetof (struct install_cmd, o) + offsetof (struct install_opts, path) },
                { "--name", SIZE_MAX, offsetof (struct install_cmd, o) + offsetof (struct install_opts, name) },
        };
        const char *a = argv[*i], *eq = strchr (a, '=');
        size_t n = eq ? (size_t) (eq - a) : strlen (a);

        for (size_t k = 0; k < HD_ARRAY_SIZE (flags); k++) {
                if (strlen (flags[k].name) != n || strncmp (a, flags[k].name, n) != 0)
                        continue;
                if (flags[k].bool_off != SIZE_MAX && !eq) {
                        *(bool *) ((char *) &c->o + flags[k].bool_off) = true;
                        return 0;
                }
                if (flags[k].str_off == SIZE_MAX || (!eq && *i + 1 >= argc))
                        return -1;
                *(const char **) ((char *) c + flags[k].str_off) = eq ? eq + 1 : argv[++*i];
                return 0;
        }
        return -1;
}

static int
usage_error (const char *why)
{
        fprintf (stderr, "hardened install: %s\n%s", why, usage);
        return TOOL_USAGE;
}

static bool
good_name (const char *s)
{
        if (!*s || strcmp (s, "runc") == 0)
                return false;
        for (; *s; s++)
                if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '-'
                      || *s == '_'))
                        return false;
        return true;
}

static int
parse_args (struct install_cmd *c, int argc, char **argv)
{
        const char *engine = NULL;

        for (int i = 0; i < argc; i++) {
                if (strcmp (argv[i], "--") == 0) {
                        c->o.args = argv + i + 1;
                        c->o.nargs = (size_t) (argc - i - 1);
                        break;
                }
                if (argv[i][0] == '-') {
                        if (take_flag (c, argc, argv, &i) < 0)
                                return usage_error ("unknown flag or a flag without its value");
                        continue;
                }
                if (engine)
                        return usage_error ("one engine at a time");
                engine = argv[i];
        }
        if (!engine || !(c->engine = install_engine_named (engine)))
                return usage_error (engine ? "the engine is docker, containerd or podman" : "which engine?");
        if (c->o.uninstall && (c->o.set_default || c->o.as_runc || c->policy || c->o.nargs))
                return usage_error ("uninstall removes everything install added: it takes no --default, --as-runc, "
                                    "--policy or runtime arguments");
        if ((c->root && c->root[0] != '/') || (c->config && c->config[0] != '/'))
                return usage_error ("--root and --config take absolute paths");
        if (c->o.path && c->o.path[0] != '/')
                return usage_error ("--path takes the absolute path the engine will run");
        if (!good_name (c->o.name))
                return usage_error ("--name: letters, digits, '-' and '_', and not \"runc\" (see --as-runc)");
        return 0;
}

/* ---- one file, planned then written --------------------------------------------- */

enum file_action { FILE_KEEP, FILE_WRITE, FILE_RESTORE, FILE_REMOVE };

struct planned {
        char path[PATH_MAX], dir[PATH_MAX], base[NAME_MAX + 1], backup_name[NAME_MAX + sizeof backup_suffix];
        int dirfd;
        bool exists, has_backup, write_backup;
        struct stat st;
        char *old, *backup, *new;
        size_t old_len, backup_len, new_len;
        enum file_action action;
        char tmp[512]; /* a checked temporary ready to be renamed, or "" */
};

static void
planned_free (struct planned *p)
{
        if (p->tmp[0])
                unlinkat (p->dirfd, p->tmp, 0);
        if (p->dirfd >= 0)
                close (p->dirfd);
        free (p->old);
        free (p->backup);
        free (p->new);
}

static int
mkdir_p (char *dir, struct hd_err *err)
{
        for (char *s = dir + 1;; s++) {
                if (*s != '/' && *s != '\0')
                        continue;
                char saved = *s;
                *s = '\0';
                if (mkdir (dir, 0755) < 0 && errno != EEXIST)
                        return hd_err_sys (err, HD_EXIT_REFUSED, errno, "mkdir %s", dir);
                *s = saved;
                if (!saved)
                        return 0;
        }
}

/* Split the path, open its directory (made when installing), read the
 * file and its backup when they exist. */
static int
plan_read (struct planned *p, bool create_dir, struct hd_err *err)
{
        const char *slash = strrchr (p->path, '/');
        struct stat bst;

        snprintf (p->dir, sizeof p->dir, "%.*s", (int) (slash - p->path), p->path);
        if (!p->dir[0])
                snprintf (p->dir, sizeof p->dir, "/");
        snprintf (p->base, sizeof p->base, "%s", slash + 1);
        snprintf (p->backup_name, sizeof p->backup_name, "%s%s", p->base, backup_suffix);
        p->dirfd = open (p->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (p->dirfd < 0 && errno == ENOENT && create_dir) {
                if (mkdir_p (p->dir, err) < 0)
                        return -1;
                p->dirfd = open (p->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        }
        if (p->dirfd < 0)
                return errno == ENOENT && !create_dir ? 0 : hd_err_sys (err, HD_EXIT_REFUSED, errno, "%s", p->dir);
        if (fileio_read_at (p->dirfd, p->base, CONFIG_CAP, &p->old, &p->old_len, &p->st, err) == 0)
                p->exists = true;
        else if (err->code != ENOENT)
                return hd_err_prefix (err, "%s: ", p->path);
        if (fileio_read_at (p->dirfd, p->backup_name, CONFIG_CAP, &p->backup, &p->backup_len, &bst, err) == 0)
                p->has_backup = true;
        else if (err->code != ENOENT)
                return hd_err_prefix (err, "%s/%s: ", p->dir, p->backup_name);
        return 0;
}

/* Install: does `text` hold nothing of hardened's (then it is the backup)? */
static bool
clean (const struct install_cmd *c, const struct planned *p)
{
        struct install_text in = { p->path, p->old, p->old_len, NULL, 0 };
        _cleanup_free_ char *out = NULL, *sink = NULL;
        size_t len, slen;
        FILE *log = open_memstream (&sink, &slen);
        struct hd_err ignored;
        int rc;

        if (!log)
                return false;
        rc = c->engine->uninstall (&c->o, &in, &out, &len, log, &ignored);
        fclose (log);
        return rc == 0 && !out;
}

static int
plan_change (const struct install_cmd *c, struct planned *p, FILE *log, struct hd_err *err)
{
        const char *text = p->exists ? p->old : c->engine->skeleton;
        struct install_text in = { p->path, text, p->exists ? p->old_len : strlen (text), p->backup, p->backup_len };

        if ((c->o.uninstall ? c->engine->uninstall : c->engine->install) (&c->o, &in, &p->new, &p->new_len, log, err)
            < 0)
                return -1;
        if (!p->new)
                return 0;
        p->action = FILE_WRITE;
        if (!c->o.uninstall)
                p->write_backup = p->exists && clean (c, p);
        else if (p->has_backup && c->engine->same (p->new, p->new_len, p->backup, p->backup_len))
                p->action = FILE_RESTORE;
        else if (!p->has_backup
                 && c->engine->same (p->new, p->new_len, c->engine->skeleton, strlen (c->engine->skeleton)))
                p->action = FILE_REMOVE;
        return 0;
}

/* The new text as a temporary beside the file (its owner and mode, or
 * root's 0644 for a new file), its path in tmp_path. */
static int
temp_beside (struct planned *p, char *tmp_path, size_t size, struct hd_err *err)
{
        struct stat fresh = { .st_mode = S_IFREG | 0644, .st_uid = geteuid (), .st_gid = getegid () };

        if (fileio_write_temp (p->dirfd, p->base, p->new, p->new_len, p->exists ? &p->st : &fresh, p->tmp,
                               sizeof p->tmp, err)
            < 0)
                return hd_err_prefix (err, "%s: ", p->path);
        snprintf (tmp_path, size, "%s/%s", p->dir, p->tmp);
        return 0;
}

/* The new file as a temporary beside the old one, checked by the engine. */
static int
plan_validate (const struct install_cmd *c, struct planned *p, FILE *log, struct hd_err *err)
{
        char tmp_path[PATH_MAX + 512];

        if (p->action != FILE_WRITE || !c->engine->validate || c->o.dry_run)
                return 0;
        if (temp_beside (p, tmp_path, sizeof tmp_path, err) < 0)
                return -1;
        return c->engine->validate (&c->o, c->root ? c->root : "", tmp_path, log, err);
}

static void
say_plan (const struct install_cmd *c, const struct planned *p)
{
        const char *would = c->o.dry_run ? "would be " : "";

        if (p->action == FILE_KEEP) {
                printf ("%s: unchanged (%s)\n", p->path,
                        c->o.uninstall ? "nothing of hardened's in it" : "already set up");
                return;
        }
        if (p->action == FILE_RESTORE)
                printf ("%s: %srestored from %s (nothing else changed since install):\n", p->path, would,
                        p->backup_name);
        else if (p->action == FILE_REMOVE)
                printf ("%s: %sremoved (hardened install created it):\n", p->path, would);
        else
                printf ("%s: %s%s:\n", p->path, would, p->exists ? "changed" : "created");
}

static void
say_backup (const struct install_cmd *c, const struct planned *p)
{
        if (p->action == FILE_WRITE && p->write_backup)
                printf ("  backup: %s/%s%s\n", p->dir, p->backup_name, c->o.dry_run ? " (would be written)" : "");
        else if (p->action == FILE_WRITE && p->has_backup)
                printf ("  backup: %s/%s kept (the file before hardened was first installed)\n", p->dir,
                        p->backup_name);
}

static int
plan_file (const struct install_cmd *c, struct planned *p, struct hd_err *err)
{
        _cleanup_free_ char *buf = NULL, *vbuf = NULL;
        size_t len, vlen;
        FILE *log = open_memstream (&buf, &len), *vlog = open_memstream (&vbuf, &vlen);
        int rc;

        if (!log || !vlog) {
                if (log)
                        fclose (log);
                if (vlog)
                        fclose (vlog);
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        }
        rc = plan_read (p, !c->o.uninstall && !c->o.dry_run, err);
        if (rc == 0 && (p->dirfd >= 0 || !c->o.uninstall))
                rc = plan_change (c, p, log, err);
        if (rc == 0)
                rc = plan_validate (c, p, vlog, err);
        fclose (vlog);
        fclose (log);
        if (rc < 0) /* a refusal says only why */
                return -1;
        say_plan (c, p);
        fputs (buf ? buf : "", stdout);
        say_backup (c, p);
        fputs (vbuf ? vbuf : "", stdout);
        return 0;
}

static int
commit_file (struct planned *p, struct hd_err *err)
{
        struct stat fresh = { .st_mode = S_IFREG | 0644, .st_uid = geteuid (), .st_gid = getegid () };

        if (p->write_backup && fileio_replace_at (p->dirfd, p->backup_name, p->old, p->old_len, &p->st, err) < 0)
                return hd_err_prefix (err, "%s/%s: ", p->dir, p->backup_name);
        switch (p->action) {
        case FILE_KEEP:
                return 0;
        case FILE_WRITE:
                if (p->tmp[0]) {
                        int rc = fileio_commit_temp (p->dirfd, p->tmp, p->base, err);
                        p->tmp[0] = '\0';
                        return rc < 0 ? hd_err_prefix (err, "%s: ", p->path) : 0;
                }
                if (fileio_replace_at (p->dirfd, p->base, p->new, p->new_len, p->exists ? &p->st : &fresh, err) < 0)
                        return hd_err_prefix (err, "%s: ", p->path);
                return 0;
        case FILE_RESTORE:
                if (fileio_replace_at (p->dirfd, p->base, p->backup, p->backup_len, &p->st, err) < 0)
                        return hd_err_prefix (err, "%s: ", p->path);
                break;
        case FILE_REMOVE:
                if (unlinkat (p->dirfd, p->base, 0) < 0)
                        return hd_err_sys (err, HD_EXIT_INTERNAL, errno, "unlink %s", p->path);
                break;
        }
        if (p->has_backup && unlinkat (p->dirfd, p->backup_name, 0) < 0)
                return hd_err_sys (err, HD_EXIT_INTERNAL, errno, "unlink %s/%s", p->dir, p->backup_name);
        return fsync (p->dirfd) < 0 ? hd_err_sys (err, HD_EXIT_INTERNAL, errno, "fsync %s", p->dir) : 0;
}

/* ---- the policy -------------------------------------------------------------------- */

/* `policy lint`'s verdict on a file: the loader the runtime uses. */
static int
lint (const char *path, struct hd_err *err)
{
        struct json_arena_mark mark = json_arena_mark ();
        struct policy p;
        int rc = policy_load_file (path, &p, err);

        policy_free (&p);
        json_arena_release (mark);
        return rc;
}

/* The policy file installed as the installed policy (its bytes, linted
 * where it will live: what it extends, the policy.d/ beside it); the
 * policy it replaces is kept as the backup when it still loads. */
static int
plan_policy (const struct install_cmd *c, struct planned *p, struct hd_err *err)
{
        _cleanup_free_ char *src = NULL;
        char tmp_path[PATH_MAX + 512], old_path[PATH_MAX + NAME_MAX + 2];
        struct hd_err ignored;
        size_t len;

        if (lint (c->policy, err) < 0)
                return hd_err_prefix (err,
                                      "--policy: the policy does not pass `hardened policy lint`; nothing changed: ");
        if (adminfile_read_any (c->policy, &src, &len, err) < 0)
                return hd_err_prefix (err, "--policy %s: ", c->policy);
        snprintf (p->path, sizeof p->path, "%s%s", c->root ? c->root : "", HD_POLICY_PATH);
        if (plan_read (p, !c->o.dry_run, err) < 0)
                return -1;
        if (p->exists && len == p->old_len && memcmp (src, p->old, len) == 0) {
                printf ("%s: unchanged (already holds %s)\n", p->path, c->policy);
                return 0;
        }
        p->new = steal_ptr (&src);
        p->new_len = len;
        p->action = FILE_WRITE;
        snprintf (old_path, sizeof old_path, "%s/%s", p->dir, p->base);
        p->write_backup = p->exists && lint (old_path, &ignored) == 0;
        printf ("%s: %s%s from %s (passes `hardened policy lint`)\n", p->path, c->o.dry_run ? "would be " : "",
                p->exists ? "replaced" : "installed", c->policy);
        if (p->write_backup)
                printf ("  backup: %s/%s (the policy it replaces)%s\n", p->dir, p->backup_name,
                        c->o.dry_run ? " (would be written)" : "");
        if (c->o.dry_run)
                return 0;
        if (temp_beside (p, tmp_path, sizeof tmp_path, err) < 0)
                return -1;
        if (lint (tmp_path, err) < 0)
                return hd_err_prefix (err, "--policy %s does not load as %s; nothing changed: ", c->policy, p->path);
        return 0;
}

/* ---- the command --------------------------------------------------------------------- */

static int
fail (const struct hd_err *err)
{
        fprintf (stderr, "hardened install: %s\n", err->msg);
        return err->exit == HD_EXIT_USAGE ? TOOL_USAGE : TOOL_REFUSED;
}

static int
default_path (struct install_cmd *c)
{
        if (c->o.path)
                return 0;
        if (!realpath ("/proc/self/exe", c->self))
                return usage_error ("cannot tell where this binary is: give --path");
        c->o.path = c->self;
        return 0;
}

int
install_cmd_main (int argc, char **argv, bool uninstall)
{
        struct install_cmd c = { .o = { .uninstall = uninstall, .name = "hardened" } };
        struct planned pol = { .dirfd = -1 }, conf = { .dirfd = -1 };
        struct hd_err err = { 0 };
        int rc;

        if ((rc = parse_args (&c, argc, argv)) != 0 || (rc = default_path (&c)) != 0)
                return rc;
        if (c.config)
                snprintf (conf.path, sizeof conf.path, "%s", c.config);
        else
                snprintf (conf.path, sizeof conf.path, "%s%s", c.root ? c.root : "", c.engine->config);
        rc = (c.policy && plan_policy (&c, &pol, &err) < 0) || plan_file (&c, &conf, &err) < 0
                             || (!c.o.dry_run && (commit_file (&pol, &err) < 0 || commit_file (&conf, &err) < 0))
                     ? fail (&err)
                     : TOOL_OK;
        if (rc == TOOL_OK && c.o.dry_run)
                printf ("dry run: nothing written\n");
        else if (rc == TOOL_OK && conf.action != FILE_KEEP)
                printf ("to apply: %s\n", c.engine->reload);
        planned_free (&pol);
        planned_free (&conf);
        return rc;
}
