#!/usr/bin/env bats
# The decision record, where an operator reads it: the JSON-lines decision
# log, syslog (a private /dev/log in a mount namespace) and runc's --log.
# What an update's clamp applied (containerd's ContainerStatus keeps showing
# the request), and which pod a container belongs to, only when the
# engine behind the call's runc root vouches for the CRI annotations.

bats_require_minimum_version 1.5.0
load fake

DEFAULT=$BATS_TEST_DIRNAME/../../policy/profiles/default.json
RESTRICTED=$BATS_TEST_DIRNAME/../../policy/profiles/restricted.json

setup() {
    fake_setup
    chmod 700 "$T"
    mkdir -p "$T/k8s" "$T/moby"
    JSONL=$T/decisions.jsonl
    # Docker's own bind sources pass only for Docker's id in Docker's layout
    config_jq '.mounts |= map(select(.source | startswith("/var/lib/docker") | not))'
}
teardown() { fake_teardown; }

# rec_policy BASE [JQ]: BASE with the decision log in $JSONL, $T/k8s trusted
# for the CRI's keys as containerd's k8s.io root is by default, then JQ.
rec_policy() {
    jq --arg l "$JSONL" --arg r "$T/k8s" \
        ".decisionLog = \$l | .trustedAnnotations = [{root: \$r, prefixes: [\"io.kubernetes.cri.\"]}] | ${2:-.}" \
        "$1" > "$T/p.json"
    echo "$T/p.json"
}

# The CRI annotations containerd writes on a pod's container.
CRI_ANNOTATIONS='{"io.kubernetes.cri.sandbox-namespace": "team-a", "io.kubernetes.cri.sandbox-name": "web-7d9f",
                  "io.kubernetes.cri.container-name": "nginx", "io.kubernetes.cri.container-type": "container"}'
CRI_LABELS=(io.kubernetes.cri.sandbox-namespace=team-a io.kubernetes.cri.sandbox-name=web-7d9f
            io.kubernetes.cri.container-name=nginx io.kubernetes.cri.container-type=container)

# rec ROOT ARGS...: the shim under --root $T/ROOT with the policy in $P.
rec() {
    "$HARDENED" --policy "$P" --backend "$FAKE_RUNTIME" --log "$LOG" --log-format json --root "$T/$1" "${@:2}"
}

# syslog_run CMD...: CMD with /dev/log a private datagram socket (a mount
# namespace over /dev); the lines it logged end up in $T/syslog.out.
syslog_run() {
    [ "$(id -u)" -eq 0 ] && command -v socat >/dev/null || { [ "${CI:-}" != true ] || return 1; skip "needs root and socat"; }
    mkdir -p "$T/dev"
    [ -e "$T/dev/null" ] || mknod -m 666 "$T/dev/null" c 1 3
    printf '%q ' "$@" > "$T/cmd"
    unshare -m bash -c '
        mount --bind "$1/dev" /dev
        socat -u UNIX-RECV:/dev/log,mode=666 OPEN:"$1/syslog.out",creat,append &
        listener=$!
        for _ in $(seq 50); do [ -S /dev/log ] && break; sleep 0.1; done
        bash "$1/cmd"
        rc=$?
        sleep 0.3
        kill "$listener"
        exit "$rc"' _ "$T"
}

# ---- update above the maximum --------------------------------------------

