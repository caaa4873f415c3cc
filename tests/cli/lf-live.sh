#!/bin/sh
# Runs tests/unit/live_lakeformation.c (its path: $1) against moto's Lake Formation,
# started by this script (tests/cli/moto-server.sh) on loopback and stopped, also on
# failure.  Skipped (77) where python3 has no moto.
. "$TESTDIR/cli/lib.sh"
. "$TESTDIR/cli/moto-server.sh"
moto_start
begin "the lakeformation backend on a Lake Formation endpoint (live_lakeformation)"
status=0
HOME=$SCRATCH AWS_ACCESS_KEY_ID=AKIDMESHGATELIVE AWS_SECRET_ACCESS_KEY=live-secret-not-shown \
MESHGATE_LF_ENDPOINT=$MOTO_URL timeout 300 "$1" >"$SCRATCH/live.out" 2>&1 || status=$?
cat "$SCRATCH/live.out"
expect_status 0 "$status"
if grep -q live-secret-not-shown "$SCRATCH/live.out"; then not_ok "the secret key was printed"; else ok; fi
moto_stop
finish
