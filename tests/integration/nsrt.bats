#!/usr/bin/env bats
# Namespace paths and limits that other knobs undo (issue 10, items 6 and
# 9), with real runc: what a container sees when it joins a namespace by
# path (/proc/net/dev inside lists the host's interfaces or only lo), what
# its cgroup holds (cpu.rt_runtime_us, pids.max), and what runc 1.1.5 does
# with fields it ignores or refuses on this cgroup v1 host.  Each test
# turns on only the family it is about.

bats_require_minimum_version 1.5.0
load helpers
load fake

OFF=$BATS_TEST_DIRNAME/../fixtures/policy-off.json

setup() {
    fake_setup
    NS_PIDS=()
    NS_MOUNTS=()
}

teardown() {
    local p m
    for m in "${NS_MOUNTS[@]}"; do umount "$m" 2>/dev/null || true; done
    # unshare --fork ignores SIGTERM while it waits; --kill-child takes its child along
    for p in "${NS_PIDS[@]}"; do kill -KILL "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
    if [ -n "${RT_ROOT:-}" ]; then rt_cleanup; fi
    fake_teardown
}

# ns_policy FAMILY JSON: policy-off with one family set to JSON.
ns_policy() {
    jq --arg f "$1" --argjson r "$2" '.rules[$f] = $r' "$OFF" > "$T/policy-$1.json"
    echo "$T/policy-$1.json"
}


# ns_set_netns PATH: the bundle's network namespace entry joins PATH.
ns_set_netns() {
    P=$1 jq '.linux.namespaces |= map(if .type == "network" then .path = env.P else . end)' \
        "$RT_TMP/b/config.json" > "$RT_TMP/c.json" && mv "$RT_TMP/c.json" "$RT_TMP/b/config.json"
}

# ns_private_netns: a process in a network namespace of its own (only lo),
# started and later stopped by pid; its pid in NS_NETPID.
ns_private_netns() {
    unshare --net --kill-child -- sleep 600 3>&- &
    NS_NETPID=$!
    NS_PIDS+=("$NS_NETPID")
    local i
    for i in $(seq 50); do
        [ "$(stat -L -c %i "/proc/$NS_NETPID/ns/net" 2>/dev/null)" != "$(stat -L -c %i /proc/self/ns/net)" ] && return 0
        sleep 0.1
    done
    echo "the unshare'd process never got its own network namespace" >&2
    return 1
}

host_ifaces() { awk -F: 'NR > 2 { gsub(/ /, "", $1); if ($1 != "lo") print $1 }' /proc/net/dev | sort | paste -sd,; }

@test "netns: another process's own namespace is joined; /proc/self/ns/net and a symlink to it are refused" {
    local host
    host=$(host_ifaces)
    [ -n "$host" ]                  # the effect needs a host interface besides lo to be visible
    ns_private_netns
    rt_edited_bundle . sh -c 'awk -F: "NR > 2 { gsub(/ /, \"\", \$1); print \$1 }" /proc/net/dev | sort | paste -sd,'
    NS=$(ns_policy hostNamespaces '{"action": "reject"}')

    ns_set_netns "/proc/$NS_NETPID/ns/net"
    rt_run_bundle hardened "$NS"
    [ "$status" -eq 0 ]
    [ "$output" = lo ]              # only the private namespace's loopback

    # the control: runc itself joins the host's network through either path
    ln -s /proc/self/ns/net "$RT_TMP/hostnet"
    for p in /proc/self/ns/net "$RT_TMP/hostnet" /proc/thread-self/ns/net; do
        ns_set_netns "$p"
        rt_run_bundle runc
        [ "$status" -eq 0 ]
        [ "$output" = "$(printf '%s\n' lo ${host//,/ } | sort | paste -sd,)" ]
        rt_run_bundle hardened "$NS"
        [ "$status" -eq 1 ]
        [[ "$(last_error)" == *"namespaces.private: the network entry would join the host's network namespace (the same as "*" through $p"* ]]
        [ "$output" = "" ]
    done
}

