#include "config.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_gen.h>

#include "hardened/bigmem.h"
#include "hardened/json.h"
#include "hardened/util.h"

#include "tap.h"

/* Parse; on success write back into *out.  Returns the parse result. */
static int
roundtrip (const char *in, size_t len, char **out, struct hd_err *err)
{
        _cleanup_json_ struct json *j = NULL;
        size_t out_len;

        *out = NULL;
        memset (err, 0, sizeof *err);
        if (json_parse (in, len, &j, err) < 0)
                return -1;
        return json_write (j, out, &out_len, err);
}

static void
refused (const char *in, size_t len, const char *want, const char *what)
{
        struct hd_err err;
        _cleanup_free_ char *out = NULL;
        int rc = roundtrip (in, len ? len : strlen (in), &out, &err);

        ok (rc < 0, "refuses %s", what);
        has_str (err.msg, want, "  message for %s names \"%s\"", what, want);
}

static void
same (const char *in, const char *what)
{
        struct hd_err err;
        _cleanup_free_ char *out = NULL;

        ok (roundtrip (in, strlen (in), &out, &err) == 0, "accepts %s", what);
        is_str (out, in, "  %s written back byte-exact", what);
}

/* Strings are written back decoded, in the minimal escaping. */
static void
rewritten (const char *in, const char *want, const char *what)
{
        struct hd_err err;
        _cleanup_free_ char *out = NULL;

        ok (roundtrip (in, strlen (in), &out, &err) == 0, "accepts %s", what);
        is_str (out, want, "  %s written back with the same meaning", what);
}

/* json_peek_string accepts exactly the documents json_parse accepts, with
 * the same message, and finds the root object's string member as
 * json_get does. */
static void
peek_agrees (const char *in, size_t len, const char *what)
{
        _cleanup_json_ struct json *j = NULL;
        _cleanup_free_ char *found = NULL;
        struct hd_err full = { 0 }, peek = { 0 };
        const struct json *rt;
        int rc_full, rc_peek;

        len = len ? len : strlen (in);
        rc_full = json_parse (in, len, &j, &full);
        rc_peek = json_peek_string (in, len, "runtime", &found, &peek);
        rt = rc_full == 0 ? json_get (j, "runtime") : NULL;
        ok (rc_full == rc_peek && strcmp (full.msg, peek.msg) == 0, "peek agrees with the parse on %s", what);
        is_str (found, rt && rt->type == JSON_STRING ? rt->text : NULL, "  peek finds the same runtime in %s", what);
}

static void
peeks (void)
{
        static const struct {
                const char *in;
                size_t len;
                const char *what;
        } docs[] = {
                { "{\"runtime\":\"/usr/bin/crun\"}", 0, "a runtime" },
                { "{\"a\":{\"runtime\":\"/x\"},\"b\":[\"runtime\",{\"runtime\":\"/y\"}]}", 0, "nested runtimes only" },
                { "{\"runtime\":\"/x\",\"rules\":{\"a\":1,\"a\":2}}", 0, "a nested duplicate key" },
                { "{\"runtime\":\"/x\",\"runtime\":\"/y\"}", 0, "a duplicate runtime" },
                { "{\"runtime\":\"/x\",\"r\\u0075ntime\":\"/y\"}", 0, "a duplicate spelled with an escape" },
                { "{\"runtime\":\"/x\",\"k\":[1,2,{\"x\":[true,false,null]}]}", 0, "scalars of every kind" },
                { "{\"runtime\":\"/x\",\"s\":\"\\ud800\"}", 0, "a lone surrogate" },
                { "{\"runtime\":\"/x\",\"s\":\"\xc0\xaf\"}", 0, "an overlong sequence" },
                { "{\"runtime\":\"/x\",\"s\":\"a\\u0000b\"}", 0, "an escaped NUL" },
                { "{\"runtime\":\"/x\"}\0", 17, "a NUL byte" },
                { "{\"runtime\":\"/x\"} x", 0, "trailing garbage" },
                { "{\"runtime\":\"/x\"", 0, "a truncated document" },
                { "{\"runtime\":\"/x\", /* c */ \"a\":1}", 0, "a comment" },
                { "{\"runtime\":1}", 0, "a runtime that is a number" },
                { "{\"runtime\":{\"path\":\"/x\"}}", 0, "a runtime that is an object" },
                { "{\"runtime\":\"/x\",\"k\":"
                  "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
                  "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}",
                  0, "too deep" },
                { "{\"k\":[1,{},\"x\",[],\"\\ud800\"]}", 0, "a bad string after items of both kinds" },
                { "{\"k\":[1,{},\"x\",{\"a\":1,\"a\":2}]}", 0, "a duplicate after items of both kinds" },
                { "[\"runtime\",\"/x\"]", 0, "an array" },
                { "\"/x\"", 0, "a string" },
                { "\"/x\" 1", 0, "a string and more" },
                { "", 0, "nothing" },
        };

        for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++)
                peek_agrees (docs[i].in, docs[i].len, docs[i].what);
}

