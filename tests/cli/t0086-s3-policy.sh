#!/bin/sh
# The s3-policy backend (the iam channel) end to end against moto's S3 (started by
# the test on loopback), every policy read back with boto3: the quick-start
# catalogue's iam consumer gets two statements per table in the producer bucket's
# policy while the lakeformation consumers go to the ledger (a `backends:` list);
# a foreign statement survives every write; drift reads the policy and --fix puts
# back a statement removed by hand; a revoke removes exactly meshgate's; a policy
# over 20 KiB is refused; and two appliers of different environments writing into
# one bucket at the same time, many times, never lose a statement - with the lock
# shared, and without it (each its own lock-dir: only the read-back protects); and a
# SIGKILL after the policy was written but before the journal: the rerun converges.
. "$TESTDIR/cli/lib.sh"
AWS_BACKEND=s3-policy
. "$TESTDIR/cli/aws-setup.sh"
moto_start
SECRET=wJalrXUtnFEMI-meshgate-s3-SECRET-91c2
export AWS_ACCESS_KEY_ID=AKIDMESHGATES3TEST AWS_SECRET_ACCESS_KEY=$SECRET
B=mesh-shared-bucket
T="--today 2026-06-01"
BI=arn:aws:iam::777788889999:role/bi-dashboards

repo=$SCRATCH/repo
cp -r "$SRCDIR/examples/quickstart" "$repo"
cat="$repo/data-products-catalogue"
# one bucket for both environments: the prototype's race needs two writers on one policy
sed -i "s|s3://sales-orders-\([a-z]*\)/|s3://$B/\1/|" \
  "$cat/dev/sales-orders/data-product-outputs.json" "$cat/prod/sales-orders/data-product-outputs.json"
