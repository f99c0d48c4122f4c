#!/usr/bin/env bats
# update judges the result, not the request (issue 11, item 3).
#
# runc 1.1.5 merges an update into the container's current resources: a
# quota or a period given alone keeps the other, and its cgroup v1 driver
# leaves every file it is given 0 for as it is.  So `--cpu-period 1000`
# alone under a 1-CPU quota of 100000 gives 100 CPUs, and `--memory 100m`
# alone leaves a larger memory+swap.  The shim merges the request into the
# container's state as runc will, judges the merged resources, and hands
# runc the whole judged document as --resources /proc/self/fd/N.
#
# Real runc first (the cgroup files afterwards, and the same call through
# plain runc to show the test can see the hole), then the fake backend
# (the exact document runc receives).

bats_require_minimum_version 1.5.0
load helpers
load fake

MiB=1048576

setup() { fake_setup; }
teardown() {
    if [ -n "${RT_ROOT:-}" ]; then rt_cleanup; fi
    fake_teardown
}

# A policy with every rule off but resources: 1 CPU, 512Mi, 100 pids at
# most, no swap, CPU shares 4096 at most; $1 is the action.
caps_policy() {
    jq --arg a "$1" '.rules.resources = {"action": $a, "memory": {"max": "512Mi"},
                                         "cpu": {"max": 1, "maxShares": 4096}, "pids": {"max": 100}}' \
        "$FIXTURES/policy-off.json" > "$T/policy-$1.json"
    printf '%s\n' "$T/policy-$1.json"
}

# The resources every container here starts with: exactly the caps.
START_RESOURCES='.linux.resources.cpu = {"quota": 100000, "period": 100000}
  | .linux.resources.memory = {"limit": 268435456, "swap": 268435456}
  | .linux.resources.pids = {"limit": 50}'

# start RUNTIME NAME: a running container NAME created by RUNTIME under the
# rewrite policy (runc: plain), with START_RESOURCES.  Sets ID.
start() {
    ID=$(rt_id "$2")
    rt_make_bundle "$RT_TMP/$2" sleep 300
    jq "$START_RESOURCES" "$RT_TMP/$2/config.json" > "$RT_TMP/c.json" && mv "$RT_TMP/c.json" "$RT_TMP/$2/config.json"
    RT_POLICY=$(caps_policy rewrite) rt_start_container "$1" "$ID" "$RT_TMP/$2"
}

# limits RUNTIME ID: quota/period memory memsw pids, one line.
limits() {
    printf '%s/%s %s %s %s\n' "$(rt_cgroup_read "$1" "$2" cpu cpu.cfs_quota_us)" \
        "$(rt_cgroup_read "$1" "$2" cpu cpu.cfs_period_us)" \
        "$(rt_cgroup_read "$1" "$2" memory memory.limit_in_bytes)" \
        "$(rt_cgroup_read "$1" "$2" memory memory.memsw.limit_in_bytes)" \
        "$(rt_cgroup_read "$1" "$2" pids pids.max)"
}

# update RUNTIME ACTION ARG...: `update ARG...` through RUNTIME (the shim
# under the caps policy with ACTION).
update() {
    local rt=$1 action=$2
    shift 2
    if [ "$rt" = hardened ]; then
        RT_POLICY=$(caps_policy "$action") rt_call hardened --log "$RT_TMP/log.json" --log-format json update "$@" </dev/null
    else
        rt_call runc update "$@" </dev/null
    fi
}

@test "runc: the containers start at exactly the caps (1 CPU, 256Mi without swap, 50 pids)" {
    rt_require_runc
    rt_root
    start hardened h
    [ "$(limits hardened "$ID")" = "100000/100000 268435456 268435456 50" ]
}

@test "runc: update --cpu-period 1000 alone: plain runc gives 100 CPUs, the shim keeps 1 CPU or refuses" {
    rt_require_runc
    rt_root
    start runc r
    run update runc - --cpu-period 1000 "$ID"
    [ "$status" -eq 0 ]
    [ "$(limits runc "$ID")" = "100000/1000 268435456 268435456 50" ]      # 100 CPUs

    start hardened h
    run update hardened rewrite --cpu-period 1000 "$ID"
    [ "$status" -eq 0 ]
    [ "$(limits hardened "$ID")" = "1000/1000 268435456 268435456 50" ]    # 1 CPU, the rest as it was

    start hardened j
    run update hardened reject --cpu-period 1000 "$ID"
    [ "$status" -eq 1 ]
    [[ "$output" == *"resources.cpu: CPU limit 100 CPU is above the policy's maximum"* ]]
    [ "$(limits hardened "$ID")" = "100000/100000 268435456 268435456 50" ] # untouched
}

