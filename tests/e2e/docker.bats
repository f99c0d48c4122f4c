#!/usr/bin/env bats
# Docker end to end: a private containerd + dockerd with hardened registered
# as runtimes, every rule observed from inside real containers, refusals as
# docker run prints them, and the install modes.  Needs root and Debian's
# docker.io + containerd; skips without them, except with CI=true.

bats_require_minimum_version 1.5.0
load helpers

setup_file() {
    e2e_setup_daemon || return 1
}

teardown() {
    # the bypass test's own daemons, if it started them
    if [ -n "${E2E_DIR2:-}" ]; then
        e2e_stop "$E2E_DIR2"
        rm -rf "$E2E_DIR2"
    fi
}

teardown_file() { e2e_teardown "${E2E_DIR:-}"; }

setup() { e2e_require; }

PROBE='id -u; id -g; touch /x 2>&1; echo ok > /tmp/f && cat /tmp/f;
grep -E "^(CapEff|CapBnd|CapPrm|NoNewPrivs|Seccomp):" /proc/self/status;
cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes;
cat /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu/cpu.cfs_period_us'

@test "docker run --runtime=hardened: every rule of the default policy, seen from inside" {
    run dk run --rm --runtime=hardened --network none "$E2E_IMAGE" sh -c "$PROBE"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 65534 ]                                  # uid
    [ "${lines[1]}" = 65534 ]                                  # gid
    [ "${lines[2]}" = "touch: /x: Read-only file system" ]     # read-only /
    [ "${lines[3]}" = ok ]                                     # writable /tmp tmpfs
    [[ "$output" == *$'CapPrm:\t0000000000000000'* ]]
    [[ "$output" == *$'CapEff:\t0000000000000000'* ]]
    [[ "$output" == *$'CapBnd:\t0000000000000400'* ]]          # CAP_NET_BIND_SERVICE only
    [[ "$output" == *$'NoNewPrivs:\t1'* ]]
    [[ "$output" == *$'Seccomp:\t2'* ]]
    [ "${lines[9]}" = 536870912 ]                              # memory 512Mi
    [ "${lines[10]}" = 536870912 ]                             # memory+swap = memory
    [ "${lines[11]}" = 1024 ]                                  # pids
    [ "${lines[12]}" = 100000 ]                                # 1 CPU: quota
    [ "${lines[13]}" = 100000 ]                                #        period
}

@test "docker run --runtime=runc (the baseline) is unconfined by comparison" {
    run dk run --rm --runtime=runc --network none "$E2E_IMAGE" sh -c "$PROBE"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 0 ]
    [ "${lines[2]}" = ok ]                                     # touch /x printed nothing
    [[ "$output" == *$'CapEff:\t00000000a80425fb'* ]]           # Docker's default set
    [[ "$output" == *$'NoNewPrivs:\t0'* ]]
}

@test "a root user with the allow-list's capability: --user 0 under rewrite still runs as 65534, --cap-add kept only if allowed" {
    run dk run --rm --runtime=hardened --network none --user 0 --cap-add SYS_ADMIN "$E2E_IMAGE" sh -c 'id -u; grep CapBnd /proc/self/status'
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 65534 ]
    [ "${lines[1]}" = $'CapBnd:\t0000000000000400' ]
}

@test "a memory limit above the policy's max is clamped; one within bounds is kept" {
    run dk run --rm --runtime=hardened --network none --memory 8g --memory-swap 8g --pids-limit 100000 "$E2E_IMAGE" \
        cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 4294967296 ]
    [ "${lines[1]}" = 4096 ]
    run dk run --rm --runtime=hardened --network none --memory 128m --memory-swap 128m --cpus 2 "$E2E_IMAGE" \
        cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/cpu/cpu.cfs_quota_us
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 134217728 ]
    [ "${lines[1]}" = 200000 ]
}

