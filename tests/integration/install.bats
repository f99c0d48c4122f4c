#!/usr/bin/env bats
# hardened install|uninstall docker|containerd|podman: every file under a
# private --root or --config (never /etc or SYSCONFDIR).  containerd's own
# `config dump` and `podman info` read what was written.

bats_require_minimum_version 1.5.0

TOP=$BATS_TEST_DIRNAME/../..
CRI='plugins."io.containerd.grpc.v1.cri".containerd'

setup() {
    T=$(mktemp -d /tmp/hd-install.XXXXXX)
    R=$T/root
    mkdir -p "$R"
    HD=$(readlink -f "$HARDENED")
    POLICY_PATH=$("$HARDENED" policy help | sed -n 's/.*default: the installed policy: //p')
}
teardown() { rm -rf "$T"; }

# the tree under $R, file by file with contents: what "nothing changed" compares
snapshot() { (cd "$R" && find . -type f | sort | while read -r f; do echo "== $f"; cat "$f"; done); }

dump() { containerd --config "$1" config dump; }

# Podman reading only this file, with private storage and no side effects
pm_runtime() {
    mkdir -p "$T/pm/root" "$T/pm/runroot" "$T/pm/tmp"
    CONTAINERS_CONF=$1 TMPDIR=$T/pm/tmp podman --root "$T/pm/root" --runroot "$T/pm/runroot" --tmpdir "$T/pm/tmp" \
        --storage-driver vfs --cgroup-manager cgroupfs --events-backend file \
        info --format '{{.Host.OCIRuntime.Name}} {{.Host.OCIRuntime.Path}}'
}

require() {
    command -v "$1" >/dev/null && return 0
    [ "${CI:-}" != true ] || { echo "CI=true: $1 missing" >&2; return 1; }
    skip "$1 missing"
}

# ---- containerd ---------------------------------------------------------------

@test "containerd, no config yet: a version 2 file with the handler; containerd's config dump shows it" {
    require containerd
    run "$HARDENED" install containerd --root "$R"
    [ "$status" -eq 0 ]
    f=$R/etc/containerd/config.toml
    [ "${lines[0]}" = "$f: created:" ]
    [ "${lines[1]}" = "  + [$CRI.runtimes.hardened] runtime_type = \"io.containerd.runc.v2\"" ]
    [ "${lines[2]}" = "  + [$CRI.runtimes.hardened.options] BinaryName = \"$HD\"" ]
    [ "${lines[3]}" = "  checked: /usr/bin/containerd --config FILE config dump reads it and shows the handler" ]
    [[ "${lines[4]}" == "to apply: containerd reads its configuration only when it starts: systemctl restart containerd"* ]]
    [ ! -e "$f.hardened-backup" ]
    [ "$(stat -c %a "$f")" = 644 ]
    run dump "$f"
    [ "$status" -eq 0 ]
    grep -A12 "^ *\[$CRI.runtimes.hardened\]" <<<"$output" | grep -q 'runtime_type = "io.containerd.runc.v2"'
    grep -A1 "^ *\[$CRI.runtimes.hardened.options\]" <<<"$output" | grep -q "BinaryName = \"$HD\""
    # containerd's defaults still apply: plain runc stays the default handler
    grep -q 'default_runtime_name = "runc"' <<<"$output"
    # idempotent
    before=$(snapshot)
    run "$HARDENED" install containerd --root "$R"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "$f: unchanged (already set up)" ]
    [ "${#lines[@]}" -eq 1 ]
    [ "$(snapshot)" = "$before" ]
    # uninstall removes the file it created, then has nothing to do
    run "$HARDENED" uninstall containerd --root "$R"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "$f: removed (hardened install created it):" ]
    [ ! -e "$f" ]
    run "$HARDENED" uninstall containerd --root "$R"
    [ "$status" -eq 0 ]
    [ "$output" = "$f: unchanged (nothing of hardened's in it)" ]
}

