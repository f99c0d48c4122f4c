# A private containerd with its CRI plugin for the CRI suite (DESIGN.md 6):
# own root, state, sockets, opt path, runc roots, CNI directories and cgroup
# parent, all under one temporary directory; run in a mount namespace of its
# own under tests/helpers/subreaper, which adopts the shims and is stopped
# by its recorded pid, never by name.  Two runtime handlers: "runc" (plain
# runc, the default) and "hardened" (the built shim, through a wrapper that
# names the policy file the test chose, $CRI_DIR/policy.json), added to
# the daemon's config.toml by `hardened install containerd`.
# The images (busybox, pause) are built here from busybox-static and
# tests/helpers/pause and imported from docker-archive tarballs: no registry.

HARDENED=${HARDENED:-$BATS_TEST_DIRNAME/../../hardened}
HARDENED=$(cd "$(dirname "$HARDENED")" && pwd)/$(basename "$HARDENED")
top_srcdir=${top_srcdir:-$BATS_TEST_DIRNAME/../..}
top_builddir=${top_builddir:-$(dirname "$HARDENED")}
CRI_PY="/usr/bin/python3 $top_srcdir/tests/cri/cri.py"
CRI_SUBREAPER=$top_builddir/tests/helpers/subreaper
CRI_PAUSE=$top_builddir/tests/helpers/pause
CRI_SUPERVISE=$top_srcdir/tests/cri/supervise-containerd
CRI_IMAGE=hd-busybox:cri           # busybox, no USER (root, as most images)
CRI_IMAGE_USER=hd-busybox:cri-user # the same, USER 1000:1000
CRI_PAUSE_IMAGE=hd-pause:cri       # tests/helpers/pause, USER 65535:65535
CRI_NS=k8s.io

# the private-daemon helpers this suite shares with the Docker one
# (e2e_unmet, e2e_wait); its top level sets HARDENED and top_srcdir the same way
. "$top_srcdir/tests/e2e/helpers.bash"

# cri_unmet: what this machine lacks for the CRI suite (empty: nothing).
cri_unmet() {
    local why="" bin
    [ "$(id -u)" -eq 0 ] || why="needs root"
    for bin in /usr/bin/containerd /usr/bin/ctr /usr/sbin/runc /bin/busybox /usr/bin/nsenter /usr/sbin/ip \
        /usr/bin/python3 jq; do
        command -v "$bin" >/dev/null 2>&1 || why="${why:+$why, }$bin missing"
    done
    [ -x /usr/lib/cni/loopback ] || why="${why:+$why, }/usr/lib/cni/loopback (containernetworking-plugins) missing"
    /usr/bin/python3 -c 'import grpc, grpc_tools.protoc, google.protobuf' 2>/dev/null \
        || why="${why:+$why, }python3-grpcio/python3-grpc-tools missing"
    for bin in "$HARDENED" "$CRI_SUBREAPER" "$CRI_PAUSE"; do
        [ -x "$bin" ] || why="${why:+$why, }$bin not built (make check builds the helpers)"
    done
    echo "$why"
}

# Skip only where the CRI suite cannot run here; with CI=true that is a failure.
cri_require() { e2e_unmet "the CRI tests" "$(cri_unmet)"; }

