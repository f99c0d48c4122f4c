#!/usr/bin/env bats
# The shim against a fake backend: exact pass-through, fail-closed refusals,
# error reporting in runc's --log format, atomic write-back.

bats_require_minimum_version 1.5.0
load fake

setup() { fake_setup; }
teardown() { fake_teardown; }

@test "pass-through verb: argv reaches the backend byte for byte, minus the shim's flags" {
    run "$HARDENED" --policy /etc/hardened/p.json --backend "$FAKE_RUNTIME" --root /r \
        --log "$LOG" --log-format json kill "" $'\xff\xfe' 'a b' -- c1 9
    [ "$status" -eq 0 ]
    [ -z "$output" ]
    expected=$(printf '%s\n' "$FAKE_RUNTIME" --root /r --log "$LOG" --log-format json kill "" $'\xff\xfe' 'a b' -- c1 9)
    [ "$(cat "$FAKE_RUNTIME_OUT/argv")" = "$expected" ]
}

@test "--flag=value forms of the shim's flags are stripped too" {
    run "$HARDENED" --policy=/p --backend="$FAKE_RUNTIME" -root=/r state c1
    [ "$status" -eq 0 ]
    [ "$(cat "$FAKE_RUNTIME_OUT/argv")" = "$(printf '%s\n' "$FAKE_RUNTIME" -root=/r state c1)" ]
}

@test "the shim's own flags given twice, in any spelling: a usage error, and the backend never runs" {
    for argv in "--policy /a --policy /b" "--policy=/a -policy /b" "--backend $FAKE_RUNTIME --backend=$FAKE_RUNTIME"; do
        for verb in "state c1" "create c1"; do
            # shellcheck disable=SC2086 # the words are the argv under test
            run "$HARDENED" $argv --log "$LOG" $verb
            [ "$status" -eq 2 ]
            [[ "$output" == *"may be given only once"* ]]
            [ ! -e "$FAKE_RUNTIME_OUT/argv" ]
        done
    done
}

@test "the backend's exit status is the shim's" {
    FAKE_RUNTIME_EXIT=7 run hd state c1
    [ "$status" -eq 7 ]
}

@test "the environment reaches the backend unchanged" {
    run env -i A=1 'B=x y' LISTEN_FDS=2 LISTEN_PID=1 "$HARDENED" --backend "$FAKE_RUNTIME" state c1
    [ "$status" -eq 0 ]
    # FAKE_RUNTIME_OUT is gone with env -i: nothing recorded; do it with the variable kept
    run env -i A=1 'B=x y' LISTEN_FDS=2 FAKE_RUNTIME_OUT="$FAKE_RUNTIME_OUT" \
        "$HARDENED" --backend "$FAKE_RUNTIME" state c1
    [ "$status" -eq 0 ]
    [ "$(cat "$FAKE_RUNTIME_OUT/environ")" = "$(printf '%s\n' A=1 'B=x y' LISTEN_FDS=2 FAKE_RUNTIME_OUT="$FAKE_RUNTIME_OUT")" ]
}

@test "inherited descriptors reach the backend untouched and the shim leaks none (create)" {
    mkfifo "$T/fifo"
    mkdir "$T/direct"
    exec 5<"$FIXTURES/run-default.json" 7>"$T/seven" 9<>"$T/fifo"
    # the same descriptors handed to the backend directly, as the baseline
    FAKE_RUNTIME_OUT=$T/direct "$FAKE_RUNTIME" create --bundle "$T/bundle" c1
    # not under bats' `run`, which would swap stdout/stderr for a pipe
    hd create --preserve-fds 3 --bundle "$T/bundle" c1
    exec 5<&- 7>&- 9<&-
    grep -qx "7 $T/seven" "$FAKE_RUNTIME_OUT/fds"
    grep -qx "9 $T/fifo" "$FAKE_RUNTIME_OUT/fds"
    diff "$T/direct/fds" "$FAKE_RUNTIME_OUT/fds"
}

@test "create: the checked config is written back (same content) and the backend reads it" {
    chmod 0640 "$T/bundle/config.json"
    chown 0:5678 "$T/bundle/config.json"     # the owner must be root (tests/integration/trust.bats)
    jq -c . "$T/bundle/config.json" > "$T/expected.json"
    FAKE_RUNTIME_COPY=$T/bundle/config.json run hd create --bundle "$T/bundle" c1
    [ "$status" -eq 0 ]
    backend_ran
    # Docker's file ends in a newline; the rewritten one is the same JSON, compact
    cmp <(jq -c . "$FAKE_RUNTIME_OUT/copied") "$T/expected.json"
    [ "$(stat -c '%a %u %g' "$T/bundle/config.json")" = "640 0 5678" ]
    [ -z "$(find "$T/bundle" -name '.config.json.hardened-*')" ]
}