@test "netns: a relative path is refused (runc would lstat it in the bundle and open it in the rootfs)" {
    ns_private_netns
    rt_edited_bundle . cat /proc/net/dev
    # A file named "netns" in the bundle that runc lstat()s, and a symlink of
    # the same name in the rootfs that its init opens: the image decides.
    ln -s "/proc/$NS_NETPID/ns/net" "$RT_TMP/b/netns"
    ln -s /proc/1/ns/net "$RT_TMP/b/rootfs/netns"
    ns_set_netns netns
    rt_run_bundle hardened "$(ns_policy hostNamespaces '{"action": "reject"}')"
    [ "$status" -eq 1 ]
    [[ "$(last_error)" == *"network namespace path netns cannot be judged: a relative path"* ]]
    # under rewrite the path is dropped: a new namespace of the container's own
    rt_run_bundle hardened "$(ns_policy hostNamespaces '{"action": "rewrite"}')"
    [ "$status" -eq 0 ]
    [ "$(grep -c : <<<"$output")" -eq 1 ]    # lo only
    ! jq -e '.linux.namespaces[] | select(.type == "network") | has("path")' "$RT_TMP/b/config.json"
}

@test "netns: without /proc/1/ns the shim's own namespaces are the reference; in a pid namespace pid 1's count too" {
    ns_private_netns
    if stat -L /proc/1/ns/net >/dev/null 2>&1; then
        echo "# /proc/1/ns is readable on this host" >&3
    else
        echo "# /proc/1/ns cannot be read on this host: the shim's /proc/self/ns is the only reference" >&3
    fi
    rt_edited_bundle . cat /proc/net/dev
    NS=$(ns_policy hostNamespaces '{"action": "reject"}')

    # The host's network namespace and the private one, reachable by path
    # from a new mount namespace (the host's /proc is not).
    touch "$RT_TMP/hostnet" "$RT_TMP/othernet"
    mount --bind /proc/self/ns/net "$RT_TMP/hostnet" && NS_MOUNTS+=("$RT_TMP/hostnet")
    mount --bind "/proc/$NS_NETPID/ns/net" "$RT_TMP/othernet" && NS_MOUNTS+=("$RT_TMP/othernet")

    # pid 1 of a new pid namespace (its own /proc) sits in a network
    # namespace of its own: pid 1 is not the host's there.
    unshare --pid --fork --kill-child --mount-proc -- unshare --net -- sleep 600 3>&- &
    NS_PIDS+=("$!")
    local init= i
    for i in $(seq 50); do
        init=$(ps --ppid "$!" -o pid= | tr -d ' ')
        [ -n "$init" ] && [ "$(readlink "/proc/$init/ns/net")" != "$(readlink /proc/self/ns/net)" ] && break
        init=
        sleep 0.1
    done
    [ -n "$init" ]
    inside() {
        rm -f "$LOG"
        run --separate-stderr nsenter --target "$init" --pid --mount -- \
            "$HARDENED" --policy "$NS" --root "$RT_ROOT" --log "$LOG" --log-format json \
            run --bundle "$RT_TMP/b" "$(rt_id c)" </dev/null 3>&-
        # runc run deletes its container; a leftover is deleted from where
        # its pids mean something
        nsenter --target "$init" --pid --mount -- "$RT_RUNC" --root "$RT_ROOT" delete --force "$(rt_id c)" >/dev/null 2>&1 || true
    }
    # inside, /proc/1 is readable and is not the host's network namespace
    run nsenter --target "$init" --pid --mount -- sh -c 'readlink /proc/1/ns/net; readlink /proc/self/ns/net'
    [ "$status" -eq 0 ]
    [ "${lines[0]}" != "${lines[1]}" ]

    ns_set_netns "$RT_TMP/hostnet"          # the real host's: the shim's own reference refuses it
    inside
    [ "$status" -eq 1 ]
    [[ "$(last_error)" == *"would join the host's network namespace (the same as the shim's own /proc/self/ns/net) through $RT_TMP/hostnet"* ]]
    ns_set_netns /proc/1/ns/net             # pid 1's counts as the host's too (conservative)
    inside
    [ "$status" -eq 1 ]
    [[ "$(last_error)" == *"(the same as pid 1's /proc/1/ns/net)"* ]]
    ns_set_netns "$RT_TMP/othernet"         # another namespace still works
    inside
    [ "$status" -eq 0 ]
    [ "$(grep -c : <<<"$output")" -eq 1 ]   # lo only
}

