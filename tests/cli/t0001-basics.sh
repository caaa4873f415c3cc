#!/bin/sh
# The command line: help, version, usage errors, exit statuses, formats.
. "$TESTDIR/cli/lib.sh"

begin "--version"
run_mg --version
expect_status 0 "$status"
expect_grep '^meshgate [0-9][0-9.]*$' "$SCRATCH/out"

begin "--help lists the commands"
run_mg --help
expect_status 0 "$status"
expect_grep '^  validate ' "$SCRATCH/out"
expect_grep '^  explain ' "$SCRATCH/out"

begin "no command is a usage error"
run_mg
expect_status 2 "$status"

begin "unknown command"
run_mg frobnicate
expect_status 2 "$status"
printf "meshgate: 'frobnicate' is not a meshgate command; see 'meshgate --help'\n" >"$SCRATCH/want"
expect_cmp "$SCRATCH/want" "$SCRATCH/err"

begin "validate -h"
run_mg validate -h
expect_status 0 "$status"
expect_grep '^usage: meshgate validate ' "$SCRATCH/out"
expect_grep '--today YYYY-MM-DD' "$SCRATCH/out"

begin "unknown option"
run_mg validate --frob
expect_status 2 "$status"
expect_grep "unknown option '--frob'" "$SCRATCH/err"

begin "unknown format"
run_mg validate --format yaml
expect_status 2 "$status"
expect_grep "unknown format 'yaml'" "$SCRATCH/err"

begin "bad --today: not a calendar date, for every command that takes it"
run_mg validate --today 2026-13-01
expect_status 2 "$status"
run_mg validate --today 2026-02-30
expect_status 2 "$status"
expect_grep "not '2026-02-30'" "$SCRATCH/err"
run_mg plan --today 2026-02-30
expect_status 2 "$status"
expect_grep "not '2026-02-30'" "$SCRATCH/err"
run_mg validate --today 2024-02-29 "$SCRATCH/nothing-here"
test "$status" -ne 2 && ok || not_ok "2024-02-29 (a leap day) was refused"

begin "missing catalogue is a runtime failure"
mkdir -p "$SCRATCH/empty"
run_mg validate -C "$SCRATCH/empty"
expect_status 3 "$status"
printf "meshgate: error: catalogue 'data-products-catalogue' not found in the work tree\n" >"$SCRATCH/want"
expect_cmp "$SCRATCH/want" "$SCRATCH/err"

begin "a clean catalogue: exit 0, nothing on stdout, a summary on stderr"
repo=$SCRATCH/clean
product "$repo/data-products-catalogue/prod/orders" orders orders-bucket 111122223333
run_mg validate -C "$repo"
expect_status 0 "$status"
: >"$SCRATCH/want"
expect_cmp "$SCRATCH/want" "$SCRATCH/out"
printf 'meshgate: 0 errors, 0 warnings in 1 product (3 files)\n' >"$SCRATCH/want"
expect_cmp "$SCRATCH/want" "$SCRATCH/err"

begin "findings in text and json; exit 1; --output"
repo=$SCRATCH/broken
product "$repo/data-products-catalogue/prod/orders" orders orders-bucket 111122223333
sed -i 's/"data-product-owner"/"data-product-ownr"/' "$repo/data-products-catalogue/prod/orders/data-product.json"
run_mg validate -C "$repo" --today 2026-01-01
expect_status 1 "$status"
cat >"$SCRATCH/want" <<'OUT'
data-products-catalogue/prod/orders/data-product.json:1:1: error: missing required key 'data-product-owner' [schema]
data-products-catalogue/prod/orders/data-product.json:3:3: error: unknown key 'data-product-ownr' (did you mean 'data-product-owner'?) [schema]
OUT
expect_cmp "$SCRATCH/want" "$SCRATCH/out"
run_mg validate -C "$repo" --format json --output "$SCRATCH/report.json"
expect_status 1 "$status"
: >"$SCRATCH/want"
expect_cmp "$SCRATCH/want" "$SCRATCH/out"
expect_grep '"rule":	"schema"' "$SCRATCH/report.json"
expect_grep '"line":	3' "$SCRATCH/report.json"
expect_grep '"errors":	2' "$SCRATCH/report.json"

begin "severity override from meshgate.yaml"
printf 'rules:\n  schema: warning\n' >"$repo/meshgate.yaml"
run_mg validate -C "$repo"
expect_status 0 "$status"
expect_grep ': warning: unknown key' "$SCRATCH/out"
printf 'rules:\n  parse: off\n  no-such-rule: error\n' >"$repo/meshgate.yaml"
run_mg validate -C "$repo"
expect_status 1 "$status"
expect_grep "meshgate.yaml:2:10: error: rule 'parse' cannot be turned off \[config\]" "$SCRATCH/out"
expect_grep "meshgate.yaml:3:3: error: unknown rule 'no-such-rule'" "$SCRATCH/out"

begin "explain"
run_mg explain --list
expect_status 0 "$status"
expect_grep '^unclassified-sensitive ' "$SCRATCH/out"
expect_grep '^parse  *error ' "$SCRATCH/out"
run_mg explain public-sensitive
expect_status 0 "$status"
expect_grep '^## public-sensitive' "$SCRATCH/out"
run_mg explain no-such-rule
expect_status 2 "$status"

finish
