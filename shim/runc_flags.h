/* runc 1.1.5's flags, as tables (shim/runc_flags.c): the global flags and
 * each guarded verb's, with urfave/cli's --help and the shim's own
 * --policy/--backend.  cli.c parses argv against them; a flag missing here
 * is refused as runc refuses it ("flag provided but not defined"), so a
 * table is exactly runc's, no more and no less. */
#ifndef HARDENED_RUNC_FLAGS_H
#define HARDENED_RUNC_FLAGS_H

#include <stdbool.h>

/* Which field of struct cli (cli.h) a flag's value fills.  SLOT_NONE: runc's
 * business only (the shim reads the flag only to skip its value). */
enum runc_flag_slot {
        SLOT_NONE,
        SLOT_POLICY,  /* the shim's own: removed before exec */
        SLOT_BACKEND, /* the shim's own: removed before exec */
        SLOT_HELP,
        SLOT_VERSION,
        SLOT_LOG,
        SLOT_LOG_FORMAT,
        SLOT_ROOT,
        SLOT_BUNDLE,
        SLOT_PROCESS,
        SLOT_RESOURCES,
};

/* One flag: its names as runc spells them (exact: no case or prefix
 * games), whether it takes a value, and where the value goes.  A table
 * ends with a row whose names[0] is NULL. */
struct runc_flag {
        const char *names[3]; /* long name, then short aliases */
        bool takes_value;     /* false: Go bool flag */
        enum runc_flag_slot slot;
};

/* runc 1.1 main.go, plus urfave/cli's --help/--version, plus the shim's own. */
extern const struct runc_flag runc_global_flags[];

/* Each guarded verb's flags (runc 1.1 create.go, run.go, restore.go,
 * exec.go, update.go); shim/verbs.c names them in its rows. */
extern const struct runc_flag runc_create_flags[];
extern const struct runc_flag runc_run_flags[];
extern const struct runc_flag runc_restore_flags[];
extern const struct runc_flag runc_exec_flags[];
extern const struct runc_flag runc_update_flags[];

#endif
