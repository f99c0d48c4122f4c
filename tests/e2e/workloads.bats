#!/usr/bin/env bats
# Real services from Debian's packages (tests/e2e/images/build.sh: nginx,
# redis, postgresql) on a private Docker: each serves under plain runc;
# under the default policy each breaks where its service says so; in audit
# mode each serves and the decision log and `docker diff` name what it
# needs; with those relaxations given from Docker's side (tmpfs, volumes)
# each serves under the default policy unchanged.  The findings and the
# relaxations per workload: tests/e2e/images/FINDINGS.md.

bats_require_minimum_version 1.5.0
load helpers

setup_file() {
    command -v debootstrap >/dev/null || e2e_unmet "the workload images" "debootstrap missing" || return 1
    e2e_setup_daemon || return 1
    for w in nginx redis postgresql; do
        e2e_workload_image "$E2E_DIR" "$w" || return 1
    done
    # the default and audit policies again, each with a decision log
    jq --arg l "$E2E_DIR/decisions.jsonl" '.decisionLog = $l' \
        "$top_srcdir/policy/profiles/default.json" > "$E2E_DIR/policy-default-log.json"
    jq '.mode = "audit"' "$E2E_DIR/policy-default-log.json" > "$E2E_DIR/policy-audit-log.json"
    e2e_add_runtime hardened-log "$E2E_DIR/policy-default-log.json" || return 1
    e2e_add_runtime hardened-audit-log "$E2E_DIR/policy-audit-log.json" || return 1
}

teardown_file() { e2e_teardown "${E2E_DIR:-}"; }

setup() { e2e_require; }

teardown() { e2e_rm_containers "$E2E_DIR"; }

# An HTTP/1.0 GET over the container's own loopback (no curl in the image:
# bash's /dev/tcp); Docker runs with "bridge": "none", so only exec reaches it.
GET='exec 3<>/dev/tcp/127.0.0.1/80 && printf "GET / HTTP/1.0\r\nHost: localhost\r\n\r\n" >&3 && cat <&3'
# nginx's writable paths as tmpfs owned by the policy's uid (65534): runc
# gives a tmpfs the mode of the directory it covers, so ownership is what
# makes it writable
NGINX_TMPFS=(--tmpfs /run:uid=65534,gid=65534 --tmpfs /var/lib/nginx:uid=65534,gid=65534
    --tmpfs /var/log/nginx:uid=65534,gid=65534)

http_get() { dk exec "$1" bash -c "$GET"; }
# nginx_serves ID: its default page, once it answers
nginx_serves() {
    e2e_wait 20 http_get "$1"
    run http_get "$1"
    [ "${lines[0]}" = $'HTTP/1.1 200 OK\r' ]
    [[ "$output" == *"<title>Welcome to nginx!</title>"* ]]
}
pong() { [ "$(dk exec "$1" redis-cli ping)" = PONG ]; }
psql_c() { dk exec "$1" psql -h /var/run/postgresql -U postgres -tAc "$2"; }
pg_ready() { [ "$(psql_c "$1" 'select 1')" = 1 ]; }
# pg_serves_and_keeps ID: select 1 answers 1, and a row written survives a restart
pg_serves_and_keeps() {
    e2e_wait 30 pg_ready "$1"
    [ "$(psql_c "$1" 'select 1')" = 1 ]
    psql_c "$1" "create table t (v text); insert into t values ('kept')"
    dk restart "$1" >/dev/null
    e2e_wait 30 pg_ready "$1"
    [ "$(psql_c "$1" 'select v from t')" = kept ]
}
exited() { [ "$(dk inspect -f '{{.State.Status}}' "$1")" = exited ]; }
# record ID: the decision log's create record of container ID
record() { jq -c --arg id "$(dk inspect -f '{{.Id}}' "$1")" 'select(.container == $id and .verb == "create")' "$E2E_DIR/decisions.jsonl"; }

@test "runc: nginx serves its default page over the container's loopback" {
    dk run -d --name web --runtime=runc --network none hd-nginx:e2e
    nginx_serves web
}

@test "runc: redis answers PONG and saves to /var/lib/redis" {
    dk run -d --name kv --runtime=runc --network none hd-redis:e2e
    e2e_wait 20 pong kv
    run dk exec kv redis-cli save
    [ "$output" = OK ]
}

@test "runc: postgresql answers select 1; a row in its named volume survives a restart" {
    dk volume create pg-runc >/dev/null
    dk run -d --name db --runtime=runc --network none -v pg-runc:/var/lib/postgresql/data hd-postgresql:e2e
    pg_serves_and_keeps db
}

