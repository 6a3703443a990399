#!/usr/bin/env bash
# The production stack on loopback, from a clean clone, for the stack test (tests/stack/):
# PostgreSQL 15 primary + streaming replica (pg_basebackup), Redis, gunicorn (2 workers), the task
# worker (restarted when it dies, as systemd's Restart=always does), the scheduler, and nginx (Debian's
# package, site config from deploy/nginx/) terminating TLS with a certificate made here.
#
#   scripts/prod-stack.sh run -- CMD...   start it all, run CMD with the STACK_* variables (and the app's
#                                         own) set, then always stop everything and delete its files
#
# Every port is asked of the kernel; everything lives in one directory under /tmp. KEEP_STACK=1 keeps
# that directory (logs) after the run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
PY="$ROOT/.venv/bin/python"

die() {
    echo "prod-stack.sh: $*" >&2
    exit 1
}
log() { echo "prod-stack.sh: $*" >&2; }

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

ensure_packages() {
    local missing=()
    command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
    command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
    command -v openssl >/dev/null 2>&1 || missing+=(openssl)
    [ "${#missing[@]}" -eq 0 ] && return 0
    [ "$(id -u)" -eq 0 ] || die "install ${missing[*]} first (sudo apt-get install -y ${missing[*]})"
    log "installing ${missing[*]} (Debian packages)"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    # The packages' own services are not this stack's: leave nothing of theirs running.
    if command -v systemctl >/dev/null 2>&1; then systemctl stop nginx redis-server >/dev/null 2>&1 || true; fi
}

# Start a long-running process in its own process group (stopped as a group), logging to a file.
spawn() {
    local name=$1
    shift
    setsid "$@" >"$STACK_DIR/$name.log" 2>&1 </dev/null &
    echo $! >"$STACK_DIR/$name.pgid"
}

wait_for() {
    local what=$1 tries=$2
    shift 2
    for _ in $(seq "$tries"); do
        if "$@" >/dev/null 2>&1; then return 0; fi
        sleep 0.25
    done
    die "$what did not come up; see $STACK_DIR"
}

