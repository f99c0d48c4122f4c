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
        static const char *const runs[] = { TAP_DOCKER_RUN_FIXTURES };
        static const char *const execs[] = { TAP_DOCKER_EXEC_FIXTURES };

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
        refused ("{\"ociVer\xc5\xbfion\":\"1.0.2\"}", "would read it as \"ociVersion\"", "a key with U+017F");
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
        refused ("{\"root\":{\"readonly\":\"true\"}}", "expected a boolean, found a string", "a string for a bool");
        refused ("{\"process\":{\"user\":{\"uid\":\"0\"}}}", "expected an unsigned 32-bit integer",
                 "a string for a number");
        refused ("{\"process\":{\"user\":{\"uid\":-1}}}", "-1 is not an unsigned 32-bit integer", "a negative uid");
        refused ("{\"process\":{\"user\":{\"uid\":0.0}}}", "0.0 is not", "a fractional uid");
        refused ("{\"process\":{\"user\":{\"uid\":1e3}}}", "1e3 is not", "an exponent uid");
        refused ("{\"process\":{\"user\":{\"uid\":4294967296}}}", "out of range", "a uid over 2^32");
        refused ("{\"process\":{\"user\":{\"uid\":-0}}}", "-0 is not", "-0 for an unsigned field");
        refused ("{\"linux\":{\"resources\":{\"memory\":{\"limit\":9223372036854775808}}}}", "out of range",
                 "an int64 over 2^63-1");
        refused ("{\"linux\":{\"resources\":{\"blockIO\":{\"weight\":65536}}}}", "out of range", "a uint16 over 65535");
        refused ("{\"foo\":1}", "/foo: unknown field \"foo\"", "an unknown top-level field");
        refused ("{\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"x\":1}}}",
                 "/linux/seccomp/x: unknown field", "an unknown nested field");
        refused ("{\"annotations\":{\"a/b~c\":1}}", "/annotations/a~1b~0c: expected a string",
                 "a number in the annotations map (pointer escaped)");

        accepted ("{\"process\":{\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":18446744073709551615,"
                  "\"soft\":1024}],\"oomScoreAdj\":-1000}}",
                  &spec_config, "uint64 max and negative int");
        accepted ("{\"annotations\":{\"Anything\":\"x\",\"anything\":\"y\"}}", &spec_config,
                  "map keys that differ only in case (maps match exactly)");
        accepted ("{\"linux\":{\"sysctl\":{\"net.ipv4.ip_forward\":\"1\"}}}", &spec_config, "sysctl map");
        accepted ("{\"windows\":{\"anything\":null},\"vm\":{}}", &spec_config,
                  "opaque objects a Linux runtime ignores");
        accepted ("{\"memory\":{\"limit\":134217728,\"swap\":-1},\"pids\":{\"limit\":100}}", &spec_resources,
                  "an update --resources document");
        accepted ("{\"args\":[\"sh\"],\"cwd\":\"/\",\"user\":{\"uid\":0,\"gid\":0}}", &spec_process,
                  "an exec --process document");
}

/* ---- the canonical form -------------------------------------------------- */

/* Decode `doc` with every class at action `a` (unknown fields at `unknown`);
 * returns the canonical text (static) and the finding ids, comma-joined. */
static const char *
canon (const char *doc, const struct spec_type *type, enum policy_action a, enum policy_action unknown, char *rules,
       size_t rules_size, struct decision *d)
{
        static char out[HD_ERR_MSG_MAX + 16];
        _cleanup_json_ struct json *j = NULL;
        _cleanup_free_ char *text = NULL;
        struct spec_canon_actions actions = { a, a, a, unknown };
        struct hd_err err = { 0 };
        size_t len;

        memset (d, 0, sizeof *d);
        rules[0] = '\0';
        if (json_parse_flags (doc, strlen (doc), JSON_KEEP_DUPLICATES, &j, &err) < 0
            || spec_canonicalize (&j, type, &actions, d, doc, strlen (doc), &err) < 0
            || json_write (j, &text, &len, &err) < 0) {
                snprintf (out, sizeof out, "error: %s", err.msg);
                return out;
        }
        for (size_t i = 0; i < d->n; i++)
                snprintf (rules + strlen (rules), rules_size - strlen (rules), "%s%s", i ? "," : "",
                          d->findings[i].rule + strlen ("document."));
        snprintf (out, sizeof out, "%s", text);
        return out;
}

