/* One decision per invocation: the verdict and every finding behind it. */
#ifndef HARDENED_DECISION_H
#define HARDENED_DECISION_H

#include <stdbool.h>
#include <stddef.h>

#include "hardened/image.h"
#include "hardened/json.h"
#include "hardened/policy.h"

#define DECISION_MAX_FINDINGS 64

enum verdict {
        VERDICT_ALLOWED,   /* nothing found */
        VERDICT_REWRITTEN, /* findings, all fixed (or only warnings) */
        VERDICT_REFUSED,
};

struct finding {
        const char *rule;          /* rule id, "user.nonRoot" */
        enum policy_action action; /* effective action (audit mode: warn) */
        bool fixed;
        char pointer[128]; /* where in the document */
        char found[160];
        char required[160];
        char message[256];
        /* A rewrite (fixed under ACTION_REWRITE, by a rule of the registry):
         * the value at `pointer` before the fix and after it, as the record
         * shows them (decision_value); `changed` says they were taken. */
        bool changed;
        char requested[96];
        char applied[96];
};

#define DECISION_MAX_NOTES 4

/* What containerd's CRI says a container is (policy/engine.c,
 * engine_cri_context), known only where its io.kubernetes.cri. keys are
 * the engine's own under this call's runc --root (trustedAnnotations):
 * elsewhere any user could have written them, and role is CRI_NONE. */
enum cri_role {
        CRI_NONE,      /* not a CRI container, or its annotations are not the engine's */
        CRI_SANDBOX,   /* io.kubernetes.cri.container-type: sandbox (the pod's pause) */
        CRI_CONTAINER, /* io.kubernetes.cri.container-type: container */
};
/* The keys containerd 1.6's CRI plugin writes on every sandbox and
 * container (pkg/cri/annotations), after the pod's own annotations: the
 * one list of their names (the engine's CRI context, the record's pod). */
#define CRI_KEY_TYPE "io.kubernetes.cri.container-type"
#define CRI_KEY_SANDBOX_ID "io.kubernetes.cri.sandbox-id"
#define CRI_KEY_POD_UID "io.kubernetes.cri.sandbox-uid"
#define CRI_KEY_POD_NAMESPACE "io.kubernetes.cri.sandbox-namespace"
#define CRI_KEY_POD_NAME "io.kubernetes.cri.sandbox-name"
#define CRI_KEY_CONTAINER_NAME "io.kubernetes.cri.container-name"
#define CRI_KEY_IMAGE_NAME "io.kubernetes.cri.image-name"

struct cri_context {
        enum cri_role role;
        /* The trusted keys' values (point into the document), or NULL. */
        const char *sandbox_id, *pod_uid, *pod_namespace, *pod_name, *container_name;
        const char *image_name; /* io.kubernetes.cri.image-name (containers only in containerd 1.6) */
};

struct mount_view;

struct decision {
        enum verdict verdict;
        enum policy_mode mode;
        const char *policy_source;
        /* what the decision is about (for the checks and the record) */
        const char *container_id;    /* or NULL */
        const char *bundle;          /* create/run/restore, or NULL */
        const char *exemption;       /* name of the exemption that applied, or NULL */
        struct cri_context cri;      /* the CRI's word on the subject, where it is the engine's */
        struct image_identity image; /* the image, as far as its engine said (image.h) */
        size_t nnotes;               /* things a rule could not do here, e.g. no AppArmor */
        size_t n;
        size_t dropped; /* findings beyond DECISION_MAX_FINDINGS */
        /* Where this call's mounts land, made by the first mounts rule that
         * asks and checked by the next before it is used again (rules.h:
         * rules_mount_view_release; engine_run releases it). */
        struct mount_view *mount_view;
        /* The arrays last: only their first nnotes / n entries are ever
         * read, so decision_init leaves the rest (46 KB) unwritten. */
        char notes[DECISION_MAX_NOTES][512]; /* room for a path and its problem */
        struct finding findings[DECISION_MAX_FINDINGS];
};

/* An empty decision: every field above the arrays zeroed, the arrays left
 * as they are (a finding is written whole when it is added).  What
 * `= { 0 }` gives, without writing 47 KB per call. */
void decision_init (struct decision *d);

/* A decision_init'ed decision on the heap (free it), or NULL.  Not on the
 * stack: a decision is about 60 KB, and -fstack-clash-protection probes
 * every page of a frame that holds one, so each would cost a call some
 * fifteen page faults for findings it mostly never writes. */
struct decision *decision_new (void);

/* Record a finding for `rule`.  Never fails: past the limit it is counted. */
/* Is there room for one more finding?  When not, it is counted as
 * decision_add would count it and the answer is false: a check over a
 * list an attacker made long asks first and builds the finding's pointer
 * only when it will be kept. */
bool decision_room (struct decision *d);
void decision_add (struct decision *d, const char *rule, const char *pointer, const char *found, const char *required,
                   const char *fmt, ...) __attribute__ ((format (printf, 6, 7)));

/* Record a note (not a finding): logged, changes nothing. */
void decision_note (struct decision *d, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

/* Put the findings of `first` (the document pass, spec_canonicalize)
 * before those already in d, and count first's verdict in d's. */
void decision_prepend (struct decision *d, const struct decision *first);

/* The one line a refusal shows (what docker run and the kubelet print):
 * every rule that refused, with its first message, the most important
 * first (rules_rank in rules.h), whole entries only, bounded by `size`.
 * Rewrites and warnings are never in it (they are in the log). */
void decision_summary (const struct decision *d, char *buf, size_t size);

/* The node at `pointer` in `doc` as a record shows it, cut to `size`
 * (ending in "..." when cut): "(absent)", a number's or a string's text,
 * true/false/null, [a,b] and {key:value} written compactly, unquoted. */
void decision_value (const struct json *doc, const char *pointer, char *buf, size_t size);

/* One line per finding, for the log; a rewrite ends with what was applied. */
void decision_finding_line (const struct decision *d, size_t i, char *buf, size_t size);

#endif
