#include "config.h"

#include <string.h>

#include "hardened/engine.h"
#include "hardened/spec.h"
#include "hardened/util.h"

#include "guard.h"
#include "runc_flags.h"
#include "verbs.h"

static const struct doc_kind config_doc = { &spec_config, RULE_CREATE, { NULL } };
static const struct doc_kind process_doc = { &spec_process, RULE_EXEC, { "process", NULL } };
static const struct doc_kind resources_doc = { &spec_resources, RULE_UPDATE, { "linux", "resources", NULL } };

/* create/run/restore: the bundle's config.json (and the runtime flags);
 * exec: --process FILE, or the process runc builds from the inline flags;
 * update: --resources FILE|-, or the inline flags, merged into the
 * container's resources.  exec alone keeps its flags where they are
 * (runc's SkipArgReorder: they must precede the container id). */
static const struct verb verbs[] = {
        { "create", CLI_VERB_CREATE, runc_create_flags, true, &config_doc, guard_create, true, "start" },
        { "run", CLI_VERB_RUN, runc_run_flags, true, &config_doc, guard_create, true, "start" },
        { "restore", CLI_VERB_RESTORE, runc_restore_flags, true, &config_doc, guard_create, true, "start" },
        { "exec", CLI_VERB_EXEC, runc_exec_flags, false, &process_doc, guard_exec, false, "exec" },
        { "update", CLI_VERB_UPDATE, runc_update_flags, true, &resources_doc, guard_update, false, "resource" },
};

const struct verb *
verb_named (const char *name)
{
        for (size_t i = 0; i < HD_ARRAY_SIZE (verbs); i++)
                if (strcmp (name, verbs[i].name) == 0)
                        return &verbs[i];
        return NULL;
}

const struct verb *
verb_find (enum cli_verb verb)
{
        for (size_t i = 0; i < HD_ARRAY_SIZE (verbs); i++)
                if (verbs[i].verb == verb)
                        return &verbs[i];
        return NULL;
}
