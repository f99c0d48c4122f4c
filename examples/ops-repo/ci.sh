#!/bin/sh
# ci.sh: the checks every policy pull request must pass.
#
#   1. `hardened policy lint` on every policy file under base/ and teams/
#      (the runtime's own loader: a file that fails here would make the
#      runtime refuse every container on the hosts that install it);
#   2. `hardened policy check` on every captured config under cases/: the
#      decision (allowed, rewritten or refused) must be the one in the
#      case's `expect` file.
#
# Usage: ./ci.sh [-v]      (-v: also print check's report, findings and
#                           diff, for the cases that pass)
# Environment: HARDENED, the hardened binary (default: `hardened` in PATH).
# Exit status: 0 when everything passed, 1 when anything failed, 2 on a
# usage or set-up error.
set -eu
cd "$(dirname "$0")"

HARDENED=${HARDENED:-hardened}
verbose=0
case $# in
0) ;;
1) [ "$1" = -v ] || { echo "usage: $0 [-v]" >&2; exit 2; }; verbose=1 ;;
*) echo "usage: $0 [-v]" >&2; exit 2 ;;
esac
command -v "$HARDENED" >/dev/null 2>&1 || { echo "ci.sh: $HARDENED: not found (set HARDENED)" >&2; exit 2; }
command -v jq >/dev/null 2>&1 || { echo "ci.sh: jq is required" >&2; exit 2; }

# The first line of a one-line file, without surrounding white space
# (a trailing CR from an editor included).
first_line() {
    sed -n '1{s/^[[:space:]]*//;s/[[:space:]]*$//;p;}' "$1"
}

indent() {
    sed 's/^/    /'
}

# The check's own report for the case in $dir under $policy (text format:
# decision, findings with rule ids, the diff of the rewritten config).
report() {
    "$HARDENED" policy check --policy "$policy" "$dir/config.json" 2>&1 | indent || :
}

# ---- step 1: lint ---------------------------------------------------------

echo "== lint"
if [ -z "$(find base teams -type f -name '*.json' 2>/dev/null)" ]; then
    echo "FAIL lint: no policy files under base/ or teams/"
    exit 1
fi
# find exits non-zero when any invocation of the linter did.
if ! find base teams -type f -name '*.json' -exec "$HARDENED" policy lint {} +; then
    echo "FAIL lint: fix the findings above; the cases were not checked"
    exit 1
fi

# ---- step 2: cases --------------------------------------------------------

echo "== cases"
passed=0
failed=0
for dir in cases/*/; do
    [ -d "$dir" ] || continue
    name=$(basename "$dir")
    dir=cases/$name

    # What the case says.
    if [ ! -f "$dir/config.json" ] || [ ! -f "$dir/expect" ]; then
        echo "FAIL $name: a case needs config.json and expect"
        failed=$((failed + 1))
        continue
    fi
    expect=$(first_line "$dir/expect")
    case $expect in
    allowed | rewritten | refused) ;;
    *)
        echo "FAIL $name: expect says \"$expect\", not allowed, rewritten or refused"
        failed=$((failed + 1))
        continue
        ;;
    esac
    policy=base/policy.json
    [ ! -f "$dir/policy" ] || policy=$(first_line "$dir/policy")
    if [ ! -f "$policy" ]; then
        echo "FAIL $name: policy file $policy does not exist"
        failed=$((failed + 1))
        continue
    fi

    # What the runtime would do. Exit 1 means "refused", which may be the
    # expected outcome, so the status is compared with the decision below.
    rc=0
    out=$("$HARDENED" policy check --format json --policy "$policy" "$dir/config.json") || rc=$?
    decision=$(printf '%s\n' "$out" | jq -r .decision 2>/dev/null) || decision=
    consistent=no
    case $rc:$decision in
    0:allowed | 0:rewritten | 1:refused) consistent=yes ;;
    esac

    if [ "$decision" = "$expect" ] && [ $consistent = yes ]; then
        echo "ok $name: $decision"
        passed=$((passed + 1))
        [ $verbose = 0 ] || report
        continue
    fi

    if [ "$decision" != "$expect" ]; then
        echo "FAIL $name: expected $expect, got ${decision:-no decision} (policy $policy, check exited $rc)"
    else
        echo "FAIL $name: decision $decision, but check exited $rc"
    fi
    report
    if ! printf '%s\n' "$out" | jq -e .decision >/dev/null 2>&1; then
        echo "    check --format json printed:"
        printf '%s\n' "$out" | indent
    fi
    failed=$((failed + 1))
done

if [ $((passed + failed)) -eq 0 ]; then
    echo "FAIL: no cases under cases/"
    exit 1
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