@test "create with the bundle defaulting to the working directory" {
    cd "$T/bundle"
    printf '{"ociVersion":"1.0.2","root":{"path":"rootfs"}, "hostname" : "x"}' > config.json
    run hd create c1
    [ "$status" -eq 0 ]
    [ "$(cat config.json)" = '{"ociVersion":"1.0.2","root":{"path":"rootfs"},"hostname":"x"}' ]
}

@test "duplicate key: refused with its path in the log, the backend never runs, the file is untouched" {
    printf '{"ociVersion":"1.0.2","root":{"path":"rootfs","readonly":true,"readonly":false}}' > "$T/bundle/config.json"
    cp "$T/bundle/config.json" "$T/orig.json"
    run hd create --bundle "$T/bundle" c1
    [ "$status" -eq 1 ]
    backend_not_ran
    [[ "$(last_error)" == *"bundle $T/bundle: config.json: refused by policy "*"document.duplicateKey: 1:63: /root/readonly: the field \"readonly\" is given again"* ]]
    [[ "$output" == *"/root/readonly: the field \"readonly\" is given again"* ]]     # and on stderr
    cmp "$T/bundle/config.json" "$T/orig.json"
}

@test "case-folded key (Readonly): refused naming the path, the backend never runs" {
    printf '{"ociVersion":"1.0.2","root":{"path":"rootfs","readonly":true,"Readonly":false}}' > "$T/bundle/config.json"
    run hd run --bundle "$T/bundle" c1
    [ "$status" -eq 1 ]
    backend_not_ran
    [[ "$(last_error)" == *"document.foldedKey: 1:"*"/root/Readonly: key \"Readonly\" is read by runc's decoder as the field \"readonly\""* ]]
}

@test "null where the spec has an object is refused (restore)" {
    config_jq '.linux = null'
    run hd restore --image-path /img --bundle "$T/bundle" c1
    [ "$status" -eq 1 ]
    backend_not_ran
    [[ "$(last_error)" == *"document.null: "*"/linux: null for an optional field"* ]]
}

@test "unknown field is refused with its path" {
    config_jq '.process.user.uidd = 5'
    run hd create --bundle "$T/bundle" c1
    [ "$status" -eq 1 ]
    backend_not_ran
    [[ "$(last_error)" == *'document.unknownField: '*'/process/user/uidd: unknown field "uidd"'* ]]
}

@test "text log format when --log-format is not json" {
    printf '{"a":1,"a":2}' > "$T/bundle/config.json"
    run "$HARDENED" --backend "$FAKE_RUNTIME" --log "$LOG" create --bundle "$T/bundle" c1
    [ "$status" -eq 1 ]
    grep -qE '^time="[0-9TZ:-]+" level=error msg="bundle .*refused by policy .*/a: unknown field \\"a\\"' "$LOG"
}

@test "argv errors are logged too (before anything else can fail)" {
    run hd create --bogus c1
    [ "$status" -eq 2 ]
    backend_not_ran
    [[ "$(last_error)" == *"create: flag provided but not defined: -bogus"* ]]
}

@test "missing backend: exit 127 with the path in the log" {
    run -127 "$HARDENED" --backend /nonexistent/runc --log "$LOG" --log-format json state c1
    [ "$status" -eq 127 ]
    [[ "$(last_error)" == *"backend runtime /nonexistent/runc: No such file or directory"* ]]
}

@test "non-executable backend: exit 126" {
    cp "$FAKE_RUNTIME" "$T/noexec"; chmod 0644 "$T/noexec"
    run "$HARDENED" --backend "$T/noexec" --log "$LOG" --log-format json state c1
    [ "$status" -eq 126 ]
    [[ "$(last_error)" == *"is not an executable file"* ]]
}

@test "the shim as its own backend (directly or via a symlink) is refused: no loop" {
    run "$HARDENED" --backend "$HARDENED" --log "$LOG" --log-format json state c1
    [ "$status" -eq 126 ]
    [[ "$(last_error)" == *"is this hardened binary itself"* ]]
    ln -s "$HARDENED" "$T/runc"
    run "$HARDENED" --backend "$T/runc" state c1
    [ "$status" -eq 126 ]
}

