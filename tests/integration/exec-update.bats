#!/usr/bin/env bats
# exec, update, restore and run are guarded as tightly as create: first
# against the fake backend (what reaches runc is exactly the checked
# version; refused calls never reach it), then with real runc.

bats_require_minimum_version 1.5.0
load fake
load helpers

DEFAULT=$BATS_TEST_DIRNAME/../../policy/profiles/default.json
RESTRICTED=$BATS_TEST_DIRNAME/../../policy/profiles/restricted.json

setup() { fake_setup; }
teardown() {
    if [ -n "${RT_ROOT:-}" ]; then rt_cleanup; fi
    fake_teardown
}

@test "exec --process FILE: the rewritten process is what runc reads, the engine's file untouched" {
    cp "$FIXTURES/exec-user0.json" "$T/p.json"
    POLICY=$DEFAULT FAKE_RUNTIME_COPY=handed run hd exec --process "$T/p.json" --detach c1
    [ "$status" -eq 0 ]
    jq -e '.user == {"uid": 65534, "gid": 65534, "additionalGids": []}
           and .capabilities.bounding == ["CAP_NET_BIND_SERVICE"]
           and .capabilities.effective == ["CAP_NET_BIND_SERVICE"]
           and .noNewPrivileges == true' "$FAKE_RUNTIME_OUT/copied"
    cmp "$T/p.json" "$FIXTURES/exec-user0.json"
}

@test "exec --process FILE under reject: refused, the file untouched, runc never runs" {
    cp "$FIXTURES/exec-privileged.json" "$T/p.json"
    POLICY=$RESTRICTED run hd exec -p "$T/p.json" c1
    [ "$status" -eq 1 ]
    backend_not_ran
    cmp "$T/p.json" "$FIXTURES/exec-privileged.json"
    [[ "$(last_error)" == *"$T/p.json: refused by policy $RESTRICTED: capabilities.allowList: "*"; user.nonRoot: "*"; process.noNewPrivileges: "* ]]
}

# exec without --process: the shim builds the process runc would run (the
# bundle's config.json through the container's state, the flags merged) and
# hands runc that, checked, with --process (tests/integration/exec-process.bats
# has the merge itself; these are the old inline-flag cases, now judged as
# the document they stand for).
@test "exec -u 0 / --user=0:0 / -g 0 / --cap / --no-new-privs=false: the process runc gets is rewritten" {
    fake_state c1
    POLICY=$DEFAULT run hd_exec -u 0 c1 id
    [ "$status" -eq 0 ]
    [[ "$(backend_args)" =~ ^"--log $LOG --log-format json --root $T/state exec --process=/proc/self/fd/"[0-9]+" c1 id"$ ]]
    backend_process | jq -e '.user == {uid: 65534, gid: 65534, additionalGids: []} and .args == ["id"]'
    POLICY=$DEFAULT run hd_exec --user=0:0 -g 0 -g 2000 c1 id
    backend_process | jq -e '.user == {uid: 65534, gid: 65534, additionalGids: [2000]}'
    POLICY=$DEFAULT run hd_exec -u 1000:0 --cap CAP_SYS_ADMIN --cap=CAP_NET_BIND_SERVICE --no-new-privs=false -t c1 sh
    [[ "$(backend_args)" =~ " exec --process=/proc/self/fd/"[0-9]+" c1 sh"$ ]]
    backend_process | jq -e '.user.uid == 1000 and .user.gid == 65534 and .terminal == true and .noNewPrivileges == true
        and .capabilities.ambient == [] and (.capabilities.bounding | unique) == ["CAP_NET_BIND_SERVICE"]'
    # arguments of the command itself are not exec's flags
    POLICY=$DEFAULT run hd_exec -u 1000 c1 sh -u 0 --cap CAP_SYS_ADMIN
    [[ "$(backend_args)" =~ " exec --process=/proc/self/fd/"[0-9]+" c1 sh -u 0 --cap CAP_SYS_ADMIN"$ ]]
    backend_process | jq -e '.args == ["sh", "-u", "0", "--cap", "CAP_SYS_ADMIN"] and .user.uid == 1000'
}

@test "exec --apparmor unconfined and an unconfined --process-label: dropped under rewrite, refused under reject" {
    fake_state c1
    POLICY=$DEFAULT run hd_exec --apparmor unconfined --process-label system_u:system_r:spc_t:s0 -u 1000:1000 c1 id
    [ "$status" -eq 0 ]
    backend_process | jq -e 'has("apparmorProfile") == false and has("selinuxLabel") == false'
    POLICY=$RESTRICTED run hd_exec --apparmor=unconfined -u 1000:1000 c1 id
    [ "$status" -eq 1 ]
    [[ "$(last_error)" == *"lsm.apparmor: AppArmor profile \"unconfined\""* ]]
    POLICY=$DEFAULT run hd_exec --apparmor my-profile -u 1000:1000 c1 id
    backend_process | jq -e '.apparmorProfile == "my-profile"'
}

