#!/bin/sh
# Golden tests against the binary.  Each tests/golden/<case>/ is a
# repository root; `meshgate validate ARGS` runs in it and its standard
# output, followed by "exit N", must equal <case>/expected exactly.
#   <case>/args       arguments (default: --today 2026-01-01)
#   <case>/shared-cwd run in ../shared/<this path> instead (skipped, and
#                     said so, when ../shared is absent)
# Set GOLDEN_UPDATE=1 to rewrite the expected files after a reviewed change.
set -u
: "${MESHGATE:?}" "${TESTDIR:?}"
shared=${MESHGATE_SHARED:-$TESTDIR/../../shared}
pass=0 fail=0 skip=0
for dir in "$TESTDIR"/golden/*/; do
  name=$(basename "$dir")
  [ -f "$dir/expected" ] || [ "${GOLDEN_UPDATE:-}" = 1 ] || continue
  args="--today 2026-01-01"
  [ -f "$dir/args" ] && args=$(cat "$dir/args")
  cwd=$dir
  if [ -f "$dir/shared-cwd" ]; then
    if [ ! -d "$shared" ]; then
      echo "SKIP $name: ../shared not found"
      skip=$((skip + 1))
      continue
    fi
    cwd="$shared/$(cat "$dir/shared-cwd")"
  fi
  # shellcheck disable=SC2086
  actual=$(cd "$cwd" && NO_COLOR=1 "$MESHGATE" validate $args 2>/dev/null; echo "exit $?")
  if [ "${GOLDEN_UPDATE:-}" = 1 ]; then
    printf '%s\n' "$actual" > "$dir/expected"
  fi
  if [ "$actual" = "$(cat "$dir/expected")" ]; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL $name"
    printf '%s\n' "$actual" | diff -u "$dir/expected" - | head -40
  fi
done
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
