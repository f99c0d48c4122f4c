#include "config.h"

#include <string.h>

#include "hardened/siphash.h"

#include "tap.h"

/* The reference vectors of the SipHash paper's implementation (vectors.h):
 * key 00 01 .. 0f, message 00 01 .. (len-1). */
static void
test_vectors (void)
{
        static const struct {
                size_t len;
                uint64_t want;
        } v[] = {
                { 0, 0x726fdb47dd0e0e31ull }, { 1, 0x74f839c593dc67fdull },  { 7, 0xab0200f58b01d137ull },
                { 8, 0x93f5f5799a932462ull }, { 15, 0xa129ca6149be45e5ull }, { 63, 0x958a324ceb064572ull },
        };
        unsigned char msg[64];
        uint64_t k0 = 0x0706050403020100ull, k1 = 0x0f0e0d0c0b0a0908ull;

        for (size_t i = 0; i < sizeof msg; i++)
                msg[i] = (unsigned char) i;
        for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
                ok (hd_siphash (k0, k1, msg, v[i].len) == v[i].want, "SipHash-2-4 of %zu bytes", v[i].len);
}

static void
test_keyed (void)
{
        ok (hd_hash (1, "abc", 3) == hd_hash (1, "abc", 3), "one key per process");
        ok (hd_hash (1, "abc", 3) != hd_hash (2, "abc", 3), "the tweak changes the hash");
}

int
main (void)
{
        test_vectors ();
        test_keyed ();
        return tap_done ();
}
