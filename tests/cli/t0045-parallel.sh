#!/bin/sh
# Product folders are parsed and schema-checked on several threads
# (MESHGATE_JOBS, default: the machine's cores): every command that loads a
# catalogue must print exactly what the single-threaded run prints.  On the
# benchmark's generated 1,000-product catalogue (bench/gen.py; two commits,
# 50 products changed), and on every golden catalogue (broken files, missing
# files, each rule's hit), with 1, 2 and 3 threads.
. "$TESTDIR/cli/lib.sh"

command -v python3 >/dev/null 2>&1 || { echo "python3 is needed to generate the catalogue: skipped"; exit 77; }
export HOME="$SCRATCH" GIT_CONFIG_NOSYSTEM=1
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY GIT_CEILING_DIRECTORIES

repo=$SCRATCH/repo
begin "generate the catalogue"
if python3 "$SRCDIR/bench/gen.py" --out "$repo" --products "${MG_PARALLEL_PRODUCTS:-1000}" --change 50 \
	>"$SCRATCH/gen.log" 2>&1; then ok; else not_ok "gen.py failed"; cat "$SCRATCH/gen.log" >&2; finish; fi

# same_output NAME DIR ARGS...: the command with 1 thread, then 2 and 3, byte for byte
same_output() {
	name=$1 dir=$2
	shift 2
	begin "$name"
	for j in 1 2 3; do
		st=0
		(cd "$dir" && MESHGATE_JOBS=$j timeout 120 "$MESHGATE" "$@" >"$SCRATCH/out.$j" 2>"$SCRATCH/err.$j") || st=$?
		echo "$st" >"$SCRATCH/status.$j"
	done
	for j in 2 3; do
		if cmp -s "$SCRATCH/out.1" "$SCRATCH/out.$j" && cmp -s "$SCRATCH/err.1" "$SCRATCH/err.$j" &&
			cmp -s "$SCRATCH/status.1" "$SCRATCH/status.$j"; then
			ok
		else
			not_ok "$j threads differ from 1 (exit $(cat "$SCRATCH/status.1") vs $(cat "$SCRATCH/status.$j"))"
			diff "$SCRATCH/out.1" "$SCRATCH/out.$j" | head -20 >&2
			diff "$SCRATCH/err.1" "$SCRATCH/err.$j" | head -20 >&2
		fi
	done
}

same_output "validate --rev HEAD" "$repo" validate --rev HEAD
# the whole run must have found something to compare: the generator plants unclassified columns
begin "findings to compare"
expect_grep "unclassified-sensitive" "$SCRATCH/out.1"
same_output "validate (work tree)" "$repo" validate --no-cache
same_output "validate --format json" "$repo" validate --rev HEAD --format json
same_output "check" "$repo" check --base HEAD~1 --head HEAD
same_output "plan" "$repo" plan --from HEAD~1 --to HEAD --format json
same_output "plan, first run" "$repo" plan --to HEAD --today 2026-01-01

# broken products: damage a few files in the work tree
for d in $(ls -d "$repo"/data-products-catalogue/*/* | sed -n '3p;50p;51p;400p;777p'); do
	f=$(ls "$d"/data-product-outputs.* | head -1)
	printf '{"outputs": {"t": ' >"$f"
done
rm -f "$(ls -d "$repo"/data-products-catalogue/*/* | sed -n '90p')"/data-product.*
mkdir -p "$repo/data-products-catalogue/dev/zz-empty"
ln -s /etc/passwd "$repo/data-products-catalogue/prod/zz-link"
same_output "validate, broken work tree" "$repo" validate --no-cache
begin "broken files reported"
expect_grep "parse" "$SCRATCH/out.1"

for g in "$TESTDIR"/golden/*/; do
	[ -d "$g/data-products-catalogue" ] || continue
	same_output "golden $(basename "$g")" "$g" validate --no-cache --today 2026-01-01
done
finish
