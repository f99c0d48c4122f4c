#!/usr/bin/env bats
# examples/kubernetes/install-node.sh, the DaemonSet's node installer, run
# for real (ONESHOT=1) against a private CRI containerd (helpers.bash):
#   HOST_ROOT           $CRI_DIR/host, the node's / as the installer's pod
#                       mounts it; its etc/containerd/config.toml IS the
#                       private daemon's config (containerd --config it), so
#                       `hardened install containerd --root` edits that
#   RESTART_CONTAINERD  cri_restart: containerd stopped by its recorded pid,
#                       started again with the same config
#   LABEL_NODE          appends the label to $CRI_DIR/node-labels
#   SELF_CONFIG         the config.json containerd wrote for a real pod in
#                       namespace hardened-system, privileged, host PID: what
#                       the DaemonSet gives the installer's own pod
#   CONTAINERD_STATE    the daemon's state dir; the hardened handler's runc
#                       root is STATE/runc, as on a node
# The binary the installer puts on the node (HARDENED_BIN) is the built
# hardened seen as the node has it: runc's calls read the node's installed
# policy, HOST_ROOT + the installed path (`hardened policy help` names
# it), as the built binary would read the host's own (which tests never
# touch); `policy`, `install` and `uninstall` pass straight through.  Its
# host path (HARDENED_HOST_BIN, the handler's BinaryName) is the one path
# that is the same in both views: $CRI_DIR/node is a symlink to
# HOST_ROOT's copy of it.
# Needs root, Debian's containerd, runc, python3-grpcio and
# python3-grpc-tools; skips without them, except with CI=true.

bats_require_minimum_version 1.5.0
load helpers

INSTALL_NODE=$top_srcdir/examples/kubernetes/install-node.sh

setup_file() {
    [ -z "$(cri_unmet)" ] || [ "${CI:-}" = true ] || return 0 # each test's setup skips
    cri_require || return 1
    CRI_DIR=$(mktemp -d /tmp/hd-cri.XXXXXX)
    cri_env "$CRI_DIR"
    local d=$CRI_DIR host=$CRI_DIR/host
    export HOST=$host
    cri_prepare "$d"
    cri_config "$d" # the daemon's own settings: no hardened handler yet
    mkdir -p "$host/etc/containerd" "$host$d/node"
    mv "$d/containerd.toml" "$host/etc/containerd/config.toml"
    ln -s "$host$d/node" "$d/node"
    node_hardened "$d/node-hardened" || return 1
    cri_launch "$d" "$host/etc/containerd/config.toml"
    # the installer's own pod, as the DaemonSet runs it (plain runc handler)
    POD=$(cri run-pod "$(cri_pod installer runc '.config.metadata.namespace = "hardened-system"
        | .config.linux.security_context.privileged = true
        | .config.linux.security_context.namespace_options.pid = "NODE"')") || return 1
    CTR=$(cri run "$POD" "$(cri_ctr installer-c '.linux.security_context.privileged = true')") || return 1
    echo "$CTR" >"$d/installer-ctr"
    echo "$(cri_bundle "$CTR")/config.json" >"$d/self-config"
}

teardown_file() { cri_teardown "${CRI_DIR:-}"; }

setup() {
    cri_require
    HOST_POLICY=$HOST$(installed_policy)
}

# The installed policy's path, as the binary names it (`policy help`).
installed_policy() {
    "$HARDENED" policy help | sed -n 's/.*default: the installed policy: \(\/[^ ]*\)$/\1/p' | grep .
}

# node_hardened FILE: the built hardened as the node has it (see the top).
node_hardened() {
    cat >"$1" <<SH
#!/bin/sh
case \${1:-} in policy | install | uninstall) exec "$HARDENED" "\$@" ;; esac
exec "$HARDENED" --policy "$HOST$(installed_policy)" "\$@"
SH
    chmod 755 "$1"
}

