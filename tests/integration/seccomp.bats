#!/usr/bin/env bats
# seccomp.profile with real runc: a profile that lets namespace creation
# through (clone and unshare allowed unconditionally) is what runc would
# load as it is; under the policy it is replaced, and inside the container
# the same unshare(2) calls fail with EPERM.  Plain runc with the same
# profile is the control: there they succeed.

bats_require_minimum_version 1.5.0
load helpers
load fake

DEFAULT=$BATS_TEST_DIRNAME/../../policy/profiles/default.json
OFF=$BATS_TEST_DIRNAME/../fixtures/policy-off.json
SHIPPED=$BATS_TEST_DIRNAME/../../policy/profiles/seccomp-default.json

setup() { fake_setup; }
teardown() {
    if [ -n "${RT_ROOT:-}" ]; then rt_cleanup; fi
    fake_teardown
}

# sc_bundle CAPS -- ARG...: a busybox bundle running ARG... whose profile is
# the shipped one plus an ALLOW for clone and unshare (no argument filter),
# with the bounding/effective/permitted capabilities CAPS (a JSON array).
sc_bundle() {
    local caps=$1
    shift
    SC=$(cat "$SHIPPED") CAPS=$caps rt_edited_bundle '
        .linux.seccomp = (env.SC | fromjson | .syscalls += [{names: ["clone", "unshare"], action: "SCMP_ACT_ALLOW"}])
        | (env.CAPS | fromjson) as $c | .process.capabilities = {bounding: $c, effective: $c, permitted: $c}' "$@"
    cp "$RT_TMP/b/config.json" "$RT_TMP/bad.json"
}

# sc_run runc|hardened [POLICY]: run the bundle (from the bad profile again).
sc_run() {
    cp "$RT_TMP/bad.json" "$RT_TMP/b/config.json"
    rt_run_bundle "$@"
}

@test "seccomp: plain runc with clone/unshare allowed lets the container create user and network namespaces" {
    sc_bundle '["CAP_SYS_ADMIN", "CAP_KILL"]' sh -c 'unshare -U true && echo user-ok; unshare -n true && echo net-ok'
    sc_run runc
    echo "$output $stderr"
    [ "$status" -eq 0 ]
    [[ "$output" == *user-ok* ]]
    [[ "$output" == *net-ok* ]]
}

@test "seccomp: under the default policy the profile is rewritten and unshare -U fails with EPERM inside" {
    sc_bundle '["CAP_KILL"]' sh -c 'unshare -U true && echo user-ok; echo rc=$?'
    sc_run hardened "$DEFAULT"
    echo "$output $stderr"
    [ "$status" -eq 0 ]
    jq -r .msg "$LOG" | grep -F 'seccomp.profile rewritten at /linux/seccomp/syscalls: the seccomp profile allows '
    jq -r .msg "$LOG" | grep -F 'clone(0x10000000)@x86_64'
    jq -r .msg "$LOG" | grep -F 'unshare(0x10000000)@x86_64'
    [[ "$output" != *user-ok* ]]
    [[ "$output" == *"Operation not permitted"* || "$stderr" == *"Operation not permitted"* ]]
    cmp <(jq -S .linux.seccomp "$RT_TMP/b/config.json") <(jq -S . "$SHIPPED")
}

@test "seccomp: the profile rule alone (capabilities kept) blocks unshare -U and unshare -n with EPERM" {
    sc_bundle '["CAP_SYS_ADMIN", "CAP_KILL"]' sh -c 'unshare -U true && echo user-ok; unshare -n true && echo net-ok; echo done'
    sc_run hardened "$(jq '.rules.seccomp = {action: "rewrite"}' "$OFF" > "$RT_TMP/p.json" && echo "$RT_TMP/p.json")"
    echo "$output $stderr"
    [ "$status" -eq 0 ]
    [[ "$output" == *done* ]]
    [[ "$output" != *user-ok* ]]
    [[ "$output" != *net-ok* ]]
    [ "$(grep -c 'Operation not permitted' <<<"$output$stderr")" -eq 2 ]
    jq -e '.process.capabilities.bounding | index("CAP_SYS_ADMIN")' "$RT_TMP/b/config.json"
}

