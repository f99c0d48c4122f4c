#!/usr/bin/env bats
# hardened in front of the real runc: every scenario is played twice, once
# with runc directly and once through the shim (own container ids, own
# busybox-static bundles, one --root per test), and the user-visible results
# must be the same.  Needs root and /usr/sbin/runc; skips otherwise, except
# with CI=true, where it fails (see rt_require_runc in helpers.bash).

bats_require_minimum_version 1.5.0

# A hung runtime must not hang `make check`; teardown still runs.
BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-60}

load helpers

HARDENED=${HARDENED:-$BATS_TEST_DIRNAME/../../hardened}
top_srcdir=${top_srcdir:-$BATS_TEST_DIRNAME/../..}

RUNTIMES="runc hardened"

setup() {
	rt_require_runc
	rt_root
}

teardown() {
	rt_cleanup
}

# runc's stderr without the timestamps and with the id made generic.
normalize_err() {
	sed -E -e 's/time="[^"]*" //' -e "s/$1/ID/g"
}

@test "--version, -v, --help, VERB --help: byte for byte runc's output and status" {
	for flag in --version -v --help "run --help" "exec --help" "update -h"; do
		# shellcheck disable=SC2086
		want=0; "$RT_RUNC" $flag >"$RT_TMP/runc.out" 2>"$RT_TMP/runc.err" || want=$?
		# shellcheck disable=SC2086
		got=0; "$HARDENED" $flag >"$RT_TMP/hd.out" 2>"$RT_TMP/hd.err" || got=$?
		[ "$got" -eq "$want" ]
		diff -u "$RT_TMP/runc.out" "$RT_TMP/hd.out"
		diff -u "$RT_TMP/runc.err" "$RT_TMP/hd.err"
	done
	grep -q '^runc version 1\.1\.' <("$HARDENED" --version)
}

@test "features: stdout identical to runc features" {
	"$RT_RUNC" features >"$RT_TMP/runc.out"
	jq -e '.ociVersionMin == "1.0.0" and (.hooks | index("prestart") != null)' \
		"$RT_TMP/runc.out" >/dev/null
	run --separate-stderr "$HARDENED" features
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	printf '%s\n' "$output" >"$RT_TMP/hd.out"
	diff -u "$RT_TMP/runc.out" "$RT_TMP/hd.out"
}

@test "run: a busybox container runs through hardened exactly as through runc" {
	local rt id script expected
	script='id -u; grep -E "^(CapEff|NoNewPrivs|Seccomp):" /proc/self/status; hostname; echo hello; exit 3'
	expected=$(printf '0\nCapEff:\t0000000020000420\nNoNewPrivs:\t1\nSeccomp:\t0\nrunc\nhello')

	for rt in $RUNTIMES; do
		id=$(rt_id "$rt")
		rt_make_bundle "$RT_TMP/$rt" sh -c "$script"
		cp "$RT_TMP/$rt/config.json" "$RT_TMP/$rt.config.orig"

		run --separate-stderr rt_call "$rt" run --bundle "$RT_TMP/$rt" "$id" </dev/null
		echo "# $rt: status=$status stdout=<$output> stderr=<$stderr>"
		[ "$status" -eq 3 ]
		[ "$output" = "$expected" ]
		[ -z "$stderr" ]
		printf '%s\n' "$output" >"$RT_TMP/$rt.out"

		# run without --keep removes the container once it exited.
		run rt_call "$rt" state "$id"
		[ "$status" -eq 1 ]
		[[ "$output" == *'container does not exist'* ]]
		[ ! -e "$RT_ROOT/$id" ]

		# Same configuration afterwards (the shim writes it back checked).
		diff -u <(jq -S . "$RT_TMP/$rt.config.orig") <(jq -S . "$RT_TMP/$rt/config.json")
	done
	diff -u "$RT_TMP/runc.out" "$RT_TMP/hardened.out"
	# runc leaves config.json alone; the shim did read and rewrite it
	# (compact), so it really was in the path.
	cmp "$RT_TMP/runc.config.orig" "$RT_TMP/runc/config.json"
	! cmp -s "$RT_TMP/hardened.config.orig" "$RT_TMP/hardened/config.json"
}

