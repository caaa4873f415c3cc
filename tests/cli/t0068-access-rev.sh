#!/bin/sh
# `meshgate access --rev REV` answers who can read what from any commit,
# through the access model, before anything is applied: no state is needed
# or created; after apply it answers as the ledger does, line for line; a
# commit not yet applied shows its new grants; clearances are judged on
# --today; --env narrows it.
. "$TESTDIR/cli/lib.sh"
repo=$SCRATCH/repo
quickstart_repo "$repo"
T="--today 2026-06-01"
queries="--consumer=444455556666 --consumer=111122223333 --product=sales_orders --product=customer_profiles --column=customers.segment --column=orders.amount"

begin "before any apply: answered from the commit, nothing created"
run_mg access -C "$repo" --rev HEAD --consumer 111122223333 $T
expect_status 0 "$status"
expect_grep '^prod/customer_profiles: consumer 111122223333 reads customers (' "$SCRATCH/out"
[ ! -e "$repo/.meshgate" ] && ok || not_ok "access --rev created the state directory"
run_mg access -C "$repo" --consumer 111122223333
expect_status 3 "$status"
expect_grep "nothing has been applied here yet" "$SCRATCH/err"

begin "after apply: the same answer as the ledger, for every kind of question"
run_mg apply -C "$repo" $T
expect_status 0 "$status"
for q in $queries; do
	run_mg access -C "$repo" "$q"
	cp "$SCRATCH/out" "$SCRATCH/ledger"
	[ -s "$SCRATCH/ledger" ] && ok || not_ok "$q: the ledger has no grant"
	run_mg access -C "$repo" "$q" --rev HEAD $T
	expect_status 0 "$status"
	expect_cmp "$SCRATCH/ledger" "$SCRATCH/out"
done

begin "a commit not yet applied: its new grant, while the ledger and the applied commit have none"
python3 - "$repo/data-products-catalogue/dev/sales-orders/data-product-consumers.json" <<'PY'
import json, sys
p = sys.argv[1]; d = json.load(open(p))
d["consumers"].append({"account": "999988887777", "contact": "new@example.com", "type": "lakeformation",
                       "team": "new", "consumer-role-arn": "arn:aws:iam::999988887777:role/new", "tables": ["orders"]})
json.dump(d, open(p, "w"), indent=2)
PY
git -C "$repo" commit -qam "a new consumer"
run_mg validate -C "$repo" $T
expect_status 0 "$status"
run_mg access -C "$repo" --consumer 999988887777 --rev HEAD $T
expect_status 0 "$status"
expect_grep '^dev/sales_orders: consumer 999988887777 reads orders (' "$SCRATCH/out"
run_mg access -C "$repo" --consumer 999988887777 --rev HEAD~1 $T
expect_grep "no grant matches" "$SCRATCH/err"
run_mg access -C "$repo" --consumer 999988887777
expect_grep "no grant matches" "$SCRATCH/err"

begin "--env narrows; --today judges clearances"
run_mg access -C "$repo" --product sales_orders --rev HEAD --env prod $T
expect_status 0 "$status"
grep -q '^dev/' "$SCRATCH/out" && not_ok "--env prod showed dev" || ok
expect_grep '^prod/sales_orders: ' "$SCRATCH/out"
run_mg access -C "$repo" --column customers.segment --rev HEAD --today 2026-06-01
expect_grep '^prod/customer_profiles: consumer 111122223333 reads customers' "$SCRATCH/out"
# the confidential clearance expires on 2027-05-31
run_mg access -C "$repo" --column customers.segment --rev HEAD --today 2027-06-01
expect_status 0 "$status"
expect_grep "no grant matches" "$SCRATCH/err"

begin "bad input"
run_mg access -C "$repo" --rev nope --consumer 1
expect_status 3 "$status"
expect_grep "unknown revision 'nope'" "$SCRATCH/err"
run_mg access -C "$repo" --rev HEAD --consumer 1 --today 2026-13-01
expect_status 2 "$status"
finish
