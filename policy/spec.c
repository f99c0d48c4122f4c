#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
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
_Static_assert(HD_ARRAY_SIZE (kinds) == SPEC_OPAQUE, "kinds[] must cover enum spec_kind");

struct walk {
        unsigned flags;
        const char *src;
        size_t src_len;
        struct hd_err *err;
        int depth;
        struct {
                const char *key; /* NULL: an array index */
                size_t index;
        } path[JSON_MAX_DEPTH + 1];
};

static int walk_value (struct walk *w, const struct json *j, const struct spec_type *t);

static int walk_fail (struct walk *w, size_t off, const char *fmt, ...) __attribute__ ((format (printf, 3, 4)));

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
        return hd_err_set (w->err, HD_EXIT_REFUSED, EINVAL, "%s%s: %s", where, ptr[0] ? ptr : "(document)", what);
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
next_field (const struct spec_type *t, const struct spec_field *f)
{
        return (const void *) ((const char *) f + (t->stride ? t->stride : sizeof *f));
}

/* The position of `f` in its object's table. */
static size_t
field_index (const struct spec_type *t, const struct spec_field *f)
{
        return (size_t) ((const char *) f - (const char *) t->fields) / (t->stride ? t->stride : sizeof *f);
}

static const struct spec_field *
lookup_field (const struct spec_type *t, const char *key, const struct spec_field **folded)
{
        *folded = NULL;
        for (const struct spec_field *f = t->fields; f->name; f = next_field (t, f))
                if (strcmp (f->name, key) == 0)
                        return f;
        for (const struct spec_field *f = t->fields; f->name && !*folded; f = next_field (t, f))
                if (spec_fold_equal (key, f->name))
                        *folded = f;
        return NULL;
}

/* Step into a member (key) or an item (key NULL, index). */
static int
walk_child (struct walk *w, const char *key, size_t index, const struct json *j, const struct spec_type *t)
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
                const struct spec_field *folded, *f = lookup_field (t, m->key, &folded);

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
                                          w->flags & SPEC_EXACT_KEYS ? "" : " (not in OCI runtime-spec 1.2)");
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

/* What runc itself refuses: a value of the wrong JSON type for its field,
 * or a number the field's Go type cannot hold. */
static int
kind_check (struct walk *w, const struct json *j, const struct spec_type *t)
{
        if (j->type != kinds[t->kind].json)
                return walk_fail (w, j->off, "expected %s, found %s", kinds[t->kind].name, json_type_name (j->type));
        if (kinds[t->kind].fits && kinds[t->kind].fits (j->text, j->len) < 0)
                return walk_fail (w, j->off, "%s is not %s as runc reads it (%s)", j->text, kinds[t->kind].name,
                                  errno == ERANGE ? "out of range" : "sign, fraction or exponent");
        return 0;
}

static int
walk_value (struct walk *w, const struct json *j, const struct spec_type *t)
{
        if (t->kind == SPEC_OPAQUE)
                return 0;
        if (j->type == JSON_NULL)
                return walk_fail (w, j->off,
                                  "null is not allowed: runc's Go decoder treats it as "
                                  "absent and would silently use its default (expected %s)",
                                  kinds[t->kind].name);
        if (kind_check (w, j, t) < 0)
                return -1;
        return walk_container (w, j, t);
}

int
spec_check (const struct json *doc, const struct spec_type *type, unsigned flags, const char *src, size_t src_len,
            struct hd_err *err)
{
        struct walk w = { .flags = flags, .src = src, .src_len = src_len, .err = err };

        return walk_value (&w, doc, type);
}

/* ---- the canonical form (spec_canonicalize) ------------------------------
 *
 * Threat: runc re-reads what the shim writes with Go's encoding/json, which
 * folds key case, lets a later copy of a field decode over an earlier one
 * and reads null by the field's Go type.  Rules that looked at one spelling
 * would miss the other (a "User" that runc reads as "user").  So the tree
 * is decoded here as Go decodes it and written back with one spelling per
 * meaning; the rules then judge exactly what runc will act on.
 *
 * During the walk an array node's `len` holds the Go slice's length: the
 * items beyond it are Go's backing array (a later copy of the field decodes
 * its items into them), its capacity is the growth step (4, then half
 * again) that holds them.  canon_trim drops them at the end. */

