#!/bin/sh
# meshgate.yaml: suppressions (rule + path glob + reason; a stale one is a
# warning), PII patterns extended or replaced, catalogue root, limits.
. "$TESTDIR/cli/lib.sh"
repo=$SCRATCH/repo
cat=$repo/data-products-catalogue
product "$cat/dev/orders" orders orders-dev 111122223333
product "$cat/prod/orders" orders orders-prod 222233334444
for env in dev prod; do
  cat >"$cat/$env/orders/data-product-outputs.json" <<JSON
{
  "outputs": {
    "events": {
      "file-format": "parquet", "port-type": "blob", "location": "s3://orders-$env/events",
      "columns": [ { "name": "id" }, { "name": "customer_email" }, { "name": "loyalty_id" } ]
    }
  }
}
JSON
done

begin "without configuration: the unclassified e-mail column is a warning in both environments"
run_mg validate -C "$repo"
expect_status 0 "$status"
test "$(grep -c 'unclassified-sensitive' "$SCRATCH/out")" -eq 2 && ok || not_ok "expected 2 unclassified-sensitive findings"

begin "a suppression with a glob silences dev only; a stale one is reported"
cat >"$repo/meshgate.yaml" <<'YAML'
rules:
  unclassified-sensitive: error
suppressions:
  - rule: unclassified-sensitive
    path: data-products-catalogue/dev/**
    reason: dev holds synthetic e-mail addresses
  - rule: self-consumer
    path: data-products-catalogue/**
    reason: nobody remembers
YAML
run_mg validate -C "$repo"
expect_status 1 "$status"
cat >"$SCRATCH/want" <<'OUT'
data-products-catalogue/prod/orders/data-product-outputs.json:5:38: error: column 'customer_email' of table 'events' looks like personal data (pattern 'email') but is not classified; list it in data-product-visibility with "pii": true (or false if it is not) [unclassified-sensitive]
meshgate.yaml:7:5: warning: suppression of 'self-consumer' for 'data-products-catalogue/**' matches no finding; remove it [unused-suppression]
OUT
expect_cmp "$SCRATCH/want" "$SCRATCH/out"

begin "a suppression needs a reason and a known rule"
cat >"$repo/meshgate.yaml" <<'YAML'
suppressions:
  - rule: unclassified-sensitive
    path: "**"
  - rule: no-such-rule
    path: "**"
    reason: typo
YAML
run_mg validate -C "$repo"
expect_status 1 "$status"
expect_grep "meshgate.yaml:2:5: error: missing required key 'reason' \[schema\]" "$SCRATCH/out"
expect_grep "meshgate.yaml:4:11: error: unknown rule 'no-such-rule' in suppression \[config\]" "$SCRATCH/out"
expect_grep "unclassified-sensitive" "$SCRATCH/out"

begin "PII patterns: extend with a company term, or replace the built-in list"
cat >"$repo/meshgate.yaml" <<'YAML'
pii-patterns:
  mode: extend
  patterns:
    - name: loyalty id
      kind: pii
      match: [loyalty id]
YAML
run_mg validate -C "$repo"
expect_grep "column 'loyalty_id' of table 'events' looks like personal data (pattern 'loyalty id')" "$SCRATCH/out"
expect_grep "pattern 'email'" "$SCRATCH/out"
sed -i 's/mode: extend/mode: replace/' "$repo/meshgate.yaml"
run_mg validate -C "$repo"
expect_grep "pattern 'loyalty id'" "$SCRATCH/out"
if grep -q "pattern 'email'" "$SCRATCH/out"; then not_ok "replace kept the built-in patterns"; else ok; fi

begin "catalogue root and limits from the configuration"
mv "$cat" "$repo/catalogue"
# one file over the configured 1 KiB limit
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["outputs"]["events"]["description"]="x"*1200; json.dump(d,open(sys.argv[1],"w"))' "$repo/catalogue/prod/orders/data-product-outputs.json"
printf 'catalogue: catalogue\nlimits:\n  max-file-bytes: 1024\n' >"$repo/meshgate.yaml"
run_mg validate -C "$repo"
expect_status 1 "$status"
expect_grep "catalogue/prod/orders/data-product-outputs.json:1:1: error: .*larger than the limit of 1024 \[parse\]" "$SCRATCH/out"

begin "an unknown key anywhere in meshgate.yaml is an error, never ignored"
cat >"$repo/meshgate.yaml" <<'YAML'
catalogue: catalogue
rulez:
  self-consumer: error
limits:
  max-file-byte: 10
suppressions:
  - rule: self-consumer
    path: catalogue/dev/**
    reason: r
    expires: 2027-01-01
environments:
  prod:
    backend: {type: local}
    colour: blue
clearance-max-day: 3
YAML
run_mg validate -C "$repo"
expect_status 1 "$status"
grep '^meshgate.yaml:' "$SCRATCH/out" | grep -v unused-suppression >"$SCRATCH/got"
cat >"$SCRATCH/want" <<'OUT'
meshgate.yaml:2:1: error: unknown key 'rulez' (did you mean 'rules'?) [schema]
meshgate.yaml:5:3: error: unknown key 'max-file-byte' in limits (did you mean 'max-file-bytes'?) [schema]
meshgate.yaml:10:5: error: unknown key 'expires' in suppressions[0] [schema]
meshgate.yaml:14:5: error: unknown key 'colour' in environments.prod [schema]
meshgate.yaml:15:1: error: unknown key 'clearance-max-day' (did you mean 'clearance-max-days'?) [schema]
OUT
expect_cmp "$SCRATCH/want" "$SCRATCH/got"

finish
