#!/bin/sh
# Nothing in a catalogue is silently ignored: near misses of the six product
# file names (misnamed-file), other files at every level (unexpected-file,
# unless allowed-files allows them), environments without products
# (empty-environment) and product folders one level too deep
# (nested-product) are findings, alike in the work tree, the index
# (--staged, with and without the facts cache), a commit (--rev), and in
# `check`, which keeps them when the change touched them.
. "$TESTDIR/cli/lib.sh"
repo=$SCRATCH/repo
root=$repo/data-products-catalogue
cat=$root/prod
git_repo "$repo"

product "$cat/orders" orders orders-bucket 111122223333
cat >"$cat/orders/data-product-consumers.json" <<'JSON'
{
  "consumers": [
    { "account": "210987654321", "contact": "bi@example.com", "type": "lakeformation",
      "team": "bi", "enterprise-system-landscape-information-tracker": "BI-1",
      "consumer-role-arn": "arn:aws:iam::210987654321:role/bi" }
  ]
}
JSON
product "$cat/sales" sales sales-bucket 111122223333
printf '# orders\n' >"$cat/orders/README.md"
commit base
: >"$SCRATCH/empty"

begin "a clean catalogue with a README has no entry findings"
run_mg validate -C "$repo" --today 2026-06-01
expect_status 0 "$status"
expect_cmp "$SCRATCH/empty" "$SCRATCH/out"

# the pull request: every class of entry, at every level
git -C "$repo" checkout -q -b entries main
git -C "$repo" mv "$cat/orders/data-product-consumers.json" "$cat/orders/data-product-consumer.json"
cp "$cat/sales/data-product.json" "$cat/sales/Data-Product-Consumers.JSON"
cp "$cat/sales/data-product.json" "$cat/sales/data-products-consumers.json"
cp "$cat/sales/data-product.json" "$cat/sales/data-product-outputs.json.bak"
cp "$cat/sales/data-product.json" "$cat/sales/data-product-visibility.yml~"
printf 'todo\n' >"$cat/sales/notes.txt"
product "$cat/sales/v2" sales-v2 sales-bucket 111122223333
mkdir -p "$cat/sales/old"
printf 'x\n' >"$cat/sales/old/dump.csv"
printf 'x\n' >"$cat/owners.txt"
printf 'x\n' >"$root/LICENSE"
cp "$cat/sales/data-product.json" "$root/data-product.json"
mkdir -p "$root/.retired/billing"
cp "$cat/sales/data-product.json" "$root/.retired/billing/data-product.json"
mkdir -p "$root/staging"
printf '# staging\n' >"$root/staging/README.md"
commit "entries of every class"
cat >"$SCRATCH/want" <<'OUT'
data-products-catalogue/.retired: warning: 'data-products-catalogue/.retired' is a hidden folder beside the environments and is not read (a hidden folder is never an environment); rename it, remove it, or allow it with allowed-files in meshgate.yaml [unexpected-file]
data-products-catalogue/LICENSE:1:1: warning: 'data-products-catalogue/LICENSE' is a file beside the environments, where meshgate reads only environment folders; remove it, or allow it with allowed-files in meshgate.yaml [unexpected-file]
data-products-catalogue/data-product.json:1:1: error: 'data-product.json' is a product file but lies beside the environments, in 'data-products-catalogue', outside any product folder, and is not read; product files live in <catalogue>/<environment>/<product>/ [misnamed-file]
data-products-catalogue/prod/orders/data-product-consumer.json:1:1: error: 'data-product-consumer.json' is not a product file name and is not read; did you mean data-product-consumers.json? [misnamed-file]
data-products-catalogue/prod/owners.txt:1:1: warning: 'data-products-catalogue/prod/owners.txt' is a file in an environment folder, where meshgate reads only product folders; remove it, or allow it with allowed-files in meshgate.yaml [unexpected-file]
data-products-catalogue/prod/sales/Data-Product-Consumers.JSON:1:1: error: 'Data-Product-Consumers.JSON' is not read: product file names are lowercase with '-', on every file system; did you mean data-product-consumers.json? [misnamed-file]
data-products-catalogue/prod/sales/data-product-outputs.json.bak:1:1: error: 'data-product-outputs.json.bak' is a backup or editor copy and is not read; did you mean data-product-outputs.json? ('data-products-catalogue/prod/sales/data-product-outputs.json' is read; remove this one) [misnamed-file]
data-products-catalogue/prod/sales/data-product-visibility.yml~:1:1: error: 'data-product-visibility.yml~' is a backup or editor copy and is not read; did you mean data-product-visibility.yml? (rename it, or remove it) [misnamed-file]
data-products-catalogue/prod/sales/data-products-consumers.json:1:1: error: 'data-products-consumers.json' is not a product file name and is not read; did you mean data-product-consumers.json? [misnamed-file]
data-products-catalogue/prod/sales/notes.txt:1:1: warning: 'data-products-catalogue/prod/sales/notes.txt' is not one of the six product files and is not read; remove it, or allow it with allowed-files in meshgate.yaml [unexpected-file]
data-products-catalogue/prod/sales/old: warning: 'data-products-catalogue/prod/sales/old' is a folder inside a product folder and is not read; remove it, or allow it with allowed-files in meshgate.yaml [unexpected-file]
data-products-catalogue/prod/sales/v2: error: 'data-products-catalogue/prod/sales/v2' holds product files but lies inside product folder 'data-products-catalogue/prod/sales', so none of them is read; product folders live directly in an environment folder: move it up one level [nested-product]
data-products-catalogue/staging: warning: environment folder 'data-products-catalogue/staging' holds no product folder; add a product (<environment>/<product>/data-product.json, ...) or remove the folder [empty-environment]
OUT

