#!/bin/sh
# Runs tests/unit/live_aws.c (its path: $1) against a moto server (the AWS
# mock, python3 -m moto.server) that this script starts on a free loopback
# port and stops on any exit, also when the test fails.  Without python3 and
# moto (and boto3, which moto needs) the test is skipped (77), never passed.
#
# moto runs with IAM authentication on after its first 3 actions
# (INITIAL_NO_AUTH_ACTION_COUNT): boto3 here creates a user, its access key
# and an allow-all policy, then (signed) the role the test assumes; from then
# on moto recomputes every request's SigV4 signature, so meshgate's signing is
# checked by botocore's own code on every call.
. "$TESTDIR/cli/lib.sh"
if ! python3 -c 'import moto.server, flask, boto3' >/dev/null 2>&1; then
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
INITIAL_NO_AUTH_ACTION_COUNT=3 python3 -m moto.server -H 127.0.0.1 -p "$port" >"$SCRATCH/moto.log" 2>&1 &
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
# the identity meshgate signs with (written to a file, never printed)
if ! python3 - "http://127.0.0.1:$port" "$SCRATCH/keys" >"$SCRATCH/setup.log" 2>&1 <<'PY'
import json, sys
import boto3
url, out = sys.argv[1], sys.argv[2]
kw = dict(endpoint_url=url, region_name="eu-west-1")
iam = boto3.client("iam", aws_access_key_id="setup", aws_secret_access_key="setup", **kw)
iam.create_user(UserName="meshgate")
key = iam.create_access_key(UserName="meshgate")["AccessKey"]
allow = json.dumps({"Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
iam.put_user_policy(UserName="meshgate", PolicyName="all", PolicyDocument=allow)
signed = boto3.client("iam", aws_access_key_id=key["AccessKeyId"],
                      aws_secret_access_key=key["SecretAccessKey"], **kw)
trust = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                    "Principal": {"AWS": "*"}}]})
signed.create_role(RoleName="meshgate-live", AssumeRolePolicyDocument=trust)
signed.put_role_policy(RoleName="meshgate-live", PolicyName="all", PolicyDocument=allow)
with open(out, "w") as f:
    f.write("%s\n%s\n" % (key["AccessKeyId"], key["SecretAccessKey"]))
PY
then
  echo "cannot set up moto's IAM user:" >&2
  cat "$SCRATCH/setup.log" >&2
  exit 1
fi
key_id=$(sed -n 1p "$SCRATCH/keys")
secret=$(sed -n 2p "$SCRATCH/keys")
begin "the AWS client against moto (live_aws)"
status=0
env -u AWS_PROFILE -u AWS_SESSION_TOKEN HOME="$SCRATCH" MESHGATE_AWS_ENDPOINT="http://127.0.0.1:$port" \
  MESHGATE_LIVE_KEY_ID="$key_id" MESHGATE_LIVE_SECRET="$secret" \
  timeout 300 "$1" >"$SCRATCH/live.out" 2>&1 || status=$?
cat "$SCRATCH/live.out"
expect_status 0 "$status"
# the secret key the driver uses never reaches its output or the server's log of requests
begin "no secret in the output"
if grep -qF -e "$secret" -e WrongSecretKey "$SCRATCH/live.out" "$SCRATCH/moto.log"; then not_ok "a secret was printed"; else ok; fi
[ "$failed" -eq 0 ] || tail -20 "$SCRATCH/moto.log" >&2
moto_stop
finish
