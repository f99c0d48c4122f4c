/* SHA-256 (FIPS 180-4), streaming.
 *
 * Used where a digest must be collision resistant: the seccomp proof cache
 * keys a security verdict by the digest of what was judged, so a crafted
 * collision would carry a strong profile's verdict to a weak one (a
 * non-cryptographic hash such as FNV-1a is trivially forgeable).  Small and
 * portable rather than fast; the unit tests run the FIPS 180-4 vectors. */
#ifndef HARDENED_SHA256_H
#define HARDENED_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_SIZE 32

struct sha256 {
        uint32_t h[8];
        uint64_t bytes; /* message length so far */
        unsigned char block[64];
        size_t used; /* bytes waiting in block */
};

void sha256_init (struct sha256 *s);
void sha256_update (struct sha256 *s, const void *data, size_t len);
/* Pads, writes the digest, and leaves `s` unusable until sha256_init. */
void sha256_final (struct sha256 *s, unsigned char out[SHA256_DIGEST_SIZE]);

/* One-shot digest of a buffer. */
void sha256 (const void *data, size_t len, unsigned char out[SHA256_DIGEST_SIZE]);

#endif
