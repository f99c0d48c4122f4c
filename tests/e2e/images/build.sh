#!/bin/sh
# Real workload images for the e2e suite, from Debian's packages:
#   build.sh CACHE WORKLOAD...     (WORKLOAD: nginx, redis, postgresql)
# prints one line per workload, "WORKLOAD TARBALL", where TARBALL is a root
# filesystem ready for `docker import` (helpers.bash: e2e_workload_image,
# which also sets the image's CMD/USER from `build.sh --config WORKLOAD`).
#
# One `debootstrap --variant=minbase bookworm` base, cached in CACHE under a
# key of everything that shapes it (suite, mirror, this script), then per
# workload `apt-get install` in a copy of the base, trimmed (docs, man pages,
# locales, apt lists and caches) and packed; each tarball is cached under the
# base key and its package list, so a warm run only imports; entries of
# other keys are removed.  Entries are
# built in a temporary directory and renamed into place: an interrupted run
# leaves no half entry.  Needs root (debootstrap, chroot) and Debian's archive
# (HD_DEBIAN_MIRROR, default http://deb.debian.org/debian).
set -eu

SUITE=bookworm
MIRROR=${HD_DEBIAN_MIRROR:-http://deb.debian.org/debian}
SECURITY=${HD_DEBIAN_SECURITY:-http://deb.debian.org/debian-security}

# packages WORKLOAD: the Debian packages of one workload's image
packages() {
    case $1 in
    nginx) echo nginx-light ;;
    redis) echo redis-server ;;
    postgresql) echo postgresql ;;
    *)
        echo "build.sh: unknown workload \"$1\" (workloads: nginx, redis, postgresql)" >&2
        return 1
        ;;
    esac
}

# config WORKLOAD: the `docker import --change` lines of its image, one a line
config() {
    case $1 in
    nginx)
        echo 'CMD ["/usr/sbin/nginx", "-g", "daemon off;"]'
        echo 'EXPOSE 80'
        ;;
    redis)
        echo 'USER redis'
        echo 'WORKDIR /var/lib/redis'
        echo 'CMD ["/usr/bin/redis-server", "/etc/redis/redis.conf", "--daemonize", "no", "--supervised", "no", "--logfile", "", "--pidfile", ""]'
        echo 'EXPOSE 6379'
        ;;
    postgresql)
        echo 'USER postgres'
        echo 'ENV PGDATA=/var/lib/postgresql/data'
        echo 'VOLUME /var/lib/postgresql/data'
        echo 'CMD ["/usr/local/bin/hd-postgres"]'
        echo 'EXPOSE 5432'
        ;;
    *) packages "$1" >/dev/null ;;
    esac
}

# customise WORKLOAD ROOT: what a workload's image needs beyond its packages
customise() {
    case $1 in
    postgresql)
        # initdb on first start into PGDATA (the named volume), then the
        # server in the foreground, on its Debian socket directory
        cat >"$2/usr/local/bin/hd-postgres" <<'EOF'
#!/bin/sh
set -e
bin=/usr/lib/postgresql/15/bin
[ -s "$PGDATA/PG_VERSION" ] || "$bin/initdb" -D "$PGDATA" -U postgres --auth=trust >/dev/null
exec "$bin/postgres" -D "$PGDATA" -k /var/run/postgresql -c listen_addresses=127.0.0.1
EOF
        chmod 755 "$2/usr/local/bin/hd-postgres"
        mkdir -p "$2/var/lib/postgresql/data"
        chroot "$2" chown postgres:postgres /var/lib/postgresql/data
        chmod 700 "$2/var/lib/postgresql/data"
        ;;
    esac
}

key() { { echo "$SUITE $MIRROR $SECURITY"; cat "$0"; echo "$@"; } | sha256sum | cut -c1-16; }

# in_root ROOT COMMAND...: COMMAND chrooted in ROOT with /proc, /dev/pts and no daemon starts
in_root() {
    r=$1
    shift
    mount -t proc proc "$r/proc"
    rc=0
    chroot "$r" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive LC_ALL=C "$@" || rc=$?
    umount "$r/proc"
    return "$rc"
}

