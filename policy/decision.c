#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hardened/decision.h"
#include "hardened/rules.h"
#include "hardened/util.h"

void
decision_init (struct decision *d)
{
        memset (d, 0, offsetof (struct decision, notes));
}

struct decision *
decision_new (void)
{
        struct decision *d = malloc (sizeof *d);

        if (d)
                decision_init (d);
        return d;
}

/* snprintf (buf, size, "%s", s): the copy, cut to the buffer, terminated. */
static void
copy_bounded (char *buf, size_t size, const char *s)
{
        size_t n = strnlen (s, size - 1);

        memcpy (buf, s, n);
        buf[n] = '\0';
}

void
decision_add (struct decision *d, const char *rule, const char *pointer, const char *found, const char *required,
              const char *fmt, ...)
{
        struct finding *f;
        va_list ap;

        if (d->n == DECISION_MAX_FINDINGS) {
                d->dropped++;
                return;
        }
        f = &d->findings[d->n++];
        f->action = ACTION_OFF;
        f->fixed = false;
        f->changed = false;
        f->rule = rule;
        copy_bounded (f->pointer, sizeof f->pointer, pointer);
        copy_bounded (f->found, sizeof f->found, found ? found : "");
        copy_bounded (f->required, sizeof f->required, required ? required : "");
        va_start (ap, fmt);
        vsnprintf (f->message, sizeof f->message, fmt, ap);
        va_end (ap);
}

bool
decision_room (struct decision *d)
{
        if (d->n < DECISION_MAX_FINDINGS)
                return true;
        d->dropped++;
        return false;
}

void
decision_note (struct decision *d, const char *fmt, ...)
{
        va_list ap;

        if (d->nnotes == DECISION_MAX_NOTES)
                return;
        va_start (ap, fmt);
        vsnprintf (d->notes[d->nnotes++], sizeof d->notes[0], fmt, ap);
        va_end (ap);
}

static bool
finding_refuses (const struct finding *f)
{
        return f->action == ACTION_REJECT || (f->action == ACTION_REWRITE && !f->fixed);
}

void
decision_prepend (struct decision *d, const struct decision *first)
{
        size_t keep = first->n + d->n > DECISION_MAX_FINDINGS ? DECISION_MAX_FINDINGS - first->n : d->n;

        d->dropped += first->dropped + (d->n - keep);
        memmove (d->findings + first->n, d->findings, keep * sizeof *d->findings);
        memcpy (d->findings, first->findings, first->n * sizeof *d->findings);
        d->n = first->n + keep;
        if (first->verdict == VERDICT_REFUSED)
                d->verdict = VERDICT_REFUSED;
        else if (first->verdict == VERDICT_REWRITTEN && d->verdict == VERDICT_ALLOWED)
                d->verdict = VERDICT_REWRITTEN;
}

/* The first refusing finding of each rule that refused, into `first`
 * (d->n entries at most), most important rule first (rules_rank; rules of
 * one rank keep the decision's order).  Returns how many. */
static size_t
refusing_rules (const struct decision *d, size_t *first)
{
        size_t count = 0;

        for (size_t i = 0; i < d->n; i++) {
                size_t at;
                bool seen = false;

                for (size_t k = 0; k < count && !seen; k++)
                        seen = d->findings[first[k]].rule == d->findings[i].rule;
                if (seen || !finding_refuses (&d->findings[i]))
                        continue;
                /* insertion: after every entry that ranks the same or higher */
                for (at = count;
                     at > 0 && rules_rank (d->findings[first[at - 1]].rule) > rules_rank (d->findings[i].rule); at--)
                        first[at] = first[at - 1];
                first[at] = i;
                count++;
        }
        return count;
}

/* One entry per refusing rule (its first message, and how many more), the
 * most important rule first (rules_rank, policy/rules/rank.c).  Only
 * whole entries are written: what does not fit is counted at the end, so
 * the line never ends mid-entry in docker's or the kubelet's output, and
 * what is left out is the least important. */