@test "--version, -v, --help, -h and VERB --help are the backend's: passed through, nothing printed by the shim" {
    for args in --version -v --help -h "create --help" "run -h=true" "exec -h"; do
        rm -rf "$FAKE_RUNTIME_OUT"; mkdir -p "$FAKE_RUNTIME_OUT"
        # shellcheck disable=SC2086
        run --separate-stderr "$HARDENED" --backend "$FAKE_RUNTIME" --policy /nonexistent/policy.json $args
        [ "$status" -eq 0 ]
        [ -z "$stderr" ]
        [[ "$output" != *hardened* ]]
        # the backend got exactly the caller's arguments (minus the shim's own flags)
        [ "$(tail -n +2 "$FAKE_RUNTIME_OUT/argv" | tr '\n' ' ')" = "$args " ]
    done
    diff <("$HARDENED" --backend "$FAKE_RUNTIME" --version) <("$FAKE_RUNTIME" --version)
}

@test "policy version and policy help: the shim's own identity and its layer's help" {
    run "$HARDENED" policy version
    [ "$status" -eq 0 ]
    [ "$output" = "hardened version $(sed -n 's/^AC_INIT(\[hardened\], \[\([^]]*\)\].*/\1/p' "$BATS_TEST_DIRNAME/../../configure.ac")" ]
    run "$HARDENED" policy help
    [ "$status" -eq 0 ]
    [[ "$output" == *"--policy FILE"* ]]
    [[ "$output" == *"Exit status:"* ]]
    run "$HARDENED" policy version extra
    [ "$status" -eq 2 ]
}

@test "config.json that is a symlink is refused" {
    mv "$T/bundle/config.json" "$T/real.json"
    ln -s "$T/real.json" "$T/bundle/config.json"
    run hd create --bundle "$T/bundle" c1
    [ "$status" -eq 1 ]
    backend_not_ran
    [[ "$(last_error)" == *"config.json: is a symbolic link"* ]]
}

@test "config.json that is a FIFO is refused without hanging" {
    rm "$T/bundle/config.json"; mkfifo "$T/bundle/config.json"
    run timeout 10 "$HARDENED" --backend "$FAKE_RUNTIME" --log "$LOG" --log-format json create --bundle "$T/bundle" c1
    [ "$status" -eq 1 ]
    [[ "$(last_error)" == *"config.json: is not a regular file"* ]]
}

@test "config.json over the size limit is refused" {
    truncate -s 9M "$T/bundle/config.json"
    run hd create --bundle "$T/bundle" c1
    [ "$status" -eq 1 ]
    backend_not_ran
    [[ "$(last_error)" == *"the limit is 8388608"* ]]
}

@test "a missing bundle is named in the error" {
    run hd create --bundle "$T/nope" c1
    [ "$status" -eq 1 ]
    [[ "$(last_error)" == *"bundle $T/nope: cannot open directory: No such file or directory"* ]]
}

@test "full disk: the write-back fails closed, the old file stays whole, no temp file is left" {
    [ "$(id -u)" -eq 0 ] || { [ "${CI:-}" != true ] || false; skip "needs root to mount a tmpfs"; }
    mkdir "$T/small"
    mount -t tmpfs -o size=64k,mode=0755 tmpfs "$T/small"     # a tmpfs root is 1777 otherwise: refused as a bundle
    # a config that is valid but will be rewritten (spaces removed) into a new file
    jq '.annotations = {"pad": ("x" * 20000)}' "$FIXTURES/run-default.json" > "$T/small/config.json"
    cp "$T/small/config.json" "$T/orig.json"
    # fill the rest of the file system
    dd if=/dev/zero of="$T/small/fill" bs=1k count=64 2>/dev/null || true
    run hd create --bundle "$T/small" c1
    [ "$status" -eq 125 ]
    backend_not_ran
    [[ "$(last_error)" == *"config.json: cannot write the checked file back: write: No space left on device"* ]]
    cmp "$T/small/config.json" "$T/orig.json"
    [ -z "$(find "$T/small" -name '.config.json.hardened-*')" ]
}