trim() {
    rm -rf "$1"/usr/share/doc/* "$1"/usr/share/man/* "$1"/usr/share/info/* "$1"/usr/share/locale/* \
        "$1"/var/cache/apt/* "$1"/var/lib/apt/lists/* "$1"/var/log/*.log "$1"/var/log/apt/* \
        "$1"/usr/sbin/policy-rc.d
}

# base CACHE: the cached debootstrap root (with apt lists), built if absent
base() {
    b=$1/base-$(key)
    [ -d "$b" ] && { echo "$b"; return 0; }
    t=$(mktemp -d "$1/tmp.base.XXXXXX")
    debootstrap --variant=minbase "$SUITE" "$t" "$MIRROR" >"$t.log" 2>&1 \
        || { tail -20 "$t.log" >&2; rm -rf "$t"; return 1; }
    printf 'deb %s %s main\ndeb %s %s-updates main\ndeb %s %s-security main\n' \
        "$MIRROR" "$SUITE" "$MIRROR" "$SUITE" "$SECURITY" "$SUITE" >"$t/etc/apt/sources.list"
    # packages install, no service starts (there is no init in a chroot)
    printf '#!/bin/sh\nexit 101\n' >"$t/usr/sbin/policy-rc.d"
    chmod 755 "$t/usr/sbin/policy-rc.d"
    printf 'path-exclude=/usr/share/doc/*\npath-exclude=/usr/share/man/*\npath-exclude=/usr/share/locale/*\n' \
        >"$t/etc/dpkg/dpkg.cfg.d/01-hd-trim"
    # PostgreSQL: no cluster at install; the image's entry point makes one in PGDATA
    mkdir -p "$t/etc/postgresql-common/createcluster.d"
    echo 'create_main_cluster = false' >"$t/etc/postgresql-common/createcluster.d/hd.conf"
    in_root "$t" apt-get -q update >>"$t.log" 2>&1 \
        && in_root "$t" apt-get -q -y upgrade >>"$t.log" 2>&1 \
        || { tail -20 "$t.log" >&2; rm -rf "$t"; return 1; }
    rm -f "$t.log"
    # a concurrent build may have won: keep its entry (mv -T never moves into it)
    mv -T "$t" "$b" 2>/dev/null || rm -rf "$t"
    echo "$b"
}

# image CACHE BASE WORKLOAD: the cached tarball of WORKLOAD, built if absent
image() {
    pk=$(packages "$3")
    out=$1/$3-$(key "$pk").tar
    [ -f "$out" ] && { echo "$out"; return 0; }
    t=$(mktemp -d "$1/tmp.$3.XXXXXX")
    cp -a "$2/." "$t/"
    # shellcheck disable=SC2086 # a list of package names
    in_root "$t" apt-get -q -y install --no-install-recommends $pk >"$t.log" 2>&1 \
        || { tail -20 "$t.log" >&2; rm -rf "$t" "$t.log"; return 1; }
    customise "$3" "$t"
    trim "$t"
    tar -C "$t" --numeric-owner -cf "$out.tmp" .
    mv "$out.tmp" "$out"
    rm -rf "$t" "$t.log"
    echo "$out"
}

# prune CACHE: remove the bases and tarballs of other keys (an older
# script, mirror or package list), never a build in progress (tmp.*)
prune() {
    keep=" $1/base-$(key) "
    for w in nginx redis postgresql; do keep="$keep $1/$w-$(key "$(packages "$w")").tar "; done
    for f in "$1"/base-* "$1"/*.tar; do
        [ -e "$f" ] || continue
        case $keep in *" $f "*) ;; *) rm -rf "$f" ;; esac
    done
}

main() {
    if [ "${1:-}" = --config ]; then
        config "$2"
        return
    fi
    [ $# -ge 2 ] || { echo "usage: build.sh CACHE WORKLOAD... | build.sh --config WORKLOAD" >&2; return 2; }
    cache=$1
    shift
    for w in "$@"; do packages "$w" >/dev/null; done
    mkdir -p "$cache"
    prune "$cache"
    b=$(base "$cache")
    for w in "$@"; do
        echo "$w $(image "$cache" "$b" "$w")"
    done
}

main "$@"
