#!/usr/bin/env bats
# Pods through the "hardened" runtime handler of a private CRI containerd
# (tests/cri/helpers.bash), driven by tests/cri/cri.py as the kubelet drives
# it: the policy seen from inside the container (ExecSync), in the host's
# cgroups, in the CRI error the kubelet would report and in the decision
# records.  The policies are the shipped default.json (rewrite) with this
# daemon's runc root trusted for io.kubernetes.cri.* annotations, and
# variants of it; runc.bats is the same pods' baseline without hardened.
# Needs root, Debian's containerd, runc, python3-grpcio and
# python3-grpc-tools; skips without them, except with CI=true.

bats_require_minimum_version 1.5.0
load helpers

setup_file() {
    cri_setup_daemon || return 1
    [ -n "${CRI_DIR:-}" ] || return 0 # skipping
    # the kubelet's hostPath test makes containerd create /var/lib/kubelet
    # (it creates a missing host path); remove it after if it was not there
    [ -e /var/lib/kubelet ] || touch "$CRI_DIR/var-lib-kubelet-absent"
}

teardown_file() {
    if [ -n "${CRI_DIR:-}" ] && [ -e "$CRI_DIR/var-lib-kubelet-absent" ]; then
        rmdir /var/lib/kubelet 2>/dev/null || true # only while empty
    fi
    cri_teardown "${CRI_DIR:-}"
}

setup() {
    cri_require
    cri_use_policy
}

@test "hardened handler, default policy: the pod runs, and inside the container uid, /, capabilities, no_new_privs, seccomp and limits are the policy's" {
    cri_start_pod def hardened
    run cri exec "$CTR" sh -c "$CRI_PROBE"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 65534 ]                                  # uid (runc handler: 0)
    [ "${lines[1]}" = 65534 ]                                  # gid
    [ "${lines[2]}" = ro ]                                     # read-only / (runc: rw)
    [ "${lines[3]}" = ok ]                                     # the policy's /tmp tmpfs
    [[ "$output" == *$'CapEff:\t0000000000000000'* ]]           # runc: 00000000a80425fb
    [[ "$output" == *$'CapBnd:\t0000000000000400'* ]]           # CAP_NET_BIND_SERVICE only
    [[ "$output" == *$'NoNewPrivs:\t1'* ]]                      # runc: 0
    [[ "$output" == *$'Seccomp:\t2'* ]]
    [ "${lines[8]}" = 536870912 ]                              # memory default 512Mi (runc: none)
    [ "${lines[9]}" = 1024 ]                                   # pids default (runc: max)
    [ "${lines[10]}" = 169.254.77.2/32 ]
    run cri status "$CTR"
    [ "$(jq -r .status.state <<<"$output")" = CONTAINER_RUNNING ]
    # the sandbox and the container each went through the policy
    [ "$(cri_decision "$POD" | jq -r '.verb + " " + .decision')" = "create rewritten" ]
    run cri_decision "$CTR" create
    [ "$(jq -r '.decision' <<<"$output")" = rewritten ]
    jq -e '.rules | index("user.nonRoot") and index("rootfs.readOnly")' <<<"$output"
}

@test "hardened handler: ExecSync as root (containerd builds it from the stored, unrewritten spec) runs as the policy's uid" {
    cri_start_pod exec hardened
    run cri exec "$CTR" id
    [ "$status" -eq 0 ]
    [ "$output" = "uid=65534(nobody) gid=65534(nogroup)" ]
    run cri_decision "$CTR"
    [ "$(jq -r '.verb + " " + .decision' <<<"$output")" = "exec rewritten" ]
    jq -e '.rules | index("user.nonRoot")' <<<"$output"
}

@test "hardened handler: a memory limit within the maximum is kept, in the host's memory cgroup too" {
    cri_start_pod mem hardened . '.linux.resources = {memory_limit_in_bytes: 268435456}'
    cg=$(cri exec "$CTR" cat /proc/self/cgroup | sed -n 's/^[0-9]*:memory://p')
    [[ "$cg" == "$CRI_CGROUP_PARENT/pod"*"/$CTR" ]]
    [ "$(cat "/sys/fs/cgroup/memory$cg/memory.limit_in_bytes")" = 268435456 ]
    [ "$(jq -r .linux.resources.memory.limit "$(cri_bundle "$CTR")/config.json")" = 268435456 ]
}

