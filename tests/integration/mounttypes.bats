#!/usr/bin/env bats
# Mounts of every type and the root filesystem's path (issue 10, items 4
# and 5), observed with real runc: each test first shows with plain runc
# what the config would do (a host file changed, /proc/sys replaced, the
# rootfs written through a bind), then that hardened refuses it (the host is
# unchanged) or rewrites it (the effect is gone inside the container).
# Only the mounts family is on (policy-off.json plus "mounts"), so the
# container runs as root with runc's defaults, as plain runc would.

bats_require_minimum_version 1.5.0
BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-60}
load helpers
load fake

OFF=$BATS_TEST_DIRNAME/../fixtures/policy-off.json

setup() { fake_setup; }
teardown() {
    if [ -n "${RT_ROOT:-}" ]; then rt_cleanup; fi
    fake_teardown
}

# mt_policy JSON: policy-off with the mounts family set to JSON.
mt_policy() {
    jq --argjson r "$1" '.rules.mounts = $r' "$OFF" > "$T/policy-mounts.json"
    echo "$T/policy-mounts.json"
}

# mt_bundle JQ-FILTER ARG...: rt_edited_bundle (env.B in the filter is the
# bundle, env.T this test's scratch directory), and a copy of the config as
# written, which mt_hd restores before each run.
mt_bundle() {
    B=$BATS_TEST_TMPDIR/b rt_edited_bundle "$@"
    cp "$RT_TMP/b/config.json" "$RT_TMP/config.orig"
}

# mt_runc: the bundle through plain runc (the control); output in $output.
mt_runc() {
    run --separate-stderr "$RT_RUNC" --root "$RT_ROOT" run --bundle "$RT_TMP/b" "$(rt_id runc)" </dev/null 3>&-
}

# mt_hd POLICY: the same bundle, restored to the config as written, through hardened.
mt_hd() {
    cp "$RT_TMP/config.orig" "$RT_TMP/b/config.json"
    rm -f "$LOG"
    run --separate-stderr "$HARDENED" --policy "$1" --root "$RT_ROOT" --log "$LOG" --log-format json \
        run --bundle "$RT_TMP/b" "$(rt_id hd)" </dev/null 3>&-
}

@test "mounts.type: an overlay with a host upperdir writes the host; through hardened it is refused and the host file is unchanged" {
    export T
    mkdir -p "$T/lower" "$T/upper" "$T/work"
    echo original > "$T/lower/f"
    mt_bundle '.mounts += [{"destination": "/x", "type": "overlay", "source": "overlay",
                            "options": ["lowerdir=\(env.T)/lower", "upperdir=\(env.T)/upper", "workdir=\(env.T)/work"]}]' \
        sh -c 'echo written-inside > /x/f'
    mt_runc
    [ "$status" -eq 0 ]
    [ "$(cat "$T/upper/f")" = written-inside ]        # the control: a host file changed
    rm -rf "$T/upper" "$T/work"
    mkdir -p "$T/upper" "$T/work"

    mt_hd "$(mt_policy '{"action": "rewrite"}')"
    [ "$status" -eq 1 ]
    [[ "$(last_error)" == *"mounts.type: overlay mount on /x is outside the runtime's standard set"* ]]
    [ ! -e "$T/upper/f" ]
    [ "$(cat "$T/lower/f")" = original ]
    # allow-listed, it still may not write into a denied host path
    jq '.mounts[-1].options[1] = "upperdir=/etc"' "$RT_TMP/config.orig" > "$RT_TMP/c" && mv "$RT_TMP/c" "$RT_TMP/config.orig"
    mt_hd "$(mt_policy '{"action": "rewrite", "allowTypes": ["overlay"]}')"
    [ "$status" -eq 1 ]
    [[ "$(last_error)" == *"overlay mount uses host path /etc, which exposes /etc"* ]]
}

