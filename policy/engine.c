#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hardened/decision.h"
#include "hardened/engine.h"
#include "hardened/image.h"
#include "hardened/rules.h"
#include "hardened/util.h"

/* The subject's annotation `key`: the document's own (create, run,
 * restore), or else what runc recorded at create (exec, update); NULL when
 * absent or not a string. */
static const char *
annotation_of (const struct json *doc, const struct engine_subject *s, const char *key)
{
        const struct json *have = json_get (doc, "annotations");
        const struct json *v;

        if (!have)
                return s && s->annotation ? s->annotation (s->annotation_from, key) : NULL;
        v = json_get (have, key);
        return v && v->type == JSON_STRING ? v->text : NULL;
}

/* Does one of `patterns` name the image (an identity its engine gave)? */
static bool
image_listed (const struct json *patterns, const struct image_identity *img)
{
        for (size_t i = 0; img && img->source != IMAGE_UNKNOWN && i < patterns->n; i++)
                if (image_matches (patterns->items[i]->text, img))
                        return true;
        return false;
}

static bool
exemption_matches (const struct policy_exemption *e, const struct json *doc, const struct engine_subject *s,
                   const struct image_identity *img)
{
        const char *id = s ? s->container_id : NULL;

        if (e->ids && !(id && json_array_has (e->ids, id)))
                return false;
        if (e->images && !image_listed (e->images, img))
                return false;
        for (size_t i = 0; e->annotations && i < e->annotations->n; i++) {
                const char *v = annotation_of (doc, s, e->annotations->members[i].key);
                if (!v || strcmp (v, e->annotations->members[i].value->text) != 0)
                        return false;
        }
        return true;
}

/* Does the engine behind `root` set annotation `key` itself? */
static bool
key_trusted (const struct policy *p, const char *root, const char *key)
{
        const struct json *list = p->trusted_annotations;

        for (size_t i = 0; root && list && i < list->n; i++) {
                const struct json *pre = json_get (list->items[i], "prefixes");
                if (strcmp (json_get (list->items[i], "root")->text, root) != 0)
                        continue;
                for (size_t k = 0; k < pre->n; k++)
                        if (strncmp (key, pre->items[k]->text, pre->items[k]->len) == 0)
                                return true;
        }
        return false;
}

bool
engine_annotation_trusted (const struct policy *p, const char *root, const char *key)
{
        return key_trusted (p, root, key);
}

/* What containerd's CRI plugin writes on every container it creates
 * (pkg/cri/annotations, containerd 1.6), after the pod's own annotations. */
static const struct {
        const char *key;
        size_t off; /* in struct cri_context */
} cri_keys[] = {
        { CRI_KEY_SANDBOX_ID, offsetof (struct cri_context, sandbox_id) },
        { CRI_KEY_POD_UID, offsetof (struct cri_context, pod_uid) },
        { CRI_KEY_POD_NAMESPACE, offsetof (struct cri_context, pod_namespace) },
        { CRI_KEY_POD_NAME, offsetof (struct cri_context, pod_name) },
        { CRI_KEY_CONTAINER_NAME, offsetof (struct cri_context, container_name) },
        { CRI_KEY_IMAGE_NAME, offsetof (struct cri_context, image_name) },
};
static const struct {
        const char *value;
        enum cri_role role;
} cri_roles[] = {
        { "sandbox", CRI_SANDBOX },
        { "container", CRI_CONTAINER },
};

/* A CRI annotation's value, where this call's engine owns the key. */
static const char *
cri_value (const struct policy *p, const struct json *doc, const struct engine_subject *s, const char *key)
{
        return key_trusted (p, s ? s->state_root : NULL, key) ? annotation_of (doc, s, key) : NULL;
}

void
engine_cri_context (const struct policy *p, const struct json *doc, const struct engine_subject *s,
                    struct cri_context *out)
{
        const char *type = cri_value (p, doc, s, CRI_KEY_TYPE);

        memset (out, 0, sizeof *out);
        for (size_t i = 0; type && i < HD_ARRAY_SIZE (cri_roles); i++)
                if (strcmp (type, cri_roles[i].value) == 0)
                        out->role = cri_roles[i].role;
        if (out->role == CRI_NONE)
                return;
        for (size_t i = 0; i < HD_ARRAY_SIZE (cri_keys); i++)
                *(const char **) ((char *) out + cri_keys[i].off) = cri_value (p, doc, s, cri_keys[i].key);
}

/* The first key of e's annotation match that this call's engine does not
 * own, or NULL when every one is trusted. */
static const char *
untrusted_key (const struct policy *p, const struct policy_exemption *e, const char *root)
{
        for (size_t i = 0; e->annotations && i < e->annotations->n; i++)
                if (!key_trusted (p, root, e->annotations->members[i].key))
                        return e->annotations->members[i].key;
        return NULL;
}

