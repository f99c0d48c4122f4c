#include "config.h"

#include <stdbool.h>
#include <string.h>

#include <yajl/yajl_gen.h>

#include "runclog.h"
#include "tap.h"

/* runclog_bound keeps whole "; " entries and says where the rest is. */
static void
test_bound (void)
{
        static const char head[] = "bundle /b: refused by policy /p: first.rule: m0; rule.n1: message 1;";
        char msg[3000], out[200];
        size_t used = (size_t) snprintf (msg, sizeof msg, "bundle /b: refused by policy /p: first.rule: m0");

        for (int i = 1; i < 100; i++)
                used += (size_t) snprintf (msg + used, sizeof msg - used, "; rule.n%d: message %d", i, i);
        runclog_bound (msg, out, sizeof out);
        ok (strlen (out) < sizeof out, "bounded to the buffer");
        ok (strncmp (out, head, strlen (head)) == 0, "the first entries are kept");
        has_str (out, "; ... (the full list is in the runtime log)", "says where the full list is");
        ok (strstr (out, "rule.n99") == NULL, "the last entries are left out");
        runclog_bound ("short", out, sizeof out);
        is_str (out, "short", "a short message is unchanged");
        memset (msg, 'x', 400);
        msg[400] = '\0';
        runclog_bound (msg, out, sizeof out);
        ok (strlen (out) < sizeof out && strstr (out, "full list"), "one long entry is cut too");
        memset (msg, 0, sizeof msg);
        for (int i = 0; i < 150; i++)
                memcpy (msg + 2 * i, "\xc3\xa9", 2); /* 150 x U+00E9 */
        runclog_bound (msg, out, sizeof out);
        ok ((out[strcspn (out, ";")] == ';') && ((unsigned char) out[strcspn (out, ";") - 1] == 0xa9),
            "a UTF-8 sequence is never split");
}

/* msg's json line as yajl_gen writes it: the reference. */
static bool
json_line_is_yajls (const char *msg)
{
        char got[512];
        const unsigned char *out;
        size_t len;
        yajl_gen g = yajl_gen_alloc (NULL);
        bool same;

        yajl_gen_map_open (g);
        yajl_gen_string (g, (const unsigned char *) "level", 5);
        yajl_gen_string (g, (const unsigned char *) "info", 4);
        yajl_gen_string (g, (const unsigned char *) "msg", 3);
        yajl_gen_string (g, (const unsigned char *) msg, strlen (msg));
        yajl_gen_string (g, (const unsigned char *) "time", 4);
        yajl_gen_string (g, (const unsigned char *) "1970-01-01T00:00:00Z", 20);
        yajl_gen_map_close (g);
        yajl_gen_get_buf (g, &out, &len);
        same = runclog_format (got, sizeof got, 1, "info", msg, 0) == (int) len + 1 && memcmp (got, out, len) == 0
               && got[len] == '\n';
        yajl_gen_free (g);
        return same;
}

/* Plain runs are copied eight bytes at a time: a byte that needs escaping
 * (or is above 0x7F) at every offset of a run, and runs of every length
 * around eight, still come out as yajl_gen writes them. */
static void
test_json_runs (void)
{
        static const char special[] = { '"', '\\', '\n', 0x1f, (char) 0xc3, 0x7f };
        char msg[40];
        bool same = true;

        for (size_t s = 0; s < sizeof special; s++)
                for (size_t len = 1; len < sizeof msg - 1; len++)
                        for (size_t at = 0; at < len; at++) {
                                memset (msg, 'a', len);
                                msg[len] = '\0';
                                msg[at] = special[s];
                                same &= json_line_is_yajls (msg);
                        }
        ok (same, "json line: an escaped byte at every offset of runs of 1..38 bytes is yajl_gen's");
}

/* The json line is written by hand now: byte for byte what yajl_gen
 * wrote, for every byte value in the message, and at every buffer size
 * (fits exactly or is refused whole). */
