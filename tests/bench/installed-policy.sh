# The real set-up's policy, for the bench scripts (sourced; needs $build):
# the policy at the installed path (the build's sysconfdir).  Only with
# BENCH_INSTALL_POLICY=1 does a bench put its policy there (when nothing is
# installed there), and removes it after: meanwhile every hardened on this
# machine that reads that path (a test suite, a daemon's runtime) would
# run the bench's policy.
#
#   installed_place POLICY ROW  place POLICY, or say why ROW is skipped
#                               (1); $placed then says what to remove
#   installed_remove            remove what installed_place placed
# shellcheck shell=bash
# shellcheck disable=SC2154 # $build is the sourcing script's
installed=$(sed -n 's/^sysconfdir = //p' "$build/Makefile" 2>/dev/null | sed "s|\${prefix}|$(sed -n 's/^prefix = //p' "$build/Makefile")|")/hardened/policy.json
placed=

installed_place() {
    if [ "${BENCH_INSTALL_POLICY:-}" != 1 ]; then
        echo "note: the $2 row is skipped (BENCH_INSTALL_POLICY=1 places the bench's policy at $installed for it)" >&2
    elif [ -e "$installed" ] || [ -L "$installed" ]; then
        echo "note: $installed is installed: the $2 row is skipped" >&2
    elif [ "$installed" = /hardened/policy.json ]; then
        echo "note: no sysconfdir in $build/Makefile: the $2 row is skipped" >&2
    else
        [ -d "$(dirname "$installed")" ] || { mkdir -p "$(dirname "$installed")" && placed=dir; }
        cp "$1" "$installed" && chmod 644 "$installed" && placed=${placed:-file}
    fi
    [ -n "$placed" ]
}

installed_remove() {
    [ -z "$placed" ] || rm -f "$installed"
    [ "$placed" != dir ] || rmdir "$(dirname "$installed")" 2>/dev/null || true
    placed=
}
