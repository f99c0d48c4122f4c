#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hardened/adminfile.h"
#include "hardened/json.h"
#include "hardened/util.h"
#include "hardened/verdicts.h"

#include "fileio.h"
#include "verdicts_cmd.h"

enum { TOOL_OK = 0, TOOL_REFUSED = 1, TOOL_USAGE = 2 };

static const char usage[] = "usage: hardened verdicts import [--out FILE] [--scanned-at RFC3339-TIME] REPORT.json...\n";

struct import_cmd {
        const char *out;
        int64_t scanned_at; /* -1: not given */
        char **reports;
        size_t nreports;
};

static int
usage_error (const char *why)
{
        fprintf (stderr, "hardened verdicts: %s\n%s", why, usage);
        return TOOL_USAGE;
}

/* --out FILE, --out=FILE and the same for --scanned-at; the rest are reports. */
static int
parse_args (struct import_cmd *c, int argc, char **argv)
{
        static const char *const names[] = { "--out", "--scanned-at" };
        const char *value[HD_ARRAY_SIZE (names)] = { NULL, NULL };
        int i = 0;

        for (; i < argc && strncmp (argv[i], "--", 2) == 0; i++) {
                size_t k = 0, n = strcspn (argv[i], "=");
                while (k < HD_ARRAY_SIZE (names) && (strlen (names[k]) != n || strncmp (argv[i], names[k], n) != 0))
                        k++;
                if (strcmp (argv[i], "--") == 0) {
                        i++;
                        break;
                }
                if (k == HD_ARRAY_SIZE (names) || (!argv[i][n] && i + 1 >= argc))
                        return usage_error ("unknown flag or missing value");
                value[k] = argv[i][n] ? argv[i] + n + 1 : argv[++i];
        }
        c->out = value[0];
        c->scanned_at = -1;
        if (value[1] && verdict_time_parse (value[1], &c->scanned_at) < 0)
                return usage_error ("--scanned-at: not an RFC 3339 time (2026-11-30T10:00:00Z)");
        c->reports = argv + i;
        c->nreports = (size_t) (argc - i);
        return c->nreports ? 0 : usage_error ("no report given");
}

static void
print_verdict (const char *path, const struct scan_verdict *v)
{
        fprintf (stderr, "%s: %s%s%s%s:", path, v->image_id, *v->artifact ? " (" : "", v->artifact,
                 *v->artifact ? ")" : "");
        for (int s = SEV_COUNT - 1; s >= 0; s--)
                fprintf (stderr, " %s %u (%u fixable)%s", severity_name (s), v->found[s], v->fixable[s],
                         s ? "," : "\n");
}

static int
read_report (const char *path, int64_t scanned_at, struct scan_verdict *v, struct hd_err *err)
{
        _cleanup_free_ char *text = NULL;
        struct json *report;
        size_t len;

        /* the verdict points into the parsed tree (its own copies of the
         * strings, kept until exit), not into text */
        if (adminfile_read_capped (path, JSON_MAX_REPORT_BYTES, &text, &len, err) < 0
            || json_parse_flags (text, len, JSON_REPORT, &report, err) < 0
            || verdict_from_trivy (report, scanned_at, v, err) < 0)
                return hd_err_prefix (err, "%s: ", path);
        return 0;
}

/* Replace FILE atomically (a temporary beside it, renamed over it; a new
 * file is root's 0644), or write to stdout without --out. */
static int
write_out (const char *out, const char *data, size_t len, struct hd_err *err)
{
        struct stat fresh = { .st_mode = S_IFREG | 0644, .st_uid = geteuid (), .st_gid = getegid () }, st;
        _cleanup_free_ char *d = NULL, *b = NULL;
        _cleanup_close_ int dirfd = -1;

        if (!out)
                return fwrite (data, 1, len, stdout) == len && fflush (stdout) == 0
                               ? 0
                               : hd_err_sys (err, HD_EXIT_INTERNAL, errno, "write standard output");
        d = strdup (out);
        b = strdup (out);
        if (!d || !b)
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        if ((dirfd = fileio_open_dir (dirname (d), err)) < 0)
                return hd_err_prefix (err, "%s: ", out);
        if (fstatat (dirfd, basename (b), &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISREG (st.st_mode))
                return hd_err_set (err, HD_EXIT_REFUSED, EINVAL, "%s: not a regular file", out);
        if (fileio_replace_at (dirfd, basename (b), data, len, &fresh, err) < 0)
                return hd_err_prefix (err, "%s: ", out);
        return 0;
}

static int
import (const struct import_cmd *c, struct hd_err *err)
{
        _cleanup_free_ struct scan_verdict *v = calloc (c->nreports, sizeof *v);
        _cleanup_free_ char *data = NULL;
        size_t len;

        if (!v)
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        for (size_t i = 0; i < c->nreports; i++)
                if (read_report (c->reports[i], c->scanned_at, &v[i], err) < 0)
                        return -1;
        for (size_t i = 0; i < c->nreports; i++)
                print_verdict (c->reports[i], &v[i]);
        if (verdicts_write (v, c->nreports, &data, &len, err) < 0)
                return -1;
        return write_out (c->out, data, len, err);
}

int
verdicts_cmd_main (int argc, char **argv)
{
        struct import_cmd c = { 0 };
        struct hd_err err = { 0 };
        int rc;

        if (argc < 1 || strcmp (argv[0], "import") != 0)
                return usage_error (argc < 1 ? "no subcommand" : "unknown subcommand");
        if ((rc = parse_args (&c, argc - 1, argv + 1)) != 0)
                return rc;
        if (import (&c, &err) < 0) {
                fprintf (stderr, "hardened verdicts import: %s\n", err.msg);
                return err.exit == HD_EXIT_INTERNAL ? err.exit : TOOL_REFUSED;
        }
        return TOOL_OK;
}
