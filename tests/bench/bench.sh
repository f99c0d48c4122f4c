#!/usr/bin/env bash
# Start-up overhead of the shim against a no-op backend, measured in one
# run so the numbers are ratios against a baseline taken on the same machine
# at the same time (never timed assertions).  Needs hyperfine; uses
# valgrind (instruction counts) and GNU time (peak memory) when present.
#
#   tests/bench/bench.sh [BUILD_DIR]     (default: the source tree)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top}
hd=$build/hardened
fake=$build/tests/helpers/fake-runtime
[ -x "$hd" ] && [ -x "$fake" ] || { echo "build first: make && make check TESTS=" >&2; exit 2; }
command -v hyperfine >/dev/null || { echo "needs hyperfine (apt-get install hyperfine)" >&2; exit 2; }

# Engines keep bundles on tmpfs (/run/containerd/..., /run/docker/...), so the
# bundles here live on tmpfs too (/dev/shm).  On a disk, the write-back's two
# fsync calls add the device's flush latency; BENCH_DIR=/some/disk/dir shows it.
d=$(mktemp -d "${BENCH_DIR:-/dev/shm}/hardened-bench.XXXXXX")
trap 'rm -rf "$d"' EXIT
mkdir -p "$d/small" "$d/big"
# Docker's capture minus its libnetwork hook (it names a dockerd pid of the
# capturing machine, which hooks.allowList would refuse here); the container
# id is Docker's, as its bind sources say.
jq -c 'del(.hooks)' "$top/tests/fixtures/run-default.json" > "$d/docker.json"
id=b1d13743c363f3d773ac96e7239f378a8c2cef445425cc2de044333e3da10270
cp "$d/docker.json" "$d/small/config.json"
jq -c '.annotations = ([range(0; 20000)] | map({key: "bench.example/k\(.)", value: ("v" * 20)}) | from_entries)' \
    "$d/docker.json" > "$d/big/config.json"
unset FAKE_RUNTIME_OUT

off=$top/tests/fixtures/policy-off.json
pol=$top/policy/profiles/default.json
# the default policy rewrites the config; each run starts from Docker's file
hyperfine -N --warmup 50 --runs 1000 --export-json "$d/small.json" \
    -n baseline "$fake create --bundle $d/small c1" \
    -n pass-through "$hd --backend $fake state c1" \
    -n "create-9KB, rules off" "$hd --policy $off --backend $fake create --bundle $d/small c1" >/dev/null
mkdir -p "$d/pol"
hyperfine -N --warmup 20 --runs 500 --export-json "$d/pol.json" \
    --prepare "cp $d/docker.json $d/pol/config.json" \
    -n baseline "$fake create --bundle $d/pol c1" \
    -n "create-9KB, default policy (rewrites everything)" "$hd --policy $pol --backend $fake create --bundle $d/pol $id" >/dev/null
hyperfine -N --warmup 5 --runs 100 --export-json "$d/big.json" \
    -n baseline "$fake create --bundle $d/big c1" \
    -n "create-$(( $(stat -c %s "$d/big/config.json") / 1024 ))KB, rules off" "$hd --policy $off --backend $fake create --bundle $d/big c1" >/dev/null

report() {
    jq -r '.results as $r | ($r[] | select(.command == "baseline") | .median) as $b
           | $r[] | select(.command != "baseline")
           | "\(.command): median \(.median * 1000 | . * 1000 | round / 1000) ms, "
             + "\((.median / $b) * 100 | round / 100)x baseline, "
             + "+\(((.median - $b) * 1000) * 1000 | round / 1000) ms"' "$1"
}
echo "baseline: the no-op backend executed directly"
report "$d/small.json"
report "$d/pol.json"
report "$d/big.json"

if command -v valgrind >/dev/null; then
    # Instructions until the process image is replaced: callgrind dumps a
    # profile part just before execve, for the shim and the baseline alike.
    ins() {
        rm -f "$d"/cg.out*
        valgrind --tool=callgrind --dump-before=execve --callgrind-out-file="$d/cg.out" "$@" >/dev/null 2>&1 || true
        awk '/^(summary|totals):/ { print $2; exit }' "$d/cg.out.1" 2>/dev/null || echo "?"
    }
    p=$(ins "$hd" --backend "$fake" state c1)
    s=$(ins "$hd" --policy "$off" --backend "$fake" create --bundle "$d/small" c1)
    cp "$d/docker.json" "$d/pol/config.json"
    ins "$hd" --policy "$pol" --backend "$fake" create --bundle "$d/pol" "$id" >/dev/null  # warm the seccomp proof cache
    cp "$d/docker.json" "$d/pol/config.json"
    r=$(ins "$hd" --policy "$pol" --backend "$fake" create --bundle "$d/pol" "$id")
    echo "instructions up to execve of the backend (callgrind): pass-through $p, create-9KB rules off $s, default policy $r"
fi
if [ -x /usr/bin/time ]; then
    cp "$d/docker.json" "$d/pol/config.json"
    echo "peak RSS create-9KB default policy: $(/usr/bin/time -f %M "$hd" --policy "$pol" --backend "$fake" create --bundle "$d/pol" "$id" 2>&1 >/dev/null | tail -1) KiB;" \
         "1 MB rules off: $(/usr/bin/time -f %M "$hd" --policy "$off" --backend "$fake" create --bundle "$d/big" c1 2>&1 >/dev/null | tail -1) KiB"
fi