@test "update above the max under rewrite: the record names the field, the value asked for and the value applied" {
    P=$(rec_policy "$DEFAULT" '.rules.resources.memory.max = "1Gi"')
    fake_update_state c1
    printf '{"memory":{"limit":8589934592,"swap":8589934592}}' > "$T/r.json"
    run rec root update --resources "$T/r.json" c1
    [ "$status" -eq 0 ]
    [ "$(handed)" = '{"memory":{"limit":1073741824,"swap":1073741824},"cpu":{"quota":100000,"period":100000},"pids":{"limit":50}}' ]
    # the decision log: field, requested, applied
    [ "$(jq -c 'select(.verb == "update") | [.decision, .rules, .changes]' "$JSONL")" = \
        '["rewritten",["resources.memory"],[{"rule":"resources.memory","field":"/linux/resources/memory/limit","requested":"8589934592","applied":"1073741824"}]]' ]
    # runc's log: the finding line, then the record's own line
    jq -r .msg "$LOG" | grep -qF "resources.memory rewritten at /linux/resources/memory/limit: memory limit 8Gi is above the policy's maximum 1Gi (found: 8Gi; required: 1Gi; requested: 8589934592; applied: 1073741824)"
    [ "$(jq -r 'select(.level == "info") | .msg' "$LOG" | tail -n 1)" = "policy $P: record: decision rewritten for update of container c1" ]
    # syslog (and the audit record: the same fields)
    syslog_run "$HARDENED" --policy "$P" --backend "$FAKE_RUNTIME" --root "$T/root" update --resources "$T/r.json" c1
    grep -q 'verb="update" .*decision=rewritten rules="resources.memory" changes="/linux/resources/memory/limit:8589934592->1073741824" ' "$T/syslog.out"
}

@test "update above the max under reject: refused, nothing applied, and the record says so" {
    P=$(rec_policy "$RESTRICTED")
    fake_update_state c1
    run rec root update --memory 8g --memory-swap 8g c1
    [ "$status" -eq 1 ]
    backend_not_ran
    [[ "$(last_error)" == "update c1: refused by policy $P: resources.memory: memory limit 8Gi is above the policy's maximum 4Gi" ]]
    [ "$(jq -c 'select(.verb == "update") | [.decision, .rules, .changes]' "$JSONL")" = '["refused",["resources.memory"],[]]' ]
}

@test "a create's rewrites are recorded too, each field once per finding, values cut to a bound" {
    P=$(rec_policy "$DEFAULT")
    run rec moby create --bundle "$T/bundle" "$DOCKER_ID"
    [ "$status" -eq 0 ]
    jq -e '.changes | map(select(.field == "/process/user/uid")) == [{"rule": "user.nonRoot", "field": "/process/user/uid", "requested": "0", "applied": "65534"}]' "$JSONL"
    jq -e '.changes | map(select(.field == "/root/readonly")) == [{"rule": "rootfs.readOnly", "field": "/root/readonly", "requested": "(absent)", "applied": "true"}]' "$JSONL"
    jq -e '.changes | map(select(.field == "/process/capabilities/bounding"))[0].applied == "[CAP_NET_BIND_SERVICE]"' "$JSONL"
    # Docker's capability list is longer than a value's bound: cut, and it says so
    jq -e '.changes | map(select(.field == "/process/capabilities/bounding"))[0].requested | endswith("...") and length < 96' "$JSONL"
}

# ---- pod identity ------------------------------------------------------------

@test "create: the record names the pod from the CRI annotations under the trusted root, and not under another" {
    P=$(rec_policy "$DEFAULT")
    config_jq ".annotations = $CRI_ANNOTATIONS"
    cp "$T/bundle/config.json" "$T/config.orig"
    run rec k8s create --bundle "$T/bundle" c-k8s
    [ "$status" -eq 0 ]
    cp "$T/config.orig" "$T/bundle/config.json"
    run rec moby create --bundle "$T/bundle" c-moby
    [ "$status" -eq 0 ]
    [ "$(jq -c 'select(.container == "c-k8s") | .pod' "$JSONL")" = '{"namespace":"team-a","name":"web-7d9f","container":"nginx","type":"container"}' ]
    [ "$(jq -c 'select(.container == "c-moby") | .pod' "$JSONL")" = null ]
    ! grep -q team-a <(jq -c 'select(.container == "c-moby")' "$JSONL")
    jq -r .msg "$LOG" | grep -qx "policy $P: record: decision rewritten for create of container c-k8s, pod team-a/web-7d9f, container nginx (container)"
    jq -r .msg "$LOG" | grep -qx "policy $P: record: decision rewritten for create of container c-moby"
    # syslog: k8s-* fields, ? when the root does not vouch for them
    cp "$T/config.orig" "$T/bundle/config.json"
    syslog_run "$HARDENED" --policy "$P" --backend "$FAKE_RUNTIME" --root "$T/k8s" create --bundle "$T/bundle" c-k8s
    cp "$T/config.orig" "$T/bundle/config.json"
    syslog_run "$HARDENED" --policy "$P" --backend "$FAKE_RUNTIME" --root "$T/moby" create --bundle "$T/bundle" c-moby
    grep -q 'vm="c-k8s" .* verb="create" k8s-ns="team-a" k8s-pod="web-7d9f" k8s-container="nginx" k8s-type="container" image=? image-id=? bundle=' "$T/syslog.out"
    grep -q 'vm="c-moby" .* verb="create" k8s-ns=? k8s-pod=? k8s-container=? k8s-type=? image=? image-id=? bundle=' "$T/syslog.out"
}

