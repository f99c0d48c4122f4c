#!/usr/bin/env bats
# Annotations the backend acts on, and who may claim an annotation-matched
# exemption.  A backend's own list (its `features` potentiallyUnsafeConfig-
# Annotations) is read by `policy lint`/`policy show` into the features
# cache and refused on create from there; a missing, stale or untrusted
# cache entry leaves the built-in list and a note.  Exemptions matched by
# annotation apply only under a runc root the policy trusts for that key.

bats_require_minimum_version 1.5.0
load helpers
load fake

CACHE=/var/lib/hardened/features

setup() {
    fake_setup
    BACKEND=$T/backend
    printf '{"ociVersionMin": "1.0.0", "potentiallyUnsafeConfigAnnotations": ["com.example.backend.", "io.example/exact"]}\n' > "$T/features.json"
    make_backend
    jq --arg b "$BACKEND" '.runtime = $b | .rules.annotations = {action: "reject"}' "$FIXTURES/policy-off.json" > "$T/p.json"
}

teardown() {
    rm -f "$(cache_of "$BACKEND")"
    if [ -n "${RT_ROOT:-}" ]; then rt_cleanup; fi
    fake_teardown
}

# make_backend: a backend at $BACKEND whose `features` prints $T/features.json
# (FEATURES_EXIT: its status) and which is otherwise the fake runtime.
make_backend() {
    cat > "$T/backend.new" <<SH
#!/bin/sh
if [ "\$1" = features ]; then cat "$T/features.json"; exit ${FEATURES_EXIT:-0}; fi
exec "$FAKE_RUNTIME" "\$@"
SH
    chmod 755 "$T/backend.new"
    mv "$T/backend.new" "$BACKEND"
}

cache_of() { printf '%s/%s.json\n' "$CACHE" "$(printf %s "$1" | sha256sum | cut -c1-64)"; }

# create_with KEY: create through $BACKEND with one annotation KEY=v.
create_with() {
    rm -rf "$FAKE_RUNTIME_OUT" "$LOG" && mkdir -p "$FAKE_RUNTIME_OUT"
    jq -c --arg k "$1" 'del(.hooks) | .annotations = {($k): "v"}' "$FIXTURES/run-default.json" > "$T/bundle/config.json"
    run "$HARDENED" --policy "$T/p.json" --backend "$BACKEND" --log "$LOG" --log-format json \
        create --bundle "$T/bundle" c1
}

@test "features: an annotation only the backend lists is refused once policy show cached the list; a note says when it is not known" {
    rm -f "$(cache_of "$BACKEND")"
    create_with com.example.backend.gpu
    [ "$status" -eq 0 ]
    jq -r .msg "$LOG" | grep -qF "note: backend $BACKEND: its features were never cached; built-in annotation list only (run \`hardened policy lint\`)"
    run --separate-stderr "$HARDENED" policy show --policy "$T/p.json" --backend "$BACKEND"
    [ "$status" -eq 0 ]
    jq -e . <<<"$output" >/dev/null
    [ -z "$stderr" ]                     # show stays quiet unless caching fails
    [ "$(stat -c '%u %a' "$(cache_of "$BACKEND")")" = "0 644" ]
    jq -e --arg b "$BACKEND" '.backend == $b and .features == true
        and .potentiallyUnsafeConfigAnnotations == ["com.example.backend.", "io.example/exact"]' "$(cache_of "$BACKEND")"
    run "$HARDENED" policy lint "$T/p.json"
    [[ "${lines[1]}" == "hardened policy: backend $BACKEND: acts on annotations com.example.backend., io.example/exact (cached in $(cache_of "$BACKEND"))" ]]
    create_with com.example.backend.gpu
    [ "$status" -eq 1 ]
    [[ "$(last_error)" == *"annotations.runtime: annotation com.example.backend.gpu changes what the runtime does"* ]]
    backend_not_ran
    ! jq -r .msg "$LOG" | grep -q "note: backend"
    create_with io.example/exact
    [ "$status" -eq 1 ]
    create_with io.example/exactly      # not a prefix: no trailing "."
    [ "$status" -eq 0 ]
    create_with bundle                  # the built-in list still applies
    [ "$status" -eq 1 ]
}

@test "features: a reinstalled backend makes the entry stale (built-in list and a note) until lint reads it again" {
    "$HARDENED" policy show --policy "$T/p.json" --backend "$BACKEND" >/dev/null 2>&1
    create_with com.example.backend.gpu
    [ "$status" -eq 1 ]
    printf '{"potentiallyUnsafeConfigAnnotations": ["com.example.newer."]}\n' > "$T/features.json"
    make_backend                         # a new file: new inode, mtime, ctime
    create_with com.example.newer.x
    [ "$status" -eq 0 ]
    jq -r .msg "$LOG" | grep -qF "note: backend $BACKEND: it changed since its features were cached"
    run "$HARDENED" policy lint "$T/p.json"     # lint refreshes the policy's runtime
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "$T/p.json: ok" ]
    [[ "$output" == *"backend $BACKEND: acts on annotations com.example.newer."* ]]
    create_with com.example.newer.x
    [ "$status" -eq 1 ]
    create_with com.example.backend.gpu  # no longer listed
    [ "$status" -eq 0 ]
}

