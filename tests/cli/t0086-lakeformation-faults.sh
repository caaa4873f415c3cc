#!/bin/sh
# The lakeformation backend when Lake Formation misbehaves: a fault-injecting endpoint
# (tests/cli/aws-faults.py) in front of moto fails 30 % of the calls transiently - throttling,
# 503, ConcurrentModificationException, batches where half the entries fail, answers cut
# short or never sent after the change was made - and apply, run again until it says it is
# done, converges: every grant the plan wants is in Lake Formation (read back with boto3),
# nothing extra, no duplicate, no drift.  Then a change that revokes, the same way; then
# SIGKILL at several points of an apply, resumed.  Each run exits 0 or 3 ("run again"),
# never anything else.
. "$TESTDIR/cli/lib.sh"
. "$TESTDIR/cli/lf-setup.sh"
moto_start
echo 0.3 >"$SCRATCH/rate"
faults_start --rate-file "$SCRATCH/rate" --seed "${MESHGATE_FAULT_SEED:-7}"
export AWS_ACCESS_KEY_ID=AKIDMESHGATEFAULTS AWS_SECRET_ACCESS_KEY=faults-secret-not-shown
CATALOG=333344445555

repo=$SCRATCH/repo
mkdir -p "$repo"
cat >"$repo/meshgate.yaml" <<YAML
catalogue: data-products-catalogue
protected-branch: main
environments:
  prod:
    backend: {type: lakeformation, region: eu-west-1, catalog-id: "$CATALOG", endpoint-url: "$FAULT_URL"}
YAML
# products p00..p11: two tables each (one with a pii column), three consumers each
gen() { # gen NCONSUMERS
  python3 - "$repo/data-products-catalogue/prod" "$1" <<'PY'
import json, os, sys
root, ncons = sys.argv[1], int(sys.argv[2])
def w(p, o):
    os.makedirs(os.path.dirname(p), exist_ok=True)
    json.dump(o, open(p, "w"), indent=1)
for i in range(12):
    d = os.path.join(root, "p%02d" % i)
    w(d + "/data-product.json", {"data-product-name": "p%02d" % i, "data-product-owner": "o@example.com"})
    w(d + "/data-product-producer-info.json", {"account-type": "aws", "producer-role-arn": "arn:aws:iam::333344445555:role/p",
      "producer-account-id": "333344445555", "bucket-name": "b-p%02d" % i})
    w(d + "/data-product-outputs.json", {"outputs": {t: {"file-format": "parquet", "port-type": "blob",
      "location": "s3://b-p%02d/%s" % (i, t), "columns": [{"name": c, "type": "string"} for c in ("id", "email", "day")]}
      for t in ("t1", "t2")}})
    w(d + "/data-product-visibility.json", {"tables": [{"name": "t1", "visibility": "internal",
      "columns": [{"name": "email", "pii": True}]}, {"name": "t2", "visibility": "public"}]})
    w(d + "/data-product-consumers.json", {"consumers": [{"account": "4444555566%02d" % k, "type": "lakeformation",
      "contact": "c@example.com"} for k in range(ncons if i % 2 else 3)]})
PY
}
git_repo "$repo"
gen 3
commit "12 products, 3 consumers each"
T="--today 2026-06-01"

# converge: apply until it says it is done (at most 12 runs); each run exits 0 or 3
converge() {
  runs=0
  while :; do
    runs=$((runs + 1))
    run_mg apply -C "$repo" $T --batch-size 20 --audit "$SCRATCH/audit.jsonl"
    case $status in
      0) ok; return 0 ;;
      3) grep -q "run again\|interrupted\|lock" "$SCRATCH/err" || { not_ok "exit 3 without saying to run again:"; cat "$SCRATCH/err" >&2; return 1; }
         grep -q "holds the lock\|is locked" "$SCRATCH/err" && run_mg unlock -C "$repo" --env prod --force ;;
      *) not_ok "apply exited $status"; cat "$SCRATCH/err" >&2; return 1 ;;
    esac
    [ "$runs" -lt 12 ] || { not_ok "no convergence after $runs runs"; tail -3 "$SCRATCH/err" >&2; return 1; }
  done
}

