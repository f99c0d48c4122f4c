#!/usr/bin/env bats
# The rest of the surface, observed with real runc where a container can
# show it (namespaces, mounts, masked paths, sysctls, oomScoreAdj, rlimits,
# hooks, secrets, LSM notes), and hook resolution against the fake backend.
# Each test switches on only the family it is about (others off).

bats_require_minimum_version 1.5.0
load helpers
load fake

OFF=$BATS_TEST_DIRNAME/../fixtures/policy-off.json

setup() { fake_setup; }
teardown() {
    if [ -n "${RT_ROOT:-}" ]; then rt_cleanup; fi
    fake_teardown
}

# sf_policy FAMILY JSON: policy-off with one family set to JSON.
sf_policy() {
    jq --arg f "$1" --argjson r "$2" '.rules[$f] = $r' "$OFF" > "$T/policy-$1.json"
    echo "$T/policy-$1.json"
}

# sf_bundle [JQ-FILTER] -- ARG...: a busybox bundle running ARG..., edited by JQ-FILTER.
sf_bundle() { rt_edited_bundle "$@"; }

# sf_run POLICY: run the bundle through hardened; output in $output, log in $LOG.
sf_run() {
    rm -f "$LOG"
    run --separate-stderr "$HARDENED" --policy "$1" --root "$RT_ROOT" --log "$LOG" --log-format json \
        run --bundle "$RT_TMP/b" "$(rt_id c)" </dev/null 3>&-
}

@test "namespaces: a missing pid namespace is added under rewrite (the container is pid 1), refused under reject" {
    sf_bundle '.linux.namespaces |= map(select(.type != "pid"))' sh -c 'echo $$; ps | wc -l'
    sf_run "$(sf_policy hostNamespaces '{"action": "rewrite"}')"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 1 ]
    [ "${lines[1]}" -le 4 ]        # header, sh, ps, wc: not the host's processes
    jq -e '.linux.namespaces | map(.type) | index("pid")' "$RT_TMP/b/config.json"
    jq '.linux.namespaces |= map(select(.type != "pid"))' "$RT_TMP/b/config.json" > "$RT_TMP/c" && mv "$RT_TMP/c" "$RT_TMP/b/config.json"
    sf_run "$(sf_policy hostNamespaces '{"action": "reject"}')"
    [ "$status" -eq 1 ]
    [[ "$(last_error)" == *"namespaces.private: the container would share the host's pid namespace"* ]]
}

@test "mounts: binding /etc is refused; a data directory is bound; rshared becomes rprivate" {
    mkdir -p "$T/data"
    echo hello > "$T/data/f"
    D=$T/data sf_bundle '.mounts += [{"destination": "/data", "type": "bind", "source": env.D, "options": ["rbind", "rshared"]}]' \
        sh -c 'cat /data/f; grep " /data " /proc/self/mountinfo'
    sf_run "$(sf_policy mounts '{"action": "rewrite"}')"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = hello ]
    [[ "${lines[1]}" != *shared:* ]]
    jq '.mounts += [{"destination": "/host-etc", "type": "none", "source": "/etc/../etc", "options": ["rbind", "ro"]}]' \
        "$RT_TMP/b/config.json" > "$RT_TMP/c" && mv "$RT_TMP/c" "$RT_TMP/b/config.json"
    sf_run "$(sf_policy mounts '{"action": "rewrite"}')"
    [ "$status" -eq 1 ]
    [[ "$(last_error)" == *"mounts.bindSource: bind mount of /etc exposes /etc"* ]]
}

@test "masked paths: dropped ones are added back; /proc/timer_list is masked and /proc/sys read-only inside" {
    sf_bundle '.linux.maskedPaths = [] | .linux.readonlyPaths = []' \
        sh -c 'wc -c < /proc/timer_list; (echo 1 > /proc/sys/kernel/printk) 2>&1 || true'
    cp "$RT_TMP/b/config.json" "$RT_TMP/unmasked.json"
    sf_run "$OFF"                                   # control: nothing masked
    [ "$status" -eq 0 ]
    [ "${lines[0]}" -gt 0 ]
    cp "$RT_TMP/unmasked.json" "$RT_TMP/b/config.json"
    sf_run "$(sf_policy maskedPaths '{"action": "rewrite"}')"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 0 ]
    [[ "${lines[1]}" == *"Read-only file system"* ]]
}

@test "sysctls: an unsafe sysctl is removed (the container sees the host's value); a safe one is applied" {
    want=$(cat /proc/sys/kernel/msgmax)
    sf_bundle '.linux.sysctl = {"kernel.msgmax": "1", "net.ipv4.ping_group_range": "0 0"}' \
        cat /proc/sys/kernel/msgmax /proc/sys/net/ipv4/ping_group_range
    sf_run "$(sf_policy sysctls '{"action": "rewrite"}')"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "$want" ]
    [ "$(echo "${lines[1]}" | tr -s '\t ' ' ')" = "0 0" ]
}

@test "oomScoreAdj: -500 is refused under reject, reset to 0 under rewrite" {
    sf_bundle '.process.oomScoreAdj = -500' cat /proc/self/oom_score_adj
    sf_run "$(sf_policy oomScoreAdj '{"action": "reject"}')"
    [ "$status" -eq 1 ]
    [[ "$(last_error)" == *"process.oomScoreAdj: oomScoreAdj -500"* ]]
    sf_run "$(sf_policy oomScoreAdj '{"action": "rewrite"}')"
    [ "$status" -eq 0 ]
    [ "$output" = 0 ]
}