@test "features: a backend without the verb, or without the field (runc 1.1.5), is cached as having no list: no note" {
    FEATURES_EXIT=1 make_backend
    run "$HARDENED" policy lint "$T/p.json"
    [ "$status" -eq 0 ]
    [[ "$output" == *"backend $BACKEND: has no features verb: no annotation list of its own"* ]]
    create_with com.example.backend.gpu
    [ "$status" -eq 0 ]
    ! jq -r .msg "$LOG" | grep -q "note: backend"
    create_with org.criu.config
    [ "$status" -eq 1 ]
    # runc 1.1.5 here: `runc features` has no potentiallyUnsafeConfigAnnotations
    ! /usr/sbin/runc features | jq -e 'has("potentiallyUnsafeConfigAnnotations")'
    jq '.runtime = "/usr/sbin/runc"' "$T/p.json" > "$T/runc.json"
    run "$HARDENED" policy lint "$T/runc.json"
    [ "$status" -eq 0 ]
    [[ "$output" == *"backend /usr/sbin/runc: features lists no potentiallyUnsafeConfigAnnotations"* ]]
}

@test "features: an entry others could write, or one naming another backend, is ignored with a note" {
    "$HARDENED" policy show --policy "$T/p.json" --backend "$BACKEND" >/dev/null 2>&1
    chmod 666 "$(cache_of "$BACKEND")"
    create_with com.example.backend.gpu
    [ "$status" -eq 0 ]
    jq -r .msg "$LOG" | grep -qF "its features cache entry is not root's own: ignored"
    chmod 644 "$(cache_of "$BACKEND")"
    jq -c '.backend = "/usr/sbin/runc"' "$(cache_of "$BACKEND")" > "$T/e" && cp "$T/e" "$(cache_of "$BACKEND")"
    create_with com.example.backend.gpu
    [ "$status" -eq 0 ]
    jq -r .msg "$LOG" | grep -qF "its features cache entry is unreadable: ignored"
}

@test "features: output that is not a list of keys is not cached, and says why" {
    printf '{"potentiallyUnsafeConfigAnnotations": "com.example."}\n' > "$T/features.json"
    run "$HARDENED" policy show --policy "$T/p.json" --backend "$BACKEND"
    [ "$status" -eq 0 ]
    [[ "$output" == *"backend $BACKEND: features not cached: $BACKEND features: potentiallyUnsafeConfigAnnotations is not an array"* ]]
    [ ! -e "$(cache_of "$BACKEND")" ]
}

@test "annotations (real runc): a bundle annotation, in either spelling, is removed under rewrite: runc's labels keep only the real bundle" {
    rt_edited_bundle '.annotations = {"bundle": "/tmp/elsewhere", "bundle=/tmp/x": "y", "com.example.team": "web"}' sleep 100
    jq '.rules.annotations = {action: "rewrite"}' "$FIXTURES/policy-off.json" > "$T/rw.json"
    RT_POLICY=$T/rw.json rt_create hardened "$(rt_id a)" "$RT_TMP/b"
    jq -e '.config.labels | sort == (["bundle='"$RT_TMP"'/b", "com.example.team=web"] | sort)' "$RT_ROOT/$(rt_id a)/state.json"
    # the same config straight to runc: the first "bundle" label is the annotation's
    jq '.annotations = {"bundle": "/tmp/elsewhere"}' "$RT_TMP/b/config.json" > "$RT_TMP/c.json" && mv "$RT_TMP/c.json" "$RT_TMP/b/config.json"
    rt_create runc "$(rt_id r)" "$RT_TMP/b"
    [ "$(jq -r '[.config.labels[] | select(startswith("bundle="))][0]' "$RT_ROOT/$(rt_id r)/state.json")" = "bundle=/tmp/elsewhere" ]
}

