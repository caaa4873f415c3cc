#!/bin/sh
# The lakeformation backend end to end against moto's Lake Formation (started by the
# test on loopback, stopped on any exit), every result read back with boto3 - a
# third-party client - rather than meshgate's own reading: the example catalogue
# applied as column-precise grants (pii and pci columns never in a grant, the
# confidential table only with a clearance); access and drift reading the service;
# a hand-made whole-table grant found by drift and fixed; a change that removes a
# consumer, narrows columns and deletes a product, revoked exactly; credentials and
# the secret key never shown; a killed apply that resumes.
. "$TESTDIR/cli/lib.sh"
. "$TESTDIR/cli/lf-setup.sh"
moto_start
SECRET=wJalrXUtnFEMI-meshgate-test-SECRET-7f3a
export AWS_ACCESS_KEY_ID=AKIDMESHGATETEST AWS_SECRET_ACCESS_KEY=$SECRET
CATALOG=222233334444

lf_example_repo "$MOTO_URL"
T="--today 2026-06-01"
shop=$repo/data-products-catalogue/prod/shop-orders

begin "validate: the example is clean"
run_mg validate -C "$repo" $T
expect_status 0 "$status"

begin "plan: the same plan lines as on the ledger"
run_mg plan -C "$repo" $T --env prod
expect_status 0 "$status"
expect_grep '^+ prod/shop_orders: consumer 444455556666 gains SELECT on orders (amount, order_date, order_id)  \[safe\]$' "$SCRATCH/out"
expect_grep '^+ prod/shop_orders: consumer 555566667777 gains SELECT on orders (amount, card_number, order_date, order_id)  \[risky: pci\]$' "$SCRATCH/out"

begin "first apply: column-precise grants, read back with boto3"
run_mg apply -C "$repo" $T --audit "$SCRATCH/audit.jsonl"
expect_status 0 "$status"
expect_grep '^prod: applied 8 operations' "$SCRATCH/err"
expect_grep '"backend":"lakeformation".*"principal":"444455556666".*"result":"ok"' "$SCRATCH/audit.jsonl"
oracle perms $CATALOG
expect_status 0 "$oracle_status"
cat >"$SCRATCH/want" <<'OUT'
444455556666 columns:customer_profiles.customers except(email) SELECT
444455556666 columns:shop.orders(amount,order_date,order_id) SELECT
444455556666 columns:shop.refunds except(iban) SELECT
444455556666 database:customer_profiles DESCRIBE
444455556666 database:shop DESCRIBE
444455556666 table:customer_profiles.customers DESCRIBE
444455556666 table:shop.orders DESCRIBE
444455556666 table:shop.refunds DESCRIBE
555566667777 columns:shop.orders(amount,card_number,order_date,order_id) SELECT
555566667777 columns:shop.payments except() SELECT
555566667777 database:shop DESCRIBE
555566667777 table:shop.orders DESCRIBE
555566667777 table:shop.payments DESCRIBE
OUT
expect_cmp "$SCRATCH/want" "$SCRATCH/oracle.out"

begin "access reads Lake Formation"
run_mg access -C "$repo" --consumer 444455556666
expect_status 0 "$status"
cat >"$SCRATCH/want" <<'OUT'
prod/customer_profiles: consumer 444455556666 may DESCRIBE the database
prod/customer_profiles: consumer 444455556666 reads customers (all columns except email)
prod/shop_orders: consumer 444455556666 may DESCRIBE the database
prod/shop_orders: consumer 444455556666 reads orders (amount, order_date, order_id)
prod/shop_orders: consumer 444455556666 reads refunds (all columns except iban)
OUT
expect_cmp "$SCRATCH/want" "$SCRATCH/out"

begin "no drift after apply; apply again changes nothing"
run_mg drift -C "$repo" $T
expect_status 0 "$status"
run_mg apply -C "$repo" $T
expect_status 0 "$status"
oracle perms $CATALOG
test "$(wc -l <"$SCRATCH/oracle.out")" -eq 13 && ok || not_ok "apply again changed the grants: $(cat "$SCRATCH/oracle.out")"

begin "drift: a hand-made SELECT on every column of a managed table; --fix revokes it, keeps the grant"
oracle grant-all-columns $CATALOG 444455556666 shop orders
expect_status 0 "$oracle_status"
run_mg drift -C "$repo" $T
expect_status 1 "$status"
expect_grep "^- prod/shop_orders: consumer 444455556666 loses SELECT on orders (all columns)" "$SCRATCH/out"
expect_grep "^+ prod/shop_orders: consumer 444455556666 gains SELECT on orders (amount, order_date, order_id)" "$SCRATCH/out"
run_mg drift -C "$repo" $T --fix
expect_status 0 "$status"
oracle perms $CATALOG
if grep -q '^444455556666 columns:shop.orders except()' "$SCRATCH/oracle.out"; then not_ok "the all-columns SELECT is still there"; else ok; fi
expect_grep '^444455556666 columns:shop.orders(amount,order_date,order_id) SELECT$' "$SCRATCH/oracle.out"
expect_grep '^444455556666 table:shop.orders DESCRIBE$' "$SCRATCH/oracle.out"
run_mg drift -C "$repo" $T
expect_status 0 "$status"

