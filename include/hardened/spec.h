/* OCI runtime-spec 1.2 schema tables (one table per JSON object, STYLE.md 7)
 * and the checker that holds a parsed document to them.
 *
 * Threat: runc decodes config.json into Go structs.  Go matches object keys
 * to struct fields case-insensitively with Unicode simple folding (U+017F
 * folds to 's', U+212A to 'k'), treats null as "leave unset", and rejects or
 * truncates numbers by the field's Go type.  The tables say, for every
 * field, the exact name and the Go type, so the checker can refuse every
 * document that Go would read differently from how we read it. */
#ifndef HARDENED_SPEC_H
#define HARDENED_SPEC_H

#include <stdbool.h>

#include "hardened/decision.h"
#include "hardened/err.h"
#include "hardened/json.h"

enum spec_kind {
        SPEC_OBJECT, /* Go struct: `fields` */
        SPEC_ARRAY,  /* Go slice: `elem` */
        SPEC_MAP,    /* Go map[string]T: exact keys, `elem` */
        SPEC_STRING,
        SPEC_BOOL,
        SPEC_U16,    /* uint16 */
        SPEC_U32,    /* uint32, os.FileMode */
        SPEC_U64,    /* uint64, uint (amd64) */
        SPEC_I32,    /* int32 */
        SPEC_I64,    /* int64, int (amd64) */
        SPEC_NUMBER, /* any JSON number (the policy file's own fractional values) */
        SPEC_OPAQUE, /* present in the spec, ignored by a Linux runtime (windows, vm, ...) */
};

struct spec_field;

struct spec_type {
        enum spec_kind kind;
        const struct spec_field *fields; /* SPEC_OBJECT: terminated by {NULL, NULL} */
        const struct spec_type *elem;    /* SPEC_ARRAY, SPEC_MAP */
        /* Bytes from one field to the next; 0: sizeof (struct spec_field).
         * A table of larger rows that each begin with their spec_field
         * (the policy file's schema, policy/schema.h) is walked in place. */
        size_t stride;
};

struct spec_field {
        const char *name; /* exact JSON key */
        const struct spec_type *type;
        unsigned flags; /* SPEC_PTR */
};

/* The Go field is a pointer: null sets it to nil (absent).  Slices and maps
 * are nil-able by kind; any other field is left as it was by a null. */
#define SPEC_PTR 1u

/* Roots of the documents the shim reads. */
extern const struct spec_type spec_config;    /* bundle config.json */
extern const struct spec_type spec_process;   /* exec --process FILE */
extern const struct spec_type spec_resources; /* update --resources (LinuxResources) */
extern const struct spec_type spec_seccomp;   /* linux.seccomp (a policy's profile file) */

enum spec_flags {
        SPEC_STRICT = 0,             /* unknown keys refused with their path */
        SPEC_ALLOW_UNKNOWN = 1 << 0, /* unknown keys pass through unchecked */
        SPEC_EXACT_KEYS = 1 << 1,    /* a file only we read: a case-folded key is
                                        * just an unknown key, not a Go decoding trap */
};

/* Check `doc` against `type`.  On failure err reads
 * "LINE:COL: /json/pointer: what is wrong"; `src` is the text `doc` was
 * parsed from, for the position (NULL: no position). */
int spec_check (const struct json *doc, const struct spec_type *type, unsigned flags, const char *src, size_t src_len,
                struct hd_err *err);

/* The classes of JSON that runc's decoder reads with one meaning but that
 * are not written canonically, each with its effective action (audit mode
 * already applied, see policy_document_actions):
 *   ACTION_REJECT   a finding that refuses the call;
 *   ACTION_REWRITE  a finding, fixed: the canonical tree has the meaning;
 *   ACTION_WARN     the same rewrite, recorded as a warning (audit mode);
 *   ACTION_OFF      unknown fields only: passed through with no finding.
 * Rule ids: document.foldedKey, document.null, document.duplicateKey,
 * document.unknownField. */
struct spec_canon_actions {
        enum policy_action folded_keys, nulls, duplicate_keys, unknown_fields;
};

/* Decode `*doc` as runc's Go decoder (encoding/json, Go 1.19) would decode
 * it into the struct `type` describes, and replace *doc by that meaning
 * written canonically: every key spelled as its field, members that fold to
 * one field (and duplicates) merged in document order as Go merges them
 * (structs and maps field by field, slices element by element into Go's
 * backing array, scalars replaced), nulls applied as Go applies them
 * (nil for a pointer, slice or map; no change for any other field; the zero
 * value for an array item or map value), unknown fields kept (allowed or
 * audit) or dropped.  Each non-canonical spelling is a finding in `d`,
 * whose verdict says whether one refuses (d starts zeroed).
 * -1 (err "LINE:COL: /ptr: ...") for what runc itself would refuse: a wrong
 * type or a number its field cannot hold. */
int spec_canonicalize (struct json **doc, const struct spec_type *type, const struct spec_canon_actions *a,
                       struct decision *d, const char *src, size_t src_len, struct hd_err *err);

/* The policy's document.* actions, with audit mode applied. */
void spec_canon_actions_for (const struct policy *p, struct spec_canon_actions *out);

/* Go's key folding: true when `key` would be decoded into a field named
 * `name` (exact or case/simple-fold equal). */
bool spec_fold_equal (const char *key, const char *name);

#endif
