#!/usr/bin/env bash
# Start or stop a throwaway PostgreSQL cluster under a temporary directory on a free loopback port.
#   .ci/postgres.sh start   -> prints the SQLAlchemy URL on stdout, state kept in $KP_PG_STATE
#   .ci/postgres.sh stop    -> stops the cluster and removes its directory
# KP_PG_OPTIONS: more server options, after the defaults (the pipeline bench turns fsync back on)
# initdb refuses to run as root, so as root the cluster runs as the 'postgres' system user.
set -euo pipefail
STATE="${KP_PG_STATE:-/tmp/ketenpoort-ci-postgres.state}"

pg_bin() {
    local bin
    bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
    if [[ -z "$bin" || ! -x "$bin/initdb" ]]; then
        echo "postgres.sh: PostgreSQL server binaries not found (apt-get install postgresql)" >&2
        exit 1
    fi
    echo "$bin"
}

as_owner() {
    if [[ $(id -u) -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

case "${1:-}" in
start)
    BIN=$(pg_bin)
    DIR=$(mktemp -d /tmp/ketenpoort-pg.XXXXXX)
    if [[ $(id -u) -eq 0 ]]; then chown postgres:postgres "$DIR"; fi
    PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    as_owner "$BIN/initdb" -D "$DIR/data" -U ketenpoort --auth=trust -E UTF8 --no-locale >"$DIR/initdb.log" 2>&1
    as_owner "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
        -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200 ${KP_PG_OPTIONS:-}" start >&2
    as_owner "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U ketenpoort ketenpoort_test
    printf 'DIR=%s\nBIN=%s\n' "$DIR" "$BIN" >"$STATE"
    echo "postgresql+psycopg://ketenpoort@127.0.0.1:$PORT/ketenpoort_test"
    ;;
stop)
    if [[ -f "$STATE" ]]; then
        # shellcheck disable=SC1090
        source "$STATE"
        as_owner "$BIN/pg_ctl" -D "$DIR/data" -m immediate -w stop >&2 || true
        rm -rf "$DIR" "$STATE"
    fi
    ;;
*)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
