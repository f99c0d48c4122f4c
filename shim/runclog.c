#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <yajl/yajl_gen.h>

#include "hardened/util.h"

#include "runclog.h"

static int
format_json (char *buf, size_t size, const char *level, const char *msg, const char *when)
{
        static const char *const keys[] = { "level", "msg", "time" };
        const char *values[] = { level, msg, when };
        const unsigned char *out;
        size_t len;
        int n = -1;
        yajl_gen g = yajl_gen_alloc (NULL);

        if (!g)
                return -1;
        yajl_gen_map_open (g);
        for (size_t i = 0; i < HD_ARRAY_SIZE (keys); i++) {
                yajl_gen_string (g, (const unsigned char *) keys[i], strlen (keys[i]));
                yajl_gen_string (g, (const unsigned char *) values[i], strlen (values[i]));
        }
        yajl_gen_map_close (g);
        if (yajl_gen_get_buf (g, &out, &len) == yajl_gen_status_ok && len + 2 <= size) {
                memcpy (buf, out, len);
                buf[len] = '\n';
                buf[len + 1] = '\0';
                n = (int) len + 1;
        }
        yajl_gen_free (g);
        return n;
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
                char esc[8];
                if (*p == '"' || *p == '\\')
                        snprintf (esc, sizeof esc, "\\%c", *p);
                else if (*p == '\n')
                        snprintf (esc, sizeof esc, "\\n");
                else if (*p < 0x20 || *p == 0x7f)
                        snprintf (esc, sizeof esc, "\\x%02x", *p);
                else
                        esc[0] = (char) *p, esc[1] = '\0';
                if (used + strlen (esc) + 3 > size)
                        return -1;
                memcpy (buf + used, esc, strlen (esc));
                used += strlen (esc);
        }
        memcpy (buf + used, "\"\n", 3);
        return (int) used + 2;
}

int
runclog_format (char *buf, size_t size, int json, const char *level, const char *msg, long long epoch_seconds)
{
        char when[64];
        time_t t = (time_t) epoch_seconds;
        struct tm tm;

        if (!gmtime_r (&t, &tm) || !strftime (when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm))
                snprintf (when, sizeof when, "%lld", epoch_seconds);
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

void
runclog_log (const char *log_path, const char *log_format, const char *level, const char *msg)
{
        char line[16384];
        int json = log_format && strcmp (log_format, "json") == 0;
        int n = runclog_format (line, sizeof line, json, level, msg, (long long) time (NULL));
        _cleanup_close_ int fd = -1;

        if (!log_path || !*log_path)
                return;
        if (n < 0)
                n = snprintf (line, sizeof line, "hardened: %s\n", "error message too long");
        /* One write(2) with O_APPEND: concurrent writers never interleave a line. */
        fd = open (log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
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
