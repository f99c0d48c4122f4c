#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hardened/util.h"

#include "tomledit.h"

enum line_kind { LINE_BLANK, LINE_COMMENT, LINE_HEADER, LINE_KEYVAL, LINE_CONT };

struct toml_line {
        char *text; /* without its newline */
        enum line_kind kind;
        bool array_table;     /* [[header]] */
        bool multiline;       /* a key whose value continues on the next lines */
        struct toml_path key; /* header: the table; key line: the (dotted) key */
        size_t vstart, vend;  /* key line: the value's bytes on this line */
        size_t table;         /* index of the header above, SIZE_MAX for the root table */
};

struct toml_doc {
        const char *file;
        struct toml_line *lines;
        size_t n, cap;
        bool final_newline;
};

#define NO_TABLE SIZE_MAX

static int
refuse (const struct toml_doc *doc, size_t line, struct hd_err *err, const char *what)
{
        return hd_err_set (err, HD_EXIT_REFUSED, EINVAL, "%s:%zu: %s", doc->file, line + 1, what);
}

/* ---- keys ------------------------------------------------------------------ */

static bool
bare_char (char c)
{
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

static size_t
skip_ws (const char *s, size_t p)
{
        while (s[p] == ' ' || s[p] == '\t')
                p++;
        return p;
}

/* One key part at s[*p]: bare, "basic" (no escapes but \" and \\) or
 * 'literal'.  Returns a malloc'd copy, NULL when it is none of those. */
static char *
key_part (const char *s, size_t *p)
{
        size_t i = *p, o = 0;
        char *out = malloc (strlen (s + i) + 1);

        if (!out)
                return NULL;
        if (s[i] == '"' || s[i] == '\'') {
                char q = s[i++];
                for (; s[i] && s[i] != q; i++) {
                        if (q == '"' && s[i] == '\\' && (s[i + 1] == '"' || s[i + 1] == '\\'))
                                i++;
                        else if (q == '"' && s[i] == '\\')
                                break;
                        out[o++] = s[i];
                }
                if (s[i] != q) {
                        free (out);
                        return NULL;
                }
                i++;
        } else
                for (; bare_char (s[i]); i++)
                        out[o++] = s[i];
        if (o == 0 && s[*p] != '"' && s[*p] != '\'') {
                free (out);
                return NULL;
        }
        out[o] = '\0';
        *p = i;
        return out;
}

/* A dotted key ending at `stop` (not consumed); false when it is not one. */
static bool
parse_key (const char *s, size_t *p, char stop, struct toml_path *k)
{
        size_t i = skip_ws (s, *p);

        k->n = 0;
        for (;;) {
                char *part = k->n < TOML_MAX_PATH ? key_part (s, &i) : NULL;
                if (!part)
                        return false;
                k->part[k->n++] = part;
                i = skip_ws (s, i);
                if (s[i] == stop)
                        break;
                if (s[i] != '.')
                        return false;
                i = skip_ws (s, i + 1);
        }
        *p = i;
        return true;
}

static void
path_free (struct toml_path *k)
{
        for (size_t i = 0; i < k->n; i++)
                free ((void *) (uintptr_t) k->part[i]); /* a line owns its parts */
        k->n = 0;
}

/* a[0..na) is a prefix of b[0..nb) */
static bool
prefix (const char *const *a, size_t na, const char *const *b, size_t nb)
{
        if (na > nb)
                return false;
        for (size_t i = 0; i < na; i++)
                if (strcmp (a[i], b[i]) != 0)
                        return false;
        return true;
}

static bool
path_eq (const struct toml_path *a, const struct toml_path *b)
{
        return a->n == b->n && prefix (a->part, a->n, b->part, b->n);
}

const char *
toml_path_name (const struct toml_path *t)
{
        static char buf[1024];
        size_t used = 0;

        buf[used++] = '[';
        for (size_t i = 0; i < t->n && used < sizeof buf; i++) {
                const char *p = t->part[i];
                bool bare = *p != '\0';
                for (const char *c = p; *c; c++)
                        bare &= bare_char (*c);
                used += (size_t) snprintf (buf + used, sizeof buf - used, bare ? "%s%s" : "%s\"%s\"", i ? "." : "", p);
        }
        if (used < sizeof buf - 1)
                snprintf (buf + used, sizeof buf - used, "]");
        return buf;
}

/* ---- values: scanned across lines, so no header is seen inside one ---------- */

enum scan_mode { SCAN_CODE, SCAN_BASIC, SCAN_LITERAL, SCAN_ML_BASIC, SCAN_ML_LITERAL };

struct scan {
        enum scan_mode mode;
        int depth; /* [ and { */
};

/* Scan one line from s[p]; returns where the value ends on this line
 * (a comment at depth 0 or the end), or -1 for an unclosed one-line string. */
static long
scan_line (struct scan *sc, const char *s, size_t p)
{
        for (; s[p]; p++) {
                const char *c = s + p;
                switch (sc->mode) {
                case SCAN_CODE:
                        if (*c == '#' && sc->depth == 0)
                                return (long) p;
                        if (*c == '#')
                                return (long) strlen (s);
                        if (strncmp (c, "\"\"\"", 3) == 0 || strncmp (c, "'''", 3) == 0) {
                                sc->mode = *c == '"' ? SCAN_ML_BASIC : SCAN_ML_LITERAL;
                                p += 2;
                        } else if (*c == '"' || *c == '\'')
                                sc->mode = *c == '"' ? SCAN_BASIC : SCAN_LITERAL;
                        else if (*c == '[' || *c == '{')
                                sc->depth++;
                        else if (*c == ']' || *c == '}')
                                sc->depth--;
                        break;
                case SCAN_BASIC:
                case SCAN_ML_BASIC:
                        if (*c == '\\' && c[1])
                                p++;
                        else if (sc->mode == SCAN_BASIC && *c == '"')
                                sc->mode = SCAN_CODE;
                        else if (strncmp (c, "\"\"\"", 3) == 0)
                                sc->mode = SCAN_CODE, p += 2;
                        break;
                case SCAN_LITERAL:
                        if (*c == '\'')
                                sc->mode = SCAN_CODE;
                        break;
                case SCAN_ML_LITERAL:
                        if (strncmp (c, "'''", 3) == 0)
                                sc->mode = SCAN_CODE, p += 2;
                        break;
                }
        }
        return sc->mode == SCAN_BASIC || sc->mode == SCAN_LITERAL ? -1 : (long) p;
}

static bool
scan_open (const struct scan *sc)
{
        return sc->depth > 0 || sc->mode != SCAN_CODE;
}

/* ---- lines ------------------------------------------------------------------ */

static int
parse_header (struct toml_doc *doc, size_t i, size_t p, struct hd_err *err)
{
        struct toml_line *l = &doc->lines[i];
        const char *s = l->text;

        l->kind = LINE_HEADER;
        l->array_table = s[p + 1] == '[';
        p += l->array_table ? 2 : 1;
        if (!parse_key (s, &p, ']', &l->key) || (l->array_table && s[p + 1] != ']'))
                return refuse (doc, i, err, "cannot read this table header");
        p = skip_ws (s, p + (l->array_table ? 2 : 1));
        if (s[p] && s[p] != '#')
                return refuse (doc, i, err, "unexpected text after the table header");
        return 0;
}

/* A key line and the lines its value continues on; *next is the line after. */
static int
parse_keyval (struct toml_doc *doc, size_t i, size_t p, size_t *next, struct hd_err *err)
{
        struct toml_line *l = &doc->lines[i];
        struct scan sc = { SCAN_CODE, 0 };
        long end;

        l->kind = LINE_KEYVAL;
        if (!parse_key (l->text, &p, '=', &l->key))
                return refuse (doc, i, err, "cannot read this line (expected a [table] header or key = value)");
        l->vstart = skip_ws (l->text, p + 1);
        if ((end = scan_line (&sc, l->text, l->vstart)) < 0)
                return refuse (doc, i, err, "a string is not closed on its line");
        l->vend = (size_t) end;
        while (l->vend > l->vstart && (l->text[l->vend - 1] == ' ' || l->text[l->vend - 1] == '\t'))
                l->vend--;
        if (l->vend == l->vstart)
                return refuse (doc, i, err, "a key without a value");
        for (*next = i + 1; scan_open (&sc); (*next)++) {
                l->multiline = true;
                if (*next == doc->n)
                        return refuse (doc, i, err, "this value is not closed before the end of the file");
                doc->lines[*next].kind = LINE_CONT;
                if (scan_line (&sc, doc->lines[*next].text, 0) < 0)
                        return refuse (doc, *next, err, "a string is not closed on its line");
        }
        return 0;
}

static void
reindex (struct toml_doc *doc)
{
        size_t table = NO_TABLE;

        for (size_t i = 0; i < doc->n; i++) {
                if (doc->lines[i].kind == LINE_HEADER)
                        table = i;
                doc->lines[i].table = doc->lines[i].kind == LINE_HEADER ? NO_TABLE : table;
        }
}

static int
classify (struct toml_doc *doc, struct hd_err *err)
{
        for (size_t i = 0; i < doc->n;) {
                struct toml_line *l = &doc->lines[i];
                size_t p = skip_ws (l->text, 0), next = i + 1;
                int rc = 0;
                path_free (&l->key);
                l->multiline = l->array_table = false;
                if (l->text[p] == '\0')
                        l->kind = LINE_BLANK;
                else if (l->text[p] == '#')
                        l->kind = LINE_COMMENT;
                else if (l->text[p] == '[')
                        rc = parse_header (doc, i, p, err);
                else
                        rc = parse_keyval (doc, i, p, &next, err);
                if (rc < 0)
                        return -1;
                i = next;
        }
        reindex (doc);
        return 0;
}

static int
insert_line (struct toml_doc *doc, size_t at, char *text, struct hd_err *err)
{
        if (!text)
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        if (doc->n == doc->cap) {
                size_t ncap = doc->cap ? doc->cap * 2 : 64;
                struct toml_line *nl = realloc (doc->lines, ncap * sizeof *nl);
                if (!nl) {
                        free (text);
                        return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
                }
                doc->lines = nl;
                doc->cap = ncap;
        }
        memmove (doc->lines + at + 1, doc->lines + at, (doc->n - at) * sizeof *doc->lines);
        doc->lines[at] = (struct toml_line) { .text = text, .table = NO_TABLE };
        doc->n++;
        return 0;
}

static void
delete_line (struct toml_doc *doc, size_t at)
{
        free (doc->lines[at].text);
        path_free (&doc->lines[at].key);
        memmove (doc->lines + at, doc->lines + at + 1, (doc->n - at - 1) * sizeof *doc->lines);
        doc->n--;
}

int
toml_doc_parse (const char *file, const char *text, size_t len, struct toml_doc **out, struct hd_err *err)
{
        struct toml_doc *doc = calloc (1, sizeof *doc);
        size_t start = 0;

        if (!doc)
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        doc->file = file;
        doc->final_newline = len == 0 || text[len - 1] == '\n';
        for (size_t i = 0; i <= len; i++) {
                if (i < len && text[i] == '\0') {
                        toml_doc_free (doc);
                        return hd_err_set (err, HD_EXIT_REFUSED, EINVAL, "%s: holds a NUL byte", file);
                }
                if (i < len && text[i] != '\n')
                        continue;
                if (i == len && start == len)
                        break;
                if (insert_line (doc, doc->n, strndup (text + start, i - start), err) < 0) {
                        toml_doc_free (doc);
                        return -1;
                }
                start = i + 1;
        }
        if (classify (doc, err) < 0) {
                toml_doc_free (doc);
                return -1;
        }
        *out = doc;
        return 0;
}

void
toml_doc_free (struct toml_doc *doc)
{
        if (!doc)
                return;
        for (size_t i = 0; i < doc->n; i++) {
                free (doc->lines[i].text);
                path_free (&doc->lines[i].key);
        }
        free (doc->lines);
        free (doc);
}

int
toml_doc_text (const struct toml_doc *doc, char **out, size_t *len, struct hd_err *err)
{
        size_t size = 1, used = 0;
        char *buf;

        for (size_t i = 0; i < doc->n; i++)
                size += strlen (doc->lines[i].text) + 1;
        if (!(buf = malloc (size)))
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        for (size_t i = 0; i < doc->n; i++) {
                size_t l = strlen (doc->lines[i].text);
                memcpy (buf + used, doc->lines[i].text, l);
                used += l;
                if (i + 1 < doc->n || doc->final_newline)
                        buf[used++] = '\n';
        }
        buf[used] = '\0';
        *out = buf;
        *len = used;
        return 0;
}

/* ---- tables ----------------------------------------------------------------- */

static const struct toml_path root_path = { 0 };

/* The table a line is in. */
static const struct toml_path *
table_of (const struct toml_doc *doc, size_t i)
{
        size_t t = doc->lines[i].table;
        return t == NO_TABLE ? &root_path : &doc->lines[t].key;
}

static size_t
find_header (const struct toml_doc *doc, const struct toml_path *t)
{
        for (size_t i = 0; i < doc->n; i++)
                if (doc->lines[i].kind == LINE_HEADER && path_eq (&doc->lines[i].key, t))
                        return i;
        return NO_TABLE;
}

bool
toml_has_table (const struct toml_doc *doc, const struct toml_path *t)
{
        return find_header (doc, t) != NO_TABLE;
}

/* A key line, dotted or not, that defines `t` or a table around it as a
 * value, or defines tables inside it from outside its header. */
static bool
key_defines (const struct toml_doc *doc, size_t i, const struct toml_path *t)
{
        const struct toml_path *tab = table_of (doc, i), *k = &doc->lines[i].key;
        const char *full[2 * TOML_MAX_PATH];
        size_t n = 0;

        for (size_t j = 0; j < tab->n; j++)
                full[n++] = tab->part[j];
        for (size_t j = 0; j < k->n; j++)
                full[n++] = k->part[j];
        if (prefix (full, n, t->part, t->n)) /* the key is t or holds it */
                return true;
        /* a dotted key reaching into t (or into a table t is inside) */
        return k->n > 1 && (prefix (full, n - 1, t->part, t->n) || prefix (t->part, t->n, full, n - 1));
}

int
toml_check_table (const struct toml_doc *doc, const struct toml_path *t, struct hd_err *err)
{
        char what[1400];
        size_t seen = NO_TABLE;

        if (t->n == 0) /* the root table: no key can define it */
                return 0;
        for (size_t i = 0; i < doc->n; i++) {
                const struct toml_line *l = &doc->lines[i];
                bool related = l->kind == LINE_HEADER
                               && (prefix (l->key.part, l->key.n, t->part, t->n)
                                   || prefix (t->part, t->n, l->key.part, l->key.n));
                if (related && l->array_table) {
                        snprintf (what, sizeof what, "an array of tables where hardened must edit %s: refused",
                                  toml_path_name (t));
                        return refuse (doc, i, err, what);
                }
                if (l->kind == LINE_HEADER && path_eq (&l->key, t) && seen != NO_TABLE) {
                        snprintf (what, sizeof what, "the table %s is given twice (first on line %zu)",
                                  toml_path_name (t), seen + 1);
                        return refuse (doc, i, err, what);
                }
                if (l->kind == LINE_HEADER && path_eq (&l->key, t))
                        seen = i;
                if (l->kind == LINE_KEYVAL && key_defines (doc, i, t)) {
                        snprintf (what, sizeof what,
                                  "a dotted key or an inline table here defines %s or a table around it; hardened "
                                  "edits only [table] headers with key = value lines: write them as tables, or edit "
                                  "the file by hand",
                                  toml_path_name (t));
                        return refuse (doc, i, err, what);
                }
        }
        return 0;
}

/* The line of `key` in table t (header at h), or NO_TABLE; refused when
 * given twice. */
static int
find_key (const struct toml_doc *doc, const struct toml_path *t, const char *key, size_t *at, struct hd_err *err)
{
        size_t h = find_header (doc, t);

        *at = NO_TABLE;
        if (h == NO_TABLE && t->n > 0)
                return 0;
        for (size_t i = h == NO_TABLE ? 0 : h + 1; i < doc->n && doc->lines[i].kind != LINE_HEADER; i++) {
                const struct toml_line *l = &doc->lines[i];
                if (l->kind != LINE_KEYVAL || l->key.n != 1 || strcmp (l->key.part[0], key) != 0)
                        continue;
                if (*at != NO_TABLE)
                        return refuse (doc, i, err, "this key is given twice in its table");
                *at = i;
        }
        if (*at != NO_TABLE && doc->lines[*at].multiline)
                return refuse (doc, *at, err, "a value over several lines where hardened must edit it: refused");
        return 0;
}

int
toml_get (const struct toml_doc *doc, const struct toml_path *t, const char *key, char **value, struct hd_err *err)
{
        size_t at;

        *value = NULL;
        if (toml_check_table (doc, t, err) < 0 || find_key (doc, t, key, &at, err) < 0)
                return -1;
        if (at == NO_TABLE)
                return 0;
        *value = strndup (doc->lines[at].text + doc->lines[at].vstart, doc->lines[at].vend - doc->lines[at].vstart);
        return *value ? 0 : hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
}

/* The indentation of line i (malloc'd). */
static char *
indent_of (const struct toml_doc *doc, size_t i)
{
        return strndup (doc->lines[i].text, skip_ws (doc->lines[i].text, 0));
}

/* After the last non-blank line of the section that starts at header h
 * (or of the root table). */
static size_t
section_end (const struct toml_doc *doc, size_t h)
{
        size_t end = h == NO_TABLE ? 0 : h + 1, last = end;

        for (; end < doc->n && doc->lines[end].kind != LINE_HEADER; end++)
                if (doc->lines[end].kind != LINE_BLANK)
                        last = end + 1;
        return last;
}

/* Where a new table t goes: after the section of the last header sharing
 * the longest prefix with t (after everything when none does). */
static size_t
anchor_for (const struct toml_doc *doc, const struct toml_path *t, size_t *shared)
{
        size_t best = NO_TABLE;

        *shared = 0;
        for (size_t i = 0; i < doc->n; i++) {
                const struct toml_line *l = &doc->lines[i];
                size_t k = 0;
                if (l->kind != LINE_HEADER)
                        continue;
                while (k < l->key.n && k < t->n && strcmp (l->key.part[k], t->part[k]) == 0)
                        k++;
                if (k > 0 && k >= *shared)
                        best = i, *shared = k;
        }
        return best;
}

/* Two spaces per level below the closest relative, as containerd's
 * `config default` indents (none when there is no relative). */
static char *
table_indent (const struct toml_doc *doc, size_t anchor, const struct toml_path *t)
{
        long base, want;

        if (anchor == NO_TABLE)
                return strdup ("");
        base = (long) skip_ws (doc->lines[anchor].text, 0);
        want = base + 2 * ((long) t->n - (long) doc->lines[anchor].key.n);
        want = want < 0 ? 0 : want > base + 2 ? base + 2 : want;
        return strndup ("                                                                ", (size_t) want);
}

static int
add_table (struct toml_doc *doc, const struct toml_path *t, size_t *header, struct hd_err *err)
{
        size_t shared, anchor = anchor_for (doc, t, &shared), at;
        _cleanup_free_ char *indent = table_indent (doc, anchor, t);
        char *line;

        at = anchor == NO_TABLE ? doc->n : section_end (doc, anchor);
        /* the anchor's sub-tables stay together */
        while (anchor != NO_TABLE && at < doc->n && doc->lines[at].kind == LINE_BLANK)
                at++;
        while (at > 0 && doc->lines[at - 1].kind == LINE_BLANK && at == doc->n)
                at--;
        if (!indent || asprintf (&line, "%s%s", indent, toml_path_name (t)) < 0)
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        if (at > 0 && doc->lines[at - 1].kind != LINE_BLANK && insert_line (doc, at++, strdup (""), err) < 0)
                return -1;
        if (insert_line (doc, at, line, err) < 0)
                return -1;
        doc->lines[at].kind = LINE_HEADER;
        doc->lines[at].key.n = t->n;
        for (size_t i = 0; i < t->n; i++)
                if (!(doc->lines[at].key.part[i] = strdup (t->part[i])))
                        return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        if (at + 1 < doc->n && doc->lines[at + 1].kind == LINE_HEADER
            && insert_line (doc, at + 1, strdup (""), err) < 0)
                return -1;
        reindex (doc);
        *header = at;
        return 0;
}

/* Replace the value of the key on line `at`, keeping the rest of the line. */
static int
replace_value (struct toml_doc *doc, size_t at, const char *value, struct hd_err *err)
{
        struct toml_line *l = &doc->lines[at];
        char *text;

        if (asprintf (&text, "%.*s%s%s", (int) l->vstart, l->text, value, l->text + l->vend) < 0)
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        free (l->text);
        l->text = text;
        l->vend = l->vstart + strlen (value);
        return 0;
}

static int
add_key (struct toml_doc *doc, size_t h, const char *key, const char *value, struct hd_err *err)
{
        size_t at = section_end (doc, h), first = NO_TABLE;
        _cleanup_free_ char *indent = NULL, *name = NULL;
        char *line;
        bool bare = *key != '\0';

        for (size_t i = h == NO_TABLE ? 0 : h + 1; i < doc->n && doc->lines[i].kind != LINE_HEADER; i++)
                if (doc->lines[i].kind == LINE_KEYVAL && first == NO_TABLE)
                        first = i;
        for (const char *c = key; *c; c++)
                bare &= bare_char (*c);
        if (first != NO_TABLE)
                indent = indent_of (doc, first);
        else if (h != NO_TABLE
                 && asprintf (&indent, "%.*s  ", (int) skip_ws (doc->lines[h].text, 0), doc->lines[h].text) < 0)
                indent = NULL;
        else if (h == NO_TABLE)
                indent = strdup ("");
        name = bare ? strdup (key) : toml_quote (key);
        if (!indent || !name || asprintf (&line, "%s%s = %s", indent, name, value) < 0)
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        if (insert_line (doc, at, line, err) < 0)
                return -1;
        if (classify (doc, err) < 0)
                return -1;
        return 0;
}

int
toml_set (struct toml_doc *doc, const struct toml_path *t, const char *key, const char *value, FILE *log,
          struct hd_err *err)
{
        size_t at, h;
        _cleanup_free_ char *old = NULL;

        if (toml_check_table (doc, t, err) < 0 || find_key (doc, t, key, &at, err) < 0)
                return -1;
        if (at != NO_TABLE) {
                const struct toml_line *l = &doc->lines[at];
                if (!(old = strndup (l->text + l->vstart, l->vend - l->vstart)))
                        return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
                if (strcmp (old, value) == 0)
                        return 0;
                if (replace_value (doc, at, value, err) < 0)
                        return -1;
                fprintf (log, "  ~ %s %s = %s (was %s)\n", toml_path_name (t), key, value, old);
                return 0;
        }
        h = find_header (doc, t);
        if (h == NO_TABLE && t->n > 0 && add_table (doc, t, &h, err) < 0)
                return -1;
        if (add_key (doc, h, key, value, err) < 0)
                return -1;
        fprintf (log, "  + %s %s = %s\n", toml_path_name (t), key, value);
        return 0;
}

int
toml_del (struct toml_doc *doc, const struct toml_path *t, const char *key, FILE *log, struct hd_err *err)
{
        size_t at;

        if (toml_check_table (doc, t, err) < 0 || find_key (doc, t, key, &at, err) < 0)
                return -1;
        if (at == NO_TABLE)
                return 0;
        fprintf (log, "  - %s %s = %.*s\n", toml_path_name (t), key,
                 (int) (doc->lines[at].vend - doc->lines[at].vstart), doc->lines[at].text + doc->lines[at].vstart);
        delete_line (doc, at);
        reindex (doc);
        return 0;
}

int
toml_del_table (struct toml_doc *doc, const struct toml_path *t, FILE *log, struct hd_err *err)
{
        size_t h;

        if (toml_check_table (doc, t, err) < 0)
                return -1;
        if ((h = find_header (doc, t)) == NO_TABLE)
                return 0;
        fprintf (log, "  - %s\n", toml_path_name (t));
        delete_line (doc, h);
        /* its key lines; comments and blank lines stay (a comment may be the next table's) */
        while (h < doc->n && (doc->lines[h].kind == LINE_KEYVAL || doc->lines[h].kind == LINE_CONT))
                delete_line (doc, h);
        /* the blank line that set it apart (toml_set added one) */
        if (h > 0 && doc->lines[h - 1].kind == LINE_BLANK && (h == doc->n || doc->lines[h].kind == LINE_BLANK))
                delete_line (doc, h < doc->n ? h : h - 1);
        reindex (doc);
        return 0;
}

/* ---- values ------------------------------------------------------------------ */

char *
toml_quote (const char *s)
{
        size_t n = strlen (s), o = 0;
        char *out = malloc (n * 6 + 3);

        if (!out)
                return NULL;
        out[o++] = '"';
        for (; *s; s++) {
                unsigned char c = (unsigned char) *s;
                if (c == '"' || c == '\\')
                        out[o++] = '\\', out[o++] = (char) c;
                else if (c < 0x20 || c == 0x7f)
                        o += (size_t) snprintf (out + o, 7, "\\u%04x", c);
                else
                        out[o++] = (char) c;
        }
        out[o++] = '"';
        out[o] = '\0';
        return out;
}

/* A basic or literal string at v[*p] (no escapes but \" and \\). */
static char *
string_at (const char *v, size_t *p)
{
        if (v[*p] != '"' && v[*p] != '\'')
                return NULL;
        if (strncmp (v + *p, "\"\"\"", 3) == 0 || strncmp (v + *p, "'''", 3) == 0)
                return NULL;
        return key_part (v, p);
}

char *
toml_string_value (const char *value)
{
        size_t p = 0;
        char *s = string_at (value, &p);

        if (s && value[skip_ws (value, p)] != '\0') {
                free (s);
                return NULL;
        }
        return s;
}

bool
toml_string_array (const char *value, char ***items, size_t *n)
{
        size_t p = 0;
        char **out = NULL;

        *n = 0;
        if (value[p++] != '[')
                return false;
        for (p = skip_ws (value, p); value[p] != ']'; p = skip_ws (value, p)) {
                char *s = string_at (value, &p), **grown = s ? realloc (out, (*n + 1) * sizeof *out) : NULL;
                if (!grown) {
                        free (s);
                        break;
                }
                out = grown;
                out[(*n)++] = s;
                p = skip_ws (value, p);
                if (value[p] == ',')
                        p++;
                else if (value[p] != ']')
                        break;
        }
        if (value[p] != ']' || value[skip_ws (value, p + 1)] != '\0') {
                for (size_t i = 0; i < *n; i++)
                        free (out[i]);
                free (out);
                *n = 0;
                return false;
        }
        *items = out;
        return true;
}

size_t
toml_table_nkeys (const struct toml_doc *doc, const struct toml_path *t)
{
        size_t h = find_header (doc, t), n = 0;

        for (size_t i = h == NO_TABLE ? 0 : h + 1; h != NO_TABLE && i < doc->n && doc->lines[i].kind != LINE_HEADER;
             i++)
                n += doc->lines[i].kind == LINE_KEYVAL;
        return n;
}
