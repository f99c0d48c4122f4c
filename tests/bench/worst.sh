#!/usr/bin/env bash
# The worst-case benchmark (part of `make bench`): a config is attacker-shaped
# (any Docker API user chooses its sysctls, annotations, env, mounts, seccomp
# rules and devices), so a document at the size limit (JSON_MAX_BYTES, 8 MiB)
# made of one kind of entry must be decided as fast as its size allows, on
# the runtime path and in `hardened policy check` alike.  Each row pads
# Docker's 9 KB config with one kind of entry up to the limit and times
#   runtime   hardened --policy P --backend <no-op> create --bundle B ID
#   check     hardened policy check --policy P B/config.json
# under the shipped default policy and under "rewrite" (every rule and every
# document class rewrite, so the removal paths run too).  Figures are
# medians of BENCH_WORST_RUNS runs (default 3), each cut off at
# BENCH_WORST_LIMIT seconds (default 60; ">60000" then, and the cell is not
# run again); BENCH_QUICK=1: one run, 5 s.  Never assertions.
#
#   tests/bench/worst.sh [BUILD_DIR]      (default: the source tree)
#   BENCH_WORST_BYTES=N  pad to N bytes instead of the limit
#   BENCH_WORST_KINDS="sysctls env ..."   only these rows
#   BENCH_DIR=DIR        where bundles live (default /dev/shm)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$top}" && pwd)
hd=$build/hardened
fake=$build/tests/helpers/fake-runtime
[ -x "$hd" ] && [ -x "$fake" ] || { echo "build first: make && make check TESTS=" >&2; exit 2; }
for t in jq python3 timeout; do
    command -v "$t" >/dev/null || { echo "needs $t" >&2; exit 2; }
done
limit_bytes=$(sed -n 's/^#define JSON_MAX_BYTES (\([0-9]*\)u << \([0-9]*\)).*/\1 \2/p' "$top/include/hardened/json.h" |
    awk '{ print $1 * 2 ^ $2 }')
[ -n "$limit_bytes" ] || { echo "cannot read JSON_MAX_BYTES from include/hardened/json.h" >&2; exit 2; }
want=${BENCH_WORST_BYTES:-$limit_bytes}
runs=${BENCH_WORST_RUNS:-${BENCH_QUICK:+1}}; runs=${runs:-3}
cutoff=${BENCH_WORST_LIMIT:-${BENCH_QUICK:+5}}; cutoff=${cutoff:-60}
kinds=${BENCH_WORST_KINDS:-"sysctls sysctls-dup annotations-runoci annotations-plain env mounts seccomp devices"}
d=$(mktemp -d "${BENCH_DIR:-/dev/shm}/hardened-worst.XXXXXX")
trap 'rm -rf "$d"' EXIT
unset FAKE_RUNTIME_OUT
id=b1d13743c363f3d773ac96e7239f378a8c2cef445425cc2de044333e3da10270

jq -c 'del(.hooks)' "$top/tests/fixtures/run-default.json" > "$d/docker.json"
cp "$top/policy/profiles/default.json" "$d/default.json"
jq '.rules |= with_entries(.value.action = "rewrite")
    | .document = { foldedKeys: "rewrite", nulls: "rewrite", duplicateKeys: "rewrite", unknownFields: "rewrite" }' \
    "$top/policy/profiles/default.json" > "$d/rewrite.json"

# gen KIND OUT: Docker's config padded with entries of KIND to at most
# $want bytes (compact, as Docker writes it); prints "entries bytes".
gen() {
    python3 - "$d/docker.json" "$1" "$2" "$want" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1])); kind = sys.argv[2]; want = int(sys.argv[4])
enc = lambda v: json.dumps(v, separators=(",", ":"))
lin = doc["linux"]
def dev(n):
    return {"path": "/dev/b%d" % n, "type": "c", "major": 1, "minor": 3, "fileMode": 438, "uid": 0, "gid": 0}
def cg(n):
    return {"allow": True, "type": "c", "major": 1, "minor": 3, "access": "rwm"}
