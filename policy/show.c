#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hardened/policy.h"
#include "hardened/rules.h"
#include "hardened/util.h"

/* `hardened policy show`: the effective policy as one document, after
 * layering, with every default the loader applies written out.  The
 * defaults are a document of their own (below) under the merged files;
 * the seccomp deny-list is the one the loader built (the built-in minimum
 * always comes first). */

static const char defaults_json[] = "{\"apiVersion\":\"hardened/v1\","
        "\"mode\":\"enforce\",\"runtime\":\"" HD_DEFAULT_RUNTIME "\","
        "\"document\":{\"foldedKeys\":\"reject\",\"nulls\":\"reject\",\"duplicateKeys\":\"reject\","
        "\"unknownFields\":\"reject\"},"
        "\"audit\":{\"required\":false},"
        "\"rules\":{"
        "\"user\":{\"action\":\"off\",\"uid\":65534,\"gid\":65534,"
        "\"requireUserNamespace\":false,\"allowRootInUserNamespace\":false},"
        "\"readOnlyRootfs\":{\"action\":\"off\",\"tmpfs\":[],\"tmpfsSize\":\"64Mi\"},"
        "\"capabilities\":{\"action\":\"off\",\"allow\":[]},"
        "\"noNewPrivileges\":{\"action\":\"off\"},"
        "\"runtimeFlags\":{\"action\":\"off\"},"
        "\"seccomp\":{\"action\":\"off\",\"profile\":\"default\"},"
        "\"resources\":{\"action\":\"off\",\"memory\":{\"default\":null,\"max\":null,\"allowSwap\":false},"
        "\"cpu\":{\"default\":null,\"max\":null,\"period\":100000},\"pids\":{\"default\":null,\"max\":null},"
        "\"unified\":{\"allow\":[]}},"
        "\"realtime\":{\"action\":\"off\",\"cpu\":0},"
        "\"hostNamespaces\":{\"action\":\"off\"},"
        "\"mounts\":{\"action\":\"off\",\"allow\":null,\"readOnly\":false,\"allowTypes\":[],\"allowMounts\":[],"
        "\"rootfsUnder\":null},"
        "\"privileged\":{\"action\":\"off\"},"
        "\"devices\":{\"action\":\"off\",\"allow\":[]},"
        "\"maskedPaths\":{\"action\":\"off\"},"
        "\"sysctls\":{\"action\":\"off\",\"allow\":[]},"
        "\"lsm\":{\"action\":\"off\",\"apparmorProfile\":null,\"selinuxLabel\":null},"
        "\"hooks\":{\"action\":\"off\"},"
        "\"annotations\":{\"action\":\"off\",\"allow\":[]},"
        "\"oomScoreAdj\":{\"action\":\"off\"},"
        "\"rlimits\":{\"action\":\"off\",\"max\":{\"RLIMIT_RTPRIO\":0}},"
        "\"cgroupsPath\":{\"action\":\"off\",\"prefixes\":[]},"
        "\"secrets\":{\"action\":\"off\"}"
        "},\"exemptions\":[]}";

static struct json *
strings_json (const char *const *s, size_t n)
{
        struct json *a = json_new (JSON_ARRAY);
        struct hd_err ignored;

        for (size_t i = 0; a && i < n; i++)
                if (json_append (a, json_new_string (s[i]), &ignored) < 0) {
                        json_free (a);
                        return NULL;
                }
        return a;
}

static struct json *
list_json (const struct policy_list *l)
{
        return l->json ? json_clone (l->json) : strings_json (l->builtin, policy_list_len (l));
}

static struct json *
ranges_json (const struct policy_ids *ids)
{
        struct json *a = json_new (JSON_ARRAY);
        struct hd_err ignored;

        for (size_t i = 0; a && i < ids->n; i++) {
                struct json *r = json_new (JSON_OBJECT); /* owned by `a` from here on */
                if (json_append (a, r, &ignored) < 0 || json_set (r, "min", json_new_u64 (ids->r[i].min), &ignored) < 0
                    || json_set (r, "max", json_new_u64 (ids->r[i].max), &ignored) < 0) {
                        json_free (a);
                        return NULL;
                }
        }
        return a;
}

/* The user family's id ranges, as the loader built them (defaults and
 * fallbacks included). */
static int
put_ranges (const struct policy *p, struct json *rules, struct hd_err *err)
{
        const struct {
                const char *key;
                const struct policy_ids *ids;
        } ranges[] = {
                { "allowedUids", &p->user.uids },
                { "allowedGids", &p->user.gids },
                { "mappedHostUids", &p->user.mapped_uids },
                { "mappedHostGids", &p->user.mapped_gids },
        };
        struct json *user = json_get (rules, "user");

        for (size_t i = 0; i < HD_ARRAY_SIZE (ranges); i++)
                if (!user || json_set (user, ranges[i].key, ranges_json (ranges[i].ids), err) < 0)
                        return -1;
        return 0;
}

