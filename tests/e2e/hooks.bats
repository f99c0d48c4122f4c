#!/usr/bin/env bats
# Docker's own hook end to end: every `docker run` with a private network
# namespace carries dockerd's libnetwork-setkey prestart hook as
# /proc/<dockerd pid>/exe.  Under the shipped policy it reaches runc as the
# dockerd binary that was checked, with Docker's arguments, and dockerd's
# re-exec (keyed on argv[0]) does its work, so the container starts; under
# reject it is refused with the rule in docker's output.  Needs root and
# Debian's docker.io + containerd; skips without them, except with CI=true.

bats_require_minimum_version 1.5.0
load helpers

setup_file() {
    e2e_require || return 1
    export E2E_DIR
    E2E_DIR=$(mktemp -d /tmp/hd-e2e-hooks.XXXXXX)
    e2e_policies "$E2E_DIR"
    jq '.rules.hooks.action = "reject"' "$top_srcdir/policy/profiles/default.json" > "$E2E_DIR/policy-hooks-reject.json"
    e2e_daemon_json "$E2E_DIR" "{\"runtimes\": {\"hardened-hooks-reject\": {\"path\": \"$HARDENED\",
        \"runtimeArgs\": [\"--policy\", \"$E2E_DIR/policy-hooks-reject.json\"]}}}"
    e2e_start "$E2E_DIR"
    e2e_image "$E2E_DIR"
}

teardown_file() {
    e2e_teardown "${E2E_DIR:-}"
}

setup() { e2e_require; }

@test "docker run: the libnetwork hook reaches runc as the dockerd binary with Docker's arguments, and the container runs" {
    local dockerd bundle state
    dockerd=$(readlink -f "/proc/$(cat "$E2E_DIR/dockerd.pid.launch")/exe")
    run dk run -d --runtime=hardened --network none "$E2E_IMAGE" sleep 60
    [ "$status" -eq 0 ]
    id=$output
    bundle=$E2E_DIR/containerd/state/io.containerd.runtime.v2.task/moby/$id
    # what Docker asked for, as the decision records it
    jq -r .msg "$bundle/log.json" | grep -q "hooks.allowList rewritten at /hooks/prestart/0: prestart hook /proc/[0-9]*/exe names a process"
    # what runc read, and what it keeps for the later stages
    jq -e --arg exe "$dockerd" --arg id "$id" --arg exec "-exec-root=$E2E_DIR/exec" \
        '.hooks.prestart | length == 1 and .[0].path == $exe
         and .[0].args[0] == "libnetwork-setkey" and .[0].args[1] == $exec and .[0].args[2] == $id
         and (.[0].args[3] | test("^[0-9a-f]{12}$")) and (.[0] | has("env") | not)' "$bundle/config.json"
    state=$(find "$E2E_DIR/exec" -path "*/$id/state.json" | head -1)
    [ -n "$state" ]
    [ "$(jq -r '.config.Hooks.prestart[0].path' "$state")" = "$dockerd" ]
    # the container is up: runc ran the hook and dockerd's re-exec answered
    [ "$(dk inspect -f '{{.State.Running}}' "$id")" = true ]
    dk rm -f "$id" >/dev/null
}

@test "docker run under a policy whose hooks action is reject: the /proc/<pid>/exe hook is refused, with the rule named" {
    run --separate-stderr dk run --rm --runtime=hardened-hooks-reject --network none "$E2E_IMAGE" true
    [ "$status" -ne 0 ]
    [[ "$stderr" == *"refused by policy $E2E_DIR/policy-hooks-reject.json"* ]]
    [[ "$stderr" == *"hooks.allowList: prestart hook /proc/"*"/exe names a process"* ]]
}
