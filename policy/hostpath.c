#include "config.h"

#include <stdio.h>
#include <string.h>

#include "hardened/hostpath.h"

bool
hostpath_under (const char *path, const char *base)
{
        size_t n = strlen (base);

        if (strcmp (base, "/") == 0)
                return true;
        return strncmp (path, base, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

void
hostpath_clean (const char *in, char *out, size_t size)
{
        size_t used = 0;
        const char *p = in;

        out[0] = '\0';
        while (*p) {
                size_t len;
                while (*p == '/')
                        p++;
                len = strcspn (p, "/");
                if (len == 0 || (len == 1 && p[0] == '.')) {
                        p += len;
                        continue;
                }
                if (len == 2 && p[0] == '.' && p[1] == '.') {
                        while (used > 0 && out[--used] != '/')
                                ;
                        out[used] = '\0';
                } else if (used + len + 2 < size) {
                        out[used++] = '/';
                        memcpy (out + used, p, len);
                        used += len;
                        out[used] = '\0';
                }
                p += len;
        }
        if (used == 0)
                snprintf (out, size, "/");
}
