#!/bin/sh
# The applier end to end through the CLI, as the post-merge job runs it:
# first apply, access queries, a change with a new clearance (risky) and a
# removed consumer (revoke), idempotent re-runs, the protected-branch and
# validation guards, drift and its fix, and a killed run that resumes.
. "$TESTDIR/cli/lib.sh"
repo=$SCRATCH/repo
quickstart_repo "$repo"
T="--today 2026-06-01"
prod=$repo/data-products-catalogue/prod

begin "access before any apply"
run_mg access -C "$repo" --consumer 444455556666
expect_status 3 "$status"
expect_grep "nothing has been applied here yet" "$SCRATCH/err"

begin "plan of a first run"
run_mg plan -C "$repo" $T --env prod
expect_status 0 "$status"
expect_grep '^+ prod/customer_profiles: consumer 111122223333 gains SELECT on customers (country, customer_id, segment)  \[risky: confidential\]$' "$SCRATCH/out"
expect_grep '^+ prod/sales_orders: iam role arn:aws:iam::777788889999:role/bi-dashboards gains SELECT on daily_revenue (day, revenue)  \[safe\]$' "$SCRATCH/out"

begin "first apply, audit log, the ledger stays out of git"
run_mg apply -C "$repo" $T --audit "$SCRATCH/audit.jsonl"
expect_status 0 "$status"
expect_grep '^prod: applied 7 operations, (nothing) -> ' "$SCRATCH/err"
expect_grep '^dev: applied 5 operations' "$SCRATCH/err"
test "$(wc -l <"$SCRATCH/audit.jsonl")" -eq 12 && ok || not_ok "audit has $(wc -l <"$SCRATCH/audit.jsonl") lines, expected 12"
expect_grep '"operation":"grant".*"principal":"444455556666".*"result":"ok","request_id":"ledger-' "$SCRATCH/audit.jsonl"
git -C "$repo" status --porcelain >"$SCRATCH/st"
: >"$SCRATCH/want"
expect_cmp "$SCRATCH/want" "$SCRATCH/st"

begin "who can read what"
run_mg access -C "$repo" --consumer 444455556666 --env prod
expect_status 0 "$status"
cat >"$SCRATCH/want" <<'OUT'
prod/sales_orders: consumer 444455556666 may DESCRIBE the database
prod/sales_orders: consumer 444455556666 reads daily_revenue (day, revenue)
prod/sales_orders: consumer 444455556666 reads orders (amount, customer_id, order_date, order_id)
OUT
expect_cmp "$SCRATCH/want" "$SCRATCH/out"
run_mg access -C "$repo" --column customers.email
expect_status 0 "$status"
expect_grep "no grant matches" "$SCRATCH/err"
run_mg access -C "$repo" --column orders.card_number
expect_grep "no grant matches" "$SCRATCH/err"

begin "a new pii clearance is risky; a removed consumer is revoked"
cat >"$prod/customer-profiles/data-product-consumers.yaml" <<'YAML'
consumers:
  - account: "111122223333"
    contact: sales-data@example.com
    type: lakeformation
    team: sales
    consumer-role-arn: arn:aws:iam::111122223333:role/sales-producer
    tables: [customers]
    access:
      confidential: {approved-by: dpo@example.com, reason: order enrichment, expires: "2030-12-31"}
      pii: {approved-by: dpo@example.com, reason: delivery notices, expires: "2026-12-31"}
YAML
python3 - "$prod/sales-orders/data-product-consumers.json" <<'PY'
import json, sys
p = sys.argv[1]; d = json.load(open(p))
d["consumers"] = [c for c in d["consumers"] if c["account"] != "777788889999"]
json.dump(d, open(p, "w"), indent=2)
PY
commit "sales may read customer e-mails; bi leaves"
run_mg plan -C "$repo" $T --env prod
expect_grep '^- prod/sales_orders: iam role arn:aws:iam::777788889999:role/bi-dashboards loses SELECT on daily_revenue (day, revenue)  \[safe\]$' "$SCRATCH/out"
expect_grep '^+ prod/customer_profiles: consumer 111122223333 gains SELECT on customers (date_of_birth, email)  \[risky: pii\]$' "$SCRATCH/out"
run_mg apply -C "$repo" $T
expect_status 0 "$status"
run_mg access -C "$repo" --column customers.email
expect_grep '^prod/customer_profiles: consumer 111122223333 reads customers' "$SCRATCH/out"
run_mg access -C "$repo" --env prod --consumer arn:aws:iam::777788889999:role/bi-dashboards
expect_grep "no grant matches" "$SCRATCH/err"

