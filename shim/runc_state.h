/* A container's state as runc 1.1 keeps it: ROOT/ID/state.json, written by
 * runc at create and rewritten by every update.
 *
 * exec without --process builds its process from the config.json that the
 * state's first "bundle=" label names (read at exec time), and update merges
 * into the resources the state records, so the shim reads the same file to
 * judge what runc will actually do.  The file is root's (runc writes it under
 * a 0700 root), but it is parsed strictly all the same. */
#ifndef HARDENED_RUNC_STATE_H
#define HARDENED_RUNC_STATE_H

#include "hardened/err.h"
#include "hardened/json.h"

#include "cli.h"

/* Load the state of container cli->id under cli_state_root(cli).  The id is
 * checked as runc's validateID does; a missing container is an error
 * naming the state file. */
int runc_state_load (const struct cli *cli, struct json **state, struct hd_err *err);

/* runc's utils.SearchLabels over state.config.labels: the value of the
 * first "KEY=VALUE" label whose KEY is `key`, or NULL.  runc lists the
 * config's annotations before its own "bundle=" label, so an annotation
 * named "bundle" is the one runc finds. */
const char *runc_state_label (const struct json *state, const char *key);

/* The value of the one label whose KEY is `key`, or NULL when there is
 * none or more than one: an annotation whose own key has an "=" in it
 * ("K=x" with value "y") makes a label that also reads as K, so a KEY
 * that appears twice says nothing certain. */
const char *runc_state_label_unique (const struct json *state, const char *key);

#endif
