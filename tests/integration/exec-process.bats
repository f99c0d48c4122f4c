#!/usr/bin/env bats
# exec without --process: runc 1.1.5 builds the process from the config.json
# it finds through the container's first "bundle=" label, read at exec time,
# with the inline flags merged onto it (exec.go getProcess).  The shim builds
# the same document, judges it with the process rules and hands runc the
# checked copy with --process.  First the exact document the backend gets
# (fake backend), then real runc: an edited config.json and a "bundle"
# annotation give plain `runc exec` root with more capabilities, and give
# `hardened exec` what the policy allows.

bats_require_minimum_version 1.5.0
load fake
load helpers

DEFAULT=$BATS_TEST_DIRNAME/../../policy/profiles/default.json
RESTRICTED=$BATS_TEST_DIRNAME/../../policy/profiles/restricted.json

setup() { fake_setup; }
teardown() {
    if [ -n "${RT_ROOT:-}" ]; then rt_cleanup; fi
    fake_teardown
}

# want JQ-FILTER [CONFIG]: the config's process edited by JQ-FILTER, sorted
want() { jq -S ".process | $1" "${2:-$T/bundle/config.json}"; }
# got: the process the backend was handed, sorted
got() { backend_process | jq -S .; }

# ---- the document (fake backend, every rule off) ----------------------------

@test "every process flag is merged as runc's getProcess merges it; the backend gets only --process" {
    fake_state c1
    run hd_exec --cwd /tmp -e A=1 -e B=2 -t --user 7:8 -g 9 -g 10 --cap CAP_KILL --cap CAP_CHOWN \
        --apparmor prof --process-label lbl --no-new-privs=false \
        --detach --pid-file "$T/pid" --console-socket "$T/sock" c1 sh -c 'echo hi'
    [ "$status" -eq 0 ]
    [[ "$(backend_args)" =~ ^"--log $LOG --log-format json --root $T/state exec --detach --pid-file $T/pid --console-socket $T/sock --process=/proc/self/fd/"[0-9]+" c1 sh -c echo hi"$ ]]
    [ "$(got)" = "$(want '.args = ["sh", "-c", "echo hi"] | .cwd = "/tmp" | .env += ["A=1", "B=2"] | .terminal = true
        | .user.uid = 7 | .user.gid = 8 | .user.additionalGids += [9, 10]
        | .capabilities |= (.bounding += ["CAP_KILL", "CAP_CHOWN"] | .effective += ["CAP_KILL", "CAP_CHOWN"]
                            | .permitted += ["CAP_KILL", "CAP_CHOWN"] | .ambient = ["CAP_KILL", "CAP_CHOWN"])
        | .apparmorProfile = "prof" | .selinuxLabel = "lbl" | .noNewPrivileges = false')" ]
}

@test "\"--\" before the id: --process goes ahead of it, and the command after the id stays the command" {
    fake_state c1
    run hd_exec -u 3 -- c1 id -u
    [ "$status" -eq 0 ]
    [[ "$(backend_args)" =~ ^"--log $LOG --log-format json --root $T/state exec --process=/proc/self/fd/"[0-9]+" -- c1 id -u"$ ]]
    [ "$(got)" = "$(want '.args = ["id", "-u"] | .user.uid = 3 | .user.gid = 0 | .terminal = false')" ]
}

@test "an empty --process is no --process to runc: the process is built, and the backend gets one --process" {
    fake_state c1
    for flag in "-p=" "--process="; do
        POLICY=$DEFAULT run hd_exec "$flag" -u 0 c1 id
        [ "$status" -eq 0 ]
        [[ "$(backend_args)" =~ " exec --process=/proc/self/fd/"[0-9]+" c1 id"$ ]] || { echo "$flag: $(backend_args)"; false; }
        got | jq -e '.user.uid == 65534 and .args == ["id"]'
    done
    POLICY=$DEFAULT run hd_exec -p "" c1 id
    [[ "$(backend_args)" =~ " exec --process=/proc/self/fd/"[0-9]+" c1 id"$ ]]
}

@test "without flags: the config's process with the command as args and terminal false; empty values change nothing" {
    fake_state c1
    config_jq '.process.terminal = true | .process.noNewPrivileges = true | .process.apparmorProfile = "keep"'
    run hd_exec --cwd "" --user "" --apparmor "" c1 id -u
    [ "$status" -eq 0 ]
    [ "$(got)" = "$(want '.args = ["id", "-u"] | .terminal = false')" ]
    # -u UID alone keeps the config's gid; an absent env or additionalGids starts empty
    config_jq 'del(.process.env) | .process.user = {uid: 0, gid: 5}'
    run hd_exec -u 3 -e X=1 -g 4 c1 id
    got | jq -e '.user == {uid: 3, gid: 5, additionalGids: [4]} and .env == ["X=1"]'
}

@test "every Go bool spelling of --tty and --no-new-privs, and the bare flags" {
    fake_state c1
    config_jq '.process.terminal = true | .process.noNewPrivileges = true'
    for v in 1 t T TRUE true True 0 f F FALSE false False; do
        case $v in 1 | t | T | TRUE | true | True) b=true ;; *) b=false ;; esac
        rm -f "$FAKE_RUNTIME_OUT/process"
        run hd_exec --tty="$v" --no-new-privs="$v" c1 id
        [ "$status" -eq 0 ] || { echo "$v: $output"; false; }
        got | jq -e --argjson b "$b" '.terminal == $b and .noNewPrivileges == $b' || { echo "$v: $(got)"; false; }
        run hd_exec -t="$v" c1 id
        got | jq -e --argjson b "$b" '.terminal == $b and .noNewPrivileges == true'
    done
    run hd_exec -t --no-new-privs c1 id
    got | jq -e '.terminal == true and .noNewPrivileges == true'
    # absent: terminal false whatever the config says, noNewPrivileges the config's
    config_jq '.process.noNewPrivileges = false'
    run hd_exec c1 id
    got | jq -e '.terminal == false and .noNewPrivileges == false'
    # not a ParseBool spelling: runc refuses the command line, so does the shim
    for v in yes on 2 tRUE; do
        rm -f "$FAKE_RUNTIME_OUT/argv"
        run hd_exec --no-new-privs="$v" c1 id
        [ "$status" -eq 2 ] || { echo "$v accepted"; false; }
        backend_not_ran
    done
}

