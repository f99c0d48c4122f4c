/* Where the shim's own errors go (DESIGN.md 2).
 *
 * containerd shows the user only the last "level":"error" line of the
 * runtime's --log file, and a create's stdout/stderr belong to the
 * container.  So every refusal and every internal failure is appended to
 * --log in runc's format (logrus JSON or text, per --log-format), and only
 * that one error line also reaches stderr, bounded in length: stderr of run
 * and exec is the container's, and Podman's conmon passes on only a bounded
 * message.  Findings, notes and warnings go to --log and the decision
 * sinks (record_sinks.h), never to stderr.  Nothing is ever printed on stdout. */
#ifndef HARDENED_RUNCLOG_H
#define HARDENED_RUNCLOG_H

#include <stddef.h>

/* Format one log line the way runc's logrus does.  json: {"level":"error",
 * "msg":...,"time":...}; text: time="..." level=error msg="...".  The line
 * ends in '\n'.  Returns the length, or -1 if it does not fit. */
int runclog_format (char *buf, size_t size, int json, const char *level, const char *msg, long long epoch_seconds);

/* Append a line at `level` ("error", "warning", "info") to `log_path` (if
 * not NULL).  Best effort: a log that cannot be opened is reported on stderr. */
void runclog_log (const char *log_path, const char *log_format, const char *level, const char *msg);

/* The longest line the shim writes to stderr, "hardened: " included. */
#define RUNCLOG_STDERR_MAX 1000

/* `msg` cut to fit `size` bytes: whole "; "-separated entries (the first,
 * most important, kept), then a pointer to the full log. */
void runclog_bound (const char *msg, char *buf, size_t size);

/* The call's one error: to --log in full, and to stderr bounded. */
void runclog_error (const char *log_path, const char *log_format, const char *msg);

#endif
