#!/usr/bin/env bash
# Runs the data-driven policy cases in cases.json and cases.d/*.json (each
# with "cases" and/or "matrix", concatenated in name order) through the real binary
# with a fake backend, and prints TAP.  For each case: a policy (a base file
# deep-merged with the case's overrides) and an input config (a Docker
# fixture, optionally wrapped or patched) go in; the verdict, the rule ids
# of the findings (from the --log lines), whether the backend ran, and the
# resulting config.json (JSON pointers, or "unchanged") are checked.
# In any string of a case, @RUNNER_PID@ is the pid of this runner (a live
# process for the whole run) and @RUNNER_EXE@ the binary it runs, so a case
# can name a live /proc/<pid>/exe.
set -u
: "${HARDENED:?}" "${FAKE_RUNTIME:?}" "${top_srcdir:?}"
FIXTURES=${FIXTURES:-$top_srcdir/tests/fixtures}
work=$(mktemp -d "${TMPDIR:-/tmp}/hd-cases.XXXXXX")
trap 'rm -rf "$work"' EXIT
cases=$work/all-cases.json
jq -s '{cases: (map(.cases // []) | add), matrix: (map(.matrix // []) | add)}' \
    "$top_srcdir/tests/policy/cases.json" "$top_srcdir"/tests/policy/cases.d/*.json > "$cases" || exit 1
n=0
failed=0
runner_exe=$(readlink -f "/proc/$$/exe")

base_file() {
    case $1 in
    default) echo "$top_srcdir/policy/profiles/default.json" ;;
    restricted) echo "$top_srcdir/policy/profiles/restricted.json" ;;
    *) echo "$FIXTURES/policy-off.json" ;;
    esac
}

# ok/not ok with diagnostics
report() {
    n=$((n + 1))
    if [ -z "$2" ]; then
        echo "ok $n - $1"
    else
        echo "not ok $n - $1"
        printf '%s\n' "$2" | sed 's/^/#   /'
        failed=1
    fi
}

# run_case NAME CASE_JSON: CASE_JSON has policy_file, policy (overrides),
# input, wrap, patch, verdict, findings | findings_unique, expect, unchanged;
# optionally verb ("update": the input is an `update --resources` document,
# default create) and symlinks ({"NAME": "TARGET"}, made in the case's own
# directory, which "@CASE@" in the patch's strings names).
run_case() {
    local name=$1 c d problems="" rc verdict got want
    c=$(jq --arg pid "$$" --arg exe "$runner_exe" \
        'walk(if type == "string" then gsub("@RUNNER_PID@"; $pid) | gsub("@RUNNER_EXE@"; $exe) else . end)' <<<"$2")
    d=$(mktemp -d "$work/case.XXXXXX")
    mkdir -p "$d/bundle" "$d/out"
    jq -s '.[0] * .[1]' "$(jq -r '.policy_file' <<<"$c")" <(jq '.policy // {}' <<<"$c") > "$d/policy.json"
    local input
    input=$(jq -r 'if (.input | type) == "string" then .input else "" end' <<<"$c")
    if [ -n "$input" ]; then cp "$FIXTURES/$input" "$d/in.json"; else jq '.input' <<<"$c" > "$d/in.json"; fi
    if [ "$(jq -r '.wrap // ""' <<<"$c")" = process ]; then
        jq '{ociVersion: "1.0.2", process: ., root: {path: "rootfs", readonly: true}}' "$d/in.json" > "$d/w.json" && mv "$d/w.json" "$d/in.json"
    fi
    local link target
    while IFS=$'\t' read -r link target; do
        [ -z "$link" ] || ln -s "$target" "$d/$link"
    done < <(jq -r '(.symlinks // {}) | to_entries[] | "\(.key)\t\(.value)"' <<<"$c")
    jq --argjson c "$c" --arg case "$d" '
        def ptr: split("/")[1:] | map(if test("^[0-9]+$") then tonumber else . end);
        reduce (($c.patch // {}) | walk(if type == "string" then gsub("@CASE@"; $case) else . end)
                | to_entries[]) as $p (.; setpath($p.key | ptr; $p.value))' \
        "$d/in.json" > "$d/bundle/config.json"
    cp "$d/bundle/config.json" "$d/before.json"

    # Docker names the runc container after its own id, which its bind
    # sources carry (.../containers/<id>/hosts): use it, as Docker would.
    local id
    id=$(jq -r '.id // ""' <<<"$c")
    [ -n "$id" ] || id=$(grep -oE '/containers/[0-9a-f]{64}/' "$d/bundle/config.json" | head -1 | cut -d/ -f3)
    local verb summary='^bundle .*refused by policy'
    verb=(create --bundle "$d/bundle")
    if [ "$(jq -r '.verb // "create"' <<<"$c")" = update ]; then
        verb=(update --resources "$d/bundle/config.json")
        summary="^$d/bundle/config.json: refused by policy"
    fi
    FAKE_RUNTIME_OUT=$d/out "$HARDENED" --policy "$d/policy.json" --backend "$FAKE_RUNTIME" \
        --log "$d/log.json" --log-format json "${verb[@]}" "${id:-case}" >/dev/null 2>"$d/stderr"
    rc=$?
    got=$(jq -r '.msg' "$d/log.json" 2>/dev/null |
          sed -nE 's/^policy [^ ]+: ([A-Za-z.]+) (warning|rewritten|refused).*/\1 \2/p')
    if [ "$rc" -eq 1 ] && grep -q ' refused$' <<<"$got"; then verdict=refused
    elif grep -q ' rewritten$' <<<"$got"; then verdict=rewritten
    else verdict=allowed; fi
    [ "$rc" -eq 0 ] || [ "$verdict" = refused ] || problems+="exit $rc: $(cat "$d/stderr")"$'\n'

    want=$(jq -r '.verdict' <<<"$c")
    [ "$verdict" = "$want" ] || problems+="verdict: got $verdict, want $want"$'\n'
    if [ "$verdict" = refused ]; then
        [ ! -e "$d/out/argv" ] || problems+="the backend ran for a refused config"$'\n'
        cmp -s "$d/before.json" "$d/bundle/config.json" || problems+="a refused config.json was changed"$'\n'
        jq -r 'select(.level == "error") | .msg' "$d/log.json" | tail -1 | grep -q "$summary" ||
            problems+="the last error line is not the refusal summary"$'\n'
    else
        [ -e "$d/out/argv" ] || problems+="the backend did not run"$'\n'
    fi
    local ids wanted
    ids=$(cut -d' ' -f1 <<<"$got" | sed '/^$/d')
    if jq -e 'has("findings_unique")' <<<"$c" >/dev/null; then
        ids=$(sort -u <<<"$ids")
        wanted=$(jq -r '.findings_unique[]' <<<"$c" | sort -u)
    else
        wanted=$(jq -r '.findings[]' <<<"$c")
    fi
    [ "$ids" = "$wanted" ] || problems+="findings: got [$(echo $ids)], want [$(echo $wanted)]"$'\n'
    if [ "$(jq -r '.unchanged // false' <<<"$c")" = true ]; then
        cmp -s <(jq -S . "$d/before.json") <(jq -S . "$d/bundle/config.json") ||
            problems+="config changed but should not: $(diff <(jq -S . "$d/before.json") <(jq -S . "$d/bundle/config.json") | head -5)"$'\n'
    fi
    local text
    for text in $(jq -r '.log_lacks // [] | .[]' <<<"$c"); do
        ! grep -qF -- "$text" "$d/log.json" "$d/stderr" || problems+="the log shows \"$text\""$'\n'
    done
    while IFS= read -r text; do
        [ -z "$text" ] || jq -r .msg "$d/log.json" | grep -qF -- "$text" || problems+="the log lacks \"$text\""$'\n'
    done < <(jq -r '.log_has // [] | .[]' <<<"$c")
    problems+=$(jq -r --argjson c "$c" '
        def ptr: split("/")[1:] | map(if test("^[0-9]+$") then tonumber else . end);
        . as $doc | ($c.expect // {}) | to_entries[]
        | . as $e | ($doc | getpath($e.key | ptr)) as $got
        | select($got != $e.value)
        | "at \($e.key): got \($got | tojson), want \($e.value | tojson)"' \
        "$d/bundle/config.json")
    report "$name" "$problems"
}

# Explicit cases.
count=$(jq '.cases | length' "$cases")
for i in $(seq 0 $((count - 1))); do
    c=$(jq --arg off "$(base_file off)" --arg d "$(base_file default)" --arg r "$(base_file restricted)" \
        ".cases[$i] | .policy_file = (if .base == \"default\" then \$d elif .base == \"restricted\" then \$r else \$off end)" "$cases")
    run_case "$(jq -r .name <<<"$c")" "$c"
done

# The matrix: each family alone, every action, both modes.
families=$(jq '.matrix | length' "$cases")
for i in $(seq 0 $((families - 1))); do
    for mode in enforce audit; do
        for action in off warn reject rewrite; do
            c=$(jq --arg off "$(base_file off)" --arg mode "$mode" --arg action "$action" "
                .matrix[$i] as \$m
                | { policy_file: \$off, input: \$m.input, patch: (\$m.patch // {}),
                    policy: { mode: \$mode, rules: { (\$m.family): (\$m.options + { action: \$action }) } },
                    findings_unique: (if \$action == \"off\" then [] else \$m.rules end),
                    verdict: (if \$action == \"off\" or \$action == \"warn\" or \$mode == \"audit\" then \"allowed\"
                              elif \$action == \"reject\" then \"refused\" else (\$m.rewrite_verdict // \"rewritten\") end),
                    unchanged: (\$action != \"rewrite\" or \$mode == \"audit\" or \$m.rewrite_verdict == \"refused\"),
                    expect: (if \$action == \"rewrite\" and \$mode == \"enforce\" then (\$m.rewritten // {}) else {} end),
                    family: \$m.family }" "$cases")
            run_case "matrix $(jq -r .family <<<"$c"): $action in $mode mode" "$c"
        done
    done
done

echo "1..$n"
exit $failed
