#!/usr/bin/env bats
# The user family with real runc: ids are what they are on the host.  A
# user namespace mapped onto 100000+ runs and shows its map inside; a
# mapping onto host 0 is refused (and with plain runc really is host root);
# a namespace joined by path is judged by the kernel's maps, not the
# config's; a host system group (42, shadow on Debian) added to the process
# reads a root:42 0640 host file with plain runc and not through hardened,
# at create and at exec (--process, -u UID:GID, -g), and in every spelling
# runc's argv parser accepts.

bats_require_minimum_version 1.5.0
load helpers
load fake

OFF=$BATS_TEST_DIRNAME/../fixtures/policy-off.json
DEFAULT=$BATS_TEST_DIRNAME/../../policy/profiles/default.json

setup() {
    fake_setup
    # The container's root is host 100000+: the bundle's directories must be
    # traversable by it, unlike the 0700 test directories.
    U=$(mktemp -d /tmp/hd-users.XXXXXX)
    chmod 755 "$U"
}
teardown() {
    if [ -n "${RT_ROOT:-}" ]; then rt_cleanup; fi
    rm -rf "$U"
    fake_teardown
}

# us_policy JSON: policy-off with the user family set to JSON.
us_policy() {
    jq --argjson r "$1" '.rules.user = $r' "$OFF" > "$T/policy-user.json"
    echo "$T/policy-user.json"
}

# us_bundle DIR JQ-FILTER -- ARG...: a busybox bundle in DIR running ARG...
# as 1000:1000, edited by JQ-FILTER.
us_bundle() {
    local dir=$1 filter=$2
    shift 2
    rt_require_runc
    [ -n "${RT_ROOT:-}" ] || rt_root
    rt_make_bundle "$dir" "$@"
    jq ".process.user = {uid: 1000, gid: 1000} | $filter" "$dir/config.json" > "$dir/c.json"
    mv "$dir/c.json" "$dir/config.json"
}

# A private user namespace: container 0-65535 on host HOST-(HOST+65535).
userns() {
    echo ".linux.namespaces += [{type: \"user\"}]
          | .linux.uidMappings = [{containerID: 0, hostID: $1, size: 65536}]
          | .linux.gidMappings = [{containerID: 0, hostID: $1, size: 65536}]"
}

# us_run runc|hardened POLICY DIR: run the bundle in the foreground.
us_run() {
    rm -f "$LOG"
    if [ "$1" = runc ]; then
        run --separate-stderr "$RT_RUNC" --root "$RT_ROOT" run --bundle "$3" "$(rt_id "r$RANDOM")" </dev/null 3>&-
    else
        run --separate-stderr "$HARDENED" --policy "$2" --root "$RT_ROOT" --log "$LOG" --log-format json \
            run --bundle "$3" "$(rt_id "h$RANDOM")" </dev/null 3>&-
    fi
}

@test "runc: a user namespace mapped onto host 100000+ runs; /proc/self/uid_map inside shows the mapping" {
    us_bundle "$U/b" "$(userns 100000)" sh -c 'cat /proc/self/uid_map /proc/self/gid_map; id -u'
    us_run hardened "$(us_policy '{"action": "reject", "requireUserNamespace": true}')" "$U/b"
    echo "$output $stderr"
    [ "$status" -eq 0 ]
    [ "$(echo ${lines[0]})" = "0 100000 65536" ]
    [ "$(echo ${lines[1]})" = "0 100000 65536" ]
    [ "${lines[2]}" = 1000 ]
    # the default policy passes it too (uid 1000 inside is host 101000)
    us_run hardened "$DEFAULT" "$U/b"
    [ "$status" -eq 0 ]
    [ "$(echo ${lines[0]})" = "0 100000 65536" ]
}

@test "runc: a mapping of container 0 onto host 0 is host root with plain runc, and refused through hardened" {
    us_bundle "$U/b" "$(userns 0)" sh -c 'cat /proc/self/uid_map; id -u'
    us_run runc "" "$U/b"
    [ "$status" -eq 0 ]
    [ "$(echo ${lines[0]})" = "0 0 65536" ]      # container ids are host ids: 0 is host root
    us_run hardened "$(us_policy '{"action": "rewrite"}')" "$U/b"
    [ "$status" -eq 1 ]
    [ -z "$output" ]
    [[ "$(last_error)" == *"user.idMappings: /linux/uidMappings/0: the mapping covers host uid 0 (root): container uid 0 is host root"* ]]
    # one range of size 1 is enough, and gid maps count alike
    jq '.linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
        | .linux.gidMappings = [{containerID: 0, hostID: 0, size: 1}, {containerID: 1, hostID: 100001, size: 65535}]' \
        "$U/b/config.json" > "$U/c" && mv "$U/c" "$U/b/config.json"
    us_run hardened "$DEFAULT" "$U/b"
    [ "$status" -eq 1 ]
    [[ "$(last_error)" == *"user.idMappings: /linux/gidMappings/0: the mapping covers host gid 0 (root)"* ]]
}

