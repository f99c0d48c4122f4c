/* The policy engine: runs the rules on a document (policy/engine.c).
 *
 * Callers (the shim's guard, `hardened policy check`) hand it a parsed
 * document and the verb it is for; the engine picks the rules that apply,
 * decides each family's action (policy, exemption, audit mode) and records,
 * fixes or refuses.  The rules themselves and their registry: rules.h. */
#ifndef HARDENED_ENGINE_H
#define HARDENED_ENGINE_H

#include "hardened/decision.h"
#include "hardened/json.h"
#include "hardened/policy.h"

enum rule_verb {
        RULE_CREATE = 1 << 0, /* create, run, restore: config.json */
        RULE_EXEC = 1 << 1,   /* exec --process */
        RULE_UPDATE = 1 << 2, /* update --resources */
        RULE_FLAGS = 1 << 3,  /* create/run/restore's runtime flags (policy/rules/runtime_flags.c) */
};

/* Run every rule that applies to `verb` on `doc`: record, fix or refuse per
 * the policy and its mode.  d->verdict says the outcome.  < 0 only on an
 * internal failure. */
typedef const char *engine_annotation_fn (const struct json *from, const char *key);

struct engine_subject {
        const char *container_id; /* may be NULL */
        const char *bundle;       /* may be NULL: relative bind sources then resolve against "." */
        const char *state_root;   /* runc's state root for this call (cli_state_root), or NULL:
                                   * unknown, and no annotation is the engine's own */
        /* exec, update: the container's annotation `key` as runc recorded
         * it at create (a label of its state, written from the checked
         * config), for a document that carries no annotations; NULL when
         * none is known.  Trusted only as far as state_root is (above). */
        engine_annotation_fn *annotation;
        const struct json *annotation_from;
        const struct image_identity *image; /* what the caller knows of the image (Docker's
                                             * config.v2.json, policy check --image), or NULL */
        const char *image_note;             /* why the caller could not tell the image, or NULL */
};

int engine_run (const struct policy *p, unsigned verb, struct json *doc, const struct engine_subject *subject,
                struct decision *d, struct hd_err *err);

/* The first exemption matching `doc` (may be NULL: ids only) and the
 * subject, or NULL.  An annotation criterion counts only for keys the
 * policy's trustedAnnotations give the subject's state root; an exemption
 * passed over for that is noted in `d` (may be NULL). */
const struct policy_exemption *engine_exemption_for (const struct policy *p, const struct json *doc,
                                                     const struct engine_subject *s, struct decision *d);

/* Does the engine behind runc state root `root` (NULL: unknown, never)
 * set annotation `key` itself, after its users' own (the policy's
 * trustedAnnotations)?  What an exemption's annotation match and the
 * record's pod identity may rely on. */
bool engine_annotation_trusted (const struct policy *p, const char *root, const char *key);

/* What containerd's CRI says `doc` is (decision.h, struct cri_context):
 * a pod sandbox or a pod's container, with its pod's names, read from the
 * io.kubernetes.cri. annotations only where the policy's
 * trustedAnnotations give the subject's state root those keys (the same
 * decision as for exemptions).  Anywhere else role is CRI_NONE.  engine_run
 * puts it in d->cri for the rules. */
void engine_cri_context (const struct policy *p, const struct json *doc, const struct engine_subject *s,
                         struct cri_context *out);

/* The same for an id alone (no state root: annotations never count). */
const struct policy_exemption *engine_exemption (const struct policy *p, const struct json *doc, const char *id);

/* The action a rule family gets: `a` from the policy, relaxed by the
 * exemption, turned into warn in audit mode.  The one place actions are
 * decided, for documents and for inline flags alike. */
enum policy_action engine_action (const struct policy *p, const struct policy_exemption *e, const char *family,
                                  enum policy_action a);

#endif
