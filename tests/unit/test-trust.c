/* trust_check_stat: who may own, and who may write, a file the shim trusts.
 * One row per case: the object's owner, type and mode, whether it is an
 * ancestor, and the verdict with the problem the message must name. */
#include "config.h"

#include <sys/stat.h>
#include <unistd.h>

#include "hardened/trust.h"

#include "tap.h"

#define OTHER_UID 1u /* a marker: replaced by a uid that is neither root nor the caller */

static const struct {
        const char *what;
        unsigned uid; /* 0 or OTHER_UID */
        mode_t mode;  /* type and permission bits */
        bool ancestor;
        const char *problem; /* NULL: trusted */
} cases[] = {
        { "root file 0644", 0, S_IFREG | 0644, false, NULL },
        { "root file 0600", 0, S_IFREG | 0600, false, NULL },
        { "root file 0664", 0, S_IFREG | 0664, false, "writable by its group (mode 0664)" },
        { "root file 0646", 0, S_IFREG | 0646, false, "writable by others (mode 0646)" },
        { "root file 0666", 0, S_IFREG | 0666, false, "writable by others (mode 0666)" },
        { "someone else's file 0644", OTHER_UID, S_IFREG | 0644, false, "owned by uid " },
        { "someone else's file 0444", OTHER_UID, S_IFREG | 0444, false, "owned by uid " },
        { "root dir 0755", 0, S_IFDIR | 0755, true, NULL },
        { "root dir 0711", 0, S_IFDIR | 0711, true, NULL },
        { "root dir 0775", 0, S_IFDIR | 0775, true, "writable by its group (mode 0775)" },
        { "root dir 0777 (not sticky)", 0, S_IFDIR | 0777, true, "writable by others (mode 0777)" },
        { "root dir 1777 as an ancestor (/tmp)", 0, S_IFDIR | 01777, true, NULL },
        { "root dir 1777 as the object itself", 0, S_IFDIR | 01777, false, "writable by others (mode 1777)" },
        { "root dir 1775 as an ancestor", 0, S_IFDIR | 01775, true, NULL },
        { "someone else's sticky dir 1777", OTHER_UID, S_IFDIR | 01777, true, "owned by uid " },
        { "someone else's dir 0755 (they can chmod it)", OTHER_UID, S_IFDIR | 0755, true, "owned by uid " },
        { "root symlink (its mode means nothing)", 0, S_IFLNK | 0777, true, NULL },
        { "someone else's symlink (they may replace it)", OTHER_UID, S_IFLNK | 0777, true, "owned by uid " },
        { "root file 1666 as an ancestor is no sticky dir", 0, S_IFREG | 01666, true, "writable by others" },
};

int
main (void)
{
        struct hd_err err;

        for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
                uid_t other = geteuid () == 4242 ? 4343 : 4242;
                struct stat st = { .st_uid = cases[i].uid == OTHER_UID ? other : cases[i].uid,
                                   .st_mode = cases[i].mode };
                int rc = trust_check_stat ("/x", &st, cases[i].ancestor, &err);

                if (!cases[i].problem) {
                        ok (rc == 0, "trusted: %s", cases[i].what);
                        continue;
                }
                ok (rc < 0 && err.exit == HD_EXIT_REFUSED, "refused: %s", cases[i].what);
                has_str (rc < 0 ? err.msg : "", cases[i].problem, "the message names it: %s", cases[i].what);
        }
        if (geteuid () != 0) {
                struct stat mine = { .st_uid = geteuid (), .st_mode = S_IFREG | 0644 };
                ok (trust_check_stat ("/x", &mine, false, &err) == 0, "the caller's own file is trusted");
        }
        return tap_done ();
}