static void
fixtures (void)
{
        static const char *const names[] = { TAP_DOCKER_EXEC_FIXTURES, TAP_DOCKER_RUN_FIXTURES };
        for (size_t i = 0; i < HD_ARRAY_SIZE (names); i++) {
                size_t len = 0;
                struct hd_err err;
                _cleanup_free_ char *in = NULL, *out = NULL;

                in = tap_slurp ("FIXTURES", "tests/fixtures", names[i], &len);
                ok (in != NULL, "read fixture %s", names[i]);
                /* Docker writes with Go's json.Marshal plus a newline */
                while (in && len && in[len - 1] == '\n')
                        in[--len] = '\0';
                ok (in && roundtrip (in, len, &out, &err) == 0, "parse fixture %s", names[i]);
                ok (in && out && strcmp (in, out) == 0, "  %s round-trips byte for byte", names[i]);
        }
}

static void
refusals (void)
{
        char deep[2 * JSON_MAX_DEPTH + 8];

        refused ("{\"root\":{\"path\":\"r\",\"readonly\":true,\"readonly\":false}}", 0,
                 "/root/readonly: duplicate key \"readonly\"", "a duplicate key");
        refused ("{\"a\":[1,{\"x\":1,\"y\":0,\"x\":2}]}", 0, "/a/1/x: duplicate key",
                 "a duplicate key inside an array");
        refused ("{\"k0\":0,\"k1\":1,\"k2\":2,\"k3\":3,\"k4\":4,\"k5\":5,\"k6\":6,\"k7\":7,"
                 "\"k8\":8,\"k9\":9,\"k3\":10}",
                 0, "/k3: duplicate key", "a duplicate in a large object");
        refused ("{\"a\":1 /* c */}", 0, "invalid JSON", "a comment");
        refused ("{\"a\":1} // c", 0, "invalid JSON", "a trailing comment");
        refused ("{} {}", 0, "invalid JSON", "a second value");
        refused ("{}x", 0, "invalid JSON", "trailing garbage");
        refused ("{\"a\":\"\xff\"}", 0, "invalid JSON", "invalid UTF-8");
        refused ("{\"a\":\"\xc0\xaf\"}", 0, "/a: string is not valid UTF-8", "an overlong UTF-8 sequence");
        refused ("{\"a\":\"\xe0\x80\xaf\"}", 0, "not valid UTF-8", "an overlong 3-byte sequence");
        refused ("{\"a\":\"\xed\xa0\x80\"}", 0, "not valid UTF-8", "a raw UTF-8-encoded surrogate");
        refused ("{\"a\":\"\xf4\x90\x80\x80\"}", 0, "not valid UTF-8", "a code point above U+10FFFF");
        refused ("{\"\xc1\xbf\":1}", 0, "key is not valid UTF-8", "an overlong key");
        refused ("{\"a\":\"\\ud800\"}", 0, "/a: string has a \\u escape", "a lone high surrogate");
        refused ("{\"a\":\"\\udc00\"}", 0, "/a: string has a \\u escape", "a lone low surrogate");
        refused ("{\"a\":\"\\ud800\\u0041\"}", 0, "/a: string has", "a high surrogate before a non-low");
        refused ("{\"a\":\"\\ud800x\"}", 0, "/a: string has", "a high surrogate before a plain char");
        refused ("{\"\\ud800\":1}", 0, "key has a \\u escape", "a lone surrogate in a key");
        refused ("{\"a\":\"x\\u0000y\"}", 0, "/a: string contains a NUL", "an escaped NUL in a string");
        refused ("{\"a\\u0000\":1}", 0, "key contains a NUL", "an escaped NUL in a key");
        refused ("{\"a\":1}\0", 8, "1:8: NUL byte", "a raw NUL after the value");
        refused ("{\"a\":\"\0\"}", 8, "NUL byte", "a raw NUL in a string");
        refused ("", 0, "invalid JSON", "an empty document");
        refused ("{\"a\":[1,2", 0, "invalid JSON", "a truncated document");
        refused ("{\"a\":01}", 0, "invalid JSON", "a number with a leading zero");
        refused ("{\"a\":NaN}", 0, "invalid JSON", "NaN");
        refused ("{'a':1}", 0, "invalid JSON", "single quotes");
        refused ("{\"a\":1,}", 0, "invalid JSON", "a trailing comma");
        refused ("{\"a\":\"\t\"}", 0, "invalid JSON", "a raw control character in a string");
        refused ("{\n  \"a\": {\n    \"b\": 1,\n    \"b\": 2\n  }\n}", 0, "4:5: /a/b",
                 "a duplicate key, with line and column");

        memset (deep, '[', JSON_MAX_DEPTH + 1);
        memset (deep + JSON_MAX_DEPTH + 1, ']', JSON_MAX_DEPTH + 1);
        deep[2 * JSON_MAX_DEPTH + 2] = '\0';
        refused (deep, 0, "nested deeper than", "nesting beyond the depth limit");
}

