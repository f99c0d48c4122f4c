#!/usr/bin/env bats
# mounts.bindSource with real runc: a source is what is mounted there, not
# its name.  Host mounts are made inside a private mount namespace that the
# shim (and runc after it) runs in, so they vanish with it, also when a test
# fails; plain runc in the same setup shows that each attack is real.

bats_require_minimum_version 1.5.0
load helpers
load fake

OFF=$BATS_TEST_DIRNAME/../fixtures/policy-off.json

setup() { fake_setup; }
teardown() {
    if [ -n "${RT_ROOT:-}" ]; then rt_cleanup; fi
    fake_teardown
}

# bd_policy JSON: policy-off with the mounts family set to JSON.
bd_policy() {
    jq --argjson r "$1" '.rules.mounts = $r' "$OFF" > "$T/policy-mounts.json"
    echo "$T/policy-mounts.json"
}
DEFAULT_MOUNTS='{"action": "rewrite"}'

# bd_bundle SOURCE ARG...: a busybox bundle binding SOURCE (rbind, ro) at /x, running ARG...
bd_bundle() {
    local src=$1
    shift
    rt_require_runc
    rt_root
    rt_make_bundle "$RT_TMP/b" "$@"
    bd_bind "$src" /x
}

# bd_bind SOURCE DEST: one more rbind mount in the bundle.
bd_bind() {
    S=$1 D=$2 jq '.mounts += [{"destination": env.D, "type": "bind", "source": env.S, "options": ["rbind", "ro"]}]' \
        "$RT_TMP/b/config.json" > "$RT_TMP/c.json" && mv "$RT_TMP/c.json" "$RT_TMP/b/config.json"
}

# bd_run hardened|runc POLICY SETUP: run the bundle in a private mount
# namespace after the shell commands SETUP; output in $output, log in $LOG.
bd_run() {
    local -a cmd=("$HARDENED" --policy "$2")
    [ "$1" = hardened ] || cmd=("$RT_RUNC")
    rm -f "$LOG"
    run --separate-stderr unshare -m --propagation private sh -ec "$3"'; exec "$@"' sh \
        "${cmd[@]}" --root "$RT_ROOT" --log "$LOG" --log-format json run --bundle "$RT_TMP/b" "$(rt_id c)" </dev/null 3>&-
}

@test "a bind of /etc at a harmless path (vol/_data) is refused; plain runc shows the host's /etc there" {
    bd_bundle "$T/vol/_data" cat /x/hostname
    setup="mkdir -p $T/vol/_data && mount --bind /etc $T/vol/_data"
    bd_run runc - "$setup"
    [ "$status" -eq 0 ]
    [ "$output" = "$(cat /etc/hostname)" ]
    bd_run hardened "$(bd_policy "$DEFAULT_MOUNTS")" "$setup"
    [ "$status" -eq 1 ]
    [[ "$(last_error)" == *"mounts.bindSource: bind mount of $T/vol/_data shows /etc of device "*", which exposes /etc"* ]]
    # a path below the mount point is judged the same way
    jq '.mounts[-1].source += "/ssl"' "$RT_TMP/b/config.json" > "$RT_TMP/c.json" && mv "$RT_TMP/c.json" "$RT_TMP/b/config.json"
    bd_run hardened "$(bd_policy "$DEFAULT_MOUNTS")" "$setup"
    [ "$status" -eq 1 ]
    [[ "$(last_error)" == *"bind mount of $T/vol/_data/ssl shows /etc/ssl of device "*", which exposes /etc"* ]]
}

@test "an rbind of an ordinary directory that carries a mount of /etc below it is refused" {
    bd_bundle "$T/dir" cat /x/inner/hostname
    setup="mkdir -p $T/dir/inner && mount --bind /etc $T/dir/inner"
    bd_run runc - "$setup"
    [ "$status" -eq 0 ]
    [ "$output" = "$(cat /etc/hostname)" ]
    bd_run hardened "$(bd_policy "$DEFAULT_MOUNTS")" "$setup"
    [ "$status" -eq 1 ]
    [[ "$(last_error)" == *"bind mount of $T/dir carries the mount at $T/dir/inner, which exposes /etc"* ]]
}

