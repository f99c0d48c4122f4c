#!/usr/bin/env bats
# hooks.allowList with the real runc: a hook is a program runc runs as root
# on the host, so the proof is on the host.  A refused hook's payload (one
# `touch` of a marker file) never runs, while plain runc runs the very same
# bundle and leaves the marker; an allowed hook runs; a /proc/<pid>/exe hook
# reaches runc as the binary that was checked, and its poststop stage runs
# that binary at delete, after the pid is gone.  Needs root and runc; skips
# otherwise, except with CI=true (see rt_require_runc in helpers.bash).

bats_require_minimum_version 1.5.0

BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-60}

load helpers

HARDENED=${HARDENED:-$BATS_TEST_DIRNAME/../../hardened}
OFF=$BATS_TEST_DIRNAME/../fixtures/policy-off.json

setup() {
	rt_require_runc
	rt_root
	HK_LOG=$RT_TMP/log.json
	HK_PIDS=()
	HK_DIR=
}

teardown() {
	local pid
	for pid in "${HK_PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	rt_cleanup
	if [ -n "$HK_DIR" ]; then rm -rf "$HK_DIR"; fi
}

# hk_policy ACTION ALLOW-JSON: policy-off with only hooks on; its path on stdout.
# hk_spawn BIN ARGS...: start BIN in the background, wait (bounded) until
# its /proc/PID/exe is BIN (until then it is the forked shell), and set
# HK_PID.  A hook test that reads /proc/PID/exe too early sees bash.
hk_spawn() {
	local bin=$1 i
	"$@" </dev/null >/dev/null 2>&1 3>&- &
	HK_PID=$!
	HK_PIDS+=("$HK_PID")
	for ((i = 0; i < 500; i++)); do
		[ "/proc/$HK_PID/exe" -ef "$bin" ] && return 0
		sleep 0.01
	done
	echo "hk_spawn: $bin did not start" >&2
	return 1
}

hk_policy() {
	jq --arg a "$1" --argjson allow "$2" '.rules.hooks = {action: $a, allow: $allow}' "$OFF" >"$RT_TMP/policy.json"
	echo "$RT_TMP/policy.json"
}

# hk_bundle JQ-FILTER: a busybox bundle running `true`, its hooks set by JQ-FILTER
# (with $m the marker path, $d the scratch directory).
hk_bundle() {
	rm -rf "$RT_TMP/b"
	rt_make_bundle "$RT_TMP/b" true
	jq --arg m "$RT_TMP/marker" --arg d "${HK_DIR:-}" "$1" "$RT_TMP/b/config.json" >"$RT_TMP/c.json"
	mv "$RT_TMP/c.json" "$RT_TMP/b/config.json"
	rm -f "$RT_TMP"/marker*
}

# hk_run runc|hardened [POLICY]: `run` the bundle (the container runs `true`
# and is deleted, so every stage's hooks run); status in $status.
hk_run() {
	local id
	id=$(rt_id "$1-$RANDOM")
	rm -f "$HK_LOG"
	if [ "$1" = hardened ]; then
		run "$HARDENED" --policy "$2" --root "$RT_ROOT" --log "$HK_LOG" --log-format json \
			run --bundle "$RT_TMP/b" "$id" </dev/null 3>&-
	else
		run "$RT_RUNC" --root "$RT_ROOT" run --bundle "$RT_TMP/b" "$id" </dev/null 3>&-
	fi
}

hk_last_error() {
	jq -r 'select(.level == "error") | .msg' "$HK_LOG" | tail -n 1
}

# A directory only root can write, for binaries the tests make (/tmp is not:
# it is world-writable, so nothing under it may be a hook).
hk_safe_dir() {
	HK_DIR=$(mktemp -d /run/hd-hooks.XXXXXX)
	chmod 0755 "$HK_DIR"
}

@test "a hook that is not allow-listed never runs, in any host stage; plain runc runs it (the marker is the proof)" {
	local stage policy
	policy=$(hk_policy reject '[]')
	for stage in prestart createRuntime createContainer poststart poststop; do
		hk_bundle ".hooks = {\"$stage\": [{path: \"/bin/sh\", args: [\"sh\", \"-c\", \"touch \" + \$m]}]}"
		hk_run runc
		[ -e "$RT_TMP/marker" ] || { echo "# plain runc did not run the $stage hook"; false; }
		rm -f "$RT_TMP"/marker*
		hk_run hardened "$policy"
		[ "$status" -eq 1 ]
		[ ! -e "$RT_TMP/marker" ]
		[[ "$(hk_last_error)" == *"hooks.allowList: $stage hook /bin/sh: not allow-listed"* ]]
	done
}