/* The first exemption that matches, or NULL.  Annotations are config.json's
 * for create/run/restore, and what runc recorded from it at create for exec
 * and update (engine_subject.annotation).  An exemption that matches by an annotation its engine does not own (any
 * Docker user can set one) is passed over, with a note in `d`. */
const struct policy_exemption *
engine_exemption_for (const struct policy *p, const struct json *doc, const struct engine_subject *s,
                      struct decision *d)
{
        const char *root = s ? s->state_root : NULL;

        for (size_t i = 0; i < p->nexemptions; i++) {
                const struct policy_exemption *e = &p->exemptions[i];
                const char *key;
                if (!exemption_matches (e, doc, s, d ? &d->image : NULL))
                        continue;
                if (!(key = untrusted_key (p, e, root)))
                        return e;
                if (d)
                        decision_note (d,
                                       "exemption \"%s\" not applied: %s is not an engine-owned annotation "
                                       "under --root %s",
                                       e->name, key, root ? root : "(unknown)");
        }
        return NULL;
}

const struct policy_exemption *
engine_exemption (const struct policy *p, const struct json *doc, const char *id)
{
        struct engine_subject s = { .container_id = id };

        return engine_exemption_for (p, doc, &s, NULL);
}

static const char *const action_names[] = { "off", "warn", "reject", "rewrite" };

enum policy_action
engine_action (const struct policy *p, const struct policy_exemption *e, const char *family, enum policy_action a)
{
        const struct json *over = json_get (json_get (e ? e->rules : NULL, family), "action");

        for (size_t i = 0; over && i < HD_ARRAY_SIZE (action_names); i++)
                if (strcmp (over->text, action_names[i]) == 0)
                        a = (enum policy_action) i;
        return p->mode == MODE_AUDIT && a != ACTION_OFF ? ACTION_WARN : a;
}

/* What the CRI cannot express, so a finding there is an absent value and
 * is filled in (the policy's default) rather than refused: containerd 1.6
 * writes no pids limit for a container (the CRI's LinuxContainerResources
 * has no such field; the kubelet's podPidsLimit, unlimited by default, is
 * on the pod's cgroup). */
static const struct {
        enum cri_role role;
        const char *rule;
} cri_filled[] = {
        { CRI_CONTAINER, "resources.pids" },
};

static enum policy_action
cri_action (const struct decision *d, const struct rule *r, enum policy_action a)
{
        for (size_t i = 0; a == ACTION_REJECT && i < HD_ARRAY_SIZE (cri_filled); i++)
                if (d->cri.role == cri_filled[i].role && strcmp (r->id, cri_filled[i].rule) == 0)
                        return ACTION_REWRITE;
        return a;
}

static enum policy_action
effective_action (const struct policy *p, const struct policy_exemption *e, const struct rule *r,
                  const struct decision *d)
{
        enum policy_action a;

        memcpy (&a, (const char *) p + r->action, sizeof a); /* the rule's field in struct policy */
        return engine_action (p, e, r->family, cri_action (d, r, a));
}

/* Fix what the rule found, then check again: a fix that does not leave the
 * document clean is no fix, and the call is refused.  *clean says which. */
static int
apply_fix (const struct policy *p, const struct rule *r, struct json *doc, const struct decision *d, bool *clean,
           struct hd_err *err)
{
        _cleanup_free_ struct decision *again = decision_new ();

        if (!again)
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        if (r->fix (p, doc, d, err) < 0)
                return -1;
        again->bundle = d->bundle;
        again->container_id = d->container_id;
        again->cri = d->cri;
        again->image = d->image;
        r->check (p, doc, again, r->id);
        rules_mount_view_release (again);
        *clean = again->n == 0 && again->dropped == 0;
        return 0;
}

/* The value at each finding's pointer, before the fix (requested) or after
 * it (applied), for the record: what the caller asked for and what runc is
 * handed.  Not for a finding about the whole document ("/") or whose
 * pointer was cut to its buffer. */
static void
snapshot (const struct json *doc, struct decision *d, size_t first, bool applied)
{
        for (size_t i = first; i < d->n; i++) {
                struct finding *f = &d->findings[i];
                size_t len = strlen (f->pointer);
                if (len < 2 || len + 1 >= sizeof f->pointer)
                        continue;
                decision_value (doc, f->pointer, applied ? f->applied : f->requested,
                                applied ? sizeof f->applied : sizeof f->requested);
                f->changed = applied;
        }
}

/* What a pod sandbox is judged by (podSandbox): the policy, with the
 * families the pause process has no use for on rewrite (unless off) and
 * the sandbox's own resource caps.  The families it keeps (host
 * namespaces, mounts, devices, privileged, sysctls, hooks, annotations,
 * oomScoreAdj, ...) judge it as any container: a hostNetwork or hostPID
 * pod is refused as ever. */
