#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hardened/json.h"

#include "peek.h"

/* A scanner for a plain subset of JSON, strict by construction: every
 * branch it does not know to be valid answers "cannot tell" (false), and
 * the caller falls back to json_peek_string, which runs the full parse's
 * checks.  What it accepts, json_parse accepts: the same grammar as yajl
 * (which accepts more: \v and \f as whitespace), strings held to the same
 * RFC 3629 rule as json.c's (json_utf8_seq), no control byte, no NUL, no \u
 * escape (the surrogate and \u0000 checks stay json.c's), nesting well
 * inside JSON_MAX_DEPTH, and no key twice in one object (keys have no
 * escape here, so their bytes are what json.c compares). */

#define PEEK_MAX_BYTES (256u << 10)
#define PEEK_MAX_DEPTH (JSON_MAX_DEPTH / 2)
#define PEEK_MAX_KEYS 256 /* of the objects open at once */

/* A key of an object still open: where it is, and a digest of it. */
struct peek_key {
        uint32_t hash, off, len; /* hash: its length and three of its bytes */
};

struct peek {
        const unsigned char *buf, *p, *end;
        const char *want;
        size_t want_len;
        char *found; /* the root's member `want`, when a string */
        uint32_t nkeys;
        struct peek_key keys[PEEK_MAX_KEYS]; /* open objects' keys, innermost last */
};

/* Bytes inside a string.  A plain byte is 0x20-0x7F but the quote and the
 * backslash (yajl accepts DEL too).  Outside strings, B_SPACE marks the
 * whitespace this scanner takes: space, tab, LF and CR. */
enum { B_PLAIN, B_QUOTE, B_ESCAPE, B_HIGH, B_CONTROL, B_SPACE = 8 };
static const unsigned char byte_class[256] = {
        [0x00 ... 0x08] = B_CONTROL,
        ['\t'] = B_CONTROL | B_SPACE,
        ['\n'] = B_CONTROL | B_SPACE,
        [0x0b ... 0x0c] = B_CONTROL,
        ['\r'] = B_CONTROL | B_SPACE,
        [0x0e ... 0x1f] = B_CONTROL,
        [' '] = B_SPACE,
        ['"'] = B_QUOTE,
        ['\\'] = B_ESCAPE,
        [0x80 ... 0xff] = B_HIGH,
};

static void
peek_ws (struct peek *k)
{
        const unsigned char *p = k->p;

        while (p < k->end && byte_class[*p] & B_SPACE)
                p++;
        k->p = p;
}

/* A string's body, k->p just past its opening quote; then past its
 * closing one.  *escaped: it had one of \" \\ \/ \b \f \n \r \t. */
static bool
peek_text (struct peek *k, bool *escaped)
{
        const unsigned char *p = k->p;
        size_t n;

        for (;;) {
                while (p < k->end && (byte_class[*p] & ~B_SPACE) == B_PLAIN)
                        p++;
                if (p >= k->end)
                        return false;
                switch (byte_class[*p] & ~B_SPACE) {
                case B_QUOTE:
                        k->p = p + 1;
                        return true;
                case B_ESCAPE:
                        if (p + 1 >= k->end || !p[1] || !memchr ("\"\\/bfnrt", p[1], 8))
                                return false;
                        *escaped = true;
                        p += 2;
                        continue;
                case B_HIGH:
                        if (!(n = json_utf8_seq (p, (size_t) (k->end - p))))
                                return false;
                        p += n;
                        continue;
                default:
                        return false;
                }
        }
}

/* A key, k->p on its opening quote, added to the object whose keys begin
 * at keys[first]; false on an escape in it (keys are compared as written),
 * a key the object has already (json_parse refuses the document), or too
 * many keys. */
static bool
peek_key (struct peek *k, uint32_t first, bool *wanted)
{
        const unsigned char *key = ++k->p;
        uint32_t hash, len;
        bool escaped = false;

        if (!peek_text (k, &escaped) || escaped || k->nkeys == PEEK_MAX_KEYS)
                return false;
        len = (uint32_t) (k->p - 1 - key);
        /* enough to tell most keys apart before memcmp */
        hash = len ? len | (uint32_t) key[0] << 8 | (uint32_t) key[len / 2] << 16 | (uint32_t) key[len - 1] << 24 : 0;
        for (uint32_t i = first; i < k->nkeys; i++) {
                const struct peek_key *s = &k->keys[i];
                if (s->hash == hash && s->len == len && memcmp (k->buf + s->off, key, len) == 0)
                        return false;
        }
        k->keys[k->nkeys++] = (struct peek_key) { hash, (uint32_t) (key - k->buf), len };
        *wanted = len == k->want_len && memcmp (key, k->want, len) == 0;
        return true;
}