@test "an allow-listed hook runs on the host; one more argument than the entry names and it is refused" {
	hk_bundle '.hooks = {"createRuntime": [{path: "/usr/bin/touch", args: ["touch", $m]}]}'
	policy=$(hk_policy reject "[{\"path\": \"/usr/bin/touch\", \"args\": [\"touch\", \"$RT_TMP/marker\"]}]")
	hk_run hardened "$policy"
	[ "$status" -eq 0 ]
	[ -e "$RT_TMP/marker" ]

	hk_bundle '.hooks = {"createRuntime": [{path: "/usr/bin/touch", args: ["touch", $m, ($m + "2")]}]}'
	hk_run hardened "$policy"
	[ "$status" -eq 1 ]
	[ ! -e "$RT_TMP/marker" ]
	[ ! -e "$RT_TMP/marker2" ]
	[[ "$(hk_last_error)" == *"it has 3 args, the allow-list entry 2"* ]]
}

@test "LD_PRELOAD or a PATH the policy does not name in a hook's env: refused, the payload never runs" {
	policy=$(hk_policy reject "[{\"path\": \"/usr/bin/touch\", \"args\": [\"touch\", \"$RT_TMP/marker\"],
		\"env\": [\"PATH=/usr/sbin:/usr/bin:/sbin:/bin\"]}]")
	hk_bundle '.hooks = {"poststart": [{path: "/usr/bin/touch", args: ["touch", $m], env: ["LD_PRELOAD=/nonexistent.so"]}]}'
	hk_run hardened "$policy"
	[ "$status" -eq 1 ]
	[ ! -e "$RT_TMP/marker" ]
	[[ "$(hk_last_error)" == *"sets LD_PRELOAD"* ]]
	hk_bundle '.hooks = {"poststart": [{path: "/usr/bin/touch", args: ["touch", $m], env: ["PATH=/tmp:/usr/bin"]}]}'
	hk_run hardened "$policy"
	[ "$status" -eq 1 ]
	[ ! -e "$RT_TMP/marker" ]
	[[ "$(hk_last_error)" == *"env[0] (PATH) is not allowed"* ]]
	hk_bundle '.hooks = {"poststart": [{path: "/usr/bin/touch", args: ["touch", $m], env: ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"]}]}'
	hk_run hardened "$policy"
	[ "$status" -eq 0 ]
	[ -e "$RT_TMP/marker" ]
}

@test "an allow-listed binary that others could change is refused: group-writable file, writable directory, not root's" {
	hk_safe_dir
	cp /usr/bin/touch "$HK_DIR/touch"
	policy=$(hk_policy reject "[{\"path\": \"$HK_DIR/touch\", \"args\": [\"touch\", \"$RT_TMP/marker\"]}]")
	hk_bundle '.hooks = {"prestart": [{path: ($d + "/touch"), args: ["touch", $m]}]}'

	chmod 0775 "$HK_DIR/touch"
	hk_run hardened "$policy"
	[ "$status" -eq 1 ]
	[ ! -e "$RT_TMP/marker" ]
	[[ "$(hk_last_error)" == *"file $HK_DIR/touch is writable by group or others (mode 0775)"* ]]

	chmod 0755 "$HK_DIR/touch"
	chmod 0777 "$HK_DIR"
	hk_run hardened "$policy"
	[ "$status" -eq 1 ]
	[ ! -e "$RT_TMP/marker" ]
	[[ "$(hk_last_error)" == *"directory $HK_DIR is writable by group or others (mode 0777)"* ]]

	chmod 0755 "$HK_DIR"
	chown 65534 "$HK_DIR/touch"
	hk_run hardened "$policy"
	[ "$status" -eq 1 ]
	[ ! -e "$RT_TMP/marker" ]
	[[ "$(hk_last_error)" == *"file $HK_DIR/touch is owned by uid 65534, not root"* ]]

	# a symlink to it from a safe place does not launder it
	chown 0 "$HK_DIR/touch"
	chmod 0775 "$HK_DIR/touch"
	ln -s touch "$HK_DIR/link"
	policy=$(hk_policy reject "[{\"path\": \"$HK_DIR/link\", \"args\": [\"touch\", \"$RT_TMP/marker\"]}]")
	hk_bundle '.hooks = {"prestart": [{path: ($d + "/link"), args: ["touch", $m]}]}'
	hk_run hardened "$policy"
	[ "$status" -eq 1 ]
	[ ! -e "$RT_TMP/marker" ]

	# the same file, root's alone: it runs
	chmod 0755 "$HK_DIR/touch"
	hk_run hardened "$policy"
	[ "$status" -eq 0 ]
	[ -e "$RT_TMP/marker" ]
}