@test "runc: update --memory 100m alone: plain runc leaves 156Mi of swap, the shim sets memory+swap to the limit" {
    rt_require_runc
    rt_root
    start runc r
    run update runc - --memory 100m "$ID"
    [ "$status" -eq 0 ]
    [ "$(limits runc "$ID")" = "100000/100000 $((100 * MiB)) 268435456 50" ]

    start hardened h
    run update hardened rewrite --memory 100m "$ID"
    [ "$status" -eq 0 ]
    [ "$(limits hardened "$ID")" = "100000/100000 $((100 * MiB)) $((100 * MiB)) 50" ]

    start hardened j
    run update hardened reject --memory 100m "$ID"
    [ "$status" -eq 1 ]
    [[ "$output" == *"resources.memory: memory+swap must equal the memory limit (no swap)"* ]]
    [ "$(limits hardened "$ID")" = "100000/100000 268435456 268435456 50" ]
}

@test "runc: --pids-limit, --memory -1 and --cpu-quota -1: clamped to the caps, the rest kept" {
    rt_require_runc
    rt_root
    start runc r
    run update runc - --pids-limit -1 --memory -1 "$ID"
    [ "$status" -eq 0 ]
    [ "$(limits runc "$ID")" = "100000/100000 9223372036854771712 9223372036854771712 max" ]

    start hardened h
    run update hardened rewrite --pids-limit 1000 "$ID"
    [ "$status" -eq 0 ]
    [ "$(limits hardened "$ID")" = "100000/100000 268435456 268435456 100" ]
    run update hardened rewrite --pids-limit 20 --memory -1 --cpu-quota=-1 "$ID"
    [ "$status" -eq 0 ]
    [ "$(limits hardened "$ID")" = "100000/100000 $((512 * MiB)) $((512 * MiB)) 20" ]
}

@test "runc: -r - and -r FILE with partial documents are merged like the flags; the file itself is left as it was" {
    rt_require_runc
    rt_root
    start runc r
    run rt_call runc update -r - "$ID" <<<'{"cpu": {"period": 1000}, "memory": {"limit": 104857600}}'
    [ "$status" -eq 0 ]
    [ "$(limits runc "$ID")" = "100000/1000 $((100 * MiB)) 268435456 50" ]

    start hardened h
    run bash -c 'printf %s "{\"cpu\": {\"period\": 1000}, \"memory\": {\"limit\": 104857600}}" |
        "$0" --policy "$1" --root "$2" update -r - "$3"' "$HARDENED" "$(caps_policy rewrite)" "$RT_ROOT" "$ID"
    [ "$status" -eq 0 ]
    [ "$(limits hardened "$ID")" = "1000/1000 $((100 * MiB)) $((100 * MiB)) 50" ]

    start hardened f
    printf '{"pids": {"limit": 500}, "cpu": {"quota": 400000}}' > "$RT_TMP/r.json"
    cp "$RT_TMP/r.json" "$RT_TMP/r.orig"
    run update hardened rewrite -r "$RT_TMP/r.json" --memory 1g "$ID"   # runc ignores --memory with -r
    [ "$status" -eq 0 ]
    [ "$(limits hardened "$ID")" = "100000/100000 268435456 268435456 100" ]
    cmp "$RT_TMP/r.json" "$RT_TMP/r.orig"
}

# CPU priority (CIS 5.12): --cpu-share and a document's cpu.shares, read
# back from the container's cpu.shares.
@test "runc: update --cpu-share 262144 and -r - {cpu: {shares}}: plain runc gives 262144, the shim 4096 or refuses" {
    rt_require_runc
    rt_root
    start runc r
    run update runc - --cpu-share 262144 "$ID"
    [ "$status" -eq 0 ]
    [ "$(rt_cgroup_read runc "$ID" cpu cpu.shares)" = 262144 ]

    start hardened h
    run update hardened rewrite --cpu-share 262144 "$ID"
    [ "$status" -eq 0 ]
    [ "$(rt_cgroup_read hardened "$ID" cpu cpu.shares)" = 4096 ]
    run update hardened rewrite --cpu-share 2048 "$ID"
    [ "$status" -eq 0 ]
    [ "$(rt_cgroup_read hardened "$ID" cpu cpu.shares)" = 2048 ]
    run bash -c 'printf %s "{\"cpu\": {\"shares\": 100000}}" |
        "$0" --policy "$1" --root "$2" update -r - "$3"' "$HARDENED" "$(caps_policy rewrite)" "$RT_ROOT" "$ID"
    [ "$status" -eq 0 ]
    [ "$(rt_cgroup_read hardened "$ID" cpu cpu.shares)" = 4096 ]
    [ "$(limits hardened "$ID")" = "100000/100000 268435456 268435456 50" ]   # the rest as it was

    run update hardened rewrite --cpu-share 512 -- "$ID"          # "--" ends the flags, as for runc
    [ "$status" -eq 0 ]
    [ "$(rt_cgroup_read hardened "$ID" cpu cpu.shares)" = 512 ]

    start hardened j
    run update hardened reject --cpu-share 4097 "$ID"
    [ "$status" -eq 1 ]
    [[ "$output" == *"resources.cpu: CPU shares 4097 are above the policy's maximum 4096"* ]]
    [ "$(rt_cgroup_read hardened "$ID" cpu cpu.shares)" = 1024 ]              # untouched
}

