#!/bin/sh
# The facts cache (.git/meshgate/facts-v1): `validate --staged` must
# print exactly what `validate --staged --no-cache` prints, and `check` (which
# reads only the changed products and takes the rest from the same cache)
# exactly what `check --no-cache` prints, with the cache
# cold, warm, and after rounds of random staged edits - renames into
# duplicates, shared and nested locations, lineage cycles, unknown input
# tables, broken and missing files, expiring clearances under several
# --today dates, products deleted and added.  The repository is generated
# here from a seed (MG_CACHE_SEED, MG_CACHE_PRODUCTS, MG_CACHE_ROUNDS).
. "$TESTDIR/cli/lib.sh"

git_user

seed=${MG_CACHE_SEED:-12345}
nproducts=${MG_CACHE_PRODUCTS:-300}
rounds=${MG_CACHE_ROUNDS:-8}
repo=$SCRATCH/repo
cat_dir=$repo/data-products-catalogue

# rnd N: a pseudo-random number in [0, N) in $R (an LCG, so runs repeat)
rnd() {
	seed=$(( (seed * 1103515245 + 12345) % 2147483648 ))
	R=$(( (seed / 65536) % $1 ))
}

env_of() { if [ $(( $1 % 3 )) -eq 0 ]; then echo dev; else echo prod; fi; }
dir_of() { echo "$cat_dir/$(env_of "$1")/p$1"; }

# write_product I NAME BUCKET INPUT INPUT_TABLE EXPIRES
write_product() {
	d=$(dir_of "$1")
	mkdir -p "$d"
	cat >"$d/data-product.json" <<JSON
{
  "data-product-name": "$2",
  "data-product-owner": "owner@example.com"
}
JSON
	cat >"$d/data-product-producer-info.json" <<JSON
{
  "account-type": "aws",
  "producer-role-arn": "arn:aws:iam::1111222233$(( $1 % 90 + 10 )):role/producer",
  "producer-account-id": "1111222233$(( $1 % 90 + 10 ))",
  "bucket-name": "$3"
}
JSON
	cat >"$d/data-product-outputs.json" <<JSON
{
  "outputs": {
    "events": {
      "file-format": "parquet",
      "port-type": "blob",
      "location": "s3://$3/events",
      "columns": [
        { "name": "id", "type": "string" },
        { "name": "email", "type": "string" },
        { "name": "customer_name", "type": "string" }
      ]
    },
    "orders": {
      "file-format": "parquet",
      "port-type": "blob",
      "location": "s3://$3/orders"
    }
  }
}
JSON
	cat >"$d/data-product-visibility.json" <<JSON
{
  "tables": [
    {
      "name": "events",
      "visibility": "internal",
      "columns": [
        { "name": "email", "pii": true }
      ]
    }
  ]
}
JSON
	cat >"$d/data-product-consumers.json" <<JSON
{
  "consumers": [
    {
      "account": "2222333344$(( $1 % 90 + 10 ))",
      "contact": "team@example.com",
      "type": "lakeformation",
      "team": "analytics",
      "consumer-role-arn": "arn:aws:iam::2222333344$(( $1 % 90 + 10 )):role/reader",
      "access": {
        "pii": {
          "approved-by": "dpo@example.com",
          "reason": "analytics",
          "expires": "$6"
        }
      }
    }
  ]
}
JSON
	cat >"$d/data-product-inputs.json" <<JSON
{
  "inputs": {
    "$4": {
      "type": "data-product",
      "tables": [ "$5" ]
    },
    "crm": {
      "tables": [ "contacts" ]
    }
  }
}
JSON
}

# a product i reading from product j of its environment
fresh_product() {
	i=$1
	rnd "$nproducts"; j=$(( R - R % 3 + $1 % 3 ))
	[ "$j" -lt "$nproducts" ] || j=$i
	rnd 10; if [ "$R" -eq 0 ]; then t=evnts; else t=events; fi
	rnd 4; exp="2026-0$(( R + 1 ))-15"
	write_product "$i" "product-$i" "bucket-$i" "product-$j" "$t" "$exp"
}

