#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hardened/policy.h"
#include "hardened/rules.h"
#include "hardened/util.h"
#include "schema.h"

/* `hardened policy show`: the effective policy as one document, after
 * layering, with every default the loader applies written out.  The
 * defaults come from the schema's rows (policy/schema.c): each row's
 * default, as a document of its own under the merged files, then what the
 * loader built for the rows that print it (lists with built-in defaults,
 * id ranges, hooks, the seccomp deny-list with the built-in minimum first,
 * trustedAnnotations, document.*). */

static struct json *
strings_json (const char *const *s, size_t n)
{
        struct json *a = json_new (JSON_ARRAY);
        struct hd_err ignored;

        for (size_t i = 0; a && i < n; i++)
                if (json_append (a, json_new_string (s[i]), &ignored) < 0) {
                        json_free (a);
                        return NULL;
                }
        return a;
}

static struct json *
list_json (const struct policy_list *l)
{
        return l->json ? json_clone (l->json) : strings_json (l->builtin, policy_list_len (l));
}

static struct json *
ranges_json (const struct policy_ids *ids)
{
        struct json *a = json_new (JSON_ARRAY);
        struct hd_err ignored;

        for (size_t i = 0; a && i < ids->n; i++) {
                struct json *r = json_new (JSON_OBJECT); /* owned by `a` from here on */
                if (json_append (a, r, &ignored) < 0 || json_set (r, "min", json_new_u64 (ids->r[i].min), &ignored) < 0
                    || json_set (r, "max", json_new_u64 (ids->r[i].max), &ignored) < 0) {
                        json_free (a);
                        return NULL;
                }
        }
        return a;
}

/* The hook allow-list as the loader built it (the file's, or the built-in one). */
static struct json *
hooks_json (const struct policy_surface *x)
{
        struct json *a = json_new (JSON_ARRAY);
        struct hd_err ignored;

        for (size_t i = 0; a && i < x->nhook_allow; i++) {
                const struct policy_hook *h = &x->hook_allow[i];
                struct json *e = json_new (JSON_OBJECT);
                if (!e || json_set (e, "path", json_new_string (h->path), &ignored) < 0
                    || json_set (e, "args", strings_json (h->args, h->nargs), &ignored) < 0
                    || json_set (e, "env", strings_json (h->env, h->nenv), &ignored) < 0
                    || json_set (e, "maxTimeout", h->max_timeout ? json_new_u64 (h->max_timeout) : json_new (JSON_NULL),
                                 &ignored)
                               < 0
                    || json_append (a, e, &ignored) < 0) {
                        json_free (a);
                        return NULL;
                }
        }
        return a;
}

/* The row's destination in the loaded policy. */
static const void *
built (const struct policy *p, const struct schema_row *row)
{
        return (const char *) p + row->off;
}

/* Never printed (the older top-level unknownFields is folded into
 * document.unknownFields; extends is gone once layered). */
int
show_hide (const struct policy *p, const struct schema_row *row, struct json *obj, struct hd_err *err)
{
        json_del (obj, row->field.name);
        return 0;
}

int
show_list (const struct policy *p, const struct schema_row *row, struct json *obj, struct hd_err *err)
{
        return json_set (obj, row->field.name, list_json (built (p, row)), err);
}

/* The user family's id ranges, as the loader built them (defaults and
 * fallbacks included). */
int
show_ranges (const struct policy *p, const struct schema_row *row, struct json *obj, struct hd_err *err)
{
        return json_set (obj, row->field.name, ranges_json (built (p, row)), err);
}

int
show_hooks (const struct policy *p, const struct schema_row *row, struct json *obj, struct hd_err *err)
{
        return json_set (obj, row->field.name, hooks_json (built (p, row)), err);
}

/* The seccomp deny-list the loader built (the built-in minimum first). */
int
show_deny (const struct policy *p, const struct schema_row *row, struct json *obj, struct hd_err *err)
{
        const struct policy_seccomp *s = built (p, row);

        return json_set (obj, row->field.name, strings_json (s->deny, s->ndeny), err);
}