@test "runc: a user namespace joined by path is judged by the kernel's maps, not the config's" {
    # A: a container whose user namespace maps onto host 0 (plain runc)
    us_bundle "$U/a" "$(userns 0)" sleep 300
    rt_start_container runc "$(rt_id a)" "$U/a"
    pid=$(rt_state_field runc "$(rt_id a)" .pid)
    # B joins it, its config claiming a harmless 100000 mapping
    us_bundle "$U/b" "$(userns 100000) | .linux.namespaces |= map(if .type == \"user\" then .path = \"/proc/$pid/ns/user\" else . end)" \
        sh -c 'cat /proc/self/uid_map'
    us_run runc "" "$U/b"
    [ "$status" -eq 0 ]
    [ "$(echo ${lines[0]})" = "0 0 65536" ]      # what the kernel applies: the claim was a lie
    us_run hardened "$(us_policy '{"action": "reject"}')" "$U/b"
    [ "$status" -eq 1 ]
    [[ "$(last_error)" == *"user.idMappings: /linux/namespaces/5/path: the joined user namespace covers host uid 0 (root)"* ]]
    # C: a container mapped onto 200000+; B joining it runs through hardened
    us_bundle "$U/c" "$(userns 200000)" sleep 300
    rt_start_container runc "$(rt_id c)" "$U/c"
    pid=$(rt_state_field runc "$(rt_id c)" .pid)
    jq --arg p "/proc/$pid/ns/user" '.linux.namespaces |= map(if .type == "user" then .path = $p else . end)' \
        "$U/b/config.json" > "$U/b/c.json" && mv "$U/b/c.json" "$U/b/config.json"
    us_run hardened "$(us_policy '{"action": "reject", "requireUserNamespace": true}')" "$U/b"
    echo "$output $stderr"
    [ "$status" -eq 0 ]
    [ "$(echo ${lines[0]})" = "0 200000 65536" ]
}

# A host file only group 42 (shadow on Debian) may read, bound at /data.
shadow_file() {
    mkdir -p "$U/data"
    chmod 755 "$U/data"
    echo secret > "$U/data/secret"
    chown 0:42 "$U/data/secret"
    chmod 0640 "$U/data/secret"
}
BIND_DATA='.mounts += [{destination: "/data", type: "bind", source: env.DATA, options: ["rbind", "ro"]}]'

@test "runc: --group-add 42 reads a root:42 0640 host file with plain runc; hardened removes the group (rewrite) or refuses (reject)" {
    shadow_file
    DATA=$U/data us_bundle "$U/b" "$BIND_DATA | .process.user.additionalGids = [42, 1000]" \
        sh -c 'id -G; cat /data/secret'
    us_run runc "" "$U/b"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "1000 42" ]
    [ "${lines[1]}" = secret ]
    cp "$U/b/config.json" "$U/orig.json"
    us_run hardened "$(us_policy '{"action": "rewrite"}')" "$U/b"
    echo "$output $stderr"
    [ "$status" -ne 0 ]                         # cat fails: the group is gone
    [ "${lines[0]}" = 1000 ]
    [[ "$stderr" == *"Permission denied"* ]]
    jq -e '.process.user.additionalGids == [1000]' "$U/b/config.json"
    cp "$U/orig.json" "$U/b/config.json"
    us_run hardened "$(us_policy '{"action": "reject"}')" "$U/b"
    [ "$status" -eq 1 ]
    [[ "$(last_error)" == *"user.nonRoot: /process/user/additionalGids/0: additional gid 42 is host gid 42, outside the allowed host gids"* ]]
    # the primary group alike: gid 42 becomes the policy's 65534
    jq '.process.user = {uid: 1000, gid: 42}' "$U/orig.json" > "$U/b/config.json"
    us_run hardened "$DEFAULT" "$U/b"
    [ "$status" -ne 0 ]
    [ "${lines[0]}" = 65534 ]
}

