#!/bin/sh
# The postgres backend end to end on a real PostgreSQL started by the test:
# apply the example catalogue, then connect AS EACH CONSUMER ROLE and check
# what it can really SELECT; drift (a column added later, a hand-made
# table-level grant) and its fix; a change that removes a consumer, narrows
# columns and deletes a product, applied and checked as the consumers; the
# PostgreSQL facts the design rests on; secrets never shown; the advisory
# lock; a killed apply that resumes.
. "$TESTDIR/cli/lib.sh"
built=$("$MESHGATE" --version | sed -n 's/^backends: //p')
case ", $built," in
  *", postgres,"*) ;;
  *) echo "SKIP: this meshgate is built without the postgres backend (no libpq)" >&2; exit 77 ;;
esac
. "$TESTDIR/cli/pg-server.sh"
export HOME="$SCRATCH" GIT_CONFIG_NOSYSTEM=1
unset GITHUB_REF GITHUB_EVENT_NAME CI_COMMIT_BRANCH CI_MERGE_REQUEST_IID PGSSLMODE PGHOST PGPASSWORD
pg_start
pg_sql pgadmin -f "$SRCDIR/examples/postgres/setup.sql"
test "$sql_status" -eq 0 || { cat "$SCRATCH/sql.out" >&2; pg_stop; exit 1; }

repo=$SCRATCH/repo
cp -r "$SRCDIR/examples/postgres" "$repo"
git_repo "$repo"
commit "postgres example"
T="--today 2026-06-01"
shop=$repo/data-products-catalogue/prod/shop-orders
export MESHGATE_POSTGRES_DSN="host=$PG_SOCK port=$PG_PORT dbname=postgres user=owner"

begin "plan: the same plan lines as on the ledger"
run_mg plan -C "$repo" $T --env prod
expect_status 0 "$status"
expect_grep '^+ prod/shop_orders: role analyst gains SELECT on orders (amount, order_date, order_id)  \[safe\]$' "$SCRATCH/out"
expect_grep '^+ prod/shop_orders: role finance gains SELECT on orders (amount, card_number, order_date, order_id)  \[risky: pci\]$' "$SCRATCH/out"

begin "first apply"
run_mg apply -C "$repo" $T --audit "$SCRATCH/audit.jsonl"
expect_status 0 "$status"
expect_grep '^prod: applied 8 operations' "$SCRATCH/err"
expect_grep '"backend":"postgres".*"principal":"analyst".*"result":"ok","request_id":"postgres-' "$SCRATCH/audit.jsonl"

begin "as analyst: allowed columns read, pii/pci columns and the confidential table refused"
can analyst "SELECT order_id, order_date, amount FROM shop.orders"
cannot analyst "SELECT customer_email FROM shop.orders"
cannot analyst "SELECT card_number FROM shop.orders"
cannot analyst "SELECT * FROM shop.orders"
cannot analyst "SELECT payment_id FROM shop.payments"
can analyst "SELECT refund_id, amount FROM shop.refunds"
cannot analyst "SELECT iban FROM shop.refunds"
can analyst "SELECT customer_id, country FROM customer_profiles.customers"
cannot analyst "SELECT email FROM customer_profiles.customers"

begin "as finance: pci and confidential cleared, pii not, other tables not"
can finance "SELECT order_id, amount, card_number FROM shop.orders"
cannot finance "SELECT customer_email FROM shop.orders"
can finance "SELECT payment_id, amount FROM shop.payments"
cannot finance "SELECT refund_id FROM shop.refunds"
cannot finance "SELECT customer_id FROM customer_profiles.customers"

begin "the unmanaged role is untouched"
can bystander "SELECT order_id FROM shop.orders"
cannot bystander "SELECT amount FROM shop.orders"

begin "never a table-level SELECT: every privilege meshgate made is on columns"
pg_sql pgadmin -c "SELECT count(*) FROM pg_class c, aclexplode(c.relacl) x JOIN pg_roles r ON r.oid = x.grantee
                   WHERE r.rolname IN ('analyst', 'finance') AND x.privilege_type = 'SELECT'"
