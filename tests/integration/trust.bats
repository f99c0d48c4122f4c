#!/usr/bin/env bats
# Nobody but root can change a file the shim checked before runc (or the
# shim) reads it (README "Threat model": files the shim trusts).
#
# - The bundle stays in place (runc reads config.json after the shim and
#   records the bundle path), so a bundle whose directory, config.json or
#   any directory above it someone else can write is refused.
# - exec --process / update --resources FILE: read once, and runc is handed
#   the checked bytes in a sealed memfd, so the file's modes stop mattering.
# - A policy, its policy.d overlays, what it extends and its seccomp profile
#   files must be root's alone; the installed policy that is missing loads
#   the built-in default, but one that is a dangling link, unreadable,
#   invalid or not root's alone fails closed.
# Fake backend where the shim's decision is the effect; real runc where a
# container shows it.

bats_require_minimum_version 1.5.0
load helpers
load fake

NOBODY=65534
DEFAULT=$BATS_TEST_DIRNAME/../../policy/profiles/default.json

setup() { fake_setup; }
teardown() {
    if [ -n "${RT_ROOT:-}" ]; then rt_cleanup; fi
    fake_teardown
}

refused_with() {
    [ "$status" -eq 1 ]
    backend_not_ran
    [[ "$(last_error)" == *"$1"* ]] || { echo "last error: $(last_error)" >&2; false; }
}

# ---- bundle ---------------------------------------------------------------------

@test "bundle: a directory or config.json someone else can write or owns is refused (StrictModes), the config untouched" {
    cp "$T/bundle/config.json" "$T/orig.json"
    # how | what the message names | the problem
    while IFS='|' read -r how name problem; do
        chmod 0755 "$T/bundle"; chmod 0644 "$T/bundle/config.json"; chown 0:0 "$T/bundle" "$T/bundle/config.json"
        rm -f "$LOG"
        eval "$how"
        run hd create --bundle "$T/bundle" c1
        refused_with "bundle $T/bundle: refused, someone other than root can change what runc reads: $name $problem"
        cmp "$T/bundle/config.json" "$T/orig.json"
    done <<DATA
chmod g+w "\$T/bundle"|$T/bundle|is writable by its group (mode 0775)
chmod o+w "\$T/bundle"|$T/bundle|is writable by others (mode 0757)
chmod 1777 "\$T/bundle"|$T/bundle|is writable by others (mode 1777)
chown $NOBODY "\$T/bundle"|$T/bundle|is owned by uid $NOBODY, not by root
chmod g+w "\$T/bundle/config.json"|config.json|is writable by its group (mode 0664)
chmod 0666 "\$T/bundle/config.json"|config.json|is writable by others (mode 0666)
chown $NOBODY "\$T/bundle/config.json"|config.json|is owned by uid $NOBODY, not by root
DATA
    chmod 0755 "$T/bundle"; chmod 0644 "$T/bundle/config.json"; chown 0:0 "$T/bundle" "$T/bundle/config.json"
    run hd create --bundle "$T/bundle" c1
    [ "$status" -eq 0 ]
    backend_ran
}

@test "bundle: under a world-writable ancestor refused unless it is sticky and root's (like /tmp); through someone else's symlink refused" {
    mkdir -p "$T/anc/deep"
    mv "$T/bundle" "$T/anc/deep/bundle"
    B=$T/anc/deep/bundle
    chmod 0777 "$T/anc"
    run hd create --bundle "$B" c1
    refused_with "bundle $B: refused, someone other than root can change what runc reads: $T/anc is writable by others (mode 0777)"
    chmod 0775 "$T/anc"
    run hd create --bundle "$B" c1
    refused_with "$T/anc is writable by its group (mode 0775)"
    chown $NOBODY "$T/anc"; chmod 0755 "$T/anc"
    run hd create --bundle "$B" c1
    refused_with "$T/anc is owned by uid $NOBODY, not by root"
    chown 0 "$T/anc"; chmod 1777 "$T/anc"            # /tmp's standard: others cannot rename what is root's
    run hd create --bundle "$B" c1
    [ "$status" -eq 0 ]
    backend_ran
    # the path as given goes through a symlink that uid 65534 owns (and may replace) in the sticky directory
    rm -rf "$FAKE_RUNTIME_OUT"; mkdir -p "$FAKE_RUNTIME_OUT"
    ln -s deep "$T/anc/link"; chown -h $NOBODY "$T/anc/link"
    run hd create --bundle "$T/anc/link/bundle" c1
    refused_with "$T/anc/link is owned by uid $NOBODY, not by root"
    # the bundle as the working directory (runc's default) is judged the same way
    chmod g+w "$B"
    run bash -c 'cd "$1" && shift && "$@"' _ "$B" "$HARDENED" --policy "$FIXTURES/policy-off.json" \
        --backend "$FAKE_RUNTIME" --log "$LOG" --log-format json create c1
    refused_with "is writable by its group (mode 0775)"
}

