# A private containerd + dockerd for the end-to-end tests (DESIGN.md 6):
# own sockets, data and state directories, no bridge, no iptables; stopped by
# pid, never by name.  containerd runs under tests/helpers/subreaper
# (--host-mounts: dockerd mounts the root filesystems outside it), which
# adopts its orphaned shims and, once containerd is gone, kills them, found
# by their parent pid.  Nothing here touches a daemon this file did not start.
# tests/bench/docker.sh sources this file from plain bash (HARDENED and
# top_srcdir set, no e2e_setup_daemon): keep its top level free of bats.

HARDENED=${HARDENED:-$BATS_TEST_DIRNAME/../../hardened}
HARDENED=$(cd "$(dirname "$HARDENED")" && pwd)/$(basename "$HARDENED")
top_srcdir=${top_srcdir:-$BATS_TEST_DIRNAME/../..}
top_builddir=${top_builddir:-$(dirname "$HARDENED")}
E2E_SUBREAPER=$top_builddir/tests/helpers/subreaper
E2E_DOCKER=${E2E_DOCKER:-/usr/bin/docker}
E2E_IMAGE=hd-busybox:e2e
# A hung probe (e2e_wait on a command that never returns) or daemon fails
# its test, and teardown still runs, instead of holding CI to its limit.
BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-300}

# Skip only where Docker cannot run here; with CI=true that is a failure.
e2e_require() {
    local why=""
    [ "$(id -u)" -eq 0 ] || why="needs root"
    for bin in /usr/sbin/dockerd /usr/bin/containerd "$E2E_DOCKER" /usr/bin/ctr /usr/sbin/runc /bin/busybox jq; do
        command -v "$bin" >/dev/null 2>&1 || why="${why:+$why, }$bin missing"
    done
    [ -x "$HARDENED" ] || why="${why:+$why, }$HARDENED not built"
    [ -x "$E2E_SUBREAPER" ] || why="${why:+$why, }$E2E_SUBREAPER not built (make check builds the helpers)"
    e2e_unmet "the Docker end-to-end tests" "$why"
}

# e2e_unmet SUITE WHY: nothing when WHY is empty; else skip the test, or
# with CI=true fail it (a skip in CI is a failure), naming WHY.
e2e_unmet() {
    [ -z "$2" ] && return 0
    if [ "${CI:-}" = true ]; then
        echo "CI=true: refusing to skip $1: $2" >&2
        return 1
    fi
    skip "$2"
}

# e2e_wait SECONDS COMMAND...: poll until COMMAND succeeds.
e2e_wait() {
    local limit=$(( $1 * 10 )) i=0
    shift
    until "$@" >/dev/null 2>&1; do
        i=$((i + 1))
        [ "$i" -lt "$limit" ] || return 1
        sleep 0.1
    done
}

# e2e_start DIR [PATH_PREFIX]: start containerd and dockerd with state in
# DIR (DIR/daemon.json must exist).  PATH_PREFIX goes in front of PATH for
# both daemons (the shims find "runc" through it).
e2e_start() {
    local d=$1 prefix=${2:-}
    mkdir -p "$d/containerd" "$d/root" "$d/exec"
    cat > "$d/containerd.toml" <<TOML
version = 2
root = "$d/containerd/root"
state = "$d/containerd/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$d/containerd.sock"
[ttrpc]
  address = "$d/containerd.sock.ttrpc"
[debug]
  address = ""
TOML
    PATH=${prefix:+$prefix:}$PATH "$E2E_SUBREAPER" --host-mounts "$d/subreaper.pid" \
        containerd --config "$d/containerd.toml" >"$d/containerd.log" 2>&1 3>&- &
    echo $! > "$d/subreaper.pid.launch"
    e2e_wait 30 ctr --address "$d/containerd.sock" version || { tail -20 "$d/containerd.log" >&2; return 1; }
    PATH=${prefix:+$prefix:}$PATH dockerd --config-file "$d/daemon.json" --data-root "$d/root" \
        --exec-root "$d/exec" --pidfile "$d/docker.pid" -H "unix://$d/docker.sock" \
        --containerd "$d/containerd.sock" >"$d/dockerd.log" 2>&1 3>&- &
    echo $! > "$d/dockerd.pid.launch"
    e2e_wait 60 "$E2E_DOCKER" -H "unix://$d/docker.sock" info || { tail -20 "$d/dockerd.log" >&2; return 1; }
}