@test "seccomp: under reject the same profile never reaches runc" {
    sc_bundle '["CAP_KILL"]' sh -c 'unshare -U true && echo user-ok'
    sc_run hardened "$(jq '.rules.seccomp = {action: "reject"}' "$OFF" > "$RT_TMP/p.json" && echo "$RT_TMP/p.json")"
    [ "$status" -eq 1 ]
    [[ "$(last_error)" == *"refused by policy"*"seccomp.profile: the seccomp profile allows clone(0x10000000)@x86_64"* ]]
    [ ! -d "$RT_ROOT/$(rt_id c)" ]
}

@test "seccomp: Docker's argument filter (clone only with no namespace flag) passes as it is, and fork still works" {
    SC=$(jq -c .linux.seccomp "$FIXTURES/run-default.json") rt_edited_bundle '
        .linux.seccomp = (env.SC | fromjson | .syscalls[1] = {names: ["ptrace"], action: "SCMP_ACT_ERRNO"})' \
        sh -c 'sh -c "echo child-ok"; unshare -U true && echo user-ok; echo done'
    cp "$RT_TMP/b/config.json" "$RT_TMP/bad.json"
    sc_run hardened "$(jq '.rules.seccomp = {action: "reject"}' "$OFF" > "$RT_TMP/p.json" && echo "$RT_TMP/p.json")"
    echo "$output $stderr"
    [ "$status" -eq 0 ]
    [[ "$output" == *child-ok*done* ]]
    [[ "$output" != *user-ok* ]]
    cmp <(jq -S .linux.seccomp "$RT_TMP/b/config.json") <(jq -S .linux.seccomp "$RT_TMP/bad.json")
}

# ---- the judging bound (policy/seccomp_profile.c) ------------------------------
# run-seccomp-libseccomp-hang.json is Docker's config with a 24-rule profile
# on which libseccomp 2.5.4 loops for ever inside one seccomp_rule_add_array
# (a LOG rule for unshare with two conditions, after an ALLOW one).  A
# profile that missed the proof cache is judged in a child with 5 s of CPU
# and 20 s of wall time: this one is refused within that, on both paths.
# These tests never count on the cache: a refusal is never cached, and the
# worst-case profile is judged as uid 65534 (/run/hardened is root's, 0700).
# The shim and anything it forks carry HD_BOUND_MARK in their environment,
# so a judge left behind would show in /proc.

BOUND_MSG='linux.seccomp: refused: libseccomp did not finish compiling this profile within '

bound_setup() {
    chmod 755 "$T"
    jq '.rules.seccomp = {action: "reject"}' "$OFF" > "$T/policy.json"
    chmod 644 "$T/policy.json"
}

# The bound named: 5 s of CPU, or (on a host too busy to give it that) 20 s of wall time.
bound_named() { [[ "$1" == *"${BOUND_MSG}5 s of CPU ("* || "$1" == *"${BOUND_MSG}20 s of wall-clock time ("* ]]; }

no_judge_left() {
    if grep -lsF "HD_BOUND_MARK=$T" /proc/[0-9]*/environ; then
        echo "a process of the shim is left" >&2
        return 1
    fi
}

@test "seccomp: a profile libseccomp never finishes compiling is refused within the bound on the runtime path, no child left" {
    bound_setup
    cp "$FIXTURES/run-seccomp-libseccomp-hang.json" "$T/bundle/config.json"
    SECONDS=0
    run env HD_BOUND_MARK="$T" timeout 60 "$HARDENED" --policy "$T/policy.json" --backend "$FAKE_RUNTIME" \
        --log "$LOG" --log-format json create --bundle "$T/bundle" "$DOCKER_ID"
    echo "$output ($SECONDS s)"
    [ "$status" -eq 1 ]
    [ "$SECONDS" -lt 30 ]
    [[ "$(last_error)" == *"refused by policy $T/policy.json: seccomp.loadable: the seccomp profile does not load: $BOUND_MSG"* ]]
    bound_named "$(last_error)"
    backend_not_ran
    no_judge_left
    cmp "$T/bundle/config.json" "$FIXTURES/run-seccomp-libseccomp-hang.json"
}

