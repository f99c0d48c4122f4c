#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hardened/swar.h"
#include "hardened/util.h"

#include "runclog.h"

/* Append `s` as a JSON string, escaped byte for byte as yajl_gen_string
 * escapes it (no UTF-8 validation, no solidus escape): \" \\ \b \f \n
 * \r \t, other bytes below 0x20 as \u00XX (upper-case hex), the rest as
 * they are.  false when it does not fit in size - *used bytes. */
static bool
json_string_append (char *buf, size_t size, size_t *used, const char *s)
{
        static const char hex[] = "0123456789ABCDEF";
        const unsigned char *end = (const unsigned char *) s + strlen (s);
        size_t at = *used;

        if (at + 1 > size)
                return false;
        buf[at++] = '"';
        for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
                const unsigned char *run = p;
                char esc;
                /* a run of bytes written as they are, copied at once; eight
                 * at a time while none of them needs a look */
                while (end - p >= 8 && hd_plain8 (hd_load8 (p)))
                        p += 8;
                while (*p >= 0x20 && *p != '"' && *p != '\\')
                        p++;
                if (p > run) {
                        if (at + (size_t) (p - run) > size)
                                return false;
                        memcpy (buf + at, run, (size_t) (p - run));
                        at += (size_t) (p - run);
                }
                if (!*p)
                        break;
                esc = *p == '"'    ? '"'
                      : *p == '\\' ? '\\'
                      : *p == '\b' ? 'b'
                      : *p == '\f' ? 'f'
                      : *p == '\n' ? 'n'
                      : *p == '\r' ? 'r'
                      : *p == '\t' ? 't'
                                   : 0;
                if (at + (esc ? 2 : *p < 0x20 ? 6 : 1) > size)
                        return false;
                if (esc) {
                        buf[at++] = '\\';
                        buf[at++] = esc;
                } else if (*p < 0x20) {
                        memcpy (buf + at, "\\u00", 4);
                        buf[at + 4] = hex[*p >> 4];
                        buf[at + 5] = hex[*p & 0xf];
                        at += 6;
                } else {
                        buf[at++] = (char) *p;
                }
        }
        if (at + 1 > size)
                return false;
        buf[at++] = '"';
        *used = at;
        return true;
}

/* {"level":...,"msg":...,"time":...} and a newline: the bytes yajl_gen
 * wrote for it (test-runclog), without a generator per line. */
static int
format_json (char *buf, size_t size, const char *level, const char *msg, const char *when)
{
        static const char *const keys[] = { "level", "msg", "time" };
        const char *values[] = { level, msg, when };
        size_t used = 0;

        for (size_t i = 0; i < HD_ARRAY_SIZE (keys); i++) {
                if (used + 1 > size)
                        return -1;
                buf[used++] = i ? ',' : '{';
                if (!json_string_append (buf, size, &used, keys[i]) || used + 1 > size)
                        return -1;
                buf[used++] = ':';
                if (!json_string_append (buf, size, &used, values[i]))
                        return -1;
        }
        if (used + 3 > size)
                return -1;
        memcpy (buf + used, "}\n", 3);
        return (int) used + 2;
}

/* Go's %q for the text formatter: quotes, backslashes and control bytes escaped. */
static int
format_text (char *buf, size_t size, const char *level, const char *msg, const char *when)
{
        size_t used;
        int n = snprintf (buf, size, "time=\"%s\" level=%s msg=\"", when, level);

        if (n < 0 || (size_t) n >= size)
                return -1;
        used = (size_t) n;
        for (const unsigned char *p = (const unsigned char *) msg; *p; p++) {
                static const char hex[] = "0123456789abcdef";
                const unsigned char *run = p;
                char esc[4];
                size_t k = 0;
                /* a run of bytes that stand for themselves, copied at once */
                while (*p >= 0x20 && *p != 0x7f && *p != '"' && *p != '\\')
                        p++;
                if (p > run) {
                        if (used + (size_t) (p - run) + 3 > size)
                                return -1;
                        memcpy (buf + used, run, (size_t) (p - run));
                        used += (size_t) (p - run);
                }
                if (!*p)
                        break;
                if (*p == '"' || *p == '\\')
                        esc[k++] = '\\', esc[k++] = (char) *p;
                else if (*p == '\n')
                        esc[k++] = '\\', esc[k++] = 'n';
                else if (*p < 0x20 || *p == 0x7f)
                        esc[k++] = '\\', esc[k++] = 'x', esc[k++] = hex[*p >> 4], esc[k++] = hex[*p & 0xf];
                else
                        esc[k++] = (char) *p;
                if (used + k + 3 > size)
                        return -1;
                memcpy (buf + used, esc, k);
                used += k;
        }
        memcpy (buf + used, "\"\n", 3);
        return (int) used + 2;
}

