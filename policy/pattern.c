#include "config.h"

#include <string.h>

#include "hardened/num.h"
#include "hardened/pattern.h"

/* One atom of a pattern (pattern.h): a star, or a one-byte class repeated
 * `count` times.  `next` is the offset just after it (and its {N}). */
struct atom {
        bool star;
        bool any;           /* `?` */
        bool negate;        /* [!...] */
        unsigned char byte; /* a literal (when !any and !set) */
        const char *set;    /* [set]: the bytes between the brackets */
        size_t setlen;
        size_t count;
        size_t next;
};

/* The byte of a set member at set[*i] (escapes resolved), advancing *i. */
static unsigned char
set_byte (const char *set, size_t *i)
{
        if (set[*i] == '\\')
                (*i)++;
        return (unsigned char) set[(*i)++];
}

static bool
set_has (const struct atom *a, unsigned char c)
{
        bool in = false;

        for (size_t i = 0; i < a->setlen && !in;) {
                unsigned char lo = set_byte (a->set, &i), hi = lo;
                if (i + 1 < a->setlen && a->set[i] == '-') {
                        i++;
                        hi = set_byte (a->set, &i);
                }
                in = c >= lo && c <= hi;
        }
        return in != a->negate;
}

/* Parse the set starting after '[' at p[*i]; *i ends after ']'. */
static int
parse_set (const char *p, size_t *i, struct atom *a, const char **why)
{
        size_t start;

        if (p[*i] == '!') {
                a->negate = true;
                (*i)++;
        }
        start = *i;
        while (p[*i] && p[*i] != ']') {
                unsigned char lo, hi;
                if (p[*i] == '\\' && !p[*i + 1])
                        return *why = "a trailing \\ in a set", -1;
                lo = set_byte (p, i);
                if (p[*i] != '-' || !p[*i + 1] || p[*i + 1] == ']')
                        continue;
                (*i)++;
                if (p[*i] == '\\' && !p[*i + 1])
                        return *why = "a trailing \\ in a set", -1;
                hi = set_byte (p, i);
                if (hi < lo)
                        return *why = "a range whose end is below its start", -1;
        }
        if (!p[*i])
                return *why = "an unterminated [", -1;
        if (*i == start)
                return *why = "an empty set []", -1;
        a->set = p + start;
        a->setlen = *i - start;
        (*i)++;
        return 0;
}

/* Parse "{N}" at p[*i] if present. */
static int
parse_repeat (const char *p, size_t *i, struct atom *a, const char **why)
{
        size_t digits;
        uint32_t n;

        if (p[*i] != '{')
                return 0;
        digits = strspn (p + *i + 1, "0123456789");
        if (p[*i + 1 + digits] != '}' || parse_u32 (p + *i + 1, digits, &n) < 0 || n == 0 || n > PATTERN_MAX_REPEAT)
                return *why = "a { that is not a repetition {N} with 1 <= N <= 4096 (write \\{ for the byte)", -1;
        a->count = n;
        *i += digits + 2;
        return 0;
}

static int
parse_atom (const char *p, size_t i, struct atom *a, const char **why)
{
        memset (a, 0, sizeof *a);
        a->count = 1;
        switch (p[i]) {
        case '*':
                a->star = true;
                a->next = i + 1;
                if (p[a->next] == '{')
                        return *why = "a repetition {N} after *", -1;
                return 0;
        case '?':
                a->any = true;
                i++;
                break;
        case '[':
                i++;
                if (parse_set (p, &i, a, why) < 0)
                        return -1;
                break;
        case '{':
                return *why = "a { that repeats nothing (write \\{ for the byte)", -1;
        case '\\':
                if (!p[i + 1])
                        return *why = "a trailing \\", -1;
                i++;
                /* fall through */
        default:
                a->byte = (unsigned char) p[i++];
                break;
        }
        if (parse_repeat (p, &i, a, why) < 0)
                return -1;
        a->next = i;
        return 0;
}

int
pattern_check (const char *pattern, size_t *where, const char **why)
{
        struct atom a;

        for (size_t i = 0; pattern[i]; i = a.next)
                if (parse_atom (pattern, i, &a, why) < 0) {
                        *where = i;
                        return -1;
                }
        return 0;
}

static bool
atom_accepts (const struct atom *a, unsigned char c)
{
        return a->any || (a->set ? set_has (a, c) : a->byte == c);
}

/* The classic wildcard walk: atoms between stars are all one byte wide
 * (a {N} counts as N atoms), so matching each run at its leftmost place and
 * on a mismatch retrying one byte later from the last star is exact. */
bool
pattern_match (const char *pattern, const char *s)
{
        size_t pi = 0, rep = 0, si = 0, star = (size_t) -1, star_si = 0, n = strlen (s);
        const char *why;
        struct atom a;

        if (pattern_check (pattern, &pi, &why) < 0)
                return false;
        pi = 0;
        while (si < n) {
                bool have = pattern[pi] && parse_atom (pattern, pi, &a, &why) == 0;
                if (have && a.star) {
                        star = pi = a.next;
                        star_si = si;
                        rep = 0;
                } else if (have && atom_accepts (&a, (unsigned char) s[si])) {
                        si++;
                        if (++rep == a.count) {
                                pi = a.next;
                                rep = 0;
                        }
                } else if (star != (size_t) -1) {
                        pi = star;
                        rep = 0;
                        si = ++star_si;
                } else {
                        return false;
                }
        }
        while (pattern[pi] && rep == 0 && parse_atom (pattern, pi, &a, &why) == 0 && a.star)
                pi = a.next;
        return !pattern[pi] && rep == 0;
}