static const unsigned char *
digits (const unsigned char *p, const unsigned char *end)
{
        while (p < end && *p >= '0' && *p <= '9')
                p++;
        return p;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool
peek_number (struct peek *k)
{
        const unsigned char *p = k->p, *end = k->end, *d;

        if (p < end && *p == '-')
                p++;
        if (p < end && *p == '0')
                p++;
        else if (p < end && *p >= '1' && *p <= '9')
                p = digits (p, end);
        else
                return false;
        if (p < end && *p == '.') {
                if ((d = digits (p + 1, end)) == p + 1)
                        return false;
                p = d;
        }
        if (p < end && (*p == 'e' || *p == 'E')) {
                p++;
                if (p < end && (*p == '+' || *p == '-'))
                        p++;
                if ((d = digits (p, end)) == p)
                        return false;
                p = d;
        }
        k->p = p;
        return true;
}

static bool
peek_word (struct peek *k, const char *word, size_t len)
{
        if ((size_t) (k->end - k->p) < len || memcmp (k->p, word, len) != 0)
                return false;
        k->p += len;
        return true;
}

/* A string value; the root's member `want` is copied when it has no escape. */
static bool
peek_string (struct peek *k, bool wanted)
{
        const unsigned char *start = ++k->p;
        bool escaped = false;

        if (!peek_text (k, &escaped))
                return false;
        if (!wanted)
                return true;
        if (escaped)
                return false;
        free (k->found);
        k->found = strndup ((const char *) start, (size_t) (k->p - 1 - start));
        return k->found != NULL;
}

static bool peek_value (struct peek *k, unsigned depth, bool wanted);

/* After a member or an item: true at the container's end, false at
 * anything but a comma, and then at what follows (k->p on it). */
static bool
peek_next (struct peek *k, unsigned char close, bool *more)
{
        peek_ws (k);
        if (k->p >= k->end)
                return false;
        *more = *k->p == ',';
        if (!*more && *k->p != close)
                return false;
        k->p++;
        if (*more)
                peek_ws (k);
        return true;
}

/* An object; depth containers enclose it.  Its keys are dropped at its
 * end: only the keys of one object can clash. */
static bool
peek_object (struct peek *k, unsigned depth)
{
        uint32_t first = k->nkeys;
        bool more = true, wanted;

        k->p++;
        peek_ws (k);
        if (k->p < k->end && *k->p == '}')
                return k->p++, true;
        while (more) {
                if (k->p >= k->end || *k->p != '"' || !peek_key (k, first, &wanted))
                        return false;
                peek_ws (k);
                if (k->p >= k->end || *k->p != ':')
                        return false;
                k->p++;
                peek_ws (k);
                if (!peek_value (k, depth + 1, wanted && depth == 0) || !peek_next (k, '}', &more))
                        return false;
        }
        k->nkeys = first;
        return true;
}

static bool
peek_array (struct peek *k, unsigned depth)
{
        bool more = true;

        k->p++;
        peek_ws (k);
        if (k->p < k->end && *k->p == ']')
                return k->p++, true;
        while (more)
                if (!peek_value (k, depth + 1, false) || !peek_next (k, ']', &more))
                        return false;
        return true;
}

static bool
peek_value (struct peek *k, unsigned depth, bool wanted)
{
        if (k->p >= k->end)
                return false;
        switch (*k->p) {
        case '{':
                return depth < PEEK_MAX_DEPTH && peek_object (k, depth);
        case '[':
                return depth < PEEK_MAX_DEPTH && peek_array (k, depth);
        case '"':
                return peek_string (k, wanted);
        case 't':
                return peek_word (k, "true", 4);
        case 'f':
                return peek_word (k, "false", 5);
        case 'n':
                return peek_word (k, "null", 4);
        default:
                return peek_number (k);
        }
}

int
peek_string_fast (const char *buf, size_t len, const char *key, char **out)
{
        struct peek k;
        bool ok;

        *out = NULL;
        if (len > PEEK_MAX_BYTES)
                return 0;
        k.buf = k.p = (const unsigned char *) buf;
        k.end = k.buf + len;
        k.want = key;
        k.want_len = strlen (key);
        k.found = NULL;
        k.nkeys = 0;
        peek_ws (&k);
        ok = k.p < k.end && *k.p == '{' && peek_object (&k, 0);
        if (ok) {
                peek_ws (&k);
                ok = k.p == k.end;
        }
        if (!ok) {
                free (k.found);
                return 0;
        }
        *out = k.found;
        return 1;
}