@test "realtime: runc writes cpu.rt_runtime_us; hardened refuses it, or drops it under rewrite" {
    rt_edited_bundle '.linux.resources.cpu = {"realtimeRuntime": 10000, "realtimePeriod": 1000000}' \
        sh -c 'cat /sys/fs/cgroup/cpu/cpu.rt_runtime_us; grep "Max realtime priority" /proc/self/limits'
    rt=$(rt_cgroup_file $$ cpu cpu.rt_runtime_us)
    [ -f "$rt" ] || skip "no RT group scheduling (cpu.rt_runtime_us) on this kernel"
    # the control: runc reserves real-time CPU time for the container's cgroup
    rt_run_bundle runc
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 10000 ]
    # RLIMIT_RTPRIO would let its processes pick SCHED_FIFO without
    # CAP_SYS_NICE (runc cannot raise it here: root lacks CAP_SYS_RESOURCE)
    jq '.process.rlimits += [{"type": "RLIMIT_RTPRIO", "hard": 99, "soft": 99}]' "$RT_TMP/b/config.json" > "$RT_TMP/c" &&
        mv "$RT_TMP/c" "$RT_TMP/b/config.json"
    jq '.rules.realtime = {"action": "reject"} | .rules.rlimits = {"action": "reject"}' "$OFF" > "$T/rt.json"
    rt_run_bundle hardened "$T/rt.json"
    [ "$status" -eq 1 ]
    [[ "$(last_error)" == *"realtime.cpu: real-time CPU time (realtimeRuntime 10000) is not allowed"* ]]
    [[ "$(last_error)" == *"process.rlimits: RLIMIT_RTPRIO above the policy's ceiling 0"* ]]
    jq '.rules.realtime = {"action": "rewrite"} | .rules.rlimits = {"action": "rewrite"}' "$OFF" > "$T/rt.json"
    rt_run_bundle hardened "$T/rt.json"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 0 ]
    [[ "${lines[1]}" =~ priority\ +0\ +0 ]]
    ! jq -e '.linux.resources.cpu | has("realtimeRuntime")' "$RT_TMP/b/config.json"
}

@test "realtime: process.scheduler SCHED_FIFO and ioPriority RT, ignored by runc 1.1.5, are refused anyway" {
    rt_edited_bundle '.process.scheduler = {"policy": "SCHED_FIFO", "priority": 99}
               | .process.ioPriority = {"class": "IOPRIO_CLASS_RT", "priority": 0}' \
        sh -c 'cut -d" " -f41 /proc/self/stat; ionice -p $$'
    rt_run_bundle runc                         # runc 1.1.5's spec has neither field: the process stays SCHED_OTHER
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 0 ]
    [[ "${lines[1]}" != *realtime* ]]
    rt_run_bundle hardened "$(ns_policy realtime '{"action": "reject"}')"
    [ "$status" -eq 1 ]
    [[ "$(last_error)" == *"process.scheduler: scheduling policy SCHED_FIFO is not allowed"* ]]
    [[ "$(last_error)" == *"process.ioPriority: I/O priority class IOPRIO_CLASS_RT is not allowed"* ]]
}