@test "rlimits: RLIMIT_NOFILE above the ceiling is clamped, seen with ulimit inside" {
    sf_bundle '.process.rlimits = [{"type": "RLIMIT_NOFILE", "hard": 8192, "soft": 8192}]' sh -c 'ulimit -n; ulimit -Hn'
    sf_run "$(sf_policy rlimits '{"action": "rewrite", "max": {"RLIMIT_NOFILE": 2048}}')"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 2048 ]
    [ "${lines[1]}" = 2048 ]
}

@test "hooks: an allow-listed hook runs on the host; any other is refused before it can run" {
    M=$T/ran sf_bundle '.hooks = {"createRuntime": [{"path": "/usr/bin/touch", "args": ["touch", env.M]}]}' true
    sf_run "$(sf_policy hooks "{\"action\": \"reject\", \"allow\": [{\"path\": \"/usr/bin/touch\", \"args\": [\"touch\", \"*\"]}]}")"
    [ "$status" -eq 0 ]
    [ -e "$T/ran" ]
    jq --arg m "$T/ran2" '.hooks = {"createRuntime": [{"path": "/bin/sh", "args": ["sh", "-c", "touch \($m)"]}]}' \
        "$RT_TMP/b/config.json" > "$RT_TMP/c" && mv "$RT_TMP/c" "$RT_TMP/b/config.json"
    sf_run "$T/policy-hooks.json"
    [ "$status" -eq 1 ]
    [ ! -e "$T/ran2" ]
    [[ "$(last_error)" == *"hooks.allowList: createRuntime hook /bin/sh: not allow-listed: no entry has this path"* ]]
}

@test "hooks: /proc/<pid>/exe (Docker's libnetwork hook) is judged as the binary that pid runs and rewritten to it" {
    /usr/bin/sleep 60 3>&- &
    pid=$!
    jq --arg p "/proc/$pid/exe" '.hooks = {"prestart": [{"path": $p, "args": ["libnetwork-setkey", "-exec-root=/var/run/docker", "x"]}]}' \
        "$FIXTURES/run-default.json" > "$T/bundle/config.json"
    POLICY=$(sf_policy hooks '{"action": "rewrite", "allow": [{"path": "/usr/bin/sleep", "args": ["libnetwork-setkey", "-exec-root=/*", "x"]}]}') \
        run hd create --bundle "$T/bundle" "$DOCKER_ID"
    [ "$status" -eq 0 ]
    backend_ran
    [ "$(jq -r '.hooks.prestart[0].path' "$T/bundle/config.json")" = /usr/bin/sleep ]
    rm "$FAKE_RUNTIME_OUT/argv"
    # the same hook with another first argument, or once that pid is gone, is refused
    jq --arg p "/proc/$pid/exe" '.hooks.prestart[0] |= (.path = $p | .args[0] = "other")' "$T/bundle/config.json" > "$T/c" && mv "$T/c" "$T/bundle/config.json"
    POLICY=$T/policy-hooks.json run hd create --bundle "$T/bundle" "$DOCKER_ID"
    [ "$status" -eq 1 ]
    backend_not_ran
    kill "$pid"
    wait "$pid" 2>/dev/null || true
    jq '.hooks.prestart[0].args[0] = "libnetwork-setkey"' "$T/bundle/config.json" > "$T/c" && mv "$T/c" "$T/bundle/config.json"
    POLICY=$T/policy-hooks.json run hd create --bundle "$T/bundle" "$DOCKER_ID"
    [ "$status" -eq 1 ]
    [[ "$(last_error)" == *"cannot be resolved"* ]]
}

@test "secrets: a warning names the variable, never the value, and the container runs" {
    sf_bundle '.process.env += ["DB_PASSWORD=hunter2-very-secret", "GH=ghp_0123456789abcdefghijABCDEFGHIJ0123456789"]' sh -c 'echo ok'
    sf_run "$(sf_policy secrets '{"action": "warn"}')"
    [ "$status" -eq 0 ]
    [ "$output" = ok ]
    [ "$(jq -r 'select(.level == "warning") | .msg' "$LOG" | grep -c 'env.secrets warning')" -eq 2 ]
    jq -r .msg "$LOG" | grep -q 'DB_PASSWORD=<19 bytes, not shown>'
    ! grep -q 'hunter2' "$LOG"
    ! grep -q 'ghp_0123' "$LOG"
    [[ "$stderr" != *hunter2* ]]
}

@test "lsm: without AppArmor on the host, the policy's profile is not applied and the decision says so" {
    if [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ]; then
        [ "${CI:-}" != true ] || { echo "AppArmor is enabled on this CI machine"; false; }
        skip "AppArmor is enabled here: the note is not expected"
    fi
    sf_bundle '.process.apparmorProfile = "unconfined"' true
    sf_run "$(sf_policy lsm '{"action": "rewrite", "apparmorProfile": "docker-default"}')"
    [ "$status" -eq 0 ]
    jq -r .msg "$LOG" | grep -q 'note: AppArmor is not enabled on this host: profile "docker-default" not applied'
    jq -r .msg "$LOG" | grep -q 'lsm.apparmor rewritten at /process/apparmorProfile'
    [ "$(jq -r '.process.apparmorProfile // "absent"' "$RT_TMP/b/config.json")" = absent ]
}
