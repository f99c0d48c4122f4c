#include "config.h"

/* subreaper [--host-mounts] PIDFILE COMMAND [ARG...]: run COMMAND (a private
 * containerd for tests/cri and tests/e2e) as a child subreaper in a mount
 * namespace of its own, write this process's pid to PIDFILE, and stay until
 * COMMAND is gone.  --host-mounts: stay in the caller's mount namespace
 * (tests/e2e: dockerd, outside, mounts the root filesystems the shims run).
 *
 * Orphaned containerd shims are not reaped by pid 1 on these machines, and
 * the mounts a CRI containerd makes (rootfs overlays, pod netns binds,
 * /dev/shm) must not outlive the test: as a subreaper this process adopts
 * every shim and container process COMMAND leaves behind, and the private
 * mount namespace (propagation private, so nothing flows back to the host)
 * takes those mounts with it when the last process in it exits.
 *
 * SIGTERM or SIGINT: forwarded to COMMAND; once COMMAND has exited every
 * remaining descendant (each re-parented to this process, found by its
 * parent pid in /proc, never by name) is sent SIGKILL and reaped, until
 * none is left.  Exits with COMMAND's status. */

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <sched.h>
#include <unistd.h>

static volatile sig_atomic_t stop_requested;

static void
on_stop (int sig)
{
        (void) sig;
        stop_requested = 1;
}

/* The parent pid of PID from /proc/PID/stat, or -1 (the process is gone or
 * the line is not as expected).  The command name is in parentheses and may
 * hold anything, so the fields are read after its last ')'. */
static pid_t
parent_of (pid_t pid)
{
        char path[64], buf[512], *p;
        FILE *f;
        long ppid;
        size_t n;

        snprintf (path, sizeof path, "/proc/%d/stat", (int) pid);
        f = fopen (path, "re");
        if (f == NULL)
                return -1;
        n = fread (buf, 1, sizeof buf - 1, f);
        fclose (f);
        buf[n] = '\0';
        p = strrchr (buf, ')');
        if (p == NULL || sscanf (p + 1, " %*c %ld", &ppid) != 1)
                return -1;
        return (pid_t) ppid;
}

/* SIGKILL every direct child of this process; returns how many were sent. */
static int
kill_children (void)
{
        pid_t self = getpid ();
        struct dirent *e;
        int n = 0;
        DIR *d;

        d = opendir ("/proc");
        if (d == NULL)
                return 0;
        while ((e = readdir (d)) != NULL) {
                char *end;
                long pid = strtol (e->d_name, &end, 10);

                if (*end != '\0' || pid <= 0 || parent_of ((pid_t) pid) != self)
                        continue;
                if (kill ((pid_t) pid, SIGKILL) == 0)
                        n++;
        }
        closedir (d);
        return n;
}

/* Reap every child that has exited; returns COMMAND's status once seen. */
static void
reap (pid_t cmd, int *cmd_status, int *cmd_done, int flags)
{
        int status;
        pid_t p;

        while ((p = waitpid (-1, &status, flags)) > 0) {
                if (p == cmd) {
                        *cmd_status = status;
                        *cmd_done = 1;
                }
                flags = WNOHANG;
        }
}

static int
private_mounts (void)
{
        if (unshare (CLONE_NEWNS) < 0) {
                perror ("subreaper: unshare(CLONE_NEWNS)");
                return -1;
        }
        if (mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
                perror ("subreaper: mount --make-rprivate /");
                return -1;
        }
        return 0;
}

static int
write_pidfile (const char *path)
{
        FILE *f = fopen (path, "we");

        if (f == NULL || fprintf (f, "%d\n", (int) getpid ()) < 0 || fclose (f) != 0) {
                perror (path);
                return -1;
        }
        return 0;
}

static pid_t
spawn (char **argv)
{
        pid_t pid = fork ();

        if (pid == 0) {
                signal (SIGTERM, SIG_DFL);
                signal (SIGINT, SIG_DFL);
                execvp (argv[0], argv);
                perror (argv[0]);
                _exit (127);
        }
        if (pid < 0)
                perror ("subreaper: fork");
        return pid;
}

int
main (int argc, char **argv)
{
        struct sigaction sa = { .sa_handler = on_stop };
        int status = 0, done = 0, forwarded = 0;
        bool host_mounts = argc > 1 && strcmp (argv[1], "--host-mounts") == 0;
        pid_t cmd;

        if (host_mounts) {
                argv++;
                argc--;
        }
        if (argc < 3) {
                fprintf (stderr, "usage: subreaper [--host-mounts] PIDFILE COMMAND [ARG...]\n");
                return 2;
        }
        if (prctl (PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) {
                perror ("subreaper: prctl(PR_SET_CHILD_SUBREAPER)");
                return 1;
        }
        if (!host_mounts && private_mounts () < 0)
                return 1;
        sigaction (SIGTERM, &sa, NULL);
        sigaction (SIGINT, &sa, NULL);
        cmd = spawn (argv + 2);
        if (cmd < 0 || write_pidfile (argv[1]) < 0)
                return 1;
        while (!done) { /* polled: a signal between a check and a blocking wait is not lost */
                if (stop_requested && !forwarded) {
                        kill (cmd, SIGTERM);
                        forwarded = 1;
                }
                reap (cmd, &status, &done, WNOHANG);
                if (!done)
                        usleep (50 * 1000);
        }
        /* COMMAND is gone: what is left are its orphans, now ours. */
        while (kill_children () > 0 || waitpid (-1, NULL, WNOHANG) > 0)
                reap (cmd, &status, &done, 0);
        if (WIFEXITED (status))
                return WEXITSTATUS (status);
        return 128 + WTERMSIG (status);
}
