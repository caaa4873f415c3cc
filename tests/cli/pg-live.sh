#!/bin/sh
# Runs tests/unit/live_postgres.c (its path: $1) against a PostgreSQL this
# script starts (tests/cli/pg-server.sh) and stops, also on failure.
. "$TESTDIR/cli/lib.sh"
. "$TESTDIR/cli/pg-server.sh"
pg_start
pg_sql pgadmin -c "
CREATE ROLE owner LOGIN; CREATE ROLE c_one; CREATE ROLE c_two;
CREATE ROLE p_r1; CREATE ROLE p_r2; CREATE ROLE p_r3;
CREATE ROLE \"r'ole \"\"x\"\"; DROP ROLE owner --\";
CREATE SCHEMA contract_p AUTHORIZATION owner; CREATE SCHEMA prop AUTHORIZATION owner;
CREATE SCHEMA \"we\"\"ird sch; --\" AUTHORIZATION owner;
SET ROLE owner;
CREATE TABLE contract_p.t (a int, b int, c int);
CREATE TABLE prop.t1 (a int, b int, c int, d int); CREATE TABLE prop.t2 (x int, y int, z int);
CREATE TABLE \"we\"\"ird sch; --\".\"tä ble); DROP TABLE x; --\" (\"c\"\"ol ü\" int, other int);
CREATE TABLE \"we\"\"ird sch; --\".x (a int);"
test "$sql_status" -eq 0 || { cat "$SCRATCH/sql.out" >&2; pg_stop; exit 1; }
begin "the postgres backend on a real server (live_postgres)"
status=0
MESHGATE_POSTGRES_DSN="host=$PG_SOCK port=$PG_PORT dbname=postgres user=owner" \
MESHGATE_POSTGRES_ADMIN_DSN="host=$PG_SOCK port=$PG_PORT dbname=postgres user=pgadmin" \
  timeout 300 "$1" >"$SCRATCH/live.out" 2>&1 || status=$?
cat "$SCRATCH/live.out"
expect_status 0 "$status"
pg_stop
finish