@test "a refused create names the pod too (the refusal is what needs attributing)" {
    P=$(rec_policy "$RESTRICTED")
    config_jq ".annotations = $CRI_ANNOTATIONS"
    run rec k8s create --bundle "$T/bundle" c-k8s
    [ "$status" -eq 1 ]
    [ "$(jq -c '[.decision, .pod.namespace, .pod.name, .pod.container]' "$JSONL")" = '["refused","team-a","web-7d9f","nginx"]' ]
    # the record's line comes before the refusal, which stays the last error
    [[ "$(last_error)" == "bundle $T/bundle: config.json: refused by policy $P: "* ]]
}

@test "a sandbox: namespace, name and type, no container name; only the keys the policy trusts are taken" {
    config_jq '.annotations = {"io.kubernetes.cri.sandbox-namespace": "team-a", "io.kubernetes.cri.sandbox-name": "web-7d9f",
                               "io.kubernetes.cri.container-type": "sandbox"}'
    P=$(rec_policy "$FIXTURES/policy-off.json")
    run rec k8s create --bundle "$T/bundle" sb1
    [ "$status" -eq 0 ]
    [ "$(jq -c .pod "$JSONL")" = '{"namespace":"team-a","name":"web-7d9f","container":null,"type":"sandbox"}' ]
    # a root trusted for the namespace key alone vouches for nothing else
    rm "$JSONL"
    P=$(rec_policy "$FIXTURES/policy-off.json" '.trustedAnnotations[0].prefixes = ["io.kubernetes.cri.sandbox-namespace"]')
    run rec k8s create --bundle "$T/bundle" sb1
    [ "$(jq -c .pod "$JSONL")" = '{"namespace":"team-a","name":null,"container":null,"type":null}' ]
}

