#!/bin/sh
# state.lock: a lock every runner sees, an object in S3 (moto's, on loopback) created with a
# conditional PUT.  Two "runners" (two clones, each with its own state directory) apply one
# environment: while the object exists, the other is refused and told who holds it; apply
# removes the object when it ends; `unlock` shows and breaks a lock left by another host
# (only with --other-host) and one left by a killed run on this host; a bucket that does not
# exist is a clear error before anything is applied; a bad url is a config finding; no secret
# in any output.
. "$TESTDIR/cli/lib.sh"
. "$TESTDIR/cli/lf-setup.sh" # aws-setup.sh (skips a build without the AWS backends) and faults_start
moto_start
SECRET=wJalrXUtnFEMI-meshgate-lock-SECRET-5e1a
export AWS_ACCESS_KEY_ID=AKIDMESHGATELOCK AWS_SECRET_ACCESS_KEY=$SECRET
T="--today 2026-06-01"
L=mg-locks

write_config() { # BUCKET
  cat >"$1" <<YAML
catalogue: data-products-catalogue
protected-branch: main
rules:
  self-consumer: error
environments:
  prod:
    state:
      lock:
        url: s3://$2/ci/
        region: eu-west-1
        endpoint-url: $MOTO_URL
YAML
}
a=$SCRATCH/runner-a
cp -r "$SRCDIR/examples/quickstart" "$a"
write_config "$a/meshgate.yaml" $L
git -C "$a" init -q -b main
git -C "$a" config user.name t
git -C "$a" config user.email t@example.com
git -C "$a" add -A && git -C "$a" commit -q -m "quickstart, locked in S3"
b=$SCRATCH/runner-b
git clone -q "$a" "$b"
oracle make-bucket $L
host=$(hostname)

begin "apply takes the lock object and removes it when it ends"
run_mg apply -C "$a" $T --env prod
expect_status 0 "$status"
oracle get-object $L ci/prod.lock
expect_grep "^no object$" "$SCRATCH/oracle.out"

begin "a lock another runner holds: apply is refused and says who holds it; nothing is applied"
oracle put-object $L ci/prod.lock '{"holder":"meshgate apply","host":"runner-9","pid":4242,"since":"2026-06-01T10:00:00Z"}'
run_mg apply -C "$b" $T --env prod --lock-timeout 0
expect_status 3 "$status"
expect_grep "environment 'prod' is locked by meshgate apply on runner-9 since 2026-06-01T10:00:00Z (s3://$L/ci/prod.lock)" "$SCRATCH/err"
run_mg drift -C "$b" $T --env prod
expect_status 3 "$status"
expect_grep "never applied\|nothing has been applied" "$SCRATCH/err"
# the local lock was given back: only the object holds
run_mg unlock -C "$b" --env prod
expect_status 2 "$status"
expect_grep "^prod is locked by meshgate apply on runner-9 since 2026-06-01T10:00:00Z" "$SCRATCH/out"

begin "unlock breaks another host's lock only with --other-host"
run_mg unlock -C "$b" --env prod --force
expect_status 3 "$status"
expect_grep "the lock was taken on host 'runner-9'" "$SCRATCH/err"
oracle get-object $L ci/prod.lock
expect_grep '"host":"runner-9"' "$SCRATCH/oracle.out"
run_mg unlock -C "$b" --env prod --force --other-host
expect_status 0 "$status"
oracle get-object $L ci/prod.lock
expect_grep "^no object$" "$SCRATCH/oracle.out"
run_mg apply -C "$b" $T --env prod
expect_status 0 "$status"
oracle get-object $L ci/prod.lock
expect_grep "^no object$" "$SCRATCH/oracle.out"

# add_consumers FIRST N : N more lakeformation consumers (accounts FIRST, FIRST+1, ...) in runner a's prod product
add_consumers() {
  python3 - "$a/data-products-catalogue/prod/sales-orders/data-product-consumers.json" "$1" "$2" <<'PY'
import json, sys
p, first, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
d = json.load(open(p))
for i in range(n):
    a = "%012d" % (first + i)
    d["consumers"].append({"account": a, "type": "lakeformation", "consumer-role-arn": "arn:aws:iam::%s:role/r" % a})
json.dump(d, open(p, "w"), indent=2)
PY
}