@test "-u 0, -u 0:0, --user=1000:0, -g 0 and --cap CAP_SYS_ADMIN: what the policy makes of the document" {
    fake_state c1
    config_jq '.process.user = {uid: 1000, gid: 1000} | .process.noNewPrivileges = true
               | .process.capabilities |= map_values(["CAP_NET_BIND_SERVICE"])'
    run hd_exec -u 0 -u 0:0 --user=1000:0 -g 0 --cap CAP_SYS_ADMIN c1 id
    [ "$status" -eq 2 ]       # -u and --user together: two forms of one flag
    # without the flags the restricted policy lets this process through
    POLICY=$RESTRICTED run hd_exec c1 id
    [ "$status" -eq 0 ]
    for args in "-u 0" "-u 0:0" "--user=1000:0" "-g 0" "--cap CAP_SYS_ADMIN"; do
        # shellcheck disable=SC2086
        POLICY=$DEFAULT run hd_exec $args c1 id
        [ "$status" -eq 0 ] || { echo "$args: $output"; false; }
        got | jq -e '.user.uid != 0 and .user.gid != 0 and ((.user.additionalGids // []) | index(0) == null)
            and ([.capabilities[][]] | unique) == ["CAP_NET_BIND_SERVICE"] and (.capabilities.ambient // []) == []' ||
            { echo "$args: $(got)"; false; }
        rm -f "$FAKE_RUNTIME_OUT/argv"
        # shellcheck disable=SC2086
        POLICY=$RESTRICTED run hd_exec $args c1 id
        [ "$status" -eq 1 ] || { echo "$args passed under reject"; false; }
        backend_not_ran
    done
    [[ "$(last_error)" == *"exec c1: process from $T/bundle/config.json and the exec flags: refused by policy $RESTRICTED: capabilities.allowList: "* ]]
    # audit mode: the document runc gets is the one built, and the log warns
    jq '.mode = "audit"' "$RESTRICTED" > "$T/audit.json"
    POLICY=$T/audit.json run hd_exec -u 0:0 c1 id
    [ "$status" -eq 0 ]
    got | jq -e '.user == {uid: 0, gid: 0}'
    jq -r 'select(.level == "warning") | .msg' "$LOG" | grep -q 'user.nonRoot'
}

@test "capabilities.ambient and exec's --cap spellings: only the exact name of the grant, in the process's bounding, reaches inheritable and ambient" {
    fake_state c1
    jq '.rules.capabilities.ambient = ["CAP_NET_BIND_SERVICE"]' "$DEFAULT" > "$T/grant.json"
    config_jq '.process.user = {uid: 1000, gid: 1000} | .process.noNewPrivileges = true
               | .process.capabilities = {bounding: ["CAP_CHOWN"], effective: ["CAP_CHOWN"], permitted: ["CAP_CHOWN"]}'
    # runc 1.1.5 appends each --cap/-c value as given to bounding, effective, permitted and ambient (exec.go:224-230)
    for args in "--cap cap_net_bind_service" "--cap=NET_BIND_SERVICE" "-c 10" "-c=CAP_SYS_ADMIN"; do
        # shellcheck disable=SC2086
        POLICY=$T/grant.json run hd_exec $args c1 id
        [ "$status" -eq 0 ] || { echo "$args: $output"; false; }
        got | jq -e '.capabilities == {bounding: [], effective: [], permitted: [], ambient: []}' || { echo "$args: $(got)"; false; }
    done
    # the exact name: --cap puts it in this process's bounding, the set the grant is judged by, so granted
    POLICY=$T/grant.json run hd_exec --cap CAP_NET_BIND_SERVICE --cap CAP_NET_BIND_SERVICE c1 id
    [ "$status" -eq 0 ]
    got | jq -e '.capabilities | .inheritable == ["CAP_NET_BIND_SERVICE"] and .ambient == ["CAP_NET_BIND_SERVICE", "CAP_NET_BIND_SERVICE"]
        and .bounding == ["CAP_NET_BIND_SERVICE", "CAP_NET_BIND_SERVICE"]' || { got; false; }
}

@test "the first bundle= label wins: an annotation named bundle comes before runc's own label" {
    mkdir -p "$T/other"
    jq '.process.user = {uid: 0, gid: 0} | .process.args = ["other"]' "$T/bundle/config.json" > "$T/other/config.json"
    fake_state c1 "bundle=$T/other"
    run hd_exec c1 id
    [ "$(got)" = "$(want '.args = ["id"] | .terminal = false' "$T/other/config.json")" ]
    POLICY=$RESTRICTED run hd_exec -u 1000:1000 c1 id
    [ "$status" -eq 1 ]
    [[ "$(last_error)" == *"process from $T/other/config.json and the exec flags: refused"* ]]
    # labels that only look like it are not it (runc's SearchLabels: KEY=VALUE, exact KEY)
    fake_state c2 "bundlex=$T/other" "bundle" "Bundle=$T/other"
    run hd_exec c2 id
    [ "$(got)" = "$(want '.args = ["id"] | .terminal = false')" ]
}

@test "what runc would refuse is refused, what runc refuses on argv alone is left to runc" {
    fake_state c1
    # no command: runc says "process args cannot be empty" before it reads anything
    run hd_exec -u 0 c1
    [ "$status" -eq 0 ]
    [ "$(backend_args)" = "--log $LOG --log-format json --root $T/state exec -u 0 c1" ]
    # no such container: runc says so; it gets --process=/dev/null all the same
    run hd_exec -u 0 --detach nosuch id
    [ "$status" -eq 0 ]
    [ "$(backend_args)" = "--log $LOG --log-format json --root $T/state exec --detach --process=/dev/null nosuch id" ]
    run hd_exec -p= nosuch id
    [ "$(backend_args)" = "--log $LOG --log-format json --root $T/state exec --process=/dev/null nosuch id" ]
    # the template fails runc's validateProcessSpec: no flag mends it
    for edit in '.process.cwd = "tmp"' '.process.cwd = ""' '.process.args = []' '.process = null' 'del(.process)'; do
        fake_setup_config "$edit"
        rm -f "$FAKE_RUNTIME_OUT/argv"
        run hd_exec --cwd /tmp c1 id
        [ "$status" -eq 1 ] || { echo "$edit passed"; false; }
        backend_not_ran
    done
    [[ "$(last_error)" == *"exec failed: process property must not be empty"* ]]
    # --cap with no capabilities object: runc 1.1.5 panics on it
    fake_setup_config 'del(.process.capabilities)'
    run hd_exec --cap CAP_KILL c1 id
    [ "$status" -eq 1 ]
    [[ "$(last_error)" == *"--cap with no process.capabilities"* ]]
    # a config.json that is a symbolic link, or missing, or not strict JSON
    fake_setup_config '.'
    mv "$T/bundle/config.json" "$T/real.json" && ln -s "$T/real.json" "$T/bundle/config.json"
    run hd_exec c1 id
    [ "$status" -eq 1 ]
    [[ "$(last_error)" == *"bundle $T/bundle: config.json: is a symbolic link (refused)"* ]]
    rm "$T/bundle/config.json"
    run hd_exec c1 id
    [ "$status" -eq 1 ]
    printf '{"process": {"cwd": "/", "args": ["a"]}, "process": {"cwd": "/", "args": ["b"]}}' > "$T/bundle/config.json"
    run hd_exec c1 id
    [ "$status" -eq 1 ]
    [[ "$(last_error)" == *"config.json:"*"duplicate"* ]]
}

# fake_setup_config JQ-FILTER: the bundle's config back to Docker's, edited.
fake_setup_config() {
    rm -f "$T/bundle/config.json"
    jq -c "del(.hooks) | $1" "$FIXTURES/run-default.json" > "$T/bundle/config.json"
}

# ---- real runc ------------------------------------------------------------------

# The status lines that show who the exec'd process is.
WHO='id -u; grep -E "^(CapEff|CapBnd|NoNewPrivs)" /proc/self/status'

# A container run through hardened under the default policy, then its
# config.json edited to root, more capabilities and no no_new_privs.
edited_container() {
    rt_require_runc
    rt_root
    ID=$(rt_id c)
    rt_make_bundle "$RT_TMP/b" sleep 300
    RT_POLICY=$DEFAULT rt_start_container hardened "$ID" "$RT_TMP/b"
    jq '.process.user = {uid: 0, gid: 0} | .process.noNewPrivileges = false
        | .process.capabilities |= map_values(["CAP_NET_BIND_SERVICE", "CAP_SYS_ADMIN", "CAP_DAC_OVERRIDE", "CAP_SETUID"])
        | .process.capabilities.ambient = []' "$RT_TMP/b/config.json" > "$RT_TMP/c.json"
    mv "$RT_TMP/c.json" "$RT_TMP/b/config.json"
}

# rt_exec runc|hardened [POLICY] ARG...: exec into $ID, output in $output.
rt_exec() {
    local rt=$1
    shift
    if [ "$rt" = runc ]; then
        run --separate-stderr "$RT_RUNC" --root "$RT_ROOT" exec "$@" </dev/null 3>&-
    else
        local policy=$1
        shift
        rm -f "$LOG"
        run --separate-stderr "$HARDENED" --policy "$policy" --root "$RT_ROOT" --log "$LOG" --log-format json \
            exec "$@" </dev/null 3>&-
    fi
}

@test "runc: config.json edited after run: plain runc exec is root with CAP_SYS_ADMIN; hardened exec is what the policy allows" {
    edited_container
    cp "$RT_TMP/b/config.json" "$RT_TMP/edited.json"
    rt_exec runc "$ID" sh -c "$WHO"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 0 ]
    [ "${lines[1]}" = $'CapEff:\t0000000000200482' ]
    [ "${lines[3]}" = $'NoNewPrivs:\t0' ]
    rt_exec hardened "$DEFAULT" "$ID" sh -c "$WHO"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 65534 ]
    [ "${lines[1]}" = $'CapEff:\t0000000000000000' ]
    [ "${lines[2]}" = $'CapBnd:\t0000000000000400' ]
    [ "${lines[3]}" = $'NoNewPrivs:\t1' ]
    # the flags ask for root too: still the policy's
    rt_exec hardened "$DEFAULT" -u 0:0 --cap CAP_SYS_ADMIN --no-new-privs=false "$ID" sh -c "$WHO"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 65534 ]
    [ "${lines[2]}" = $'CapBnd:\t0000000000000400' ]
    [ "${lines[3]}" = $'NoNewPrivs:\t1' ]
    rt_exec hardened "$RESTRICTED" "$ID" id -u
    [ "$status" -eq 1 ]
    [ -z "$output" ]
    [[ "$(last_error)" == *"process from $RT_TMP/b/config.json and the exec flags: refused by policy $RESTRICTED: capabilities.allowList: "*"; user.nonRoot: "* ]]
    # runc read the checked copy: the bundle's file is as the edit left it
    cmp "$RT_TMP/b/config.json" "$RT_TMP/edited.json"
}

