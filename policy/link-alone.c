#include "config.h"

/* Built with the whole policy library and nothing of the shim's
 * (Makefile.am): if a policy file ever calls into shim/, this program
 * does not link and the build stops.  It is never installed or run. */
int
main (void)
{
        return 0;
}
