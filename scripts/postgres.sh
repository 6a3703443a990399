#!/usr/bin/env bash
# A throwaway PostgreSQL 15 for the test suite: loopback only, data under /tmp, removed on stop.
#
#   scripts/postgres.sh run -- CMD...   start a fresh server, run CMD with DATABASE_URL set, then always
#                                       stop it and delete its data (also on failure or Ctrl-C)
#   scripts/postgres.sh start           start a server in $PG_DIR (default /tmp/strategy-tracker-pg-$UID)
#   scripts/postgres.sh url             print its DATABASE_URL
#   scripts/postgres.sh stop            stop it (and its replica) and delete $PG_DIR
#   scripts/postgres.sh replica         add a streaming replica of it (pg_basebackup) on another port
#   scripts/postgres.sh replica-url     print the replica's DATABASE_URL
#   scripts/postgres.sh restart         restart the primary (fast shutdown, as a package upgrade does)
#
# PG_DURABLE=1 keeps fsync and synchronous commit on (scripts/prod-stack.sh: its fault tests restart
# the server and check that nothing is half-written); PG_EXTRA_OPTS adds server options to both servers.
#
# `run` uses a new directory each time, so several checkouts (or engineers) can test at once.
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PG_DIR=${PG_DIR:-/tmp/strategy-tracker-pg-$(id -u)}
DB_NAME=strategy_tracker
DB_USER=strategy_tracker

die() {
    echo "postgres.sh: $*" >&2
    exit 1
}

# initdb, pg_ctl and postgres refuse to run as root (CI runs as root), so as root we run them as the
# `postgres` system user. Its data must then live where that user can reach: /tmp, not /root.
as_pg() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

free_port() {
    # Ask the kernel for a free port. Another process could take it before postgres binds it,
    # so start() retries with a new port if the server does not come up.
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
    [ -x "$PG_BIN/postgres" ] || die "PostgreSQL 15 is not installed in $PG_BIN (apt-get install postgresql-15)"
    [ ! -e "$PG_DIR/data" ] || die "$PG_DIR already holds a server; run '$0 stop' first"
    if [ "$(id -u)" -eq 0 ]; then
        id postgres >/dev/null 2>&1 || die "running as root needs a 'postgres' system user"
    fi
    mkdir -p "$PG_DIR"
    chmod 700 "$PG_DIR"
    [ "$(id -u)" -ne 0 ] || chown postgres: "$PG_DIR"

    # Trust auth is acceptable only because the server listens on loopback and lives for one test run.
    as_pg "$PG_BIN/initdb" --pgdata="$PG_DIR/data" --username=postgres --auth=trust \
        --encoding=UTF8 --no-locale >"$PG_DIR/initdb.log" 2>&1 ||
        { cat "$PG_DIR/initdb.log" >&2; die "initdb failed"; }

    # fsync/synchronous_commit/full_page_writes off: the data is thrown away after the run, so
    # crash safety buys nothing and costs most of the time of creating the test database.
    local fast="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    [ "${PG_DURABLE:-0}" != 1 ] || fast=""
    fast="$fast ${PG_EXTRA_OPTS:-}"
    echo "$fast" >"$PG_DIR/options"
    local port attempt
    for attempt in 1 2 3; do
        port=$(free_port)
        if as_pg "$PG_BIN/pg_ctl" --pgdata="$PG_DIR/data" --log="$PG_DIR/server.log" --wait --timeout=30 \
            -o "$(server_options "$port")" start >/dev/null; then
            echo "$port" >"$PG_DIR/port"
            break
        fi
        echo "postgres.sh: server did not start on port $port (attempt $attempt)" >&2
        tail -n 5 "$PG_DIR/server.log" >&2 || true
    done
    [ -s "$PG_DIR/port" ] || die "could not start PostgreSQL; see $PG_DIR/server.log"

    # The app's role is not a superuser, as in production, but may CREATE DATABASE:
    # pytest-django creates and drops test_$DB_NAME, or one test_${DB_NAME}_gwN per pytest-xdist worker.
    as_pg "$PG_BIN/psql" --host=127.0.0.1 --port="$port" --username=postgres --dbname=postgres \
        --quiet --no-psqlrc --set=ON_ERROR_STOP=1 \
        --command="CREATE ROLE $DB_USER LOGIN CREATEDB" \
        --command="CREATE DATABASE $DB_NAME OWNER $DB_USER" >/dev/null
}

