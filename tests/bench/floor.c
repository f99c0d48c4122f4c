/* The least any wrapper can add to a call: exec the backend named by the
 * first argument with the rest, nothing else.  The bench links it
 * -static-pie (no dynamic loader), so its row is the floor of a wrapper on
 * this machine: one more execve and libc's own start-up.
 *
 *   floor BACKEND ARGS...
 *   floor --yajl FILE BACKEND ARGS...   first parse FILE with yajl as the
 *        shim configures it (strict, strings validated) and no callbacks:
 *        the parse the chosen JSON library costs before any tree is built
 *   built with -DFLOOR_BACKEND='"PATH"': floor ARGS... execs PATH with
 *        ARGS, so an engine can run it as a runtime registered by path
 *        alone, as it would run hardened */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifdef FLOOR_YAJL
#include <yajl/yajl_parse.h>

static int
parse_file (const char *path)
{
        static unsigned char buf[16 << 20];
        int fd = open (path, O_RDONLY | O_CLOEXEC);
        ssize_t n = fd < 0 ? -1 : read (fd, buf, sizeof buf);
        yajl_handle h = n < 0 ? NULL : yajl_alloc (NULL, NULL, NULL);
        int ok = h && yajl_parse (h, buf, (size_t) n) == yajl_status_ok && yajl_complete_parse (h) == yajl_status_ok;

        if (fd >= 0)
                close (fd);
        if (!ok)
                fprintf (stderr, "floor: %s: not parsed\n", path);
        return ok ? 0 : -1;
}
#endif

#ifdef FLOOR_BACKEND
int
main (int argc, char **argv)
{
        (void) argc;
        argv[0] = (char *) FLOOR_BACKEND;
        execv (FLOOR_BACKEND, argv);
        perror (FLOOR_BACKEND);
        return 127;
}
#else
int
main (int argc, char **argv)
{
        int first = 1;

#ifdef FLOOR_YAJL
        if (argc > 3 && strcmp (argv[1], "--yajl") == 0) {
                if (parse_file (argv[2]) < 0)
                        return 1;
                first = 3;
        }
#endif
        if (argc <= first) {
                fprintf (stderr, "usage: floor [--yajl FILE] BACKEND ARGS...\n");
                return 2;
        }
        execv (argv[first], argv + first);
        perror (argv[first]);
        return 127;
}
#endif
