/* `hardened policy lint|check|show`: the ops-repo tooling, run with the
 * same loader and engine as the runtime (shim/tool.c). */
#ifndef HARDENED_TOOL_H
#define HARDENED_TOOL_H

/* argv[0] is "lint", "check" or "show".  Returns the exit status:
 * 0 clean / allowed, 1 findings / a refusal, 2 usage or unusable input. */
int tool_policy (int argc, char **argv);

#endif