expect_grep '^0$' "$SCRATCH/sql.out"

begin "access reads the server"
run_mg access -C "$repo" --consumer analyst
expect_status 0 "$status"
cat >"$SCRATCH/want" <<'OUT'
prod/customer_profiles: role analyst may DESCRIBE the database
prod/customer_profiles: role analyst reads customers (all columns except email)
prod/shop_orders: role analyst may DESCRIBE the database
prod/shop_orders: role analyst reads orders (amount, order_date, order_id)
prod/shop_orders: role analyst reads refunds (all columns except iban)
OUT
expect_cmp "$SCRATCH/want" "$SCRATCH/out"

begin "no drift after apply; apply again changes nothing"
run_mg drift -C "$repo" $T
expect_status 0 "$status"
run_mg apply -C "$repo" $T
expect_status 0 "$status"

begin "facts the design rests on (PostgreSQL $("$PG_BIN/postgres" --version | sed 's/.* //'))"
pg_sql pgadmin -c "CREATE SCHEMA facts; CREATE TABLE facts.t (a int, b int); CREATE ROLE fact_reader;
                   GRANT USAGE ON SCHEMA facts TO fact_reader; GRANT SELECT ON facts.t TO fact_reader;
                   REVOKE SELECT (b) ON facts.t FROM fact_reader"
test "$sql_status" -eq 0 && ok || not_ok "setup: $(cat "$SCRATCH/sql.out")"
pg_sql pgadmin -c "SELECT has_column_privilege('fact_reader', 'facts.t', 'b', 'SELECT')"
expect_grep '^t$' "$SCRATCH/sql.out"   # a column REVOKE does not narrow a table-level grant
pg_sql pgadmin -c "REVOKE SELECT ON facts.t FROM fact_reader; GRANT SELECT (a, b) ON facts.t TO fact_reader;
                   REVOKE SELECT ON facts.t FROM fact_reader;
                   SELECT has_column_privilege('fact_reader', 'facts.t', 'a', 'SELECT')"
expect_grep '^f$' "$SCRATCH/sql.out"   # a table-level REVOKE removes the column grants too

begin "drift: a column added later is covered by no grant"
pg_sql owner -c "ALTER TABLE shop.refunds ADD COLUMN note text"
cannot analyst "SELECT note FROM shop.refunds"
run_mg drift -C "$repo" $T
expect_status 1 "$status"
expect_grep "analyst.*refunds" "$SCRATCH/out"
run_mg drift -C "$repo" $T --fix --audit "$SCRATCH/fix.jsonl"
expect_status 0 "$status"
can analyst "SELECT note, refund_id FROM shop.refunds"
cannot analyst "SELECT iban FROM shop.refunds"
run_mg drift -C "$repo" $T
expect_status 0 "$status"

begin "drift: a hand-made table-level SELECT on a managed table exposes every column"
pg_sql owner -c "GRANT SELECT ON shop.orders TO analyst"
can analyst "SELECT customer_email FROM shop.orders"
run_mg drift -C "$repo" $T
expect_status 1 "$status"
expect_grep "role analyst loses SELECT on orders (card_number, customer_email)" "$SCRATCH/out"
run_mg drift -C "$repo" $T --fix
expect_status 0 "$status"
cannot analyst "SELECT customer_email FROM shop.orders"
cannot analyst "SELECT card_number FROM shop.orders"
can analyst "SELECT order_id, order_date, amount FROM shop.orders"
pg_sql pgadmin -c "SELECT count(*) FROM pg_class c, aclexplode(c.relacl) x JOIN pg_roles r ON r.oid = x.grantee
                   WHERE r.rolname = 'analyst' AND x.privilege_type = 'SELECT'"
expect_grep '^0$' "$SCRATCH/sql.out"
run_mg drift -C "$repo" $T
expect_status 0 "$status"

