#!/bin/sh
# Backends from meshgate.yaml: a type this build cannot drive, or an unknown
# one, is a config error in validate and in apply (never the ledger); the
# local backend takes no options; backend and backends are exclusive; an
# environment's state can live elsewhere, and plan/apply/access/drift use it.
. "$TESTDIR/cli/lib.sh"
repo=$SCRATCH/repo
cp -r "$SRCDIR/examples/quickstart" "$repo"
git_repo "$repo"
base_config=$(cat "$repo/meshgate.yaml")
configure() { printf '%s\n%s\n' "$base_config" "$1" >"$repo/meshgate.yaml"; commit "$2"; }
T="--today 2026-06-01"

built=$("$MESHGATE" --version | sed -n 's/^backends: //p')
begin "--version names the backends this build drives"
case ", $built," in *", local,"*) ok ;; *) not_ok "backends line '$built' lacks local" ;; esac

unbuilt=""
for t in postgres lakeformation; do
  case ", $built," in *", $t,"*) ;; *) unbuilt="$unbuilt $t" ;; esac
done
if [ -z "$unbuilt" ]; then
  echo "note: this build drives every backend type; the not-built path is checked by the minimal build in scripts/test.sh"
fi
for t in $unbuilt; do
  begin "a $t backend this build cannot drive is a config error in validate"
  configure "environments:
  prod:
    backend:
      type: $t" "prod on $t"
  run_mg validate -C "$repo"
  expect_status 1 "$status"
  expect_grep "meshgate.yaml:.*error: backend '$t' is not built into this meshgate (it drives: $built)" "$SCRATCH/out"
  expect_grep "\[config\]" "$SCRATCH/out"

  begin "... and in apply, before anything is applied anywhere"
  run_mg apply -C "$repo" $T
  test "$status" -ne 0 && ok || not_ok "apply exited 0 with an unbuilt $t backend"
  expect_grep "not built into this meshgate" "$SCRATCH/err"
  expect_grep "^meshgate.yaml:[0-9]*:[0-9]*: error: backend '$t' is not built" "$SCRATCH/err"
  test ! -e "$repo/.meshgate" && ok || not_ok "apply created state before refusing"
done

begin "an unknown backend type is a config error naming the types"
configure "environments:
  prod:
    backend:
      type: ledgerr" "typo"
run_mg validate -C "$repo"
expect_status 1 "$status"
expect_grep "meshgate.yaml:[0-9]*:13: error: unknown backend type 'ledgerr' (meshgate knows local, postgres, lakeformation, s3-policy) \[config\]" "$SCRATCH/out"
run_mg apply -C "$repo" $T
test "$status" -ne 0 && ok || not_ok "apply exited 0 with an unknown backend type"
test ! -e "$repo/.meshgate" && ok || not_ok "apply created state before refusing"

begin "the local backend takes no options"
configure "environments:
  prod:
    backend:
      type: local
      region: eu-west-1" "local with an option"
run_mg validate -C "$repo"
expect_status 1 "$status"
expect_grep "meshgate.yaml:.*region" "$SCRATCH/out"

begin "backend and backends are exclusive, with a message that says so"
configure "environments:
  prod:
    backend: {type: local}
    backends: [{type: local}]" "both"
run_mg validate -C "$repo"
expect_status 1 "$status"
expect_grep "give either backend (one) or backends (a list), not both" "$SCRATCH/out"

begin "an environment with its own state file: apply, access and drift use it"
configure "environments:
  prod:
    backends: [{type: local}]
    state: {path: .meshgate-prod/state.db}" "prod state apart"
mkdir -p "$repo/.meshgate-prod"
echo '*' >"$repo/.meshgate-prod/.gitignore"
run_mg apply -C "$repo" $T
expect_status 0 "$status"
test -s "$repo/.meshgate-prod/state.db" && ok || not_ok "no state file at the configured path"
run_mg access -C "$repo" --consumer 444455556666 --env prod
expect_status 0 "$status"
expect_grep "prod/sales_orders: consumer 444455556666 reads orders" "$SCRATCH/out"
run_mg drift -C "$repo" $T
expect_status 0 "$status"
run_mg apply -C "$repo" $T
expect_status 0 "$status"
expect_grep "^prod: up to date at " "$SCRATCH/err"
test ! -e "$repo/.meshgate/ledger.db" || [ "$(sqlite3 "$repo/.meshgate/ledger.db" "select count(*) from grants where environment='prod'" 2>/dev/null || echo 0)" = 0 ] && ok || not_ok "prod's grants went to the default ledger"

finish
