#!/usr/bin/env bats
# containerd's CRI context (issue 14): the configs containerd 1.6.20 wrote
# for a pod's sandbox and its container (tests/fixtures/cri-*.json, captured
# by the CRI harness), judged by the shipped policies as a call under
# containerd's k8s.io runc root would be, and under roots the policy does
# not trust for io.kubernetes.cri. keys.  The fixtures' daemon paths are
# moved to a default node's (/var/lib/kubelet, /var/lib/containerd,
# /run/containerd) so the default bind deny-list applies to them; their
# namespace paths (a netns file and /proc/<pause pid>/ns of the capture
# run) are dropped, since they do not exist here.

bats_require_minimum_version 1.5.0
load fake

TOP=$BATS_TEST_DIRNAME/../..
DEFAULT=$TOP/policy/profiles/default.json
RESTRICTED=$TOP/policy/profiles/restricted.json
K8S=/run/containerd/runc/k8s.io
SID=df5f28d20a45a3a3e187a04f3efab45ded6b496d3cdd513d21e2fb050bb4534e
CID=17983edc24ce768c65615c3b1d9511f5c4b6d96cd900517f69de2bd6a8ba5fdd

setup() {
    fake_setup
    for f in sandbox container; do
        sed -e 's#/tmp/hd-cri.try2/kubelet#/var/lib/kubelet#g; s#/tmp/hd-cri.try2/root#/var/lib/containerd#g' \
            -e 's#/tmp/hd-cri.try2/state#/run/containerd#g' "$FIXTURES/cri-$f.json" \
            | jq -c 'del(.linux.namespaces[].path)' > "$T/$f.json"
    done
    # the kubelet's -998 (the capture's containerd clamped it to its own score)
    jq -c '.process.oomScoreAdj = -998' "$T/sandbox.json" > "$T/sb.json"
    # the pod's container as the Pod Security Standards' "restricted" profile
    # has it: runAsUser 1000, capabilities drop ALL, allowPrivilegeEscalation
    # false, RuntimeDefault seccomp (the capture's), readOnlyRootFilesystem
    # (restricted.json's own), Guaranteed QoS.
    jq -c '.process.user = {uid: 1000, gid: 1000, additionalGids: [1000]}
        | .process.capabilities = {bounding: [], effective: [], permitted: []}
        | .process.noNewPrivileges = true | .root.readonly = true | .process.oomScoreAdj = -997' \
        "$T/container.json" > "$T/pss.json"
}
teardown() { fake_teardown; }

check() { run "$HARDENED" policy check --policy "$1" --root "$2" "$3"; }

@test "cri: the pod sandbox is rewritten by podSandbox, not refused, under restricted.json and default.json" {
    for pol in "$RESTRICTED" "$DEFAULT"; do
        check "$pol" "$K8S" "$T/sb.json"
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = "$T/sb.json: rewritten" ]
        [[ "$output" == *"note: pod sandbox $SID: judged by podSandbox"* ]]
        [[ "$output" == *"capabilities.allowList rewritten at /process/capabilities/bounding"* ]]
        [[ "$output" == *"resources.memory rewritten at /linux/resources/memory/limit: no memory limit (policy: 64Mi)"* ]]
        [[ "$output" == *"resources.pids rewritten at /linux/resources/pids/limit: no pids limit (policy: 32)"* ]]
        [[ "$output" != *oomScoreAdj* && "$output" != *mounts.* ]]
    done
}

@test "cri: a PSS-restricted container passes restricted.json (its pids limit filled in); the captured root container does not" {
    check "$RESTRICTED" "$K8S" "$T/pss.json"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "$T/pss.json: rewritten" ]
    [ "$(grep -c ' rewritten at \| refused at ' <<< "$output")" -eq 1 ]
    [[ "$output" == *"resources.pids rewritten at /linux/resources/pids/limit: no pids limit (policy: 1024)"* ]]
    check "$RESTRICTED" "$K8S" "$T/container.json"
    [ "$status" -eq 1 ]
    [[ "$output" == *"user.nonRoot refused"* && "$output" == *"capabilities.allowList refused"* ]]
}

