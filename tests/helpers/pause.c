#include "config.h"

/* pause: the pod sandbox's process in tests/cri's pause image (the
 * kubelet's sandbox image, without a registry).  It holds the pod's
 * namespaces open: sleeps until SIGTERM or SIGINT, then exits 0; as pid 1
 * of the pod's pid namespace (shareProcessNamespace) it reaps whatever is
 * re-parented to it.  Linked statically: the image has nothing else. */

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static void
on_stop (int sig)
{
        (void) sig;
        _exit (0);
}

static void
on_child (int sig)
{
        (void) sig;
        while (waitpid (-1, NULL, WNOHANG) > 0)
                ;
}

int
main (void)
{
        struct sigaction stop = { .sa_handler = on_stop };
        struct sigaction child = { .sa_handler = on_child, .sa_flags = SA_NOCLDSTOP | SA_RESTART };

        sigaction (SIGTERM, &stop, NULL);
        sigaction (SIGINT, &stop, NULL);
        sigaction (SIGCHLD, &child, NULL);
        for (;;)
                pause ();
}
