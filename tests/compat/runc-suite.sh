#!/usr/bin/env bash
# Proof of drop-in behaviour: runc's own integration suite (tests/integration
# of runc's source at tag v1.1.5) run twice, once with runc itself and once
# with hardened in front of it under an audit-mode policy, and the per-test
# results (pass / fail / skip) compared.  Any test whose result differs is
# listed; the script succeeds only when every result is the same.
#
#   tests/compat/runc-suite.sh [--subset] [FILE.bats ...]
#
#   (no argument)  every tests/integration/*.bats except seccomp-notify*.bats
#                  (those hang in runc itself on this kernel)
#   --subset       run.bats exec.bats update.bats mounts.bats tty.bats
#                  help.bats version.bats (the short set the test suite runs)
#   FILE.bats      these files only (names inside runc's tests/integration)
#
# Nothing of runc's code is kept in this repository: it is extracted at run
# time from a git repository of runc's source at the tag, or, where there is
# none (CI machines), from Debian's source package of the installed runc
# (runc_1.1.5+ds1.orig.tar.xz: upstream's v1.1.5 tree without its vendor/
# directory; its tests/integration is byte for byte the tag's), fetched with
# apt-get source through a private deb-src list.  runc's Go helpers are built
# there: with -mod=vendor from a git tree; from Debian's golang-*-dev
# packages in GOPATH mode from the Debian tree (recvtty only: sd-helper is
# for the systemd cgroup driver and seccompagent for seccomp-notify, neither
# used here).  The suite is run with bats.  No image is downloaded: the busybox image is
# made from the host's static busybox, the "debian" image (hooks.bats only)
# from the host's own Debian binaries (sh, ldconfig, grep and their
# libraries).
#
# Environment:
#   HD_RUNC_GIT      git repository of runc's source (bare is fine)
#                    [/work/.mirror/opencontainers+runc/repo]; when it is
#                    absent, Debian's source package is used (needs
#                    deb.debian.org and golang-github-containerd-console-dev
#                    golang-github-urfave-cli-dev golang-golang-x-sys-dev
#                    golang-github-cyphar-filepath-securejoin-dev)
#   HD_RUNC_TAG      the tag to test [v1.1.5]
#   HARDENED         the hardened binary [./hardened, else TOP/hardened]
#   HD_BACKEND       the real runc, run directly and behind hardened
#                    [/usr/sbin/runc]
#   HD_COMPAT_DIR    work directory, kept between runs as a cache (sources,
#                    Go builds, images, results) [/tmp/hardened-runc-suite]
#   HD_COMPAT_TIMEOUT  seconds one .bats file may take on one side [1200]
#
# The hardened side runs "$HARDENED --policy AUDIT --backend $HD_BACKEND ..."
# (through a two-line wrapper given to the suite as RUNC), where AUDIT is
# policy/profiles/default.json with "mode": "audit".
#
# Each file runs under a pseudo-terminal (script(1)), as runc's own CI runs
# the suite in `docker run -t`.  Needs root, bats, jq, gawk, go, gcc, xz, git,
# script.  Results: HD_COMPAT_DIR/results/
# {runc,hardened}/FILE.tap and a summary.  Exit status: 0 same results,
# 1 some result differs, 2 usage or set-up error, 77 skipped (not root).
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
runc_git=${HD_RUNC_GIT:-/work/.mirror/opencontainers+runc/repo}
tag=${HD_RUNC_TAG:-v1.1.5}
work=${HD_COMPAT_DIR:-/tmp/hardened-runc-suite}
backend=${HD_BACKEND:-/usr/sbin/runc}
per_file_timeout=${HD_COMPAT_TIMEOUT:-1200}
subset=(run.bats exec.bats update.bats mounts.bats tty.bats help.bats version.bats)

say() { echo "runc-suite: $*"; }
die() { say "error: $*" >&2; exit 2; }
skip() { say "SKIP: $*"; exit 77; }

usage() {
    sed -n '/^#   tests/,/^#   FILE/p' "$0" | sed 's/^#//'
    exit "$1"
}

files=()
while [ $# -gt 0 ]; do
    case $1 in
        --subset) files+=("${subset[@]}") ;;
        -h | --help) usage 0 ;;
        -*) say "unknown option $1" >&2; usage 2 >&2 ;;
        *) files+=("$(basename "$1")") ;;
    esac
    shift
done

[ "$(id -u)" -eq 0 ] || skip "runc's integration suite needs root"
if git -C "$runc_git" rev-parse --git-dir >/dev/null 2>&1; then
    git -C "$runc_git" rev-parse -q --verify "refs/tags/$tag^{commit}" >/dev/null \
        || die "runc source repository $runc_git has no tag $tag"
    from=git
else
    from=debian