# CPU priority (CIS 5.12): the cgroup's cpu.shares as the container reads
# it, after docker run --cpu-shares and docker update --cpu-shares.
@test "CPU priority: --cpu-shares above the policy's 4096 is clamped (runc gives all of it); docker update too; restricted refuses" {
    run dk run --rm --runtime=runc --network none --cpu-shares 262144 "$E2E_IMAGE" cat /sys/fs/cgroup/cpu/cpu.shares
    [ "$status" -eq 0 ]
    [ "$output" = 262144 ]
    run dk run --rm --runtime=hardened --network none --cpu-shares 262144 "$E2E_IMAGE" cat /sys/fs/cgroup/cpu/cpu.shares
    [ "$status" -eq 0 ]
    [ "$output" = 4096 ]
    run dk run --rm --runtime=hardened --network none --cpu-shares 512 "$E2E_IMAGE" cat /sys/fs/cgroup/cpu/cpu.shares
    [ "$status" -eq 0 ]
    [ "$output" = 512 ]
    run dk run -d --runtime=hardened --network none "$E2E_IMAGE" sleep 300
    [ "$status" -eq 0 ]
    id=$output
    run dk update --cpu-shares 262144 "$id"
    [ "$status" -eq 0 ]
    run dk exec "$id" cat /sys/fs/cgroup/cpu/cpu.shares
    dk rm -f "$id" >/dev/null
    [ "$output" = 4096 ]
    run --separate-stderr restricted_container --cpu-shares 262144
    [ "$status" -ne 0 ]
    [[ "$stderr" == *"refused by policy $E2E_DIR/policy-restricted.json: resources.cpu: CPU shares 262144 are above the policy's maximum 4096 (priority over other containers)"* ]] || { echo "$stderr"; false; }
    run restricted_container --cpu-shares 4096
    [ "$status" -eq 0 ]
    id=$output
    run --separate-stderr dk update --cpu-shares 4097 "$id"
    [ "$status" -ne 0 ]
    [[ "$stderr" == *"resources.cpu: CPU shares 4097 are above the policy's maximum 4096"* ]] || { echo "$stderr"; false; }
    run dk exec "$id" cat /sys/fs/cgroup/cpu/cpu.shares
    dk rm -f "$id" >/dev/null
    [ "$output" = 4096 ]
}

@test "refused: --user 0 under the restricted policy; docker run fails and prints the rule" {
    run --separate-stderr dk run --rm --runtime=hardened-restricted --network none --user 0 "$E2E_IMAGE" true
    [ "$status" -ne 0 ]
    [[ "$stderr" == *"refused by policy $E2E_DIR/policy-restricted.json"* ]]
    [[ "$stderr" == *"user.nonRoot: the container would run as root (uid 0)"* ]]
    for rule in rootfs.readOnly capabilities.allowList process.noNewPrivileges \
                resources.memory resources.cpu resources.pids; do
        [[ "$stderr" == *"$rule: "* ]] || { echo "no $rule in: $stderr"; false; }
    done
    # Docker's default seccomp profile passes restricted.json: it blocks the
    # deny-list but for ptrace, which restricted.json's denyPtrace false
    # allows (a Pod Security Standards pod's RuntimeDefault does the same)
    [[ "$stderr" != *"seccomp.profile"* ]]
}

@test "refused: --cap-add SYS_ADMIN and --security-opt seccomp=unconfined, each named" {
    # a policy where only those two rules reject, so the message is about them alone
    jq '.rules.capabilities.action = "reject" | .rules.seccomp.action = "reject"' \
        "$E2E_DIR/policy-default.json" > "$E2E_DIR/policy-caps-seccomp.json"
    e2e_add_runtime hardened-cs "$E2E_DIR/policy-caps-seccomp.json"
    run --separate-stderr dk run --rm --runtime=hardened-cs --network none --cap-drop ALL --cap-add NET_BIND_SERVICE \
        --cap-add SYS_ADMIN "$E2E_IMAGE" true
    [ "$status" -ne 0 ]
    [[ "$stderr" == *"capabilities.allowList: bounding capabilities not allowed: CAP_SYS_ADMIN"* ]]
    run --separate-stderr dk run --rm --runtime=hardened-cs --network none --cap-drop ALL --cap-add NET_BIND_SERVICE \
        --security-opt seccomp=unconfined "$E2E_IMAGE" true
    [ "$status" -ne 0 ]
    [[ "$stderr" == *"seccomp.profile: no deny-by-default seccomp profile"* ]]
    [[ "$stderr" != *"capabilities.allowList"* ]]
}

@test "audit mode: the container runs unchanged and the findings are recorded in the runtime log" {
    run dk run -d --runtime=hardened-audit --network none "$E2E_IMAGE" sleep 60
    [ "$status" -eq 0 ]
    id=$output
    run dk exec "$id" sh -c 'id -u; grep -E "^(CapEff|Seccomp):" /proc/self/status; touch /x && echo writable'
    [ "${lines[0]}" = 0 ]
    [ "${lines[1]}" = $'CapEff:\t00000000a80425fb' ]
    [ "${lines[2]}" = $'Seccomp:\t2' ]     # Docker's own profile, untouched
    [ "${lines[3]}" = writable ]
    log=$E2E_DIR/containerd/state/io.containerd.runtime.v2.task/moby/$id/log.json
    jq -r 'select(.level == "warning") | .msg' "$log" > "$BATS_TEST_TMPDIR/warnings"
    for rule in user.nonRoot rootfs.readOnly capabilities.allowList process.noNewPrivileges seccomp.profile \
                resources.memory resources.cpu resources.pids; do
        grep -q "$rule warning" "$BATS_TEST_TMPDIR/warnings" || { cat "$BATS_TEST_TMPDIR/warnings"; false; }
    done
    [ -z "$(jq -r 'select(.level == "error") | .msg' "$log")" ]
    dk rm -f "$id" >/dev/null
}