@test "hardened handler: UpdateContainerResources above the maximum under rewrite is clamped in the cgroup; ContainerStatus reports the request" {
    cri_start_pod clamp hardened . '.linux.resources = {memory_limit_in_bytes: 268435456}'
    cri update "$CTR" "$(cri_json upd '{memory_limit_in_bytes: 8589934592}')"
    run cri exec "$CTR" cat /sys/fs/cgroup/memory/memory.limit_in_bytes
    [ "$output" = 4294967296 ]                                 # the policy's 4Gi maximum
    run cri status "$CTR"
    [ "$(jq -r .status.resources.linux.memory_limit_in_bytes <<<"$output")" = 8589934592 ]
    # the decision record is where the real value shows
    cri_decision "$CTR" update | jq -e '.decision == "rewritten" and (.rules | index("resources.memory"))'
}

@test "hardened handler: UpdateContainerResources above the maximum under reject is refused with the shim's message; the cgroup keeps its limit" {
    cri_start_pod reject hardened . '.linux.resources = {memory_limit_in_bytes: 268435456}'
    # the policy in force when the update comes (the pod started under rewrite)
    cri_use_policy '.rules.resources.action = "reject"'
    run --separate-stderr cri update "$CTR" "$(cri_json upd '{memory_limit_in_bytes: 8589934592}')"
    [ "$status" -eq 1 ]
    [[ "$stderr" == "rpc error: code = Unknown desc = failed to update resources: "*"hardened: update $CTR: refused by policy $CRI_DIR/policy.json: resources.memory: memory limit 8Gi is above the policy's maximum 4Gi"* ]]
    run cri exec "$CTR" cat /sys/fs/cgroup/memory/memory.limit_in_bytes
    [ "$output" = 268435456 ]
}

@test "hardened handler: a privileged container is refused at StartContainer; the CRI error carries the shim's one-line message" {
    # containerd itself refuses a privileged container in an unprivileged pod
    POD=$(cri run-pod "$(cri_pod priv hardened '.config.linux.security_context.privileged = true')")
    CTR=$(cri create "$POD" "$(cri_ctr priv '.linux.security_context.privileged = true')")
    run --separate-stderr cri start "$CTR"
    [ "$status" -eq 1 ]
    [[ "$stderr" == "rpc error: code = Unknown desc = failed to create containerd task: failed to create shim task: OCI runtime create failed: bundle $(cri_bundle "$CTR"): config.json: refused by policy "* ]]
    refused_by_policy "$stderr" "$CTR"
    # containerd's privileged mode (its own capabilities: not CAP_SYS_RESOURCE
    # here) is the signature, named first
    [[ "$stderr" == *"refused by policy $CRI_DIR/policy.json: privileged.container: privileged container (--privileged)"* ]]
    run cri status "$CTR"
    [ "$(jq -r '.status.state + " " + .status.reason' <<<"$output")" = "CONTAINER_EXITED StartError" ]
    [[ "$(jq -r .status.message <<<"$output")" == *"refused by policy $CRI_DIR/policy.json: "* ]]
}

@test "hardened handler: a hostPath of /var/lib/kubelet is refused, naming the mount" {
    cri_start_pod kubelet hardened
    CTR=$(cri create "$POD" "$(cri_ctr kl '.mounts = [{container_path: "/kubelet", host_path: "/var/lib/kubelet"}]')")
    run --separate-stderr cri start "$CTR"
    [ "$status" -eq 1 ]
    refused_by_policy "$stderr" "$CTR"
    [[ "$stderr" == *"mounts.bindSource: bind mount of /var/lib/kubelet exposes /var/lib/kubelet"* ]]
}

@test "hardened handler: a pod on the host's network or pid namespace is refused at RunPodSandbox" {
    for ns in network pid; do
        run --separate-stderr cri run-pod "$(cri_pod "host$ns" hardened ".config.linux.security_context.namespace_options.$ns = \"NODE\"")"
        [ "$status" -eq 1 ]
        id=$(bundle_id "$stderr")
        [ -n "$id" ]
        refused_by_policy "$stderr" "$id"
        [[ "$stderr" == *"namespaces.private: the container would share the host's "* ]]
    done
}

