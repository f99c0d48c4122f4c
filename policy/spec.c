#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "hardened/num.h"
#include "hardened/spec.h"
#include "hardened/util.h"

/* How each numeric kind is named in messages and which typed parser
 * accepts exactly the texts Go's decoder reads into that type. */
static int
fits_u16 (const char *s, size_t n)
{
        uint16_t v;
        return parse_u16 (s, n, &v);
}
static int
fits_u32 (const char *s, size_t n)
{
        uint32_t v;
        return parse_u32 (s, n, &v);
}
static int
fits_u64 (const char *s, size_t n)
{
        uint64_t v;
        return parse_u64 (s, n, &v);
}
static int
fits_i32 (const char *s, size_t n)
{
        int32_t v;
        return parse_i32 (s, n, &v);
}
static int
fits_i64 (const char *s, size_t n)
{
        int64_t v;
        return parse_i64 (s, n, &v);
}

/* Indexed by enum spec_kind (SPEC_OPAQUE is handled before any look-up). */
static const struct {
        enum spec_kind kind;
        enum json_type json;
        const char *name;
        int (*fits) (const char *, size_t);
} kinds[] = {
        { SPEC_OBJECT, JSON_OBJECT, "an object", NULL },
        { SPEC_ARRAY, JSON_ARRAY, "an array", NULL },
        { SPEC_MAP, JSON_OBJECT, "an object", NULL },
        { SPEC_STRING, JSON_STRING, "a string", NULL },
        { SPEC_BOOL, JSON_BOOL, "a boolean", NULL },
        { SPEC_U16, JSON_NUMBER, "an unsigned 16-bit integer", fits_u16 },
        { SPEC_U32, JSON_NUMBER, "an unsigned 32-bit integer", fits_u32 },
        { SPEC_U64, JSON_NUMBER, "an unsigned 64-bit integer", fits_u64 },
        { SPEC_I32, JSON_NUMBER, "a signed 32-bit integer", fits_i32 },
        { SPEC_I64, JSON_NUMBER, "a signed 64-bit integer", fits_i64 },
        { SPEC_NUMBER, JSON_NUMBER, "a number", NULL },
};

/* The path to the value being checked, kept as a stack of components and
 * turned into a JSON pointer only when there is something to report. */
_Static_assert (HD_ARRAY_SIZE (kinds) == SPEC_OPAQUE, "kinds[] must cover enum spec_kind");

struct walk {
        unsigned flags;
        const char *src;
        size_t src_len;
        struct hd_err *err;
        int depth;
        struct {
                const char *key;  /* NULL: an array index */
                size_t index;
        } path[JSON_MAX_DEPTH + 1];
};

static int walk_value (struct walk *w, const struct json *j, const struct spec_type *t);

static int
walk_fail (struct walk *w, size_t off, const char *fmt, ...)
        __attribute__ ((format (printf, 3, 4)));

static void
walk_pointer (const struct walk *w, char *buf, size_t size)
{
        buf[0] = '\0';
        for (int i = 0; i < w->depth; i++) {
                char idx[24];
                if (!w->path[i].key)
                        snprintf (idx, sizeof idx, "%zu", w->path[i].index);
                json_pointer_append (buf, size, w->path[i].key ? w->path[i].key : idx);
        }
}

static int
walk_fail (struct walk *w, size_t off, const char *fmt, ...)
{
        char what[1024], ptr[2048], where[48] = "";
        unsigned line, col;
        va_list ap;

        va_start (ap, fmt);
        vsnprintf (what, sizeof what, fmt, ap);
        va_end (ap);
        walk_pointer (w, ptr, sizeof ptr);
        if (w->src && off != JSON_NO_OFFSET) {
                json_line_col (w->src, w->src_len, off, &line, &col);
                snprintf (where, sizeof where, "%u:%u: ", line, col);
        }
        return hd_err_set (w->err, HD_EXIT_REFUSED, EINVAL, "%s%s: %s", where,
                           ptr[0] ? ptr : "(document)", what);
}

/* Decode one UTF-8 sequence (already validated by the parser). */
static uint32_t
utf8_next (const unsigned char **p)
{
        const unsigned char *s = *p;
        uint32_t c = s[0];
        int extra = c < 0x80 ? 0 : c < 0xE0 ? 1 : c < 0xF0 ? 2 : 3;

        if (extra)
                c &= 0x3F >> extra;
        for (int i = 1; i <= extra; i++)
                c = (c << 6) | (s[i] & 0x3F);
        *p = s + 1 + extra;
        return c;
}

/* Go's simple folding restricted to what can meet an ASCII field name:
 * ASCII case, U+017F LATIN SMALL LETTER LONG S -> 's', U+212A KELVIN SIGN -> 'k'.
 * Any other non-ASCII code point cannot fold onto an ASCII letter. */
