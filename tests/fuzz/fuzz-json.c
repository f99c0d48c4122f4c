/* Fuzz entry point for the strict parser, the schema check, the document
 * pass and the writer.
 * Properties: no crash, no leak; whatever parses is written back to bytes
 * that parse again and write back identically (the writer is a fixed point);
 * the canonical form of a document is its own canonical form, with no
 * finding (idempotent; sections runc ignores are kept as written); the
 * shallow peek (json_peek_string) agrees with the parse, and so does its
 * fast path (peek_string_fast) wherever it decides. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hardened/json.h"
#include "hardened/spec.h"
#include "hardened/util.h"

#include "peek.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
canonical_is_fixed_point (const uint8_t *data, size_t size, const struct spec_type *type)
{
        static const struct spec_canon_actions rewrite = { ACTION_REWRITE, ACTION_REWRITE, ACTION_REWRITE,
                                                           ACTION_REWRITE };
        _cleanup_json_ struct json *j = NULL, *again = NULL;
        _cleanup_free_ char *out = NULL, *out2 = NULL;
        struct decision d = { 0 }, d2 = { 0 };
        struct hd_err err;
        size_t len, len2;

        if (json_parse_flags ((const char *) data, size, JSON_KEEP_DUPLICATES, &j, &err) < 0 || j->type != JSON_OBJECT
            || spec_canonicalize (&j, type, &rewrite, &d, (const char *) data, size, &err) < 0)
                return;
        if (json_write (j, &out, &len, &err) < 0 || json_parse_flags (out, len, JSON_KEEP_DUPLICATES, &again, &err) < 0
            || spec_canonicalize (&again, type, &rewrite, &d2, out, len, &err) < 0 || d2.n != 0
            || json_write (again, &out2, &len2, &err) < 0 || len != len2 || memcmp (out, out2, len))
                abort ();
}

/* The pass-through verbs' peek accepts what the parse accepts, with the
 * same message, and finds the same root "runtime"; its fast path, where it
 * decides, says the same. */
static void
peek_agrees (const uint8_t *data, size_t size)
{
        _cleanup_json_ struct json *j = NULL;
        _cleanup_free_ char *found = NULL, *fast = NULL;
        struct hd_err full = { 0 }, peek = { 0 };
        const struct json *rt;
        int rc = json_parse ((const char *) data, size, &j, &full);

        if (json_peek_string ((const char *) data, size, "runtime", &found, &peek) != rc
            || strcmp (full.msg, peek.msg) != 0)
                abort ();
        rt = rc == 0 ? json_get (j, "runtime") : NULL;
        if (rt && rt->type == JSON_STRING ? !found || strcmp (found, rt->text) != 0 : found != NULL)
                abort ();
        if (peek_string_fast ((const char *) data, size, "runtime", &fast) == 1
            && (rc != 0 || (found ? !fast || strcmp (fast, found) != 0 : fast != NULL)))
                abort ();
}

static void
one_input (const uint8_t *data, size_t size)
{
        _cleanup_json_ struct json *j = NULL, *again = NULL;
        _cleanup_free_ char *out = NULL, *out2 = NULL;
        struct hd_err err;
        size_t len, len2;

        peek_agrees (data, size);
        canonical_is_fixed_point (data, size, &spec_config);
        canonical_is_fixed_point (data, size, &spec_process);
        if (json_parse ((const char *) data, size, &j, &err) < 0)
                return;
        (void) spec_check (j, &spec_config, SPEC_STRICT, (const char *) data, size, &err);
        (void) spec_check (j, &spec_process, SPEC_ALLOW_UNKNOWN, (const char *) data, size, &err);
        if (json_write (j, &out, &len, &err) < 0)
                abort ();
        if (json_parse (out, len, &again, &err) < 0)
                abort ();
        if (json_write (again, &out2, &len2, &err) < 0 || len != len2 || memcmp (out, out2, len))
                abort ();
}

/* Each input's trees are released with it (millions of runs, one process). */
int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
        struct json_arena_mark mark = json_arena_mark ();

        one_input (data, size);
        json_arena_release (mark);
        return 0;
}