@test "runc: an update of nothing that matters (--cpuset-cpus 0) keeps every limit" {
    rt_require_runc
    rt_root
    start hardened h
    run update hardened reject --cpuset-cpus 0 "$ID"
    [ "$status" -eq 0 ]
    [ "$(limits hardened "$ID")" = "100000/100000 268435456 268435456 50" ]
    [ "$(rt_cgroup_read hardened "$ID" cpuset cpuset.cpus)" = 0 ]
}

@test "runc: a container that does not exist: runc prints its own error, as without the shim" {
    rt_require_runc
    rt_root
    run rt_call runc update --cpu-period 1000 nosuch
    want=$output want_status=$status
    [ "$status" -ne 0 ]
    RT_POLICY=$(caps_policy reject) run rt_call hardened update --cpu-period 1000 nosuch
    [ "$status" -eq "$want_status" ]
    # the same line but for runc's timestamp (the two calls may fall in different seconds)
    [ "${output#*level=error msg=}" = "${want#*level=error msg=}" ]
    [[ "$output" == *'msg="container does not exist"'* ]]
}

# ---- fake backend: the exact document runc receives --------------------------

# fake_update ACTION ARG...: update through the fake backend; $T/out/resources
# is the document it was handed.
fake_update() {
    local action=$1
    shift
    rm -rf "$FAKE_RUNTIME_OUT"
    mkdir -p "$FAKE_RUNTIME_OUT"
    POLICY=$(caps_policy "$action") hd --root "$T/root" update "$@"
}


@test "fake: inline flags become one complete resources document, the flags gone" {
    fake_update_state c1
    run fake_update rewrite --cpu-period 1000 c1
    [ "$status" -eq 0 ]
    [[ "$(backend_args)" =~ ^--log\ $LOG\ --log-format\ json\ --root\ $T/root\ update\ --resources=/proc/self/fd/[0-9]+\ c1$ ]]
    [ "$(handed)" = '{"memory":{"limit":268435456,"swap":268435456},"cpu":{"quota":1000,"period":1000},"pids":{"limit":50}}' ]
    run fake_update rewrite --memory 100m --cpu-share 512 --cpuset-mems 0 --blkio-weight 300 --l3-cache-schema L3:0=f c1
    [ "$status" -eq 0 ]
    [[ "$(backend_args)" == *" update --l3-cache-schema L3:0=f --resources=/proc/self/fd/"*" c1" ]]
    [ "$(handed)" = '{"memory":{"limit":104857600,"swap":104857600},"cpu":{"shares":512,"quota":100000,"period":100000,"mems":"0"},"blockIO":{"weight":300},"pids":{"limit":50}}' ]
}

@test "fake: \"--\" before the id: --resources goes ahead of it, as a flag runc reads" {
    fake_update_state c1
    run fake_update rewrite --cpu-share 100 -- c1
    [ "$status" -eq 0 ]
    [[ "$(backend_args)" =~ \ update\ --resources=/proc/self/fd/[0-9]+\ --\ c1$ ]]
    [ "$(jq -c .cpu.shares <<<"$(handed)")" = 100 ]
}

@test "fake: -r - and -r FILE: the value becomes the memfd; runc's stdin is no longer read; ignored inline flags are dropped" {
    fake_update_state c1
    run fake_update rewrite --pids-limit 7 -r - c1 <<<'{"memory": {"swap": -1}, "pids": {"limit": 0}}'
    [ "$status" -eq 0 ]
    [[ "$(backend_args)" =~ \ update\ -r\ /proc/self/fd/[0-9]+\ c1$ ]]
    [ "$(handed)" = '{"memory":{"limit":268435456,"swap":268435456},"cpu":{"quota":100000,"period":100000},"pids":{"limit":50}}' ]
    printf '{"cpu": {"quota": 50000, "period": 50000}, "unified": {}}' > "$T/r.json"
    run fake_update rewrite --resources="$T/r.json" c1
    [ "$status" -eq 0 ]
    [[ "$(backend_args)" =~ \ update\ --resources=/proc/self/fd/[0-9]+\ c1$ ]]
    # the request's unified map goes through as runc takes it (runc 1.1 refuses even {} on cgroup v1)
    [ "$(handed)" = '{"memory":{"limit":268435456,"swap":268435456},"cpu":{"quota":50000,"period":50000},"pids":{"limit":50},"unified":{}}' ]
    [ "$(cat "$T/r.json")" = '{"cpu": {"quota": 50000, "period": 50000}, "unified": {}}' ]
}

