/* Capability names and numbers, as the running kernel knows them. */
#ifndef HARDENED_CAPS_H
#define HARDENED_CAPS_H

/* Exact CAP_* name -> number, checked against libcap and the running
 * kernel's cap_last_cap (STYLE.md 8).  -1 if not a capability here. */
int caps_from_name (const char *name, int *cap);
/* Highest capability number of the running kernel. */
int caps_last (void);

#endif
