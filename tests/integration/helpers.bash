# Helpers for the bats integration tests.
#
# rt_*: a real runc (RT_RUNC, default /usr/sbin/runc) driving busybox-static
# bundles made by the test, each test with its own --root state directory
# and its own container ids, so the system's /run/runc is never touched.
# These functions are self-contained: they use only RT_* variables and
# $HARDENED (the shim under test).

RT_RUNC=${RT_RUNC:-/usr/sbin/runc}
RT_BUSYBOX=${RT_BUSYBOX:-/bin/busybox}

# Skip when the host cannot run containers; with CI=true fail instead, since
# a skipped integration test in CI is a defect, not a pass.
rt_require_runc() {
	local why=

	if [ "$(id -u)" -ne 0 ]; then
		why="needs root to run containers"
	elif [ ! -x "$RT_RUNC" ]; then
		why="$RT_RUNC missing (apt-get install -y runc)"
	elif [ ! -x "$RT_BUSYBOX" ]; then
		why="$RT_BUSYBOX missing (apt-get install -y busybox-static)"
	elif ldd "$RT_BUSYBOX" >/dev/null 2>&1; then
		why="$RT_BUSYBOX is not static (apt-get install -y busybox-static)"
	elif ! command -v jq >/dev/null 2>&1; then
		why="jq missing (apt-get install -y jq)"
	fi
	if [ -n "$why" ]; then
		if [ "${CI:-}" = true ]; then
			printf 'CI=true, refusing to skip: %s\n' "$why" >&2
			return 1
		fi
		skip "$why"
	fi
	if [ -z "${HARDENED:-}" ] || [ ! -x "$HARDENED" ]; then
		printf 'HARDENED=%s is not an executable (run make first)\n' "${HARDENED:-}" >&2
		return 1
	fi
}

# Per-test state: RT_TMP (scratch), RT_ROOT (runc --root), RT_PREFIX (ids).
rt_root() {
	RT_TMP=${BATS_TEST_TMPDIR:-}
	if [ -z "$RT_TMP" ]; then
		RT_TMP=$(mktemp -d "${TMPDIR:-/tmp}/rt.XXXXXX") || return 1
		RT_OWN_TMP=$RT_TMP
	fi
	RT_ROOT=$RT_TMP/runc-root
	mkdir -p "$RT_ROOT"
	RT_PREFIX=hd-$$-${BATS_TEST_NUMBER:-0}
}

# rt_id NAME: a container id unique to this bats process and test.
rt_id() {
	printf '%s-%s\n' "$RT_PREFIX" "$1"
}

# Delete every container in this test's --root (the directory is ours alone),
# also after a failed test.  Never kills anything by name.
rt_cleanup() {
	local d id

	if [ -n "${RT_ROOT:-}" ] && [ -d "$RT_ROOT" ]; then
		for d in "$RT_ROOT"/*/; do
			[ -d "$d" ] || continue
			id=${d%/}
			id=${id##*/}
			"$RT_RUNC" --root "$RT_ROOT" delete --force "$id" >/dev/null 2>&1 ||
				printf 'rt_cleanup: cannot delete container %s\n' "$id" >&2
		done
	fi
	if [ -n "${RT_OWN_TMP:-}" ]; then
		rm -rf "$RT_OWN_TMP"
		RT_OWN_TMP=
	fi
	return 0
}

# rt_make_bundle DIR [ARG...]: a busybox-static bundle whose process runs
# ARG... (default: sleep 1000) without a terminal.
rt_make_bundle() {
	local dir=$1
	shift
	[ $# -gt 0 ] || set -- sleep 1000

	mkdir -p "$dir"/rootfs/bin "$dir"/rootfs/proc "$dir"/rootfs/sys \
		"$dir"/rootfs/dev "$dir"/rootfs/tmp "$dir"/rootfs/etc || return 1
	cp "$RT_BUSYBOX" "$dir/rootfs/bin/busybox" || return 1
	chroot "$dir/rootfs" /bin/busybox --install -s /bin || return 1
	rm -f "$dir/config.json"
	"$RT_RUNC" spec --bundle "$dir" || return 1
	# Each argument goes in as --arg (jq would take "-c" of "sh -c" for its own).
	local i=0 a jqargs=()
	for a in "$@"; do
		jqargs+=(--arg "a$i" "$a")
		i=$((i + 1))
	done
	jq "${jqargs[@]}" --argjson n "$#" \
		'.process.terminal = false | .process.args = [range(0; $n) as $i | $ARGS.named["a\($i)"]]' \
		"$dir/config.json" >"$dir/config.json.new" || return 1
	[ -s "$dir/config.json.new" ] || return 1
	mv "$dir/config.json.new" "$dir/config.json"
}

# rt_edited_bundle JQ-FILTER ARG...: this test's runc state and a busybox
# bundle at $RT_TMP/b running ARG..., its config edited by JQ-FILTER.
rt_edited_bundle() {
	local filter=$1
	shift
	rt_require_runc
	rt_root
	rt_make_bundle "$RT_TMP/b" "$@"
	jq "$filter" "$RT_TMP/b/config.json" >"$RT_TMP/c.json" && mv "$RT_TMP/c.json" "$RT_TMP/b/config.json"
}

# rt_bin runc|hardened: the binary to call.
rt_bin() {
	case $1 in
	runc) printf '%s\n' "$RT_RUNC" ;;
	hardened) printf '%s\n' "$HARDENED" ;;
	*)
		printf 'rt_bin: unknown runtime %s\n' "$1" >&2
		return 1
		;;
	esac
}

