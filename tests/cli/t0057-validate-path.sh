#!/bin/sh
# `meshgate validate PATH` where PATH is a product folder, an environment
# folder or one file validates that, with the global rules run against the
# rest of the catalogue; a folder that is not a catalogue is refused (exit
# 3), not reported as missing files.
. "$TESTDIR/cli/lib.sh"
repo=$SCRATCH/repo
root=$repo/data-products-catalogue
git_repo "$repo"
product "$root/prod/orders" orders orders-bucket 111122223333
product "$root/prod/sales" sales sales-bucket 111122223333
product "$root/dev/orders" orders dev-orders-bucket 111122223333
# sales shares orders' name (a global rule) and has its own schema error
sed -i 's/"data-product-name": "sales"/"data-product-name": "orders"/' "$root/prod/sales/data-product.json"
sed -i 's/"111122223333"/"1111"/' "$root/prod/sales/data-product-producer-info.json"
# dev/orders has a problem of its own
sed -i 's/"parquet"/"csv2"/' "$root/dev/orders/data-product-outputs.json"
commit base

begin "the whole catalogue"
run_mg validate -C "$repo" --today 2026-06-01
expect_status 1 "$status"
grep -c . "$SCRATCH/out" >"$SCRATCH/n"
whole=$(cat "$SCRATCH/n")

begin "a product folder: its findings, and the global ones that name it"
run_mg validate -C "$repo" --today 2026-06-01 data-products-catalogue/prod/orders
expect_status 1 "$status"
grep 'duplicate-product' "$SCRATCH/out" >"$SCRATCH/dup"
expect_grep "^data-products-catalogue/prod/sales/data-product.json:2:.*already used by 'orders' (data-products-catalogue/prod/orders/.*\[duplicate-product\]" "$SCRATCH/out"
if grep -q 'dev/orders\|1111\b\|account-id' "$SCRATCH/out"; then not_ok "findings of other products"; cat "$SCRATCH/out" >&2; else ok; fi
expect_grep 'in 1 product (3 files)' "$SCRATCH/err"

begin "a product folder given with ./ and a trailing slash, from inside the repository"
( cd "$repo" && timeout 60 "$MESHGATE" validate --today 2026-06-01 ./data-products-catalogue/dev/orders/ >"$SCRATCH/out" 2>"$SCRATCH/err" ); status=$?
expect_status 1 "$status"
expect_grep '^data-products-catalogue/dev/orders/data-product-outputs.json:4:22: .*csv2' "$SCRATCH/out"
if grep -q 'prod/' "$SCRATCH/out"; then not_ok "findings of prod"; else ok; fi

begin "an environment folder: every product in it"
run_mg validate -C "$repo" --today 2026-06-01 data-products-catalogue/prod
expect_status 1 "$status"
expect_grep 'prod/sales/data-product-producer-info.json:.*\[schema\]' "$SCRATCH/out"
expect_grep 'prod/orders/data-product.json:.*\[duplicate-product\]' "$SCRATCH/out"
if grep -q 'dev/' "$SCRATCH/out"; then not_ok "findings of dev"; else ok; fi
expect_grep 'in 2 products (6 files)' "$SCRATCH/err"

begin "one file: its findings only"
run_mg validate -C "$repo" --today 2026-06-01 data-products-catalogue/prod/sales/data-product-producer-info.json
expect_status 1 "$status"
cat >"$SCRATCH/want" <<'OUT'
data-products-catalogue/prod/sales/data-product-producer-info.json:3:24: error: producer-role-arn names account '111122223333' but producer-account-id is '1111'; the role must belong to the declared account, so fix whichever is wrong [arn-account-mismatch]
data-products-catalogue/prod/sales/data-product-producer-info.json:4:26: error: AWS account ids have 12 digits [schema]
OUT
expect_cmp "$SCRATCH/want" "$SCRATCH/out"

begin "a clean file validates clean"
run_mg validate -C "$repo" --today 2026-06-01 data-products-catalogue/dev/orders/data-product.json
expect_status 0 "$status"
expect_cmp /dev/null "$SCRATCH/out"

begin "the same from a commit (--rev)"
run_mg validate -C "$repo" --rev HEAD --today 2026-06-01 data-products-catalogue/dev/orders
expect_status 1 "$status"
expect_grep '^data-products-catalogue/dev/orders/data-product-outputs.json:4:22: .*csv2' "$SCRATCH/out"
if grep -q 'prod/' "$SCRATCH/out"; then not_ok "findings of prod"; else ok; fi

begin "a catalogue elsewhere: its root validates, its environment folder is not a catalogue root"
cp -r "$root" "$SCRATCH/other"
run_mg validate --today 2026-06-01 "$SCRATCH/other"
expect_status 1 "$status"
expect_grep "other/prod/sales/data-product.json:2:.*\[duplicate-product\]" "$SCRATCH/out"
run_mg validate --today 2026-06-01 "$SCRATCH/other/prod"
expect_status 3 "$status"
expect_cmp /dev/null "$SCRATCH/out"
expect_grep "other/prod' is not a catalogue root but an environment folder" "$SCRATCH/err"

begin "a folder that is not a catalogue is refused"
mkdir -p "$SCRATCH/notes/2026/june"
printf 'x\n' >"$SCRATCH/notes/2026/june/minutes.txt"
run_mg validate --today 2026-06-01 "$SCRATCH/notes"
expect_status 3 "$status"
expect_cmp /dev/null "$SCRATCH/out"
expect_grep "is not a catalogue root" "$SCRATCH/err"
if grep -q 'missing-file' "$SCRATCH/err" "$SCRATCH/out"; then not_ok "reported as missing files"; else ok; fi

begin "a product folder with no catalogue around it: not a catalogue root"
mkdir -p "$SCRATCH/lone"
cp -r "$root/dev/orders" "$SCRATCH/lone/orders"
run_mg validate --today 2026-06-01 "$SCRATCH/lone/orders"
expect_status 3 "$status"
expect_grep "is not a catalogue root" "$SCRATCH/err"
expect_grep "product folder" "$SCRATCH/err"

begin "a path that does not exist"
run_mg validate -C "$repo" --today 2026-06-01 data-products-catalogue/prod/nope
expect_status 3 "$status"
expect_grep "not found" "$SCRATCH/err"

begin "the catalogue root itself, and an empty one from meshgate init, still validate"
run_mg validate -C "$repo" --today 2026-06-01 data-products-catalogue
expect_status 1 "$status"
grep -c . "$SCRATCH/out" >"$SCRATCH/n2"
expect_cmp "$SCRATCH/n" "$SCRATCH/n2"
mkdir -p "$SCRATCH/fresh"
( cd "$SCRATCH/fresh" && "$MESHGATE" init >/dev/null 2>&1 )
run_mg validate -C "$SCRATCH/fresh" data-products-catalogue
expect_status 0 "$status"

finish
