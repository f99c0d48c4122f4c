#!/bin/sh
# Is every C source and header formatted by the top-level .clang-format?
#   tests/style/format-check.sh        print the diff of each file that is not,
#                                      then their names; exit 1 if any
#   tests/style/format-check.sh --fix  reformat those files in place
# (`make format-check` and `make format` run these; CI runs the check.)
#
# The files: what git tracks under *.c and *.h in this checkout; in a copy
# without its .git (a dist tarball, tests/run-suite.sh's build copy) the
# same names found on disk.  Never the test fixtures, nor the sources the
# build generates (policy/default-*.c, from policy/embed.sh).
#
# clang-format versions disagree on some layouts, so only clang-format 14
# (Debian 12's, the one .ci/deps installs) is used: $CLANG_FORMAT if set,
# else clang-format-14, else clang-format if it is version 14.
# Exit status: 0 formatted, 1 not formatted, 2 cannot check.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd -P)
fix=false
case ${1-} in
    --fix) fix=true ;;
    "") ;;
    *) echo "usage: $0 [--fix]" >&2; exit 2 ;;
esac

die() { echo "format-check: $*" >&2; exit 2; }

major() { "$1" --version 2>/dev/null | sed -n 's/.*clang-format version \([0-9][0-9]*\)\..*/\1/p' | head -1; }
if [ -n "${CLANG_FORMAT-}" ]; then
    cf=$CLANG_FORMAT
elif command -v clang-format-14 >/dev/null 2>&1; then
    cf=clang-format-14
else
    cf=clang-format
fi
command -v "$cf" >/dev/null 2>&1 || die "$cf not found: install clang-format 14 (Debian 12: apt-get install clang-format)"
[ "$(major "$cf")" = 14 ] || die "$cf is not clang-format 14 ($("$cf" --version 2>&1 | head -1)); set CLANG_FORMAT"
[ -f "$top/.clang-format" ] || die "no $top/.clang-format"

cd "$top"
list=$(mktemp) && trap 'rm -f "$list"' EXIT
# Only this tree's own git: a copy inside another checkout must not list
# that checkout's files (or none of them) instead of its own.
if [ "$(git rev-parse --show-toplevel 2>/dev/null || true)" = "$top" ]; then
    git ls-files -- '*.c' '*.h'
else
    # what a configured or built copy adds: config.h, build directories
    find . -name '*.[ch]' -type f | sed 's|^\./||' | LC_ALL=C sort \
        | grep -v -e '^config\.h$' -e '^build[^/]*/' -e '^hardened-[^/]*/' -e '^autom4te\.cache/'
fi | grep -v -e '^tests/fixtures/' -e '^policy/default-[a-z]*\.c$' >"$list" || true
[ -s "$list" ] || die "no C files found under $top"

if $fix; then
    xargs "$cf" -i --style="file:$top/.clang-format" <"$list"
    exit 0
fi

bad=
n=0
while IFS= read -r f; do
    n=$((n + 1))
    if ! "$cf" --style="file:$top/.clang-format" "$f" | diff -u --label "a/$f" --label "b/$f" "$f" -; then
        bad="$bad $f"
    fi
done <"$list"
if [ -n "$bad" ]; then
    echo
    echo "format-check: not formatted by .clang-format ($("$cf" --version | head -1)):"
    for f in $bad; do echo "  $f"; done
    echo "format-check: run \`make format\` (or tests/style/format-check.sh --fix) and commit the result"
    exit 1
fi
echo "format-check: all $n C files formatted"