@test "/proc/<pid>/exe is rewritten to the binary that was checked; poststop still runs it after the pid is gone" {
	local id pid exe
	# busybox picks its applet from argv[0], as dockerd's re-exec does
	hk_spawn "$RT_BUSYBOX" sleep 300
	pid=$HK_PID
	exe=$(readlink -f "/proc/$pid/exe")
	hk_bundle ".hooks = {prestart: [{path: \"/proc/$pid/exe\", args: [\"touch\", (\$m + \".prestart\")]}],
		poststop: [{path: \"/proc/$pid/exe\", args: [\"touch\", (\$m + \".poststop\")]}]}"
	policy=$(hk_policy rewrite "[{\"path\": \"$exe\", \"args\": [\"touch\", \"$RT_TMP/marker.*\"]}]")
	id=$(rt_id proc)
	RT_POLICY=$policy rt_call hardened --log "$HK_LOG" --log-format json create --bundle "$RT_TMP/b" "$id" \
		</dev/null >/dev/null 2>&1 3>&-
	jq -r .msg "$HK_LOG" | grep -q "hooks.allowList rewritten at /hooks/prestart/0"
	# what runc read, and what it keeps for the later stages
	[ "$(jq -r '.hooks.prestart[0].path, .hooks.poststop[0].path' "$RT_TMP/b/config.json" | sort -u)" = "$exe" ]
	[ "$(jq -r '.config.Hooks.poststop[0].path' "$RT_ROOT/$id/state.json")" = "$exe" ]
	[ -e "$RT_TMP/marker.prestart" ]

	kill "$pid"
	wait "$pid" 2>/dev/null || true
	[ ! -e "/proc/$pid" ]
	RT_POLICY=$policy rt_call hardened start "$id" </dev/null 3>&-
	rt_wait_status hardened "$id" stopped
	[ ! -e "$RT_TMP/marker.poststop" ]
	RT_POLICY=$policy rt_call hardened delete "$id"
	[ -e "$RT_TMP/marker.poststop" ]

	# plain runc keeps /proc/<pid>/exe: at delete it runs whatever that pid is by then (here: nothing)
	hk_spawn "$RT_BUSYBOX" sleep 300
	pid=$HK_PID
	hk_bundle ".hooks = {poststop: [{path: \"/proc/$pid/exe\", args: [\"touch\", (\$m + \".poststop\")]}]}"
	id=$(rt_id proc-runc)
	rt_create runc "$id" "$RT_TMP/b"
	[ "$(jq -r '.config.Hooks.poststop[0].path' "$RT_ROOT/$id/state.json")" = "/proc/$pid/exe" ]
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	rt_call runc start "$id" </dev/null 3>&-
	rt_wait_status runc "$id" stopped
	run rt_call runc delete "$id"
	[ ! -e "$RT_TMP/marker.poststop" ]
}

@test "/proc/<pid>/exe of a live process whose binary is not allowed, or of a dead pid, is refused and never runs" {
	local pid
	hk_spawn /usr/bin/sleep 300
	pid=$HK_PID
	policy=$(hk_policy rewrite "[{\"path\": \"$RT_BUSYBOX\", \"args\": [\"touch\", \"$RT_TMP/marker\"]}]")
	hk_bundle ".hooks = {prestart: [{path: \"/proc/$pid/exe\", args: [\"touch\", \$m]}]}"
	hk_run hardened "$policy"
	[ "$status" -eq 1 ]
	[[ "$(hk_last_error)" == *"prestart hook /proc/$pid/exe (runs /usr/bin/sleep): not allow-listed"* ]]
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	hk_run hardened "$policy"
	[ "$status" -eq 1 ]
	[[ "$(hk_last_error)" == *"prestart hook /proc/$pid/exe: cannot be resolved"* ]]
	[ ! -e "$RT_TMP/marker" ]
}

# hk_lint_refuses HOOKS-JSON TEXT: a policy whose rules.hooks is HOOKS-JSON
# (written from line 2) fails to load, saying TEXT.
hk_lint_refuses() {
	printf '{"apiVersion": "hardened/v1", "rules": {"hooks":\n%s}}\n' "$1" >"$RT_TMP/p.json"
	run "$HARDENED" policy lint "$RT_TMP/p.json"
	[ "$status" -eq 1 ]
	[[ "$output" == *"$2"* ]] || { echo "# $output"; false; }
}

@test "policy: args0 is gone and a malformed pattern is a load error with its position" {
	hk_lint_refuses '{"action": "reject", "allow": [{"path": "/usr/bin/x", "args0": "x"}]}' \
		"$RT_TMP/p.json:2:64: /rules/hooks/allow/0: \"args0\" is gone: \"args\" lists every argument"
	hk_lint_refuses '{"action": "reject", "allow": [{"path": "/usr/bin/x", "args": ["x", "[0-9a-f{64}"]}]}' \
		"/rules/hooks/allow/0/args/1: pattern \"[0-9a-f{64}\": an unterminated [ at byte 0"
	hk_lint_refuses '{"action": "reject", "allow": [{"path": "/x", "env": ["PATH=/usr/bin{"]}]}' \
		"/rules/hooks/allow/0/env/0: pattern \"PATH=/usr/bin{\": a { that is not a repetition {N}"
	hk_lint_refuses '{"action": "reject", "allow": [{"path": "x"}]}' '"path" must be the absolute path of a file'
	hk_lint_refuses '{"action": "reject", "allow": [{"path": "/proc/1/exe"}]}' '"path" must be the absolute path of a file'
	hk_lint_refuses '{"action": "reject", "allow": [{"path": "/x", "maxTimeout": 0}]}' '"maxTimeout" must be at least 1 second'
}
