#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hardened/hostpath.h"
#include "hardened/num.h"
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

/* ---- realpath, one readlink per distinct component ------------------------
 *
 * glibc's realpath reads the link of every component of every path it is
 * given: a create asks about the same few ancestors (/var, /var/lib, /run
 * ...) for each host path the mount rules compare, about 150 readlink calls.
 * hostpath_realpath walks a path as realpath does, step for step (the same
 * ".." on the resolved prefix, the same directory check before a trailing
 * "/" or a "..", the same 40-link limit, the same errno), but asks the
 * kernel about each resolved prefix once per process.  The process decides
 * one call and execs, so the host's paths are taken as they were when it
 * first asked, as they are for the rest of its check anyway: a link changed
 * after the first look could as well have changed after the last.
 * tests/unit/test-hostpath compares it with realpath(3) case by case. */

#define LINK_MEMO 1024   /* distinct prefixes remembered; past that, asked anew */
#define LINK_PROBES 8    /* open addressing: slots tried per lookup */
#define LINK_MAX_HOPS 40 /* glibc's __eloop_threshold on Linux */

/* One remembered answer about a path; the memos never drop an entry. */
struct path_memo {
        char *path;  /* the question */
        char *value; /* the answer, or NULL: there was none (`error` says why) */
        int error;
};

/* A memo: an open-addressing table of small indices into entries taken in
 * order, so a memo touches memory as it fills, not as the hash spreads its
 * paths (a table of whole entries had every one of its pages faulted in,
 * twice, by a create's few dozen paths). */
struct memo_table {
        uint16_t *slot;          /* 0: free; else 1 + the index of the entry */
        struct path_memo *entry; /* entry[0..used) */
        size_t slots, used;      /* slots: of each array */
};

static uint16_t link_slots[LINK_MEMO];
static struct path_memo link_entries[LINK_MEMO];
static struct memo_table link_memo = { link_slots, link_entries, LINK_MEMO, 0 }; /* a resolved prefix's link target */

/* A memo's first slot for a path: FNV-1a's step over eight bytes at a time
 * (the last word zero-padded, the length mixed in), a fraction of hd_hash's
 * cost on these short keys.  Unkeyed on purpose: a lookup tries at most
 * LINK_PROBES slots and every entry holds its whole path, so paths a
 * config chooses to collide only cost a lookup anew, never an answer (the
 * mount rules' destination index, whose chains could grow, is keyed). */
static size_t
memo_slot (const char *path, size_t len, size_t slots)
{
        uint64_t h = 0xcbf29ce484222325ull ^ len, w;
        size_t i = 0;

        for (; len - i >= 8; i += 8) {
                memcpy (&w, path + i, 8);
                h = (h ^ w) * 0x100000001b3ull;
                h ^= h >> 29;
        }
        w = 0;
        memcpy (&w, path + i, len - i);
        h = (h ^ w) * 0x100000001b3ull;
        h ^= h >> 32;
        return (size_t) (h % slots);
}

/* path's entry in `t`, else NULL and *free_slot the slot it would take
 * (NULL: its probes are all taken by other paths). */
static struct path_memo *
memo_find (struct memo_table *t, const char *path, uint16_t **free_slot)
{
        size_t slot = memo_slot (path, strlen (path), t->slots);

        *free_slot = NULL;
        for (size_t probe = 0; probe < LINK_PROBES; probe++) {
                uint16_t *s = &t->slot[(slot + probe) % t->slots];
                if (!*s) {
                        *free_slot = s;
                        return NULL;
                }
                if (strcmp (t->entry[*s - 1].path, path) == 0)
                        return &t->entry[*s - 1];
        }
        return NULL;
}

/* Take path and its answer (NULL: none, for `error`) into the next entry,
 * through free_slot (memo_find's; NULL: none); out of memory takes nothing. */
static void
memo_put (struct memo_table *t, uint16_t *free_slot, const char *path, const char *value, int error)
{
        struct path_memo *m;

        if (!free_slot || t->used >= t->slots)
                return;
        m = &t->entry[t->used];
        m->error = error;
        m->value = NULL;
        if (!(m->path = strdup (path)) || (value && !(m->value = strdup (value)))) {
                free (m->path);
                m->path = NULL;
                return;
        }
        *free_slot = (uint16_t) ++t->used;
}

/* readlink (path) into target (PATH_MAX), remembered: the target's length,
 * or -1 with errno as readlink left it. */
static ssize_t
link_read (const char *path, char *target)
{
        uint16_t *free_slot;
        struct path_memo *m = memo_find (&link_memo, path, &free_slot);
        ssize_t n;

        if (m && !m->value) {
                errno = m->error;
                return -1;
        }
        if (m) {
                n = (ssize_t) strlen (m->value);
                memcpy (target, m->value, (size_t) n + 1);
                return n;
        }
        n = readlink (path, target, PATH_MAX - 1);
        if (n >= 0)
                target[n] = '\0';
        if (n < PATH_MAX - 1) { /* a target that filled the buffer: not remembered, realpath's own case */
                int saved = errno;
                memo_put (&link_memo, free_slot, path, n >= 0 ? target : NULL, saved);
                errno = saved;
        }
        return n;
}

/* Does what follows a component make realpath check that it is a
 * directory: only "/"s after it, or a "/." or "/.." next? */