# one random edit of the work tree
mutate() {
	rnd "$nproducts"; i=$R
	d=$(dir_of "$i")
	rnd 11
	case $R in
	0) rnd "$nproducts"; j=$(( R - R % 3 + i % 3 )) # a duplicate name (same environment)
	   [ -d "$d" ] && sed -i "s/\"data-product-name\": \".*\"/\"data-product-name\": \"Product_$j\"/" "$d/data-product.json" ;;
	1) rnd "$nproducts" # a shared or nested location
	   [ -d "$d" ] && sed -i "s#s3://[^/]*/events#s3://bucket-$R/orders/x#" "$d/data-product-outputs.json" ;;
	2) rnd "$nproducts"; j=$(( R - R % 3 + i % 3 )) # another input: cycles come by chance
	   [ -d "$d" ] && sed -i "s/\"product-[0-9]*\": {/\"product-$j\": {/" "$d/data-product-inputs.json" ;;
	3) [ -d "$d" ] && printf '{ "data-product-name": ' >"$d/data-product.json" ;; # parse error
	4) [ -d "$d" ] && rm -f "$d/data-product-visibility.json" ;;
	5) [ -d "$d" ] && sed -i 's/"data-product-owner"/"data-product-ownr"/' "$d/data-product.json" ;; # schema
	6) rnd 9; [ -d "$d" ] && sed -i "s/\"expires\": \".*\"/\"expires\": \"2026-0$(( R + 1 ))-01\"/" "$d/data-product-consumers.json" ;;
	7) rm -rf "$d" ;;
	8) fresh_product "$i" ;;
	9) [ -d "$d" ] && sed -i 's/"email", "type"/"e_mail", "type"/' "$d/data-product-outputs.json" ;; # unknown column
	10) [ -d "$d" ] && sed -i 's/"pii": true/"pii": false/' "$d/data-product-visibility.json" ;; # declassified
	esac
}

# compare_runs LABEL TODAY: the cached run (run twice: it may write the cache) against a full one
compare_runs() {
	begin "$1 (--today $2)"
	run_mg validate --staged --today "$2" -C "$repo"
	cp "$SCRATCH/out" "$SCRATCH/cached.out"
	cp "$SCRATCH/err" "$SCRATCH/cached.err"
	s1=$status
	run_mg validate --staged --no-cache --today "$2" -C "$repo"
	expect_cmp "$SCRATCH/out" "$SCRATCH/cached.out"
	begin "$1: summary and status (--today $2)"
	expect_cmp "$SCRATCH/err" "$SCRATCH/cached.err"
	expect_status "$status" "$s1"
}

git init -q "$repo" || exit 1
i=0
while [ "$i" -lt "$nproducts" ]; do
	fresh_product "$i"
	i=$((i + 1))
done
printf 'not a product\n' >"$cat_dir/prod/README.md"
git -C "$repo" add -A && git -C "$repo" commit -q -m catalogue || exit 1

rm -rf "$repo/.git/meshgate"
compare_runs "cold cache" 2026-03-01
begin "the cold run wrote the cache"
if [ -s "$repo/.git/meshgate/facts-v1" ]; then ok; else not_ok "no .git/meshgate/facts-v1"; fi
compare_runs "warm cache" 2026-03-01
compare_runs "warm cache, another day" 2026-05-01

round=1
while [ "$round" -le "$rounds" ]; do
	rnd 12; n=$((R + 1))
	while [ "$n" -gt 0 ]; do mutate; n=$((n - 1)); done
	git -C "$repo" add -A
	rnd 5; today="2026-0$((R + 1))-10"
	compare_runs "round $round" "$today"
	round=$((round + 1))
done

begin "a damaged cache file is ignored"
printf 'MGFACTS1 garbage' >"$repo/.git/meshgate/facts-v1"
compare_runs "damaged cache" 2026-03-01