@test "docker exec and docker update work through the shim; stop, kill and rm clean up" {
    run dk run -d --runtime=hardened --network none "$E2E_IMAGE" sleep 300
    [ "$status" -eq 0 ]
    id=$output
    run dk exec -u 65534 "$id" id -u
    [ "$output" = 65534 ]
    run dk exec "$id" cat /sys/fs/cgroup/memory/memory.limit_in_bytes
    [ "$output" = 536870912 ]
    run dk update --memory 256m --memory-swap 256m "$id"
    [ "$status" -eq 0 ]
    run dk exec "$id" cat /sys/fs/cgroup/memory/memory.limit_in_bytes
    [ "$output" = 268435456 ]
    run dk stop -t 1 "$id"
    [ "$status" -eq 0 ]
    [ "$(dk inspect -f '{{.State.Status}}' "$id")" = exited ]
    run dk start "$id"
    [ "$status" -eq 0 ]
    run dk kill "$id"
    [ "$status" -eq 0 ]
    run dk rm "$id"
    [ "$status" -eq 0 ]
    run dk inspect "$id"
    [ "$status" -ne 0 ]
    [ -z "$(ls "$E2E_DIR/containerd/state/io.containerd.runtime.v2.task/moby/" 2>/dev/null | grep "^$id")" ]
}

@test "docker info lists the runtimes; --version and features pass through" {
    run dk info --format '{{json .Runtimes}}'
    [ "$status" -eq 0 ]
    jq -e 'has("hardened") and has("hardened-restricted") and has("runc")' <<<"$output"
    [ "$(jq -r '.hardened.path' <<<"$output")" = "$HARDENED" ]
    diff <("$HARDENED" --policy "$E2E_DIR/policy-default.json" --version) <(runc --version)
    diff <("$HARDENED" --policy "$E2E_DIR/policy-default.json" features) <(runc features)
}

@test "daemon-wide default: hardened install docker --default, SIGHUP, and a plain docker run is enforced" {
    run "$HARDENED" install docker --config "$E2E_DIR/daemon.json" --default --path "$HARDENED" \
        -- --policy "$E2E_DIR/policy-default.json"
    [ "$status" -eq 0 ]
    [ "${lines[1]}" = '  + /default-runtime: "hardened"' ]
    e2e_hup "$E2E_DIR"
    [ "$(dk info --format '{{.DefaultRuntime}}')" = hardened ]
    # dockerd probes the default runtime's --version: runc's commit still shows
    [ "$(dk info --format '{{.RuncCommit.ID}}')" = "$(runc --version | sed -n 's/^commit: //p')" ]
    run dk run --rm --network none "$E2E_IMAGE" id -u
    e2e_reload "$E2E_DIR" '{"default-runtime": "runc"}'
    [ "$status" -eq 0 ]
    [ "$output" = 65534 ]
    [ "$(dk info --format '{{.DefaultRuntime}}')" = runc ]
}

@test "containerd without Docker: ctr run --runc-binary hardened is enforced" {
    ctr --address "$E2E_DIR/containerd.sock" run --rm --runc-binary "$HARDENED" \
        --rootfs "$E2E_DIR/image-rootfs" "hd-ctr-$$" /bin/sh -c 'id -u; touch /x 2>&1' \
        > "$BATS_TEST_TMPDIR/ctr.out" 2>&1 </dev/null 3>&- || true
    cat "$BATS_TEST_TMPDIR/ctr.out"
    [ "$(sed -n 1p "$BATS_TEST_TMPDIR/ctr.out")" = 65534 ]
    [ "$(sed -n 2p "$BATS_TEST_TMPDIR/ctr.out")" = "touch: /x: Read-only file system" ]
}

