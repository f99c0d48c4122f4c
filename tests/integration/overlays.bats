#!/usr/bin/env bats
# Exemptions that adjust parameters, not only actions (per-workload
# profiles): the matching container is judged by the policy with the
# exemption's rules laid over its own (objects key by key, a list
# replaces), seen in the config the backend is handed; any other
# container by the policy as it is.  Docker's run-default.json as the
# config, the shipped default.json (rewrite) as the base.

bats_require_minimum_version 1.5.0
load fake

DEFAULT=$BATS_TEST_DIRNAME/../../policy/profiles/default.json
OTHER=0000000000000000000000000000000000000000000000000000000000000000

setup() {
    fake_setup
    # Docker's own bind sources pass only for Docker's id in Docker's layout
    config_jq '.mounts |= map(select(.source | startswith("/var/lib/docker") | not))'
    cp "$T/bundle/config.json" "$T/orig.json"
}
teardown() { fake_teardown; }

# overlay JQ: default.json with one exemption "web" for $DOCKER_ID whose
# rules are JQ's value.
overlay() {
    jq --arg id "$DOCKER_ID" "($1) as \$r | .exemptions = [{name: \"web\", match: {ids: [\$id]}, rules: \$r}]" \
        "$DEFAULT" > "$T/p.json"
}

# run_as ID: create with that id from the original config; the config the
# backend was handed is then $T/bundle/config.json.
run_as() {
    cp "$T/orig.json" "$T/bundle/config.json"
    POLICY=$T/p.json run hd create --bundle "$T/bundle" "$1"
}

tmpfs_of() { jq -c '[.mounts[] | select(.type == "tmpfs" and (.destination | IN("/tmp", "/run", "/var/cache/nginx"))) | .destination]' "$T/bundle/config.json"; }

@test "overlay: readOnlyRootfs.tmpfs for one container: its extra tmpfs paths, the rest get the policy's /tmp" {
    overlay '{readOnlyRootfs: {tmpfs: ["/tmp", "/run", "/var/cache/nginx"]}}'
    run_as "$DOCKER_ID"
    [ "$status" -eq 0 ]
    [ "$(tmpfs_of)" = '["/tmp","/run","/var/cache/nginx"]' ]
    [ "$(jq .root.readonly "$T/bundle/config.json")" = true ]            # still read-only
    jq -r .msg "$LOG" | grep -qx "policy $T/p.json: exemption \"web\" applies to $DOCKER_ID"
    jq -r .msg "$LOG" | grep -qx "policy $T/p.json: note: exemption \"web\" sets the parameters of readOnlyRootfs"
    run_as "$OTHER"
    [ "$status" -eq 0 ]
    [ "$(tmpfs_of)" = '["/tmp"]' ]
}

@test "overlay: capabilities.allow and user.uid for one container; a list replaces the policy's" {
    overlay '{capabilities: {allow: ["CAP_NET_BIND_SERVICE", "CAP_CHOWN", "CAP_SETUID", "CAP_SETGID"]}, user: {uid: 101, gid: 101, allowedGids: [{min: 101, max: 101}]}}'
    run_as "$DOCKER_ID"
    [ "$status" -eq 0 ]
    [ "$(jq -c '.process.capabilities.bounding | sort' "$T/bundle/config.json")" = '["CAP_CHOWN","CAP_NET_BIND_SERVICE","CAP_SETGID","CAP_SETUID"]' ]
    [ "$(jq -c '.process.user | [.uid, .gid]' "$T/bundle/config.json")" = '[101,101]' ]
    run_as "$OTHER"
    [ "$(jq -c '.process.capabilities.bounding' "$T/bundle/config.json")" = '["CAP_NET_BIND_SERVICE"]' ]
    [ "$(jq -c '.process.user | [.uid, .gid]' "$T/bundle/config.json")" = '[65534,65534]' ]
}

