/* The one error contract (STYLE.md 1).
 *
 * A function that can fail takes `struct hd_err *err` last and returns < 0
 * after filling it.  Callers add context on the way up with hd_err_prefix();
 * only main() prints.  `code` is errno-like; `exit` is the process exit
 * status main() should use for this failure class (see HD_EXIT_*). */
#ifndef HARDENED_ERR_H
#define HARDENED_ERR_H

#include <stddef.h>

#define HD_ERR_MSG_MAX 4096

/* Exit statuses of the shim itself (documented in README.md and --help). */
enum hd_exit {
        HD_EXIT_REFUSED = 1,      /* input or policy refused the call */
        HD_EXIT_USAGE = 2,        /* the shim's own command line is wrong */
        HD_EXIT_INTERNAL = 125,   /* I/O or resource failure inside the shim */
        HD_EXIT_NOEXEC = 126,     /* backend exists but cannot be executed */
        HD_EXIT_NOTFOUND = 127,   /* backend does not exist */
};

struct hd_err {
        int code;                 /* errno value, or 0 */
        int exit;                 /* enum hd_exit, 0 until set */
        char msg[HD_ERR_MSG_MAX];
};

/* Fill err with exit status `exit`, errno `code` and a formatted message.
 * Always returns -1 so callers can `return hd_err_set (...)`. */
int hd_err_set (struct hd_err *err, int exit, int code, const char *fmt, ...)
        __attribute__ ((format (printf, 4, 5)));

/* Prepend formatted context ("bundle /x: ") to an already-set message. */
int hd_err_prefix (struct hd_err *err, const char *fmt, ...)
        __attribute__ ((format (printf, 2, 3)));

#endif