# A long-running container (1000:1000) with the shadow file, through hardened.
start_data_container() {
    shadow_file
    DATA=$U/data us_bundle "$U/b" "$BIND_DATA" sleep 300
    ID=$(rt_id x)
    RT_POLICY=$(us_policy '{"action": "rewrite"}') rt_start_container hardened "$ID" "$U/b"
}

# us_exec POLICY ARG...: hardened exec into $ID, output in $output.
us_exec() {
    local policy=$1
    shift
    rm -f "$LOG"
    run --separate-stderr "$HARDENED" --policy "$policy" --root "$RT_ROOT" --log "$LOG" --log-format json \
        exec "$@" </dev/null 3>&-
}

@test "runc: exec -u 1000:42 and -g 42 read the file with plain runc; through hardened the group is gone or the exec refused" {
    start_data_container
    run "$RT_RUNC" --root "$RT_ROOT" exec -u 1000:42 "$ID" cat /data/secret
    [ "$output" = secret ]
    run "$RT_RUNC" --root "$RT_ROOT" exec -g 42 "$ID" cat /data/secret
    [ "$output" = secret ]
    REWRITE=$(us_policy '{"action": "rewrite"}')
    us_exec "$REWRITE" -u 1000:42 "$ID" sh -c 'id -g; id -G; cat /data/secret'
    [ "$status" -ne 0 ]
    [ "${lines[0]}" = 65534 ]
    [[ "${lines[1]}" != *42* ]]
    us_exec "$REWRITE" -g 42 -g 2000 "$ID" sh -c 'id -G; cat /data/secret'
    [ "$status" -ne 0 ]
    [ "${lines[0]}" = "1000 2000" ]
    us_exec "$(us_policy '{"action": "reject"}')" --additional-gids=42 "$ID" id -G
    [ "$status" -eq 1 ]
    [[ "$(last_error)" == *"the exec flags: refused by policy "*"user.nonRoot: /process/user/additionalGids/0: additional gid 42 is host gid 42, outside the allowed host gids"* ]]
}

@test "runc: exec --process with gid 42 / additionalGids [42] runs without the group; refused under reject" {
    start_data_container
    jq -n '{terminal: false, user: {uid: 1000, gid: 42, additionalGids: [42, 1000]}, args: ["sh", "-c", "id -g; id -G; cat /data/secret"],
            env: ["PATH=/bin"], cwd: "/"}' > "$T/p.json"
    cp "$T/p.json" "$T/p0.json"
    run "$RT_RUNC" --root "$RT_ROOT" exec --process "$T/p0.json" "$ID"
    [ "${lines[2]}" = secret ]
    us_exec "$(us_policy '{"action": "rewrite"}')" --process "$T/p.json" "$ID"
    echo "$output $stderr"
    [ "$status" -ne 0 ]
    [ "${lines[0]}" = 65534 ]
    [ "${lines[1]}" = "65534 1000" ]
    cp "$T/p0.json" "$T/p.json"
    us_exec "$(us_policy '{"action": "reject"}')" -p "$T/p.json" "$ID"
    [ "$status" -eq 1 ]
    [[ "$(last_error)" == *"user.nonRoot: /process/user/gid: gid 42 is host gid 42, outside the allowed host gids"* ]]
    cmp "$T/p.json" "$T/p0.json"
}

