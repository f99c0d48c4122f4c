/* peek_string_fast, the pass-through verbs' look at the policy's runtime:
 * wherever it decides, it says what json_peek_string (the full parse's
 * checks) says; it decides the shipped policies; and every document one
 * byte away from a valid one (replaced, dropped, doubled) is either left
 * to json_peek_string or decided the same way. */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "hardened/json.h"
#include "hardened/util.h"

#include "peek.h"
#include "tap.h"

/* Does the fast peek agree with json_peek_string?  *decided counts the
 * documents it answered itself. */
static bool
agrees (const char *in, size_t len, unsigned *decided)
{
        _cleanup_free_ char *fast = NULL, *full = NULL;
        struct hd_err err = { 0 };
        int rc_full = json_peek_string (in, len, "runtime", &full, &err);
        int rc = peek_string_fast (in, len, "runtime", &fast);

        if (rc == 0)
                return fast == NULL;
        ++*decided;
        return rc == 1 && rc_full == 0 && (fast && full ? strcmp (fast, full) == 0 : fast == full);
}

static void
cases (void)
{
        static const struct {
                const char *in;
                bool decided; /* the fast path answers itself */
                const char *what;
        } docs[] = {
                { "{\"runtime\":\"/usr/bin/crun\"}", true, "a runtime" },
                { " \t\r\n{ \"runtime\" : \"/x\" } \n", true, "whitespace everywhere" },
                { "{}", true, "an empty object" },
                { "{\"a\":{\"runtime\":\"/x\"},\"b\":[\"runtime\",{\"runtime\":\"/y\"}]}", true, "nested runtimes" },
                { "{\"runtime\":1}", true, "a runtime that is a number" },
                { "{\"runtime\":[\"/x\"]}", true, "a runtime that is an array" },
                { "{\"k\":[0,-0,1.5,-2e10,3E+2,4e-1,true,false,null,[],{}]}", true, "scalars of every kind" },
                { "{\"s\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\",\"runtime\":\"/x\"}", true, "simple escapes in a value" },
                { "{\"caf\xc3\xa9\":\"\xe2\x82\xac\xf0\x9d\x84\x9e\x7f\",\"runtime\":\"/\xc3\xa9\"}", true,
                  "UTF-8 and DEL" },
                { "{\"a\":1,\"b\":2,\"c\":{\"a\":1,\"b\":2}}", true, "one key in two objects" },
                { "{\"runtime\":\"/x\",\"runtime\":\"/y\"}", false, "a duplicate runtime" },
                { "{\"r\":{\"a\":1,\"b\":2,\"a\":3}}", false, "a nested duplicate" },
                { "{\"runtime\":\"/x\",\"r\\u0075ntime\":\"/y\"}", false, "a key with a \\u escape" },
                { "{\"a\\n\":1}", false, "a key with an escape" },
                { "{\"runtime\":\"/\\/x\"}", false, "an escape in the runtime" },
                { "{\"s\":\"\\u00e9\"}", false, "a \\u escape" },
                { "{\"s\":\"\\ud800\"}", false, "a lone surrogate" },
                { "{\"s\":\"\xc0\xaf\"}", false, "an overlong sequence" },
                { "{\"s\":\"\xed\xa0\x80\"}", false, "an encoded surrogate" },
                { "{\"s\":\"\xf4\x90\x80\x80\"}", false, "above U+10FFFF" },
                { "{\"s\":\"\xc3\"}", false, "a truncated sequence" },
                { "{\"s\":\"a\tb\"}", false, "a raw tab in a string" },
                { "{\"a\":1,\v\"b\":2}", false, "a vertical tab (yajl's whitespace, not ours)" },
                { "{\"a\":01}", false, "a leading zero" },
                { "{\"a\":1.}", false, "a bare decimal point" },
                { "{\"a\":-}", false, "a bare minus" },
                { "{\"a\":1e}", false, "a bare exponent" },
                { "{\"a\":tru}", false, "a cut literal" },
                { "{\"a\":truex}", false, "a literal and more" },
                { "{\"a\":[1,]}", false, "a trailing comma" },
                { "{\"a\":1,}", false, "a trailing comma in an object" },
                { "{\"a\" 1}", false, "no colon" },
                { "{\"a\":1 /* c */}", false, "a comment" },
                { "{\"runtime\":\"/x\"} x", false, "trailing garbage" },
                { "{\"runtime\":\"/x\"", false, "a truncated document" },
                { "[\"runtime\",\"/x\"]", false, "an array" },
                { "\"/x\"", false, "a string" },
                { "", false, "nothing" },
        };
        unsigned decided = 0;

        for (size_t i = 0; i < HD_ARRAY_SIZE (docs); i++) {
                unsigned before = decided;
                ok (agrees (docs[i].in, strlen (docs[i].in), &decided), "agrees on %s", docs[i].what);
                ok ((decided > before) == docs[i].decided, "  %s %s", docs[i].decided ? "decides" : "leaves",
                    docs[i].what);
        }
}

