/* Eight bytes at a time (SIMD within a register): the loops that scan or
 * copy strings byte by byte use these to pass over the bytes that need no
 * look. */
#ifndef HARDENED_SWAR_H
#define HARDENED_SWAR_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define HD_ONES 0x0101010101010101u
#define HD_HIGH 0x8080808080808080u

/* The eight bytes at s (any alignment). */
static inline uint64_t
hd_load8 (const unsigned char *s)
{
        uint64_t w;

        memcpy (&w, s, 8);
        return w;
}

/* Whether none of the eight bytes w holds needs a look when written as a
 * JSON string: none below 0x20, '"', '\\' or above 0x7F (the
 * has-zero-byte trick, exact as a whole). */
static inline bool
hd_plain8 (uint64_t w)
{
        uint64_t q = w ^ (HD_ONES * '"'), b = w ^ (HD_ONES * '\\');

        return !((((w - HD_ONES * 0x20) & ~w) | ((q - HD_ONES) & ~q) | ((b - HD_ONES) & ~b) | w) & HD_HIGH);
}

#endif
