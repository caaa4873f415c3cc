#!/bin/sh
# Two things IAM does to a Lake Formation apply, against moto behind tests/cli/aws-faults.py
# (both on loopback, stopped on any exit), every result read back with boto3:
#   - "Invalid principal" right after a role is created (IAM's eventual consistency): the
#     grant is tried again a few seconds apart, a bounded number of times; a principal that
#     stays unknown ends in a clear error naming it, the others are applied;
#   - IAM_ALLOWED_PRINCIPALS still holding ALL on a managed database or table (the default for
#     new ones): apply, drift and access warn, once per resource and command (--quiet too),
#     the warnings go to the audit log as well, and it is never revoked.
. "$TESTDIR/cli/lib.sh"
. "$TESTDIR/cli/lf-setup.sh"
moto_start
# 444455556666: unknown to IAM for its first grant call only; 555566667777: for good
faults_start --rate 0 --unknown-principal 444455556666:1 --unknown-principal 555566667777:1000
export AWS_ACCESS_KEY_ID=AKIDMESHGATEIAM AWS_SECRET_ACCESS_KEY=iam-secret-not-shown
CATALOG=222233334444

lf_example_repo "$FAULT_URL"
# open_warnings N FILE: exactly N IAM_ALLOWED_PRINCIPALS warnings in FILE (once per database or table)
open_warnings() {
  n=$(grep -c 'IAM_ALLOWED_PRINCIPALS holds' "$2")
  test "$n" -eq "$1" && ok || not_ok "$n IAM_ALLOWED_PRINCIPALS warnings, not $1: $(grep 'IAM_ALLOWED_PRINCIPALS holds' "$2" | cut -c1-120)"
}
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

begin "IAM_ALLOWED_PRINCIPALS on a managed database and table: drift warns once each, --quiet or not"
oracle grant-open $CATALOG shop
oracle grant-open $CATALOG shop orders
oracle grant-open $CATALOG unmanaged_db
run_mg drift -C "$repo" $T --quiet
expect_grep "^meshgate: warning: prod: lakeformation: IAM_ALLOWED_PRINCIPALS holds permissions on database shop in catalog $CATALOG: " "$SCRATCH/err"
expect_grep "^meshgate: warning: prod: lakeformation: IAM_ALLOWED_PRINCIPALS holds permissions on table shop.orders in catalog $CATALOG: " "$SCRATCH/err"
open_warnings 2 "$SCRATCH/err"
if grep -q "unmanaged_db" "$SCRATCH/err"; then not_ok "warned about a database meshgate does not manage"; else ok; fi

begin "access warns too"
run_mg access -C "$repo" --consumer 444455556666
expect_status 0 "$status"
open_warnings 2 "$SCRATCH/err"
expect_grep '^prod/shop' "$SCRATCH/out"

begin "apply warns too, for the databases it grants on, once each over a resumed and a new run (straight to moto)"
sed -i "s|endpoint-url: .*|endpoint-url: $MOTO_URL|" "$repo/meshgate.yaml"
cat >>"$repo/data-products-catalogue/prod/shop-orders/data-product-consumers.yaml" <<'YAML'
  - account: "777788889999"
    contact: new@example.com
    type: lakeformation
YAML
git -C "$repo" commit -qam "a new consumer, straight to moto"
# the run left unfinished by the first apply is completed, then HEAD applied: two sessions of the backend
run_mg apply -C "$repo" $T --audit "$SCRATCH/apply-audit.jsonl"
expect_status 0 "$status"
expect_grep "completed an interrupted run" "$SCRATCH/err"
expect_grep "IAM_ALLOWED_PRINCIPALS holds permissions on database shop in catalog" "$SCRATCH/err"
expect_grep "IAM_ALLOWED_PRINCIPALS holds permissions on table shop.orders in catalog" "$SCRATCH/err"
open_warnings 2 "$SCRATCH/err"
# in the audit log beside the operations, one line each
expect_grep "^{\"time\":\"[0-9T:Z-]*\",\"environment\":\"prod\",\"backend\":\"lakeformation\",\"warning\":\"iam-allowed-principals\",\"resource\":\"database shop\",\"message\":\"IAM_ALLOWED_PRINCIPALS holds permissions on database shop in catalog $CATALOG: [^\"]*\\\\\"Use only IAM access control\\\\\" for new databases and tables\"}$" "$SCRATCH/apply-audit.jsonl"
expect_grep '"warning":"iam-allowed-principals","resource":"table shop.orders","message":"IAM_ALLOWED_PRINCIPALS holds permissions on table shop.orders in catalog' "$SCRATCH/apply-audit.jsonl"
test "$(grep -c '"warning":' "$SCRATCH/apply-audit.jsonl")" -eq 2 && ok ||
  not_ok "not two warning lines in the audit log: $(grep -c '"warning":' "$SCRATCH/apply-audit.jsonl")"
expect_grep '"operation":"grant".*"principal":"777788889999"' "$SCRATCH/apply-audit.jsonl"
oracle perms $CATALOG
expect_grep '^777788889999 database:shop DESCRIBE$' "$SCRATCH/oracle.out"
expect_grep '^555566667777 database:shop DESCRIBE$' "$SCRATCH/oracle.out"
test "$(grep -c '^IAM_ALLOWED_PRINCIPALS ' "$SCRATCH/oracle.out")" -eq 3 && ok || not_ok "apply revoked from IAM_ALLOWED_PRINCIPALS"

begin "drift --fix reads, then applies: still once each, on stderr and in the audit log; never revoked"
oracle grant-all-columns $CATALOG 444455556666 shop orders
run_mg drift -C "$repo" $T --fix --audit "$SCRATCH/fix-audit.jsonl"
expect_status 0 "$status"
open_warnings 2 "$SCRATCH/err"
expect_grep '"operation":"revoke".*"principal":"444455556666"' "$SCRATCH/fix-audit.jsonl"
test "$(grep -c '"warning":"iam-allowed-principals"' "$SCRATCH/fix-audit.jsonl")" -eq 2 && ok ||
  not_ok "not two warning lines in the audit log: $(grep -c '"warning":' "$SCRATCH/fix-audit.jsonl")"
oracle perms $CATALOG
test "$(grep -c '^IAM_ALLOWED_PRINCIPALS ' "$SCRATCH/oracle.out")" -eq 3 && ok || not_ok "drift --fix revoked from IAM_ALLOWED_PRINCIPALS"
run_mg drift -C "$repo" $T
expect_status 0 "$status"

stop_all
finish
