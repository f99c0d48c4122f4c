#include "config.h"

#include <stddef.h>

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "hardened/rules.h"
#include "hardened/util.h"

/* env.secrets (CIS 4.10): credentials passed inline in the environment end
 * up in `docker inspect`, in /proc/<pid>/environ and in every child.
 * Reported (warn by default) for names that say PASSWORD/SECRET/TOKEN/...
 * with an inline value, and for values in well-known credential formats.
 * The value itself never appears in any message or log: only the variable
 * name and the value's length.  The fix removes the variable. */

static const char *const secret_names[] = {
        "PASSWORD", "PASSWD", "SECRET", "TOKEN", "API_KEY", "APIKEY", "PRIVATE_KEY", "ACCESS_KEY", "CREDENTIAL",
};

static const struct {
        const char *prefix;
        size_t min_len; /* of the whole value */
} secret_formats[] = {
        { "AKIA", 20 }, /* AWS access key id */
        { "ASIA", 20 }, /* AWS temporary access key id */
        { "ghp_", 40 }, /* GitHub personal access token */
        { "gho_", 40 },        { "ghs_", 40 },     { "github_pat_", 40 }, { "glpat-", 26 }, /* GitLab */
        { "xoxb-", 20 },                                                                    /* Slack */
        { "xoxp-", 20 },       { "sk_live_", 24 },                                          /* Stripe */
        { "AIza", 39 },                                                                     /* Google API key */
        { "-----BEGIN ", 30 }, /* PEM: checked for PRIVATE KEY below */
};

/* strstr of each name in the upper-cased name (its first 255 bytes), with
 * the search started only where a name's first letter is: this runs for
 * every variable of an environment an attacker made long. */
static bool
name_says_secret (const char *name, size_t len)
{
        static bool initial[256], known;
        char up[256];

        if (!known) {
                for (size_t k = 0; k < HD_ARRAY_SIZE (secret_names); k++)
                        initial[(unsigned char) secret_names[k][0]] = true;
                known = true;
        }
        if (len >= sizeof up)
                len = sizeof up - 1;
        for (size_t i = 0; i < len; i++)
                up[i] = (char) toupper ((unsigned char) name[i]);
        up[len] = '\0';
        for (size_t i = 0; i < len; i++)
                for (size_t k = 0; initial[(unsigned char) up[i]] && k < HD_ARRAY_SIZE (secret_names); k++)
                        if (secret_names[k][0] == up[i]
                            && strncmp (up + i, secret_names[k], strlen (secret_names[k])) == 0)
                                return true;
        return false;
}

static bool
value_looks_secret (const char *v)
{
        size_t len = strlen (v);

        for (size_t i = 0; i < HD_ARRAY_SIZE (secret_formats); i++) {
                if (len < secret_formats[i].min_len
                    || strncmp (v, secret_formats[i].prefix, strlen (secret_formats[i].prefix)) != 0)
                        continue;
                if (strcmp (secret_formats[i].prefix, "-----BEGIN ") == 0)
                        return strstr (v, "PRIVATE KEY-----") != NULL;
                return true;
        }
        return false;
}

/* A reference, not a value: a path to a mounted secret file, or empty. */
static bool
is_reference (const char *v)
{
        return v[0] == '\0' || (v[0] == '/' && strncmp (v, "/run/secrets/", 13) == 0)
               || (v[0] == 'f' && strncmp (v, "file:", 5) == 0);
}

static bool
env_secret (const struct json *e, const void *unused)
{
        const char *eq = strchr (e->text, '=');

        (void) unused;
        if (!eq || is_reference (eq + 1))
                return false;
        return name_says_secret (e->text, (size_t) (eq - e->text)) || value_looks_secret (eq + 1);
}

static void
secrets_check (const struct policy *p, const struct json *doc, struct decision *d, const char *id)
{
        const struct json *env = json_path (doc, "process", "env", NULL);

        for (size_t i = 0; env && i < env->n; i++) {
                const char *eq = strchr (env->items[i]->text, '=');
                char ptr[64], found[320];
                if (!env_secret (env->items[i], NULL))
                        continue;
                snprintf (ptr, sizeof ptr, "/process/env/%zu", i);
                snprintf (found, sizeof found, "%.*s=<%zu bytes, not shown>", (int) (eq - env->items[i]->text),
                          env->items[i]->text, strlen (eq + 1));
                decision_add (d, id, ptr, found, "a secret mounted as a file",
                              "environment variable %.*s holds an inline credential", (int) (eq - env->items[i]->text),
                              env->items[i]->text);
        }
}

static int
secrets_fix (const struct policy *p, struct json *doc, const struct decision *ctx, struct hd_err *err)
{
        (void) err;
        json_array_filter (json_path (doc, "process", "env", NULL), env_secret, NULL);
        return 0;
}

const struct rule rule_secrets = {
        "env.secrets", "secrets",   RULE_CREATE | RULE_EXEC, offsetof (struct policy, surface.secrets),
        secrets_check, secrets_fix,
};
