#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hardened/util.h"

#include "cli.h"
#include "runc_flags.h"
#include "verbs.h"

static const struct runc_flag *
flag_lookup (const struct runc_flag *table, const char *name, size_t len)
{
        for (const struct runc_flag *f = table; f->names[0]; f++)
                for (size_t i = 0; i < HD_ARRAY_SIZE (f->names) && f->names[i]; i++)
                        if (strlen (f->names[i]) == len && memcmp (f->names[i], name, len) == 0)
                                return f;
        return NULL;
}

/* Go's strconv.ParseBool, as the flag package uses it for "-flag=value". */
static int
parse_go_bool (const char *s, bool *out)
{
        static const char *const yes[] = { "1", "t", "T", "TRUE", "true", "True" };
        static const char *const no[] = { "0", "f", "F", "FALSE", "false", "False" };

        for (size_t i = 0; i < HD_ARRAY_SIZE (yes); i++) {
                if (strcmp (s, yes[i]) == 0)
                        return *out = true, 0;
                if (strcmp (s, no[i]) == 0)
                        return *out = false, 0;
        }
        return -1;
}

/* One parsed flag occurrence. */
struct occurrence {
        const struct runc_flag *flag;
        const char *name; /* the name as written, without dashes or value */
        size_t name_len;
        char *value;      /* NULL for a bool flag written without '=' */
        int first, count; /* argv slots it used */
};

struct parse_state {
        const char *where;    /* "global flags" or the verb, for messages */
        const char *form[32]; /* verb flags: the name each table row was first given as */
        size_t form_len[32];
        const char *slot_name[SLOT_RESOURCES + 1]; /* alias first used per slot */
        size_t slot_name_len[SLOT_RESOURCES + 1];
};

enum step { STEP_FLAG, STEP_STOP, STEP_ERROR };

static enum step
step_fail (struct hd_err *err, const struct parse_state *st, const char *what, const char *name, size_t len)
{
        hd_err_set (err, HD_EXIT_USAGE, EINVAL, "%s: %s: -%.*s", st->where, what, (int) len, name);
        return STEP_ERROR;
}

/* One step of Go's flag.FlagSet.parseOne over args[*i]. */
static enum step
parse_one (const struct runc_flag *table, char **args, int argc, int *i, struct occurrence *occ,
           const struct parse_state *st, struct hd_err *err)
{
        char *s = args[*i], *eq;

        if (strlen (s) < 2 || s[0] != '-')
                return STEP_STOP;
        if (strcmp (s, "--") == 0) {
                (*i)++; /* "--" ends the flags and is consumed */
                return STEP_STOP;
        }
        occ->name = s + 1 + (s[1] == '-');
        if (occ->name[0] == '\0' || occ->name[0] == '-' || occ->name[0] == '=')
                return step_fail (err, st, "bad flag syntax", s + 1, strlen (s + 1));
        eq = strchr (occ->name + 1, '=');
        occ->name_len = eq ? (size_t) (eq - occ->name) : strlen (occ->name);
        occ->flag = flag_lookup (table, occ->name, occ->name_len);
        occ->first = (*i)++;
        occ->value = eq ? eq + 1 : NULL;
        if (!occ->flag)
                return step_fail (err, st, "flag provided but not defined", occ->name, occ->name_len);
        if (occ->flag->takes_value && !eq) {
                if (*i >= argc)
                        return step_fail (err, st, "flag needs an argument", occ->name, occ->name_len);
                occ->value = args[(*i)++];
        }
        occ->count = *i - occ->first;
        return STEP_FLAG;
}

/* Value of a bool flag occurrence. */
static int
occurrence_bool (const struct occurrence *occ, bool *out, const struct parse_state *st, struct hd_err *err)
{
        if (!occ->value)
                return *out = true, 0;
        if (parse_go_bool (occ->value, out) < 0)
                return hd_err_set (err, HD_EXIT_USAGE, EINVAL, "%s: invalid boolean value \"%s\" for -%.*s", st->where,
                                   occ->value, (int) occ->name_len, occ->name);
        return 0;
}

/* Store a flag's value in its slot.  urfave/cli refuses a flag given under
 * two of its names ("cannot use two forms of the same flag"); the shim does
 * too, for the slots it reads, so that it and runc agree on the value.  The
 * same name given twice: the last wins, as in Go's flag package. */
