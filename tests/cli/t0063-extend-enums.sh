#!/bin/sh
# meshgate.yaml extend-enums: file-format and port-type accept the values a
# repository adds (iceberg, orc), for that repository's runs only; other
# enums cannot be opened; `check` judges by the base's extensions and notes
# a change to them.
. "$TESTDIR/cli/lib.sh"
repo=$SCRATCH/repo
out=$repo/data-products-catalogue/prod/orders/data-product-outputs.json
product "$repo/data-products-catalogue/prod/orders" orders orders-bucket 111122223333
sed -i 's/"parquet"/"iceberg"/' "$out"
git_repo "$repo"
# check_is BASE HEAD STATUS <<OUT : check's exit status and exact findings
check_is() {
  run_mg check -C "$repo" --base "$1" --head "$2" --today 2026-06-01
  expect_status "$3" "$status"
  cat >"$SCRATCH/want"
  expect_cmp "$SCRATCH/want" "$SCRATCH/out"
}

begin "without extend-enums iceberg is not a file-format (cached and not)"
for cache in --no-cache ""; do
  run_mg validate -C "$repo" $cache
  expect_status 1 "$status"
  cat >"$SCRATCH/want" <<'OUT'
data-products-catalogue/prod/orders/data-product-outputs.json:4:22: error: 'iceberg' is not one of: parquet, avro, json, csv, delta [schema]
OUT
  expect_cmp "$SCRATCH/want" "$SCRATCH/out"
done

begin "extend-enums.file-format accepts iceberg, also from a cache filled without it"
cat >"$repo/meshgate.yaml" <<'YAML'
extend-enums:
  file-format: [iceberg, orc]
  port-type: [table]
YAML
for cache in "" --no-cache; do
  run_mg validate -C "$repo" $cache
  expect_status 0 "$status"
  expect_cmp /dev/null "$SCRATCH/out"
done
sed -i 's/"blob"/"table"/' "$out"
run_mg validate -C "$repo"
expect_status 0 "$status"
sed -i 's/"iceberg"/"hudi"/' "$out"
run_mg validate -C "$repo"
expect_status 1 "$status"
cat >"$SCRATCH/want" <<'OUT'
data-products-catalogue/prod/orders/data-product-outputs.json:4:22: error: 'hudi' is not one of: parquet, avro, json, csv, delta, iceberg, orc [schema]
OUT
expect_cmp "$SCRATCH/want" "$SCRATCH/out"
sed -i 's/"hudi"/"iceberg"/; s/"table"/"blob"/' "$out"

begin "an enum that selects behaviour cannot be extended; values must be lowercase words"
cat >"$repo/meshgate.yaml" <<'YAML'
extend-enums:
  file-format: [iceberg]
  type: [kafka]
  visibility: [secret]
  port-type: ["Stream Table"]
YAML
run_mg validate -C "$repo"
expect_status 1 "$status"
cat >"$SCRATCH/want" <<'OUT'
meshgate.yaml:3:3: error: enum 'type' cannot be extended; only file-format and port-type can (they describe a table, nothing acts on them) [config]
meshgate.yaml:4:3: error: enum 'visibility' cannot be extended; only file-format and port-type can (they describe a table, nothing acts on them) [config]
meshgate.yaml:5:15: error: an enum value is a lowercase word of letters, digits, '.', '_' and '-' (at most 64), such as iceberg [schema]
OUT
expect_cmp "$SCRATCH/want" "$SCRATCH/out"

begin "check: an extension added in the pull request takes effect after the merge"
rm "$repo/meshgate.yaml"
sed -i 's/"iceberg"/"parquet"/' "$out"
commit base
first=$(git -C "$repo" rev-parse main)
git -C "$repo" checkout -q -b iceberg main
sed -i 's/"parquet"/"iceberg"/' "$out"
printf 'extend-enums:\n  file-format: [iceberg, orc]\n' >"$repo/meshgate.yaml"
commit "orders in iceberg"
check_is main iceberg 1 <<'OUT'
data-products-catalogue/prod/orders/data-product-outputs.json:4:22: error: 'iceberg' is not one of: parquet, avro, json, csv, delta [schema]
meshgate.yaml:2:3: note: accepts file-format 'iceberg'; it takes effect after the merge [config-changed]
meshgate.yaml:2:3: note: accepts file-format 'orc'; it takes effect after the merge [config-changed]
OUT

begin "check: after the merge the base's extension judges the next change"
git -C "$repo" checkout -q main
git -C "$repo" merge -q --ff-only iceberg
git -C "$repo" checkout -q -b orc main
sed -i 's/"iceberg"/"orc"/' "$out"
printf 'extend-enums:\n  file-format: [orc]\n' >"$repo/meshgate.yaml"
commit "orders in orc"
check_is main orc 0 <<'OUT'
meshgate.yaml:2:3: note: no longer accepts file-format 'iceberg'; it takes effect after the merge [config-changed]
OUT

begin "check: the same head judged by a base without the extension fails"
check_is "$first" orc 1 <<'OUT'
data-products-catalogue/prod/orders/data-product-outputs.json:4:22: error: 'orc' is not one of: parquet, avro, json, csv, delta [schema]
meshgate.yaml:2:3: note: accepts file-format 'orc'; it takes effect after the merge [config-changed]
OUT

finish
