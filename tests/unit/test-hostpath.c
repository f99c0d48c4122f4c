#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hardened/hostpath.h"

#include "tap.h"

/* mountinfo as the kernel writes it: optional fields, escapes, nsfs roots,
 * two mounts stacked on one point. */
static const char table_text[] = "27 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw\n"
                                 "22 27 0:21 / /proc rw,nosuid - proc proc rw\n"
                                 "25 24 0:23 / /dev/shm rw - tmpfs tmpfs rw\n"
                                 "30 25 0:27 / /dev/shm rw - tmpfs tmpfs rw\n"
                                 "61 27 254:0 /etc /var/lib/docker/volumes/evil/_data rw master:3 - ext4 /dev/vda rw\n"
                                 "62 27 254:0 /srv/with\\040space /mnt/a\\134b rw - ext4 /dev/vda rw\n"
                                 "70 27 0:4 net:[4026532281] /run/docker/netns/0a1b rw - nsfs nsfs rw\n";

static void
test_parse (void)
{
        struct hostpath_mounts t;
        struct hd_err err;
        char *text = strdup (table_text);
        const struct hostpath_mount *m;
        char fs[PATH_MAX];

        ok (hostpath_mounts_parse (text, &t, &err) == 0, "a kernel mount table parses");
        ok (t.n == 7, "one entry per line (%zu)", t.n);
        m = hostpath_mount_by_id (&t, 61);
        ok (m && m->major == 254 && m->minor == 0, "device numbers");
        is_str (m ? m->root : NULL, "/etc", "root field");
        is_str (m ? m->fstype : NULL, "ext4", "type after the optional fields");
        hostpath_in_fs (m, "/var/lib/docker/volumes/evil/_data/ssl/certs", fs, sizeof fs);
        is_str (fs, "/etc/ssl/certs", "a path below a bind mount maps to its filesystem path");
        m = hostpath_mount_by_id (&t, 62);
        is_str (m ? m->root : NULL, "/srv/with space", "\\040 unescaped");
        is_str (m ? m->point : NULL, "/mnt/a\\b", "\\134 unescaped");
        m = hostpath_mount_of (&t, "/dev/shm/x");
        ok (m && m->id == 30, "of two mounts on one point, the later (on top) holds the path");
        m = hostpath_mount_of (&t, "/var/lib/docker/volumes/evil");
        ok (m && m->id == 27, "a path beside a mount point is on the parent mount");
        hostpath_in_fs (m, "/var/lib/docker", fs, sizeof fs);
        is_str (fs, "/var/lib/docker", "on the root mount a path is itself");
        is_str (hostpath_mount_by_id (&t, 70)->fstype, "nsfs", "nsfs root (not a path) accepted");
        hostpath_mounts_free (&t);
}

static void
test_malformed (void)
{
        static const char *const bad[] = {
                "27 1 254:0 / / rw - ext4\n",            /* no source field */
                "27 1 254 / / rw - ext4 /dev/vda rw\n",  /* no minor */
                "x 1 254:0 / / rw - ext4 /dev/vda rw\n", /* id not a number */
                "27 1 254:0 / relative rw - ext4 /dev/vda rw\n",
                "27 1 254:0 / / rw ext4 /dev/vda rw\n", /* no separator */
        };

        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
                struct hostpath_mounts t;
                struct hd_err err;
                ok (hostpath_mounts_parse (strdup (bad[i]), &t, &err) < 0, "malformed line %zu refused", i);
                hostpath_mounts_free (&t);
        }
}

static void
test_canonical (void)
{
        char out[PATH_MAX];

        hostpath_canonical ("/proc/self/../self/no/such/../thing", out, sizeof out);
        ok (strncmp (out, "/proc/", 6) == 0 && strstr (out, "/self") == NULL && strstr (out, "/no/thing"),
            "an existing symlinked prefix is resolved, the missing rest cleaned (%s)", out);
        hostpath_canonical ("/no-such-dir-hd//a/./b/", out, sizeof out);
        is_str (out, "/no-such-dir-hd/a/b", "nothing exists: the path cleaned");
        hostpath_canonical ("/", out, sizeof out);
        is_str (out, "/", "/ is itself");
        ok (hostpath_under ("/run/x", "/run") && !hostpath_under ("/runx", "/run") && hostpath_under ("/a", "/"),
            "under is component-wise");
}

