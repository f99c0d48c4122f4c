#!/usr/bin/env bats
# The image identity, where it is seen: Docker's config.v2.json under the
# data root that Docker's own binds for this id name (read root-owned,
# O_NOFOLLOW, size-capped, strictly, its ID checked), the images rules
# refusing with the rule named, and the record carrying name and ID.
# tests/fixtures/docker-config.v2.json is dockerd 20.10's own file for a
# container created from an imported image (hd-busybox:e2e).

bats_require_minimum_version 1.5.0
load fake

IMG_ID=sha256:6b9517f2e31b1e01e91426d552f2b3824dc93646fe1a4fc641e42be67088f74f
OTHER=sha256:1111111111111111111111111111111111111111111111111111111111111111

setup() {
    [ "$(id -u)" -eq 0 ] || { [ "${CI:-}" != true ] || return 1; skip "needs root (the file must be root's)"; }
    fake_setup
    chmod 700 "$T"
    JSONL=$T/decisions.jsonl
    D=$T/docker/containers/$DOCKER_ID
    mkdir -p "$D"
    chmod 700 "$T/docker" "$T/docker/containers" "$D"
    touch "$D/hostname" "$D/hosts" "$D/resolv.conf"
    jq --arg id "$DOCKER_ID" '.ID = $id' "$FIXTURES/docker-config.v2.json" > "$D/config.v2.json"
    chmod 600 "$D/config.v2.json"
    # the capture's binds, moved from /var/lib/docker to this data root
    config_jq "(.mounts[] | select(.source | startswith(\"/var/lib/docker/\")) | .source) |= sub(\"^/var/lib/docker\"; \"$T/docker\")"
}
teardown() { fake_teardown; }

# img_policy JQ [JQ-ARG...]: policy-off with the decision log, then JQ.
img_policy() {
    local filter=$1
    shift
    jq --arg l "$JSONL" "$@" ".decisionLog = \$l | $filter" "$FIXTURES/policy-off.json" > "$T/p.json"
    P=$T/p.json
}

img() { "$HARDENED" --policy "$P" --backend "$FAKE_RUNTIME" --log "$LOG" --log-format json "$@"; }

@test "Docker: name and ID from config.v2.json reach the JSON lines and the --log record" {
    img_policy '.'
    run img create --bundle "$T/bundle" "$DOCKER_ID"
    [ "$status" -eq 0 ]
    [ "$(jq -c .image "$JSONL")" = "{\"name\":\"hd-busybox:e2e\",\"id\":\"$IMG_ID\",\"digest\":null,\"source\":\"docker\"}" ]
    jq -r .msg "$LOG" | grep -qx "policy $P: record: decision allowed for create of container $DOCKER_ID, image hd-busybox:e2e ($IMG_ID)"
}

@test "Docker: an exemption by image relaxes the runtime flags' families too (restore, runtimeFlags), and only for that image" {
    local img
    for img in hd-busybox:e2e "$IMG_ID" registry.example/other; do
        img_policy '.rules.restore = {action: "reject"} | .rules.runtimeFlags = {action: "reject"}
            | .exemptions = [{name: "ckpt", match: {images: [$img]}, rules: {restore: {action: "off"}, runtimeFlags: {action: "warn"}}}]' \
            --arg img "$img"
        rm -f "$FAKE_RUNTIME_OUT/argv" "$LOG"
        run img restore --image-path "$T/ckpt" --no-pivot --bundle "$T/bundle" "$DOCKER_ID"
        if [ "$img" = registry.example/other ]; then
            [ "$status" -eq 1 ]
            [[ "$(last_error)" == *"restore.checkpointImage: "* ]]
            [ ! -e "$FAKE_RUNTIME_OUT/argv" ]
        else
            [ "$status" -eq 0 ] || { cat "$LOG"; false; }
            [ -e "$FAKE_RUNTIME_OUT/argv" ]
            jq -r .msg "$LOG" | grep -q 'runtime.flags warning at /noPivot'
        fi
    done
}

@test "Docker: an image not on the allow-list is refused, the rule and the name in the last error" {
    img_policy '.rules.images = {action: "reject", allow: ["registry.example/team"]}'
    run img create --bundle "$T/bundle" "$DOCKER_ID"
    [ "$status" -eq 1 ]
    [[ "$(last_error)" == *"images.allowList: image hd-busybox:e2e ($IMG_ID) is not on the allow-list (from docker)"* ]]
    [ ! -e "$FAKE_RUNTIME_OUT/argv" ]
    [ "$(jq -r '[.decision, .image.id] | join(" ")' "$JSONL")" = "refused $IMG_ID" ]
}

@test "Docker: allowed by name, refused by an ID deny entry (a retag keeps the ID)" {
    img_policy '.rules.images = {action: "reject", allow: ["hd-busybox"]}'
    run img create --bundle "$T/bundle" "$DOCKER_ID"
    [ "$status" -eq 0 ]
    [ -e "$FAKE_RUNTIME_OUT/argv" ]
    rm -f "$FAKE_RUNTIME_OUT/argv"
    img_policy ".rules.images = {action: \"reject\", allow: [\"hd-busybox\"], deny: [\"$IMG_ID\"]}"
    run img create --bundle "$T/bundle" "$DOCKER_ID"
    [ "$status" -eq 1 ]
    [[ "$(last_error)" == *"images.allowList: image hd-busybox:e2e ($IMG_ID) is denied by \"$IMG_ID\""* ]]
}

