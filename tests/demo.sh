#!/bin/sh
# A short demonstration of the installed hardened in front of runc: a
# busybox container that runs through it exactly as through runc, and a
# config.json that runc's decoder would read differently, refused before
# runc ever sees it.
set -eu
HARDENED=${HARDENED:-$(command -v hardened || echo /usr/local/bin/hardened)}
d=$(mktemp -d /tmp/hardened-demo.XXXXXX)
root=$d/state
trap 'runc --root "$root" delete --force demo-$$ >/dev/null 2>&1 || true; rm -rf "$d"' EXIT

mkdir -p "$d/bundle/rootfs/bin" "$d/bundle/rootfs/proc" "$d/bundle/rootfs/sys" \
         "$d/bundle/rootfs/dev" "$d/bundle/rootfs/tmp" "$d/bundle/rootfs/etc"
cp /bin/busybox "$d/bundle/rootfs/bin/"
chroot "$d/bundle/rootfs" /bin/busybox --install -s /bin
(cd "$d/bundle" && runc spec)
jq '.process.terminal = false | .process.args = ["sh", "-c", "echo hello from $(hostname): $(id)"]' \
    "$d/bundle/config.json" > "$d/c.json" && mv "$d/c.json" "$d/bundle/config.json"

echo "\$ hardened --version"
"$HARDENED" --version
echo
echo "\$ hardened run --bundle BUNDLE demo      # a busybox container, through hardened"
"$HARDENED" --root "$root" run --bundle "$d/bundle" "demo-$$"
echo
echo "\$ # config.json now says \"readonly\": true, \"readonly\": false (runc would take the last)"
sed -i 's/"readonly": *true/"readonly": true, "readonly": false/' "$d/bundle/config.json"
echo "\$ hardened --log log.json --log-format json run --bundle BUNDLE demo"
if "$HARDENED" --root "$root" --log "$d/log.json" --log-format json run --bundle "$d/bundle" "demo-$$" 2>/dev/null; then
    echo "unexpected: the container ran" >&2
    exit 1
fi
echo "refused; the error line docker would show:"
cat "$d/log.json"
