#!/usr/bin/env bats
# The ops-repo tooling (hardened policy lint|check|show), layering, the
# JSON-lines decision log and audit-is-required, man pages after install,
# and the example ops repo's own CI script.

bats_require_minimum_version 1.5.0
load fake

TOP=$BATS_TEST_DIRNAME/../..
DEFAULT=$TOP/policy/profiles/default.json

setup() { fake_setup; }
teardown() { fake_teardown; }

@test "lint: exit 0 and 'FILE: ok' for clean files, 1 and FILE:LINE:COL for findings, 2 for usage" {
    run "$HARDENED" policy lint "$DEFAULT" "$TOP/policy/profiles/restricted.json"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "$DEFAULT: ok" ]
    printf '{"apiVersion": "hardened/v1",\n "rules": {"capabilities": {"action": "rewrite", "allow": ["CAP_NET_BIND_SERVIC"]}}}\n' > "$T/bad.json"
    run "$HARDENED" policy lint "$DEFAULT" "$T/bad.json"
    [ "$status" -eq 1 ]
    [ "${lines[0]}" = "$DEFAULT: ok" ]
    [[ "${lines[1]}" == "$T/bad.json:2:60: /rules/capabilities/allow/0: \"CAP_NET_BIND_SERVIC\" is not a capability"* ]]
    run "$HARDENED" policy lint
    [ "$status" -eq 2 ]
    run "$HARDENED" policy frobnicate
    [ "$status" -eq 2 ]
}

@test "lint: an exemption that names no rule family is refused at its key, with the families there are" {
    families="user, readOnlyRootfs, capabilities, noNewPrivileges, runtimeFlags, restore, seccomp, resources, realtime, hostNamespaces, mounts, privileged, devices, maskedPaths, sysctls, lsm, hooks, annotations, oomScoreAdj, rlimits, cgroupsPath, secrets, images"
    printf '{"apiVersion": "hardened/v1",\n "exemptions": [{"name": "ci", "match": {"ids": ["a"]},\n   "rules": {"user": {"action": "warn"}, "sekcomp": {"action": "off"}}}]}\n' > "$T/fam.json"
    run "$HARDENED" policy lint "$T/fam.json"
    [ "$status" -eq 1 ]
    [ "${lines[0]}" = "$T/fam.json:3:42: /exemptions/0/rules/sekcomp: no rule family \"sekcomp\" (rule families: $families)" ]
    # in an overlay, the overlay's file and position
    mkdir -p "$T/o/policy.d"
    cp "$DEFAULT" "$T/o/policy.json"
    printf '{"apiVersion": "hardened/v1", "exemptions": [{"name": "x", "match": {"ids": ["b"]}, "rules": {"User": {"action": "off"}}}]}\n' > "$T/o/policy.d/10-x.json"
    run "$HARDENED" policy lint "$T/o/policy.json"
    [ "$status" -eq 1 ]
    [ "${lines[0]}" = "$T/o/policy.d/10-x.json:1:95: /exemptions/0/rules/User: no rule family \"User\" (rule families: $families)" ]
}

@test "check: the decision, the findings and the diff for each config; exit 1 when one would be refused" {
    jq 'del(.hooks)' "$FIXTURES/run-hardened-flags.json" > "$T/flags.json"
    jq 'del(.hooks)' "$FIXTURES/run-privileged.json" > "$T/priv.json"
    run "$HARDENED" policy check --policy "$DEFAULT" "$T/flags.json"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "$T/flags.json: rewritten" ]
    [[ "$output" == *"resources.memory rewritten at /linux/resources/memory/swap"* ]]
    [[ "$output" == *"replace /linux/resources/memory/swap: 268435456"* ]]
    [[ "$output" == *"add /linux/seccomp/defaultErrnoRet: 1"* ]]
    run "$HARDENED" policy check --policy "$DEFAULT" --format json "$T/flags.json" "$T/priv.json"
    [ "$status" -eq 1 ]
    [ "$(jq -r .decision <<<"${lines[0]}")" = rewritten ]
    [ "$(jq -r .decision <<<"${lines[1]}")" = refused ]
    [ "$(jq -r '.findings[0].rule' <<<"${lines[1]}")" = privileged.container ]
    jq -e '.diff | map(select(.path == "/linux/resources/memory/swap" and .op == "replace" and .value == 268435456)) | length == 1' <<<"${lines[0]}"
    run "$HARDENED" policy check "$T/flags.json"
    [ "$status" -eq 2 ]
    run "$HARDENED" policy check --policy "$DEFAULT" --format yaml "$T/flags.json"
    [ "$status" -eq 2 ]
}

