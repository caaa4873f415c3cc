#!/bin/sh
# meshgate init, new and schema, as a new user meets them: init writes a
# commented meshgate.yaml and the catalogue skeleton, new writes six files
# whose every placeholder is a finding at its own line and column, and
# replacing what the findings point at gives a clean validation - in the
# work tree and staged in git.  schema prints the very bytes of rules/.
. "$TESTDIR/cli/lib.sh"
trap 'rm -rf "$SCRATCH"' EXIT INT TERM
export HOME="$SCRATCH" GIT_CONFIG_NOSYSTEM=1
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE
repo=$SCRATCH/repo
mkdir -p "$repo"

begin "init"
run_mg init -C "$repo"
expect_status 0 "$status"
cat >"$SCRATCH/want" <<OUT
meshgate: wrote $repo/meshgate.yaml
meshgate: the catalogue is $repo/data-products-catalogue/ with the environments dev/ and prod/
next: meshgate new dev/PRODUCT, then replace each <...> placeholder until 'meshgate validate' is clean
OUT
expect_cmp "$SCRATCH/want" "$SCRATCH/out"
for f in meshgate.yaml data-products-catalogue/README.md data-products-catalogue/dev/.gitkeep \
	data-products-catalogue/prod/.gitkeep; do
	[ -f "$repo/$f" ] && ok || not_ok "$f missing"
done
expect_grep "^catalogue: data-products-catalogue$" "$repo/meshgate.yaml"
expect_grep "^# suppressions:" "$repo/meshgate.yaml"
# the skeleton validates clean, and the commented file is a valid meshgate.yaml
cd "$repo" || exit 1
run_mg validate
expect_status 0 "$status"
expect_grep "0 errors, 0 warnings in 0 products" "$SCRATCH/err"
# every key has its commented example (extend-enums, allowed-files, clearance-max-days too),
# and every example, uncommented, is a valid meshgate.yaml: only the suppression, matching
# nothing in an empty catalogue, is reported
for key in state-dir environments rules suppressions pii-patterns allowed-files clearance-max-days extend-enums limits; do
	expect_grep "^# $key:" "$repo/meshgate.yaml"
done
expect_grep "^#   file-format: \[iceberg, orc\]$" "$repo/meshgate.yaml"
cp "$repo/meshgate.yaml" "$SCRATCH/meshgate.yaml.init"
sed -i -e 's/^# \([a-z-]*:.*\)$/\1/' -e 's/^#   /  /' "$repo/meshgate.yaml"
expect_grep "^extend-enums:$" "$repo/meshgate.yaml"
expect_grep "^  file-format: \[iceberg, orc\]$" "$repo/meshgate.yaml"
run_mg validate
expect_status 0 "$status"
expect_grep "0 errors, 1 warning in 0 products" "$SCRATCH/err"
expect_grep "^meshgate.yaml:[0-9]*:[0-9]*: warning: suppression of 'self-consumer' .* \[unused-suppression\]$" "$SCRATCH/out"
cp "$SCRATCH/meshgate.yaml.init" "$repo/meshgate.yaml"

begin "init again keeps what is there"
echo "# mine" >>"$repo/meshgate.yaml"
run_mg init
expect_status 0 "$status"
expect_grep "^meshgate: kept the existing meshgate.yaml$" "$SCRATCH/out"
expect_grep "^# mine$" "$repo/meshgate.yaml"
run_mg init --force
expect_grep "^meshgate: rewrote meshgate.yaml$" "$SCRATCH/out"
if grep -q "^# mine$" "$repo/meshgate.yaml"; then not_ok "--force kept the old file"; else ok; fi
run_mg init --catalogue ../outside
expect_status 2 "$status"
expect_grep "wants a folder inside the repository" "$SCRATCH/err"

begin "new"
run_mg new dev/sales-orders
expect_status 0 "$status"
d=data-products-catalogue/dev/sales-orders
cat >"$SCRATCH/want" <<OUT
meshgate: wrote $d/data-product.yaml
meshgate: wrote $d/data-product-producer-info.yaml
meshgate: wrote $d/data-product-outputs.yaml
meshgate: wrote $d/data-product-visibility.yaml
meshgate: wrote $d/data-product-consumers.yaml
meshgate: wrote $d/data-product-inputs.yaml
next: replace each <...> placeholder; 'meshgate validate' points at the ones left
OUT
expect_cmp "$SCRATCH/want" "$SCRATCH/out"
expect_grep "^data-product-name: sales-orders$" "$d/data-product.yaml"