/* A tree of every kind of link realpath meets, under a fresh directory:
 * links to links, "." and ".." inside targets (ln-up), a relative link from
 * below (dir/sub/ln-back), dangling links and loops. */
static const struct {
        const char *name, *target; /* target NULL: a directory; "": a file */
} tree[] = {
        { "dir", NULL },
        { "dir/file", "" },
        { "dir/sub", NULL },
        { "ln-dir", "dir" },
        { "ln-ln", "ln-dir" },
        { "ln-ln-ln", "ln-ln" },
        { "ln-up", "dir/../dir/./sub" },
        { "ln-parent", ".." },
        { "ln-file", "dir/file" },
        { "ln-root", "/" },
        { "dir/sub/ln-back", "../../ln-ln" },
        { "dangling", "nowhere" },
        { "ln-dangling", "dangling" },
        { "loop-a", "loop-b" },
        { "loop-b", "loop-a" },
        { "self", "self" },
};

static void
make_tree (const char *top)
{
        char path[PATH_MAX], target[PATH_MAX];

        for (size_t i = 0; i < sizeof tree / sizeof tree[0]; i++) {
                snprintf (path, sizeof path, "%s/%s", top, tree[i].name);
                if (!tree[i].target)
                        ok (mkdir (path, 0755) == 0, "mkdir %s", tree[i].name);
                else if (!tree[i].target[0])
                        ok (fclose (fopen (path, "w")) == 0, "create %s", tree[i].name);
                else
                        ok (symlink (tree[i].target, path) == 0, "symlink %s", tree[i].name);
        }
        /* chain-0 -> chain-1 -> ... -> chain-39 -> dir: 40 links, realpath's
         * limit; over-limit -> chain-0 is one more. */
        for (int i = 0; i < 40; i++) {
                snprintf (path, sizeof path, "%s/chain-%d", top, i);
                snprintf (target, sizeof target, i == 39 ? "dir" : "chain-%d", i + 1);
                if (symlink (target, path) != 0)
                        ok (0, "symlink chain-%d", i);
        }
        snprintf (path, sizeof path, "%s/over-limit", top);
        ok (symlink ("chain-0", path) == 0, "symlink over-limit");
}

static void
remove_tree (const char *top)
{
        char path[PATH_MAX];

        for (int i = 0; i < 40; i++) {
                snprintf (path, sizeof path, "%s/chain-%d", top, i);
                unlink (path);
        }
        snprintf (path, sizeof path, "%s/over-limit", top);
        unlink (path);
        for (size_t i = sizeof tree / sizeof tree[0]; i-- > 0;) {
                snprintf (path, sizeof path, "%s/%s", top, tree[i].name);
                if (tree[i].target)
                        unlink (path);
                else
                        rmdir (path);
        }
        ok (rmdir (top) == 0, "the tree removed");
}

/* Paths below the tree, each asked twice (the second answer is the
 * remembered one) and compared with glibc's realpath: result and errno. */
static const char *const walks[] = {
        "",
        "/",
        "/.",
        "/./",
        "//",
        "/dir",
        "/dir/",
        "/dir/.",
        "/dir/..",
        "/dir/../dir//sub/",
        "/dir/file",
        "/dir/file/",
        "/dir/file/.",
        "/dir/file/..",
        "/dir/file/x",
        "/ln-dir",
        "/ln-dir/",
        "/ln-dir/sub/..",
        "/ln-dir/..",
        "/ln-ln",
        "/ln-ln/sub",
        "/ln-ln-ln/sub/../file",
        "/ln-up",
        "/ln-up/..",
        "/ln-parent",
        "/ln-parent/..",
        "/ln-file",
        "/ln-file/",
        "/ln-file/..",
        "/ln-root",
        "/ln-root/..",
        "/ln-root/proc/self/..",
        "/dir/sub/ln-back",
        "/dir/sub/ln-back/sub/ln-back/file",
        "/ln-dir/sub/ln-back/./sub",
        "/dangling",
        "/dangling/",
        "/dangling/x",
        "/ln-dangling",
        "/ln-dangling/x",
        "/ln-dangling/..",
        "/missing",
        "/missing/",
        "/missing/..",
        "/missing/x/..",
        "/loop-a",
        "/loop-a/x",
        "/self",
        "/self/..",
        "/chain-0",
        "/chain-0/file",
        "/over-limit",
        "/over-limit/file",
        "/dir/sub/../../ln-ln/../ln-file",
};

