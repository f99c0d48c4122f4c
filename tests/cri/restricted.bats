#!/usr/bin/env bats
# The shipped restricted.json through the "hardened" handler of a private
# CRI containerd (tests/cri/helpers.bash), as the kubelet drives it: a pod
# that follows the Pod Security Standards' "restricted" profile runs, seen
# from inside its container; each way out of that profile a pod spec can
# ask for is refused, and the CRI error the kubelet reports (what `kubectl
# describe pod` shows) carries the shim's one-line message, most important
# rule first.  Needs what hardened.bats needs; skips without it, except
# with CI=true.

bats_require_minimum_version 1.5.0
load helpers

setup_file() { cri_setup_daemon; }
teardown_file() { cri_teardown "${CRI_DIR:-}"; }

setup() {
    cri_require
    cri_use_policy . restricted
}

# A container as a PSS-restricted pod spec makes the kubelet send it:
# runAsNonRoot with runAsUser 1000, capabilities drop ALL,
# allowPrivilegeEscalation false, seccompProfile RuntimeDefault (cri_ctr's),
# readOnlyRootFilesystem, and requests = limits (256Mi, half a CPU).
PSS='.linux.security_context += {run_as_user: {value: 1000}, run_as_group: {value: 1000},
        capabilities: {drop_capabilities: ["ALL"]}, no_new_privs: true, readonly_rootfs: true}
    | .linux.resources = {memory_limit_in_bytes: 268435456, cpu_period: 100000, cpu_quota: 50000}'

@test "restricted.json: a PSS-restricted pod runs; inside, uid, /, capabilities, no_new_privs, seccomp and limits are the pod's" {
    # its /tmp an emptyDir, as the kubelet makes one (restricted.json adds no
    # tmpfs: it refuses rather than rewrites)
    local uid=5055a5055a5055a5055a5055a5055a50 tmp
    tmp=$CRI_KUBELET_DIR/pods/$uid/volumes/kubernetes.io~empty-dir/tmp
    mkdir -p -m 1777 "$tmp"
    cri_start_pod pss hardened ".config.metadata.uid = \"$uid\"" \
        "$PSS | .mounts = [{container_path: \"/tmp\", host_path: \"$tmp\"}]" "$CRI_IMAGE_USER"
    run cri exec "$CTR" sh -c "$CRI_PROBE"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 1000 ]
    [ "${lines[1]}" = 1000 ]
    [ "${lines[2]}" = ro ]
    [ "${lines[3]}" = ok ]                                     # the emptyDir
    [[ "$output" == *$'CapEff:\t0000000000000000'* ]]
    [[ "$output" == *$'CapBnd:\t0000000000000000'* ]]
    [[ "$output" == *$'NoNewPrivs:\t1'* ]]
    [[ "$output" == *$'Seccomp:\t2'* ]]
    [ "${lines[8]}" = 268435456 ]                              # the pod's own limit
    [ "${lines[9]}" = 1024 ]                                   # the CRI has no pids field: filled in
    # the sandbox is judged by podSandbox (rewritten, not refused); the
    # container only had its pids limit filled in
    cri_decision "$POD" create | jq -e '.decision == "rewritten" and .pod.type == "sandbox"'
    run cri_decision "$CTR" create
    jq -e '.decision == "rewritten" and .rules == ["resources.pids"] and .pod.namespace == "default" and .pod.container == "pss-c"' <<<"$output"
    # ExecSync as root of a pod that is not: containerd builds it from the
    # pod's spec, so it runs as 1000 too, unchanged
    run cri exec "$CTR" id -u
    [ "$output" = 1000 ]
}

# Each way out of the profile: NAME@CONTAINER JQ (after $PSS)@POD JQ@the
# rule and text the kubelet's error must start with, after the policy's
# name.  privileged needs a privileged pod (containerd refuses it
# otherwise); containerd gives a privileged container the capabilities its
# own process has (here not CAP_SYS_RESOURCE), no masked paths and every
# device: the privileged signature, named first.
ESCAPES=(
    'privileged@.linux.security_context.privileged = true@.config.linux.security_context.privileged = true@privileged.container: privileged container (--privileged)'
    'runAsUser 0@.linux.security_context.run_as_user.value = 0 | .linux.security_context.run_as_group.value = 0@.@user.nonRoot: the container would run as root'
    'allowPrivilegeEscalation@.linux.security_context.no_new_privs = false@.@process.noNewPrivileges: '
    'capabilities add SYS_ADMIN@.linux.security_context.capabilities.add_capabilities = ["SYS_ADMIN"]@.@capabilities.allowList: '
    'seccomp Unconfined@.linux.security_context.seccomp.profile_type = "Unconfined"@.@seccomp.profile: '
    'hostPath /var/lib/kubelet@.mounts = [{container_path: "/kubelet", host_path: "/var/lib/kubelet", readonly: true}]@.@mounts.bindSource: bind mount of /var/lib/kubelet exposes /var/lib/kubelet'
    'writable root@.linux.security_context.readonly_rootfs = false@.@rootfs.readOnly: '
)

@test "restricted.json: each way out of the PSS profile is refused at StartContainer, with the shim's message in the CRI error" {
    [ -e /var/lib/kubelet ] || touch "$CRI_DIR/var-lib-kubelet-absent"
    for e in "${ESCAPES[@]}"; do
        IFS='@' read -r name ctr pod want <<<"$e"
        POD=$(cri run-pod "$(cri_pod "esc" hardened "$pod")")
        CTR=$(cri create "$POD" "$(cri_ctr esc-c "$PSS | $ctr" "$CRI_IMAGE_USER")")
        run --separate-stderr cri start "$CTR"
        echo "$name: $stderr"
        [ "$status" -eq 1 ]
        [[ "$stderr" == "rpc error: code = Unknown desc = failed to create containerd task: failed to create shim task: OCI runtime create failed: bundle $(cri_bundle "$CTR"): config.json: refused by policy $CRI_DIR/policy.json: "* ]]
        refused_by_policy "$stderr" "$CTR"
        [[ "$stderr" == *"refused by policy $CRI_DIR/policy.json: $want"* ]]
        cri stop-pod "$POD" && cri rm-pod "$POD"
    done
    if [ -e "$CRI_DIR/var-lib-kubelet-absent" ]; then rmdir /var/lib/kubelet 2>/dev/null || true; fi
}

@test "restricted.json: a pod on the host's network, pid or ipc namespace is refused at RunPodSandbox" {
    for ns in network pid ipc; do
        run --separate-stderr cri run-pod "$(cri_pod "host$ns" hardened ".config.linux.security_context.namespace_options.$ns = \"NODE\"")"
        echo "$ns: $stderr"
        [ "$status" -eq 1 ]
        id=$(bundle_id "$stderr")
        [ -n "$id" ]
        refused_by_policy "$stderr" "$id"
        [[ "$stderr" == *"namespaces.private: the container would share the host's "* ]]
        cri_decision "$id" create | jq -e '.pod.type == "sandbox"'
    done
}