@test "create/start/state: same status, bundle and state fields as runc" {
	local rt id b pid

	for rt in $RUNTIMES; do
		id=$(rt_id "$rt")
		b=$RT_TMP/$rt
		rt_make_bundle "$b"

		run rt_create "$rt" "$id" "$b"
		[ "$status" -eq 0 ]
		[ ! -s "$RT_TMP/create-$id.out" ]

		run --separate-stderr rt_call "$rt" state "$id"
		[ "$status" -eq 0 ]
		[ -z "$stderr" ]
		[ "$(jq -r .status <<<"$output")" = created ]
		[ "$(jq -r .id <<<"$output")" = "$id" ]
		[ "$(jq -r .bundle <<<"$output")" = "$b" ]
		[ "$(jq -r .rootfs <<<"$output")" = "$b/rootfs" ]
		pid=$(jq -r .pid <<<"$output")
		[ "$pid" -gt 1 ]
		[ -d "/proc/$pid" ]
		{
			echo "created"
			jq -c 'keys' <<<"$output"
		} >"$RT_TMP/$rt.out"

		run rt_call "$rt" start "$id"
		[ "$status" -eq 0 ]
		[ -z "$output" ]
		run rt_call "$rt" state "$id"
		[ "$status" -eq 0 ]
		[ "$(jq -r .status <<<"$output")" = running ]
		[ "$(jq -r .pid <<<"$output")" = "$pid" ]
		[ "$(jq -r .bundle <<<"$output")" = "$b" ]
		[ "$(jq -r .ociVersion <<<"$output")" = "1.0.2-dev" ]
		jq -r '.status, (keys | join(","))' <<<"$output" >>"$RT_TMP/$rt.out"

		# The same error for an unknown id.
		run rt_call "$rt" state "$id-nope"
		[ "$status" -eq 1 ]
		normalize_err "$id" <<<"$output" >>"$RT_TMP/$rt.out"
	done
	grep -qx 'level=error msg="container does not exist"' "$RT_TMP/runc.out"
	diff -u "$RT_TMP/runc.out" "$RT_TMP/hardened.out"
}

@test "ps: same header, process count and commands as runc" {
	local rt id pid

	for rt in $RUNTIMES; do
		id=$(rt_id "$rt")
		rt_make_bundle "$RT_TMP/$rt"
		rt_start_container "$rt" "$id" "$RT_TMP/$rt"
		pid=$(rt_state_field "$rt" "$id" .pid)

		run --separate-stderr rt_call "$rt" ps "$id"
		[ "$status" -eq 0 ]
		[ -z "$stderr" ]
		[ "${#lines[@]}" -eq 2 ]
		[[ "${lines[0]}" =~ ^UID\ +PID\ +PPID\ .*CMD$ ]]
		[[ "${lines[1]}" =~ ^root\ +$pid\ .*\ sleep\ 1000$ ]]
		printf '%s\n' "${lines[0]}" >"$RT_TMP/$rt.out"

		# A second process, detached (its stdio must not hold bats' pipes).
		rt_call "$rt" exec -d "$id" sleep 999 </dev/null >/dev/null 2>&1 3>&-
		run --separate-stderr rt_call "$rt" ps "$id"
		[ "$status" -eq 0 ]
		[ "${#lines[@]}" -eq 3 ]
		[ "${lines[0]}" = "$(head -n 1 "$RT_TMP/$rt.out")" ]
		echo "count=$((${#lines[@]} - 1))" >>"$RT_TMP/$rt.out"
		printf '%s\n' "${lines[@]:1}" | sed -E 's/^([^ ]+ +){7}//' | sort >>"$RT_TMP/$rt.out"

		run --separate-stderr rt_call "$rt" ps --format json "$id"
		[ "$status" -eq 0 ]
		[ "$(jq length <<<"$output")" -eq 2 ]
		jq -e --argjson p "$pid" 'index($p) != null' <<<"$output" >/dev/null
	done
	grep -qx 'sleep 999' "$RT_TMP/runc.out"
	diff -u "$RT_TMP/runc.out" "$RT_TMP/hardened.out"
}