static void
test_json_as_yajl (void)
{
        char msg[256], want[2048], got[2048];
        const unsigned char *out;
        size_t len, k = 0;
        yajl_gen g = yajl_gen_alloc (NULL);
        bool same = true, sizes = true;
        int n;

        for (int c = 1; c < 256; c++)
                msg[k++] = (char) c;
        msg[k] = '\0';
        yajl_gen_map_open (g);
        yajl_gen_string (g, (const unsigned char *) "level", 5);
        yajl_gen_string (g, (const unsigned char *) "info", 4);
        yajl_gen_string (g, (const unsigned char *) "msg", 3);
        yajl_gen_string (g, (const unsigned char *) msg, k);
        yajl_gen_string (g, (const unsigned char *) "time", 4);
        yajl_gen_string (g, (const unsigned char *) "1970-01-01T00:00:00Z", 20);
        yajl_gen_map_close (g);
        yajl_gen_get_buf (g, &out, &len);
        memcpy (want, out, len);
        memcpy (want + len, "\n", 2);
        yajl_gen_free (g);
        n = runclog_format (got, sizeof got, 1, "info", msg, 0);
        same = n == (int) len + 1 && strcmp (got, want) == 0;
        for (size_t size = 1; size < len + 4; size++)
                sizes &= runclog_format (got, size, 1, "info", msg, 0) == (size >= len + 2 ? (int) len + 1 : -1);
        ok (same, "json line for bytes 1..255 is yajl_gen's, byte for byte");
        /* text: Go's %q as logrus writes it, the reference spelled out per byte */
        k = (size_t) snprintf (want, sizeof want, "time=\"1970-01-01T00:00:00Z\" level=info msg=\"");
        for (int c = 1; c < 256; c++)
                k += (size_t) (c == '"' || c == '\\'   ? snprintf (want + k, sizeof want - k, "\\%c", c)
                               : c == '\n'             ? snprintf (want + k, sizeof want - k, "\\n")
                               : c < 0x20 || c == 0x7f ? snprintf (want + k, sizeof want - k, "\\x%02x", c)
                                                       : snprintf (want + k, sizeof want - k, "%c", c));
        snprintf (want + k, sizeof want - k, "\"\n");
        n = runclog_format (got, sizeof got, 0, "info", msg, 0);
        ok (n == (int) strlen (want) && strcmp (got, want) == 0, "text line for bytes 1..255 quoted byte for byte");
        ok (sizes, "json line fits exactly in len + 2 bytes, refused whole below");
}

int
main (void)
{
        char buf[512];
        int n;

        n = runclog_format (buf, sizeof buf, 1, "error", "bundle /b: config.json:1:2: \"x\"\n", 0);
        is_str (buf,
                "{\"level\":\"error\",\"msg\":\"bundle /b: config.json:1:2: \\\"x\\\"\\n\","
                "\"time\":\"1970-01-01T00:00:00Z\"}\n",
                "json line in logrus's key order with escapes");
        ok (n == (int) strlen (buf), "json length returned");
        n = runclog_format (buf, sizeof buf, 0, "error", "a \"q\" \\ b\n\x01", 86400);
        is_str (buf, "time=\"1970-01-02T00:00:00Z\" level=error msg=\"a \\\"q\\\" \\\\ b\\n\\x01\"\n",
                "text line quoted like logrus");
        ok (n == (int) strlen (buf), "text length returned");
        ok (runclog_format (buf, 16, 1, "error", "too long for the buffer", 0) < 0, "json refuses to truncate");
        ok (runclog_format (buf, 16, 0, "error", "too long for the buffer", 0) < 0, "text refuses to truncate");
        n = runclog_format (buf, sizeof buf, 1, "error", "caf\xc3\xa9", 0);
        has_str (buf, "\"msg\":\"caf\xc3\xa9\"", "UTF-8 kept as is");
        test_bound ();
        test_json_as_yajl ();
        test_json_runs ();
        return tap_done ();
}