@test "exec --process FILE: the checked bytes are handed to the backend, the file untouched; a bad one never reaches the backend" {
    cp "$FIXTURES/exec-user1000-env-cwd.json" "$T/process.json"
    FAKE_RUNTIME_COPY=handed run hd exec --process "$T/process.json" --detach c1
    [ "$status" -eq 0 ]
    cmp <(jq -c . "$FAKE_RUNTIME_OUT/copied") <(jq -c . "$FIXTURES/exec-user1000-env-cwd.json")
    cmp "$T/process.json" "$FIXTURES/exec-user1000-env-cwd.json"
    rm -f "$FAKE_RUNTIME_OUT/argv"
    printf '{"args":["sh"],"cwd":"/","user":{"uid":1000,"uid":0}}' > "$T/process.json"
    run hd exec -p "$T/process.json" c1
    [ "$status" -eq 1 ]
    backend_not_ran
    [[ "$(last_error)" == *"$T/process.json: refused by policy "*"document.duplicateKey: 1:45: /user/uid: the field"* ]]
}

@test "update --resources -: the backend reads the checked, merged document from the memfd that replaces -" {
    fake_update_state c1
    printf '{ "memory": { "limit": 134217728, "swap": 134217728 }, "pids": {"limit": 100} }' |
        hd --root "$T/root" update --resources - c1
    [[ "$(tail -n +2 "$FAKE_RUNTIME_OUT/argv" | paste -sd' ')" =~ \ update\ --resources\ /proc/self/fd/[0-9]+\ c1$ ]]
    [ "$(handed)" = '{"memory":{"limit":134217728,"swap":134217728},"cpu":{"quota":100000,"period":100000},"pids":{"limit":100}}' ]
}

@test "update --resources -: large input does not block or truncate" {
    fake_update_state c1
    jq -nc '{unified: ([range(0; 40000)] | map({key: "k\(.)", value: "v\(.)"}) | from_entries)}' > "$T/big.json"
    [ "$(stat -c %s "$T/big.json")" -gt 600000 ]
    run hd --root "$T/root" update -r - c1 < "$T/big.json"
    [ "$status" -eq 0 ]
    cmp <(jq -c '{unified}' "$FAKE_RUNTIME_OUT/resources") "$T/big.json"
}

@test "update --resources -: a duplicate key is refused" {
    fake_update_state c1
    printf '{"memory":{"limit":1,"limit":2}}' > "$T/r.json"
    run hd --root "$T/root" update --resources - c1 < "$T/r.json"
    [ "$status" -eq 1 ]
    backend_not_ran
    [[ "$(last_error)" == *"update c1: refused by policy "*"document.duplicateKey: 1:22: /memory/limit: the field"* ]]
}

@test "update --resources=FILE (Podman's form): checked and handed over as a memfd, the file left alone" {
    fake_update_state c1
    printf '{ "pids" : { "limit" : 40 } }' > "$T/r.json"
    run hd --root "$T/root" update --resources="$T/r.json" c1
    [ "$status" -eq 0 ]
    [ "$(jq -c .pids "$FAKE_RUNTIME_OUT/resources")" = '{"limit":40}' ]
    [ "$(cat "$T/r.json")" = '{ "pids" : { "limit" : 40 } }' ]
}

@test "numbers are written back byte-exact, uint64 above 2^63 included" {
    config_jq '.process.rlimits = [{"type":"RLIMIT_NOFILE","hard":18446744073709551615,"soft":9223372036854775809}]'
    # jq would round these: write them by hand
    sed -i 's/"hard":[0-9.e+E]*/"hard":18446744073709551615/; s/"soft":[0-9.e+E]*/"soft":9223372036854775809/' "$T/bundle/config.json"
    run hd create --bundle "$T/bundle" c1
    [ "$status" -eq 0 ]
    grep -q '"hard":18446744073709551615,"soft":9223372036854775809' "$T/bundle/config.json"
}

@test "pass-through verbs print nothing of the shim's own on stdout" {
    run --separate-stderr hd state c1
    [ "$status" -eq 0 ]
    [ -z "$output" ]
}

@test "policy named but missing: every guarded verb is refused (fail closed), pass-through verbs still work" {
    for verb in "create --bundle $T/bundle c1" "run --bundle $T/bundle c1" "restore --bundle $T/bundle c1" \
                "exec --process $FIXTURES/exec-user0.json c1" "update --memory 1m c1"; do
        rm -f "$LOG"
        # shellcheck disable=SC2086 # the verb's words are meant to split
        POLICY=/nonexistent/policy.json run hd $verb
        [ "$status" -eq 1 ]
        backend_not_ran
        [[ "$(last_error)" == *"cannot use the policy: policy /nonexistent/policy.json: No such file or directory"* ]]
    done
    POLICY=/nonexistent/policy.json run hd state c1
    [ "$status" -eq 0 ]
    backend_ran
}

