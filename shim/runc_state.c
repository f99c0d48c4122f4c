#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>

#include "hardened/util.h"

#include "fileio.h"
#include "runc_state.h"

/* runc 1.1 validateID: ^[\w+-\.]+$ (the class holds word characters and
 * the range '+'..'.', that is + , - .), and not "." or "..". */
static bool
valid_id (const char *id)
{
        if (!id || !*id || strcmp (id, ".") == 0 || strcmp (id, "..") == 0)
                return false;
        for (const char *c = id; *c; c++)
                if (!(*c == '_' || (*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z')
                      || (*c >= '+' && *c <= '.')))
                        return false;
        return true;
}

int
runc_state_load (const struct cli *cli, struct json **state, struct hd_err *err)
{
        _cleanup_free_ char *root = cli_state_root (cli, err), *data = NULL;
        _cleanup_close_ int rootfd = -1, dirfd = -1;
        size_t len;
        struct stat st;

        if (!root)
                return -1;
        if (!valid_id (cli->id))
                return hd_err_set (err, HD_EXIT_REFUSED, EINVAL, "invalid container id \"%s\"", cli->id ? cli->id : "");
        rootfd = fileio_open_dir (root, err);
        if (rootfd < 0)
                return hd_err_prefix (err, "container %s: state root: ", cli->id);
        dirfd = openat (rootfd, cli->id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dirfd < 0)
                return errno == ENOENT
                               ? hd_err_set (err, HD_EXIT_REFUSED, errno,
                                             "container %s: %s/%s: container does not exist", cli->id, root, cli->id)
                               : hd_err_sys (err, HD_EXIT_REFUSED, errno, "container %s: %s/%s", cli->id, root,
                                             cli->id);
        if (fileio_read_at (dirfd, "state.json", JSON_MAX_BYTES, &data, &len, &st, err) < 0
            || json_parse (data, len, state, err) < 0)
                return hd_err_prefix (err, "container %s: %s/%s/state.json: ", cli->id, root, cli->id);
        return 0;
}

/* The value of `l` if it is the label "KEY=VALUE" for `key`, or NULL. */
static const char *
label_value (const struct json *l, const char *key, size_t klen)
{
        return l->type == JSON_STRING && strncmp (l->text, key, klen) == 0 && l->text[klen] == '=' ? l->text + klen + 1
                                                                                                   : NULL;
}

const char *
runc_state_label (const struct json *state, const char *key)
{
        const struct json *labels = json_path (state, "config", "labels", NULL);
        size_t klen = strlen (key);
        const char *v;

        for (size_t i = 0; labels && labels->type == JSON_ARRAY && i < labels->n; i++)
                if ((v = label_value (labels->items[i], key, klen)))
                        return v;
        return NULL;
}

const char *
runc_state_label_unique (const struct json *state, const char *key)
{
        const struct json *labels = json_path (state, "config", "labels", NULL);
        size_t klen = strlen (key);
        const char *found = NULL, *v;

        for (size_t i = 0; labels && labels->type == JSON_ARRAY && i < labels->n; i++) {
                if (!(v = label_value (labels->items[i], key, klen)))
                        continue;
                if (found)
                        return NULL;
                found = v;
        }
        return found;
}