@test "check: a config made long gets one operation per changed entry, in document order, pointers escaped (text and JSON agree)" {
    # 3000 unsafe sysctls (two with "/" and "~" in the key) and 3000
    # run.oci.* annotations, every rule on rewrite: each is removed
    jq '.rules |= with_entries(.value.action = "rewrite")' "$DEFAULT" > "$T/rewrite.json"
    jq 'del(.hooks)
        | .linux.sysctl = ([range(3000) | {key: "net.ipv4.conf.e\(.).forwarding", value: "1"}]
                           + [{key: "kernel.a/b", value: "1"}, {key: "kernel.c~d", value: "1"}] | from_entries)
        | .annotations = ([range(3000) | {key: "run.oci.k\(.)", value: "v"}] | from_entries)' \
        "$FIXTURES/run-default.json" > "$T/long.json"
    jq -r '(.linux.sysctl | keys_unsorted[] | "  remove /linux/sysctl/" + (gsub("~"; "~0") | gsub("/"; "~1"))),
           (.annotations | keys_unsorted[] | select(startswith("run.oci.")) | "  remove /annotations/" + .)' \
        "$T/long.json" > "$T/expected"
    [ "$(wc -l < "$T/expected")" -eq 6002 ]
    run "$HARDENED" policy check --policy "$T/rewrite.json" "$T/long.json"
    [ "$status" -eq 0 ]
    grep -E '^  remove /(linux/sysctl|annotations)/' <<<"$output" > "$T/removed"
    diff -u "$T/expected" "$T/removed"
    grep -E '^  (add|remove|replace) ' <<<"$output" | sed 's/: .*//' > "$T/text-ops"
    run "$HARDENED" policy check --policy "$T/rewrite.json" --format json "$T/long.json"
    [ "$status" -eq 0 ]
    jq -r '.diff[] | "  \(.op) \(.path)"' <<<"$output" > "$T/json-ops"
    diff -u "$T/text-ops" "$T/json-ops"
}

@test "check: a config runc's decoder would read differently is reported as refused" {
    printf '{"ociVersion":"1.0.2","root":{"path":"r","readonly":true,"readonly":false}}' > "$T/dup.json"
    run "$HARDENED" policy check --policy "$DEFAULT" "$T/dup.json"
    [ "$status" -eq 1 ]
    [ "${lines[0]}" = "$T/dup.json: refused" ]
    [[ "${lines[1]}" == *'document.duplicateKey refused at /root/readonly: 1:58: /root/readonly: the field "readonly" is given again'* ]]
}

@test "show: the effective policy with every default filled in" {
    printf '{"apiVersion": "hardened/v1", "rules": {"user": {"action": "reject"}}}\n' > "$T/p.json"
    run "$HARDENED" policy show --policy "$T/p.json"
    [ "$status" -eq 0 ]
    jq -e '.apiVersion == "hardened/v1" and .mode == "enforce" and (has("unknownFields") | not)
           and .document == {"foldedKeys": "reject", "nulls": "reject", "duplicateKeys": "reject", "unknownFields": "reject"}
           and .rules.user == {"action": "reject", "uid": 65534, "gid": 65534, "requireUserNamespace": false,
                                "allowRootInUserNamespace": false, "allowedUids": [{"min": 1, "max": 4294967294}],
                                "allowedGids": [{"min": 1000, "max": 4294967294}],
                                "mappedHostUids": [{"min": 1, "max": 4294967294}],
                                "mappedHostGids": [{"min": 1000, "max": 4294967294}]}
           and .rules.mounts.action == "off" and (.rules.mounts.deny | index("/var/lib/docker"))
           and (.rules.seccomp.deny | length) == 30 and .rules.hooks.allow[0] == {"path": "/usr/sbin/dockerd",
               "args": ["libnetwork-setkey", "-exec-root=/*", "[0-9a-f]{64}", "[0-9a-f]{12}"],
               "env": [], "maxTimeout": null}' <<<"$output"
}

@test "layering: extends (relative to the file) and policy.d overlays, merged key by key; exemptions concatenated" {
    mkdir -p "$T/repo/base" "$T/repo/team/policy.d"
    jq '.exemptions = [{"name": "base-x", "match": {"ids": ["x"]}, "rules": {"user": {"action": "off"}}}]' "$DEFAULT" > "$T/repo/base/policy.json"
    cat > "$T/repo/team/policy.json" <<'JSON'
{ "apiVersion": "hardened/v1", "extends": "../base/policy.json",
  "rules": { "resources": { "memory": { "max": "8Gi" } }, "user": { "uid": 1000 } },
  "exemptions": [ { "name": "team-y", "match": { "ids": ["y"] }, "rules": { "user": { "action": "warn" } } } ] }
JSON
    printf '{"apiVersion": "hardened/v1", "rules": {"resources": {"pids": {"max": 8192}}}}\n' > "$T/repo/team/policy.d/10-pids.json"
    printf '{"apiVersion": "hardened/v1", "rules": {"resources": {"pids": {"max": 9000}}}}\n' > "$T/repo/team/policy.d/20-pids.json"
    run "$HARDENED" policy show --policy "$T/repo/team/policy.json"
    [ "$status" -eq 0 ]
    jq -e '.rules.resources.memory == {"default": 536870912, "max": 8589934592, "allowSwap": false} or
           (.rules.resources.memory.max == "8Gi" and .rules.resources.memory.default == "512Mi")' <<<"$output"
    jq -e '.rules.resources.pids.max == 9000 and .rules.resources.cpu.max == 4' <<<"$output"
    jq -e '.rules.user.uid == 1000 and .rules.user.action == "rewrite"' <<<"$output"
    jq -e '[.exemptions[].name] == ["base-x", "team-y"]' <<<"$output"
    jq -e 'has("extends") | not' <<<"$output"
}

