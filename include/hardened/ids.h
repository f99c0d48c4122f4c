/* The policy's id ranges (allowedUids, allowedGids, mapped host ids). */
#ifndef HARDENED_IDS_H
#define HARDENED_IDS_H

#include <stdbool.h>
#include <stdint.h>

#include "hardened/policy.h"

/* Is `id` in one of the ranges (which never hold 0)? */
bool ids_allowed (const struct policy_ids *ids, uint32_t id);

#endif
