#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <yajl/yajl_gen.h>
#include <yajl/yajl_parse.h>

#include "hardened/bigmem.h"
#include "hardened/json.h"
#include "hardened/num.h"
#include "hardened/siphash.h"
#include "hardened/swar.h"
#include "hardened/util.h"

/* ---- arena ------------------------------------------------------------- */

/* Small allocations are carved from the tail of the newest chunk (chunks
 * grow from ARENA_FIRST to ARENA_LAST bytes); one larger than an eighth of
 * the next chunk gets a chunk of its own, on a second list, so a mark is
 * (newest chunk, bytes used in it, newest big chunk).
 *
 * A chunk of ARENA_MAPPED bytes or more (only a large document's tree
 * reaches them: Docker's 9 KB config stays in the first few) is mapped on a
 * huge-page boundary and asked for huge pages: a document at the size
 * limit builds a tree of about 100 MB, and faulting it in 4 KB at a time
 * was about a third of the runtime path's CPU time in a VM.  Where the
 * kernel gives none (THP off) it is faulted in as malloc's memory would
 * be; the contents are the same either way. */
#define ARENA_FIRST (32u << 10)
#define ARENA_LAST (8u << 20)
#define ARENA_MAPPED HD_HUGE_PAGE /* and the huge-page size the mapping is aligned to */
#define ARENA_ALIGN 8u

struct arena_chunk {
        struct arena_chunk *prev;
        size_t size;   /* usable bytes after the header */
        size_t mapped; /* bytes of the chunk's own mapping; 0: malloc's */
};

static struct {
        struct arena_chunk *cur, *big;
        size_t used, next;
} arena = { .next = ARENA_FIRST };

static char *
chunk_data (struct arena_chunk *c)
{
        return (char *) (c + 1);
}

/* `bytes` (a multiple of ARENA_MAPPED) mapped at an ARENA_MAPPED boundary;
 * NULL when the kernel has no memory to give. */