static void
limits (void)
{
        size_t n = JSON_MAX_BYTES + 1;
        _cleanup_free_ char *big = malloc (n + 1);
        char deep[2 * JSON_MAX_DEPTH + 1];

        memset (big, ' ', n);
        big[0] = '1';
        big[n] = '\0';
        refused (big, n, "limit is", "a document over the size limit");

        memset (deep, '[', JSON_MAX_DEPTH);
        memset (deep + JSON_MAX_DEPTH, ']', JSON_MAX_DEPTH);
        deep[2 * JSON_MAX_DEPTH] = '\0';
        same (deep, "nesting exactly at the depth limit");
}

/* JSON_KEEP_DUPLICATES: every copy kept in order (the document pass judges
 * them); json_mark_duplicates flags each later copy, small and large. */
static void
duplicates (void)
{
        static const char big[] = "{\"k0\":0,\"k1\":1,\"k2\":2,\"k3\":3,\"k4\":4,\"k5\":5,\"k6\":6,"
                                  "\"k7\":7,\"k8\":8,\"k9\":9,\"k3\":10,\"k0\":11,\"k3\":12}";
        static const char small[] = "{\"a\":1,\"b\":{\"x\":1,\"x\":2},\"a\":3}";
        _cleanup_json_ struct json *j = NULL, *k = NULL;
        struct hd_err err = { 0 };
        bool dup[16];

        ok (json_parse_flags (small, strlen (small), JSON_KEEP_DUPLICATES, &j, &err) == 0 && j->n == 3
                    && json_get (j, "b")->n == 2,
            "KEEP_DUPLICATES keeps every copy, nested too");
        ok (json_mark_duplicates (j, dup) == 0 && !dup[0] && !dup[1] && dup[2], "small object: the later a marked");
        ok (json_parse_flags (big, strlen (big), JSON_KEEP_DUPLICATES, &k, &err) == 0 && k->n == 13,
            "KEEP_DUPLICATES, a large object");
        ok (json_mark_duplicates (k, dup) == 0 && dup[10] && dup[11] && dup[12] && !dup[0] && !dup[3] && !dup[9],
            "large object: each later copy marked, every first not");
}

static bool
drop_odd (const struct json_member *m, const void *ctx)
{
        (void) ctx;
        return (m->key[1] - '0') % 2 == 1;
}

/* The look-ups for large objects agree with json_get and json_del: the
 * first copy of a key, members removed in one pass, order kept. */
static void
lookups (void)
{
        static const char big[] = "{\"k0\":0,\"k1\":1,\"k2\":2,\"k3\":3,\"k4\":4,\"k5\":5,\"k6\":6,"
                                  "\"k7\":7,\"k8\":8,\"k9\":9,\"k3\":10,\"k0\":11,\"k3\":12}";
        _cleanup_json_ struct json *k = NULL;
        _cleanup_free_ const struct json_member **sorted = NULL;
        struct hd_err err = { 0 };
        size_t first[16];
        char *text = NULL;
        size_t len;

        ok (json_parse_flags (big, strlen (big), JSON_KEEP_DUPLICATES, &k, &err) == 0 && json_mark_first (k, first) == 0
                    && first[10] == 3 && first[11] == 0 && first[12] == 3 && first[3] == 3 && first[9] == 9,
            "json_mark_first: each later copy names its first");
        sorted = json_members_sorted (k);
        ok (sorted && json_sorted_get (sorted, k->n, "k3") == &k->members[3]
                    && json_sorted_get (sorted, k->n, "k0") == &k->members[0] && !json_sorted_get (sorted, k->n, "k")
                    && !json_sorted_get (sorted, k->n, "k99"),
            "json_sorted_get finds the first copy, and nothing for an absent key");
        json_object_filter (k, drop_odd, NULL);
        ok (k->n == 6 && json_write (k, &text, &len, &err) == 0
                    && strcmp (text, "{\"k0\":0,\"k2\":2,\"k4\":4,\"k6\":6,\"k8\":8,\"k0\":11}") == 0,
            "json_object_filter removes in one pass and keeps the order");
        free (text);
}

