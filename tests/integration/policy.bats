#!/usr/bin/env bats
# The policy rules, end to end: a busybox-static bundle from `runc spec` runs
# through hardened in front of the real runc, and what the rules promise is
# checked from INSIDE the container (id, /proc/self/status, /proc/mounts, the
# cgroup v1 files runc mounts at /sys/fs/cgroup), not only in config.json.
# Needs root and /usr/sbin/runc; skips otherwise, except with CI=true, where
# it fails (see rt_require_runc in helpers.bash).

bats_require_minimum_version 1.5.0

# A hung runtime must not hang `make check`; teardown still runs.
BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-60}

load helpers

HARDENED=${HARDENED:-$BATS_TEST_DIRNAME/../../hardened}
top_srcdir=${top_srcdir:-$BATS_TEST_DIRNAME/../..}

POL_DEFAULT=$top_srcdir/policy/profiles/default.json
POL_RESTRICTED=$top_srcdir/policy/profiles/restricted.json

# CAP_NET_BIND_SERVICE is bit 10.
POL_CAP_NBS=0000000000000400
POL_CAP_NONE=0000000000000000

# Every rule id of the two profiles.
POL_RULE_IDS="user.nonRoot rootfs.readOnly capabilities.allowList process.noNewPrivileges seccomp.profile resources.memory resources.cpu resources.pids"

# What the container reports, one KEY=VALUE a line (busybox sh).
POL_PROBE=$(
	cat <<'EOF'
echo "uid=$(id -u)"
echo "gid=$(id -g)"
msg=$(touch /x 2>&1); echo "touch_rc=$?"; echo "touch_msg=$msg"
msg=$( { echo ok >/tmp/f && cat /tmp/f; } 2>&1); echo "tmp_rc=$?"; echo "tmp=$msg"
awk '$2 == "/tmp" { print "tmp_mount=" $3 " " $4 }' /proc/mounts
grep -E '^(Cap(Eff|Bnd|Prm|Inh|Amb)|NoNewPrivs|Seccomp):' /proc/self/status | tr -d ' \t' | sed 's/:/=/'
msg=$(unshare -U true 2>&1); echo "unshare_rc=$?"; echo "unshare_msg=$msg"
cg=/sys/fs/cgroup
echo "mem=$(cat $cg/memory/memory.limit_in_bytes 2>&1)"
echo "memsw=$(cat $cg/memory/memory.memsw.limit_in_bytes 2>&1)"
echo "pids=$(cat $cg/pids/pids.max 2>&1)"
cpu=$cg/cpu,cpuacct; [ -f $cpu/cpu.cfs_quota_us ] || cpu=$cg/cpu
echo "quota=$(cat $cpu/cpu.cfs_quota_us 2>&1)"
echo "period=$(cat $cpu/cpu.cfs_period_us 2>&1)"
echo "shares=$(cat $cpu/cpu.shares 2>&1)"
echo "end=probe"
EOF
)

setup() {
	rt_require_runc
	rt_root
}

teardown() {
	rt_cleanup
}