@test "overlay: capabilities.ambient for one container: its granted capability raised into permitted, inheritable and ambient; the others' stay empty" {
    overlay '{capabilities: {ambient: ["CAP_NET_BIND_SERVICE"]}}'
    run_as "$DOCKER_ID"
    [ "$status" -eq 0 ]
    [ "$(jq -c '.process.capabilities | [.bounding, .permitted, .inheritable, .ambient]' "$T/bundle/config.json")" = \
        '[["CAP_NET_BIND_SERVICE"],["CAP_NET_BIND_SERVICE"],["CAP_NET_BIND_SERVICE"],["CAP_NET_BIND_SERVICE"]]' ]
    jq -r .msg "$LOG" | grep -qx "policy $T/p.json: note: exemption \"web\" sets the parameters of capabilities"
    run_as "$OTHER"
    [ "$(jq -c '.process.capabilities | [.bounding, .inheritable, .ambient]' "$T/bundle/config.json")" = '[["CAP_NET_BIND_SERVICE"],null,null]' ]
    # a grant of a capability the (overlaid) allow-list lacks is a load error naming the exemption
    overlay '{capabilities: {ambient: ["CAP_NET_RAW"]}}'
    run "$HARDENED" policy lint "$T/p.json"
    [ "$status" -eq 1 ]
    [[ "$output" == "exemption \"web\": $T/p.json:"*": /rules/capabilities/ambient/0: \"CAP_NET_RAW\" is not in /rules/capabilities/allow"* ]]
}

@test "overlay: no layering leaves a grant outside the allow-list: an exemption, an extending file or a policy.d file that narrows allow below ambient fails the load, naming the grant" {
    local base='.rules.capabilities.allow = ["CAP_NET_BIND_SERVICE", "CAP_NET_RAW"] | .rules.capabilities.ambient = ["CAP_NET_RAW"]'
    local want='/rules/capabilities/ambient/0: "CAP_NET_RAW" is not in /rules/capabilities/allow (only an allowed capability can be ambient)'
    # an exemption's allow alone, the policy's ambient kept
    jq --arg id "$DOCKER_ID" "$base"' | .exemptions = [{name: "web", match: {ids: [$id]}, rules: {capabilities: {allow: ["CAP_NET_BIND_SERVICE"]}}}]' \
        "$DEFAULT" > "$T/p.json"
    run "$HARDENED" policy lint "$T/p.json"
    [ "$status" -eq 1 ]
    [[ "$output" == "exemption \"web\": $T/p.json:"*": $want" ]]
    # extends: the extending file's allow replaces the base's list, the base's ambient stays
    mkdir -p "$T/ext"
    jq "$base" "$DEFAULT" > "$T/ext/base.json"
    echo '{"apiVersion": "hardened/v1", "extends": "base.json", "rules": {"capabilities": {"allow": ["CAP_NET_BIND_SERVICE"]}}}' > "$T/ext/p.json"
    run "$HARDENED" policy lint "$T/ext/p.json"
    [ "$status" -eq 1 ]
    [[ "$output" == *": $want" ]]
    # policy.d: the same from a drop-in
    mkdir -p "$T/pd/policy.d"
    jq "$base" "$DEFAULT" > "$T/pd/p.json"
    echo '{"apiVersion": "hardened/v1", "rules": {"capabilities": {"allow": ["CAP_NET_BIND_SERVICE"]}}}' > "$T/pd/policy.d/10-narrow.json"
    run "$HARDENED" policy lint "$T/pd/p.json"
    [ "$status" -eq 1 ]
    [[ "$output" == *": $want" ]]
    # and a drop-in that grants beyond the allow-list
    echo '{"apiVersion": "hardened/v1", "rules": {"capabilities": {"ambient": ["CAP_SYS_ADMIN"]}}}' > "$T/pd/policy.d/10-narrow.json"
    run "$HARDENED" policy lint "$T/pd/p.json"
    [ "$status" -eq 1 ]
    [[ "$output" == "$T/pd/policy.d/10-narrow.json:"*': /rules/capabilities/ambient/0: "CAP_SYS_ADMIN" is not in /rules/capabilities/allow'* ]]
}

