#include "config.h"

/* embed-tree SYMBOL FILE: a C source defining `struct json SYMBOL`, the
 * tree json_parse makes of FILE, as static data.  The compiled-in seccomp
 * profile is then there without parsing it on every call (a rewrite
 * installs a copy of it, so every create needed its tree).  Built and run
 * at build time, from the shipped file, so the tree and the embedded text
 * (policy/embed.sh) cannot drift apart; test-seccomp checks that the tree
 * equals a parse of that text and passes the profile schema. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hardened/json.h"
#include "hardened/util.h"

/* What is emitted: every text and key in one string table, one shape row
 * per node (pre-order) and one row per child.  Offsets, not pointers, so
 * the program start pays no relocation for them (a pass-through verb
 * never looks at the tree); policy_default_seccomp_tree() links the
 * nodes on first use. */
struct shape {
        enum json_type type;
        bool boolean;
        size_t text, len, n, first; /* first: its first row in kids */
};
struct kid {
        size_t node, key; /* key: string offset (object members) */
};
struct emit {
        struct shape *shapes;
        struct kid *kids;
        char *strings;
        size_t nshapes, nkids, nstrings;
};

static const struct json *
child (const struct json *j, size_t i)
{
        return j->type == JSON_OBJECT ? j->members[i].value : j->items[i];
}

static size_t
count (const struct json *j, size_t *bytes)
{
        size_t n = 1;

        *bytes += j->type == JSON_STRING || j->type == JSON_NUMBER ? j->len + 1 : 0;
        for (size_t i = 0; i < j->n; i++) {
                *bytes += j->type == JSON_OBJECT ? strlen (j->members[i].key) + 1 : 0;
                n += count (child (j, i), bytes);
        }
        return n;
}

static size_t
add_string (struct emit *e, const char *s, size_t len)
{
        size_t at = e->nstrings;

        memcpy (e->strings + at, s, len);
        e->strings[at + len] = '\0';
        e->nstrings += len + 1;
        return at;
}

/* j's rows; returns its node number. */
static size_t
assign (struct emit *e, const struct json *j)
{
        size_t id = e->nshapes++, first = e->nkids;

        e->shapes[id] = (struct shape) { j->type, j->boolean, 0, j->len, j->n, first };
        if (j->type == JSON_STRING || j->type == JSON_NUMBER)
                e->shapes[id].text = add_string (e, j->text, j->len);
        e->nkids += j->n;
        for (size_t i = 0; i < j->n; i++) {
                size_t key = j->type == JSON_OBJECT ? add_string (e, j->members[i].key, strlen (j->members[i].key)) : 0;
                e->kids[first + i] = (struct kid) { assign (e, child (j, i)), key };
        }
        return id;
}

/* The string table as C literals, 16 strings a line at most. */
static void
print_strings (const struct emit *e)
{
        printf ("static char strings[%zu] =\n        \"", e->nstrings ? e->nstrings : 1);
        for (size_t i = 0; i < e->nstrings; i++) {
                unsigned char c = (unsigned char) e->strings[i];
                if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '?')
                        putchar (c);
                else
                        printf ("\\%03o", c);
                if (c == '\0' && i + 1 < e->nstrings)
                        printf ("\"\n        \"");
        }
        printf ("\";\n");
}

static const char *const type_names[] = {
        [JSON_NULL] = "JSON_NULL",     [JSON_BOOL] = "JSON_BOOL",   [JSON_NUMBER] = "JSON_NUMBER",
        [JSON_STRING] = "JSON_STRING", [JSON_ARRAY] = "JSON_ARRAY", [JSON_OBJECT] = "JSON_OBJECT",
};

