#!/usr/bin/env bats
# `hardened verdicts import`: Trivy JSON reports (SchemaVersion 2, as
# `trivy image --format json` writes them; tests/fixtures/trivy/ follows
# Trivy's pkg/types report) to the verdict file the images rule reads.
# What it counts, what it refuses (each malformed field by name, nothing
# written), and how it writes (atomically, never through a symlink).

bats_require_minimum_version 1.5.0

TRIVY=$BATS_TEST_DIRNAME/../fixtures/trivy
NGINX=sha256:a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1
REDIS=sha256:c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3

setup() { T=$(mktemp -d /tmp/hd-verdicts.XXXXXX); }
teardown() { rm -rf "$T"; }

imp() { "$HARDENED" verdicts import "$@"; }

@test "import: counts per severity and fixable ones, the scan time in UTC, one entry per image sorted by ID" {
    run --separate-stderr imp --out "$T/v.json" "$TRIVY/redis-clean.json" "$TRIVY/nginx-vulnerable.json"
    [ "$status" -eq 0 ]
    [ "${stderr_lines[1]}" = "$TRIVY/nginx-vulnerable.json: $NGINX (registry.example/team/nginx:1.25): CRITICAL 1 (1 fixable), HIGH 2 (1 fixable), MEDIUM 1 (0 fixable), LOW 1 (1 fixable), UNKNOWN 0 (0 fixable)" ]
    [ "$(jq -c '[.apiVersion, .kind, (.images | map(.imageID))]' "$T/v.json")" = "[\"hardened/v1\",\"ImageVerdicts\",[\"$NGINX\",\"$REDIS\"]]" ]
    [ "$(jq -c '.images[0] | [.scannedAt, .found, .fixable, .repoDigests[0]]' "$T/v.json")" = \
        '["2026-11-30T09:15:02Z",{"CRITICAL":1,"HIGH":2,"MEDIUM":1,"LOW":1,"UNKNOWN":0},{"CRITICAL":1,"HIGH":1,"MEDIUM":0,"LOW":1,"UNKNOWN":0},"registry.example/team/nginx@sha256:d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4"]' ]
    # +01:00 is an hour ahead of UTC
    [ "$(jq -r '.images[1].scannedAt' "$T/v.json")" = 2026-11-30T09:00:00Z ]
    [ "$(stat -c %a "$T/v.json")" = 644 ]
    # what the images rule will count: the file is the same bytes again
    cp "$T/v.json" "$T/first.json"
    imp --out "$T/v.json" "$TRIVY/nginx-vulnerable.json" "$TRIVY/redis-clean.json" 2>/dev/null
    cmp "$T/v.json" "$T/first.json"
}

@test "import: two scans of one image keep the newer, in either order" {
    jq '.CreatedAt = "2026-12-01T00:00:00Z" | .Results[0].Vulnerabilities = []' "$TRIVY/nginx-vulnerable.json" > "$T/newer.json"
    for order in "$T/newer.json $TRIVY/nginx-vulnerable.json" "$TRIVY/nginx-vulnerable.json $T/newer.json"; do
        # shellcheck disable=SC2086
        imp --out "$T/v.json" $order 2>/dev/null
        [ "$(jq -c '.images | map([.scannedAt, .found.CRITICAL])' "$T/v.json")" = '[["2026-12-01T00:00:00Z",0]]' ]
    done
}

@test "import: a report without CreatedAt (Trivy before 0.48) needs --scanned-at" {
    run --separate-stderr imp --out "$T/v.json" "$TRIVY/redis-no-createdat.json"
    [ "$status" -eq 1 ]
    [ "$stderr" = "hardened verdicts import: $TRIVY/redis-no-createdat.json: /CreatedAt: missing (Trivy before 0.48 writes none): give the scan's time with --scanned-at" ]
    [ ! -e "$T/v.json" ]
    imp --scanned-at 2026-11-01T12:00:00+02:00 --out "$T/v.json" "$TRIVY/redis-no-createdat.json" 2>/dev/null
    [ "$(jq -r '.images[0].scannedAt' "$T/v.json")" = 2026-11-01T10:00:00Z ]
}

