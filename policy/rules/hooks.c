#include "config.h"

#include <stddef.h>

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hardened/num.h"
#include "hardened/rules.h"
#include "hardened/util.h"

/* hooks.allowList: hooks run as root on the host, outside every
 * container restriction.  Only allow-listed hooks are accepted: an entry
 * names the program's path and optionally its first argument.  Docker's own
 * libnetwork hook is "/proc/<dockerd pid>/exe libnetwork-setkey ...": a
 * /proc/<pid>/exe path is resolved to the binary that pid runs now, so a
 * hook pointing at some other process is refused.  No safe fix: refused. */

static const char *const hook_types[] = {
        "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop",
};

static const struct {
        const char *path, *args0;
} builtin_allow[] = {
        { "/usr/sbin/dockerd", "libnetwork-setkey" },
        { "/usr/bin/dockerd", "libnetwork-setkey" },
};

/* "/proc/<pid>/exe" -> what it points to now; other paths unchanged. */
static bool
resolve (const char *path, char *out, size_t size)
{
        const char *digits = path + 6;
        size_t n = strspn (digits, "0123456789");
        uint32_t pid;
        ssize_t len;

        if (strncmp (path, "/proc/", 6) != 0 || n == 0 || strcmp (digits + n, "/exe") != 0
            || parse_u32 (digits, n, &pid) < 0) {
                snprintf (out, size, "%s", path);
                return true;
        }
        len = readlink (path, out, size - 1);
        if (len <= 0)
                return false;
        out[len] = '\0';
        return true;
}

static bool
hook_allowed (const struct policy *p, const char *exe, const char *args0)
{
        const struct json *allow = p->surface.hook_allow;

        if (!allow) {
                for (size_t i = 0; i < HD_ARRAY_SIZE (builtin_allow); i++)
                        if (strcmp (builtin_allow[i].path, exe) == 0 && args0
                            && strcmp (builtin_allow[i].args0, args0) == 0)
                                return true;
                return false;
        }
        for (size_t i = 0; i < allow->n; i++) {
                const struct json *path = json_get (allow->items[i], "path");
                const struct json *a0 = json_get (allow->items[i], "args0");
                if (path && strcmp (path->text, exe) == 0 && (!a0 || (args0 && strcmp (a0->text, args0) == 0)))
                        return true;
        }
        return false;
}

static void
hooks_check (const struct policy *p, const struct json *doc, struct decision *d, const char *id)
{
        const struct json *hooks = json_get (doc, "hooks");

        for (size_t t = 0; t < HD_ARRAY_SIZE (hook_types); t++) {
                const struct json *list = json_get (hooks, hook_types[t]);
                for (size_t i = 0; list && i < list->n; i++) {
                        const struct json *path = json_get (list->items[i], "path");
                        const struct json *args = json_get (list->items[i], "args");
                        const char *a0 = args && args->n ? args->items[0]->text : NULL;
                        char exe[PATH_MAX], ptr[64];
                        if (!path)
                                continue;
                        snprintf (ptr, sizeof ptr, "/hooks/%s/%zu", hook_types[t], i);
                        if (!resolve (path->text, exe, sizeof exe))
                                decision_add (d, id, ptr, path->text, "an allow-listed hook",
                                              "%s hook %s: no such process to resolve", hook_types[t], path->text);
                        else if (!hook_allowed (p, exe, a0))
                                decision_add (d, id, ptr, exe, "an allow-listed hook",
                                              "%s hook %s%s%s is not allow-listed (hooks run as root on the host)",
                                              hook_types[t], exe, a0 ? " " : "", a0 ? a0 : "");
                }
        }
}

const struct rule rule_hooks = {
        "hooks.allowList", "hooks", RULE_CREATE, offsetof (struct policy, surface.hooks), hooks_check, NULL,
};

struct json *
rules_hooks_default (void)
{
        struct json *a = json_new (JSON_ARRAY);
        struct hd_err ignored;

        for (size_t i = 0; a && i < HD_ARRAY_SIZE (builtin_allow); i++) {
                struct json *e = json_new (JSON_OBJECT);
                if (!e || json_set (e, "path", json_new_string (builtin_allow[i].path), &ignored) < 0
                    || json_set (e, "args0", json_new_string (builtin_allow[i].args0), &ignored) < 0
                    || json_append (a, e, &ignored) < 0) {
                        json_free (a);
                        return NULL;
                }
        }
        return a;
}