begin "a killed apply leaves the object; unlock sees its process is gone; the rerun resumes"
add_consumers 300000000000 4
git -C "$a" add -A && git -C "$a" commit -q -m "four more consumers"
MESHGATE_TEST_KILL_AFTER_OPS=3 run_mg apply -C "$a" $T --env prod --batch-size 1
test "$status" -eq 137 && ok || not_ok "apply was not killed (status $status)"
oracle get-object $L ci/prod.lock
expect_grep "\"host\":\"$host\"" "$SCRATCH/oracle.out"
run_mg apply -C "$a" $T --env prod --lock-timeout 0
expect_status 3 "$status"
expect_grep "environment 'prod' is locked by meshgate apply" "$SCRATCH/err"
run_mg unlock -C "$a" --env prod --force
expect_status 0 "$status"
oracle get-object $L ci/prod.lock
expect_grep "^no object$" "$SCRATCH/oracle.out"
run_mg apply -C "$a" $T --env prod
expect_status 0 "$status"
expect_grep "completed an interrupted run" "$SCRATCH/err"
run_mg drift -C "$a" $T --env prod
expect_status 0 "$status"

begin "a stale local lock does not let unlock break another host's live lock object"
add_consumers 320000000000 2
git -C "$a" add -A && git -C "$a" commit -q -m "two more consumers"
MESHGATE_TEST_KILL_AFTER_OPS=1 run_mg apply -C "$a" $T --env prod --batch-size 1
test "$status" -eq 137 && ok || not_ok "apply was not killed (status $status)"
oracle put-object $L ci/prod.lock '{"holder":"meshgate apply","host":"runner-9","pid":4242,"since":"2026-06-01T12:00:00Z"}'
run_mg unlock -C "$a" --env prod --force
expect_status 3 "$status"
expect_grep "the lock was taken on host 'runner-9'" "$SCRATCH/err"
oracle get-object $L ci/prod.lock
expect_grep '"host":"runner-9"' "$SCRATCH/oracle.out"
# each lock is broken by its own rules: the object with --other-host, then the local one
run_mg unlock -C "$a" --env prod --force --other-host
expect_status 0 "$status"
oracle get-object $L ci/prod.lock
expect_grep "^no object$" "$SCRATCH/oracle.out"
run_mg unlock -C "$a" --env prod
expect_status 2 "$status"
expect_grep "^prod is locked by meshgate apply (pid [0-9]* on $host)" "$SCRATCH/out"
run_mg unlock -C "$a" --env prod --force
expect_status 0 "$status"
run_mg apply -C "$a" $T --env prod
expect_status 0 "$status"

begin "runner b, whose state is behind, waits its turn and then applies the new commit"
git -C "$b" pull -q
oracle put-object $L ci/prod.lock '{"holder":"meshgate apply","host":"runner-9","pid":4242,"since":"2026-06-01T11:00:00Z"}'
( sleep 2; MOTO_URL=$MOTO_URL python3 "$TESTDIR/cli/aws-oracle.py" delete-object $L ci/prod.lock ) &
waiter=$!
run_mg apply -C "$b" $T --env prod --lock-timeout 20000
wait $waiter
expect_status 0 "$status"
run_mg access -C "$b" $T --consumer 300000000003
expect_grep "reads" "$SCRATCH/out"

begin "half the lock's calls throttled, refused by an unavailable S3, or answered short after they took effect: apply still takes and removes it"
echo "0.5 throttle,unavailable,truncated,dropped" >"$SCRATCH/rate"
faults_start --rate-file "$SCRATCH/rate" --seed "${MESHGATE_FAULT_SEED:-11}" --steal-file "$SCRATCH/steal"
sed -i "s|endpoint-url: $MOTO_URL|endpoint-url: $FAULT_URL|" "$a/meshgate.yaml"
git -C "$a" commit -q -am "the lock through a faulty endpoint"
for round in 1 2 3 4; do
  add_consumers $((310000000000 + round)) 1
  git -C "$a" commit -q -am "consumer $round"
  run_mg apply -C "$a" $T --env prod
  expect_status 0 "$status"
  oracle get-object $L ci/prod.lock
  expect_grep "^no object$" "$SCRATCH/oracle.out"
done
if grep -q -v ' none$' "$SCRATCH/faults.log"; then ok; else not_ok "no call was faulted"; fi
echo "0" >"$SCRATCH/rate"
sed -i "s|endpoint-url: $FAULT_URL|endpoint-url: $MOTO_URL|" "$a/meshgate.yaml"
git -C "$a" commit -q -am "the lock straight to S3 again"

