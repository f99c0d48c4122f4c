#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "hardened/devcgroup.h"

/* See include/hardened/devcgroup.h for what runc makes of each field;
 * this file is that reading and runc's emulator, nothing else. */

bool
devcg_number_is_wildcard (int64_t v)
{
        return v < 0 || v >= (int64_t) UINT32_MAX;
}

/* Absent: runc's -1.  The config was held to the OCI schema (an int64). */
static int
read_number (const struct json *j, int64_t *out)
{
        *out = DEVCG_WILDCARD;
        return !j || json_number_i64 (j, out) ? 0 : -1;
}

/* Go's Permissions.toSet: each r, w, m counts once; anything else is ignored. */
static unsigned
access_bits (const char *text, size_t len)
{
        static const struct {
                char c;
                unsigned bit;
        } letters[] = { { 'r', DEVCG_READ }, { 'w', DEVCG_WRITE }, { 'm', DEVCG_MKNOD } };
        unsigned bits = 0;

        for (size_t i = 0; i < len; i++)
                for (size_t k = 0; k < sizeof letters / sizeof letters[0]; k++)
                        if (text[i] == letters[k].c)
                                bits |= letters[k].bit;
        return bits;
}

int
devcg_rule_read (const struct json *item, struct devcg_rule *out)
{
        const struct json *type = json_get (item, "type"), *access = json_get (item, "access");
        const struct json *allow = json_get (item, "allow");

        memset (out, 0, sizeof *out);
        out->allow = allow && allow->type == JSON_BOOL && allow->boolean;
        out->type = 'a';
        if (type && type->type != JSON_STRING)
                return -1;
        if (type && type->len > 0) {
                if (type->len != 1 || (type->text[0] != 'a' && type->text[0] != 'b' && type->text[0] != 'c'))
                        return -1; /* runc: invalid cgroup device type */
                out->type = type->text[0];
        }
        if (read_number (json_get (item, "major"), &out->major) < 0
            || read_number (json_get (item, "minor"), &out->minor) < 0)
                return -1;
        if (!access || access->type != JSON_STRING || access->len == 0)
                return -1; /* runc: device access field cannot be empty */
        out->access = access_bits (access->text, access->len);
        return 0;
}

const char *
devcg_access_text (unsigned access, char *buf)
{
        size_t n = 0;

        if (access & DEVCG_READ)
                buf[n++] = 'r';
        if (access & DEVCG_WRITE)
                buf[n++] = 'w';
        if (access & DEVCG_MKNOD)
                buf[n++] = 'm';
        buf[n] = '\0';
        return buf;
}

static void
number_text (int64_t v, char *buf, size_t size)
{
        if (v == DEVCG_WILDCARD)
                snprintf (buf, size, "*");
        else
                snprintf (buf, size, "%" PRId64, v);
}

const char *
devcg_rule_text (const struct devcg_rule *r, char *buf, size_t size)
{
        char major[24], minor[24], access[4];

        number_text (r->major, major, sizeof major);
        number_text (r->minor, minor, sizeof minor);
        snprintf (buf, size, "%c %s:%s %s", r->type, major, minor, devcg_access_text (r->access, access));
        return buf;
}

/* ---- the emulator (runc's libcontainer/cgroups/devices) ---- */

void
devcg_init (struct devcg_state *s)
{
        s->default_allow = false;
        s->overflow = false;
        s->n = 0;
}

static struct devcg_rule *
find (struct devcg_state *s, const struct devcg_rule *r)
{
        for (size_t i = 0; i < s->n; i++)
                if (s->ex[i].type == r->type && s->ex[i].major == r->major && s->ex[i].minor == r->minor)
                        return &s->ex[i];
        return NULL;
}

/* Merge into the exception of exactly this (type, major, minor). */
static void
add (struct devcg_state *s, const struct devcg_rule *r)
{
        struct devcg_rule *e = find (s, r);

        if (!e && r->access) {
                if (s->n == DEVCG_MAX_EXCEPTIONS) {
                        s->overflow = true;
                        return;
                }
                e = &s->ex[s->n++];
                *e = *r;
                e->allow = !s->default_allow;
        }
        if (e)
                e->access |= r->access;
}

/* Subtract from exactly this exception, never from a wildcard one (runc
 * refuses to punch such a hole, cgroup v1 silently ignores it). */
static void
sub (struct devcg_state *s, const struct devcg_rule *r)
{
        struct devcg_rule *e = find (s, r);

        if (!e)
                return;
        e->access &= ~r->access;
        if (!e->access)
                *e = s->ex[--s->n];
}

void
devcg_apply (struct devcg_state *s, const struct devcg_rule *r)
{
        if (r->type == 'a') {
                /* Numbers and access do not matter: a reset. */
                s->default_allow = r->allow;
                s->overflow = false;
                s->n = 0;
                return;
        }
        if (r->allow == s->default_allow)
                sub (s, r);
        else
                add (s, r);
}

void
devcg_simulate (const struct json *rules, struct devcg_state *s)
{
        devcg_init (s);
        for (size_t i = 0; rules && rules->type == JSON_ARRAY && i < rules->n; i++) {
                struct devcg_rule r;
                if (devcg_rule_read (rules->items[i], &r) == 0)
                        devcg_apply (s, &r);
        }
}

static bool
grants_all_of (const struct devcg_state *s, char type)
{
        for (size_t i = 0; i < s->n; i++)
                if (s->ex[i].type == type && devcg_number_is_wildcard (s->ex[i].major)
                    && devcg_number_is_wildcard (s->ex[i].minor) && (s->ex[i].access & DEVCG_OPEN) == DEVCG_OPEN)
                        return true;
        return false;
}

bool
devcg_allows_everything (const struct devcg_state *s)
{
        if (s->default_allow || s->overflow)
                return true;
        return grants_all_of (s, 'c') && grants_all_of (s, 'b');
}
