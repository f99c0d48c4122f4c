#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "hardened/num.h"
#include "hardened/util.h"

#include "update_resources.h"

/* How runc 1.1.5's update.go reads an inline flag's value. */
enum parser {
        P_RAM,     /* "-1", else units.RAMInBytes; "" leaves it unset */
        P_UINT10,  /* strconv.ParseUint (val, 10, 64); "" leaves it unset */
        P_INT10,   /* strconv.ParseInt (val, 10, 64); "" leaves it unset */
        P_GOINT,   /* context.Int: the flag package's strconv.ParseInt (s, 0, 64) */
        P_GOINT16, /* the same, then uint16 (val) */
        P_STRING,  /* context.String; "" leaves it unset */
};

enum source { SRC_NONE, SRC_REQUEST, SRC_STATE, SRC_STANDIN };

/* One row per LinuxResources field update.go reads: its inline flag, where
 * it sits in a resources document, how the flag is parsed, the
 * config.cgroups field of state.json runc copies it into (NULL: runc reads
 * it and ignores it), and the value judged when neither the request nor the
 * state sets it (0: none; the cgroup v1 default otherwise: unlimited, the
 * kernel's 100000us period).  A stand-in the policy leaves alone is handed
 * back as 0, "unchanged"; one named by kept_with is kept whenever that
 * sibling is handed over, so a quota is never applied to an unknown period. */
static const struct field {
        const char *flag;
        const char *obj, *key;
        enum parser parser;
        const char *state;
        int64_t standin;
        const char *kept_with;
} fields[] = {
        /* clang-format off */
        { "memory",             "memory",  "limit",           P_RAM,     "memory",             -1,     NULL },
        { "memory-swap",        "memory",  "swap",            P_RAM,     "memory_swap",        0,      NULL },
        { "memory-reservation", "memory",  "reservation",     P_RAM,     "memory_reservation", 0,      NULL },
        { "kernel-memory",      "memory",  "kernel",          P_RAM,     NULL,                 0,      NULL },
        { "kernel-memory-tcp",  "memory",  "kernelTCP",       P_RAM,     NULL,                 0,      NULL },
        { "cpu-share",          "cpu",     "shares",          P_UINT10,  "cpu_shares",         0,      NULL },
        { "cpu-quota",          "cpu",     "quota",           P_INT10,   "cpu_quota",          -1,     NULL },
        { "cpu-period",         "cpu",     "period",          P_UINT10,  "cpu_period",         100000, "quota" },
        { "cpu-rt-runtime",     "cpu",     "realtimeRuntime", P_INT10,   "cpu_rt_quota",       0,      NULL },
        { "cpu-rt-period",      "cpu",     "realtimePeriod",  P_UINT10,  "cpu_rt_period",      0,      NULL },
        { "cpuset-cpus",        "cpu",     "cpus",            P_STRING,  "cpuset_cpus",        0,      NULL },
        { "cpuset-mems",        "cpu",     "mems",            P_STRING,  "cpuset_mems",        0,      NULL },
        { "blkio-weight",       "blockIO", "weight",          P_GOINT16, "blkio_weight",       0,      NULL },
        { "pids-limit",         "pids",    "limit",           P_GOINT,   "pids_limit",         -1,     NULL },
        /* clang-format on */
};

_Static_assert(HD_ARRAY_SIZE (fields) <= UPDATERES_NFIELDS, "UPDATERES_NFIELDS too small");

static const char *const parser_why[] = {
        [P_RAM] = "not a size runc reads exactly (DIGITS[ ][kmgtp][i][b] with at most 2^53 before the unit, or -1)",
        [P_UINT10] = "not an unsigned decimal integer (strconv.ParseUint)",
        [P_INT10] = "not a decimal integer (strconv.ParseInt)",
        [P_GOINT] = "not plain decimal (runc would read 010 as octal, 0x10 as hex)",
        [P_GOINT16] = "not a plain decimal from 0 to 65535 (runc truncates the value to 16 bits)",
        [P_STRING] = "",
};

bool
update_resources_is_flag (const char *name)
{
        for (size_t i = 0; i < HD_ARRAY_SIZE (fields); i++)
                if (strcmp (fields[i].flag, name) == 0)
                        return true;
        return false;
}

/* ---- reading the flags as update.go does ---------------------------------- */