begin "work tree: each class is a finding"
run_mg validate -C "$repo" --today 2026-06-01
expect_status 1 "$status"
expect_cmp "$SCRATCH/want" "$SCRATCH/out"

begin "--rev: the same from the commit's tree"
run_mg validate -C "$repo" --rev entries --today 2026-06-01
expect_status 1 "$status"
expect_cmp "$SCRATCH/want" "$SCRATCH/out"

begin "--staged: the same from the index, without the cache, with it cold and warm"
for cache in --no-cache "" ""; do
  run_mg validate -C "$repo" --staged $cache --today 2026-06-01
  expect_status 1 "$status"
  expect_cmp "$SCRATCH/want" "$SCRATCH/out"
done

begin "check base..head reports every entry finding the change added"
run_mg check -C "$repo" --base main --head entries --today 2026-06-01
expect_status 1 "$status"
expect_cmp "$SCRATCH/want" "$SCRATCH/out"

begin "check keeps narrowing: entries the change did not touch are left out"
git -C "$repo" checkout -q -b later entries
sed -i 's/owner@example.com/team@example.com/' "$cat/orders/data-product.json"
commit "orders: new owner"
run_mg check -C "$repo" --base entries --head later --today 2026-06-01
expect_status 1 "$status"
grep 'prod/orders/' "$SCRATCH/want" >"$SCRATCH/want.orders"
expect_cmp "$SCRATCH/want.orders" "$SCRATCH/out"

begin "a staged misnamed file fails the hook (cached run after a clean one)"
git -C "$repo" checkout -q main
run_mg validate -C "$repo" --staged --today 2026-06-01
expect_status 0 "$status"
cp "$cat/orders/data-product-consumers.json" "$cat/orders/data-product-consumers.json.orig"
git -C "$repo" add -A
run_mg validate -C "$repo" --staged --today 2026-06-01
expect_status 1 "$status"
cat >"$SCRATCH/want.hook" <<'OUT'
data-products-catalogue/prod/orders/data-product-consumers.json.orig:1:1: error: 'data-product-consumers.json.orig' is a backup or editor copy and is not read; did you mean data-product-consumers.json? ('data-products-catalogue/prod/orders/data-product-consumers.json' is read; remove this one) [misnamed-file]
OUT
expect_cmp "$SCRATCH/want.hook" "$SCRATCH/out"
git -C "$repo" reset -q --hard main