@test "containerd, the stock config: only the handler, the default and runc's BinaryName change; uninstall restores it byte for byte" {
    require containerd
    mkdir -p "$R/etc/containerd"
    f=$R/etc/containerd/config.toml
    { echo "# the node's own comment"; containerd config default; } > "$f"
    chmod 600 "$f"
    cp "$f" "$T/orig"
    run "$HARDENED" install containerd --root "$R" --default --as-runc
    [ "$status" -eq 0 ]
    [ "${lines[3]}" = "  ~ [$CRI] default_runtime_name = \"hardened\" (was \"runc\")" ]
    [ "${lines[4]}" = "  ~ [$CRI.runtimes.runc.options] BinaryName = \"$HD\" (was \"\")" ]
    [ "${lines[5]}" = "  backup: $f.hardened-backup" ]
    cmp "$f.hardened-backup" "$T/orig"
    [ "$(stat -c %a "$f")" = 600 ]
    # every line but the three edited is kept, comments included; the handler is added
    diff "$T/orig" "$f" | grep '^[<>]' > "$T/diff" || true
    [ "$(grep -c '^<' "$T/diff")" -eq 2 ]
    grep -q '^< *default_runtime_name = "runc"' "$T/diff"
    grep -q '^< *BinaryName = ""' "$T/diff"
    head -1 "$f" | grep -q "^# the node's own comment"
    run dump "$f"
    [ "$status" -eq 0 ]
    grep -q 'default_runtime_name = "hardened"' <<<"$output"
    grep -A1 "\[$CRI.runtimes.runc.options\]" <<<"$output" | grep -q "BinaryName = \"$HD\""
    grep -A1 "\[$CRI.runtimes.hardened.options\]" <<<"$output" | grep -q "BinaryName = \"$HD\""
    run "$HARDENED" uninstall containerd --root "$R"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "$f: restored from config.toml.hardened-backup (nothing else changed since install):" ]
    cmp "$f" "$T/orig"
    [ ! -e "$f.hardened-backup" ]
}

@test "containerd: edited since install, uninstall removes hardened's entries only and puts the old default back" {
    require containerd
    f=$T/config.toml
    printf 'version = 2\n\n[plugins."io.containerd.grpc.v1.cri".containerd]\n  default_runtime_name = "runc"\n  snapshotter = "overlayfs"\n\n[debug]\n  level = "info"\n' > "$f"
    cp "$f" "$T/orig"
    "$HARDENED" install containerd --config "$f" --default >/dev/null
    sed -i 's/level = "info"/level = "debug"/' "$f"
    run "$HARDENED" uninstall containerd --config "$f"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "$f: changed:" ]
    [[ "$output" == *"  ~ [$CRI] default_runtime_name = \"runc\" (was \"hardened\")"* ]]
    [[ "$output" == *"  backup: $f.hardened-backup kept (the file before hardened was first installed)"* ]]
    diff <(sed 's/level = "info"/level = "debug"/' "$T/orig") "$f"
    dump "$f" >/dev/null
}

@test "containerd: --dry-run prints the change and writes nothing" {
    mkdir -p "$R/etc/containerd"
    printf 'version = 2\n' > "$R/etc/containerd/config.toml"
    before=$(snapshot)
    run "$HARDENED" install containerd --root "$R" --default --dry-run
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "$R/etc/containerd/config.toml: would be changed:" ]
    [ "${lines[3]}" = "  + [$CRI] default_runtime_name = \"hardened\"" ]
    [ "${lines[4]}" = "  backup: $R/etc/containerd/config.toml.hardened-backup (would be written)" ]
    [ "${lines[5]}" = "dry run: nothing written" ]
    [ "$(snapshot)" = "$before" ]
    [ -z "$(ls -A "$R/etc/containerd" | grep -v '^config.toml$')" ]
}