# node_policy FILE [JQ]: the DaemonSet's ConfigMap policy
# (examples/kubernetes/policy.json) enforcing, its user uid 4242 (to tell
# it from every shipped policy inside a container), this daemon's hardened
# runc root trusted and records in $CRI_DIR/node-decisions.jsonl; JQ after.
node_policy() {
    jq --arg root "$(cri_hardened_root "$CRI_DIR")" --arg log "$CRI_DIR/node-decisions.jsonl" \
        ".mode = \"enforce\" | .rules.user.uid = 4242
         | .trustedAnnotations = [{root: \$root, prefixes: [\"io.kubernetes.cri.\"]}] | .decisionLog = \$log
         | ${2:-.}" "$top_srcdir/examples/kubernetes/policy.json" >"$1"
}

# install_node POLICY: the installer, once, with POLICY as its ConfigMap.
install_node() {
    HOST_ROOT=$HOST HARDENED_BIN=$CRI_DIR/node-hardened HARDENED_HOST_BIN=$CRI_DIR/node/hardened \
        POLICY_FILE=$1 CONTAINERD_STATE=$CRI_DIR/state SELF_CONFIG=$(cat "$CRI_DIR/self-config") ONESHOT=1 \
        RESTART_CONTAINERD="/bin/sh '$CRI_SUPERVISE' restart '$CRI_DIR'" \
        LABEL_NODE="echo hardened.dev/runtime=ready >>'$CRI_DIR/node-labels'" \
        "$INSTALL_NODE"
}

H='plugins."io.containerd.grpc.v1.cri".containerd.runtimes.hardened'

# toml_table FILE NAME: the keys of table [NAME] in FILE, one a line, unindented.
toml_table() {
    awk -v h="[$2]" '/^ *\[/ { on = ($1 == h); next } on && NF { sub(/^ +/, ""); print }' "$1"
}

# the node's state a refused run must leave alone
snapshot() {
    cat "$HOST/etc/containerd/config.toml" >"$CRI_DIR/before.toml"
    cat "$HOST_POLICY" >"$CRI_DIR/before-policy.json"
    cat "$CRI_DIR/node-labels" >"$CRI_DIR/before-labels"
    cat "$CRI_DIR/containerd.pid" >"$CRI_DIR/before-pid"
}
unchanged() {
    cmp "$CRI_DIR/before.toml" "$HOST/etc/containerd/config.toml"
    cmp "$CRI_DIR/before-policy.json" "$HOST_POLICY"
    cmp "$CRI_DIR/before-labels" "$CRI_DIR/node-labels"
    cmp "$CRI_DIR/before-pid" "$CRI_DIR/containerd.pid"
}

# a good install done once (the first test's, or here when run alone)
installed() {
    [ -f "$CRI_DIR/node-labels" ] && return 0
    node_policy "$CRI_DIR/good.json"
    install_node "$CRI_DIR/good.json" 2>"$CRI_DIR/first-run.log"
}

@test "install-node.sh: the handler in containerd's config, the policy on the node, containerd restarted and answering, the node labelled; a hardened pod runs under that policy" {
    local old_pid
    old_pid=$(cat "$CRI_DIR/containerd.pid")
    ! grep -q 'runtimes.hardened]' "$HOST/etc/containerd/config.toml"
    [ ! -e "$HOST_POLICY" ]
    node_policy "$CRI_DIR/good.json"
    run --separate-stderr install_node "$CRI_DIR/good.json"
    echo "$stderr"
    [ "$status" -eq 0 ]
    [[ "$stderr" == *"install-node: containerd configuration changed: restarting containerd"* ]]
    [[ "$stderr" == *"install-node: node ready"* ]]
    # containerd's config has the handler, as containerd itself reads it
    containerd --config "$HOST/etc/containerd/config.toml" config dump >"$CRI_DIR/dump.toml"
    toml_table "$CRI_DIR/dump.toml" "$H" | grep -qxF 'runtime_type = "io.containerd.runc.v2"'
    toml_table "$CRI_DIR/dump.toml" "$H.options" | grep -qxF "BinaryName = \"$CRI_DIR/node/hardened\""
    toml_table "$CRI_DIR/dump.toml" "$H.options" | grep -qxF "Root = \"$CRI_DIR/state/runc\""
    # the binary and the policy on the node
    cmp "$CRI_DIR/node-hardened" "$HOST$CRI_DIR/node/hardened"
    cmp "$CRI_DIR/good.json" "$HOST_POLICY"
    # restarted: a new pid, and CRI answers; the installer's own pod survived
    [ "$(cat "$CRI_DIR/containerd.pid")" != "$old_pid" ]
    run cri version
    [ "$status" -eq 0 ]
    [[ "$output" == "containerd "*" v1" ]]
    cri status "$(cat "$CRI_DIR/installer-ctr")" | jq -e '.status.state == "CONTAINER_RUNNING"'
    [ "$(cat "$CRI_DIR/node-labels")" = hardened.dev/runtime=ready ]
    # a pod through the handler the installer wrote runs under that policy
    cri_start_pod node hardened
    run cri exec "$CTR" sh -c 'id -u; if touch /x 2>/dev/null; then echo rw; else echo ro; fi'
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 4242 ]
    [ "${lines[1]}" = ro ]
    jq -ces --arg id "$CTR" 'map(select(.container == $id and .verb == "create")) | last | .decision == "rewritten"' \
        "$CRI_DIR/node-decisions.jsonl"
}

# refused_install NAME JQ: after a good install, the installer run with the
# policy node_policy NAME.json JQ fails, says it installs nothing, and the
# node is as it was (containerd's config, the policy, the label, the pid).
refused_install() {
    installed
    snapshot
    node_policy "$CRI_DIR/$1.json" "$2"
    run --separate-stderr install_node "$CRI_DIR/$1.json"
    echo "$stderr"
    [ "$status" -ne 0 ]
    [[ "$stderr" == *"install-node: not installing: the policy in $CRI_DIR/$1.json is not usable"* ]]
    [[ "$stderr" != *"node ready"* ]]
    unchanged
}

@test "install-node.sh: a policy that fails lint is not installed: non-zero, the file named, containerd's config and the node's policy byte for byte as before, no label, no restart" {
    refused_install bad-lint '.rules.user.action = "sometimes"'
    [[ "$stderr" == *"install-node: $CRI_DIR/bad-lint.json: policy lint failed; keeping the installed policy"* ]]
}

@test "install-node.sh: a policy that would refuse the installer's own pod (no hardened-system exemption) is not installed, and says so" {
    node_policy "$CRI_DIR/no-exemption.json" 'del(.exemptions)'
    "$HARDENED" policy lint "$CRI_DIR/no-exemption.json" # it lints: the refusal is the pod check's
    refused_install no-exemption 'del(.exemptions)'
    [[ "$stderr" == *"install-node: $CRI_DIR/no-exemption.json: the policy would refuse the installer's own pod ($(cat "$CRI_DIR/self-config")); keeping the installed policy"* ]]
    [[ "$stderr" == *"$(cat "$CRI_DIR/self-config"): refused"* ]] # policy check's verdict, its reasons after
    [[ "$stderr" == *"devices.host refused at /linux/devices"* ]]
}

@test "install-node.sh: run again with nothing changed, containerd is not restarted" {
    installed
    snapshot
    run --separate-stderr install_node "$CRI_DIR/good.json"
    echo "$stderr"
    [ "$status" -eq 0 ]
    [[ "$stderr" == *"unchanged (already set up)"* ]]
    [[ "$stderr" != *"restarting containerd"* ]]
    [[ "$stderr" == *"install-node: node ready"* ]]
    cmp "$CRI_DIR/before-pid" "$CRI_DIR/containerd.pid"
    cmp "$CRI_DIR/before.toml" "$HOST/etc/containerd/config.toml"
    cmp "$CRI_DIR/before-policy.json" "$HOST_POLICY"
    kill -0 "$(cat "$CRI_DIR/containerd.pid")"
}
