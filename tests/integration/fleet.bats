#!/usr/bin/env bats
# examples/kubernetes/: the fleet installer's manifests and its script.
# There is no API server here and kubectl cannot validate offline, so the
# manifests are parsed as YAML and what matters in them is checked: kinds
# and API versions, the RuntimeClass handler against the handler
# `hardened install containerd` writes, the host paths the DaemonSet
# mounts against those the script writes, and the installer's own
# exemption, judged by the shim itself.  install-node.sh runs against a
# host root in a temp dir (tests/cri/ runs it against a private containerd).

bats_require_minimum_version 1.5.0
load fake

TOP=$BATS_TEST_DIRNAME/../..
K8S=$TOP/examples/kubernetes
PY=/usr/bin/python3

setup() {
    fake_setup
    if ! "$PY" -c 'import yaml' 2>/dev/null; then
        [ "${CI:-}" != true ] || { echo "CI=true, refusing to skip: $PY has no yaml (apt-get install -y python3-yaml)" >&2; return 1; }
        skip "$PY has no yaml module (apt-get install -y python3-yaml)"
    fi
}
teardown() { fake_teardown; }

# yq EXPR: evaluate a Python expression over `docs`, every document of
# every manifest kustomization.yaml lists, keyed "Kind/name"; prints JSON.
yq() {
    "$PY" - "$K8S" "$1" <<'PY'
import json, os, sys, yaml
top, expr = sys.argv[1], sys.argv[2]
kust = yaml.safe_load(open(os.path.join(top, "kustomization.yaml")))
docs = {}
for f in kust["resources"]:
    for d in yaml.safe_load_all(open(os.path.join(top, f))):
        docs["%s/%s" % (d["kind"], d["metadata"]["name"])] = d
pod = docs["DaemonSet/hardened-installer"]["spec"]["template"]["spec"]
print(json.dumps(eval(expr, {"docs": docs, "kust": kust, "pod": pod, "ctr": pod["containers"][0]})))
PY
}

@test "manifests: every document parses, with the kinds and API versions Kubernetes serves" {
    run yq 'sorted("%s %s" % (k, d["apiVersion"]) for k, d in docs.items())'
    [ "$status" -eq 0 ]
    [ "$output" = '["ClusterRole/hardened-installer rbac.authorization.k8s.io/v1", "ClusterRoleBinding/hardened-installer rbac.authorization.k8s.io/v1", "DaemonSet/hardened-installer apps/v1", "Namespace/hardened-system v1", "RuntimeClass/hardened node.k8s.io/v1", "ServiceAccount/hardened-installer v1"]' ]
    run yq 'kust["apiVersion"] + " " + kust["kind"]'
    [ "$output" = '"kustomize.config.k8s.io/v1beta1 Kustomization"' ]
}

@test "manifests: the ConfigMap the DaemonSet mounts is the one generated from the policy and the script" {
    run yq '[g["name"] for g in kust["configMapGenerator"]] == [v["configMap"]["name"] for v in pod["volumes"] if "configMap" in v]'
    [ "$output" = true ]
    run yq 'sorted(kust["configMapGenerator"][0]["files"])'
    [ "$output" = '["install-node.sh", "policy.json"]' ]
    # the script the container runs and the policy it reads are keys of it
    run yq 'ctr["command"]'
    [ "$output" = '["/bin/sh", "/etc/hardened-config/install-node.sh"]' ]
    run yq '[(m["mountPath"], m.get("readOnly", False)) for m in ctr["volumeMounts"] if m["name"] == "config"]'
    [ "$output" = '[["/etc/hardened-config", true]]' ]
    run yq '{e["name"]: e.get("value") for e in ctr["env"]}["POLICY_FILE"]'
    [ "$output" = '"/etc/hardened-config/policy.json"' ]
}

@test "manifests: the DaemonSet mounts exactly the host paths the installer writes, read-write, and containerd's state read-only" {
    run yq 'sorted("%s %s %s" % (v["hostPath"]["path"], m["mountPath"], m.get("readOnly", False)) for c in pod["containers"] for m in c["volumeMounts"] for v in pod["volumes"] if v["name"] == m["name"] and "hostPath" in v)'
    [ "$output" = '["/etc/containerd /host/etc/containerd False", "/etc/hardened /host/etc/hardened False", "/run/containerd /host/run/containerd True", "/usr/local/bin /host/usr/local/bin False"]' ]
    run yq '[pod[k] for k in ("hostPID", "serviceAccountName")] + [docs["DaemonSet/hardened-installer"]["metadata"]["namespace"]]'
    [ "$output" = '[true, "hardened-installer", "hardened-system"]' ]
}

