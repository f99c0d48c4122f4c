#include "config.h"

#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>
#include <unistd.h>

#include "hardened/caps.h"
#include "hardened/num.h"
#include "hardened/util.h"

int
caps_last (void)
{
        static int last = -1;
        char buf[16] = "";
        _cleanup_close_ int fd = -1;
        int32_t v;
        ssize_t n;

        if (last >= 0)
                return last;
        last = CAP_LAST_CAP;
        fd = open ("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
        if (fd >= 0 && (n = read (fd, buf, sizeof buf - 1)) > 0) {
                while (n > 0 && buf[n - 1] == '\n')
                        n--;
                if (parse_i32 (buf, (size_t) n, &v) == 0 && v >= 0 && v < 64)
                        last = v;
        }
        return last;
}

/* STYLE.md 8: libcap also accepts numbers and lower case, so the name's
 * shape is checked first and the number is mapped back and compared. */
int
caps_from_name (const char *name, int *cap)
{
        cap_value_t v;
        char *back;
        bool same;

        if (strncmp (name, "CAP_", 4) != 0 || name[4] == '\0'
            || strspn (name + 4, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != strlen (name + 4))
                return -1;
        if (cap_from_name (name, &v) != 0 || v < 0 || v > caps_last ())
                return -1;
        back = cap_to_name (v);
        same = back && strcasecmp (back, name) == 0;
        cap_free (back);
        if (!same)
                return -1;
        *cap = (int) v;
        return 0;
}
