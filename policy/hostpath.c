#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hardened/hostpath.h"
#include "hardened/num.h"
#include "hardened/siphash.h"
#include "hardened/util.h"

/* A mount table larger than this is refused rather than half read. */
#define HOSTPATH_MOUNTINFO_MAX (16u << 20)

bool
hostpath_under (const char *path, const char *base)
{
        size_t n = strlen (base);

        if (strcmp (base, "/") == 0)
                return true;
        return strncmp (path, base, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

void
hostpath_clean (const char *in, char *out, size_t size)
{
        size_t used = 0;
        const char *p = in;

        out[0] = '\0';
        while (*p) {
                size_t len;
                while (*p == '/')
                        p++;
                len = strcspn (p, "/");
                if (len == 0 || (len == 1 && p[0] == '.')) {
                        p += len;
                        continue;
                }
                if (len == 2 && p[0] == '.' && p[1] == '.') {
                        while (used > 0 && out[--used] != '/')
                                ;
                        out[used] = '\0';
                } else if (used + len + 2 < size) {
                        out[used++] = '/';
                        memcpy (out + used, p, len);
                        used += len;
                        out[used] = '\0';
                }
                p += len;
        }
        if (used == 0)
                snprintf (out, size, "/");
}

/* realpath() answers, remembered for the rest of the process: a call asks
 * about the same few ancestors (/var, /var/lib, /run ...) for every host
 * path it canonicalises, and glibc's realpath reads every component's link
 * each time (hundreds of readlink calls per create).  The process decides
 * one call and execs, so the host's paths are taken as they were when it
 * first asked (as they are for the rest of its check anyway).  Full: asked
 * anew.  NULL `resolved` in an entry: the path did not resolve. */
#define REALPATH_MEMO 256

struct realpath_memo {
        char *path;
        char *resolved;
};

static bool
memo_realpath (const char *path, char *out)
{
        static struct realpath_memo memo[REALPATH_MEMO];
        size_t len = strlen (path), slot = (size_t) hd_hash (0x7265616c70617468ull, path, len) % REALPATH_MEMO;
        char resolved[PATH_MAX];
        bool ok;

        for (size_t probe = 0; probe < 8; probe++) {
                struct realpath_memo *m = &memo[(slot + probe) % REALPATH_MEMO];
                if (!m->path)
                        break;
                if (strcmp (m->path, path) == 0) {
                        if (m->resolved)
                                memcpy (out, m->resolved, strlen (m->resolved) + 1);
                        return m->resolved != NULL;
                }
        }
        ok = realpath (path, resolved) != NULL;
        if (ok)
                memcpy (out, resolved, strlen (resolved) + 1);
        for (size_t probe = 0; probe < 8; probe++) {
                struct realpath_memo *m = &memo[(slot + probe) % REALPATH_MEMO];
                if (m->path)
                        continue;
                if ((m->path = strdup (path)) && ok && !(m->resolved = strdup (resolved))) {
                        free (m->path);
                        m->path = NULL;
                }
                break;
        }
        return ok;
}

/* realpath of the longest existing prefix of `path` (cut at a '/'), then
 * the rest.  Each try costs one remembered realpath; paths are a few
 * components. */
void
hostpath_canonical (const char *path, char *out, size_t size)
{
        char head[PATH_MAX], resolved[PATH_MAX], joined[PATH_MAX * 2];
        size_t cut = strlen (path);

        if (cut >= sizeof head) {
                hostpath_clean (path, out, size);
                return;
        }
        memcpy (head, path, cut + 1);
        for (;;) {
                if (memo_realpath (cut ? head : "/", resolved)) {
                        snprintf (joined, sizeof joined, "%s/%s", resolved, path + cut);
                        hostpath_clean (joined, out, size);
                        return;
                }
                while (cut > 0 && head[cut - 1] == '/')
                        cut--;
                while (cut > 0 && head[cut - 1] != '/')
                        cut--;
                if (cut == 0) {
                        hostpath_clean (path, out, size);
                        return;
                }
                head[--cut] = '\0';
        }
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void
unescape (char *s)
{
        char *w = s;

        for (char *r = s; *r; r++) {
                if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' && r[3] >= '0'
                    && r[3] <= '7') {
                        *w++ = (char) ((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
                        r += 3;
                } else {
                        *w++ = *r;
                }
        }
        *w = '\0';
}

/* Split `line` at spaces into at most `max` fields; returns the count. */
static size_t
split_fields (char *line, char **f, size_t max)
{
        size_t n = 0;

        for (char *p = line; *p && n < max;) {
                f[n++] = p;
                p += strcspn (p, " ");
                if (*p)
                        *p++ = '\0';
        }
        return n;
}

/* "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw": the
 * fields before "-" are fixed except the optional ones; type, source and
 * super options follow it.
 * The root is a path except for nsfs ("net:[4026531840]"). */
static int
parse_line (char *line, struct hostpath_mount *m)
{
        char *f[64], *colon;
        size_t n = split_fields (line, f, HD_ARRAY_SIZE (f)), dash = 6;
        uint32_t major, minor;

        while (dash < n && strcmp (f[dash], "-") != 0)
                dash++;
        if (n < 7 || dash + 3 > n || !(colon = strchr (f[2], ':')))
                return -1;
        *colon = '\0';
        if (parse_u64 (f[0], strlen (f[0]), &m->id) < 0 || parse_u32 (f[2], strlen (f[2]), &major) < 0
            || parse_u32 (colon + 1, strlen (colon + 1), &minor) < 0 || !f[3][0] || f[4][0] != '/')
                return -1;
        unescape (f[3]);
        unescape (f[4]);
        m->major = major;
        m->minor = minor;
        m->root = f[3];
        m->point = f[4];
        m->fstype = f[dash + 1];
        return 0;
}

int
hostpath_mounts_parse (char *text, struct hostpath_mounts *t, struct hd_err *err)
{
        size_t lines = 0, line_no = 0;
        char *p = text;

        *t = (struct hostpath_mounts) { .buf = text };
        for (const char *q = text; *q; q++)
                lines += *q == '\n';
        t->m = calloc (lines + 1, sizeof *t->m);
        if (!t->m)
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        while (*p) {
                char *nl = strchr (p, '\n');
                if (nl)
                        *nl = '\0';
                line_no++;
                if (*p && parse_line (p, &t->m[t->n++]) < 0)
                        return hd_err_set (err, HD_EXIT_INTERNAL, EINVAL, "mount table line %zu is malformed", line_no);
                if (!nl)
                        break;
                p = nl + 1;
        }
        return 0;
}

int
hostpath_mounts_read (const char *file, struct hostpath_mounts *t, struct hd_err *err)
{
        _cleanup_close_ int fd = open (file, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        _cleanup_free_ char *buf = NULL;
        size_t used = 0, cap = 0;

        *t = (struct hostpath_mounts) { 0 };
        if (fd < 0)
                return hd_err_sys (err, HD_EXIT_INTERNAL, errno, "open %s", file);
        for (;;) {
                ssize_t r;
                if (cap - used < 4096) {
                        char *grown;
                        if (cap >= HOSTPATH_MOUNTINFO_MAX)
                                return hd_err_set (err, HD_EXIT_INTERNAL, EFBIG, "%s: larger than %u bytes", file,
                                                   HOSTPATH_MOUNTINFO_MAX);
                        cap = cap ? cap * 2 : 32768;
                        if (!(grown = realloc (buf, cap + 1)))
                                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
                        buf = grown;
                }
                r = read (fd, buf + used, cap - used);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0)
                        return hd_err_sys (err, HD_EXIT_INTERNAL, errno, "read %s", file);
                if (r == 0)
                        break;
                used += (size_t) r;
        }
        buf[used] = '\0';
        return hostpath_mounts_parse (steal_ptr (&buf), t, err);
}

void
hostpath_mounts_free (struct hostpath_mounts *t)
{
        free (t->m);
        free (t->buf);
        *t = (struct hostpath_mounts) { 0 };
}

const struct hostpath_mount *
hostpath_mount_by_id (const struct hostpath_mounts *t, uint64_t id)
{
        for (size_t i = 0; i < t->n; i++)
                if (t->m[i].id == id)
                        return &t->m[i];
        return NULL;
}

const struct hostpath_mount *
hostpath_mount_of (const struct hostpath_mounts *t, const char *path)
{
        const struct hostpath_mount *best = NULL;
        size_t best_len = 0;

        for (size_t i = 0; i < t->n; i++) {
                size_t len = strlen (t->m[i].point);
                if (hostpath_under (path, t->m[i].point) && (!best || len >= best_len)) {
                        best = &t->m[i];
                        best_len = len;
                }
        }
        return best;
}

void
hostpath_in_fs (const struct hostpath_mount *m, const char *path, char *out, size_t size)
{
        const char *rest = strcmp (m->point, "/") == 0 ? path : path + strlen (m->point);
        char joined[PATH_MAX * 2];

        snprintf (joined, sizeof joined, "%s/%s", m->root, rest);
        hostpath_clean (joined, out, size);
}
