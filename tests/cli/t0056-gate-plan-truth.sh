#!/bin/sh
# The plan tells the whole truth: a grant made possible because the change
# declassified what the base classified (a column lost pii/pci, a table lost
# confidential, visibility or a table's entry in it was deleted) is risky
# with the reason, judged against the base's classification, in the text,
# Markdown and JSON plans, and `check` reports the same as declassified.
# A looser duplicate visibility entry is no declassification: the stricter
# entry wins.
. "$TESTDIR/cli/lib.sh"
repo=$SCRATCH/repo
cat=$repo/data-products-catalogue/prod
p=$cat/orders
git_repo "$repo"

product "$p" orders orders-bucket 111122223333
cat >"$p/data-product-outputs.json" <<'JSON'
{
  "outputs": {
    "events": {
      "file-format": "parquet", "port-type": "blob", "location": "s3://orders-bucket/events",
      "columns": [ { "name": "id", "type": "string" }, { "name": "email", "type": "string" },
                   { "name": "card", "type": "string" } ]
    },
    "ledger": {
      "file-format": "parquet", "port-type": "blob", "location": "s3://orders-bucket/ledger",
      "columns": [ { "name": "amount", "type": "string" } ]
    },
    "raw": {
      "file-format": "parquet", "port-type": "blob", "location": "s3://orders-bucket/raw"
    }
  }
}
JSON
cat >"$p/data-product-visibility.json" <<'JSON'
{
  "tables": [
    { "name": "events", "visibility": "internal",
      "columns": [ { "name": "email", "pii": true }, { "name": "card", "pci": true } ] },
    { "name": "ledger", "visibility": "confidential" },
    { "name": "raw", "visibility": "internal",
      "columns": [ { "name": "phone", "pii": true } ] }
  ]
}
JSON
cat >"$p/data-product-consumers.json" <<'JSON'
{
  "consumers": [
    { "account": "210987654321", "contact": "bi@example.com", "type": "lakeformation",
      "team": "bi", "enterprise-system-landscape-information-tracker": "BI-1",
      "consumer-role-arn": "arn:aws:iam::210987654321:role/bi", "tables": ["events", "ledger", "raw"] }
  ]
}
JSON
commit base

# plan_of BRANCH : the text plan of merging BRANCH into main, then check's verdict
plan_of() {
  run_mg plan -C "$repo" --from main --to "$1" --today 2026-06-01
  cp "$SCRATCH/out" "$SCRATCH/plan"
}

begin "a column that lost its pii flag: the grant of it is risky, declassified"
git -C "$repo" checkout -q -b unflag main
sed -i 's/"pii": true }, { "name": "card"/"pii": false }, { "name": "card"/' "$p/data-product-visibility.json"
commit "email is not personal"
plan_of unflag
expect_status 0 "$status"
cat >"$SCRATCH/want" <<'OUT'
+ prod/orders: consumer 210987654321 gains SELECT on events.email  [risky: declassified email]
1 change: 0 revokes, 1 grant (1 risky)
OUT
tail -n +2 "$SCRATCH/plan" >"$SCRATCH/got"
expect_cmp "$SCRATCH/want" "$SCRATCH/got"
run_mg plan -C "$repo" --from main --to unflag --today 2026-06-01 --format json
expect_grep '"risk":[[:space:]]*"risky"' "$SCRATCH/out"
expect_grep '"declassified":[[:space:]]*\["email"\]' "$SCRATCH/out"
expect_grep '"risky":[[:space:]]*1' "$SCRATCH/out"
run_mg check -C "$repo" --base main --head unflag --today 2026-06-01 --format markdown
expect_status 1 "$status"
expect_grep "column 'events.email' lost its pii flag" "$SCRATCH/out"
expect_grep '(1 risky)' "$SCRATCH/out"
expect_grep '\*\*risky\*\*: declassified email' "$SCRATCH/out"
git -C "$repo" checkout -q main

begin "a table that lost confidential: its grant is risky, declassified"
git -C "$repo" checkout -q -b lower main
sed -i 's/"ledger", "visibility": "confidential"/"ledger", "visibility": "internal"/' "$p/data-product-visibility.json"
commit "ledger is internal"
plan_of lower
cat >"$SCRATCH/want" <<'OUT'
+ prod/orders: consumer 210987654321 gains SELECT on ledger.amount  [risky: declassified ledger]
1 change: 0 revokes, 1 grant (1 risky)
OUT
tail -n +2 "$SCRATCH/plan" >"$SCRATCH/got"
expect_cmp "$SCRATCH/want" "$SCRATCH/got"
git -C "$repo" checkout -q main