begin "a change: finance removed, orders.amount reclassified pii, customer_profiles deleted"
narrow_shop "postgres-role: analyst" postgres
run_mg plan -C "$repo" $T --env prod
expect_grep "^- prod/shop_orders: role analyst loses SELECT on orders.amount" "$SCRATCH/out"
run_mg apply -C "$repo" $T
expect_status 0 "$status"
cannot finance "SELECT order_id FROM shop.orders"
cannot finance "SELECT payment_id FROM shop.payments"
cannot analyst "SELECT amount FROM shop.orders"
can analyst "SELECT order_id, order_date FROM shop.orders"
cannot analyst "SELECT customer_id FROM customer_profiles.customers"
pg_sql pgadmin -c "SELECT has_schema_privilege('analyst', 'customer_profiles', 'USAGE'),
                          has_schema_privilege('finance', 'shop', 'USAGE')"
expect_grep '^f|f$' "$SCRATCH/sql.out"
can bystander "SELECT order_id FROM shop.orders"
run_mg drift -C "$repo" $T
expect_status 0 "$status"

begin "a missing role is a clear error naming it; nothing is created"
cat >"$shop/data-product-consumers.yaml" <<'YAML'
consumers:
  - postgres-role: analyst
    contact: analytics@example.com
    type: postgres
  - postgres-role: ghost
    contact: nobody@example.com
    type: postgres
YAML
commit "a consumer whose role does not exist"
run_mg apply -C "$repo" $T
expect_status 3 "$status"
expect_grep 'role "ghost" does not exist; meshgate never creates roles' "$SCRATCH/err"
pg_sql pgadmin -c "SELECT count(*) FROM pg_roles WHERE rolname = 'ghost'"
expect_grep '^0$' "$SCRATCH/sql.out"
pg_sql pgadmin -c "CREATE ROLE ghost LOGIN"
run_mg apply -C "$repo" $T
expect_status 0 "$status"
can ghost "SELECT order_id FROM shop.orders"

begin "a wrong password: a clear error, the password never shown"
for dsn in "host=127.0.0.1 port=$PG_PORT dbname=postgres user=owner password=hunter2-wrong" \
           "postgresql://owner:hunter2-wrong@127.0.0.1:$PG_PORT/postgres"; do
  MESHGATE_POSTGRES_DSN=$dsn run_mg drift -C "$repo" $T
  expect_status 3 "$status"
  expect_grep "password authentication failed" "$SCRATCH/err"
  expect_grep "owner:\*\*\*\*@127.0.0.1\|password=\*\*\*\*" "$SCRATCH/err"
  if grep -q hunter2 "$SCRATCH/err" "$SCRATCH/out"; then not_ok "the password was shown"; else ok; fi
done
MESHGATE_POSTGRES_DSN="host=127.0.0.1 port=$PG_PORT dbname=postgres user=owner password=owner-secret" run_mg drift -C "$repo" $T
expect_status 0 "$status"

begin "sslmode: verify-full unless a socket or loopback host"
MESHGATE_POSTGRES_DSN="host=db.example.com hostaddr=127.0.0.1 port=$PG_PORT dbname=postgres user=owner password=owner-secret" \
  run_mg drift -C "$repo" $T
expect_status 3 "$status"
expect_grep "SSL" "$SCRATCH/err"
if grep -q owner-secret "$SCRATCH/err"; then not_ok "the password was shown"; else ok; fi

begin "the DSN's variable missing is a clear error"
MESHGATE_POSTGRES_DSN= run_mg drift -C "$repo" $T
expect_status 3 "$status"
expect_grep "the environment variable MESHGATE_POSTGRES_DSN is not set" "$SCRATCH/err"

begin "two appliers against one server never both apply (advisory lock)"
cat >>"$shop/data-product-consumers.yaml" <<'YAML'
  - postgres-role: finance
    contact: finance@example.com
    type: postgres
