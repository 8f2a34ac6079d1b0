#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the test suite, on 127.0.0.1 only.
#   source .ci/postgres.sh start   -> exports MDTBOARD_TEST_PG_URL
#   .ci/postgres.sh stop
# Installs Debian's postgresql if it is missing. Each start makes a cluster of its own
# in a new temporary folder (owned by the postgres user) on a free port, and exports
# MDTBOARD_TEST_PG_DIR and MDTBOARD_TEST_PG_PORT so that stop, run from the same
# environment, stops that server only: two checkouts on one machine never touch each
# other's server. Stop removes only a folder that start made (it holds a marker file).
set -u
MARKER=".mdtboard-test-server"

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
    PGPORT="${MDTBOARD_TEST_PG_PORT:-$(free_port)}" || return 1
    PGDIR="$(mktemp -d "${TMPDIR:-/tmp}/mdtboard-pg-XXXXXX")" || return 1
    touch "$PGDIR/$MARKER"
    chmod 755 "$PGDIR"
    if [ "$(id -u)" = "0" ]; then chown postgres "$PGDIR"; fi
    if ! as_postgres "$bin/initdb" -D "$PGDIR/data" -U postgres -A trust --no-sync >/dev/null \
        || ! as_postgres "$bin/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w \
            -o "-h 127.0.0.1 -p $PGPORT -k $PGDIR -F" start >/dev/null; then
        echo "postgres.sh: the test server did not start (see $PGDIR/log)" >&2
        return 1
    fi
    export MDTBOARD_TEST_PG_URL="postgresql+psycopg://postgres@127.0.0.1:$PGPORT/postgres"
    export MDTBOARD_TEST_PG_DIR="$PGDIR" MDTBOARD_TEST_PG_PORT="$PGPORT"
    echo "postgres.sh: test server on 127.0.0.1:$PGPORT"
}

free_port() {
    # a port nothing listens on now, chosen by the kernel
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

stop() {
    local dir="${MDTBOARD_TEST_PG_DIR:-}" bin
    if [ -z "$dir" ] || [ ! -e "$dir/$MARKER" ]; then
        echo "postgres.sh: no test server of this environment to stop" >&2
        return 0
    fi
    bin="$(pg_bin)"
    if [ -n "$bin" ] && [ -d "$dir/data" ]; then
        as_postgres "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1
    fi
    rm -rf "$dir"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    *) echo "usage: postgres.sh start|stop" >&2 ;;
esac
