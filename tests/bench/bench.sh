#!/usr/bin/env bash
# The start-path benchmark (`make bench`): every row is measured in the same
# run as its baselines, a no-op backend executed directly and, where Debian's
# golang-go is installed, a Go wrapper of nvidia-container-runtime's shape
# (tests/bench/gowrap), so the figures are ratios on this machine at this
# moment, never timed assertions.  Needs hyperfine and jq; valgrind gives
# instruction counts up to the backend's execve, GNU time the peak memory.
# The floors (tests/bench/floor.c, built here) say what no wrapper can go
# below on this machine: an exec-only wrapper linked static and linked as
# hardened is, and the same wrapper parsing the 9 KB config with yajl.
# The worst cases (a document at the size limit of one kind of entry) are
# tests/bench/worst.sh's, which `make bench` runs after this.
#
#   tests/bench/bench.sh [BUILD_DIR]       (default: the source tree)
#   BENCH_QUICK=1: fewer runs (a smoke test of the script itself)
#   BENCH_INSTALL_POLICY=1: also measure the installed-policy row (see below)
#   BENCH_DIR=DIR: where bundles live (default /dev/shm: engines keep bundles
#                  on tmpfs; on a disk the write-back's fsyncs add the
#                  device's flush latency)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$top}" && pwd)
hd=$build/hardened
fake=$build/tests/helpers/fake-runtime
[ -x "$hd" ] && [ -x "$fake" ] || { echo "build first: make && make check TESTS=" >&2; exit 2; }
for t in hyperfine jq python3; do
    command -v "$t" >/dev/null || { echo "needs $t (apt-get install $t)" >&2; exit 2; }
done
runs=${BENCH_QUICK:+30}; runs=${runs:-500}
d=$(mktemp -d "${BENCH_DIR:-/dev/shm}/hardened-bench.XXXXXX")
# The real set-up of a pass-through verb: the policy at the installed path
# and no --backend (installed-policy.sh).  Without BENCH_INSTALL_POLICY=1 the
# row is skipped; the --policy row runs the same code.
# shellcheck source=tests/bench/installed-policy.sh
. "$top/tests/bench/installed-policy.sh"
cleanup() {
    installed_remove
    rm -rf "$d"
}
trap cleanup EXIT
unset FAKE_RUNTIME_OUT

# ---- inputs --------------------------------------------------------------
# Docker's capture minus its libnetwork hook (it names a dockerd pid of the
# capturing machine); the container id is Docker's, as its bind sources say.
id=b1d13743c363f3d773ac96e7239f378a8c2cef445425cc2de044333e3da10270
jq -c 'del(.hooks)' "$top/tests/fixtures/run-default.json" > "$d/docker.json"
# The global flags containerd's runc shim gives every call: a state root, and
# a runc log in JSON (every finding is a line there, so its cost counts).
eng=(--root "$d/root" --log "$d/log.json" --log-format json)
# The real set-up: the policy named as Docker's runtimeArgs name it, its
# "runtime" the backend (no --backend flag).
jq --arg rt "$fake" '.runtime = $rt' "$top/policy/profiles/default.json" > "$d/policy.json"
jq --arg rt "$fake" '.runtime = $rt | .rules |= with_entries(.value.action = "off")' \
    "$top/policy/profiles/default.json" > "$d/policy-off.json"
pad() { # pad SIZE_BYTES OUT: Docker's config grown with annotations
    python3 - "$d/docker.json" "$1" "$2" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1])); want = int(sys.argv[2]); n = 0
doc["annotations"] = {}
while len(json.dumps(doc, separators=(",", ":"))) < want:
    for _ in range(100):
        doc["annotations"]["bench.example/k%d" % n] = "v" * 40; n += 1
json.dump(doc, open(sys.argv[3], "w"), separators=(",", ":"))
PY
}
pad 100000 "$d/docker-100k.json"
pad 1000000 "$d/docker-1m.json"
cp "$top/tests/fixtures/exec-user0.json" "$d/process.json"
echo '{"memory":{"limit":268435456,"swap":268435456},"cpu":{"quota":100000,"period":100000},"pids":{"limit":512}}' > "$d/resources.json"