@test "runc: a group-writable bundle is refused and no container exists; the same bundle made root's alone runs" {
    rt_edited_bundle . sh -c 'echo ran'
    chmod g+w "$RT_TMP/b"
    run --separate-stderr "$HARDENED" --policy "$FIXTURES/policy-off.json" --root "$RT_ROOT" --log "$LOG" \
        --log-format json run --bundle "$RT_TMP/b" "$(rt_id c)" </dev/null 3>&-
    [ "$status" -eq 1 ]
    [[ "$stderr" == *"$RT_TMP/b is writable by its group (mode 0775)"* ]]
    [ -z "$("$RT_RUNC" --root "$RT_ROOT" list -q)" ]
    [ "$output" = "" ]
    chmod g-w "$RT_TMP/b"
    run --separate-stderr "$HARDENED" --policy "$FIXTURES/policy-off.json" --root "$RT_ROOT" --log "$LOG" \
        --log-format json run --bundle "$RT_TMP/b" "$(rt_id c)" </dev/null 3>&-
    [ "$status" -eq 0 ]
    [ "$output" = ran ]
}

# ---- process and resources files ------------------------------------------------

@test "exec --process FILE that others can write (Docker's /tmp/runc-process*, made group-writable): runc gets the checked bytes in a memfd, the file is never written" {
    mkdir -m 0777 "$T/shared"
    cp "$FIXTURES/exec-user0.json" "$T/shared/runc-process123"
    chmod 0666 "$T/shared/runc-process123"
    POLICY=$DEFAULT FAKE_RUNTIME_COPY=handed run hd exec --process "$T/shared/runc-process123" --detach c1
    [ "$status" -eq 0 ]
    [[ "$(tail -n +2 "$FAKE_RUNTIME_OUT/argv" | paste -sd' ')" == *" exec --process /proc/self/fd/"*" --detach c1" ]]
    [ "$(jq -c .user "$FAKE_RUNTIME_OUT/copied")" = '{"uid":65534,"gid":65534,"additionalGids":[]}' ]
    cmp "$T/shared/runc-process123" "$FIXTURES/exec-user0.json"
    # update --resources FILE the same way
    printf '{"pids":{"limit":-1}}' > "$T/shared/r.json"; chmod 0666 "$T/shared/r.json"
    fake_update_state c1
    POLICY=$DEFAULT run hd --root "$T/root" update --resources "$T/shared/r.json" c1
    [ "$status" -eq 0 ]
    [ "$(jq -c .pids "$FAKE_RUNTIME_OUT/resources")" = '{"limit":4096}' ]
    [ "$(cat "$T/shared/r.json")" = '{"pids":{"limit":-1}}' ]
}

@test "runc: exec --process with a group-writable root process file runs as the policy's uid; the file still says uid 0" {
    rt_edited_bundle . sleep 1000
    "$HARDENED" --policy "$FIXTURES/policy-off.json" --root "$RT_ROOT" run -d --bundle "$RT_TMP/b" "$(rt_id c)" </dev/null >/dev/null 2>&1 3>&-
    jq '.args = ["id", "-u"] | .terminal = false' "$FIXTURES/exec-user0.json" > "$RT_TMP/process.json"
    chmod 0664 "$RT_TMP/process.json"
    cp "$RT_TMP/process.json" "$RT_TMP/before.json"
    run --separate-stderr "$HARDENED" --policy "$DEFAULT" --root "$RT_ROOT" exec --process "$RT_TMP/process.json" "$(rt_id c)" </dev/null 3>&-
    [ "$status" -eq 0 ]
    [ "$output" = 65534 ]
    cmp "$RT_TMP/process.json" "$RT_TMP/before.json"
    # through runc directly the same file is root
    run "$RT_RUNC" --root "$RT_ROOT" exec --process "$RT_TMP/process.json" "$(rt_id c)" </dev/null 3>&-
    [ "$output" = 0 ]
}