@test "exec: same output and status as runc, with argv and with --process FILE" {
	local rt id

	for rt in $RUNTIMES; do
		id=$(rt_id "$rt")
		rt_make_bundle "$RT_TMP/$rt"
		echo hd-test-host >"$RT_TMP/$rt/rootfs/etc/hostname"
		rt_start_container "$rt" "$id" "$RT_TMP/$rt"

		run --separate-stderr rt_call "$rt" exec "$id" cat /etc/hostname </dev/null
		[ "$status" -eq 0 ]
		[ "$output" = hd-test-host ]
		[ -z "$stderr" ]
		{
			echo "$status $output"
		} >"$RT_TMP/$rt.out"

		run --separate-stderr rt_call "$rt" exec "$id" hostname </dev/null
		[ "$status" -eq 0 ]
		[ "$output" = runc ]

		run --separate-stderr rt_call "$rt" exec "$id" sh -c 'echo out; echo err >&2; exit 7' </dev/null
		[ "$status" -eq 7 ]
		[ "$output" = out ]
		[ "$stderr" = err ]
		echo "$status $output $stderr" >>"$RT_TMP/$rt.out"

		cat >"$RT_TMP/$rt.process.json" <<-'EOF'
		{
			"terminal": false,
			"user": { "uid": 0, "gid": 0 },
			"args": [ "sh", "-c", "echo via-process $FOO; id -u; pwd" ],
			"env": [ "PATH=/bin", "FOO=bar" ],
			"cwd": "/tmp"
		}
		EOF
		jq -S . "$RT_TMP/$rt.process.json" >"$RT_TMP/$rt.process.orig"
		run --separate-stderr rt_call "$rt" exec --process "$RT_TMP/$rt.process.json" "$id" </dev/null
		[ "$status" -eq 0 ]
		[ "$output" = "$(printf 'via-process bar\n0\n/tmp')" ]
		[ -z "$stderr" ]
		printf '%s\n' "$status" "$output" >>"$RT_TMP/$rt.out"
		diff -u "$RT_TMP/$rt.process.orig" <(jq -S . "$RT_TMP/$rt.process.json")
	done
	diff -u "$RT_TMP/runc.out" "$RT_TMP/hardened.out"
}

@test "pause/resume: state paused, then running, as with runc" {
	local rt id

	for rt in $RUNTIMES; do
		id=$(rt_id "$rt")
		rt_make_bundle "$RT_TMP/$rt"
		rt_start_container "$rt" "$id" "$RT_TMP/$rt"

		run rt_call "$rt" pause "$id"
		[ "$status" -eq 0 ]
		[ -z "$output" ]
		[ "$(rt_state_field "$rt" "$id" .status)" = paused ]
		[ "$(rt_cgroup_read "$rt" "$id" freezer freezer.state)" = FROZEN ]
		echo paused >"$RT_TMP/$rt.out"

		run rt_call "$rt" resume "$id"
		[ "$status" -eq 0 ]
		[ -z "$output" ]
		[ "$(rt_state_field "$rt" "$id" .status)" = running ]
		[ "$(rt_cgroup_read "$rt" "$id" freezer freezer.state)" = THAWED ]
		echo running >>"$RT_TMP/$rt.out"

		# Resuming a running container is refused the same way.
		run rt_call "$rt" resume "$id"
		[ "$status" -eq 1 ]
		normalize_err "$id" <<<"$output" >>"$RT_TMP/$rt.out"
	done
	grep -q 'level=error msg="container not paused"' "$RT_TMP/runc.out"
	diff -u "$RT_TMP/runc.out" "$RT_TMP/hardened.out"
}

@test "kill/delete: KILL stops the container, delete removes it, as with runc" {
	local rt id

	for rt in $RUNTIMES; do
		id=$(rt_id "$rt")
		rt_make_bundle "$RT_TMP/$rt"
		rt_start_container "$rt" "$id" "$RT_TMP/$rt"

		# A running container cannot be deleted without --force.
		run rt_call "$rt" delete "$id"
		[ "$status" -eq 1 ]
		[[ "$output" == *"not stopped"* ]]
		normalize_err "$id" <<<"$output" >"$RT_TMP/$rt.out"
		[ "$(rt_state_field "$rt" "$id" .status)" = running ]

		run rt_call "$rt" kill "$id" KILL
		[ "$status" -eq 0 ]
		[ -z "$output" ]
		rt_wait_status "$rt" "$id" stopped
		echo stopped >>"$RT_TMP/$rt.out"

		run rt_call "$rt" delete "$id"
		[ "$status" -eq 0 ]
		[ -z "$output" ]
		[ ! -e "$RT_ROOT/$id" ]
		run rt_call "$rt" list -q
		[ "$status" -eq 0 ]
		[[ "$output" != *"$id"* ]]
		run rt_call "$rt" state "$id"
		[ "$status" -eq 1 ]
		[[ "$output" == *'container does not exist'* ]]
		normalize_err "$id" <<<"$output" >>"$RT_TMP/$rt.out"
	done
	diff -u "$RT_TMP/runc.out" "$RT_TMP/hardened.out"
}