void
decision_summary (const struct decision *d, char *buf, size_t size)
{
        size_t used = (size_t) snprintf (buf, size, "refused by policy %s: ", d->policy_source);
        size_t first[DECISION_MAX_FINDINGS], count = refusing_rules (d, first), left_out = 0;
        const char *sep = "";
        char entry[512], tail[64];

        for (size_t j = 0; j < count && used < size; j++) {
                const struct finding *f = &d->findings[first[j]];
                size_t more = 0, n;

                for (size_t k = first[j] + 1; k < d->n; k++)
                        more += d->findings[k].rule == f->rule && finding_refuses (&d->findings[k]);
                n = (size_t) snprintf (entry, sizeof entry, more ? "%s%s: %s (+%zu more)" : "%s%s: %s%.0zu", sep,
                                       f->rule, f->message, more);
                if (left_out || used + n + sizeof tail >= size) {
                        left_out++;
                        continue;
                }
                memcpy (buf + used, entry, n + 1);
                used += n;
                sep = "; ";
        }
        if ((left_out || d->dropped) && used < size)
                snprintf (buf + used, size - used, "; and %zu more rule(s), %zu more finding(s) in the log", left_out,
                          d->dropped);
}

/* A bounded writer: what does not fit is cut, and the text then ends in
 * "..." (room for it is kept from the start). */
struct bounded {
        char *buf;
        size_t size, used;
        bool cut;
};

static void
put (struct bounded *b, const char *s, size_t len)
{
        size_t room = b->size > 4 ? b->size - 4 - b->used : 0; /* "..." and the NUL */

        if (b->cut)
                return;
        if (len > room) {
                len = room;
                while (len > 0 && ((unsigned char) s[len] & 0xC0) == 0x80)
                        len--; /* never split a UTF-8 sequence */
                b->cut = true;
        }
        memcpy (b->buf + b->used, s, len);
        b->used += len;
}

static void
put_value (struct bounded *b, const struct json *j)
{
        static const char *const open[] = { [JSON_ARRAY] = "[", [JSON_OBJECT] = "{" };

        if (j->type == JSON_NULL || j->type == JSON_BOOL) {
                const char *t = j->type == JSON_NULL ? "null" : j->boolean ? "true" : "false";
                put (b, t, strlen (t));
                return;
        }
        if (j->type == JSON_NUMBER || j->type == JSON_STRING) {
                put (b, j->text, j->len);
                return;
        }
        put (b, open[j->type], 1);
        for (size_t i = 0; i < j->n && !b->cut; i++) {
                if (i)
                        put (b, ",", 1);
                if (j->type == JSON_OBJECT) {
                        put (b, j->members[i].key, strlen (j->members[i].key));
                        put (b, ":", 1);
                }
                put_value (b, j->type == JSON_OBJECT ? j->members[i].value : j->items[i]);
        }
        put (b, j->type == JSON_ARRAY ? "]" : "}", 1);
}

void
decision_value (const struct json *doc, const char *pointer, char *buf, size_t size)
{
        const struct json *j = json_pointer_get (doc, pointer);
        struct bounded b = { buf, size, 0, false };

        if (size < 8) {
                if (size)
                        buf[0] = '\0';
                return;
        }
        if (j)
                put_value (&b, j);
        else
                put (&b, "(absent)", 8);
        memcpy (buf + b.used, b.cut ? "..." : "", b.cut ? 4 : 1);
}

void
decision_finding_line (const struct decision *d, size_t i, char *buf, size_t size)
{
        const struct finding *f = &d->findings[i];
        const char *outcome = f->action == ACTION_WARN     ? "warning"
                              : f->fixed                   ? "rewritten"
                              : f->action == ACTION_REJECT ? "refused"
                                                           : "refused (no safe fix)";

        const char *parts[] = {
                "policy ",
                d->policy_source ? d->policy_source : "(null)",
                ": ",
                f->rule ? f->rule : "(null)",
                " ",
                outcome,
                " at ",
                f->pointer[0] ? f->pointer : "/",
                ": ",
                f->message,
                " (found: ",
                f->found,
                "; required: ",
                f->required,
                f->changed ? "; requested: " : "",
                f->changed ? f->requested : "",
                f->changed ? "; applied: " : "",
                f->changed ? f->applied : "",
                ")",
        };

        if (size > 0)
                hd_append (buf, size, 0, parts, HD_ARRAY_SIZE (parts));
}