/* document.* as the loader read it (the older top-level spelling included). */
int
show_document (const struct policy *p, const struct schema_row *row, struct json *obj, struct hd_err *err)
{
        static const char *const names[] = {
                [ACTION_OFF] = "allow",
                [ACTION_WARN] = "warn",
                [ACTION_REJECT] = "reject",
                [ACTION_REWRITE] = "rewrite",
        };
        const enum policy_action *a = built (p, row);

        return json_set (obj, row->field.name, json_new_string (names[*a]), err);
}

/* An action as the loader decided it (images.unknown: the family's when absent). */
int
show_action (const struct policy *p, const struct schema_row *row, struct json *obj, struct hd_err *err)
{
        static const char *const names[] = { "off", "warn", "reject", "rewrite" };
        const enum policy_action *a = built (p, row);

        return json_set (obj, row->field.name, json_new_string (names[*a]), err);
}

int
show_trusted (const struct policy *p, const struct schema_row *row, struct json *obj, struct hd_err *err)
{
        const struct json *const *trusted = built (p, row);

        return json_set (obj, row->field.name, json_clone (*trusted), err);
}

/* A row's default as JSON. */
static struct json *
default_json (const struct schema_default *d)
{
        struct json *j = NULL;
        struct hd_err ignored;

        switch (d->type) {
        case JSON_STRING:
                return json_new_string (d->text);
        case JSON_NUMBER:
                return json_new_number (d->text);
        case JSON_BOOL:
                return json_new_bool (strcmp (d->text, "true") == 0);
        default:
                return json_parse (d->text, strlen (d->text), &j, &ignored) < 0 ? NULL : j;
        }
}

/* The defaults document of one object: its rows' defaults, in row order. */
static struct json *
defaults_of (const struct schema_row *rows)
{
        struct json *obj = json_new (JSON_OBJECT);
        struct hd_err ignored;

        for (const struct schema_row *r = rows; obj && r->field.name; r++) {
                struct json *v = NULL;
                if (r->field.type->kind == SPEC_OBJECT)
                        v = defaults_of (schema_rows (r->field.type));
                else if (r->dflt.text)
                        v = default_json (&r->dflt);
                else
                        continue;
                if (json_add (obj, r->field.name, v, &ignored) < 0) {
                        json_free (obj);
                        return NULL;
                }
        }
        return obj;
}

/* What the loader built, for the rows that print it. */
static int
show_built (const struct policy *p, const struct schema_row *rows, struct json *obj, struct hd_err *err)
{
        for (const struct schema_row *r = rows; r->field.name; r++) {
                if (r->show && r->show (p, r, obj, err) < 0)
                        return -1;
                if (!r->show && r->field.type->kind == SPEC_OBJECT
                    && show_built (p, schema_rows (r->field.type), json_get (obj, r->field.name), err) < 0)
                        return -1;
        }
        return 0;
}

/* Copy `over` onto `base`: objects key by key, anything else replaced. */
static int
overlay (struct json *base, const struct json *over, struct hd_err *err)
{
        for (size_t i = 0; i < over->n; i++) {
                const struct json_member *m = &over->members[i];
                struct json *have = json_get (base, m->key);
                if (have && have->type == JSON_OBJECT && m->value->type == JSON_OBJECT) {
                        if (overlay (have, m->value, err) < 0)
                                return -1;
                } else if (json_set (base, m->key, json_clone (m->value), err) < 0) {
                        return -1;
                }
        }
        return 0;
}

int
policy_effective (const struct policy *p, struct json **out, struct hd_err *err)
{
        const struct schema_row *rows = schema_rows (&schema_policy);
        _cleanup_json_ struct json *doc = defaults_of (rows);

        if (!doc)
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        if (overlay (doc, p->tree, err) < 0)
                return -1;
        if (show_built (p, rows, doc, err) < 0)
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        *out = steal_ptr (&doc);
        return 0;
}