# unknown_because TEXT: the file is not used, the identity is unknown, and the
# note says why: "image not known: <the file>TEXT".
unknown_because() {
    img_policy '.rules.images = {action: "reject", allow: ["hd-busybox"]}'
    run img create --bundle "$T/bundle" "$DOCKER_ID"
    [ "$status" -eq 1 ]
    [[ "$(last_error)" == *"images.unknown: no engine the policy trusts named this container's image"* ]]
    jq -r .msg "$LOG" | grep -F "note: image not known: $D/config.v2.json$1"
    [ "$(jq -c .image "$JSONL" | tail -n 1)" = null ]
}

@test "Docker: a config.v2.json not root's alone is not used" {
    chmod 622 "$D/config.v2.json"
    unknown_because ": not root's alone (uid 0, mode 0622)"
}

@test "Docker: a symlinked config.v2.json is not followed" {
    mv "$D/config.v2.json" "$T/elsewhere.json"
    ln -s "$T/elsewhere.json" "$D/config.v2.json"
    unknown_because ": is a symbolic link (refused)"
}

@test "Docker: another container's file (its ID is not the id runc was given) is not used" {
    jq '.ID = "0000000000000000000000000000000000000000000000000000000000000000"' "$D/config.v2.json" > "$T/x" && cat "$T/x" > "$D/config.v2.json"
    unknown_because ": \"ID\" is not $DOCKER_ID"
}

@test "Docker: an Image that is no sha256: ID, a file over the cap, one that does not parse" {
    jq '.Image = "hd-busybox:e2e"' "$FIXTURES/docker-config.v2.json" | jq --arg id "$DOCKER_ID" '.ID = $id' > "$D/config.v2.json"
    unknown_because ": \"Image\" is not a sha256: image ID"
    head -c 1048577 /dev/zero | tr '\0' ' ' > "$D/config.v2.json"
    unknown_because ": is 1048577 bytes, the limit is 1048576"
    printf '{"ID": "%s", "ID": "x"' "$DOCKER_ID" > "$D/config.v2.json"
    unknown_because ":1:"
}

@test "Docker: a group-writable directory on the way makes the file unusable" {
    chmod 770 "$T/docker/containers"
    unknown_because ": "
}

@test "Docker: binds naming two data roots vouch for none" {
    mkdir -p "$T/other/containers/$DOCKER_ID"
    config_jq "(.mounts[] | select(.destination == \"/etc/hosts\") | .source) |= sub(\"$T/docker\"; \"$T/other\")"
    img_policy '.rules.images = {action: "reject", allow: ["hd-busybox"]}'
    run img create --bundle "$T/bundle" "$DOCKER_ID"
    [ "$status" -eq 1 ]
    jq -r .msg "$LOG" | grep -F "note: image not known: Docker's bind sources for $DOCKER_ID name two data roots"
}

@test "not Docker's layout (another id): no file is looked for, the identity is unknown without a note" {
    img_policy '.rules.images = {action: "warn"}'
    run img create --bundle "$T/bundle" other-id
    [ "$status" -eq 0 ]
    ! jq -r .msg "$LOG" | grep -q "image not known"
    jq -r .msg "$LOG" | grep -q "images.unknown warning"
}

@test "org.opencontainers.image.* annotations and the image's labels never name the image" {
    img_policy '.rules.images = {action: "reject", allow: ["hd-busybox"]}'
    config_jq '.annotations = {"org.opencontainers.image.ref.name": "hd-busybox:e2e", "org.opencontainers.image.base.name": "docker.io/library/hd-busybox:e2e", "io.kubernetes.cri.image-name": "hd-busybox:e2e"}'
    run img create --bundle "$T/bundle" other-id
    [ "$status" -eq 1 ]
    [[ "$(last_error)" == *"images.unknown"* ]]
}

@test "policy check --image/--image-id: the identity CI knows, judged as an engine's" {
    img_policy ".rules.images = {action: \"reject\", allow: [\"registry.example/team\"], deny: [\"$OTHER\"]}"
    run "$HARDENED" policy check --policy "$P" --image registry.example/team/app:1 --image-id "$IMG_ID" "$T/bundle/config.json"
    [ "$status" -eq 0 ]
    run "$HARDENED" policy check --policy "$P" --image registry.example/team-evil/app:1 "$T/bundle/config.json"
    [ "$status" -eq 1 ]
    [[ "$output" == *"images.allowList refused at /: image registry.example/team-evil/app:1 is not on the allow-list (from cli)"* ]]
    run "$HARDENED" policy check --policy "$P" --image registry.example/team/app:1 --image-id "$OTHER" --format json "$T/bundle/config.json"
    [ "$status" -eq 1 ]
    [ "$(jq -c '[.image.source, .findings[0].rule]' <<<"$output")" = '["cli","images.allowList"]' ]
    run "$HARDENED" policy check --policy "$P" "$T/bundle/config.json"
    [ "$status" -eq 1 ]
    [[ "$output" == *"images.unknown refused"* ]]
    run "$HARDENED" policy check --policy "$P" --image-id sha256:abc "$T/bundle/config.json"
    [ "$status" -eq 2 ]
    [[ "$output" == *"--image-id is sha256: and 64 lowercase hex digits"* ]]
}

@test "a pattern that is no reference fails the load, naming the file and the entry" {
    img_policy '.rules.images = {action: "reject", allow: ["registry.example/Team"]}'
    run "$HARDENED" policy lint "$P"
    [ "$status" -ne 0 ]
    [[ "$output" == *"/rules/images/allow/0: \"registry.example/Team\" is not an image reference: the repository must be lowercase"* ]]
}
