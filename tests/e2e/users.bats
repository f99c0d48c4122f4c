#!/usr/bin/env bats
# Docker end to end for the user family's groups: `--group-add` of a host
# system group (42, shadow on Debian; the docker group) and `--user
# UID:GID` / `docker exec -u UID:GID` with a system gid.  A root:42 0640
# host file bound into the container is readable with --runtime=runc and
# not under the default policy, which drops the group (rewrite); the
# restricted policy refuses the run with the shim's message.

bats_require_minimum_version 1.5.0
load helpers

setup_file() {
    e2e_setup_daemon || return 1
    # the host file only group 42 may read
    mkdir -p "$E2E_DIR/data"
    chmod 755 "$E2E_DIR" "$E2E_DIR/data"
    echo secret > "$E2E_DIR/data/secret"
    chown 0:42 "$E2E_DIR/data/secret"
    chmod 0640 "$E2E_DIR/data/secret"
}

teardown_file() {
    [ -n "${E2E_DIR:-}" ] || return 0
    "$E2E_DOCKER" -H "unix://$E2E_DIR/docker.sock" rm -f $("$E2E_DOCKER" -H "unix://$E2E_DIR/docker.sock" ps -aq) >/dev/null 2>&1 || true
    e2e_stop "$E2E_DIR"
    rm -rf "$E2E_DIR"
}

setup() { e2e_require; }

READ='id -G; cat /data/secret'

docker_gid() { getent group docker | cut -d: -f3; }

@test "docker run --group-add 42 reads a root:42 0640 host file with --runtime=runc" {
    run dk run --rm --runtime=runc --network none --user 1000:1000 --group-add 42 \
        -v "$E2E_DIR/data:/data:ro" "$E2E_IMAGE" sh -c "$READ"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "1000 42" ]
    [ "${lines[1]}" = secret ]
}

@test "docker run --group-add 42 under the default policy: id -G has no 42 and the file is unreadable" {
    gids=(--group-add 42 --group-add 2000)
    [ -z "$(docker_gid)" ] || gids+=(--group-add "$(docker_gid)")
    # stdout and stderr apart: docker does not keep their order
    run --separate-stderr dk run --rm --runtime=hardened --network none --user 1000:1000 "${gids[@]}" \
        -v "$E2E_DIR/data:/data:ro" "$E2E_IMAGE" sh -c "$READ"
    echo "$output"
    echo "$stderr"
    [ "$status" -ne 0 ]
    [ "${lines[0]}" = "1000 2000" ]
    [[ "$stderr" == *"Permission denied"* ]]
    # root with the group: uid, gid and the group all rewritten
    run dk run --rm --runtime=hardened --network none --group-add 42 "$E2E_IMAGE" id -G
    [ "$status" -eq 0 ]
    [ "$output" = 65534 ]
}

@test "docker run --user 1000:42 under the default policy runs with the policy's gid" {
    # stdout and stderr apart: docker does not keep their order, and cat's
    # error could land between the two ids
    run --separate-stderr dk run --rm --runtime=hardened --network none --user 1000:42 \
        -v "$E2E_DIR/data:/data:ro" "$E2E_IMAGE" sh -c 'id -u; id -g; cat /data/secret'
    echo "$output"
    echo "$stderr"
    [ "$status" -ne 0 ]
    [ "${lines[0]}" = 1000 ]
    [ "${lines[1]}" = 65534 ]
    [[ "$stderr" == *"Permission denied"* ]]
}

@test "docker run --group-add 42 under the restricted policy is refused with the shim's message" {
    run --separate-stderr dk run --rm --runtime=hardened-restricted --network none --user 1000:1000 --group-add 42 \
        "$E2E_IMAGE" true
    [ "$status" -ne 0 ]
    [[ "$stderr" == *"refused by policy $E2E_DIR/policy-restricted.json"* ]]
    [[ "$stderr" == *"user.nonRoot: /process/user/additionalGids/"*": additional gid 42 is host gid 42, outside the allowed host gids"* ]]
}

@test "docker exec -u 1000:42: runc reads the file, hardened runs it with the policy's gid or refuses it" {
    run dk run -d --runtime=hardened --network none --user 1000:1000 -v "$E2E_DIR/data:/data:ro" "$E2E_IMAGE" sleep 300
    [ "$status" -eq 0 ]
    id=$output
    # stdout and stderr separate: docker exec does not keep their relative order
    run --separate-stderr dk exec -u 1000:42 "$id" sh -c 'id -g; cat /data/secret'
    echo "$output / $stderr"
    [ "$status" -ne 0 ]
    [ "$output" = 65534 ]
    [[ "$stderr" == *"Permission denied"* ]]
    dk rm -f "$id" >/dev/null
    # the same container under plain runc: the exec really would have had the group
    run dk run -d --runtime=runc --network none --user 1000:1000 -v "$E2E_DIR/data:/data:ro" "$E2E_IMAGE" sleep 300
    id=$output
    run dk exec -u 1000:42 "$id" cat /data/secret
    [ "$output" = secret ]
    dk rm -f "$id" >/dev/null
    # with the user family rejecting, the exec is refused with the shim's message
    jq '.rules.user.action = "reject"' "$E2E_DIR/policy-default.json" > "$E2E_DIR/policy-user-reject.json"
    e2e_add_runtime hardened-user-reject "$E2E_DIR/policy-user-reject.json"
    run dk run -d --runtime=hardened-user-reject --network none --user 1000:1000 "$E2E_IMAGE" sleep 300
    [ "$status" -eq 0 ]
    id=$output
    run dk exec -u 1000:42 "$id" id -g
    [ "$status" -ne 0 ]
    [[ "$output" == *"refused by policy $E2E_DIR/policy-user-reject.json: user.nonRoot: /process/user/gid: gid 42 is host gid 42"* ]]
    dk rm -f "$id" >/dev/null
}