begin "validate points at every placeholder"
run_mg validate
expect_status 1 "$status"
# each finding's line:col is where a <...> placeholder starts
sed -n 's/^\([^:]*\):\([0-9]*\):\([0-9]*\): error: .*/\1 \2 \3/p' "$SCRATCH/out" >"$SCRATCH/at"
[ "$(wc -l <"$SCRATCH/at")" -eq 9 ] && ok || { not_ok "expected 9 findings"; cat "$SCRATCH/out" >&2; }
while read -r file line col; do
	c=$(sed -n "${line}p" "$file" | cut -c"$col"-)
	case $c in
	"<"* | "s3://<"* | "arn:aws:iam::<"* | '"<'*) ok ;;
	*) not_ok "$file:$line:$col points at '$c', not a placeholder" ;;
	esac
done <"$SCRATCH/at"
# ...and every placeholder in the files is pointed at
grep -n '<[a-zA-Z0-9 -]*>' $d/*.yaml | grep -v ':#' | cut -d: -f1,2 | sort -u >"$SCRATCH/placeholders"
sed 's/ \([0-9]*\) .*/:\1/' "$SCRATCH/at" | sort -u >"$SCRATCH/pointed"
expect_cmp "$SCRATCH/placeholders" "$SCRATCH/pointed"

begin "following the messages gives a clean result"
expect_grep "data-product.yaml:4:21: error: '<owner e-mail>' is not a valid email address" "$SCRATCH/out"
expect_grep "producer-info.yaml:4:22: error: AWS account ids have 12 digits" "$SCRATCH/out"
expect_grep "producer-info.yaml:6:14: error: bucket-name must be an S3 bucket name" "$SCRATCH/out"
expect_grep "outputs.yaml:4:3: error: table and column names must start with a letter" "$SCRATCH/out"
sed -i 's/<owner e-mail>/owner@example.com/; s/<maintainer e-mail>/maintainer@example.com/' $d/data-product.yaml
sed -i 's/<12-digit AWS account id>/123456789012/g; s/<producer role>/sales-producer/; s/<S3 bucket name>/sales-bucket/' \
	$d/data-product-producer-info.yaml
sed -i 's/<S3 bucket name>/sales-bucket/; s/<table>/orders/g; s/<column>/order_id/' $d/data-product-outputs.yaml
sed -i 's/<table>/orders/' $d/data-product-visibility.yaml
run_mg validate
expect_status 0 "$status"
expect_grep "0 errors, 0 warnings in 1 product (6 files)" "$SCRATCH/err"
[ -s "$SCRATCH/out" ] && not_ok "findings left: $(cat "$SCRATCH/out")" || ok

begin "staged in git, as the hook sees it"
git init -q -b main . && git add -A
run_mg validate --staged
expect_status 0 "$status"
expect_grep "0 errors, 0 warnings in 1 product (6 files)" "$SCRATCH/err"

begin "new refuses what exists and bad names"
run_mg new dev/sales-orders
expect_status 3 "$status"
expect_grep "'$d/data-product.yaml' exists; meshgate new only starts new products" "$SCRATCH/err"
for bad in sales dev/a/b "dev/a b" "/x" "-dev/x" "dev/-x"; do
	run_mg new "$bad"
	expect_status 2 "$status"
done

begin "new honours catalogue: in meshgate.yaml"
mkdir -p "$SCRATCH/other" && printf 'catalogue: products\n' >"$SCRATCH/other/meshgate.yaml"
run_mg new -C "$SCRATCH/other" prod/orders
expect_status 0 "$status"
[ -f "$SCRATCH/other/products/prod/orders/data-product-outputs.yaml" ] && ok || not_ok "not in products/"

begin "schema"
run_mg schema --list
printf '%s\n' data-product data-product-producer-info data-product-outputs data-product-visibility \
	data-product-consumers data-product-inputs meshgate >"$SCRATCH/want"
expect_cmp "$SCRATCH/want" "$SCRATCH/out"
for n in $(cat "$SCRATCH/want"); do
	run_mg schema "$n"
	expect_status 0 "$status"
	expect_cmp "$SRCDIR/rules/$n.schema.json" "$SCRATCH/out"
done
for alias in data-product-outputs.yaml data-product-outputs.json data-product-outputs.schema.json; do
	run_mg schema "$alias"
	expect_cmp "$SRCDIR/rules/data-product-outputs.schema.json" "$SCRATCH/out"
done
run_mg schema meshgate.yaml
expect_cmp "$SRCDIR/rules/meshgate.schema.json" "$SCRATCH/out"
run_mg schema nope
expect_status 2 "$status"
expect_grep "no schema named 'nope'; see 'meshgate schema --list'" "$SCRATCH/err"
cd "$SCRATCH" || exit 1
finish