@test "layering: errors name the file they are in; cycles and missing bases are refused" {
    mkdir -p "$T/l"
    printf '{"apiVersion": "hardened/v1", "extends": "b.json"}\n' > "$T/l/a.json"
    printf '{"apiVersion": "hardened/v1",\n "rules": {"user": {"action": "rewrit"}}}\n' > "$T/l/b.json"
    run "$HARDENED" policy lint "$T/l/a.json"
    [ "$status" -eq 1 ]
    [[ "$output" == "$T/l/b.json:2:31: /rules/user/action: \"rewrit\" is not one of"* ]]
    printf '{"apiVersion": "hardened/v1", "extends": "a.json"}\n' > "$T/l/b.json"
    run "$HARDENED" policy lint "$T/l/a.json"
    [ "$status" -eq 1 ]
    [[ "$output" == *"/extends: more than 8 levels (a cycle?)"* ]]
    printf '{"apiVersion": "hardened/v1", "extends": "nowhere.json"}\n' > "$T/l/c.json"
    run "$HARDENED" policy lint "$T/l/c.json"
    [ "$status" -eq 1 ]
    [[ "$output" == *"policy $T/l/nowhere.json: No such file or directory"* ]]
}

@test "the layered policy is what the runtime enforces" {
    mkdir -p "$T/r/policy.d"
    jq --arg rt "$FAKE_RUNTIME" '.runtime = $rt' "$FIXTURES/policy-off.json" > "$T/r/policy.json"
    printf '{"apiVersion": "hardened/v1", "rules": {"user": {"action": "rewrite", "uid": 4242, "gid": 4242}}}\n' > "$T/r/policy.d/50-user.json"
    run "$HARDENED" --policy "$T/r/policy.json" create --bundle "$T/bundle" c1
    [ "$status" -eq 0 ]
    [ "$(jq -r .process.user.uid "$T/bundle/config.json")" = 4242 ]
}

@test "decision log: 50 concurrent shims append 50 intact JSON lines" {
    jq --arg l "$T/decisions.jsonl" '.decisionLog = $l' "$DEFAULT" > "$T/p.json"
    for i in $(seq 50); do
        mkdir -p "$T/b$i"
        cp "$T/bundle/config.json" "$T/b$i/config.json"
        "$HARDENED" --policy "$T/p.json" --backend "$FAKE_RUNTIME" --log "$T/log$i" --log-format json \
            create --bundle "$T/b$i" "$DOCKER_ID" >/dev/null 2>&1 &
    done
    wait
    [ "$(wc -l < "$T/decisions.jsonl")" -eq 50 ]
    [ "$(jq -c --arg id "$DOCKER_ID" 'select(.verb == "create" and .decision == "rewritten" and .container == $id)' \
         "$T/decisions.jsonl" | wc -l)" -eq 50 ]
    [ "$(jq -r .bundle "$T/decisions.jsonl" | sort -u | wc -l)" -eq 50 ]
    jq -e '.rules | index("user.nonRoot")' < <(head -1 "$T/decisions.jsonl")
}

@test "decision log: no secret value reaches it, the syslog line or the runtime log" {
    jq --arg l "$T/decisions.jsonl" '.decisionLog = $l | .rules.secrets.action = "reject"' "$DEFAULT" > "$T/p.json"
    config_jq '.process.env += ["DB_PASSWORD=hunter2-very-secret"]'
    run "$HARDENED" --policy "$T/p.json" --backend "$FAKE_RUNTIME" --log "$LOG" --log-format json create --bundle "$T/bundle" "$DOCKER_ID"
    [ "$status" -eq 1 ]
    grep -q '"env.secrets"' "$T/decisions.jsonl"
    ! grep -q hunter2 "$T/decisions.jsonl" "$LOG"
    [[ "$output" != *hunter2* ]]
}

