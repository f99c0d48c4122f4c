#!/bin/sh
# Replays the fuzz corpus (and the Docker fixtures) through the fuzz entry
# point built as a plain program; one TAP line per input.
set -u
: "${FUZZ_JSON:?}" "${top_srcdir:?}"
n=0
fail=0
for f in "$top_srcdir"/tests/fuzz/corpus/* "$top_srcdir"/tests/fixtures/*.json; do
    n=$((n + 1))
    if "$FUZZ_JSON" "$f" >/dev/null 2>&1; then
        echo "ok $n - replay $(basename "$f")"
    else
        echo "not ok $n - replay $(basename "$f") (exit $?)"
        fail=1
    fi
done
echo "1..$n"
exit $fail
