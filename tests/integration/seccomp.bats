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