static int
store (struct cli *cli, const struct occurrence *occ, struct parse_state *st, struct hd_err *err)
{
        static const size_t offsets[] = {
                [SLOT_POLICY] = offsetof (struct cli, policy),         [SLOT_LOG] = offsetof (struct cli, log),
                [SLOT_LOG_FORMAT] = offsetof (struct cli, log_format), [SLOT_ROOT] = offsetof (struct cli, root),
                [SLOT_BUNDLE] = offsetof (struct cli, bundle),         [SLOT_PROCESS] = offsetof (struct cli, process),
                [SLOT_RESOURCES] = offsetof (struct cli, resources),
        };
        enum runc_flag_slot slot = occ->flag->slot;
        bool ignored;

        if (slot == SLOT_HELP)
                return occurrence_bool (occ, &cli->help, st, err);
        if (slot == SLOT_VERSION)
                return occurrence_bool (occ, &cli->version, st, err);
        if (slot == SLOT_NONE)
                return occ->flag->takes_value ? 0 : occurrence_bool (occ, &ignored, st, err);
        if (st->slot_name[slot]
            && (st->slot_name_len[slot] != occ->name_len
                || memcmp (st->slot_name[slot], occ->name, occ->name_len) != 0))
                return hd_err_set (err, HD_EXIT_USAGE, EINVAL, "%s: cannot use two forms of the same flag: %s",
                                   st->where, occ->flag->names[0]);
        if ((slot == SLOT_POLICY || slot == SLOT_BACKEND) && st->slot_name[slot])
                return hd_err_set (err, HD_EXIT_USAGE, EINVAL, "%s: the shim's own flag --%s may be given only once",
                                   st->where, occ->flag->names[0]);
        st->slot_name[slot] = occ->name;
        st->slot_name_len[slot] = occ->name_len;
        if (slot == SLOT_BACKEND)
                cli->backend = occ->value;
        else
                *(const char **) ((char *) cli + offsets[slot]) = occ->value;
        return 0;
}

const struct cli_flag *
cli_last_flag (const struct cli *cli, const char *name)
{
        const struct cli_flag *found = NULL;

        for (int i = 0; i < cli->nflags; i++)
                if (strcmp (cli->flags[i].name, name) == 0)
                        found = &cli->flags[i];
        return found;
}

int
cli_replace_value (struct cli *cli, const struct cli_flag *f, const char *value, struct hd_err *err)
{
        int at = f->value_index >= 0 ? f->value_index : f->flag_index;
        char *s = NULL;

        if (f->value_index >= 0)
                s = strdup (value);
        else if (asprintf (&s, "--%s=%s", f->name, value) < 0)
                s = NULL;
        if (!s)
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        free (cli->replace[at]);
        cli->replace[at] = s;
        return 0;
}

void
cli_strip_flag (struct cli *cli, const struct cli_flag *f)
{
        cli->strip[f->flag_index] = true;
        if (f->value_index >= 0)
                cli->strip[f->value_index] = true;
}

int
cli_insert_before (struct cli *cli, int index, const char *arg, struct hd_err *err)
{
        char *s;

        if (index < 0 || index > cli->argc || cli->insert[index])
                return hd_err_set (err, HD_EXIT_INTERNAL, EINVAL, "cannot insert %s at argv[%d]", arg, index);
        if (!(s = strdup (arg)))
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        cli->insert[index] = s;
        return 0;
}

/* The argv the backend gets: argv without the stripped slots, with the
 * replaced ones swapped in and the inserted ones before their slot.
 * Rebuilt after every edit. */
int
cli_build_backend_argv (struct cli *cli, struct hd_err *err)
{
        free (cli->backend_argv);
        cli->backend_argv = calloc (2 * (size_t) cli->argc + 2, sizeof *cli->backend_argv);
        if (!cli->backend_argv)
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        cli->backend_argc = 0;
        for (int i = 0; i <= cli->argc; i++) {
                if (cli->insert[i])
                        cli->backend_argv[cli->backend_argc++] = cli->insert[i];
                if (i < cli->argc && !cli->strip[i])
                        cli->backend_argv[cli->backend_argc++] = cli->replace[i] ? cli->replace[i] : cli->argv[i];
        }
        return 0;
}

/* The verb is its row in the verb table (verbs.h), or one the shim passes through. */
static void
classify_verb (struct cli *cli, const char *name)
{
        const struct verb *v = name ? verb_named (name) : NULL;

        cli->verb_name = name;
        cli->verb = v ? v->verb : name ? CLI_VERB_PASS : CLI_VERB_NONE;
}