@test "containerd: layouts the editor does not understand are refused at their line, nothing changes" {
    f=$T/c.toml
    check() {
        printf "$1" > "$f"
        cp "$f" "$T/before"
        run "$HARDENED" install containerd --config "$f" --default
        [ "$status" -eq 1 ]
        [ "$output" = "hardened install: $f:$2" ]
        cmp "$f" "$T/before"
        [ ! -e "$f.hardened-backup" ]
        [ -z "$(ls -A "$T" | grep '^\.c\.toml')" ]
    }
    check 'version = 2\n[plugins."io.containerd.grpc.v1.cri"]\n  containerd.default_runtime_name = "runc"\n' \
        "3: a dotted key or an inline table here defines [$CRI.runtimes.hardened] or a table around it; hardened edits only [table] headers with key = value lines: write them as tables, or edit the file by hand"
    check 'version = 2\n[plugins."io.containerd.grpc.v1.cri".containerd]\n  runtimes = { runc = { runtime_type = "io.containerd.runc.v2" } }\n' \
        "3: a dotted key or an inline table here defines [$CRI.runtimes.hardened] or a table around it; hardened edits only [table] headers with key = value lines: write them as tables, or edit the file by hand"
    check 'version = 2\n[[plugins."io.containerd.grpc.v1.cri".containerd.runtimes]]\n' \
        "2: an array of tables where hardened must edit [$CRI.runtimes.hardened]: refused"
    check 'version = 2\n[plugins."io.containerd.grpc.v1.cri".containerd]\n  default_runtime_name = """\nrunc"""\n' \
        "3: a value over several lines where hardened must edit it: refused"
    check 'version = 2\n[plugins\n' "2: cannot read this table header"
    check 'version = 2\nroot = "/var/lib/containerd\n' "2: a string is not closed on its line"
    check '[plugins.cri]\n  x = 1\n' ' no "version = 2": hardened install edits containerd 1.6'"'"'s version 2 configuration (`containerd config default` writes one); this one is read as version 1'
    # a multi-line value elsewhere is only read past: no header is seen inside it
    : > "$T/x.toml"
    printf 'version = 2\nimports = [\n  "%s",\n  # [not.a.header]\n]\n' "$T/x.toml" > "$f"
    cp "$f" "$T/before"
    run "$HARDENED" install containerd --config "$f" --path /usr/local/bin/hardened
    [ "$status" -eq 0 ]
    head -5 "$f" | cmp - "$T/before"
    # what containerd refuses is refused before the rename
    printf 'version = 2\nimports = ["%s"]\n' "$T/missing.toml" > "$f"
    cp "$f" "$T/before"
    run "$HARDENED" install containerd --config "$f"
    [ "$status" -eq 1 ]
    [[ "$output" == "hardened install: /usr/bin/containerd --config $T/.c.toml.hardened-"*" config dump refused the new file: containerd: failed to load TOML: $T/missing.toml: open $T/missing.toml: no such file or directory" ]]
    cmp "$f" "$T/before"
    [ -z "$(ls -A "$T" | grep '^\.c\.toml')" ]
    # not a regular file
    mkdir "$T/dir.toml"
    run "$HARDENED" install containerd --config "$T/dir.toml"
    [ "$status" -eq 1 ]
    [ "$output" = "hardened install: $T/dir.toml: is not a regular file" ]
    ln -s "$T/before" "$T/link.toml"
    run "$HARDENED" install containerd --config "$T/link.toml"
    [ "$status" -eq 1 ]
    [ "$output" = "hardened install: $T/link.toml: is a symbolic link (refused)" ]
}

@test "containerd: --as-runc refuses a runc handler that is not runc.v2; runtime arguments are Docker's" {
    f=$T/c.toml
    printf 'version = 2\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]\n  runtime_type = "io.containerd.runtime.v1.linux"\n' > "$f"
    run "$HARDENED" install containerd --config "$f" --as-runc
    [ "$status" -eq 1 ]
    [ "$output" = "hardened install: $f: [$CRI.runtimes.runc] runtime_type = \"io.containerd.runtime.v1.linux\": --as-runc sets options.BinaryName, which only io.containerd.runc.v2 reads" ]
    run "$HARDENED" install containerd --config "$f" -- --policy /p.json
    [ "$status" -eq 2 ]
    [[ "$output" == *"containerd: runtime arguments after \"--\" are Docker's"* ]]
}

# ---- Docker -----------------------------------------------------------------------

@test "docker: runtimes.hardened added, every other key and value kept; --default; idempotent; uninstall restores" {
    mkdir -p "$R/etc/docker"
    f=$R/etc/docker/daemon.json
    printf '{\n    "log-level": "warn",\n    "runtimes": {"other": {"path": "/usr/bin/other"}},\n    "max-concurrent-downloads": 3.0,\n    "default-runtime": "runc"\n}\n' > "$f"
    cp "$f" "$T/orig"
    run "$HARDENED" install docker --root "$R" --default -- --policy /etc/hardened/restricted.json
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "$f: changed:" ]
    [ "${lines[1]}" = "  + /runtimes/hardened: {\"path\":\"$HD\",\"runtimeArgs\":[\"--policy\",\"/etc/hardened/restricted.json\"]}" ]
    [ "${lines[2]}" = '  ~ /default-runtime: "hardened" (was "runc")' ]
    [ "${lines[3]}" = "  backup: $f.hardened-backup" ]
    [[ "${lines[4]}" == "to apply: dockerd reads \"runtimes\" and \"default-runtime\" again on SIGHUP: systemctl reload docker"* ]]
    jq -e --arg hd "$HD" '. == {"log-level": "warn", runtimes: {other: {path: "/usr/bin/other"},
        hardened: {path: $hd, runtimeArgs: ["--policy", "/etc/hardened/restricted.json"]}},
        "max-concurrent-downloads": 3.0, "default-runtime": "hardened"}' "$f"
    grep -q '"max-concurrent-downloads": 3.0' "$f"   # the number's own text
    [ "$(jq -r 'keys_unsorted | join(",")' "$f")" = "log-level,runtimes,max-concurrent-downloads,default-runtime" ]
    before=$(snapshot)
    run "$HARDENED" install docker --root "$R" --default -- --policy /etc/hardened/restricted.json
    [ "$output" = "$f: unchanged (already set up)" ]
    [ "$(snapshot)" = "$before" ]
    run "$HARDENED" uninstall docker --root "$R"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "$f: restored from daemon.json.hardened-backup (nothing else changed since install):" ]
    [ "${lines[1]}" = "  - /runtimes/hardened" ]
    [ "${lines[2]}" = '  ~ /default-runtime: "runc" (was "hardened")' ]
    cmp "$f" "$T/orig"
    [ ! -e "$f.hardened-backup" ]
}

