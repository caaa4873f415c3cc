#!/bin/sh
# The credentials a CI job really has, end to end: meshgate applies to moto's Lake
# Formation (started on loopback, stopped on any exit) with no key in the environment
# or in a file, each time from one source of the chain -
#   web identity:  AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN -> moto's STS
#                  AssumeRoleWithWebIdentity (an unsigned request)
#   GitHub OIDC:   ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN (a loopback fake) -> moto's STS
#   ECS:           AWS_CONTAINER_CREDENTIALS_FULL_URI + AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE
#   IMDSv2:        AWS_EC2_METADATA_SERVICE_ENDPOINT (the same fake, tests/cli/aws-creds-fake.py)
# - credentials that expire inside the refresh margin fetched again before every call -
# - and every token and secret involved is then looked for in everything meshgate
# wrote: stdout, stderr, the audit log, the repository and its state.
. "$TESTDIR/cli/lib.sh"
. "$TESTDIR/cli/lf-setup.sh"
export HOME="$SCRATCH/home"
mkdir -p "$HOME"
moto_start

# the secrets of this test: none may appear in anything meshgate writes
export FAKE_WEB_TOKEN=eyJhbGciOiJSUzI1NiJ9.WebIdentityPayload-t0087.SignatureOfTheIssuer-9f8e7d
export FAKE_GH_BEARER=GhActionsRequestBearer-t0087-0a1b2c3d4e5f
export FAKE_ECS_TOKEN=EcsAgentAuthorization-t0087-5e6f7a8b9c
export FAKE_IMDS_TOKEN=ImdsV2SessionToken-t0087-AQAEAHhT3xQ==
export FAKE_KEY_ID=ASIAFAKEREMOTE0087 FAKE_SECRET=RemoteSecretKey-t0087-wJalrXUtnFEMI/K7MDENG
export FAKE_SESSION=RemoteSessionToken-t0087-IQoJb3JpZ2luX2VjEHYaCXVzLWVhc3QtMSJHMEUCIQ
secrets=$SCRATCH/secrets
mkdir -p "$secrets"
printf '%s\n' "$FAKE_WEB_TOKEN" >"$secrets/web-identity-token"
printf '%s\n' "$FAKE_ECS_TOKEN" >"$secrets/ecs-token"

fake_pid=""
fake_stop() {
  [ -n "$fake_pid" ] || return 0
  kill "$fake_pid" 2>/dev/null
  wait "$fake_pid" 2>/dev/null
  fake_pid=""
}
trap 'fake_stop; moto_stop' EXIT
trap 'fake_stop; moto_stop; exit 1' INT TERM HUP
python3 "$TESTDIR/cli/aws-creds-fake.py" "$SCRATCH/fake.port" "$SCRATCH/fake.log" 2>"$SCRATCH/fake.err" &
fake_pid=$!
i=0
until [ -s "$SCRATCH/fake.port" ]; do
  i=$((i + 1))
  if [ "$i" -ge 100 ] || ! kill -0 "$fake_pid" 2>/dev/null; then
    cat "$SCRATCH/fake.err" >&2
    echo "the credential endpoints' fake did not start" >&2
    exit 1
  fi
  sleep 0.1
done
FAKE=http://127.0.0.1:$(cat "$SCRATCH/fake.port")

CATALOG=222233334444
lf_example_repo "$MOTO_URL"
T="--today 2026-06-01"
ROLE=arn:aws:iam::123456789012:role/meshgate-ci
# only the source under test: IMDS is off (lf-setup.sh) unless the case turns it on
run_with() {
  env "$@" >"$SCRATCH/out.$case" 2>"$SCRATCH/err.$case"
  status=$?
  cat "$SCRATCH/out.$case" >>"$SCRATCH/out"
  cat "$SCRATCH/err.$case" >>"$SCRATCH/err"
}
: >"$SCRATCH/out"
: >"$SCRATCH/err"

begin "web identity: a token file and a role, through moto's STS; apply grants"
case=web
run_with AWS_WEB_IDENTITY_TOKEN_FILE="$secrets/web-identity-token" AWS_ROLE_ARN=$ROLE \
  AWS_ROLE_SESSION_NAME=t0087 "$MESHGATE" apply -C "$repo" $T --audit "$SCRATCH/audit.jsonl"
expect_status 0 "$status"
expect_grep '^prod: applied 8 operations' "$SCRATCH/err.web"
oracle perms $CATALOG
expect_status 0 "$oracle_status"
test "$(wc -l <"$SCRATCH/oracle.out")" -eq 13 && ok || not_ok "moto holds $(wc -l <"$SCRATCH/oracle.out") grants, not 13"

begin "web identity: a token file without a role is a clear error, not a fallback"
case=half
run_with AWS_WEB_IDENTITY_TOKEN_FILE="$secrets/web-identity-token" "$MESHGATE" drift -C "$repo" $T
test "$status" -eq 3 && ok || not_ok "drift with half a web identity exited $status, not 3"
expect_grep "AWS_ROLE_ARN, the role to assume with it, is not" "$SCRATCH/err.half"

