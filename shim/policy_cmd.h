/* `hardened policy lint|check|show`: the ops-repo tooling, run with the
 * same loader and engine as the runtime (shim/policy_cmd.c). */
#ifndef HARDENED_POLICY_CMD_H
#define HARDENED_POLICY_CMD_H

/* argv[0] is "lint", "check" or "show".  Returns the exit status:
 * 0 clean / allowed, 1 findings / a refusal, 2 usage or unusable input. */
int policy_cmd_main (int argc, char **argv);

#endif
