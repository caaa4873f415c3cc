#!/bin/sh
# Runs tests/unit/live_aws.c (its path: $1) against a moto server (the AWS
# mock, python3 -m moto.server) that this script starts on a free loopback
# port and stops on any exit, also when the test fails.  Without python3 and
# moto the test is skipped (77), never passed.
. "$TESTDIR/cli/lib.sh"
if ! python3 -c 'import moto.server, flask' >/dev/null 2>&1; then
  echo "SKIP: python3 with moto (its server extra) is needed for the AWS client's live test"
  rm -rf "$SCRATCH"
  exit 77
fi
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
moto_pid=""
moto_stop() {
  if [ -n "$moto_pid" ]; then
    kill "$moto_pid" 2>/dev/null
    wait "$moto_pid" 2>/dev/null
    moto_pid=""
  fi
}
trap 'moto_stop' EXIT
trap 'moto_stop; exit 1' INT TERM HUP
python3 -m moto.server -H 127.0.0.1 -p "$port" >"$SCRATCH/moto.log" 2>&1 &
moto_pid=$!
# up when the port answers (at most 30 s)
i=0
until python3 -c "import socket, sys; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null; do
  i=$((i + 1))
  if [ "$i" -ge 60 ] || ! kill -0 "$moto_pid" 2>/dev/null; then
    echo "moto did not start on port $port:" >&2
    cat "$SCRATCH/moto.log" >&2
    exit 1
  fi
  sleep 0.5
done
begin "the AWS client against moto (live_aws)"
status=0
env -u AWS_PROFILE -u AWS_SESSION_TOKEN HOME="$SCRATCH" MESHGATE_AWS_ENDPOINT="http://127.0.0.1:$port" \
  timeout 300 "$1" >"$SCRATCH/live.out" 2>&1 || status=$?
cat "$SCRATCH/live.out"
expect_status 0 "$status"
# the secret key the driver uses never reaches its output or the server's log of requests
begin "no secret in the output"
if grep -q 'LiveSecretKey0123' "$SCRATCH/live.out" "$SCRATCH/moto.log"; then not_ok "a secret was printed"; else ok; fi
[ "$failed" -eq 0 ] || tail -20 "$SCRATCH/moto.log" >&2
moto_stop
finish
