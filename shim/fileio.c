#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "hardened/bigmem.h"
#include "hardened/util.h"

#include "fileio.h"

int
fileio_open_dir (const char *path, struct hd_err *err)
{
        int fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        if (fd < 0)
                return hd_err_sys (err, HD_EXIT_REFUSED, errno, "cannot open directory");
        return fd;
}

#define READ_FIRST 16384u /* bytes, when the size is not known */

/* fileio_read_fd, the buffer first made for `first` bytes (a regular
 * file's size and one more, so the read that finds its end needs no
 * larger buffer); a large one is in huge pages (bigmem.h). */
static int
read_sized (int fd, size_t cap, size_t first, char **out, size_t *len, struct hd_err *err)
{
        _cleanup_free_ char *buf = NULL;
        size_t used = 0, size = 0;

        for (;;) {
                ssize_t r;
                if (used == size) {
                        size_t nsize = size ? size * 2 : first;
                        char *p;
                        if (size > cap)
                                return hd_err_set (err, HD_EXIT_REFUSED, EFBIG, "larger than the %zu-byte limit", cap);
                        p = hd_big_realloc (buf, used, nsize + 1);
                        if (!p)
                                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
                        buf = p;
                        size = nsize;
                }
                r = read (fd, buf + used, size - used);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0)
                        return hd_err_sys (err, HD_EXIT_INTERNAL, errno, "read");
                if (r == 0)
                        break;
                used += (size_t) r;
        }
        if (used > cap)
                return hd_err_set (err, HD_EXIT_REFUSED, EFBIG, "larger than the %zu-byte limit", cap);
        buf[used] = '\0';
        *out = steal_ptr (&buf);
        *len = used;
        return 0;
}

int
fileio_read_fd (int fd, size_t cap, char **out, size_t *len, struct hd_err *err)
{
        return read_sized (fd, cap, READ_FIRST, out, len, err);
}

int
fileio_read_at (int dirfd, const char *name, size_t cap, char **out, size_t *len, struct stat *st, struct hd_err *err)
{
        _cleanup_close_ int fd = -1;
        size_t first;

        /* O_NONBLOCK: opening a FIFO planted in the bundle must not hang us. */
        fd = openat (dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return errno == ELOOP ? hd_err_set (err, HD_EXIT_REFUSED, errno, "is a symbolic link (refused)")
                                      : hd_err_errno (err, HD_EXIT_REFUSED, errno);
        if (fstat (fd, st) < 0)
                return hd_err_sys (err, HD_EXIT_INTERNAL, errno, "fstat");
        if (!S_ISREG (st->st_mode))
                return hd_err_set (err, HD_EXIT_REFUSED, EINVAL, "is not a regular file");
        if ((size_t) st->st_size > cap)
                return hd_err_set (err, HD_EXIT_REFUSED, EFBIG, "is %lld bytes, the limit is %zu",
                                   (long long) st->st_size, cap);
        first = (size_t) st->st_size < READ_FIRST ? READ_FIRST : (size_t) st->st_size + 1;
        return read_sized (fd, cap, first, out, len, err);
}

static int
write_all (int fd, const char *data, size_t len)
{
        while (len > 0) {
                ssize_t w = write (fd, data, len);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w < 0)
                        return -1;
                data += w;
                len -= (size_t) w;
        }
        return 0;
}

/* Create ".<name>.hardened-<random>" exclusively; its name goes to tmp. */
static int
create_temp (int dirfd, const char *name, mode_t mode, char *tmp, size_t size, struct hd_err *err)
{
        for (int attempt = 0; attempt < 16; attempt++) {
                unsigned long long r = 0;
                int fd;

                if (getrandom (&r, sizeof r, 0) != (ssize_t) sizeof r)
                        r ^= (unsigned long long) getpid () << 20 ^ (unsigned) attempt;
                snprintf (tmp, size, ".%s.hardened-%016llx", name, r);
                fd = openat (dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode & 07777);
                if (fd >= 0 || errno != EEXIST)
                        return fd >= 0 ? fd : hd_err_sys (err, HD_EXIT_INTERNAL, errno, "cannot create temporary file");
        }
        return hd_err_set (err, HD_EXIT_INTERNAL, EEXIST, "cannot create a temporary file");
}

static int
fill_temp (int fd, const char *data, size_t len, const struct stat *orig, struct hd_err *err)
{
        if (write_all (fd, data, len) < 0)
                return hd_err_sys (err, HD_EXIT_INTERNAL, errno, "write");
        if (fchmod (fd, orig->st_mode & 07777) < 0)
                return hd_err_sys (err, HD_EXIT_INTERNAL, errno, "fchmod");
        if ((geteuid () == 0 || orig->st_uid == geteuid ()) && fchown (fd, orig->st_uid, orig->st_gid) < 0
            && errno != EPERM)
                return hd_err_sys (err, HD_EXIT_INTERNAL, errno, "fchown");
        if (fsync (fd) < 0)
                return hd_err_sys (err, HD_EXIT_INTERNAL, errno, "fsync");
        return 0;
}

int
fileio_write_temp (int dirfd, const char *name, const char *data, size_t len, const struct stat *orig, char *tmp,
                   size_t size, struct hd_err *err)
{
        _cleanup_close_ int fd = create_temp (dirfd, name, orig->st_mode, tmp, size, err);

        if (fd < 0)
                return -1;
        if (fill_temp (fd, data, len, orig, err) < 0) {
                unlinkat (dirfd, tmp, 0);
                return -1;
        }
        return 0;
}

int
fileio_commit_temp (int dirfd, const char *tmp, const char *name, struct hd_err *err)
{
        if (renameat (dirfd, tmp, dirfd, name) < 0) {
                int saved = errno;
                unlinkat (dirfd, tmp, 0);
                return hd_err_sys (err, HD_EXIT_INTERNAL, saved, "rename");
        }
        if (fsync (dirfd) < 0)
                return hd_err_sys (err, HD_EXIT_INTERNAL, errno, "fsync of directory");
        return 0;
}

int
fileio_replace_at (int dirfd, const char *name, const char *data, size_t len, const struct stat *orig,
                   struct hd_err *err)
{
        char tmp[512];

        if (fileio_write_temp (dirfd, name, data, len, orig, tmp, sizeof tmp, err) < 0)
                return -1;
        return fileio_commit_temp (dirfd, tmp, name, err);
}