#define SPEC_ELEM (1u << 8) /* internal: an array item or a map value (never a pointer) */

enum canon_class { CANON_FOLDED, CANON_NULL, CANON_DUPLICATE, CANON_UNKNOWN };

static const struct {
        const char *rule;
        size_t action; /* offset in struct spec_canon_actions */
} canon_classes[] = {
        [CANON_FOLDED] = { "document.foldedKey", offsetof (struct spec_canon_actions, folded_keys) },
        [CANON_NULL] = { "document.null", offsetof (struct spec_canon_actions, nulls) },
        [CANON_DUPLICATE] = { "document.duplicateKey", offsetof (struct spec_canon_actions, duplicate_keys) },
        [CANON_UNKNOWN] = { "document.unknownField", offsetof (struct spec_canon_actions, unknown_fields) },
};

struct canon {
        struct walk w;
        const struct spec_canon_actions *a;
        struct decision *d;
};

static int canon_decode (struct canon *c, struct json **slot, const struct json *v, const struct spec_type *t,
                         unsigned fflags);

static enum policy_action
canon_action (const struct canon *c, enum canon_class k)
{
        enum policy_action a;

        memcpy (&a, (const char *) c->a + canon_classes[k].action, sizeof a);
        return a;
}

static void canon_note (struct canon *c, enum canon_class k, size_t off, const char *found, const char *required,
                        const char *fmt, ...) __attribute__ ((format (printf, 6, 7)));

/* One finding of class k at the current path, with the class's action. */
static void
canon_note (struct canon *c, enum canon_class k, size_t off, const char *found, const char *required, const char *fmt,
            ...)
{
        enum policy_action a = canon_action (c, k);
        char ptr[2048], what[256], where[32] = "";
        size_t before = c->d->n;
        unsigned line, col;
        va_list ap;

        if (a == ACTION_OFF)
                return;
        va_start (ap, fmt);
        vsnprintf (what, sizeof what, fmt, ap);
        va_end (ap);
        walk_pointer (&c->w, ptr, sizeof ptr);
        /* a position is a scan from the start: only for a finding that is kept */
        if (c->w.src && off != JSON_NO_OFFSET && c->d->n < DECISION_MAX_FINDINGS) {
                json_line_col (c->w.src, c->w.src_len, off, &line, &col);
                snprintf (where, sizeof where, "%u:%u: ", line, col);
        }
        /* the message stands alone in the refusal summary: position and path first */
        decision_add (c->d, canon_classes[k].rule, ptr, found, required, "%s%s: %s", where, ptr[0] ? ptr : "/", what);
        if (a == ACTION_REJECT)
                c->d->verdict = VERDICT_REFUSED;
        else if (a == ACTION_REWRITE && c->d->verdict == VERDICT_ALLOWED)
                c->d->verdict = VERDICT_REWRITTEN;
        if (c->d->n > before) {
                c->d->findings[before].action = a;
                c->d->findings[before].fixed = a == ACTION_REWRITE;
        }
}

static void
canon_push (struct canon *c, const char *key, size_t index)
{
        c->w.path[c->w.depth].key = key;
        c->w.path[c->w.depth].index = index;
        c->w.depth++;
}

