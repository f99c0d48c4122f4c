#!/usr/bin/env bats
# The images rules through a private dockerd: the identity comes from
# dockerd's own config.v2.json (shim/docker_image.c), so `docker run` of an
# image off the allow-list is refused with the rule named in docker's
# error, an allowed one runs, and a `docker tag` of a denied image under an
# allowed name is still judged by its ID.  Needs root and Debian's
# docker.io + containerd; skips without them, except with CI=true.

bats_require_minimum_version 1.5.0
load helpers

setup_file() {
    e2e_setup_daemon || return 1
    # a second image, different content, so a different image ID
    mkdir -p "$E2E_DIR/denied-rootfs"
    cp -a "$E2E_DIR/image-rootfs/." "$E2E_DIR/denied-rootfs/"
    echo denied > "$E2E_DIR/denied-rootfs/etc/which"
    tar -C "$E2E_DIR/denied-rootfs" -c . | dk import - hd-denied:e2e >/dev/null
    DENIED_ID=$(dk image inspect --format '{{.Id}}' hd-denied:e2e)
    export DENIED_ID
    jq --arg id "$DENIED_ID" --arg log "$E2E_DIR/images.jsonl" \
        '.decisionLog = $log | .rules.images = {action: "reject", allow: ["hd-busybox"], deny: [$id]}' \
        "$top_srcdir/policy/profiles/default.json" > "$E2E_DIR/policy-images.json"
    e2e_add_runtime hardened-images "$E2E_DIR/policy-images.json"
}

teardown_file() { e2e_teardown "${E2E_DIR:-}"; }

setup() { e2e_require; }

@test "docker run of an image off the allow-list: refused, images.allowList and the image in docker's error" {
    run dk run --rm --runtime=hardened-images --network none hd-denied:e2e true
    [ "$status" -ne 0 ]
    [[ "$output" == *"refused by policy $E2E_DIR/policy-images.json: images.allowList: image hd-denied:e2e ($DENIED_ID) is denied by \"$DENIED_ID\" (from docker)"* ]]
}

@test "docker run of an allowed image runs, and the record names it by name and ID" {
    run dk run --rm --runtime=hardened-images --network none "$E2E_IMAGE" cat /etc/hostname
    [ "$status" -eq 0 ]
    id=$(dk image inspect --format '{{.Id}}' "$E2E_IMAGE")
    jq -e --arg id "$id" 'select(.verb == "create" and .image.id == $id and .image.name == "hd-busybox:e2e" and .image.source == "docker" and .decision != "refused")' "$E2E_DIR/images.jsonl"
}

@test "an image not on the allow-list by name (a fresh name, a fresh ID) is refused" {
    mkdir -p "$E2E_DIR/other-rootfs"
    cp -a "$E2E_DIR/image-rootfs/." "$E2E_DIR/other-rootfs/"
    echo other > "$E2E_DIR/other-rootfs/etc/which"
    tar -C "$E2E_DIR/other-rootfs" -c . | dk import - registry.example/team-evil/app:1 >/dev/null
    run dk run --rm --runtime=hardened-images --network none registry.example/team-evil/app:1 true
    [ "$status" -ne 0 ]
    [[ "$output" == *"images.allowList: image registry.example/team-evil/app:1 (sha256:"*") is not on the allow-list (from docker)"* ]]
}

@test "docker tag of the denied image under an allowed name: still refused, by its ID" {
    dk tag hd-denied:e2e hd-busybox:retagged
    run dk run --rm --runtime=hardened-images --network none hd-busybox:retagged true
    [ "$status" -ne 0 ]
    [[ "$output" == *"images.allowList: image hd-busybox:retagged ($DENIED_ID) is denied by \"$DENIED_ID\" (from docker)"* ]]
    # and by its ID as typed
    run dk run --rm --runtime=hardened-images --network none "$DENIED_ID" true
    [ "$status" -ne 0 ]
    [[ "$output" == *"is denied by \"$DENIED_ID\""* ]]
}