begin "a change: finance removed, orders.amount reclassified pii, customer_profiles deleted"
narrow_shop 'account: "444455556666"' lakeformation
run_mg plan -C "$repo" $T --env prod
expect_grep "^- prod/shop_orders: consumer 444455556666 loses SELECT on orders.amount" "$SCRATCH/out"
run_mg apply -C "$repo" $T
expect_status 0 "$status"
oracle perms $CATALOG
cat >"$SCRATCH/want" <<'OUT'
444455556666 columns:shop.orders(order_date,order_id) SELECT
444455556666 columns:shop.refunds except(iban) SELECT
444455556666 database:shop DESCRIBE
444455556666 table:shop.orders DESCRIBE
444455556666 table:shop.refunds DESCRIBE
OUT
expect_cmp "$SCRATCH/want" "$SCRATCH/oracle.out"
run_mg drift -C "$repo" $T
expect_status 0 "$status"

begin "credentials: missing ones are a clear error; the secret key is never shown"
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY "$MESHGATE" drift -C "$repo" $T >"$SCRATCH/out" 2>"$SCRATCH/err"
test $? -eq 3 && ok || not_ok "drift without credentials did not fail with 3"
expect_grep "no AWS credentials" "$SCRATCH/err"
expect_grep "AWS_CONTAINER_CREDENTIALS_FULL_URI are not set" "$SCRATCH/err"
expect_grep "AWS_EC2_METADATA_DISABLED=true" "$SCRATCH/err"
if grep -rqa "$SECRET" "$SCRATCH/out" "$SCRATCH/err" "$SCRATCH/audit.jsonl" "$repo" 2>/dev/null; then
  not_ok "the secret key was written somewhere"
else
  ok
fi

begin "no region in meshgate.yaml: the SDKs' (AWS_REGION, then the profile's), or a clear error"
sed -i "/^      region: /d" "$repo/meshgate.yaml"
run_mg validate -C "$repo" $T
expect_status 0 "$status"
env AWS_REGION=eu-west-1 "$MESHGATE" drift -C "$repo" $T >"$SCRATCH/out" 2>"$SCRATCH/err"
expect_status 0 "$?"
mkdir -p "$HOME/.aws"
printf '[default]\nregion = eu-west-1\n' >"$HOME/.aws/config"
run_mg drift -C "$repo" $T
expect_status 0 "$status"
rm -f "$HOME/.aws/config"
env -u AWS_REGION -u AWS_DEFAULT_REGION "$MESHGATE" drift -C "$repo" $T >"$SCRATCH/out" 2>"$SCRATCH/err"
test $? -eq 3 && ok || not_ok "drift without any region did not fail with 3"
expect_grep "no AWS region: none configured, AWS_REGION and AWS_DEFAULT_REGION are not set" "$SCRATCH/err"
git -C "$repo" checkout -q meshgate.yaml

begin "http to a host that is not loopback is refused before anything is sent"
sed -i "s|endpoint-url: .*|endpoint-url: http://lakeformation.example.com|" "$repo/meshgate.yaml"
run_mg validate -C "$repo" $T
expect_status 1 "$status"
expect_grep "endpoint-url must be https" "$SCRATCH/out"
git -C "$repo" checkout -q meshgate.yaml

begin "a killed apply resumes and converges"
cat >"$shop/data-product-consumers.yaml" <<'YAML'
consumers:
  - account: "555566667777"
    contact: finance@example.com
    type: lakeformation
  - account: "666677778888"
    contact: b@example.com
    type: lakeformation
YAML
commit "analytics out, finance and another in"
MESHGATE_TEST_KILL_AFTER_OPS=2 run_mg apply -C "$repo" $T --batch-size 1
test "$status" -eq 137 && ok || not_ok "apply was not killed (status $status)"
run_mg unlock -C "$repo" --env prod --force
run_mg apply -C "$repo" $T
expect_status 0 "$status"
expect_grep "completed an interrupted run" "$SCRATCH/err"
oracle perms $CATALOG
if grep -q '^444455556666 ' "$SCRATCH/oracle.out"; then not_ok "444455556666 still holds: $(grep '^4444' "$SCRATCH/oracle.out")"; else ok; fi
expect_grep '^666677778888 columns:shop.orders(order_date,order_id) SELECT$' "$SCRATCH/oracle.out"
run_mg drift -C "$repo" $T
expect_status 0 "$status"

begin "the state lost (a fresh CI runner): apply grants what HEAD wants again, nothing twice"
oracle perms $CATALOG
cp "$SCRATCH/oracle.out" "$SCRATCH/before-loss"
rm -rf "$repo/.meshgate"
run_mg drift -C "$repo" $T
test "$status" -eq 3 && ok || not_ok "drift without a state exited $status, not 3"
expect_grep "nothing has been applied here yet" "$SCRATCH/err"
run_mg apply -C "$repo" $T
expect_status 0 "$status"
oracle perms $CATALOG
expect_cmp "$SCRATCH/before-loss" "$SCRATCH/oracle.out"
run_mg drift -C "$repo" $T
expect_status 0 "$status"

moto_stop
finish
