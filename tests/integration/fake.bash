# Helpers for the fake-backend tests: a stand-in runtime records what the
# shim handed it (argv, environment, descriptors, stdin, a file) so the
# tests can prove the pass-through is exact and refusals never reach it.

HARDENED=${HARDENED:-$BATS_TEST_DIRNAME/../../hardened}
FAKE_RUNTIME=${FAKE_RUNTIME:-$BATS_TEST_DIRNAME/../helpers/fake-runtime}
FIXTURES=${FIXTURES:-$BATS_TEST_DIRNAME/../fixtures}

# The container id Docker gave run-default.json (its bind sources carry it;
# Docker runs runc with that id).
DOCKER_ID=b1d13743c363f3d773ac96e7239f378a8c2cef445425cc2de044333e3da10270

fake_setup() {
    T=$(mktemp -d "${BATS_TMPDIR:-/tmp}/hd-fake.XXXXXX")
    export FAKE_RUNTIME_OUT=$T/out
    mkdir -p "$FAKE_RUNTIME_OUT" "$T/bundle"
    # Docker's capture, minus its libnetwork hook: that names the pid of the
    # dockerd it was captured from, which hooks.allowList resolves and refuses
    # here (tests/integration/surface.bats tests hooks on their own).
    jq -c 'del(.hooks)' "$FIXTURES/run-default.json" > "$T/bundle/config.json"
    LOG=$T/log.json
}

fake_teardown() {
    if mountpoint -q "$T/small" 2>/dev/null; then umount "$T/small"; fi
    rm -rf "$T"
}

# hd ARGS...: the shim with the fake backend, a JSON --log, and a policy with
# every rule off (POLICY overrides), so only the foundation acts.
hd() {
    "$HARDENED" --policy "${POLICY:-$FIXTURES/policy-off.json}" --backend "$FAKE_RUNTIME" \
        --log "$LOG" --log-format json "$@"
}

# The backend's argv after the program name, on one line.
backend_args() { tail -n +2 "$FAKE_RUNTIME_OUT/argv" | paste -sd' '; }

# The backend ran (it recorded its argv) / never ran.
backend_ran() { [ -f "$FAKE_RUNTIME_OUT/argv" ]; }
backend_not_ran() {
    if [ -e "$FAKE_RUNTIME_OUT/argv" ]; then
        echo "backend was executed with: $(cat "$FAKE_RUNTIME_OUT/argv")" >&2
        return 1
    fi
}

# msg of the last "level":"error" line of the --log file (what docker run prints)
last_error() {
    jq -r 'select(.level == "error") | .msg' "$LOG" | tail -n 1
}

# Set a JSON value in the bundle's config with jq (for building inputs).
config_jq() {
    jq -c "$1" "$T/bundle/config.json" > "$T/cfg.tmp" && mv "$T/cfg.tmp" "$T/bundle/config.json"
}

# fake_state ID [LABEL...]: runc state for container ID under $T/state (the
# shim reads ROOT/ID/state.json for exec without --process), its labels
# LABEL... then runc's own "bundle=$T/bundle", as runc lists them.
fake_state() {
    local id=$1
    shift
    mkdir -p "$T/state/$id"
    jq -n --arg b "bundle=$T/bundle" '{id: $ARGS.positional[0], config: {labels: ($ARGS.positional[1:] + [$b])}}' \
        --args "$id" "$@" > "$T/state/$id/state.json"
}

# hd_exec ARGS...: `hd exec ARGS...` with --root $T/state (see fake_state).
hd_exec() { hd --root "$T/state" exec "$@"; }

# The process document the backend was handed with --process (copied by
# the fake runtime, which holds the descriptor).
backend_process() { cat "$FAKE_RUNTIME_OUT/process"; }

# fake_update_state ID [JQ]: runc's state.json for container ID under $T/root
# (use `hd --root "$T/root"`): config.cgroups as runc 1.1.5 writes it for
# 1 CPU (100000/100000), 256Mi of memory without swap and 50 pids, edited
# by JQ.  `update` merges into it.
fake_update_state() {
    mkdir -p "$T/root/$1"
    jq -n -c --arg id "$1" '{"id": $id, "config": {"labels": ["bundle=/nonexistent"], "cgroups": {
        "memory": 268435456, "memory_reservation": 0, "memory_swap": 268435456, "cpu_shares": 0,
        "cpu_quota": 100000, "cpu_period": 100000, "cpu_rt_quota": 0, "cpu_rt_period": 0,
        "cpuset_cpus": "", "cpuset_mems": "", "pids_limit": 50, "blkio_weight": 0, "unified": null}}}' |
        jq -c "${2:-.}" > "$T/root/$1/state.json"
}

# The resources document the backend was handed as --resources/-r (copied
# by the fake runtime, which holds the descriptor).
handed() { cat "$FAKE_RUNTIME_OUT/resources"; }