int
cli_parse_globals (int argc, char **argv, struct cli *cli, struct hd_err *err)
{
        struct parse_state st = { .where = "global flags" };
        struct occurrence occ;
        enum step step = STEP_STOP;
        int i = 1;

        memset (cli, 0, sizeof *cli);
        cli->log_format = "text";
        cli->argc = argc;
        cli->argv = argv;
        cli->strip = calloc ((size_t) argc + 1, sizeof *cli->strip);
        cli->replace = calloc ((size_t) argc + 1, sizeof *cli->replace);
        cli->insert = calloc ((size_t) argc + 1, sizeof *cli->insert);
        if (!cli->strip || !cli->replace || !cli->insert)
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        while (i < argc && (step = parse_one (runc_global_flags, argv, argc, &i, &occ, &st, err)) == STEP_FLAG) {
                if (store (cli, &occ, &st, err) < 0)
                        return -1;
                if (occ.flag->slot == SLOT_POLICY || occ.flag->slot == SLOT_BACKEND)
                        for (int k = 0; k < occ.count; k++)
                                cli->strip[occ.first + k] = true;
        }
        if (step == STEP_ERROR)
                return -1;
        cli->verb_index = i;
        classify_verb (cli, i < argc ? argv[i] : NULL);
        return cli_build_backend_argv (cli, err);
}

/* urfave/cli v1.22 reorderArgs: every dash-led argument, and the argument
 * after one written without '=', moves ahead of the others; "--" and what
 * follows stay at the end.  It knows nothing of flag types, so a positional
 * argument after a bool flag moves too, exactly as runc sees it. */
static void
reorder_args (char **in, int n, char **out)
{
        int nflags = 0, nrest = 0;
        bool read_value = false;
        _cleanup_free_ char **rest = calloc ((size_t) n + 1, sizeof *rest);

        for (int i = 0; i < n && rest; i++) {
                const char *a = in[i];
                if (strcmp (a, "--") == 0) {
                        while (i < n)
                                rest[nrest++] = in[i++];
                        break;
                }
                if (read_value && a[0] != '-') {
                        read_value = false;
                        out[nflags++] = in[i];
                        continue;
                }
                read_value = false;
                if (strcmp (a, "-") != 0 && a[0] == '-') {
                        out[nflags++] = in[i];
                        read_value = strchr (a, '=') == NULL;
                } else {
                        rest[nrest++] = in[i];
                }
        }
        if (rest)
                memcpy (out + nflags, rest, (size_t) nrest * sizeof *rest);
        else
                memcpy (out, in, (size_t) n * sizeof *in);
}

/* Where in argv an argument of verb_args is: urfave/cli reorders
 * pointers, never copies them. */
static int
argv_index (const struct cli *cli, const char *arg)
{
        for (int k = cli->verb_index + 1; k < cli->argc; k++)
                if (cli->argv[k] == arg)
                        return k;
        return -1;
}

/* Remember a verb flag and where it is in argv, for the rules that
 * build the exec process and check the inline update flags. */
static int
record (struct cli *cli, const struct occurrence *occ, struct hd_err *err)
{
        struct cli_flag *f;
        void *p = reallocarray (cli->flags, (size_t) cli->nflags + 1, sizeof *cli->flags);

        if (!p)
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        cli->flags = p;
        f = &cli->flags[cli->nflags++];
        f->name = occ->flag->names[0];
        f->value = occ->value;
        f->is_bool = !occ->flag->takes_value;
        f->on = f->is_bool;
        if (f->is_bool && occ->value && parse_go_bool (occ->value, &f->on) < 0)
                f->on = false; /* not reached: store() refused the spelling */
        f->flag_index = argv_index (cli, cli->verb_args[occ->first]);
        f->value_index = occ->count == 2 ? argv_index (cli, cli->verb_args[occ->first + 1]) : -1;
        return 0;
}

int
cli_positional_index (const struct cli *cli, int i)
{
        return i >= 0 && i < cli->npositional ? argv_index (cli, cli->positional[i]) : -1;
}

/* Where a flag the shim adds goes for runc to read it as the verb's: before
 * the first positional argument, or before a "--" ahead of it (urfave/cli
 * takes everything after "--" as positional: `update --cpu-share 100 -- ID`
 * given --resources after the "--" has two arguments). */
int
cli_flag_slot (const struct cli *cli)
{
        int first = cli_positional_index (cli, 0);

        for (int k = cli->verb_index + 1; k < cli->argc && (first < 0 || k < first); k++)
                if (strcmp (cli->argv[k], "--") == 0)
                        return k;
        return first;
}

/* urfave/cli's normalizeFlags: a verb flag set under two of its names
 * (-u and --user, -c and --cap) is an error whatever its type, so runc
 * never reads either; the shim must not pick one. */