fi
for tool in bats jq gawk go gcc xz tar timeout script; do
    command -v "$tool" >/dev/null || die "$tool is needed (Debian: bats jq gawk golang-go gcc xz-utils bsdutils)"
done
[ -x "$backend" ] || die "no runc at $backend (set HD_BACKEND)"
[ -x /bin/busybox ] || die "/bin/busybox is needed (Debian: busybox-static)"
if [ -z "${HARDENED:-}" ]; then
    if [ -x ./hardened ]; then HARDENED=$PWD/hardened; else HARDENED=$top/hardened; fi
fi
[ -x "$HARDENED" ] || die "no hardened binary at $HARDENED (set HARDENED)"
HARDENED=$(readlink -f "$HARDENED")

mkdir -p "$work"
chmod 0755 "$work" # userns.bats reads the bundles as another uid
src=$work/runc-$tag
itest=$src/tests/integration

# --- runc's source and its Go helpers -------------------------------------
# Debian's source of the installed runc, whose upstream version must be the tag's.
debian_source() {
    local dl=$work/debian-src list=$work/debian-src/deb-src.sources version orig
    version=$(dpkg-query -W -f '${Version}' runc 2>/dev/null) || die "no runc package installed (Debian: runc)"
    case $version in "${tag#v}"+*) ;; *) die "the installed runc is $version, not $tag: point HD_RUNC_GIT at runc's source" ;; esac
    mkdir -p "$dl"
    orig=$(ls "$dl"/runc_"${tag#v}"*.orig.tar.* 2>/dev/null | head -1 || true)
    if [ -z "$orig" ]; then
        say "fetching Debian's source package of runc $version"
        printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
            "$(. /etc/os-release && echo "$VERSION_CODENAME $VERSION_CODENAME-updates")" >"$list"
        local apt_opts=(-o Dir::Etc::sourcelist="$list" -o Dir::Etc::sourceparts=- -o Dir::State::Lists="$dl/lists"
            -o APT::Get::List-Cleanup=0 -o APT::Sandbox::User=root)
        mkdir -p "$dl/lists/partial"
        apt-get -q "${apt_opts[@]}" update >"$dl/apt.log" 2>&1 || { cat "$dl/apt.log"; die "apt-get update (deb-src) failed"; }
        (cd "$dl" && apt-get -q "${apt_opts[@]}" source --download-only "runc=$version") >>"$dl/apt.log" 2>&1 \
            || { cat "$dl/apt.log"; die "apt-get source runc=$version failed"; }
        orig=$(ls "$dl"/runc_"${tag#v}"*.orig.tar.* | head -1)
    fi
    rm -rf "$src" && mkdir -p "$src"
    tar -x -C "$src" --strip-components=1 -f "$orig"
    echo "$orig" >"$src/.hd-commit"
}
if [ "$from" = git ]; then
    commit=$(git -C "$runc_git" rev-parse "$tag^{commit}")
    if [ "$(cat "$src/.hd-commit" 2>/dev/null || true)" != "$commit" ]; then
        say "extracting runc $tag ($commit) into $src"
        rm -rf "$src" && mkdir -p "$src"
        git -C "$runc_git" archive "$commit" | tar -x -C "$src"
        echo "$commit" >"$src/.hd-commit"
    fi
elif [ ! -s "$src/.hd-commit" ] || [ -d "$src/vendor" ]; then
    debian_source
fi
export GOPROXY=off GOCACHE=$work/go-cache
if [ -d "$src/vendor" ]; then
    helpers=(recvtty sd-helper seccompagent)
    export GOFLAGS=-mod=vendor GOPATH=$work/go
else
    # Debian's tree has no vendor/: the packages' sources in /usr/share/gocode,
    # and runc's own packages from the tree, found through a GOPATH link.
    helpers=(recvtty)
    mkdir -p "$work/gopath/src/github.com/opencontainers"
    ln -sfn "$src" "$work/gopath/src/github.com/opencontainers/runc"
    export GO111MODULE=off GOFLAGS= GOPATH=$work/gopath:/usr/share/gocode
fi
for cmd in "${helpers[@]}"; do
    [ -x "$src/contrib/cmd/$cmd/$cmd" ] && continue
    say "building $cmd"
    (cd "${GOPATH%%:*}/src/github.com/opencontainers/runc" 2>/dev/null || cd "$src"
     go build -trimpath -buildmode=pie -tags seccomp -o "$src/contrib/cmd/$cmd/$cmd" "./contrib/cmd/$cmd") \
        || die "building runc's $cmd failed"
done

# --- images (get-images.sh downloads only what is missing) ------------------
arch=$(go env GOARCH)
busybox_tar=$itest/testdata/busybox-$arch.tar.xz
debian_tar=$itest/testdata/debian-$arch.tar.xz

