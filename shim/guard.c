#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hardened/fileio.h"
#include "hardened/guard.h"
#include "hardened/json.h"
#include "hardened/spec.h"
#include "hardened/util.h"

/* Parse, check, and serialise one document; *out is the checked bytes. */
static int
check_document (const char *data, size_t len, const struct spec_type *type, char **out,
                size_t *out_len, struct hd_err *err)
{
        _cleanup_json_ struct json *doc = NULL;

        if (json_parse (data, len, &doc, err) < 0)
                return -1;
        if (doc->type != JSON_OBJECT)
                return hd_err_set (err, HD_EXIT_REFUSED, EINVAL, "1:1: expected an object, found %s",
                                   json_type_name (doc->type));
        if (spec_check (doc, type, SPEC_STRICT, data, len, err) < 0)
                return -1;
        return json_write (doc, out, out_len, err);
}

/* Read dirfd/name, check it, and write the checked tree back in place.
 * Messages name the file as `label`. */
static int
guard_file_at (int dirfd, const char *name, const char *label, const struct spec_type *type,
               struct hd_err *err)
{
        _cleanup_free_ char *data = NULL, *checked = NULL;
        size_t len, checked_len;
        struct stat st;

        if (fileio_read_at (dirfd, name, JSON_MAX_BYTES, &data, &len, &st, err) < 0)
                return hd_err_prefix (err, "%s: ", label);
        if (check_document (data, len, type, &checked, &checked_len, err) < 0)
                return hd_err_prefix (err, "%s:", label); /* err starts with LINE:COL */
        if (fileio_replace_at (dirfd, name, checked, checked_len, &st, err) < 0)
                return hd_err_prefix (err, "%s: cannot write the checked file back: ", label);
        return 0;
}

static int
guard_bundle (struct cli *cli, struct hd_err *err)
{
        _cleanup_close_ int dirfd = fileio_open_dir (cli->bundle, err);

        if (dirfd < 0 || guard_file_at (dirfd, "config.json", "config.json", &spec_config, err) < 0)
                return hd_err_prefix (err, "bundle %s: ", cli->bundle);
        return 0;
}

/* A file named by path: its directory is opened once, the file read in it. */
static int
guard_named_file (const char *path, const struct spec_type *type, struct hd_err *err)
{
        _cleanup_free_ char *dir_copy = strdup (path), *base_copy = strdup (path);
        _cleanup_close_ int dirfd = -1;
        const char *base;

        if (!dir_copy || !base_copy)
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        base = basename (base_copy);
        dirfd = fileio_open_dir (dirname (dir_copy), err);
        if (dirfd < 0)
                return hd_err_prefix (err, "%s: ", path);
        return guard_file_at (dirfd, base, path, type, err);
}

/* `update -r -`: the checked bytes reach runc as its stdin, through a memfd,
 * so no size makes this block and runc reads exactly what was checked. */
static int
guard_stdin (const struct spec_type *type, struct hd_err *err)
{
        _cleanup_free_ char *data = NULL, *checked = NULL;
        _cleanup_close_ int mfd = -1;
        size_t len, checked_len;

        if (fileio_read_fd (STDIN_FILENO, JSON_MAX_BYTES, &data, &len, err) < 0
            || check_document (data, len, type, &checked, &checked_len, err) < 0)
                return hd_err_prefix (err, "update --resources -: <stdin>:");
        mfd = memfd_create ("hardened-resources", MFD_CLOEXEC);
        if (mfd < 0 || write (mfd, checked, checked_len) != (ssize_t) checked_len
            || lseek (mfd, 0, SEEK_SET) != 0 || dup2 (mfd, STDIN_FILENO) < 0)
                return hd_err_set (err, HD_EXIT_INTERNAL, errno,
                                   "cannot hand the checked resources to the backend: %s",
                                   strerror (errno));
        return 0;
}

static int
guard_exec (struct cli *cli, struct hd_err *err)
{
        if (!cli->process)
                return 0; /* inline exec flags: checked by the policy rules */
        return guard_named_file (cli->process, &spec_process, err);
}

static int
guard_update (struct cli *cli, struct hd_err *err)
{
        if (!cli->resources)
                return 0; /* inline update flags: checked by the policy rules */
        if (strcmp (cli->resources, "-") == 0)
                return guard_stdin (&spec_resources, err);
        return guard_named_file (cli->resources, &spec_resources, err);
}

static const struct {
        enum cli_verb verb;
        int (*guard) (struct cli *, struct hd_err *);
} guards[] = {
        { CLI_VERB_CREATE, guard_bundle },
        { CLI_VERB_RUN, guard_bundle },
        { CLI_VERB_RESTORE, guard_bundle },
        { CLI_VERB_EXEC, guard_exec },
        { CLI_VERB_UPDATE, guard_update },
};

int
guard_verb (struct cli *cli, struct hd_err *err)
{
        for (size_t i = 0; i < HD_ARRAY_SIZE (guards); i++) {
                if (guards[i].verb != cli->verb)
                        continue;
                if (cli_parse_verb (cli, err) < 0)
                        return -1;
                if (cli->help)
                        return 0; /* runc prints the verb's help and reads nothing */
                return guards[i].guard (cli, err);
        }
        return 0;
}