@test "update --memory 64m / --pids-limit 50: same cgroup v1 limits as runc" {
	local rt id

	for rt in $RUNTIMES; do
		id=$(rt_id "$rt")
		rt_make_bundle "$RT_TMP/$rt"
		rt_start_container "$rt" "$id" "$RT_TMP/$rt"

		run rt_call "$rt" update --memory 64m "$id"
		[ "$status" -eq 0 ]
		[ -z "$output" ]
		run rt_call "$rt" update --pids-limit 50 "$id"
		[ "$status" -eq 0 ]
		[ -z "$output" ]
		[ "$(rt_cgroup_read "$rt" "$id" memory memory.limit_in_bytes)" = 67108864 ]
		[ "$(rt_cgroup_read "$rt" "$id" pids pids.max)" = 50 ]
		[ "$(rt_state_field "$rt" "$id" .status)" = running ]
		{
			rt_cgroup_read "$rt" "$id" memory memory.limit_in_bytes
			rt_cgroup_read "$rt" "$id" pids pids.max
		} >"$RT_TMP/$rt.out"
	done
	diff -u "$RT_TMP/runc.out" "$RT_TMP/hardened.out"
}

@test "update --resources - (JSON on stdin): same cgroup v1 limits as runc" {
	local rt id

	for rt in $RUNTIMES; do
		id=$(rt_id "$rt")
		rt_make_bundle "$RT_TMP/$rt"
		rt_start_container "$rt" "$id" "$RT_TMP/$rt"

		run rt_call "$rt" update --resources - "$id" <<-'EOF'
		{ "memory": { "limit": 100663296 }, "pids": { "limit": 60 } }
		EOF
		[ "$status" -eq 0 ]
		[ -z "$output" ]
		[ "$(rt_cgroup_read "$rt" "$id" memory memory.limit_in_bytes)" = 100663296 ]
		[ "$(rt_cgroup_read "$rt" "$id" pids pids.max)" = 60 ]
		{
			rt_cgroup_read "$rt" "$id" memory memory.limit_in_bytes
			rt_cgroup_read "$rt" "$id" pids pids.max
		} >"$RT_TMP/$rt.out"
	done
	diff -u "$RT_TMP/runc.out" "$RT_TMP/hardened.out"
}

@test "update --resources FILE: same cgroup v1 limits as runc" {
	local rt id f

	for rt in $RUNTIMES; do
		id=$(rt_id "$rt")
		f=$RT_TMP/$rt.resources.json
		rt_make_bundle "$RT_TMP/$rt"
		rt_start_container "$rt" "$id" "$RT_TMP/$rt"

		printf '{\n  "memory": { "limit": 50331648 },\n  "pids": { "limit": 40 }\n}\n' >"$f"
		run rt_call "$rt" update -r "$f" "$id"
		[ "$status" -eq 0 ]
		[ -z "$output" ]
		[ "$(rt_cgroup_read "$rt" "$id" memory memory.limit_in_bytes)" = 50331648 ]
		[ "$(rt_cgroup_read "$rt" "$id" pids pids.max)" = 40 ]
		jq -e '.memory.limit == 50331648 and .pids.limit == 40' "$f" >/dev/null
		{
			rt_cgroup_read "$rt" "$id" memory memory.limit_in_bytes
			rt_cgroup_read "$rt" "$id" pids pids.max
		} >"$RT_TMP/$rt.out"
	done
	diff -u "$RT_TMP/runc.out" "$RT_TMP/hardened.out"
}

@test "--policy and --backend are hardened's own flags: runc never sees them" {
	local id
	id=$(rt_id c)
	rt_make_bundle "$RT_TMP/b"
	rt_start_container runc "$id" "$RT_TMP/b"

	"$RT_RUNC" --root "$RT_ROOT" state "$id" >"$RT_TMP/runc.out"
	[ "$(jq -r .status "$RT_TMP/runc.out")" = running ]

	"$HARDENED" --policy /nonexistent-is-fine-for-now --backend "$RT_RUNC" \
		--root "$RT_ROOT" state "$id" >"$RT_TMP/hd1.out" 2>"$RT_TMP/hd1.err"
	[ ! -s "$RT_TMP/hd1.err" ]
	diff -u "$RT_TMP/runc.out" "$RT_TMP/hd1.out"

	"$HARDENED" --root "$RT_ROOT" --policy=/nonexistent-is-fine-for-now \
		--backend="$RT_RUNC" state "$id" >"$RT_TMP/hd2.out" 2>"$RT_TMP/hd2.err"
	[ ! -s "$RT_TMP/hd2.err" ]
	diff -u "$RT_TMP/runc.out" "$RT_TMP/hd2.out"

	# The same flags given to runc itself are an error: they were stripped.
	run "$RT_RUNC" --policy /nonexistent-is-fine-for-now --root "$RT_ROOT" state "$id"
	[ "$status" -ne 0 ]
	[[ "$output" == *"flag provided but not defined: -policy"* ]]
	run "$RT_RUNC" --backend "$RT_RUNC" --root "$RT_ROOT" state "$id"
	[ "$status" -ne 0 ]
	[[ "$output" == *"flag provided but not defined: -backend"* ]]
}
