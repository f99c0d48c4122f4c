#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "hardened/bigmem.h"

void
hd_huge_hint (void *p, size_t len)
{
        uintptr_t start = ((uintptr_t) p + HD_HUGE_PAGE - 1) & ~(uintptr_t) (HD_HUGE_PAGE - 1);
        uintptr_t end = ((uintptr_t) p + len) & ~(uintptr_t) (HD_HUGE_PAGE - 1);

#ifdef MADV_HUGEPAGE
        if (end > start)
                (void) madvise ((void *) start, end - start, MADV_HUGEPAGE);
#else
        (void) start;
        (void) end;
#endif
}

void *
hd_big_alloc (size_t size)
{
        void *p;

        if (size < HD_HUGE_PAGE)
                return malloc (size);
        if (size > SIZE_MAX - HD_HUGE_PAGE)
                return NULL;
        size = (size + HD_HUGE_PAGE - 1) & ~(size_t) (HD_HUGE_PAGE - 1); /* whole huge pages */
        if (posix_memalign (&p, HD_HUGE_PAGE, size) != 0)
                return NULL;
        hd_huge_hint (p, size);
        return p;
}

void *
hd_big_realloc (void *p, size_t used, size_t size)
{
        void *n;

        if (size < HD_HUGE_PAGE)
                return realloc (p, size);
        if (!(n = hd_big_alloc (size)))
                return NULL;
        if (p)
                memcpy (n, p, used < size ? used : size);
        free (p);
        return n;
}
