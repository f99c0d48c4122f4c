#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <glob.h>
#include <libgen.h>
#include <limits.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hardened/adminfile.h"
#include "hardened/caps.h"
#include "hardened/ids.h"
#include "hardened/image.h"
#include "hardened/num.h"
#include "hardened/paths.h"
#include "hardened/pattern.h"
#include "hardened/policy.h"
#include "hardened/rules.h"
#include "hardened/seccomp_profile.h"
#include "hardened/spec.h"
#include "hardened/trust.h"
#include "hardened/util.h"
#include "peek.h"
#include "schema.h"

/* ---- helpers -------------------------------------------------------------- */

struct loader {
        struct policy *p;
        struct hd_err *err;
};

static int load_fail (struct loader *l, const struct json *at, const char *ptr, const char *fmt, ...)
        __attribute__ ((format (printf, 4, 5)));

/* "SOURCE:LINE:COL: /pointer: message" */
static int
load_fail (struct loader *l, const struct json *at, const char *ptr, const char *fmt, ...)
{
        char what[1024];
        unsigned line = 1, col = 1;
        va_list ap;

        va_start (ap, fmt);
        vsnprintf (what, sizeof what, fmt, ap);
        va_end (ap);
        const struct policy_source *src = &l->p->sources[at && at->src < l->p->nsources ? at->src : 0];

        if (at && at->off != JSON_NO_OFFSET)
                json_line_col (src->text, src->len, at->off, &line, &col);
        return hd_err_set (l->err, HD_EXIT_REFUSED, EINVAL, "%s:%u:%u: %s: %s", src->name, line, col, ptr, what);
}

const char *
policy_action_name (enum policy_action a)
{
        static const char *const names[] = {
                [ACTION_OFF] = "off",
                [ACTION_WARN] = "warn",
                [ACTION_REJECT] = "reject",
                [ACTION_REWRITE] = "rewrite",
        };
        return names[a];
}

static int
parse_enum (struct loader *l, const struct json *j, const char *ptr, const char *const *names, size_t n, int *out)
{
        for (size_t i = 0; i < n; i++)
                if (names[i] && strcmp (j->text, names[i]) == 0)
                        return *out = (int) i, 0;
        return load_fail (l, j, ptr, "\"%s\" is not one of the accepted values", j->text);
}

#define ACTION_REQUIRED "\"action\" is required (off, warn, reject or rewrite)"

static int
parse_action (struct loader *l, const struct json *a, const char *ptr, enum policy_action *out)
{
        static const char *const names[] = { "off", "warn", "reject", "rewrite" };
        int v = 0;

        if (parse_enum (l, a, ptr, names, HD_ARRAY_SIZE (names), &v) < 0)
                return -1;
        *out = (enum policy_action) v;
        return 0;
}

/* A rule family's object in an exemption: its action (required). */
static int
load_action (struct loader *l, const struct json *rule, const char *ptr, enum policy_action *out)
{
        const struct json *a = json_get (rule, "action");
        char aptr[160];

        if (!a)
                return load_fail (l, rule, ptr, ACTION_REQUIRED);
        snprintf (aptr, sizeof aptr, "%s/action", ptr);
        return parse_action (l, a, aptr, out);
}

int
policy_parse_size (const char *text, uint64_t *out)
{
        static const struct {
                const char *suffix;
                uint64_t mult;
        } units[] = {
                { "Ki", 1ULL << 10 },   { "Mi", 1ULL << 20 },      { "Gi", 1ULL << 30 },
                { "Ti", 1ULL << 40 },   { "K", 1000ULL },          { "M", 1000000ULL },
                { "G", 1000000000ULL }, { "T", 1000000000000ULL }, { "", 1 },
        };
        size_t digits = strspn (text, "0123456789");
        uint64_t v;

        if (parse_u64 (text, digits, &v) < 0)
                return -1;
        for (size_t i = 0; i < HD_ARRAY_SIZE (units); i++) {
                if (strcmp (text + digits, units[i].suffix) != 0)
                        continue;
                if (v > INT64_MAX / units[i].mult)
                        return -1;
                *out = v * units[i].mult;
                return 0;
        }
        return -1;
}

int
policy_parse_millis (const char *text, size_t len, uint64_t *out)
{
        size_t whole = 0;
        uint64_t w, frac = 0;

        while (whole < len && text[whole] >= '0' && text[whole] <= '9')
                whole++;
        if (parse_u64 (text, whole, &w) < 0 || w > 1000000)
                return -1;
        if (whole < len) {
                size_t nfrac = len - whole - 1;
                if (text[whole] != '.' || nfrac == 0 || nfrac > 3)
                        return -1;
                for (size_t i = 0; i < 3; i++) {
                        char c = i < nfrac ? text[whole + 1 + i] : '0';
                        if (c < '0' || c > '9')
                                return -1;
                        frac = frac * 10 + (uint64_t) (c - '0');
                }
        }
        *out = w * 1000 + frac;
        return 0;
}

/* ---- the walk over the rows (schema.h) ----------------------------------- */

/* The row's scalar default as a node the converters read like the file's
 * own; NULL when it has none (or only prints a list or object). */
static const struct json *
default_node (const struct schema_row *r, struct json *node)
{
        union {
                const char *c;
                char *m;
        } text = { .c = r->dflt.text }; /* struct json's text is not const; never written through */

        if (!text.c || r->dflt.type == JSON_NULL || r->dflt.type == JSON_ARRAY || r->dflt.type == JSON_OBJECT)
                return NULL;
        memset (node, 0, sizeof *node);
        node->type = r->dflt.type;
        node->off = JSON_NO_OFFSET;
        node->text = text.m;
        node->len = strlen (text.c);
        node->boolean = strcmp (text.c, "true") == 0;
        return node;
}

static int load_rows (struct loader *l, const struct schema_row *rows, const struct json *obj, const char *ptr,
                      void *base);

/* snprintf (buf, size, "%s/%s", a, b), without the formatter: one per row
 * of every policy load (95 for the default policy). */
static void
ptr_join (char *buf, size_t size, const char *a, const char *b)
{
        size_t na = strlen (a), nb = strlen (b), at = 0;

        if (size == 0)
                return;
        memcpy (buf, a, na < size - 1 ? na : size - 1);
        at = na < size - 1 ? na : size - 1;
        if (at < size - 1)
                buf[at++] = '/';
        memcpy (buf + at, b, nb < size - 1 - at ? nb : size - 1 - at);
        at += nb < size - 1 - at ? nb : size - 1 - at;
        buf[at] = '\0';
}

/* One row of `obj` (at obj_ptr): an object's own rows first, then its
 * converter; a value's converter with the value or its default. */
static int
load_row (struct loader *l, const struct schema_row *r, const struct json *obj, const char *obj_ptr, void *base)
{
        char ptr[256];
        struct json dflt;
        struct schema_at at = { json_get (obj, r->field.name), obj, ptr, obj_ptr, base, (char *) base + r->off };

        ptr_join (ptr, sizeof ptr, obj_ptr, r->field.name);
        if (r->field.type->kind == SPEC_OBJECT) {
                if (load_rows (l, schema_rows (r->field.type), at.v, ptr, base) < 0)
                        return -1;
        } else if (!at.v && !(obj && (r->flags & SCHEMA_REQUIRED))) {
                at.v = default_node (r, &dflt);
        }
        return r->conv ? r->conv (l, r, &at) : 0;
}