# ---- named policy files ---------------------------------------------------------

# pol_setup: $T/pol/p.json (policy-off), extending $T/pol/base.json, with a
# policy.d overlay and a seccomp profile, all root's 0644 in 0755 directories.
pol_setup() {
    mkdir -p "$T/pol/policy.d" "$T/prof"
    jq '.rules.seccomp = {"action": "warn", "profile": "'"$T/prof/seccomp.json"'"}' "$FIXTURES/policy-off.json" > "$T/pol/base.json"
    echo '{"apiVersion": "hardened/v1", "extends": "base.json"}' > "$T/pol/p.json"
    echo '{"apiVersion": "hardened/v1", "mode": "enforce"}' > "$T/pol/policy.d/10-site.json"
    cp "$BATS_TEST_DIRNAME/../../policy/profiles/seccomp-default.json" "$T/prof/seccomp.json"
    chmod 0755 "$T/pol" "$T/pol/policy.d" "$T/prof"
    chmod 0644 "$T/pol/base.json" "$T/pol/p.json" "$T/pol/policy.d/10-site.json" "$T/prof/seccomp.json"
}

@test "named policy: the policy, policy.d, an overlay, an extends target, a seccomp profile and their directories must be root's alone" {
    pol_setup
    POLICY=$T/pol/p.json run hd create --bundle "$T/bundle" c1
    [ "$status" -eq 0 ]
    backend_ran
    # how | undo | what the message says
    while IFS='|' read -r how undo msg; do
        rm -rf "$FAKE_RUNTIME_OUT" "$LOG"; mkdir -p "$FAKE_RUNTIME_OUT"
        eval "$how"
        POLICY=$T/pol/p.json run hd create --bundle "$T/bundle" c1
        refused_with "refusing create: cannot use the policy: "
        refused_with "$msg"
        run "$HARDENED" policy lint "$T/pol/p.json"
        [ "$status" -ne 0 ]
        [[ "$output" == *"$msg"* ]]
        eval "$undo"
    done <<DATA
chmod g+w "\$T/pol/p.json"|chmod g-w "\$T/pol/p.json"|policy $T/pol/p.json: refused, someone other than root can change it: $T/pol/p.json is writable by its group (mode 0664)
chown $NOBODY "\$T/pol/p.json"|chown 0 "\$T/pol/p.json"|policy $T/pol/p.json: refused, someone other than root can change it: $T/pol/p.json is owned by uid $NOBODY, not by root
chmod o+w "\$T/pol"|chmod o-w "\$T/pol"|policy $T/pol/p.json: refused, someone other than root can change it: $T/pol is writable by others (mode 0757)
chown $NOBODY "\$T/pol/base.json"|chown 0 "\$T/pol/base.json"|policy $T/pol/base.json: refused, someone other than root can change it: $T/pol/base.json is owned by uid $NOBODY, not by root
chmod g+w "\$T/pol/policy.d"|chmod g-w "\$T/pol/policy.d"|policy overlays $T/pol/policy.d: refused, someone other than root can change them: $T/pol/policy.d is writable by its group (mode 0775)
chmod g+w "\$T/pol/policy.d/10-site.json"|chmod g-w "\$T/pol/policy.d/10-site.json"|policy $T/pol/policy.d/10-site.json: refused, someone other than root can change it: $T/pol/policy.d/10-site.json is writable by its group (mode 0664)
chown $NOBODY "\$T/prof/seccomp.json"|chown 0 "\$T/prof/seccomp.json"|/rules/seccomp/profile: seccomp profile $T/prof/seccomp.json: refused, someone other than root can change it: $T/prof/seccomp.json is owned by uid $NOBODY, not by root
chmod g+w "\$T/prof"|chmod g-w "\$T/prof"|seccomp profile $T/prof/seccomp.json: refused, someone other than root can change it: $T/prof is writable by its group (mode 0775)
DATA
}