@test "default policy: nginx runs as 65534 on a read-only root and stops at its first mkdir" {
    dk run -d --name web --runtime=hardened-log --network none hd-nginx:e2e
    e2e_wait 20 exited web
    [ "$(dk inspect -f '{{.State.ExitCode}}' web)" = 1 ]
    run dk logs web
    [[ "$output" == *'[emerg] 1#1: mkdir() "/var/lib/nginx/body" failed (30: Read-only file system)'* ]]
    rec=$(record web)
    [ "$(jq -r .decision <<<"$rec")" = rewritten ]
    jq -e '.changes | any(.field == "/process/user/uid" and .requested == "0" and .applied == "65534")' <<<"$rec"
    jq -e '.changes | any(.rule == "rootfs.readOnly" and .applied == "true")' <<<"$rec"
}

@test "default policy: redis keeps its uid and answers PONG, but SAVE fails on the read-only root" {
    dk run -d --name kv --runtime=hardened-log --network none hd-redis:e2e
    e2e_wait 20 pong kv
    run dk exec kv id
    [[ "$output" == "uid="[0-9]*"(redis) gid=65534(nogroup) groups=65534(nogroup)" ]]
    run dk exec kv redis-cli save
    [ "$output" = ERR ]
    run dk logs kv
    [[ "$output" == *"Failed opening the temp RDB file temp-1.rdb (in server root dir /var/lib/redis) for saving: Read-only file system"* ]]
    rec=$(record kv)
    jq -e '.changes | any(.field == "/process/user/gid" and .applied == "65534")' <<<"$rec"
    [ "$(jq '.changes | any(.field == "/process/user/uid")' <<<"$rec")" = false ]
}

@test "default policy: postgresql initialises its volume, then cannot create its socket lock file" {
    dk volume create pg-default >/dev/null
    dk run -d --name db --runtime=hardened-log --network none -v pg-default:/var/lib/postgresql/data hd-postgresql:e2e
    e2e_wait 30 exited db
    run dk logs db
    [[ "$output" == *'FATAL:  could not create lock file "/var/run/postgresql/.s.PGSQL.5432.lock": Read-only file system'* ]]
    [ "$(jq -r .decision <<<"$(record db)")" = rewritten ]
}

@test "audit mode: all three serve; the decision log lists the rules, docker diff the paths each writes" {
    dk volume create pg-audit >/dev/null
    dk run -d --name web --runtime=hardened-audit-log --network none hd-nginx:e2e
    dk run -d --name kv --runtime=hardened-audit-log --network none hd-redis:e2e
    dk run -d --name db --runtime=hardened-audit-log --network none -v pg-audit:/var/lib/postgresql/data hd-postgresql:e2e
    e2e_wait 20 http_get web
    e2e_wait 20 pong kv
    e2e_wait 30 pg_ready db
    dk exec kv redis-cli save
    for c in web kv db; do
        rec=$(record "$c")
        [ "$(jq -r .decision <<<"$rec")" = allowed ]
        jq -e '.rules | index("user.nonRoot") and index("rootfs.readOnly")' <<<"$rec"
    done
    run dk diff web
    [[ "$output" == *"A /run/nginx.pid"* ]]
    [[ "$output" == *"A /var/lib/nginx/body"* ]]
    [[ "$output" == *"C /var/log/nginx/access.log"* ]]
    run dk diff kv
    [[ "$output" == *"A /var/lib/redis/dump.rdb"* ]]
    run dk diff db
    [[ "$output" == *"A /run/postgresql/.s.PGSQL.5432.lock"* ]]
}

@test "default policy, relaxed from Docker's side: nginx with three tmpfs serves on port 80 as 65534, no capability" {
    dk run -d --name web --runtime=hardened-log --network none "${NGINX_TMPFS[@]}" hd-nginx:e2e
    nginx_serves web
    run dk exec web sh -c 'id -u; grep CapEff /proc/1/status; cat /proc/sys/net/ipv4/ip_unprivileged_port_start'
    [ "${lines[0]}" = 65534 ]
    [ "${lines[1]}" = $'CapEff:\t0000000000000000' ]
    [ "${lines[2]}" = 0 ]                                   # Docker's own sysctl lets any uid bind 80
}

@test "default policy: port 80 as 65534 needs Docker's sysctl; without it --cap-add NET_BIND_SERVICE does not help" {
    dk run -d --name web --runtime=hardened-log --network none --cap-add NET_BIND_SERVICE \
        --sysctl net.ipv4.ip_unprivileged_port_start=1024 "${NGINX_TMPFS[@]}" hd-nginx:e2e
    e2e_wait 20 exited web
    run dk logs web
    [[ "$output" == *"bind() to 0.0.0.0:80 failed (13: Permission denied)"* ]]
}

@test "default policy, relaxed from Docker's side: redis with a volume on /var/lib/redis saves, and the key survives a restart" {
    dk volume create kv-data >/dev/null
    dk run -d --name kv --runtime=hardened-log --network none -v kv-data:/var/lib/redis hd-redis:e2e
    e2e_wait 20 pong kv
    dk exec kv redis-cli set k kept
    run dk exec kv redis-cli save
    [ "$output" = OK ]
    dk restart kv >/dev/null
    e2e_wait 20 pong kv
    run dk exec kv redis-cli get k
    [ "$output" = kept ]
}