# cri_config DIR: containerd's config.toml for the daemon at DIR: its own
# settings written here, the hardened runtime handler added by `hardened
# install containerd`, as an administrator adds it (cri_install_handler).
# One key of that handler is written here: options.Root, the runc state
# root, which keeps this daemon's runc state apart from the host's
# /run/containerd/runc and which the suite's policies trust for the
# io.kubernetes.cri.* annotations (cri_policy_json).  It is STATE/runc, where
# a node has it: there the runc v2 default (/run/containerd/runc, containerd's
# state being /run/containerd) is the root the default policy trusts, so
# install has no flag for it.
cri_config() {
    local d=$1 cri='plugins."io.containerd.grpc.v1.cri"'
    cat >"$d/containerd.toml" <<TOML
version = 2
root = "$d/root"
state = "$d/state"
[grpc]
  address = "$d/containerd.sock"
[ttrpc]
  address = "$d/containerd.sock.ttrpc"
[debug]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "$d/opt"
[$cri]
  sandbox_image = "$CRI_PAUSE_IMAGE"
  disable_apparmor = true
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  enable_selinux = false
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  [$cri.cni]
    bin_dir = "$d/cni/bin"
    conf_dir = "$d/cni/conf"
    max_conf_num = 1
  [$cri.containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [$cri.containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [$cri.containerd.runtimes.runc.options]
        BinaryName = "/usr/sbin/runc"
        Root = "$d/runc-plain"
    [$cri.containerd.runtimes.hardened.options]
      Root = "$d/state/runc"
TOML
}

# cri_install_handler DIR: the hardened handler (runtime_type, BinaryName
# = the wrapper, cri_wrapper) added to DIR's config by `hardened install
# containerd`; its output in DIR/install.log.
cri_install_handler() {
    "$HARDENED" install containerd --config "$1/containerd.toml" --path "$1/bin/hardened-runc" >"$1/install.log" 2>&1 \
        || { cat "$1/install.log" >&2; return 1; }
}

# The runc state root the hardened handler's calls carry (the runc v2 shim
# appends the namespace to options.Root).
cri_hardened_root() { echo "$1/state/runc/$CRI_NS"; }

# cri_wrapper DIR: the hardened handler's BinaryName.  containerd's shim
# calls it with runc's argv; it execs (no child) the shim with the test's
# policy.  With DIR/capture present, each bundle's config.json is copied
# there as containerd wrote it, before the shim reads it.
cri_wrapper() {
    local d=$1
    mkdir -p "$d/bin"
    cat >"$d/bin/hardened-runc" <<SH
#!/bin/sh
if [ -d "$d/capture" ]; then
    prev=
    for a in "\$@"; do
        if [ "\$prev" = --bundle ]; then cp "\$a/config.json" "$d/capture/\${a##*/}.json"; fi
        prev=\$a
    done
fi
exec "$HARDENED" --policy "$d/policy.json" "\$@"
SH
    chmod 755 "$d/bin/hardened-runc"
}

# cri_cni DIR: the project's veth plugin (tests/cri/cni-veth) as the pod
# network, Debian's loopback plugin beside it (bin_dir is one directory).
cri_cni() {
    local d=$1
    mkdir -p "$d/cni/bin" "$d/cni/conf"
    cp "$top_srcdir/tests/cri/cni-veth" "$d/cni/bin/hd-veth"
    ln -s /usr/lib/cni/loopback "$d/cni/bin/loopback"
    cat >"$d/cni/conf/10-hd-veth.conflist" <<JSON
{ "cniVersion": "1.0.0", "name": "hd-veth", "plugins": [ { "type": "hd-veth" } ] }
JSON
}

# cri_policy_json FILE [JQ] [PROFILE]: a shipped policy (default.json unless
# PROFILE names another in policy/profiles), filtered through JQ (default:
# unchanged), with this daemon's hardened runc root trusted for
# io.kubernetes.cri.* annotations as the default trusts containerd's own,
# and its decision records in $CRI_DIR/decisions.jsonl.
cri_policy_json() {
    local out=$1 filter=${2:-.} profile=${3:-default}
    jq --arg root "$(cri_hardened_root "$CRI_DIR")" --arg log "$CRI_DIR/decisions.jsonl" \
        "$filter | .trustedAnnotations = [{root: \$root, prefixes: [\"io.kubernetes.cri.\"]}] | .decisionLog = \$log" \
        "$top_srcdir/policy/profiles/$profile.json" >"$out.new"
    mv "$out.new" "$out"
}

# cri_use_policy [JQ] [PROFILE]: make that the hardened handler's policy (atomic).
cri_use_policy() { cri_policy_json "$CRI_DIR/policy.json" "${1:-.}" "${2:-default}"; }

# cri_rootfs DIR: the Docker suite's busybox root filesystem, plus a user
# 1000 with a home (the USER of $CRI_IMAGE_USER).
cri_rootfs() {
    e2e_rootfs "$1"
    mkdir -p "$1/home/user"
    chown 1000:1000 "$1/home/user"
    echo 'user:x:1000:1000::/home/user:/bin/sh' >>"$1/etc/passwd"
    echo 'user:x:1000:' >>"$1/etc/group"
}

# cri_images DIR: build the three images and import them into k8s.io.
cri_images() {
    local d=$1 mk="/usr/bin/python3 $top_srcdir/tests/cri/mkimage.py"
    cri_rootfs "$d/images/busybox"
    mkdir -p "$d/images/pause"
    cp "$CRI_PAUSE" "$d/images/pause/pause"
    $mk "$d/images/busybox.tar" "$CRI_IMAGE" "$d/images/busybox" --cmd '["sh"]'
    $mk "$d/images/busybox-user.tar" "$CRI_IMAGE_USER" "$d/images/busybox" --cmd '["sh"]' --user 1000:1000
    $mk "$d/images/pause.tar" "$CRI_PAUSE_IMAGE" "$d/images/pause" --entrypoint '["/pause"]' --user 65535:65535
    for t in busybox busybox-user pause; do
        ctr --address "$d/containerd.sock" -n "$CRI_NS" images import --snapshotter overlayfs \
            "$d/images/$t.tar" >/dev/null || return 1
    done
}

# cri_start DIR: configure and start the daemon at DIR, import the images.
cri_start() {
    cri_prepare "$1"
    cri_config "$1"
    cri_install_handler "$1" || return 1
    cri_launch "$1" "$1/containerd.toml"
}

# cri_prepare DIR: the daemon's directories, the hardened handler's
# wrapper, the CNI plugin, an audit policy unless DIR has one.
cri_prepare() {
    local d=$1
    mkdir -p "$d/root" "$d/state" "$d/opt" "$d/runc-plain" "$d/kubelet" "$d/logs" "$d/cri-state" "$d/stubs"
    cri_wrapper "$d"
    cri_cni "$d"
    [ -f "$d/policy.json" ] || cri_policy_json "$d/policy.json" '.mode = "audit"'
}

# cri_launch DIR CONFIG: containerd --config CONFIG under the subreaper,
# through tests/cri/supervise-containerd (its pid in DIR/containerd.pid,
# restarted by cri_restart); the images imported once it answers.
cri_launch() {
    local d=$1
    "$CRI_SUBREAPER" "$d/subreaper.pid" /bin/sh "$CRI_SUPERVISE" run "$d" containerd --config "$2" \
        >"$d/containerd.log" 2>&1 3>&- &
    echo $! >"$d/subreaper.pid.launch"
    e2e_wait 30 cri version || { tail -30 "$d/containerd.log" >&2; return 1; }
    cri_images "$d" || { tail -30 "$d/containerd.log" >&2; return 1; }
}

# cri_restart DIR: containerd stopped by its recorded pid and started again
# with the same config (what `systemctl restart containerd` does on a node).
cri_restart() { /bin/sh "$CRI_SUPERVISE" restart "$1"; }

# cri_remove_pods DIR: stop and remove every pod cri.py started there.
cri_remove_pods() {
    local f
    for f in "$1"/cri-state/*.json; do
        [ -e "$f" ] || continue
        f=${f##*/}
        cri stop-pod "${f%.json}" >/dev/null 2>&1 || true
        cri rm-pod "${f%.json}" >/dev/null 2>&1 || true
    done
}

# cri_stop DIR: the subreaper (and with it containerd and every shim) gone,
# by the recorded pid, then the cgroups left under the pods' parent.
cri_stop() {
    local d=$1 pid h
    [ -f "$d/subreaper.pid.launch" ] || return 0
    pid=$(cat "$d/subreaper.pid.launch")
    if kill "$pid" 2>/dev/null; then
        for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
    fi
    for h in /sys/fs/cgroup/*/"${CRI_CGROUP_PARENT#/}" /sys/fs/cgroup/unified/"${CRI_CGROUP_PARENT#/}"; do
        [ -d "$h" ] && find "$h" -depth -type d -exec rmdir {} + 2>/dev/null
    done
    return 0
}

# cri_teardown DIR: pods, daemon and DIR gone.
cri_teardown() {
    [ -n "$1" ] && [ -d "$1" ] || return 0
    cri_remove_pods "$1"
    cri_stop "$1"
    rm -rf "$1"
}

# cri_setup_daemon: a setup_file's usual start (CRI_DIR and the variables
# cri.py reads exported).
cri_setup_daemon() {
    # bats cannot skip from setup_file: outside CI, a machine that lacks
    # something starts nothing here and each test's setup skips (cri_require)
    [ -z "$(cri_unmet)" ] || [ "${CI:-}" = true ] || return 0
    cri_require || return 1
    CRI_DIR=$(mktemp -d /tmp/hd-cri.XXXXXX)
    cri_env "$CRI_DIR"
    cri_start "$CRI_DIR"
}

cri_env() {
    export CRI_DIR=$1
    export CRI_STATE=$1/cri-state CRI_STUBS=$1/stubs CRI_KUBELET_DIR=$1/kubelet CRI_LOG_DIR=$1/logs
    export CRI_CGROUP_PARENT=/hd-cri-${1##*.}
}

# cri VERB ARGS...: tests/cri/cri.py against this file's daemon.
cri() { $CRI_PY "$CRI_DIR/containerd.sock" "$@"; }

# cri_json NAME JSON: JSON (a jq expression's output) into $CRI_DIR/NAME.json,
# for cri's file arguments; prints the path.
cri_json() {
    jq -n "$2" >"$CRI_DIR/$1.json"
    echo "$CRI_DIR/$1.json"
}

# cri_pod NAME HANDLER [JQ]: a pod sandbox request (namespace "default",
# the kubelet's namespace options without shareProcessNamespace, its
# RuntimeDefault seccomp), JQ applied to it; prints the file.
cri_pod() {
    local name=$1 handler=$2 filter=${3:-.}
    jq -n --arg n "$name" --arg h "$handler" "{
        runtime_handler: \$h,
        config: { metadata: { name: \$n, namespace: \"default\" },
                  linux: { security_context: {
                      namespace_options: { network: \"POD\", pid: \"CONTAINER\", ipc: \"POD\" },
                      seccomp: { profile_type: \"RuntimeDefault\" } } } }
        } | $filter" >"$CRI_DIR/pod-$name.json"
    echo "$CRI_DIR/pod-$name.json"
}

# cri_ctr NAME [JQ] [IMAGE]: a container config running `sleep 3600`.
cri_ctr() {
    local name=$1 filter=${2:-.} image=${3:-$CRI_IMAGE}
    jq -n --arg n "$name" --arg i "$image" "{
        metadata: { name: \$n }, image: { image: \$i }, command: [\"sleep\", \"3600\"],
        linux: { security_context: { seccomp: { profile_type: \"RuntimeDefault\" } } }
        } | $filter" >"$CRI_DIR/ctr-$name.json"
    echo "$CRI_DIR/ctr-$name.json"
}

# The memory cgroup directory of a container on the host (cgroup v1), from
# the cgroupsPath containerd wrote into its bundle's config.json.
cri_bundle() { echo "$CRI_DIR/state/io.containerd.runtime.v2.task/$CRI_NS/$1"; }

# cri_start_pod NAME HANDLER [POD_JQ] [CTR_JQ] [IMAGE]: a pod with one
# container "NAME-c" running; sets POD and CTR.
cri_start_pod() {
    POD=$(cri run-pod "$(cri_pod "$1" "$2" "${3:-.}")") || return 1
    CTR=$(cri run "$POD" "$(cri_ctr "$1-c" "${4:-.}" "${5:-$CRI_IMAGE}")") || return 1
}

# cri_decision ID [VERB]: the last decision record about container ID (of
# that verb); nothing, and a failure, when there is none.
cri_decision() {
    jq -ces --arg id "$1" --arg verb "${2:-}" \
        'map(select(.container == $id and ($verb == "" or .verb == $verb))) | last' "$CRI_DIR/decisions.jsonl"
}

# What a test reads inside a container, one answer a line.
CRI_PROBE='id -u; id -g; if touch /x 2>/dev/null; then echo rw; else echo ro; fi; echo ok > /tmp/f && cat /tmp/f;
grep -E "^(CapEff|CapBnd|NoNewPrivs|Seccomp):" /proc/self/status;
cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max;
ip -o -4 addr show dev eth0 | sed "s/.* inet \([^ ]*\) .*/\1/"'

# refused_by_policy TEXT ID: TEXT is the shim's one-line refusal as the
# kubelet receives it, and the first rule it names is among the refusing
# decision record's rules for container ID.
refused_by_policy() {
    local text=$1 id=$2 rule
    [[ "$text" == "rpc error: code = Unknown desc = "*"refused by policy $CRI_DIR/policy.json: "* ]] || return 1
    rule=${text#*"refused by policy $CRI_DIR/policy.json: "}
    rule=${rule%%:*}
    [ "$(cri_decision "$id" | jq -r .decision)" = refused ] || return 1
    cri_decision "$id" | jq -e --arg r "$rule" '.rules | index($r)' >/dev/null
}

# The container id in a refusal of StartContainer: its bundle's name.
bundle_id() { sed -n 's|.*/io.containerd.runtime.v2.task/k8s.io/\([0-9a-f]\{64\}\): .*|\1|p' <<<"$1"; }
