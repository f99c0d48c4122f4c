#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hardened/json.h"
#include "hardened/spec.h"
#include "hardened/util.h"
#include "tap.h"

/* Parse and check; returns the check's result, message in err. */
static int
check (const char *doc, const struct spec_type *type, struct hd_err *err)
{
        _cleanup_json_ struct json *j = NULL;

        memset (err, 0, sizeof *err);
        if (json_parse (doc, strlen (doc), &j, err) < 0) {
                printf ("# parse failed: %s\n", err->msg);
                return 1; /* not a spec result */
        }
        return spec_check (j, type, SPEC_STRICT, doc, strlen (doc), err);
}

static void
refused (const char *doc, const char *want, const char *what)
{
        struct hd_err err;

        ok (check (doc, &spec_config, &err) < 0, "refuses %s", what);
        has_str (err.msg, want, "  message for %s", what);
}

static void
accepted (const char *doc, const struct spec_type *type, const char *what)
{
        struct hd_err err;
        int rc = check (doc, type, &err);

        ok (rc == 0, "accepts %s%s%s", what, rc ? ": " : "", rc ? err.msg : "");
}

static void
fixtures (void)
{
        static const char *const runs[] = {
                "run-capall-hostipc-uts-device.json", "run-default.json", "run-hardened-flags.json",
                "run-privileged.json", "run-root-group0-apparmor-unconfined.json",
                "run-sysctl-ulimit-oom-secrets.json", "run-unconfined-sysadmin-pidhost-sock.json",
        };
        static const char *const execs[] = {
                "exec-privileged.json", "exec-user0.json", "exec-user1000-env-cwd.json",
        };

        for (size_t i = 0; i < HD_ARRAY_SIZE (runs); i++) {
                _cleanup_free_ char *doc = tap_slurp ("FIXTURES", "tests/fixtures", runs[i], NULL);
                accepted (doc ? doc : "", &spec_config, runs[i]);
        }
        for (size_t i = 0; i < HD_ARRAY_SIZE (execs); i++) {
                _cleanup_free_ char *doc = tap_slurp ("FIXTURES", "tests/fixtures", execs[i], NULL);
                accepted (doc ? doc : "", &spec_process, execs[i]);
        }
}

static void
folding (void)
{
        ok (spec_fold_equal ("Readonly", "readonly"), "fold: ASCII case");
        ok (spec_fold_equal ("READONLY", "readonly"), "fold: all upper case");
        ok (spec_fold_equal ("ociVer\xc5\xbfion", "ociVersion"), "fold: U+017F long s is s");
        ok (spec_fold_equal ("hoo\xe2\x84\xaas", "hooks"), "fold: U+212A Kelvin sign is k");
        ok (!spec_fold_equal ("readonl", "readonly"), "fold: shorter differs");
        ok (!spec_fold_equal ("readonlyy", "readonly"), "fold: longer differs");
        ok (!spec_fold_equal ("r\xc4\xb1ng", "ring"), "fold: U+0131 dotless i is not i");
        ok (!spec_fold_equal ("readonl\xc3\xbd", "readonly"), "fold: y-acute is not y");

        refused ("{\"root\":{\"path\":\"r\",\"Readonly\":false}}",
                 "/root/Readonly: key \"Readonly\" is not spelled \"readonly\"", "a case-folded key");
        refused ("{\"ociVer\xc5\xbfion\":\"1.0.2\"}", "would read it as \"ociVersion\"",
                 "a key with U+017F");
        refused ("{\"hoo\xe2\x84\xaas\":{}}", "would read it as \"hooks\"", "a key with the Kelvin sign");
        refused ("{\"mounts\":[{\"destination\":\"/x\",\"Type\":\"bind\"}]}", "/mounts/0/Type",
                 "a folded key inside an array");
        refused ("{\"PROCESS\":{}}", "would read it as \"process\"", "an upper-case top-level key");
}

static void
types (void)
{
        refused ("{\"linux\":null}", "/linux: null is not allowed", "null for an object");
        refused ("{\"process\":{\"user\":{\"uid\":null}}}", "/process/user/uid: null", "null for a number");
        refused ("{\"process\":{\"args\":[\"sh\",null]}}", "/process/args/1: null", "null in an array");
        refused ("{\"annotations\":{\"a\":null}}", "/annotations/a: null", "null in a map");
        refused ("{\"root\":{\"readonly\":\"true\"}}", "expected a boolean, found a string",
                 "a string for a bool");
        refused ("{\"process\":{\"user\":{\"uid\":\"0\"}}}", "expected an unsigned 32-bit integer",
                 "a string for a number");
        refused ("{\"process\":{\"user\":{\"uid\":-1}}}", "-1 is not an unsigned 32-bit integer",
                 "a negative uid");
        refused ("{\"process\":{\"user\":{\"uid\":0.0}}}", "0.0 is not", "a fractional uid");
        refused ("{\"process\":{\"user\":{\"uid\":1e3}}}", "1e3 is not", "an exponent uid");
        refused ("{\"process\":{\"user\":{\"uid\":4294967296}}}", "out of range", "a uid over 2^32");
        refused ("{\"process\":{\"user\":{\"uid\":-0}}}", "-0 is not", "-0 for an unsigned field");
        refused ("{\"linux\":{\"resources\":{\"memory\":{\"limit\":9223372036854775808}}}}",
                 "out of range", "an int64 over 2^63-1");
        refused ("{\"linux\":{\"resources\":{\"blockIO\":{\"weight\":65536}}}}", "out of range",
                 "a uint16 over 65535");
        refused ("{\"foo\":1}", "/foo: unknown field \"foo\"", "an unknown top-level field");
        refused ("{\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"x\":1}}}",
                 "/linux/seccomp/x: unknown field", "an unknown nested field");
        refused ("{\"annotations\":{\"a/b~c\":1}}", "/annotations/a~1b~0c: expected a string",
                 "a number in the annotations map (pointer escaped)");

        accepted ("{\"process\":{\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":18446744073709551615,"
                  "\"soft\":1024}],\"oomScoreAdj\":-1000}}", &spec_config, "uint64 max and negative int");
        accepted ("{\"annotations\":{\"Anything\":\"x\",\"anything\":\"y\"}}", &spec_config,
                  "map keys that differ only in case (maps match exactly)");
        accepted ("{\"linux\":{\"sysctl\":{\"net.ipv4.ip_forward\":\"1\"}}}", &spec_config, "sysctl map");
        accepted ("{\"windows\":{\"anything\":null},\"vm\":{}}", &spec_config,
                  "opaque objects a Linux runtime ignores");
        accepted ("{\"memory\":{\"limit\":134217728,\"swap\":-1},\"pids\":{\"limit\":100}}",
                  &spec_resources, "an update --resources document");
        accepted ("{\"args\":[\"sh\"],\"cwd\":\"/\",\"user\":{\"uid\":0,\"gid\":0}}", &spec_process,
                  "an exec --process document");
}

int
main (void)
{
        fixtures ();
        folding ();
        types ();
        return tap_done ();
}