@test "default policy, relaxed from Docker's side: postgresql with a tmpfs socket directory serves; its data survives a restart" {
    local uid
    uid=$(dk run --rm --runtime=runc --network none --entrypoint id hd-postgresql:e2e -u)
    dk volume create pg-relaxed >/dev/null
    dk run -d --name db --runtime=hardened-log --network none -v pg-relaxed:/var/lib/postgresql/data \
        --tmpfs "/var/run/postgresql:uid=$uid,gid=65534" hd-postgresql:e2e
    pg_serves_and_keeps db
    run dk exec db sh -c 'id -u; grep CapEff /proc/self/status'
    [ "${lines[0]}" = "$uid" ]
    [ "${lines[1]}" = $'CapEff:\t0000000000000000' ]
}

@test "the profiles (examples/profiles: default.json plus each one's tmpfs paths) serve: nginx's page, postgresql's select 1 and its data across a restart" {
    # the rule's tmpfs are the container user's (runc keeps the mode of the
    # image directory they cover, root's 0755 here)
    "$HARDENED" policy lint "$top_srcdir/examples/profiles/nginx.json" "$top_srcdir/examples/profiles/postgresql.json"
    e2e_add_runtime hardened-nginx "$top_srcdir/examples/profiles/nginx.json"
    e2e_add_runtime hardened-postgresql "$top_srcdir/examples/profiles/postgresql.json"
    dk volume create pg-profile >/dev/null
    dk run -d --name web --runtime=hardened-nginx --network none hd-nginx:e2e
    dk run -d --name db --runtime=hardened-postgresql --network none -v pg-profile:/var/lib/postgresql/data hd-postgresql:e2e
    nginx_serves web
    run dk exec web sh -c 'id -u; stat -c "%U %a" /var/lib/nginx; touch /x'
    [ "${lines[0]}" = 65534 ]
    [ "${lines[1]}" = "nobody 755" ]
    [[ "${lines[2]}" == *"Read-only file system"* ]]
    pg_serves_and_keeps db
    # without its profile the same image stops at its first mkdir (above)
}

@test "the nginx profile where unprivileged ports start at 1024 (containerd's default): nginx binds port 80 as 65534 with its granted CAP_NET_BIND_SERVICE, its only capability" {
    e2e_add_runtime hardened-nginx "$top_srcdir/examples/profiles/nginx.json"
    dk run -d --name web --runtime=hardened-nginx --network none \
        --sysctl net.ipv4.ip_unprivileged_port_start=1024 hd-nginx:e2e
    nginx_serves web
    run dk exec web sh -c 'id -u; grep -E "^Cap(Eff|Amb)" /proc/1/status; cat /proc/sys/net/ipv4/ip_unprivileged_port_start'
    [ "${lines[0]}" = 65534 ]
    [ "${lines[1]}" = $'CapEff:\t0000000000000400' ]
    [ "${lines[2]}" = $'CapAmb:\t0000000000000400' ]
    [ "${lines[3]}" = 1024 ]
    # the same container under default.json and the profile's tmpfs only
    # (test 6 above: the bind is refused) is the control
}

@test "a per-image exemption in the node's one policy: nginx's ID gets its tmpfs and serves; an image retagged as hd-nginx:e2e (another ID) gets nothing" {
    local id
    id=$(dk image inspect --format '{{.Id}}' hd-nginx:e2e)
    jq --arg id "$id" --arg l "$E2E_DIR/decisions.jsonl" '.decisionLog = $l
        | .exemptions = [{name: "nginx", match: {images: [$id]},
                          rules: {readOnlyRootfs: {tmpfs: ["/tmp", "/run", "/var/lib/nginx", "/var/log/nginx"]}}}]' \
        "$top_srcdir/policy/profiles/default.json" > "$E2E_DIR/policy-node.json"
    e2e_add_runtime hardened-node "$E2E_DIR/policy-node.json"
    dk run -d --name web --runtime=hardened-node --network none hd-nginx:e2e
    nginx_serves web
    rec=$(record web)
    [ "$(jq -r .exemption <<<"$rec")" = nginx ]
    [ "$(jq -r .image.id <<<"$rec")" = "$id" ]
    # the same name on other content (redis's image, retagged) is judged by its ID
    dk tag hd-redis:e2e hd-nginx:impostor
    dk run -d --name imp --runtime=hardened-node --network none --entrypoint sleep hd-nginx:impostor 60
    rec=$(record imp)
    [ "$(jq -r .exemption <<<"$rec")" = null ]
    run dk exec imp sh -c 'touch /var/lib/nginx 2>&1; grep -c " /var/lib/nginx " /proc/mounts'
    [ "${lines[-1]}" = 0 ]                                  # no tmpfs there
}