@test "docker: edited since install, uninstall removes hardened's entries only; no file yet: created, then removed" {
    f=$T/daemon.json
    printf '{"debug": true}\n' > "$f"
    "$HARDENED" install docker --config "$f" --default >/dev/null
    jq '.debug = false' "$f" > "$f.new" && mv "$f.new" "$f"
    run "$HARDENED" uninstall docker --config "$f"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "$f: changed:" ]
    jq -e '. == {"debug": false}' "$f"
    rm -f "$f" "$f.hardened-backup"
    run "$HARDENED" install docker --config "$f" --name hd-test --path /usr/local/bin/hardened
    [ "${lines[0]}" = "$f: created:" ]
    jq -e '. == {runtimes: {"hd-test": {path: "/usr/local/bin/hardened"}}}' "$f"
    run "$HARDENED" uninstall docker --config "$f" --name hd-test
    [ "${lines[0]}" = "$f: removed (hardened install created it):" ]
    [ ! -e "$f" ]
}

@test "docker: malformed daemon.json, runtimes of the wrong type, --as-runc: refused, nothing changes" {
    f=$T/daemon.json
    printf '{"debug": true,\n  "debug": false}\n' > "$f"
    run "$HARDENED" install docker --config "$f"
    [ "$status" -eq 1 ]
    [[ "$output" == "hardened install: $f:2:3: /debug: duplicate key \"debug\""* ]]
    printf '{"debug": true,\n  "x": [1,]}\n' > "$f"
    run "$HARDENED" install docker --config "$f"
    [ "$status" -eq 1 ]
    [[ "$output" == "hardened install: $f:2:"* ]]
    printf '{"runtimes": []}\n' > "$f"
    run "$HARDENED" install docker --config "$f"
    [ "$status" -eq 1 ]
    [ "$output" = "hardened install: $f: /runtimes is an array, not an object" ]
    cmp "$f" <(printf '{"runtimes": []}\n')
    printf '{}\n' > "$f"
    run "$HARDENED" install docker --config "$f" --as-runc
    [ "$status" -eq 2 ]
    [ "$output" = 'hardened install: docker: --as-runc: dockerd refuses a runtime named "runc" in daemon.json and its own runc cannot be pointed elsewhere; use --default to make "hardened" the default runtime' ]
    run "$HARDENED" install docker --config "$f" --name runc
    [ "$status" -eq 2 ]
    [ "$(ls -A "$T" | grep -v '^root$')" = daemon.json ]
}

# ---- Podman -------------------------------------------------------------------------

@test "podman: the drop-in containers.conf.d/hardened.conf; --default and --as-runc; podman info names the runtime" {
    require podman
    d=$R/etc/containers/containers.conf.d
    run "$HARDENED" install podman --root "$R" --default --as-runc
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "$d/hardened.conf: created:" ]
    [ "${lines[1]}" = "  + [engine.runtimes] hardened = [\"$HD\"]" ]
    [ "${lines[2]}" = '  + [engine] runtime = "hardened"' ]
    [ "${lines[3]}" = "  + [engine.runtimes] runc = [\"$HD\"]" ]
    [ "${lines[4]}" = "to apply: Podman reads containers.conf at every command: nothing to reload" ]
    run pm_runtime "$d/hardened.conf"
    [ "$status" -eq 0 ]
    [ "$output" = "hardened $HD" ]
    run "$HARDENED" install podman --root "$R" --default --as-runc
    [ "$output" = "$d/hardened.conf: unchanged (already set up)" ]
    run "$HARDENED" uninstall podman --root "$R"
    [ "${lines[0]}" = "$d/hardened.conf: removed (hardened install created it):" ]
    [ ! -e "$d/hardened.conf" ]
}

