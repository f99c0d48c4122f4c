#include "config.h"

#include <string.h>

#include "hardened/pattern.h"

#include "tap.h"

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* Rows of data: pattern, string, expected. */
static const struct {
        const char *pattern, *s;
        bool match;
} rows[] = {
        { "libnetwork-setkey", "libnetwork-setkey", true },
        { "libnetwork-setkey", "libnetwork-setkey ", false },
        { "libnetwork-setkey", "libnetwork-setke", false },
        { "libnetwork-setkey", "Libnetwork-setkey", false },
        { "", "", true },
        { "", "x", false },
        { "*", "", true },
        { "*", "anything/with/slashes", true },
        { "-exec-root=*", "-exec-root=/var/run/docker", true },
        { "-exec-root=*", "-exec-root=", true },
        { "-exec-root=*", "--exec-root=/x", false },
        { "-exec-root=*", "-exec-root", false },
        { "a*b*c", "aXXbYYc", true },
        { "a*b*c", "abcabc", true },
        { "a*b*c", "acb", false },
        { "*.sock", "/run/x.sock", true },
        { "*.sock", "/run/x.sock.bak", false },
        { "**a", "bba", true },
        { "?", "x", true },
        { "?", "", false },
        { "?", "xy", false },
        { "?{3}", "abc", true },
        { "?{3}", "ab", false },
        { "?{3}", "abcd", false },
        { "[0-9a-f]{64}", HEX64, true },
        { "[0-9a-f]{64}", HEX64 "0", false },
        { "[0-9a-f]{64}", HEX64 + 1, false },
        { "[0-9a-f]{64}", "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", false },
        { "[0-9a-f]{64}", "0123456789abcdeg0123456789abcdef0123456789abcdef0123456789abcdef", false },
        { "[0-9a-f]{12}", "30b61df176db", true },
        { "[0-9a-f]{12}", "30b61df176d", false },
        { "[0-9a-f]{12}", "30b61df176db/", false },
        { "*[0-9]{2}", "abc12", true },
        { "*[0-9]{2}", "abc1x2", false },
        { "*x{2}y", "axxxy", true },
        { "[!/]*", "a/b", true },
        { "[!/]*", "/a", false },
        { "[!0-9]", "a", true },
        { "[!0-9]", "5", false },
        { "[-a]", "-", true },
        { "[a-]", "-", true },
        { "[a-]", "b", false },
        { "[\\]]", "]", true },
        { "[\\\\]", "\\", true },
        { "\\*", "*", true },
        { "\\*", "x", false },
        { "\\{1}", "{1}", true },
        { "a\\?", "a?", true },
        { "a\\?", "ab", false },
        { "x{2}", "xx", true },
        { "x{2}", "x", false },
        { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", true },
        { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "PATH=/tmp:/usr/sbin:/usr/bin:/sbin:/bin", false },
        { "\xc3\xa9*", "\xc3\xa9t\xc3\xa9", true },
};

static const struct {
        const char *pattern;
        size_t where;
        const char *why;
} bad[] = {
        { "[", 0, "unterminated" },   { "ab[0-9", 2, "unterminated" },   { "[]", 0, "empty set" },
        { "[!]", 0, "empty set" },    { "[z-a]", 0, "below its start" }, { "\\", 0, "trailing" },
        { "ab\\", 2, "trailing" },    { "[a\\", 0, "trailing" },         { "{3}", 0, "repeats nothing" },
        { "*{3}", 0, "after *" },     { "a{0}", 0, "repetition" },       { "a{4097}", 0, "repetition" },
        { "a{}", 0, "repetition" },   { "a{3", 0, "repetition" },        { "a{-1}", 0, "repetition" },
        { "a{+1}", 0, "repetition" }, { "a{03}", 0, "repetition" },      { "x{2}{2}", 4, "repeats nothing" },
};

int
main (void)
{
        for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
                size_t where;
                const char *why;
                ok (pattern_check (rows[i].pattern, &where, &why) == 0, "\"%s\" is well formed", rows[i].pattern);
                ok (pattern_match (rows[i].pattern, rows[i].s) == rows[i].match, "\"%s\" %s \"%s\"", rows[i].pattern,
                    rows[i].match ? "matches" : "does not match", rows[i].s);
        }
        for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
                size_t where = 999;
                const char *why = "";
                ok (pattern_check (bad[i].pattern, &where, &why) < 0 && where == bad[i].where
                            && strstr (why, bad[i].why),
                    "\"%s\" refused at %zu (%s): got %zu (%s)", bad[i].pattern, bad[i].where, bad[i].why, where, why);
                ok (!pattern_match (bad[i].pattern, bad[i].pattern), "malformed \"%s\" matches nothing",
                    bad[i].pattern);
        }
        ok (pattern_match ("?{4096}", "") == false, "the largest repetition is accepted and bounded");
        return tap_done ();
}
