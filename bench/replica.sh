#!/bin/sh
# A streaming replica of the running PostgreSQL on 127.0.0.1:5433, and the read benchmark against it.
#
#   bench/replica.sh                        # replica of the `bench` database's cluster, then the read benchmark
#   bench/replica.sh --keep                 # leave the replica running afterwards (stop: bench/replica.sh --stop)
#   BENCH_DB=load bench/replica.sh -- .venv/bin/python bench/load.py --reads-only --n 2000
#
# What it does, as a province's administrator would on a second machine:
#   1. lets 127.0.0.1 connect for replication (a `host replication` line in pg_hba.conf, then a reload);
#   2. takes a base backup of the primary with pg_basebackup -R (a standby.signal and the primary's address);
#   3. starts it on port 5433 as a hot standby that streams the primary's WAL;
#   4. runs the command after `--` (by default the read steps of bench/load.py) with
#      GONGJIAN_DATABASE_REPLICA_URL pointing at the replica, so pages and API lists read there;
#   5. stops the replica and removes its files, unless --keep.
# Runs as root (as on this machine) or as the postgres user. The primary needs wal_level=replica (the default).
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
DIR=${GONGJIAN_REPLICA_DIR:-/tmp/gongjian-replica}
PORT=${REPLICA_PORT:-5433}
DB=${BENCH_DB:-bench}
PRIMARY_URL=postgres://postgres@127.0.0.1:5432/$DB
REPLICA_URL=postgres://postgres@127.0.0.1:$PORT/$DB
KEEP=0

as_postgres() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

stop() {
    if [ -f "$DIR/data/postmaster.pid" ]; then as_postgres "$PGBIN/pg_ctl" -D "$DIR/data" -m fast stop >/dev/null; fi
    rm -rf "$DIR"
}

while [ $# -gt 0 ]; do
    case "$1" in
        --keep) KEEP=1; shift ;;
        --stop) stop; echo "replica stopped"; exit 0 ;;
        --) shift; break ;;
        *) echo "unknown option $1 (see the top of $0)" >&2; exit 2 ;;
    esac
done
if [ $# -eq 0 ]; then
    set -- "$ROOT/.venv/bin/python" "$ROOT/bench/load.py" --reads-only
fi

psql -h 127.0.0.1 -U postgres -d "$DB" -Atc "select 1" >/dev/null || {
    echo "no database $DB on 127.0.0.1:5432: run the benchmark that fills it first (BENCH_DB names it)" >&2
    exit 1
}

# 1. Replication connections from this machine.
HBA=$(psql -h 127.0.0.1 -U postgres -Atc "show hba_file")
if ! grep -Eq "^host[[:space:]]+replication[[:space:]]+all[[:space:]]+127.0.0.1/32" "$HBA"; then
    echo "host replication all 127.0.0.1/32 trust" >>"$HBA"
    psql -h 127.0.0.1 -U postgres -Atc "select pg_reload_conf()" >/dev/null
    echo "pg_hba.conf: replication from 127.0.0.1 allowed"
fi

# 2. The base backup.
stop
mkdir -p "$DIR"
chown postgres "$DIR" 2>/dev/null || true
start=$(date +%s)
as_postgres "$PGBIN/pg_basebackup" -h 127.0.0.1 -p 5432 -U postgres -D "$DIR/data" -R -X stream -c fast
echo "base backup: $(du -sh "$DIR/data" | cut -f1) in $(($(date +%s) - start)) s"

# 3. Its own settings (Debian keeps the primary's in /etc, outside the data directory), then start it.
cat >"$DIR/data/postgresql.conf" <<EOF
port = $PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$DIR'
hot_standby = on
max_connections = 200
shared_buffers = 256MB
hba_file = '$DIR/data/pg_hba.conf'
ident_file = '$DIR/data/pg_ident.conf'
EOF
cp "$HBA" "$DIR/data/pg_hba.conf"
touch "$DIR/data/pg_ident.conf"
chown -R postgres "$DIR" 2>/dev/null || true
as_postgres "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/replica.log" -w start >/dev/null
trap '[ "$KEEP" = 1 ] || stop' EXIT
echo "replica on 127.0.0.1:$PORT, in recovery: $(psql -h 127.0.0.1 -p "$PORT" -U postgres -d "$DB" -Atc 'select pg_is_in_recovery()')"
psql -h 127.0.0.1 -U postgres -Atc \
    "select 'streaming to ' || client_addr || ', state ' || state || ', lag ' || coalesce(replay_lag::text, '0') from pg_stat_replication"

# 4. The read benchmark, reads on the replica.
GONGJIAN_DATABASE_URL=$PRIMARY_URL GONGJIAN_DATABASE_REPLICA_URL=$REPLICA_URL "$@"