@test "realtime: update --cpu-rt-runtime and an update document's realtimeRuntime are refused; the cgroup keeps 0" {
    rt_edited_bundle . sleep 600
    rt_start_container runc "$(rt_id u)" "$RT_TMP/b"
    pid=$(rt_state_field runc "$(rt_id u)" .pid)
    rt=$(rt_cgroup_file "$pid" cpu cpu.rt_runtime_us)
    [ -f "$rt" ] || skip "no RT group scheduling (cpu.rt_runtime_us) on this kernel"
    [ "$(cat "$rt")" = 0 ]
    RT_POLICY=$(ns_policy realtime '{"action": "reject"}')
    rm -f "$LOG"
    RT_POLICY=$RT_POLICY run rt_call hardened --log "$LOG" --log-format json update --cpu-rt-period 1000000 --cpu-rt-runtime 10000 "$(rt_id u)"
    [ "$status" -eq 1 ]
    [[ "$(last_error)" == *"realtime.cpu: real-time CPU time (realtimeRuntime 10000) is not allowed"* ]]
    [ "$(cat "$rt")" = 0 ]
    echo '{"cpu": {"realtimeRuntime": 10000, "realtimePeriod": 1000000}}' > "$RT_TMP/r.json"
    RT_POLICY=$RT_POLICY run rt_call hardened --log "$LOG" --log-format json update --resources "$RT_TMP/r.json" "$(rt_id u)"
    [ "$status" -eq 1 ]
    [ "$(cat "$rt")" = 0 ]
    # the control: runc itself writes it
    run rt_call runc update --cpu-rt-period 1000000 --cpu-rt-runtime 10000 "$(rt_id u)"
    [ "$status" -eq 0 ]
    [ "$(cat "$rt")" = 10000 ]
}

@test "unified: runc 1.1.5 refuses any unified on cgroup v1; hardened refuses pids.max/memory.max above the max first" {
    rt_edited_bundle '.linux.resources.pids = {"limit": 100} | .linux.resources.memory = {"limit": 268435456, "swap": 268435456}
               | .linux.resources.unified = {"pids.max": "max"}' sh -c 'cat /sys/fs/cgroup/pids/pids.max'
    [ -d /sys/fs/cgroup/unified ] || [ ! -f /sys/fs/cgroup/cgroup.controllers ] || skip "cgroup v2 host: runc would apply unified"
    rt_run_bundle runc                          # the control: on cgroup v1 runc refuses unified (on v2 it writes pids.max)
    [ "$status" -ne 0 ]
    [[ "$stderr" == *"cannot use unified on cgroup v1"* ]]
    RES='{"action": "reject", "memory": {"max": "1Gi"}, "pids": {"max": 4096}, "unified": {"allow": ["pids.max", "memory.max"]}}'
    rt_run_bundle hardened "$(ns_policy resources "$RES")"
    [ "$status" -eq 1 ]
    [[ "$(last_error)" == *"resources.unified: unified pids.max \"max\" would remove the limit"* ]]
    jq '.linux.resources.unified = {"memory.max": "8G", "pids.max": "100"}' "$RT_TMP/b/config.json" > "$RT_TMP/c" && mv "$RT_TMP/c" "$RT_TMP/b/config.json"
    rt_run_bundle hardened "$(ns_policy resources "$RES")"
    [ "$status" -eq 1 ]
    [[ "$(last_error)" == *"resources.unified: unified memory.max \"8G\" is above the policy's maximum"* ]]
    # rewrite drops a key that is not allowed, and the empty map with it:
    # the container runs with the pids limit the resources rule leaves
    jq '.linux.resources.unified = {"pids.max": "max"}' "$RT_TMP/b/config.json" > "$RT_TMP/c" && mv "$RT_TMP/c" "$RT_TMP/b/config.json"
    rt_run_bundle hardened "$(ns_policy resources '{"action": "rewrite", "pids": {"max": 4096}}')"
    [ "$status" -eq 0 ]
    [ "$output" = 100 ]
    ! jq -e '.linux.resources | has("unified")' "$RT_TMP/b/config.json"
}

# backend argv after the program name, one line
backend_args() { tail -n +2 "$FAKE_RUNTIME_OUT/argv" | paste -sd' '; }

# update through the fake backend, merged into fake_update_state's container c1
hdu() { hd --root "$T/root" update "$@"; }