@test "podman: an existing containers.conf keeps its comments and tables; runc's list gets hardened first; uninstall restores" {
    require podman
    f=$T/containers.conf
    printf '# site settings\n[containers]\ndefault_ulimits = []\nnetns = "none"\n\n[engine]\n# keep\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\n\n[engine.runtimes]\nrunc = ["/usr/sbin/runc", "/usr/bin/runc"]\n' > "$f"
    cp "$f" "$T/orig"
    run "$HARDENED" install podman --config "$f" --as-runc
    [ "$status" -eq 0 ]
    [ "${lines[2]}" = "  ~ [engine.runtimes] runc = [\"$HD\", \"/usr/sbin/runc\", \"/usr/bin/runc\"] (was [\"/usr/sbin/runc\", \"/usr/bin/runc\"])" ]
    diff "$T/orig" "$f" | grep '^[<>]' > "$T/diff" || true
    [ "$(cat "$T/diff")" = "< runc = [\"/usr/sbin/runc\", \"/usr/bin/runc\"]
> runc = [\"$HD\", \"/usr/sbin/runc\", \"/usr/bin/runc\"]
> hardened = [\"$HD\"]" ]
    run pm_runtime "$f"
    [ "$output" = "runc $HD" ]
    run "$HARDENED" uninstall podman --config "$f"
    [ "${lines[0]}" = "$f: restored from containers.conf.hardened-backup (nothing else changed since install):" ]
    cmp "$f" "$T/orig"
    # a multi-line runc list where --as-runc must edit it is refused
    printf '[engine.runtimes]\nrunc = [\n  "/usr/sbin/runc",\n]\n' > "$f"
    run "$HARDENED" install podman --config "$f" --as-runc
    [ "$status" -eq 1 ]
    [ "$output" = "hardened install: $f:2: a value over several lines where hardened must edit it: refused" ]
}

# ---- the policy ------------------------------------------------------------------------

@test "--policy: linted, installed at the policy path below --root, the previous one kept; a policy that fails lint changes nothing" {
    run "$HARDENED" install docker --root "$R" --policy "$TOP/policy/profiles/default.json"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "$R$POLICY_PATH: installed from $TOP/policy/profiles/default.json (passes \`hardened policy lint\`)" ]
    cmp "$R$POLICY_PATH" "$TOP/policy/profiles/default.json"
    run "$HARDENED" install docker --root "$R" --policy "$TOP/policy/profiles/restricted.json"
    [ "${lines[0]}" = "$R$POLICY_PATH: replaced from $TOP/policy/profiles/restricted.json (passes \`hardened policy lint\`)" ]
    [ "${lines[1]}" = "  backup: $(dirname "$R$POLICY_PATH")/policy.json.hardened-backup (the policy it replaces)" ]
    [ "${lines[2]}" = "$R/etc/docker/daemon.json: unchanged (already set up)" ]
    cmp "$R$POLICY_PATH.hardened-backup" "$TOP/policy/profiles/default.json"
    "$HARDENED" policy lint "$R$POLICY_PATH"
    before=$(snapshot)
    printf '{"apiVersion": "hardened/v1",\n "rules": {"user": {"action": "rejct"}}}\n' > "$T/bad.json"
    run "$HARDENED" install containerd --root "$R" --default --policy "$T/bad.json"
    [ "$status" -eq 1 ]
    [ "$output" = "hardened install: --policy: the policy does not pass \`hardened policy lint\`; nothing changed: $T/bad.json:2:31: /rules/user/action: \"rejct\" is not one of the accepted values (off, warn, reject, rewrite)" ] || [[ "$output" == "hardened install: --policy: the policy does not pass \`hardened policy lint\`; nothing changed: $T/bad.json:2:31: /rules/user/action: \"rejct\""* ]]
    [ "$(snapshot)" = "$before" ]
    [ ! -e "$R/etc/containerd" ]
}

@test "usage: an engine is needed, flags are checked, uninstall takes no install flags" {
    run "$HARDENED" install
    [ "$status" -eq 2 ]
    [ "${lines[0]}" = "hardened install: which engine?" ]
    run "$HARDENED" install cri-o --root "$R"
    [ "$status" -eq 2 ]
    run "$HARDENED" install docker --root relative
    [ "$status" -eq 2 ]
    run "$HARDENED" uninstall docker --root "$R" --default
    [ "$status" -eq 2 ]
    run "$HARDENED" install docker --root "$R" --frobnicate
    [ "$status" -eq 2 ]
    [ -z "$(ls -A "$R")" ]
}
