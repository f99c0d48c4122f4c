#!/usr/bin/env bats
# Annotations end to end.  Any user of an engine that takes --annotation
# (Docker >= 24, Podman, ctr) sets annotations, so an annotation runc acts
# on is refused, and an exemption matched by a CRI annotation is granted
# only under a runc root the policy trusts for that key (a note in the
# decision otherwise).  Docker 20.10 here has no --annotation at all (its
# API predates HostConfig.Annotations), which the first test pins; the
# rest drive the private containerd with ctr, whose runc root is
# <--runc-root>/<namespace> as for containerd's CRI (<state>/runc/k8s.io).
# Needs root and Debian's docker.io + containerd; skips without them,
# except with CI=true.

bats_require_minimum_version 1.5.0
load helpers

setup_file() {
    e2e_setup_daemon || return 1
    e2e_rootfs "$E2E_DIR/ctr-rootfs"
    # the shipped default plus an exemption for the CI namespace's pods,
    # trusted where this file's containerd keeps k8s.io's runc state
    jq --arg root "$E2E_DIR/runc/k8s.io" '.exemptions = [{name: "ci",
            match: {annotations: {"io.kubernetes.cri.sandbox-namespace": "ci"}}, rules: {user: {action: "off"}}}]
        | .trustedAnnotations = [{root: $root, prefixes: ["io.kubernetes.cri."]}]' \
        "$top_srcdir/policy/profiles/default.json" > "$E2E_DIR/policy-exempt.json"
    printf '#!/bin/sh\nexec "%s" --policy "%s" "$@"\n' "$HARDENED" "$E2E_DIR/policy-exempt.json" > "$E2E_DIR/hardened-exempt"
    chmod 755 "$E2E_DIR/hardened-exempt"
}

teardown_file() { e2e_teardown "${E2E_DIR:-}"; }

setup() { e2e_require; }

# cr NAMESPACE NAME ANNOTATION CMD...: ctr run through hardened (the policy
# above) with runc's root under $E2E_DIR/runc, one annotation.
cr() {
    local ns=$1 name=$2 a=$3
    shift 3
    ctr --address "$E2E_DIR/containerd.sock" -n "$ns" run --rm --runc-binary "$E2E_DIR/hardened-exempt" \
        --runc-root "$E2E_DIR/runc" --annotation "$a" --rootfs "$E2E_DIR/ctr-rootfs" "$name" "$@" </dev/null
}

# ctrc NAMESPACE ARG...: ctr against this file's containerd.
ctrc() { ctr --address "$E2E_DIR/containerd.sock" -n "$@"; }

# bundle_of NAMESPACE NAME: containerd's task bundle (the runc log is there).
bundle_of() { echo "$E2E_DIR/containerd/state/io.containerd.runtime.v2.task/$1/$2"; }

# cr_gone NAMESPACE NAME: kill and remove a detached ctr container.
cr_gone() {
    ctrc "$1" task kill -s SIGKILL "$2" >/dev/null 2>&1 || true
    e2e_wait 10 sh -c "! ctr --address $E2E_DIR/containerd.sock -n $1 task ls -q | grep -qx $2" || true
    ctrc "$1" task rm -f "$2" >/dev/null 2>&1 || true
    ctrc "$1" container rm "$2" >/dev/null 2>&1 || true
}

@test "docker 20.10 takes no --annotation: a Docker user here cannot set one at all" {
    run dk run --rm --runtime=hardened --network none --annotation io.kubernetes.cri.sandbox-namespace=ci "$E2E_IMAGE" true
    if dk version --format '{{.Server.APIVersion}}' | awk -F. '{exit !($1 == 1 && $2 < 43)}'; then
        [ "$status" -eq 125 ]
        [[ "$output" == *"unknown flag: --annotation"* ]]
    else
        # a newer daemon: the annotation reaches the runtime and claims nothing under Docker's root
        [ "$status" -eq 0 ]
    fi
}

@test "ctr --annotation: keys runc acts on (bundle, org.systemd.property.*, org.criu.config, bundle=x) are refused with the rule named" {
    local a i=0
    for a in bundle=/tmp org.systemd.property.TasksMax=1 org.criu.config=/tmp/c bundle=x=y; do
        i=$((i + 1))
        run cr default "hd-annot-r$i" "$a" /bin/busybox true
        [ "$status" -ne 0 ]
        [[ "$output" == *"annotations.runtime: annotation ${a%%=*}"* ]]
    done
    run cr default hd-annot-ok com.example.team=web /bin/busybox true
    [ "$status" -eq 0 ]
}

@test "io.kubernetes.cri.sandbox-namespace=ci set by a ctr user in namespace moby claims no exemption: the user rule applies" {
    run cr moby hd-annot-moby io.kubernetes.cri.sandbox-namespace=ci /bin/busybox id -u
    [ "$status" -eq 0 ]
    [ "$output" = 65534 ]
    # the decision says why, in the runc log containerd keeps beside the bundle
    ctrc moby run -d --runc-binary "$E2E_DIR/hardened-exempt" --runc-root "$E2E_DIR/runc" \
        --annotation io.kubernetes.cri.sandbox-namespace=ci --rootfs "$E2E_DIR/ctr-rootfs" hd-annot-moby-d /bin/busybox sleep 60 </dev/null >/dev/null
    b=$(bundle_of moby hd-annot-moby-d)
    [ "$(jq -r .process.user.uid "$b/config.json")" = 65534 ]
    run jq -r .msg "$b/log.json"
    cr_gone moby hd-annot-moby-d
    [[ "$output" == *"note: exemption \"ci\" not applied: io.kubernetes.cri.sandbox-namespace is not an engine-owned annotation under --root $E2E_DIR/runc/moby"* ]]
    [[ "$output" != *'exemption "ci" applies'* ]]
}

@test "the same annotation under the trusted k8s.io root gets the exemption (the container runs as root)" {
    run cr k8s.io hd-annot-k8s io.kubernetes.cri.sandbox-namespace=ci /bin/busybox id -u
    [ "$status" -eq 0 ]
    [ "$output" = 0 ]
    # a key the engine there does not own claims nothing even under k8s.io
    jq '.exemptions[0].match.annotations = {"example.com/team": "ci"}' "$E2E_DIR/policy-exempt.json" > "$E2E_DIR/p2.json"
    sed "s|policy-exempt.json|p2.json|" "$E2E_DIR/hardened-exempt" > "$E2E_DIR/hardened-exempt.new"
    chmod 755 "$E2E_DIR/hardened-exempt.new" && mv "$E2E_DIR/hardened-exempt.new" "$E2E_DIR/hardened-exempt"
    run cr k8s.io hd-annot-k8s2 example.com/team=ci /bin/busybox id -u
    [ "$status" -eq 0 ]
    [ "$output" = 65534 ]
}