static int
canon_oom (struct canon *c)
{
        return hd_err_set (c->w.err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
}

/* A fresh node of `type` remembering where `v` was. */
static struct json *
canon_new (enum json_type type, const struct json *v)
{
        struct json *j = json_new (type);

        if (j) {
                j->off = v->off;
                j->src = v->src;
        }
        return j;
}

/* What Go leaves in an array item or map value that a null did not set. */
static struct json *
zero_value (const struct spec_type *t)
{
        switch (t->kind) {
        case SPEC_STRING:
                return json_new_string ("");
        case SPEC_BOOL:
                return json_new_bool (false);
        case SPEC_OBJECT:
        case SPEC_MAP:
                return json_new (JSON_OBJECT);
        case SPEC_ARRAY:
                return json_new (JSON_ARRAY);
        case SPEC_OPAQUE:
                return json_new (JSON_NULL);
        default:
                return json_new_number ("0");
        }
}

/* Go: null sets a pointer, slice or map to nil and leaves anything else as
 * it was (an item or map value then holds the zero value). */
static int
canon_null (struct canon *c, struct json **slot, const struct json *v, const struct spec_type *t, unsigned fflags)
{
        bool nil = (fflags & SPEC_PTR) || t->kind == SPEC_ARRAY || t->kind == SPEC_MAP;

        if (fflags & SPEC_ELEM)
                canon_note (c, CANON_NULL, v->off, "null", *slot && !nil ? "the earlier item" : "the zero value",
                            "null as an item or map value: runc's decoder reads it as %s",
                            *slot && !nil ? "the item already there" : "the zero value");
        else if (nil || !*slot)
                canon_note (c, CANON_NULL, v->off, "null", "absent",
                            "null for an optional field: runc's decoder reads it as absent");
        else
                canon_note (c, CANON_NULL, v->off, "null", "the earlier value",
                            "null for a field that is not a Go pointer: runc's decoder keeps the "
                            "value an earlier copy set");
        if (nil) {
                json_free (*slot);
                *slot = NULL;
        }
        return 0;
}

/* Decode `v` into the member `name` of `acc`; a nil result removes it. */
static int
canon_member (struct canon *c, struct json *acc, const char *name, const struct json *v, const struct spec_type *t,
              unsigned fflags)
{
        struct json *val = NULL;

        for (size_t i = 0; i < acc->n; i++) {
                if (strcmp (acc->members[i].key, name) != 0)
                        continue;
                if (canon_decode (c, &acc->members[i].value, v, t, fflags) < 0)
                        return -1;
                if (!acc->members[i].value)
                        json_del (acc, name);
                return 0;
        }
        if (canon_decode (c, &val, v, t, fflags) < 0) {
                json_free (val);
                return -1;
        }
        return val ? json_add (acc, name, val, c->w.err) : 0;
}

/* Set `key` of `acc` to `val`, replacing a copy only when one can be there. */
static int
canon_put (struct canon *c, struct json *acc, const char *key, struct json *val, bool may_exist)
{
        return may_exist ? json_set (acc, key, val, c->w.err) : json_add (acc, key, val, c->w.err);
}

/* runc ignores a key that names no field: kept (allowed, audit) or dropped. */
static int
canon_unknown (struct canon *c, struct json *acc, const struct json_member *m, bool may_exist)
{
        enum policy_action a = canon_action (c, CANON_UNKNOWN);

        canon_note (c, CANON_UNKNOWN, m->off, m->key, "",
                    "unknown field \"%s\" (not in OCI runtime-spec 1.2): runc's decoder ignores it", m->key);
        if (a == ACTION_REWRITE || a == ACTION_REJECT)
                return 0;
        return canon_put (c, acc, m->key, json_clone (m->value), may_exist);
}

static int
canon_object (struct canon *c, struct json **slot, const struct json *v, const struct spec_type *t)
{
        _cleanup_free_ bool *dup = calloc (v->n + 1, sizeof *dup);
        bool merge = *slot != NULL;
        uint64_t seen = 0;

        if (!dup || (!*slot && !(*slot = canon_new (JSON_OBJECT, v))) || json_mark_duplicates (v, dup) < 0)
                return canon_oom (c);
        for (size_t i = 0; i < v->n; i++) {
                const struct json_member *m = &v->members[i];
                const struct spec_field *folded, *f = lookup_field (t, m->key, &folded);
                uint64_t bit;

                canon_push (c, m->key, 0);
                if (!f && folded) {
                        canon_note (c, CANON_FOLDED, m->off, m->key, folded->name,
                                    "key \"%s\" is read by runc's decoder as the field \"%s\" (Go matches "
                                    "keys case-insensitively, with Unicode simple folding)",
                                    m->key, folded->name);
                        f = folded;
                }
                if (f) {
                        bit = UINT64_C (1) << (field_index (t, f) & 63);
                        if (seen & bit)
                                canon_note (c, CANON_DUPLICATE, m->off, m->key, f->name,
                                            "the field \"%s\" is given again: runc's decoder reads each copy "
                                            "over the one before",
                                            f->name);
                        /* refused anyway: the copy is not merged (no quadratic merge of huge copies) */
                        if (!((seen & bit) && canon_action (c, CANON_DUPLICATE) == ACTION_REJECT)
                            && canon_member (c, *slot, f->name, m->value, f->type, f->flags) < 0)
                                return -1;
                        seen |= bit;
                } else if (canon_unknown (c, *slot, m, merge || dup[i]) < 0) {
                        return -1;
                }
                c->w.depth--;
        }
        return 0;
}

#define MAP_ABSENT SIZE_MAX

/* at[i] (v->n entries): where the first copy of v's member i's key
 * already is in acc (an earlier copy of the whole map), or MAP_ABSENT. */
static int
map_find (const struct json *acc, const struct json *v, const size_t *first, size_t *at)
{
        _cleanup_free_ const struct json_member **sorted = json_members_sorted (acc);
        const struct json_member *m;

        if (!sorted)
                return -1;
        for (size_t i = 0; i < v->n; i++)
                if (first[i] == i && (m = json_sorted_get (sorted, acc->n, v->members[i].key)))
                        at[i] = (size_t) (m - acc->members);
        return 0;
}

/* Put `val` at member *at of acc, or add it as `key` and remember where. */
static int
map_put (struct canon *c, struct json *acc, const char *key, struct json *val, size_t *at)
{
        if (*at != MAP_ABSENT) {
                json_free (acc->members[*at].value);
                acc->members[*at].value = val;
                return 0;
        }
        if (json_add (acc, key, val, c->w.err) < 0)
                return -1;
        *at = acc->n - 1;
        return 0;
}

/* Go map: exact keys; each value decoded afresh, the last copy kept.
 * Where each key goes is known up front (first copies, and an earlier copy
 * of the map found once), not looked up per member: an attacker's map
 * with every key given twice would make that quadratic. */
static int
canon_map (struct canon *c, struct json **slot, const struct json *v, const struct spec_type *t)
{
        _cleanup_free_ size_t *first = calloc (v->n + 1, sizeof *first);
        _cleanup_free_ size_t *at = malloc ((v->n + 1) * sizeof *at);
        bool merge = *slot != NULL;

        if (!first || !at || (!*slot && !(*slot = canon_new (JSON_OBJECT, v))) || json_mark_first (v, first) < 0)
                return canon_oom (c);
        memset (at, 0xff, (v->n + 1) * sizeof *at); /* MAP_ABSENT */
        if (merge && map_find (*slot, v, first, at) < 0)
                return canon_oom (c);
        for (size_t i = 0; i < v->n; i++) {
                const struct json_member *m = &v->members[i];
                bool dup = first[i] != i;
                struct json *val = NULL;

                canon_push (c, m->key, 0);
                if (dup)
                        canon_note (c, CANON_DUPLICATE, m->off, m->key, m->key,
                                    "the key \"%s\" is given again: runc's decoder keeps the last value", m->key);
                if (dup && canon_action (c, CANON_DUPLICATE) == ACTION_REJECT) {
                        c->w.depth--;
                        continue;
                }
                if (canon_decode (c, &val, m->value, t->elem, SPEC_ELEM) < 0) {
                        json_free (val);
                        return -1;
                }
                if (!val && !(val = zero_value (t->elem)))
                        return canon_oom (c);
                if (map_put (c, *slot, m->key, val, &at[first[i]]) < 0)
                        return -1;
                c->w.depth--;
        }
        return 0;
}

/* The capacity Go's decoder has grown a slice to when it holds n items. */
static size_t
go_slice_cap (size_t n)
{
        size_t cap = n ? 4 : 0;

        while (cap < n)
                cap += cap / 2;
        return cap;
}

static void
drop_items (struct json *a, size_t keep)
{
        while (a->n > keep)
                json_free (a->items[--a->n]);
}

/* Go slice: items decode into the backing array's items at the same index
 * (a struct item merges with what an earlier copy left there); growing
 * past the capacity copies only the live items; an empty array is a new
 * empty slice. */
static int
canon_array (struct canon *c, struct json **slot, const struct json *v, const struct spec_type *t)
{
        struct json *a = *slot;
        size_t len, cap;

        if (!a && !(a = *slot = canon_new (JSON_ARRAY, v)))
                return canon_oom (c);
        len = a->len;
        cap = go_slice_cap (a->n);
        for (size_t i = 0; i < v->n; i++) {
                struct json *val = NULL;

                if (i >= cap) {
                        drop_items (a, len);
                        cap = cap + cap / 2 < 4 ? 4 : cap + cap / 2;
                }
                if (i >= len)
                        len = i + 1;
                canon_push (c, NULL, i);
                if (canon_decode (c, i < a->n ? &a->items[i] : &val, v->items[i], t->elem, SPEC_ELEM) < 0) {
                        json_free (val);
                        return -1;
                }
                if (i < a->n && !a->items[i] && !(a->items[i] = zero_value (t->elem)))
                        return canon_oom (c);
                if (i >= a->n && json_append (a, val ? val : zero_value (t->elem), c->w.err) < 0)
                        return -1;
                c->w.depth--;
        }
        if (v->n == 0)
                drop_items (a, 0);
        a->len = v->n == 0 ? 0 : v->n < len ? v->n : len;
        return 0;
}

static int
canon_decode (struct canon *c, struct json **slot, const struct json *v, const struct spec_type *t, unsigned fflags)
{
        struct json *copy;

        if (t->kind != SPEC_OPAQUE && v->type == JSON_NULL)
                return canon_null (c, slot, v, t, fflags);
        if (t->kind != SPEC_OPAQUE && kind_check (&c->w, v, t) < 0)
                return -1;
        switch (t->kind) {
        case SPEC_OBJECT:
                return canon_object (c, slot, v, t);
        case SPEC_MAP:
                return canon_map (c, slot, v, t);
        case SPEC_ARRAY:
                return canon_array (c, slot, v, t);
        default:
                /* a scalar replaces; an opaque section (ignored by runc) is kept as written */
                if (!(copy = json_clone (v)))
                        return canon_oom (c);
                copy->off = v->off;
                json_free (*slot);
                *slot = copy;
                return 0;
        }
}

/* Drop what is left of Go's backing arrays beyond each slice's length. */
static void
canon_trim (struct json *j, const struct spec_type *t)
{
        const struct spec_field *folded, *f;

        switch (t->kind) {
        case SPEC_ARRAY:
                drop_items (j, j->len);
                j->len = 0;
                for (size_t i = 0; i < j->n; i++)
                        canon_trim (j->items[i], t->elem);
                return;
        case SPEC_OBJECT:
                for (size_t i = 0; i < j->n; i++)
                        if ((f = lookup_field (t, j->members[i].key, &folded)))
                                canon_trim (j->members[i].value, f->type);
                return;
        case SPEC_MAP:
                for (size_t i = 0; i < j->n; i++)
                        canon_trim (j->members[i].value, t->elem);
                return;
        default:
                return;
        }
}

/* Does a map repeat a key?  Pairwise for a small one, else sorted
 * (json_mark_duplicates, as canon_map's json_mark_first).  An allocation
 * failure answers yes: the full decode then runs and reports it. */
static bool
canon_map_repeats (const struct json *v)
{
        _cleanup_free_ bool *dup = NULL;

        if (v->n <= 16) {
                for (size_t i = 0; i < v->n; i++)
                        for (size_t k = i + 1; k < v->n; k++)
                                if (strcmp (v->members[i].key, v->members[k].key) == 0)
                                        return true;
                return false;
        }
        if (!(dup = calloc (v->n, sizeof *dup)) || json_mark_duplicates (v, dup) < 0)
                return true;
        for (size_t i = 0; i < v->n; i++)
                if (dup[i])
                        return true;
        return false;
}

/* Is `v` already what canon_decode would make of it, with nothing to
 * note?  True only when the decode would be a plain copy: no null, no key
 * that is not spelled exactly as its field (folded or unknown), no field
 * or map key given twice (by canon_object's own bit test, so a table of
 * more than 64 fields is judged as it is there), every value of its
 * field's JSON type and range.  Anything else (and every error) is left
 * to the decode.  So a document written canonically, as engines write
 * them, is kept as it is, not rebuilt node by node and freed. */
static bool
canon_clean (struct json *v, const struct spec_type *t)
{
        uint64_t seen = 0;

        if (t->kind == SPEC_OPAQUE)
                return true;
        if (v->type != kinds[t->kind].json || (kinds[t->kind].fits && kinds[t->kind].fits (v->text, v->len) < 0))
                return false; /* null included: JSON_NULL is no kind's type */
        switch (t->kind) {
        case SPEC_OBJECT:
                for (size_t i = 0; i < v->n; i++) {
                        struct json_member *m = &v->members[i];
                        const struct spec_field *f = t->fields;
                        uint64_t bit;
                        while (f->name && f->name != m->key && strcmp (f->name, m->key) != 0)
                                f = next_field (t, f);
                        bit = UINT64_C (1) << (field_index (t, f) & 63);
                        if (!f->name || (seen & bit) || !canon_clean (m->value, f->type))
                                return false;
                        /* the same bytes: the rules' literal keys are the spec's
                         * (the linker merges equal strings), and json_get
                         * compares pointers first */
                        m->key = f->name;
                        seen |= bit;
                }
                return true;
        case SPEC_MAP:
                for (size_t i = 0; i < v->n; i++)
                        if (!canon_clean (v->members[i].value, t->elem))
                                return false;
                return !canon_map_repeats (v);
        case SPEC_ARRAY:
                for (size_t i = 0; i < v->n; i++)
                        if (!canon_clean (v->items[i], t->elem))
                                return false;
                return true;
        default:
                return true;
        }
}

int
spec_canonicalize (struct json **doc, const struct spec_type *type, const struct spec_canon_actions *a,
                   struct decision *d, const char *src, size_t src_len, struct hd_err *err)
{
        struct canon c = { .w = { .src = src, .src_len = src_len, .err = err }, .a = a, .d = d };
        struct json *out = NULL;

        if (canon_clean (*doc, type))
                return 0; /* the decode would copy it exactly, noting nothing */
        if (canon_decode (&c, &out, *doc, type, 0) < 0) {
                json_free (out);
                return -1;
        }
        if (!out && !(out = json_new (JSON_OBJECT)))
                return canon_oom (&c);
        canon_trim (out, type);
        json_free (*doc);
        *doc = out;
        return 0;
}

/* Audit mode keeps every rewrite and turns each finding into a warning;
 * a class the policy rejects is then rewritten (an unknown field kept, as
 * runc ignores it), so a dry run hands runc what it would have read. */
static enum policy_action
audit_action (const struct policy *p, enum policy_action a)
{
        return p->mode == MODE_AUDIT && a != ACTION_OFF ? ACTION_WARN : a;
}

void
spec_canon_actions_for (const struct policy *p, struct spec_canon_actions *out)
{
        out->folded_keys = audit_action (p, p->document.folded_keys);
        out->nulls = audit_action (p, p->document.nulls);
        out->duplicate_keys = audit_action (p, p->document.duplicate_keys);
        out->unknown_fields = audit_action (p, p->document.unknown_fields);
}
