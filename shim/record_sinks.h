/* The decision record and its sinks (shim/record_sinks.c).
 *
 * One record per guarded call: verb, container id, bundle, outcome, the
 * rule ids behind it, what each rewrite changed (field, requested value,
 * applied value: for an update, ContainerStatus keeps showing the request,
 * so the record is where the applied value is seen), the exemption that
 * applied, the policy, and the pod (namespace, name, container name and
 * type) when the engine behind the call's runc root vouches for the CRI
 * annotations that say so (pod_identity.h), and the image's name and ID
 * as its engine gave them (image.h), when known.  It goes to runc's --log (one
 * info line), to the kernel audit log (NETLINK_AUDIT via libmnl, AUDIT_VIRT_CONTROL for
 * starts, execs and refusals, AUDIT_VIRT_RESOURCE for updates, libvirt's
 * key=value style), to syslog (LOG_AUTHPRIV) and, when the policy names
 * one, to a JSON-lines decision log.  Every value that comes from the
 * caller is encoded so it cannot forge fields; secret values never reach
 * a record (the env.secrets finding carries only the variable's name). */
#ifndef HARDENED_RECORD_SINKS_H
#define HARDENED_RECORD_SINKS_H

#include <stdbool.h>
#include <stddef.h>

#include "hardened/decision.h"
#include "hardened/err.h"
#include "hardened/policy.h"

#include "pod_identity.h"

#define RECORD_MAX_RULES 32
#define RECORD_MAX_CHANGES 32

/* A rewrite: the field (a JSON pointer into the judged document), the value
 * the call asked for and the value runc is handed (decision_value). */
struct record_change {
        const char *rule;
        char field[128];
        char requested[96];
        char applied[96];
};

struct record {
        const char *verb;
        const char *container_id;
        const char *bundle;
        const char *policy;
        const char *exemption;
        const char *outcome; /* "allowed", "rewritten" or "refused" */
        const char *reason;  /* a refusal that is not a finding (bad JSON, ...), or NULL */
        size_t nrules;
        const char *rules[RECORD_MAX_RULES];
        size_t nchanges, changes_left_out;
        struct record_change changes[RECORD_MAX_CHANGES];
        struct pod_identity pod;      /* only what the call's runc root vouches for (pod_identity.h) */
        struct image_identity image;  /* as its engine named it (image.h); source IMAGE_UNKNOWN: not known */
        const char *log, *log_format; /* runc's --log, where the record's line also goes (or NULL) */
};

/* Fold a decision into the record: outcome, rule ids, and each rewrite's
 * field, requested and applied values. */
void record_add_decision (struct record *r, const struct decision *d);

/* Encode a value for an audit record: "quoted" when it is plain printable
 * ASCII without quotes, spaces or '=', else uppercase hex (as auditd does). */
void record_encode (const char *value, char *out, size_t size);

/* Emit to every sink.  Fails (< 0) only when the policy requires kernel
 * audit and the record could not be written. */
int record_emit (const struct record *r, const struct policy *p, struct hd_err *err);

#endif
