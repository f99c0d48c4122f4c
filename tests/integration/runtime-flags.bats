#!/usr/bin/env bats
# create/run/restore's runtime flags are a document judged by the
# runtimeFlags family (policy/rules/runtime_flags.c): every Go ParseBool
# spelling, exactly the argv runc receives (fake backend), then with real
# runc the effect inside the container: pivot_root done (the host's root not
# reachable) and a session keyring of its own.

bats_require_minimum_version 1.5.0
load helpers
load fake

OFF=$BATS_TEST_DIRNAME/../fixtures/policy-off.json
MNTNS_ESCAPE=${MNTNS_ESCAPE:-$(dirname "$FAKE_RUNTIME")/mntns-escape}
ON_SPELLINGS="1 t T TRUE true True"
OFF_SPELLINGS="0 f F FALSE false False"

setup() { fake_setup; }
teardown() {
    if [ -n "${RT_ROOT:-}" ]; then rt_cleanup; fi
    fake_teardown
}

# rf_policy ACTION [MODE]: policy-off with runtimeFlags set to ACTION.
rf_policy() {
    jq --arg a "$1" --arg m "${2:-enforce}" '.rules.runtimeFlags = {action: $a} | .mode = $m' "$OFF" > "$T/rf-$1-${2:-enforce}.json"
    echo "$T/rf-$1-${2:-enforce}.json"
}

# backend argv after the program name, one line
backend_args() { tail -n +2 "$FAKE_RUNTIME_OUT/argv" | paste -sd' '; }

# verb_flags VERB: the guarded bool flags runc 1.1.5 defines for VERB.
verb_flags() {
    case $1 in
    create | run) echo "no-pivot no-new-keyring" ;;
    restore) echo "no-pivot" ;;
    esac
}

@test "fake backend: every ParseBool spelling of --no-pivot/--no-new-keyring on create, run, restore: on is refused (reject) and stripped (rewrite), off passes" {
    local reject rewrite verb flag v
    reject=$(rf_policy reject)
    rewrite=$(rf_policy rewrite)
    for verb in create run restore; do
        for flag in $(verb_flags $verb); do
            for v in $ON_SPELLINGS; do
                rm -f "$FAKE_RUNTIME_OUT/argv" "$LOG"
                POLICY=$reject run hd $verb "--$flag=$v" --bundle "$T/bundle" c1
                [ "$status" -eq 1 ] || { echo "$verb --$flag=$v: status $status under reject"; false; }
                backend_not_ran
                [[ "$(last_error)" == "$verb flags: refused by policy $reject: runtime.flags: --$flag "* ]] ||
                    { echo "$verb --$flag=$v: $(last_error)"; false; }
                POLICY=$rewrite run hd $verb "--$flag=$v" --bundle "$T/bundle" c1
                [ "$status" -eq 0 ]
                [ "$(backend_args)" = "--log $LOG --log-format json $verb --bundle $T/bundle c1" ] ||
                    { echo "$verb --$flag=$v: $(backend_args)"; false; }
            done
            for v in $OFF_SPELLINGS; do
                rm -f "$FAKE_RUNTIME_OUT/argv"
                POLICY=$reject run hd $verb "--$flag=$v" --bundle "$T/bundle" c1
                [ "$status" -eq 0 ] || { echo "$verb --$flag=$v: status $status"; false; }
                [ "$(backend_args)" = "--log $LOG --log-format json $verb --$flag=$v --bundle $T/bundle c1" ]
            done
        done
    done
}

@test "fake backend: a spelling ParseBool refuses is refused before runc runs, as runc would" {
    local verb v
    for verb in create run restore; do
        for v in yes on 2 tRUE "" " true"; do
            rm -f "$LOG"
            POLICY=$(rf_policy off) run hd $verb "--no-pivot=$v" --bundle "$T/bundle" c1
            [ "$status" -ne 0 ] || { echo "$verb --no-pivot=$v accepted"; false; }
            backend_not_ran
            [[ "$(last_error)" == *"invalid boolean value \"$v\" for -no-pivot"* ]]
        done
    done
}

