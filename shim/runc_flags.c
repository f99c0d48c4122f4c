#include "config.h"

#include <stddef.h>

#include "runc_flags.h"

/* clang-format 14 takes a macro whose body is an initializer for a function. */
/* clang-format off */
#define F_END { { NULL }, false, SLOT_NONE }
/* VERB --help: urfave/cli prints the verb's help and runs nothing else
 * (checkCommandHelp), so the shim does not guard that call either. */
#define F_HELP { { "help", "h" }, false, SLOT_HELP }
/* clang-format on */

/* runc 1.1 main.go, plus urfave/cli's --help/--version, plus the shim's own. */
const struct runc_flag runc_global_flags[] = {
        { { "policy" }, true, SLOT_POLICY },
        { { "backend" }, true, SLOT_BACKEND },
        { { "debug" }, false, SLOT_NONE },
        { { "log" }, true, SLOT_LOG },
        { { "log-format" }, true, SLOT_LOG_FORMAT },
        { { "root" }, true, SLOT_ROOT },
        { { "criu" }, true, SLOT_NONE },
        { { "systemd-cgroup" }, false, SLOT_NONE },
        { { "rootless" }, true, SLOT_NONE },
        { { "help", "h" }, false, SLOT_HELP },
        { { "version", "v" }, false, SLOT_VERSION },
        F_END,
};

/* runc 1.1 create.go */
const struct runc_flag runc_create_flags[] = {
        { { "bundle", "b" }, true, SLOT_BUNDLE },
        { { "console-socket" }, true, SLOT_NONE },
        { { "pid-file" }, true, SLOT_NONE },
        { { "no-pivot" }, false, SLOT_NONE },
        { { "no-new-keyring" }, false, SLOT_NONE },
        { { "preserve-fds" }, true, SLOT_NONE },
        F_HELP,
        F_END,
};

/* runc 1.1 run.go */
const struct runc_flag runc_run_flags[] = {
        { { "bundle", "b" }, true, SLOT_BUNDLE },
        { { "console-socket" }, true, SLOT_NONE },
        { { "detach", "d" }, false, SLOT_NONE },
        { { "keep" }, false, SLOT_NONE },
        { { "pid-file" }, true, SLOT_NONE },
        { { "no-subreaper" }, false, SLOT_NONE },
        { { "no-pivot" }, false, SLOT_NONE },
        { { "no-new-keyring" }, false, SLOT_NONE },
        { { "preserve-fds" }, true, SLOT_NONE },
        F_HELP,
        F_END,
};

/* runc 1.1 restore.go */
const struct runc_flag runc_restore_flags[] = {
        { { "console-socket" }, true, SLOT_NONE },
        { { "image-path" }, true, SLOT_NONE },
        { { "work-path" }, true, SLOT_NONE },
        { { "tcp-established" }, false, SLOT_NONE },
        { { "ext-unix-sk" }, false, SLOT_NONE },
        { { "shell-job" }, false, SLOT_NONE },
        { { "file-locks" }, false, SLOT_NONE },
        { { "manage-cgroups-mode" }, true, SLOT_NONE },
        { { "bundle", "b" }, true, SLOT_BUNDLE },
        { { "detach", "d" }, false, SLOT_NONE },
        { { "pid-file" }, true, SLOT_NONE },
        { { "no-subreaper" }, false, SLOT_NONE },
        { { "no-pivot" }, false, SLOT_NONE },
        { { "empty-ns" }, true, SLOT_NONE },
        { { "auto-dedup" }, false, SLOT_NONE },
        { { "lazy-pages" }, false, SLOT_NONE },
        { { "lsm-profile" }, true, SLOT_NONE },
        { { "lsm-mount-context" }, true, SLOT_NONE },
        F_HELP,
        F_END,
};

/* runc 1.1 exec.go (SkipArgReorder: flags must precede the id) */
const struct runc_flag runc_exec_flags[] = {
        { { "console-socket" }, true, SLOT_NONE },
        { { "cwd" }, true, SLOT_NONE },
        { { "env", "e" }, true, SLOT_NONE },
        { { "tty", "t" }, false, SLOT_NONE },
        { { "user", "u" }, true, SLOT_NONE },
        { { "additional-gids", "g" }, true, SLOT_NONE },
        { { "process", "p" }, true, SLOT_PROCESS },
        { { "detach", "d" }, false, SLOT_NONE },
        { { "pid-file" }, true, SLOT_NONE },
        { { "process-label" }, true, SLOT_NONE },
        { { "apparmor" }, true, SLOT_NONE },
        { { "no-new-privs" }, false, SLOT_NONE },
        { { "cap", "c" }, true, SLOT_NONE },
        { { "preserve-fds" }, true, SLOT_NONE },
        { { "cgroup" }, true, SLOT_NONE },
        { { "ignore-paused" }, false, SLOT_NONE },
        F_HELP,
        F_END,
};

/* runc 1.1 update.go */
const struct runc_flag runc_update_flags[] = {
        { { "resources", "r" }, true, SLOT_RESOURCES },
        { { "blkio-weight" }, true, SLOT_NONE },
        { { "cpu-period" }, true, SLOT_NONE },
        { { "cpu-quota" }, true, SLOT_NONE },
        { { "cpu-share" }, true, SLOT_NONE },
        { { "cpu-rt-period" }, true, SLOT_NONE },
        { { "cpu-rt-runtime" }, true, SLOT_NONE },
        { { "cpuset-cpus" }, true, SLOT_NONE },
        { { "cpuset-mems" }, true, SLOT_NONE },
        { { "kernel-memory" }, true, SLOT_NONE },
        { { "kernel-memory-tcp" }, true, SLOT_NONE },
        { { "memory" }, true, SLOT_NONE },
        { { "memory-reservation" }, true, SLOT_NONE },
        { { "memory-swap" }, true, SLOT_NONE },
        { { "pids-limit" }, true, SLOT_NONE },
        { { "l3-cache-schema" }, true, SLOT_NONE },
        { { "mem-bw-schema" }, true, SLOT_NONE },
        F_HELP,
        F_END,
};
