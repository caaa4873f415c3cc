#!/bin/sh
# The adidas prototype's catalogue loads unchanged, and a YAML copy of it
# (tests/golden/adidas-yaml) yields the same findings: same files (but for
# the extension), same rules, same messages; only positions differ.
. "$TESTDIR/cli/lib.sh"
if [ ! -d "$SHARED/examples/adidas-catalogue" ]; then
  echo "SKIP: ../shared/examples/adidas-catalogue not found"
  finish
fi
begin "JSON original and YAML copy give the same findings"
(cd "$SHARED/examples" && "$MESHGATE" validate --today 2026-01-01 adidas-catalogue) >"$SCRATCH/json" 2>/dev/null
s1=$?
(cd "$TESTDIR/golden/adidas-yaml" && "$MESHGATE" validate --today 2026-01-01) >"$SCRATCH/yaml" 2>/dev/null
s2=$?
expect_status 1 "$s1"
expect_status 1 "$s2"
# path without catalogue root and extension, then rule and message; the
# original's LICENSE and SOURCE.txt (beside its environments, where nothing
# is read) are unexpected-file warnings the copy does not have
norm() { grep -v '\[unexpected-file\]$' "$1" | sed -E 's#^[^:]*catalogue/##; s#\.(json|yaml):[0-9]+:[0-9]+:#:#' | sort; }
norm "$SCRATCH/json" >"$SCRATCH/json.n"
norm "$SCRATCH/yaml" >"$SCRATCH/yaml.n"
expect_cmp "$SCRATCH/json.n" "$SCRATCH/yaml.n"
test "$(wc -l <"$SCRATCH/json.n")" -eq 10 && ok || not_ok "expected 10 findings, got $(wc -l <"$SCRATCH/json.n")"
grep '\[unexpected-file\]$' "$SCRATCH/json" | cut -d: -f1 >"$SCRATCH/extra"
printf '%s\n' adidas-catalogue/LICENSE adidas-catalogue/SOURCE.txt >"$SCRATCH/want"
expect_cmp "$SCRATCH/want" "$SCRATCH/extra"
finish