@test "audit required: a call is refused when the kernel audit record cannot be written (user namespace)" {
    [ "$(id -u)" -eq 0 ] || { [ "${CI:-}" != true ] || false; skip "needs root"; }
    jq '.audit = {"required": true} | .rules = {}' "$DEFAULT" > "$T/p.json"
    run unshare -Ur "$HARDENED" --policy "$T/p.json" --backend "$FAKE_RUNTIME" create --bundle "$T/bundle" c1
    [ "$status" -eq 1 ]
    [[ "$output" == *"the policy requires kernel audit and the record could not be written"* ]]
    backend_not_ran
    jq '.audit = {"required": false}' "$T/p.json" > "$T/q.json"
    run unshare -Ur "$HARDENED" --policy "$T/q.json" --backend "$FAKE_RUNTIME" create --bundle "$T/bundle" c1
    [ "$status" -eq 0 ]
    backend_ran
}

@test "make install puts the man pages where man finds them" {
    command -v man >/dev/null || { [ "${CI:-}" != true ] || false; skip "man is not installed"; }
    [ -n "${top_builddir:-}" ] || skip "needs the build tree (make check)"
    make -C "$top_builddir" install DESTDIR="$T/dest" >/dev/null
    mandir=$(find "$T/dest" -type d -name man | head -1)
    [ -f "$mandir/man5/hardened-policy.5" ]
    [ -f "$mandir/man8/hardened.8" ]
    run env MANPATH="$mandir" MANWIDTH=80 man -P cat hardened-policy
    [ "$status" -eq 0 ]
    [[ "$output" == *"hardened-policy"* ]]
    [[ "$output" == *"extends"* ]]
    run env MANPATH="$mandir" man -P cat 8 hardened
    [ "$status" -eq 0 ]
    [[ "$output" == *"policy lint"* ]]
}

@test "the example ops repo's CI script passes with this build" {
    cp -r "$TOP/examples/ops-repo" "$T/ops"
    run env HARDENED="$HARDENED" sh "$T/ops/ci.sh"
    [ "$status" -eq 0 ]
    [ "${lines[-1]}" = "10 passed, 0 failed" ]
    # and a policy change that flips a case makes it fail
    jq '.rules.oomScoreAdj.action = "rewrite"' "$T/ops/base/policy.json" > "$T/x" && mv "$T/x" "$T/ops/base/policy.json"
    run env HARDENED="$HARDENED" sh "$T/ops/ci.sh"
    [ "$status" -ne 0 ]
}

@test "syslog: one LOG_AUTHPRIV line per decision (a private /dev/log in a mount namespace)" {
    [ "$(id -u)" -eq 0 ] && command -v socat >/dev/null || { [ "${CI:-}" != true ] || false; skip "needs root and socat"; }
    mkdir -p "$T/dev"
    mknod -m 666 "$T/dev/null" c 1 3
    run unshare -m bash -c "
        mount --bind '$T/dev' /dev
        socat -u UNIX-RECV:/dev/log,mode=666 OPEN:'$T/syslog.out',creat,append &
        listener=\$!
        for _ in \$(seq 50); do [ -S /dev/log ] && break; sleep 0.1; done
        '$HARDENED' --policy '$DEFAULT' --backend '$FAKE_RUNTIME' --log '$LOG' --log-format json create --bundle '$T/bundle' '$DOCKER_ID'
        sleep 0.3
        kill \$listener"
    [ "$status" -eq 0 ]
    [ "$(grep -c 'hardened\[' "$T/syslog.out")" -eq 1 ]
    # <PRI>: LOG_AUTHPRIV (10) * 8 + LOG_NOTICE (5) = 85
    grep -q '^<85>' "$T/syslog.out"
    grep -q "vm=\"$DOCKER_ID\" .*verb=\"create\" .*decision=rewritten rules=\"user.nonRoot," "$T/syslog.out"
}

@test "the JSON Schema accepts the shipped policies and refuses what the loader refuses" {
    command -v python3 >/dev/null && /usr/bin/python3 -c 'import jsonschema' 2>/dev/null ||
        { [ "${CI:-}" != true ] || false; skip "needs python3-jsonschema"; }
    schema=$TOP/policy/profiles/policy.schema.json
    check() {
        /usr/bin/python3 -c 'import json, sys, jsonschema
s = json.load(open(sys.argv[1])); jsonschema.Draft202012Validator.check_schema(s)
jsonschema.validate(json.load(open(sys.argv[2])), s)' "$schema" "$1"
    }
    check "$DEFAULT"
    check "$TOP/policy/profiles/restricted.json"
    check "$FIXTURES/policy-off.json"
    printf '{"apiVersion": "hardened/v1", "rules": {"user": {"action": "rewrite", "uidd": 5}}}\n' > "$T/typo.json"
    run check "$T/typo.json"
    [ "$status" -ne 0 ]
    run "$HARDENED" policy lint "$T/typo.json"
    [ "$status" -eq 1 ]
}