@test "exec values runc would read differently from plain decimal are refused, never guessed at" {
    fake_state c1
    for v in 4294967296 +0 010 0x0 -0 ' 0' 0:+0 1000:4294967296 root 1:2:3 :5; do
        rm -f "$FAKE_RUNTIME_OUT/argv"
        POLICY=$DEFAULT run hd_exec -u "$v" c1 id
        [ "$status" -eq 1 ] || { echo "-u '$v' was accepted"; false; }
        backend_not_ran
        [[ "$(last_error)" == *"cli.strictValues: --user $v: not UID[:GID] in plain decimal"* ]]
    done
    POLICY=$DEFAULT run hd_exec -g 0x0 c1 id
    [ "$status" -eq 1 ]
    backend_not_ran
    # in audit mode too: the shim cannot judge what it cannot read
    jq '.mode = "audit"' "$DEFAULT" > "$T/audit.json"
    POLICY=$T/audit.json run hd_exec -u +0 c1 id
    [ "$status" -eq 1 ]
    backend_not_ran
}

@test "exec under reject: -u 0 and --cap CAP_SYS_ADMIN are refused naming the rule" {
    fake_state c1
    POLICY=$RESTRICTED run hd_exec -u 0 c1 id
    [ "$status" -eq 1 ]
    backend_not_ran
    [[ "$(last_error)" == *"exec c1: process from $T/bundle/config.json and the exec flags: refused by policy $RESTRICTED: capabilities.allowList: "*"; user.nonRoot: the container would run as root"* ]]
    config_jq '.process.capabilities |= map_values(["CAP_NET_BIND_SERVICE"]) | .process.noNewPrivileges = true'
    POLICY=$RESTRICTED run hd_exec -u 1000:1000 --cap CAP_SYS_ADMIN c1 id
    [ "$status" -eq 1 ]
    [[ "$(last_error)" == *"capabilities.allowList: "*"CAP_SYS_ADMIN"* ]]
}

@test "an exemption by container id relaxes the exec'd process too, and the log says which" {
    jq '.exemptions = [{"name": "debug-box", "match": {"ids": ["dbg"]}, "rules": {"user": {"action": "off"}}}]
        | .rules.capabilities.action = "off" | .rules.noNewPrivileges.action = "off"' \
        "$RESTRICTED" > "$T/p.json"
    fake_state dbg
    fake_state other
    POLICY=$T/p.json run hd_exec -u 0 dbg id
    [ "$status" -eq 0 ]
    backend_process | jq -e '.user.uid == 0'
    jq -r .msg "$LOG" | grep -q 'exemption "debug-box" applies to dbg'
    rm "$FAKE_RUNTIME_OUT/argv"
    POLICY=$T/p.json run hd_exec -u 0 other id
    [ "$status" -eq 1 ]
    backend_not_ran
}

@test "exec flags are ignored by runc with --process, and so not checked" {
    cp "$FIXTURES/exec-user1000-env-cwd.json" "$T/p.json"
    POLICY=$DEFAULT run hd exec -p "$T/p.json" -u 0 c1
    [ "$status" -eq 0 ]
    [[ "$(backend_args)" =~ ^"--log $LOG --log-format json exec -p /proc/self/fd/"[0-9]+" -u 0 c1"$ ]]
}

# update: the request merged into the container's state (fake_update_state: 1 CPU,
# 256Mi without swap, 50 pids) and handed to runc whole (update-merge.bats).
hdu() { hd --root "$T/root" update "$@"; }

@test "update --resources -: merged and clamped under rewrite; runc reads the checked document, not its stdin" {
    fake_update_state c1
    printf '{"memory":{"limit":107374182400,"swap":107374182400},"pids":{"limit":-1},"cpu":{"quota":0}}' |
        POLICY=$DEFAULT hdu --resources - c1
    [ "$(handed)" = '{"memory":{"limit":4294967296,"swap":4294967296},"cpu":{"quota":100000,"period":100000},"pids":{"limit":4096}}' ]
}

@test "update --resources - above the max under reject: refused, runc never runs" {
    fake_update_state c1
    printf '{"memory":{"limit":107374182400}}' > "$T/r.json"
    POLICY=$RESTRICTED run hdu --resources - c1 < "$T/r.json"
    [ "$status" -eq 1 ]
    backend_not_ran
    [[ "$(last_error)" == *"refused by policy $RESTRICTED: resources.memory: memory limit 100Gi is above the policy's maximum 4Gi"* ]]
}