begin "again: nothing to do"
run_mg apply -C "$repo" $T
expect_status 0 "$status"
expect_grep '^prod: up to date at ' "$SCRATCH/err"

begin "the clearance expires: the next apply revokes without a commit"
run_mg apply -C "$repo" --today 2027-01-02
expect_status 0 "$status"
expect_grep '^prod: applied 1 operation' "$SCRATCH/err"
run_mg access -C "$repo" --column customers.email
expect_grep "no grant matches" "$SCRATCH/err"

begin "off the protected branch, from a PR, or with a HEAD that does not validate: refused"
git -C "$repo" checkout -q -b feature
run_mg apply -C "$repo" $T
expect_status 3 "$status"
expect_grep "refusing to apply: the current branch is 'feature', not the protected branch 'main'" "$SCRATCH/err"
git -C "$repo" checkout -q main
GITHUB_REF=refs/heads/feature run_mg apply -C "$repo" $T
expect_status 3 "$status"
expect_grep "GITHUB_REF is 'refs/heads/feature'" "$SCRATCH/err"
GITHUB_EVENT_NAME=pull_request run_mg apply -C "$repo" $T
expect_status 3 "$status"
sed -i 's/"111122223333"/"1111"/' "$prod/sales-orders/data-product-producer-info.json"
commit "broken"
run_mg apply -C "$repo" $T
expect_status 1 "$status"
expect_grep "HEAD does not validate" "$SCRATCH/err"
git -C "$repo" reset -q --hard HEAD~1

begin "drift: a grant changed behind meshgate's back is found and fixed"
run_mg drift -C "$repo" --today 2027-01-02
expect_status 0 "$status"
python3 - "$repo/.meshgate/ledger.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("DELETE FROM grants WHERE principal='444455556666' AND tbl='orders' AND environment='prod'")
db.execute("INSERT INTO grants VALUES('prod','999999999999','sales_orders','orders',1,0,3,0,'order_id','0','x')")
db.commit()
PY
run_mg drift -C "$repo" --today 2027-01-02
expect_status 1 "$status"
expect_grep '^- prod/sales_orders: consumer 999999999999 loses SELECT on orders.order_id' "$SCRATCH/out"
expect_grep '^+ prod/sales_orders: consumer 444455556666 gains SELECT on orders (amount, customer_id, order_date, order_id)' "$SCRATCH/out"
run_mg drift -C "$repo" --today 2027-01-02 --fix
expect_status 0 "$status"
run_mg drift -C "$repo" --today 2027-01-02
expect_status 0 "$status"

begin "a killed apply leaves a lock; unlock checks its holder; the next apply resumes"
python3 - "$prod/sales-orders/data-product-consumers.json" <<'PY'
import json, sys
p = sys.argv[1]; d = json.load(open(p))
for i in range(5):
    a = "%012d" % (300000000000 + i)
    d["consumers"].append({"account": a, "type": "lakeformation", "consumer-role-arn": "arn:aws:iam::%s:role/r" % a})
json.dump(d, open(p, "w"), indent=2)
PY
commit "five more consumers"
MESHGATE_TEST_KILL_AFTER_OPS=4 run_mg apply -C "$repo" --today 2027-01-02 --batch-size 1 --env prod
test "$status" -eq 137 && ok || not_ok "apply was not killed (status $status)"
run_mg apply -C "$repo" --today 2027-01-02 --env prod --lock-timeout 0
expect_status 3 "$status"
expect_grep "prod: environment 'prod' is locked by meshgate apply (pid" "$SCRATCH/err"
run_mg unlock -C "$repo" --env prod
expect_status 2 "$status"
expect_grep "meshgate unlock --env prod --force" "$SCRATCH/out"
run_mg unlock -C "$repo" --env prod --force
expect_status 0 "$status"
run_mg apply -C "$repo" --today 2027-01-02 --env prod
expect_status 0 "$status"
expect_grep "completed an interrupted run" "$SCRATCH/err"
run_mg drift -C "$repo" --today 2027-01-02
expect_status 0 "$status"
run_mg access -C "$repo" --consumer 300000000004
expect_grep "reads daily_revenue" "$SCRATCH/out"

finish
