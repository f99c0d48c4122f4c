#!/usr/bin/env bats
# Docker end to end for mounts.bindSource: named volumes work under the
# default policy wherever the data root is (here a symlink, not
# /var/lib/docker), and a local volume that is a bind of a denied host path
# is refused although its _data path looks harmless.

bats_require_minimum_version 1.5.0
load helpers

IMG=hd-busybox:binds

setup_file() {
    e2e_require || return 1
    export E2E_DIR
    E2E_DIR=$(mktemp -d /tmp/hd-e2e-binds.XXXXXX)
    # The data root is a symlink: the engine names it by its target, the
    # policy below denies it by the link.
    mkdir -p "$E2E_DIR/data"
    ln -s "$E2E_DIR/data" "$E2E_DIR/root"
    e2e_policies "$E2E_DIR"
    # (a denied data root's image layers are engine storage for mounts.rootfsPath)
    jq --arg r "$E2E_DIR/root" --arg s "$E2E_DIR/data/overlay2" \
        '.rules.mounts.deny = ["/", "/etc", "/proc", "/sys", "/dev", "/run", $r] | .rules.mounts.rootfsStorage = [$s]' \
        "$E2E_DIR/policy-default.json" > "$E2E_DIR/policy-linkdeny.json"
    # the built-in deny-list plus this daemon's data root, as /var/lib/docker is for the system's
    "$HARDENED" policy show --policy "$E2E_DIR/policy-default.json" |
        jq --arg r "$E2E_DIR/data" '{apiVersion, rules: {mounts: (.rules.mounts | .deny += [$r]
            | .rootfsStorage = ((.rootfsStorage // []) + [$r + "/overlay2"]) | with_entries(select(.value != null)))}}' |
        jq -s '.[0] * .[1]' "$E2E_DIR/policy-default.json" - > "$E2E_DIR/policy-dataroot.json"
    e2e_daemon_json "$E2E_DIR"
    e2e_start "$E2E_DIR"
    # an image whose /data belongs to the policy's user: a new volume copies it
    e2e_rootfs "$E2E_DIR/img"
    mkdir -p "$E2E_DIR/img/data"
    chown 65534:65534 "$E2E_DIR/img/data"
    tar -C "$E2E_DIR/img" -c . | dk import - "$IMG" >/dev/null
}

teardown_file() {
    [ -n "${E2E_DIR:-}" ] || return 0
    dk rm -f $(dk ps -aq) >/dev/null 2>&1 || true
    dk volume rm -f vol evil evilsys >/dev/null 2>&1 || true
    e2e_stop "$E2E_DIR"
    umount -R "$E2E_DIR/data" 2>/dev/null || true
    rm -rf "$E2E_DIR"
}

setup() { e2e_require; }

@test "a named volume is writable and readable under the default policy (docker run -v NAME:/path)" {
    dk volume create vol >/dev/null
    run dk run --rm --runtime=hardened --network none -v vol:/data "$IMG" sh -c 'echo x > /data/f && cat /data/f && id -u'
    [ "$status" -eq 0 ] || { echo "$output"; false; }
    [ "${lines[0]}" = x ]
    [ "${lines[1]}" = 65534 ]
    # the data is where the engine keeps it, under the symlink's target
    [ "$(cat "$E2E_DIR/data/volumes/vol/_data/f")" = x ]
    # and so it does where the data root is denied, as /var/lib/docker is by default
    e2e_add_runtime hardened-dataroot "$E2E_DIR/policy-dataroot.json"
    run dk run --rm --runtime=hardened-dataroot --network none -v vol:/data "$IMG" cat /data/f
    [ "$status" -eq 0 ] || { echo "$output"; false; }
    [ "$output" = x ]
}

@test "a named volume passes under a policy that denies the symlinked data root; the rest of the root does not" {
    e2e_add_runtime hardened-linkdeny "$E2E_DIR/policy-linkdeny.json"
    dk volume create vol >/dev/null 2>&1 || true
    run dk run --rm --runtime=hardened-linkdeny --network none -v vol:/data "$IMG" cat /data/f
    [ "$status" -eq 0 ] || { echo "$output"; false; }
    run --separate-stderr dk run --rm --runtime=hardened-linkdeny --network none -v "$E2E_DIR/root/image:/x" "$IMG" true
    [ "$status" -ne 0 ]
    [[ "$stderr" == *"mounts.bindSource: bind mount of $E2E_DIR/data/image exposes $E2E_DIR/root"* ]] || { echo "$stderr"; false; }
}

@test "the data root itself is denied under the default policy, though it is not /var/lib/docker" {
    run --separate-stderr dk run --rm --runtime=hardened --network none -v "$E2E_DIR/root/volumes:/x" "$IMG" true
    [ "$status" -ne 0 ]
    [[ "$stderr" == *"mounts.bindSource: bind mount of $E2E_DIR/data/volumes exposes $E2E_DIR/data"* ]] || { echo "$stderr"; false; }
}

@test "a local volume that binds /etc (--opt type=none --opt o=bind --opt device=/etc) is refused" {
    dk volume create --opt type=none --opt o=bind --opt device=/etc evil >/dev/null
    # plain runc shows the host's /etc there: the attack is real
    run dk run --rm --runtime=runc --network none -v evil:/x "$IMG" cat /x/hostname
    [ "$status" -eq 0 ]
    [ "$output" = "$(cat /etc/hostname)" ]
    run --separate-stderr dk run --rm --runtime=hardened --network none -v evil:/x "$IMG" true
    [ "$status" -ne 0 ]
    [[ "$stderr" == *"refused by policy $E2E_DIR/policy-default.json"* ]] || { echo "$stderr"; false; }
    [[ "$stderr" == *"mounts.bindSource: volume $E2E_DIR/data/volumes/evil is a mount of /etc, which exposes /etc"* ]] || { echo "$stderr"; false; }
}

@test "without the engine's record, the mount table still shows a volume's bind of a denied path" {
    dk volume create --opt type=none --opt o=bind --opt device=/sys/fs/cgroup evilsys >/dev/null
    dk run --rm --runtime=runc --network none -v evilsys:/x "$IMG" true
    # Docker's record of the options is gone; the mount it makes is not
    run dk run -d --runtime=runc --network none -v evilsys:/x "$IMG" sleep 60
    [ "$status" -eq 0 ]
    keep=$output
    rm "$E2E_DIR/data/volumes/evilsys/opts.json"
    run --separate-stderr dk run --rm --runtime=hardened --network none -v evilsys:/x "$IMG" true
    dk rm -f "$keep" >/dev/null
    [ "$status" -ne 0 ]
    [[ "$stderr" == *"mounts.bindSource: bind mount of $E2E_DIR/data/volumes/evilsys/_data shows / of device "*", which exposes /sys"* ]] || { echo "$stderr"; false; }
}

@test "engine infrastructure paths are refused: containerd, D-Bus, systemd, runc state" {
    local p
    for p in /run/containerd /var/run/dbus /run/systemd /run/runc; do
        [ -e "$p" ] || continue
        run --separate-stderr dk run --rm --runtime=hardened --network none -v "$p:/x:ro" "$IMG" true
        [ "$status" -ne 0 ] || { echo "$p ran"; false; }
        [[ "$stderr" == *"mounts.bindSource: bind mount of $(realpath "$p") exposes"* ]] || { echo "$p: $stderr"; false; }
    done
}