# kind -> (container, entry maker): a map gets (key, value), a list items
kinds = {
    "sysctls": (lin.setdefault("sysctl", {}), lambda n: ("net.ipv4.conf.e%d.forwarding" % n, "1")),
    # every key given twice (document.duplicateKeys)
    "sysctls-dup": (None, lambda n: ("net.ipv4.conf.e%d.forwarding" % (n // 2), "1")),
    "annotations-runoci": (doc.setdefault("annotations", {}), lambda n: ("run.oci.k%d" % n, "v")),
    "annotations-plain": (doc.setdefault("annotations", {}), lambda n: ("bench.example/k%d" % n, "v")),
    "env": (doc["process"]["env"], lambda n: "V%d=x" % n),
    "mounts": (doc["mounts"], lambda n: {"destination": "/m%d" % n, "type": "tmpfs", "source": "tmpfs",
                                         "options": ["nosuid"]}),
    "seccomp": (lin["seccomp"]["syscalls"], lambda n: {"names": ["read"], "action": "SCMP_ACT_ALLOW",
                "args": [{"index": 0, "value": n, "op": "SCMP_CMP_EQ"}]}),
    # Docker's --device: a node and its cgroup rule
    "devices": (lin.setdefault("devices", []), lambda n: dev(n)),
}
box, make = kinds[kind]
if kind == "devices":
    cgl = lin.setdefault("resources", {}).setdefault("devices", [])
if kind == "sysctls-dup":
    # json.dumps cannot repeat a key: splice the members into the text
    lin["sysctl"] = {"@@": "@@"}
    base = len(enc(doc)) - len('"@@":"@@"')
    parts, size, n = [], base, 0
    while True:
        k, v = make(n)
        s = enc(k) + ":" + enc(v)
        if size + len(s) + 1 > want:
            break
        parts.append(s); size += len(s) + (1 if n else 0); n += 1
    text = enc(doc).replace('"@@":"@@"', ",".join(parts))
else:
    size, n = len(enc(doc)), 0
    while True:
        if isinstance(box, dict):
            k, v = make(n); step = len(enc(k)) + 1 + len(enc(v)) + 1
        else:
            item = make(n); step = len(enc(item)) + 1
            if kind == "devices":
                step += len(enc(cg(n))) + 1
        if size + step > want:
            break
        if isinstance(box, dict):
            box[k] = v
        else:
            box.append(item)
            if kind == "devices":
                cgl.append(cg(n))
        size += step; n += 1
    text = enc(doc)
    while len(text) > want:  # the first entry of an empty container needs no comma
        (box.popitem() if isinstance(box, dict) else box.pop()); n -= 1
        if kind == "devices":
            cgl.pop()
        text = enc(doc)
open(sys.argv[3], "w").write(text)
print(n, len(text))
PY
}

# timed OUT CMD...: one run cut off at $cutoff s; appends its ms to OUT.
# The exit status is not judged (a refusal is a decision too).
timed() {
    local out=$1 t0 t1 rc=0
    shift
    t0=$(date +%s%N)
    timeout "$cutoff" "$@" >/dev/null 2>&1 </dev/null || rc=$?
    t1=$(date +%s%N)
    if [ "$rc" = 124 ]; then echo ">$(( cutoff * 1000 ))" >> "$out"; else echo $(( (t1 - t0) / 1000000 )) >> "$out"; fi
}
median() { # the middle value of the runs in FILE (a cut-off run sorts last)
    sed 's/^>/999999999 >/' "$1" | sort -n | awk '{ v[NR] = $NF } END { print v[int((NR + 1) / 2)] }'
}

# variant KIND: the document the next timed run judges, in $d/run.json.  An
# attacker sends a distinct seccomp profile each time, so every run of that
# row gets one of its own: the last rule's argument value replaced by one no
# rule has, of the same number of digits (the size stays within the limit).
# A verdict the proof cache kept from an earlier run would be a figure no
# attacker sees.
serial=0
variant() {
    serial=$((serial + 1))
    if [ "$1" != seccomp ]; then
        cp "$d/$1.json" "$d/run.json"
        return
    fi
    python3 - "$d/$1.json" "$d/run.json" "$serial" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
last = list(re.finditer(r'"value":(\d+),', text))[-1]
digits = len(last.group(1))
value = 10 ** digits - 1 - int(sys.argv[3])
assert value > int(last.group(1)), "no unused value of that width"
open(sys.argv[2], "w").write(text[:last.start(1)] + str(value) + text[last.end(1):])
PY
}

# row KIND POLICY: median ms of the runtime path and of policy check (a
# cell whose run was cut off is not run again).
row() {
    local kind=$1 pol=$d/$2.json b=$d/b-$1-$2
    mkdir -p "$b"; rm -f "$d/rt" "$d/ck"; touch "$d/rt" "$d/ck"
    # row runs in a subshell: each policy's runs start from their own serials
    case $2 in rewrite) serial=1000 ;; *) serial=0 ;; esac
    for _ in $(seq "$runs"); do
        variant "$kind"
        cp "$d/run.json" "$b/config.json" # the runtime path rewrites what it checks
        grep -q '>' "$d/rt" || timed "$d/rt" "$hd" --policy "$pol" --backend "$fake" create --bundle "$b" "$id"
        variant "$kind"
        grep -q '>' "$d/ck" || timed "$d/ck" "$hd" policy check --policy "$pol" "$d/run.json"
    done
    echo "$(median "$d/rt") $(median "$d/ck")"
}

# met: every cell of the row within 200 ms (a cut-off cell, ">N", is not)
met() {
    local c
    for c in "$@"; do
        case $c in '>'* | '') echo no; return ;; esac
        [ "$c" -le 200 ] || { echo no; return; }
    done
    echo yes
}

printf '%-20s %8s %8s  %12s %10s  %12s %10s  %s\n' kind entries bytes "runtime ms" "check ms" "runtime ms" "check ms" met
printf '%-20s %8s %8s  %23s  %23s\n' "" "" "" "(default policy)" "(rewrite policy)"
for k in $kinds; do
    read -r n bytes < <(gen "$k" "$d/$k.json")
    read -r drt dck < <(row "$k" default)
    read -r rrt rck < <(row "$k" rewrite)
    printf '%-20s %8s %8s  %12s %10s  %12s %10s  %s\n' "$k" "$n" "$bytes" "$drt" "$dck" "$rrt" "$rck" \
        "$(met "$drt" "$dck" "$rrt" "$rck")"
done
echo "target: <= 200 ms each; $runs run(s) per cell, median; limit ${want} bytes; cut off at ${cutoff} s; $(nproc) cores, $(uname -sr)"
