#!/usr/bin/env bash
# A throwaway PostgreSQL server for the run store's tests (tests/store/): installs Debian's postgresql when
# its binaries are missing, starts a server on 127.0.0.1 at a free port with its data under /tmp, creates
# the database tunekit_test and prints the one line to eval:
#
#     eval "$(bash .ci/postgres.sh)"     # exports TUNEKIT_TEST_POSTGRES=postgresql://postgres@127.0.0.1:PORT/tunekit_test
#     bash .ci/postgres.sh stop          # stops the server this script started last (and removes its data)
#
# Everything but the export line goes to stderr. initdb refuses to run as root, so the server runs as the
# postgres user (created by the Debian package) when this script runs as root.
set -euo pipefail

STATE=/tmp/tunekit-postgres.state

as_postgres() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_bin() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    if [ -z "$dir" ] && command -v initdb >/dev/null; then dir=$(dirname "$(readlink -f "$(command -v initdb)")"); fi
    echo "$dir"
}

if [ "${1:-}" = stop ]; then
    if [ -f "$STATE" ]; then
        read -r bin data < "$STATE"
        as_postgres "$bin/pg_ctl" -D "$data" -m fast -w stop >&2 || true
        rm -rf "$data" "$STATE"
    fi
    exit 0
fi

if [ -z "$(pg_bin)" ] || ! command -v psql >/dev/null; then
    echo "installing postgresql (Debian package)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 && apt-get install -y -qq postgresql >/dev/null
fi
BIN=$(pg_bin)
if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then useradd --system --no-create-home postgres; fi

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
DATA=$(mktemp -d /tmp/tunekit-postgres.XXXXXX)
if [ "$(id -u)" = 0 ]; then chown postgres: "$DATA"; fi
as_postgres "$BIN/initdb" -D "$DATA" -U postgres -A trust --no-sync >/dev/null
# fsync off: a throwaway server; the tests need transactions and locking, not durability across power loss.
as_postgres "$BIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w -t 60 \
    -o "-k /tmp -h 127.0.0.1 -p $PORT -c fsync=off -c max_connections=200" start >&2
echo "$BIN $DATA" > "$STATE"
for _ in $(seq 60); do
    "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" && break
    sleep 0.5
done
"$BIN/psql" -q -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -c "CREATE DATABASE tunekit_test" >&2
echo "export TUNEKIT_TEST_POSTGRES=postgresql://postgres@127.0.0.1:$PORT/tunekit_test"
