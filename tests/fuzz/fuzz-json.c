/* Fuzz entry point for the strict parser, the schema check and the writer.
 * Properties: no crash, no leak; whatever parses is written back to bytes
 * that parse again and write back identically (the writer is a fixed point). */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hardened/json.h"
#include "hardened/spec.h"
#include "hardened/util.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
        _cleanup_json_ struct json *j = NULL, *again = NULL;
        _cleanup_free_ char *out = NULL, *out2 = NULL;
        struct hd_err err;
        size_t len, len2;

        if (json_parse ((const char *) data, size, &j, &err) < 0)
                return 0;
        (void) spec_check (j, &spec_config, SPEC_STRICT, (const char *) data, size, &err);
        (void) spec_check (j, &spec_process, SPEC_ALLOW_UNKNOWN, (const char *) data, size, &err);
        if (json_write (j, &out, &len, &err) < 0)
                abort ();
        if (json_parse (out, len, &again, &err) < 0)
                abort ();
        if (json_write (again, &out2, &len2, &err) < 0 || len != len2 || memcmp (out, out2, len))
                abort ();
        return 0;
}
