#!/usr/bin/env bats
# Devices end to end: what `docker run --device` and `--device-cgroup-rule`
# hand the runtime, under the shipped default policy (refused, with the
# rule in docker's output) and under a devices: rewrite policy (the rule is
# gone from the container's devices.list), against plain runc as the
# control.  A private containerd + dockerd (helpers.bash), as docker.bats.

bats_require_minimum_version 1.5.0
load helpers

setup_file() {
    e2e_require || return 1
    export E2E_DIR
    E2E_DIR=$(mktemp -d /tmp/hd-e2e-dev.XXXXXX)
    e2e_policies "$E2E_DIR"
    jq '.rules.devices.action = "rewrite"' "$top_srcdir/policy/profiles/default.json" > "$E2E_DIR/policy-devrw.json"
    jq '.rules.devices.allow = ["/dev/loop0"]' "$top_srcdir/policy/profiles/default.json" > "$E2E_DIR/policy-devallow.json"
    e2e_daemon_json "$E2E_DIR" "$(jq -n --arg hd "$HARDENED" --arg d "$E2E_DIR" '{runtimes: {
        "hardened-devrw": {path: $hd, runtimeArgs: ["--policy", "\($d)/policy-devrw.json"]},
        "hardened-devallow": {path: $hd, runtimeArgs: ["--policy", "\($d)/policy-devallow.json"]}}}')"
    e2e_start "$E2E_DIR"
    e2e_image "$E2E_DIR"
}

teardown_file() { e2e_teardown "${E2E_DIR:-}"; }

setup() {
    e2e_require
    [ -b /dev/loop0 ] && [ -c /dev/kmsg ] || skip "needs /dev/loop0 and /dev/kmsg on the host"
    [ -f /sys/fs/cgroup/devices/devices.list ] || skip "needs the cgroup v1 devices controller"
}

LIST='ls -l /dev/null | cut -c1; cat /sys/fs/cgroup/devices/devices.list'

@test "control: plain runc gives --device /dev/loop0:/dev/null and --device-cgroup-rule 'b 8:0 rwm' to the container" {
    run dk run --rm --runtime=runc --network none --device /dev/loop0:/dev/null \
        --device-cgroup-rule 'b 8:0 rwm' --device-cgroup-rule 'c 1:1 rwm' "$E2E_IMAGE" sh -c "$LIST"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = b ]                       # /dev/null is the host's loop device
    [[ "$output" == *"b 7:0 rwm"* ]]
    [[ "$output" == *"b 8:0 rwm"* ]]
    [[ "$output" == *"c 1:1 rwm"* ]]
    run dk run --rm --runtime=runc --network none --device-cgroup-rule 'a *:* rwm' "$E2E_IMAGE" \
        cat /sys/fs/cgroup/devices/devices.list
    [ "$status" -eq 0 ]
    [ "$output" = "a *:* rwm" ]
}

@test "default policy: --device HOST:/dev/null is refused by the device's numbers, block or char" {
    local -a cases=(
        "/dev/loop0:/dev/null|devices.host: 1 host device(s) not allowed: /dev/null (b 7:0: neither a runtime default nor allowed)"
        "/dev/kmsg:/dev/null|devices.host: 1 host device(s) not allowed: /dev/null (c 1:11: neither a runtime default nor allowed)"
        "/dev/loop0:/dev/xnull|/dev/xnull (b 7:0"
    )
    for c in "${cases[@]}"; do
        run --separate-stderr dk run --rm --runtime=hardened --network none --device "${c%%|*}" "$E2E_IMAGE" true
        [ "$status" -ne 0 ] || { echo "--device ${c%%|*} ran"; false; }
        [[ "$stderr" == *"${c#*|}"* ]] || { echo "want: ${c#*|}"; echo "got: $stderr"; false; }
        [[ "$stderr" == *"devices.cgroup: 1 device cgroup rule(s) give access"* ]]
    done
}

@test "default policy: --device /dev/null:/dev/xnull (a null device under another name) runs" {
    run dk run --rm --runtime=hardened --network none --device /dev/null:/dev/xnull "$E2E_IMAGE" \
        sh -c 'echo x > /dev/xnull && ls -l /dev/xnull | cut -c1'
    [ "$status" -eq 0 ]
    [ "$output" = c ]
}

@test "default policy: each of Docker's --device-cgroup-rule 'a *:* rwm', 'b 8:0 rwm', 'c 1:1 rwm' is refused" {
    local -a cases=(
        "a *:* rwm|a *:* rwm (every device)"
        "b 8:0 rwm|b 8:0 rwm"
        "c 1:1 rwm|c 1:1 rwm"
        "b *:* rw|b *:* rw"
        "c 1:* r|c 1:* r"
    )
    for c in "${cases[@]}"; do
        run --separate-stderr dk run --rm --runtime=hardened --network none --device-cgroup-rule "${c%%|*}" "$E2E_IMAGE" true
        [ "$status" -ne 0 ] || { echo "--device-cgroup-rule '${c%%|*}' ran"; false; }
        [[ "$stderr" == *"devices.cgroup: 1 device cgroup rule(s) give access to devices the container is not given: ${c#*|}"* ]] ||
            { echo "want: ${c#*|}"; echo "got: $stderr"; false; }
    done
}

@test "devices: rewrite: the three rules are dropped; the container's devices.list has none of them and keeps Docker's defaults" {
    run dk run --rm --runtime=hardened-devrw --network none --device-cgroup-rule 'a *:* rwm' \
        --device-cgroup-rule 'b 8:0 rwm' --device-cgroup-rule 'c 1:1 rwm' "$E2E_IMAGE" \
        cat /sys/fs/cgroup/devices/devices.list
    [ "$status" -eq 0 ]
    [[ "$output" != *"a *:*"* ]]
    [[ "$output" != *"b 8:0"* ]]
    [[ "$output" != *"c 1:1 "* ]]
    [[ "$output" == *"c 1:3 rwm"* ]]            # /dev/null, as Docker asked
    [[ "$output" == *"c 1:9 rwm"* ]]            # /dev/urandom
}

@test "default policy: a mknod-only rule (b *:* m, as runc adds itself) passes with Docker's default list" {
    run dk run --rm --runtime=hardened --network none --device-cgroup-rule 'b *:* m' "$E2E_IMAGE" \
        cat /sys/fs/cgroup/devices/devices.list
    [ "$status" -eq 0 ]
    [[ "$output" == *"b *:* m"* ]]
    [[ "$output" != *"a *:*"* ]]
}

@test "an allow-listed host path: --device /dev/loop0:/dev/disk0 runs, and the cgroup opens only that device" {
    run dk run --rm --runtime=hardened-devallow --network none --device /dev/loop0:/dev/disk0 "$E2E_IMAGE" \
        sh -c 'ls -l /dev/disk0 | cut -c1; cat /sys/fs/cgroup/devices/devices.list'
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = b ]
    [[ "$output" == *"b 7:0 rwm"* ]]
    [[ "$output" != *"b 7:1 "* ]]
    run --separate-stderr dk run --rm --runtime=hardened-devallow --network none --device /dev/loop1:/dev/disk1 "$E2E_IMAGE" true
    [ "$status" -ne 0 ]
    [[ "$stderr" == *"/dev/disk1 (b 7:1: neither a runtime default nor allowed)"* ]]
}