# rt_call runc|hardened ARG...: the runtime with this test's --root.
# The shim runs under a policy with every rule off, so these tests see the
# foundation alone: exact pass-through and strict JSON (RT_POLICY overrides).
rt_call() {
	local bin
	bin=$(rt_bin "$1") || return 1
	if [ "$1" = hardened ]; then
		shift
		"$bin" --policy "${RT_POLICY:-$BATS_TEST_DIRNAME/../fixtures/policy-off.json}" --root "$RT_ROOT" "$@"
	else
		shift
		"$bin" --root "$RT_ROOT" "$@"
	fi
}

# rt_create runc|hardened ID BUNDLE: create a container detached from the
# test's pipes (its init inherits stdio, so a pipe would never reach EOF);
# what runc prints goes to $RT_TMP/create-ID.out.
rt_create() {
	rt_call "$1" create --bundle "$3" "$2" \
		</dev/null >"$RT_TMP/create-$2.out" 2>&1 3>&-
}

# rt_start_container runc|hardened ID BUNDLE: create + start, quietly.
rt_start_container() {
	rt_create "$1" "$2" "$3" || return 1
	rt_call "$1" start "$2" </dev/null 3>&-
}

# rt_state_field runc|hardened ID JQ-FILTER
rt_state_field() {
	local json
	json=$(rt_call "$1" state "$2") || return 1
	jq -r "$3" <<<"$json"
}

# rt_wait_status runc|hardened ID STATUS: poll `state` up to ~5 s.
rt_wait_status() {
	local i s=
	for i in $(seq 50); do
		s=$(rt_state_field "$1" "$2" .status 2>/dev/null) || s=
		[ "$s" = "$3" ] && return 0
		sleep 0.1
	done
	printf 'rt_wait_status: %s is "%s", not "%s"\n' "$2" "$s" "$3" >&2
	return 1
}

# rt_cgroup_file PID CONTROLLER FILE: path of a cgroup v1 control file of the
# cgroup PID is in (found through /proc/PID/cgroup and mountinfo).
rt_cgroup_file() {
	local pid=$1 ctrl=$2 file=$3 path mnt

	path=$(awk -F: -v c="$ctrl" '{
		n = split($2, a, ",")
		for (i = 1; i <= n; i++) if (a[i] == c) { print $3; exit }
	}' "/proc/$pid/cgroup")
	[ -n "$path" ] || {
		printf 'rt_cgroup_file: no %s cgroup for pid %s\n' "$ctrl" "$pid" >&2
		return 1
	}
	# mountinfo: ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS ... - FSTYPE SRC SUPEROPTS
	mnt=$(awk -v c="$ctrl" -v p="$path" '{
		for (s = 7; $s != "-"; s++) ;
		if ($(s + 1) != "cgroup") next
		n = split($(s + 3), a, ",")
		for (i = 1; i <= n; i++) if (a[i] == c) {
			root = $4; rel = p
			if (root != "/" && index(p, root) == 1) rel = substr(p, length(root) + 1)
			print $5 rel; exit
		}
	}' /proc/self/mountinfo)
	[ -n "$mnt" ] || mnt=/sys/fs/cgroup/$ctrl$path
	printf '%s/%s\n' "$mnt" "$file"
}

# rt_cgroup_read runc|hardened ID CONTROLLER FILE: a control file of the
# container's init cgroup.
rt_cgroup_read() {
	local pid f
	pid=$(rt_state_field "$1" "$2" .pid) || return 1
	f=$(rt_cgroup_file "$pid" "$3" "$4") || return 1
	cat "$f"
}

# rt_run_bundle runc|hardened [POLICY]: run $RT_TMP/b in the foreground;
# output in $output/$stderr, the shim's log in $LOG.  `runc` is plain runc,
# the control.
rt_run_bundle() {
	rm -f "$LOG"
	if [ "$1" = runc ]; then
		run --separate-stderr "$RT_RUNC" --root "$RT_ROOT" run --bundle "$RT_TMP/b" "$(rt_id c)" </dev/null 3>&-
	else
		run --separate-stderr "$HARDENED" --policy "$2" --root "$RT_ROOT" --log "$LOG" --log-format json \
			run --bundle "$RT_TMP/b" "$(rt_id c)" </dev/null 3>&-
	fi
	"$RT_RUNC" --root "$RT_ROOT" delete --force "$(rt_id c)" >/dev/null 2>&1 || true
}