make_busybox() {
    local d=$work/img/busybox applet
    rm -rf "$d" && mkdir -p "$d"/{bin,dev,etc,home,root,tmp,usr/sbin,var/spool/mail,var/www}
    cp /bin/busybox "$d/bin/busybox"
    for applet in $(/bin/busybox --list); do
        [ "$applet" = busybox ] || ln "$d/bin/busybox" "$d/bin/$applet"
    done
    chmod 1777 "$d/tmp" && chmod 0700 "$d/root"
    cat >"$d/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
bin:x:2:2:bin:/bin:/bin/false
sys:x:3:3:sys:/dev:/bin/false
sync:x:4:100:sync:/bin:/bin/sync
mail:x:8:8:mail:/var/spool/mail:/bin/false
www-data:x:33:33:www-data:/var/www:/bin/false
operator:x:37:37:Operator:/var:/bin/false
nobody:x:65534:65534:nobody:/home:/bin/false
EOF
    cat >"$d/etc/group" <<'EOF'
root:x:0:
daemon:x:1:
bin:x:2:
sys:x:3:
adm:x:4:
tty:x:5:
disk:x:6:
lp:x:7:
mail:x:8:
kmem:x:9:
wheel:x:10:root
cdrom:x:11:
dialout:x:18:
floppy:x:19:
video:x:28:
audio:x:29:
tape:x:32:
www-data:x:33:
operator:x:37:
utmp:x:43:
plugdev:x:46:
staff:x:50:
lock:x:54:
netdev:x:82:
users:x:100:
nogroup:x:65534:
EOF
    tar --numeric-owner -C "$d" -cJf "$busybox_tar.part" . && mv "$busybox_tar.part" "$busybox_tar"
    rm -rf "$d"
}

# hooks.bats needs sh, ldconfig and grep with a glibc: the host's (Debian 12)
# binaries and the libraries they load, in a merged-/usr layout.
make_debian() {
    local d=$work/img/debian f lib
    rm -rf "$d" && mkdir -p "$d"/{usr/bin,usr/sbin,usr/lib,usr/lib64,etc,dev,proc,sys,tmp,root,var/cache/ldconfig}
    ln -s usr/bin "$d/bin" && ln -s usr/sbin "$d/sbin" && ln -s usr/lib "$d/lib" && ln -s usr/lib64 "$d/lib64"
    chmod 1777 "$d/tmp"
    for f in dash grep cat ls echo true env; do
        cp -L "/usr/bin/$f" "$d/usr/bin/$f"
    done
    ln -s dash "$d/usr/bin/sh"
    cp -L /sbin/ldconfig "$d/usr/sbin/ldconfig"
    for lib in $(for f in "$d"/usr/bin/*; do ldd "$f"; done | awk '$(NF - 1) ~ /^\// { print $(NF - 1) }' | sort -u); do
        mkdir -p "$d/$(dirname "$lib")"
        cp -L "$lib" "$d/$lib"
    done
    (cd "$d" && find usr/lib usr/lib64 -name '*.so*' -printf '/%h\n' | sort -u) >"$d/etc/ld.so.conf"
    printf 'root:x:0:0:root:/root:/bin/sh\n' >"$d/etc/passwd"
    printf 'root:x:0:\n' >"$d/etc/group"
    tar --numeric-owner -C "$d" -cJf "$debian_tar.part" . && mv "$debian_tar.part" "$debian_tar"
    rm -rf "$d"
}

[ -s "$busybox_tar" ] || { say "making $busybox_tar from /bin/busybox"; make_busybox; }
[ -s "$debian_tar" ] || { say "making $debian_tar from the host's binaries"; make_debian; }

# --- the two runtimes ----------------------------------------------------------
policy=$work/audit-policy.json
jq '.mode = "audit"' "$top/policy/profiles/default.json" >"$policy"
"$HARDENED" policy lint "$policy" >/dev/null \
    || die "$HARDENED cannot load $policy (is it built from this tree, $top?)"
mkdir -p "$work/bin"
cat >"$work/bin/runc" <<EOF
#!/bin/sh
exec '$HARDENED' --policy '$policy' --backend '$backend' "\$@"
EOF
chmod 0755 "$work/bin/runc"
"$work/bin/runc" --version >/dev/null || die "$work/bin/runc --version failed"

# --- the files to run ----------------------------------------------------------
if [ ${#files[@]} -eq 0 ]; then
    for f in "$itest"/*.bats; do
        case ${f##*/} in seccomp-notify*) continue ;; esac
        files+=("${f##*/}")
    done
fi
for f in "${files[@]}"; do
    [ -f "$itest/$f" ] || die "no $f in runc $tag's tests/integration"
done