static void
compare_realpath (const char *path)
{
        char want[PATH_MAX] = "", got[PATH_MAX] = "";
        int want_errno, got_errno;
        bool want_ok, got_ok;

        errno = 0;
        want_ok = realpath (path, want) != NULL;
        want_errno = errno;
        for (int round = 0; round < 2; round++) {
                errno = 0;
                got_ok = hostpath_realpath (path, got) == 0;
                got_errno = errno;
                if (want_ok)
                        is_str (got_ok ? got : "(failed)", want, "%s, %s: as realpath", path,
                                round ? "remembered" : "first");
                else
                        ok (!got_ok && got_errno == want_errno, "%s, %s: fails as realpath (errno %d, got %d)", path,
                            round ? "remembered" : "first", want_errno, got_ok ? 0 : got_errno);
        }
}

/* Missing paths below links: the longest existing prefix resolved, then the
 * rest, cleaned.  "@" in `path` is the tree's own name (reached again from
 * its parent). */
static const struct {
        const char *path, *want, *what;
} canonical_cases[] = {
        { "/ln-ln-ln/missing/../x", "/dir/x", "a link to a link to a link, then a missing component and .." },
        { "/dir/sub/ln-back/sub/new/file", "/dir/sub/new/file", "a relative link back up, then missing components" },
        { "/ln-parent/@/ln-dir/../dir/new", "/dir/new", "a link to .., then .. after a link" },
        { "/ln-dangling/x", "/ln-dangling/x", "a link to a dangling link: its directory resolved, the names kept" },
};

static void
canonical_links (const char *top, const char *real)
{
        char path[PATH_MAX * 2], got[PATH_MAX], want[PATH_MAX * 2];
        const char *name = strrchr (top, '/') + 1;

        for (size_t i = 0; i < sizeof canonical_cases / sizeof canonical_cases[0]; i++) {
                const char *at = strchr (canonical_cases[i].path, '@');
                if (at)
                        snprintf (path, sizeof path, "%s%.*s%s%s", top, (int) (at - canonical_cases[i].path),
                                  canonical_cases[i].path, name, at + 1);
                else
                        snprintf (path, sizeof path, "%s%s", top, canonical_cases[i].path);
                hostpath_canonical (path, got, sizeof got);
                snprintf (want, sizeof want, "%s%s", real, canonical_cases[i].want);
                is_str (got, want, "%s", canonical_cases[i].what);
        }
}

static void
test_realpath (void)
{
        char top[] = "/tmp/hd-hostpath.XXXXXX", real[PATH_MAX], path[PATH_MAX * 2];

        if (!mkdtemp (top)) {
                ok (0, "mkdtemp: %s", strerror (errno));
                return;
        }
        make_tree (top);
        for (size_t i = 0; i < sizeof walks / sizeof walks[0]; i++) {
                snprintf (path, sizeof path, "%s%s", top, walks[i]);
                compare_realpath (walks[i][0] ? path : walks[i]);
        }
        compare_realpath ("/");
        compare_realpath ("/..");
        compare_realpath ("/../..//./");
        compare_realpath ("relative-and-missing");
        ok (realpath (top, real) != NULL, "realpath of the tree");
        canonical_links (top, real);
        remove_tree (top);
}

int
main (void)
{
        test_parse ();
        test_malformed ();
        test_canonical ();
        test_realpath ();
        printf ("1..%d\n", tap_n);
        return tap_failed ? 1 : 0;
}
