#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the test suite, on 127.0.0.1 only.
#   source .ci/postgres.sh start   -> exports MDTBOARD_TEST_PG_URL
#   .ci/postgres.sh stop
# Installs Debian's postgresql if it is missing. The cluster lives in a temporary
# folder owned by the postgres user and is removed on stop.
set -u
PGPORT="${MDTBOARD_TEST_PG_PORT:-54329}"
PGDIR="${MDTBOARD_TEST_PG_DIR:-/tmp/mdtboard-pg-$PGPORT}"

pg_bin() {
    ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

as_postgres() {
    if [ "$(id -u)" = "0" ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

start() {
    if [ -z "$(pg_bin)" ]; then
        if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
            (apt-get install -y -q postgresql >/dev/null 2>&1 \
                || (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q postgresql >/dev/null 2>&1)) \
                || echo "postgres.sh: could not install postgresql" >&2
        fi
    fi
    local bin
    bin="$(pg_bin)"
    if [ -z "$bin" ]; then
        echo "postgres.sh: no PostgreSQL server available" >&2
        return 1
    fi
    rm -rf "$PGDIR"
    mkdir -p "$PGDIR"
    if [ "$(id -u)" = "0" ]; then chown postgres "$PGDIR"; fi
    as_postgres "$bin/initdb" -D "$PGDIR/data" -U postgres -A trust --no-sync >/dev/null || return 1
    as_postgres "$bin/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w \
        -o "-h 127.0.0.1 -p $PGPORT -k $PGDIR -F" start >/dev/null || return 1
    export MDTBOARD_TEST_PG_URL="postgresql+psycopg://postgres@127.0.0.1:$PGPORT/postgres"
    echo "postgres.sh: test server on 127.0.0.1:$PGPORT"
}

stop() {
    local bin
    bin="$(pg_bin)"
    if [ -n "$bin" ] && [ -d "$PGDIR/data" ]; then
        as_postgres "$bin/pg_ctl" -D "$PGDIR/data" -m immediate stop >/dev/null 2>&1
    fi
    rm -rf "$PGDIR"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    *) echo "usage: postgres.sh start|stop" >&2 ;;
esac