/* Every spelling as data: the input, what it means to runc (Go's decoder,
 * checked against runc 1.1.5's specs-go with Go 1.19), and the findings. */
static const struct {
        const char *what, *in, *want, *rules;
} canon_cases[] = {
        { "ASCII case", "{\"root\":{\"path\":\"r\",\"Readonly\":true}}",
          "{\"root\":{\"path\":\"r\",\"readonly\":true}}", "foldedKey" },
        { "every level folded", "{\"Process\":{\"User\":{\"UID\":0}}}", "{\"process\":{\"user\":{\"uid\":0}}}",
          "foldedKey,foldedKey,foldedKey" },
        { "U+017F long s", "{\"ociVer\xc5\xbfion\":\"1.0.2\"}", "{\"ociVersion\":\"1.0.2\"}", "foldedKey" },
        { "U+212A Kelvin sign", "{\"hoo\xe2\x84\xaas\":{}}", "{\"hooks\":{}}", "foldedKey" },
        { "upper case in an array item", "{\"mounts\":[{\"destination\":\"/x\",\"TYPE\":\"bind\"}]}",
          "{\"mounts\":[{\"destination\":\"/x\",\"type\":\"bind\"}]}", "foldedKey" },
        { "U+0131 dotless i is not i: unknown",
          "{\"process\":{\"args\":[\"sh\"],\"env\":[],\"user\":{\"u\xc4\xb1"
          "d\":0}}}",
          "{\"process\":{\"args\":[\"sh\"],\"env\":[],\"user\":{}}}", "unknownField" },
        { "map keys are exact", "{\"annotations\":{\"Anything\":\"x\",\"anything\":\"y\"}}",
          "{\"annotations\":{\"Anything\":\"x\",\"anything\":\"y\"}}", "" },
        { "a duplicate: the last copy", "{\"process\":{\"user\":{\"uid\":1000},\"user\":{\"uid\":0}}}",
          "{\"process\":{\"user\":{\"uid\":0}}}", "duplicateKey" },
        { "the same field in two cases: merged, the last wins",
          "{\"process\":{\"user\":{\"uid\":1000,\"gid\":5},\"User\":{\"uid\":0}}}",
          "{\"process\":{\"user\":{\"uid\":0,\"gid\":5}}}", "foldedKey,duplicateKey" },
        { "folded first, exact last", "{\"process\":{\"User\":{\"uid\":0},\"user\":{\"uid\":1000}}}",
          "{\"process\":{\"user\":{\"uid\":1000}}}", "foldedKey,duplicateKey" },
        { "two folded spellings", "{\"process\":{\"USER\":{\"uid\":1},\"uSeR\":{\"gid\":2}}}",
          "{\"process\":{\"user\":{\"uid\":1,\"gid\":2}}}", "foldedKey,foldedKey,duplicateKey" },
        { "a repeated top-level object merges",
          "{\"process\":{\"args\":[\"a\",\"b\",\"c\"]},\"process\":{\"cwd\":\"/\"}}",
          "{\"process\":{\"args\":[\"a\",\"b\",\"c\"],\"cwd\":\"/\"}}", "duplicateKey" },
        { "a repeated array of strings: the last", "{\"process\":{\"args\":[\"a\",\"b\",\"c\"],\"args\":[\"d\"]}}",
          "{\"process\":{\"args\":[\"d\"]}}", "duplicateKey" },
        { "a repeated array of objects: item by item into Go's backing array",
          "{\"mounts\":[{\"destination\":\"/a\"},{\"destination\":\"/b\",\"source\":\"/etc\"}],"
          "\"mounts\":[{\"destination\":\"/c\"}],\"mounts\":[{\"destination\":\"/d\"},{\"destination\":\"/e\"}]}",
          "{\"mounts\":[{\"destination\":\"/d\"},{\"destination\":\"/e\",\"source\":\"/etc\"}]}",
          "duplicateKey,duplicateKey" },
        { "an empty array is a new slice",
          "{\"mounts\":[{\"destination\":\"/a\",\"source\":\"/etc\"}],\"mounts\":[],"
          "\"mounts\":[{\"destination\":\"/b\"}]}",
          "{\"mounts\":[{\"destination\":\"/b\"}]}", "duplicateKey,duplicateKey" },
        { "a map merges key by key", "{\"annotations\":{\"a\":\"1\"},\"annotations\":{\"b\":\"2\"}}",
          "{\"annotations\":{\"a\":\"1\",\"b\":\"2\"}}", "duplicateKey" },
        { "a duplicate map key: the last value", "{\"annotations\":{\"a\":\"1\",\"a\":\"2\"}}",
          "{\"annotations\":{\"a\":\"2\"}}", "duplicateKey" },
        { "null for a pointer object", "{\"linux\":null}", "{}", "null" },
        { "null after a pointer object", "{\"linux\":{\"sysctl\":{\"a\":\"b\"}},\"linux\":null}", "{}",
          "duplicateKey,null" },
        { "null for a pointer number", "{\"linux\":{\"resources\":{\"memory\":{\"limit\":5,\"limit\":null}}}}",
          "{\"linux\":{\"resources\":{\"memory\":{}}}}", "duplicateKey,null" },
        { "null for a value number", "{\"process\":{\"user\":{\"uid\":null}}}", "{\"process\":{\"user\":{}}}", "null" },
        { "null after a value struct keeps it", "{\"process\":{\"user\":{\"uid\":7},\"user\":null}}",
          "{\"process\":{\"user\":{\"uid\":7}}}", "duplicateKey,null" },
        { "null after a bool keeps it", "{\"process\":{\"terminal\":true,\"terminal\":null}}",
          "{\"process\":{\"terminal\":true}}", "duplicateKey,null" },
        { "null for a slice", "{\"process\":{\"capabilities\":{\"bounding\":[\"CAP_X\"],\"bounding\":null}}}",
          "{\"process\":{\"capabilities\":{}}}", "duplicateKey,null" },
        { "null in an array of strings", "{\"process\":{\"args\":[\"sh\",null]}}",
          "{\"process\":{\"args\":[\"sh\",\"\"]}}", "null" },
        { "null in a repeated array keeps the item", "{\"process\":{\"args\":[\"a\",\"b\"],\"args\":[\"c\",null]}}",
          "{\"process\":{\"args\":[\"c\",\"b\"]}}", "duplicateKey,null" },
        { "null in an array of objects", "{\"mounts\":[null]}", "{\"mounts\":[{}]}", "null" },
        { "null in a map", "{\"annotations\":{\"a\":null}}", "{\"annotations\":{\"a\":\"\"}}", "null" },
        { "null for a folded key", "{\"Linux\":null}", "{}", "foldedKey,null" },
        { "an unknown top-level field", "{\"foo\":1,\"hostname\":\"h\"}", "{\"hostname\":\"h\"}", "unknownField" },
        { "an unknown nested field",
          "{\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"x\":{\"y\":null}}}}",
          "{\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\"}}}", "unknownField" },
        { "an opaque section is kept as written", "{\"windows\":{\"anything\":null}}",
          "{\"windows\":{\"anything\":null}}", "" },
};