@test "closing the --runtime=runc bypass: hardened installed as runc ahead of the real one enforces it too" {
    path=$("$HARDENED" --help | sed -n 's/.*installed policy: \(.*\)$/\1/p')
    if [ -e "$path" ]; then
        [ "${CI:-}" != true ] || { echo "$path exists on a CI machine"; false; }
        skip "$path is installed here; this test wants the compiled-in default"
    fi
    # The install mode: a "runc" that is hardened, first in the daemons' PATH;
    # hardened's backend is the real runc by absolute path (the compiled-in
    # default), and the self-exec guard refuses a backend that is hardened.
    E2E_DIR2=$(mktemp -d /tmp/hd-e2e2.XXXXXX)
    mkdir -p "$E2E_DIR2/bin"
    ln -s "$HARDENED" "$E2E_DIR2/bin/runc"
    e2e_policies "$E2E_DIR2"
    e2e_daemon_json "$E2E_DIR2"
    e2e_start "$E2E_DIR2" "$E2E_DIR2/bin"
    e2e_image "$E2E_DIR2"
    d2() { "$E2E_DOCKER" -H "unix://$E2E_DIR2/docker.sock" "$@"; }
    run d2 run --rm --runtime=runc --network none "$E2E_IMAGE" sh -c 'id -u; grep -E "^(NoNewPrivs|Seccomp):" /proc/self/status'
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 65534 ]
    [ "${lines[1]}" = $'NoNewPrivs:\t1' ]
    run d2 run --rm --network none "$E2E_IMAGE" id -u
    [ "$output" = 65534 ]
    # dockerd still sees runc's version through it
    [ "$(d2 info --format '{{.RuncCommit.ID}}')" = "$(runc --version | sed -n 's/^commit: //p')" ]
}

# A container that complies with restricted.json as it is (nothing to rewrite
# but the path of Docker's own hook, pinned to dockerd by hooks.allowList);
# arguments are further docker run flags.
restricted_container() {
    dk run -d --runtime=hardened-restricted --network none --user 65534:65534 --read-only \
        --cap-drop ALL --cap-add NET_BIND_SERVICE --security-opt no-new-privileges \
        --security-opt "seccomp=$top_srcdir/policy/profiles/seccomp-default.json" \
        --memory 512m --memory-swap 512m --cpus 1 --pids-limit 100 "$@" "$E2E_IMAGE" sleep 300
}

@test "docker exec -u 0 runs as the policy's uid; under reject it is refused with the rule in docker's output" {
    run dk run -d --runtime=hardened --network none "$E2E_IMAGE" sleep 300
    [ "$status" -eq 0 ]
    id=$output
    run dk exec -u 0 "$id" id -u
    [ "$status" -eq 0 ]
    [ "$output" = 65534 ]
    dk rm -f "$id" >/dev/null
    run restricted_container
    [ "$status" -eq 0 ]
    id=$output
    run dk exec -u 0 "$id" id -u          # docker exec prints runtime errors on stdout
    [ "$status" -ne 0 ]
    [[ "$output" == *"OCI runtime exec failed: "*"refused by policy $E2E_DIR/policy-restricted.json: user.nonRoot"* ]]
    run dk exec "$id" id -u
    [ "$output" = 65534 ]
    dk rm -f "$id" >/dev/null
}

@test "docker exec --privileged: the exec'd process stays within the allow-list (rewrite), or is refused (reject)" {
    run dk run -d --runtime=hardened --network none "$E2E_IMAGE" sleep 300
    id=$output
    run dk exec --privileged "$id" grep -E '^Cap(Eff|Prm|Bnd|Amb)' /proc/self/status
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = $'CapPrm:\t0000000000000000' ]
    [ "${lines[1]}" = $'CapEff:\t0000000000000000' ]
    [ "${lines[2]}" = $'CapBnd:\t0000000000000400' ]
    [ "${lines[3]}" = $'CapAmb:\t0000000000000000' ]
    dk rm -f "$id" >/dev/null
    run restricted_container
    id=$output
    run dk exec --privileged "$id" true
    [ "$status" -ne 0 ]
    [[ "$output" == *"refused by policy $E2E_DIR/policy-restricted.json: capabilities.allowList: bounding capabilities not allowed: CAP_CHOWN"* ]]
    dk rm -f "$id" >/dev/null
}

@test "docker update --memory 100g is refused with the message in docker's output; --memory 128m is applied" {
    run restricted_container
    [ "$status" -eq 0 ]
    id=$output
    run --separate-stderr dk update --memory 100g --memory-swap 100g "$id"
    [ "$status" -ne 0 ]
    [[ "$stderr" == *"refused by policy $E2E_DIR/policy-restricted.json: resources.memory: memory limit 100Gi is above the policy's maximum 4Gi"* ]] || { echo "$stderr"; false; }
    run dk exec "$id" cat /sys/fs/cgroup/memory/memory.limit_in_bytes
    [ "$output" = 536870912 ]
    run dk update --memory 128m --memory-swap 128m "$id"
    [ "$status" -eq 0 ]
    run dk exec "$id" cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes
    [ "${lines[0]}" = 134217728 ]
    [ "${lines[1]}" = 134217728 ]
    dk rm -f "$id" >/dev/null
}