/* The members of `obj` (NULL: absent, every row its default) into `base`. */
static int
load_rows (struct loader *l, const struct schema_row *rows, const struct json *obj, const char *ptr, void *base)
{
        for (const struct schema_row *r = rows; r->field.name; r++)
                if (load_row (l, r, obj, ptr, base) < 0)
                        return -1;
        return 0;
}

/* ---- scalars ---------------------------------------------------------------- */

int
load_api_version (struct loader *l, const struct schema_row *row, const struct schema_at *at)
{
        if (!at->v || strcmp (at->v->text, row->dflt.text) != 0)
                return load_fail (l, at->v ? at->v : at->obj, at->ptr, "must be \"%s\"", row->dflt.text);
        return 0;
}

int
load_mode (struct loader *l, const struct schema_row *row, const struct schema_at *at)
{
        static const char *const modes[] = { [MODE_ENFORCE] = "enforce", [MODE_AUDIT] = "audit" };
        int e = 0;

        if (parse_enum (l, at->v, at->ptr, modes, HD_ARRAY_SIZE (modes), &e) < 0)
                return -1;
        *(enum policy_mode *) at->dst = (enum policy_mode) e;
        return 0;
}

int
load_runtime (struct loader *l, const struct schema_row *row, const struct schema_at *at)
{
        if (at->v->text[0] != '/')
                return load_fail (l, at->v, at->ptr, "must be an absolute path");
        *(char **) at->dst = at->v->text;
        return 0;
}

int
load_abs_path (struct loader *l, const struct schema_row *row, const struct schema_at *at)
{
        if (at->v && at->v->text[0] != '/')
                return load_fail (l, at->v, at->ptr, "must be an absolute path");
        *(const char **) at->dst = at->v ? at->v->text : NULL;
        return 0;
}

int
load_string (struct loader *l, const struct schema_row *row, const struct schema_at *at)
{
        *(const char **) at->dst = at->v ? at->v->text : NULL;
        return 0;
}

/* The node itself (an object or array the rules read), or NULL. */
int
load_json (struct loader *l, const struct schema_row *row, const struct schema_at *at)
{
        *(const struct json **) at->dst = at->v;
        return 0;
}

int
load_bool (struct loader *l, const struct schema_row *row, const struct schema_at *at)
{
        *(bool *) at->dst = at->v && at->v->boolean;
        return 0;
}

int
load_u32 (struct loader *l, const struct schema_row *row, const struct schema_at *at)
{
        *(uint32_t *) at->dst = 0;
        return at->v ? parse_u32 (at->v->text, at->v->len, at->dst) : 0; /* schema-checked already */
}

int
load_action_field (struct loader *l, const struct schema_row *row, const struct schema_at *at)
{
        if (!at->v)
                return load_fail (l, at->obj, at->obj_ptr, ACTION_REQUIRED);
        return parse_action (l, at->v, at->ptr, at->dst);
}

/* document.*: reject or rewrite; unknownFields also allow (ACTION_OFF). */
static int
load_document_action (struct loader *l, const struct schema_at *at, bool allow)
{
        static const char *const names[] = {
                [ACTION_OFF] = "allow",
                [ACTION_REJECT] = "reject",
                [ACTION_REWRITE] = "rewrite",
        };
        int e = 0;

        if (parse_enum (l, at->v, at->ptr, names, allow ? HD_ARRAY_SIZE (names) : ACTION_REWRITE + 1, &e) < 0)
                return -1;
        if (e == ACTION_OFF && !allow)
                return load_fail (l, at->v, at->ptr,
                                  "\"allow\" is only for unknownFields: runc acts on "
                                  "this class; \"reject\" or \"rewrite\"");
        *(enum policy_action *) at->dst = (enum policy_action) e;
        return 0;
}

int
load_document_class (struct loader *l, const struct schema_row *row, const struct schema_at *at)
{
        return load_document_action (l, at, false);
}

int
load_document_unknown (struct loader *l, const struct schema_row *row, const struct schema_at *at)
{
        return load_document_action (l, at, true);
}

/* The older top-level "unknownFields" (reject|allow) counts below
 * document.unknownFields, so an overlay can use either. */
int
load_legacy_unknown (struct loader *l, const struct schema_row *row, const struct schema_at *at)
{
        static const char *const legacy[] = { [ACTION_OFF] = "allow", [ACTION_REJECT] = "reject" };
        int e = 0;

        if (json_path (at->obj, "document", "unknownFields", NULL))
                return 0;
        if (parse_enum (l, at->v, at->ptr, legacy, HD_ARRAY_SIZE (legacy), &e) < 0)
                return -1;
        *(enum policy_action *) at->dst = (enum policy_action) e;
        return 0;
}

/* A size (policy_parse_size), not 0; absent: 0, none. */
static int
load_size (struct loader *l, const struct schema_at *at, uint64_t *out)
{
        *out = 0;
        if (at->v && (policy_parse_size (at->v->text, out) < 0 || *out == 0))
                return load_fail (l, at->v, at->ptr, "\"%s\" is not a size (e.g. 512Mi, 4G, 1048576)", at->v->text);
        return 0;
}

int
load_size_field (struct loader *l, const struct schema_row *row, const struct schema_at *at)
{
        uint64_t v;

        if (load_size (l, at, &v) < 0)
                return -1;
        *(int64_t *) at->dst = (int64_t) v;
        return 0;
}

int
load_tmpfs_size (struct loader *l, const struct schema_row *row, const struct schema_at *at)
{
        return load_size (l, at, at->dst);
}

/* A CPU count in thousandths, not 0; absent: 0, none. */
int
load_millis_field (struct loader *l, const struct schema_row *row, const struct schema_at *at)
{
        uint64_t *out = at->dst;

        *out = 0;
        if (at->v && (policy_parse_millis (at->v->text, at->v->len, out) < 0 || *out == 0))
                return load_fail (l, at->v, at->ptr, "%s is not a CPU count (e.g. 1, 0.5, 2.25)", at->v->text);
        return 0;
}

int
load_period (struct loader *l, const struct schema_row *row, const struct schema_at *at)
{
        uint64_t *out = at->dst;

        if (parse_u64 (at->v->text, at->v->len, out) < 0 || *out < 1000 || *out > 1000000)
                return load_fail (l, at->v, at->ptr, "must be between 1000 and 1000000 microseconds");
        return 0;
}

/* resources.cpu.maxShares: at most the kernel's cpu.shares maximum (runc
 * 1.1 fails a container whose shares the kernel clamps), and at least its
 * default: a container that sets no shares keeps 1024, so a lower max would
 * hold only the containers that ask; absent: 0, none. */
