#!/usr/bin/env bats
# Devices with real runc, seen from inside the container: a device is what
# its type and numbers say (a block device named /dev/null is a host
# disk), the device cgroup runc builds opens only what the container is
# given whatever the rule's spelling, and with a user namespace a device
# entry's path is a host path that runc bind-mounts.  Each test runs the
# same bundle through a policy with every rule off (runc's own behaviour,
# the control) and through the devices family.  The host's loop devices
# (block, major 7) stand for a host disk: opening an unbound one reads
# nothing and changes nothing.

bats_require_minimum_version 1.5.0
load helpers
load fake

OFF=$BATS_TEST_DIRNAME/../fixtures/policy-off.json

setup() {
    fake_setup
    [ -b /dev/loop0 ] || skip "no /dev/loop0 on this host"
    [ -f /sys/fs/cgroup/devices/devices.list ] || skip "needs the cgroup v1 devices controller"
}
teardown() {
    if [ -n "${RT_ROOT:-}" ]; then rt_cleanup; fi
    fake_teardown
}

# dv_policy JSON: policy-off with the devices family set to JSON.
dv_policy() {
    jq --argjson r "$1" '.rules.devices = $r' "$OFF" > "$T/policy-devices.json"
    echo "$T/policy-devices.json"
}

# dv_bundle JQ-FILTER -- ARG...: a busybox bundle running ARG..., edited by JQ-FILTER.
dv_bundle() {
    rt_edited_bundle "$@" && cp "$RT_TMP/b/config.json" "$RT_TMP/engine.json"
}

# dv_run POLICY: the engine's bundle through hardened; output in $output, log in $LOG.
dv_run() {
    rm -f "$LOG"
    cp "$RT_TMP/engine.json" "$RT_TMP/b/config.json"
    run --separate-stderr "$HARDENED" --policy "$1" --root "$RT_ROOT" --log "$LOG" --log-format json \
        run --bundle "$RT_TMP/b" "$(rt_id "c$((++DV_N))")" </dev/null 3>&-
}
DV_N=0

# dv_refused TEXT: the last dv_run was refused before the container ran, with TEXT in the message.
dv_refused() {
    [ "$status" -eq 1 ] || { echo "ran: $output"; return 1; }
    [ -z "$output" ] || { echo "the container printed: $output"; return 1; }
    [[ "$(last_error)" == *"$1"* ]] || { echo "want: $1"; echo "got: $(last_error)"; return 1; }
}

# What the container reports: the node, whether it opens, the cgroup's allow-list.
PROBE='ls -l /dev/null | cut -c1; if head -c1 /dev/null >/dev/zero 2>/dev/null; then echo opened; else echo refused; fi; cat /sys/fs/cgroup/devices/devices.list'

@test "a block device named /dev/null: runc gives the container the host's loop device; hardened refuses it by its numbers" {
    dv_bundle '.linux.devices = [{"path": "/dev/null", "type": "b", "major": 7, "minor": 0, "fileMode": 438}]
               | .linux.resources.devices += [{"allow": true, "type": "b", "major": 7, "minor": 0, "access": "rwm"}]' \
        sh -c "$PROBE"
    dv_run "$OFF"                                   # control: what runc does with it
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = b ]                           # /dev/null is a block device
    [ "${lines[1]}" = opened ]
    [[ "$output" == *"b 7:0 rwm"* ]]
    for action in reject rewrite; do                # no safe fix: refused under both
        dv_run "$(dv_policy "{\"action\": \"$action\"}")"
        dv_refused "devices.host: 1 host device(s) not allowed: /dev/null (b 7:0: neither a runtime default nor allowed)"
    done
}

@test "a null device under another name (c 1:3 at /dev/xnull) runs: the path does not matter" {
    dv_bundle '.linux.devices = [{"path": "/dev/xnull", "type": "c", "major": 1, "minor": 3, "fileMode": 438}]
               | .linux.resources.devices += [{"allow": true, "type": "c", "major": 1, "minor": 3, "access": "rwm"}]' \
        sh -c 'echo x > /dev/xnull && ls -l /dev/xnull | cut -c1'
    dv_run "$(dv_policy '{"action": "reject"}')"
    [ "$status" -eq 0 ]
    [ "$output" = c ]
}

# Docker's --device-cgroup-rule forms, plus a loop device the container can
# make itself (CAP_MKNOD; runc allows mknod of anything): only the cgroup
# stands between it and the host device.
MKNOD_PROBE='mknod /dev/hostloop b 7 0; if head -c1 /dev/hostloop >/dev/zero 2>/dev/null; then echo opened; else echo refused; fi; cat /sys/fs/cgroup/devices/devices.list'
WITH_MKNOD='.process.capabilities |= with_entries(.value += ["CAP_MKNOD"])'