@test "fake: values the state does not know (0 after a plain runc update) are judged as unlimited and set to the caps" {
    # what `runc update --cpu-period 1000` alone leaves in state.json
    fake_update_state c1 '.config.cgroups |= (.memory = 0 | .memory_swap = 0 | .pids_limit = 0 | .cpu_period = 1000)'
    run fake_update rewrite --cpu-period 1000 c1
    [ "$status" -eq 0 ]
    [ "$(handed)" = '{"memory":{"limit":536870912,"swap":536870912},"cpu":{"quota":1000,"period":1000},"pids":{"limit":100}}' ]
    # a zeroed quota and period: the kernel's period is written with the quota
    fake_update_state c2 '.config.cgroups |= (.cpu_quota = 0 | .cpu_period = 0)'
    run fake_update rewrite --pids-limit 10 c2
    [ "$status" -eq 0 ]
    [ "$(handed)" = '{"memory":{"limit":268435456,"swap":268435456},"cpu":{"quota":100000,"period":100000},"pids":{"limit":10}}' ]
    # with the resources rule off, an unknown value stays unknown (0: unchanged)
    rm -rf "$FAKE_RUNTIME_OUT"; mkdir -p "$FAKE_RUNTIME_OUT"
    hd --root "$T/root" update --pids-limit 10 c2
    [ "$(handed)" = '{"memory":{"limit":268435456,"swap":268435456},"pids":{"limit":10}}' ]
}

@test "fake: memory -1 alone means swap -1 too (runc's fs driver), and is clamped with it" {
    fake_update_state c1
    run fake_update rewrite --memory=-1 c1
    [ "$status" -eq 0 ]
    [ "$(jq -c .memory <<<"$(handed)")" = '{"limit":536870912,"swap":536870912}' ]
    run fake_update reject --memory -1 c1
    [ "$status" -eq 1 ]
    backend_not_ran
}

@test "fake: inline values are read exactly as update.go reads them, or refused (cli.strictValues)" {
    fake_update_state c1
    # accepted: what runc reads the same way
    for good in "--memory 64M" "--memory 64mib" "--memory 64m" "--memory=67108864b" \
        "--cpu-period 0100000" "--cpu-quota +50000" "--memory-reservation 1k" "--memory=" "--pids-limit=-0"; do
        # shellcheck disable=SC2086
        run fake_update rewrite $good c1
        [ "$status" -eq 0 ] || { echo "refused: $good: $output"; false; }
    done
    run fake_update rewrite "--memory=64 m" c1            # go-units allows one space
    [ "$(jq -c .memory.limit <<<"$(handed)")" = 67108864 ]
    run fake_update rewrite --cpu-period 0100000 --cpu-quota +50000 c1
    [ "$(jq -c .cpu <<<"$(handed)")" = '{"quota":50000,"period":100000}' ]
    run fake_update rewrite --memory= c1                 # "" leaves it as it is
    [ "$(jq -c .memory.limit <<<"$(handed)")" = 268435456 ]
    # refused: what runc reads differently or fails on
    for bad in "--pids-limit 0x10" "--pids-limit 010" "--pids-limit=" "--memory 1.5g" "--memory 0x10" \
        "--memory 9007199254740993" "--cpu-quota 1e3" "--cpu-period -1" "--cpu-share +1" \
        "--blkio-weight 65546" "--blkio-weight 0x1f4" "--kernel-memory 1.5g"; do
        # shellcheck disable=SC2086
        run fake_update off $bad c1
        [ "$status" -eq 1 ] || { echo "accepted: $bad"; false; }
        backend_not_ran
        [[ "$(last_error)" == *"cli.strictValues: --"*"refused rather than guessed at"* ]]
    done
}

@test "fake: no such container: runc gets --resources /dev/null (it fails first; a container appearing meanwhile gets nothing); not exactly one argument: unchanged" {
    run fake_update reject --memory 100g nosuch
    [ "$status" -eq 0 ]
    [ "$(backend_args)" = "--log $LOG --log-format json --root $T/root update --resources=/dev/null nosuch" ]
    run fake_update reject -r - nosuch </dev/null
    [ "$(backend_args)" = "--log $LOG --log-format json --root $T/root update -r /dev/null nosuch" ]
    run fake_update reject --memory 100g
    [ "$(backend_args)" = "--log $LOG --log-format json --root $T/root update --memory 100g" ]
}