# e2e_rm_containers DIR: remove every container of the daemon at DIR.
e2e_rm_containers() {
    local ids
    ids=$("$E2E_DOCKER" -H "unix://$1/docker.sock" ps -aq 2>/dev/null) || return 0
    [ -z "$ids" ] || "$E2E_DOCKER" -H "unix://$1/docker.sock" rm -f $ids >/dev/null 2>&1 || true
}

# e2e_teardown DIR: a test file's daemons at DIR, their containers and DIR gone.
e2e_teardown() {
    [ -n "$1" ] || return 0
    e2e_rm_containers "$1"
    e2e_stop "$1"
    rm -rf "$1"
}

# e2e_stop DIR: stop the two daemons started for DIR, by pid, and wait:
# dockerd, then the subreaper (containerd gets SIGTERM; its shims left
# behind, adopted by the subreaper, SIGKILL).
e2e_stop() {
    local d=$1 pid
    [ -d "$d" ] || return 0
    for f in dockerd.pid.launch subreaper.pid.launch; do
        [ -f "$d/$f" ] || continue
        pid=$(cat "$d/$f")
        kill "$pid" 2>/dev/null || continue
        for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
    done
    umount -R "$d/root" 2>/dev/null || true
    umount -R "$d/exec" 2>/dev/null || true
    umount -R "$d/containerd" 2>/dev/null || true
}

# e2e_rootfs DIR: a busybox-static root filesystem (with /tmp 1777 and
# nobody/nogroup, like an ordinary image).
e2e_rootfs() {
    local r=$1
    mkdir -p "$r/bin" "$r/proc" "$r/sys" "$r/dev" "$r/etc" "$r/tmp" "$r/root"
    chmod 1777 "$r/tmp"
    cp /bin/busybox "$r/bin/busybox"
    chroot "$r" /bin/busybox --install -s /bin
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n' > "$r/etc/passwd"
    printf 'root:x:0:\nnogroup:x:65534:\n' > "$r/etc/group"
}

# e2e_image DIR: that root filesystem (DIR/image-rootfs) imported as
# $E2E_IMAGE into the daemon at DIR.
e2e_image() {
    e2e_rootfs "$1/image-rootfs"
    tar -C "$1/image-rootfs" -c . | "$E2E_DOCKER" -H "unix://$1/docker.sock" import - "$E2E_IMAGE" >/dev/null
}

# daemon.json registering hardened under several names, one policy each:
# the private daemon's own keys, then `hardened install docker` per runtime
# (what an administrator runs), then EXTRA merged over the result.
e2e_daemon_json() {
    local d=$1 extra=${2:-}
    jq -n '{bridge: "none", iptables: false, "ip-forward": false, "ip-masq": false,
            "userland-proxy": false, "storage-driver": "overlay2"}' > "$d/daemon.json"
    e2e_install_runtime "$d" hardened "$d/policy-default.json" || return 1
    e2e_install_runtime "$d" hardened-restricted "$d/policy-restricted.json" || return 1
    e2e_install_runtime "$d" hardened-audit "$d/policy-audit.json" || return 1
    [ -z "$extra" ] && return 0
    jq --argjson extra "$extra" '. * $extra' "$d/daemon.json" > "$d/daemon.json.new"
    mv "$d/daemon.json.new" "$d/daemon.json"
}
# e2e_install_runtime DIR NAME POLICY: `hardened install docker` of one
# runtime running hardened --policy POLICY, into DIR/daemon.json.
e2e_install_runtime() {
    "$HARDENED" install docker --config "$1/daemon.json" --name "$2" --path "$HARDENED" -- --policy "$3" >/dev/null
}

# The policies the runtimes above name: the shipped ones, audit = default in audit mode.
e2e_policies() {
    local d=$1
    cp "$top_srcdir/policy/profiles/default.json" "$d/policy-default.json"
    cp "$top_srcdir/policy/profiles/restricted.json" "$d/policy-restricted.json"
    jq '.mode = "audit"' "$top_srcdir/policy/profiles/default.json" > "$d/policy-audit.json"
}

