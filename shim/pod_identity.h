/* Who a container is in Kubernetes terms, for the decision record
 * (shim/record_sinks.c): the pod's namespace and name, the container's
 * name and type (sandbox or container), as containerd's CRI plugin writes
 * them into the container's annotations.
 *
 * Threat: any Docker or Podman user sets annotations on their own
 * containers (`--annotation io.kubernetes.cri.sandbox-namespace=kube-system`),
 * so a record that believed them would let anyone file their actions under
 * someone else's pod.  A field is taken only when the policy trusts its key
 * under the call's runc root (trustedAnnotations: by default containerd's
 * k8s.io root, where the CRI writes io.kubernetes.cri.* after the pod's own
 * annotations); from any other root the record has no pod identity at all,
 * only the container id the engine gave runc. */
#ifndef HARDENED_POD_IDENTITY_H
#define HARDENED_POD_IDENTITY_H

#include <stdbool.h>

#include "hardened/json.h"
#include "hardened/policy.h"

struct pod_identity {
        bool known; /* at least one field below was taken */
        char namespace_[256], name[256], container[256], type[32];
};

/* create/run/restore: from config.json's annotations (the canonical tree). */
void pod_identity_from_config (const struct policy *p, const char *root, const struct json *config,
                               struct pod_identity *out);

/* exec/update: from the container's runc state (ROOT/ID/state.json), whose
 * labels runc wrote at create from the checked config's annotations; not
 * from the bundle's config.json, which can be edited after the create.  A
 * key that two labels give (runc_state_label_unique) is left out. */
void pod_identity_from_state (const struct policy *p, const char *root, const struct json *state,
                              struct pod_identity *out);

#endif