# pol_bundle DIR [ARG...]: rt_make_bundle (default: the probe), then give
# the rules something to fix that `runc spec` already gets right: a writable
# rootfs and no_new_privs off.  /tmp gets mode 1777 as in real images (runc
# copies the mode of the directory under a tmpfs onto the tmpfs).
pol_bundle() {
	local dir=$1
	shift
	[ $# -gt 0 ] || set -- sh -c "$POL_PROBE"
	rt_make_bundle "$dir" "$@" || return 1
	pol_jq "$dir/config.json" '.root.readonly = false | .process.noNewPrivileges = false' || return 1
	chmod 1777 "$dir/rootfs/tmp"
}

# pol_jq FILE FILTER [JQ-ARG...]: edit a JSON file in place.
pol_jq() {
	local f=$1 filter=$2
	shift 2
	jq "$@" "$filter" "$f" >"$f.new" || return 1
	[ -s "$f.new" ] || return 1
	mv "$f.new" "$f"
}

# pol_policy NAME FILTER [JQ-ARG...]: default.json through FILTER, written to
# $RT_TMP/NAME.json, whose path is printed.
pol_policy() {
	local name=$1 filter=$2
	shift 2
	jq "$@" "$filter" "$POL_DEFAULT" >"$RT_TMP/$name.json" || return 1
	[ -s "$RT_TMP/$name.json" ] || return 1
	printf '%s\n' "$RT_TMP/$name.json"
}

# pol_hd POLICY ID BUNDLE: `hardened --policy POLICY run`, with a JSON log.
# The container's stdout goes to $RT_TMP/ID.out, stderr (the shim's notes
# and the container's) to ID.err, the log to ID.log; the status is in
# POL_STATUS.  Shown when a test fails.
pol_hd() {
	POL_STATUS=0
	"$HARDENED" --policy "$1" --root "$RT_ROOT" --log "$RT_TMP/$2.log" --log-format json \
		run --bundle "$3" "$2" </dev/null >"$RT_TMP/$2.out" 2>"$RT_TMP/$2.err" 3>&- ||
		POL_STATUS=$?
	pol_show "$2"
}

# pol_runc ID BUNDLE: the same with plain runc.
pol_runc() {
	POL_STATUS=0
	"$RT_RUNC" --root "$RT_ROOT" run --bundle "$2" "$1" \
		</dev/null >"$RT_TMP/$1.out" 2>"$RT_TMP/$1.err" 3>&- || POL_STATUS=$?
	pol_show "$1"
}

pol_show() {
	echo "# $1: status=$POL_STATUS"
	sed "s/^/# $1 out: /" "$RT_TMP/$1.out"
	sed "s/^/# $1 err: /" "$RT_TMP/$1.err"
	[ ! -f "$RT_TMP/$1.log" ] || sed "s/^/# $1 log: /" "$RT_TMP/$1.log"
}

# pol_val ID KEY: the probe's value for KEY.
pol_val() {
	sed -n "s/^$2=//p" "$RT_TMP/$1.out"
}

# pol_gone ID: no container ID exists in this test's --root.
pol_gone() {
	run "$RT_RUNC" --root "$RT_ROOT" state "$1"
	[ "$status" -ne 0 ]
	[[ "$output" == *"container does not exist"* ]]
	[ ! -e "$RT_ROOT/$1" ]
}

@test "user.nonRoot (rewrite): a root container runs as the policy's 65534:65534" {
	local id
	id=$(rt_id c)
	pol_bundle "$RT_TMP/b"
	[ "$(jq -r '.process.user | "\(.uid):\(.gid)"' "$RT_TMP/b/config.json")" = 0:0 ]

	pol_hd "$POL_DEFAULT" "$id" "$RT_TMP/b"
	[ "$POL_STATUS" -eq 0 ]
	[ "$(pol_val "$id" end)" = probe ]
	[ "$(pol_val "$id" uid)" = 65534 ]
	[ "$(pol_val "$id" gid)" = 65534 ]
	pol_gone "$id"
}

@test "user.nonRoot (rewrite): a policy with uid 1234 gid 2345 gives 1234:2345" {
	local id pol
	id=$(rt_id c)
	pol=$(pol_policy uid1234 '.rules.user.uid = 1234 | .rules.user.gid = 2345')
	pol_bundle "$RT_TMP/b"

	pol_hd "$pol" "$id" "$RT_TMP/b"
	[ "$POL_STATUS" -eq 0 ]
	[ "$(pol_val "$id" uid)" = 1234 ]
	[ "$(pol_val "$id" gid)" = 2345 ]
	[ "$(jq -r '.process.user | "\(.uid):\(.gid)"' "$RT_TMP/b/config.json")" = 1234:2345 ]
}

@test "rootfs.readOnly (rewrite): / is read-only (EROFS), /tmp is a writable 64Mi nosuid,nodev,noexec tmpfs" {
	local id
	id=$(rt_id c)
	pol_bundle "$RT_TMP/b"

	pol_hd "$POL_DEFAULT" "$id" "$RT_TMP/b"
	[ "$POL_STATUS" -eq 0 ]
	[ "$(pol_val "$id" touch_rc)" -ne 0 ]
	[[ "$(pol_val "$id" touch_msg)" == *"/x: Read-only file system"* ]]
	[ ! -e "$RT_TMP/b/rootfs/x" ]
	[ "$(pol_val "$id" tmp_rc)" = 0 ]
	[ "$(pol_val "$id" tmp)" = ok ]

	run pol_val "$id" tmp_mount
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == "tmpfs "* ]]
	local opts=",${output#tmpfs },"
	[[ "$opts" == *,rw,* ]]
	[[ "$opts" == *,nosuid,* ]]
	[[ "$opts" == *,nodev,* ]]
	[[ "$opts" == *,noexec,* ]]
	[[ "$opts" == *,size=65536k,* ]]
}

@test "rootfs.readOnly (rewrite): a policy tmpfs over an image directory that is root's 0755 is the container user's (runc keeps the directory's mode)" {
	local id pol
	id=$(rt_id c)
	pol=$(pol_policy svc '.rules.readOnlyRootfs.tmpfs = ["/tmp", "/var/lib/svc"]')
	pol_bundle "$RT_TMP/b" sh -c 'echo x >/var/lib/svc/state && echo wrote; stat -c "%u:%g %a" /var/lib/svc'
	mkdir -p "$RT_TMP/b/rootfs/var/lib/svc"
	chmod 0755 "$RT_TMP/b/rootfs/var/lib/svc"

	pol_hd "$pol" "$id" "$RT_TMP/b"
	[ "$POL_STATUS" -eq 0 ]
	[ "$(sed -n 1p "$RT_TMP/$id.out")" = wrote ]
	[ "$(sed -n 2p "$RT_TMP/$id.out")" = "65534:65534 755" ]   # the directory's mode, the user's tmpfs
	jq -e '.mounts[] | select(.destination == "/var/lib/svc") | .options | index("uid=65534") and index("gid=65534")' \
		"$RT_TMP/b/config.json"
	# the control: the same tmpfs without the owner, through plain runc, is root's
	pol_jq "$RT_TMP/b/config.json" '(.mounts[] | select(.destination == "/var/lib/svc") | .options) |= map(select(test("^[ug]id=") | not))'
	id=$(rt_id c)
	pol_runc "$id" "$RT_TMP/b"
	[ "$(cat "$RT_TMP/$id.out")" = "0:0 755" ]                   # root's, and no "wrote"
	[[ "$(cat "$RT_TMP/$id.err")" == *"/var/lib/svc/state: Permission denied"* ]]
}

