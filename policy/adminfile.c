#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hardened/adminfile.h"
#include "hardened/bigmem.h"
#include "hardened/json.h"
#include "hardened/trust.h"
#include "hardened/util.h"

int
adminfile_read_capped (const char *path, size_t max, char **out, size_t *len, struct hd_err *err)
{
        _cleanup_close_ int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        _cleanup_free_ char *buf = NULL;
        struct stat st;
        ssize_t n;

        if (fd < 0)
                return hd_err_errno (err, HD_EXIT_REFUSED, errno);
        if (fstat (fd, &st) < 0 || !S_ISREG (st.st_mode))
                return hd_err_set (err, HD_EXIT_REFUSED, EINVAL, "not a regular file");
        if ((uint64_t) st.st_size > max)
                return hd_err_set (err, HD_EXIT_REFUSED, EFBIG, "larger than %zu bytes", max);
        buf = hd_big_alloc ((size_t) st.st_size + 1);
        if (!buf)
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        n = read (fd, buf, (size_t) st.st_size);
        if (n != st.st_size)
                return hd_err_set (err, HD_EXIT_INTERNAL, n < 0 ? errno : EIO, "short read");
        buf[n] = '\0';
        *len = (size_t) n;
        *out = steal_ptr (&buf);
        return 0;
}

int
adminfile_read_any (const char *path, char **out, size_t *len, struct hd_err *err)
{
        return adminfile_read_capped (path, JSON_MAX_BYTES, out, len, err);
}

int
adminfile_read (const char *path, char **out, size_t *len, struct hd_err *err)
{
        _cleanup_free_ char *buf = NULL;

        if (adminfile_read_any (path, &buf, len, err) < 0)
                return -1;
        if (trust_check_path (path, err) < 0)
                return hd_err_prefix (err, "refused, someone other than root can change it: ");
        *out = steal_ptr (&buf);
        return 0;
}