int
load_shares (struct loader *l, const struct schema_row *row, const struct schema_at *at)
{
        uint64_t *out = at->dst;

        *out = 0;
        if (at->v && (parse_u64 (at->v->text, at->v->len, out) < 0 || *out < 1024 || *out > 262144))
                return load_fail (l, at->v, at->ptr,
                                  "must be between 1024 (the kernel's default, which a container that sets no "
                                  "shares keeps) and 262144");
        return 0;
}

/* A positive integer; absent: 0, none. */
int
load_positive (struct loader *l, const struct schema_row *row, const struct schema_at *at)
{
        int64_t *out = at->dst;

        *out = 0;
        if (at->v && (parse_i64 (at->v->text, at->v->len, out) < 0 || *out <= 0))
                return load_fail (l, at->v, at->ptr, "must be a positive integer");
        return 0;
}

/* realtime.cpu: a share of one CPU (0 to 1, "0": none). */
int
load_realtime_cpu (struct loader *l, const struct schema_row *row, const struct schema_at *at)
{
        uint64_t *out = at->dst;

        if (policy_parse_millis (at->v->text, at->v->len, out) < 0 || *out > 1000)
                return load_fail (l, at->v, at->ptr, "%s is not a share of one CPU between 0 and 1 (e.g. 0, 0.05)",
                                  at->v->text);
        return 0;
}

/* ---- rules.user -------------------------------------------------------------- */

/* uid and gid: what a rewrite sets; never 0. */
int
load_user_id (struct loader *l, const struct schema_row *row, const struct schema_at *at)
{
        if (load_u32 (l, row, at) < 0)
                return -1;
        if (*(uint32_t *) at->dst == 0)
                return load_fail (l, at->obj, at->obj_ptr, "uid and gid must not be 0");
        return 0;
}

/* Inclusive ranges with 0 < min <= max; absent or []: `dflt`. */
static int
read_ranges (struct loader *l, const struct schema_row *row, const struct schema_at *at, const struct policy_ids *dflt)
{
        const struct schema_row *item = schema_rows (row->field.type->elem);
        const struct json *ranges = at->v;
        struct policy_ids *out = at->dst;

        if (!ranges || ranges->n == 0) { /* [] is the default, as it always was for allowedUids */
                *out = *dflt;
                return 0;
        }
        out->n = 0;
        for (size_t i = 0; i < ranges->n; i++) {
                const struct json *e = ranges->items[i];
                struct policy_range *r = &out->r[out->n];
                char ptr[64];
                snprintf (ptr, sizeof ptr, "%s/%zu", at->ptr, i);
                if (out->n == POLICY_MAX_RANGES)
                        return load_fail (l, e, ptr, "at most %d ranges", POLICY_MAX_RANGES);
                if (load_rows (l, item, e, ptr, r) < 0)
                        return -1;
                if (r->min == 0 || r->min > r->max)
                        return load_fail (l, e, ptr, "needs 0 < min <= max");
                out->n++;
        }
        return 0;
}

int
load_ranges (struct loader *l, const struct schema_row *row, const struct schema_at *at)
{
        return read_ranges (l, row, at, row->arg);
}

/* mappedHost*: absent, the allowed set the row's arg names. */
int
load_mapped_ranges (struct loader *l, const struct schema_row *row, const struct schema_at *at)
{
        const size_t *same_as = row->arg;

        return read_ranges (l, row, at, (const struct policy_ids *) ((const char *) at->base + *same_as));
}

/* A rewrite must land on an id the rule accepts, or it fixes nothing
 * (a rejecting policy never sets them: its ids are not judged). */
int
load_user_check (struct loader *l, const struct schema_row *row, const struct schema_at *at)
{
        const struct policy_user *u = &l->p->user;
        const struct json *r = at->v;

        if (u->action == ACTION_REWRITE && !ids_allowed (&u->uids, u->uid))
                return load_fail (l, json_get (r, "uid") ? json_get (r, "uid") : r, "/rules/user/uid",
                                  "%u is outside allowedUids", u->uid);
        if (u->action == ACTION_REWRITE && !ids_allowed (&u->gids, u->gid))
                return load_fail (l, json_get (r, "gid") ? json_get (r, "gid") : r, "/rules/user/gid",
                                  "%u is outside allowedGids", u->gid);
        return 0;
}

/* ---- rules.readOnlyRootfs, capabilities, seccomp, resources ------------------- */

int
load_tmpfs (struct loader *l, const struct schema_row *row, const struct schema_at *at)
{
        struct policy_rootfs *f = at->dst;

        for (size_t i = 0; at->v && i < at->v->n; i++) {
                const struct json *e = at->v->items[i];
                char ptr[64];
                snprintf (ptr, sizeof ptr, "%s/%zu", at->ptr, i);
                if (e->text[0] != '/' || strstr (e->text, "/../") || strcmp (e->text, "/") == 0)
                        return load_fail (l, e, ptr, "\"%s\" must be an absolute path below /", e->text);
                if (f->ntmpfs == POLICY_MAX_TMPFS)
                        return load_fail (l, e, ptr, "at most %d tmpfs paths", POLICY_MAX_TMPFS);
                f->tmpfs[f->ntmpfs++] = e->text;
        }
        return 0;
}

int
load_caps (struct loader *l, const struct schema_row *row, const struct schema_at *at)
{
        uint64_t *allow = at->dst;

        for (size_t i = 0; at->v && i < at->v->n; i++) {
                const struct json *e = at->v->items[i];
                char ptr[64];
                int cap;
                snprintf (ptr, sizeof ptr, "%s/%zu", at->ptr, i);
                if (caps_from_name (e->text, &cap) < 0)
                        return load_fail (l, e, ptr,
                                          "\"%s\" is not a capability of this kernel "
                                          "(exact CAP_* names only)",
                                          e->text);
                *allow |= 1ULL << cap;
        }
        return 0;
}

/* capabilities.ambient: a grant of capabilities the allow-list already
 * keeps, so it never widens what the engine may hand the container. */
int
load_caps_ambient (struct loader *l, const struct schema_row *row, const struct schema_at *at)
{
        const struct policy *p = at->base;

        if (load_caps (l, row, at) < 0)
                return -1;
        for (size_t i = 0; at->v && i < at->v->n; i++) {
                const struct json *e = at->v->items[i];
                char ptr[64];
                int cap;
                snprintf (ptr, sizeof ptr, "%s/%zu", at->ptr, i);
                if (caps_from_name (e->text, &cap) == 0 && !(p->caps.allow >> cap & 1))
                        return load_fail (l, e, ptr,
                                          "\"%s\" is not in %s/allow (only an allowed capability can be ambient)",
                                          e->text, at->obj_ptr);
        }
        return 0;
}

