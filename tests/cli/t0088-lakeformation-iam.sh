#!/bin/sh
# Two things IAM does to a Lake Formation apply, against moto behind tests/cli/aws-faults.py
# (both on loopback, stopped on any exit), every result read back with boto3:
#   - "Invalid principal" right after a role is created (IAM's eventual consistency): the
#     grant is tried again a few seconds apart, a bounded number of times; a principal that
#     stays unknown ends in a clear error naming it, the others are applied;
#   - IAM_ALLOWED_PRINCIPALS still holding ALL on a managed database or table (the default for
#     new ones): apply and drift warn, once per resource, and never revoke it.
. "$TESTDIR/cli/lib.sh"
. "$TESTDIR/cli/lf-setup.sh"
moto_start
# 444455556666: unknown to IAM for its first grant call only; 555566667777: for good
faults_start --rate 0 --unknown-principal 444455556666:1 --unknown-principal 555566667777:1000
export AWS_ACCESS_KEY_ID=AKIDMESHGATEIAM AWS_SECRET_ACCESS_KEY=iam-secret-not-shown
CATALOG=222233334444

lf_example_repo "$FAULT_URL"
T="--today 2026-06-01"

begin "Invalid principal: retried a few seconds apart; a principal that stays unknown is named"
start=$(date +%s)
run_mg apply -C "$repo" $T --audit "$SCRATCH/audit.jsonl"
took=$(($(date +%s) - start))
test "$status" -ne 0 && ok || not_ok "apply succeeded although 555566667777 is never known"
expect_grep "principal 555566667777 unknown to Lake Formation (\"Invalid principal\"): IAM may still be propagating" "$SCRATCH/err"
if grep -q "principal 444455556666 unknown" "$SCRATCH/err"; then not_ok "444455556666 reported although its retry succeeded"; else ok; fi
# the executor's three tries, each after the 5 s the backend asks for
test "$(grep -c 'unknown-principal 555566667777' "$SCRATCH/faults.log")" -eq 3 && ok ||
  not_ok "555566667777 was tried $(grep -c 'unknown-principal 555566667777' "$SCRATCH/faults.log") times, not 3"
test "$took" -ge 10 && ok || not_ok "the retries did not wait for IAM (apply took $took s)"
oracle perms $CATALOG
expect_status 0 "$oracle_status"
test "$(grep -c '^444455556666 ' "$SCRATCH/oracle.out")" -eq 8 && ok || not_ok "444455556666 holds $(grep -c '^444455556666 ' "$SCRATCH/oracle.out") grants, not 8"
if grep -q '^555566667777 ' "$SCRATCH/oracle.out"; then not_ok "555566667777 holds a grant"; else ok; fi
expect_grep '"principal":"444455556666".*"result":"ok","request_id":"[^"]*","attempts":2' "$SCRATCH/audit.jsonl"

begin "IAM_ALLOWED_PRINCIPALS on a managed database and table: drift warns once each, never revokes"
oracle grant-open $CATALOG shop
oracle grant-open $CATALOG shop orders
oracle grant-open $CATALOG unmanaged_db
run_mg drift -C "$repo" $T
expect_grep "^meshgate: warning: prod: lakeformation: IAM_ALLOWED_PRINCIPALS holds permissions on database shop in catalog $CATALOG: " "$SCRATCH/err"
expect_grep "^meshgate: warning: prod: lakeformation: IAM_ALLOWED_PRINCIPALS holds permissions on table shop.orders in catalog $CATALOG: " "$SCRATCH/err"
test "$(grep -c 'IAM_ALLOWED_PRINCIPALS holds' "$SCRATCH/err")" -eq 2 && ok || not_ok "not exactly two warnings: $(grep -c 'IAM_ALLOWED_PRINCIPALS holds' "$SCRATCH/err")"
if grep -q "unmanaged_db" "$SCRATCH/err"; then not_ok "warned about a database meshgate does not manage"; else ok; fi
run_mg drift -C "$repo" $T --fix
oracle perms $CATALOG
test "$(grep -c '^IAM_ALLOWED_PRINCIPALS ' "$SCRATCH/oracle.out")" -eq 3 && ok || not_ok "IAM_ALLOWED_PRINCIPALS lost a permission: $(grep '^IAM_ALLOWED' "$SCRATCH/oracle.out")"

begin "apply warns too, for the databases it grants on (straight to moto: IAM knows everyone now)"
sed -i "s|endpoint-url: .*|endpoint-url: $MOTO_URL|" "$repo/meshgate.yaml"
cat >>"$repo/data-products-catalogue/prod/shop-orders/data-product-consumers.yaml" <<'YAML'
  - account: "777788889999"
    contact: new@example.com
    type: lakeformation
YAML
git -C "$repo" commit -qam "a new consumer, straight to moto"
run_mg apply -C "$repo" $T
expect_status 0 "$status"
expect_grep "IAM_ALLOWED_PRINCIPALS holds permissions on database shop in catalog" "$SCRATCH/err"
expect_grep "IAM_ALLOWED_PRINCIPALS holds permissions on table shop.orders in catalog" "$SCRATCH/err"
oracle perms $CATALOG
expect_grep '^777788889999 database:shop DESCRIBE$' "$SCRATCH/oracle.out"
expect_grep '^555566667777 database:shop DESCRIBE$' "$SCRATCH/oracle.out"
test "$(grep -c '^IAM_ALLOWED_PRINCIPALS ' "$SCRATCH/oracle.out")" -eq 3 && ok || not_ok "apply revoked from IAM_ALLOWED_PRINCIPALS"

stop_all
finish
