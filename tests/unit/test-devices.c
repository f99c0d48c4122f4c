#include "config.h"

#include <stdio.h>
#include <string.h>

#include "hardened/devcgroup.h"
#include "hardened/json.h"
#include "hardened/policy.h"
#include "hardened/util.h"

#include "tap.h"

/* The emulator against runc 1.1's semantics (libcontainer/cgroups/devices):
 * a rule list, and the state written as runc would list it ("A" for a
 * black-list default, then "t major:minor access" per exception). */
static const struct {
        const char *rules;
        const char *state;
        bool everything;
} emulated[] = {
        { "[]", "", false },
        { "[{\"allow\":false,\"access\":\"rwm\"}]", "", false },
        { "[{\"allow\":true,\"access\":\"rwm\"}]", "A", true },
        { "[{\"allow\":true,\"type\":\"\",\"access\":\"r\"}]", "A", true },
        { "[{\"allow\":true,\"type\":\"a\",\"major\":8,\"minor\":0,\"access\":\"m\"}]", "A", true },
        { "[{\"allow\":true,\"access\":\"rwm\"},{\"allow\":false,\"type\":\"a\",\"access\":\"r\"}]", "", false },
        { "[{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":3,\"access\":\"mwr\"}]", "c 1:3 rwm", false },
        { "[{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":3,\"access\":\"rrx\"}]", "c 1:3 r", false },
        { "[{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":3,\"access\":\"RWM\"}]", "", false },
        { "[{\"allow\":true,\"type\":\"b\",\"access\":\"rw\"}]", "b *:* rw", false },
        { "[{\"allow\":true,\"type\":\"b\",\"major\":8,\"access\":\"w\"}]", "b 8:* w", false },
        { "[{\"allow\":true,\"type\":\"b\",\"major\":-1,\"minor\":-1,\"access\":\"rw\"},"
          "{\"allow\":true,\"type\":\"c\",\"access\":\"rwm\"}]",
          "b *:* rw,c *:* rwm", true },
        /* order: a deny takes back exactly its own exception, partly or whole */
        { "[{\"allow\":true,\"type\":\"b\",\"major\":8,\"minor\":0,\"access\":\"rw\"},"
          "{\"allow\":false,\"type\":\"b\",\"major\":8,\"minor\":0,\"access\":\"w\"}]",
          "b 8:0 r", false },
        { "[{\"allow\":true,\"type\":\"b\",\"major\":8,\"minor\":0,\"access\":\"rw\"},"
          "{\"allow\":false,\"type\":\"b\",\"major\":8,\"minor\":0,\"access\":\"rwm\"}]",
          "", false },
        /* ... and never a hole in a wildcard */
        { "[{\"allow\":true,\"type\":\"c\",\"access\":\"rw\"},"
          "{\"allow\":false,\"type\":\"c\",\"major\":1,\"minor\":1,\"access\":\"rw\"}]",
          "c *:* rw", false },
        /* unions merge on the same exception */
        { "[{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":3,\"access\":\"r\"},"
          "{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":3,\"access\":\"m\"}]",
          "c 1:3 rm", false },
        /* black-list: denies are exceptions, allows take them back */
        { "[{\"allow\":true,\"access\":\"rwm\"},{\"allow\":false,\"type\":\"c\",\"major\":1,\"minor\":1,\"access\":\"rw\"}]",
          "A,c 1:1 rw", true },
        /* rules runc refuses are not applied */
        { "[{\"allow\":true,\"type\":\"u\",\"major\":1,\"minor\":3,\"access\":\"rwm\"},"
          "{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":1,\"access\":\"\"}]",
          "", false },
};

static void
state_text (const struct devcg_state *s, char *buf, size_t size)
{
        size_t used = (size_t) snprintf (buf, size, "%s", s->default_allow ? "A" : "");
        char one[64];

        for (size_t i = 0; i < s->n && used < size; i++)
                used += (size_t) snprintf (buf + used, size - used, "%s%s", used ? "," : "",
                                           devcg_rule_text (&s->ex[i], one, sizeof one));
}

