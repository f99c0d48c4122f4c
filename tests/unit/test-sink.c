#include "config.h"

#include "hardened/sink.h"
#include "tap.h"

int
main (void)
{
        char buf[512];
        int n;

        n = sink_format (buf, sizeof buf, 1, "error", "bundle /b: config.json:1:2: \"x\"\n", 0);
        is_str (buf, "{\"level\":\"error\",\"msg\":\"bundle /b: config.json:1:2: \\\"x\\\"\\n\","
                     "\"time\":\"1970-01-01T00:00:00Z\"}\n",
                "json line in logrus's key order with escapes");
        ok (n == (int) strlen (buf), "json length returned");
        n = sink_format (buf, sizeof buf, 0, "error", "a \"q\" \\ b\n\x01", 86400);
        is_str (buf, "time=\"1970-01-02T00:00:00Z\" level=error msg=\"a \\\"q\\\" \\\\ b\\n\\x01\"\n",
                "text line quoted like logrus");
        ok (n == (int) strlen (buf), "text length returned");
        ok (sink_format (buf, 16, 1, "error", "too long for the buffer", 0) < 0,
            "json refuses to truncate");
        ok (sink_format (buf, 16, 0, "error", "too long for the buffer", 0) < 0,
            "text refuses to truncate");
        n = sink_format (buf, sizeof buf, 1, "error", "caf\xc3\xa9", 0);
        has_str (buf, "\"msg\":\"caf\xc3\xa9\"", "UTF-8 kept as is");
        return tap_done ();
}
