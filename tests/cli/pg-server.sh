# pg-server.sh - a scratch PostgreSQL server for tests (sourced after lib.sh).
#
#   pg_start      initdb + pg_ctl as an unprivileged user in $SCRATCH/pg, listening on a
#                 unix socket ($PG_SOCK) and 127.0.0.1:$PG_PORT (a free port), superuser
#                 "pgadmin" (trust on the socket, scram-sha-256 on loopback TCP); stopped by
#                 a trap on any exit, also when the test fails
#   pg_stop       stops it (idempotent); call it before `finish`, which removes $SCRATCH
#   pg_sql ROLE SQL...  runs SQL as ROLE over the socket; output in $SCRATCH/sql.out,
#                 status in $sql_status
#
# Exits 77 (skipped) with a message when the server binaries are absent.
PG_BIN=""
for d in /usr/lib/postgresql/*/bin; do
  [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/postgres" ] && PG_BIN=$d
done
if [ -z "$PG_BIN" ] || ! command -v psql >/dev/null 2>&1; then
  echo "SKIP: no PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb, pg_ctl, psql);" \
       "scripts/install-deps.sh --test installs them" >&2
  exit 77
fi
PG_DIR=$SCRATCH/pg
PG_SOCK=$PG_DIR/sock
PG_PORT=""
PG_PID=""
# PostgreSQL refuses to run as root: run it as nobody (or whoever we are)
if [ "$(id -u)" -eq 0 ]; then
  pg_as() { setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"; }
else
  pg_as() { "$@"; }
fi

pg_stop() {
  [ -n "$PG_PID" ] || return 0
  if [ -d "$PG_DIR/data" ]; then
    pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || kill -9 "$PG_PID" 2>/dev/null
  else
    kill -9 "$PG_PID" 2>/dev/null
  fi
  PG_PID=""
}

pg_start() {
  trap 'pg_stop' EXIT
  trap 'pg_stop; exit 1' INT TERM HUP
  chmod 711 "$SCRATCH"
  mkdir -p "$PG_DIR/sock"
  [ "$(id -u)" -eq 0 ] && chown -R nobody:nogroup "$PG_DIR"
  pg_as "$PG_BIN/initdb" -D "$PG_DIR/data" -U pgadmin -A trust --no-sync -E UTF8 --locale=C >"$PG_DIR/initdb.log" 2>&1 ||
    { cat "$PG_DIR/initdb.log" >&2; echo "initdb failed" >&2; exit 1; }
  cat >"$PG_DIR/data/pg_hba.conf" <<HBA
local all all trust
host all all 127.0.0.1/32 scram-sha-256
HBA
  tries=0
  while :; do
    PG_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
              echo $((20000 + ($$ + tries * 7919) % 30000)))
    if pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -w -t 30 -l "$PG_DIR/server.log" \
         -o "-k $PG_SOCK -p $PG_PORT -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=40" start >/dev/null 2>&1; then
      break
    fi
    tries=$((tries + 1))
    [ "$tries" -lt 5 ] || { cat "$PG_DIR/server.log" >&2; echo "cannot start PostgreSQL" >&2; exit 1; }
  done
  PG_PID=$(head -1 "$PG_DIR/data/postmaster.pid")
}

pg_sql() {
  role=$1
  shift
  sql_status=0
  PGCONNECT_TIMEOUT=10 psql -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCK" -p "$PG_PORT" -U "$role" -d postgres -At "$@" \
    >"$SCRATCH/sql.out" 2>&1 || sql_status=$?
}

# can ROLE SQL : passes when ROLE can run the SELECT
can() {
  pg_sql "$1" -c "$2"
  if [ "$sql_status" -eq 0 ]; then ok; else not_ok "$1 cannot: $2: $(cat "$SCRATCH/sql.out")"; fi
}
# cannot ROLE SQL : passes when the SELECT fails with permission denied
cannot() {
  pg_sql "$1" -c "$2"
  if [ "$sql_status" -ne 0 ] && grep -q "permission denied" "$SCRATCH/sql.out"; then ok
  else not_ok "$1 can (or failed otherwise): $2: $(cat "$SCRATCH/sql.out")"; fi
}