@test "update --resources FILE: 0 means unchanged (the state's value); unlimited swap is rewritten to the limit" {
    fake_update_state c1
    printf '{"memory":{"limit":0,"swap":-1},"pids":{"limit":0}}' > "$T/r.json"
    POLICY=$DEFAULT run hdu -r "$T/r.json" c1
    [ "$status" -eq 0 ]
    [ "$(handed)" = '{"memory":{"limit":268435456,"swap":268435456},"cpu":{"quota":100000,"period":100000},"pids":{"limit":50}}' ]
}

@test "update inline flags: one merged document, clamped under rewrite, refused under reject, strict values" {
    fake_update_state c1
    POLICY=$DEFAULT run hdu --memory 100g --memory-swap=-1 --pids-limit -1 --cpu-quota 900000 c1
    [ "$status" -eq 0 ]
    [[ "$(backend_args)" =~ ^--log\ $LOG\ --log-format\ json\ --root\ $T/root\ update\ --resources=/proc/self/fd/[0-9]+\ c1$ ]]
    [ "$(handed)" = '{"memory":{"limit":4294967296,"swap":4294967296},"cpu":{"quota":400000,"period":100000},"pids":{"limit":4096}}' ]
    POLICY=$DEFAULT run hdu --memory 128m --memory-swap 128m c1
    [ "$(handed)" = '{"memory":{"limit":134217728,"swap":134217728},"cpu":{"quota":100000,"period":100000},"pids":{"limit":50}}' ]
    rm "$FAKE_RUNTIME_OUT/argv"
    POLICY=$RESTRICTED run hdu --pids-limit 5000 c1
    [ "$status" -eq 1 ]
    backend_not_ran
    for bad in "--pids-limit 0x10" "--pids-limit 010" "--memory 1.5g" "--cpu-quota 1e3"; do
        # shellcheck disable=SC2086
        POLICY=$DEFAULT run hdu $bad c1
        [ "$status" -eq 1 ] || { echo "$bad accepted"; false; }
        backend_not_ran
    done
}

@test "--no-pivot and --no-new-keyring: stripped under rewrite, refused under reject (create, run, restore)" {
    POLICY=$DEFAULT run hd create --no-pivot --no-new-keyring --bundle "$T/bundle" "$DOCKER_ID"
    [ "$status" -eq 0 ]
    [ "$(backend_args)" = "--log $LOG --log-format json create --bundle $T/bundle $DOCKER_ID" ]
    rm "$FAKE_RUNTIME_OUT/argv"
    jq -c "del(.hooks)" "$FIXTURES/run-default.json" > "$T/bundle/config.json"
    # the flags alone refuse: a config refused first would end the call before them
    jq '.rules.runtimeFlags.action = "reject"' "$DEFAULT" > "$T/flags-reject.json"
    for verb in run restore; do
        POLICY=$T/flags-reject.json run hd $verb --no-pivot --bundle "$T/bundle" "$DOCKER_ID"
        [ "$status" -eq 1 ]
        backend_not_ran
        [[ "$(last_error)" == *"runtime.flags: --no-pivot keeps the host's root reachable"* ]]
    done
}

@test "restore applies the policy to the bundle like create (the restore family off: the shipped profiles refuse restore itself, restore.bats)" {
    jq '.rules.restore.action = "off"' "$DEFAULT" > "$T/restore-off.json"
    POLICY=$T/restore-off.json run hd restore --image-path /img --bundle "$T/bundle" "$DOCKER_ID"
    [ "$status" -eq 0 ]
    [ "$(jq -r .process.user.uid "$T/bundle/config.json")" = 65534 ]
}

# ---- real runc ----------------------------------------------------------------

start_default_container() {
    rt_require_runc
    rt_root
    ID=$(rt_id c)
    rt_make_bundle "$RT_TMP/b" sleep 300
    RT_POLICY=$DEFAULT rt_start_container hardened "$ID" "$RT_TMP/b"
}

@test "runc: exec -u 0 runs as the policy's uid; the exec'd process stays within the allow-list" {
    start_default_container
    run --separate-stderr "$HARDENED" --policy "$DEFAULT" --root "$RT_ROOT" exec -u 0 "$ID" \
        sh -c 'id -u; grep -E "^Cap(Eff|Bnd|Amb)" /proc/self/status' </dev/null 3>&-
    echo "$output"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 65534 ]
    [ "${lines[1]}" = $'CapEff:\t0000000000000000' ]
    [ "${lines[2]}" = $'CapBnd:\t0000000000000400' ]
    [ "${lines[3]}" = $'CapAmb:\t0000000000000000' ]
    # the same through runc directly: the exec really would have been root
    run "$RT_RUNC" --root "$RT_ROOT" exec -u 0 "$ID" id -u
    [ "$output" = 0 ]
}

