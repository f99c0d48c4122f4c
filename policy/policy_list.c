#include "config.h"

#include <string.h>

#include "hardened/json.h"
#include "hardened/policy.h"

/* A policy list (policy.h): the file's JSON array of strings, or the
 * built-in defaults when the file does not give it. */

size_t
policy_list_len (const struct policy_list *l)
{
        size_t n = 0;

        if (l->json)
                return l->json->n;
        while (l->builtin && l->builtin[n])
                n++;
        return n;
}

const char *
policy_list_at (const struct policy_list *l, size_t i)
{
        return l->json ? l->json->items[i]->text : l->builtin[i];
}

bool
policy_list_has (const struct policy_list *l, const char *s)
{
        for (size_t i = 0; i < policy_list_len (l); i++)
                if (strcmp (policy_list_at (l, i), s) == 0)
                        return true;
        return false;
}