YAML
commit "finance back"
psql -X -q -h "$PG_SOCK" -p "$PG_PORT" -U pgadmin -d postgres \
  -c "SELECT pg_advisory_lock(1835365224, hashtext('prod'))" -c "SELECT pg_sleep(20)" >/dev/null 2>&1 &
holder=$!
sleep 1
run_mg apply -C "$repo" $T
expect_status 3 "$status"
expect_grep "another meshgate applier holds environment 'prod' on this server" "$SCRATCH/err"
kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null
pg_sql pgadmin -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%pg_sleep%' AND pid <> pg_backend_pid()"
run_mg unlock -C "$repo" --env prod --force
run_mg apply -C "$repo" $T
expect_status 0 "$status"
can finance "SELECT order_id FROM shop.orders"

begin "a killed apply resumes and converges"
cat >"$shop/data-product-consumers.yaml" <<'YAML'
consumers:
  - postgres-role: analyst
    contact: analytics@example.com
    type: postgres
  - postgres-role: bystander2
    contact: b@example.com
    type: postgres
YAML
pg_sql pgadmin -c "CREATE ROLE bystander2 LOGIN"
commit "ghost and finance out, bystander2 in"
# killed at three points (batch size 1: each op its own transaction), resumed each time
for k in 1 3 2; do
  MESHGATE_TEST_KILL_AFTER_OPS=$k run_mg apply -C "$repo" $T --batch-size 1
  test "$status" -eq 137 && ok || not_ok "apply was not killed after $k ops (status $status)"
  run_mg unlock -C "$repo" --env prod --force
done
run_mg apply -C "$repo" $T
expect_status 0 "$status"
expect_grep "completed an interrupted run" "$SCRATCH/err"
cannot finance "SELECT order_id FROM shop.orders"
cannot ghost "SELECT order_id FROM shop.orders"
can bystander2 "SELECT order_id, order_date FROM shop.orders"
run_mg drift -C "$repo" $T
expect_status 0 "$status"

begin "a GRANT the server answers with 'no privileges were granted' fails; it is never journalled as done"
# payments now belongs to pgadmin; owner may read it but not pass it on: the GRANT succeeds and grants nothing
pg_sql pgadmin -c "ALTER TABLE shop.payments OWNER TO pgadmin; GRANT SELECT ON shop.payments TO owner"
test "$sql_status" -eq 0 && ok || not_ok "setup: $(cat "$SCRATCH/sql.out")"
cat >>"$shop/data-product-consumers.yaml" <<'YAML'
  - postgres-role: finance
    contact: finance@example.com
    type: postgres
    team: finance
    tables: [payments]
    access:
      confidential:
        approved-by: dpo@example.com
        reason: payment reconciliation
        expires: "2027-05-31"
YAML
commit "finance back, payments no longer owned by the applier"
run_mg apply -C "$repo" $T --audit "$SCRATCH/warn-audit.jsonl"
test "$status" -ne 0 && ok || not_ok "apply said done though the server granted nothing"
cat "$SCRATCH/out" "$SCRATCH/err" >"$SCRATCH/both"
expect_grep "the server granted nothing (no privileges were granted for column \"[a-z_]*\" of relation \"payments\"): the applier's role must own shop.payments" "$SCRATCH/both"
expect_grep '"principal":"finance".*"resource":"payments".*"result":"failed"' "$SCRATCH/warn-audit.jsonl"
if grep -q 'WARNING' "$SCRATCH/err"; then not_ok "libpq printed the server's notice itself"; else ok; fi
if grep -q '"warning":"server-warning"' "$SCRATCH/warn-audit.jsonl"; then not_ok "a refusal reported as a mere warning"; else ok; fi
cannot finance "SELECT payment_id FROM shop.payments"
# ownership back: the rerun grants, as the owner, what the failed run could not
pg_sql pgadmin -c "ALTER TABLE shop.payments OWNER TO owner"
run_mg apply -C "$repo" $T
expect_status 0 "$status"
can finance "SELECT payment_id FROM shop.payments"


pg_stop
finish