# Each variant: NAME@JQ EDIT of the PSS container@TEXT, and a rule that refuses it
# (privileged: Docker 20.10's 38 capabilities, fewer than this kernel's, so
# capabilities.allowList, devices and maskedPaths refuse it one by one).
VARIANTS=(
    'privileged@.process.capabilities = $priv.process.capabilities | .linux.maskedPaths = [] | .linux.readonlyPaths = [] | .linux.resources.devices = [{allow: true, access: "rwm"}]@capabilities.allowList refused'
    'run_as_user 0@.process.user = {uid: 0, gid: 0}@user.nonRoot refused'
    'hostPath /var/lib/kubelet@.mounts += [{destination: "/host", type: "bind", source: "/var/lib/kubelet", options: ["rbind", "ro"]}]@mounts.bindSource refused at /mounts/'
    'another pod'"'"'s volume@.mounts += [{destination: "/x", type: "bind", source: "/var/lib/kubelet/pods/0000/volumes/kubernetes.io~secret/x", options: ["rbind", "ro"]}]@mounts.bindSource refused'
    'host PID@.linux.namespaces |= map(select(.type != "pid"))@namespaces.private refused'
    'host network@.linux.namespaces |= map(select(.type != "network"))@namespaces.private refused'
    'allowPrivilegeEscalation true@del(.process.noNewPrivileges)@process.noNewPrivileges refused'
)

@test "cri: restricted.json refuses each non-PSS variant of the pod's container" {
    for v in "${VARIANTS[@]}"; do
        IFS='@' read -r name edit want <<< "$v"
        jq -c --slurpfile p "$FIXTURES/run-privileged.json" "\$p[0] as \$priv | $edit" "$T/pss.json" > "$T/v.json"
        check "$RESTRICTED" "$K8S" "$T/v.json"
        echo "$name: $output" | head -3
        [ "$status" -eq 1 ]
        [[ "$output" == *"$want"* ]]
    done
}

@test "cri: a host namespace on the sandbox (hostNetwork, hostPID pods) is still refused" {
    for ns in network pid ipc; do
        jq -c --arg ns "$ns" '.linux.namespaces |= map(select(.type != $ns))' "$T/sb.json" > "$T/v.json"
        check "$RESTRICTED" "$K8S" "$T/v.json"
        [ "$status" -eq 1 ]
        [[ "$output" == *"namespaces.private refused"* ]]
        check "$DEFAULT" "$K8S" "$T/v.json"
        [ "$status" -eq 1 ]
    done
}

# oomScoreAdj: ROLE VALUE VERDICT under default.json's reject, at the k8s.io root.
OOM=(
    'sandbox -998 ok' 'sandbox -997 refused' 'sandbox -999 refused' 'sandbox -1000 refused' 'sandbox -1 refused'
    'sandbox 0 ok' 'container -997 ok' 'container -998 refused' 'container -500 refused' 'container -1000 refused'
    'container -1 refused' 'container 0 ok' 'container 2 ok' 'container 968 ok' 'container 999 ok' 'container 1000 ok'
)

@test "cri: oomScoreAdj: the kubelet's -998 for a sandbox and -997 for a container pass; any other negative value is refused" {
    for row in "${OOM[@]}"; do
        read -r role adj want <<< "$row"
        src=$T/pss.json
        [ "$role" = sandbox ] && src=$T/sb.json
        jq -c --argjson a "$adj" '.process.oomScoreAdj = $a' "$src" > "$T/v.json"
        check "$DEFAULT" "$K8S" "$T/v.json"
        echo "$row: $output" | grep -i oom || true
        if [ "$want" = ok ]; then [[ "$output" != *"process.oomScoreAdj"* ]]; else
            [ "$status" -eq 1 ]
            [[ "$output" == *"process.oomScoreAdj refused at /process/oomScoreAdj: oomScoreAdj $adj would protect"* ]]
        fi
    done
}

@test "cri: the same annotations under a Docker root, an untrusted root or no trusted entry: no sandbox treatment, no oom exemption, no pod files" {
    printf '%s\n' "$(jq -c '.trustedAnnotations = []' "$DEFAULT")" > "$T/none.json"
    for case in "$DEFAULT /var/run/docker/runtime-runc/moby" "$DEFAULT /run/containerd/runc/default" "$T/none.json $K8S"; do
        read -r pol root <<< "$case"
        check "$pol" "$root" "$T/sb.json"
        [ "$status" -eq 1 ]
        [[ "$output" != *"pod sandbox"* ]]
        [[ "$output" == *"process.oomScoreAdj refused at /process/oomScoreAdj: oomScoreAdj -998 would protect"* ]]
        [[ "$output" == *"mounts.bindSource refused (no safe fix) at /mounts/"*"bind mount of /run/containerd/io.containerd.grpc.v1.cri/sandboxes/$SID/shm exposes"* ]]
        check "$pol" "$root" "$T/pss.json"
        [ "$status" -eq 1 ]
        [[ "$output" == *"oomScoreAdj -997 would protect"* ]]
        [[ "$output" == *"bind mount of /var/lib/kubelet/pods/"*"/etc-hosts exposes /var/lib/kubelet"* ]]
    done
    # the same keys a pod sets among its own annotations reach a Docker root
    # as they are: still judged as any container
    check "$RESTRICTED" /var/run/docker/runtime-runc/moby "$T/pss.json"
    [ "$status" -eq 1 ]
    [[ "$output" == *"resources.pids refused"* ]]
}

