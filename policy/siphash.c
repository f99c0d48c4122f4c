#include "config.h"

#include <endian.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "hardened/siphash.h"

#define ROTL(x, b) (uint64_t) (((x) << (b)) | ((x) >> (64 - (b))))

static inline __attribute__ ((always_inline)) void
sip_rounds (uint64_t v[4], int n)
{
        for (int i = 0; i < n; i++) {
                v[0] += v[1];
                v[1] = ROTL (v[1], 13);
                v[1] ^= v[0];
                v[0] = ROTL (v[0], 32);
                v[2] += v[3];
                v[3] = ROTL (v[3], 16);
                v[3] ^= v[2];
                v[0] += v[3];
                v[3] = ROTL (v[3], 21);
                v[3] ^= v[0];
                v[2] += v[1];
                v[1] = ROTL (v[1], 17);
                v[1] ^= v[2];
                v[2] = ROTL (v[2], 32);
        }
}

/* Little-endian 64-bit word of the 8 bytes at p. */
static uint64_t
sip_word8 (const unsigned char *p)
{
        uint64_t w;

        memcpy (&w, p, sizeof w);
        return le64toh (w);
}

/* Little-endian 64-bit word of n <= 8 bytes. */
static uint64_t
sip_word (const unsigned char *p, size_t n)
{
        uint64_t w = 0;

        for (size_t i = n; i-- > 0;)
                w = (w << 8) | p[i];
        return w;
}

/* SipHash-c-d: c rounds per message word, d to finish (inlined, so each
 * caller's rounds are unrolled). */
static inline __attribute__ ((always_inline)) uint64_t
sip (uint64_t k0, uint64_t k1, const void *data, size_t len, int c, int d)
{
        const unsigned char *p = data;
        uint64_t v[4] = { k0 ^ 0x736f6d6570736575ull, k1 ^ 0x646f72616e646f6dull, k0 ^ 0x6c7967656e657261ull,
                          k1 ^ 0x7465646279746573ull };
        size_t whole = len & ~(size_t) 7;
        uint64_t m;

        for (size_t i = 0; i < whole; i += 8) {
                m = sip_word8 (p + i);
                v[3] ^= m;
                sip_rounds (v, c);
                v[0] ^= m;
        }
        m = sip_word (p + whole, len - whole) | ((uint64_t) (len & 0xff) << 56);
        v[3] ^= m;
        sip_rounds (v, c);
        v[0] ^= m;
        v[2] ^= 0xff;
        sip_rounds (v, d);
        return v[0] ^ v[1] ^ v[2] ^ v[3];
}

uint64_t
hd_siphash (uint64_t k0, uint64_t k1, const void *data, size_t len)
{
        return sip (k0, k1, data, len, 2, 4);
}

uint64_t
hd_hash (uint64_t tweak, const void *data, size_t len)
{
        static uint64_t key[2];
        static int keyed;

        if (!keyed) {
                if (getrandom (key, sizeof key, GRND_NONBLOCK) != (ssize_t) sizeof key) {
                        struct timespec ts;
                        clock_gettime (CLOCK_MONOTONIC, &ts);
                        key[0] = (uint64_t) ts.tv_nsec ^ ((uint64_t) ts.tv_sec << 32);
                        key[1] = (uint64_t) getpid () ^ (uint64_t) (uintptr_t) &ts;
                }
                keyed = 1;
        }
        return sip (key[0], key[1] ^ tweak, data, len, 1, 3);
}
