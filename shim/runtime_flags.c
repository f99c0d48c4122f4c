#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "hardened/util.h"

#include "runtime_flags.h"

/* One row per flag that changes the container: runc's long name
 * (runc_flags.c's tables say which verbs define it; a verb that does not
 * refuses it at parse, as runc does) and its key in the runtime flags
 * document. */
static const struct {
        const char *flag;
        const char *key;
} rtflags[] = {
        { "no-pivot", "noPivot" },
        { "no-new-keyring", "noNewKeyring" },
        { "lsm-profile", "lsmProfile" },
        { "lsm-mount-context", "lsmMountContext" },
};

/* What the rule needs of the checked config: its LSM labels (restore's
 * overrides are judged against them) and its annotations (exemptions). */
static int
add_config (struct json *doc, const struct json *config, struct hd_err *err)
{
        static const struct {
                const char *key, *parent, *field;
        } labels[] = {
                { "apparmorProfile", "process", "apparmorProfile" },
                { "selinuxLabel", "process", "selinuxLabel" },
                { "mountLabel", "linux", "mountLabel" },
        };
        const struct json *annotations = json_get (config, "annotations");
        struct json *out;

        if (!config)
                return 0;
        if (!(out = json_ensure (doc, "config", JSON_OBJECT, err)))
                return -1;
        for (size_t i = 0; i < HD_ARRAY_SIZE (labels); i++) {
                const struct json *v = json_path (config, labels[i].parent, labels[i].field, NULL);
                if (v && v->type == JSON_STRING && json_set (out, labels[i].key, json_clone (v), err) < 0)
                        return -1;
        }
        if (annotations && annotations->type == JSON_OBJECT
            && json_set (doc, "annotations", json_clone (annotations), err) < 0)
                return -1;
        return 0;
}

/* restore: {"imagePath": --image-path as runc reads it (the last one; ""
 * for runc's default, ./checkpoint)}, for restore.checkpointImage. */
static int
add_restore (struct json *doc, const struct cli *cli, struct hd_err *err)
{
        const struct cli_flag *f = cli_last_flag (cli, "image-path");
        struct json *restore;

        if (cli->verb != CLI_VERB_RESTORE)
                return 0;
        if (!(restore = json_ensure (doc, "restore", JSON_OBJECT, err)))
                return -1;
        return json_set (restore, "imagePath", json_new_string (f ? f->value : ""), err);
}

int
runtime_flags_document (const struct cli *cli, const struct json *config, struct json **out, struct hd_err *err)
{
        _cleanup_json_ struct json *doc = json_new (JSON_OBJECT);

        if (!doc)
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        for (size_t i = 0; i < HD_ARRAY_SIZE (rtflags); i++) {
                const struct cli_flag *f = cli_last_flag (cli, rtflags[i].flag); /* Go: the last one wins */
                if (!f)
                        continue;
                if (f->is_bool ? json_set (doc, rtflags[i].key, json_new_bool (f->on), err) < 0
                               : (f->value[0] && json_set (doc, rtflags[i].key, json_new_string (f->value), err) < 0))
                        return -1;
        }
        if (add_config (doc, config, err) < 0 || add_restore (doc, cli, err) < 0)
                return -1;
        *out = steal_ptr (&doc);
        return 0;
}

/* Drop every occurrence of a flag (and its separate value): dropping only
 * the last would let an earlier one take its place. */
static void
strip_all (struct cli *cli, const char *name)
{
        for (int i = 0; i < cli->nflags; i++) {
                const struct cli_flag *f = &cli->flags[i];
                if (strcmp (f->name, name) != 0)
                        continue;
                cli->strip[f->flag_index] = true;
                if (f->value_index >= 0)
                        cli->strip[f->value_index] = true;
        }
}

/* One flag: runc reads the last occurrence, so that is what is compared. */
static int
apply_one (struct cli *cli, const char *name, const struct json *want, struct hd_err *err)
{
        const struct cli_flag *f = cli_last_flag (cli, name);
        const char *text;
        bool on;

        if (!f)
                return 0;
        if (f->is_bool) {
                on = want && want->type == JSON_BOOL && want->boolean;
                if (on == f->on)
                        return 0;
                if (on)
                        return hd_err_set (err, HD_EXIT_INTERNAL, EINVAL, "--%s: a fix cannot turn a flag on", name);
                strip_all (cli, name);
                return 0;
        }
        text = want && want->type == JSON_STRING ? want->text : "";
        if (strcmp (text, f->value) == 0)
                return 0;
        if (!text[0]) {
                strip_all (cli, name);
                return 0;
        }
        return cli_replace_value (cli, f, text, err);
}

int
runtime_flags_apply (struct cli *cli, const struct json *doc, struct hd_err *err)
{
        for (size_t i = 0; i < HD_ARRAY_SIZE (rtflags); i++)
                if (apply_one (cli, rtflags[i].flag, json_get (doc, rtflags[i].key), err) < 0)
                        return -1;
        return cli_build_backend_argv (cli, err);
}
