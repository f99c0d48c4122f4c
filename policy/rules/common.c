#include "config.h"

#include "hardened/rules.h"
#include "hardened/util.h"

/* ---- id ranges --------------------------------------------------------------- */

bool
rules_id_allowed (const struct policy_ids *ids, uint32_t id)
{
        for (size_t i = 0; i < ids->n; i++)
                if (id >= ids->r[i].min && id <= ids->r[i].max)
                        return true;
        return false;
}