# Containers a killed bats run left behind, under the suite's own state dirs.
reap() {
    local state ct
    for state in "$work"/tmp/bats-run-*/runc.*/state; do
        [ -d "$state" ] || continue
        for ct in $("$backend" --root "$state" list -q 2>/dev/null); do
            "$backend" --root "$state" delete -f "$ct" >/dev/null 2>&1 || true
        done
    done
    rm -rf "$work"/tmp/bats-run-* 2>/dev/null || true
    # the suite's parent cgroups: teardown forgets the v2 half of a hybrid
    # hierarchy (rmdir removes only what is empty)
    find /sys/fs/cgroup/*/runc-cgroups-integration-test -depth -type d -exec rmdir {} + 2>/dev/null || true
}

# TAP of one file -> "RESULT<TAB>FILE<TAB>TEST NAME" lines.
results_of() {
    awk -v f="$2" '
        /^ok [0-9]+ / {
            sub(/^ok [0-9]+ /, "")
            if (match($0, / # [Ss][Kk][Ii][Pp]( .*)?$/)) { print "skip\t" f "\t" substr($0, 1, RSTART - 1) }
            else { print "pass\t" f "\t" $0 }
            next
        }
        /^not ok [0-9]+ / { sub(/^not ok [0-9]+ /, ""); sub(/ # [Tt][Oo][Dd][Oo].*$/, ""); print "fail\t" f "\t" $0 }
    ' "$1"
}

res=$work/results
rm -rf "$res" && mkdir -p "$res/runc" "$res/hardened" "$work/tmp"
: >"$res/runc.txt"
: >"$res/hardened.txt"
run_side() { # SIDE RUNC FILE
    local side=$1 runc=$2 f=$3 rc=0 planned got
    reap
    # Under a pseudo-terminal, as runc's own CI runs it (`docker run -t`):
    # runc spec's "terminal": true needs a controlling terminal.
    (cd "$itest" && TMPDIR=$work/tmp RUNC=$runc timeout -k 30 "$per_file_timeout" \
        script -qefc "$(printf 'bats --tap %q >%q 2>%q' "$f" "$res/$side/$f.tap" "$res/$side/$f.err")" /dev/null \
        </dev/null >/dev/null 2>&1) || rc=$?
    results_of "$res/$side/$f.tap" "$f" >>"$res/$side.txt"
    planned=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$res/$side/$f.tap" | head -1)
    got=$(results_of "$res/$side/$f.tap" "$f" | wc -l)
    if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
        say "  $side: $f timed out after ${per_file_timeout}s ($got of ${planned:-?} tests reported)"
    elif [ "${planned:-0}" != "$got" ]; then
        say "  $side: $f reported $got of ${planned:-?} tests (bats status $rc; see $res/$side/$f.err)"
    fi
}

of_file() { awk -F'\t' -v f="$2" '$2 == f' "$1"; }
counts() { of_file "$1" "$2" | awk -F'\t' '{ n[$1]++ } END { printf "%d passed %d failed %d skipped", n["pass"], n["fail"], n["skip"] }'; }

say "runc $tag suite: ${#files[@]} file(s); runc = $backend; hardened = $HARDENED (audit policy $policy)"
for f in "${files[@]}"; do
    t0=$SECONDS
    run_side runc "$backend" "$f"
    run_side hardened "$work/bin/runc" "$f"
    if cmp -s <(of_file "$res/runc.txt" "$f") <(of_file "$res/hardened.txt" "$f"); then
        same=same
    else
        same=DIFFERENT
    fi
    say "$f: runc $(counts "$res/runc.txt" "$f"); hardened $(counts "$res/hardened.txt" "$f"): $same ($((SECONDS - t0))s)"
done
reap

# --- comparison ----------------------------------------------------------------
export LC_ALL=C
join -t $'\t' -j1 -a1 -a2 -e missing -o 0,1.2,2.2 \
    <(awk -F'\t' '{ print $2 ": " $3 "\t" $1 }' "$res/runc.txt" | sort -t $'\t' -k1,1) \
    <(awk -F'\t' '{ print $2 ": " $3 "\t" $1 }' "$res/hardened.txt" | sort -t $'\t' -k1,1) \
    | awk -F'\t' '$2 != $3 { print "  " $1 ": runc " $2 ", hardened " $3 }' >"$res/differences.txt"
total() { awk -F'\t' '{ n[$1]++ } END { printf "%d tests: %d passed, %d failed, %d skipped", NR, n["pass"], n["fail"], n["skip"] }' "$1"; }
{
    echo "runc $tag integration suite, ${#files[@]} file(s)"
    echo "  runc:     $(total "$res/runc.txt")"
    echo "  hardened: $(total "$res/hardened.txt")"
} | tee "$res/summary.txt"
if [ -s "$res/differences.txt" ]; then
    say "$(wc -l <"$res/differences.txt") test(s) differ (TAP and stderr in $res):"
    cat "$res/differences.txt"
    exit 1
fi
if [ ! -s "$res/runc.txt" ]; then
    say "no test ran"
    exit 1
fi
say "every result is the same through hardened"