/* json_index_get gives json_get's answer (the first copy, NULL when
 * absent) for every key of `obj` and for keys it lacks, and so does
 * json_index_get_at tried at the key's own member (a later copy's too) and
 * at its neighbour's. */
static bool
index_agrees (const struct json *obj)
{
        struct json_index ix;
        bool all = true;
        char absent[32];

        if (json_index_build (&ix, obj) < 0)
                return false;
        for (size_t i = 0; i < obj->n && all; i++) {
                const char *key = obj->members[i].key;
                const struct json *first = json_get (obj, key);
                const struct json_member *m = json_index_get (&ix, key), *here = json_index_get_at (&ix, key, i),
                                         *next = json_index_get_at (&ix, key, (i + 1) % obj->n);
                all = m && m->value == first && here && here->value == first && next && next->value == first;
        }
        for (int i = 0; i < 50 && all; i++) {
                snprintf (absent, sizeof absent, "absent%d", i);
                all = !json_index_get (&ix, absent) && !json_index_get_at (&ix, absent, (size_t) i % obj->n);
        }
        json_index_release (&ix);
        return all;
}

/* Small, large and colliding objects alike.  The 40 keys share a slot in
 * the quick key_hash's 128-slot table (found offline): more than the
 * probes allowed, so the index is built again with the keyed hash. */
static void
index_lookups (void)
{
        static const char *const collide[] = {
                "c129",  "c165",  "c181",  "c215",  "c248",  "c263",  "c294",  "c421",  "c427",  "c527",
                "c541",  "c576",  "c636",  "c921",  "c938",  "c968",  "c1092", "c1152", "c1166", "c1226",
                "c1291", "c1399", "c1550", "c1712", "c1805", "c1849", "c1947", "c1965", "c2001", "c2203",
                "c2267", "c2472", "c2483", "c2484", "c2674", "c2788", "c2925", "c3086", "c3201", "c3286",
        };
        _cleanup_json_ struct json *small = json_new (JSON_OBJECT), *big = json_new (JSON_OBJECT),
                                   *hard = json_new (JSON_OBJECT), *unique = json_new (JSON_OBJECT);
        struct hd_err err = { 0 };
        bool built = small && big && hard && unique;
        char key[32];

        for (int i = 0; i < 5 && built; i++) {
                snprintf (key, sizeof key, "s%d", i % 3);
                built = json_add (small, key, json_new_i64 (i), &err) == 0;
        }
        for (int i = 0; i < 5000 && built; i++) {
                snprintf (key, sizeof key, "a.rather.long.key.number.%d", i % 4000);
                built = json_add (big, key, json_new_i64 (i), &err) == 0;
        }
        for (int i = 0; i < 5000 && built; i++) {
                snprintf (key, sizeof key, "run.oci.k%d", i);
                built = json_add (unique, key, json_new_i64 (i), &err) == 0;
        }
        for (size_t i = 0; i < HD_ARRAY_SIZE (collide) + 3 && built; i++)
                built = json_add (hard, collide[i % HD_ARRAY_SIZE (collide)], json_new_i64 ((int64_t) i), &err) == 0;
        ok (built && index_agrees (small), "json_index_get: json_get's answers in a small object");
        ok (built && index_agrees (big), "json_index_get: json_get's answers in a large object with duplicates");
        ok (built && index_agrees (hard), "json_index_get: json_get's answers when the keys collide");
        ok (built && index_agrees (unique), "json_index_get: json_get's answers in a large object of unique keys");
        bool dup[HD_ARRAY_SIZE (collide) + 3], right = built && json_mark_duplicates (hard, dup) == 0;
        for (size_t i = 0; right && i < HD_ARRAY_SIZE (dup); i++)
                right = dup[i] == (i >= HD_ARRAY_SIZE (collide));
        ok (right, "json_mark_duplicates: the later copies when the keys collide");
}

/* RFC 6901 escaping one byte at a time, cut where json_pointer_append
 * cuts (the reference it is held to). */
static void
pointer_reference (char *buf, size_t size, const char *component)
{
        size_t used = strlen (buf);

        if (used + 1 >= size)
                return;
        buf[used++] = '/';
        for (const char *c = component; *c && used + 2 < size; c++) {
                if (*c == '~' || *c == '/') {
                        buf[used++] = '~';
                        buf[used++] = *c == '~' ? '0' : '1';
                } else {
                        buf[used++] = *c;
                }
        }
        buf[used] = '\0';
}