static void
canonical (void)
{
        struct decision d;
        char rules[512];

        for (size_t i = 0; i < HD_ARRAY_SIZE (canon_cases); i++) {
                const char *got = canon (canon_cases[i].in, &spec_config, ACTION_REWRITE, ACTION_REWRITE, rules,
                                         sizeof rules, &d);
                is_str (got, canon_cases[i].want, "rewrite, %s: the meaning", canon_cases[i].what);
                is_str (rules, canon_cases[i].rules, "rewrite, %s: the findings", canon_cases[i].what);
                ok (d.verdict == (canon_cases[i].rules[0] ? VERDICT_REWRITTEN : VERDICT_ALLOWED),
                    "rewrite, %s: the verdict", canon_cases[i].what);
                /* under reject a repeated copy is not merged: what it holds is not judged */
                canon (canon_cases[i].in, &spec_config, ACTION_REJECT, ACTION_REJECT, rules, sizeof rules, &d);
                ok (strncmp (rules, canon_cases[i].rules, strcspn (canon_cases[i].rules, ",")) == 0
                            && (strstr (canon_cases[i].rules, "duplicateKey")
                                || strcmp (rules, canon_cases[i].rules) == 0),
                    "reject, %s: the same first finding (all of them without a duplicate): %s", canon_cases[i].what,
                    rules);
                ok (d.verdict == (canon_cases[i].rules[0] ? VERDICT_REFUSED : VERDICT_ALLOWED), "reject, %s: refused",
                    canon_cases[i].what);
        }

        /* audit: rewritten, warned, never refused; an unknown field kept */
        is_str (canon ("{\"Process\":{\"user\":{\"uid\":1},\"user\":null},\"x\":1}", &spec_config, ACTION_WARN,
                       ACTION_WARN, rules, sizeof rules, &d),
                "{\"process\":{\"user\":{\"uid\":1}},\"x\":1}", "audit: rewritten, the unknown field kept");
        is_str (rules, "foldedKey,duplicateKey,null,unknownField", "audit: every finding recorded");
        ok (d.verdict == VERDICT_ALLOWED && d.findings[0].action == ACTION_WARN, "audit: warnings only");
        /* allow: an unknown field passes with no finding, the last copy of it */
        is_str (canon ("{\"x\":1,\"linux\":{\"y\":[1]},\"x\":2}", &spec_config, ACTION_REJECT, ACTION_OFF, rules,
                       sizeof rules, &d),
                "{\"x\":2,\"linux\":{\"y\":[1]}}", "unknownFields allow: passed through");
        is_str (rules, "", "unknownFields allow: no finding");
        /* findings carry the path as written and line:col */
        canon ("{\"process\":{\n\"User\":{}}}", &spec_config, ACTION_REJECT, ACTION_REJECT, rules, sizeof rules, &d);
        is_str (d.findings[0].pointer, "/process/User", "the pointer names the key as written");
        has_str (d.findings[0].message,
                 "2:1: /process/User: key \"User\" is read by runc's decoder as the field \"user\"",
                 "the message has line:col and the field");
        /* exec and update documents */
        is_str (canon ("{\"Args\":[\"sh\"],\"user\":{\"Uid\":0}}", &spec_process, ACTION_REWRITE, ACTION_REWRITE, rules,
                       sizeof rules, &d),
                "{\"args\":[\"sh\"],\"user\":{\"uid\":0}}", "an exec --process document");
        is_str (canon ("{\"CPU\":{\"quota\":1000},\"memory\":null}", &spec_resources, ACTION_REWRITE, ACTION_REWRITE,
                       rules, sizeof rules, &d),
                "{\"cpu\":{\"quota\":1000}}", "an update --resources document (runc's update.bats \"CPU\")");
        /* what runc refuses stays refused */
        has_str (canon ("{\"process\":{\"user\":{\"uid\":\"0\"},\"user\":{\"uid\":0}}}", &spec_config, ACTION_REWRITE,
                        ACTION_REWRITE, rules, sizeof rules, &d),
                 "error: 1:27: /process/user/uid: expected an unsigned 32-bit integer",
                 "a bad earlier copy is refused");
        has_str (canon ("{\"Process\":{\"User\":{\"UID\":-1}}}", &spec_config, ACTION_REWRITE, ACTION_REWRITE, rules,
                        sizeof rules, &d),
                 "/Process/User/UID: -1 is not an unsigned 32-bit integer", "a bad number under folded keys");
}