@test "seccomp: the same profile is refused within the bound by policy check, with the proof cache out of reach, no child left" {
    bound_setup
    cp "$FIXTURES/run-seccomp-libseccomp-hang.json" "$T/config.json"
    chmod 644 "$T/config.json"
    SECONDS=0
    run env HD_BOUND_MARK="$T" timeout 60 setpriv --reuid 65534 --regid 65534 --clear-groups \
        "$HARDENED" policy check --policy "$T/policy.json" "$T/config.json"
    echo "$output ($SECONDS s)"
    [ "$status" -eq 1 ]
    [ "$SECONDS" -lt 30 ]
    [ "${lines[0]}" = "$T/config.json: refused" ]
    [[ "${lines[1]}" == *"seccomp.loadable refused at /linux/seccomp: the seccomp profile does not load: $BOUND_MSG"* ]]
    bound_named "${lines[1]}"
    no_judge_left
}

@test "seccomp: the worst-case profile (84000 rules, about 8 MB) is still judged, not refused by the bound, on both paths" {
    bound_setup
    jq -c 'del(.hooks) | .linux.seccomp.syscalls += [range(84000)
        | {names: ["read"], action: "SCMP_ACT_ALLOW", args: [{index: 0, value: ., op: "SCMP_CMP_EQ"}]}]' \
        "$FIXTURES/run-default.json" > "$T/bundle/config.json"
    chmod 644 "$T/bundle/config.json"
    run env HD_BOUND_MARK="$T" setpriv --reuid 65534 --regid 65534 --clear-groups \
        "$HARDENED" policy check --policy "$T/policy.json" "$T/bundle/config.json"
    echo "$output"
    [ "$status" -eq 1 ]
    [[ "${lines[1]}" == *"seccomp.profile refused at /linux/seccomp/syscalls: the seccomp profile allows ptrace@x86_64 ("* ]]
    [[ "$output" != *"$BOUND_MSG"* ]]
    run env HD_BOUND_MARK="$T" setpriv --reuid 65534 --regid 65534 --clear-groups \
        "$HARDENED" --policy "$T/policy.json" --backend "$FAKE_RUNTIME" create --bundle "$T/bundle" "$DOCKER_ID"
    echo "$output"
    [ "$status" -eq 1 ]
    [[ "$output" == *"refused by policy $T/policy.json: seccomp.profile: the seccomp profile allows ptrace@x86_64" ]]
    no_judge_left
}

# ---- the proof cache's bound (policy/seccomp_profile.c) ----------------------
# /run is a tmpfs shared with every daemon on the node, and whoever starts a
# container chooses its profile: the cache is a table of 512 files, and a
# record over 64 KiB is not kept.  Each test runs the shim in a mount
# namespace of its own with a fresh tmpfs on /run/hardened, so the host's
# cache is neither read nor written.

cache_setup() {
    jq '.rules.seccomp = {action: "reject"}' "$OFF" > "$T/policy.json"
    # Docker's config with the shipped profile (accepted); defaultErrnoRet
    # makes distinct keys
    jq -c 'del(.hooks) | .linux.seccomp = (input | .defaultErrnoRet = 1)' "$FIXTURES/run-default.json" "$SHIPPED" \
        > "$T/base.json"
    [ "$(grep -o '"defaultErrnoRet":1,' "$T/base.json" | wc -l)" -eq 1 ]
    [ -d /run/hardened ] || mkdir -m 0700 /run/hardened
    export T HARDENED FAKE_RUNTIME DOCKER_ID
}

# cache_ns SIZE SCRIPT: bash SCRIPT in a private mount namespace whose
# /run/hardened is an empty tmpfs of SIZE (root's, 0700, as the shim makes it).
cache_ns() {
    unshare -m --propagation private bash -euc "mount -t tmpfs -o mode=0700,size=$1 hd-test-proof /run/hardened; $2"
}

# in the namespace: create with the profile of errno $1 (config written from base.json)
CACHE_CREATE='cc() {
    sed "s/\"defaultErrnoRet\":1,/\"defaultErrnoRet\":$1,/" "$T/base.json" > "$T/bundle/config.json"
    "$HARDENED" --policy "$T/policy.json" --backend "$FAKE_RUNTIME" create --bundle "$T/bundle" "$DOCKER_ID"
}
# files: every file but the secret ("key"); names: those not a slot name
listing() {
    echo "files $(find /run/hardened -type f ! -name key | wc -l)"
    echo "names $(ls -A /run/hardened | grep -Ev "^(key|seccomp3-[0-9a-f]{3})\$" | paste -sd, -)"
    echo "largest $(find /run/hardened -type f -printf "%s\n" | sort -n | tail -1)"
}'

