#include "config.h"

/* mntns-escape PATH: run inside a container with CAP_SYS_ADMIN and
 * CAP_SYS_CHROOT (umount2, setns), print
 * "PATH: reachable" when the host's PATH can be reached from it, else
 * "PATH: not reachable".
 *
 * Without pivot_root(2) (runc --no-pivot: MS_MOVE of the rootfs onto "/",
 * then chroot) the host's root stays the mount namespace's root, covered by
 * the container's.  Detaching "/" and joining its own mount namespace again
 * (setns(2) puts the caller at the namespace's root) lands on the host's
 * root filesystem.  After pivot_root the namespace's root is the
 * container's own and "/" cannot be detached.  Linked statically: it runs
 * in a busybox rootfs. */

#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

int
main (int argc, char **argv)
{
        struct stat st;
        int fd;

        if (argc != 2) {
                fprintf (stderr, "usage: mntns-escape PATH\n");
                return 2;
        }
        fd = open ("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
                perror ("open /proc/self/ns/mnt");
                return 2;
        }
        if (umount2 ("/", MNT_DETACH) < 0)
                perror ("umount2 /"); /* expected after pivot_root: EINVAL */
        if (setns (fd, CLONE_NEWNS) < 0) {
                perror ("setns");
                return 2;
        }
        printf ("%s: %s\n", argv[1], stat (argv[1], &st) == 0 ? "reachable" : "not reachable");
        return 0;
}
