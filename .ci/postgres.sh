#!/usr/bin/env bash
# A throwaway PostgreSQL server on loopback for the tests marked `postgres`; prints its DATABASE_URL.
#
#   export DATABASE_URL="$(.ci/postgres.sh)" && make test    # start (or reuse) it and run the suite on it
#   .ci/postgres.sh status                                    # exit 0 when it is running
#   .ci/postgres.sh stop
#
# Installs Debian's `postgresql` package when no server binaries are found (as root; otherwise say so).
# The cluster lives in $DUBAN_PG_DIR (default /tmp/duban-pg<version>-<user>), listens on 127.0.0.1 only,
# on $DUBAN_PG_PORT or the first free port from 55432, and has a role `duban` (password `duban`, CREATEDB,
# since pytest-django creates test_duban) owning a database `duban`. Run again, it reuses what is there.
# As root the server runs as the `postgres` user, as PostgreSQL refuses to run as root.
set -euo pipefail

say() { echo "postgres.sh: $*" >&2; }

server_bin() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    if [[ -z "$dir" ]] && command -v initdb >/dev/null; then
        dir=$(dirname "$(readlink -f "$(command -v initdb)")")
    fi
    echo "$dir"
}

install_postgresql() {
    if [[ $(id -u) -ne 0 ]]; then
        say "no PostgreSQL server found; install it (sudo apt-get install postgresql) and run me again"
        exit 1
    fi
    say "installing PostgreSQL from Debian's packages"
    local log
    log=$(mktemp)
    if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql; } >"$log" 2>&1; then
        cat "$log" >&2
        exit 1
    fi
    rm -f "$log"
}

BIN=$(server_bin)
if [[ -z "$BIN" || ! -x "$BIN/initdb" ]]; then
    install_postgresql
    BIN=$(server_bin)
fi
VERSION=$("$BIN/pg_ctl" --version | sed -E 's/^[^0-9]*([0-9]+).*/\1/')

if [[ $(id -u) -eq 0 ]]; then
    RUN_AS=postgres
    as_server() { runuser -u postgres -- "$@"; }
else
    RUN_AS=$(id -un)
    as_server() { "$@"; }
fi
DIR=${DUBAN_PG_DIR:-/tmp/duban-pg$VERSION-$RUN_AS}
DATA=$DIR/data

running() { [[ -f "$DATA/PG_VERSION" ]] && as_server "$BIN/pg_ctl" status -D "$DATA" >/dev/null 2>&1; }

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() {
    local port=${DUBAN_PG_PORT:-55432}
    if [[ -n "${DUBAN_PG_PORT:-}" ]]; then
        echo "$port"
        return
    fi
    while port_in_use "$port"; do port=$((port + 1)); done
    echo "$port"
}

case "${1:-start}" in
    status) running; exit ;;
    stop)
        if running; then as_server "$BIN/pg_ctl" stop -D "$DATA" -s -m fast; fi
        exit 0 ;;
    start) ;;
    *) say "usage: $0 [start|status|stop]"; exit 2 ;;
esac

if [[ ! -f "$DATA/PG_VERSION" ]]; then
    mkdir -p "$DIR"
    if [[ $(id -u) -eq 0 ]]; then chown postgres: "$DIR"; fi
    chmod 700 "$DIR"
    as_server "$BIN/initdb" -D "$DATA" --username=postgres --auth-local=trust --auth-host=scram-sha-256 \
        --encoding=UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 || { cat "$DIR/initdb.log" >&2; exit 1; }
    cat >>"$DATA/postgresql.conf" <<EOF
# duban test server
listen_addresses = '127.0.0.1'
port = $(free_port)
unix_socket_directories = '$DIR'
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
fi
PORT=$(sed -nE 's/^port = ([0-9]+)$/\1/p' "$DATA/postgresql.conf" | tail -n 1)

if ! running; then
    if port_in_use "$PORT"; then
        say "port $PORT is taken by another server; remove $DIR or set DUBAN_PG_PORT and DUBAN_PG_DIR"
        exit 1
    fi
    as_server "$BIN/pg_ctl" start -D "$DATA" -l "$DIR/server.log" -w -s || { tail -n 20 "$DIR/server.log" >&2; exit 1; }
fi

sql() { as_server "$BIN/psql" -h "$DIR" -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -qtAX -c "$1"; }
if [[ -z $(sql "SELECT 1 FROM pg_roles WHERE rolname = 'duban'") ]]; then
    sql "CREATE ROLE duban LOGIN CREATEDB PASSWORD 'duban'"
fi
if [[ -z $(sql "SELECT 1 FROM pg_database WHERE datname = 'duban'") ]]; then
    sql "CREATE DATABASE duban OWNER duban"
fi

echo "postgres://duban:duban@127.0.0.1:$PORT/duban"