@test "cri: the sandbox's files are this pod's only: another sandbox id's are denied" {
    other=0000000000000000000000000000000000000000000000000000000000000000
    jq -c --arg o "$other" '.mounts += [{destination: "/x", type: "bind", source: ("/var/lib/containerd/io.containerd.grpc.v1.cri/sandboxes/" + $o + "/hosts"), options: ["rbind", "ro"]}]' \
        "$T/pss.json" > "$T/v.json"
    check "$RESTRICTED" "$K8S" "$T/v.json"
    [ "$status" -eq 1 ]
    [[ "$output" == *"mounts.bindSource refused"*"$other/hosts"* ]]
}

@test "cri: a sandbox through the shim: rewritten as policy check said, the backend gets the fixed config" {
    cp "$T/sb.json" "$T/bundle/config.json"
    POLICY=$RESTRICTED run hd --root "$K8S" create --bundle "$T/bundle" "$SID"
    [ "$status" -eq 0 ]
    backend_ran
    [ "$(jq -c '[.process.capabilities.bounding, .linux.resources.memory.limit, .linux.resources.pids.limit, .process.oomScoreAdj]' "$T/bundle/config.json")" = '[["CAP_NET_BIND_SERVICE"],67108864,32,-998]' ]
}

@test "cri: podSandbox.rewrite false judges a sandbox like any container; memory and pids are the policy's" {
    jq -c '.podSandbox = {rewrite: false, memory: "16Mi", pids: 8}' "$RESTRICTED" > "$T/p.json"
    check "$T/p.json" "$K8S" "$T/sb.json"
    [ "$status" -eq 1 ]
    [[ "$output" == *"capabilities.allowList refused"* ]]
    [[ "$output" == *"no memory limit (policy: 16Mi)"* ]]
    run "$HARDENED" policy show --policy "$DEFAULT"
    [ "$(jq -c .podSandbox <<< "$output")" = '{"rewrite":true,"memory":"64Mi","pids":32}' ]
}

@test "cri: seccomp.denyPtrace: RuntimeDefault's ptrace rule is refused with true (the default) and passes with false" {
    jq -c '.rules.seccomp.denyPtrace = true' "$RESTRICTED" > "$T/p.json"
    check "$T/p.json" "$K8S" "$T/pss.json"
    [ "$status" -eq 1 ]
    [[ "$output" == *"seccomp.profile refused at /linux/seccomp/syscalls: the seccomp profile allows ptrace@x86_64"* ]]
    # false, but ptrace named in deny: refused again (one list)
    jq -c '.rules.seccomp.deny = ["ptrace"]' "$RESTRICTED" > "$T/p.json"
    check "$T/p.json" "$K8S" "$T/pss.json"
    [ "$status" -eq 1 ]
    [[ "$output" == *"allows ptrace@x86_64"* ]]
    check "$RESTRICTED" "$K8S" "$T/pss.json"
    [ "$status" -eq 0 ]
    [[ "$output" != *seccomp* ]]
    run "$HARDENED" policy show --policy "$DEFAULT"
    [ "$(jq -c '[.rules.seccomp.denyPtrace, (.rules.seccomp.deny | index("ptrace") != null)]' <<< "$output")" = '[true,true]' ]
    run "$HARDENED" policy show --policy "$RESTRICTED"
    [ "$(jq -c '[.rules.seccomp.denyPtrace, (.rules.seccomp.deny | index("ptrace") != null)]' <<< "$output")" = '[false,false]' ]
}

