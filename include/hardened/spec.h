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

#include "hardened/err.h"
#include "hardened/json.h"

enum spec_kind {
        SPEC_OBJECT,   /* Go struct: `fields` */
        SPEC_ARRAY,    /* Go slice: `elem` */
        SPEC_MAP,      /* Go map[string]T: exact keys, `elem` */
        SPEC_STRING,
        SPEC_BOOL,
        SPEC_U16,      /* uint16 */
        SPEC_U32,      /* uint32, os.FileMode */
        SPEC_U64,      /* uint64, uint (amd64) */
        SPEC_I32,      /* int32 */
        SPEC_I64,      /* int64, int (amd64) */
        SPEC_NUMBER,   /* any JSON number (the policy file's own fractional values) */
        SPEC_OPAQUE,   /* present in the spec, ignored by a Linux runtime (windows, vm, ...) */
};

struct spec_field;

struct spec_type {
        enum spec_kind kind;
        const struct spec_field *fields;   /* SPEC_OBJECT: terminated by {NULL, NULL} */
        const struct spec_type *elem;      /* SPEC_ARRAY, SPEC_MAP */
};

struct spec_field {
        const char *name;                  /* exact JSON key */
        const struct spec_type *type;
};

/* Roots of the documents the shim reads. */
extern const struct spec_type spec_config;     /* bundle config.json */
extern const struct spec_type spec_process;    /* exec --process FILE */
extern const struct spec_type spec_resources;  /* update --resources (LinuxResources) */
extern const struct spec_type spec_seccomp;    /* linux.seccomp (a policy's profile file) */

enum spec_flags {
        SPEC_STRICT = 0,               /* unknown keys refused with their path */
        SPEC_ALLOW_UNKNOWN = 1 << 0,   /* unknown keys pass through unchecked */
        SPEC_EXACT_KEYS = 1 << 1,      /* a file only we read: a case-folded key is
                                        * just an unknown key, not a Go decoding trap */
};

/* Check `doc` against `type`.  On failure err reads
 * "LINE:COL: /json/pointer: what is wrong"; `src` is the text `doc` was
 * parsed from, for the position (NULL: no position). */
int spec_check (const struct json *doc, const struct spec_type *type, unsigned flags,
                const char *src, size_t src_len, struct hd_err *err);

/* Go's key folding: true when `key` would be decoded into a field named
 * `name` (exact or case/simple-fold equal). */
bool spec_fold_equal (const char *key, const char *name);

#endif
