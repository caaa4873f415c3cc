# moto-server.sh - a scratch AWS endpoint for tests (sourced after lib.sh): moto's
# server (python3 -m moto.server), the third-party oracle for Lake Formation, Glue,
# STS and S3, on loopback only.
#
#   moto_start    starts it on 127.0.0.1:$MOTO_PORT (a free port), sets $MOTO_URL;
#                 stopped by a trap on any exit, also when the test fails
#   moto_stop     stops it (idempotent); call it before `finish`
#   oracle ARGS   runs tests/cli/aws-oracle.py (boto3 against $MOTO_URL); output in
#                 $SCRATCH/oracle.out, status in $oracle_status
#
# Exits 77 (skipped) with a message when python3 has no moto or boto3: they are not
# Debian packages, so machines without them skip these tests, never pass them.
if ! python3 -c 'import moto.server, boto3' >/dev/null 2>&1; then
  echo "SKIP: python3 has no moto/boto3 (the AWS oracle these tests run against;" \
       "pip install 'moto[server]' boto3 where you can)" >&2
  exit 77
fi
MOTO_PORT=""
MOTO_PID=""
MOTO_URL=""

moto_stop() {
  [ -n "$MOTO_PID" ] || return 0
  kill "$MOTO_PID" 2>/dev/null
  for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$MOTO_PID" 2>/dev/null || break; sleep 0.2; done
  kill -9 "$MOTO_PID" 2>/dev/null
  MOTO_PID=""
}

moto_start() {
  trap 'moto_stop' EXIT
  trap 'moto_stop; exit 1' INT TERM HUP
  MOTO_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  python3 -m moto.server -H 127.0.0.1 -p "$MOTO_PORT" >"$SCRATCH/moto.log" 2>&1 &
  MOTO_PID=$!
  MOTO_URL=http://127.0.0.1:$MOTO_PORT
  tries=0
  until python3 -c "import urllib.request,sys; urllib.request.urlopen('$MOTO_URL/moto-api/', timeout=1)" >/dev/null 2>&1; do
    tries=$((tries + 1))
    if [ "$tries" -gt 100 ] || ! kill -0 "$MOTO_PID" 2>/dev/null; then
      cat "$SCRATCH/moto.log" >&2
      echo "cannot start moto_server" >&2
      moto_stop
      exit 1
    fi
    sleep 0.2
  done
}

oracle() {
  oracle_status=0
  MOTO_URL=$MOTO_URL python3 "$TESTDIR/cli/aws-oracle.py" "$@" >"$SCRATCH/oracle.out" 2>&1 || oracle_status=$?
}