@test "realtime (fake backend): update's --cpu-rt-runtime/--cpu-rt-period are judged in the merged document: clamped, refused, or refused when unreadable" {
    fake_update_state c1
    POLICY=$T/rt-share.json
    cp "$(ns_policy realtime '{"action": "rewrite", "cpu": 0.05}')" "$POLICY"
    POLICY=$POLICY run hdu --cpu-rt-period 1000000 --cpu-rt-runtime 900000 c1
    [ "$status" -eq 0 ]
    [[ "$(backend_args)" =~ \ update\ --resources=/proc/self/fd/[0-9]+\ c1$ ]]
    [ "$(jq -c .cpu <<<"$(handed)")" = '{"quota":100000,"period":100000,"realtimeRuntime":50000,"realtimePeriod":1000000}' ]
    # the last copy of a flag is the one runc reads, and every copy is gone from argv
    POLICY=$(ns_policy realtime '{"action": "rewrite"}') run hdu --cpu-rt-runtime=5 --cpu-rt-runtime=-1 c1
    [ "$status" -eq 0 ]
    [[ "$(backend_args)" =~ \ update\ --resources=/proc/self/fd/[0-9]+\ c1$ ]]
    [ "$(jq -c .cpu <<<"$(handed)")" = '{"quota":100000,"period":100000}' ]
    # a runtime without a period: the state's period (0: the kernel's 1s) is written with it
    POLICY=$POLICY run hdu --cpu-rt-runtime 1000 c1
    [ "$status" -eq 0 ]
    [ "$(jq -c .cpu <<<"$(handed)")" = '{"quota":100000,"period":100000,"realtimeRuntime":1000,"realtimePeriod":1000000}' ]
    rm -f "$FAKE_RUNTIME_OUT/argv"
    POLICY=$(ns_policy realtime '{"action": "reject"}') run hdu --cpu-rt-runtime 10000 --cpu-rt-period 1000000 c1
    [ "$status" -eq 1 ]
    backend_not_ran
    POLICY=$(ns_policy realtime '{"action": "reject"}') run hdu --cpu-rt-runtime 0x10 c1
    [ "$status" -eq 1 ]
    backend_not_ran
    [[ "$(last_error)" == *"cli.strictValues: --cpu-rt-runtime 0x10"* ]]
    # with --resources runc ignores the inline flags: the document is judged
    echo '{"cpu": {"realtimeRuntime": -1}}' > "$T/r.json"
    POLICY=$(ns_policy realtime '{"action": "reject"}') run hdu --resources "$T/r.json" --cpu-rt-runtime 0 c1
    [ "$status" -eq 1 ]
    [[ "$(last_error)" == *"realtime.cpu: unlimited real-time CPU time"* ]]
}

@test "realtime (fake backend): exec --process with SCHED_FIFO or IOPRIO_CLASS_RT is refused, dropped under rewrite" {
    jq '.scheduler = {"policy": "SCHED_FIFO", "priority": 99} | .ioPriority = {"class": "IOPRIO_CLASS_RT", "priority": 0}' \
        "$FIXTURES/exec-user1000-env-cwd.json" > "$T/p.json"
    cp "$T/p.json" "$T/p.orig"
    POLICY=$(ns_policy realtime '{"action": "reject"}') run hd exec --process "$T/p.json" c1
    [ "$status" -eq 1 ]
    backend_not_ran
    cmp "$T/p.json" "$T/p.orig"
    [[ "$(last_error)" == *"process.scheduler: scheduling policy SCHED_FIFO is not allowed"*"process.ioPriority: "* ]]
    POLICY=$(ns_policy realtime '{"action": "rewrite"}') FAKE_RUNTIME_COPY=handed run hd exec --process "$T/p.json" c1
    [ "$status" -eq 0 ]
    jq -e 'has("scheduler") or has("ioPriority") | not' "$FAKE_RUNTIME_OUT/copied"
}

@test "resources (fake backend): a swap flag given twice: the last is the one judged, and every copy leaves argv" {
    fake_update_state c1
    POLICY=$BATS_TEST_DIRNAME/../../policy/profiles/default.json run hdu --memory-swap -1 --memory-swap=8g c1
    [ "$status" -eq 0 ]
    [[ "$(backend_args)" =~ ^--log\ $LOG\ --log-format\ json\ --root\ $T/root\ update\ --resources=/proc/self/fd/[0-9]+\ c1$ ]]
    [ "$(jq -c .memory <<<"$(handed)")" = '{"limit":268435456,"swap":268435456}' ]
}