static void
emulator (void)
{
        for (size_t i = 0; i < HD_ARRAY_SIZE (emulated); i++) {
                _cleanup_json_ struct json *rules = NULL;
                struct hd_err err = { 0 };
                struct devcg_state s;
                char got[256];

                if (json_parse (emulated[i].rules, strlen (emulated[i].rules), &rules, &err) < 0) {
                        ok (0, "rules %zu parse: %s", i, err.msg);
                        continue;
                }
                devcg_simulate (rules, &s);
                state_text (&s, got, sizeof got);
                is_str (got, emulated[i].state, "rules %zu: %s", i, emulated[i].rules);
                ok (devcg_allows_everything (&s) == emulated[i].everything, "  every device: %s",
                    emulated[i].everything ? "yes" : "no");
        }
}

static void
wildcards (void)
{
        ok (devcg_number_is_wildcard (-1), "-1 is runc's wildcard");
        ok (devcg_number_is_wildcard (4294967295LL), "4294967295 is the cgroup v1 kernel's wildcard");
        ok (devcg_number_is_wildcard (4294967297LL), "beyond 32 bits matches all (v2 truncates)");
        ok (devcg_number_is_wildcard (-2), "-2 matches all");
        ok (!devcg_number_is_wildcard (0) && !devcg_number_is_wildcard (4294967294LL), "0 and 4294967294 are numbers");
}

/* devices.allow: accepted forms and the refusals, with their position. */
static const struct {
        const char *entry;
        const char *error; /* NULL: accepted */
} allow_entries[] = {
        { "/dev/fuse", NULL },
        { "c 10:200", NULL },
        { "b 7:*", NULL },
        { "c 4095:1048575", NULL },
        { "dev/fuse", "p.json:1:76: /rules/devices/allow/0: \"dev/fuse\" is neither an absolute device path" },
        { "c 10:200 rwm", "is neither an absolute device path" },
        { "a 1:3", "is neither" },
        { "u 1:3", "is neither" },
        { "c *:3", "is neither" },
        { "c *:*", "is neither" },
        { "c 4096:0", "is neither" },
        { "c 1:1048576", "is neither" },
        { "c -1:3", "is neither" },
        { "c 1:", "is neither" },
        { "c 1", "is neither" },
        { "c  1:3", "is neither" },
        { "", "must not be empty" },
};

static void
allow_list (void)
{
        for (size_t i = 0; i < HD_ARRAY_SIZE (allow_entries); i++) {
                char text[256];
                struct policy p;
                struct hd_err err = { 0 };
                int rc;

                snprintf (
                        text, sizeof text,
                        "{\"apiVersion\":\"hardened/v1\",\"rules\":{\"devices\":{\"action\":\"reject\",\"allow\":[\"%s\"]}}}",
                        allow_entries[i].entry);
                rc = policy_load_buffer ("p.json", text, strlen (text), &p, &err);
                if (!allow_entries[i].error) {
                        ok (rc == 0 && p.surface.ndevices == 1, "allow \"%s\" loads%s%s", allow_entries[i].entry,
                            rc ? ": " : "", err.msg);
                } else {
                        ok (rc < 0, "allow \"%s\" refused", allow_entries[i].entry);
                        has_str (err.msg, allow_entries[i].error, "  with \"%s\"", allow_entries[i].error);
                }
                policy_free (&p);
        }
}

static void
allow_parsed (void)
{
        static const char text[] = "{\"apiVersion\":\"hardened/v1\",\"rules\":{\"devices\":{\"action\":\"reject\","
                                   "\"allow\":[\"/dev/kvm\",\"b 7:*\",\"c 10:200\"]}}}";
        struct policy p;
        struct hd_err err = { 0 };
        const struct policy_device *d = p.surface.devices_allowed;

        ok (policy_load_buffer ("p.json", text, sizeof text - 1, &p, &err) == 0 && p.surface.ndevices == 3,
            "three allow entries load");
        ok (d[0].path && strcmp (d[0].path, "/dev/kvm") == 0, "  a path is kept for stat at check time");
        ok (!d[1].path && d[1].type == 'b' && d[1].major == 7 && d[1].any_minor, "  b 7:* is every minor of 7");
        ok (!d[2].path && d[2].type == 'c' && d[2].major == 10 && d[2].minor == 200 && !d[2].any_minor, "  c 10:200");
        policy_free (&p);
}

int
main (void)
{
        emulator ();
        wildcards ();
        allow_list ();
        allow_parsed ();
        printf ("1..%d\n", tap_n);
        return tap_failed ? 1 : 0;
}