static const char *const sandbox_rewritten[] = {
        "user", "readOnlyRootfs", "capabilities", "noNewPrivileges", "seccomp", "resources", "maskedPaths", "rlimits",
};

static bool
sandbox_rewrites (const char *family)
{
        for (size_t i = 0; i < HD_ARRAY_SIZE (sandbox_rewritten); i++)
                if (strcmp (family, sandbox_rewritten[i]) == 0)
                        return true;
        return false;
}

static void
sandbox_policy (const struct policy *p, struct policy *out)
{
        *out = *p; /* shallow: every pointer stays the policy's, nothing is freed through it */
        for (size_t k = 0; p->pod_sandbox.rewrite && k < rules_registry_len; k++) {
                enum policy_action *a = (enum policy_action *) ((char *) out + rules_registry[k]->action);
                if (sandbox_rewrites (rules_registry[k]->family) && *a != ACTION_OFF)
                        *a = ACTION_REWRITE;
        }
        if (p->pod_sandbox.memory)
                out->resources.memory_default = out->resources.memory_max = p->pod_sandbox.memory;
        if (p->pod_sandbox.pids)
                out->resources.pids_default = out->resources.pids_max = p->pod_sandbox.pids;
}

/* What an exemption with parameters changes, named in the decision: the
 * families whose parameters it sets. */
static void
note_parameters (struct decision *d, const struct policy_exemption *e)
{
        char families[256] = "";
        size_t used = 0;

        for (size_t i = 0; i < e->rules->n && used < sizeof families; i++) {
                if (policy_family_has_parameters (e->rules->members[i].value))
                        used += (size_t) snprintf (families + used, sizeof families - used, "%s%s", used ? ", " : "",
                                                   e->rules->members[i].key);
        }
        decision_note (d, "exemption \"%s\" sets the parameters of %s", e->name, families);
}

int
engine_run (const struct policy *p, unsigned verb, struct json *doc, const struct engine_subject *subject,
            struct decision *d, struct hd_err *err)
{
        const struct policy_exemption *e;
        bool refused = false, fixed = false;
        /* [0] the exemption's variant, [1] the sandbox's: on the heap, and
         * only when needed (two policies on the stack made every rule's
         * frame 24 KB deeper, each page of it a fault) */
        _cleanup_free_ struct policy *views = NULL;

        decision_init (d);
        engine_cri_context (p, doc, subject, &d->cri);
        image_identity_resolve (p, doc, subject, &d->cri, &d->image);
        if (d->image.source == IMAGE_UNKNOWN && subject && subject->image_note)
                decision_note (d, "image not known: %s", subject->image_note);
        d->container_id = subject ? subject->container_id : NULL;
        d->bundle = subject ? subject->bundle : NULL;
        e = engine_exemption_for (p, doc, subject, d);
        d->exemption = e ? e->name : NULL;
        if (((e && e->policy) || d->cri.role == CRI_SANDBOX) && !(views = malloc (2 * sizeof *views)))
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        if (e && e->policy) {
                note_parameters (d, e);
                views[0] = *e->policy; /* shallow: nothing is freed through it */
                views[0].backend = p->backend;
                views[0].source = p->source;
                p = &views[0];
        }
        if (d->cri.role == CRI_SANDBOX) {
                sandbox_policy (p, &views[1]);
                p = &views[1];
                decision_note (d, "pod sandbox %s: judged by podSandbox", d->cri.sandbox_id ? d->cri.sandbox_id : "");
        }
        d->mode = p->mode;
        d->policy_source = p->source;
        for (size_t k = 0; k < rules_registry_len; k++) {
                const struct rule *r = rules_registry[k];
                enum policy_action a = effective_action (p, e, r, d);
                size_t first = d->n, dropped = d->dropped;
                bool clean = false;

                if (!(r->verbs & verb) || a == ACTION_OFF)
                        continue;
                r->check (p, doc, d, r->id);
                for (size_t i = first; i < d->n; i++)
                        d->findings[i].action = a;
                if ((d->n == first && d->dropped == dropped) || a == ACTION_WARN)
                        continue;
                if (a == ACTION_REWRITE && r->fix)
                        snapshot (doc, d, first, false);
                if (a == ACTION_REWRITE && r->fix && apply_fix (p, r, doc, d, &clean, err) < 0) {
                        rules_mount_view_release (d);
                        return -1;
                }
                if (clean)
                        snapshot (doc, d, first, true);
                for (size_t i = first; i < d->n; i++)
                        d->findings[i].fixed = clean;
                refused |= !clean;
                fixed |= clean;
        }
        rules_mount_view_release (d);
        d->verdict = refused ? VERDICT_REFUSED : fixed ? VERDICT_REWRITTEN : VERDICT_ALLOWED;
        return 0;
}