/* Every buffer size from 1 to past the whole pointer, after every prefix. */
static void
pointer_cuts (void)
{
        static const char *const parts[] = { "linux", "a/b~c", "~~//", "", "net.ipv4.conf.e1.forwarding", "x~" };
        bool all = true;

        for (size_t size = 1; size < 80 && all; size++) {
                char a[80] = "", b[80] = "";
                for (size_t i = 0; i < HD_ARRAY_SIZE (parts) && all; i++) {
                        json_pointer_append (a, size, parts[i]);
                        pointer_reference (b, size, parts[i]);
                        all = strcmp (a, b) == 0;
                }
        }
        ok (all, "json_pointer_append escapes ~ and / and cuts at the buffer as byte-by-byte escaping does");
}

/* ---- json_write writes yajl_gen's bytes ---------------------------------- */

/* The reference: yajl_gen, compact, validating UTF-8, as json_write once
 * was.  Returns its status; *out is its bytes when ok. */
static int
yajl_write (yajl_gen g, const struct json *j)
{
        bool obj = j->type == JSON_OBJECT;
        int rc;

        if (j->type == JSON_NULL || j->type == JSON_BOOL)
                return j->type == JSON_NULL ? yajl_gen_null (g) : yajl_gen_bool (g, j->boolean);
        if (j->type == JSON_NUMBER || j->type == JSON_STRING)
                return j->type == JSON_NUMBER ? yajl_gen_number (g, j->text, j->len)
                                              : yajl_gen_string (g, (const unsigned char *) j->text, j->len);
        rc = obj ? yajl_gen_map_open (g) : yajl_gen_array_open (g);
        for (size_t i = 0; i < j->n && rc == 0; i++) {
                const char *key = obj ? j->members[i].key : NULL;
                if (key)
                        rc = yajl_gen_string (g, (const unsigned char *) key, strlen (key));
                if (rc == 0)
                        rc = yajl_write (g, obj ? j->members[i].value : j->items[i]);
        }
        return rc ? rc : (int) (obj ? yajl_gen_map_close (g) : yajl_gen_array_close (g));
}

/* json_write and yajl_gen agree on j: the same bytes, or both fail with
 * the same status. */
static bool
writes_as_yajl (const struct json *j)
{
        yajl_gen g = yajl_gen_alloc (NULL);
        _cleanup_free_ char *out = NULL;
        struct hd_err err = { 0 };
        const unsigned char *data;
        char want[64];
        size_t len, dlen;
        int status, rc;
        bool same;

        yajl_gen_config (g, yajl_gen_validate_utf8, 1);
        status = yajl_write (g, j);
        rc = json_write (j, &out, &len, &err);
        if (status == 0) {
                yajl_gen_get_buf (g, &data, &dlen);
                same = rc == 0 && len == dlen && memcmp (out, data, len) == 0 && out[len] == '\0';
        } else {
                snprintf (want, sizeof want, "yajl_gen status %d", status);
                same = rc < 0 && strstr (err.msg, want);
        }
        yajl_gen_free (g);
        return same;
}

