#!/bin/sh
# Git sources and the hook: `validate --staged` and `--rev`, `hook install`
# (fresh, idempotent, a foreign hook kept, core.hooksPath), and real
# `git commit`s stopped by the installed hook.
. "$TESTDIR/cli/lib.sh"

git_user
export MESHGATE
src=${SRCDIR:-$TESTDIR/..}

repo=$SCRATCH/repo
file=data-products-catalogue/prod/orders/data-product.json
git init -q "$repo"
product "$repo/data-products-catalogue/prod/orders" orders orders-bucket 111122223333
git -C "$repo" add -A && git -C "$repo" commit -q -m good
cp "$repo/$file" "$SCRATCH/good.json"
sed 's/"data-product-owner"/"data-product-ownr"/' "$SCRATCH/good.json" >"$SCRATCH/broken.json"
cp "$SCRATCH/broken.json" "$repo/$file"
git -C "$repo" commit -q -a -m broken

# what the work-tree source reports for the broken file: the git sources must say the same
plain=$SCRATCH/plain
product "$plain/data-products-catalogue/prod/orders" orders orders-bucket 111122223333
cp "$SCRATCH/broken.json" "$plain/$file"
run_mg validate -C "$plain"
[ "$status" = 1 ] && grep -q "^$file:3:3: error: unknown key 'data-product-ownr'" "$SCRATCH/out" || exit 1
cp "$SCRATCH/out" "$SCRATCH/findings"

begin "--staged: a staged fix over a broken work tree passes"
cp "$SCRATCH/good.json" "$repo/$file"
git -C "$repo" add "$file"
cp "$SCRATCH/broken.json" "$repo/$file"
run_mg validate --staged -C "$repo"
expect_status 0 "$status"
printf 'meshgate: 0 errors, 0 warnings in 1 product (3 files)\n' >"$SCRATCH/want"
expect_cmp "$SCRATCH/want" "$SCRATCH/err"
run_mg validate -C "$repo"
expect_status 1 "$status"

begin "--staged: a broken staged file under a fixed work tree fails, paths repo-relative"
git -C "$repo" add "$file"
cp "$SCRATCH/good.json" "$repo/$file"
run_mg validate --staged -C "$repo"
expect_status 1 "$status"
expect_cmp "$SCRATCH/findings" "$SCRATCH/out"
run_mg validate -C "$repo"
expect_status 0 "$status"

begin "--staged from a subdirectory, and with a catalogue PATH"
cd "$repo/data-products-catalogue/prod" || exit 1
run_mg validate --staged
expect_status 1 "$status"
expect_cmp "$SCRATCH/findings" "$SCRATCH/out"
run_mg validate --staged ./data-products-catalogue/
expect_status 1 "$status"
expect_cmp "$SCRATCH/findings" "$SCRATCH/out"
cd "$SCRATCH" || exit 1
run_mg validate --staged -C "$repo" "$repo/data-products-catalogue"
expect_status 2 "$status"
expect_grep "PATH is relative to the top of the repository" "$SCRATCH/err"

begin "--rev: a commit, its parent, a tree, json output"
run_mg validate --rev HEAD~1 -C "$repo"
expect_status 0 "$status"
: >"$SCRATCH/want"
expect_cmp "$SCRATCH/want" "$SCRATCH/out"
run_mg validate --rev HEAD -C "$repo"
expect_status 1 "$status"
expect_cmp "$SCRATCH/findings" "$SCRATCH/out"
run_mg validate --rev 'HEAD~1^{tree}' -C "$repo"
expect_status 0 "$status"
run_mg validate --rev=HEAD -C "$repo" --format json
expect_status 1 "$status"
expect_grep "\"path\":	\"$file\"" "$SCRATCH/out"

begin "--rev and --staged errors"
run_mg validate --rev no-such-branch -C "$repo"
expect_status 3 "$status"
printf "meshgate: error: unknown revision 'no-such-branch'\n" >"$SCRATCH/want"
expect_cmp "$SCRATCH/want" "$SCRATCH/err"
run_mg validate --staged --rev HEAD -C "$repo"
expect_status 2 "$status"
expect_grep "cannot be used together" "$SCRATCH/err"
mkdir -p "$SCRATCH/plain"
run_mg validate --staged -C "$SCRATCH/plain"
expect_status 3 "$status"
printf "meshgate: error: not a git repository: '%s'\n" "$SCRATCH/plain" >"$SCRATCH/want"
expect_cmp "$SCRATCH/want" "$SCRATCH/err"
run_mg validate --rev HEAD -C "$repo" nowhere
expect_status 3 "$status"
expect_grep "catalogue 'nowhere' not found in the commit [0-9a-f]\{12\}$" "$SCRATCH/err"

begin "hook install: fresh"
hook=$repo/.git/hooks/pre-commit
rm -f "$hook"
run_mg hook install -C "$repo"
expect_status 0 "$status"
printf "meshgate: installed the pre-commit hook in '%s'\n" "$hook" >"$SCRATCH/want"
expect_cmp "$SCRATCH/want" "$SCRATCH/out"
expect_cmp "$src/hooks/pre-commit" "$hook"
if [ -x "$hook" ]; then ok; else not_ok "hook not executable"; fi

begin "hook install: idempotent"
run_mg hook install -C "$repo/data-products-catalogue"
expect_status 0 "$status"
printf "meshgate: the pre-commit hook in '%s' is up to date\n" "$hook" >"$SCRATCH/want"
expect_cmp "$SCRATCH/want" "$SCRATCH/out"
expect_cmp "$src/hooks/pre-commit" "$hook"

