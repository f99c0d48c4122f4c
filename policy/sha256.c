#include "config.h"

#include <string.h>

#include "hardened/sha256.h"

/* FIPS 180-4 section 4.2.2: the first 32 bits of the fractional parts of
 * the cube roots of the first 64 primes. */
static const uint32_t k[64] = {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static inline uint32_t
ror (uint32_t x, unsigned n)
{
        return (x >> n) | (x << (32 - n));
}

#define CH(x, y, z) (((x) & ((y) ^ (z))) ^ (z))
#define MAJ(x, y, z) (((x) & (y)) | ((z) & ((x) | (y))))
#define S0(x) (ror ((x), 2) ^ ror ((x), 13) ^ ror ((x), 22))
#define S1(x) (ror ((x), 6) ^ ror ((x), 11) ^ ror ((x), 25))
#define s0(x) (ror ((x), 7) ^ ror ((x), 18) ^ ((x) >> 3))
#define s1(x) (ror ((x), 17) ^ ror ((x), 19) ^ ((x) >> 10))
/* Round i with the working variables renamed instead of moved; w is a
 * 16-word ring holding the schedule. */
#define W(i) (w[(i) &15] += s1 (w[((i) -2) & 15]) + w[((i) -7) & 15] + s0 (w[((i) -15) & 15]))
#define ROUND(a, b, c, d, e, f, g, h, i, wi)                              \
        do {                                                              \
                uint32_t t1_ = (h) + S1 (e) + CH (e, f, g) + k[i] + (wi); \
                (d) += t1_;                                               \
                (h) = t1_ + S0 (a) + MAJ (a, b, c);                       \
        } while (0)
#define ROUND8(i, wf)                                                   \
        do {                                                            \
                ROUND (a, b, c, d, e, f, g, hh, (i) + 0, wf ((i) + 0)); \
                ROUND (hh, a, b, c, d, e, f, g, (i) + 1, wf ((i) + 1)); \
                ROUND (g, hh, a, b, c, d, e, f, (i) + 2, wf ((i) + 2)); \
                ROUND (f, g, hh, a, b, c, d, e, (i) + 3, wf ((i) + 3)); \
                ROUND (e, f, g, hh, a, b, c, d, (i) + 4, wf ((i) + 4)); \
                ROUND (d, e, f, g, hh, a, b, c, (i) + 5, wf ((i) + 5)); \
                ROUND (c, d, e, f, g, hh, a, b, (i) + 6, wf ((i) + 6)); \
                ROUND (b, c, d, e, f, g, hh, a, (i) + 7, wf ((i) + 7)); \
        } while (0)
#define W0(i) (w[i])

static void
compress (uint32_t h[8], const unsigned char *p)
{
        uint32_t w[16], a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];

        for (unsigned i = 0; i < 16; i++)
                w[i] = (uint32_t) p[4 * i] << 24 | (uint32_t) p[4 * i + 1] << 16 | (uint32_t) p[4 * i + 2] << 8
                       | p[4 * i + 3];
        ROUND8 (0, W0);
        ROUND8 (8, W0);
        ROUND8 (16, W);
        ROUND8 (24, W);
        ROUND8 (32, W);
        ROUND8 (40, W);
        ROUND8 (48, W);
        ROUND8 (56, W);
        h[0] += a;
        h[1] += b;
        h[2] += c;
        h[3] += d;
        h[4] += e;
        h[5] += f;
        h[6] += g;
        h[7] += hh;
}

void
sha256_init (struct sha256 *s)
{
        static const uint32_t iv[8] = {
                0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
        };

        memcpy (s->h, iv, sizeof iv);
        s->bytes = 0;
        s->used = 0;
}

void
sha256_update (struct sha256 *s, const void *data, size_t len)
{
        const unsigned char *p = data;

        s->bytes += len;
        if (s->used) {
                size_t take = len < 64 - s->used ? len : 64 - s->used;
                memcpy (s->block + s->used, p, take);
                s->used += take;
                p += take;
                len -= take;
                if (s->used < 64)
                        return;
                compress (s->h, s->block);
                s->used = 0;
        }
        for (; len >= 64; p += 64, len -= 64)
                compress (s->h, p);
        memcpy (s->block, p, len);
        s->used = len;
}

void
sha256_final (struct sha256 *s, unsigned char out[SHA256_DIGEST_SIZE])
{
        uint64_t bits = s->bytes * 8;

        s->block[s->used++] = 0x80;
        if (s->used > 56) {
                memset (s->block + s->used, 0, 64 - s->used);
                compress (s->h, s->block);
                s->used = 0;
        }
        memset (s->block + s->used, 0, 56 - s->used);
        for (unsigned i = 0; i < 8; i++)
                s->block[56 + i] = (unsigned char) (bits >> (56 - 8 * i));
        compress (s->h, s->block);
        for (unsigned i = 0; i < 8; i++)
                for (unsigned j = 0; j < 4; j++)
                        out[4 * i + j] = (unsigned char) (s->h[i] >> (24 - 8 * j));
}

void
sha256 (const void *data, size_t len, unsigned char out[SHA256_DIGEST_SIZE])
{
        struct sha256 s;

        sha256_init (&s);
        sha256_update (&s, data, len);
        sha256_final (&s, out);
}