@test "exec -p / update -r that are pipes, FIFOs or symlinks: read once, checked, handed to runc as a sealed memfd" {
    proc=$(jq -c . "$FIXTURES/exec-user0.json")
    mkfifo "$T/fifo"
    ln -s "$FIXTURES/exec-user0.json" "$T/link.json"
    for how in substitution fifo symlink; do
        rm -rf "$FAKE_RUNTIME_OUT"; mkdir -p "$FAKE_RUNTIME_OUT"
        case $how in
        substitution) POLICY=$DEFAULT run hd exec -p <(echo "$proc") c1 ;;
        fifo) (echo "$proc" > "$T/fifo" &) ; POLICY=$DEFAULT run hd exec --process="$T/fifo" c1 ;;
        symlink) POLICY=$DEFAULT run hd exec --process "$T/link.json" c1 ;;
        esac
        [ "$status" -eq 0 ]
        # the flag now names a descriptor above every inherited one, which the backend holds
        [[ "$(backend_args)" =~ \ exec\ (-p\ |--process=|--process\ )/proc/self/fd/([0-9]+)\ c1$ ]]
        n=${BASH_REMATCH[2]}
        grep -q "^$n /memfd:hardened-checked" "$FAKE_RUNTIME_OUT/fds"
        [ "$n" -gt "$(awk '$1 != '"$n"' { print $1 }' "$FAKE_RUNTIME_OUT/fds" | sort -n | tail -1)" ]
    done
    cmp "$T/link.json" "$FIXTURES/exec-user0.json"          # nothing written through the link
    # refused documents still never reach the backend
    rm -rf "$FAKE_RUNTIME_OUT"; mkdir -p "$FAKE_RUNTIME_OUT"
    POLICY=$RESTRICTED run hd exec -p <(echo "$proc") c1
    [ "$status" -eq 1 ]
    backend_not_ran
    fake_update_state c1
    POLICY=$RESTRICTED run hd --root "$T/root" update -r <(echo '{"memory": {"limit": -1}}') c1
    [ "$status" -eq 1 ]
    backend_not_ran
}

@test "a descriptor above the soft RLIMIT_NOFILE does not stop the hand-over: the memfd goes above every one below it" {
    # a process may hold descriptors above its soft limit (valgrind keeps its
    # own there; a limit lowered after they were opened): F_DUPFD cannot go
    # there, so only those below the limit count
    over_limit() { exec 7</dev/null 150</dev/null; ulimit -Sn 100; hd exec -p "$FIXTURES/exec-user0.json" c1; }
    POLICY=$DEFAULT run over_limit
    [ "$status" -eq 0 ]
    [[ "$(backend_args)" =~ \ exec\ -p\ /proc/self/fd/([0-9]+)\ c1$ ]]
    n=${BASH_REMATCH[1]}
    grep -q "^$n /memfd:hardened-checked" "$FAKE_RUNTIME_OUT/fds"
    [ "$n" -gt 7 ] && [ "$n" -lt 100 ]
    [ "$n" -gt "$(awk '$1 != '"$n"' && $1 < 100 { print $1 }' "$FAKE_RUNTIME_OUT/fds" | sort -n | tail -1)" ]
}

@test "runc: exec -p <(...) as root runs as the policy's uid (runc reads the checked memfd)" {
    start_default_container
    proc=$(jq -c '.args = ["id", "-u"] | .terminal = false' "$FIXTURES/exec-user0.json")
    run --separate-stderr "$HARDENED" --policy "$DEFAULT" --root "$RT_ROOT" exec -p <(echo "$proc") "$ID" </dev/null 3>&-
    [ "$status" -eq 0 ]
    [ "$output" = 65534 ]
    run "$RT_RUNC" --root "$RT_ROOT" exec -p <(echo "$proc") "$ID" </dev/null 3>&-
    [ "$output" = 0 ]
}

@test "runc: exec --cap CAP_SYS_ADMIN is refused under reject" {
    start_default_container
    run "$HARDENED" --policy "$RESTRICTED" --root "$RT_ROOT" --log "$LOG" --log-format json \
        exec --cap CAP_SYS_ADMIN "$ID" id -u
    [ "$status" -eq 1 ]
    [ -z "$output" ] || [[ "$output" == *"refused by policy"* ]]
    [[ "$(last_error)" == *"capabilities.allowList: "*"CAP_SYS_ADMIN"* ]]
}
