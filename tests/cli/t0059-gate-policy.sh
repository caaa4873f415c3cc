#!/bin/sh
# The gate holds its policy: `check` and the hook judge a change by the
# protected branch's meshgate.yaml (the base's, HEAD's for --staged), a
# change to meshgate.yaml is itself a finding that says what it loosens,
# and suppressions match change-rule findings.
. "$TESTDIR/cli/lib.sh"
repo=$SCRATCH/repo
cat=$repo/data-products-catalogue/prod
git_repo "$repo"

product "$cat/orders" orders orders-bucket 111122223333
cat >"$cat/orders/data-product-visibility.json" <<'JSON'
{
  "tables": [
    { "name": "events", "visibility": "confidential",
      "columns": [ { "name": "email", "pii": true } ] }
  ]
}
JSON
cat >"$repo/meshgate.yaml" <<'YAML'
rules:
  unclassified-sensitive: error
YAML
commit base

begin "a pull request cannot switch rules off for itself"
git -C "$repo" checkout -q -b loosen main
cat >"$repo/meshgate.yaml" <<'YAML'
rules:
  unclassified-sensitive: error
  declassified: warning
  public-sensitive: off
YAML
sed -i 's/"confidential"/"public"/' "$cat/orders/data-product-visibility.json"
commit "make events public"
run_mg check -C "$repo" --base main --head loosen --today 2026-06-01
expect_status 1 "$status"
cat >"$SCRATCH/want" <<'OUT'
data-products-catalogue/prod/orders/data-product-visibility.json:3:39: error: table 'events' was lowered from confidential to public; this widens access on the next apply, so make it a reviewed decision (suppress with a reason) [declassified]
data-products-catalogue/prod/orders/data-product-visibility.json:4:46: error: table 'events' is public but its column 'email' is classified pii; make the table internal or confidential in data-product-visibility, or remove the column [public-sensitive]
meshgate.yaml:3:3: error: lowers rule 'declassified' from error to warning; this loosens the gate for every change after the merge, so it needs its own review [config-loosened]
meshgate.yaml:4:3: error: turns rule 'public-sensitive' off (it was error); this loosens the gate for every change after the merge, so it needs its own review [config-loosened]
OUT
expect_cmp "$SCRATCH/want" "$SCRATCH/out"

begin "the hook judges the staged change by HEAD's meshgate.yaml"
git -C "$repo" checkout -q main
cp "$repo/meshgate.yaml" "$SCRATCH/main.yaml"
printf 'rules:\n  public-sensitive: off\n' >"$repo/meshgate.yaml"
sed -i 's/"confidential"/"public"/' "$cat/orders/data-product-visibility.json"
git -C "$repo" add -A
for cache in "--no-cache" ""; do
  run_mg validate -C "$repo" --staged $cache --today 2026-06-01
  expect_status 1 "$status"
  cat >"$SCRATCH/want" <<'OUT'
data-products-catalogue/prod/orders/data-product-visibility.json:4:46: error: table 'events' is public but its column 'email' is classified pii; make the table internal or confidential in data-product-visibility, or remove the column [public-sensitive]
meshgate.yaml:1:1: error: lowers rule 'unclassified-sensitive' from error to warning; this loosens the gate for every change after the merge, so it needs its own review [config-loosened]
meshgate.yaml:2:3: error: turns rule 'public-sensitive' off (it was error); this loosens the gate for every change after the merge, so it needs its own review [config-loosened]
OUT
  expect_cmp "$SCRATCH/want" "$SCRATCH/out"
done
git -C "$repo" reset -q --hard main