@test "docker update above the maximum under rewrite is clamped" {
    run dk run -d --runtime=hardened --network none "$E2E_IMAGE" sleep 300
    id=$output
    run dk update --memory 100g --memory-swap 100g --pids-limit 100000 "$id"
    [ "$status" -eq 0 ]
    run dk exec "$id" cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max
    [ "${lines[0]}" = 4294967296 ]
    [ "${lines[1]}" = 4096 ]
    dk rm -f "$id" >/dev/null
}

@test "the rest of the surface: --pid host, -v /var/run, -v /etc, --device, --privileged are refused with the rule named" {
    # (-v /var/run/docker.sock is not tried literally: with no Docker socket on
    # this machine dockerd would create that path as a directory on the host.
    # /var/run is its ancestor, which the rule denies for that reason.)
    local -a cases=(
        "namespaces.private: the container would share the host's pid namespace|--pid host"
        "mounts.bindSource: bind mount of /run exposes /run/docker.sock|-v /var/run:/host-run"
        "mounts.bindSource: bind mount of /etc exposes /etc|-v /etc:/host-etc:ro"
        "devices.host: 1 host device(s) not allowed: /dev/xnull (c 1:11|--device /dev/kmsg:/dev/xnull"
        "privileged.container: privileged container (--privileged)|--privileged"
    )
    for c in "${cases[@]}"; do
        want=${c%%|*}
        # shellcheck disable=SC2086
        run --separate-stderr dk run --rm --runtime=hardened --network none ${c#*|} "$E2E_IMAGE" true
        [ "$status" -ne 0 ] || { echo "${c#*|} ran"; false; }
        [[ "$stderr" == *"$want"* ]] || { echo "want: $want"; echo "got: $stderr"; false; }
    done
}

@test "--sysctl kernel.msgmax: removed under rewrite (the container sees the default), refused under reject" {
    default=$(cat /proc/sys/kernel/msgmax)
    run dk run --rm --runtime=hardened --network none --sysctl kernel.msgmax=1 --sysctl net.ipv4.ip_unprivileged_port_start=0 \
        "$E2E_IMAGE" cat /proc/sys/kernel/msgmax /proc/sys/net/ipv4/ip_unprivileged_port_start
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "$default" ]
    [ "${lines[1]}" = 0 ]                      # a safe, namespaced sysctl is kept
    run --separate-stderr dk run --rm --runtime=hardened-restricted --network none --sysctl kernel.msgmax=1 "$E2E_IMAGE" true
    [ "$status" -ne 0 ]
    [[ "$stderr" == *"sysctls.safe: sysctl kernel.msgmax is not in the safe set"* ]]
}

@test "--oom-score-adj -500 is refused; --ulimit nofile above the policy's ceiling is clamped inside" {
    run --separate-stderr dk run --rm --runtime=hardened --network none --oom-score-adj -500 "$E2E_IMAGE" true
    [ "$status" -ne 0 ]
    [[ "$stderr" == *"process.oomScoreAdj: oomScoreAdj -500"* ]]
    # this machine's hard limit is low: use a policy whose ceiling is below it
    jq '.rules.rlimits.max.RLIMIT_NOFILE = 4096' "$E2E_DIR/policy-default.json" > "$E2E_DIR/policy-nofile.json"
    e2e_add_runtime hardened-nofile "$E2E_DIR/policy-nofile.json"
    run dk run --rm --runtime=hardened-nofile --network none --ulimit nofile=8192:8192 "$E2E_IMAGE" sh -c 'ulimit -n; ulimit -Hn'
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 4096 ]
    [ "${lines[1]}" = 4096 ]
}

@test "a runtime-interpreted annotation (--annotation run.oci.*) is refused; an ordinary label passes" {
    run --separate-stderr dk run --rm --runtime=hardened --network none --annotation run.oci.seccomp_bpf_data=AAAA "$E2E_IMAGE" true
    if [[ "$stderr" == *"unknown flag: --annotation"* ]]; then
        # docker 20.10's CLI has no --annotation; the rule is covered by the policy cases
        run dk run --rm --runtime=hardened --network none --label run.oci.seccomp_bpf_data=AAAA "$E2E_IMAGE" true
        [ "$status" -eq 0 ]   # labels are not annotations: nothing to refuse
        return 0
    fi
    [ "$status" -ne 0 ]
    [[ "$stderr" == *"annotations.runtime"* ]]
}
