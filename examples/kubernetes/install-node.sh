#!/bin/sh
# The node installer the DaemonSet runs (daemonset.yaml), one per node:
#   1. puts the hardened binary on the host (atomically: a new file renamed
#      over the old one, so a running container start never sees half);
#   2. vets the policy from the ConfigMap: `hardened policy lint`, then
#      `hardened policy check` of this very pod's own config.json, which
#      must not be refused (a policy that would lock the installer out is
#      never installed: the installer's namespace is exempt in a good one);
#   3. `hardened install containerd` on the host's config.toml (the
#      runtime handler the RuntimeClass names; `--default` when
#      HARDENED_DEFAULT=1) and the vetted policy (install keeps the last
#      good one as its backup), and restarts containerd only when its
#      config changed;
#   4. labels the node hardened.dev/runtime=ready, which the RuntimeClass
#      selects on;
#   5. then watches the ConfigMap: a changed policy is vetted the same way
#      before it replaces the installed one; a bad one is reported and the
#      last good one stays.
# Everything it touches is under HOST_ROOT (the host's / mounted in the
# pod).  The commands that reach outside are variables, so the same
# script runs in CI against a private containerd (tests/cri/installer.bats):
#   RESTART_CONTAINERD  (a shell command) default: systemctl restart containerd, in the host's
#                       namespaces (the pod has hostPID)
#   LABEL_NODE          (a shell command) default: kubectl label node $NODE_NAME ...
#   SELF_CONFIG         this pod's config.json (default: found from its
#                       container id under the host's containerd state)
#   ONESHOT=1           steps 1-4 only (tests)
set -eu

HOST_ROOT=${HOST_ROOT:-/host}
BIN_SRC=${HARDENED_BIN:-/opt/hardened/hardened}
BIN_DST=${HARDENED_HOST_BIN:-/usr/local/bin/hardened}
POLICY_SRC=${POLICY_FILE:-/etc/hardened-config/policy.json}
CONTAINERD_STATE=${CONTAINERD_STATE:-/run/containerd}
INTERVAL=${INTERVAL:-30}
RESTART_CONTAINERD=${RESTART_CONTAINERD:-nsenter --target 1 --mount --uts --ipc --net --pid -- systemctl restart containerd}
LABEL_NODE=${LABEL_NODE:-'kubectl label node "$NODE_NAME" hardened.dev/runtime=ready --overwrite'}

say() { echo "install-node: $*" >&2; }
die() { say "$*"; exit 1; }

hd=$HOST_ROOT$BIN_DST

put_binary() {
    if cmp -s "$BIN_SRC" "$hd"; then return 0; fi
    mkdir -p "$(dirname "$hd")"
    cp "$BIN_SRC" "$hd.new" && chmod 0755 "$hd.new" && mv -f "$hd.new" "$hd" || {
        rm -f "$hd.new"
        die "cannot install $BIN_SRC as $hd"
    }
    say "installed $hd"
}

# This pod's own config.json, as containerd wrote it for runc: its
# container id is the last part of its cgroup path.
self_config() {
    if [ -n "${SELF_CONFIG:-}" ]; then echo "$SELF_CONFIG"; return; fi
    id=$(sed -n 's#.*[/-]\([0-9a-f]\{64\}\)\(\.scope\)\{0,1\}$#\1#p' /proc/self/cgroup | head -n 1)
    [ -n "$id" ] || return 1
    echo "$HOST_ROOT$CONTAINERD_STATE/io.containerd.runtime.v2.task/k8s.io/$id/config.json"
}

# vet FILE: 0 when FILE lints and does not refuse this pod.
vet() {
    "$hd" policy lint "$1" >&2 || { say "$1: policy lint failed; keeping the installed policy"; return 1; }
    self=$(self_config) || { say "cannot find this pod's own config.json; keeping the installed policy"; return 1; }
    "$hd" policy check --policy "$1" --root "$CONTAINERD_STATE/runc/k8s.io" "$self" >&2 || {
        say "$1: the policy would refuse the installer's own pod ($self); keeping the installed policy"
        return 1
    }
}

# install POLICY: the runtime handler and the policy; restart containerd
# when its configuration changed.
install() {
    conf=$HOST_ROOT/etc/containerd/config.toml
    before=$(cksum "$conf" 2>/dev/null || true)
    "$hd" install containerd --root "$HOST_ROOT" --path "$BIN_DST" ${HARDENED_DEFAULT:+--default} --policy "$1" >&2 ||
        die "hardened install containerd failed"
    after=$(cksum "$conf" 2>/dev/null || true)
    [ "$before" = "$after" ] || { say "containerd configuration changed: restarting containerd"; eval "$RESTART_CONTAINERD"; }
}

policy_sum() { cksum "$POLICY_SRC" 2>/dev/null || echo none; }

put_binary
vet "$POLICY_SRC" || die "not installing: the policy in $POLICY_SRC is not usable"
install "$POLICY_SRC"
eval "$LABEL_NODE" >&2 || die "cannot label the node"
say "node ready"
[ "${ONESHOT:-0}" = 1 ] && exit 0

last=$(policy_sum)
while sleep "$INTERVAL"; do
    now=$(policy_sum)
    [ "$now" != "$last" ] || continue
    last=$now
    if vet "$POLICY_SRC"; then install "$POLICY_SRC"; say "policy updated"; fi
done
