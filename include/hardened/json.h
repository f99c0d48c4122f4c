/* Strict JSON: our own tree, parsed with yajl's callback API and written
 * back as yajl_gen writes it (DESIGN.md 3, STYLE.md 5).
 *
 * Threat: the shim reads config.json with this parser and runc re-reads it
 * with Go's encoding/json.  Anything the two could read differently is
 * refused here: comments, trailing data or a second value, invalid UTF-8,
 * lone UTF-16 surrogates in \u escapes (yajl turns a lone high surrogate
 * into '?', Go into U+FFFD), NUL anywhere, duplicate keys (yajl_tree keeps
 * the first, Go the last).  Case-folded keys and nulls are schema questions
 * and are handled in spec.c; so are duplicate keys in the documents runc
 * reads (JSON_KEEP_DUPLICATES), where the policy decides (spec_canonicalize).
 *
 * Numbers keep their source text and are written back byte-exact; object
 * members keep their order.  Every node remembers the byte offset where it
 * started, so later checks can report file:line:col (computed only then).
 *
 * Memory: every node, key, string and item array is carved from one
 * process-wide arena, never freed one by one.  json_free and every edit
 * that drops a subtree release nothing, so a node stays valid as long as
 * the arena does: subtrees move between trees, clones share keys and
 * texts (nothing writes through `text` or `key`), and the one-shot runtime
 * path frees nothing before it execs the backend.  A caller that builds
 * trees in a loop (a fuzzer, `policy check` of many files) takes a
 * json_arena_mark first and hands it to json_arena_release when nothing
 * built since is reachable any more; what was built before the mark (the
 * loaded policy) stays.  The arena is still reachable at exit (not a
 * leak).  Single-threaded, like the rest of the library. */
#ifndef HARDENED_JSON_H
#define HARDENED_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hardened/err.h"

/* Documented limits: larger or deeper documents are refused. */
#define JSON_MAX_BYTES (8u << 20) /* 8 MiB */
/* A scanner's report read offline (hardened verdicts import): Trivy's JSON
 * for a large image carries every advisory's text. */
#define JSON_MAX_REPORT_BYTES (256u << 20) /* 256 MiB */
#define JSON_MAX_DEPTH 64
#define JSON_NO_OFFSET UINT32_MAX /* a node built in memory, not parsed */

enum json_type {
        JSON_NULL,
        JSON_BOOL,
        JSON_NUMBER,
        JSON_STRING,
        JSON_ARRAY,
        JSON_OBJECT,
};

struct json;

struct json_member {
        const char *key; /* UTF-8, NUL-terminated, no NUL inside; never written through (shared) */
        struct json *value;
        size_t off; /* byte offset of the key in the source */
};

struct json {
        enum json_type type;
        bool boolean;       /* JSON_BOOL */
        unsigned short src; /* which source text `off` is in (layered policies) */
        /* 32-bit sizes (documents stay below JSON_MAX_REPORT_BYTES): a node
         * is 48 bytes, not 64, and a tree is ~10x its document, each page
         * of it a fault */
        uint32_t off;    /* byte offset of the value in the source, or JSON_NO_OFFSET */
        uint32_t len;    /* bytes in text */
        char *text;      /* JSON_STRING: decoded UTF-8; JSON_NUMBER: source text */
        uint32_t n, cap; /* members (object) or items (array) */
        struct json_member *members;
        struct json **items;
};

/* Parse `len` bytes.  On failure err says what and where: "LINE:COL: /ptr: ...". */
int json_parse (const char *buf, size_t len, struct json **out, struct hd_err *err);

/* The same, with flags: JSON_KEEP_DUPLICATES keeps every copy of a
 * repeated key, in document order, for spec_canonicalize to judge. */
#define JSON_KEEP_DUPLICATES 1u
/* JSON_REPORT: up to JSON_MAX_REPORT_BYTES instead of JSON_MAX_BYTES. */
#define JSON_REPORT 2u
int json_parse_flags (const char *buf, size_t len, unsigned flags, struct json **out, struct hd_err *err);

/* Whether json_parse would accept the document (the same checks, the same
 * message when not), without building its tree: *out is a copy of the
 * root object's member `key` when that is a string, else NULL. */
int json_peek_string (const char *buf, size_t len, const char *key, char **out, struct hd_err *err);

/* dup[i] (obj->n entries) is set when member i repeats the key of an
 * earlier member.  -1: out of memory. */
int json_mark_duplicates (const struct json *obj, bool *dup);
/* first[i] (obj->n entries) is the index of the first member with member
 * i's key (i itself for a first copy).  -1: out of memory. */
int json_mark_first (const struct json *obj, size_t *first);

/* Look-ups in large objects, for loops that would otherwise call json_get
 * once per member (quadratic in a map an attacker made large): obj's
 * members sorted by key, ties by position (malloc'd; NULL: out of memory;
 * valid until obj's members change), and the first member named `key`
 * among the n sorted ones, or NULL, in O(log n). */
const struct json_member **json_members_sorted (const struct json *obj);
const struct json_member *json_sorted_get (const struct json_member *const *sorted, size_t n, const char *key);

/* An index of obj's members by key, for the same loops when they look
 * keys up in an object other than the one they walk: json_index_get is
 * json_get's answer (the first member named `key`, or NULL) in O(1)
 * expected, O(log n) when the keys collide.  Valid until obj's members
 * change; json_index_build answers -1 on out of memory (nothing to
 * release then), and json_index_release frees what it built. */