# the cache file after a full rewrite, then after one product's edit: appended, not rewritten
run_mg validate --staged --no-cache --today 2026-03-01 -C "$repo"
rm -rf "$repo/.git/meshgate"
compare_runs "rebuilt cache" 2026-03-01
facts=$repo/.git/meshgate/facts-v1
ino0=$(stat -c %i "$facts"); size0=$(stat -c %s "$facts")
d=$(ls -d "$cat_dir"/prod/*/ | head -1)
sed -i 's/"data-product-owner": "/"data-product-owner": "edited-/' "$d/data-product.json"
git -C "$repo" add -A
compare_runs "one product edited" 2026-03-01
begin "one product edited: its entry is appended to the cache file, not the file rewritten"
ino1=$(stat -c %i "$facts"); size1=$(stat -c %s "$facts")
[ "$ino1" = "$ino0" ] && ok || not_ok "the cache file was replaced (inode $ino0 -> $ino1)"
[ "$size1" -gt "$size0" ] && ok || not_ok "the cache file did not grow ($size0 -> $size1)"

begin "a torn last record is ignored, and the next run rewrites the file"
truncate -s $((size1 - 5)) "$facts"
compare_runs "torn record" 2026-03-01
ino2=$(stat -c %i "$facts")
[ "$ino2" != "$ino1" ] && ok || not_ok "a cache file with a torn record was appended to"

begin "GIT_INDEX_FILE names the index to check"
cp "$repo/.git/index" "$SCRATCH/other-index"
rm -rf "$cat_dir/dev"
git -C "$repo" add -A
export GIT_INDEX_FILE="$SCRATCH/other-index"
run_mg validate --staged --today 2026-03-01 -C "$repo"
cp "$SCRATCH/out" "$SCRATCH/cached.out"
cp "$SCRATCH/err" "$SCRATCH/cached.err"
run_mg validate --staged --no-cache --today 2026-03-01 -C "$repo"
unset GIT_INDEX_FILE
expect_cmp "$SCRATCH/out" "$SCRATCH/cached.out"
expect_cmp "$SCRATCH/err" "$SCRATCH/cached.err"
run_mg validate --staged --today 2026-03-01 -C "$repo"
begin "GIT_INDEX_FILE: the other index has the dev products, the repository's has not"
if cmp -s "$SCRATCH/err" "$SCRATCH/cached.err"; then not_ok "same summary for both indexes"; else ok; fi

# ---- check: the changed products read in full, the others from the cache ----

# compare_check LABEL TODAY: check HEAD~1..HEAD with the cache against --no-cache (reports and plan)
compare_check() {
	begin "check, $1 (--today $2)"
	run_mg check --base HEAD~1 --head HEAD --today "$2" -f json -o "$SCRATCH/c.json" -f markdown \
		-o "$SCRATCH/c.md" -C "$repo"
	s1=$status
	cp "$SCRATCH/err" "$SCRATCH/c.err"
	run_mg check --base HEAD~1 --head HEAD --today "$2" -f json -o "$SCRATCH/n.json" -f markdown \
		-o "$SCRATCH/n.md" --no-cache -C "$repo"
	expect_cmp "$SCRATCH/n.json" "$SCRATCH/c.json"
	expect_cmp "$SCRATCH/n.md" "$SCRATCH/c.md"
	expect_cmp "$SCRATCH/err" "$SCRATCH/c.err"
	expect_status "$status" "$s1"
}

git -C "$repo" add -A && git -C "$repo" commit -q -m "hook rounds" || exit 1
round=1
planned=0
while [ "$round" -le "$rounds" ]; do
	rnd 12; n=$((R + 1))
	while [ "$n" -gt 0 ]; do mutate; n=$((n - 1)); done
	git -C "$repo" add -A && git -C "$repo" commit -q --allow-empty -m "round $round" || exit 1
	rnd 5; today="2026-0$((R + 1))-10"
	# the cache as CI restores it (the base's products), or as an earlier check of this head left it
	# (the changed products already in it: check must still read those in full)
	case $((round % 3)) in
	0) run_mg check --base HEAD~1 --head HEAD~1 --today "$today" -C "$repo" ;;
	1) run_mg check --base HEAD --head HEAD --today "$today" -C "$repo" ;;
	2) rm -rf "$repo/.git/meshgate" ;;
	esac
	compare_check "round $round" "$today"
	grep -Eq '\*\*[1-9][0-9]* changes?\*\*' "$SCRATCH/c.md" && planned=$((planned + 1))
	round=$((round + 1))
done
begin "check rounds: some plans had grants or revokes (the comparison saw real plans)"
[ "$planned" -gt 0 ] && ok || not_ok "no round planned anything"
finish