begin "hook install: an older meshgate hook is updated"
printf '#!/bin/sh\n# meshgate-hook: pre-commit (an old one)\nexec meshgate validate --staged\n' >"$hook"
run_mg hook install -C "$repo"
expect_status 0 "$status"
printf "meshgate: updated the pre-commit hook in '%s'\n" "$hook" >"$SCRATCH/want"
expect_cmp "$SCRATCH/want" "$SCRATCH/out"
expect_cmp "$src/hooks/pre-commit" "$hook"

begin "hook install: keeps a foreign hook as pre-commit.local (tests/cli/t0074-hook-chain.sh has more)"
other=$SCRATCH/other
git init -q "$other"
printf '#!/bin/sh\necho theirs\n' >"$other/.git/hooks/pre-commit"
chmod +x "$other/.git/hooks/pre-commit"
cp "$other/.git/hooks/pre-commit" "$SCRATCH/theirs"
run_mg hook install -C "$other"
expect_status 0 "$status"
printf "meshgate: installed the pre-commit hook in '%s'; the hook that was there is now '%s', which it runs first\n" \
	"$other/.git/hooks/pre-commit" "$other/.git/hooks/pre-commit.local" >"$SCRATCH/want"
expect_cmp "$SCRATCH/want" "$SCRATCH/out"
expect_cmp "$src/hooks/pre-commit" "$other/.git/hooks/pre-commit"
expect_cmp "$SCRATCH/theirs" "$other/.git/hooks/pre-commit.local"

begin "hook install: core.hooksPath, relative to the top of the work tree, and absolute"
git -C "$other" config core.hooksPath .githooks
mkdir -p "$other/sub/dir"
run_mg hook install -C "$other/sub/dir"
expect_status 0 "$status"
printf "meshgate: installed the pre-commit hook in '%s'\n" "$other/.githooks/pre-commit" >"$SCRATCH/want"
expect_cmp "$SCRATCH/want" "$SCRATCH/out"
expect_cmp "$src/hooks/pre-commit" "$other/.githooks/pre-commit"
git -C "$other" config core.hooksPath "$SCRATCH/shared hooks/deep"
run_mg hook install -C "$other"
expect_status 0 "$status"
expect_cmp "$src/hooks/pre-commit" "$SCRATCH/shared hooks/deep/pre-commit"

begin "hook install: usage"
run_mg hook -C "$repo"
expect_status 2 "$status"
run_mg hook remove -C "$repo"
expect_status 2 "$status"
expect_grep "unknown action 'remove'; 'install' or 'uninstall'" "$SCRATCH/err"

head_is() { # head_is SHA: HEAD did not move
  if [ "$(git -C "$repo" rev-parse HEAD)" = "$1" ]; then ok; else not_ok "HEAD moved"; fi
}

begin "git commit: the hook stops a broken staged file"
before=$(git -C "$repo" rev-parse HEAD)
cp "$SCRATCH/broken.json" "$repo/$file"
git -C "$repo" add "$file"
cp "$SCRATCH/good.json" "$repo/$file"
status=0
git -C "$repo" commit -q -m "still broken" >"$SCRATCH/out" 2>"$SCRATCH/err" || status=$?
expect_status 1 "$status"
# git sends a hook's standard output to standard error
expect_grep "^$file:3:3: error: unknown key 'data-product-ownr'" "$SCRATCH/err"
expect_grep "^meshgate: [1-9][0-9]* errors*, " "$SCRATCH/err"
head_is "$before"

begin "git commit: allowed after fixing it"
git -C "$repo" add "$file"
status=0
git -C "$repo" commit -q -m fixed >"$SCRATCH/out" 2>"$SCRATCH/err" || status=$?
expect_status 0 "$status"
if [ "$(git -C "$repo" rev-parse HEAD~1)" = "$before" ]; then ok; else not_ok "no new commit"; fi

begin "git commit -a: the hook checks the index git is about to commit"
before=$(git -C "$repo" rev-parse HEAD)
cp "$SCRATCH/broken.json" "$repo/$file" # only in the work tree; -a stages it
status=0
git -C "$repo" commit -q -a -m "all" >"$SCRATCH/out" 2>"$SCRATCH/err" || status=$?
expect_status 1 "$status"
expect_grep "^$file:3:3: error:" "$SCRATCH/err"
head_is "$before"

begin "git commit PATH: the hook checks the partial commit's index"
sed 's/owner@example.com/team@example.com/' "$SCRATCH/good.json" >"$SCRATCH/good2.json"
git -C "$repo" add "$file"              # the index has the broken file...
cp "$SCRATCH/good2.json" "$repo/$file" # ...but `git commit PATH` commits the work tree's
status=0
git -C "$repo" commit -q -m "partial" -- "$file" >"$SCRATCH/out" 2>"$SCRATCH/err" || status=$?
expect_status 0 "$status"
if [ "$(git -C "$repo" rev-parse HEAD~1)" = "$before" ]; then ok; else not_ok "no new commit"; fi
git -C "$repo" show HEAD:"$file" >"$SCRATCH/committed"
expect_cmp "$SCRATCH/good2.json" "$SCRATCH/committed"

begin "git commit: no meshgate binary stops the commit with a clear message"
before=$(git -C "$repo" rev-parse HEAD)
printf '\n' >>"$repo/README.md"
git -C "$repo" add README.md
status=0
MESHGATE=$SCRATCH/no-such-meshgate git -C "$repo" commit -q -m readme >"$SCRATCH/out" 2>"$SCRATCH/err" || status=$?
expect_status 1 "$status"
expect_grep "no-such-meshgate' not found; install meshgate or set MESHGATE" "$SCRATCH/err"
head_is "$before"

finish