int
load_seccomp_profile (struct loader *l, const struct schema_row *row, const struct schema_at *at)
{
        struct policy_seccomp *s = at->dst;

        s->profile_name = at->v->text;
        /* The compiled-in profile's tree and digest are made at build time
         * (test-seccomp checks the tree is the text's and passes the schema). */
        s->profile_builtin = strcmp (s->profile_name, "default") == 0;
        if (s->profile_builtin)
                s->profile = policy_default_seccomp_tree ();
        else if (seccomp_profile_load (s->profile_name, &s->profile, l->err) < 0)
                return load_fail (l, at->v, at->ptr, "%s", l->err->msg);
        s->text_sha256 = s->profile_builtin ? policy_default_seccomp_json_sha256 : NULL;
        if (!s->memo && !(s->memo = calloc (1, sizeof *s->memo)))
                return hd_err_set (l->err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        return 0;
}

/* The built-in deny-list (the row's arg), then the file's names. */
int
load_deny (struct loader *l, const struct schema_row *row, const struct schema_at *at)
{
        struct policy_seccomp *s = at->dst;

        for (const char *const *b = row->arg; *b; b++)
                if (s->deny_ptrace || strcmp (*b, "ptrace") != 0)
                        s->deny[s->ndeny++] = *b;
        for (size_t i = 0; at->v && i < at->v->n; i++) {
                const struct json *e = at->v->items[i];
                char ptr[64];
                snprintf (ptr, sizeof ptr, "%s/%zu", at->ptr, i);
                if (seccomp_syscall_known (s->profile, e->text) < 0)
                        return load_fail (l, e, ptr,
                                          "\"%s\" is not a system call libseccomp "
                                          "knows for any of the profile's architectures",
                                          e->text);
                if (s->ndeny == POLICY_MAX_DENY)
                        return load_fail (l, e, ptr, "at most %d names", POLICY_MAX_DENY);
                s->deny[s->ndeny++] = e->text;
        }
        return 0;
}

int
load_resources_check (struct loader *l, const struct schema_row *row, const struct schema_at *at)
{
        const struct policy_resources *x = &l->p->resources;

        if ((x->memory_max && x->memory_default > x->memory_max)
            || (x->cpu_max_milli && x->cpu_default_milli > x->cpu_max_milli)
            || (x->pids_max && x->pids_default > x->pids_max))
                return load_fail (l, at->v, at->ptr, "a default is above its max");
        return 0;
}

/* rules.images.unknown: its own action; absent, the family's. */
int
load_images_unknown (struct loader *l, const struct schema_row *row, const struct schema_at *at)
{
        return at->v ? parse_action (l, at->v, at->ptr, at->dst) : 0;
}

int
load_images_check (struct loader *l, const struct schema_row *row, const struct schema_at *at)
{
        if (at->v && !json_get (at->v, "unknown"))
                l->p->images.unknown = l->p->images.action;
        if (at->v && !json_get (at->v, "missing"))
                l->p->images.unscanned = l->p->images.action;
        return 0;
}

/* images.verdicts: the administrator's verdict file (only root may change
 * it, like the policy), read and checked whole at load. */
int
load_verdicts (struct loader *l, const struct schema_row *row, const struct schema_at *at)
{
        _cleanup_free_ char *text = NULL;
        struct policy_images *im = &l->p->images;
        size_t len;

        if (!at->v)
                return 0;
        if (at->v->text[0] != '/')
                return load_fail (l, at->v, at->ptr, "must be an absolute path");
        if (adminfile_read (at->v->text, &text, &len, l->err) < 0
            || verdicts_parse (text, len, &im->verdicts, l->err) < 0) {
                char why[HD_ERR_MSG_MAX];
                snprintf (why, sizeof why, "%s", l->err->msg);
                return load_fail (l, at->v, at->ptr, "verdict file %s: %s", at->v->text, why);
        }
        im->verdicts_path = at->v->text;
        return 0;
}

int
load_severity (struct loader *l, const struct schema_row *row, const struct schema_at *at)
{
        int sev = severity_from_name (at->v->text);

        if (sev < 0)
                return load_fail (l, at->v, at->ptr, "\"%s\" is not a severity (UNKNOWN, LOW, MEDIUM, HIGH, CRITICAL)",
                                  at->v->text);
        *(int *) at->dst = sev;
        return 0;
}

/* A duration: digits and a unit (s, m, h, d): "7d", "36h". */
int
load_age (struct loader *l, const struct schema_row *row, const struct schema_at *at)
{
        static const struct {
                char unit;
                int64_t seconds;
        } units[] = { { 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 } };
        int64_t n;
        size_t len = at->v ? at->v->len : 0;

        *(int64_t *) at->dst = 0;
        if (!at->v)
                return 0;
        for (size_t i = 0; len > 1 && i < HD_ARRAY_SIZE (units); i++)
                if (at->v->text[len - 1] == units[i].unit && parse_i64 (at->v->text, len - 1, &n) == 0 && n > 0
                    && n <= INT64_MAX / units[i].seconds) {
                        *(int64_t *) at->dst = n * units[i].seconds;
                        return 0;
                }
        return load_fail (l, at->v, at->ptr, "\"%s\" is not a duration (a positive number and s, m, h or d: \"7d\")",
                          at->v->text);
}

/* ---- lists ------------------------------------------------------------------- */

/* A list of strings as `spec` says, or its built-in default. */
static int
load_list (struct loader *l, const struct schema_list *spec, const struct schema_at *at, struct policy_list *out)
{
        const struct json *list = at->v;

        out->json = list;
        out->builtin = list ? NULL : spec->builtin;
        for (size_t i = 0; list && i < list->n; i++) {
                const struct json *e = list->items[i];
                char eptr[128];
                bool known = !spec->values;
                snprintf (eptr, sizeof eptr, "%s/%zu", at->ptr, i);
                for (size_t k = 0; spec->values && spec->values[k]; k++)
                        known |= strcmp (spec->values[k], e->text) == 0;
                if (!known)
                        return load_fail (l, e, eptr, "\"%s\" is not one of the accepted values", e->text);
                if (spec->paths && e->text[0] != '/')
                        return load_fail (l, e, eptr, "\"%s\" must be an absolute path", e->text);
                if (e->len == 0)
                        return load_fail (l, e, eptr, "must not be empty");
        }
        return 0;
}

/* The row's arg (struct schema_list) says what the list takes. */
int
load_list_field (struct loader *l, const struct schema_row *row, const struct schema_at *at)
{
        return load_list (l, row->arg, at, at->dst);
}

/* Any non-empty strings, for the converters that check more themselves. */
static const struct schema_list plain_list = { NULL, NULL, false };

/* rules.images.allow/deny: each a reference pattern or a bare sha256:
 * ID or digest (image.h). */
/* Each entry of `list` (at `ptr`) an image pattern: a reference pattern or
 * a bare sha256: ID or digest. */
static int
check_image_patterns (struct loader *l, const struct json *list, const char *ptr)
{
        for (size_t i = 0; list && i < list->n; i++) {
                struct image_ref ref;
                char eptr[128], why[512];
                snprintf (eptr, sizeof eptr, "%s/%zu", ptr, i);
                if (!image_is_digest (list->items[i]->text)
                    && image_ref_parse (list->items[i]->text, true, &ref, why, sizeof why) < 0)
                        return load_fail (l, list->items[i], eptr, "%s", why);
        }
        return 0;
}

int
load_image_list (struct loader *l, const struct schema_row *row, const struct schema_at *at)
{
        if (load_list (l, &plain_list, at, at->dst) < 0)
                return -1;
        return check_image_patterns (l, at->v, at->ptr);
}

/* cgroup v2 files that move processes or controllers: never a resource. */
static const char *const unified_never[] = {
        "cgroup.procs",
        "cgroup.threads",
        "cgroup.subtree_control",
        "cgroup.type",
};

/* resources.unified.allow: exact CONTROLLER.PARAMETER file names. */
int
load_unified (struct loader *l, const struct schema_row *row, const struct schema_at *at)
{
        const struct json *list = at->v;

        if (load_list (l, &plain_list, at, at->dst) < 0)
                return -1;
        for (size_t i = 0; list && i < list->n; i++) {
                const char *k = list->items[i]->text;
                const char *dot = strchr (k, '.');
                char ptr[64];
                snprintf (ptr, sizeof ptr, "%s/%zu", at->ptr, i);
                if (!dot || dot == k || dot[1] == '\0'
                    || strspn (k, "abcdefghijklmnopqrstuvwxyz0123456789_") != (size_t) (dot - k)
                    || strspn (dot, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.") != strlen (dot))
                        return load_fail (l, list->items[i], ptr,
                                          "\"%s\" is not a cgroup v2 file name "
                                          "(CONTROLLER.PARAMETER)",
                                          k);
                for (size_t n = 0; n < HD_ARRAY_SIZE (unified_never); n++)
                        if (strcmp (k, unified_never[n]) == 0)
                                return load_fail (l, list->items[i], ptr,
                                                  "%s moves processes or controllers, "
                                                  "not a limit: it cannot be allowed",
                                                  k);
        }
        return 0;
}

/* A filesystem type as mount(2) takes it: the kernel's names are exact
 * (lower case, digits, "_", "-", and "." for FUSE subtypes). */
static bool
fs_type_name (const char *t)
{
        return t[0] && strspn (t, "abcdefghijklmnopqrstuvwxyz0123456789_-.") == strlen (t);
}

int
load_fs_types (struct loader *l, const struct schema_row *row, const struct schema_at *at)
{
        const struct json *list = at->v;
        char ptr[128];

        if (load_list (l, &plain_list, at, at->dst) < 0)
                return -1;
        for (size_t i = 0; list && i < list->n; i++) {
                snprintf (ptr, sizeof ptr, "%s/%zu", at->ptr, i);
                if (!fs_type_name (list->items[i]->text))
                        return load_fail (l, list->items[i], ptr, "\"%s\" is not a filesystem type name",
                                          list->items[i]->text);
        }
        return 0;
}

/* mounts.allowMounts: [{"type", "destination"}], kept as written. */
int
load_mount_pairs (struct loader *l, const struct schema_row *row, const struct schema_at *at)
{
        const struct json *pairs = at->v;
        char ptr[128];

        for (size_t i = 0; pairs && i < pairs->n; i++) {
                const struct json *t = json_get (pairs->items[i], "type");
                const struct json *d = json_get (pairs->items[i], "destination");
                snprintf (ptr, sizeof ptr, "%s/%zu", at->ptr, i);
                if (!t || !d)
                        return load_fail (l, pairs->items[i], ptr, "needs \"type\" and \"destination\"");
                if (!fs_type_name (t->text))
                        return load_fail (l, t, ptr, "type \"%s\" is not a filesystem type name", t->text);
                if (!paths_clean (d->text))
                        return load_fail (l, d, ptr, "destination \"%s\" must be a clean absolute path", d->text);
        }
        *(const struct json **) at->dst = pairs;
        return 0;
}

/* "c 10:200", "b 7:*": a type, then decimal numbers in the kernel's ranges
 * (a 12-bit major, a 20-bit minor; larger ones wrap when runc makes the
 * node), "*" for every minor of one major.  No wildcard major: that would
 * be every device of a type. */
static int
parse_device_numbers (const char *text, struct policy_device *out)
{
        const char *colon = strchr (text, ':'), *minor;

        if ((text[0] != 'c' && text[0] != 'b') || text[1] != ' ' || !colon)
                return -1;
        if (parse_u32 (text + 2, (size_t) (colon - text - 2), &out->major) < 0 || out->major >= 1u << 12)
                return -1;
        minor = colon + 1;
        if (strcmp (minor, "*") == 0)
                out->any_minor = true;
        else if (parse_u32 (minor, strlen (minor), &out->minor) < 0 || out->minor >= 1u << 20)
                return -1;
        out->type = text[0];
        return 0;
}

/* devices.allow: host device paths (resolved at check time, where the
 * devices are) or numbers. */
int
load_devices (struct loader *l, const struct schema_row *row, const struct schema_at *at)
{
        struct policy_surface *x = at->dst;
        const struct json *list = at->v;

        if (load_list (l, &plain_list, at, &x->device_allow) < 0)
                return -1;
        for (size_t i = 0; list && i < list->n; i++) {
                const struct json *e = list->items[i];
                struct policy_device *d = &x->devices_allowed[x->ndevices];
                char ptr[64];

                snprintf (ptr, sizeof ptr, "%s/%zu", at->ptr, i);
                if (x->ndevices == POLICY_MAX_DEVICES)
                        return load_fail (l, e, ptr, "at most %d devices", POLICY_MAX_DEVICES);
                memset (d, 0, sizeof *d);
                if (e->text[0] == '/')
                        d->path = e->text;
                else if (parse_device_numbers (e->text, d) < 0)
                        return load_fail (l, e, ptr,
                                          "\"%s\" is neither an absolute device path nor numbers such as "
                                          "\"c 10:200\" or \"b 7:*\" (major below 4096, minor below 1048576)",
                                          e->text);
                x->ndevices++;
        }
        return 0;
}

/* ---- rules.hooks ------------------------------------------------------------- */

/* Each string of `list` (at `ptr`) a well-formed pattern, into out[]. */
static int
load_patterns (struct loader *l, const struct json *list, const char *ptr, size_t max, const char **out, size_t *n)
{
        *n = 0;
        for (size_t i = 0; list && i < list->n; i++) {
                const struct json *e = list->items[i];
                const char *why;
                size_t where;
                char eptr[160];
                snprintf (eptr, sizeof eptr, "%s/%zu", ptr, i);
                if (i == max)
                        return load_fail (l, e, eptr, "at most %zu entries", max);
                if (pattern_check (e->text, &where, &why) < 0)
                        return load_fail (l, e, eptr, "pattern \"%s\": %s at byte %zu", e->text, why, where);
                out[(*n)++] = e->text;
        }
        return 0;
}

/* A key that is gone: refused with what replaced it. */
int
load_gone (struct loader *l, const struct schema_row *row, const struct schema_at *at)
{
        if (at->v)
                return load_fail (l, at->v, at->obj_ptr,
                                  "\"args0\" is gone: \"args\" lists every "
                                  "argument, argv[0] first, one pattern each");
        return 0;
}

int
load_hook_path (struct loader *l, const struct schema_row *row, const struct schema_at *at)
{
        const struct json *path = at->v;

        if (!path || path->text[0] != '/' || strncmp (path->text, "/proc/", 6) == 0)
                return load_fail (l, path ? path : at->obj, at->obj_ptr,
                                  "\"path\" must be the absolute path of a file "
                                  "(a /proc/PID/exe hook is matched by the binary it names)");
        *(const char **) at->dst = path->text;
        return 0;
}

int
load_hook_args (struct loader *l, const struct schema_row *row, const struct schema_at *at)
{
        struct policy_hook *h = at->base;

        return load_patterns (l, at->v, at->ptr, POLICY_MAX_HOOK_ARGS, h->args, &h->nargs);
}

int
load_hook_env (struct loader *l, const struct schema_row *row, const struct schema_at *at)
{
        struct policy_hook *h = at->base;

        return load_patterns (l, at->v, at->ptr, POLICY_MAX_HOOK_ENV, h->env, &h->nenv);
}

/* maxTimeout: seconds, at least 1; absent: any timeout, or none (0). */
int
load_hook_timeout (struct loader *l, const struct schema_row *row, const struct schema_at *at)
{
        if (load_u32 (l, row, at) < 0)
                return -1;
        if (at->v && *(uint32_t *) at->dst == 0)
                return load_fail (l, at->v, at->obj_ptr, "\"maxTimeout\" must be at least 1 second");
        return 0;
}

/* rules.hooks.allow (each item by its rows), or the built-in list. */
int
load_hooks (struct loader *l, const struct schema_row *row, const struct schema_at *at)
{
        const struct schema_row *item = schema_rows (row->field.type->elem);
        const struct schema_hooks *builtin = row->arg;
        struct policy_surface *x = at->dst;
        const struct json *allow = at->v;

        if (!allow) {
                for (size_t i = 0; i < builtin->npaths; i++) {
                        struct policy_hook *h = &x->hook_allow[x->nhook_allow++];
                        h->path = builtin->paths[i];
                        h->nargs = builtin->nargs;
                        memcpy (h->args, builtin->args, builtin->nargs * sizeof *builtin->args);
                }
                return 0;
        }
        for (size_t i = 0; i < allow->n; i++) {
                char ptr[64];
                snprintf (ptr, sizeof ptr, "%s/%zu", at->ptr, i);
                if (i == POLICY_MAX_HOOKS)
                        return load_fail (l, allow->items[i], ptr, "at most %d hooks", POLICY_MAX_HOOKS);
                if (load_rows (l, item, allow->items[i], ptr, &x->hook_allow[x->nhook_allow++]) < 0)
                        return -1;
        }
        return 0;
}

/* ---- exemptions, trustedAnnotations -------------------------------------------- */

/* An exemption names a family that is not a row under "rules": a typo
 * would otherwise relax nothing, silently.  The error points at the key
 * and lists the families there are. */
static int
unknown_family (struct loader *l, const struct json_member *fam, const char *ptr)
{
        struct json key = { .off = fam->off, .src = fam->value->src };
        char known[512] = "";
        size_t used = 0;

        for (const struct schema_row *f = schema_rules; f->field.name && used < sizeof known; f++)
                used += (size_t) snprintf (known + used, sizeof known - used, "%s%s", used ? ", " : "", f->field.name);
        return load_fail (l, &key, ptr, "no rule family \"%s\" (rule families: %s)", fam->key, known);
}

bool
policy_family_has_parameters (const struct json *fam)
{
        for (size_t i = 0; fam->type == JSON_OBJECT && i < fam->n; i++)
                if (strcmp (fam->members[i].key, "action") != 0)
                        return true;
        return false;
}

/* An exemption's "rules": known families, each with its action, its
 * parameters (checked when its policy is built), or both. */
static int
load_exemption_rules (struct loader *l, const struct json *rules, const char *ptr, bool *params)
{
        *params = false;
        for (size_t k = 0; k < rules->n; k++) {
                const struct json_member *fam = &rules->members[k];
                enum policy_action ignored;
                char fptr[128];
                bool known = false;
                for (const struct schema_row *f = schema_rules; f->field.name; f++)
                        known |= strcmp (f->field.name, fam->key) == 0;
                snprintf (fptr, sizeof fptr, "%s/rules/%s", ptr, fam->key);
                if (!known)
                        return unknown_family (l, fam, fptr);
                if (fam->value->type != JSON_OBJECT)
                        return load_fail (l, fam->value, fptr, "must be an object");
                *params |= policy_family_has_parameters (fam->value);
                if ((!policy_family_has_parameters (fam->value) || json_get (fam->value, "action"))
                    && load_action (l, fam->value, fptr, &ignored) < 0)
                        return -1;
        }
        return 0;
}

/* Exemptions: each needs a name, at least one match criterion, and only
 * rule families that exist. */
int
load_exemptions (struct loader *l, const struct schema_row *row, const struct schema_at *at)
{
        const struct json *list = at->v;

        for (size_t i = 0; list && i < list->n; i++) {
                const struct json *e = list->items[i], *m = json_get (e, "match");
                struct policy_exemption *x;
                char ptr[64], mptr[96];

                snprintf (ptr, sizeof ptr, "%s/%zu", at->ptr, i);
                if (i == POLICY_MAX_EXEMPTIONS)
                        return load_fail (l, e, ptr, "at most %d exemptions", POLICY_MAX_EXEMPTIONS);
                if (!json_get (e, "name") || !json_get (e, "rules")
                    || (!json_get (m, "annotations") && !json_get (m, "ids") && !json_get (m, "images")))
                        return load_fail (l, e, ptr,
                                          "needs \"name\", \"rules\" and a \"match\" "
                                          "on \"annotations\", \"ids\" or \"images\"");
                snprintf (mptr, sizeof mptr, "%s/match/images", ptr);
                if (check_image_patterns (l, json_get (m, "images"), mptr) < 0)
                        return -1;
                x = &l->p->exemptions[l->p->nexemptions];
                if (load_exemption_rules (l, json_get (e, "rules"), ptr, &x->has_parameters) < 0)
                        return -1;
                l->p->nexemptions++;
                x->name = json_get (e, "name")->text;
                x->annotations = json_get (m, "annotations");
                x->ids = json_get (m, "ids");
                x->images = json_get (m, "images");
                x->rules = json_get (e, "rules");
        }
        return 0;
}

/* trustedAnnotations, or the built-in entries (the row's arg, JSON text). */
int
load_trust (struct loader *l, const struct schema_row *row, const struct schema_at *at)
{
        const struct json *list = at->v;
        const char *builtin = row->arg;

        for (size_t i = 0; list && i < list->n; i++) {
                const struct json *e = list->items[i], *root = json_get (e, "root"), *pre = json_get (e, "prefixes");
                char ptr[64];

                snprintf (ptr, sizeof ptr, "%s/%zu", at->ptr, i);
                if (!root || !pre || pre->n == 0)
                        return load_fail (l, e, ptr, "needs \"root\" and a non-empty \"prefixes\"");
                if (!paths_clean (root->text))
                        return load_fail (l, root, ptr, "root \"%s\" must be a clean absolute path", root->text);
                for (size_t k = 0; k < pre->n; k++)
                        if (pre->items[k]->len == 0)
                                return load_fail (l, pre->items[k], ptr, "a prefix must not be empty");
        }
        l->p->trusted_annotations = list;
        if (list)
                return 0;
        if (json_parse (builtin, strlen (builtin), &l->p->trusted_builtin, l->err) < 0)
                return -1;
        l->p->trusted_annotations = l->p->trusted_builtin;
        return 0;
}

/* ---- sources and layering ------------------------------------------------- */

static void
mark_source (struct json *j, unsigned short src)
{
        j->src = src;
        for (size_t i = 0; i < j->n; i++)
                mark_source (j->type == JSON_OBJECT ? j->members[i].value : j->items[i], src);
}

/* Parse and schema-check one file's bytes as source number nsources. */
static int
add_source (struct policy *p, const char *name, const char *buf, size_t len, struct json **tree, struct hd_err *err)
{
        struct policy_source *s;
        const struct json *api;

        if (p->nsources == POLICY_MAX_SOURCES)
                return hd_err_set (err, HD_EXIT_REFUSED, E2BIG, "%s: more than %d layered files", name,
                                   POLICY_MAX_SOURCES);
        s = &p->sources[p->nsources];
        s->name = strdup (name);
        s->text = malloc (len + 1);
        if (!s->name || !s->text) {
                free (s->name);
                free (s->text);
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        }
        memcpy (s->text, buf, len);
        s->text[len] = '\0';
        s->len = len;
        p->nsources++;
        if (json_parse (s->text, len, tree, err) < 0
            || spec_check (*tree, &schema_policy, SPEC_EXACT_KEYS, s->text, len, err) < 0)
                return hd_err_prefix (err, "%s:", name);
        mark_source (*tree, (unsigned short) (p->nsources - 1));
        api = json_get (*tree, "apiVersion");
        if (!api || strcmp (api->text, "hardened/v1") != 0) {
                unsigned line = 1, col = 1;
                if (api)
                        json_line_col (s->text, len, api->off, &line, &col);
                return hd_err_set (err, HD_EXIT_REFUSED, EINVAL, "%s:%u:%u: /apiVersion: must be \"hardened/v1\"", name,
                                   line, col);
        }
        return 0;
}

/* Merge `over` into `base` (both consumed; result in *base): objects key by
 * key recursively, anything else replaced, top-level "exemptions" appended. */
static int
merge (struct json **base, struct json *over, bool top, struct hd_err *err)
{
        if (!*base || (*base)->type != JSON_OBJECT || over->type != JSON_OBJECT) {
                json_free (*base);
                *base = over;
                return 0;
        }
        for (size_t i = 0; i < over->n; i++) {
                struct json_member *m = &over->members[i];
                struct json *have = NULL;
                size_t k;
                for (k = 0; k < (*base)->n; k++)
                        if (strcmp ((*base)->members[k].key, m->key) == 0) {
                                have = (*base)->members[k].value;
                                break;
                        }
                if (top && strcmp (m->key, "exemptions") == 0 && have) {
                        for (size_t e = 0; e < m->value->n; e++)
                                if (json_append (have, steal_ptr (&m->value->items[e]), err) < 0)
                                        return -1;
                        continue;
                }
                if (!have) {
                        if (json_set (*base, m->key, steal_ptr (&m->value), err) < 0)
                                return -1;
                        continue;
                }
                if (merge (&(*base)->members[k].value, steal_ptr (&m->value), false, err) < 0)
                        return -1;
        }
        json_free (over);
        return 0;
}

static int load_layered (struct policy *p, const char *path, int depth, struct json **out, struct hd_err *err);

/* The file named by "extends", relative to the extending file's directory. */
static int
load_extends (struct policy *p, const char *path, const struct json *ext, int depth, struct json **out,
              struct hd_err *err)
{
        _cleanup_free_ char *dir_copy = strdup (path);
        char base[PATH_MAX];

        if (!dir_copy)
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        if (ext->text[0] == '/')
                snprintf (base, sizeof base, "%s", ext->text);
        else
                snprintf (base, sizeof base, "%s/%s", dirname (dir_copy), ext->text);
        if (depth >= 8)
                return hd_err_set (err, HD_EXIT_REFUSED, ELOOP, "%s: /extends: more than 8 levels (a cycle?)", path);
        return load_layered (p, base, depth + 1, out, err);
}

/* A file and the chain it extends, merged (the file's values win). */
static int
load_layered (struct policy *p, const char *path, int depth, struct json **out, struct hd_err *err)
{
        _cleanup_free_ char *buf = NULL;
        _cleanup_json_ struct json *tree = NULL;
        struct json *base = NULL;
        const struct json *ext;
        size_t len;

        if (adminfile_read (path, &buf, &len, err) < 0)
                return hd_err_prefix (err, "policy %s: ", path);
        if (add_source (p, path, buf, len, &tree, err) < 0)
                return -1;
        ext = json_get (tree, "extends");
        if (ext && load_extends (p, path, ext, depth, &base, err) < 0)
                return -1;
        json_del (tree, "extends");
        if (!base) {
                *out = steal_ptr (&tree);
                return 0;
        }
        if (merge (&base, steal_ptr (&tree), true, err) < 0) {
                json_free (base);
                return -1;
        }
        *out = base;
        return 0;
}

/* policy.d/ next to the policy, when there is one: whoever can add a file
 * to it adds to the policy, so it is held to the policy's own standard even
 * while it is empty, and a policy.d that cannot be listed fails the load.
 * 1 when there is one to read, 0 when there is none. */
static int
check_overlay_dir (const char *dir, struct hd_err *err)
{
        struct stat st;

        if (lstat (dir, &st) < 0 && errno == ENOENT)
                return 0;
        if (trust_check_path (dir, err) < 0)
                return hd_err_prefix (err,
                                      "policy overlays %s: refused, someone other than root can change them: ", dir);
        return 1;
}

/* The *.json files of policy.d/ next to `path`, in lexical order, merged on top. */
static int
load_overlays (struct policy *p, const char *path, struct hd_err *err)
{
        _cleanup_free_ char *dir_copy = strdup (path);
        char dir[PATH_MAX], pattern[PATH_MAX + 8];
        glob_t g;
        int rc = 0;

        if (!dir_copy)
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        snprintf (dir, sizeof dir, "%s/policy.d", dirname (dir_copy));
        rc = check_overlay_dir (dir, err);
        if (rc <= 0)
                return rc;
        snprintf (pattern, sizeof pattern, "%s/*.json", dir);
        rc = glob (pattern, GLOB_ERR, NULL, &g);
        if (rc == GLOB_ABORTED)
                return hd_err_set (err, HD_EXIT_REFUSED, EACCES, "policy overlays %s: cannot be listed", dir);
        if (rc != 0)
                return 0; /* no *.json in it */
        for (size_t i = 0; rc == 0 && i < g.gl_pathc; i++) {
                struct json *over = NULL;
                rc = load_layered (p, g.gl_pathv[i], 0, &over, err);
                if (rc == 0)
                        rc = merge (&p->tree, over, true, err);
        }
        globfree (&g);
        return rc;
}

/* `over` laid over `base`: objects key by key (base's made where it has
 * none), anything else (a value, a list) replaces base's.  Over's nodes
 * are shared, not copied, so a message about one still points into its
 * file; base is the variant's own copy. */
static int
overlay_into (struct json *base, const struct json *over, struct hd_err *err)
{
        for (size_t i = 0; i < over->n; i++) {
                const struct json_member *m = &over->members[i];
                struct json *have;
                if (m->value->type != JSON_OBJECT) {
                        if (json_set (base, m->key, (struct json *) m->value, err) < 0)
                                return -1;
                        continue;
                }
                if (!(have = json_ensure (base, m->key, JSON_OBJECT, err)) || overlay_into (have, m->value, err) < 0)
                        return -1;
        }
        return 0;
}

static int load_tree (struct policy *p, struct hd_err *err);

/* The policy an exemption with parameters is judged by: the policy's own
 * merged tree, its "rules" overlaid with the exemption's (actions
 * included), without exemptions of its own, loaded by the same rows. */
static int
load_exemption_policy (const struct policy *p, struct policy_exemption *e, struct hd_err *err)
{
        const struct policy_source *src = &p->sources[e->rules->src < p->nsources ? e->rules->src : 0];
        struct policy *v = calloc (1, sizeof *v);
        struct json *rules;

        if (!v)
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        e->policy = v;
        v->variant = true;
        v->source = p->source; /* the base's: shared, like its sources */
        v->nsources = p->nsources;
        memcpy (v->sources, p->sources, sizeof v->sources);
        v->tree = json_clone (p->tree);
        if (!v->tree)
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        json_del (v->tree, "exemptions");
        if (!(rules = json_ensure (v->tree, "rules", JSON_OBJECT, err)) || overlay_into (rules, e->rules, err) < 0)
                return -1;
        /* the parameters are the families' own, spelled and typed as under
         * "rules" (the file's own text, for the positions) */
        if (spec_check (rules, &schema_rules_type, SPEC_EXACT_KEYS, src->text, src->len, err) < 0)
                return hd_err_prefix (err, "exemption \"%s\": %s:", e->name, src->name);
        if (load_tree (v, err) < 0)
                return hd_err_prefix (err, "exemption \"%s\": ", e->name);
        return 0;
}

/* Everything after the merged tree is in p->tree: the rows convert it,
 * then each exemption with parameters gets its policy. */
static int
load_tree (struct policy *p, struct hd_err *err)
{
        struct loader l = { .p = p, .err = err };

        if (load_rows (&l, schema_rows (&schema_policy), p->tree, "", p) < 0)
                return -1;
        for (size_t i = 0; i < p->nexemptions; i++)
                if (p->exemptions[i].has_parameters && load_exemption_policy (p, &p->exemptions[i], err) < 0)
                        return -1;
        return 0;
}

int
policy_load_buffer (const char *source, const char *buf, size_t len, struct policy *p, struct hd_err *err)
{
        memset (p, 0, sizeof *p);
        p->source = strdup (source);
        if (!p->source)
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        if (add_source (p, source, buf, len, &p->tree, err) < 0)
                return -1;
        if (json_get (p->tree, "extends"))
                return load_fail (&(struct loader) { .p = p, .err = err }, json_get (p->tree, "extends"), "/extends",
                                  "only a policy file can extend another");
        return load_tree (p, err);
}

int
policy_load_file (const char *path, struct policy *p, struct hd_err *err)
{
        memset (p, 0, sizeof *p);
        p->source = strdup (path);
        if (!p->source)
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        if (load_layered (p, path, 0, &p->tree, err) < 0 || load_overlays (p, path, err) < 0)
                return -1;
        return load_tree (p, err);
}

/* The installed policy: 1 when it is absent (nothing at all there, not
 * even a symlink, and its directory no dangling symlink either), 0 when
 * something is there to load, < 0 for a symlink to nothing.  Whatever is
 * there is loaded, so a dangling link, an unreadable or an invalid file
 * fails closed instead of falling back to the built-in default. */
static int
installed_absent (const char *path, struct hd_err *err)
{
        _cleanup_free_ char *dir_copy = strdup (path);
        struct stat st;

        if (lstat (path, &st) == 0) {
                if (S_ISLNK (st.st_mode) && stat (path, &st) < 0)
                        return hd_err_set (err, HD_EXIT_REFUSED, errno,
                                           "policy %s: a symbolic link to nothing (%s); point it at "
                                           "the policy or remove it",
                                           path, strerror (errno));
                return 0;
        }
        if (errno != ENOENT || !dir_copy)
                return 0;
        if (lstat (dirname (dir_copy), &st) == 0 && S_ISLNK (st.st_mode) && stat (dir_copy, &st) < 0)
                return hd_err_set (err, HD_EXIT_REFUSED, ENOENT,
                                   "policy %s: its directory %s is a symbolic link to nothing", path, dir_copy);
        return 1;
}

int
policy_resolve (const char *named, struct policy *p, struct hd_err *err)
{
        int absent;

        if (named)
                return policy_load_file (named, p, err);
        absent = installed_absent (HD_POLICY_PATH, err);
        if (absent < 0)
                return -1;
        if (!absent)
                return policy_load_file (HD_POLICY_PATH, p, err);
        return policy_load_buffer ("built-in default", policy_default_json, policy_default_json_len, p, err);
}

void
policy_free (struct policy *p)
{
        free (p->images.verdicts.v);
        for (size_t i = 0; i < p->nexemptions; i++)
                if (p->exemptions[i].policy) {
                        policy_free (p->exemptions[i].policy);
                        free (p->exemptions[i].policy);
                }
        if (p->variant) { /* its source and sources are the base's */
                p->source = NULL;
                p->nsources = 0;
        }
        if (!p->seccomp.profile_builtin)
                json_free (p->seccomp.profile);
        seccomp_profile_memo_free (p->seccomp.memo);
        json_free (p->tree);
        json_free (p->trusted_builtin);
        for (size_t i = 0; i < p->backend.nunsafe; i++)
                free (p->backend.unsafe[i]);
        free (p->backend.unsafe);
        free (p->source);
        for (size_t i = 0; i < p->nsources; i++) {
                free (p->sources[i].name);
                free (p->sources[i].text);
        }
        memset (p, 0, sizeof *p);
}

char *
policy_peek_runtime (const char *named)
{
        const char *path = named ? named : HD_POLICY_PATH;
        _cleanup_free_ char *buf = NULL;
        char *rt = NULL;
        struct hd_err ignored;
        size_t len;

        /* json_peek_string accepts exactly what json_parse does;
         * peek_string_fast answers the same for the files it can decide
         * (a policy as written) for a third of the instructions */
        if (adminfile_read (path, &buf, &len, &ignored) < 0)
                return NULL;
        if (!peek_string_fast (buf, len, "runtime", &rt) && json_peek_string (buf, len, "runtime", &rt, &ignored) < 0)
                return NULL;
        if (rt && rt[0] != '/') {
                free (rt);
                rt = NULL;
        }
        return rt;
}
