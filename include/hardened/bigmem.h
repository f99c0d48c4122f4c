/* Large buffers (a document at the size limit, its tree, its write-back)
 * asked for in huge pages: in a VM a 4 KB page fault costs microseconds,
 * and an 8 MB buffer grown by doubling faults in four thousand of them. */
#ifndef HARDENED_BIGMEM_H
#define HARDENED_BIGMEM_H

#include <stddef.h>

/* The huge-page size the hints are made for. */
#define HD_HUGE_PAGE (2u << 20)

/* Ask for huge pages over the whole huge pages inside [p, p + len): a
 * hint, refused where transparent huge pages are off. */
void hd_huge_hint (void *p, size_t len);

/* malloc (size); from HD_HUGE_PAGE up, aligned to it and hinted, so it
 * faults in huge pages.  Freed (and realloc'd) as malloc's own. */
void *hd_big_alloc (size_t size);

/* realloc (p, size) where the first `used` bytes matter: from
 * HD_HUGE_PAGE up a fresh hd_big_alloc (the old block freed) rather than
 * a copy into 4 KB pages.  NULL (p untouched): out of memory. */
void *hd_big_realloc (void *p, size_t used, size_t size);

#endif
