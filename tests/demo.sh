#!/bin/sh
# A short demonstration of the installed hardened in front of runc: a
# busybox container run as root with runc's default capabilities comes out
# non-root, read-only, with one capability, no_new_privs, seccomp and
# limits; then two refusals with the line docker would print.
set -eu
HARDENED=${HARDENED:-$(command -v hardened || echo /usr/local/bin/hardened)}
POLICIES=${POLICIES:-$(dirname "$(dirname "$HARDENED")")/../etc/hardened}
[ -f "$POLICIES/default.json" ] || POLICIES=/etc/hardened
[ -f "$POLICIES/default.json" ] || POLICIES=$(cd "$(dirname "$0")/../policy/profiles" && pwd)
d=$(mktemp -d /tmp/hardened-demo.XXXXXX)
root=$d/state
trap 'runc --root "$root" delete --force demo-$$ >/dev/null 2>&1 || true; rm -rf "$d"' EXIT

mkdir -p "$d/bundle/rootfs/bin" "$d/bundle/rootfs/proc" "$d/bundle/rootfs/sys" \
         "$d/bundle/rootfs/dev" "$d/bundle/rootfs/tmp" "$d/bundle/rootfs/etc"
chmod 1777 "$d/bundle/rootfs/tmp"
cp /bin/busybox "$d/bundle/rootfs/bin/"
chroot "$d/bundle/rootfs" /bin/busybox --install -s /bin
(cd "$d/bundle" && runc spec)
script='echo "id: $(id)"; touch /x 2>&1 | sed "s/^/write to \/: /"; echo ok > /tmp/f && echo "write to /tmp: $(cat /tmp/f)"; grep -E "^(CapEff|CapBnd|NoNewPrivs|Seccomp):" /proc/self/status; echo "memory limit: $(cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || echo n/a)"'
jq --arg s "$script" '.process.terminal = false | .root.readonly = false | .process.args = ["sh", "-c", $s]' \
    "$d/bundle/config.json" > "$d/c.json" && mv "$d/c.json" "$d/bundle/config.json"
cp "$d/bundle/config.json" "$d/original.json"

echo "\$ hardened --version"
"$HARDENED" --version
echo
echo "\$ hardened --policy $POLICIES/default.json run demo     # a root container with runc's default caps"
"$HARDENED" --policy "$POLICIES/default.json" --root "$root" run --bundle "$d/bundle" "demo-$$"
echo
echo "\$ hardened --policy $POLICIES/restricted.json --log log.json --log-format json run demo"
cp "$d/original.json" "$d/bundle/config.json"
if "$HARDENED" --policy "$POLICIES/restricted.json" --root "$root" --log "$d/log.json" --log-format json \
        run --bundle "$d/bundle" "demo-$$" 2>/dev/null; then
    echo "unexpected: the container ran" >&2
    exit 1
fi
echo "refused; the line docker would print:"
jq -r 'select(.level == "error") | .msg' "$d/log.json" | tail -1
echo
echo "\$ # config.json now says \"readonly\": false, \"readonly\": true (runc would take the last)"
sed 's/"readonly": *false/"readonly": false, "readonly": true/' "$d/original.json" > "$d/bundle/config.json"
rm -f "$d/log.json"
if "$HARDENED" --policy "$POLICIES/default.json" --root "$root" --log "$d/log.json" --log-format json \
        run --bundle "$d/bundle" "demo-$$" 2>/dev/null; then
    echo "unexpected: the container ran" >&2
    exit 1
fi
echo "refused:"
jq -r 'select(.level == "error") | .msg' "$d/log.json" | tail -1
