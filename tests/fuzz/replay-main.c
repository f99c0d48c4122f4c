/* Plain-program driver for the fuzz entry point: replays every file named
 * on the command line, so the corpus runs in `make check` without libFuzzer. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
main (int argc, char **argv)
{
        for (int i = 1; i < argc; i++) {
                FILE *f = fopen (argv[i], "rbe");
                uint8_t *buf;
                long n;

                if (!f) {
                        perror (argv[i]);
                        return 2;
                }
                fseek (f, 0, SEEK_END);
                n = ftell (f);
                rewind (f);
                buf = malloc ((size_t) n + 1);
                if (!buf || fread (buf, 1, (size_t) n, f) != (size_t) n) {
                        fprintf (stderr, "%s: read failed\n", argv[i]);
                        return 2;
                }
                fclose (f);
                LLVMFuzzerTestOneInput (buf, (size_t) n);
                free (buf);
        }
        return 0;
}