int
runclog_format (char *buf, size_t size, int json, const char *level, const char *msg, long long epoch_seconds)
{
        /* one time per second is formatted: a call logs a line per finding */
        static char when[64];
        static long long when_for;
        static bool have_when;
        time_t t = (time_t) epoch_seconds;
        struct tm tm;

        if (!have_when || when_for != epoch_seconds) {
                if (!gmtime_r (&t, &tm) || !strftime (when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm))
                        snprintf (when, sizeof when, "%lld", epoch_seconds);
                when_for = epoch_seconds;
                have_when = true;
        }
        return json ? format_json (buf, size, level, msg, when) : format_text (buf, size, level, msg, when);
}

static void
write_all (int fd, const char *buf, size_t len)
{
        while (len > 0) {
                ssize_t w = write (fd, buf, len);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w <= 0)
                        return;
                buf += w;
                len -= (size_t) w;
        }
}

/* The log, opened once per process for every line a call logs (a create
 * logs one per finding), close-on-exec so the backend never holds it;
 * another path closes it first.  -1 when it cannot be opened. */
static int
log_fd (const char *log_path)
{
        static int fd = -1;
        static char *path;

        if (fd >= 0 && strcmp (path, log_path) == 0)
                return fd;
        if (fd >= 0)
                close (fd);
        free (path);
        path = NULL;
        fd = open (log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
        if (fd >= 0 && !(path = strdup (log_path))) {
                close (fd);
                fd = -1;
        }
        return fd;
}

void
runclog_log (const char *log_path, const char *log_format, const char *level, const char *msg)
{
        char line[16384];
        int json = log_format && strcmp (log_format, "json") == 0, n, fd;

        if (!log_path || !*log_path)
                return;
        n = runclog_format (line, sizeof line, json, level, msg, (long long) time (NULL));
        if (n < 0)
                n = snprintf (line, sizeof line, "hardened: %s\n", "error message too long");
        /* One write(2) with O_APPEND: concurrent writers never interleave a line. */
        fd = log_fd (log_path);
        if (fd >= 0)
                write_all (fd, line, (size_t) n);
        else
                dprintf (STDERR_FILENO, "hardened: cannot open log %s: %s\n", log_path, strerror (errno));
}

void
runclog_bound (const char *msg, char *buf, size_t size)
{
        static const char more[] = "; ... (the full list is in the runtime log)";
        size_t len = strlen (msg), cut;

        if (len < size) {
                memcpy (buf, msg, len + 1);
                return;
        }
        /* keep whole entries: cut at the last "; " that leaves room for `more` */
        cut = size > sizeof more ? size - sizeof more : 0;
        while (cut > 0 && !(msg[cut] == ';' && msg[cut + 1] == ' '))
                cut--;
        if (cut == 0)
                cut = size > sizeof more ? size - sizeof more : 0;
        while (cut > 0 && (msg[cut] & 0xC0) == 0x80)
                cut--; /* never split a UTF-8 sequence */
        snprintf (buf, size, "%.*s%s", (int) cut, msg, more);
}

void
runclog_error (const char *log_path, const char *log_format, const char *msg)
{
        char line[RUNCLOG_STDERR_MAX - sizeof "hardened: "]; /* the NUL's byte is the newline's */

        runclog_log (log_path, log_format, "error", msg);
        runclog_bound (msg, line, sizeof line);
        dprintf (STDERR_FILENO, "hardened: %s\n", line);
}
