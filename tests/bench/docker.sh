#!/usr/bin/env bash
# The end-to-end row of `make bench`: `docker run --rm busybox true` through
# hardened under the shipped default policy against Docker's built-in runc
# runtime, on one private containerd + dockerd (tests/e2e/helpers.bash's:
# own sockets, data-root, exec-root and pidfiles, "bridge": "none", so every
# run says --network none as the e2e suite's do; no registry: the busybox
# image is imported from Debian's busybox-static).  Docker reserves the name
# "runc" (daemon.json cannot register it), so the plain runtime is the
# built-in one, which containerd's shim resolves as "runc" in its PATH.
# The runtime "hardened" is the build's binary with runtimeArgs naming a
# bench-local copy of policy/profiles/default.json whose "runtime" is that
# same runc: Docker runs it through a shell script of its own
# (DATA-ROOT/runtimes/hardened), a shell per runtime call.  With
# BENCH_INSTALL_POLICY=1 (as bench.sh's) that copy is also placed at the
# build's installed policy path, when nothing is there, and "hardened-direct"
# is the binary registered by path alone, as README's set-up for an
# installed policy has it: Docker runs it directly.  After a warm-up, PAIRS
# rounds, each runtime once per round in an order drawn anew (a fixed
# seed; rotating one order kept each runtime after the same other, so what
# a run leaves the daemons to finish weighed on the same next runtime every
# round: 1.015 against 1.057 where drawn orders give 1.034 against 1.045),
# are timed with a monotonic
# clock around the whole `docker run`; the figure is the median of the
# per-round ratios hardened/runc (target <= 1.02), "added" the median of the
# per-round differences.  A benchmark, never an assertion: a run that fails
# fails the row, not the script.  The daemons are stopped by pid on every
# exit (Ctrl-C included), and the placed policy removed; nothing here
# touches another daemon.
# The floor row: tests/bench/floor.c built to exec that runc and nothing
# else, registered by path alone as "floor": what any wrapper in front of
# runc costs a `docker run` here, whatever it does.
#
#   tests/bench/docker.sh [BUILD_DIR]      (default: the source tree)
#   BENCH_DOCKER_PAIRS=N  rounds (default 150, enough to tell 1 % apart;
#                         BENCH_QUICK=1: 10)
#   BENCH_QUICK=1         fewer rounds and warm-up runs
#   BENCH_INSTALL_POLICY=1  also the hardened-direct row (see above)
#   BENCH_DOCKER_RUNS=FILE  keep every run there (round, runtime, ms, exit
#                         status, stderr's last line; tab-separated)
# Skips (exit 0, with a note) without root, dockerd, containerd, runc or
# busybox-static (.ci/deps: docker.io containerd runc busybox-static).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$top}" && pwd)
[ -x "$build/hardened" ] || { echo "build first: make" >&2; exit 2; }
command -v python3 >/dev/null || { echo "needs python3" >&2; exit 2; }
pairs=${BENCH_DOCKER_PAIRS:-${BENCH_QUICK:+10}}; pairs=${pairs:-150}
warmup=${BENCH_QUICK:+1}; warmup=${warmup:-3}
case $pairs in '' | *[!0-9]* | 0) echo "BENCH_DOCKER_PAIRS: a number of pairs, at least 1" >&2; exit 2 ;; esac

# The e2e suite's daemon helpers (they need HARDENED and top_srcdir set
# outside bats); skip() is bats's, here it ends the script with a note.
export HARDENED=$build/hardened top_srcdir=$top
# shellcheck source=tests/e2e/helpers.bash
. "$top/tests/e2e/helpers.bash"
skip() {
    echo "note: the docker row is skipped: $*" >&2
    exit 0
}
CI='' e2e_require

d=
# shellcheck source=tests/bench/installed-policy.sh
. "$top/tests/bench/installed-policy.sh"
cleanup() {
    installed_remove
    [ -n "$d" ] || return 0
    e2e_teardown "$d"
    d=
}
trap cleanup EXIT
trap 'cleanup; trap - INT; kill -INT $$' INT
trap 'cleanup; exit 143' TERM
d=$(mktemp -d /tmp/hd-bench-docker.XXXXXX)

# The plain runtime's runc: what containerd's shim finds as "runc" in the
# daemons' PATH; hardened's policy names the same binary.
runc=$(command -v runc)
jq --arg rt "$runc" '.runtime = $rt' "$top/policy/profiles/default.json" > "$d/policy-default.json"
e2e_daemon_json "$d"
jq '.runtimes |= {hardened}' "$d/daemon.json" > "$d/daemon.json.new" && mv "$d/daemon.json.new" "$d/daemon.json"
runtimes=(hardened runc)
cc=$(sed -n 's/^CC = //p' "$build/Makefile" 2>/dev/null); cc=${cc:-cc}
# shellcheck disable=SC2086 # the build's compiler, word-split as make does
if $cc -O2 -static-pie -fPIE -DFLOOR_BACKEND="\"$runc\"" -o "$d/floor-runc" "$top/tests/bench/floor.c" 2>"$d/floor.log"; then
    "$HARDENED" install docker --config "$d/daemon.json" --name floor --path "$d/floor-runc" >/dev/null
    runtimes+=(floor)
else
    echo "note: the floor row is skipped: $(head -1 "$d/floor.log")" >&2
fi
if installed_place "$d/policy-default.json" hardened-direct; then
    "$HARDENED" install docker --config "$d/daemon.json" --name hardened-direct --path "$HARDENED" >/dev/null
    runtimes+=(hardened-direct)