static void *
chunk_map (size_t bytes)
{
        size_t extra = ARENA_MAPPED, head;
        char *p = mmap (NULL, bytes + extra, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

        if (p == MAP_FAILED)
                return NULL;
        head = (ARENA_MAPPED - (uintptr_t) p % ARENA_MAPPED) % ARENA_MAPPED;
        if (head)
                munmap (p, head);
        munmap (p + head + bytes, extra - head);
        p += head;
        hd_huge_hint (p, bytes); /* refused, the pages stay small */
        return p;
}

/* A chunk with at least `size` usable bytes (c->size: all a mapping has). */
static struct arena_chunk *
chunk_new (size_t size)
{
        size_t bytes = sizeof (struct arena_chunk) + size;
        struct arena_chunk *c;

        if (bytes < ARENA_MAPPED) {
                if ((c = malloc (bytes)))
                        *c = (struct arena_chunk) { .size = size };
                return c;
        }
        bytes = (bytes + ARENA_MAPPED - 1) / ARENA_MAPPED * ARENA_MAPPED;
        if ((c = chunk_map (bytes)))
                *c = (struct arena_chunk) { .size = bytes - sizeof *c, .mapped = bytes };
        return c;
}

static void
chunk_free (struct arena_chunk *c)
{
        if (c->mapped)
                munmap (c, c->mapped);
        else
                free (c);
}

static void *
arena_slow (size_t size)
{
        struct arena_chunk *c;

        if (size > arena.next / 8) {
                if (!(c = chunk_new (size)))
                        return NULL;
                c->prev = arena.big;
                arena.big = c;
                return chunk_data (c);
        }
        /* the header inside arena.next: a mapped chunk is whole huge pages */
        if (!(c = chunk_new (arena.next - sizeof *c)))
                return NULL;
        c->prev = arena.cur;
        arena.cur = c;
        arena.used = size;
        if (arena.next < ARENA_LAST)
                arena.next *= 2;
        return chunk_data (c);
}

/* `size` bytes, 8-aligned, valid until the arena is released below them;
 * NULL when out of memory (or when size is absurd). */
static void *
arena_alloc (size_t size)
{
        void *p;

        if (size > JSON_MAX_BYTES * (size_t) 64)
                return NULL;
        size = (size + ARENA_ALIGN - 1) & ~(size_t) (ARENA_ALIGN - 1);
        if (!arena.cur || arena.cur->size - arena.used < size)
                return arena_slow (size);
        p = chunk_data (arena.cur) + arena.used;
        arena.used += size;
        return p;
}

/* Grow the allocation p (old bytes, the newest one when it can grow in
 * place) to `size` bytes, keeping its contents; NULL when out of memory. */
static void *
arena_grow (void *p, size_t old, size_t size)
{
        size_t aligned = (old + ARENA_ALIGN - 1) & ~(size_t) (ARENA_ALIGN - 1);
        void *n;

        if (p && arena.cur && (char *) p + aligned == chunk_data (arena.cur) + arena.used
            && size <= arena.cur->size - arena.used + aligned) {
                arena.used += ((size + ARENA_ALIGN - 1) & ~(size_t) (ARENA_ALIGN - 1)) - aligned;
                return p;
        }
        if (!(n = arena_alloc (size)))
                return NULL;
        if (old)
                memcpy (n, p, old);
        return n;
}

static char *
arena_strndup (const char *s, size_t len)
{
        char *d = arena_alloc (len + 1);

        if (d) {
                memcpy (d, s, len);
                d[len] = '\0';
        }
        return d;
}

struct json_arena_mark
json_arena_mark (void)
{
        return (struct json_arena_mark) { arena.cur, arena.big, arena.used, arena.next };
}

void
json_arena_release (struct json_arena_mark mark)
{
        while (arena.cur && arena.cur != mark.chunk) {
                struct arena_chunk *c = arena.cur;
                arena.cur = c->prev;
                chunk_free (c);
        }
        while (arena.big && arena.big != mark.big) {
                struct arena_chunk *c = arena.big;
                arena.big = c->prev;
                chunk_free (c);
        }
        arena.used = mark.used;
        arena.next = mark.next;
}

/* ---- nodes -------------------------------------------------------------- */

struct json *
json_new (enum json_type type)
{
        struct json *j = arena_alloc (sizeof *j);

        if (j)
                *j = (struct json) { .type = type, .off = JSON_NO_OFFSET };
        return j;
}

/* A string or number node and its text in one allocation. */
static struct json *
json_new_text (enum json_type type, const char *s, size_t len)
{
        struct json *j = len < UINT32_MAX ? arena_alloc (sizeof *j + len + 1) : NULL; /* .len's width */

        if (!j)
                return NULL;
        *j = (struct json) { .type = type, .off = JSON_NO_OFFSET, .text = (char *) (j + 1), .len = (uint32_t) len };
        memcpy (j->text, s, len);
        j->text[len] = '\0';
        return j;
}

struct json *
json_new_string (const char *s)
{
        return json_new_text (JSON_STRING, s, strlen (s));
}

struct json *
json_new_number (const char *text)
{
        return json_new_text (JSON_NUMBER, text, strlen (text));
}

struct json *
json_new_bool (bool v)
{
        struct json *j = json_new (JSON_BOOL);

        if (j)
                j->boolean = v;
        return j;
}

const char *
json_type_name (enum json_type t)
{
        static const char *const names[] = {
                [JSON_NULL] = "null",       [JSON_BOOL] = "a boolean", [JSON_NUMBER] = "a number",
                [JSON_STRING] = "a string", [JSON_ARRAY] = "an array", [JSON_OBJECT] = "an object",
        };
        return names[t];
}

/* Every rule looks its fields up by name, many times per entry of a list
 * an attacker made long: the first byte is compared inline, so a member
 * with another initial costs no call (the answer is strcmp's). */
static inline bool
same_text (const char *a, const char *b)
{
        return a[0] == b[0] && strcmp (a, b) == 0;
}

struct json *
json_get (const struct json *obj, const char *key)
{
        if (!obj || obj->type != JSON_OBJECT)
                return NULL;
        for (size_t i = 0; i < obj->n; i++)
                if (obj->members[i].key == key || same_text (obj->members[i].key, key))
                        return obj->members[i].value;
        return NULL;
}

struct json *
json_path (const struct json *root, const char *first, ...)
{
        struct json *cur = json_get (root, first);
        const char *key;
        va_list ap;

        va_start (ap, first);
        while (cur && (key = va_arg (ap, const char *)))
                cur = json_get (cur, key);
        va_end (ap);
        return cur;
}

/* Room for one more of `elem` bytes in *arr (n used of *cap). */
static int
grow (void **arr, uint32_t *cap, uint32_t n, size_t elem)
{
        size_t ncap;
        void *p;

        if (n < *cap)
                return 0;
        ncap = *cap ? (size_t) *cap * 2 : 4;
        if (ncap > UINT32_MAX || ncap > SIZE_MAX / 2 / elem)
                return -1;
        if (!(p = arena_grow (*arr, *cap * elem, ncap * elem)))
                return -1;
        *arr = p;
        *cap = ncap;
        return 0;
}

int
json_append (struct json *arr, struct json *value, struct hd_err *err)
{
        if (!value || grow ((void **) &arr->items, &arr->cap, arr->n, sizeof *arr->items) < 0)
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        arr->items[arr->n++] = value;
        return 0;
}

/* Append a member without looking for an existing key; `key` is the
 * arena's (or shared with another tree: keys are never written). */
static int
json_push_member (struct json *obj, char *key, struct json *value, struct hd_err *err)
{
        if (!key || !value || grow ((void **) &obj->members, &obj->cap, obj->n, sizeof *obj->members) < 0)
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        obj->members[obj->n++] = (struct json_member) { key, value, JSON_NO_OFFSET };
        return 0;
}

int
json_add (struct json *obj, const char *key, struct json *value, struct hd_err *err)
{
        return json_push_member (obj, arena_strndup (key, strlen (key)), value, err);
}

int
json_set (struct json *obj, const char *key, struct json *value, struct hd_err *err)
{
        if (!value)
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        for (size_t i = 0; i < obj->n; i++) {
                if (strcmp (obj->members[i].key, key) == 0) {
                        obj->members[i].value = value;
                        return 0;
                }
        }
        return json_add (obj, key, value, err);
}

void
json_del (struct json *obj, const char *key)
{
        for (size_t i = 0; obj && obj->type == JSON_OBJECT && i < obj->n; i++) {
                if (strcmp (obj->members[i].key, key) != 0)
                        continue;
                memmove (&obj->members[i], &obj->members[i + 1], (obj->n - i - 1) * sizeof *obj->members);
                obj->n--;
                return;
        }
}

void
json_pointer_append (char *buf, size_t size, const char *component)
{
        size_t used = strlen (buf);

        if (used + 1 >= size)
                return;
        buf[used++] = '/';
        /* runs of plain bytes copied whole: a pointer is made per entry of a
         * list an attacker made long (the policy check's diff) */
        for (const char *c = component; *c && used + 2 < size;) {
                size_t span = strcspn (c, "~/");
                if (span > size - 2 - used)
                        span = size - 2 - used;
                memcpy (buf + used, c, span);
                used += span;
                c += span;
                if (*c && used + 2 < size) {
                        buf[used++] = '~';
                        buf[used++] = *c++ == '~' ? '0' : '1';
                }
        }
        buf[used] = '\0';
}

/* One reference token of `ptr` (from just after its '/'), unescaped into
 * tok; the rest of the pointer after it.  NULL when it does not fit or an
 * escape is not ~0 or ~1. */
static const char *
pointer_token (const char *ptr, char *tok, size_t size)
{
        size_t used = 0;

        for (; *ptr && *ptr != '/'; ptr++) {
                char c = *ptr;
                if (c == '~') {
                        c = ptr[1] == '0' ? '~' : ptr[1] == '1' ? '/' : '\0';
                        if (!c)
                                return NULL;
                        ptr++;
                }
                if (used + 1 >= size)
                        return NULL;
                tok[used++] = c;
        }
        tok[used] = '\0';
        return ptr;
}

const struct json *
json_pointer_get (const struct json *root, const char *ptr)
{
        const struct json *cur = root;
        char tok[256];

        while (cur && *ptr == '/') {
                uint64_t index;
                if (!(ptr = pointer_token (ptr + 1, tok, sizeof tok)))
                        return NULL;
                if (cur->type == JSON_OBJECT)
                        cur = json_get (cur, tok);
                else if (cur->type == JSON_ARRAY && parse_u64 (tok, strlen (tok), &index) == 0 && index < cur->n)
                        cur = cur->items[index];
                else
                        cur = NULL;
        }
        return *ptr ? NULL : cur;
}

/* ---- parser ------------------------------------------------------------- */

struct frame {
        struct json *node;
        const char *key; /* object: key of the member being parsed */
        size_t skipped;  /* array, shallow: scalar items not built */
        size_t base;     /* its members (items) so far are kids[base..] */
};

#define BUILDER_SEEN 64 /* a power of two */

struct builder {
        const char *buf;
        size_t len;
        yajl_handle h;
        struct json *root;
        struct frame stack[JSON_MAX_DEPTH];
        int depth;
        char *pending_key; /* the arena's (shallow: in keys) */
        size_t pending_key_off;
        /* The members of every open container, innermost last (an item is
         * a member without a key): a container's own array is allocated
         * once, at its exact size, when it closes. */
        struct json_member *kids;
        size_t nkids, kids_cap;
        size_t scanned;     /* raw bytes already checked for escapes */
        size_t token_start; /* offset of the current token's first byte */
        struct hd_err *err;
        bool failed;
        bool keep_duplicates; /* JSON_KEEP_DUPLICATES */
        size_t max;           /* the size limit (0: JSON_MAX_BYTES) */
        /* json_peek_string: nothing is built but what the checks need.  A
         * container is nodes[its depth], reused, holding only its keys (in
         * kids, for the duplicate check), which live in `keys` (decoded keys and
         * their NULs never outgrow the document); the root object's string
         * member `want` is copied to `found`. */
        bool shallow;
        struct json *nodes;
        char *keys;
        size_t keys_used;
        const char *want;
        char *found;
        /* Keys seen lately, by a small hash of their bytes: a key written
         * again (every mount's "destination", every rule's "names") is the
         * same arena text, so a tree holds few key strings and json_get's
         * compare reads hot memory.  A miss makes a copy as before; no
         * text is ever written in place, so a shared key is safe. */
        struct {
                char *text;
                size_t len;
        } seen[BUILDER_SEEN];
};

void
json_line_col (const char *src, size_t len, size_t off, unsigned *line, unsigned *col)
{
        const char *p = src, *end = src + (off < len ? off : len), *nl;

        *line = 1;
        while ((nl = memchr (p, '\n', (size_t) (end - p)))) {
                (*line)++;
                p = nl + 1;
        }
        *col = 1;
        for (; p < end; p++)
                if (((unsigned char) *p & 0xC0) != 0x80)
                        (*col)++;
}

/* JSON pointer of the value being parsed now. */
static void
builder_pointer (const struct builder *b, char *buf, size_t size)
{
        buf[0] = '\0';
        for (int i = 0; i < b->depth; i++) {
                const struct json *n = b->stack[i].node;
                char idx[24];

                if (n->type == JSON_OBJECT) {
                        if (b->stack[i].key)
                                json_pointer_append (buf, size, b->stack[i].key);
                } else {
                        /* the array's newest item is the one in progress */
                        size_t items = n->n + b->stack[i].skipped;
                        snprintf (idx, sizeof idx, "%zu", items ? items - 1 : 0);
                        json_pointer_append (buf, size, idx);
                }
        }
}

static int builder_fail (struct builder *b, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

static int builder_fail_at (struct builder *b, size_t off, const char *fmt, ...)
        __attribute__ ((format (printf, 3, 4)));

static int
builder_vfail (struct builder *b, size_t off, const char *fmt, va_list ap)
{
        char ptr[1024], what[1024];
        unsigned line, col;

        json_line_col (b->buf, b->len, off, &line, &col);
        vsnprintf (what, sizeof what, fmt, ap);
        builder_pointer (b, ptr, sizeof ptr);
        hd_err_set (b->err, HD_EXIT_REFUSED, EINVAL, "%u:%u: %s: %s", line, col, ptr[0] ? ptr : "(document)", what);
        b->failed = true;
        return 0; /* tells yajl to stop */
}

/* Fail at the current token (token_start), naming the pointer being parsed. */
static int
builder_fail (struct builder *b, const char *fmt, ...)
{
        va_list ap;
        int rc;

        va_start (ap, fmt);
        rc = builder_vfail (b, b->token_start, fmt, ap);
        va_end (ap);
        return rc;
}

static int
builder_fail_at (struct builder *b, size_t off, const char *fmt, ...)
{
        va_list ap;
        int rc;

        va_start (ap, fmt);
        rc = builder_vfail (b, off, fmt, ap);
        va_end (ap);
        return rc;
}

static unsigned
hex4 (const char *s)
{
        unsigned v = 0;

        for (int i = 0; i < 4; i++) {
                char c = s[i];
                v <<= 4;
                v |= (unsigned) (c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
        }
        return v;
}

/* Check the raw \u escapes of the string token that yajl just lexed, which
 * lies between the bytes already scanned and the current offset.  yajl has
 * validated the token's grammar, so every \u has four hex digits. */
static bool
raw_surrogates_ok (struct builder *b, bool *escaped)
{
        size_t end = yajl_get_bytes_consumed (b->h);
        const char *p = b->buf + b->scanned;
        const char *stop = b->buf + (end <= b->len ? end : b->len);
        bool want_low = false;

        b->scanned = stop - b->buf;
        p = memchr (p, '"', stop - p);
        if (p)
                b->token_start = p - b->buf;
        *escaped = !p || memchr (p, '\\', stop - p);
        if (!*escaped)
                return true; /* no escapes at all: the common case */
        for (p = p ? p + 1 : stop; p < stop && *p != '"'; p++) {
                unsigned cp;

                if (*p != '\\') {
                        if (want_low)
                                return false;
                        continue;
                }
                if (p[1] != 'u') {
                        if (want_low)
                                return false;
                        p++;
                        continue;
                }
                cp = hex4 (p + 2);
                p += 5;
                if (want_low != (cp >= 0xDC00 && cp <= 0xDFFF))
                        return false;
                want_low = !want_low && cp >= 0xD800 && cp <= 0xDBFF;
        }
        return !want_low;
}

/* Whether s has no byte above 0x7F, eight bytes at a time. */
static bool
ascii (const unsigned char *s, size_t len)
{
        uint64_t acc = 0;
        size_t i = 0;

        for (; len - i >= 8; i += 8)
                acc |= hd_load8 (s + i);
        if (len >= 8) {
                acc |= hd_load8 (s + len - 8);
        } else if (len >= 4) { /* two words of four that overlap cover it */
                uint32_t head, tail;
                memcpy (&head, s, sizeof head);
                memcpy (&tail, s + len - 4, sizeof tail);
                acc = head | tail;
        } else if (len) {
                acc = s[0] | s[len / 2] | s[len - 1];
        }
        return !(acc & HD_HIGH);
}

size_t
json_utf8_seq (const unsigned char *p, size_t left)
{
        unsigned c = p[0], need, min, cp;

        if (c >= 0xC2 && c <= 0xDF)
                need = 1, min = 0x80, cp = c & 0x1F;
        else if (c >= 0xE0 && c <= 0xEF)
                need = 2, min = 0x800, cp = c & 0x0F;
        else if (c >= 0xF0 && c <= 0xF4)
                need = 3, min = 0x10000, cp = c & 0x07;
        else
                return 0;
        if (left <= need)
                return 0;
        for (unsigned k = 1; k <= need; k++) {
                if ((p[k] & 0xC0) != 0x80)
                        return 0;
                cp = (cp << 6) | (p[k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
                return 0;
        return need + 1;
}

/* RFC 3629 UTF-8 (json_utf8_seq).  yajl's own check only looks at the shape
 * of continuation bytes, and Go replaces every sequence refused here with
 * U+FFFD. */
static bool
utf8_valid (const unsigned char *s, size_t len)
{
        if (ascii (s, len))
                return true;
        for (size_t i = 0; i < len;) {
                size_t n = s[i] < 0x80 ? 1 : json_utf8_seq (s + i, len - i);

                if (!n)
                        return false;
                i += n;
        }
        return true;
}

static int
builder_check_text (struct builder *b, const unsigned char *s, size_t len, const char *what)
{
        uintptr_t at = (uintptr_t) s, doc = (uintptr_t) b->buf;
        bool escaped = false, escapes_ok = true;

        /* yajl hands a string without escapes straight from the document
         * (one decoded from escapes comes from its own buffer) */
        if (at > doc && at - doc + len < b->len) {
                b->token_start = at - doc - 1;
                b->scanned = at - doc + len + 1;
        } else {
                escapes_ok = raw_surrogates_ok (b, &escaped);
        }
        if (!escapes_ok)
                return builder_fail (b,
                                     "%s has a \\u escape that is not a valid UTF-16 "
                                     "surrogate pair (Go would read U+FFFD)",
                                     what);
        if (!utf8_valid (s, len))
                return builder_fail (b,
                                     "%s is not valid UTF-8 (overlong, surrogate or out-of-range "
                                     "sequence; Go would read U+FFFD)",
                                     what);
        /* the document has no NUL byte (precheck): only an escape makes one */
        if (escaped && memchr (s, '\0', len))
                return builder_fail (b, "%s contains a NUL character (\\u0000)", what);
        return 1;
}

static int
builder_oom (struct builder *b)
{
        hd_err_set (b->err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        b->failed = true;
        return 0;
}

/* One more member (an object's, under the pending key) or item of the
 * innermost open container; value is NULL when shallow. */
static int
builder_kid (struct builder *b, struct json *value)
{
        struct frame *top = &b->stack[b->depth - 1];
        bool obj = top->node->type == JSON_OBJECT;

        if (b->nkids == b->kids_cap) {
                size_t cap = b->kids_cap ? b->kids_cap * 2 : 64;
                struct json_member *k = cap > SIZE_MAX / sizeof *k
                                                ? NULL
                                                : hd_big_realloc (b->kids, b->nkids * sizeof *k, cap * sizeof *k);
                if (!k)
                        return builder_oom (b);
                b->kids = k;
                b->kids_cap = cap;
        }
        b->kids[b->nkids++] = (struct json_member) { obj ? b->pending_key : NULL, value,
                                                     obj ? b->pending_key_off : JSON_NO_OFFSET };
        top->node->n++;
        if (obj)
                top->key = b->pending_key;
        return 1;
}

/* Attach a new node to the container being built; it starts at token_start. */
static int
builder_attach (struct builder *b, struct json *node)
{
        if (!node)
                return builder_oom (b);
        node->off = b->token_start;
        if (b->depth == 0) {
                b->root = node;
                return 1;
        }
        return builder_kid (b, node);
}

/* Shallow: a scalar inside a container is not built; an object still
 * records its key (with no value), so duplicates are found as in full. */
static bool
builder_skips (const struct builder *b)
{
        return b->shallow && b->depth > 0;
}

static int
builder_skip (struct builder *b)
{
        if (b->stack[b->depth - 1].node->type == JSON_ARRAY) {
                b->stack[b->depth - 1].skipped++;
                return 1;
        }
        return builder_kid (b, NULL);
}

/* A token of `len` bytes that yajl just consumed; not a string. */
static void
builder_token (struct builder *b, size_t len)
{
        b->scanned = yajl_get_bytes_consumed (b->h);
        b->token_start = b->scanned >= len ? b->scanned - len : 0;
}

static int
cb_null (void *ctx)
{
        builder_token (ctx, 4);
        if (builder_skips (ctx))
                return builder_skip (ctx);
        return builder_attach (ctx, json_new (JSON_NULL));
}

static int
cb_boolean (void *ctx, int v)
{
        builder_token (ctx, v ? 4 : 5);
        if (builder_skips (ctx))
                return builder_skip (ctx);
        return builder_attach (ctx, json_new_bool (v));
}

static int
cb_number (void *ctx, const char *s, size_t len)
{
        builder_token (ctx, len);
        if (builder_skips (ctx))
                return builder_skip (ctx);
        return builder_attach (ctx, json_new_text (JSON_NUMBER, s, len));
}

static int
cb_string (void *ctx, const unsigned char *s, size_t len)
{
        struct builder *b = ctx;

        if (!builder_check_text (b, s, len, "string"))
                return 0;
        if (builder_skips (b)) {
                if (b->want && b->depth == 1 && b->stack[0].node->type == JSON_OBJECT
                    && strcmp (b->pending_key, b->want) == 0) {
                        free (b->found);
                        if (!(b->found = strndup ((const char *) s, len)))
                                return builder_fail (b, "out of memory");
                }
                return builder_skip (b);
        }
        return builder_attach (b, json_new_text (JSON_STRING, (const char *) s, len));
}

static int
builder_push (struct builder *b, enum json_type type)
{
        struct json *node;

        builder_token (b, 1);
        if (b->depth >= JSON_MAX_DEPTH)
                return builder_fail (b, "nested deeper than %d levels", JSON_MAX_DEPTH);
        if (b->shallow) {
                if (b->depth > 0 && !builder_skip (b))
                        return 0;
                node = &b->nodes[b->depth];
                node->type = type;
                node->n = 0;
        } else {
                node = json_new (type);
                if (!builder_attach (b, node))
                        return 0;
        }
        b->stack[b->depth].node = node;
        b->stack[b->depth].key = NULL;
        b->stack[b->depth].skipped = 0;
        b->stack[b->depth].base = b->nkids;
        b->depth++;
        return 1;
}

static int
cb_start_map (void *ctx)
{
        return builder_push (ctx, JSON_OBJECT);
}

static int
cb_start_array (void *ctx)
{
        return builder_push (ctx, JSON_ARRAY);
}

/* The arena's copy of key s: the one made for the same bytes lately, or a
 * new one (NULL: no memory). */
static char *
builder_key (struct builder *b, const char *s, size_t len)
{
        size_t h = (len * 31u + (len ? (unsigned char) s[0] * 7u + (unsigned char) s[len - 1] : 0u))
                   & (BUILDER_SEEN - 1);
        char *copy;

        if (b->seen[h].text && b->seen[h].len == len && memcmp (b->seen[h].text, s, len) == 0)
                return b->seen[h].text;
        if ((copy = arena_strndup (s, len))) {
                b->seen[h].text = copy;
                b->seen[h].len = len;
        }
        return copy;
}

/* The key of the next member of `top`: shared with its like (builder_key)
 * in an object of few members, where keys repeat from sibling to sibling;
 * past BUILDER_SEEN members the object is a map (annotations, sysctls)
 * whose keys are all different, and no look-up is made. */
static char *
member_key (struct builder *b, const struct frame *top, const char *s, size_t len)
{
        return b->nkids - top->base < BUILDER_SEEN ? builder_key (b, s, len) : arena_strndup (s, len);
}

static int
cb_map_key (void *ctx, const unsigned char *s, size_t len)
{
        struct builder *b = ctx;
        struct frame *top = &b->stack[b->depth - 1];

        b->pending_key = NULL;
        top->key = NULL;
        if (!builder_check_text (b, s, len, "key"))
                return 0;
        if (b->shallow) {
                b->pending_key = memcpy (b->keys + b->keys_used, s, len);
                b->pending_key[len] = '\0';
                b->keys_used += len + 1;
        } else if (!(b->pending_key = member_key (b, top, (const char *) s, len))) {
                return builder_oom (b);
        }
        top->key = b->pending_key;
        b->pending_key_off = b->token_start;
        return 1;
}

static int
member_cmp (const void *a, const void *b)
{
        const struct json_member *const *x = a, *const *y = b;
        int c = strcmp ((*x)->key, (*y)->key);

        /* ties broken by position, so each later copy follows its first */
        return c ? c : (*x < *y ? -1 : 1);
}

const struct json_member **
json_members_sorted (const struct json *obj)
{
        const struct json_member **sorted = malloc ((obj->n + 1) * sizeof *sorted);

        if (!sorted)
                return NULL;
        for (size_t i = 0; i < obj->n; i++)
                sorted[i] = &obj->members[i];
        qsort (sorted, obj->n, sizeof *sorted, member_cmp);
        return sorted;
}

const struct json_member *
json_sorted_get (const struct json_member *const *sorted, size_t n, const char *key)
{
        size_t lo = 0, hi = n;

        while (lo < hi) { /* the first member whose key is not below `key` */
                size_t mid = lo + (hi - lo) / 2;
                if (strcmp (sorted[mid]->key, key) < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return lo < n && strcmp (sorted[lo]->key, key) == 0 ? sorted[lo] : NULL;
}

/* The hash of a key in an index's table.  The quick one, eight bytes at a
 * time, ends with a full avalanche, so every byte of the key moves the low
 * bits a table uses (keys that differ only in a late byte, "k1234560" and
 * "k1234561", do not share a home); it is not keyed, so keys made to
 * collide are still possible, and then the table is built again with
 * `keyed`: hd_hash under the process's random key, which no config can
 * make collide (see index_fill). */
static inline uint64_t
key_hash (const char *key, size_t len, bool keyed)
{
        const unsigned char *s = (const unsigned char *) key;
        uint64_t h = len * 0x9e3779b97f4a7c15u, tail = 0;
        size_t i = 0;

        if (keyed)
                return hd_hash (0, key, len);
        for (; len - i >= 8; i += 8) {
                h = (h ^ hd_load8 (s + i)) * 0xff51afd7ed558ccdu;
                h ^= h >> 32;
        }
        memcpy (&tail, s + i, len - i);
        h = (h ^ tail) * 0xc4ceb9fe1a85ec53u;
        h ^= h >> 33;
        h *= 0xff51afd7ed558ccdu;
        return h ^ (h >> 33);
}

/* first[i] for many members through the sorted order: O(n log n). */
static int
mark_first_sorted (const struct json *obj, size_t *first)
{
        _cleanup_free_ const struct json_member **sorted = json_members_sorted (obj);

        if (!sorted)
                return -1;
        for (size_t i = 0; i < obj->n; i++)
                first[i] = i;
        /* each later copy follows its first in the sorted order */
        for (size_t i = 1; i < obj->n; i++)
                if (strcmp (sorted[i]->key, sorted[i - 1]->key) == 0)
                        first[sorted[i] - obj->members] = first[sorted[i - 1] - obj->members];
        return 0;
}

/* The table of an index: slot[h] holds 1 + the index of a first copy in
 * its low 32 bits (0: empty) and the top 32 bits of the key's hash above
 * them, so a probe passes over another key's slot without reading that
 * key (a cache miss per probe in a table of a few hundred thousand keys).
 * At most half full.  A key is placed within MAX_PROBES of its home or not
 * at all (index_fill then answers 1), and a look-up stops after as many.
 * The quick hash is tried first; keys that defeat it (made to collide) get
 * the keyed one; and should that too leave a run longer than MAX_PROBES,
 * the caller takes the sorted way, so the worst case stays O(n log n).
 * first (when not NULL) gets json_mark_first's answer. */
#define MAX_PROBES 32
#define SLOT_TAG(h) ((uint64_t) (h) & ~(uint64_t) UINT32_MAX)
#define SLOT_MEMBER(s) ((size_t) ((s) &UINT32_MAX) - 1)

/* A table larger than the caches costs a memory read per key: the fill
 * hashes FILL_AHEAD keys ahead of the one it places and asks for their
 * slots then, so those reads overlap instead of following each other
 * (8 MiB of run.oci.* annotations: policy check 250 -> 115 ms). */
#define FILL_AHEAD 16

static uint64_t
member_hash (const struct json_index *ix, const struct json *obj, size_t i)
{
        const char *key = obj->members[i].key;
        uint64_t hash = key_hash (key, strlen (key), ix->keyed);

        __builtin_prefetch (&ix->slot[(size_t) hash & ix->mask]);
        return hash;
}

static int
index_fill_with (struct json_index *ix, const struct json *obj, size_t *first)
{
        size_t size = 16;
        uint64_t ahead[FILL_AHEAD];

        ix->unique = true;
        if (obj->n >= UINT32_MAX)
                return 1; /* more members than a slot can name: the sorted way */
        while (size < (size_t) obj->n * 2)
                size *= 2;
        if (!(ix->slot = calloc (size, sizeof *ix->slot)))
                return -1;
        ix->mask = size - 1;
        for (size_t i = 0; i < obj->n && i < FILL_AHEAD; i++)
                ahead[i] = member_hash (ix, obj, i);
        for (size_t i = 0; i < obj->n; i++) {
                const char *key = obj->members[i].key;
                uint64_t hash = ahead[i % FILL_AHEAD];
                size_t h = (size_t) hash & ix->mask, probes = 0;

                if (i + FILL_AHEAD < obj->n)
                        ahead[i % FILL_AHEAD] = member_hash (ix, obj, i + FILL_AHEAD);

                while (ix->slot[h]
                       && (SLOT_TAG (ix->slot[h]) != SLOT_TAG (hash)
                           || strcmp (obj->members[SLOT_MEMBER (ix->slot[h])].key, key) != 0)) {
                        if (++probes > MAX_PROBES)
                                return 1;
                        h = (h + 1) & ix->mask;
                }
                if (first)
                        first[i] = ix->slot[h] ? SLOT_MEMBER (ix->slot[h]) : i;
                if (ix->slot[h])
                        ix->unique = false;
                else
                        ix->slot[h] = SLOT_TAG (hash) | (uint64_t) (i + 1);
        }
        return 0;
}

static int
index_fill (struct json_index *ix, const struct json *obj, size_t *first)
{
        int rc;

        ix->keyed = false;
        if ((rc = index_fill_with (ix, obj, first)) <= 0)
                return rc;
        free (ix->slot);
        ix->keyed = true;
        return index_fill_with (ix, obj, first);
}

/* first[i] for many members in one pass over an index's table. */
static int
mark_first_hashed (const struct json *obj, size_t *first)
{
        struct json_index ix = { .obj = obj };
        int rc = index_fill (&ix, obj, first);

        json_index_release (&ix);
        return rc > 0 ? mark_first_sorted (obj, first) : rc;
}

int
json_index_build (struct json_index *ix, const struct json *obj)
{
        int rc;

        *ix = (struct json_index) { .obj = obj };
        if (obj->n <= 8)
                return 0;
        if ((rc = index_fill (ix, obj, NULL)) <= 0)
                return rc;
        free (ix->slot);
        ix->slot = NULL;
        ix->unique = false;
        return (ix->sorted = json_members_sorted (obj)) ? 0 : -1;
}

const struct json_member *
json_index_get_at (const struct json_index *ix, const char *key, size_t at)
{
        const struct json_member *m = ix->unique && at < ix->obj->n ? &ix->obj->members[at] : NULL;

        if (m && (m->key == key || same_text (m->key, key)))
                return m;
        return json_index_get (ix, key);
}

const struct json_member *
json_index_get (const struct json_index *ix, const char *key)
{
        const struct json *obj = ix->obj;
        uint64_t hash;
        size_t h;

        if (ix->sorted)
                return json_sorted_get (ix->sorted, obj->n, key);
        if (!ix->slot) {
                for (size_t i = 0; i < obj->n; i++)
                        if (same_text (obj->members[i].key, key))
                                return &obj->members[i];
                return NULL;
        }
        hash = key_hash (key, strlen (key), ix->keyed);
        h = (size_t) hash & ix->mask;
        for (size_t probes = 0; ix->slot[h] && probes <= MAX_PROBES; probes++, h = (h + 1) & ix->mask)
                if (SLOT_TAG (ix->slot[h]) == SLOT_TAG (hash)
                    && same_text (obj->members[SLOT_MEMBER (ix->slot[h])].key, key))
                        return &obj->members[SLOT_MEMBER (ix->slot[h])];
        return NULL;
}

void
json_index_release (struct json_index *ix)
{
        free (ix->slot);
        free (ix->sorted);
        ix->slot = NULL;
        ix->sorted = NULL;
}

int
json_mark_first (const struct json *obj, size_t *first)
{
        if (obj->n > 8)
                return mark_first_hashed (obj, first);
        for (size_t i = 0; i < obj->n; i++) {
                first[i] = i;
                for (size_t k = 0; k < i && first[i] == i; k++)
                        if (strcmp (obj->members[i].key, obj->members[k].key) == 0)
                                first[i] = k;
        }
        return 0;
}

int
json_mark_duplicates (const struct json *obj, bool *dup)
{
        _cleanup_free_ size_t *first = NULL;

        if (obj->n <= 8) {
                memset (dup, 0, obj->n * sizeof *dup);
                for (size_t i = 1; i < obj->n; i++)
                        for (size_t k = 0; k < i && !dup[i]; k++)
                                dup[i] = strcmp (obj->members[i].key, obj->members[k].key) == 0;
                return 0;
        }
        if (!(first = malloc (obj->n * sizeof *first)) || mark_first_hashed (obj, first) < 0)
                return -1;
        for (size_t i = 0; i < obj->n; i++)
                dup[i] = first[i] != i;
        return 0;
}

/* The innermost container closes: its members (items) move from kids to
 * an array of their own, in the arena (shallow: a view of kids, until the
 * next kid). */
static int
builder_close (struct builder *b)
{
        struct frame *top = &b->stack[b->depth - 1];
        struct json *node = top->node;
        struct json_member *k = b->kids ? b->kids + top->base : NULL;
        size_t n = b->nkids - top->base;

        b->nkids = top->base;
        if (b->shallow) {
                node->members = k;
                return 1;
        }
        if (n == 0)
                return 1;
        if (node->type == JSON_OBJECT) {
                if (!(node->members = arena_alloc (n * sizeof *node->members)))
                        return builder_oom (b);
                memcpy (node->members, k, n * sizeof *node->members);
        } else {
                if (!(node->items = arena_alloc (n * sizeof *node->items)))
                        return builder_oom (b);
                for (size_t i = 0; i < n; i++)
                        node->items[i] = k[i].value;
        }
        node->cap = n;
        return 1;
}

static int
cb_end_map (void *ctx)
{
        struct builder *b = ctx;
        struct frame *top = &b->stack[b->depth - 1];
        _cleanup_free_ bool *big = NULL;
        bool small[8], *dup = small;

        if (!builder_close (b))
                return 0;
        if (!b->keep_duplicates && top->node->n > 1) {
                if (top->node->n > HD_ARRAY_SIZE (small) && !(dup = big = malloc (top->node->n * sizeof *dup)))
                        return builder_fail (b, "out of memory");
                if (json_mark_duplicates (top->node, dup) < 0)
                        return builder_fail (b, "out of memory");
                for (size_t i = 0; i < top->node->n; i++) {
                        const struct json_member *m = &top->node->members[i];
                        if (!dup[i])
                                continue;
                        top->key = m->key;
                        return builder_fail_at (b, m->off,
                                                "duplicate key \"%s\" (Go's decoder in runc "
                                                "would silently take the last copy)",
                                                m->key);
                }
        }
        b->depth--;
        return 1;
}

static int
cb_end_array (void *ctx)
{
        struct builder *b = ctx;

        if (!builder_close (b))
                return 0;
        b->depth--;
        return 1;
}

static const yajl_callbacks builder_callbacks = {
        .yajl_null = cb_null,
        .yajl_boolean = cb_boolean,
        .yajl_number = cb_number,
        .yajl_string = cb_string,
        .yajl_start_map = cb_start_map,
        .yajl_map_key = cb_map_key,
        .yajl_end_map = cb_end_map,
        .yajl_start_array = cb_start_array,
        .yajl_end_array = cb_end_array,
};

/* yajl's own message without its "parse error: " prefix and newline. */
static void
builder_yajl_error (struct builder *b)
{
        unsigned char *msg = yajl_get_error (b->h, 0, NULL, 0);
        const char *text = (const char *) msg;
        char clean[256];
        size_t n;

        if (strncmp (text, "parse error: ", 13) == 0)
                text += 13;
        snprintf (clean, sizeof clean, "%s", text);
        n = strlen (clean);
        while (n && (clean[n - 1] == '\n' || clean[n - 1] == ' '))
                clean[--n] = '\0';
        yajl_free_error (b->h, msg);
        b->token_start = yajl_get_bytes_consumed (b->h);
        builder_fail (b, "invalid JSON: %s", clean);
}

static int
precheck (const char *buf, size_t len, size_t max, struct hd_err *err)
{
        const char *nul;

        if (len > max)
                return hd_err_set (err, HD_EXIT_REFUSED, EFBIG, "document is %zu bytes, the limit is %zu", len, max);
        nul = memchr (buf, '\0', len);
        if (nul) {
                unsigned line, col;
                json_line_col (buf, len, (size_t) (nul - buf), &line, &col);
                return hd_err_set (err, HD_EXIT_REFUSED, EINVAL, "%u:%u: NUL byte in the document", line, col);
        }
        return 0;
}

int
json_parse (const char *buf, size_t len, struct json **out, struct hd_err *err)
{
        return json_parse_flags (buf, len, 0, out, err);
}

/* The one parse of every document, full or shallow: the same checks, so
 * both accept the same documents.  On success b->root is the tree. */
static int
builder_run (struct builder *b)
{
        yajl_status st;

        if (precheck (b->buf, b->len, b->max ? b->max : JSON_MAX_BYTES, b->err) < 0)
                return -1;
        b->h = yajl_alloc (&builder_callbacks, NULL, b);
        if (!b->h)
                return hd_err_set (b->err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        /* Comments off, strings validated as UTF-8, exactly one value. */
        yajl_config (b->h, yajl_allow_comments, 0);
        yajl_config (b->h, yajl_dont_validate_strings, 0);
        yajl_config (b->h, yajl_allow_trailing_garbage, 0);
        yajl_config (b->h, yajl_allow_multiple_values, 0);
        yajl_config (b->h, yajl_allow_partial_values, 0);

        st = yajl_parse (b->h, (const unsigned char *) b->buf, b->len);
        if (st == yajl_status_ok)
                st = yajl_complete_parse (b->h);
        if (st != yajl_status_ok && !b->failed)
                builder_yajl_error (b);
        yajl_free (b->h);
        free (b->kids);
        if (b->failed) {
                b->root = NULL;
                return -1;
        }
        return 0;
}

int
json_parse_flags (const char *buf, size_t len, unsigned flags, struct json **out, struct hd_err *err)
{
        struct builder b = { .buf = buf,
                             .len = len,
                             .err = err,
                             .keep_duplicates = flags & JSON_KEEP_DUPLICATES,
                             .max = flags & JSON_REPORT ? JSON_MAX_REPORT_BYTES : JSON_MAX_BYTES };

        if (builder_run (&b) < 0)
                return -1;
        *out = b.root;
        return 0;
}

int
json_peek_string (const char *buf, size_t len, const char *key, char **out, struct hd_err *err)
{
        struct json nodes[JSON_MAX_DEPTH] = { { 0 } };
        struct builder b = { .buf = buf, .len = len, .err = err, .shallow = true, .nodes = nodes, .want = key };
        int rc;

        *out = NULL;
        if (!(b.keys = malloc (len + 1)))
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        rc = builder_run (&b); /* a scalar root is the arena's; a container is in nodes */
        free (b.keys);
        if (rc < 0) {
                free (b.found);
                return -1;
        }
        *out = b.found;
        return 0;
}

/* ---- writer ------------------------------------------------------------- */

/* json_write's bytes are yajl_gen's (compact, yajl_gen_validate_utf8 on),
 * written here straight into one growing buffer: no spaces; numbers as
 * their text; strings escaped as yajl_string_encode does (\" \\ \b \f \n
 * \r \t, other bytes below 0x20 as \u00XX, '/' and everything else as is);
 * a string yajl's UTF-8 check refuses, or nesting to YAJL_MAX_DEPTH, fails
 * with yajl_gen's status.  tests/unit/test-json.c holds the two to the
 * same bytes.  The pretty form is left to yajl_gen itself. */

struct wbuf {
        char *p;
        size_t len, cap;
};

#define WRITE_OOM (-1)

/* Room for `more` bytes and a NUL. */
static bool
wb_room (struct wbuf *w, size_t more)
{
        size_t cap = w->cap ? w->cap : 4096;
        char *p;

        if (w->cap - w->len > more)
                return true;
        while (cap - w->len <= more) {
                if (cap > SIZE_MAX / 2)
                        return false;
                cap *= 2;
        }
        if (!(p = hd_big_realloc (w->p, w->len, cap)))
                return false;
        w->p = p;
        w->cap = cap;
        return true;
}

static inline int
wb_put (struct wbuf *w, const char *s, size_t n)
{
        if (w->cap - w->len <= n && !wb_room (w, n))
                return WRITE_OOM;
        memcpy (w->p + w->len, s, n);
        w->len += n;
        return 0;
}

/* What yajl_string_encode does with a byte: 0 copy it, 1 the start of a
 * multi-byte sequence (copied once yajl's UTF-8 check passes it), 'u'
 * \u00XX, else the letter after the backslash. */
static const char byte_class[256] = {
        'u', 'u', 'u', 'u', 'u',         'u',           'u',
        'u', 'b', 't', 'n', 'u',         'f',           'r',
        'u', 'u', 'u', 'u', 'u',         'u',           'u',
        'u', 'u', 'u', 'u', 'u',         'u',           'u',
        'u', 'u', 'u', 'u', ['"'] = '"', ['\\'] = '\\', [0x80 ... 0xff] = 1,
};

/* yajl_string_validate_utf8 on one sequence: its length, or 0 when the
 * lead byte or a continuation byte is not of the right shape. */
static size_t
yajl_utf8_seq (const unsigned char *s, size_t left)
{
        size_t need = (s[0] >> 5) == 0x6 ? 2 : (s[0] >> 4) == 0xe ? 3 : (s[0] >> 3) == 0x1e ? 4 : 0;

        if (!need || need > left)
                return 0;
        for (size_t k = 1; k < need; k++)
                if ((s[k] >> 6) != 0x2)
                        return 0;
        return need;
}

/* The string's bytes go straight to the buffer as they are checked, eight
 * at a time where none needs a look; room for the string, its quotes and
 * an eight-byte store past them is made first, and again at an escape. */
static int
write_string (struct wbuf *w, const char *str, size_t len)
{
        static const char hex[] = "0123456789ABCDEF";
        const unsigned char *s = (const unsigned char *) str;
        size_t i = 0, k;
        char *o;

        if (w->cap - w->len <= len + 10 && !wb_room (w, len + 10))
                return WRITE_OOM;
        o = w->p + w->len;
        *o++ = '"';
        while (i < len) {
                uint64_t x;
                char c;

                if (len - i >= 8 && hd_plain8 (x = hd_load8 (s + i))) {
                        memcpy (o, &x, 8);
                        o += 8, i += 8;
                        continue;
                }
                if (len >= 8 && len - i < 8 && hd_plain8 (x = hd_load8 (s + len - 8))) {
                        /* the last eight bytes, overlapping what is written */
                        memcpy (o - (8 - (len - i)), &x, 8);
                        o += len - i, i = len;
                        continue;
                }
                /* plain bytes one by one up to the next that is not, or
                 * (a string of eight or more) to the next eight-byte step */
                for (k = len < 8 ? len : i + 1; i < k && !byte_class[s[i]]; i++)
                        *o++ = (char) s[i];
                if (i == len || !(c = byte_class[s[i]]))
                        continue;
                if (c == 1) {
                        if (!(k = yajl_utf8_seq (s + i, len - i)))
                                return yajl_gen_invalid_string;
                        memcpy (o, s + i, k);
                        o += k, i += k;
                        continue;
                }
                w->len = (size_t) (o - w->p);
                if (!wb_room (w, len - i + 16))
                        return WRITE_OOM;
                o = w->p + w->len;
                *o++ = '\\';
                *o++ = c;
                if (c == 'u') {
                        *o++ = '0';
                        *o++ = '0';
                        *o++ = hex[s[i] >> 4];
                        *o++ = hex[s[i] & 0xf];
                }
                i++;
        }
        *o++ = '"';
        w->len = (size_t) (o - w->p);
        return 0;
}

/* j at nesting `depth` (yajl_gen's: the root container is 1). */
static int
write_value (struct wbuf *w, const struct json *j, unsigned depth)
{
        bool obj = j->type == JSON_OBJECT;
        int rc = 0;

        switch (j->type) {
        case JSON_NULL:
                return wb_put (w, "null", 4);
        case JSON_BOOL:
                return j->boolean ? wb_put (w, "true", 4) : wb_put (w, "false", 5);
        case JSON_NUMBER:
                return wb_put (w, j->text, j->len);
        case JSON_STRING:
                return write_string (w, j->text, j->len);
        case JSON_ARRAY:
        case JSON_OBJECT:
                break;
        default:
                return yajl_gen_invalid_string;
        }
        if (depth + 1 >= YAJL_MAX_DEPTH)
                return yajl_max_depth_exceeded;
        rc = wb_put (w, obj ? "{" : "[", 1);
        for (size_t i = 0; i < j->n && rc == 0; i++) {
                if (i)
                        rc = wb_put (w, ",", 1);
                if (obj && rc == 0) {
                        rc = write_string (w, j->members[i].key, strlen (j->members[i].key));
                        if (rc == 0)
                                rc = wb_put (w, ":", 1);
                }
                if (rc == 0)
                        rc = write_value (w, obj ? j->members[i].value : j->items[i], depth + 1);
        }
        return rc ? rc : wb_put (w, obj ? "}" : "]", 1);
}

int
json_write (const struct json *root, char **out, size_t *out_len, struct hd_err *err)
{
        return json_write_sized (root, 0, out, out_len, err);
}

int
json_write_sized (const struct json *root, size_t expect, char **out, size_t *out_len, struct hd_err *err)
{
        struct wbuf w = { 0 };
        int rc;

        /* a fix adds a little; a document written with spaces shrinks */
        if (expect && expect < SIZE_MAX / 2) {
                w.cap = expect + expect / 16 + 1;
                if (!(w.p = hd_big_alloc (w.cap)))
                        return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        }
        rc = write_value (&w, root, 0);

        if (rc == 0 && !w.p)
                rc = wb_room (&w, 0) ? 0 : WRITE_OOM;
        if (rc) {
                free (w.p);
                if (rc == WRITE_OOM)
                        return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
                return hd_err_set (err, HD_EXIT_INTERNAL, EINVAL, "cannot serialise JSON (yajl_gen status %d)", rc);
        }
        w.p[w.len] = '\0';
        *out = w.p;
        *out_len = w.len;
        return 0;
}

static yajl_gen_status
gen_value (yajl_gen g, const struct json *j)
{
        yajl_gen_status rc = yajl_gen_status_ok;

        switch (j->type) {
        case JSON_NULL:
                return yajl_gen_null (g);
        case JSON_BOOL:
                return yajl_gen_bool (g, j->boolean);
        case JSON_NUMBER:
                return yajl_gen_number (g, j->text, j->len);
        case JSON_STRING:
                return yajl_gen_string (g, (const unsigned char *) j->text, j->len);
        case JSON_ARRAY:
                rc = yajl_gen_array_open (g);
                for (size_t i = 0; i < j->n && rc == yajl_gen_status_ok; i++)
                        rc = gen_value (g, j->items[i]);
                return rc == yajl_gen_status_ok ? yajl_gen_array_close (g) : rc;
        case JSON_OBJECT:
                rc = yajl_gen_map_open (g);
                for (size_t i = 0; i < j->n && rc == yajl_gen_status_ok; i++) {
                        const struct json_member *m = &j->members[i];
                        rc = yajl_gen_string (g, (const unsigned char *) m->key, strlen (m->key));
                        if (rc == yajl_gen_status_ok)
                                rc = gen_value (g, m->value);
                }
                return rc == yajl_gen_status_ok ? yajl_gen_map_close (g) : rc;
        }
        return yajl_gen_invalid_string;
}

int
json_write_pretty (const struct json *root, bool pretty, char **out, size_t *out_len, struct hd_err *err)
{
        const unsigned char *data;
        size_t len;
        yajl_gen g;
        yajl_gen_status rc;

        if (!pretty)
                return json_write (root, out, out_len, err);
        if (!(g = yajl_gen_alloc (NULL)))
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        yajl_gen_config (g, yajl_gen_validate_utf8, 1);
        yajl_gen_config (g, yajl_gen_beautify, 1);
        yajl_gen_config (g, yajl_gen_indent_string, "  ");
        rc = gen_value (g, root);
        if (rc != yajl_gen_status_ok) {
                yajl_gen_free (g);
                return hd_err_set (err, HD_EXIT_INTERNAL, EINVAL, "cannot serialise JSON (yajl_gen status %d)", rc);
        }
        yajl_gen_get_buf (g, &data, &len);
        *out = malloc (len + 1);
        if (!*out) {
                yajl_gen_free (g);
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        }
        memcpy (*out, data, len);
        (*out)[len] = '\0';
        *out_len = len;
        yajl_gen_free (g);
        return 0;
}

/* ---- helpers for rules that edit documents ------------------------------ */

/* Decimal digits of v, with a '-' when negative, as printf's %lld / %llu. */
static struct json *
json_new_decimal (uint64_t v, bool negative)
{
        char text[24], *p = text + sizeof text;

        do
                *--p = (char) ('0' + v % 10);
        while (v /= 10);
        if (negative)
                *--p = '-';
        return json_new_text (JSON_NUMBER, p, (size_t) (text + sizeof text - p));
}

struct json *
json_new_i64 (int64_t v)
{
        return json_new_decimal (v < 0 ? -(uint64_t) v : (uint64_t) v, v < 0);
}

struct json *
json_new_u64 (uint64_t v)
{
        return json_new_decimal (v, false);
}

/* A new container of j's type and size with j's keys, its values to be
 * set (kid_set); NULL on allocation failure. */
static struct json *
container_like (const struct json *j)
{
        bool obj = j->type == JSON_OBJECT;
        struct json *c = json_new (j->type);

        if (!c
            || (j->n
                && (obj ? !(c->members = arena_alloc (j->n * sizeof *c->members))
                        : !(c->items = arena_alloc (j->n * sizeof *c->items)))))
                return NULL;
        for (size_t i = 0; obj && i < j->n; i++)
                c->members[i] = (struct json_member) { j->members[i].key, NULL, JSON_NO_OFFSET };
        c->n = c->cap = j->n;
        return c;
}

static struct json *
kid_at (const struct json *j, size_t i)
{
        return j->type == JSON_OBJECT ? j->members[i].value : j->items[i];
}

static void
kid_set (struct json *c, size_t i, struct json *kid)
{
        if (c->type == JSON_OBJECT)
                c->members[i].value = kid;
        else
                c->items[i] = kid;
}

/* New nodes and arrays; keys and texts are shared (never written). */
struct json *
json_clone (const struct json *j)
{
        struct json *c;

        if (j->type != JSON_OBJECT && j->type != JSON_ARRAY) {
                if ((c = json_new (j->type))) {
                        c->boolean = j->boolean;
                        c->text = j->text;
                        c->len = j->len;
                }
                return c;
        }
        if (!(c = container_like (j)))
                return NULL;
        for (size_t i = 0; i < j->n; i++) {
                struct json *kid = json_clone (kid_at (j, i));
                if (!kid)
                        return NULL;
                kid_set (c, i, kid);
        }
        return c;
}

struct json *
json_snapshot (struct json *j)
{
        struct json *c;

        if (j->type != JSON_OBJECT && j->type != JSON_ARRAY)
                return j;
        if (!(c = container_like (j)))
                return NULL;
        for (size_t i = 0; i < j->n; i++) {
                struct json *kid = json_snapshot (kid_at (j, i));
                if (!kid)
                        return NULL;
                kid_set (c, i, kid);
        }
        return c;
}

bool
json_equal (const struct json *a, const struct json *b)
{
        if (a == b)
                return true;
        if (a->type != b->type || a->n != b->n)
                return false;
        if (a->type == JSON_BOOL)
                return a->boolean == b->boolean;
        if (a->type == JSON_STRING || a->type == JSON_NUMBER)
                return a->len == b->len && (a->text == b->text || memcmp (a->text, b->text, a->len) == 0);
        /* a clone shares its original's keys and texts: pointers first */
        for (size_t i = 0; i < a->n; i++) {
                bool obj = a->type == JSON_OBJECT;
                if (obj && a->members[i].key != b->members[i].key && strcmp (a->members[i].key, b->members[i].key) != 0)
                        return false;
                if (!json_equal (obj ? a->members[i].value : a->items[i], obj ? b->members[i].value : b->items[i]))
                        return false;
        }
        return true;
}

struct json *
json_ensure (struct json *obj, const char *key, enum json_type type, struct hd_err *err)
{
        struct json *cur = json_get (obj, key);

        if (cur && cur->type == type)
                return cur;
        cur = json_new (type);
        if (!cur) {
                hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
                return NULL;
        }
        if (json_set (obj, key, cur, err) < 0)
                return NULL;
        return cur;
}

bool
json_number_i64 (const struct json *j, int64_t *out)
{
        return j && j->type == JSON_NUMBER && parse_i64 (j->text, j->len, out) == 0;
}

bool
json_number_u64 (const struct json *j, uint64_t *out)
{
        return j && j->type == JSON_NUMBER && parse_u64 (j->text, j->len, out) == 0;
}

int
json_set_i64 (struct json *obj, const char *key, int64_t v, struct hd_err *err)
{
        struct json *n = json_new_i64 (v);

        if (!n)
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        return json_set (obj, key, n, err);
}

int
json_set_bool (struct json *obj, const char *key, bool v, struct hd_err *err)
{
        struct json *n = json_new_bool (v);

        if (!n)
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        return json_set (obj, key, n, err);
}

void
json_array_filter (struct json *arr, bool (*drop) (const struct json *item, const void *ctx), const void *ctx)
{
        size_t kept = 0;

        for (size_t i = 0; arr && arr->type == JSON_ARRAY && i < arr->n; i++) {
                if (!drop (arr->items[i], ctx))
                        arr->items[kept++] = arr->items[i];
        }
        if (arr && arr->type == JSON_ARRAY)
                arr->n = kept;
}

void
json_object_filter (struct json *obj, bool (*drop) (const struct json_member *m, const void *ctx), const void *ctx)
{
        size_t kept = 0;

        for (size_t i = 0; obj && obj->type == JSON_OBJECT && i < obj->n; i++) {
                if (!drop (&obj->members[i], ctx))
                        obj->members[kept++] = obj->members[i];
        }
        if (obj && obj->type == JSON_OBJECT)
                obj->n = kept;
}

bool
json_array_has (const struct json *arr, const char *s)
{
        for (size_t i = 0; arr && i < arr->n; i++)
                if (arr->items[i]->type == JSON_STRING && same_text (arr->items[i]->text, s))
                        return true;
        return false;
}
