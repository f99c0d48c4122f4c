#!/usr/bin/env bats
# document.*: JSON that runc's Go decoder reads with one meaning but that
# is not canonical, seen with real runc.  A config whose "User" (or whose
# second "user") asks for root runs as root under plain runc, which proves
# the container shows the difference; through the shim it is refused by
# default, and under rewrite the container runs as the canonical tree says
# (which the rules judged), as `id` inside shows.

bats_require_minimum_version 1.5.0
load helpers
load fake

OFF=$BATS_TEST_DIRNAME/../fixtures/policy-off.json

setup() { fake_setup; }
teardown() {
    if [ -n "${RT_ROOT:-}" ]; then rt_cleanup; fi
    fake_teardown
}

# doc_policy JQ: policy-off edited by JQ.
doc_policy() {
    jq "$1" "$OFF" > "$T/policy.json"
    echo "$T/policy.json"
}

# doc_bundle TEXT-FILTER: a busybox bundle running `id -u; id -g` as uid and
# gid 1000, then its config.json text rewritten by the sed expression (keys
# jq cannot write twice).
doc_bundle() {
    rt_edited_bundle '.process.user = {"uid": 1000, "gid": 1000} | .process.capabilities = {}' \
        sh -c 'id -u; id -g'
    jq -c . "$RT_TMP/b/config.json" | sed -e "$1" > "$RT_TMP/c.json"
    mv "$RT_TMP/c.json" "$RT_TMP/b/config.json"
    cp "$RT_TMP/b/config.json" "$RT_TMP/orig.json"
}


# A second spelling of user after the exact one: Go decodes both into the
# field, the later over the earlier, so runc runs as uid 0 (gid 1000 kept).
FOLDED='s/"user":{"uid":1000,"gid":1000}/&,"User":{"UID":0}/'
# The exact key given twice, the last asking for root (uid and gid).
DUPLICATE='s/"user":{"uid":1000,"gid":1000}/&,"user":{"uid":0,"gid":0}/'
# Every level folded, and no exact spelling at all.
ALL_FOLDED='s/"process":/"Process":/; s/"user":{"uid":1000,"gid":1000}/"User":{"UID":0,"GID":0}/'

@test "plain runc honours the folded and the repeated user key (the test can see the difference)" {
    doc_bundle "$FOLDED"
    rt_run_bundle runc
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 0 ] && [ "${lines[1]}" = 1000 ]
    doc_bundle "$DUPLICATE"
    rt_run_bundle runc
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 0 ] && [ "${lines[1]}" = 0 ]
    doc_bundle "$ALL_FOLDED"
    rt_run_bundle runc
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 0 ] && [ "${lines[1]}" = 0 ]
}

@test "reject (the default): a folded, a repeated, an all-folded user key are refused, the file untouched" {
    local spelling
    for spelling in "$FOLDED" "$DUPLICATE" "$ALL_FOLDED"; do
        doc_bundle "$spelling"
        rt_run_bundle hardened "$OFF"
        [ "$status" -eq 1 ]
        [ -z "$output" ]
        [[ "$(last_error)" == *"refused by policy"*"document."* ]]
        cmp "$RT_TMP/b/config.json" "$RT_TMP/orig.json"
    done
    [[ "$(last_error)" == *'document.foldedKey: 1:'*'/Process: key "Process" is read by runc'* ]]
}

@test "rewrite: the container runs as the canonical tree says, and user.nonRoot judges that tree" {
    doc_bundle "$FOLDED"
    rt_run_bundle hardened "$(doc_policy '.document = {"foldedKeys": "rewrite", "duplicateKeys": "rewrite"}')"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 0 ] && [ "${lines[1]}" = 1000 ]       # what runc would have run, now written out
    jq -e '.process.user == {"uid": 0, "gid": 1000} and (.process | has("User") | not)' "$RT_TMP/b/config.json"
    jq -r .msg "$LOG" | grep -q 'document.foldedKey rewritten at /process/User'
    doc_bundle "$FOLDED"
    rt_run_bundle hardened "$(doc_policy '.document = {"foldedKeys": "rewrite", "duplicateKeys": "rewrite"}
                                     | .rules.user = {"action": "rewrite", "uid": 4242, "gid": 4242}')"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 4242 ] && [ "${lines[1]}" = 1000 ]     # the uid 0 behind "User" was seen and fixed
    doc_bundle "$ALL_FOLDED"
    rt_run_bundle hardened "$(doc_policy '.document.foldedKeys = "rewrite" | .rules.user = {"action": "reject"}')"
    [ "$status" -eq 1 ]
    [[ "$(last_error)" == *"user.nonRoot: the container would run as root"* ]]
}

@test "rewrite: a repeated user key keeps the last copy, as runc would, and the user rule sees it" {
    doc_bundle "$DUPLICATE"
    rt_run_bundle hardened "$(doc_policy '.document.duplicateKeys = "rewrite" | .rules.user = {"action": "reject"}')"
    [ "$status" -eq 1 ]
    [[ "$(last_error)" == *"user.nonRoot: the container would run as root"* ]]
    rt_run_bundle hardened "$(doc_policy '.document.duplicateKeys = "rewrite"')"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 0 ] && [ "${lines[1]}" = 0 ]
    [ "$(jq -c .process.user "$RT_TMP/b/config.json")" = '{"uid":0,"gid":0}' ]
}

@test "audit mode: runs as plain runc would, warns, prints nothing extra" {
    doc_bundle "$FOLDED"
    rt_run_bundle hardened "$(doc_policy '.mode = "audit" | .rules.user = {"action": "rewrite"}')"
    [ "$status" -eq 0 ]
    [ "${#lines[@]}" -eq 2 ] && [ "${lines[0]}" = 0 ] && [ "${lines[1]}" = 1000 ]
    [ -z "$stderr" ]
    jq -r 'select(.level == "warning") | .msg' "$LOG" | grep -q 'document.foldedKey warning at /process/User'
    jq -r 'select(.level == "warning") | .msg' "$LOG" | grep -q 'user.nonRoot warning'
}

@test "unknown fields: refused by default, passed to runc under allow and in audit mode" {
    doc_bundle 's/"hostname":/"x-extension":{"a":1},&/'
    rt_run_bundle hardened "$OFF"
    [ "$status" -eq 1 ]
    [[ "$(last_error)" == *'document.unknownField: 1:'*'/x-extension: unknown field "x-extension"'* ]]
    rt_run_bundle hardened "$(doc_policy '.document.unknownFields = "allow"')"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = 1000 ]
    jq -e '."x-extension" == {"a": 1}' "$RT_TMP/b/config.json"
    rt_run_bundle hardened "$(doc_policy '.mode = "audit"')"
    [ "$status" -eq 0 ]
    jq -r 'select(.level == "warning") | .msg' "$LOG" | grep -q 'document.unknownField warning'
}