static void
writer (void)
{
        static const char *const fixtures[] = { "run-default.json", "run-privileged.json", "exec-user0.json" };
        static const int64_t i64s[] = { INT64_MIN, INT64_MIN + 1, -10, -9, -1, 0, 1, 9, 10, 99, 100, INT64_MAX };
        struct json *arr = json_new (JSON_ARRAY), *obj = json_new (JSON_OBJECT);
        struct hd_err err = { 0 };
        bool all = true;
        char s[8];

        /* every byte alone, and each in a key */
        for (unsigned c = 1; c < 256; c++) {
                struct json *o = json_new (JSON_OBJECT);
                snprintf (s, sizeof s, "a%cb", (char) c);
                all &= json_set (o, s, json_new_string (s), &err) == 0 && writes_as_yajl (o);
                all &= json_append (arr, json_new_string (s), &err) == 0;
        }
        ok (all, "every byte, alone in a string and a key, is written as yajl_gen writes it (or refused alike)");
        /* sequences of the right shape and not: lead bytes, short and bad continuations */
        all = true;
        for (unsigned lead = 0x80; lead < 256; lead++)
                for (unsigned k = 0; k < 6; k++) {
                        static const char *const tails[] = { "",      "\x80",        "\x80\x80", "\x80\x80\x80",
                                                             "\xbfz", "\x80\xc0\x80" };
                        struct json *str;
                        snprintf (s, sizeof s, "%c%s", (char) lead, tails[k]);
                        str = json_new_string (s);
                        all &= str && writes_as_yajl (str);
                }
        ok (all, "multi-byte sequences: json_write refuses exactly what yajl_gen's UTF-8 check refuses");
        /* one array of all the valid ones, one of everything */
        ok (writes_as_yajl (arr), "an array of every byte");
        /* every length to 20 (the byte loop below eight, the eight-byte
         * steps and the overlapping last step above), with one byte that
         * is not plain at every position */
        all = true;
        for (size_t n = 1; n <= 20; n++)
                for (size_t at = 0; at <= n; at++)
                        for (size_t k = 0; k < 6; k++) {
                                static const char *const odd[] = { "\"", "\\", "\n", "\x01", "\xc3\xa9", "\xff" };
                                char text[32];
                                struct json *str;
                                memset (text, 'p', n);
                                text[n] = '\0';
                                if (at < n)
                                        memcpy (text + at, odd[k], strlen (odd[k]) <= n - at ? strlen (odd[k]) : 1);
                                str = json_new_string (text);
                                all &= str && writes_as_yajl (str);
                        }
        ok (all, "strings of 1 to 20 bytes with a quote, backslash, control, UTF-8 or bad byte anywhere: as yajl_gen");
        all = true;
        for (size_t i = 0; i < HD_ARRAY_SIZE (i64s); i++) {
                char want[32];
                struct json *n = json_new_i64 (i64s[i]);
                snprintf (want, sizeof want, "%" PRId64, i64s[i]);
                all &= n && strcmp (n->text, want) == 0 && n->len == strlen (want);
                n = json_new_u64 ((uint64_t) i64s[i]);
                snprintf (want, sizeof want, "%" PRIu64, (uint64_t) i64s[i]);
                all &= n && strcmp (n->text, want) == 0 && n->len == strlen (want);
        }
        ok (all, "json_new_i64 and json_new_u64 write printf's digits");
        all = json_set (obj, "n", json_new_i64 (-5), &err) == 0 && json_set (obj, "t", json_new_bool (true), &err) == 0
              && json_set (obj, "f", json_new_bool (false), &err) == 0
              && json_set (obj, "z", json_new (JSON_NULL), &err) == 0
              && json_set (obj, "e", json_new (JSON_OBJECT), &err) == 0
              && json_set (obj, "a", json_new (JSON_ARRAY), &err) == 0
              && json_set (obj, "x", json_clone (arr), &err) == 0;
        ok (all && writes_as_yajl (obj), "scalars, empty containers and a clone");
        /* yajl_gen's depth limit: 127 containers deep is written, 128 is refused */
        for (unsigned depth = 126; depth <= 129; depth++) {
                struct json *root = json_new (JSON_ARRAY), *cur = root;
                for (unsigned d = 1; d < depth; d++) {
                        struct json *kid = json_new (d % 2 ? JSON_OBJECT : JSON_ARRAY);
                        if (cur->type == JSON_ARRAY)
                                json_append (cur, kid, &err);
                        else
                                json_set (cur, "k", kid, &err);
                        cur = kid;
                }
                ok (writes_as_yajl (root), "%u containers deep: as yajl_gen", depth);
        }
        for (size_t i = 0; i < HD_ARRAY_SIZE (fixtures); i++) {
                size_t len = 0;
                _cleanup_free_ char *in = tap_slurp ("FIXTURES", "tests/fixtures", fixtures[i], &len);
                struct json *j = NULL;
                ok (in && json_parse (in, len, &j, &err) == 0 && writes_as_yajl (j), "fixture %s: as yajl_gen",
                    fixtures[i]);
        }
}

/* Trees built after a mark are gone after its release; those built before
 * stay (a tree from before is not edited in between: its edits would be
 * released with the rest). */
static void
arena (void)
{
        struct json *keep = NULL, *gone = NULL;
        struct hd_err err = { 0 };
        struct json_arena_mark m;
        _cleanup_free_ char *out = NULL;
        size_t len;
        bool all = true;

        ok (json_parse ("{\"a\":[1,2]}", 11, &keep, &err) == 0, "a tree before the mark");
        m = json_arena_mark ();
        for (int round = 0; round < 3; round++) {
                struct json_arena_mark inner = json_arena_mark ();
                struct json *big = json_new (JSON_ARRAY);
                /* big enough for new chunks and lone allocations of its own */
                for (int i = 0; i < 20000 && all; i++)
                        all = json_append (big, json_new_i64 (i), &err) == 0;
                all &= big->n == 20000 && json_parse ("[\"x\",{\"y\":null}]", 16, &gone, &err) == 0;
                json_arena_release (inner);
        }
        json_arena_release (m);
        ok (all, "trees built and released three times");
        ok (json_write (keep, &out, &len, &err) == 0 && strcmp (out, "{\"a\":[1,2]}") == 0,
            "the tree from before the mark is intact");
}

