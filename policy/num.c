#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>

#include "hardened/num.h"
#include "hardened/util.h"

/* Digits only, no leading zero unless the value is exactly "0". */
static int
parse_magnitude (const char *s, size_t len, uint64_t limit, uint64_t *out)
{
        uint64_t v = 0;

        if (len == 0 || (s[0] == '0' && len > 1)) {
                errno = EINVAL;
                return -1;
        }
        for (size_t i = 0; i < len; i++) {
                unsigned d = (unsigned char) s[i] - '0';
                if (d > 9) {
                        errno = EINVAL;
                        return -1;
                }
                if (v > (limit - d) / 10) {
                        errno = ERANGE;
                        return -1;
                }
                v = v * 10 + d;
        }
        *out = v;
        return 0;
}

int
parse_u64 (const char *text, size_t len, uint64_t *out)
{
        return parse_magnitude (text, len, UINT64_MAX, out);
}

int
parse_i64 (const char *text, size_t len, int64_t *out)
{
        bool neg = len > 0 && text[0] == '-';
        uint64_t limit = neg ? (uint64_t) INT64_MAX + 1 : (uint64_t) INT64_MAX;
        uint64_t mag;

        if (parse_magnitude (text + neg, len - neg, limit, &mag) < 0)
                return -1;
        if (neg)
                *out = mag == (uint64_t) INT64_MAX + 1 ? INT64_MIN : -(int64_t) mag;
        else
                *out = (int64_t) mag;
        return 0;
}

int
parse_u32 (const char *text, size_t len, uint32_t *out)
{
        uint64_t v;

        if (parse_magnitude (text, len, UINT32_MAX, &v) < 0)
                return -1;
        *out = (uint32_t) v;
        return 0;
}

int
parse_u16 (const char *text, size_t len, uint16_t *out)
{
        uint64_t v;

        if (parse_magnitude (text, len, UINT16_MAX, &v) < 0)
                return -1;
        *out = (uint16_t) v;
        return 0;
}

int
parse_i32 (const char *text, size_t len, int32_t *out)
{
        int64_t v;

        if (parse_i64 (text, len, &v) < 0)
                return -1;
        if (v < INT32_MIN || v > INT32_MAX) {
                errno = ERANGE;
                return -1;
        }
        *out = (int32_t) v;
        return 0;
}

void
num_format_size (int64_t v, char *buf, size_t size)
{
        static const char *const units[] = { "Ti", "Gi", "Mi", "Ki" };

        for (size_t i = 0; i < HD_ARRAY_SIZE (units) && v > 0; i++) {
                int64_t m = (int64_t) 1 << (10 * (4 - i));
                if (v % m == 0) {
                        snprintf (buf, size, "%lld%s", (long long) (v / m), units[i]);
                        return;
                }
        }
        snprintf (buf, size, "%lld", (long long) v);
}