begin "deleting data-product-visibility declassifies everything it classified"
git -C "$repo" checkout -q -b novis main
git -C "$repo" rm -q "$p/data-product-visibility.json"
commit "no visibility"
plan_of novis
cat >"$SCRATCH/want" <<'OUT'
+ prod/orders: consumer 210987654321 gains SELECT on events (card, email)  [risky: declassified card, email]
+ prod/orders: consumer 210987654321 gains SELECT on ledger.amount  [risky: declassified ledger]
+ prod/orders: consumer 210987654321 gains SELECT on raw (all columns)  [risky: declassified phone]
3 changes: 0 revokes, 3 grants (3 risky)
OUT
tail -n +2 "$SCRATCH/plan" >"$SCRATCH/got"
expect_cmp "$SCRATCH/want" "$SCRATCH/got"
run_mg check -C "$repo" --base main --head novis --today 2026-06-01 --format markdown
expect_status 1 "$status"
expect_grep "column 'events.email' lost its pii flag" "$SCRATCH/out"
expect_grep "column 'raw.phone' lost its pii flag" "$SCRATCH/out"
expect_grep "table 'ledger' was lowered from confidential to public" "$SCRATCH/out"
expect_grep '(3 risky)' "$SCRATCH/out"
git -C "$repo" checkout -q main

begin "deleting a table's visibility entry declassifies its columns"
git -C "$repo" checkout -q -b noentry main
cat >"$p/data-product-visibility.json" <<'JSON'
{
  "tables": [
    { "name": "ledger", "visibility": "confidential" },
    { "name": "raw", "visibility": "internal",
      "columns": [ { "name": "phone", "pii": true } ] }
  ]
}
JSON
commit "events unlisted"
plan_of noentry
cat >"$SCRATCH/want" <<'OUT'
+ prod/orders: consumer 210987654321 gains SELECT on events (card, email)  [risky: declassified card, email]
1 change: 0 revokes, 1 grant (1 risky)
OUT
tail -n +2 "$SCRATCH/plan" >"$SCRATCH/got"
expect_cmp "$SCRATCH/want" "$SCRATCH/got"
git -C "$repo" checkout -q main

begin "a clearance added: the grant it makes possible is risky"
git -C "$repo" checkout -q -b clear main
sed -i 's|"tables": \["events", "ledger", "raw"\]|&,\n      "access": { "pii": { "approved-by": "dpo@example.com", "reason": "support", "expires": "2026-12-31" } }|' "$p/data-product-consumers.json"
commit "bi may read email"
plan_of clear
cat >"$SCRATCH/want" <<'OUT'
+ prod/orders: consumer 210987654321 gains SELECT on events.email  [risky: pii]
+ prod/orders: consumer 210987654321 gains SELECT on raw (all columns)  [risky: pii]
2 changes: 0 revokes, 2 grants (2 risky)
OUT
tail -n +2 "$SCRATCH/plan" >"$SCRATCH/got"
expect_cmp "$SCRATCH/want" "$SCRATCH/got"
git -C "$repo" checkout -q main

begin "a new consumer of a column declassified in the same change is risky"
git -C "$repo" checkout -q -b newcomer unflag
sed -i 's|"consumers": \[|&\n    { "account": "333344445555", "contact": "ml@example.com", "type": "lakeformation", "team": "ml", "enterprise-system-landscape-information-tracker": "ML-1", "consumer-role-arn": "arn:aws:iam::333344445555:role/ml", "tables": ["events"] },|' "$p/data-product-consumers.json"
commit "ml reads events"
plan_of newcomer
expect_grep '333344445555 gains SELECT on events (email, id)  \[risky: declassified email\]' "$SCRATCH/plan"
expect_grep '333344445555 gains DESCRIBE on database orders  \[safe\]' "$SCRATCH/plan"
git -C "$repo" checkout -q main

begin "a looser duplicate visibility entry declassifies nothing: the stricter wins in the plan"
git -C "$repo" checkout -q -b duplicate main
python3 - "$p/data-product-visibility.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["tables"] += [{"name": "events", "visibility": "internal", "columns": [{"name": "email", "pii": False}]},
                {"name": "ledger", "visibility": "public"}]
json.dump(d, open(sys.argv[1], "w"), indent=2)
PY
commit "looser entries further down"
plan_of duplicate
expect_grep '^0 changes: 0 revokes, 0 grants (0 risky)$' "$SCRATCH/plan"
run_mg check -C "$repo" --base main --head duplicate --today 2026-06-01
expect_status 0 "$status"
test "$(grep -c '\[conflicting-classification\]' "$SCRATCH/out")" -eq 2 && ok || not_ok "want 2 conflicting-classification findings: $(cat "$SCRATCH/out")"
if grep -q 'declassified\|public-sensitive' "$SCRATCH/out"; then not_ok "the looser entry was taken: $(cat "$SCRATCH/out")"; else ok; fi
git -C "$repo" checkout -q main

finish