@test "mounts.destination: a tmpfs over /proc/sys (clean, unclean, through a symlink in the image) is refused; plain runc replaces /proc/sys" {
    mt_bundle '.mounts += [{"destination": "/data", "type": "tmpfs", "source": "tmpfs"}]' \
        sh -c 'stat -f -c %T /proc/sys; ls /proc/sys | wc -l'
    ln -s /proc/sys "$RT_TMP/b/rootfs/data"          # securejoin follows it inside the rootfs
    mt_runc
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = tmpfs ]                          # the control: /proc/sys is gone
    [ "${lines[1]}" = 0 ]
    mt_hd "$(mt_policy '{"action": "rewrite"}')"
    [ "$status" -eq 1 ]
    [[ "$(last_error)" == *"mounts.destination: tmpfs mount on /proc/sys refused: it is on or under a path the runtime masks or makes read-only: /proc/sys"* ]]
    local dest
    for dest in /proc/sys /proc/../proc/sys //proc//sys/ proc/sys "$RT_TMP/b/rootfs/proc/sys"; do
        jq --arg d "$dest" '.mounts[-1].destination = $d' "$RT_TMP/config.orig" > "$RT_TMP/c" && cp "$RT_TMP/c" "$RT_TMP/config.orig"
        mt_hd "$(mt_policy '{"action": "rewrite"}')"
        [ "$status" -eq 1 ]
        [[ "$(last_error)" == *"tmpfs mount on /proc/sys refused"* ]]
    done
    # the policy can allow the pair; the container then runs
    mt_hd "$(mt_policy '{"action": "rewrite", "allowMounts": [{"type": "tmpfs", "destination": "/proc/sys"}]}')"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = tmpfs ]
}

@test "mounts.destination: a bind spelled with the rootfs's host path passes runc's own /proc check; hardened refuses it" {
    export T
    echo "not the kernel" > "$T/version"
    mt_bundle '.mounts += [{"destination": "\(env.B)/rootfs/proc/version", "type": "bind", "source": "\(env.T)/version", "options": ["bind", "ro"]}]' \
        cat /proc/version
    mt_runc
    [ "$status" -eq 0 ]
    [ "$output" = "not the kernel" ]                   # the control: runc bound it over /proc/version
    mt_hd "$(mt_policy '{"action": "rewrite"}')"
    [ "$status" -eq 1 ]
    [[ "$(last_error)" == *"mounts.destination: bind mount on /proc/version refused: it is under /proc"* ]]
}

@test "mounts.rootfsBind: a writable bind of the rootfs's parent lets plain runc's container write its read-only rootfs; hardened refuses it" {
    mt_bundle '.root.readonly = true | .mounts += [{"destination": "/b", "type": "bind", "source": env.B, "options": ["rbind"]}]' \
        sh -c 'touch /x 2>&1; touch /b/rootfs/written 2>/dev/null && echo wrote || echo not-written'
    mt_runc
    [ "$status" -eq 0 ]
    [[ "${lines[0]}" == *"Read-only file system"* ]]   # the rootfs is read-only ...
    [ "${lines[1]}" = wrote ]                          # ... and written through the bind anyway
    [ -e "$RT_TMP/b/rootfs/written" ]
    rm "$RT_TMP/b/rootfs/written"
    mt_hd "$(mt_policy '{"action": "rewrite"}')"
    [ "$status" -eq 1 ]
    [[ "$(last_error)" == *"mounts.rootfsBind: writable bind of $(realpath "$RT_TMP/b") (a parent of the root filesystem) undoes root.readonly"* ]]
    [ ! -e "$RT_TMP/b/rootfs/written" ]
    # rbind,ro leaves the rootfs's own mount below it writable: refused too; bind,ro passes
    jq '.mounts[-1].options = ["rbind", "ro"]' "$RT_TMP/config.orig" > "$RT_TMP/c" && mv "$RT_TMP/c" "$RT_TMP/config.orig"
    mt_hd "$(mt_policy '{"action": "rewrite"}')"
    [ "$status" -eq 1 ]
    jq '.mounts[-1].options = ["bind", "ro"]' "$RT_TMP/config.orig" > "$RT_TMP/c" && mv "$RT_TMP/c" "$RT_TMP/config.orig"
    mt_hd "$(mt_policy '{"action": "rewrite"}')"
    [ "$status" -eq 0 ]
    [ "${lines[1]}" = not-written ]
    [ ! -e "$RT_TMP/b/rootfs/written" ]
}

@test "mounts.safeOptions: a sysfs without ro (or with rw after ro) is mounted read-only; a write inside fails" {
    mt_bundle '.mounts |= map(if .type == "sysfs" then .options = ["nosuid", "noexec", "nodev", "ro", "rw"] else . end)' \
        sh -c 'awk "\$2 == \"/sys\" { print substr(\$4, 1, 2) }" /proc/mounts; touch /sys/kernel/x 2>&1 || true'
    mt_runc
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = rw ]                             # the control: rw wins
    mt_hd "$(mt_policy '{"action": "rewrite"}')"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = ro ]
    [[ "${lines[1]}" == *"Read-only file system"* ]]
    [[ "$(jq -r .msg "$LOG")" == *"mounts.safeOptions rewritten at /mounts/"*"sysfs mount on /sys lacks ro"* ]]
    [ "$(jq -c '.mounts[] | select(.type == "sysfs") | .options' "$RT_TMP/b/config.json")" = '["nosuid","noexec","nodev","ro","rw","ro"]' ]
}