@test "runc: capabilities.ambient reaches exec: the non-root process gets the granted CAP_NET_BIND_SERVICE effective and ambient, whatever --cap adds" {
    edited_container
    jq '.rules.capabilities.ambient = ["CAP_NET_BIND_SERVICE"]' "$DEFAULT" > "$RT_TMP/grant.json"
    for args in "" "--cap CAP_SYS_ADMIN" "--cap CAP_NET_BIND_SERVICE"; do
        # shellcheck disable=SC2086
        rt_exec hardened "$RT_TMP/grant.json" $args "$ID" sh -c "$WHO; grep CapAmb /proc/self/status"
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = 65534 ]
        [ "${lines[1]}" = $'CapEff:\t0000000000000400' ]
        [ "${lines[2]}" = $'CapBnd:\t0000000000000400' ]
        [ "${lines[3]}" = $'NoNewPrivs:\t1' ]
        [ "${lines[4]}" = $'CapAmb:\t0000000000000400' ]
    done
    # the shipped policy, no grant: nothing effective
    rt_exec hardened "$DEFAULT" --cap CAP_NET_BIND_SERVICE "$ID" sh -c "$WHO; grep CapAmb /proc/self/status"
    [ "${lines[1]}" = $'CapEff:\t0000000000000000' ]
    [ "${lines[4]}" = $'CapAmb:\t0000000000000000' ]
}

