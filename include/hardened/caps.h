/* Capability names and numbers, as the running kernel knows them. */
#ifndef HARDENED_CAPS_H
#define HARDENED_CAPS_H

#include <stdbool.h>

struct json;

/* Exact CAP_* name -> number, checked against libcap and the running
 * kernel's cap_last_cap (STYLE.md 8).  -1 if not a capability here. */
int caps_from_name (const char *name, int *cap);
/* Number -> its exact CAP_* name (the table above); NULL if it has none. */
const char *caps_to_name (int cap);
/* Capability CAP is among LIST's names (a JSON array of strings; NULL:
 * none), by the exact names caps_from_name takes. */
bool caps_listed (const struct json *list, int cap);
/* Highest capability number of the running kernel. */
int caps_last (void);

#endif
