#!/bin/sh
# Each mistake a new user makes gets its own message: an unquoted YAML account
# id says to quote it; -C naming a file or nothing (for every command that
# takes -C); a catalogue that is a file; a file given as the catalogue; an
# unknown revision, and for a remote branch missing from the clone the
# `git fetch` that brings it (for every option that takes a revision).
. "$TESTDIR/cli/lib.sh"
repo=$SCRATCH/repo
quickstart_repo "$repo"
echo hi >"$SCRATCH/file.txt"

begin "an unquoted YAML account id: quote it"
y=$SCRATCH/yaml/data-products-catalogue/dev/p
mkdir -p "$y"
printf 'data-product-name: p\ndata-product-owner: owner@example.com\n' >"$y/data-product.yaml"
printf 'account-type: aws\nproducer-role-arn: arn:aws:iam::111122223333:role/producer\nproducer-account-id: 111122223333\nbucket-name: bucket-p\n' >"$y/data-product-producer-info.yaml"
printf 'outputs:\n  events:\n    file-format: parquet\n    port-type: blob\n    location: s3://bucket-p/events\n' >"$y/data-product-outputs.yaml"
run_mg validate -C "$SCRATCH/yaml"
expect_status 1 "$status"
expect_grep "^data-products-catalogue/dev/p/data-product-producer-info.yaml:3:22: error: .*quote it ('111122223333')" "$SCRATCH/out"

begin "-C naming a file or nothing, for every command that takes -C"
n=0
for c in $("$MESHGATE" --help | sed -n 's/^  \([a-z][a-z]*\) .*/\1/p'); do
	"$MESHGATE" "$c" -h | grep -q -- '^  -C, --directory DIR' || continue
	n=$((n + 1))
	run_mg "$c" -C "$SCRATCH/file.txt"
	expect_status 3 "$status"
	printf "meshgate: error: -C '%s' is a file, not a directory; -C names the directory to run in\n" "$SCRATCH/file.txt" >"$SCRATCH/want"
	expect_cmp "$SCRATCH/want" "$SCRATCH/err"
	run_mg "$c" -C "$SCRATCH/nowhere"
	expect_status 3 "$status"
	printf "meshgate: error: -C '%s': no such directory\n" "$SCRATCH/nowhere" >"$SCRATCH/want"
	expect_cmp "$SCRATCH/want" "$SCRATCH/err"
done
[ "$n" -ge 11 ] && ok || not_ok "only $n commands take -C"

begin "a catalogue that is a file"
mkdir -p "$SCRATCH/filecat"
printf 'catalogue: products.txt\n' >"$SCRATCH/filecat/meshgate.yaml"
echo x >"$SCRATCH/filecat/products.txt"
run_mg validate -C "$SCRATCH/filecat"
expect_status 3 "$status"
expect_grep "^meshgate: error: the catalogue 'products.txt' is a file, not a folder: a catalogue is a folder of environments" "$SCRATCH/err"
# a folder that is not there keeps its own message
rm "$SCRATCH/filecat/products.txt"
run_mg validate -C "$SCRATCH/filecat"
expect_status 3 "$status"
printf "meshgate: error: catalogue 'products.txt' not found in the work tree\n" >"$SCRATCH/want"
expect_cmp "$SCRATCH/want" "$SCRATCH/err"

begin "a file given where a catalogue is expected"
run_mg validate "$SCRATCH/file.txt"
expect_status 3 "$status"
expect_grep "is not a catalogue root but a file outside the configured catalogue" "$SCRATCH/err"

begin "an unknown revision, and a remote branch the clone lacks"
git clone -q --single-branch "$repo" "$SCRATCH/clone"
git -C "$repo" branch -q feature
# a remote branch that exists on the remote but was not fetched, for each option that takes a revision
for args in "validate --rev origin/feature" "check --base origin/feature" "plan --from origin/feature --to HEAD" \
	"access --rev origin/feature --consumer 1" "site --rev origin/feature --out $SCRATCH/s" "score --rev origin/feature"; do
	# shellcheck disable=SC2086
	run_mg $args -C "$SCRATCH/clone" --today 2026-06-01
	expect_status 3 "$status"
	printf "meshgate: error: unknown revision 'origin/feature': this clone has no branch 'feature' of the remote 'origin' (a shallow or one-branch checkout, as CI makes, has only the branch it built); fetch it first: git fetch origin feature\n" >"$SCRATCH/want"
	expect_cmp "$SCRATCH/want" "$SCRATCH/err"
done
git -C "$SCRATCH/clone" fetch -q origin feature:refs/remotes/origin/feature
run_mg validate --rev origin/feature -C "$SCRATCH/clone"
expect_status 0 "$status"
# a name that is no remote's: no fetch advice
run_mg validate --rev nope/feature -C "$SCRATCH/clone"
expect_status 3 "$status"
printf "meshgate: error: unknown revision 'nope/feature'\n" >"$SCRATCH/want"
expect_cmp "$SCRATCH/want" "$SCRATCH/err"
run_mg check --base v9 -C "$SCRATCH/clone"
expect_status 3 "$status"
printf "meshgate: error: unknown revision 'v9'\n" >"$SCRATCH/want"
expect_cmp "$SCRATCH/want" "$SCRATCH/err"
finish
