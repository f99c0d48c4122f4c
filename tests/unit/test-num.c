#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "hardened/num.h"

#include "tap.h"

static int
u64 (const char *s, uint64_t *v)
{
        return parse_u64 (s, strlen (s), v);
}
static int
i64 (const char *s, int64_t *v)
{
        return parse_i64 (s, strlen (s), v);
}

int
main (void)
{
        static const char *const bad_unsigned[] = {
                "",
                "-0",
                "-1",
                "+1",
                "01",
                "1.0",
                "1e3",
                "1E3",
                " 1",
                "1 ",
                "0x10",
                "1a",
                "18446744073709551616",
                "99999999999999999999999",
        };
        uint64_t u;
        int64_t s;
        uint32_t u32;
        uint16_t u16;
        int32_t s32;

        ok (u64 ("0", &u) == 0 && u == 0, "u64 0");
        ok (u64 ("18446744073709551615", &u) == 0 && u == UINT64_MAX, "u64 max survives");
        ok (u64 ("9223372036854775809", &u) == 0 && u == 9223372036854775809ULL, "u64 above 2^63 is exact");
        for (size_t i = 0; i < sizeof bad_unsigned / sizeof *bad_unsigned; i++)
                ok (u64 (bad_unsigned[i], &u) < 0, "u64 refuses \"%s\"", bad_unsigned[i]);
        errno = 0;
        ok (u64 ("18446744073709551616", &u) < 0 && errno == ERANGE, "u64 overflow is ERANGE");

        ok (i64 ("-9223372036854775808", &s) == 0 && s == INT64_MIN, "i64 min");
        ok (i64 ("9223372036854775807", &s) == 0 && s == INT64_MAX, "i64 max");
        ok (i64 ("9223372036854775808", &s) < 0, "i64 max+1 refused");
        ok (i64 ("-9223372036854775809", &s) < 0, "i64 min-1 refused");
        ok (i64 ("-1", &s) == 0 && s == -1, "i64 -1");
        ok (i64 ("-", &s) < 0, "i64 lone minus refused");
        ok (i64 ("--1", &s) < 0, "i64 double minus refused");
        ok (i64 ("-01", &s) < 0, "i64 leading zero refused");

        ok (parse_u32 ("4294967295", 10, &u32) == 0 && u32 == UINT32_MAX, "u32 max");
        ok (parse_u32 ("4294967296", 10, &u32) < 0, "u32 max+1 refused");
        ok (parse_u16 ("65535", 5, &u16) == 0 && u16 == 65535, "u16 max");
        ok (parse_u16 ("65536", 5, &u16) < 0, "u16 max+1 refused");
        ok (parse_i32 ("-2147483648", 11, &s32) == 0 && s32 == INT32_MIN, "i32 min");
        ok (parse_i32 ("2147483648", 10, &s32) < 0, "i32 max+1 refused");
        ok (parse_u32 ("12", 1, &u32) == 0 && u32 == 1, "length bounds the text");
        return tap_done ();
}