@test "manifests: the RuntimeClass selects the label the installer sets, and only nodes that have it" {
    run yq 'docs["RuntimeClass/hardened"]["scheduling"]["nodeSelector"]'
    [ "$output" = '{"hardened.dev/runtime": "ready"}' ]
    grep -q 'hardened.dev/runtime=ready' "$K8S/install-node.sh"
}

@test "manifests: the ClusterRole lets the installer label nodes and nothing else" {
    run yq 'docs["ClusterRole/hardened-installer"]["rules"]'
    [ "$output" = '[{"apiGroups": [""], "resources": ["nodes"], "verbs": ["get", "patch"]}]' ]
    run yq '[docs["ClusterRoleBinding/hardened-installer"]["subjects"], docs["ClusterRoleBinding/hardened-installer"]["roleRef"]["name"]]'
    [ "$output" = '[[{"kind": "ServiceAccount", "name": "hardened-installer", "namespace": "hardened-system"}], "hardened-installer"]' ]
}

@test "policy: the shipped fleet policy lints, audits, and exempts the installer's namespace for every rule family" {
    run "$HARDENED" policy lint "$K8S/policy.json"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "$K8S/policy.json: ok" ]
    run jq -r .mode "$K8S/policy.json"
    [ "$output" = audit ]
    # every family the shim knows (its own list, from an unknown family's error)
    printf '{"apiVersion": "hardened/v1", "exemptions": [{"name": "x", "match": {"ids": ["a"]}, "rules": {"nofamily": {"action": "off"}}}]}\n' > "$T/fam.json"
    run "$HARDENED" policy lint "$T/fam.json"
    families=$(printf '%s\n' "$output" | sed -n 's/.*(rule families: \(.*\))$/\1/p' | tr -d ' ' | tr , '\n' | sort)
    [ -n "$families" ]
    run jq -r '.exemptions[] | select(.match.annotations["io.kubernetes.cri.sandbox-namespace"] == "hardened-system") | .rules | keys[]' "$K8S/policy.json"
    [ "$(printf '%s\n' "$output" | sort)" = "$families" ]
    run jq -r '[.exemptions[].rules[].action] | unique | join(",")' "$K8S/policy.json"
    [ "$output" = warn ]
}

@test "policy: enforced, the exemption lets the installer's own privileged pod through on containerd's CRI only, and only in its namespace" {
    # the installer's pod as containerd's CRI writes it (the captured
    # container, moved to hardened-system, with host PID and CAP_SYS_ADMIN)
    jq '.annotations["io.kubernetes.cri.sandbox-namespace"] = "hardened-system"
        | .process.capabilities.effective += ["CAP_SYS_ADMIN"] | .process.capabilities.bounding += ["CAP_SYS_ADMIN"]
        | .linux.namespaces |= map(select(.type != "pid"))' "$FIXTURES/cri-container.json" > "$T/installer.json"
    jq '.annotations["io.kubernetes.cri.sandbox-namespace"] = "default"' "$T/installer.json" > "$T/elsewhere.json"
    jq '.mode = "enforce"' "$K8S/policy.json" > "$T/enforce.json"
    run "$HARDENED" policy check --policy "$T/enforce.json" --root /run/containerd/runc/k8s.io "$T/installer.json"
    [ "$status" -eq 0 ]
    [[ "$output" == *"namespaces.private warning at /linux/namespaces: the container would share the host's pid namespace"* ]]
    # the same pod in another namespace
    run "$HARDENED" policy check --policy "$T/enforce.json" --root /run/containerd/runc/k8s.io "$T/elsewhere.json"
    [ "$status" -eq 1 ]
    [[ "$output" == *"namespaces.private refused at /linux/namespaces: the container would share the host's pid namespace"* ]]
    # the installer's annotations from an engine whose users set annotations (Docker)
    run "$HARDENED" policy check --policy "$T/enforce.json" --root /run/docker/runtime-runc/moby "$T/installer.json"
    [ "$status" -eq 1 ]
    [[ "$output" == *"namespaces.private refused at /linux/namespaces"* ]]
}
