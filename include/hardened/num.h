/* Typed number parsing (STYLE.md 6).
 *
 * Each parser takes the exact text of a JSON number (or a CLI value) and
 * accepts only plain decimal: no empty string, no leading '+', no sign for
 * unsigned types, no fraction, no exponent, no leading zeros, no trailing
 * bytes, no overflow.  This is what Go's strconv.ParseUint/ParseInt(s, 10, n)
 * accepts from encoding/json, minus the leading zeros JSON forbids anyway.
 * Return 0 on success, -1 (errno EINVAL or ERANGE) otherwise. */
#ifndef HARDENED_NUM_H
#define HARDENED_NUM_H

#include <stddef.h>
#include <stdint.h>

int parse_u64 (const char *text, size_t len, uint64_t *out);
int parse_i64 (const char *text, size_t len, int64_t *out);
int parse_u32 (const char *text, size_t len, uint32_t *out);
int parse_i32 (const char *text, size_t len, int32_t *out);
int parse_u16 (const char *text, size_t len, uint16_t *out);

/* Format a byte count for messages: "512Mi" when exact, else bytes. */
void num_format_size (int64_t v, char *buf, size_t size);

#endif
