#!/usr/bin/env bats
# Podman calls the runtime like runc; --runtime-flag policy=FILE reaches
# hardened as its global --policy=FILE.  Podman here needs its own storage,
# cgroupfs, file events, no network, and no default ulimits: its default
# RLIMIT_NOFILE is above this machine's hard limit (containers.conf below).

bats_require_minimum_version 1.5.0
load helpers

pm() {
    CONTAINERS_CONF=$PM_DIR/containers.conf CONTAINERS_STORAGE_CONF=$PM_DIR/storage.conf TMPDIR=$PM_DIR/tmp \
        podman --root "$PM_DIR/root" --runroot "$PM_DIR/runroot" --tmpdir "$PM_DIR/tmp" \
        --cgroup-manager cgroupfs --events-backend file "$@"
}

setup_file() {
    command -v podman >/dev/null || { [ "${CI:-}" != true ] || return 1; skip "podman missing"; }
    e2e_require || return 1
    export PM_DIR
    PM_DIR=$(mktemp -d /tmp/hd-podman.XXXXXX)
    mkdir -p "$PM_DIR/root" "$PM_DIR/runroot" "$PM_DIR/tmp"
    printf '[containers]\ndefault_ulimits = []\nnetns = "none"\n[engine]\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\n' \
        > "$PM_DIR/containers.conf"
    printf '[storage]\ndriver = "overlay"\ngraphroot = "%s/root"\nrunroot = "%s/runroot"\n' "$PM_DIR" "$PM_DIR" \
        > "$PM_DIR/storage.conf"
    r=$PM_DIR/image
    mkdir -p "$r/bin" "$r/tmp" "$r/etc"
    chmod 1777 "$r/tmp"
    cp /bin/busybox "$r/bin/"
    chroot "$r" /bin/busybox --install -s /bin
    tar -C "$r" -c . | pm import - hd-busybox:podman >/dev/null
}

teardown_file() {
    [ -n "${PM_DIR:-}" ] || return 0
    pm rm -af >/dev/null 2>&1 || true
    pm rmi -af >/dev/null 2>&1 || true
    umount -R "$PM_DIR/root/overlay" 2>/dev/null || true
    rm -rf "$PM_DIR"
}

@test "podman --runtime hardened run: the default policy is enforced inside the container" {
    run pm --runtime "$HARDENED" --runtime-flag "policy=$top_srcdir/policy/profiles/default.json" \
        run --rm --network none hd-busybox:podman \
        sh -c 'id -u; touch /x 2>&1; grep -E "^(CapEff|NoNewPrivs|Seccomp):" /proc/self/status'
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 65534 ]
    [ "${lines[1]}" = "touch: /x: Read-only file system" ]
    [ "${lines[2]}" = $'CapEff:\t0000000000000000' ]
    [ "${lines[3]}" = $'NoNewPrivs:\t1' ]
    [ "${lines[4]}" = $'Seccomp:\t2' ]
}

@test "podman --runtime hardened run under the restricted policy is refused with the rules named" {
    run --separate-stderr pm --runtime "$HARDENED" --runtime-flag "policy=$top_srcdir/policy/profiles/restricted.json" \
        run --rm --network none hd-busybox:podman true
    [ "$status" -ne 0 ]
    # most important first: Podman's default capabilities, then the root user
    [[ "$stderr" == *"refused by policy $top_srcdir/policy/profiles/restricted.json: capabilities.allowList: "*"; user.nonRoot: "* ]]
    [[ "$stderr" == *"seccomp.profile: "* ]]
}

@test "podman exec: Podman's own bundle and exec process file pass the file-trust checks; the exec runs as the policy's uid" {
    pol=$top_srcdir/policy/profiles/default.json
    run pm --runtime "$HARDENED" --runtime-flag "policy=$pol" run -d --name hd-exec --network none hd-busybox:podman sleep 600
    [ "$status" -eq 0 ]
    # the bundle Podman hands the runtime: root's, writable by root alone
    userdata=$(pm inspect --format '{{.StaticDir}}' hd-exec)
    [ "$(stat -c %u "$userdata")" = 0 ]
    [ $(( 0$(stat -c %a "$userdata") & 022 )) -eq 0 ]
    run pm --runtime "$HARDENED" --runtime-flag "policy=$pol" exec -u 0 hd-exec id -u
    pm --runtime "$HARDENED" --runtime-flag "policy=$pol" rm -f hd-exec >/dev/null 2>&1 || true
    [ "$status" -eq 0 ]
    [ "$output" = 65534 ]
}