@test "seccomp: 560 distinct profiles leave at most 512 verdict files in /run/hardened, none over 64 KiB" {
    cache_setup
    run cache_ns 64m "$CACHE_CREATE"'
        for i in $(seq 1 560); do cc "$i" >/dev/null 2>&1 || echo "create $i: exit $?"; done
        listing'
    echo "$output"
    [ "$status" -eq 0 ]
    [[ "$output" != *"create "* ]]
    files=$(sed -n 's/^files //p' <<<"$output")
    # 560 keys hashed into 512 slots occupy about 340 of them
    [ "$files" -le 512 ]
    [ "$files" -ge 256 ]
    [ -z "$(sed -n 's/^names //p' <<<"$output")" ]
    [ "$(sed -n 's/^largest //p' <<<"$output")" -le 65536 ]
}

@test "seccomp: a profile whose verdict record would pass 64 KiB is judged every time and never kept" {
    cache_setup
    jq -c '.linux.seccomp.syscalls += [range(3000)
        | {names: ["read"], action: "SCMP_ACT_ALLOW", args: [{index: 0, value: ., op: "SCMP_CMP_EQ"}]}]' \
        "$T/base.json" > "$T/big.json"
    run cache_ns 64m "$CACHE_CREATE"'
        for k in 1 2; do
            cp "$T/big.json" "$T/bundle/config.json"
            rc=0; "$HARDENED" --policy "$T/policy.json" --backend "$FAKE_RUNTIME" create --bundle "$T/bundle" "$DOCKER_ID" || rc=$?
            echo "big $k: exit $rc"
        done
        listing
        rc=0; cc 7 || rc=$?; echo "small: exit $rc"
        listing'
    echo "$output"
    [ "$status" -eq 0 ]
    # judged (and accepted) twice, kept neither time; the small one kept
    [ "$(grep -E '^(big|small|files)' <<<"$output" | paste -sd/ -)" = "big 1: exit 0/big 2: exit 0/files 0/small: exit 0/files 1" ]
    [ "${lines[8]#largest }" -le 65536 ]
}

@test "seccomp: a verdict in the cache is used as it is: the same profile again rewrites no file" {
    cache_setup
    run cache_ns 64m "$CACHE_CREATE"'
        cc 9 >/dev/null 2>&1
        f=$(ls /run/hardened | grep "^seccomp3-")
        before=$(stat -c "%i %y" "/run/hardened/$f")
        rc=0; cc 9 >/dev/null 2>&1 || rc=$?; echo "again: exit $rc"
        [ "$(stat -c "%i %y" "/run/hardened/$f")" = "$before" ] && echo same
        listing'
    echo "$output"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "again: exit 0" ]
    [ "${lines[1]}" = same ]
    [ "${lines[2]}" = "files 1" ]
}

@test "seccomp: with /run/hardened full the verdicts are the same: a good profile runs, one allowing ptrace is refused" {
    cache_setup
    jq -c '.linux.seccomp.syscalls += [{names: ["ptrace"], action: "SCMP_ACT_ALLOW"}]' "$T/base.json" > "$T/ptrace.json"
    run cache_ns 4k "$CACHE_CREATE"'
        rc=0; cc 11 >/dev/null 2>&1 || rc=$?; echo "good: exit $rc"
        cp "$T/ptrace.json" "$T/bundle/config.json"
        rc=0; "$HARDENED" --policy "$T/policy.json" --backend "$FAKE_RUNTIME" create --bundle "$T/bundle" "$DOCKER_ID" 2>&1 || rc=$?
        echo "ptrace: exit $rc"
        listing'
    echo "$output"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "good: exit 0" ]
    [[ "${lines[1]}" == *"refused by policy $T/policy.json: seccomp.profile: the seccomp profile allows ptrace@x86_64"* ]]
    [ "${lines[2]}" = "ptrace: exit 1" ]
    [ "${lines[3]}" = "files 0" ]
}
