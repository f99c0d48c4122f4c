#!/usr/bin/env bats
# The audit trail with a real auditd (private: its own config and log) and
# a private Docker: every decision leaves a kernel audit record that
# ausearch finds, with fields no container id can forge.

bats_require_minimum_version 1.5.0
load helpers

setup_file() {
    e2e_require || return 1
    for bin in auditd auditctl ausearch; do
        command -v "$bin" >/dev/null || { [ "${CI:-}" != true ] || return 1; skip "$bin missing"; }
    done
    export E2E_DIR
    E2E_DIR=$(mktemp -d /tmp/hd-audit.XXXXXX)
    e2e_audit_start "$E2E_DIR"
    e2e_policies "$E2E_DIR"
    e2e_daemon_json "$E2E_DIR"
    e2e_start "$E2E_DIR"
    e2e_image "$E2E_DIR"
}

teardown_file() {
    [ -n "${E2E_DIR:-}" ] || return 0
    e2e_rm_containers "$E2E_DIR"
    e2e_stop "$E2E_DIR"
    e2e_audit_stop "$E2E_DIR"
    rm -rf "$E2E_DIR"
}

# records of TYPE whose vm= is the container ID (raw, not interpreted)
records() {
    ausearch -if "$E2E_DIR/audit.log" -m "$1" 2>/dev/null | grep "vm=\"$2\"" || true
}

@test "a rewritten docker run and a refused one each leave a VIRT_CONTROL record with the right fields" {
    run dk run -d --runtime=hardened --network none "$E2E_IMAGE" sleep 60
    [ "$status" -eq 0 ]
    ok=$output
    run dk run -d --runtime=hardened-restricted --network none "$E2E_IMAGE" sleep 60
    [ "$status" -ne 0 ]
    refused=$(dk ps -aq --no-trunc --filter status=created | head -1)
    [ -n "$refused" ]
    sleep 1
    rec=$(records VIRT_CONTROL "$ok")
    [[ "$rec" == *"virt=hardened op=start vm=\"$ok\""* ]]
    [[ "$rec" == *'verb="create" '* ]]
    [[ "$rec" == *"decision=rewritten"* ]]
    [[ "$rec" == *'rules="user.nonRoot,rootfs.readOnly,capabilities.allowList'* ]]
    [[ "$rec" == *"res=success"* ]]
    rec=$(records VIRT_CONTROL "$refused")
    [[ "$rec" == *"decision=refused"* ]]
    [[ "$rec" == *"policy=\"$E2E_DIR/policy-restricted.json\""* ]]
    [[ "$rec" == *"res=failed"* ]]
    dk rm -f "$ok" "$refused" >/dev/null
}

@test "docker update leaves a VIRT_RESOURCE record" {
    run dk run -d --runtime=hardened --network none "$E2E_IMAGE" sleep 60
    id=$output
    run dk update --memory 256m --memory-swap 256m "$id"
    [ "$status" -eq 0 ]
    sleep 1
    rec=$(records VIRT_RESOURCE "$id")
    [[ "$rec" == *"op=resource"* ]]
    [[ "$rec" == *'verb="update"'* ]]
    [[ "$rec" == *"res=success"* ]]
    dk rm -f "$id" >/dev/null
}

@test "a container id with spaces, quotes and = cannot forge fields: it is hex-encoded" {
    b=$BATS_TEST_TMPDIR/b
    mkdir -p "$b"
    jq 'del(.hooks)' "$top_srcdir/tests/fixtures/run-default.json" > "$b/config.json"
    evil='x" res=success op=stop vm="y'
    run "$HARDENED" --policy "$top_srcdir/policy/profiles/restricted.json" --backend /bin/true create --bundle "$b" "$evil"
    [ "$status" -eq 1 ]
    sleep 1
    hex=$(printf '%s' "$evil" | od -An -tx1 | tr -d ' \n' | tr a-f A-F)
    rec=$(ausearch -if "$E2E_DIR/audit.log" -m VIRT_CONTROL 2>/dev/null | grep "vm=$hex ")
    [ -n "$rec" ]
    msg=${rec#*msg=\'}
    [ "$(grep -o ' res=' <<<"$msg" | wc -l)" -eq 1 ]
    [ "$(grep -o ' op=' <<<" $msg" | wc -l)" -eq 1 ]
    [[ "$msg" == *"res=failed"* ]]
    # ausearch -i decodes it back for people
    ausearch -if "$E2E_DIR/audit.log" -m VIRT_CONTROL -i 2>/dev/null | grep -qF 'vm=x" res=success op=stop vm="y'
}