begin "a truly empty environment folder in the work tree; one with a .gitkeep is empty on purpose"
mkdir "$root/qa" "$root/uat"
: >"$root/uat/.gitkeep"
run_mg validate -C "$repo" --today 2026-06-01
expect_status 0 "$status"
cat >"$SCRATCH/want" <<'OUT'
data-products-catalogue/qa: warning: environment folder 'data-products-catalogue/qa' holds no product folder; add a product (<environment>/<product>/data-product.json, ...) or remove the folder [empty-environment]
OUT
expect_cmp "$SCRATCH/want" "$SCRATCH/out"
rm -r "$root/qa" "$root/uat"

begin "a merged misspelt consumers file revokes nothing: apply refuses the commit"
unset GITHUB_REF GITHUB_EVENT_NAME CI_COMMIT_BRANCH CI_MERGE_REQUEST_IID
run_mg apply -C "$repo" --today 2026-06-01
expect_status 0 "$status"
git -C "$repo" checkout -q -b typo main
git -C "$repo" mv "$cat/orders/data-product-consumers.json" "$cat/orders/data-product-consumer.json"
commit "consumers, renamed by mistake"
git -C "$repo" checkout -q main
git -C "$repo" merge -q --ff-only typo
run_mg apply -C "$repo" --today 2026-06-01
expect_status 1 "$status"
expect_grep "^meshgate: error: HEAD does not validate (1 error); nothing was applied" "$SCRATCH/err"
expect_grep "data-product-consumer.json:1:1: error: .*did you mean data-product-consumers.json? \[misnamed-file\]" "$SCRATCH/err"
# what apply would do is planned, but the plan says first that apply refuses it, and fails
run_mg plan -C "$repo" --today 2026-06-01
expect_status 1 "$status"
head -1 "$SCRATCH/out" >"$SCRATCH/first"
expect_grep "^! HEAD does not validate (1 error): 'meshgate apply' refuses it; see 'meshgate validate --rev HEAD'$" "$SCRATCH/first"
run_mg plan -C "$repo" --today 2026-06-01 --format markdown
expect_status 1 "$status"
expect_grep '^> \*\*HEAD does not validate\*\* (1 error)' "$SCRATCH/out"
run_mg access -C "$repo" --consumer 210987654321
expect_status 0 "$status"
expect_grep "^prod/orders: consumer 210987654321 reads events (all columns)$" "$SCRATCH/out"
git -C "$repo" reset -q --hard HEAD~1

begin "allowed-files comes from the protected branch; adding a pattern is reviewed"
printf 'allowed-files: ["*.md", LICENSE]\n' >"$repo/meshgate.yaml"
commit "policy: allow LICENSE"
git -C "$repo" checkout -q -b allow main
printf 'x\n' >"$root/LICENSE"
printf 'x\n' >"$cat/orders/notes.txt"
printf 'allowed-files: ["*.md", LICENSE, "*.txt"]\n' >"$repo/meshgate.yaml"
commit "allow txt files"
run_mg check -C "$repo" --base main --head allow --today 2026-06-01
expect_status 1 "$status"
cat >"$SCRATCH/want" <<'OUT'
data-products-catalogue/prod/orders/notes.txt:1:1: warning: 'data-products-catalogue/prod/orders/notes.txt' is not one of the six product files and is not read; remove it, or allow it with allowed-files in meshgate.yaml [unexpected-file]
meshgate.yaml:1:1: error: allows catalogue entries matching '*.txt' (no unexpected-file finding); this loosens the gate for every change after the merge, so it needs its own review [config-loosened]
OUT
expect_cmp "$SCRATCH/want" "$SCRATCH/out"
# once merged, the pattern is in force; a near miss is never excused by it
git -C "$repo" checkout -q main
git -C "$repo" merge -q --ff-only allow
printf 'x\n' >"$cat/orders/data-product-inputs.txt"
run_mg validate -C "$repo" --today 2026-06-01
expect_status 1 "$status"
cat >"$SCRATCH/want" <<'OUT'
data-products-catalogue/prod/orders/data-product-inputs.txt:1:1: error: 'data-product-inputs.txt' is not a product file name and is not read; did you mean data-product-inputs.json? [misnamed-file]
OUT
expect_cmp "$SCRATCH/want" "$SCRATCH/out"

finish