@test "trustedAnnotations (real runc): a CRI annotation claims its exemption only under a trusted --root, else a note and no exemption" {
    rt_edited_bundle '.annotations = {"io.kubernetes.cri.sandbox-namespace": "ci"}' id -u
    jq --arg root "$RT_ROOT" '.rules.user = {action: "reject"}
        | .exemptions = [{name: "ci", match: {annotations: {"io.kubernetes.cri.sandbox-namespace": "ci"}}, rules: {user: {action: "off"}}}]
        | .trustedAnnotations = [{root: $root, prefixes: ["io.kubernetes.cri."]}]' "$FIXTURES/policy-off.json" > "$T/trust.json"
    jq 'del(.trustedAnnotations)' "$T/trust.json" > "$T/default-trust.json"
    run --separate-stderr "$HARDENED" --policy "$T/trust.json" --root "$RT_ROOT" --log "$LOG" --log-format json \
        run --bundle "$RT_TMP/b" "$(rt_id t)" </dev/null 3>&-
    [ "$status" -eq 0 ]
    [ "$output" = 0 ]
    jq -r .msg "$LOG" | grep -qF 'exemption "ci" applies'
    rm -f "$LOG"
    run --separate-stderr "$HARDENED" --policy "$T/default-trust.json" --root "$RT_ROOT" --log "$LOG" --log-format json \
        run --bundle "$RT_TMP/b" "$(rt_id u)" </dev/null 3>&-
    [ "$status" -eq 1 ]
    [[ "$(last_error)" == *"user.nonRoot"* ]]
    jq -r .msg "$LOG" | grep -qF "note: exemption \"ci\" not applied: io.kubernetes.cri.sandbox-namespace is not an engine-owned annotation under --root $RT_ROOT"
    [ ! -e "$RT_ROOT/$(rt_id u)" ]
}

@test "trustedAnnotations: policy check --root judges as the engine there would; bad entries are load errors with file:line:col" {
    jq -c 'del(.hooks) | .annotations = {"io.kubernetes.cri.sandbox-namespace": "ci"}' "$FIXTURES/run-default.json" > "$T/c.json"
    jq '.rules.noNewPrivileges = {action: "reject"}
        | .exemptions = [{name: "ci", match: {annotations: {"io.kubernetes.cri.sandbox-namespace": "ci"}}, rules: {noNewPrivileges: {action: "off"}}}]' \
        "$FIXTURES/policy-off.json" > "$T/x.json"
    run "$HARDENED" policy check --policy "$T/x.json" --root /run/containerd/runc/k8s.io "$T/c.json"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "$T/c.json: allowed (exemption \"ci\")" ]
    run "$HARDENED" policy check --policy "$T/x.json" --root /run/docker/runtime-runc/moby --format json "$T/c.json"
    [ "$status" -eq 1 ]
    jq -e '.decision == "refused" and (.notes[0] | startswith("exemption \"ci\" not applied"))' <<<"$output"
    printf '{"apiVersion": "hardened/v1",\n "trustedAnnotations": [{"root": "run/k8s.io", "prefixes": ["io."]}]}\n' > "$T/bad.json"
    run "$HARDENED" policy lint "$T/bad.json"
    [ "$status" -eq 1 ]
    [[ "${lines[0]}" == "$T/bad.json:2:34: /trustedAnnotations/0: root \"run/k8s.io\" must be a clean absolute path" ]]
    printf '{"apiVersion": "hardened/v1",\n "trustedAnnotations": [{"root": "/run/k8s.io"}]}\n' > "$T/bad.json"
    run "$HARDENED" policy lint "$T/bad.json"
    [[ "${lines[0]}" == "$T/bad.json:2:25: /trustedAnnotations/0: needs \"root\" and a non-empty \"prefixes\"" ]]
    printf '{"apiVersion": "hardened/v1",\n "trustedAnnotations": [{"root": "/run/k8s.io", "prefixes": [""]}]}\n' > "$T/bad.json"
    run "$HARDENED" policy lint "$T/bad.json"
    [[ "${lines[0]}" == "$T/bad.json:2:62: /trustedAnnotations/0: a prefix must not be empty" ]]
    run --separate-stderr "$HARDENED" policy show --policy "$FIXTURES/policy-off.json"
    jq -e '.trustedAnnotations == [{root: "/run/containerd/runc/k8s.io", prefixes: ["io.kubernetes.cri."]},
                                   {root: "/var/run/containerd/runc/k8s.io", prefixes: ["io.kubernetes.cri."]}]' <<<"$output"
}

@test "trustedAnnotations: the JSON Schema takes what the loader takes and refuses an entry without prefixes" {
    command -v python3 >/dev/null && /usr/bin/python3 -c 'import jsonschema' 2>/dev/null ||
        { [ "${CI:-}" != true ] || false; skip "needs python3-jsonschema"; }
    check() {
        /usr/bin/python3 -c 'import json, sys, jsonschema
jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])))' "$BATS_TEST_DIRNAME/../../policy/profiles/policy.schema.json" "$1"
    }
    printf '{"apiVersion": "hardened/v1", "rules": {"annotations": {"action": "reject", "prefixes": ["com.example."]}},
      "trustedAnnotations": [{"root": "/run/k3s/containerd/runc/k8s.io", "prefixes": ["io.kubernetes.cri."]}]}\n' > "$T/good.json"
    check "$T/good.json"
    "$HARDENED" policy lint "$T/good.json"
    printf '{"apiVersion": "hardened/v1", "trustedAnnotations": [{"root": "/run/k8s.io"}]}\n' > "$T/bad.json"
    run check "$T/bad.json"
    [ "$status" -ne 0 ]
    run "$HARDENED" policy lint "$T/bad.json"
    [ "$status" -eq 1 ]
}
