#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

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

int
main (void)
{
        test_parse ();
        test_malformed ();
        test_canonical ();
        printf ("1..%d\n", tap_n);
        return tap_failed ? 1 : 0;
}