/* The shipped fixtures are canonical already: nothing found, nothing changed. */
static void
canonical_fixtures (void)
{
        static const char *const runs[] = { "run-default.json", "run-privileged.json",
                                            "run-sysctl-ulimit-oom-secrets.json" };

        for (size_t i = 0; i < HD_ARRAY_SIZE (runs); i++) {
                _cleanup_free_ char *doc = tap_slurp ("FIXTURES", "tests/fixtures", runs[i], NULL);
                _cleanup_json_ struct json *orig = NULL, *j = NULL;
                struct spec_canon_actions a = { ACTION_REJECT, ACTION_REJECT, ACTION_REJECT, ACTION_REJECT };
                struct decision d = { 0 };
                struct hd_err err = { 0 };

                struct json *parsed = NULL;

                ok (doc && json_parse (doc, strlen (doc), &orig, &err) == 0
                            && json_parse (doc, strlen (doc), &j, &err) == 0 && (parsed = j)
                            && spec_canonicalize (&j, &spec_config, &a, &d, doc, strlen (doc), &err) == 0 && d.n == 0
                            && json_equal (orig, j),
                    "%s is canonical: no finding, the same tree", runs[i]);
                ok (j == parsed, "%s: a canonical document is kept as parsed, not rebuilt", runs[i]);
        }
}

int
main (void)
{
        fixtures ();
        folding ();
        types ();
        canonical ();
        canonical_fixtures ();
        return tap_done ();
}