gowrap=
if command -v go >/dev/null && [ -d /usr/share/gocode/src/github.com/opencontainers/runtime-spec ]; then
    GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE=$d/gocache go build -o "$d/gowrap" "$top/tests/bench/gowrap/main.go" &&
        gowrap=$d/gowrap
fi
[ -n "$gowrap" ] || echo "note: golang-go or golang-github-opencontainers-specs-dev missing: the Go wrapper rows are skipped" >&2

# The floors (tests/bench/floor.c): what any wrapper adds however little it
# does, built here with the build's compiler.  floor: one execve more, libc
# linked in (-static-pie, no loader).  floor-dyn: the same with libc and
# libmnl as shared objects, the loader's part of every hardened call while
# libmnl has no static archive.  floor-yajl: the static floor that first
# parses the 9 KB config with yajl as the shim configures it, no tree built.
mk() { sed -n "s/^$1 = //p" "$build/Makefile" 2>/dev/null; }
cc=$(mk CC); cc=${cc:-cc}
floors=()
floor_build() { # floor_build NAME CC-ARGS...
    local name=$1; shift
    # shellcheck disable=SC2086 # the build's flags, word-split as make does
    if $cc -O2 -o "$d/$name" "$top/tests/bench/floor.c" "$@" 2>"$d/$name.log"; then
        floors+=("$name")
    else
        echo "note: the $name row is skipped: $(head -1 "$d/$name.log")" >&2
    fi
}
floor_build floor -static-pie -fPIE
# shellcheck disable=SC2046 # the build's flags, word-split as make does
floor_build floor-dyn -fPIE -pie -Wl,-z,relro -Wl,-z,now -Wl,--no-as-needed $(mk MNL_LIBS)
# shellcheck disable=SC2046 # the same
floor_build floor-yajl -DFLOOR_YAJL -static-pie -fPIE $(mk YAJL_CFLAGS) $(mk YAJL_LIBS)
floor_cmd() { # floor_cmd NAME: its command line for the floors run
    case $1 in
    floor-yajl) echo "$d/$1 --yajl $d/docker.json $fake state $id" ;;
    *) echo "$d/$1 $fake state $id" ;;
    esac
}

# ---- wall time -------------------------------------------------------------
# measure NAME POLICY SRC DST VERB-ARGS...: hyperfine of the no-op backend,
# the Go wrapper (create only) and hardened, each given VERB-ARGS, with SRC
# copied to DST before every run (the shim rewrites what it checks); @B@ is
# the row's bundle directory.  Medians in $d/NAME.json.
measure() {
    local name=$1 pol=$2 src=$3 dst=$4
    shift 4
    local b=$d/b-$name args verb
    verb="$*"; verb=${verb//@B@/$d/b-$name}
    mkdir -p "$b"
    args=(-N --warmup 20 --runs "$runs" --export-json "$d/$name.json")
    [ "$src" = - ] || args+=(--prepare "cp $src ${dst//@B@/$b}")
    args+=(-n baseline "$fake $verb")
    [ -z "$gowrap" ] || [ "$1" != create ] || args+=(-n gowrap "$gowrap $fake $verb")
    case $pol in --*) ;; *) pol="--policy $pol" ;; esac # POLICY may be other flags
    args+=(-n hardened "$hd ${eng[*]} $pol $verb")
    hyperfine "${args[@]}" >/dev/null 2>&1
}
median() { jq -r --arg c "$2" '.results[] | select(.command == $c) | .median' "$d/$1.json" 2>/dev/null || true; }

cp "$d/process.json" "$d/process.orig"
measure create9k "$d/policy.json" "$d/docker.json" @B@/config.json create --bundle @B@ "$id"
measure create9k-off "$d/policy-off.json" "$d/docker.json" @B@/config.json create --bundle @B@ "$id"
measure create100k "$d/policy.json" "$d/docker-100k.json" @B@/config.json create --bundle @B@ "$id"
runs_saved=$runs; runs=$(( runs / 5 > 10 ? runs / 5 : 10 ))
measure create1m "$d/policy.json" "$d/docker-1m.json" @B@/config.json create --bundle @B@ "$id"
runs=$runs_saved
measure passthrough "$d/policy.json" - - state "$id"
measure passthrough-backend "--backend $fake" - - state "$id"
installed_place "$d/policy.json" installed-policy || true
if [ -n "$placed" ]; then
    hyperfine -N --warmup 20 --runs "$runs" --export-json "$d/passthrough-installed.json" \
        -n baseline "$fake state $id" -n hardened "$hd ${eng[*]} state $id" >/dev/null 2>&1
