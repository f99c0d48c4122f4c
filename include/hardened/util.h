/* Scope-bound cleanup helpers (STYLE.md 2). */
#ifndef HARDENED_UTIL_H
#define HARDENED_UTIL_H

#include <errno.h>
#include <stdlib.h>
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

#endif