@test "overlay: an action and parameters together; the action alone still relaxes as before" {
    overlay '{resources: {action: "reject", memory: {max: "8Gi"}}}'
    config_jq '.linux.resources += {memory: {limit: 6442450944, swap: 6442450944}, cpu: {quota: 100000, period: 100000}, pids: {limit: 100}}'
    cp "$T/bundle/config.json" "$T/orig.json"
    run_as "$DOCKER_ID"
    [ "$status" -eq 0 ]
    [ "$(jq .linux.resources.memory.limit "$T/bundle/config.json")" = 6442450944 ]   # 6Gi: within its 8Gi
    run_as "$OTHER"
    [ "$(jq .linux.resources.memory.limit "$T/bundle/config.json")" = 4294967296 ]   # clamped to the policy's 4Gi
    config_jq '.linux.resources.memory = {limit: 17179869184, swap: 17179869184}'
    cp "$T/bundle/config.json" "$T/orig.json"
    run_as "$DOCKER_ID"
    [ "$status" -eq 1 ]                                                    # reject, from the exemption
    [[ "$output" == *"resources.memory: memory limit 16Gi is above the policy's maximum 8Gi"* ]]
}

@test "overlay: a bad parameter is a load error at its place in the file, naming the exemption" {
    jq --arg id "$DOCKER_ID" '.exemptions = [{name: "web", match: {ids: [$id]}, rules: {readOnlyRootfs: {tmpfs: ["relative/path"]}}}]' \
        "$DEFAULT" > "$T/p.json"
    run "$HARDENED" policy lint "$T/p.json"
    [ "$status" -eq 1 ]
    [[ "$output" == "exemption \"web\": $T/p.json:"*":"*": /rules/readOnlyRootfs/tmpfs/0: "* ]]
    # a family with neither an action nor a parameter is refused as before
    overlay '{user: {}}'
    run "$HARDENED" policy lint "$T/p.json"
    [ "$status" -eq 1 ]
    [[ "$output" == *"/exemptions/0/rules/user"*"action"* ]]
    # an unknown parameter name
    overlay '{user: {uidd: 5}}'
    run "$HARDENED" policy lint "$T/p.json"
    [ "$status" -eq 1 ]
    [[ "$output" == *"uidd"* ]]
}

@test "overlay by image: an exemption matching the engine's image (a repository pattern, or an ID) gets its parameters; another image, an unknown one, does not" {
    local id=sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb
    jq --arg id "$id" '.exemptions = [{name: "nginx", match: {images: ["registry.example/team/nginx", $id]},
                                        rules: {readOnlyRootfs: {tmpfs: ["/tmp", "/var/cache/nginx"]}}}]' "$DEFAULT" > "$T/p.json"
    check() { "$HARDENED" policy check --policy "$T/p.json" --format json "$@" "$T/orig.json" | jq -c '[.exemption, ([.diff[]? | tostring | select(test("/var/cache/nginx"))] | length > 0)]'; }
    [ "$(check --image registry.example/team/nginx:1.25)" = '["nginx",true]' ]
    [ "$(check --image registry.example/team/nginx/sub@sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc)" = '["nginx",true]' ]
    [ "$(check --image other.example/x:1 --image-id "$id")" = '["nginx",true]' ]     # by ID, under any name
    [ "$(check --image registry.example/team/nginx-evil:1)" = '[null,false]' ]       # not a '/' boundary
    [ "$(check)" = '[null,false]' ]                                                   # no image known
    # a pattern that is no reference is a load error at its place
    jq '.exemptions = [{name: "x", match: {images: ["bad ref!"]}, rules: {user: {action: "warn"}}}]' "$DEFAULT" > "$T/p.json"
    run "$HARDENED" policy lint "$T/p.json"
    [ "$status" -eq 1 ]
    [[ "$output" == *"/exemptions/0/match/images/0: "* ]]
}
