/* `hardened verdicts import`: Trivy JSON reports to one verdict file the
 * images rule reads (include/hardened/verdicts.h; shim/verdicts_cmd.c). */
#ifndef HARDENED_VERDICTS_CMD_H
#define HARDENED_VERDICTS_CMD_H

/* argv[0] is the subcommand.  Returns the exit status: 0 written, 1 a
 * report or the output refused (nothing written), 2 usage. */
int verdicts_cmd_main (int argc, char **argv);

#endif
