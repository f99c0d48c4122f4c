/* Where the shim's own errors go (DESIGN.md 2).
 *
 * containerd shows the user only the last "level":"error" line of the
 * runtime's --log file, and a create's stdout/stderr belong to the
 * container.  So every refusal and every internal failure is appended to
 * --log in runc's format (logrus JSON or text, per --log-format) and also
 * written to stderr.  Nothing is ever printed on stdout. */
#ifndef HARDENED_SINK_H
#define HARDENED_SINK_H

#include <stddef.h>

/* Format one log line the way runc's logrus does.  json: {"level":"error",
 * "msg":...,"time":...}; text: time="..." level=error msg="...".  The line
 * ends in '\n'.  Returns the length, or -1 if it does not fit. */
int sink_format (char *buf, size_t size, int json, const char *level, const char *msg,
                 long long epoch_seconds);

/* Append a line at `level` ("error", "warning", "info") to `log_path` (if
 * not NULL).  Errors also go to stderr; other levels only when there is no
 * log.  Best effort: a log that cannot be opened is reported on stderr. */
void sink_log (const char *log_path, const char *log_format, const char *level, const char *msg);

static inline void
sink_error (const char *log_path, const char *log_format, const char *msg)
{
        sink_log (log_path, log_format, "error", msg);
}

#endif