/* The parser's UTF-8 check at every length to 20 (word loads below eight
 * bytes, eight-byte steps above) with the sequence at every position: a
 * bad byte or an overlong NUL is refused in a string and a key, é is not. */
static void
utf8_everywhere (void)
{
        static const char *const seqs[] = { "\xff", "\xc0\x80", "\xc3\xa9" };
        bool all = true;

        for (size_t n = 2; n <= 20; n++)
                for (size_t at = 0; at + 2 <= n; at++)
                        for (size_t k = 0; k < HD_ARRAY_SIZE (seqs); k++) {
                                char text[32], doc[96];
                                struct json *j = NULL;
                                struct hd_err err = { 0 };
                                int len;
                                memset (text, 'p', n);
                                text[n] = '\0';
                                memcpy (text + at, seqs[k], strlen (seqs[k]));
                                len = snprintf (doc, sizeof doc, "{\"%s\":\"%s\"}", text, text);
                                all &= (json_parse (doc, (size_t) len, &j, &err) == 0) == (k == 2);
                        }
        ok (all, "bad UTF-8 at every position of keys and strings of 2 to 20 bytes is refused, good is not");
}

/* The parser shares the text of a key it has just seen: keys that meet in
 * its table (same length, first and last byte) stay each their own. */
static void
shared_keys (void)
{
        _cleanup_json_ struct json *j = NULL;
        struct hd_err err = { 0 };
        const char *twice = "[{\"type\":1},{\"type\":2}]";

        same ("[{\"axb\":1},{\"ayb\":2},{\"axb\":3},{\"azb\":{\"axb\":4,\"ayb\":5}},{\"\":6},{\"\":7}]",
              "keys that meet in the parser's key table");
        ok (json_parse (twice, strlen (twice), &j, &err) == 0, "parse a repeated key");
        ok (j && j->items[0]->members[0].key == j->items[1]->members[0].key, "  its text is shared");
        is_str (j ? j->items[1]->members[0].key : NULL, "type", "  and reads the same");

        /* a map of 70 members (past the table's 64, its keys are not looked
         * up) whose values are small objects (theirs are) */
        char big[2048];
        size_t used = 0;
        struct json *m = NULL;
        used += (size_t) snprintf (big + used, sizeof big - used, "{");
        for (int i = 0; i < 70; i++)
                used += (size_t) snprintf (big + used, sizeof big - used, "%s\"m%d\":{\"k\":%d}", i ? "," : "", i, i);
        snprintf (big + used, sizeof big - used, "}");
        same (big, "a map of 70 members of small objects");
        ok (json_parse (big, strlen (big), &m, &err) == 0 && m->n == 70
                    && m->members[69].value->members[0].key == m->members[0].value->members[0].key
                    && strcmp (m->members[69].key, "m69") == 0,
            "  the small objects' key is shared past the 64th member, the map's keys are its own");
}

/* A snapshot keeps the document as it was while the document is edited
 * (members set and removed, items appended and replaced). */
static void
snapshots (void)
{
        const char *text = "{\"a\":[\"x\",{\"b\":1}],\"c\":\"s\",\"d\":true}";
        struct json *doc = NULL, *was = NULL, *snap;
        struct hd_err err = { 0 };
        _cleanup_free_ char *out = NULL;
        size_t len;

        ok (json_parse (text, strlen (text), &doc, &err) == 0 && json_parse (text, strlen (text), &was, &err) == 0,
            "parse for a snapshot");
        snap = doc ? json_snapshot (doc) : NULL;
        ok (snap && snap != doc && json_equal (snap, was), "  the snapshot is the document");
        ok (snap && json_get (snap, "c") == json_get (doc, "c"), "  its scalars are the document's");
        ok (snap && json_set (doc, "c", json_new_string ("t"), &err) == 0
                    && json_append (json_get (doc, "a"), json_new_i64 (2), &err) == 0
                    && json_set (json_get (doc, "a")->items[1], "b", json_new_i64 (3), &err) == 0,
            "  the document edited");
        if (doc && snap && json_get (doc, "a"))
                json_get (doc, "a")->items[0] = json_new_string ("y");
        ok (snap && json_equal (snap, was), "  the snapshot is unchanged");
        ok (snap && json_write (snap, &out, &len, &err) == 0 && strcmp (out, text) == 0, "  and written as it was");
        ok (doc && !json_equal (doc, was), "  while the document is not");
}