@test "named policy: an empty group-writable policy.d is refused too (anyone in the group could add to the policy later)" {
    pol_setup
    rm "$T/pol/policy.d/10-site.json"
    chmod 0775 "$T/pol/policy.d"
    POLICY=$T/pol/p.json run hd create --bundle "$T/bundle" c1
    refused_with "policy overlays $T/pol/policy.d: refused, someone other than root can change them: $T/pol/policy.d is writable by its group (mode 0775)"
}

@test "pass-through verbs take no runtime from a policy someone else can write" {
    jq --arg rt "$FAKE_RUNTIME" '.runtime = $rt' "$FIXTURES/policy-off.json" > "$T/p.json"
    "$HARDENED" --policy "$T/p.json" state c1 >/dev/null 2>&1
    backend_ran
    rm -rf "$FAKE_RUNTIME_OUT"; mkdir -p "$FAKE_RUNTIME_OUT"
    chmod g+w "$T/p.json"
    run "$HARDENED" --policy "$T/p.json" --root "$T/none" state c1
    backend_not_ran
}

# ---- the installed policy -------------------------------------------------------

# inst SETUP: run `create` with no --policy in a private mount namespace
# whose installed-policy directory is a fresh tmpfs that SETUP (a shell
# snippet, $P is the installed path) fills; nothing outside changes.
inst() {
    P=$("$HARDENED" policy help | sed -n 's/.*installed policy: \(.*\)$/\1/p')
    [ -n "$P" ]
    top=$(dirname "$(dirname "$P")")
    [ -d "$top" ] || skip "$top does not exist to mount over"
    run unshare -m --propagation private bash -ec '
        mount -t tmpfs -o mode=0755 hd-trust "$1"
        mkdir -p "$(dirname "$2")"
        P=$2; T=$3; FIXTURES=$4
        eval "$5"
        exec "$6" --backend "$7" --log "$8" --log-format json create --bundle "$3/bundle" c1' \
        _ "$top" "$P" "$T" "$FIXTURES" "$1" "$HARDENED" "$FAKE_RUNTIME" "$LOG"
}

@test "installed policy: one that is root's alone and valid applies" {
    [ "$(id -u)" -eq 0 ] || { [ "${CI:-}" != true ] || false; skip "needs root"; }
    inst 'cp "$FIXTURES/policy-off.json" "$P"'
    [ "$status" -eq 0 ]
    backend_ran
    [ "$(jq -r .process.user.uid "$T/bundle/config.json")" = 0 ]     # policy-off: not rewritten to 65534
}

@test "installed policy: dangling, group-writable, not root's, invalid, unreadable or with a loose policy.d fails closed (no fallback to the built-in default)" {
    [ "$(id -u)" -eq 0 ] || { [ "${CI:-}" != true ] || false; skip "needs root"; }
    # setup | what the message says (@P@ is the installed path, @D@ its directory)
    while IFS='|' read -r setup msg; do
        rm -rf "$FAKE_RUNTIME_OUT" "$LOG"; mkdir -p "$FAKE_RUNTIME_OUT"
        inst "$setup"
        msg=${msg//@P@/$P}
        refused_with "refusing create: cannot use the policy: ${msg//@D@/$(dirname "$P")}"
    done <<'DATA'
ln -s /nonexistent/policy.json "$P"|policy @P@: a symbolic link to nothing (No such file or directory); point it at the policy or remove it
cp "$FIXTURES/policy-off.json" "$P"; chmod g+w "$P"|policy @P@: refused, someone other than root can change it: @P@ is writable by its group (mode 0664)
cp "$FIXTURES/policy-off.json" "$P"; chown 65534 "$P"|policy @P@: refused, someone other than root can change it: @P@ is owned by uid 65534, not by root
cp "$FIXTURES/policy-off.json" "$P"; chmod g+w "$(dirname "$P")"|policy @P@: refused, someone other than root can change it: @D@ is writable by its group (mode 0775)
echo '{"apiVersion": "hardened/v1", "rules": {' > "$P"|@P@:1:2: /rules: invalid JSON
mkdir "$P"|policy @P@: not a regular file
cp "$FIXTURES/policy-off.json" "$P"; mkdir -m 0777 "$(dirname "$P")/policy.d"|policy overlays @D@/policy.d: refused, someone other than root can change them: @D@/policy.d is writable by others (mode 0777)
DATA
}