url() {
    [ -s "$PG_DIR/port" ] || die "no server is running in $PG_DIR"
    echo "postgres://$DB_USER@127.0.0.1:$(cat "$PG_DIR/port")/$DB_NAME"
}

server_options() {
    echo "-c listen_addresses=127.0.0.1 -c port=$1 -c unix_socket_directories='$PG_DIR' $(cat "$PG_DIR/options")"
}

replica() {
    [ -s "$PG_DIR/port" ] || die "no primary is running in $PG_DIR"
    [ ! -e "$PG_DIR/replica" ] || die "$PG_DIR already has a replica"
    # A base backup of the running primary, with standby.signal and primary_conninfo (-R): the new
    # server starts as a hot standby streaming the primary's WAL.
    as_pg "$PG_BIN/pg_basebackup" --host=127.0.0.1 --port="$(cat "$PG_DIR/port")" --username=postgres \
        --pgdata="$PG_DIR/replica" --write-recovery-conf --wal-method=stream --checkpoint=fast \
        >"$PG_DIR/basebackup.log" 2>&1 || { cat "$PG_DIR/basebackup.log" >&2; die "pg_basebackup failed"; }
    local port attempt
    for attempt in 1 2 3; do
        port=$(free_port)
        if as_pg "$PG_BIN/pg_ctl" --pgdata="$PG_DIR/replica" --log="$PG_DIR/replica.log" --wait --timeout=30 \
            -o "$(server_options "$port")" start >/dev/null; then
            echo "$port" >"$PG_DIR/replica-port"
            break
        fi
        echo "postgres.sh: replica did not start on port $port (attempt $attempt)" >&2
    done
    [ -s "$PG_DIR/replica-port" ] || die "could not start the replica; see $PG_DIR/replica.log"
    local in_recovery
    in_recovery=$(as_pg "$PG_BIN/psql" --host=127.0.0.1 --port="$port" --username=postgres --dbname=postgres \
        --no-psqlrc --tuples-only --no-align --command="SELECT pg_is_in_recovery()")
    [ "$in_recovery" = t ] || die "the replica is not in recovery mode"
}

replica_url() {
    [ -s "$PG_DIR/replica-port" ] || die "no replica is running in $PG_DIR"
    echo "postgres://$DB_USER@127.0.0.1:$(cat "$PG_DIR/replica-port")/$DB_NAME"
}

restart() {
    [ -s "$PG_DIR/port" ] || die "no server is running in $PG_DIR"
    as_pg "$PG_BIN/pg_ctl" --pgdata="$PG_DIR/data" --log="$PG_DIR/server.log" --mode=fast --wait --timeout=60 \
        -o "$(server_options "$(cat "$PG_DIR/port")")" restart >/dev/null
}

stop() {
    [ -d "$PG_DIR" ] || return 0
    if [ -f "$PG_DIR/replica/postmaster.pid" ]; then
        as_pg "$PG_BIN/pg_ctl" --pgdata="$PG_DIR/replica" --mode=immediate --wait stop >/dev/null 2>&1 || true
    fi
    if [ -f "$PG_DIR/data/postmaster.pid" ]; then
        # Immediate mode: nothing here is worth a clean shutdown. (After Ctrl-C the server may
        # already be shutting down from the same SIGINT, so a failure here is not an error.)
        as_pg "$PG_BIN/pg_ctl" --pgdata="$PG_DIR/data" --mode=immediate --wait stop >/dev/null 2>&1 || true
    fi
    rm -rf "$PG_DIR"
}

run() {
    [ "${1:-}" = "--" ] && shift
    [ "$#" -gt 0 ] || die "usage: $0 run -- COMMAND..."
    PG_DIR=$(mktemp -d /tmp/strategy-tracker-pg.XXXXXX)
    trap stop EXIT
    # Turn signals into a normal exit so that the EXIT trap cleans up.
    trap 'exit 130' INT
    trap 'exit 143' TERM
    local started=$SECONDS
    start
    echo "PostgreSQL 15 ready on $(url) in $((SECONDS - started)) s"
    DATABASE_URL=$(url) "$@"
}

case "${1:-}" in
start) start && url ;;
stop) stop ;;
url) url ;;
replica) replica && replica_url ;;
replica-url) replica_url ;;
restart) restart ;;
run)
    shift
    run "$@"
    ;;
*) die "usage: $0 start|stop|url|replica|replica-url|restart|run -- COMMAND..." ;;
esac