start() {
    ensure_packages
    [ -x "$PY" ] || die "run 'make install' first"
    STACK_DIR=$(mktemp -d /tmp/strategy-tracker-stack.XXXXXX)
    chmod 755 "$STACK_DIR"
    export STACK_DIR
    local started=$SECONDS

    # PostgreSQL with every statement logged, so the test can see which server answered a read. The
    # fault test's restart is a clean (fast) shutdown, which writes every commit out, so fsync can stay
    # off here as in the test suite's server (PG_DURABLE=1 turns it on).
    export PG_DIR="$STACK_DIR/pg" PG_DURABLE=${PG_DURABLE:-0}
    export PG_EXTRA_OPTS="-c log_statement=all -c log_min_messages=warning"
    scripts/postgres.sh start >/dev/null
    scripts/postgres.sh replica >/dev/null

    local redis_port https_port http_port app_port
    redis_port=$(free_port)
    redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
        --maxmemory 64mb --maxmemory-policy allkeys-lru \
        --pidfile "$STACK_DIR/redis.pid" --logfile "$STACK_DIR/redis.log" --dir "$STACK_DIR" >/dev/null
    https_port=$(free_port)
    http_port=$(free_port)
    app_port=$(free_port)

    mkdir -p "$STACK_DIR/media" "$STACK_DIR/mail" "$STACK_DIR/static"
    # The app's configuration, all from the environment, as in production (see docs/deploy.md).
    cat >"$STACK_DIR/env" <<ENV
export DJANGO_DEBUG=0
export DJANGO_SECRET_KEY=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')
export DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost
export DJANGO_CSRF_TRUSTED_ORIGINS=https://127.0.0.1:$https_port
export DJANGO_BEHIND_TLS_PROXY=1
export DJANGO_TRUSTED_PROXY_COUNT=1
export DJANGO_SECURE_SSL_REDIRECT=1
export DJANGO_SECURE_HSTS_SECONDS=3600
export DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS=1
export DJANGO_SECURE_HSTS_PRELOAD=1
export DATABASE_URL=$(scripts/postgres.sh url)
export DATABASE_REPLICA_URL=$(scripts/postgres.sh replica-url)
export DATABASE_POOL=1
export REDIS_URL=redis://127.0.0.1:$redis_port/0
export DJANGO_MEDIA_ROOT=$STACK_DIR/media
export DJANGO_STATIC_ROOT=$STACK_DIR/static
export DJANGO_EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend
export DJANGO_EMAIL_FILE_PATH=$STACK_DIR/mail
export DJANGO_SITE_URL=https://127.0.0.1:$https_port
export TASKS_RUNNING_TIMEOUT=8
export TASKS_SWEEP_INTERVAL=2
export GUNICORN_BIND=127.0.0.1:$app_port
export GUNICORN_WORKERS=2
export GUNICORN_PID_FILE=$STACK_DIR/gunicorn.pid
export STACK_URL=https://127.0.0.1:$https_port
export STACK_HTTP_URL=http://127.0.0.1:$http_port
export STACK_CA=$STACK_DIR/tls/cert.pem
export STACK_PG_LOG=$STACK_DIR/pg/server.log
export STACK_REPLICA_LOG=$STACK_DIR/pg/replica.log
export STACK_WORKER_PID_FILE=$STACK_DIR/worker.pid
ENV
    # shellcheck disable=SC1091
    source "$STACK_DIR/env"

    "$PY" manage.py migrate --no-input -v 0
    "$PY" manage.py seed -v 0
    "$PY" manage.py create_demo_accounts --allow-production >/dev/null
    "$PY" manage.py collectstatic --no-input -v 0

    spawn gunicorn "$ROOT/.venv/bin/gunicorn" -c deploy/gunicorn.conf.py
    # The worker, restarted a second after it dies; its pid is in worker.pid for the fault test.
    spawn worker bash -c "while true; do \"$PY\" manage.py db_worker --interval 0.2 --no-startup-delay \
        --worker-id \"stack-\$(date +%s%N)\" & echo \$! >\"$STACK_WORKER_PID_FILE\"; wait \$!; sleep 1; done"
    spawn scheduler "$PY" manage.py run_scheduler

    # TLS: a self-signed certificate for 127.0.0.1 and localhost, trusted by the test (STACK_CA).
    mkdir -p "$STACK_DIR/tls"
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=localhost" \
        -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
        -keyout "$STACK_DIR/tls/key.pem" -out "$STACK_DIR/tls/cert.pem" >/dev/null 2>&1
    mkdir -p "$STACK_DIR/nginx-tmp"
    local user_line=""
    if [ "$(id -u)" -eq 0 ]; then
        user_line="user www-data;"
        id www-data >/dev/null 2>&1 || user_line="user nobody nogroup;"
        chown -R "$(echo "$user_line" | awk '{print $2}' | tr -d ';')" "$STACK_DIR/nginx-tmp"
    fi
    sed -e "s|@SERVER_NAME@|127.0.0.1 localhost|" -e "s|@LISTEN_HTTPS@|127.0.0.1:$https_port|" \
        -e "s|@LISTEN_HTTP@|127.0.0.1:$http_port|" -e "s|@CERT@|$STACK_DIR/tls/cert.pem|" \
        -e "s|@KEY@|$STACK_DIR/tls/key.pem|" -e "s|@UPSTREAM@|127.0.0.1:$app_port|" \
        -e "s|return 301 https://\$host:127.0.0.1:$https_port|return 301 https://\$host:$https_port|" \
        deploy/nginx/strategy-tracker.conf >"$STACK_DIR/site.conf"
    cat >"$STACK_DIR/nginx.conf" <<NGINX
$user_line
worker_processes 2;
pid $STACK_DIR/nginx.pid;
error_log $STACK_DIR/nginx-error.log warn;
events { worker_connections 512; }
http {
    include /etc/nginx/mime.types;
    log_format json escape=json '{"time":"\$time_iso8601","logger":"nginx","request_id":"\$request_id",'
        '"method":"\$request_method","uri":"\$request_uri","status":\$status,"ms":"\$request_time"}';
    access_log $STACK_DIR/nginx-access.log json;
    client_body_temp_path $STACK_DIR/nginx-tmp/body;
    proxy_temp_path $STACK_DIR/nginx-tmp/proxy;
    fastcgi_temp_path $STACK_DIR/nginx-tmp/fastcgi;
    uwsgi_temp_path $STACK_DIR/nginx-tmp/uwsgi;
    scgi_temp_path $STACK_DIR/nginx-tmp/scgi;
    include $STACK_DIR/site.conf;
}
NGINX
    local nginx_bin
    nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
    "$nginx_bin" -t -q -c "$STACK_DIR/nginx.conf" -p "$STACK_DIR" -e "$STACK_DIR/nginx-error.log"
    "$nginx_bin" -c "$STACK_DIR/nginx.conf" -p "$STACK_DIR" -e "$STACK_DIR/nginx-error.log"
    wait_for "the site over HTTPS" 120 curl -fsS --cacert "$STACK_CA" "$STACK_URL/readyz"
    log "stack ready in $((SECONDS - started)) s at $STACK_URL (files in $STACK_DIR)"
}

stop_group() {
    local file="$STACK_DIR/$1.pgid"
    [ -s "$file" ] || return 0
    kill -TERM -- "-$(cat "$file")" 2>/dev/null || true
    for _ in $(seq 40); do
        kill -0 -- "-$(cat "$file")" 2>/dev/null || return 0
        sleep 0.25
    done
    kill -KILL -- "-$(cat "$file")" 2>/dev/null || true
}

stop() {
    [ -n "${STACK_DIR:-}" ] && [ -d "$STACK_DIR" ] || return 0
    if [ -s "$STACK_DIR/nginx.pid" ]; then kill -QUIT "$(cat "$STACK_DIR/nginx.pid")" 2>/dev/null || true; fi
    stop_group worker
    stop_group scheduler
    stop_group gunicorn
    if [ -s "$STACK_DIR/redis.pid" ]; then kill -TERM "$(cat "$STACK_DIR/redis.pid")" 2>/dev/null || true; fi
    PG_DIR="$STACK_DIR/pg" scripts/postgres.sh stop || true
    sleep 0.5
    if [ "${KEEP_STACK:-0}" = 1 ]; then
        log "kept $STACK_DIR"
    else
        rm -rf "$STACK_DIR"
    fi
}

run() {
    [ "${1:-}" = "--" ] && shift
    [ "$#" -gt 0 ] || die "usage: $0 run -- COMMAND..."
    trap stop EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    start
    "$@"
}

case "${1:-}" in
run)
    shift
    run "$@"
    ;;
*) die "usage: $0 run -- COMMAND..." ;;
esac