/* Decimal digits, leading zeros allowed (base 10 ParseUint/ParseFloat). */
static int
decimal_u64 (const char *s, size_t len, uint64_t *out)
{
        size_t zeros = 0;

        while (zeros + 1 < len && s[zeros] == '0')
                zeros++;
        return parse_u64 (s + zeros, len - zeros, out);
}

/* An optional sign, then `digits` read by `read`; the int64 range. */
static int
signed_i64 (const char *s, int (*read) (const char *, size_t, uint64_t *), int64_t *out)
{
        bool neg = *s == '-';
        uint64_t mag;

        if (*s == '-' || *s == '+')
                s++;
        if (read (s, strlen (s), &mag) < 0 || mag > (uint64_t) INT64_MAX + neg)
                return -1;
        *out = neg ? (int64_t) (0 - mag) : (int64_t) mag;
        return 0;
}

/* Base 0 as the flag package reads it, in its plain decimal spelling only:
 * "0" or a digit string without a leading zero. */
static int
plain_u64 (const char *s, size_t len, uint64_t *out)
{
        return len > 1 && s[0] == '0' ? -1 : parse_u64 (s, len, out);
}

/* go-units RAMInBytes, ^(\d+(\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$ times
 * 1024^unit through a float64, without fractions, and only where that
 * float is exact (the digits at most 2^53, the product below 2^63). */
static int
ram_bytes (const char *s, int64_t *out)
{
        static const char units[] = "kmgtp";
        size_t digits = strspn (s, "0123456789");
        const char *u = s + digits, *k;
        uint64_t v, mult = 1;

        if (strcmp (s, "-1") == 0)
                return *out = -1, 0;
        if (decimal_u64 (s, digits, &v) < 0 || v > (UINT64_C (1) << 53))
                return -1;
        if (*u == ' ')
                u++;
        if (*u && (k = strchr (units, *u | 0x20)) != NULL) {
                for (const char *i = units; i <= k; i++)
                        mult *= 1024;
                u++;
        }
        if ((*u | 0x20) == 'i')
                u++;
        if ((*u | 0x20) == 'b')
                u++;
        if (*u || (v && mult > (uint64_t) INT64_MAX / v))
                return -1;
        *out = (int64_t) (v * mult);
        return 0;
}

/* 1: the value leaves the field unset; 0: *node is the value; -1: not
 * readable the way runc reads it; -2: out of memory. */
static int
parse_value (enum parser p, const char *s, struct json **node)
{
        int64_t i;
        uint64_t u;

        *node = NULL;
        if (*s == '\0' && p != P_GOINT && p != P_GOINT16)
                return 1;
        switch (p) {
        case P_RAM:
                if (ram_bytes (s, &i) < 0)
                        return -1;
                *node = json_new_i64 (i);
                break;
        case P_UINT10:
                if (decimal_u64 (s, strlen (s), &u) < 0)
                        return -1;
                *node = json_new_u64 (u);
                break;
        case P_INT10:
        case P_GOINT:
        case P_GOINT16:
                if (signed_i64 (s, p == P_INT10 ? decimal_u64 : plain_u64, &i) < 0
                    || (p == P_GOINT16 && (i < 0 || i > UINT16_MAX)))
                        return -1;
                *node = json_new_i64 (i);
                break;
        case P_STRING:
                *node = json_new_string (s);
                break;
        }
        return *node ? 0 : -2;
}

static int
put (struct json *doc, const struct field *f, struct json *node, struct hd_err *err)
{
        struct json *obj = json_ensure (doc, f->obj, JSON_OBJECT, err);

        if (!obj) {
                json_free (node);
                return -1;
        }
        return json_set (obj, f->key, node, err);
}

static void
strict_finding (struct decision *d, const struct cli_flag *c, enum parser p)
{
        char where[64];
        size_t i = d->n;

        snprintf (where, sizeof where, "argv[%d] (--%s)", c->flag_index, c->name);
        decision_add (d, "cli.strictValues", where, c->value, "a value read exactly as runc reads it",
                      "--%s %s: %s; refused rather than guessed at", c->name, c->value, parser_why[p]);
        if (i < d->n)
                d->findings[i].action = ACTION_REJECT;
}

int
update_resources_from_flags (const struct cli *cli, struct json **request, struct decision *d, struct hd_err *err)
{
        _cleanup_json_ struct json *req = json_new (JSON_OBJECT);

        if (!req)
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        for (size_t i = 0; i < HD_ARRAY_SIZE (fields); i++) {
                const struct cli_flag *c = cli_last_flag (cli, fields[i].flag);
                struct json *node;
                int rc;

                if (!c || !c->value)
                        continue;
                rc = parse_value (fields[i].parser, c->value, &node);
                if (rc == -1)
                        strict_finding (d, c, fields[i].parser);
                else if (rc == -2 || (rc == 0 && put (req, &fields[i], node, err) < 0))
                        return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        }
        *request = steal_ptr (&req);
        return 0;
}