# caps_line: CapInh, CapEff, CapBnd and CapAmb from the lines of $output.
caps_line() {
    printf '%s\n' "${lines[@]}" | awk -F'\t' '{ v[$1] = $2 } END { print v["CapInh:"], v["CapEff:"], v["CapBnd:"], v["CapAmb:"] }'
}

@test "runc: capabilities.ambient on exec --process: missing sets get the grant; a grant not in the process's bounding never reaches it, even with runc's caller holding it inheritable; no capabilities at all keep the container's" {
    edited_container
    jq '.rules.capabilities.ambient = ["CAP_NET_BIND_SERVICE"]' "$DEFAULT" > "$RT_TMP/grant.json"
    # a capabilities object with bounding only: the grant raised into permitted, inheritable, ambient
    jq -n '{args: ["sh", "-c", "id -u; grep -E \"^(CapEff|CapBnd|NoNewPrivs|CapAmb|CapInh)\" /proc/self/status"], cwd: "/", env: ["PATH=/bin"],
        user: {uid: 0, gid: 0}, capabilities: {bounding: ["CAP_NET_BIND_SERVICE"]}}' > "$RT_TMP/p1.json"
    rt_exec hardened "$RT_TMP/grant.json" --process "$RT_TMP/p1.json" "$ID"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 65534 ]
    [ "$(caps_line)" = "0000000000000400 0000000000000400 0000000000000400 0000000000000400" ]
    # bounding without it, the others with it, runc started with it inheritable:
    # plain runc gives it ambient and effective with an empty bounding set, hardened does not
    jq '.capabilities = {bounding: [], permitted: ["CAP_NET_BIND_SERVICE"], inheritable: ["CAP_NET_BIND_SERVICE"], ambient: ["CAP_NET_BIND_SERVICE"]}
        | .user = {uid: 65534, gid: 65534} | .noNewPrivileges = true' "$RT_TMP/p1.json" > "$RT_TMP/p2.json"
    run --separate-stderr setpriv --inh-caps +net_bind_service "$RT_RUNC" --root "$RT_ROOT" exec --process "$RT_TMP/p2.json" "$ID" </dev/null 3>&-
    [ "$status" -eq 0 ]
    [ "$(caps_line)" = "0000000000000400 0000000000000400 0000000000000000 0000000000000400" ]
    rm -f "$LOG"
    run --separate-stderr setpriv --inh-caps +net_bind_service "$HARDENED" --policy "$RT_TMP/grant.json" --root "$RT_ROOT" \
        --log "$LOG" --log-format json exec --process "$RT_TMP/p2.json" "$ID" </dev/null 3>&-
    [ "$status" -eq 0 ]
    [ "$(caps_line)" = "0000000000000000 0000000000000000 0000000000000000 0000000000000000" ]
    # no capabilities object: runc takes the container's (judged at run, without a grant)
    jq 'del(.capabilities)' "$RT_TMP/p1.json" > "$RT_TMP/p3.json"
    rt_exec hardened "$RT_TMP/grant.json" --process "$RT_TMP/p3.json" "$ID"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 65534 ]
    [ "$(caps_line)" = "0000000000000000 0000000000000000 0000000000000400 0000000000000000" ]
}

