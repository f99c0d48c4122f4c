#include "config.h"

#include <string.h>

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
        return tap_done ();
}
