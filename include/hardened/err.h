/* The one error contract (STYLE.md 1).
 *
 * A function that can fail takes `struct hd_err *err` last and returns < 0
 * after filling it.  `code` is errno-like; `exit` is the process exit
 * status main() should use for this failure class (see HD_EXIT_*).
 *
 * Who writes which part of a message:
 *   - The function that saw the failure names the operation and the object
 *     ("open /x", "fork", "architecture %s") and passes the errno value as
 *     `code`.  When the failure is a system error it calls hd_err_sys(),
 *     which appends ": <strerror (code)>"; no call site writes strerror()
 *     or "%m" itself.  hd_err_set() is for failures that are not an errno
 *     (a refused value, a malformed document): its text is the whole message.
 *   - Callers add context on the way up with hd_err_prefix() ("bundle /x: ");
 *     they never rewrite or append to the message below them.
 *   - Only main() prints err->msg and exits with err->exit.
 *
 * Findings of the rules carry a short reason in a caller's buffer ("why"),
 * not a struct hd_err; hd_why_sys() is the same formatter for those.
 *
 * Every message is truncated, never overflowed, at its buffer's size
 * (HD_ERR_MSG_MAX for err->msg); the errno text is the part lost first. */
#ifndef HARDENED_ERR_H
#define HARDENED_ERR_H

#include <stddef.h>

#define HD_ERR_MSG_MAX 4096

/* Exit statuses of the shim itself (documented in README.md and --help). */
enum hd_exit {
        HD_EXIT_REFUSED = 1,    /* input or policy refused the call */
        HD_EXIT_USAGE = 2,      /* the shim's own command line is wrong */
        HD_EXIT_INTERNAL = 125, /* I/O or resource failure inside the shim */
        HD_EXIT_NOEXEC = 126,   /* backend exists but cannot be executed */
        HD_EXIT_NOTFOUND = 127, /* backend does not exist */
};

struct hd_err {
        int code; /* errno value, or 0 */
        int exit; /* enum hd_exit, 0 until set */
        char msg[HD_ERR_MSG_MAX];
};

/* Fill err with exit status `exit`, errno `code` and a formatted message
 * that is the whole text (no errno text is added).
 * Always returns -1 so callers can `return hd_err_set (...)`. */
int hd_err_set (struct hd_err *err, int exit, int code, const char *fmt, ...) __attribute__ ((format (printf, 4, 5)));

/* A system error: as hd_err_set(), and the message is "<fmt>: <strerror
 * (code)>".  `fmt` names the operation and the object; pass the errno value
 * itself as `code` (strerror (0) is appended as is: the caller passes a
 * real error).  Returns -1. */
int hd_err_sys (struct hd_err *err, int exit, int code, const char *fmt, ...) __attribute__ ((format (printf, 4, 5)));

/* A system error whose object and operation the caller prefixes: the
 * message is strerror (code) alone.  Returns -1. */
int hd_err_errno (struct hd_err *err, int exit, int code);

/* Prepend formatted context ("bundle /x: ") to an already-set message.
 * Returns -1. */
int hd_err_prefix (struct hd_err *err, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

/* The same shape for a rule's reason buffer: why[size] = "<fmt>: <strerror
 * (code)>", or strerror (code) alone for hd_why_errno().  Returns -1 so a
 * judging helper can `return hd_why_sys (...)`. */
int hd_why_sys (char *why, size_t size, int code, const char *fmt, ...) __attribute__ ((format (printf, 4, 5)));
int hd_why_errno (char *why, size_t size, int code);

#endif