@test "runc: under a policy with every rule off, hardened exec gives what runc gives (flags, tty and no_new_privs spellings)" {
    edited_container
    for args in "" "-u 1000:1000" "--no-new-privs=F" "--no-new-privs=True" "-u 1000 -g 1001 --cwd /tmp -e X=1"; do
        # shellcheck disable=SC2086
        rt_exec runc $args "$ID" sh -c "$WHO; pwd; id -G; echo \$X"
        plain=$output
        # shellcheck disable=SC2086
        rt_exec hardened "$FIXTURES/policy-off.json" $args "$ID" sh -c "$WHO; pwd; id -G; echo \$X"
        [ "$status" -eq 0 ]
        [ "$output" = "$plain" ] || { echo "$args: runc gave '$plain', hardened '$output'"; false; }
    done
}

@test "runc: an annotation named bundle: runc execs the process of that directory's config.json, hardened judges that one" {
    rt_require_runc
    rt_root
    ID=$(rt_id a)
    rt_make_bundle "$RT_TMP/b" sleep 300
    mkdir -p "$RT_TMP/elsewhere"
    jq '.process.user = {uid: 0, gid: 0} | .process.noNewPrivileges = false' "$RT_TMP/b/config.json" > "$RT_TMP/elsewhere/config.json"
    # the container's own config is harmless, and carries the annotation
    # (created with plain runc: the annotations rule would refuse it)
    jq --arg e "$RT_TMP/elsewhere" '.process.user = {uid: 1000, gid: 1000} | .process.noNewPrivileges = true
        | .annotations = {bundle: $e}' "$RT_TMP/b/config.json" > "$RT_TMP/c.json"
    mv "$RT_TMP/c.json" "$RT_TMP/b/config.json"
    rt_start_container runc "$ID" "$RT_TMP/b"
    rt_exec runc "$ID" sh -c "$WHO"
    [ "${lines[0]}" = 0 ]
    [ "${lines[3]}" = $'NoNewPrivs:\t0' ]
    rt_exec hardened "$DEFAULT" "$ID" sh -c "$WHO"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 65534 ]
    [ "${lines[3]}" = $'NoNewPrivs:\t1' ]
    rt_exec hardened "$RESTRICTED" "$ID" id -u
    [ "$status" -eq 1 ]
    [[ "$(last_error)" == *"process from $RT_TMP/elsewhere/config.json and the exec flags: refused"* ]]
}

@test "runc: runc's own errors stay runc's: no such container, no command" {
    rt_require_runc
    rt_root
    for args in "nosuch id" "nosuch"; do
        # shellcheck disable=SC2086
        run --separate-stderr "$RT_RUNC" --root "$RT_ROOT" exec $args </dev/null
        want_status=$status want_err=$stderr
        # shellcheck disable=SC2086
        run --separate-stderr "$HARDENED" --policy "$DEFAULT" --root "$RT_ROOT" exec $args </dev/null
        [ "$status" -eq "$want_status" ]
        [ "${stderr#*level=error msg=}" = "${want_err#*level=error msg=}" ]
    done
    [[ "$stderr" == *'container does not exist'* ]]
}