begin "a suppression added with the finding it hides hides nothing yet and is reported"
git -C "$repo" checkout -q -b hide main
cat >>"$repo/meshgate.yaml" <<'YAML'
suppressions:
  - rule: declassified
    path: data-products-catalogue/prod/orders/**
    reason: email is hashed upstream now
YAML
sed -i 's/, "pii": true//' "$cat/orders/data-product-visibility.json"
commit "email is hashed"
run_mg check -C "$repo" --base main --head hide --today 2026-06-01
expect_status 1 "$status"
cat >"$SCRATCH/want" <<'OUT'
data-products-catalogue/prod/orders/data-product-visibility.json:4:20: error: column 'events.email' lost its pii flag; every consumer without a clearance would read it after the next apply — make this a reviewed decision (suppress with a reason) [declassified]
meshgate.yaml:4:5: error: adds a suppression of 'declassified' for 'data-products-catalogue/prod/orders/**' (it would hide 1 finding of this change); this loosens the gate for every change after the merge, so it needs its own review [config-loosened]
OUT
expect_cmp "$SCRATCH/want" "$SCRATCH/out"

begin "a suppression on the protected branch matches change-rule findings"
git -C "$repo" checkout -q main
git -C "$repo" checkout -q hide -- meshgate.yaml
commit "policy: orders' declassifications are reviewed by the DPO"
git -C "$repo" checkout -q -b declassify main
sed -i 's/, "pii": true//' "$cat/orders/data-product-visibility.json"
commit "email is hashed"
run_mg check -C "$repo" --base main --head declassify --today 2026-06-01
expect_status 0 "$status"
: >"$SCRATCH/want"
expect_cmp "$SCRATCH/want" "$SCRATCH/out"

begin "limits, clearance-max-days, PII patterns, suppressions removed, the protected branch: said in words"
git -C "$repo" checkout -q -b limits main
cat >"$repo/meshgate.yaml" <<'YAML'
protected-branch: release
rules:
  unclassified-sensitive: error
  self-consumer: error
pii-patterns:
  mode: replace
  patterns:
    - name: loyalty id
      kind: pii
      match: [loyalty id]
limits:
  max-file-bytes: 2097152
  max-depth: 32
clearance-max-days: 3650
YAML
commit "policy rework"
run_mg check -C "$repo" --base main --head limits --today 2026-06-01
expect_status 1 "$status"
cat >"$SCRATCH/want" <<'OUT'
meshgate.yaml: note: removes the suppression of 'declassified' for 'data-products-catalogue/prod/orders/**'; it takes effect after the merge [config-changed]
meshgate.yaml:1:1: error: moves the protected branch from 'main' to 'release', where apply would run; this loosens the gate for every change after the merge, so it needs its own review [config-loosened]
meshgate.yaml:4:3: note: raises rule 'self-consumer' from warning to error; it takes effect after the merge [config-changed]
meshgate.yaml:5:1: error: replaces the built-in PII patterns with its own; this loosens the gate for every change after the merge, so it needs its own review [config-loosened]
meshgate.yaml:5:1: note: adds PII pattern 'loyalty id'; it takes effect after the merge [config-changed]
meshgate.yaml:12:3: error: raises the file size limit from 1048576 to 2097152 bytes; this loosens the gate for every change after the merge, so it needs its own review [config-loosened]
meshgate.yaml:13:3: note: lowers the nesting limit from 64 to 32; it takes effect after the merge [config-changed]
meshgate.yaml:14:1: error: raises the longest a clearance may run before clearance-too-long from 365 to 3650 days; this loosens the gate for every change after the merge, so it needs its own review [config-loosened]
OUT
expect_cmp "$SCRATCH/want" "$SCRATCH/out"

begin "the plan of a merged meshgate.yaml change lists what it changes, in text, Markdown and JSON"
git -C "$repo" checkout -q -B cfgplan main
cat >"$repo/meshgate.yaml" <<'YAML'
rules:
  unclassified-sensitive: warning
  self-consumer: error
suppressions:
  - rule: declassified
    path: data-products-catalogue/prod/orders/**
    reason: email is hashed upstream now
YAML
commit "policy: looser"
run_mg plan -C "$repo" --from main --to cfgplan --today 2026-06-01
expect_status 0 "$status"
cat >"$SCRATCH/want" <<'OUT'
plan main..cfgplan
~ meshgate.yaml:2:3: lowers rule 'unclassified-sensitive' from error to warning  [loosens the gate]
~ meshgate.yaml:3:3: raises rule 'self-consumer' from warning to error
0 changes: 0 revokes, 0 grants (0 risky)
OUT
expect_cmp "$SCRATCH/want" "$SCRATCH/out"
run_mg plan -C "$repo" --from main --to cfgplan --today 2026-06-01 --format markdown
expect_grep "^- ⚠️ meshgate.yaml:2: lowers rule 'unclassified-sensitive' from error to warning (\*\*loosens the gate\*\*)$" "$SCRATCH/out"
expect_grep "^- meshgate.yaml:3: raises rule 'self-consumer' from warning to error$" "$SCRATCH/out"
run_mg plan -C "$repo" --from main --to cfgplan --today 2026-06-01 --format json
python3 - "$SCRATCH/out" >"$SCRATCH/got" <<'PY'
import json, sys
for c in json.load(open(sys.argv[1]))["config_changes"]:
    print(c["path"], c["line"], c["column"], c["loosens"], c["change"])
PY
cat >"$SCRATCH/want" <<'OUT'
meshgate.yaml 2 3 True lowers rule 'unclassified-sensitive' from error to warning
meshgate.yaml 3 3 False raises rule 'self-consumer' from warning to error
OUT
expect_cmp "$SCRATCH/want" "$SCRATCH/got"
run_mg plan -C "$repo" --from cfgplan --to cfgplan --today 2026-06-01 --format json
expect_grep '"config_changes":	\[\]' "$SCRATCH/out"
git -C "$repo" checkout -q -f main

begin "a clearance is judged by today's date in UTC, whatever the time zone"
# UTC-12 is a day behind UTC before noon UTC, UTC+14 a day ahead from 10:00
# UTC on, so at any hour one of the two would tell local time from UTC
for i in 1 2 3; do
  d0=$(date -u +%F)
  ydate=$(date -u -d "$d0 -1 day" +%F)
  git -C "$repo" checkout -q -B utc main
  cat >"$cat/orders/data-product-consumers.json" <<JSON
{
  "consumers": [
    { "account": "210987654321", "contact": "bi@example.com", "type": "lakeformation",
      "team": "bi", "enterprise-system-landscape-information-tracker": "BI-1",
      "consumer-role-arn": "arn:aws:iam::210987654321:role/bi",
      "access": { "confidential": { "approved-by": "dpo@example.com", "reason": "today", "expires": "$d0" } } },
    { "account": "310987654321", "contact": "ops@example.com", "type": "lakeformation",
      "team": "ops", "enterprise-system-landscape-information-tracker": "OPS-1",
      "consumer-role-arn": "arn:aws:iam::310987654321:role/ops",
      "access": { "confidential": { "approved-by": "dpo@example.com", "reason": "yesterday", "expires": "$ydate" } } }
  ]
}
JSON
  for tz in Etc/GMT+12 Etc/GMT-14; do
    TZ=$tz run_mg validate -C "$repo"
    grep '\[clearance\]' "$SCRATCH/out" >"$SCRATCH/got.${tz#Etc/}" || :
  done
  [ "$(date -u +%F)" = "$d0" ] && break # else the day turned during the runs: again
done
for tz in GMT+12 GMT-14; do
  expect_grep "expired on $ydate (today is $d0)" "$SCRATCH/got.$tz"
  if grep -q "expired on $d0" "$SCRATCH/got.$tz"; then not_ok "TZ=Etc/$tz: the clearance expiring today (UTC) was expired"; else ok; fi
  test "$(wc -l <"$SCRATCH/got.$tz")" -eq 1 && ok || not_ok "TZ=Etc/$tz: $(cat "$SCRATCH/got.$tz")"
done
git -C "$repo" checkout -q -f main

begin "explain knows the new rules"
run_mg explain config-loosened
expect_status 0 "$status"
expect_grep '^## config-loosened' "$SCRATCH/out"

finish