fi
e2e_start "$d"
e2e_image "$d"
export E2E_DIR=$d

# The policy is in force (65534, the default policy's user) and runc is not:
# otherwise the figures would compare two plain runs.
setup_ok=yes
for rt in "${runtimes[@]}"; do
    want=65534; [ "$rt" != runc ] && [ "$rt" != floor ] || want=0
    uid=$(dk run --rm --runtime="$rt" --network none "$E2E_IMAGE" id -u 2>&1) || true
    if [ "$uid" != "$want" ]; then
        echo "docker.sh: the runtimes are not what they should be: $rt ran as '$uid', not $want" >&2
        setup_ok=no
    fi
done

# ---- the rounds ----------------------------------------------------------
# One python3 process runs every docker run and reads CLOCK_MONOTONIC
# around each; per run: round, runtime, ms, exit status, stderr's last line.
python3 - "$E2E_DOCKER" "unix://$d/docker.sock" "$E2E_IMAGE" "$pairs" "$warmup" "$d/runs.tsv" "${runtimes[@]}" <<'PY'
import random, subprocess, sys, time
docker, host, image, rounds, warmup, out = sys.argv[1:7]
runtimes = sys.argv[7:]
def run(rt):
    argv = [docker, "-H", host, "run", "--rm", "--runtime=" + rt, "--network", "none", image, "true"]
    t0 = time.monotonic_ns()
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    t1 = time.monotonic_ns()
    err = p.stderr.decode(errors="replace").strip().splitlines()
    return (t1 - t0) / 1e6, p.returncode, (err[-1] if err else "")
try:
    for _ in range(int(warmup)):
        for rt in runtimes:
            run(rt)
    with open(out, "w") as f:
        order = random.Random(13)  # the same orders every run of the bench
        for i in range(int(rounds)):
            for rt in order.sample(runtimes, len(runtimes)):
                ms, rc, err = run(rt)
                f.write("%d\t%s\t%.3f\t%d\t%s\n" % (i, rt, ms, rc, err.replace("\t", " ")))
except KeyboardInterrupt:
    sys.exit(130)
PY

# ---- the figures -----------------------------------------------------------
# figures RUNTIME: medians of its and runc's successful runs; per round
# (both runs succeeded) the ratio RUNTIME/runc and the difference, and
# their medians; then the count of good rounds, of its and runc's failed
# runs, and the first of those.
figures() {
    python3 - "$d/runs.tsv" "$1" <<'PY'
import statistics, sys
runs = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
rt = sys.argv[2]
by = {}
for rnd, r, ms, rc, err in runs:
    by.setdefault(int(rnd), {})[r] = (float(ms), int(rc), err)
ok = {x: [v[x][0] for v in by.values() if v[x][1] == 0] for x in (rt, "runc")}
good = [v for v in by.values() if v[rt][1] == 0 and v["runc"][1] == 0]
failed = [r for r in runs if r[3] != "0" and r[1] in (rt, "runc")]
med = lambda xs: "%.3f" % statistics.median(xs) if xs else "-"
ratios = [v[rt][0] / v["runc"][0] for v in good]
diffs = [v[rt][0] - v["runc"][0] for v in good]
spread = "%.3f-%.3f" % (min(ratios), max(ratios)) if ratios else "-"
err = ("%s: %s" % (failed[0][1], failed[0][4] or "exit %s" % failed[0][3])).replace(" ", "\x01") if failed else "-"
print(med(ok[rt]), med(ok["runc"]), med(ratios), med(diffs), spread, len(good), len(failed), err)
PY
}
[ -z "${BENCH_DOCKER_RUNS:-}" ] || cp "$d/runs.tsv" "$BENCH_DOCKER_RUNS"

line() { printf '%-34s %10s %10s %9s %12s  %-34s %s\n' "$@"; }
header=
for rt in "${runtimes[@]}"; do
    [ "$rt" != runc ] || continue
    read -r med_hd med_rc ratio added spread ok failed first_err < <(figures "$rt")
    first_err=${first_err//$'\x01'/ }
    met=$(awk -v r="$ratio" 'BEGIN { print (r != "-" && r + 0 <= 1.02) ? "yes" : "no" }')
    [ "$failed" = 0 ] || met="no ($failed runs failed)"
    [ "$setup_ok" = yes ] || met="no (policy not in force)"
    [ "$failed" = 0 ] || echo "docker.sh: $failed of $((2 * pairs)) runs of $rt and runc failed; the first: $first_err" >&2
    echo "docker run --rm busybox true, $rt: $ok good rounds of $pairs (orders drawn, after $warmup warm-up runs each);" \
        "median $rt $med_hd ms, runc $med_rc ms; per-round ratio median $ratio (range $spread)"
    if [ -z "$header" ]; then
        header=yes
        line row "median ms" "added ms" "go/ours" instructions target met
        line "docker run, --runtime=runc" "$med_rc" - - - "(baseline)" -
    fi
    case $rt in
    floor) line "docker run, exec-only wrapper" "$med_hd" "$added" - - "(floor: ratio $ratio)" - ;;
    hardened-direct) line "docker run, hardened by path alone" "$med_hd" "$added" - - "ratio <= 1.02 (got $ratio)" "$met" ;;
    *) line "docker run, --runtime=$rt" "$med_hd" "$added" - - "ratio <= 1.02 (got $ratio)" "$met" ;;
    esac
done
echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -sr);" \
    "$(dockerd --version | sed 's/,.*//'), containerd $(containerd --version | awk '{ print $3 }'), $("$runc" --version | head -1)"