@test "fake backend: restore --no-new-keyring (runc 1.1.5's restore has no such flag) is refused before runc runs" {
    local v
    for v in "" =T =true =1 =false; do
        rm -f "$LOG"
        POLICY=$(rf_policy rewrite) run hd restore "--no-new-keyring$v" --bundle "$T/bundle" c1
        [ "$status" -ne 0 ]
        backend_not_ran
        [[ "$(last_error)" == *"flag provided but not defined: -no-new-keyring"* ]]
    done
}

@test "fake backend: the last occurrence is judged; rewrite drops every occurrence, the other flags reach runc untouched" {
    POLICY=$(rf_policy reject) run hd run --no-pivot --no-pivot=false --bundle "$T/bundle" c1
    [ "$status" -eq 0 ]
    [ "$(backend_args)" = "--log $LOG --log-format json run --no-pivot --no-pivot=false --bundle $T/bundle c1" ]
    POLICY=$(rf_policy rewrite) run hd run -d --no-pivot=false --pid-file "$T/pid" -no-pivot=T --no-subreaper --keep \
        --preserve-fds 0 --console-socket "$T/s" --no-new-keyring=True --bundle "$T/bundle" c1
    [ "$status" -eq 0 ]
    [ "$(backend_args)" = "--log $LOG --log-format json run -d --pid-file $T/pid --no-subreaper --keep --preserve-fds 0 --console-socket $T/s --bundle $T/bundle c1" ]
}

@test "fake backend: warn and audit pass the flags on with a warning per flag; the decision record names the rule" {
    local p
    for p in "$(rf_policy warn)" "$(rf_policy reject audit)" "$(rf_policy rewrite audit)"; do
        rm -f "$FAKE_RUNTIME_OUT/argv" "$LOG"
        jq --arg l "$T/decisions.jsonl" '.decisionLog = $l' "$p" > "$T/p.json"
        POLICY=$T/p.json run hd create --no-pivot=T --no-new-keyring=1 --bundle "$T/bundle" c1
        [ "$status" -eq 0 ]
        [ "$(backend_args)" = "--log $LOG --log-format json create --no-pivot=T --no-new-keyring=1 --bundle $T/bundle c1" ]
        [ "$(jq -r 'select(.level == "warning") | .msg' "$LOG" | grep -c 'runtime.flags warning at /no')" -eq 2 ]
    done
    [ "$(jq -s 'map(select(.verb == "create" and (.rules | index("runtime.flags")))) | length' "$T/decisions.jsonl")" -eq 3 ]
    rm -f "$T/decisions.jsonl"
    jq --arg l "$T/decisions.jsonl" '.decisionLog = $l' "$(rf_policy reject)" > "$T/p.json"
    POLICY=$T/p.json run hd run --no-new-keyring=t --bundle "$T/bundle" c1
    [ "$status" -eq 1 ]
    jq -e 'select(.decision == "refused" and .verb == "run" and (.rules | index("runtime.flags")))' "$T/decisions.jsonl"
}

@test "fake backend: restore --lsm-profile/--lsm-mount-context: the checked config's labels pass, others are refused or replaced by them" {
    config_jq '.process.apparmorProfile = "docker-default" | .linux.mountLabel = "system_u:object_r:container_file_t:s0:c1,c2"'
    POLICY=$(rf_policy reject) run hd restore --lsm-profile apparmor:docker-default \
        --lsm-mount-context system_u:object_r:container_file_t:s0:c1,c2 --bundle "$T/bundle" c1
    [ "$status" -eq 0 ]
    rm "$FAKE_RUNTIME_OUT/argv"
    POLICY=$(rf_policy reject) run hd restore --lsm-profile=apparmor:unconfined --bundle "$T/bundle" c1
    [ "$status" -eq 1 ]
    backend_not_ran
    [[ "$(last_error)" == *"runtime.restoreLsm: restore --lsm-profile replaces the checked config's LSM label"* ]]
    POLICY=$(rf_policy rewrite) run hd restore --lsm-profile=apparmor:unconfined --lsm-mount-context x:y:z:s0 \
        --bundle "$T/bundle" c1
    [ "$status" -eq 0 ]
    [ "$(backend_args)" = "--log $LOG --log-format json restore --lsm-profile=apparmor:docker-default --lsm-mount-context system_u:object_r:container_file_t:s0:c1,c2 --bundle $T/bundle c1" ]
    # no SELinux label in the config: the flag goes, CRIU keeps the checkpoint's labels
    POLICY=$(rf_policy rewrite) run hd restore --lsm-profile selinux:system_u:system_r:spc_t:s0 --bundle "$T/bundle" c1
    [ "$status" -eq 0 ]
    [ "$(backend_args)" = "--log $LOG --log-format json restore --bundle $T/bundle c1" ]
}