begin "a lock broken and taken by another run while this one held it: the end of the run leaves that lock and says so"
sed -i "s|endpoint-url: $MOTO_URL|endpoint-url: $FAULT_URL|" "$a/meshgate.yaml"
add_consumers 330000000000 1
git -C "$a" commit -q -am "one more consumer, the lock through the proxy"
printf '%s' '{"holder":"meshgate apply","host":"runner-9","pid":4242,"since":"2026-06-01T13:00:00Z"}' >"$SCRATCH/steal"
run_mg apply -C "$a" $T --env prod
expect_status 3 "$status"
expect_grep "this run's lock was broken while it ran and is now held by meshgate apply on runner-9" "$SCRATCH/err"
test ! -e "$SCRATCH/steal" && ok || not_ok "the proxy did not take the lock"
oracle get-object $L ci/prod.lock
expect_grep '"host":"runner-9"' "$SCRATCH/oracle.out"
oracle delete-object $L ci/prod.lock
# taken over after the run read its lock back and before it deleted it: the DELETE is
# conditional on the ETag it read (If-Match), so the other run's lock survives
run_mg apply -C "$a" $T --env prod
expect_status 0 "$status"
add_consumers 330000000001 1
git -C "$a" commit -q -am "another consumer"
printf '@DELETE\n%s' '{"holder":"meshgate apply","host":"runner-9","pid":4243,"since":"2026-06-01T14:00:00Z"}' >"$SCRATCH/steal"
run_mg apply -C "$a" $T --env prod
expect_status 3 "$status"
expect_grep "this run's lock was broken and taken by another run as it ended" "$SCRATCH/err"
test ! -e "$SCRATCH/steal" && ok || not_ok "the proxy did not take the lock at the DELETE"
oracle get-object $L ci/prod.lock
expect_grep '"pid":4243' "$SCRATCH/oracle.out"
oracle delete-object $L ci/prod.lock
sed -i "s|endpoint-url: $FAULT_URL|endpoint-url: $MOTO_URL|" "$a/meshgate.yaml"
git -C "$a" commit -q -am "the lock straight to S3 again"
run_mg apply -C "$a" $T --env prod
expect_status 0 "$status"

begin "plan, which does not lock, needs no AWS credentials for the lock; unlock says it does"
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
export AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=$SCRATCH/none AWS_SHARED_CREDENTIALS_FILE=$SCRATCH/none
run_mg plan -C "$a" $T
expect_status 0 "$status"
expect_grep "^== dev ==" "$SCRATCH/out"
run_mg unlock -C "$a" --env prod
expect_status 3 "$status"
expect_grep "no AWS credentials" "$SCRATCH/err"
unset AWS_EC2_METADATA_DISABLED AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE
export AWS_ACCESS_KEY_ID=AKIDMESHGATELOCK AWS_SECRET_ACCESS_KEY=$SECRET

begin "a bucket that is not there: a clear error, nothing applied"
c=$SCRATCH/runner-c
git clone -q "$a" "$c"
write_config "$c/meshgate.yaml" mg-no-such-bucket
git -C "$c" -c user.name=t -c user.email=t@example.com commit -q -am "lock in a bucket that is not there"
run_mg apply -C "$c" $T --env prod
expect_status 3 "$status"
expect_grep "state.lock (s3://mg-no-such-bucket/ci/prod.lock): taking the lock: NoSuchBucket" "$SCRATCH/err"
run_mg unlock -C "$c" --env prod
expect_status 3 "$status"

begin "a url that is not s3://bucket/prefix is a config finding"
sed -i "s|url: s3://mg-no-such-bucket/ci/|url: https://example.com/locks|" "$c/meshgate.yaml"
run_mg validate -C "$c"
expect_status 1 "$status"
expect_grep "meshgate.yaml:.*state.lock: url must be s3://BUCKET/PREFIX" "$SCRATCH/out"
run_mg unlock -C "$c" --env prod
expect_status 3 "$status"
expect_grep "meshgate.yaml: state.lock: url must be s3://BUCKET/PREFIX" "$SCRATCH/err"
sed -i "s|url: https://example.com/locks|url: s3://$L/ci/\n        secret-access-key: nope|" "$c/meshgate.yaml"
run_mg validate -C "$c"
expect_status 1 "$status"
expect_grep "state.lock: credentials never go in meshgate.yaml ('secret-access-key')" "$SCRATCH/out"

begin "no secret anywhere"
if grep -rqF "$SECRET" "$SCRATCH/out" "$SCRATCH/err" "$a/.meshgate" "$b/.meshgate" 2>/dev/null; then
  not_ok "the secret key leaked"
else
  ok
fi

stop_all
finish
