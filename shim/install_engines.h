/* What `hardened install` changes in each engine's configuration, as an
 * administrator would by hand (shim/install_engines.c); the command
 * around it (shim/install_cmd.c) reads, backs up, checks and writes. */
#ifndef HARDENED_INSTALL_ENGINES_H
#define HARDENED_INSTALL_ENGINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "hardened/err.h"

struct install_opts {
        bool uninstall, set_default, as_runc, dry_run;
        const char *name; /* the runtime's name: "hardened" */
        const char *path; /* the hardened binary, as the engine sees it */
        char **args;      /* after "--": Docker's runtimeArgs */
        size_t nargs;
};

/* A file's text in and out.  `file` names it in messages; `backup` is the
 * file as it was before the first install (NULL when there is none), where
 * uninstall finds the values install replaced.  Each change is a line on
 * `log`; *out == NULL means nothing changed. */
struct install_text {
        const char *file;
        const char *text;
        size_t len;
        const char *backup;
        size_t backup_len;
};

struct install_engine {
        const char *name;
        const char *config;   /* the file edited, below --root */
        const char *skeleton; /* a new file's text before the edit */
        const char *reload;   /* how the engine reads the change */
        int (*install) (const struct install_opts *o, const struct install_text *in, char **out, size_t *len, FILE *log,
                        struct hd_err *err);
        int (*uninstall) (const struct install_opts *o, const struct install_text *in, char **out, size_t *len,
                          FILE *log, struct hd_err *err);
        /* do two texts say the same (after an uninstall, against the backup)? */
        bool (*same) (const char *a, size_t alen, const char *b, size_t blen);
        /* optional: check the new file (at `tmp`) with the engine itself */
        int (*validate) (const struct install_opts *o, const char *root, const char *tmp, FILE *log,
                         struct hd_err *err);
};

const struct install_engine *install_engine_named (const char *name);

#endif