# ---- real runc ----------------------------------------------------------------

# rf_bundle ARG...: a busybox bundle with CAP_SYS_ADMIN and CAP_SYS_CHROOT
# (what a --no-pivot escape needs: umount2 and setns) and the static mntns-escape helper, /proc/keys unmasked.
rf_bundle() {
    rt_edited_bundle '(.process.capabilities.bounding, .process.capabilities.effective,
                       .process.capabilities.permitted) += ["CAP_SYS_ADMIN", "CAP_SYS_CHROOT"]
        | .linux.maskedPaths -= ["/proc/keys"]' "$@"
    cp "$MNTNS_ESCAPE" "$RT_TMP/b/rootfs/bin/mntns-escape"
}

# rf_run runc|hardened POLICY FLAG...: run the bundle in the foreground.
rf_run() {
    local bin=$1 policy=$2
    shift 2
    rm -f "$LOG"
    if [ "$bin" = runc ]; then
        run --separate-stderr "$RT_RUNC" --root "$RT_ROOT" run "$@" --bundle "$RT_TMP/b" "$(rt_id c)" </dev/null 3>&-
    else
        run --separate-stderr "$HARDENED" --policy "$policy" --root "$RT_ROOT" --log "$LOG" --log-format json \
            run "$@" --bundle "$RT_TMP/b" "$(rt_id c)" </dev/null 3>&-
    fi
    "$RT_RUNC" --root "$RT_ROOT" delete --force "$(rt_id c)" >/dev/null 2>&1 || true
}

@test "real runc: run --no-pivot=T is refused under reject: no container is created" {
    rf_bundle true
    rf_run hardened "$(rf_policy reject)" --no-pivot=T
    [ "$status" -eq 1 ]
    [ ! -e "$RT_ROOT/$(rt_id c)" ]
    [[ "$(last_error)" == *"run flags: refused by policy"*"runtime.flags: --no-pivot keeps the host's root reachable"* ]]
}

@test "real runc: --no-pivot lets a CAP_SYS_ADMIN+CAP_SYS_CHROOT container reach the host's root; rewritten, pivot_root is done and it cannot" {
    [ -x "$MNTNS_ESCAPE" ] || { echo "$MNTNS_ESCAPE missing (make check builds it)"; false; }
    rf_bundle mntns-escape "$RT_RUNC"
    # the effect, with runc alone
    rf_run runc "" --no-pivot
    [ "$status" -eq 0 ] || { echo "runc: $status: $output $stderr"; false; }
    [ "$output" = "$RT_RUNC: reachable" ]
    local v
    for v in T True 1; do
        rf_run hardened "$(rf_policy rewrite)" --no-pivot=$v
        [ "$status" -eq 0 ]
        [ "$output" = "$RT_RUNC: not reachable" ] || { echo "--no-pivot=$v: $output"; false; }
        jq -r .msg "$LOG" | grep -q 'runtime.flags rewritten at /noPivot'
    done
    # under warn the flag reaches runc, and so does the effect
    rf_run hardened "$(rf_policy warn)" --no-pivot=T
    [ "$output" = "$RT_RUNC: reachable" ]
}

@test "real runc: --no-new-keyring=True rewritten: the container has a session keyring of its own (_ses.ID in /proc/keys)" {
    rf_bundle cat /proc/keys
    local ses="_ses.$(rt_id c)"
    # the effect, with runc alone: no keyring of its own
    rf_run runc "" --no-new-keyring
    [ "$status" -eq 0 ]
    [[ "$output" != *"$ses"* ]]
    rf_run runc ""
    [[ "$output" == *"keyring   $ses: "* ]]
    rf_run hardened "$(rf_policy rewrite)" --no-new-keyring=True
    [ "$status" -eq 0 ]
    [[ "$output" == *"keyring   $ses: "* ]]
    rf_run hardened "$(rf_policy reject)" --no-new-keyring=TRUE
    [ "$status" -eq 1 ]
    [ -z "$output" ]
    [[ "$(last_error)" == *"runtime.flags: --no-new-keyring shares the caller's session keyring"* ]]
}