# exec without --process is judged as the process runc builds (the
# bundle's config.json, here 1000:1000, with the flags merged); the
# backend gets that document with --process.
@test "exec: every spelling of --user UID:GID and --additional-gids runc accepts is judged (fake backend)" {
    local spelling
    fake_state c1
    config_jq '.process.user = {uid: 1000, gid: 1000}'
    for spelling in "-u 1000:42" "--user 1000:42" "-u=1000:42" "--user=1000:42" "-user 1000:42" "--u 1000:42"; do
        rm -f "$FAKE_RUNTIME_OUT/argv"
        # shellcheck disable=SC2086
        POLICY=$DEFAULT run hd_exec $spelling c1 id
        [ "$status" -eq 0 ]
        [[ "$(backend_args)" =~ " exec --process=/proc/self/fd/"[0-9]+" c1 id"$ ]] || { echo "$spelling: $(backend_args)"; false; }
        backend_process | jq -e '.user == {uid: 1000, gid: 65534}' || { echo "$spelling: $(backend_process)"; false; }
    done
    for spelling in "-g 42" "-g=42" "--additional-gids 42" "--additional-gids=42" "-additional-gids 42" "--g 42"; do
        rm -f "$FAKE_RUNTIME_OUT/argv"
        # shellcheck disable=SC2086
        POLICY=$DEFAULT run hd_exec -u 1000:1000 $spelling ${spelling/42/1000} c1 id
        [ "$status" -eq 0 ]
        backend_process | jq -e '.user == {uid: 1000, gid: 1000, additionalGids: [1000]}' || { echo "$spelling: $(backend_process)"; false; }
    done
    # two forms of one flag: runc's urfave/cli refuses the call, and so does the shim
    rm -f "$FAKE_RUNTIME_OUT/argv"
    POLICY=$DEFAULT run hd_exec -g 1000 --additional-gids 42 c1 id
    [ "$status" -eq 2 ]
    backend_not_ran
    # what runc would read differently (+42, 042 as ParseInt base 10, 2^32+42) is refused
    for v in +42 042 4294967338 -42; do
        rm -f "$FAKE_RUNTIME_OUT/argv"
        POLICY=$DEFAULT run hd_exec -g "$v" c1 id
        [ "$status" -eq 1 ] || { echo "-g '$v' was accepted"; false; }
        backend_not_ran
    done
    # a uid or gid in the allowed ranges passes untouched; 0 is still root
    POLICY=$DEFAULT run hd_exec -u 2000:2000 -g 3000 c1 id
    backend_process | jq -e '.user == {uid: 2000, gid: 2000, additionalGids: [3000]}'
    POLICY=$DEFAULT run hd_exec -u 1000:0 c1 id
    backend_process | jq -e '.user == {uid: 1000, gid: 65534}'
    # -u UID alone keeps the config's gid, and that gid is judged now, as
    # config.json is at the time of the exec
    jq '.rules.user = {action: "reject", gid: 100}' "$DEFAULT" > "$T/p.json"
    POLICY=$T/p.json run hd_exec -u 1000 c1 id
    [ "$status" -eq 0 ]
    backend_process | jq -e '.user == {uid: 1000, gid: 1000}'
    config_jq '.process.user.gid = 0'
    rm -f "$FAKE_RUNTIME_OUT/argv"
    POLICY=$T/p.json run hd_exec -u 1000 c1 id
    [ "$status" -eq 1 ]
    backend_not_ran
}

@test "exec: allowedGids is the admin's to widen (44, video) and findings name the host id" {
    fake_state c1
    config_jq '.process.user = {uid: 1000, gid: 1000}'
    jq '.rules.user.allowedGids = [{min: 44, max: 44}, {min: 1000}]' "$DEFAULT" > "$T/p.json"
    POLICY=$T/p.json run hd_exec -u 1000:44 -g 44 -g 42 c1 id
    [ "$status" -eq 0 ]
    backend_process | jq -e '.user == {uid: 1000, gid: 44, additionalGids: [44]}'
    jq -r .msg "$LOG" | grep -q 'user.nonRoot rewritten at /process/user/additionalGids/1: .*host gid 42, outside the allowed host gids'
}

@test "policy: bad user ranges are load errors with file:line:col" {
    printf '{"apiVersion": "hardened/v1", "rules": {"user": {"action": "reject",\n "allowedGids": [{"min": 0}]}}}\n' > "$T/p.json"
    run "$HARDENED" policy lint --policy "$T/p.json"
    [ "$status" -ne 0 ]
    [[ "$output" == *"$T/p.json:2:18: /rules/user/allowedGids/0: needs 0 < min <= max"* ]]
    printf '{"apiVersion": "hardened/v1", "rules": {"user": {"action": "rewrite", "gid": 42}}}\n' > "$T/p.json"
    run "$HARDENED" policy lint --policy "$T/p.json"
    [ "$status" -ne 0 ]
    [[ "$output" == *"/rules/user/gid: 42 is outside allowedGids"* ]]
    printf '{"apiVersion": "hardened/v1", "rules": {"user": {"action": "reject", "mappedHostUids": [{"min": 5, "max": 4}]}}}\n' > "$T/p.json"
    run "$HARDENED" policy lint --policy "$T/p.json"
    [ "$status" -ne 0 ]
    [[ "$output" == *"/rules/user/mappedHostUids/0: needs 0 < min <= max"* ]]
    run "$HARDENED" policy show --policy "$DEFAULT"
    jq -e '.rules.user.allowedGids == [{min: 1000, max: 4294967294}] and .rules.user.mappedHostGids == [{min: 1000, max: 4294967294}]
           and .rules.user.allowedUids == [{min: 1, max: 4294967294}] and .rules.user.requireUserNamespace == false
           and .rules.user.allowRootInUserNamespace == false' <<<"$output"
}