/* json_write_sized writes json_write's bytes whatever it expected (none,
 * too few, exact, far too many), also past the huge-page size, where the
 * buffer is hd_big_alloc's and grows by hd_big_realloc. */
static void
sized_writes (void)
{
        static const size_t sizes[] = { 40, 3u << 20 };
        struct hd_err err = { 0 };

        for (size_t s = 0; s < HD_ARRAY_SIZE (sizes); s++) {
                _cleanup_free_ char *text = malloc (sizes[s] + 64), *want = NULL;
                struct json *doc = NULL;
                size_t used = 0, want_len = 0;
                bool same = true;
                used += (size_t) sprintf (text, "{\"a\":[");
                for (size_t k = 0; used + 16 < sizes[s]; k++)
                        used += (size_t) sprintf (text + used, "%s\"v%zu\"", k ? "," : "", k);
                used += (size_t) sprintf (text + used, "]}");
                ok (json_parse (text, used, &doc, &err) == 0 && json_write (doc, &want, &want_len, &err) == 0
                            && want_len == used,
                    "a %zu-byte document written back", used);
                for (size_t e = 0; doc && want && e < 5; e++) {
                        const size_t expect[] = { 0, 1, used / 3, used, used * 10 };
                        _cleanup_free_ char *out = NULL;
                        size_t len = 0;
                        same &= json_write_sized (doc, expect[e], &out, &len, &err) == 0 && len == want_len
                                && memcmp (out, want, len) == 0 && out[len] == '\0';
                }
                ok (same, "  json_write_sized writes the same bytes for every expected size");
        }
}

/* hd_big_realloc keeps the bytes in use across the huge-page size, both
 * ways up; hd_big_alloc's large blocks are aligned to it. */
static void
big_buffers (void)
{
        size_t used = 100000;
        char *p = malloc (used), *q;
        bool kept = true;

        for (size_t i = 0; p && i < used; i++)
                p[i] = (char) (i * 7 + 1);
        q = p ? hd_big_realloc (p, used, 3u << 20) : NULL;
        for (size_t i = 0; q && i < used; i++)
                kept &= q[i] == (char) (i * 7 + 1);
        ok (q && kept && (uintptr_t) q % HD_HUGE_PAGE == 0, "hd_big_realloc to 3 MB keeps the bytes, aligned");
        p = q ? hd_big_realloc (q, used, 5u << 20) : NULL;
        for (size_t i = 0; p && i < used; i++)
                kept &= p[i] == (char) (i * 7 + 1);
        ok (p && kept, "  and again to 5 MB");
        free (p);
        p = hd_big_alloc (4096);
        ok (p != NULL, "hd_big_alloc of a small block is malloc's");
        free (p);
}

int
main (void)
{
        struct hd_err err;
        _cleanup_json_ struct json *j = NULL;

        same ("{\"uid\":18446744073709551615,\"big\":9223372036854775809,\"neg\":-12,"
              "\"f\":1.50,\"e\":1E+400,\"z\":-0}",
              "numbers kept as text");
        same ("{\"z\":1,\"a\":2,\"m\":{\"y\":[],\"b\":{}}}", "key order");
        rewritten ("{\"s\":\"\\ud83d\\ude00 caf\xc3\xa9\\u00e9\"}", "{\"s\":\"\xf0\x9f\x98\x80 caf\xc3\xa9\xc3\xa9\"}",
                   "a surrogate pair and UTF-8");
        same ("{\"a\":\"\\\\ud800\"}", "an escaped backslash before u (not an escape)");
        rewritten ("{\"a\":\"\\\"\\ud800\\udc00\"}", "{\"a\":\"\\\"\xf0\x90\x80\x80\"}",
                   "an escaped quote before a pair");
        same ("[true,false,null,\"x\"]", "scalars in an array");

        /* NUL handling needs explicit lengths */
        refusals ();
        duplicates ();
        lookups ();
        index_lookups ();
        pointer_cuts ();
        limits ();
        fixtures ();
        peeks ();
        writer ();
        arena ();
        shared_keys ();
        utf8_everywhere ();
        snapshots ();
        sized_writes ();
        big_buffers ();

        memset (&err, 0, sizeof err);
        ok (json_parse ("{\"a\":{\"b\":\"c\"}}", 15, &j, &err) == 0, "parse for look-ups");
        is_str (j ? json_path (j, "a", "b", NULL)->text : NULL, "c", "json_path finds /a/b");
        ok (j && json_path (j, "a", "x", NULL) == NULL, "json_path: absent is NULL");
        return tap_done ();
}