# Each malformed report: JQ EDIT of nginx-vulnerable.json@the message after "FILE: ".
BAD=(
    '.SchemaVersion = 1@/SchemaVersion: missing or not 2 (this reads Trivy'"'"'s SchemaVersion 2 reports)'
    'del(.SchemaVersion)@/SchemaVersion: missing or not 2'
    '.ArtifactType = "filesystem"@/ArtifactType: filesystem, not container_image (trivy image)'
    'del(.Metadata.ImageID)@/Metadata/ImageID: missing or not sha256:<64 hex>'
    '.Metadata.ImageID |= ascii_upcase@/Metadata/ImageID: missing or not sha256:<64 hex>'
    '.Metadata.ImageID += "0"@/Metadata/ImageID: missing or not sha256:<64 hex>'
    '.Metadata.ImageID = "sha512:" + ("a" * 64)@/Metadata/ImageID: missing or not sha256:<64 hex>'
    '.Metadata.RepoDigests = ["registry.example/team/nginx:1.25"]@/Metadata/RepoDigests/0: not NAME@sha256:<64 hex>'
    '.Metadata.RepoDigests = ["@sha256:" + ("d" * 64)]@/Metadata/RepoDigests/0: not NAME@sha256:<64 hex>'
    '.Metadata.RepoDigests = "x"@/Metadata/RepoDigests: not an array'
    '.Results[0].Vulnerabilities[2].Severity = "critical"@/Results/0/Vulnerabilities/2/Severity: critical (Trivy'"'"'s are UNKNOWN, LOW, MEDIUM, HIGH, CRITICAL)'
    '.Results[0].Vulnerabilities[0].Severity = "SEVERE"@/Results/0/Vulnerabilities/0/Severity: SEVERE'
    'del(.Results[0].Vulnerabilities[4].Severity)@/Results/0/Vulnerabilities/4/Severity: missing or not a string'
    '.Results[0].Vulnerabilities[0].FixedVersion = 3@/Results/0/Vulnerabilities/0/FixedVersion: not a string'
    '.Results[0].Vulnerabilities = {}@/Results/0/Vulnerabilities: not an array'
    'del(.Results)@/Results: missing or not an array'
    '.Results = [{Target: "secrets", Class: "secret"}]@/Results: no os-pkgs or lang-pkgs result'
    '.CreatedAt = "2026-02-30T00:00:00Z"@/CreatedAt: not an RFC 3339 time'
    '.CreatedAt = 1764493200@/CreatedAt: not an RFC 3339 time'
    '[.]@not a JSON object (a Trivy report is one)'
)