@test "mounts.type: remount,rw of /sys (plain runc makes it writable again) is refused" {
    mt_bundle '.mounts += [{"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["remount", "rw", "nosuid", "noexec", "nodev"]}]' \
        sh -c 'awk "\$2 == \"/sys\" { print substr(\$4, 1, 2) }" /proc/mounts | tail -1'
    mt_runc
    [ "$status" -eq 0 ]
    [ "$output" = rw ]
    mt_hd "$(mt_policy '{"action": "rewrite"}')"
    [ "$status" -eq 1 ]
    [[ "$(last_error)" == *"mounts.type: remount on /sys changes the mount already there"* ]]
}

@test "mounts.rootfsPath: root.path through a symlink to /etc, relative ../ to /, or / itself is refused before runc runs" {
    ln -s /etc "$T/root-link"
    local path
    for path in "$T/root-link" "$T/root-link/../etc" ../../../../../../../.. /; do
        jq --arg p "$path" '.root.path = $p' "$FIXTURES/run-default.json" | jq -c 'del(.hooks)' > "$T/bundle/config.json"
        POLICY=$(mt_policy '{"action": "rewrite"}') run hd create --bundle "$T/bundle" "$DOCKER_ID"
        [ "$status" -eq 1 ]
        backend_not_ran
        [[ "$(last_error)" == *"mounts.rootfsPath: root filesystem /"*" exposes /"* ]]
    done
    # Docker's own rootfs (under the denied /var/lib/docker, in its storage) passes
    jq -c 'del(.hooks)' "$FIXTURES/run-default.json" > "$T/bundle/config.json"
    POLICY=$(mt_policy '{"action": "rewrite"}') run hd create --bundle "$T/bundle" "$DOCKER_ID"
    [ "$status" -eq 0 ]
    backend_ran
}

@test "mounts.destination: a symlink inside an earlier bind's source is followed like runc's securejoin" {
    mkdir -p "$T/data"
    ln -s /proc/sys "$T/data/link"
    export T
    config_jq '.mounts += [{"destination": "/data", "type": "bind", "source": "\(env.T)/data", "options": ["rbind", "ro"]},
                           {"destination": "/data/link/kernel", "type": "tmpfs", "source": "tmpfs"}]'
    POLICY=$(mt_policy '{"action": "rewrite"}') run hd create --bundle "$T/bundle" "$DOCKER_ID"
    [ "$status" -eq 1 ]
    backend_not_ran
    [[ "$(last_error)" == *"tmpfs mount on /proc/sys/kernel refused"* ]]
}

@test "mounts.rootfsBind: a writable bind reaching the rootfs, inside it or its parent through a symlink is refused" {
    mkdir -p "$T/c1/rootfs/etc"
    ln -s "$T/c1" "$T/link"
    local src
    for src in "$T/link" "$T/link/rootfs" "$T/link/rootfs/etc" "$T/link/rootfs/etc/.."; do
        jq --arg r "$T/c1/rootfs" --arg s "$src" \
            '.root.path = $r | .mounts += [{"destination": "/x", "type": "bind", "source": $s, "options": ["rbind"]}] | del(.hooks)' \
            "$FIXTURES/run-default.json" > "$T/bundle/config.json"
        POLICY=$(mt_policy '{"action": "rewrite"}') run hd create --bundle "$T/bundle" "$DOCKER_ID"
        [ "$status" -eq 1 ]
        backend_not_ran
        [[ "$(last_error)" == *"mounts.rootfsBind: writable bind of $(realpath "$T")/c1"*"undoes root.readonly"* ]]
    done
    # read-only (rro for the parent's rbind) it passes
    jq '.mounts[-1].source = env.T + "/link" | .mounts[-1].options = ["rbind", "rro"]' "$T/bundle/config.json" > "$T/c" && mv "$T/c" "$T/bundle/config.json"
    T=$T POLICY=$(mt_policy '{"action": "rewrite"}') run hd create --bundle "$T/bundle" "$DOCKER_ID"
    [ "$status" -eq 0 ]
    backend_ran
}

@test "mounts.rootfsPath: an empty root.path is the bundle directory itself, judged against the deny-list" {
    jq -c '.root.path = "" | del(.hooks)' "$FIXTURES/run-default.json" > "$T/bundle/config.json"
    POLICY=$(mt_policy "{\"action\": \"rewrite\", \"deny\": [\"$T\"]}") run hd create --bundle "$T/bundle" "$DOCKER_ID"
    [ "$status" -eq 1 ]
    backend_not_ran
    [[ "$(last_error)" == *"mounts.rootfsPath: root filesystem $(realpath "$T")/bundle exposes"* ]]
}