struct json_index {
        const struct json *obj;
        size_t mask;
        uint64_t *slot; /* policy/json.c: index_fill_with */
        bool keyed;     /* slot is placed by the keyed hash (policy/json.c: index_fill) */
        bool unique;    /* the table found no key named twice */
        const struct json_member **sorted;
};
int json_index_build (struct json_index *ix, const struct json *obj);
const struct json_member *json_index_get (const struct json_index *ix, const char *key);
/* The same answer, tried first at member `at` (a walk of an object that
 * kept obj's order finds each key there): O(1) without hashing when obj's
 * keys are unique and that member is named `key`. */
const struct json_member *json_index_get_at (const struct json_index *ix, const char *key, size_t at);
void json_index_release (struct json_index *ix);

/* Line and column (1-based, columns in code points) of byte `off` of src. */
void json_line_col (const char *src, size_t len, size_t off, unsigned *line, unsigned *col);

/* Serialise compactly (no spaces, like Go's json.Marshal).  *out is malloc'd. */
int json_write (const struct json *root, char **out, size_t *out_len, struct hd_err *err);
/* The same, the buffer first made for about `expect` bytes (the size of
 * the document the tree was parsed from), so a large one is not grown by
 * copying; 0: not known. */
int json_write_sized (const struct json *root, size_t expect, char **out, size_t *out_len, struct hd_err *err);
/* The same, indented for people when `pretty`. */
int json_write_pretty (const struct json *root, bool pretty, char **out, size_t *out_len, struct hd_err *err);

/* Where the arena stands now; json_arena_release frees everything
 * allocated since (marks nest: release the newest first). */
struct json_arena_mark {
        void *chunk, *big;
        size_t used, next;
};
struct json_arena_mark json_arena_mark (void);
void json_arena_release (struct json_arena_mark mark);

/* Releases nothing (see Memory above): kept so ownership stays visible. */
static inline void
json_free (struct json *j)
{
        (void) j;
}
static inline void
json_freep (struct json **j)
{
        json_free (*j);
}
#define _cleanup_json_ __attribute__ ((cleanup (json_freep)))

/* Look-ups; NULL when absent or when `obj` is not an object. */
struct json *json_get (const struct json *obj, const char *key);
/* Path of keys, NULL-terminated: json_path (root, "process", "user", NULL). */
struct json *json_path (const struct json *root, const char *first, ...) __attribute__ ((sentinel));

/* Builders: return NULL only on allocation failure. */
struct json *json_new (enum json_type type);
struct json *json_new_string (const char *s);
struct json *json_new_number (const char *text);
struct json *json_new_bool (bool v);

struct json *json_new_i64 (int64_t v);
struct json *json_new_u64 (uint64_t v);
/* Deep copy (new nodes; keys and texts shared); NULL on allocation
 * failure.  The copy has no source offsets. */
struct json *json_clone (const struct json *j);

/* The document as it is now, for comparing with what it becomes: its
 * objects and arrays copied, its scalars shared (NULL on allocation
 * failure).  Sound because no node of a scalar is ever changed once made:
 * a fix or a rewrite puts a new node in its place. */
struct json *json_snapshot (struct json *j);

/* The same document: types, member order and keys, string bytes and number
 * texts all equal (so both are written as the same bytes). */
bool json_equal (const struct json *a, const struct json *b);

/* The member `key` of `obj` if it has `type`; otherwise a new empty one of
 * that type replaces it.  NULL (err set) on allocation failure. */
struct json *json_ensure (struct json *obj, const char *key, enum json_type type, struct hd_err *err);

/* A number node read as an integer; false when absent, not a number or out of range. */
bool json_number_i64 (const struct json *j, int64_t *out);
bool json_number_u64 (const struct json *j, uint64_t *out);

/* Edits.  Ownership of `value` passes to the container, also on failure;
 * a NULL value (a failed builder) is reported as ENOMEM, so builders can be
 * passed straight in. */
int json_set (struct json *obj, const char *key, struct json *value, struct hd_err *err);
/* Append a member without looking for `key` (the caller knows it is absent). */
int json_add (struct json *obj, const char *key, struct json *value, struct hd_err *err);
int json_append (struct json *arr, struct json *value, struct hd_err *err);
/* Remove a member; no-op if absent. */
void json_del (struct json *obj, const char *key);

/* The length of the RFC 3629 UTF-8 sequence at p (of `left` bytes, p[0]
 * >= 0x80): no overlong form, no surrogate, nothing above U+10FFFF; 0 when
 * there is none.  The rule every parsed string is held to. */
size_t json_utf8_seq (const unsigned char *p, size_t left);

/* A JSON pointer component with ~ and / escaped (RFC 6901), appended to buf. */
void json_pointer_append (char *buf, size_t size, const char *component);
/* The node a JSON pointer (RFC 6901: "" is the root, "/a/0/b~1c") names
 * in `root`, or NULL: absent, an array index that is not plain decimal or
 * out of range, a bad escape. */
const struct json *json_pointer_get (const struct json *root, const char *ptr);

const char *json_type_name (enum json_type t);

/* Remove the items of `arr` for which drop() is true. */
void json_array_filter (struct json *arr, bool (*drop) (const struct json *item, const void *ctx), const void *ctx);
/* Remove the members of `obj` for which drop() is true, in one pass (not
 * json_del per member: quadratic in a map an attacker made large). */
void json_object_filter (struct json *obj, bool (*drop) (const struct json_member *m, const void *ctx),
                         const void *ctx);
/* Does the JSON array of strings `arr` contain `s`? */
bool json_array_has (const struct json *arr, const char *s);

/* Set obj[key] to a new number / string / bool; err on allocation failure. */
int json_set_i64 (struct json *obj, const char *key, int64_t v, struct hd_err *err);
int json_set_bool (struct json *obj, const char *key, bool v, struct hd_err *err);

#endif