static int
fold_char (uint32_t c)
{
        if (c >= 'A' && c <= 'Z')
                return (int) c + ('a' - 'A');
        if (c < 0x80)
                return (int) c;
        if (c == 0x017F)
                return 's';
        if (c == 0x212A)
                return 'k';
        return -1;
}

bool
spec_fold_equal (const char *key, const char *name)
{
        const unsigned char *k = (const unsigned char *) key;

        for (; *name; name++) {
                if (!*k || fold_char (utf8_next (&k)) != fold_char ((unsigned char) *name))
                        return false;
        }
        return *k == '\0';
}

/* The field `key` names exactly, else NULL and *folded = the field Go
 * would decode it into by case folding (or NULL). */
static const struct spec_field *
lookup_field (const struct spec_field *fields, const char *key, const struct spec_field **folded)
{
        *folded = NULL;
        for (const struct spec_field *f = fields; f->name; f++)
                if (strcmp (f->name, key) == 0)
                        return f;
        for (const struct spec_field *f = fields; f->name && !*folded; f++)
                if (spec_fold_equal (key, f->name))
                        *folded = f;
        return NULL;
}

/* Step into a member (key) or an item (key NULL, index). */
static int
walk_child (struct walk *w, const char *key, size_t index, const struct json *j,
            const struct spec_type *t)
{
        int rc;

        w->path[w->depth].key = key;
        w->path[w->depth].index = index;
        w->depth++;
        rc = walk_value (w, j, t);
        if (rc == 0)
                w->depth--;
        return rc;
}

static int
walk_object (struct walk *w, const struct json *j, const struct spec_type *t)
{
        for (size_t i = 0; i < j->n; i++) {
                const struct json_member *m = &j->members[i];
                const struct spec_field *folded, *f = lookup_field (t->fields, m->key, &folded);

                if (w->flags & SPEC_EXACT_KEYS)
                        folded = NULL;

                if (f) {
                        if (walk_child (w, m->key, 0, m->value, f->type) < 0)
                                return -1;
                        continue;
                }
                w->path[w->depth].key = m->key;
                w->depth++;
                if (folded)
                        return walk_fail (w, m->off,
                                          "key \"%s\" is not spelled \"%s\", but runc's Go decoder "
                                          "matches keys case-insensitively and would read it as "
                                          "\"%s\"; spell the field exactly",
                                          m->key, folded->name, folded->name);
                if (!(w->flags & SPEC_ALLOW_UNKNOWN))
                        return walk_fail (w, m->off, "unknown field \"%s\"%s", m->key,
                                          w->flags & SPEC_EXACT_KEYS ? ""
                                                                     : " (not in OCI runtime-spec 1.2)");
                w->depth--;
        }
        return 0;
}

static int
walk_container (struct walk *w, const struct json *j, const struct spec_type *t)
{
        switch (t->kind) {
        case SPEC_OBJECT:
                return walk_object (w, j, t);
        case SPEC_MAP:
                for (size_t i = 0; i < j->n; i++)
                        if (walk_child (w, j->members[i].key, 0, j->members[i].value, t->elem) < 0)
                                return -1;
                return 0;
        case SPEC_ARRAY:
                for (size_t i = 0; i < j->n; i++)
                        if (walk_child (w, NULL, i, j->items[i], t->elem) < 0)
                                return -1;
                return 0;
        default:
                return 0;
        }
}

static int
walk_value (struct walk *w, const struct json *j, const struct spec_type *t)
{
        if (t->kind == SPEC_OPAQUE)
                return 0;
        if (j->type == JSON_NULL)
                return walk_fail (w, j->off, "null is not allowed: runc's Go decoder treats it as "
                                        "absent and would silently use its default (expected %s)",
                                  kinds[t->kind].name);
        if (j->type != kinds[t->kind].json)
                return walk_fail (w, j->off, "expected %s, found %s", kinds[t->kind].name,
                                  json_type_name (j->type));
        if (kinds[t->kind].fits && kinds[t->kind].fits (j->text, j->len) < 0)
                return walk_fail (w, j->off, "%s is not %s as runc reads it (%s)", j->text,
                                  kinds[t->kind].name,
                                  errno == ERANGE ? "out of range" : "sign, fraction or exponent");
        return walk_container (w, j, t);
}

int
spec_check (const struct json *doc, const struct spec_type *type, unsigned flags,
            const char *src, size_t src_len, struct hd_err *err)
{
        struct walk w = { .flags = flags, .src = src, .src_len = src_len, .err = err };

        return walk_value (&w, doc, type);
}