/* Nested n deep, "runtime" after it: decided up to JSON_MAX_DEPTH / 2. */
static void
depths (void)
{
        for (unsigned n = JSON_MAX_DEPTH / 2 - 1; n <= JSON_MAX_DEPTH + 1; n++) {
                char doc[4 * JSON_MAX_DEPTH + 64];
                unsigned decided = 0;
                size_t len = 0;

                len += (size_t) snprintf (doc + len, sizeof doc - len, "{\"k\":");
                for (unsigned i = 1; i < n; i++)
                        doc[len++] = '[';
                for (unsigned i = 1; i < n; i++)
                        doc[len++] = ']';
                len += (size_t) snprintf (doc + len, sizeof doc - len, "%s,\"runtime\":\"/x\"}", n > 1 ? "" : "0");
                ok (agrees (doc, len, &decided) && decided == (n <= JSON_MAX_DEPTH / 2), "%u levels: %s", n,
                    decided ? "decided" : "left to the full parse");
        }
}

static void
shipped (void)
{
        static const char *const names[] = { "default.json", "restricted.json", "seccomp-default.json" };

        for (size_t i = 0; i < HD_ARRAY_SIZE (names); i++) {
                char path[64];
                size_t len = 0;
                unsigned decided = 0;
                _cleanup_free_ char *in = NULL;

                snprintf (path, sizeof path, "policy/profiles/%s", names[i]);
                in = tap_slurp ("top_srcdir", ".", path, &len);
                ok (in && agrees (in, len, &decided) && decided == 1, "the shipped %s is decided, the same", names[i]);
        }
}

/* Every one-byte change of a document that uses each construct. */
static void
mutations (void)
{
        static const char base[] = "{\"runtime\": \"/usr/sbin/runc\", \"k\": [1, -0.5e+3, 0, true, false, null,\n"
                                   " {\"a\": \"x\\n\\\"y\", \"caf\xc3\xa9\": \"\xe2\x82\xac\xf0\x9d\x84\x9e\"}],\n"
                                   "\t\"n\": {\"deep\": [[{}], []], \"\": \"\", \"a\": 12}, \"z\": \"/\\/\"}\r\n";
        static const char subst[] = "{}[],:\"\\ \t\n0-.eE+tfnu/r\x01\x7f\x80\xa9\xc3\xed\xf4\v";
        char doc[sizeof base + 1];
        size_t n = sizeof base - 1, bad = 0, tried = 0;
        unsigned decided = 0;

        for (size_t at = 0; at < n; at++) {
                for (size_t s = 0; s < sizeof subst; s++) { /* the last is NUL */
                        memcpy (doc, base, n);
                        doc[at] = subst[s];
                        tried++;
                        bad += !agrees (doc, n, &decided);
                }
                memcpy (doc, base, at); /* dropped */
                memcpy (doc + at, base + at + 1, n - at - 1);
                bad += !agrees (doc, n - 1, &decided);
                memcpy (doc, base, at + 1); /* doubled */
                memcpy (doc + at + 1, base + at, n - at);
                bad += !agrees (doc, n + 1, &decided);
                tried += 2;
        }
        ok (bad == 0, "%zu one-byte changes: %zu disagree", tried, bad);
        ok (decided > tried / 10, "  the fast path decided %u of them", decided);
}

int
main (void)
{
        cases ();
        depths ();
        shipped ();
        mutations ();
        return tap_done ();
}