@test "hardened handler, audit mode: the pod runs unchanged and every finding is recorded" {
    cri_use_policy '.mode = "audit"'
    cri_start_pod audit hardened
    run cri exec "$CTR" sh -c "$CRI_PROBE"
    [ "${lines[0]}" = 0 ]
    [ "${lines[2]}" = rw ]
    [[ "$output" == *$'CapEff:\t00000000a80425fb'* ]]
    run cri_decision "$CTR"
    [ "$(jq -r .verb <<<"$output")" = exec ]
    cri_decision "$CTR" create | jq -e '.rules | index("user.nonRoot") and index("rootfs.readOnly")'
}

@test "an exemption on io.kubernetes.cri.sandbox-namespace applies to a pod in that namespace, not to one that sets the key itself" {
    cri_use_policy '.exemptions = [{name: "ci", match: {annotations: {"io.kubernetes.cri.sandbox-namespace": "ci"}},
                                    rules: {user: {action: "warn"}}}]'
    cri_start_pod inci hardened '.config.metadata.namespace = "ci"'
    run cri exec "$CTR" grep Uid /proc/1/status                # the container's own process
    [ "$output" = $'Uid:\t0\t0\t0\t0' ]
    cri_decision "$CTR" create | jq -e '.exemption == "ci"'
    # containerd writes its io.kubernetes.cri.* annotations after the pod's own
    cri_start_pod spoof hardened '.config.annotations["io.kubernetes.cri.sandbox-namespace"] = "ci"'
    [ "$(jq -r '.annotations["io.kubernetes.cri.sandbox-namespace"]' "$(cri_bundle "$CTR")/config.json")" = default ]
    run cri exec "$CTR" grep Uid /proc/1/status
    [ "$output" = $'Uid:\t65534\t65534\t65534\t65534' ]
    cri_decision "$CTR" create | jq -e '.exemption == null'
}

@test "hardened handler: StopPodSandbox and RemovePodSandbox go through (the shim passes kill and delete on)" {
    cri_start_pod stop hardened
    bundle=$(cri_bundle "$CTR")
    cri stop-pod "$POD"
    run cri status "$CTR"
    [ "$(jq -r .status.state <<<"$output")" = CONTAINER_EXITED ]
    cri rm-pod "$POD"
    [ ! -e "$bundle" ]
    [ ! -e "$(cri_hardened_root "$CRI_DIR")/$CTR" ]            # runc's state gone too
}

# tests/fixtures/cri-sandbox.json and cri-container.json are this capture,
# from a daemon of this harness (dir /tmp/hd-cri.try2), copied by the
# handler's wrapper before hardened read them: pod "web" (namespace
# default, label app=web), container "web-c" with the resources below.
# The sandbox's oomScoreAdj is 0, not the kubelet's -998: this harness
# needs restrict_oom_score_adj, which clamps it to containerd's own score.
@test "the committed CRI fixtures are what this containerd writes for the hardened handler (ids, paths, pids normalised)" {
    mkdir -p "$CRI_DIR/capture"
    cri_start_pod web hardened '.config.labels.app = "web"' \
        '.linux.resources = {cpu_period: 100000, cpu_quota: 50000, cpu_shares: 512, memory_limit_in_bytes: 268435456, oom_score_adj: 968}'
    mv "$CRI_DIR/capture" "$CRI_DIR/captured" # later calls copy nothing
    norm='walk(if type == "string" then
        gsub("/tmp/hd-cri\\.[A-Za-z0-9]+"; "@DIR@") | gsub("/hd-cri-[A-Za-z0-9]+/"; "/@CGROUP@/")
        | gsub("(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])"; "@ID@")
        | gsub("(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])"; "@UID@") | gsub("pod[0-9a-f]{32}/"; "pod@UID@/") | gsub("/proc/[0-9]+/"; "/proc/@PID@/")
        | gsub("cni-[0-9a-f-]{36}"; "cni-@NETNS@") | gsub("/containers/(?<c>[^/]+)/[0-9a-f]{8}$"; "/containers/\(.c)/@FILE@")
        else . end)'
    diff <(jq -S "$norm" "$top_srcdir/tests/fixtures/cri-sandbox.json") <(jq -S "$norm" "$CRI_DIR/captured/$POD.json")
    diff <(jq -S "$norm" "$top_srcdir/tests/fixtures/cri-container.json") <(jq -S "$norm" "$CRI_DIR/captured/$CTR.json")
}

