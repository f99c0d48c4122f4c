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
failed=0
runner_exe=$(readlink -f "/proc/$$/exe")

base_file() {
    case $1 in
    default) echo "$top_srcdir/policy/profiles/default.json" ;;
    restricted) echo "$top_srcdir/policy/profiles/restricted.json" ;;
    *) echo "$FIXTURES/policy-off.json" ;;
    esac
}

# One result file per case, named by its index, so workers can run cases
# in parallel and the TAP still lists them in order: "ok"/"not ok", the
# name, then diagnostics.
report() {
    {
        if [ -z "$2" ]; then
            echo "ok - $1"
        else
            echo "not ok - $1"
            printf '%s\n' "$2" | sed 's/^/#   /'
        fi
    } >"$work/res/$case_index"
}

# run_case NAME CASE_JSON: CASE_JSON has policy_file, policy (overrides),
# input (or input_text, the document's exact bytes), wrap, patch, verdict,
# findings | findings_unique, expect, unchanged;
# optionally verb ("update": the input is an `update --resources` document,
# merged into a running container's state.json, whose config.cgroups is 1
# CPU (100000/100000), 256Mi without swap and 50 pids with the case's
# "state" object merged over it; "expect" and "unchanged" then look at the
# document runc is handed;
# "run", "restore": like the default, create), args (verb flags given
# before --bundle, e.g. ["--no-pivot=T"]), backend_flags (the flags the
# backend must get there instead, exactly; default: args unchanged), root
# (the global --root the engine passes) and symlinks ({"NAME": "TARGET"},
# made in the case's own directory, which "@CASE@" in the patch's strings
# names).
run_case() {
    local name=$1 c d problems="" rc verdict got want policy_file input wrap id verb_kind unchanged root
    local wanted has_links has_expect has_text log_lacks=() log_has=() args=() flags_want
    d=$(mktemp -d "$work/case.XXXXXX")
    mkdir -p "$d/bundle" "$d/out"
    # Everything the case says, in one jq run (each jq start costs more than
    # the case itself).
    eval "$(jq -r --arg pid "$$" --arg exe "$runner_exe" '
        walk(if type == "string" then gsub("@RUNNER_PID@"; $pid) | gsub("@RUNNER_EXE@"; $exe) else . end)
        | @sh "c=\(tojson) policy_file=\(.policy_file)",
          @sh "input=\(if (.input | type) == "string" then .input else "" end) wrap=\(.wrap // "")",
          @sh "id=\(.id // "") verb_kind=\(.verb // "create") want=\(.verdict) unchanged=\(.unchanged // false)",
          @sh "root=\(.root // "")",
          @sh "has_links=\((.symlinks // {}) | length > 0) has_expect=\((.expect // {}) | length > 0)",
          @sh "has_text=\(has("input_text"))",
          @sh "wanted=\(if has("findings_unique") then .findings_unique | unique else (.findings // []) end | join("\n"))",
          "log_lacks=(\(.log_lacks // [] | @sh))", "log_has=(\(.log_has // [] | @sh))",
          "args=(\(.args // [] | @sh))",
          @sh "flags_want=\(if has("backend_flags") then .backend_flags else (.args // []) end | tojson)"' <<<"$2")"
    jq --argjson c "$c" '. * ($c.policy // {})' "$policy_file" >"$d/policy.json"
    if [ "$has_links" = true ]; then
        local link target
        while IFS=$'\t' read -r link target; do
            [ -z "$link" ] || ln -s "$target" "$d/$link"
        done < <(jq -r '.symlinks | to_entries[] | "\(.key)\t\(.value)"' <<<"$c")
    fi
    # the input (a fixture, or the case's own), wrapped, then patched
    local build='def ptr: split("/")[1:] | map(if test("^[0-9]+$") then tonumber else . end);
        (if $c.wrap == "process" then {ociVersion: "1.0.2", process: ., root: {path: "rootfs", readonly: true}} else . end)
        | reduce (($c.patch // {}) | walk(if type == "string" then gsub("@CASE@"; $case) else . end)
                  | to_entries[]) as $p (.; setpath($p.key | ptr; $p.value))'
    if [ -n "$input" ]; then
        jq --argjson c "$c" --arg case "$d" "$build" "$FIXTURES/$input" >"$d/bundle/config.json"
    else
        jq -n --argjson c "$c" --arg case "$d" "\$c.input | $build" >"$d/bundle/config.json"
    fi
    # input_text: the config's exact bytes (duplicate keys, which jq cannot keep)
    if [ "$has_text" = true ]; then
        jq -j '.input_text' <<<"$c" >"$d/bundle/config.json"
    fi
    cp "$d/bundle/config.json" "$d/before.json"

    # Docker names the runc container after its own id, which its bind
    # sources carry (.../containers/<id>/hosts): use it, as Docker would.
    [ -n "$id" ] || id=$(grep -oE '/containers/[0-9a-f]{64}/' "$d/bundle/config.json" | head -1 | cut -d/ -f3)
    local verb summary='^(bundle .*|[a-z]+ flags: )refused by policy' doc=$d/bundle/config.json
    verb=("$verb_kind" "${args[@]}" --bundle "$d/bundle")
    if [ "$verb_kind" = update ]; then
        mkdir -p "$d/root/${id:-case}"
        jq -n -c --argjson c "$c" '{"config": {"cgroups": ({"memory": 268435456, "memory_swap": 268435456,
            "cpu_quota": 100000, "cpu_period": 100000, "pids_limit": 50} + ($c.state // {}))}}' \
            > "$d/root/${id:-case}/state.json"
        verb=(--root "$d/root" update --resources "$d/bundle/config.json")
        summary="^update ${id:-case}: refused by policy"
        doc=$d/out/resources
    fi
    # "root": runc's --root as the engine gives it (trustedAnnotations).
    local globals=()
    [ -z "$root" ] || globals=(--root "$root")
    FAKE_RUNTIME_COPY=handed FAKE_RUNTIME_OUT=$d/out "$HARDENED" --policy "$d/policy.json" --backend "$FAKE_RUNTIME" "${globals[@]}" \
        --log "$d/log.json" --log-format json "${verb[@]}" "${id:-case}" >/dev/null 2>"$d/stderr"
    rc=$?
    # an update document reaches runc as a memfd (the file stays as it was):
    # what runc was handed is what the expectations below judge
    if [ "$verb_kind" = update ] && [ -e "$d/out/copied" ]; then
        cmp -s "$d/before.json" "$d/bundle/config.json" || problems+="the resources file was written"$'\n'
        cp "$d/out/copied" "$d/bundle/config.json"
    fi
    # level<TAB>msg, one line per log entry
    jq -r '"\(.level)\t\(.msg)"' "$d/log.json" >"$d/msgs" 2>/dev/null
    got=$(cut -f2- "$d/msgs" | sed -nE 's/^policy [^ ]+: ([A-Za-z.]+) (warning|rewritten|refused).*/\1 \2/p')
    if [ "$rc" -eq 1 ] && grep -q ' refused$' <<<"$got"; then verdict=refused
    elif grep -q ' rewritten$' <<<"$got"; then verdict=rewritten
    else verdict=allowed; fi
    [ "$rc" -eq 0 ] || [ "$verdict" = refused ] || problems+="exit $rc: $(cat "$d/stderr")"$'\n'

    [ "$verdict" = "$want" ] || problems+="verdict: got $verdict, want $want"$'\n'
    if [ "$verdict" = refused ]; then
        [ ! -e "$d/out/argv" ] || problems+="the backend ran for a refused config"$'\n'
        cmp -s "$d/before.json" "$d/bundle/config.json" || problems+="a refused config.json was changed"$'\n'
        awk -F'\t' '$1 == "error"' "$d/msgs" | tail -1 | cut -f2- | grep -qE "$summary" ||
            problems+="the last error line is not the refusal summary"$'\n'
    else
        [ -e "$d/out/argv" ] || problems+="the backend did not run"$'\n'
        # the flags between the verb and --bundle, as the backend got them
        local flags_got
        flags_got=$(sed -n "/^$verb_kind\$/,/^--bundle\$/p" "$d/out/argv" 2>/dev/null | sed '1d;$d' | jq -nRc '[inputs]')
        [ "$verb_kind" = update ] || [ "$flags_got" = "$flags_want" ] ||
            problems+="backend flags: got $flags_got, want $flags_want"$'\n'
    fi
    local ids
    ids=$(cut -d' ' -f1 <<<"$got" | sed '/^$/d')
    if jq -e 'has("findings_unique")' <<<"$c" >/dev/null; then
        ids=$(LC_ALL=C sort -u <<<"$ids")
        wanted=$(LC_ALL=C sort -u <<<"$wanted")
    fi
    [ "$ids" = "$wanted" ] || problems+="findings: got [$(echo $ids)], want [$(echo $wanted)]"$'\n'
    if [ "$unchanged" = true ]; then
        cmp -s <(jq -S . "$d/before.json") <(jq -S . "$doc") ||
            problems+="config changed but should not: $(diff <(jq -S . "$d/before.json") <(jq -S . "$doc") | head -5)"$'\n'
    fi
    local text
    for text in "${log_lacks[@]}"; do
        ! grep -qF -- "$text" "$d/log.json" "$d/stderr" || problems+="the log shows \"$text\""$'\n'
    done
    for text in "${log_has[@]}"; do
        cut -f2- "$d/msgs" | grep -qF -- "$text" || problems+="the log lacks \"$text\""$'\n'
    done
    if [ "$has_expect" = true ]; then
        problems+=$(jq -r --argjson c "$c" '
            def ptr: split("/")[1:] | map(if test("^[0-9]+$") then tonumber else . end);
            . as $doc | $c.expect | to_entries[]
            | . as $e | ($doc | getpath($e.key | ptr)) as $got
            | select($got != $e.value)
            | "at \($e.key): got \($got | tojson), want \($e.value | tojson)"' \
            "$doc" 2>/dev/null)
    fi
    rm -rf "$d"
    report "$name" "$problems"
}

# Every case as one JSON line: the explicit cases, then the matrix (each
# family alone, every action, both modes), expanded in one jq run.
jq -c --arg off "$(base_file off)" --arg d "$(base_file default)" --arg r "$(base_file restricted)" '
    (.cases[] | .policy_file = (if .base == "default" then $d elif .base == "restricted" then $r else $off end)),
    (.matrix[] as $m | ("enforce", "audit") as $mode | ("off", "warn", "reject", "rewrite") as $action
     | { name: "matrix \($m.family): \($action) in \($mode) mode",
         policy_file: $off, input: $m.input, patch: ($m.patch // {}),
         verb: ($m.verb // "create"), args: ($m.args // []),
         backend_flags: (if $action == "rewrite" and $mode == "enforce" then ($m.rewritten_args // $m.args // [])
                         else ($m.args // []) end),
         policy: { mode: $mode, rules: { ($m.family): ($m.options + { action: $action }) } },
         findings_unique: (if $action == "off" then [] else $m.rules end),
         verdict: (if $action == "off" or $action == "warn" or $mode == "audit" then "allowed"
                   elif $action == "reject" then "refused" else ($m.rewrite_verdict // "rewritten") end),
         unchanged: ($action != "rewrite" or $mode == "audit" or $m.rewrite_verdict == "refused"),
         expect: (if $action == "rewrite" and $mode == "enforce" then ($m.rewritten // {}) else {} end),
         family: $m.family })' "$cases" >"$work/all.jsonl" || exit 1
mkdir -p "$work/res"
total=$(wc -l <"$work/all.jsonl")

# Workers take every JOBS-th case; each case has its own directory.
jobs=${HD_CASE_JOBS:-$(nproc)}
worker() {
    local case_index=0 line
    while IFS= read -r line; do
        case_index=$((case_index + 1))
        [ $(((case_index - 1) % jobs)) -eq "$1" ] || continue
        run_case "$(jq -r .name <<<"$line")" "$line"
    done <"$work/all.jsonl"
}
pids=()
for w in $(seq 0 $((jobs - 1))); do
    worker "$w" &
    pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done

for i in $(seq 1 "$total"); do
    if [ ! -s "$work/res/$i" ]; then
        echo "not ok $i - case $i reported nothing"
        failed=1
        continue
    fi
    sed "1s/^\(ok\|not ok\) - /\1 $i - /" "$work/res/$i"
    head -1 "$work/res/$i" | grep -q '^not ok' && failed=1
done
echo "1..$total"
exit $failed