static int
one_form (const struct runc_flag *table, const struct occurrence *occ, struct parse_state *st, struct hd_err *err)
{
        size_t k = (size_t) (occ->flag - table);

        if (k >= HD_ARRAY_SIZE (st->form))
                return hd_err_set (err, HD_EXIT_INTERNAL, EINVAL, "%s: flag table too long", st->where);
        if (st->form[k] && (st->form_len[k] != occ->name_len || memcmp (st->form[k], occ->name, occ->name_len) != 0))
                return hd_err_set (err, HD_EXIT_USAGE, EINVAL, "%s: cannot use two forms of the same flag: %s",
                                   st->where, occ->flag->names[0]);
        st->form[k] = occ->name;
        st->form_len[k] = occ->name_len;
        return 0;
}

/* Does the verb define a flag that fills `slot`? */
static bool
has_slot (const struct runc_flag *table, enum runc_flag_slot slot)
{
        for (const struct runc_flag *f = table; f->names[0]; f++)
                if (f->slot == slot)
                        return true;
        return false;
}

int
cli_parse_verb (struct cli *cli, struct hd_err *err)
{
        struct parse_state st = { .where = cli->verb_name };
        int n = cli->argc - cli->verb_index - 1;
        char **in = cli->argv + cli->verb_index + 1;
        const struct verb *verb = verb_find (cli->verb);
        struct occurrence occ;
        enum step step = STEP_STOP;
        int i = 0;

        if (!verb)
                return hd_err_set (err, HD_EXIT_INTERNAL, EINVAL, "%s is not a guarded verb",
                                   cli->verb_name ? cli->verb_name : "(none)");
        free (cli->verb_args);
        cli->verb_args = calloc ((size_t) n + 1, sizeof *cli->verb_args);
        if (!cli->verb_args)
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        if (verb->reorder)
                reorder_args (in, n, cli->verb_args);
        else
                memcpy (cli->verb_args, in, (size_t) n * sizeof *in);
        while (i < n && (step = parse_one (verb->flags, cli->verb_args, n, &i, &occ, &st, err)) == STEP_FLAG)
                if (one_form (verb->flags, &occ, &st, err) < 0 || store (cli, &occ, &st, err) < 0
                    || record (cli, &occ, err) < 0)
                        return -1;
        if (step == STEP_ERROR)
                return -1;
        cli->positional = cli->verb_args + i;
        cli->npositional = n - i;
        cli->id = cli->npositional > 0 ? cli->positional[0] : NULL;
        /* runc reads the bundle in its working directory unless told otherwise */
        if (!cli->bundle && has_slot (verb->flags, SLOT_BUNDLE))
                cli->bundle = ".";
        return 0;
}

/* runc's userns.RunningInUserNS: the identity map is the initial one. */
static bool
in_user_namespace (void)
{
        _cleanup_close_ int fd = open ("/proc/self/uid_map", O_RDONLY | O_CLOEXEC);
        char buf[128] = "";
        unsigned long a, b, n;

        if (fd < 0 || read (fd, buf, sizeof buf - 1) <= 0 || sscanf (buf, "%lu %lu %lu", &a, &b, &n) != 3)
                return false;
        return !(a == 0 && b == 0 && n == 4294967295UL);
}

/* runc 1.1 shouldHonorXDGRuntimeDir */
static bool
honour_xdg (void)
{
        const char *user = getenv ("USER");

        if (!getenv ("XDG_RUNTIME_DIR") || !*getenv ("XDG_RUNTIME_DIR"))
                return false;
        if (geteuid () != 0)
                return true;
        if (!in_user_namespace ())
                return false;
        return !user || strcmp (user, "root") != 0;
}

char *
cli_state_root (const struct cli *cli, struct hd_err *err)
{
        _cleanup_free_ char *cwd = NULL, *xdg = NULL;
        const char *root = cli->root;
        char *out = NULL;

        if (!root && honour_xdg ()) {
                if (asprintf (&xdg, "%s/runc", getenv ("XDG_RUNTIME_DIR")) < 0)
                        xdg = NULL;
                root = xdg;
        }
        if (!root)
                root = "/run/runc";
        if (root[0] != '/' && !(cwd = getcwd (NULL, 0)))
                return hd_err_sys (err, HD_EXIT_INTERNAL, errno, "--root %s: cannot resolve", root), NULL;
        if (asprintf (&out, "%s%s%s", cwd ? cwd : "", cwd ? "/" : "", root) < 0)
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory"), NULL;
        return out;
}

void
cli_free (struct cli *cli)
{
        for (int i = 0; cli->replace && i < cli->argc; i++)
                free (cli->replace[i]);
        for (int i = 0; cli->insert && i <= cli->argc; i++)
                free (cli->insert[i]);
        free (cli->replace);
        free (cli->insert);
        free (cli->strip);
        free (cli->flags);
        free (cli->backend_argv);
        free (cli->verb_args);
        memset (cli, 0, sizeof *cli);
}
