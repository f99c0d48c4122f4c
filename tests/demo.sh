#!/usr/bin/env bash
# Demonstrates the installed hardened: registered with Docker (the local
# daemon when one runs, else a private containerd + dockerd started here and
# stopped at the end), a container whose uid, read-only / and capabilities
# the policy sets, and one refusal as docker run prints it.
set -euo pipefail
HARDENED=${HARDENED:-$(command -v hardened || echo /usr/local/bin/hardened)}
POLICIES=${POLICIES:-/etc/hardened}
[ -f "$POLICIES/default.json" ] || POLICIES=$(cd "$(dirname "$0")/../policy/profiles" && pwd)
BATS_TEST_DIRNAME=$(cd "$(dirname "$0")/e2e" && pwd)
top_srcdir=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=e2e/helpers.bash
. "$BATS_TEST_DIRNAME/helpers.bash"
E2E_IMAGE=hd-busybox:demo

D=$(mktemp -d /tmp/hardened-demo.XXXXXX)
private=false
cleanup() {
    if $private; then e2e_stop "$D"; fi
    rm -rf "$D"
}
trap cleanup EXIT

echo "\$ hardened policy version"
"$HARDENED" policy version
echo

if "$E2E_DOCKER" info >/dev/null 2>&1 && [ -f /var/run/docker.pid ]; then
    # The local Docker: `hardened install docker` adds the two runtimes to
    # /etc/docker/daemon.json (the old file kept as daemon.json.hardened-backup;
    # `hardened uninstall docker --name NAME` takes each out again), then
    # dockerd reloads its runtimes on SIGHUP.
    for r in "hardened default" "hardened-restricted restricted"; do
        set -- $r
        "$HARDENED" install docker --name "$1" --path "$HARDENED" -- --policy "$POLICIES/$2.json"
    done
    kill -HUP "$(cat /var/run/docker.pid)"
    e2e_wait 20 sh -c "$E2E_DOCKER info --format '{{json .Runtimes}}' | jq -e 'has(\"hardened\")'"
    dk() { "$E2E_DOCKER" "$@"; }
    echo "registered with the local Docker in /etc/docker/daemon.json (runtimes hardened, hardened-restricted)"
else
    echo "no Docker running: starting a private containerd + dockerd in $D"
    private=true
    jq -n '{bridge: "none", iptables: false, "ip-forward": false, "ip-masq": false}' > "$D/daemon.json"
    e2e_install_runtime "$D" hardened "$POLICIES/default.json"
    e2e_install_runtime "$D" hardened-restricted "$POLICIES/restricted.json"
    e2e_start "$D"
    E2E_DIR=$D
fi
e2e_rootfs "$D/image-rootfs"
tar -C "$D/image-rootfs" -c . | dk import - "$E2E_IMAGE" >/dev/null
echo

probe='echo "id: $(id)"; touch /x 2>&1 | sed "s/^/write to \/: /"; echo ok > /tmp/f && echo "write to /tmp: $(cat /tmp/f)"; grep -E "^(CapEff|CapBnd|NoNewPrivs|Seccomp):" /proc/self/status; echo "memory limit: $(cat /sys/fs/cgroup/memory/memory.limit_in_bytes)"'
echo "\$ docker run --rm --runtime=hardened --network none busybox sh -c '...'     # policy: $POLICIES/default.json"
dk run --rm --runtime=hardened --network none "$E2E_IMAGE" sh -c "$probe"
echo
echo "\$ docker run --rm --runtime=hardened-restricted --network none --user 0 busybox true     # policy: $POLICIES/restricted.json"
if dk run --rm --runtime=hardened-restricted --network none --user 0 "$E2E_IMAGE" true; then
    echo "unexpected: the container ran" >&2
    exit 1
fi
dk rmi "$E2E_IMAGE" >/dev/null 2>&1 || true