@test "capabilities.allowList (rewrite): bounding set is CAP_NET_BIND_SERVICE only, inheritable and ambient empty" {
	local id
	id=$(rt_id c)
	pol_bundle "$RT_TMP/b"

	pol_hd "$POL_DEFAULT" "$id" "$RT_TMP/b"
	[ "$POL_STATUS" -eq 0 ]
	[ "$(pol_val "$id" uid)" = 65534 ]
	[ "$(pol_val "$id" CapBnd)" = "$POL_CAP_NBS" ]
	[ "$(pol_val "$id" CapInh)" = "$POL_CAP_NONE" ]
	[ "$(pol_val "$id" CapAmb)" = "$POL_CAP_NONE" ]
	jq -e '.process.capabilities | .bounding == ["CAP_NET_BIND_SERVICE"]
		and .effective == ["CAP_NET_BIND_SERVICE"] and .permitted == ["CAP_NET_BIND_SERVICE"]
		and (.ambient // []) == [] and (.inheritable // []) == []' "$RT_TMP/b/config.json"
}

@test "capabilities.allowList (rewrite): a root process gets exactly CAP_NET_BIND_SERVICE in CapEff, CapPrm and CapBnd" {
	local id pol
	id=$(rt_id c)
	# Only the user rule off, so the process stays uid 0 and keeps its
	# permitted/effective sets across execve.
	pol=$(pol_policy root '.rules.user.action = "off"')
	pol_bundle "$RT_TMP/b"

	pol_hd "$pol" "$id" "$RT_TMP/b"
	[ "$POL_STATUS" -eq 0 ]
	[ "$(pol_val "$id" uid)" = 0 ]
	[ "$(pol_val "$id" CapEff)" = "$POL_CAP_NBS" ]
	[ "$(pol_val "$id" CapPrm)" = "$POL_CAP_NBS" ]
	[ "$(pol_val "$id" CapBnd)" = "$POL_CAP_NBS" ]
	[ "$(pol_val "$id" CapInh)" = "$POL_CAP_NONE" ]
	[ "$(pol_val "$id" CapAmb)" = "$POL_CAP_NONE" ]
}

@test "capabilities.allowList (rewrite): the non-root policy user has no effective capabilities (ambient is emptied)" {
	# The kernel clears permitted/effective on execve for a non-root uid
	# unless a capability is ambient, and the rule empties ambient: so a
	# non-root container keeps the allow-list in its bounding set only.
	local id
	id=$(rt_id c)
	pol_bundle "$RT_TMP/b"

	pol_hd "$POL_DEFAULT" "$id" "$RT_TMP/b"
	[ "$POL_STATUS" -eq 0 ]
	[ "$(pol_val "$id" uid)" = 65534 ]
	[ "$(pol_val "$id" CapEff)" = "$POL_CAP_NONE" ]
	[ "$(pol_val "$id" CapPrm)" = "$POL_CAP_NONE" ]
	[ "$(pol_val "$id" CapBnd)" = "$POL_CAP_NBS" ]
}

@test "capabilities.ambient (rewrite): the non-root policy user binds port 80 with the granted CAP_NET_BIND_SERVICE where unprivileged ports start at 1024; without the grant it cannot" {
	local id pol
	id=$(rt_id c)
	pol=$(pol_policy ambient '.rules.capabilities.ambient = ["CAP_NET_BIND_SERVICE"]')
	# httpd forks into the background once it has bound the port (and dies
	# with the container's pid namespace); a failed bind is its exit status
	pol_bundle "$RT_TMP/b" sh -c "$POL_PROBE"'
msg=$(httpd -p 127.0.0.1:80 -h /tmp 2>&1); echo "httpd_rc=$?"; echo "httpd_msg=$msg"'
	pol_jq "$RT_TMP/b/config.json" '.linux.sysctl = {"net.ipv4.ip_unprivileged_port_start": "1024"}'
	cp "$RT_TMP/b/config.json" "$RT_TMP/config.orig"

	pol_hd "$pol" "$id" "$RT_TMP/b"
	[ "$POL_STATUS" -eq 0 ]
	[ "$(pol_val "$id" uid)" = 65534 ]
	[ "$(pol_val "$id" httpd_rc)" = 0 ]
	[ "$(pol_val "$id" CapAmb)" = "$POL_CAP_NBS" ]
	[ "$(pol_val "$id" CapEff)" = "$POL_CAP_NBS" ]
	[ "$(pol_val "$id" CapPrm)" = "$POL_CAP_NBS" ]
	[ "$(pol_val "$id" CapInh)" = "$POL_CAP_NBS" ]
	[ "$(pol_val "$id" CapBnd)" = "$POL_CAP_NBS" ]
	[ "$(pol_val "$id" NoNewPrivs)" = 1 ]
	grep -q '"msg":"[^"]*capabilities.allowList rewritten at /process/capabilities/inheritable: inheritable capabilities the policy grants are missing: CAP_NET_BIND_SERVICE' "$RT_TMP/$id.log"

	# Control: the shipped policy without the grant, same config: no
	# capability across execve, and the bind is refused
	id=$(rt_id nogrant)
	cp "$RT_TMP/config.orig" "$RT_TMP/b/config.json"
	pol_hd "$POL_DEFAULT" "$id" "$RT_TMP/b"
	[ "$POL_STATUS" -eq 0 ]
	[ "$(pol_val "$id" uid)" = 65534 ]
	[ "$(pol_val "$id" CapEff)" = "$POL_CAP_NONE" ]
	[ "$(pol_val "$id" httpd_rc)" != 0 ]
	[[ "$(pol_val "$id" httpd_msg)" == *"Permission denied"* ]]
}

@test "noNewPrivileges + seccomp (rewrite): NoNewPrivs 1, Seccomp 2, unshare -U denied; allowed with seccomp off" {
	local id pol
	id=$(rt_id c)
	pol_bundle "$RT_TMP/b"
	cp "$RT_TMP/b/config.json" "$RT_TMP/config.orig"
	[ "$(jq -r '.process.noNewPrivileges' "$RT_TMP/b/config.json")" = false ]
	[ "$(jq -r '.linux.seccomp // "none"' "$RT_TMP/b/config.json")" = none ]

	pol_hd "$POL_DEFAULT" "$id" "$RT_TMP/b"
	[ "$POL_STATUS" -eq 0 ]
	[ "$(pol_val "$id" uid)" = 65534 ]
	[ "$(pol_val "$id" NoNewPrivs)" = 1 ]
	[ "$(pol_val "$id" Seccomp)" = 2 ]
	[ "$(pol_val "$id" unshare_rc)" -ne 0 ]
	[[ "$(pol_val "$id" unshare_msg)" == *"Operation not permitted"* ]]
	jq -e '.linux.seccomp.defaultAction == "SCMP_ACT_ERRNO"' "$RT_TMP/b/config.json"

	# Control: the same policy without the seccomp rule, same user and
	# no_new_privs: unshare(CLONE_NEWUSER) works, so seccomp denied it above.
	id=$(rt_id noseccomp)
	pol=$(pol_policy noseccomp '.rules.seccomp.action = "off"')
	cp "$RT_TMP/config.orig" "$RT_TMP/b/config.json"
	pol_hd "$pol" "$id" "$RT_TMP/b"
	[ "$POL_STATUS" -eq 0 ]
	[ "$(pol_val "$id" uid)" = 65534 ]
	[ "$(pol_val "$id" NoNewPrivs)" = 1 ]
	[ "$(pol_val "$id" Seccomp)" = 0 ]
	[ "$(pol_val "$id" unshare_rc)" = 0 ]
}

@test "resources (rewrite): defaults seen inside the container: 512Mi memory+swap, 1 CPU, 1024 pids" {
	local id
	id=$(rt_id c)
	pol_bundle "$RT_TMP/b"

	pol_hd "$POL_DEFAULT" "$id" "$RT_TMP/b"
	[ "$POL_STATUS" -eq 0 ]
	# Read inside the container, through runc's read-only cgroup v1 mounts.
	[ "$(pol_val "$id" mem)" = 536870912 ]
	[ "$(pol_val "$id" memsw)" = 536870912 ]
	[ "$(pol_val "$id" pids)" = 1024 ]
	[ "$(pol_val "$id" quota)" = 100000 ]
	[ "$(pol_val "$id" period)" = 100000 ]
}

@test "resources (rewrite): limits above the policy's max are clamped: 8Gi -> 4Gi, 100000 pids -> 4096" {
	local id
	id=$(rt_id c)
	pol_bundle "$RT_TMP/b"
	pol_jq "$RT_TMP/b/config.json" \
		'.linux.resources.memory.limit = 8589934592 | .linux.resources.pids.limit = 100000'

	pol_hd "$POL_DEFAULT" "$id" "$RT_TMP/b"
	[ "$POL_STATUS" -eq 0 ]
	[ "$(pol_val "$id" mem)" = 4294967296 ]
	[ "$(pol_val "$id" memsw)" = 4294967296 ]
	[ "$(pol_val "$id" pids)" = 4096 ]
	[ "$(pol_val "$id" quota)" = 100000 ]
	jq -e '.linux.resources.memory.limit == 4294967296 and .linux.resources.pids.limit == 4096' \
		"$RT_TMP/b/config.json"
}

# CPU priority (CIS 5.12): what the container's own cgroup says, for each
# spelling of linux.resources.cpu.shares; plain runc first, so the test can
# see the weight it takes away.
@test "resources.cpu maxShares: the container's cpu.shares, for shares above, at and below the default policy's 4096" {
	local id v want
	pol_bundle "$RT_TMP/b"
	pol_jq "$RT_TMP/b/config.json" '.linux.resources.cpu.shares = 262144'
	id=$(rt_id r)
	pol_runc "$id" "$RT_TMP/b"
	[ "$POL_STATUS" -eq 0 ]
	[ "$(pol_val "$id" shares)" = 262144 ]
	for v in 262144:4096 100000:4096 4097:4096 4096:4096 512:512 2:2 0:1024 absent:1024; do
		want=${v#*:}
		pol_bundle "$RT_TMP/b"
		if [ "${v%%:*}" = absent ]; then
			pol_jq "$RT_TMP/b/config.json" 'del(.linux.resources.cpu.shares)'
		else
			pol_jq "$RT_TMP/b/config.json" '.linux.resources.cpu.shares = ($v | tonumber)' --arg v "${v%%:*}"
		fi
		id=$(rt_id "c${v%%:*}")
		pol_hd "$POL_DEFAULT" "$id" "$RT_TMP/b"
		[ "$POL_STATUS" -eq 0 ]
		[ "$(pol_val "$id" end)" = probe ]
		echo "# shares ${v%%:*}: the container reads $(pol_val "$id" shares), want $want"
		[ "$(pol_val "$id" shares)" = "$want" ]
	done
	id=$(rt_id j)
	pol_bundle "$RT_TMP/b"
	pol_jq "$RT_TMP/b/config.json" '.linux.resources.cpu = {"shares": 262144, "quota": 100000, "period": 100000}'
	pol_hd "$POL_RESTRICTED" "$id" "$RT_TMP/b"
	[ "$POL_STATUS" -eq 1 ]
	grep -q "resources.cpu: CPU shares 262144 are above the policy's maximum 4096" "$RT_TMP/$id.err"
	pol_gone "$id"
}

@test "resources (rewrite) through create: host-side cgroup of a created container has memory default 256Mi" {
	local id pid
	id=$(rt_id c)
	RT_POLICY=$(pol_policy mem256 '.rules.resources.memory.default = "256Mi"')
	pol_bundle "$RT_TMP/b" sleep 1000

	run rt_create hardened "$id" "$RT_TMP/b"
	cat "$RT_TMP/create-$id.out"
	[ "$status" -eq 0 ]
	[ "$(rt_state_field hardened "$id" .status)" = created ]
	[ "$(rt_cgroup_read hardened "$id" memory memory.limit_in_bytes)" = 268435456 ]
	[ "$(rt_cgroup_read hardened "$id" memory memory.memsw.limit_in_bytes)" = 268435456 ]
	[ "$(rt_cgroup_read hardened "$id" pids pids.max)" = 1024 ]
	[ "$(rt_cgroup_read hardened "$id" cpu cpu.cfs_quota_us)" = 100000 ]
	pid=$(rt_state_field hardened "$id" .pid)
	[ "$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status")" = 65534 ]

	run rt_call hardened delete --force "$id"
	[ "$status" -eq 0 ]
	pol_gone "$id"
}

@test "rewrite is visible in the bundle: config.json written back with the policy's values" {
	local id
	id=$(rt_id c)
	pol_bundle "$RT_TMP/b"

	pol_hd "$POL_DEFAULT" "$id" "$RT_TMP/b"
	[ "$POL_STATUS" -eq 0 ]
	[ "$(pol_val "$id" end)" = probe ]
	[ "$(jq -r .process.user.uid "$RT_TMP/b/config.json")" = 65534 ]
	[ "$(jq -r .process.user.gid "$RT_TMP/b/config.json")" = 65534 ]
	[ "$(jq -r .root.readonly "$RT_TMP/b/config.json")" = true ]
	[ "$(jq -r .process.noNewPrivileges "$RT_TMP/b/config.json")" = true ]
	jq -e '[.mounts[] | select(.destination == "/tmp" and .type == "tmpfs")] | length == 1' \
		"$RT_TMP/b/config.json"
	jq -e '.linux.resources | .memory.limit == 536870912 and .memory.swap == 536870912
		and .cpu.quota == 100000 and .cpu.period == 100000 and .pids.limit == 1024' \
		"$RT_TMP/b/config.json"
}

@test "restricted.json (reject): refused with status 1, no container, last error line names every rule" {
	local id msg rule
	id=$(rt_id c)
	pol_bundle "$RT_TMP/b"
	cp "$RT_TMP/b/config.json" "$RT_TMP/config.orig"

	pol_hd "$POL_RESTRICTED" "$id" "$RT_TMP/b"
	[ "$POL_STATUS" -eq 1 ]
	[ ! -s "$RT_TMP/$id.out" ]
	pol_gone "$id"
	# Nothing was rewritten.
	diff -u <(jq -S . "$RT_TMP/config.orig") <(jq -S . "$RT_TMP/b/config.json")

	msg=$(jq -r 'select(.level == "error") | .msg' "$RT_TMP/$id.log" | tail -n 1)
	echo "# last error: $msg"
	[ "$(wc -l <<<"$msg")" -eq 1 ]
	[[ "$msg" == *"refused by policy $POL_RESTRICTED"* ]]
	for rule in $POL_RULE_IDS; do
		[[ "$msg" == *"$rule"* ]] || {
			echo "# $rule missing from the last error line"
			return 1
		}
	done
}

@test "audit mode: the container runs unchanged (as with plain runc), one warning line per finding" {
	local id rid pol rule
	id=$(rt_id audit)
	rid=$(rt_id runc)
	pol=$(pol_policy audit '.mode = "audit"')
	pol_bundle "$RT_TMP/b"
	cp -a "$RT_TMP/b" "$RT_TMP/r"
	cp "$RT_TMP/b/config.json" "$RT_TMP/config.orig"

	pol_runc "$rid" "$RT_TMP/r"
	[ "$POL_STATUS" -eq 0 ]
	pol_hd "$pol" "$id" "$RT_TMP/b"
	[ "$POL_STATUS" -eq 0 ]

	# Exactly what plain runc gives: root, runc's default caps, no seccomp,
	# no_new_privs off, writable /, no limits.
	diff -u "$RT_TMP/$rid.out" "$RT_TMP/$id.out"
	[ "$(pol_val "$id" end)" = probe ]
	[ "$(pol_val "$id" uid)" = 0 ]
	[ "$(pol_val "$id" gid)" = 0 ]
	[ "$(pol_val "$id" CapEff)" = "$(pol_val "$rid" CapEff)" ]
	[ "$(pol_val "$id" CapEff)" = 0000000020000420 ]
	[ "$(pol_val "$id" CapBnd)" = 0000000020000420 ]
	[ "$(pol_val "$id" Seccomp)" = 0 ]
	[ "$(pol_val "$id" NoNewPrivs)" = 0 ]
	[ "$(pol_val "$id" touch_rc)" = 0 ]
	[ -e "$RT_TMP/b/rootfs/x" ]
	[ "$(pol_val "$id" pids)" = max ]
	[ "$(pol_val "$id" quota)" = -1 ]
	diff -u <(jq -S . "$RT_TMP/config.orig") <(jq -S . "$RT_TMP/b/config.json")

	# The log: no error, one warning per finding, each naming its rule.
	[ "$(jq -r 'select(.level == "error") | .msg' "$RT_TMP/$id.log" | wc -l)" -eq 0 ]
	jq -r 'select(.level == "warning") | .msg' "$RT_TMP/$id.log" >"$RT_TMP/warnings"
	sed -nE 's/^policy [^ ]*: ([A-Za-z.]+) warning at ([^:]+): .*/\1 \2/p' "$RT_TMP/warnings" |
		sort >"$RT_TMP/findings"
	[ "$(wc -l <"$RT_TMP/findings")" -eq "$(wc -l <"$RT_TMP/warnings")" ]
	sort >"$RT_TMP/expected" <<-'EOF'
	user.nonRoot /process/user/uid
	user.nonRoot /process/user/gid
	rootfs.readOnly /root/readonly
	capabilities.allowList /process/capabilities/bounding
	capabilities.allowList /process/capabilities/effective
	capabilities.allowList /process/capabilities/permitted
	capabilities.allowList /process/capabilities/ambient
	process.noNewPrivileges /process/noNewPrivileges
	seccomp.profile /linux/seccomp
	resources.memory /linux/resources/memory/limit
	resources.cpu /linux/resources/cpu/quota
	resources.pids /linux/resources/pids/limit
	mounts.safeOptions /mounts/0/options
	EOF
	diff -u "$RT_TMP/expected" "$RT_TMP/findings"
	for rule in $POL_RULE_IDS; do
		grep -q "^$rule " "$RT_TMP/findings"
	done
}

@test "fail closed: --policy /nonexistent.json refuses run, names the file, creates nothing" {
	local id
	id=$(rt_id c)
	pol_bundle "$RT_TMP/b"
	cp "$RT_TMP/b/config.json" "$RT_TMP/config.orig"

	pol_hd /nonexistent.json "$id" "$RT_TMP/b"
	[ "$POL_STATUS" -eq 1 ]
	[ ! -s "$RT_TMP/$id.out" ]
	run jq -r 'select(.level == "error") | .msg' "$RT_TMP/$id.log"
	[ "${#lines[@]}" -ge 1 ]
	[[ "${lines[-1]}" == *"policy /nonexistent.json"* ]]
	[[ "${lines[-1]}" == *"No such file or directory"* ]]
	pol_gone "$id"
	cmp "$RT_TMP/config.orig" "$RT_TMP/b/config.json"
}

@test "fail closed: an unknown policy key is refused with FILE:LINE:COL and /rules/user/uidd" {
	local id pol
	id=$(rt_id c)
	pol=$RT_TMP/unknown-key.json
	cat >"$pol" <<-'EOF'
	{
	  "apiVersion": "hardened/v1",
	  "mode": "enforce",
	  "rules": {"user": {"action": "rewrite", "uidd": 5}}
	}
	EOF
	pol_bundle "$RT_TMP/b"

	pol_hd "$pol" "$id" "$RT_TMP/b"
	[ "$POL_STATUS" -eq 1 ]
	[ ! -s "$RT_TMP/$id.out" ]
	run jq -r 'select(.level == "error") | .msg' "$RT_TMP/$id.log"
	[[ "${lines[-1]}" == *"$pol:4:43: /rules/user/uidd: unknown field \"uidd\""* ]]
	grep -qF "$pol:4:43: /rules/user/uidd" "$RT_TMP/$id.err"
	pol_gone "$id"
}

@test "fail closed: a policy with a JSON syntax error is refused with FILE:LINE:COL" {
	local id pol
	id=$(rt_id c)
	pol=$RT_TMP/syntax.json
	cat >"$pol" <<-'EOF'
	{
	  "apiVersion": "hardened/v1",
	  "mode": "enforce",
	  "rules": {"user": {"action": "rewrite", "uid": 5,}}
	}
	EOF
	pol_bundle "$RT_TMP/b"

	pol_hd "$pol" "$id" "$RT_TMP/b"
	[ "$POL_STATUS" -eq 1 ]
	[ ! -s "$RT_TMP/$id.out" ]
	run jq -r 'select(.level == "error") | .msg' "$RT_TMP/$id.log"
	[[ "${lines[-1]}" =~ "$pol":4:[0-9]+:\ /rules/user.*invalid\ JSON ]]
	pol_gone "$id"
}

# pol_hd_inh CAPS POLICY ID BUNDLE: pol_hd with CAPS (setpriv's --inh-caps
# list) in the inheritable set of hardened and so of runc (a runtime started
# by a service that has them, or nested in a container given them).
pol_hd_inh() {
	local caps=$1
	shift
	POL_STATUS=0
	setpriv --inh-caps "$caps" "$HARDENED" --policy "$1" --root "$RT_ROOT" --log "$RT_TMP/$2.log" --log-format json \
		run --bundle "$3" "$2" </dev/null >"$RT_TMP/$2.out" 2>"$RT_TMP/$2.err" 3>&- || POL_STATUS=$?
	pol_show "$2"
}

@test "capabilities.ambient: a grant the engine dropped from bounding (--cap-drop) never reaches the process, though the config asks for it in permitted, inheritable and ambient and runc's caller has it inheritable" {
	local id pol
	pol=$(pol_policy ambient '.rules.capabilities.ambient = ["CAP_NET_BIND_SERVICE"]')
	pol_bundle "$RT_TMP/b" sh -c "$POL_PROBE"'
msg=$(httpd -p 127.0.0.1:80 -h /tmp 2>&1); echo "httpd_rc=$?"; echo "httpd_msg=$msg"'
	pol_jq "$RT_TMP/b/config.json" '.linux.sysctl = {"net.ipv4.ip_unprivileged_port_start": "1024"}
		| .process.user = {uid: 65534, gid: 65534} | .process.noNewPrivileges = true | .root.readonly = true
		| .process.capabilities = {bounding: ["CAP_CHOWN"], effective: ["CAP_CHOWN"],
			permitted: ["CAP_CHOWN", "CAP_NET_BIND_SERVICE"], inheritable: ["CAP_NET_BIND_SERVICE"], ambient: ["CAP_NET_BIND_SERVICE"]}'
	cp "$RT_TMP/b/config.json" "$RT_TMP/config.orig"

	# runc's reading: bounding is dropped first (PR_CAPBSET_DROP), then
	# capset(2) takes the inheritable CAP_NET_BIND_SERVICE because the caller
	# has it inheritable, and PR_CAP_AMBIENT_RAISE needs only permitted and
	# inheritable: the process binds port 80 with an empty bounding set
	pol_jq "$RT_TMP/b/config.json" '.process.capabilities.bounding = [] | .process.capabilities.effective = []
		| .process.capabilities.permitted = ["CAP_NET_BIND_SERVICE"]'
	id=$(rt_id runc)
	POL_STATUS=0
	setpriv --inh-caps +net_bind_service "$RT_RUNC" --root "$RT_ROOT" run --bundle "$RT_TMP/b" "$id" \
		</dev/null >"$RT_TMP/$id.out" 2>"$RT_TMP/$id.err" 3>&- || POL_STATUS=$?
	pol_show "$id"
	[ "$POL_STATUS" -eq 0 ]
	[ "$(pol_val "$id" CapBnd)" = "$POL_CAP_NONE" ]
	[ "$(pol_val "$id" CapAmb)" = "$POL_CAP_NBS" ]
	[ "$(pol_val "$id" CapEff)" = "$POL_CAP_NBS" ]
	[ "$(pol_val "$id" httpd_rc)" = 0 ]
	# without the caller's inheritable capability the same config does not start
	id=$(rt_id runc-plain)
	pol_runc "$id" "$RT_TMP/b"
	[ "$POL_STATUS" -ne 0 ]
	grep -q "unable to apply caps: operation not permitted" "$RT_TMP/$id.err"

	# through hardened: the grant is left out of inheritable and ambient
	id=$(rt_id hd)
	cp "$RT_TMP/config.orig" "$RT_TMP/b/config.json"
	pol_hd_inh +net_bind_service "$pol" "$id" "$RT_TMP/b"
	[ "$POL_STATUS" -eq 0 ]
	[ "$(jq -c '.process.capabilities | [.inheritable, .ambient]' "$RT_TMP/b/config.json")" = '[[],[]]' ]
	[ "$(pol_val "$id" uid)" = 65534 ]
	[ "$(pol_val "$id" CapBnd)" = "$POL_CAP_NONE" ]
	[ "$(pol_val "$id" CapAmb)" = "$POL_CAP_NONE" ]
	[ "$(pol_val "$id" CapEff)" = "$POL_CAP_NONE" ]
	[ "$(pol_val "$id" CapPrm)" = "$POL_CAP_NONE" ]
	[ "$(pol_val "$id" httpd_rc)" != 0 ]
	[[ "$(pol_val "$id" httpd_msg)" == *"Permission denied"* ]]
	grep -q '"msg":"[^"]*capabilities.allowList rewritten at /process/capabilities/ambient: ambient capabilities not allowed: CAP_NET_BIND_SERVICE' "$RT_TMP/$id.log"
}

@test "capabilities.ambient with file capabilities in the image and no_new_privs off: a binary with inheritable file bits gains only the grant, not an allowed capability the config asked inheritable" {
	local id pol
	pol=$(pol_policy fcaps '.rules.capabilities.allow = ["CAP_NET_BIND_SERVICE", "CAP_NET_RAW"]
		| .rules.capabilities.ambient = ["CAP_NET_BIND_SERVICE"] | .rules.noNewPrivileges.action = "off"')
	pol_bundle "$RT_TMP/b" sh -c 'grep -E "^Cap(Prm|Eff|Inh|Amb)" /proc/self/status | tr -d " \t" | sed "s/:/=/"
/fc/busybox grep -E "^Cap(Prm|Eff|Inh|Amb)" /proc/self/status | tr -d " \t" | sed "s/^/f/; s/:/=/"'
	mkdir "$RT_TMP/b/rootfs/fc"
	cp "$RT_TMP/b/rootfs/bin/busybox" "$RT_TMP/b/rootfs/fc/busybox"
	setcap cap_net_raw,cap_net_bind_service+ei "$RT_TMP/b/rootfs/fc/busybox"
	pol_jq "$RT_TMP/b/config.json" '.process.user = {uid: 65534, gid: 65534}
		| .process.capabilities = {bounding: ["CAP_NET_BIND_SERVICE", "CAP_NET_RAW"], effective: ["CAP_NET_BIND_SERVICE", "CAP_NET_RAW"],
			permitted: ["CAP_NET_BIND_SERVICE", "CAP_NET_RAW"], inheritable: ["CAP_NET_BIND_SERVICE", "CAP_NET_RAW"], ambient: ["CAP_NET_BIND_SERVICE"]}'
	cp "$RT_TMP/b/config.json" "$RT_TMP/config.orig"
	# runc's reading: inheritable NET_RAW meets the file's inheritable bit: the binary has it (0x2400)
	id=$(rt_id runc)
	pol_runc "$id" "$RT_TMP/b"
	[ "$POL_STATUS" -eq 0 ]
	[ "$(pol_val "$id" CapAmb)" = "$POL_CAP_NBS" ]
	[ "$(pol_val "$id" CapPrm)" = "$POL_CAP_NBS" ]
	[ "$(pol_val "$id" fCapPrm)" = 0000000000002400 ]
	[ "$(pol_val "$id" fCapEff)" = 0000000000002400 ]
	[ "$(pol_val "$id" fCapAmb)" = "$POL_CAP_NONE" ]
	# through hardened: inheritable holds only the grant, so the binary gains only it (ambient is cleared across a file with capabilities)
	id=$(rt_id hd)
	cp "$RT_TMP/config.orig" "$RT_TMP/b/config.json"
	pol_hd "$pol" "$id" "$RT_TMP/b"
	[ "$POL_STATUS" -eq 0 ]
	[ "$(pol_val "$id" CapInh)" = "$POL_CAP_NBS" ]
	[ "$(pol_val "$id" CapAmb)" = "$POL_CAP_NBS" ]
	[ "$(pol_val "$id" fCapPrm)" = "$POL_CAP_NBS" ]
	[ "$(pol_val "$id" fCapEff)" = "$POL_CAP_NBS" ]
	[ "$(pol_val "$id" fCapAmb)" = "$POL_CAP_NONE" ]
	[ "$(jq -c .process.capabilities.inheritable "$RT_TMP/b/config.json")" = '["CAP_NET_BIND_SERVICE"]' ]
}
