#!/usr/bin/env bats
# The CRI suite's harness, proved through the plain runc handler: a private
# containerd with its CRI plugin (tests/cri/helpers.bash), driven by
# tests/cri/cri.py as the kubelet drives it.  This is also the baseline the
# hardened handler's tests (hardened.bats) differ from.  Needs root,
# Debian's containerd, runc, python3-grpcio, python3-grpc-tools; skips
# without them, except with CI=true.

bats_require_minimum_version 1.5.0
load helpers

setup_file() { cri_setup_daemon; }
teardown_file() { cri_teardown "${CRI_DIR:-}"; }
setup() { cri_require; }

@test "CRI Version answers from the private containerd" {
    run cri version
    [ "$status" -eq 0 ]
    [[ "$output" == "containerd "*" v1" ]]
}

@test "runc handler: the pod and its container run unconfined (uid 0, containerd's capabilities, writable /, no limits)" {
    cri_start_pod base runc
    run cri exec "$CTR" sh -c "$CRI_PROBE"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 0 ]                                      # uid
    [ "${lines[1]}" = 0 ]                                      # gid
    [ "${lines[2]}" = rw ]                                     # / writable
    [ "${lines[3]}" = ok ]
    [[ "$output" == *$'CapEff:\t00000000a80425fb'* ]]           # containerd's default set
    [[ "$output" == *$'NoNewPrivs:\t0'* ]]
    [[ "$output" == *$'Seccomp:\t2'* ]]                        # RuntimeDefault asked for
    [ "${lines[8]}" = 9223372036854771712 ]                    # no memory limit
    [ "${lines[9]}" = max ]                                    # no pids limit
    [ "${lines[10]}" = 169.254.77.2/32 ]                       # eth0 from tests/cri/cni-veth
    run cri status "$CTR"
    [ "$(jq -r .status.state <<<"$output")" = CONTAINER_RUNNING ]
    # nothing of the plain handler went through hardened
    [ ! -e "$CRI_DIR/decisions.jsonl" ] || ! grep -q "$CTR" "$CRI_DIR/decisions.jsonl"
}

@test "runc handler: the memory limit asked for is the container's cgroup's, inside and on the host" {
    cri_start_pod mem runc . '.linux.resources = {memory_limit_in_bytes: 268435456}'
    run cri exec "$CTR" cat /sys/fs/cgroup/memory/memory.limit_in_bytes
    [ "$output" = 268435456 ]
    # the host side: the cgroup named in /proc/self/cgroup inside
    cg=$(cri exec "$CTR" cat /proc/self/cgroup | sed -n 's/^[0-9]*:memory://p')
    [[ "$cg" == "$CRI_CGROUP_PARENT/pod"*"/$CTR" ]]
    [ "$(cat "/sys/fs/cgroup/memory$cg/memory.limit_in_bytes")" = 268435456 ]
}

@test "runc handler: UpdateContainerResources changes the cgroup and ContainerStatus reports it" {
    cri_start_pod upd runc . '.linux.resources = {memory_limit_in_bytes: 268435456}'
    cri update "$CTR" "$(cri_json upd '{memory_limit_in_bytes: 8589934592}')"
    run cri exec "$CTR" cat /sys/fs/cgroup/memory/memory.limit_in_bytes
    [ "$output" = 8589934592 ]
    run cri status "$CTR"
    [ "$(jq -r .status.resources.linux.memory_limit_in_bytes <<<"$output")" = 8589934592 ]
}

@test "ExecSync's exit code and stderr come back through the client" {
    cri_start_pod exit runc
    run --separate-stderr cri exec "$CTR" sh -c 'echo out; echo err >&2; exit 3'
    [ "$status" -eq 3 ]
    [ "$output" = out ]
    [ "$stderr" = err ]
}

@test "a CRI error reaches the client as the kubelet prints it (gRPC code and details)" {
    run --separate-stderr cri run-pod "$(cri_pod nohandler no-such-handler)"
    [ "$status" -eq 1 ]
    [[ "$stderr" == "rpc error: code = Unknown desc = failed to get sandbox runtime: no runtime for \"no-such-handler\" is configured" ]]
}

@test "StopPodSandbox and RemovePodSandbox: the pod's container and bundle are gone" {
    cri_start_pod gone runc
    bundle=$(cri_bundle "$CTR")
    [ -f "$bundle/config.json" ]
    cri stop-pod "$POD"
    run cri status "$CTR"
    [ "$(jq -r .status.state <<<"$output")" = CONTAINER_EXITED ]
    cri rm-pod "$POD"
    run --separate-stderr cri status "$CTR"
    [ "$status" -eq 1 ]
    [[ "$stderr" == "rpc error: code = NotFound desc = "* ]]
    [ ! -e "$bundle" ]
}
