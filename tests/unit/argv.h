/* Test helper: a command line split at spaces into an argv (no argument
 * of the tests contains a space).  *store holds the strings; free both. */
#ifndef HARDENED_TEST_ARGV_H
#define HARDENED_TEST_ARGV_H

#include <stdlib.h>
#include <string.h>

static inline char **
split (const char *line, int *argc, char **store)
{
        char **argv = calloc (64, sizeof *argv);
        char *save = NULL;

        *store = strdup (line);
        *argc = 0;
        for (char *tok = strtok_r (*store, " ", &save); tok; tok = strtok_r (NULL, " ", &save))
                argv[(*argc)++] = tok;
        return argv;
}

#endif