# verify WANT_LINES : through a fault-free endpoint, drift is clean and boto3 sees exactly WANT_LINES
# permissions, none twice
verify() {
  echo 0 >"$SCRATCH/rate"
  run_mg drift -C "$repo" $T
  expect_status 0 "$status"
  [ "$status" -eq 0 ] || cat "$SCRATCH/out" >&2
  oracle perms $CATALOG
  expect_status 0 "$oracle_status"
  test "$(wc -l <"$SCRATCH/oracle.out")" -eq "$1" && ok ||
    not_ok "boto3 sees $(wc -l <"$SCRATCH/oracle.out") permissions, not $1"
  test -z "$(sort "$SCRATCH/oracle.out" | uniq -d)" && ok || not_ok "a permission held twice: $(sort "$SCRATCH/oracle.out" | uniq -d | head -3)"
  if grep -q 'columns:p[0-9]*.t1(.*email' "$SCRATCH/oracle.out"; then not_ok "the pii column t1.email granted"; else ok; fi
  echo 0.3 >"$SCRATCH/rate"
}

begin "first apply, 30 % of calls failing: converges to exactly the plan"
converge
# per product and consumer: DESCRIBE on the database, DESCRIBE on two tables, SELECT on two
verify $((12 * 3 * 5))

begin "a change that revokes (odd products keep one consumer), 30 % failing: converges"
gen 1
commit "odd products keep one consumer"
converge
verify $((6 * 3 * 5 + 6 * 1 * 5))

begin "every batch loses half its entries: no failed entry is taken for applied"
gen 2
commit "odd products keep two consumers"
echo "1.0 partial" >"$SCRATCH/rate"
: >"$SCRATCH/partial.log"
for _ in 1 2 3 4 5 6; do
  run_mg apply -C "$repo" $T --batch-size 20
  echo "$status" >>"$SCRATCH/partial.log"
  [ "$status" -eq 0 ] && break
done
echo 0 >"$SCRATCH/rate"
run_mg drift -C "$repo" $T
if [ "$(tail -1 "$SCRATCH/partial.log")" -eq 0 ]; then
  expect_status 0 "$status"   # said done: then Lake Formation holds exactly the plan
else
  expect_status 1 "$status"   # not done: drift shows what is left, and apply said so
fi
echo 0.3 >"$SCRATCH/rate"
converge
verify $((6 * 3 * 5 + 6 * 2 * 5))

begin "killed at several points of an apply, resumed: converges"
gen 3
commit "three consumers again"
for k in 3 17 41; do
  MESHGATE_TEST_KILL_AFTER_OPS=$k run_mg apply -C "$repo" $T --batch-size 5
  test "$status" -eq 137 -o "$status" -eq 0 -o "$status" -eq 3 && ok || not_ok "apply killed after $k ops exited $status"
  run_mg unlock -C "$repo" --env prod --force
done
converge
verify $((12 * 3 * 5))

begin "an all-except grant narrows (day becomes pii) while grant entries fail: no consumer loses the table"
# The columns a narrowing keeps are granted before the held SELECT is revoked.  Revoking first
# lost them when their grant failed: the rerun found nothing held and took the revoke as done.
python3 - "$repo/data-products-catalogue/prod" <<'PY'
import json, os, sys
root = sys.argv[1]
for d in sorted(os.listdir(root)):
    p = os.path.join(root, d, "data-product-visibility.json")
    v = json.load(open(p))
    v["tables"][0]["columns"].append({"name": "day", "pii": True})
    json.dump(v, open(p, "w"), indent=1)
PY
commit "day is pii"
echo "1.0 partial" >"$SCRATCH/rate"
converge
verify $((12 * 3 * 5))
if grep -q 'columns:p[0-9]*.t1(.*day' "$SCRATCH/oracle.out"; then not_ok "t1.day (now pii) still granted"; else ok; fi
echo 0.3 >"$SCRATCH/rate"

begin "every kind of fault was injected"
for f in throttle unavailable concurrent partial truncated dropped; do
  grep -q " $f\$" "$SCRATCH/faults.log" && ok || not_ok "no '$f' fault: $(cut -d' ' -f2 "$SCRATCH/faults.log" | sort | uniq -c | tr '\n' ' ')"
done

begin "the secret key is never written"
if grep -rqa faults-secret-not-shown "$SCRATCH/out" "$SCRATCH/err" "$SCRATCH/audit.jsonl" "$repo" 2>/dev/null; then
  not_ok "the secret key was written"
else
  ok
fi

stop_all
finish
