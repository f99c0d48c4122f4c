#!/bin/sh
# embed.sh SYMBOL FILE [digest]: a C source defining SYMBOL (the file's bytes
# plus a terminating NUL) and SYMBOL_len (the byte count, without the NUL),
# so the compiled-in copy is byte for byte the shipped file; with "digest",
# also SYMBOL_sha256, the SHA-256 of those bytes (a unit test recomputes it).
set -eu
sym=$1
file=$2
printf '/* Generated from %s by policy/embed.sh; do not edit. */\n' "$(basename "$file")"
printf '#include "config.h"\n#include <stddef.h>\n#include "hardened/policy.h"\n\n'
printf 'const char %s[] = {\n' "$sym"
od -An -v -tx1 "$file" | sed -e 's/ \([0-9a-f][0-9a-f]\)/0x\1, /g' -e 's/^/        /' -e 's/ *$//'
printf '        0x00\n};\n'
printf 'const size_t %s_len = sizeof %s - 1;\n' "$sym" "$sym"
if [ "${3:-}" = digest ]; then
        sum=$(sha256sum < "$file" | cut -d' ' -f1)
        printf 'const unsigned char %s_sha256[32] = {\n        ' "$sym"
        printf '%s\n' "$sum" | sed -e 's/\(..\)/0x\1, /g' -e 's/, $//'
        printf '};\n'
fi