static void
print_tables (const struct emit *e, const char *sym)
{
        print_strings (e);
        printf ("static const struct json_shape shapes[%zu] = {\n", e->nshapes);
        for (size_t i = 0; i < e->nshapes; i++)
                printf ("        { %s, %d, %zu, %zu, %zu, %zu },\n", type_names[e->shapes[i].type],
                        e->shapes[i].boolean, e->shapes[i].text, e->shapes[i].len, e->shapes[i].n, e->shapes[i].first);
        printf ("};\nstatic const struct json_shape_kid kids[%zu] = {\n", e->nkids ? e->nkids : 1);
        for (size_t i = 0; i < e->nkids; i++)
                printf ("        { %zu, %zu },\n", e->kids[i].node, e->kids[i].key);
        printf ("};\nstatic struct json nodes[%zu];\n", e->nshapes);
        printf ("static struct json_member members[%zu];\nstatic struct json *items[%zu];\n\n", e->nkids ? e->nkids : 1,
                e->nkids ? e->nkids : 1);
        printf ("struct json *\n%s (void)\n{\n", sym);
        printf ("        static bool linked;\n\n");
        printf ("        for (size_t i = 0; !linked && i < %zu; i++) {\n", e->nshapes);
        printf ("                const struct json_shape *s = &shapes[i];\n");
        printf ("                struct json *j = &nodes[i];\n");
        printf ("                j->type = s->type;\n                j->boolean = s->boolean;\n");
        printf ("                j->off = JSON_NO_OFFSET;\n");
        printf ("                j->text = s->type == JSON_STRING || s->type == JSON_NUMBER ? strings + s->text : NULL;\n");
        printf ("                j->len = s->len;\n                j->n = j->cap = s->n;\n");
        printf ("                j->members = s->type == JSON_OBJECT && s->n ? &members[s->first] : NULL;\n");
        printf ("                j->items = s->type == JSON_ARRAY && s->n ? &items[s->first] : NULL;\n");
        printf ("                for (size_t k = s->first; k < s->first + s->n; k++) {\n");
        printf ("                        members[k].key = s->type == JSON_OBJECT ? strings + kids[k].key : NULL;\n");
        printf ("                        members[k].value = &nodes[kids[k].node];\n");
        printf ("                        members[k].off = JSON_NO_OFFSET;\n");
        printf ("                        items[k] = &nodes[kids[k].node];\n");
        printf ("                }\n        }\n");
        printf ("        linked = true;\n        return &nodes[0];\n}\n");
}

int
main (int argc, char **argv)
{
        _cleanup_json_ struct json *tree = NULL;
        struct hd_err err = { 0 };
        char *buf = NULL;
        size_t len = 0, n;
        FILE *f;

        if (argc != 3 || !(f = fopen (argv[2], "rb"))) {
                fprintf (stderr, "usage: embed-tree SYMBOL FILE\n");
                return 2;
        }
        buf = malloc (JSON_MAX_BYTES);
        if (!buf || (n = fread (buf, 1, JSON_MAX_BYTES, f)) == 0 || ferror (f)) {
                fprintf (stderr, "embed-tree: %s: cannot read\n", argv[2]);
                return 1;
        }
        len = n;
        fclose (f);
        if (json_parse (buf, len, &tree, &err) < 0) {
                fprintf (stderr, "embed-tree: %s:%s\n", argv[2], err.msg);
                return 1;
        }
        {
                size_t bytes = 0, nodes = count (tree, &bytes);
                struct emit e = { calloc (nodes, sizeof (struct shape)),
                                  calloc (nodes, sizeof (struct kid)),
                                  malloc (bytes + 1),
                                  0,
                                  0,
                                  0 };
                if (!e.shapes || !e.kids || !e.strings)
                        return 1;
                assign (&e, tree);
                printf ("/* Generated from %s by policy/embed-tree; do not edit. */\n",
                        strrchr (argv[2], '/') ? strrchr (argv[2], '/') + 1 : argv[2]);
                printf ("#include \"config.h\"\n#include <stdbool.h>\n#include <stddef.h>\n"
                        "#include \"hardened/json.h\"\n#include \"hardened/policy.h\"\n\n");
                printf ("struct json_shape {\n        enum json_type type;\n        bool boolean;\n"
                        "        size_t text, len, n, first;\n};\n");
                printf ("struct json_shape_kid {\n        size_t node, key;\n};\n");
                print_tables (&e, argv[1]);
                free (e.shapes);
                free (e.kids);
                free (e.strings);
        }
        free (buf);
        return 0;
}