/* The hook allow-list as the loader built it (the file's, or the built-in one). */
static struct json *
hooks_json (const struct policy_surface *x)
{
        struct json *a = json_new (JSON_ARRAY);
        struct hd_err ignored;

        for (size_t i = 0; a && i < x->nhook_allow; i++) {
                const struct policy_hook *h = &x->hook_allow[i];
                struct json *e = json_new (JSON_OBJECT);
                if (!e || json_set (e, "path", json_new_string (h->path), &ignored) < 0
                    || json_set (e, "args", strings_json (h->args, h->nargs), &ignored) < 0
                    || json_set (e, "env", strings_json (h->env, h->nenv), &ignored) < 0
                    || json_set (e, "maxTimeout", h->max_timeout ? json_new_u64 (h->max_timeout)
                                                                 : json_new (JSON_NULL), &ignored) < 0
                    || json_append (a, e, &ignored) < 0) {
                        json_free (a);
                        return NULL;
                }
        }
        return a;
}

/* Lists whose defaults live in the loader: shown as the loader built them. */
static int
put_lists (const struct policy *p, struct json *rules, struct hd_err *err)
{
        const struct {
                const char *family, *key;
                const struct policy_list *list;
        } lists[] = {
                { "hostNamespaces", "require", &p->surface.ns_require },
                { "mounts", "deny", &p->surface.mount_deny },
                { "mounts", "rootfsStorage", &p->surface.rootfs_storage },
                { "annotations", "prefixes", &p->surface.annotation_prefixes },
                { "realtime", "schedulerPolicies", &p->realtime.scheduler_allow },
                { "realtime", "ioPriorityClasses", &p->realtime.ioprio_allow },
        };

        for (size_t i = 0; i < HD_ARRAY_SIZE (lists); i++) {
                struct json *f = json_get (rules, lists[i].family);
                if (!f || json_set (f, lists[i].key, list_json (lists[i].list), err) < 0)
                        return -1;
        }
        return json_set (json_get (rules, "hooks"), "allow", hooks_json (&p->surface), err);
}

/* document.* as the loader read it: the older top-level "unknownFields"
 * is folded into document.unknownFields and not shown on its own. */
static int
put_document (const struct policy *p, struct json *doc, struct hd_err *err)
{
        static const char *const names[] = {
                [ACTION_OFF] = "allow", [ACTION_WARN] = "warn", [ACTION_REJECT] = "reject", [ACTION_REWRITE] = "rewrite",
        };
        const struct {
                const char *key;
                enum policy_action a;
        } classes[] = {
                { "foldedKeys", p->document.folded_keys },
                { "nulls", p->document.nulls },
                { "duplicateKeys", p->document.duplicate_keys },
                { "unknownFields", p->document.unknown_fields },
        };
        struct json *d = json_get (doc, "document");

        json_del (doc, "unknownFields");
        for (size_t i = 0; i < HD_ARRAY_SIZE (classes); i++)
                if (!d || json_set (d, classes[i].key, json_new_string (names[classes[i].a]), err) < 0)
                        return -1;
        return 0;
}

/* Copy `over` onto `base`: objects key by key, anything else replaced. */
static int
overlay (struct json *base, const struct json *over, struct hd_err *err)
{
        for (size_t i = 0; i < over->n; i++) {
                const struct json_member *m = &over->members[i];
                struct json *have = json_get (base, m->key);
                if (have && have->type == JSON_OBJECT && m->value->type == JSON_OBJECT) {
                        if (overlay (have, m->value, err) < 0)
                                return -1;
                } else if (json_set (base, m->key, json_clone (m->value), err) < 0) {
                        return -1;
                }
        }
        return 0;
}

int
policy_effective (const struct policy *p, struct json **out, struct hd_err *err)
{
        _cleanup_json_ struct json *doc = NULL;
        struct json *deny = json_new (JSON_ARRAY), *seccomp;

        if (json_parse (defaults_json, sizeof defaults_json - 1, &doc, err) < 0 || overlay (doc, p->tree, err) < 0) {
                json_free (deny);
                return -1;
        }
        for (size_t i = 0; deny && i < p->seccomp.ndeny; i++)
                if (json_append (deny, json_new_string (p->seccomp.deny[i]), err) < 0)
                        return -1;
        seccomp = json_path (doc, "rules", "seccomp", NULL);
        if (!seccomp || json_set (seccomp, "deny", deny, err) < 0
            || put_lists (p, json_get (doc, "rules"), err) < 0 || put_ranges (p, json_get (doc, "rules"), err) < 0
            || json_set (doc, "trustedAnnotations", json_clone (p->trusted_annotations), err) < 0
            || put_document (p, doc, err) < 0)
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        json_del (doc, "extends");
        *out = steal_ptr (&doc);
        return 0;
}
