/* The policy file's schema: one row per field, all in policy/schema.c, in
 * the shape of systemd-nspawn's OCI reader (a table per JSON object of
 * {name, type, converter, destination}, dispatched generically).
 *
 * A row says, for one key of one object:
 *   - its exact JSON key and type (a row begins with its spec_field, so
 *     spec_check holds every file to the rows themselves: a typo in a key
 *     is an unknown field with file:line:col, never an ignored setting);
 *   - its converter, which parses and validates the value and stores it at
 *     the destination (base + off: struct policy for the file's own rows,
 *     one entry of a list for the rows of a list's items);
 *   - its default: what an absent key means and what `hardened policy show`
 *     prints for it.  A scalar default (a string, number or boolean) is fed
 *     to the converter as if the file had it, so the loader and `show`
 *     cannot disagree; a list or object default ("[]", null, an object) is
 *     only printed, and the converter, handed NULL, applies the built-in
 *     value its `arg` names, or none.  A row with a `show` function then
 *     prints what the loader built over that (lists with built-in
 *     defaults, id ranges, hooks), or removes the key.
 *
 * Private to the policy library (load.c walks the rows, show.c prints
 * them, the unit test checks policy.schema.json against them). */
#ifndef HARDENED_POLICY_SCHEMA_H
#define HARDENED_POLICY_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

#include "hardened/err.h"
#include "hardened/json.h"
#include "hardened/policy.h"
#include "hardened/spec.h"

struct loader; /* the loader's state (policy/load.c) */
struct schema_row;

/* Where a converter is called. */
struct schema_at {
        const struct json *v;   /* the value, else the row's scalar default, else NULL */
        const struct json *obj; /* the object that holds the key; NULL when it is absent too */
        const char *ptr;        /* the value's JSON pointer: "/rules/user/uid" */
        const char *obj_ptr;    /* the object's: "/rules/user" */
        void *base;             /* the destination struct (struct policy, or a list entry) */
        void *dst;              /* base + row->off */
};

/* Parse and validate at->v into at->dst; < 0 with the loader's error set
 * ("FILE:LINE:COL: /pointer: message").  An object's row has its
 * converter called after its own rows, for checks across them. */
typedef int schema_conv (struct loader *l, const struct schema_row *row, const struct schema_at *at);

/* Print what the loader built for this row into the effective document's
 * object `obj` (policy show). */
typedef int schema_show (const struct policy *p, const struct schema_row *row, struct json *obj, struct hd_err *err);

/* A default as JSON: JSON_STRING text is the string itself, JSON_NUMBER
 * and JSON_BOOL text their JSON spelling, JSON_NULL/ARRAY/OBJECT text the
 * JSON to print.  text NULL: no default (absent means nothing is set). */
struct schema_default {
        enum json_type type;
        const char *text;
};

#define SCHEMA_REQUIRED 1u /* absent while its object is given: the converter gets NULL */
#define SCHEMA_REFUSED 2u  /* kept only to refuse with a better message; not in the JSON Schema */

struct schema_row {
        struct spec_field field; /* first: key and type (see spec_type.stride) */
        schema_conv *conv;       /* NULL: read by the converter of the row that holds it */
        size_t off;              /* destination: offsetof in the base struct */
        struct schema_default dflt;
        schema_show *show; /* NULL: print dflt (when it has one) and the file's value */
        const void *arg;   /* the converter's parameter (built-in list, bounds) */
        unsigned flags;    /* SCHEMA_* */
};

/* The rows of an object type (a table of schema_row). */
static inline const struct schema_row *
schema_rows (const struct spec_type *t)
{
        return (const struct schema_row *) (const void *) t->fields;
}

/* The object type over `rows`, for spec_check. */
/* clang-format off */
#define SCHEMA_OBJECT(rows) { SPEC_OBJECT, &(rows)[0].field, NULL, sizeof (rows)[0] }
/* clang-format on */

/* The whole file: its rows, and the rule families under "rules". */
extern const struct spec_type schema_policy;
extern const struct schema_row schema_rules[];
extern const struct spec_type schema_rules_type; /* the "rules" object: schema_rules' families */

/* A list of strings (policy_list): its built-in default, the values it
 * accepts (NULL: any), whether each must be an absolute path. */
struct schema_list {
        const char *const *builtin;
        const char *const *values;
        bool paths;
};

/* The built-in hook allow-list: each path with the same args. */
struct schema_hooks {
        const char *const *paths;
        size_t npaths;
        const char *const *args;
        size_t nargs;
};

/* ---- converters (policy/load.c) ---------------------------------------- */

schema_conv load_api_version, load_mode, load_runtime, load_abs_path, load_document_class, load_document_unknown,
        load_legacy_unknown, load_bool, load_string, load_json, load_u32, load_action_field;
schema_conv load_user_id, load_ranges, load_mapped_ranges, load_user_check;
schema_conv load_tmpfs, load_tmpfs_size, load_caps, load_caps_ambient, load_seccomp_profile, load_deny;
schema_conv load_size_field, load_millis_field, load_period, load_shares, load_positive, load_resources_check,
        load_unified, load_realtime_cpu;
schema_conv load_list_field, load_fs_types, load_mount_pairs, load_devices;
schema_conv load_hooks, load_hook_path, load_hook_args, load_hook_env, load_hook_timeout, load_gone;
schema_conv load_exemptions, load_trust;
schema_conv load_image_list, load_images_unknown, load_images_check, load_verdicts, load_severity, load_age;

/* ---- what `policy show` prints as the loader built it (policy/show.c) -- */

schema_show show_hide, show_list, show_ranges, show_hooks, show_deny, show_document, show_trusted, show_action;

#endif