# e2e_setup_daemon: a setup_file's usual start: E2E_DIR (exported), the
# shipped policies, the daemons and the busybox image.
e2e_setup_daemon() {
    e2e_require || return 1
    export E2E_DIR
    E2E_DIR=$(mktemp -d /tmp/hd-e2e.XXXXXX)
    e2e_policies "$E2E_DIR"
    e2e_daemon_json "$E2E_DIR"
    e2e_start "$E2E_DIR"
    e2e_image "$E2E_DIR"
}

# docker against the private daemon of this file
dk() { "$E2E_DOCKER" -H "unix://$E2E_DIR/docker.sock" "$@"; }

# e2e_reload DIR JSON: merge JSON into the base daemon.json, SIGHUP dockerd
# (it reloads "runtimes" and "default-runtime"), wait until it shows.
e2e_reload() {
    e2e_daemon_json "$1" "$2"
    e2e_hup "$1"
}

# e2e_hup DIR: SIGHUP the dockerd at DIR and wait until it shows daemon.json's default runtime.
e2e_hup() {
    local d=$1 want
    want=$(jq -r '."default-runtime" // "runc"' "$d/daemon.json")
    kill -HUP "$(cat "$d/dockerd.pid.launch")"
    e2e_wait 20 sh -c "[ \"\$($E2E_DOCKER -H unix://$d/docker.sock info --format '{{.DefaultRuntime}}')\" = $want ]"
}

# e2e_add_runtime NAME POLICY: register one more hardened runtime and reload.
e2e_add_runtime() {
    local d=$E2E_DIR
    e2e_install_runtime "$d" "$1" "$2" || return 1
    kill -HUP "$(cat "$d/dockerd.pid.launch")"
    e2e_wait 20 sh -c "$E2E_DOCKER -H unix://$d/docker.sock info --format '{{json .Runtimes}}' | jq -e 'has(\"$1\")'"
}

# A private auditd writing to DIR/audit.log (its own config directory), and
# kernel auditing switched on; e2e_audit_stop restores the previous state.
e2e_audit_start() {
    local d=$1
    mkdir -p "$d/plugins"
    cat > "$d/auditd.conf" <<CONF
local_events = yes
write_logs = yes
log_file = $d/audit.log
log_group = root
log_format = ENRICHED
flush = INCREMENTAL_ASYNC
freq = 1
max_log_file = 16
num_logs = 1
max_log_file_action = IGNORE
space_left = 2
space_left_action = IGNORE
admin_space_left = 1
admin_space_left_action = IGNORE
disk_full_action = IGNORE
disk_error_action = IGNORE
q_depth = 1200
overflow_action = IGNORE
plugin_dir = $d/plugins
end_of_event_timeout = 2
CONF
    chmod 600 "$d/auditd.conf"
    auditctl -s | awk '$1 == "enabled" {print $2}' > "$d/audit-enabled-before"
    auditd -n -c "$d" >"$d/auditd.out" 2>&1 3>&- &
    echo $! > "$d/auditd.pid"
    e2e_wait 10 test -e "$d/audit.log" || { cat "$d/auditd.out" >&2; return 1; }
    auditctl -e 1 >/dev/null
}

e2e_audit_stop() {
    local d=$1 pid
    [ -f "$d/auditd.pid" ] || return 0
    pid=$(cat "$d/auditd.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    auditctl -e "$(cat "$d/audit-enabled-before" 2>/dev/null || echo 0)" >/dev/null 2>&1 || true
}

# e2e_workload_image DIR WORKLOAD: the real WORKLOAD image (nginx, redis,
# postgresql; tests/e2e/images/build.sh, built from Debian's packages or
# taken from its cache, HD_IMAGE_CACHE) imported as hd-WORKLOAD:e2e into the
# daemon at DIR, with its CMD/USER/VOLUME.
E2E_IMAGE_CACHE=${HD_IMAGE_CACHE:-${top_builddir:-$PWD}/e2e-images}
e2e_workload_image() {
    local d=$1 w=$2 line tar
    local -a change=()
    line=$(sh "$top_srcdir/tests/e2e/images/build.sh" "$E2E_IMAGE_CACHE" "$w") || return 1
    tar=${line#"$w "}
    while IFS= read -r line; do change+=(--change "$line"); done \
        < <(sh "$top_srcdir/tests/e2e/images/build.sh" --config "$w")
    "$E2E_DOCKER" -H "unix://$d/docker.sock" import "${change[@]}" "$tar" "hd-$w:e2e" >/dev/null
}
