#include "config.h"

#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>
#include <unistd.h>

#include "hardened/caps.h"
#include "hardened/json.h"
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

/* The kernel's capabilities (0..caps_last) by the name libcap gives each,
 * upper case, built once per process: a name is valid exactly when libcap
 * maps it to a number it maps back to the same name (STYLE.md 8: libcap also
 * accepts numbers and lower case, which a name here never is, so an exact
 * match is the whole check).  A number libcap has no name for (it prints
 * digits) has no entry. */
struct cap_names {
        int n;
        char name[64][32];
        size_t len[64];
        int value[64];
};

static const struct cap_names *
cap_names (void)
{
        static struct cap_names t;
        static bool built;

        if (built)
                return &t;
        for (int v = 0; v <= caps_last () && t.n < 64; v++) {
                char *back = cap_to_name ((cap_value_t) v);
                size_t len = back ? strlen (back) : 0;
                if (len > 4 && len < sizeof t.name[0] && strncasecmp (back, "cap_", 4) == 0) {
                        for (size_t i = 0; i <= len; i++)
                                t.name[t.n][i] = (char) (back[i] >= 'a' && back[i] <= 'z' ? back[i] - 'a' + 'A'
                                                                                          : back[i]);
                        t.len[t.n] = len;
                        t.value[t.n++] = v;
                }
                cap_free (back);
        }
        built = true;
        return &t;
}

int
caps_from_name (const char *name, int *cap)
{
        const struct cap_names *t = cap_names ();
        size_t len = strlen (name);

        for (int i = 0; i < t->n; i++)
                if (t->len[i] == len && memcmp (t->name[i], name, len) == 0) {
                        *cap = t->value[i];
                        return 0;
                }
        return -1;
}

const char *
caps_to_name (int cap)
{
        const struct cap_names *t = cap_names ();

        for (int i = 0; i < t->n; i++)
                if (t->value[i] == cap)
                        return t->name[i];
        return NULL;
}

bool
caps_listed (const struct json *list, int cap)
{
        int c;

        for (size_t i = 0; list && i < list->n; i++)
                if (caps_from_name (list->items[i]->text, &c) == 0 && c == cap)
                        return true;
        return false;
}
