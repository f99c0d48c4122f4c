/* A conservative, line-oriented TOML editor for the engine configuration
 * files `hardened install` changes (containerd's config.toml, Podman's
 * containers.conf): tables are `[header]` lines, keys are `key = value`
 * lines, and every line it does not change is kept byte for byte
 * (comments, blank lines, layout, unrelated tables).
 *
 * Threat: an editor that guesses at a layout it does not understand could
 * leave the engine reading a different value than the one reported, or
 * write a file the engine refuses at its next restart (a node without a
 * runtime).  So a layout it cannot edit safely is refused, naming the file
 * and line: a dotted key or an inline table that defines one of the tables
 * it must change, an array of tables there, a duplicated header or key, a
 * multi-line value for a key it must change.  Everything else in the file
 * (multi-line strings and arrays elsewhere included) is only scanned, so
 * that no header is seen inside a value. */
#ifndef HARDENED_TOMLEDIT_H
#define HARDENED_TOMLEDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "hardened/err.h"

#define TOML_MAX_PATH 16 /* parts in a table path or a dotted key */

struct toml_doc;

/* A table path: parts, unquoted. */
struct toml_path {
        size_t n;
        const char *part[TOML_MAX_PATH];
};

/* Parse `text` (len bytes) from `file` (named in every message). */
int toml_doc_parse (const char *file, const char *text, size_t len, struct toml_doc **out, struct hd_err *err);
void toml_doc_free (struct toml_doc *doc);

/* Refuse (file:line) any layout this editor does not understand around
 * the table `t`: see the header comment. */
int toml_check_table (const struct toml_doc *doc, const struct toml_path *t, struct hd_err *err);

/* The single-line value text of `key` in table `t` (malloc'd), or NULL
 * when absent; refused when the value spans lines or the key is given
 * twice, or toml_check_table refuses `t`. */
int toml_get (const struct toml_doc *doc, const struct toml_path *t, const char *key, char **value, struct hd_err *err);
bool toml_has_table (const struct toml_doc *doc, const struct toml_path *t);
/* How many key lines the table's own section holds (0 when it is absent). */
size_t toml_table_nkeys (const struct toml_doc *doc, const struct toml_path *t);

/* Set `key` in table `t` to the TOML value text `value` (the table is
 * added after its closest relative when absent).  When
 * the file changes, a line saying what changed is written to `log`. */
int toml_set (struct toml_doc *doc, const struct toml_path *t, const char *key, const char *value, FILE *log,
              struct hd_err *err);
/* Remove `key` from table `t` (no-op when absent). */
int toml_del (struct toml_doc *doc, const struct toml_path *t, const char *key, FILE *log, struct hd_err *err);
/* Remove table `t`: its header and its own key lines (no-op when absent). */
int toml_del_table (struct toml_doc *doc, const struct toml_path *t, FILE *log, struct hd_err *err);

/* The document as text (malloc'd). */
int toml_doc_text (const struct toml_doc *doc, char **out, size_t *len, struct hd_err *err);

/* Values: a basic string for `s` (malloc'd, escaped); the string a
 * single-line basic or literal string value holds (malloc'd, NULL when it
 * is not one); the strings of a single-line array of such strings (false
 * when it is not one; items malloc'd). */
char *toml_quote (const char *s);
char *toml_string_value (const char *value);
bool toml_string_array (const char *value, char ***items, size_t *n);

/* "[a."b.c"]" for messages (static buffer). */
const char *toml_path_name (const struct toml_path *t);

#endif
