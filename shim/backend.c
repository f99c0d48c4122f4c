#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend.h"

extern char **environ;

int
backend_check (const char *path, struct hd_err *err)
{
        struct stat st, self;

        if (stat (path, &st) < 0)
                return hd_err_sys (err, errno == ENOENT ? HD_EXIT_NOTFOUND : HD_EXIT_NOEXEC, errno,
                                   "backend runtime %s", path);
        if (!S_ISREG (st.st_mode) || access (path, X_OK) < 0)
                return hd_err_set (err, HD_EXIT_NOEXEC, EACCES, "backend runtime %s is not an executable file", path);
        if (stat ("/proc/self/exe", &self) == 0 && self.st_dev == st.st_dev && self.st_ino == st.st_ino)
                return hd_err_set (err, HD_EXIT_NOEXEC, ELOOP,
                                   "backend runtime %s is this hardened binary itself; point the "
                                   "policy's \"runtime\" or --backend at the real runc",
                                   path);
        return 0;
}

int
backend_exec (const char *path, char **argv, struct hd_err *err)
{
        execve (path, argv, environ);
        return hd_err_sys (err, errno == ENOENT ? HD_EXIT_NOTFOUND : HD_EXIT_NOEXEC, errno,
                           "cannot execute backend runtime %s", path);
}
