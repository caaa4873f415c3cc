#!/bin/sh
# One repository handle per command (issue 9): however many git helpers a command
# uses - sources for two commits and the index, the diff, the committer date, the
# branch, the hooks folder - it opens the repository, and so reads .git/config,
# once.  Counted with strace, so the test sees what the process really does.
. "$TESTDIR/cli/lib.sh"
command -v strace >/dev/null 2>&1 ||
  { echo "SKIP: strace is not installed (scripts/install-deps.sh --test installs it)" >&2; exit 77; }
strace -f -o /dev/null true 2>/dev/null ||
  { echo "SKIP: strace cannot trace here (no ptrace permission)" >&2; exit 77; }
repo=$SCRATCH/repo
cp -r "$SRCDIR/examples/quickstart" "$repo"
git_repo "$repo"
commit one
sed -i 's/"version": "[^"]*"/"version": "9.9.9"/' "$repo/data-products-catalogue/prod/sales-orders/data-product.json"
commit two

# opens COMMAND... : runs it under strace; $status, and in $n how many times it opened .git/config
opens() {
  status=0
  # LeakSanitizer cannot run under ptrace; every other test checks leaks
  ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" strace -f -qq -e trace=open,openat -o "$SCRATCH/trace" "$MESHGATE" "$@" >"$SCRATCH/out" 2>"$SCRATCH/err" || status=$?
  n=$(grep -c "$repo/.git/config\"" "$SCRATCH/trace")
}

for cmd in "apply -C $repo --today 2026-06-01" \
           "plan -C $repo --today 2026-06-01" \
           "check -C $repo --base HEAD~1 --head HEAD --today 2026-06-01" \
           "validate -C $repo --rev HEAD --today 2026-06-01" \
           "validate -C $repo --staged --today 2026-06-01" \
           "drift -C $repo --today 2026-06-01"; do
  begin "$cmd: the repository is opened once"
  opens $cmd
  test "$status" -le 1 && ok || { not_ok "exit status $status"; cat "$SCRATCH/err" >&2; }
  test "$n" -eq 1 && ok || not_ok "opened $n times"
done
finish
