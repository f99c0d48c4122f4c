#!/usr/bin/env bats
# restore.checkpointImage (policy/rules/restore.c): `runc restore` hands
# CRIU a checkpoint image, and CRIU brings the processes back with the
# credentials, capabilities and seccomp filters the image records, which
# nothing in config.json bounds.  Refused before runc runs unless the
# family is off, warns, or an exemption relaxes it; the fake backend shows
# runc is never called, real runc that it would have gone on to CRIU.

bats_require_minimum_version 1.5.0
load helpers
load fake

OFF=$BATS_TEST_DIRNAME/../fixtures/policy-off.json
top_srcdir=${top_srcdir:-$BATS_TEST_DIRNAME/../..}

setup() { fake_setup; }
teardown() {
    if [ -n "${RT_ROOT:-}" ]; then rt_cleanup; fi
    fake_teardown
}

# restore_policy ACTION: policy-off with the restore family set to ACTION.
restore_policy() {
    jq --arg a "$1" '.rules.restore = {action: $a}' "$OFF" > "$T/restore-$1.json"
    echo "$T/restore-$1.json"
}

@test "fake backend: restore under reject and rewrite is refused before runc runs, naming the image; warn and off pass it on unchanged" {
    local action
    mkdir -p "$T/ckpt"
    for action in reject rewrite; do
        rm -f "$LOG"
        POLICY=$(restore_policy "$action") run hd restore --image-path "$T/ckpt" --bundle "$T/bundle" c1
        [ "$status" -eq 1 ]
        backend_not_ran
        [[ "$(last_error)" == "restore flags: refused by policy $T/restore-$action.json: restore.checkpointImage: restore brings back the checkpoint image's processes as CRIU saved them (credentials, capabilities, seccomp filters, open files), which config.json does not bound" ]]
        jq -r .msg "$LOG" | grep -qF "(found: $T/ckpt; required: no restore"
    done
    for action in warn off; do
        rm -f "$LOG" "$FAKE_RUNTIME_OUT/argv"
        POLICY=$(restore_policy "$action") run hd restore --image-path "$T/ckpt" --bundle "$T/bundle" c1
        [ "$status" -eq 0 ]
        [ "$(backend_args)" = "--log $LOG --log-format json restore --image-path $T/ckpt --bundle $T/bundle c1" ]
    done
    # runc's default image path when none is given
    rm -f "$LOG" "$FAKE_RUNTIME_OUT/argv"
    POLICY=$(restore_policy reject) run hd restore --bundle "$T/bundle" c1
    [ "$status" -eq 1 ]
    backend_not_ran
    jq -r .msg "$LOG" | grep -qF "(found: ./checkpoint (runc's default); required: no restore"
}

@test "fake backend: the shipped default policy refuses restore; create of the same bundle is not a restore" {
    POLICY=$top_srcdir/policy/profiles/default.json run hd restore --image-path "$T/ckpt" --bundle "$T/bundle" "$DOCKER_ID"
    [ "$status" -eq 1 ]
    backend_not_ran
    [[ "$(last_error)" == "restore flags: refused by policy $top_srcdir/policy/profiles/default.json: restore.checkpointImage: "* ]]
    rm -f "$LOG"
    POLICY=$top_srcdir/policy/profiles/default.json run hd create --bundle "$T/bundle" "$DOCKER_ID"
    [ "$status" -eq 0 ]
    backend_ran
    ! grep -q restore.checkpointImage "$LOG"
}

@test "real runc: plain runc restore goes on to CRIU with the image; through hardened it is refused and runc never starts" {
    local id
    rt_require_runc
    rt_root
    rt_make_bundle "$RT_TMP/b" sleep 100
    mkdir -p "$RT_TMP/ckpt"
    id=$(rt_id c)
    # plain runc: past its own checks, the restore is CRIU's (which is not
    # installed here, or cannot read this kernel: either way runc got there)
    run --separate-stderr "$RT_RUNC" --root "$RT_ROOT" restore --image-path "$RT_TMP/ckpt" --bundle "$RT_TMP/b" "$id" </dev/null 3>&-
    [ "$status" -ne 0 ]
    [[ "$stderr" == *criu* || "$stderr" == *CRIU* ]] || { echo "runc: $stderr"; false; }
    "$RT_RUNC" --root "$RT_ROOT" delete --force "$id" >/dev/null 2>&1 || true
    id=$(rt_id h)
    run --separate-stderr "$HARDENED" --policy "$(restore_policy reject)" --backend "$RT_RUNC" --root "$RT_ROOT" \
        restore --image-path "$RT_TMP/ckpt" --bundle "$RT_TMP/b" "$id" </dev/null 3>&-
    [ "$status" -eq 1 ]
    [[ "$stderr" == *"restore flags: refused by policy $T/restore-reject.json: restore.checkpointImage: restore brings back the checkpoint image's processes"* ]]
    [[ "$stderr" != *criu* ]]
    [ ! -e "$RT_ROOT/$id" ]
}
