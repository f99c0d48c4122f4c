#!/usr/bin/env bash
# The whole test suite (README.md's second set-up command; .ci/run calls it).
#  0. every C file formatted by .clang-format (tests/style/format-check.sh,
#     clang-format 14; counts as one test);
#  1. a warnings-as-errors build and `make check`: unit tests, the fuzz
#     corpus replay, the fake-backend tests and the real-runc integration tests;
#  2. `make distcheck` (the tarball builds, installs and passes `make check`);
#  3. an ASan+UBSan build running the unit tests and the corpus replay again;
#  4. a short libFuzzer run of the JSON entry point, when clang is present;
#  5. the Docker end-to-end suite (private containerd + dockerd);
#  6. the CRI suite (tests/cri: a private containerd with its CRI plugin,
#     pods through plain runc and through hardened, as the kubelet calls it,
#     and the fleet's node installer run against it, installer.bats);
#  7. a subset of runc 1.1.5's own integration suite, run through runc and
#     through hardened (audit policy), every result compared
#     (tests/compat/runc-suite.sh --subset; each test whose result is the
#     same counts as passed, each that differs as failed).
# Ends with one summary line: "N passed, N failed", after a "failed stage:"
# line naming each stage that failed.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
work=${HD_SUITE_DIR:-$top/build-suite}
jobs=$(nproc)
rm -rf "$work"
mkdir -p "$work/src"
# A clean copy of the sources (the working tree may be configured in place,
# which would stop out-of-tree builds), then build-system generation there.
cd "$top"
if git rev-parse --git-dir >/dev/null 2>&1; then
    git ls-files -z --cached --others --exclude-standard | xargs -0 tar -c | tar -x -C "$work/src"
else
    tar -c --exclude=./build-suite . | tar -x -C "$work/src"
    [ ! -f "$work/src/Makefile" ] || make -C "$work/src" distclean >/dev/null
fi
top=$work/src
cd "$top"
autoreconf -fi

# Each stage that fails is named again above the closing line, so the tail
# of a CI log says where to look.
failed=0 failed_stages=() current_stage=
stage() { current_stage=$*; echo; echo "=== $*"; }
stage_failed() { failed=1; failed_stages+=("$current_stage"); }

stage "clang-format: every C file formatted (tests/style/format-check.sh)"
format_ok=0
if "$top"/tests/style/format-check.sh; then format_ok=1; else stage_failed; fi

stage "build with --enable-werror and make check"
mkdir "$work/main" && cd "$work/main"
"$top/configure" --enable-werror -q
make -j"$jobs" >/dev/null
make -j"$jobs" check || stage_failed

stage "make distcheck"
make -j"$jobs" distcheck DISTCHECK_CONFIGURE_FLAGS=--enable-werror >"$work/distcheck.log" 2>&1 \
    || { tail -50 "$work/distcheck.log"; stage_failed; }
grep -E '^(=+|hardened-.* archives ready for distribution)' "$work/distcheck.log" | tail -3 || true

stage "ASan+UBSan: unit tests and fuzz corpus replay"
mkdir "$work/asan" && cd "$work/asan"
"$top/configure" --enable-werror --enable-sanitizers -q
make -j"$jobs" >/dev/null
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    make -j"$jobs" check TESTS="tests/unit/test-num tests/unit/test-json tests/unit/test-spec tests/unit/test-cli tests/unit/test-update-resources tests/unit/test-trust tests/unit/test-runclog tests/unit/test-policy tests/fuzz/replay.sh" \
    || stage_failed