begin "GitHub Actions OIDC: the job's token for audience sts.amazonaws.com, then moto's STS"
case=gh
run_with AWS_ROLE_ARN=$ROLE ACTIONS_ID_TOKEN_REQUEST_URL="$FAKE/gh/token?api-version=2.0" \
  ACTIONS_ID_TOKEN_REQUEST_TOKEN="$FAKE_GH_BEARER" "$MESHGATE" drift -C "$repo" $T
expect_status 0 "$status"
expect_grep '^GET /gh/token 200$' "$SCRATCH/fake.log"

begin "the container endpoint with its authorization token file"
case=ecs
run_with AWS_CONTAINER_CREDENTIALS_FULL_URI="$FAKE/ecs/creds" \
  AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE="$secrets/ecs-token" "$MESHGATE" drift -C "$repo" $T
expect_status 0 "$status"
expect_grep '^GET /ecs/creds 200$' "$SCRATCH/fake.log"
# an hour's credentials: fetched once, not before every call
test "$(grep -c '^GET /ecs/creds 200$' "$SCRATCH/fake.log")" -eq 1 && ok || not_ok "long-lived credentials fetched more than once"

begin "credentials about to expire are fetched again before the calls of a long run"
case=short
: >"$SCRATCH/fake.log"
run_with AWS_CONTAINER_CREDENTIALS_FULL_URI="$FAKE/ecs/short" \
  AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE="$secrets/ecs-token" "$MESHGATE" drift -C "$repo" $T
expect_status 0 "$status"
# drift lists DATABASE and TABLE permissions: the credentials are fetched for the client, then
# again before each call, since they expire inside the five-minute margin
n=$(grep -c '^GET /ecs/short 200$' "$SCRATCH/fake.log")
test "$n" -ge 3 && ok || not_ok "short-lived credentials were fetched $n times, not before every call"

begin "the container endpoint refuses a wrong token: a clear error"
case=ecsbad
run_with AWS_CONTAINER_CREDENTIALS_FULL_URI="$FAKE/ecs/creds" AWS_CONTAINER_AUTHORIZATION_TOKEN=wrong-token-0087 \
  "$MESHGATE" drift -C "$repo" $T
test "$status" -eq 3 && ok || not_ok "drift with a refused container token exited $status, not 3"
expect_grep "container credentials endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI) answered HTTP 401" "$SCRATCH/err.ecsbad"

begin "IMDSv2: a session token, the role, its credentials"
case=imds
env -u AWS_EC2_METADATA_DISABLED AWS_EC2_METADATA_SERVICE_ENDPOINT="$FAKE" "$MESHGATE" drift -C "$repo" $T >"$SCRATCH/out.imds" 2>"$SCRATCH/err.imds"
status=$?
cat "$SCRATCH/out.imds" >>"$SCRATCH/out"; cat "$SCRATCH/err.imds" >>"$SCRATCH/err"
expect_status 0 "$status"
expect_grep '^PUT /latest/api/token 200$' "$SCRATCH/fake.log"
expect_grep '^GET /latest/meta-data/iam/security-credentials/meshgate-runner 200$' "$SCRATCH/fake.log"
if grep ' 401$' "$SCRATCH/fake.log" | grep -qv '/ecs/'; then not_ok "an IMDS request lacked its token"; else ok; fi

begin "IMDS over plain http to a host that is not loopback is refused"
case=imdsbad
env -u AWS_EC2_METADATA_DISABLED AWS_EC2_METADATA_SERVICE_ENDPOINT=http://metadata.example.com "$MESHGATE" drift -C "$repo" $T \
  >"$SCRATCH/out.imdsbad" 2>"$SCRATCH/err.imdsbad"
test $? -eq 3 && ok || not_ok "drift with a remote http IMDS did not fail with 3"
expect_grep "plain http is allowed only to loopback" "$SCRATCH/err.imdsbad"
cat "$SCRATCH/out.imdsbad" >>"$SCRATCH/out"; cat "$SCRATCH/err.imdsbad" >>"$SCRATCH/err"

begin "no token or secret in anything meshgate wrote"
leaked=""
for s in "$FAKE_WEB_TOKEN" "$FAKE_GH_BEARER" "$FAKE_ECS_TOKEN" "$FAKE_IMDS_TOKEN" "$FAKE_SECRET" "$FAKE_SESSION" \
         WebIdentityPayload SignatureOfTheIssuer RemoteSecretKey RemoteSessionToken; do
  if grep -rlaF -e "$s" "$SCRATCH" --exclude-dir=secrets --exclude=fake.err --exclude=moto.log >"$SCRATCH/hits"; then
    leaked="$leaked $(sed 's|.*/||' "$SCRATCH/hits" | tr '\n' ' ')"
  fi
done
[ -z "$leaked" ] && ok || not_ok "a token or secret was written to:$leaked"
# the search above looked at real output: the audit log has the apply's lines
test "$(grep -c '"result":"ok"' "$SCRATCH/audit.jsonl")" -eq 8 && ok || not_ok "the audit log does not have the 8 grants"

fake_stop
moto_stop
finish