@test "cgroup rules a *:* rwm, b 8:0 rwm, c 1:1 rwm, b 7:* rw: runc opens the host device; rewrite drops them and it cannot be opened" {
    dv_bundle "$WITH_MKNOD"' | .linux.resources.devices += [
            {"allow": true, "type": "b", "major": 7, "access": "rw"},
            {"allow": true, "type": "b", "major": 8, "minor": 0, "access": "rwm"},
            {"allow": true, "type": "c", "major": 1, "minor": 1, "access": "rwm"},
            {"allow": true, "type": "c", "major": 1, "minor": 3, "access": "rwm"},
            {"allow": true, "access": "rwm"}]' \
        sh -c "$MKNOD_PROBE"
    dv_run "$OFF"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = opened ]
    [ "${lines[1]}" = "a *:* rwm" ]                 # runc's cgroup allows everything
    dv_run "$(dv_policy '{"action": "rewrite"}')"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = refused ]
    [[ "$output" != *"a *:*"* ]]
    [[ "$output" != *"b 7:"* ]]
    [[ "$output" != *"b 8:0"* ]]
    [[ "$output" != *"c 1:1 "* ]]
    [[ "$output" == *"c 1:3 rwm"* ]]                # what the container is given stays
    [ "$(jq -c '.linux.resources.devices' "$RT_TMP/b/config.json")" = \
      '[{"allow":false,"access":"rwm"},{"allow":true,"type":"c","major":1,"minor":3,"access":"rwm"}]' ]
    jq -r .msg "$LOG" | grep -q 'devices.cgroup rewritten at /linux/resources/devices'
}

@test "under reject each spelling of a host-device cgroup rule is refused before runc runs" {
    local -a rules=(
        '{"allow": true, "access": "rwm"}|a *:* rwm (every device)'
        '{"allow": true, "type": "a", "major": 7, "minor": 0, "access": "m"}|a 7:0 m (every device)'
        '{"allow": true, "type": "b", "major": 8, "minor": 0, "access": "rwm"}|b 8:0 rwm'
        '{"allow": true, "type": "c", "major": 1, "minor": 1, "access": "mwr"}|c 1:1 rwm'
        '{"allow": true, "type": "b", "major": -1, "minor": 0, "access": "r"}|b *:0 r'
        '{"allow": true, "type": "b", "major": 7, "access": "w"}|b 7:* w'
    )
    dv_bundle "$WITH_MKNOD" sh -c "$MKNOD_PROBE"
    cp "$RT_TMP/engine.json" "$RT_TMP/base.json"
    for r in "${rules[@]}"; do
        jq --argjson r "${r%%|*}" '.linux.resources.devices += [$r]' "$RT_TMP/base.json" > "$RT_TMP/engine.json"
        dv_run "$(dv_policy '{"action": "reject"}')"
        dv_refused "devices.cgroup: 1 device cgroup rule(s) give access to devices the container is not given: ${r#*|}"
    done
}

@test "a host device allow-listed by path is resolved to its numbers: /dev/loop0 given under another name opens" {
    dv_bundle '.linux.devices = [{"path": "/dev/disk0", "type": "b", "major": 7, "minor": 0, "fileMode": 432}]
               | .linux.resources.devices += [{"allow": true, "type": "b", "major": 7, "minor": 0, "access": "rw"}]' \
        sh -c 'if head -c1 /dev/disk0 >/dev/zero; then echo opened; fi'
    dv_run "$(dv_policy '{"action": "reject"}')"
    dv_refused "/dev/disk0 (b 7:0: neither a runtime default nor allowed)"
    for allow in '"/dev/loop0"' '"b 7:0"' '"b 7:*"'; do
        dv_run "$(dv_policy "{\"action\": \"reject\", \"allow\": [$allow]}")"
        [ "$status" -eq 0 ] || { echo "allow $allow: $(last_error)"; false; }
        [ "$output" = opened ]
    done
    # The path's numbers count, not its name: loop1 allowed does not give loop0.
    dv_run "$(dv_policy '{"action": "reject", "allow": ["/dev/loop1"]}')"
    [ "$status" -eq 1 ]
}

@test "with a user namespace runc bind-mounts a device entry's path from the host: a host file posing as c 1:3 is refused" {
    echo host-secret > "$T/secret"
    chmod 600 "$T/secret"
    S=$T/secret dv_bundle '.linux.namespaces += [{"type": "user"}]
               | .linux.uidMappings = [{"containerID": 0, "hostID": 0, "size": 65536}]
               | .linux.gidMappings = [{"containerID": 0, "hostID": 0, "size": 65536}]
               | .linux.devices = [{"path": env.S, "type": "c", "major": 1, "minor": 3, "fileMode": 438}]' \
        sh -c 'cat "$0"' "$T/secret"
    dv_run "$OFF"
    [ "$status" -eq 0 ]
    [ "$output" = host-secret ]                     # runc mounted the host's file
    dv_run "$(dv_policy '{"action": "reject"}')"
    dv_refused "$T/secret (c 1:3: bind-mounted from the host, where it is another file)"
}
