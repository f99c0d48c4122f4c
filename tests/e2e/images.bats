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

# The scan gate: Trivy reports (the fixture's shape, this daemon's image IDs)
# imported with `hardened verdicts import`; the busybox image scanned clean,
# hd-denied with a fixable CRITICAL, a third image never scanned.
scan_setup() {
    local trivy=$top_srcdir/tests/fixtures/trivy clean vuln
    [ -f "$E2E_DIR/policy-scan.json" ] && return 0
    clean=$(dk image inspect --format '{{.Id}}' "$E2E_IMAGE")
    jq --arg id "$clean" --arg now "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
        '.Metadata.ImageID = $id | .Metadata.RepoDigests = [] | .ArtifactName = "hd-busybox:e2e" | .CreatedAt = $now' \
        "$trivy/redis-clean.json" > "$E2E_DIR/trivy-clean.json"
    jq --arg id "$DENIED_ID" --arg now "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
        '.Metadata.ImageID = $id | .Metadata.RepoDigests = [] | .ArtifactName = "hd-denied:e2e" | .CreatedAt = $now' \
        "$trivy/nginx-vulnerable.json" > "$E2E_DIR/trivy-vuln.json"
    "$HARDENED" verdicts import --out "$E2E_DIR/verdicts.json" "$E2E_DIR/trivy-clean.json" "$E2E_DIR/trivy-vuln.json"
    jq --arg v "$E2E_DIR/verdicts.json" --arg log "$E2E_DIR/images.jsonl" \
        '.decisionLog = $log | .rules.images = {action: "reject", verdicts: $v, maxSeverity: "HIGH", fixableOnly: true, maxAge: "7d"}' \
        "$top_srcdir/policy/profiles/default.json" > "$E2E_DIR/policy-scan.json"
    e2e_add_runtime hardened-scan "$E2E_DIR/policy-scan.json"
}

@test "scan gate: an image scanned clean runs; one with a fixable CRITICAL and one never scanned are refused, with the verdict in docker's error" {
    scan_setup
    run dk run --rm --runtime=hardened-scan --network none "$E2E_IMAGE" cat /etc/hostname
    echo "clean: $output"
    [ "$status" -eq 0 ]
    run dk run --rm --runtime=hardened-scan --network none hd-denied:e2e true
    echo "vulnerable: $output"
    [ "$status" -ne 0 ]
    [[ "$output" == *"refused by policy $E2E_DIR/policy-scan.json: images.scan: image hd-denied:e2e ($DENIED_ID) has 2 fixable vulnerabilities at or above HIGH (scan of hd-denied:e2e, "* ]]
    mkdir -p "$E2E_DIR/unscanned-rootfs"
    cp -a "$E2E_DIR/image-rootfs/." "$E2E_DIR/unscanned-rootfs/"
    echo unscanned > "$E2E_DIR/unscanned-rootfs/etc/which"
    tar -C "$E2E_DIR/unscanned-rootfs" -c . | dk import - hd-unscanned:e2e >/dev/null
    run dk run --rm --runtime=hardened-scan --network none hd-unscanned:e2e true
    echo "unscanned: $output"
    [ "$status" -ne 0 ]
    [[ "$output" == *"images.unscanned: image hd-unscanned:e2e (sha256:"*") has no scan verdict in $E2E_DIR/verdicts.json (by ID or digest)"* ]]
    # a retag does not launder a verdict: hd-denied under a clean-looking name
    dk tag hd-denied:e2e hd-busybox:scanned
    run dk run --rm --runtime=hardened-scan --network none hd-busybox:scanned true
    [ "$status" -ne 0 ]
    [[ "$output" == *"images.scan: image hd-busybox:scanned ($DENIED_ID) has 2 fixable"* ]]
}