# exec and update know a container's annotations from its runc state (the
# labels runc wrote at create from the checked config): a state under
# $T/k8s, a root the policy trusts for the CRI's keys as the default
# trusts containerd's k8s.io root, and the same state under $T/moby, a
# root it does not trust.  LABELS...: the state's labels.
cri_state() {
    local root
    for root in k8s moby; do
        mkdir -p "$T/$root/$CID"
        jq -n --arg b "bundle=$T/bundle" --arg id "$CID" '{id: $id, config: {labels: ($ARGS.positional + [$b])}}' \
            --args "$@" > "$T/$root/$CID/state.json"
    done
    jq -c --arg r "$T/k8s" '.trustedAnnotations = [{root: $r, prefixes: ["io.kubernetes.cri."]}]' "${POLICY_BASE:-$DEFAULT}" \
        > "$T/trusted.json"
}
CRI_CTR_LABELS=(io.kubernetes.cri.container-type=container io.kubernetes.cri.sandbox-namespace=team-a
                io.kubernetes.cri.sandbox-name=web io.kubernetes.cri.container-name=web-c)

@test "cri: ExecSync in a Guaranteed pod (the exec process carries the container's -997) passes under default.json at the trusted root only" {
    cri_state "${CRI_CTR_LABELS[@]}"
    jq -c '.user = {uid: 65534, gid: 65534} | .oomScoreAdj = -997 | .capabilities = {bounding: [], effective: [], permitted: []}
        | .noNewPrivileges = true' "$FIXTURES/exec-user0.json" > "$T/p1.json"
    POLICY=$T/trusted.json run hd --root "$T/k8s" exec --process "$T/p1.json" "$CID"
    [ "$status" -eq 0 ]
    [[ "$output" != *oomScoreAdj* ]]
    backend_ran
    POLICY=$T/trusted.json run hd --root "$T/moby" exec --process "$T/p1.json" "$CID"
    [ "$status" -eq 1 ]
    [[ "$output" == *"process.oomScoreAdj: oomScoreAdj -997 would protect"* ]]
    # a sandbox's -998 is not a container's: the role comes from the state too
    cri_state io.kubernetes.cri.container-type=sandbox io.kubernetes.cri.sandbox-namespace=team-a
    POLICY=$T/trusted.json run hd --root "$T/k8s" exec --process "$T/p1.json" "$CID"
    [ "$status" -eq 1 ]
    [[ "$output" == *"oomScoreAdj -997 would protect"* ]]
}

@test "cri: an exemption on io.kubernetes.cri.sandbox-namespace covers the pod's exec and update too, from the runc state, at the trusted root only" {
    POLICY_BASE=$T/ex.json
    jq -c '.rules.user.action = "reject" | .rules.resources.action = "reject"
        | .exemptions = [{name: "team-a", match: {annotations: {"io.kubernetes.cri.sandbox-namespace": "team-a"}},
                          rules: {user: {action: "warn"}, resources: {action: "warn"}}}]' "$DEFAULT" > "$T/ex.json"
    cri_state "${CRI_CTR_LABELS[@]}"
    cp "$FIXTURES/exec-user0.json" "$T/p1.json"
    POLICY=$T/trusted.json run hd --root "$T/k8s" exec --process "$T/p1.json" "$CID"
    [ "$status" -eq 0 ]
    jq -r .msg "$LOG" | grep -qx "policy $T/trusted.json: exemption \"team-a\" applies to $CID"
    [ "$(backend_process | jq -c .user)" = '{"uid":0,"gid":0,"additionalGids":[0]}' ] # warned, not rewritten
    POLICY=$T/trusted.json run hd --root "$T/moby" exec --process "$T/p1.json" "$CID"
    [ "$status" -eq 1 ]
    [[ "$output" == *"user.nonRoot: the container would run as root"* ]]
    # update: 8Gi over the 4Gi maximum passes for the exempt pod only
    fake_update_state "$CID"
    for root in k8s moby; do
        jq -c '.config.labels = $ARGS.positional + .config.labels' --args "${CRI_CTR_LABELS[@]}" \
            < "$T/root/$CID/state.json" > "$T/$root/$CID/state.json"
    done
    POLICY=$T/trusted.json run hd --root "$T/k8s" update --memory 8g --memory-swap 8g "$CID"
    [ "$status" -eq 0 ]
    [ "$(handed | jq -c .memory.limit)" = 8589934592 ]
    POLICY=$T/trusted.json run hd --root "$T/moby" update --memory 8g --memory-swap 8g "$CID"
    [ "$status" -eq 1 ]
    [[ "$output" == *"resources.memory: memory limit 8Gi is above the policy's maximum 4Gi"* ]]
    # another namespace's pod gets nothing at the trusted root either
    cri_state io.kubernetes.cri.container-type=container io.kubernetes.cri.sandbox-namespace=team-b
    POLICY=$T/trusted.json run hd --root "$T/k8s" exec --process "$T/p1.json" "$CID"
    [ "$status" -eq 1 ]
}
