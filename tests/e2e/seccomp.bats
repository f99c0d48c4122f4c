#!/usr/bin/env bats
# Docker end to end for seccomp.profile: `docker run --security-opt
# seccomp=FILE` with a hand-written profile that allows clone and unshare
# without an argument filter.  Plain runc lets the container create a user
# namespace; under the default policy the profile is replaced and the same
# call fails inside with EPERM; under reject docker run prints the shim's
# refusal.  Needs root and Debian's docker.io + containerd.

bats_require_minimum_version 1.5.0
load helpers

setup_file() {
    e2e_setup_daemon || return 1
    jq '.syscalls += [{names: ["clone", "unshare"], action: "SCMP_ACT_ALLOW"}]' \
        "$top_srcdir/policy/profiles/seccomp-default.json" > "$E2E_DIR/clone-allowed.json"
}

teardown_file() { e2e_teardown "${E2E_DIR:-}"; }

setup() { e2e_require; }

UNSHARE='unshare -U true && echo user-ok; echo done'

@test "seccomp e2e: plain runc with a profile allowing clone/unshare unconditionally lets unshare -U succeed" {
    run --separate-stderr dk run --rm --runtime=runc --network none \
        --security-opt "seccomp=$E2E_DIR/clone-allowed.json" "$E2E_IMAGE" sh -c "$UNSHARE"
    echo "$output $stderr"
    [ "$status" -eq 0 ]
    [[ "$output" == *user-ok* ]]
}

@test "seccomp e2e: the default policy replaces that profile; unshare -U fails with EPERM inside" {
    run --separate-stderr dk run --rm --runtime=hardened --network none \
        --security-opt "seccomp=$E2E_DIR/clone-allowed.json" "$E2E_IMAGE" sh -c "$UNSHARE 2>&1"
    echo "$output $stderr"
    [ "$status" -eq 0 ]
    [[ "$output" == *done* ]]
    [[ "$output" != *user-ok* ]]
    [[ "$output$stderr" == *"Operation not permitted"* ]]
}

@test "seccomp e2e: under reject docker run prints which call the profile lets through" {
    jq '.rules.seccomp.action = "reject"' "$E2E_DIR/policy-default.json" > "$E2E_DIR/policy-seccomp-reject.json"
    e2e_add_runtime hardened-sr "$E2E_DIR/policy-seccomp-reject.json"
    run --separate-stderr dk run --rm --runtime=hardened-sr --network none \
        --security-opt "seccomp=$E2E_DIR/clone-allowed.json" "$E2E_IMAGE" true
    echo "$output $stderr"
    [ "$status" -ne 0 ]
    [[ "$stderr" == *"seccomp.profile: the seccomp profile allows clone(0x10000000)@x86_64"* ]]
}

@test "seccomp e2e: Docker's own default profile blocks namespaces (only its ptrace rule is rewritten away)" {
    run --separate-stderr dk run --rm --runtime=hardened --network none "$E2E_IMAGE" sh -c "$UNSHARE 2>&1"
    echo "$output $stderr"
    [ "$status" -eq 0 ]
    [[ "$output" == *done* ]]
    [[ "$output" != *user-ok* ]]
}
