/* `hardened install|uninstall docker|containerd|podman`: a node set up the
 * way an administrator would by hand (shim/install_cmd.c). */
#ifndef HARDENED_INSTALL_CMD_H
#define HARDENED_INSTALL_CMD_H

#include <stdbool.h>

/* argv[0] is the engine (flags may come before it).  Returns the exit
 * status: 0 done (changed or already so), 1 refused (a file it will not
 * edit, a policy that fails lint: nothing changed), 2 usage. */
int install_cmd_main (int argc, char **argv, bool uninstall);

#endif