@test "an invalid policy is refused with file:line:col and the key path" {
    printf '{"apiVersion": "hardened/v1",\n "rules": {"user": {"action": "rewrite", "uidd": 5}}}\n' > "$T/p.json"
    POLICY=$T/p.json run hd create --bundle "$T/bundle" c1
    [ "$status" -eq 1 ]
    backend_not_ran
    [[ "$(last_error)" == *"$T/p.json:2:42: /rules/user/uidd: unknown field \"uidd\""* ]]
}

@test "the policy's runtime is the backend, for guarded and pass-through verbs" {
    jq --arg rt "$FAKE_RUNTIME" '.runtime = $rt' "$FIXTURES/policy-off.json" > "$T/p.json"
    run "$HARDENED" --policy "$T/p.json" create --bundle "$T/bundle" c1
    [ "$status" -eq 0 ]
    [ "$(head -1 "$FAKE_RUNTIME_OUT/argv")" = "$FAKE_RUNTIME" ]
    rm "$FAKE_RUNTIME_OUT/argv"
    run "$HARDENED" --policy "$T/p.json" state c1
    [ "$status" -eq 0 ]
    [ "$(head -1 "$FAKE_RUNTIME_OUT/argv")" = "$FAKE_RUNTIME" ]
}

@test "a refused config names every violated rule in one line and never reaches the backend" {
    POLICY=$BATS_TEST_DIRNAME/../../policy/profiles/restricted.json run hd create --bundle "$T/bundle" c1
    [ "$status" -eq 1 ]
    backend_not_ran
    msg=$(last_error)
    # (Docker's seccomp profile passes: restricted.json has denyPtrace false)
    for rule in user.nonRoot rootfs.readOnly capabilities.allowList process.noNewPrivileges \
                resources.memory resources.cpu resources.pids; do
        [[ "$msg" == *"$rule: "* ]] || { echo "missing $rule in: $msg"; false; }
    done
    [ "$(jq -s '[.[] | select(.level == "error")] | length' "$LOG")" -ge 9 ]   # in full too
}

@test "audit mode: the config reaches the backend unchanged and every finding is logged as a warning" {
    jq '.mode = "audit"' "$BATS_TEST_DIRNAME/../../policy/profiles/restricted.json" > "$T/p.json"
    jq -S . "$T/bundle/config.json" > "$T/before.json"
    POLICY=$T/p.json run hd create --bundle "$T/bundle" "$DOCKER_ID"
    [ "$status" -eq 0 ]
    backend_ran
    cmp "$T/before.json" <(jq -S . "$T/bundle/config.json")
    [ "$(jq -r 'select(.level == "warning") | .msg' "$LOG" | grep -c ' warning at ')" -eq 11 ]
    [ -z "$(jq -r 'select(.level == "error") | .msg' "$LOG")" ]
}

@test "no policy named and none installed: the compiled-in default applies and says so" {
    path=$("$HARDENED" policy help | sed -n 's/.*installed policy: \(.*\)$/\1/p')
    [ -n "$path" ]
    if [ -e "$path" ]; then
        [ "${CI:-}" != true ] || { echo "$path exists on a CI machine"; false; }
        skip "$path is installed on this machine"
    fi
    run "$HARDENED" --backend "$FAKE_RUNTIME" --log "$LOG" --log-format json create --bundle "$T/bundle" "$DOCKER_ID"
    [ "$status" -eq 0 ]
    [ "$(jq -r .process.user.uid "$T/bundle/config.json")" = 65534 ]
    jq -r .msg "$LOG" | grep -q '^policy built-in default: user.nonRoot rewritten'
}