@test "import: each malformed report is refused with the field named, and nothing is written" {
    echo '{"old": true}' > "$T/v.json"
    for b in "${BAD[@]}"; do
        edit=${b%%@/*} want=${b#"$edit"@}
        [ "$edit" != "$b" ] || { edit=${b%%@not a JSON*}; want=${b#"$edit"@}; }
        jq "$edit" "$TRIVY/nginx-vulnerable.json" > "$T/bad.json"
        run --separate-stderr imp --out "$T/v.json" "$TRIVY/redis-clean.json" "$T/bad.json"
        echo "$edit: $stderr"
        [ "$status" -eq 1 ]
        [[ "$stderr" == "hardened verdicts import: $T/bad.json: $want"* ]]
        [ "$(cat "$T/v.json")" = '{"old": true}' ]
    done
}

@test "import: a report larger than a config (Trivy's advisory text for a big image) up to 256 MiB is read" {
    # 12 MiB: above the 8 MiB of a runtime document
    head -c 12582912 /dev/zero | tr '\0' x > "$T/advisory.txt"
    jq --rawfile d "$T/advisory.txt" '.Results[0].Vulnerabilities[0].Description = $d' \
        "$TRIVY/nginx-vulnerable.json" > "$T/large.json"
    [ "$(stat -c %s "$T/large.json")" -gt 12582912 ]
    run --separate-stderr imp --out "$T/v.json" "$T/large.json"
    [ "$status" -eq 0 ]
    [ "$(jq -c '.images[0] | [.imageID, .found.CRITICAL]' "$T/v.json")" = "[\"$NGINX\",1]" ]
}

@test "import: not JSON, over 256 MiB, missing: refused by name; usage errors exit 2" {
    printf '{"SchemaVersion": 2,' > "$T/cut.json"
    run --separate-stderr imp --out "$T/v.json" "$T/cut.json"
    [ "$status" -eq 1 ]
    [[ "$stderr" == "hardened verdicts import: $T/cut.json: "* ]]
    truncate -s 268435457 "$T/big.json"                      # sparse: refused by its size, before reading
    run --separate-stderr imp --out "$T/v.json" "$T/big.json"
    [ "$status" -eq 1 ]
    [ "$stderr" = "hardened verdicts import: $T/big.json: larger than 268435456 bytes" ]
    run --separate-stderr imp --out "$T/v.json" "$T/none.json"
    [ "$status" -eq 1 ]
    [[ "$stderr" == *"$T/none.json"*"No such file or directory"* ]]
    [ ! -e "$T/v.json" ]
    run --separate-stderr "$HARDENED" verdicts import
    [ "$status" -eq 2 ]
    [[ "$stderr" == "hardened verdicts: no report given"* ]]
    run --separate-stderr "$HARDENED" verdicts export x
    [ "$status" -eq 2 ]
    run --separate-stderr "$HARDENED" verdicts import --scanned-at yesterday "$TRIVY/redis-clean.json"
    [ "$status" -eq 2 ]
    [[ "$stderr" == "hardened verdicts: --scanned-at: not an RFC 3339 time"* ]]
}

@test "import: --out through a symlink or onto a directory is refused; a new file appears whole" {
    ln -s /etc/hardened-victim "$T/link.json"
    run --separate-stderr imp --out "$T/link.json" "$TRIVY/redis-clean.json"
    [ "$status" -eq 1 ]
    [ "${stderr_lines[-1]}" = "hardened verdicts import: $T/link.json: not a regular file" ]
    [ ! -e /etc/hardened-victim ]
    mkdir "$T/dir.json"
    run --separate-stderr imp --out "$T/dir.json" "$TRIVY/redis-clean.json"
    [ "$status" -eq 1 ]
    # without --out, the file goes to standard output
    run --separate-stderr imp "$TRIVY/redis-clean.json"
    [ "$status" -eq 0 ]
    [ "$(jq -r '.images[0].imageID' <<<"$output")" = "$REDIS" ]
    [ "$(ls -A "$T" | sort | tr '\n' ' ')" = "dir.json link.json " ] # no temporary left
}

# The scan gate (images.scan, images.unscanned) on the imported file, through
# `policy check --image/--image-id`: NAME ID JQ-ON-THE-IMAGES-RULE@what it says.
DIGEST=sha256:d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4
gate_policy() {
    jq --arg v "$T/v.json" "(.rules.images = {action: \"reject\", verdicts: \$v}) | .rules.images += ($1)" \
        "$BATS_TEST_DIRNAME/../../policy/profiles/default.json" > "$T/p.json"
}
gate() { "$HARDENED" policy check --policy "$T/p.json" --format json "$@" "$BATS_TEST_DIRNAME/../fixtures/run-default.json" | jq -c '[.findings[] | select(.rule | startswith("images.")) | "\(.rule) \(.action): \(.message)"]'; }

@test "scan gate: severity, fixable-only, age and a missing verdict, looked up by image ID or digest, never by name" {
    imp --out "$T/v.json" "$TRIVY/nginx-vulnerable.json" "$TRIVY/redis-clean.json" 2>/dev/null
    chmod 700 "$T"
    gate_policy '{maxSeverity: "HIGH", fixableOnly: true}'
    run gate --image registry.example/team/nginx:1.25 --image-id "$NGINX"
    [[ "$output" == '["images.scan reject: image registry.example/team/nginx:1.25 ('"$NGINX"') has 2 fixable vulnerabilities at or above HIGH (scan of registry.example/team/nginx:1.25, 2026-11-30T09:15:02Z)"]' ]]
    run gate --image registry.example/team/redis:7 --image-id "$REDIS"
    [ "$output" = '[]' ]
    # all of them at or above MEDIUM: 4
    gate_policy '{maxSeverity: "MEDIUM"}'
    run gate --image-id "$NGINX"
    [[ "$output" == *"has 4 vulnerabilities at or above MEDIUM"* ]]
    # CRITICAL (the default) but only fixable: the one CRITICAL is fixable
    gate_policy '{fixableOnly: true}'
    run gate --image-id "$NGINX"
    [[ "$output" == *"has 1 fixable vulnerabilities at or above CRITICAL"* ]]
    # by repository digest, under any name, when no ID is known (the CRI)
    gate_policy '{maxSeverity: "HIGH"}'
    run gate --image "other.example/mirror/nginx@$DIGEST"
    [[ "$output" == *"images.scan reject: image other.example/mirror/nginx@$DIGEST has 3 vulnerabilities at or above HIGH"* ]]
    # a name alone is not a verdict's key, even the very name scanned
    run gate --image registry.example/team/nginx:1.25
    [ "$output" = '["images.unscanned reject: image registry.example/team/nginx:1.25 has no scan verdict in '"$T"'/v.json (by ID or digest)"]' ]
    # missing: its own action
    gate_policy '{missing: "warn"}'
    run gate --image-id "sha256:$(printf 'e%.0s' $(seq 64))"
    [[ "$output" == '["images.unscanned warn: '* ]]
    # maxAge: a scan older than 1 hour (the fixture's is from 2026-11-30)
    gate_policy '{maxAge: "1h"}'
    run gate --image-id "$REDIS"
    [[ "$output" == *"images.scan reject: the scan verdict of image (no name) ($REDIS) is "*" hours old, maxAge is 1 hours"* ]]
}

@test "scan gate: the verdict file is the administrator's: another's, malformed or missing fails the policy's load" {
    imp --out "$T/v.json" "$TRIVY/redis-clean.json" 2>/dev/null
    chmod 700 "$T"
    gate_policy '{}'
    run "$HARDENED" policy lint "$T/p.json"
    [ "$status" -eq 0 ]
    chmod 666 "$T/v.json"
    run "$HARDENED" policy lint "$T/p.json"
    [ "$status" -eq 1 ]
    [[ "$output" == *"/rules/images/verdicts: verdict file $T/v.json: "* ]]
    chmod 644 "$T/v.json"
    jq '.images[0].found.CRITICAL = -1' "$T/v.json" > "$T/v2.json" && mv "$T/v2.json" "$T/v.json"
    run "$HARDENED" policy lint "$T/p.json"
    [ "$status" -eq 1 ]
    [[ "$output" == *"verdict file $T/v.json: /images/0/found/CRITICAL: missing or not a count"* ]]
    rm "$T/v.json"
    run "$HARDENED" policy lint "$T/p.json"
    [ "$status" -eq 1 ]
    [[ "$output" == *"verdict file $T/v.json: "*"No such file or directory"* ]]
    gate_policy '{maxAge: "7 days"}'
    imp --out "$T/v.json" "$TRIVY/redis-clean.json" 2>/dev/null
    run "$HARDENED" policy lint "$T/p.json"
    [ "$status" -eq 1 ]
    [[ "$output" == *'/rules/images/maxAge: "7 days" is not a duration'* ]]
}