fuzz_runs=0
if command -v clang >/dev/null; then
    stage "libFuzzer: 30 s on the JSON entry point"
    mkdir -p "$work/fuzz/corpus" && cd "$work/fuzz"
    cp "$top"/tests/fuzz/corpus/* "$top"/tests/fixtures/*.json corpus/
    # The target links the project's own policy library, built by its own
    # Makefile with coverage instrumentation, and the libraries configure
    # chose: no second list of sources here to fall behind.
    if "$top/configure" -q CC=clang CFLAGS="-g -O1 -fsanitize=fuzzer-no-link,address,undefined" >build.log 2>&1 \
        && make -j"$jobs" libhdpolicy.a >>build.log 2>&1 \
        && dep_libs=$(printf 'hd-print-libs:\n\t@echo $(HD_DEP_LIBS)\n' | make -s --no-print-directory -f Makefile -f - hd-print-libs) \
        && clang -g -O1 -fsanitize=fuzzer,address,undefined -I"$top/include" -I"$top/policy" -I. \
            "$top"/tests/fuzz/fuzz-json.c libhdpolicy.a $dep_libs -o fuzz-json >>build.log 2>&1 \
        && ./fuzz-json -max_total_time=30 -max_len=65536 -timeout=10 corpus >fuzz.log 2>&1; then
        fuzz_runs=1
        grep -E '^(Done|#[0-9]+.*DONE)' fuzz.log | tail -1 || tail -2 fuzz.log
    else
        tail -30 build.log 2>/dev/null || true
        tail -30 fuzz.log 2>/dev/null || true
        stage_failed
    fi
fi

# bats_stage TAP FILE...: a bats suite run outside make against the main
# build, its TAP printed and counted into bats_pass/fail/skip.
bats_pass=0 bats_fail=0 bats_skip=0
bats_stage() {
    local tap=$1 p s f
    shift
    cd "$work/main"
    HARDENED=$work/main/hardened top_srcdir=$top bats --tap "$@" >"$tap" 2>&1 || stage_failed
    cat "$tap"
    p=$(grep -cE "^ok [0-9]+ " "$tap" || true)
    s=$(grep -cE "^ok [0-9]+ .*# skip" "$tap" || true)
    f=$(grep -cE "^not ok " "$tap" || true)
    grep -qE '^1\.\.[1-9]' "$tap" || { echo "$tap: the suite ran no test"; f=$((f + 1)); }
    bats_pass=$((bats_pass + p - s)) bats_skip=$((bats_skip + s)) bats_fail=$((bats_fail + f))
}

stage "Docker end-to-end (tests/e2e)"
bats_stage "$work/e2e.tap" "$top"/tests/e2e/*.bats

stage "CRI: pods through containerd's CRI plugin, plain runc and hardened; the node installer (tests/cri)"
bats_stage "$work/cri.tap" "$top"/tests/cri/*.bats

stage "runc's own integration suite, subset, through runc and through hardened (tests/compat)"
compat_rc=0
HARDENED=$work/main/hardened HD_COMPAT_DIR=$work/compat "$top"/tests/compat/runc-suite.sh --subset \
    || compat_rc=$?
lines() { if [ -f "$1" ]; then wc -l <"$1"; else echo 0; fi; }
compat_total=$(lines "$work/compat/results/runc.txt")
compat_diff=$(lines "$work/compat/results/differences.txt")
compat_skip=0
case $compat_rc in
    0) ;;
    77) compat_skip=1 ;;
    *) # a set-up error, or no test ran
        stage_failed
        [ "$compat_diff" -gt 0 ] || compat_diff=1 ;;
esac
compat_same=$((compat_total > compat_diff ? compat_total - compat_diff : 0))

# One closing line over every TAP result of the stages above.
count() { # a stage that failed to build has no log: count what there is
    { cat "$work"/main/test-suite.log "$work"/asan/test-suite.log 2>/dev/null || true; } |
        awk -v k="# $1:" 'index($0, k) == 1 { n += $NF } END { print n + 0 }'
}
pass=$(( $(count PASS) + format_ok + fuzz_runs + bats_pass + compat_same ))
fail=$(( $(count FAIL) + $(count ERROR) + $(count XPASS) + (1 - format_ok) + bats_fail + compat_diff ))
skip=$(( $(count SKIP) + bats_skip + compat_skip ))
if [ "${CI:-}" = true ] && [ "$skip" -gt 0 ]; then
    echo "CI: $skip test(s) skipped; a skip in CI is a failure"
    fail=$((fail + skip))
fi
[ "$failed" -eq 0 ] || [ "$fail" -gt 0 ] || fail=1
echo
for s in "${failed_stages[@]}"; do echo "failed stage: $s"; done
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