@test "stderr carries one bounded refusal line, most important rule first, even from a long install path; the log has every finding" {
    long=$T/$(printf 'a-deliberately-long-install-path-%02d/' $(seq 1 6))
    mkdir -p "$long/bundle"
    cp "$BATS_TEST_DIRNAME/../../policy/profiles/restricted.json" "$long/restricted.json"
    cp "$T/bundle/config.json" "$long/bundle/config.json"
    for log in "" "$LOG"; do
        rm -f "$LOG"
        run --separate-stderr "$HARDENED" --policy "$long/restricted.json" --backend "$FAKE_RUNTIME" \
            ${log:+--log "$log" --log-format json} create --bundle "$long/bundle" "$DOCKER_ID"
        [ "$status" -eq 1 ]
        backend_not_ran
        [ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]                # one line
        [ "${#stderr}" -lt 1000 ]                                     # bounded
        [[ "$stderr" == "hardened: bundle $long/bundle: config.json: refused by policy $long/restricted.json: capabilities.allowList: "* ]]
        [[ "$stderr" == *"(the full list is in the runtime log)" || "$stderr" == *"in the log" ]]
    done
    # the log has each finding on its own line and the whole summary last
    [ "$(jq -r 'select(.level == "error") | .msg' "$LOG" | grep -c ' refused at ')" -ge 9 ]
    [[ "$(last_error)" == *"refused by policy $long/restricted.json: capabilities.allowList: "*"; user.nonRoot: "* ]]
}

# in_order TEXT ID...: each "ID: " entry is in TEXT, after the one before it.
in_order() {
    local text=$1 at=0 rest id
    shift
    for id in "$@"; do
        rest=${text:$at}
        [[ "$rest" == *"$id: "* ]] || { echo "$id: missing after offset $at in: $text" >&2; return 1; }
        rest=${rest%%"$id: "*}
        at=$((at + ${#rest} + ${#id}))
    done
}

@test "many findings: the refusal line names host escapes first, then the user, the rootfs, the resources; bounded" {
    # Docker's --privileged config, with the host's pid namespace, a bundle=
    # annotation and a secret in the environment: findings in most families
    jq -c 'del(.hooks) | .linux.namespaces |= map(select(.type != "pid"))
           | .annotations = {"bundle": "/elsewhere"} | .process.env += ["AWS_SECRET_ACCESS_KEY=x"]' \
        "$FIXTURES/run-privileged.json" > "$T/bundle/config.json"
    jq '.rules.secrets.action = "reject"' "$BATS_TEST_DIRNAME/../../policy/profiles/restricted.json" > "$T/p.json"
    run --separate-stderr "$HARDENED" --policy "$T/p.json" --backend "$FAKE_RUNTIME" --log "$LOG" --log-format json \
        create --bundle "$T/bundle" "$DOCKER_ID"
    [ "$status" -eq 1 ]
    backend_not_ran
    [ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
    [ "${#stderr}" -lt 1000 ]
    [[ "$stderr" == "hardened: bundle $T/bundle: config.json: refused by policy $T/p.json: privileged.container: "* ]]
    in_order "$stderr" privileged.container namespaces.private capabilities.allowList seccomp.profile mounts.bindSource
    [[ "$stderr" == *"; ... (the full list is in the runtime log)" ]]
    [[ "$stderr" != *"user.nonRoot: "* && "$stderr" != *"resources.memory: "* ]] # the least important were cut
    # the log's last error line, the whole summary, in the same order
    in_order "$(last_error)" privileged.container namespaces.private capabilities.allowList seccomp.profile \
        mounts.bindSource devices.host devices.cgroup annotations.runtime mounts.safeOptions paths.masked \
        user.nonRoot process.noNewPrivileges rootfs.readOnly resources.memory resources.cpu resources.pids env.secrets
    [[ "$(last_error)" == "bundle $T/bundle: config.json: refused by policy $T/p.json: privileged.container: "* ]]
    # the findings themselves are logged in the order the rules ran
    [ "$(jq -r 'select(.msg | test(" refused at ")) | .msg' "$LOG" | head -1 | cut -d' ' -f3)" = privileged.container ]
    [ "$(jq -r 'select(.msg | test(" refused at ")) | .msg' "$LOG" | sed -n 2p | cut -d' ' -f3)" = user.nonRoot ]
}

@test "no --log: rewrites, notes and audit warnings stay off stderr (it is the container's)" {
    jq '.mode = "audit"' "$BATS_TEST_DIRNAME/../../policy/profiles/restricted.json" > "$T/audit.json"
    for pol in "$T/audit.json" "$BATS_TEST_DIRNAME/../../policy/profiles/default.json"; do
        jq -c 'del(.hooks)' "$FIXTURES/run-default.json" > "$T/bundle/config.json"
        run --separate-stderr "$HARDENED" --policy "$pol" --backend "$FAKE_RUNTIME" \
            create --bundle "$T/bundle" "$DOCKER_ID"
        [ "$status" -eq 0 ]
        backend_ran
        [ -z "$stderr" ]
    done
}
