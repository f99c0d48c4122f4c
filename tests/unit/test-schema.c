/* The JSON Schema shipped for editors (policy/profiles/policy.schema.json)
 * against the loader's rows (policy/schema.c): every row's key is a
 * property at the same place with a compatible type, every property is a
 * row, and where the JSON Schema gives a "default" it is the row's (or,
 * for the rows `policy show` prints as the loader built them, what an
 * empty policy shows).  Exemptions name rule families: the schema's list
 * of names, the rows under "rules" and the registry's families agree. */
#include "config.h"

#include <string.h>

#include "hardened/policy.h"
#include "hardened/rules.h"
#include "hardened/util.h"
#include "schema.h"
#include "tap.h"

static const struct json *schema_root;
static struct json *empty_shown; /* policy show of {"apiVersion": "hardened/v1"} */

/* `key` of a JSON Schema node, looking through "$ref": "#/$defs/NAME". */
static const struct json *
prop (const struct json *node, const char *key)
{
        for (int depth = 0; node && depth < 8; depth++) {
                const struct json *v = json_get (node, key), *ref = json_get (node, "$ref");
                if (v || !ref || strncmp (ref->text, "#/$defs/", 8) != 0)
                        return v;
                node = json_path (schema_root, "$defs", ref->text + 8, NULL);
        }
        return NULL;
}

static const char *
schema_type_of (enum spec_kind k)
{
        static const char *const names[] = {
                [SPEC_OBJECT] = "object",
                [SPEC_ARRAY] = "array",
                [SPEC_MAP] = "object",
                [SPEC_STRING] = "string",
                [SPEC_BOOL] = "boolean",
                [SPEC_U16] = "integer",
                [SPEC_U32] = "integer",
                [SPEC_U64] = "integer",
                [SPEC_I32] = "integer",
                [SPEC_I64] = "integer",
                [SPEC_NUMBER] = "number",
                /* the policy's only opaque values: exemption families, objects the loader checks */
                [SPEC_OPAQUE] = "object",
        };
        return names[k];
}

/* The row's default as JSON (schema.h: strings are their text, the rest JSON). */
static struct json *
row_default (const struct schema_row *r)
{
        struct json *j = NULL;
        struct hd_err err;

        if (r->dflt.type == JSON_STRING)
                return json_new_string (r->dflt.text);
        return json_parse (r->dflt.text, strlen (r->dflt.text), &j, &err) < 0 ? NULL : j;
}

/* What `policy show` prints for an empty policy at `ptr` (keys only), or NULL. */
static const struct json *
shown_at (const char *ptr)
{
        char buf[256], *save = NULL;
        const struct json *j = empty_shown;

        snprintf (buf, sizeof buf, "%s", ptr);
        for (char *k = strtok_r (buf, "/", &save); j && k; k = strtok_r (NULL, "/", &save))
                j = j->type == JSON_OBJECT ? json_get (j, k) : NULL;
        return j;
}

static void
check_default (const struct schema_row *r, const struct json *node, const char *ptr, bool in_list)
{
        const struct json *want = json_get (node, "default"), *got;
        _cleanup_json_ struct json *own = NULL;

        if (!want)
                return;
        if (r->dflt.text)
                got = own = row_default (r);
        else
                got = in_list ? NULL : shown_at (ptr);
        ok (got && json_equal (got, want), "%s: the JSON Schema's default is the row's%s", ptr,
            got ? "" : " (the row has none)");
}

static void check_type (const struct spec_type *t, const struct json *node, const char *ptr, bool in_list);

/* Rows and properties of one object, both ways. */
static void
check_object (const struct spec_type *t, const struct json *node, const char *ptr, bool in_list)
{
        const struct json *props = prop (node, "properties");
        char sub[256];

        for (const struct schema_row *r = schema_rows (t); r->field.name; r++) {
                const struct json *p = json_get (props, r->field.name);
                if (r->flags & SCHEMA_REFUSED)
                        continue;
                snprintf (sub, sizeof sub, "%s/%s", ptr, r->field.name);
                ok (p != NULL, "%s: the row is a property in the JSON Schema", sub);
                if (!p)
                        continue;
                check_type (r->field.type, p, sub, in_list);
                check_default (r, p, sub, in_list);
        }
        for (size_t i = 0; props && i < props->n; i++) {
                bool row = false;
                for (const struct schema_row *r = schema_rows (t); r->field.name; r++)
                        row |= strcmp (r->field.name, props->members[i].key) == 0;
                ok (row, "%s/%s: the JSON Schema's property has a row", ptr, props->members[i].key);
        }
}

static void
check_type (const struct spec_type *t, const struct json *node, const char *ptr, bool in_list)
{
        const struct json *type = prop (node, "type");
        const char *want = schema_type_of (t->kind);

        ok (type && want && strcmp (type->text, want) == 0, "%s: %s in both", ptr, want ? want : "?");
        if (t->kind == SPEC_OBJECT)
                check_object (t, node, ptr, in_list);
        else if (t->kind == SPEC_ARRAY)
                check_type (t->elem, prop (node, "items"), ptr, true);
        else if (t->kind == SPEC_MAP)
                check_type (t->elem, prop (node, "additionalProperties"), ptr, true);
}

/* Exemptions may name exactly the families under "rules", which are the
 * registry's families. */
static void
families (void)
{
        const struct json *names = json_path (schema_root, "properties", "exemptions", "items", "properties", "rules",
                                              "propertyNames", "enum", NULL);
        size_t nrows = 0;

        for (const struct schema_row *r = schema_rules; r->field.name; r++, nrows++) {
                bool ruled = false;
                for (size_t i = 0; i < rules_registry_len; i++)
                        ruled |= strcmp (rules_registry[i]->family, r->field.name) == 0;
                ok (ruled, "rules/%s: a family of the rule registry", r->field.name);
                ok (json_array_has (names, r->field.name), "rules/%s: exemptions may name it in the JSON Schema",
                    r->field.name);
        }
        ok (names && names->n == nrows, "the JSON Schema's exemption family names are the rows under rules");
        for (size_t i = 0; i < rules_registry_len; i++) {
                bool row = false;
                for (const struct schema_row *r = schema_rules; r->field.name; r++)
                        row |= strcmp (rules_registry[i]->family, r->field.name) == 0;
                ok (row, "rule %s: its family %s is a row under rules", rules_registry[i]->id,
                    rules_registry[i]->family);
        }
}

int
main (void)
{
        static const char empty[] = "{\"apiVersion\": \"hardened/v1\"}";
        size_t len = 0;
        _cleanup_free_ char *text = tap_slurp ("top_srcdir", ".", "policy/profiles/policy.schema.json", &len);
        _cleanup_json_ struct json *root = NULL;
        struct hd_err err = { 0 };
        struct policy p;

        ok (text && json_parse (text, len, &root, &err) == 0, "policy.schema.json parses %s", err.msg);
        ok (policy_load_buffer ("empty", empty, sizeof empty - 1, &p, &err) == 0
                    && policy_effective (&p, &empty_shown, &err) == 0,
            "an empty policy loads and shows %s", err.msg);
        if (root && empty_shown) {
                schema_root = root;
                check_type (&schema_policy, root, "", false);
                families ();
        }
        json_free (empty_shown);
        policy_free (&p);
        return tap_done ();
}