@test "hardened handler, images: the CRI's image name is the identity; an allowed image runs, another is refused at StartContainer naming images.allowList" {
    cri_use_policy '.rules.images = {action: "reject", allow: ["docker.io/library/hd-busybox:cri"]}'
    cri_start_pod img hardened
    run cri status "$CTR"
    [ "$(jq -r .status.state <<<"$output")" = CONTAINER_RUNNING ]
    [ "$(cri_decision "$CTR" create | jq -c '[.image.name, .image.source]')" = '["docker.io/library/hd-busybox:cri","cri"]' ]
    # the sandbox (containerd's sandbox_image) is not judged
    [ "$(cri_decision "$POD" | jq -r '.decision')" != refused ]
    CTR=$(cri create "$POD" "$(cri_ctr img-user . "$CRI_IMAGE_USER")")
    run --separate-stderr cri start "$CTR"
    [ "$status" -eq 1 ]
    [[ "$stderr" == *"refused by policy $CRI_DIR/policy.json: images.allowList: image docker.io/library/hd-busybox:cri-user is not on the allow-list (from cri)"* ]]
    refused_by_policy "$stderr" "$CTR"
}

# busybox httpd in the foreground on port 80, serving /etc; it exits when
# the bind fails
HTTPD='.command = ["httpd", "-f", "-p", "80", "-h", "/etc"]'
ctr_exited() { cri status "$1" | jq -e '.status.state == "CONTAINER_EXITED"'; }
# the PSS-restricted way to ask for it: run as 1000, drop ALL, add NET_BIND_SERVICE
BIND_USER='.linux.security_context += {run_as_user: {value: 1000}, run_as_group: {value: 1000}, no_new_privs: true,
    capabilities: {drop_capabilities: ["ALL"], add_capabilities: ["NET_BIND_SERVICE"]}}'

@test "hardened handler, a per-image profile: the image's exemption grants CAP_NET_BIND_SERVICE ambient and its uid 1000 serves port 80 (the CRI leaves unprivileged ports at 1024); another image, the same pod spec, cannot bind" {
    cri_use_policy '.exemptions = [{name: "web", match: {images: ["docker.io/library/hd-busybox:cri-user"]},
                                    rules: {capabilities: {ambient: ["CAP_NET_BIND_SERVICE"]}}}]'
    cri_start_pod web hardened . "$BIND_USER | $HTTPD" "$CRI_IMAGE_USER"
    e2e_wait 10 cri exec "$CTR" wget -q -O /dev/null http://127.0.0.1:80/passwd
    run cri exec "$CTR" sh -c 'id -u; cat /proc/sys/net/ipv4/ip_unprivileged_port_start; grep -E "^Cap(Eff|Bnd|Amb)" /proc/1/status; wget -q -O - http://127.0.0.1:80/passwd | grep -c "^user:"'
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 1000 ]
    [ "${lines[1]}" = 1024 ]
    [ "${lines[2]}" = $'CapEff:\t0000000000000400' ]
    [ "${lines[3]}" = $'CapBnd:\t0000000000000400' ]
    [ "${lines[4]}" = $'CapAmb:\t0000000000000400' ]
    [ "${lines[5]}" = 1 ]                                   # /etc/passwd served
    rec=$(cri_decision "$CTR" create)
    jq -e '.exemption == "web" and .image.name == "docker.io/library/hd-busybox:cri-user"' <<<"$rec"
    jq -e '[.changes[] | select(.rule == "capabilities.allowList") | .field] | index("/process/capabilities/ambient")' <<<"$rec"
    # the same pod spec on another image: no grant, the bind fails and httpd exits
    cri_start_pod other hardened . "$BIND_USER | $HTTPD" "$CRI_IMAGE"
    e2e_wait 10 ctr_exited "$CTR"
    run cri status "$CTR"
    [ "$(jq -r '.status.exit_code' <<<"$output")" = 1 ]
    [ "$(cri_decision "$CTR" create | jq -r .exemption)" = null ]
}