sed -i "s|\"sales-orders-[a-z]*\"|\"$B\"|" "$cat"/*/sales-orders/data-product-producer-info.json
backends() { # ENV LOCKDIR
  cat <<YAML
  $1:
    backends:
      - type: s3-policy
        region: eu-west-1
        endpoint-url: $MOTO_URL
        settle-ms: 150
        attempts: 20
$2
      - type: local
YAML
}
write_config() { # DEV_LOCK_LINE PROD_LOCK_LINE
  { cat <<'YAML'
catalogue: data-products-catalogue
protected-branch: main
rules:
  self-consumer: error
environments:
YAML
    backends dev "$1"
    backends prod "$2"
  } >"$repo/meshgate.yaml"
}
write_config "" ""
git_repo "$repo"
commit "quickstart on one bucket"
oracle make-bucket $B
expect_status 0 "$oracle_status"
oracle put-foreign $B DenyInsecureTransport
expect_status 0 "$oracle_status"

# the Sid stems meshgate owns: sha256(env \0 principal \0 product \0 table \0), 16 hex
stem() { printf '%s\0%s\0%s\0%s\0' "$1" "$2" "$3" "$4" | sha256sum | cut -c1-16; }
PROD=meshgate-$(stem prod $BI sales_orders daily_revenue)
DEV=meshgate-$(stem dev $BI sales_orders daily_revenue)
FOREIGN="DenyInsecureTransport * s3:* ['arn:aws:s3:::$B', 'arn:aws:s3:::$B/*'] {\"Bool\": {\"aws:SecureTransport\": \"false\"}}"
statements() { # ENV-STEM
  echo "$1-get $BI s3:GetObject arn:aws:s3:::$B/$2/daily_revenue/*"
  echo "$1-list $BI s3:ListBucket arn:aws:s3:::$B {\"StringLike\": {\"s3:prefix\": [\"$2/daily_revenue\", \"$2/daily_revenue/*\"]}}"
}

begin "validate: the configuration and catalogue are clean"
run_mg validate -C "$repo" $T
expect_status 0 "$status"

begin "apply prod: the iam consumer's statements in the bucket policy, the foreign one kept"
run_mg apply -C "$repo" $T --env prod --audit "$SCRATCH/audit.jsonl"
expect_status 0 "$status"
expect_grep '"backend":"s3-policy".*"principal":"arn:aws:iam::777788889999:role/bi-dashboards".*"result":"ok"' "$SCRATCH/audit.jsonl"
expect_grep '"backend":"local".*"principal":"444455556666"' "$SCRATCH/audit.jsonl"
oracle bucket-policy $B
{ echo "$FOREIGN"; statements "$PROD" prod; } | sort >"$SCRATCH/want"
expect_cmp "$SCRATCH/want" "$SCRATCH/oracle.out"

begin "apply again changes nothing; drift reads the policy and finds none"
run_mg apply -C "$repo" $T --env prod
expect_status 0 "$status"
oracle bucket-policy $B
expect_cmp "$SCRATCH/want" "$SCRATCH/oracle.out"
run_mg drift -C "$repo" $T --env prod
expect_status 0 "$status"

begin "drift: a statement removed by hand is found; --fix puts it back, the foreign one untouched"
oracle drop-sid $B "$PROD-list"
run_mg drift -C "$repo" $T --env prod
expect_status 1 "$status"
expect_grep "^+ prod/sales_orders: iam role arn:aws:iam::777788889999:role/bi-dashboards gains SELECT on daily_revenue (day, revenue)  \[safe\]$" "$SCRATCH/out"
run_mg drift -C "$repo" $T --env prod --fix
expect_status 0 "$status"
oracle bucket-policy $B
expect_cmp "$SCRATCH/want" "$SCRATCH/oracle.out"

begin "apply dev: its statements join prod's in the same policy"
run_mg apply -C "$repo" $T --env dev
expect_status 0 "$status"
oracle bucket-policy $B
{ echo "$FOREIGN"; statements "$PROD" prod; statements "$DEV" dev; } | sort >"$SCRATCH/want"
expect_cmp "$SCRATCH/want" "$SCRATCH/oracle.out"

begin "revoke: the iam consumer leaves prod; exactly prod's statements go"
python3 - "$cat/prod/sales-orders/data-product-consumers.json" <<'PY'
import json, sys
p = sys.argv[1]; d = json.load(open(p))
d["consumers"] = [c for c in d["consumers"] if c["type"] != "iam"]
json.dump(d, open(p, "w"), indent=2)
PY
commit "bi leaves prod"
run_mg plan -C "$repo" $T --env prod
expect_grep "^- prod/sales_orders: iam role arn:aws:iam::777788889999:role/bi-dashboards loses SELECT on daily_revenue (day, revenue)  \[safe\]$" "$SCRATCH/out"
run_mg apply -C "$repo" $T --env prod
expect_status 0 "$status"
oracle bucket-policy $B
{ echo "$FOREIGN"; statements "$DEV" dev; } | sort >"$SCRATCH/want"
expect_cmp "$SCRATCH/want" "$SCRATCH/oracle.out"
run_mg drift -C "$repo" $T
expect_status 0 "$status"

begin "a policy that would pass 20 KiB is refused with a clear error, nothing written"
oracle fill $B 20200
expect_status 0 "$oracle_status"
oracle bucket-policy $B
cp "$SCRATCH/oracle.out" "$SCRATCH/big-before"
git -C "$repo" revert --no-edit HEAD >/dev/null
run_mg apply -C "$repo" $T --env prod
test "$status" -ne 0 && ok || not_ok "apply over the limit succeeded"
expect_grep "over S3's limit of 20480 (20 KiB): nothing was written" "$SCRATCH/err"
oracle bucket-policy $B
expect_cmp "$SCRATCH/big-before" "$SCRATCH/oracle.out"
oracle unfill $B
run_mg apply -C "$repo" $T
expect_status 0 "$status"
oracle bucket-policy $B
{ echo "$FOREIGN"; statements "$PROD" prod; statements "$DEV" dev; } | sort >"$SCRATCH/want"
expect_cmp "$SCRATCH/want" "$SCRATCH/oracle.out"

# Two appliers at once (dev and prod, one bucket): each round flips the iam consumer in
# both environments (one gains while the other loses, then the reverse), runs both
# applies in parallel, and checks every statement that should be there is.
race() { # LABEL ROUNDS
  i=0
  while [ "$i" -lt "$2" ]; do
    i=$((i + 1))
    for env in dev prod; do
      python3 - "$cat/$env/sales-orders/data-product-consumers.json" "$env" "$i" <<'PY'
import json, sys
p, env, i = sys.argv[1], sys.argv[2], int(sys.argv[3])
d = json.load(open(p))
bi = {"account": "777788889999", "contact": "bi@example.com", "type": "iam", "team": "bi",
      "consumer-role-arn": "arn:aws:iam::777788889999:role/bi-dashboards", "tables": ["daily_revenue"]}
d["consumers"] = [c for c in d["consumers"] if c["type"] != "iam"]
if (i % 2 == 0) == (env == "dev"):
    d["consumers"].append(bi)
json.dump(d, open(p, "w"), indent=2)
PY
    done
    commit "$1 round $i"
    s1=0 s2=0
    timeout 120 "$MESHGATE" apply -C "$repo" $T --env dev >"$SCRATCH/race-dev.out" 2>&1 & p1=$!
    timeout 120 "$MESHGATE" apply -C "$repo" $T --env prod >"$SCRATCH/race-prod.out" 2>&1 & p2=$!
    wait $p1 || s1=$?
    wait $p2 || s2=$?
    if [ "$s1" -ne 0 ] || [ "$s2" -ne 0 ]; then
      not_ok "$1 round $i: apply failed ($s1, $s2)"; cat "$SCRATCH/race-dev.out" "$SCRATCH/race-prod.out" >&2
      return
    fi
    oracle bucket-policy $B
    if [ $((i % 2)) -eq 0 ]; then
      { echo "$FOREIGN"; statements "$DEV" dev; } | sort >"$SCRATCH/want"
    else
      { echo "$FOREIGN"; statements "$PROD" prod; } | sort >"$SCRATCH/want"
    fi
    if ! diff -u "$SCRATCH/want" "$SCRATCH/oracle.out" >"$SCRATCH/diff"; then
      not_ok "$1 round $i: a statement was lost or left behind"; cat "$SCRATCH/diff" >&2
      return
    fi
  done
  ok
}

begin "two appliers at once, sharing the lock: no statement is ever lost"
race shared-lock 8

begin "two appliers at once, each its own lock-dir: the read-back finds the lost write and merges again"
mkdir -p "$SCRATCH/lock-dev" "$SCRATCH/lock-prod"
write_config "        lock-dir: $SCRATCH/lock-dev" "        lock-dir: $SCRATCH/lock-prod"
commit "separate locks"
race own-lock 8

begin "a killed apply (SIGKILL after the policy was written, before the journal) resumes and converges"
python3 - "$cat/prod/sales-orders/data-product-consumers.json" <<'PY'
import json, sys
p = sys.argv[1]; d = json.load(open(p))
d["consumers"].append({"account": "777788889999", "contact": "bi@example.com", "type": "iam", "team": "bi",
                       "consumer-role-arn": "arn:aws:iam::777788889999:role/bi-dashboards", "tables": ["daily_revenue"]})
json.dump(d, open(p, "w"), indent=2)
PY
commit "bi back in prod"
MESHGATE_TEST_KILL_AFTER_OPS=2 run_mg apply -C "$repo" $T --env prod --batch-size 1
oracle bucket-policy $B
expect_grep "^$PROD-get " "$SCRATCH/oracle.out"
test "$status" -eq 137 && ok || not_ok "apply was not killed (status $status)"
run_mg unlock -C "$repo" --env prod --force
run_mg apply -C "$repo" $T --env prod
expect_status 0 "$status"
expect_grep "completed an interrupted run" "$SCRATCH/err"
oracle bucket-policy $B
{ echo "$FOREIGN"; statements "$PROD" prod; statements "$DEV" dev; } | sort >"$SCRATCH/want"
expect_cmp "$SCRATCH/want" "$SCRATCH/oracle.out"
run_mg drift -C "$repo" $T
expect_status 0 "$status"

begin "the secret key is never shown"
if grep -rqa "$SECRET" "$SCRATCH"/*.out "$SCRATCH/err" "$SCRATCH/audit.jsonl" "$repo" 2>/dev/null; then
  not_ok "the secret key was written somewhere"
else
  ok
fi

moto_stop
finish