fi
if [ ${#floors[@]} -gt 0 ]; then
    fl=(-N --warmup 20 --runs "$runs" --export-json "$d/floors.json" -n baseline "$fake state $id")
    for f in "${floors[@]}"; do fl+=(-n "$f" "$(floor_cmd "$f")"); done
    hyperfine "${fl[@]}" >/dev/null 2>&1
fi
measure exec "$d/policy.json" "$d/process.orig" "$d/process.json" exec --process "$d/process.json" "$id"
hyperfine -N --warmup 20 --runs "$runs" --export-json "$d/update.json" \
    -n baseline "sh -c 'exec $fake update -r - $id < $d/resources.json'" \
    -n hardened "sh -c 'exec $hd ${eng[*]} --policy $d/policy.json update -r - $id < $d/resources.json'" >/dev/null 2>&1

# ---- instructions up to the backend's execve (callgrind) ------------------
ins() {
    rm -f "$d"/cg.out*
    valgrind --tool=callgrind --dump-before=execve --callgrind-out-file="$d/cg.out" "$@" >/dev/null 2>&1 <"${INS_STDIN:-/dev/null}" || true
    awk '/^(summary|totals):/ { print $2; exit }' "$d/cg.out.1" 2>/dev/null || echo ""
}
declare -A icount=()
if command -v valgrind >/dev/null; then
    b=$d/b-ins; mkdir -p "$b"
    icount[baseline]=$(ins "$fake" state "$id")
    icount[passthrough]=$(ins "$hd" "${eng[@]}" --policy "$d/policy.json" state "$id")
    icount[passthrough-backend]=$(ins "$hd" "${eng[@]}" --backend "$fake" state "$id")
    [ -z "$placed" ] || icount[passthrough-installed]=$(ins "$hd" "${eng[@]}" state "$id")
    for row in create9k:docker.json create9k-off:docker.json create100k:docker-100k.json create1m:docker-1m.json; do
        pol=$d/policy.json; [ "${row%%:*}" != create9k-off ] || pol=$d/policy-off.json
        cp "$d/${row#*:}" "$b/config.json"; ins "$hd" "${eng[@]}" --policy "$pol" create --bundle "$b" "$id" >/dev/null # warm the proof cache
        cp "$d/${row#*:}" "$b/config.json"; icount[${row%%:*}]=$(ins "$hd" "${eng[@]}" --policy "$pol" create --bundle "$b" "$id")
    done
    for f in "${floors[@]}"; do
        # shellcheck disable=SC2046 # floor_cmd prints one command line
        icount[$f]=$(ins $(floor_cmd "$f"))
    done
    cp "$d/process.orig" "$d/process.json"
    icount[exec]=$(ins "$hd" "${eng[@]}" --policy "$d/policy.json" exec --process "$d/process.json" "$id")
    icount[update]=$(INS_STDIN=$d/resources.json ins "$hd" "${eng[@]}" --policy "$d/policy.json" update -r - "$id")
else
    echo "note: valgrind missing: no instruction counts" >&2
fi

# ---- peak memory -----------------------------------------------------------
rss=
if [ -x /usr/bin/time ]; then
    b=$d/b-rss; mkdir -p "$b"; cp "$d/docker.json" "$b/config.json"
    rss=$(/usr/bin/time -f %M "$hd" "${eng[@]}" --policy "$d/policy.json" create --bundle "$b" "$id" 2>&1 >/dev/null | tail -1)
fi

# ---- the table ---------------------------------------------------------------
ms() { awk -v v="$1" 'BEGIN { if (v == "") print "-"; else printf "%.3f", v * 1000 }'; }
added() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "") print ""; else printf "%.6f", a - b }'; }
check() { # check VALUE OP LIMIT -> yes/no/-
    awk -v v="$1" -v l="$3" -v op="$2" 'BEGIN { if (v == "" || v ~ />/) { print (v ~ />/ ? "no" : "-"); exit }
        print ((op == "<=" ? v + 0 <= l + 0 : v + 0 >= l + 0) ? "yes" : "no") }'
}
printf '%-34s %10s %10s %9s %12s  %-34s %s\n' row "median ms" "added ms" "go/ours" instructions target met
line() { printf '%-34s %10s %10s %9s %12s  %-34s %s\n' "$@"; }
row() { # row NAME JSON INSKEY TARGET_ADDED_MS TARGET_INS
    local m b g a ga ratio="-" ins=${icount[$3]:-} t met=yes
    m=$(median "$2" hardened); b=$(median "$2" baseline); g=$(median "$2" gowrap)
    a=$(added "$m" "$b"); ga=$(added "$g" "$b")
    [ -z "$ga" ] || ratio=$(awk -v x="$ga" -v y="$a" 'BEGIN { printf "%.1fx", (y > 0 ? x / y : 0) }')
    t="added <= $4 ms"
    [ "$(check "$(awk -v v="$a" 'BEGIN { if (v != "") print v * 1000 }')" '<=' "$4")" = yes ] || met=no
    if [ -n "$5" ]; then
        t="$t, <= $5 ins"
        [ "$(check "$ins" '<=' "$5")" = yes ] || met=no
    fi
    if [ -n "${6:-}" ] && [ -n "$ga" ]; then
        t="$t, Go >= ${6}x ours"
        [ "$(check "$(awk -v x="$ga" -v y="$a" 'BEGIN { print (y > 0 ? x / y : 0) }')" '>=' "$6")" = yes ] || met=no
    fi
    [ -n "$ins" ] || [ -z "$5" ] || met="no (no count)"
    line "$1" "$(ms "$m")" "$(ms "$a")" "$ratio" "${ins:--}" "$t" "$met"
}
line "no-op backend, run directly" "$(ms "$(median create9k baseline)")" - - "${icount[baseline]:--}" "(baseline)" -
[ -z "$gowrap" ] || line "Go wrapper (nvidia shape), 9 KB" "$(ms "$(median create9k gowrap)")" "$(ms "$(added "$(median create9k gowrap)" "$(median create9k baseline)")")" - - "(peer baseline)" -
row "create 9 KB, default policy" create9k create9k 0.3 1000000 8
row "create 9 KB, rules off" create9k-off create9k-off 0.3 ""
row "create 100 KB, default policy" create100k create100k 1 ""
row "create 1 MB, default policy" create1m create1m 8 ""
row "pass-through (state), --policy" passthrough passthrough 0.1 60000
row "pass-through (state), --backend" passthrough-backend passthrough-backend 0.1 60000
[ -z "$placed" ] || row "pass-through, installed policy" passthrough-installed passthrough-installed 0.1 60000
row "exec --process, default policy" exec exec 0.3 ""
row "update -r -, default policy" update update 0.3 ""
floor_line() { # floor_line NAME LABEL
    local f=$1 m b
    m=$(median floors "$f"); b=$(median floors baseline)
    [ -n "$m" ] || return 0
    line "$2" "$(ms "$m")" "$(ms "$(added "$m" "$b")")" - "${icount[$f]:--}" "(floor: $f)" -
}
for f in "${floors[@]}"; do
    case $f in
    floor) floor_line "$f" "floor: exec only, static" ;;
    floor-dyn) floor_line "$f" "floor: exec only, libc+libmnl .so" ;;
    floor-yajl) floor_line "$f" "floor: static + yajl parse, 9 KB" ;;
    esac
done
if [ -n "$rss" ]; then
    line "peak RSS, create 9 KB" "-" "-" "-" "-" "<= 4096 KiB (got $rss KiB)" "$(check "$rss" '<=' 4096)"
fi
echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -sr); bundles in ${BENCH_DIR:-/dev/shm}; $runs runs per row (1 MB: fewer)"
