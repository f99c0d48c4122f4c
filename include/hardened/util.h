/* Scope-bound cleanup helpers (STYLE.md 2). */
#ifndef HARDENED_UTIL_H
#define HARDENED_UTIL_H

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static inline void
hd_freep (void *p)
{
        free (*(void **) p);
}

static inline void
hd_closep (int *fd)
{
        /* No retry on EINTR: Linux always releases the descriptor. */
        if (*fd >= 0) {
                int saved = errno;
                close (*fd);
                errno = saved;
        }
}

#define _cleanup_free_ __attribute__ ((cleanup (hd_freep)))
#define _cleanup_close_ __attribute__ ((cleanup (hd_closep)))

/* Hand ownership out of a cleanup-scoped variable. */
#define steal_ptr(pp)                                  \
        ({                                             \
                __typeof__ (*(pp)) hd_stolen_ = *(pp); \
                *(pp) = NULL;                          \
                hd_stolen_;                            \
        })
#define steal_fd(fdp)                       \
        ({                                  \
                int hd_stolen_fd_ = *(fdp); \
                *(fdp) = -1;                \
                hd_stolen_fd_;              \
        })

#define HD_ARRAY_SIZE(a) (sizeof (a) / sizeof ((a)[0]))

/* Append the strings of `parts` (n of them) to the `used` bytes already in
 * buf (size > used), cut at size - 1 as snprintf ("%s%s...") cuts, and
 * return the new length.  The same bytes as snprintf, without its format
 * parsing: this runs for every finding and every host path. */
static inline size_t
hd_append (char *buf, size_t size, size_t used, const char *const *parts, size_t n)
{
        for (size_t i = 0; i < n && used + 1 < size; i++) {
                size_t len = strnlen (parts[i], size - 1 - used);
                memcpy (buf + used, parts[i], len);
                used += len;
        }
        buf[used] = '\0';
        return used;
}

/* The n bytes of `in` as 2n lowercase hex digits and a NUL in out. */
static inline void
hd_hex (char *out, const unsigned char *in, size_t n)
{
        static const char digits[] = "0123456789abcdef";

        for (size_t i = 0; i < n; i++) {
                out[2 * i] = digits[in[i] >> 4];
                out[2 * i + 1] = digits[in[i] & 0xf];
        }
        out[2 * n] = '\0';
}

#endif
