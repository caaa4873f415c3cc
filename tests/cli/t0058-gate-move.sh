#!/bin/sh
# Moving or renaming a product folder (same data-product-name) is a move:
# `check` says product-moved and compares the product with itself (so a
# declassification in the same change is still found, at the new path),
# reports no breaking-removal, and the plan has no revoke + grant churn.
# The summary counts a moved product once, not as a deletion and an addition.
. "$TESTDIR/cli/lib.sh"
repo=$SCRATCH/repo
cat=$repo/data-products-catalogue/prod
git_repo "$repo"

product "$cat/orders" orders orders-bucket 111122223333
cat >"$cat/orders/data-product-outputs.json" <<'JSON'
{
  "outputs": {
    "events": {
      "file-format": "parquet", "port-type": "blob", "location": "s3://orders-bucket/events",
      "columns": [ { "name": "id", "type": "string" }, { "name": "email", "type": "string" } ]
    }
  }
}
JSON
cat >"$cat/orders/data-product-visibility.json" <<'JSON'
{
  "tables": [
    { "name": "events", "visibility": "internal",
      "columns": [ { "name": "email", "pii": true } ] }
  ]
}
JSON
cat >"$cat/orders/data-product-consumers.json" <<'JSON'
{
  "consumers": [
    { "account": "210987654321", "contact": "bi@example.com", "type": "lakeformation",
      "team": "bi", "enterprise-system-landscape-information-tracker": "BI-1",
      "consumer-role-arn": "arn:aws:iam::210987654321:role/bi" }
  ]
}
JSON
commit base

begin "a renamed folder is a move: a note, no breaking-removal"
git -C "$repo" checkout -q -b rename main
git -C "$repo" mv "$cat/orders" "$cat/order-events"
commit "rename the folder"
run_mg check -C "$repo" --base main --head rename --today 2026-06-01
expect_status 0 "$status"
cat >"$SCRATCH/want" <<'OUT'
data-products-catalogue/prod/order-events/data-product.json:2:24: note: product 'orders' moved from 'data-products-catalogue/prod/orders' to 'data-products-catalogue/prod/order-events'; it keeps its data-product-name, so its consumers keep their grants [product-moved]
OUT
expect_cmp "$SCRATCH/want" "$SCRATCH/out"
expect_grep '^meshgate: 0 errors, 0 warnings in the 1 changed product (' "$SCRATCH/err"
run_mg check -C "$repo" --base main --head rename --today 2026-06-01 --format json
expect_grep '"products":	1,' "$SCRATCH/out"
run_mg plan -C "$repo" --from main --to rename --today 2026-06-01
expect_grep '^0 changes' "$SCRATCH/out"
git -C "$repo" checkout -q main

begin "a move that also declassifies: the declassification is found at the new path"
git -C "$repo" checkout -q -b sneak main
git -C "$repo" mv "$cat/orders" "$cat/orders2"
sed -i 's/"pii": true/"pii": false/' "$cat/orders2/data-product-visibility.json"
commit "move and unflag"
run_mg check -C "$repo" --base main --head sneak --today 2026-06-01
expect_status 1 "$status"
expect_grep "^data-products-catalogue/prod/orders2/data-product-visibility.json:4:.*column 'events.email' lost its pii flag.*\[declassified\]" "$SCRATCH/out"
expect_grep "\[product-moved\]" "$SCRATCH/out"
if grep -q 'breaking-removal' "$SCRATCH/out"; then not_ok "a move reported as a deletion"; else ok; fi
expect_grep '^meshgate: 1 error, 0 warnings in the 1 changed product (' "$SCRATCH/err"
run_mg plan -C "$repo" --from main --to sneak --today 2026-06-01
expect_grep 'gains SELECT on events.email  \[risky: declassified email\]' "$SCRATCH/out"
expect_grep '^1 change: 0 revokes, 1 grant (1 risky)' "$SCRATCH/out"
git -C "$repo" checkout -q main

begin "a move beside a new product: two changed products, not three"
git -C "$repo" checkout -q -b move-and-add main
git -C "$repo" mv "$cat/orders" "$cat/order-events"
product "$cat/billing" billing billing-bucket 111122223333
commit "move orders, add billing"
run_mg check -C "$repo" --base main --head move-and-add --today 2026-06-01
expect_status 0 "$status"
expect_grep '^meshgate: 0 errors, 0 warnings in the 2 changed products (' "$SCRATCH/err"
run_mg check -C "$repo" --base main --head move-and-add --today 2026-06-01 --format markdown
expect_grep '^0 errors, 0 warnings, 1 note in 2 products' "$SCRATCH/out"
git -C "$repo" checkout -q main

begin "a deletion is still a deletion"
git -C "$repo" checkout -q -b gone main
git -C "$repo" rm -q -r "$cat/orders"
product "$cat/other" other other-bucket 111122223333
commit "delete orders"
run_mg check -C "$repo" --base main --head gone --today 2026-06-01
expect_status 1 "$status"
expect_grep "data product 'orders' was deleted while 1 consumer was listed.*\[breaking-removal\]" "$SCRATCH/out"
if grep -q 'product-moved' "$SCRATCH/out"; then not_ok "a deletion reported as a move"; else ok; fi
expect_grep '^meshgate: 1 error, 0 warnings in the 2 changed products (' "$SCRATCH/err"
git -C "$repo" checkout -q main

finish
