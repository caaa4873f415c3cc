#!/bin/sh
# `meshgate check --base --head`: findings narrowed to what the change
# touches, the change rules, a base that is not an ancestor, deleted
# products, several reports in one run, and the access plan in Markdown.
. "$TESTDIR/cli/lib.sh"
repo=$SCRATCH/repo
cat=$repo/data-products-catalogue/prod
git_repo "$repo"

product "$cat/orders" orders orders-bucket 111122223333
product "$cat/legacy" legacy legacy-bucket 222233334444
# an old problem elsewhere: legacy's owner is not an e-mail address
sed -i 's/"owner@example.com"/"nobody"/' "$cat/legacy/data-product.json"
cat >"$cat/orders/data-product-visibility.json" <<'JSON'
{
  "tables": [
    { "name": "events", "visibility": "confidential",
      "columns": [ { "name": "email", "pii": true } ] }
  ]
}
JSON
cat >"$cat/orders/data-product-consumers.json" <<'JSON'
{
  "consumers": [
    { "account": "555566667777", "type": "lakeformation", "tables": ["events"],
      "access": { "confidential": { "approved-by": "dpo@example.com", "reason": "fraud", "expires": "2027-01-01" } } }
  ]
}
JSON
commit base
git -C "$repo" checkout -q -b feature

begin "an unrelated old problem does not block the PR; --all shows it"
printf '{\n  "data-product-name": "orders",\n  "data-product-owner": "owner@example.com",\n  "version": "1.0.1"\n}\n' >"$cat/orders/data-product.json"
commit "bump version"
run_mg check -C "$repo" --base main --head feature --today 2026-06-01
expect_status 0 "$status"
: >"$SCRATCH/want"
expect_cmp "$SCRATCH/want" "$SCRATCH/out"
expect_grep '0 errors, 0 warnings in the 1 changed product' "$SCRATCH/err"
run_mg check -C "$repo" --base main --head feature --today 2026-06-01 --all
expect_status 1 "$status"
expect_grep "legacy/data-product.json:3:25: error: 'nobody' is not a valid email address \[schema\]" "$SCRATCH/out"

begin "declassified: a pii flag removed and the visibility lowered"
cat >"$cat/orders/data-product-visibility.json" <<'JSON'
{
  "tables": [
    { "name": "events", "visibility": "internal",
      "columns": [ { "name": "email" } ] }
  ]
}
JSON
commit declassify
run_mg check -C "$repo" --base main --head feature --today 2026-06-01
expect_status 1 "$status"
cat >"$SCRATCH/want" <<'OUT'
data-products-catalogue/prod/orders/data-product-visibility.json:3:39: error: table 'events' was lowered from confidential to internal; this widens access on the next apply, so make it a reviewed decision (suppress with a reason) [declassified]
data-products-catalogue/prod/orders/data-product-visibility.json:4:20: error: column 'events.email' lost its pii flag; every consumer without a clearance would read it after the next apply — make this a reviewed decision (suppress with a reason) [declassified]
OUT
expect_cmp "$SCRATCH/want" "$SCRATCH/out"

begin "several reports from one run; markdown carries the access plan"
run_mg check -C "$repo" --base main --head feature --today 2026-06-01 \
  --format github --format sarif --output "$SCRATCH/r.sarif" --format markdown --output "$SCRATCH/r.md"
expect_status 1 "$status"
expect_grep '^::error file=data-products-catalogue/prod/orders/data-product-visibility.json,line=4,col=20' "$SCRATCH/out"
expect_grep '"ruleId":[[:space:]]*"declassified"' "$SCRATCH/r.sarif"
expect_grep '^## Access plan' "$SCRATCH/r.md"
expect_grep 'consumer `555566667777` | gains SELECT on `events` (all columns) | \*\*risky\*\*: declassified email |' "$SCRATCH/r.md"
run_mg check -C "$repo" --base main --format json --format text
expect_status 2 "$status"
expect_grep 'only one report can go to standard output' "$SCRATCH/err"

begin "rename, owner account change, table removal with consumers"
git -C "$repo" reset -q --hard main
sed -i 's/"data-product-name": "orders"/"data-product-name": "orders_v2"/' "$cat/orders/data-product.json"
sed -i 's/"producer-account-id": "111122223333"/"producer-account-id": "999988887777"/; s/iam::111122223333/iam::999988887777/' "$cat/orders/data-product-producer-info.json"
cat >"$cat/orders/data-product-outputs.json" <<'JSON'
{
  "outputs": {
    "events_v2": { "file-format": "parquet", "port-type": "blob", "location": "s3://orders-bucket/events_v2" }
  }
}
JSON
commit "rework"
run_mg check -C "$repo" --base main --head HEAD --today 2026-06-01
expect_status 1 "$status"
expect_grep 'data-product.json:2:24: error: data-product-name changed from .orders. to .orders_v2.* \[product-renamed\]' "$SCRATCH/out"
expect_grep "data-product-producer-info.json:4:26: error: producer-account-id changed from '111122223333' to '999988887777'.*\[owner-account-changed\]" "$SCRATCH/out"
expect_grep "data-product-outputs.json:1:1: error: output table 'events' was removed while 1 consumer is listed.*\[breaking-removal\]" "$SCRATCH/out"

begin "a deleted product with consumers; a base that is not an ancestor of the head"
git -C "$repo" checkout -q main
product "$cat/extra" extra extra-bucket 333344445555
commit "main moves on"
git -C "$repo" checkout -q -b drop main~1
git -C "$repo" rm -q -r "data-products-catalogue/prod/orders"
commit "drop orders"
run_mg check -C "$repo" --base main --head drop --today 2026-06-01
expect_status 1 "$status"
expect_grep "^data-products-catalogue/prod/orders/data-product.json: error: data product 'orders' was deleted while 1 consumer was listed.*\[breaking-removal\]" "$SCRATCH/out"
run_mg check -C "$repo" --base main --head drop --today 2026-06-01 --format markdown
expect_grep "loses SELECT on \`events\`" "$SCRATCH/out"

begin "a global finding involving the changed product is reported"
git -C "$repo" checkout -q -b dup main
product "$cat/aaa-orders" orders aaa-bucket 444455556666
commit "a second product named orders"
run_mg check -C "$repo" --base main --head dup --today 2026-06-01
expect_status 1 "$status"
expect_grep "\[duplicate-product\]" "$SCRATCH/out"

begin "usage"
run_mg check -C "$repo"
expect_status 2 "$status"
expect_grep "base is required" "$SCRATCH/err"
run_mg check -C "$repo" --base no-such-ref
expect_status 3 "$status"
expect_grep "unknown revision 'no-such-ref'" "$SCRATCH/err"

finish