@test "a new proc or cgroup mount on the host is the host's: refused as a source, whatever its path" {
    bd_bundle "$T/p" sh -c 'cat /x/1/comm'
    setup="mkdir -p $T/p && mount -t proc proc $T/p"
    bd_run runc - "$setup"
    [ "$status" -eq 0 ]
    [ "$output" = "$(cat /proc/1/comm)" ]                   # the host's pid 1
    bd_run hardened "$(bd_policy "$DEFAULT_MOUNTS")" "$setup"
    [ "$status" -eq 1 ]
    [[ "$(last_error)" == *"bind mount of $T/p shows / of device "*", which exposes the host's proc filesystem"* ]]
    bd_run hardened "$(bd_policy "$DEFAULT_MOUNTS")" "mkdir -p $T/p && mount --bind /sys/fs/cgroup/pids $T/p"
    [ "$status" -eq 1 ]
    [[ "$(last_error)" == *"bind mount of $T/p shows / of device "*", which exposes the host's cgroup filesystem"* ]]
}

@test "a tmpfs and a bind of an ordinary directory at a volume-like path pass and are seen inside" {
    mkdir -p "$T/data"
    echo hello > "$T/data/f"
    bd_bundle "$T/vol/_data" sh -c 'cat /x/f; cat /t/g'
    bd_bind "$T/tmp" /t
    bd_run hardened "$(bd_policy "$DEFAULT_MOUNTS")" \
        "mkdir -p $T/vol/_data $T/tmp && mount --bind $T/data $T/vol/_data && mount -t tmpfs tmpfs $T/tmp && echo world > $T/tmp/g"
    [ "$status" -eq 0 ] || { echo "$(last_error)"; false; }
    [ "${lines[0]}" = hello ]
    [ "${lines[1]}" = world ]
}

@test "a denied path that is a symlink denies its target and everything below it" {
    mkdir -p "$T/secret/sub"
    echo s3cret > "$T/secret/sub/key"
    ln -s "$T/secret" "$T/link"
    bd_bundle "$T/secret/sub" cat /x/key
    bd_run runc - true
    [ "$output" = s3cret ]
    bd_run hardened "$(bd_policy '{"action": "rewrite", "deny": ["/proc", "'"$T/link"'"]}')" true
    [ "$status" -eq 1 ]
    [[ "$(last_error)" == *"mounts.bindSource: bind mount of $T/secret/sub exposes $T/link"* ]]
    # an allow entry that is a symlink allows its target
    bd_run hardened "$(bd_policy '{"action": "rewrite", "deny": ["/proc"], "allow": ["'"$T/link"'"]}')" true
    [ "$status" -eq 0 ]
    [ "$output" = s3cret ]
}

@test "under a denied data root, this container's engine files and named volumes pass; another id's files do not" {
    rt_require_runc
    rt_root
    local id dr
    id=$(rt_id c)
    dr=$T/dr
    mkdir -p "$dr/containers/$id" "$dr/containers/other" "$dr/volumes/v/_data" "$dr/volumes/w"
    echo engine > "$dr/containers/$id/hostname"
    echo other > "$dr/containers/other/hostname"
    echo vdata > "$dr/volumes/v/_data/f"
    rt_make_bundle "$RT_TMP/b" sh -c 'cat /etc/hostname /data/f'
    bd_bind "$dr/containers/$id/hostname" /etc/hostname
    bd_bind "$dr/volumes/v/_data" /data
    policy=$(bd_policy '{"action": "rewrite", "deny": ["/proc", "'"$dr"'"]}')
    bd_run hardened "$policy" true
    [ "$status" -eq 0 ] || { echo "$(last_error)"; false; }
    [ "${lines[0]}" = engine ]
    [ "${lines[1]}" = vdata ]
    cp "$RT_TMP/b/config.json" "$RT_TMP/good.json"
    local bad
    for bad in "$dr/containers/other/hostname" "$dr/volumes/w" "$dr/volumes" "$dr/containers/$id"; do
        cp "$RT_TMP/good.json" "$RT_TMP/b/config.json"
        bd_bind "$bad" /bad
        bd_run hardened "$policy" true
        [ "$status" -eq 1 ] || { echo "$bad passed"; false; }
        [[ "$(last_error)" == *"mounts.bindSource: bind mount of $bad exposes $dr"* ]]
    done
    # without this container's files, nothing names the data root: its volumes are denied with it
    jq 'del(.mounts[] | select(.destination == "/etc/hostname"))' "$RT_TMP/good.json" > "$RT_TMP/b/config.json"
    bd_run hardened "$policy" true
    [ "$status" -eq 1 ]
    [[ "$(last_error)" == *"bind mount of $dr/volumes/v/_data exposes $dr"* ]]
}