/* ---- the merge ------------------------------------------------------------ */

static const struct json *
field_value (const struct json *doc, const struct field *f)
{
        return json_get (json_get (doc, f->obj), f->key);
}

/* runc leaves a field as it is for 0 and "". */
static bool
is_set (const struct json *v)
{
        int64_t i;
        uint64_t u;

        if (!v)
                return false;
        if (v->type == JSON_STRING)
                return v->len > 0;
        if (v->type != JSON_NUMBER)
                return false;
        return !((json_number_i64 (v, &i) && i == 0) || (json_number_u64 (v, &u) && u == 0));
}

static bool
is_minus_one (const struct json *v)
{
        int64_t i;

        return v && json_number_i64 (v, &i) && i == -1;
}

/* The node runc's result holds for field `i`, and where it came from. */
static struct json *
merged_value (const struct json *request, const struct json *cgroups, size_t i, enum source *src)
{
        const struct field *f = &fields[i];
        const struct json *v = field_value (request, f);

        *src = SRC_REQUEST;
        if (is_set (v))
                return json_clone (v);
        /* fs driver: memory -1 with swap 0 sets swap -1 too (memory.go) */
        if (strcmp (f->key, "swap") == 0 && is_minus_one (json_get (json_get (request, "memory"), "limit")))
                return json_new_i64 (-1);
        *src = SRC_STATE;
        v = f->state ? json_get (cgroups, f->state) : NULL;
        if (is_set (v))
                return json_clone (v);
        *src = f->standin && f->state ? SRC_STANDIN : SRC_NONE;
        return *src == SRC_STANDIN ? json_new_i64 (f->standin) : NULL;
}

int
update_resources_merge (const struct json *request, const struct json *state, struct json **merged,
                        struct update_resources_sources *src, struct hd_err *err)
{
        const struct json *cgroups = json_path (state, "config", "cgroups", NULL);
        const struct json *unified = json_get (request, "unified");
        _cleanup_json_ struct json *out = json_new (JSON_OBJECT);

        if (!out)
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        if (!cgroups || cgroups->type != JSON_OBJECT)
                return hd_err_set (err, HD_EXIT_REFUSED, EINVAL, "state.json has no config.cgroups");
        memset (src, 0, sizeof *src);
        for (size_t i = 0; i < HD_ARRAY_SIZE (fields); i++) {
                enum source s;
                struct json *v = merged_value (request, cgroups, i, &s);

                src->src[i] = (unsigned char) s;
                if (s == SRC_NONE)
                        continue;
                if (!v || put (out, &fields[i], v, err) < 0)
                        return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        }
        /* runc replaces the config's unified map with the request's */
        if (unified && json_set (out, "unified", json_clone (unified), err) < 0)
                return -1;
        *merged = steal_ptr (&out);
        return 0;
}

/* ---- after the policy ----------------------------------------------------- */

static bool
standin_untouched (const struct json *merged, size_t i)
{
        const struct json *v = field_value (merged, &fields[i]);
        int64_t n;

        return v && json_number_i64 (v, &n) && n == fields[i].standin;
}

void
update_resources_finish (struct json *merged, const struct update_resources_sources *src)
{
        static const char *const objects[] = { "memory", "cpu", "pids", "blockIO" };

        for (int pass = 0; pass < 2; pass++) /* kept_with looks at the first pass's result */
                for (size_t i = 0; i < HD_ARRAY_SIZE (fields); i++) {
                        const struct field *f = &fields[i];
                        struct json *obj = json_get (merged, f->obj);

                        if (src->src[i] != SRC_STANDIN || (pass == 0) != (f->kept_with == NULL)
                            || !standin_untouched (merged, i))
                                continue;
                        if (f->kept_with && is_set (json_get (obj, f->kept_with)))
                                continue;
                        json_del (obj, f->key);
                }
        for (size_t i = 0; i < HD_ARRAY_SIZE (objects); i++) {
                const struct json *obj = json_get (merged, objects[i]);
                if (obj && obj->type == JSON_OBJECT && obj->n == 0)
                        json_del (merged, objects[i]);
        }
}
