#include "config.h"

#include <stdbool.h>
#include <stdint.h>

#include "hardened/ids.h"
#include "hardened/policy.h"

bool
ids_allowed (const struct policy_ids *ids, uint32_t id)
{
        for (size_t i = 0; i < ids->n; i++)
                if (id >= ids->r[i].min && id <= ids->r[i].max)
                        return true;
        return false;
}
