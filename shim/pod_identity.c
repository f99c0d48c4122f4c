#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "hardened/decision.h"
#include "hardened/engine.h"
#include "hardened/util.h"

#include "pod_identity.h"
#include "runc_state.h"

/* The CRI annotations (decision.h's CRI_KEY_*) a record names, and where
 * each goes. */
static const struct {
        const char *key;
        size_t off, size;
} pod_keys[] = {
#define POD_FIELD(key, field)                                                                         \
        {                                                                                             \
                key, offsetof (struct pod_identity, field), sizeof ((struct pod_identity *) 0)->field \
        }
        POD_FIELD (CRI_KEY_POD_NAMESPACE, namespace_),
        POD_FIELD (CRI_KEY_POD_NAME, name),
        POD_FIELD (CRI_KEY_CONTAINER_NAME, container),
        POD_FIELD (CRI_KEY_TYPE, type),
#undef POD_FIELD
};

typedef const char *pod_lookup_fn (const struct json *from, const char *key);

static void
pod_identity_fill (const struct policy *p, const char *root, const struct json *from, pod_lookup_fn *lookup,
                   struct pod_identity *out)
{
        memset (out, 0, sizeof *out);
        for (size_t i = 0; i < HD_ARRAY_SIZE (pod_keys); i++) {
                const char *v;
                if (!engine_annotation_trusted (p, root, pod_keys[i].key) || !(v = lookup (from, pod_keys[i].key)))
                        continue;
                snprintf ((char *) out + pod_keys[i].off, pod_keys[i].size, "%s", v);
                out->known = true;
        }
}

static const char *
annotation (const struct json *config, const char *key)
{
        const struct json *v = json_get (json_get (config, "annotations"), key);

        return v && v->type == JSON_STRING ? v->text : NULL;
}

void
pod_identity_from_config (const struct policy *p, const char *root, const struct json *config, struct pod_identity *out)
{
        pod_identity_fill (p, root, config, annotation, out);
}

void
pod_identity_from_state (const struct policy *p, const char *root, const struct json *state, struct pod_identity *out)
{
        pod_identity_fill (p, root, state, runc_state_label_unique, out);
}