@test "exec: the pod comes from the container's runc state, not from the bundle's config.json" {
    P=$(rec_policy "$DEFAULT")
    for root in k8s moby; do
        mkdir -p "$T/$root/c1"
        jq -n --arg b "bundle=$T/bundle" '{id: "c1", config: {labels: ($ARGS.positional + [$b])}}' \
            --args "${CRI_LABELS[@]}" > "$T/$root/c1/state.json"
    done
    # the config.json now claims another pod: an edit after the create
    config_jq '.annotations = {"io.kubernetes.cri.sandbox-namespace": "kube-system", "io.kubernetes.cri.sandbox-name": "x"}'
    run rec k8s exec c1 id
    [ "$status" -eq 0 ]
    cp "$FIXTURES/exec-user0.json" "$T/p1.json"
    run rec k8s exec --process "$T/p1.json" c1
    [ "$status" -eq 0 ]
    run rec moby exec --process "$T/p1.json" c1
    [ "$status" -eq 0 ]
    [ "$(jq -c 'select(.verb == "exec") | .pod' "$JSONL" | sort | uniq -c | awk '{print $1, $2}')" = \
        '1 null
2 {"namespace":"team-a","name":"web-7d9f","container":"nginx","type":"container"}' ]
    ! grep -q kube-system "$JSONL"
    jq -r .msg "$LOG" | grep -qx "policy $P: record: decision rewritten for exec of container c1, pod team-a/web-7d9f, container nginx (container)"
}

@test "exec: a label that reads as a CRI key twice (an annotation key with '=' in it) vouches for nothing" {
    P=$(rec_policy "$DEFAULT")
    mkdir -p "$T/k8s/c1"
    jq -n --arg b "bundle=$T/bundle" '{id: "c1", config: {labels: ($ARGS.positional + [$b])}}' \
        --args io.kubernetes.cri.sandbox-namespace=kube-system=x "${CRI_LABELS[@]}" > "$T/k8s/c1/state.json"
    cp "$FIXTURES/exec-user0.json" "$T/p1.json"
    run rec k8s exec --process "$T/p1.json" c1
    [ "$status" -eq 0 ]
    [ "$(jq -c .pod "$JSONL")" = '{"namespace":null,"name":"web-7d9f","container":"nginx","type":"container"}' ]
}

@test "update: the pod from the runc state under the trusted root; none under another" {
    P=$(rec_policy "$DEFAULT" '.rules.resources.memory.max = "1Gi"')
    fake_update_state c1
    for root in k8s moby; do
        mkdir -p "$T/$root/c1"
        jq -c '.config.labels = $ARGS.positional + .config.labels' --args "${CRI_LABELS[@]}" \
            < "$T/root/c1/state.json" > "$T/$root/c1/state.json"
        run rec "$root" update --memory 8g --memory-swap 8g c1
        [ "$status" -eq 0 ]
    done
    [ "$(jq -c '[.container, .pod.namespace, .pod.name, .changes[0].applied]' "$JSONL")" = \
        '["c1","team-a","web-7d9f","1073741824"]
["c1",null,null,"1073741824"]' ]
}

# ---- image identity ------------------------------------------------------------

@test "create: the record names the CRI's image under the trusted root (JSON lines, --log, syslog), and not under another" {
    P=$(rec_policy "$DEFAULT")
    config_jq ".annotations = ($CRI_ANNOTATIONS + {\"io.kubernetes.cri.image-name\": \"docker.io/library/nginx:1.25\"})"
    cp "$T/bundle/config.json" "$T/config.orig"
    run rec k8s create --bundle "$T/bundle" c-k8s
    [ "$status" -eq 0 ]
    cp "$T/config.orig" "$T/bundle/config.json"
    run rec moby create --bundle "$T/bundle" c-moby
    [ "$status" -eq 0 ]
    [ "$(jq -c 'select(.container == "c-k8s") | .image' "$JSONL")" = '{"name":"docker.io/library/nginx:1.25","id":null,"digest":null,"source":"cri"}' ]
    [ "$(jq -c 'select(.container == "c-moby") | .image' "$JSONL")" = null ]
    jq -r .msg "$LOG" | grep -qx "policy $P: record: decision rewritten for create of container c-k8s, pod team-a/web-7d9f, container nginx (container), image docker.io/library/nginx:1.25 (?)"
    jq -r .msg "$LOG" | grep -qx "policy $P: record: decision rewritten for create of container c-moby"
    cp "$T/config.orig" "$T/bundle/config.json"
    syslog_run "$HARDENED" --policy "$P" --backend "$FAKE_RUNTIME" --root "$T/k8s" create --bundle "$T/bundle" c-k8s
    cp "$T/config.orig" "$T/bundle/config.json"
    syslog_run "$HARDENED" --policy "$P" --backend "$FAKE_RUNTIME" --root "$T/moby" create --bundle "$T/bundle" c-moby
    grep -q 'vm="c-k8s" .* k8s-type="container" image="docker.io/library/nginx:1.25" image-id=? bundle=' "$T/syslog.out"
    grep -q 'vm="c-moby" .* k8s-type=? image=? image-id=? bundle=' "$T/syslog.out"
}

@test "a refused image: the record names it and the rule" {
    P=$(rec_policy "$DEFAULT" '.rules.images = {action: "reject", allow: ["registry.example/"]}')
    config_jq ".annotations = ($CRI_ANNOTATIONS + {\"io.kubernetes.cri.image-name\": \"docker.io/library/nginx@sha256:$(printf 'a%.0s' $(seq 64))\"})"
    run rec k8s create --bundle "$T/bundle" c-k8s
    [ "$status" -eq 1 ]
    [ "$(jq -c '[.decision, (.rules | index("images.allowList") != null), .image.digest]' "$JSONL")" = "[\"refused\",true,\"sha256:$(printf 'a%.0s' $(seq 64))\"]" ]
    [[ "$(last_error)" == *"images.allowList: image docker.io/library/nginx@sha256:"*" is not on the allow-list (from cri)"* ]]
}
