/* SipHash (Aumasson and Bernstein): a keyed hash for the tables an
 * attacker fills (a config's paths) and for the proof cache's names.
 * Keyed with a per-process random key, no config can be made whose keys
 * collide, so a look-up stays O(1) whatever the entries are.  Not for
 * integrity (sha256.h is). */
#ifndef HARDENED_SIPHASH_H
#define HARDENED_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

/* SipHash-2-4 of data[0..len) under the 128-bit key (k0, k1). */
uint64_t hd_siphash (uint64_t k0, uint64_t k1, const void *data, size_t len);

/* SipHash-1-3 (the table-hashing variant: one round per word, three to
 * finish; what the hash-flooding defence needs at half the rounds) under
 * this process's random key (getrandom, read once; the clock and pid when
 * getrandom fails, which only costs the guarantee), with `tweak` folded
 * into the key: a hash per (tweak, bytes). */
uint64_t hd_hash (uint64_t tweak, const void *data, size_t len);

#endif