static bool
link_suffix_needs_dir (const char *end)
{
        while (*end == '/') {
                while (*end == '/')
                        end++;
                if (*end == '\0')
                        return true;
                if (end[0] != '.')
                        return false;
                if (end[1] == '\0' || end[1] == '/' || (end[1] == '.' && (end[2] == '\0' || end[2] == '/')))
                        return true;
                return false;
        }
        return false;
}

/* The state of one walk: the resolved prefix (res, "" for "/") and what
 * is left to resolve (rest, from pos). */
struct link_walk {
        char res[PATH_MAX], rest[PATH_MAX];
        size_t rlen, pos;
        unsigned hops;
};

/* The component at w->rest + w->pos (len bytes) was appended to w->res and
 * is a link to `target`: what is left becomes target + the components
 * after it, from "/" when the target is absolute.  1: done, 0: the path is
 * too long for these buffers (realpath itself is asked), -1: ELOOP. */
static int
link_follow (struct link_walk *w, size_t len, const char *target, size_t tlen)
{
        const char *tail = w->rest + w->pos + len;
        size_t taillen = strlen (tail);

        if (++w->hops > LINK_MAX_HOPS) {
                errno = ELOOP;
                return -1;
        }
        if (tlen + taillen >= sizeof w->rest)
                return 0;
        memmove (w->rest + tlen, tail, taillen + 1);
        memcpy (w->rest, target, tlen);
        w->pos = 0;
        if (target[0] == '/')
                w->rlen = 0;
        else
                while (w->rlen > 0 && w->res[--w->rlen] != '/')
                        ;
        w->res[w->rlen] = '\0';
        return 1;
}

/* One component of len bytes at w->rest + w->pos, not "." or "..":
 * appended and looked at.  1: go on, 0: too long (ask realpath), -1: errno. */
static int
link_step (struct link_walk *w, size_t len)
{
        char target[PATH_MAX];
        ssize_t n;

        if (w->rlen + 1 + len >= sizeof w->res)
                return 0;
        w->res[w->rlen++] = '/';
        memcpy (w->res + w->rlen, w->rest + w->pos, len);
        w->rlen += len;
        w->res[w->rlen] = '\0';
        n = link_read (w->res, target);
        if (n >= PATH_MAX - 1)
                return 0; /* maybe cut: realpath reads it with a larger buffer */
        if (n >= 0)
                return link_follow (w, len, target, (size_t) n);
        w->pos += len;
        if (!link_suffix_needs_dir (w->rest + w->pos))
                return errno == EINVAL ? 1 : -1;
        if (w->rlen + 1 >= sizeof w->res)
                return 0;
        memcpy (w->res + w->rlen, "/", 2);
        n = faccessat (AT_FDCWD, w->res, F_OK, AT_EACCESS);
        w->res[w->rlen] = '\0';
        return n == 0 ? 1 : -1;
}

static int
link_walk (struct link_walk *w)
{
        for (;;) {
                const char *p = w->rest + w->pos;
                size_t len;
                int r;

                while (*p == '/')
                        p++;
                w->pos = (size_t) (p - w->rest);
                if (*p == '\0')
                        return 1;
                len = strcspn (p, "/");
                if (len == 1 && p[0] == '.') {
                        w->pos += len;
                        continue;
                }
                if (len == 2 && p[0] == '.' && p[1] == '.') {
                        while (w->rlen > 0 && w->res[--w->rlen] != '/')
                                ;
                        w->res[w->rlen] = '\0';
                        w->pos += len;
                        continue;
                }
                if ((r = link_step (w, len)) <= 0)
                        return r;
        }
}

int
hostpath_realpath (const char *path, char *out)
{
        struct link_walk w; /* not zeroed: 8 KiB a call */
        size_t len = strlen (path);
        int r;

        if (path[0] != '/' || len >= sizeof w.rest)
                return realpath (path, out) ? 0 : -1;
        w.rlen = w.pos = 0;
        w.hops = 0;
        w.res[0] = '\0';
        memcpy (w.rest, path, len + 1);
        r = link_walk (&w);
        if (r == 0)
                return realpath (path, out) ? 0 : -1;
        if (r < 0)
                return -1;
        if (w.rlen == 0)
                memcpy (out, "/", 2);
        else
                memcpy (out, w.res, w.rlen + 1);
        return 0;
}

/* Whole paths, remembered too: hostpath_canonical asks about each path
 * and its ancestors, and the same paths come back for every rule.  A NULL
 * value: the path did not resolve.  Full (LINK_PROBES slots taken): asked
 * anew. */
#define REALPATH_MEMO 256

static bool
memo_realpath (const char *path, char *out)
{
        static uint16_t slots[REALPATH_MEMO];
        static struct path_memo entries[REALPATH_MEMO];
        static struct memo_table memo = { slots, entries, REALPATH_MEMO, 0 };
        char resolved[PATH_MAX];
        uint16_t *free_slot;
        bool ok;
        struct path_memo *m = memo_find (&memo, path, &free_slot);

        if (m) {
                if (m->value)
                        memcpy (out, m->value, strlen (m->value) + 1);
                return m->value != NULL;
        }
        ok = hostpath_realpath (path, resolved) == 0;
        if (ok)
                memcpy (out, resolved, strlen (resolved) + 1);
        memo_put (&memo, free_slot, path, ok ? resolved : NULL, 0);
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
                        hd_append (joined, sizeof joined, 0, (const char *[]) { resolved, "/", path + cut }, 3);
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

        hd_append (joined, sizeof joined, 0, (const char *[]) { m->root, "/", rest }, 3);
        hostpath_clean (joined, out, size);
}
