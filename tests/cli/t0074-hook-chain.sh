#!/bin/sh
# `meshgate hook install` keeps a foreign pre-commit hook as pre-commit.local
# and meshgate's hook runs it first (its arguments, standard input and
# failure included); `hook uninstall` puts it back.  Where the pre-commit
# framework or husky runs the hooks, install writes nothing and prints the
# line to add there instead; --force installs anyway.
. "$TESTDIR/cli/lib.sh"

git_user
export MESHGATE
src=${SRCDIR:-$TESTDIR/..}

# new_repo DIR: a repository with one valid product, committed
new_repo() {
	git init -q "$1"
	product "$1/data-products-catalogue/prod/orders" orders orders-bucket 111122223333
	git -C "$1" add -A && git -C "$1" commit -q --no-verify -m good
}

# commit_in DIR MSG: a commit of a change to README.md; status in $status
commit_in() {
	printf '%s\n' "$2" >>"$1/README.md"
	git -C "$1" add README.md
	status=0
	git -C "$1" commit -q -m "$2" >"$SCRATCH/out" 2>"$SCRATCH/err" || status=$?
}

# same_files A B: identical content and permissions
same_files() {
	if cmp -s "$1" "$2" && [ "$(stat -c %a "$1")" = "$(stat -c %a "$2")" ]; then ok; else
		not_ok "'$2' differs from '$1'"
	fi
}

repo=$SCRATCH/repo
hooks=$repo/.git/hooks
new_repo "$repo"
# a foreign hook that records its arguments and standard input, and fails when told to
cat >"$SCRATCH/theirs" <<EOF
#!/bin/sh
printf 'args:%s\n' "\$*" >>"$SCRATCH/theirs.log"
cat >>"$SCRATCH/theirs.log"
[ ! -e "$SCRATCH/theirs.fail" ]
EOF
chmod 755 "$SCRATCH/theirs"
cp -p "$SCRATCH/theirs" "$hooks/pre-commit"

begin "install: the foreign hook is kept as pre-commit.local"
run_mg hook install -C "$repo"
expect_status 0 "$status"
printf "meshgate: installed the pre-commit hook in '%s'; the hook that was there is now '%s', which it runs first\n" \
	"$hooks/pre-commit" "$hooks/pre-commit.local" >"$SCRATCH/want"
expect_cmp "$SCRATCH/want" "$SCRATCH/out"
same_files "$SCRATCH/theirs" "$hooks/pre-commit.local"
expect_cmp "$src/hooks/pre-commit" "$hooks/pre-commit"

begin "install again: up to date, the kept hook untouched"
run_mg hook install -C "$repo"
expect_status 0 "$status"
printf "meshgate: the pre-commit hook in '%s' is up to date\n" "$hooks/pre-commit" >"$SCRATCH/want"
expect_cmp "$SCRATCH/want" "$SCRATCH/out"
same_files "$SCRATCH/theirs" "$hooks/pre-commit.local"

begin "git commit: both hooks run, the foreign one first"
: >"$SCRATCH/theirs.log"
commit_in "$repo" one
expect_status 0 "$status"
printf 'args:\n' >"$SCRATCH/want"
expect_cmp "$SCRATCH/want" "$SCRATCH/theirs.log"
expect_grep "^meshgate: 0 errors, 0 warnings in 1 product" "$SCRATCH/err"

begin "git commit: a failing foreign hook stops the commit, meshgate's check does not run"
before=$(git -C "$repo" rev-parse HEAD)
: >"$SCRATCH/theirs.fail"
commit_in "$repo" two
expect_status 1 "$status"
if grep -q "^meshgate: " "$SCRATCH/err"; then not_ok "meshgate ran after a failed hook"; else ok; fi
if [ "$(git -C "$repo" rev-parse HEAD)" = "$before" ]; then ok; else not_ok "HEAD moved"; fi
rm -f "$SCRATCH/theirs.fail"

begin "git commit: the foreign hook passes, an error in the catalogue still stops the commit"
sed 's/"data-product-owner"/"data-product-ownr"/' "$repo/data-products-catalogue/prod/orders/data-product.json" \
	>"$SCRATCH/broken.json"
cp "$repo/data-products-catalogue/prod/orders/data-product.json" "$SCRATCH/good.json"
cp "$SCRATCH/broken.json" "$repo/data-products-catalogue/prod/orders/data-product.json"
git -C "$repo" add -A
: >"$SCRATCH/theirs.log"
commit_in "$repo" three
expect_status 1 "$status"
expect_grep "error: unknown key 'data-product-ownr'" "$SCRATCH/err"
expect_grep "^args:" "$SCRATCH/theirs.log"
cp "$SCRATCH/good.json" "$repo/data-products-catalogue/prod/orders/data-product.json"
git -C "$repo" add -A

begin "the hook passes its arguments and standard input to the kept hook, and its exit status back"
: >"$SCRATCH/theirs.log"
status=0
(cd "$repo" && printf 'line one\nline two\n' | .git/hooks/pre-commit a 'b c') >"$SCRATCH/out" 2>"$SCRATCH/err" || status=$?
expect_status 0 "$status"
printf 'args:a b c\nline one\nline two\n' >"$SCRATCH/want"
expect_cmp "$SCRATCH/want" "$SCRATCH/theirs.log"
printf '#!/bin/sh\nexit 7\n' >"$SCRATCH/seven" && chmod 755 "$SCRATCH/seven"
mv "$hooks/pre-commit.local" "$SCRATCH/kept" && cp -p "$SCRATCH/seven" "$hooks/pre-commit.local"
status=0
(cd "$repo" && .git/hooks/pre-commit </dev/null) >"$SCRATCH/out" 2>"$SCRATCH/err" || status=$?
expect_status 7 "$status"
mv "$SCRATCH/kept" "$hooks/pre-commit.local"

begin "uninstall: the foreign hook is back, as it was"
run_mg hook uninstall -C "$repo/data-products-catalogue"
expect_status 0 "$status"
printf "meshgate: removed meshgate's pre-commit hook from '%s' and put back the hook it ran first\n" "$hooks" >"$SCRATCH/want"
expect_cmp "$SCRATCH/want" "$SCRATCH/out"
same_files "$SCRATCH/theirs" "$hooks/pre-commit"
if [ -e "$hooks/pre-commit.local" ]; then not_ok "pre-commit.local left behind"; else ok; fi

begin "uninstall: a hook that is not meshgate's is left alone"
run_mg hook uninstall -C "$repo"
expect_status 3 "$status"
printf "meshgate: error: '%s' is not meshgate's hook; left as it is\n" "$hooks/pre-commit" >"$SCRATCH/want"
expect_cmp "$SCRATCH/want" "$SCRATCH/err"
same_files "$SCRATCH/theirs" "$hooks/pre-commit"

begin "install: refuses when pre-commit.local is taken too, and changes nothing"
printf '#!/bin/sh\necho mine\n' >"$hooks/pre-commit.local"
cp -p "$hooks/pre-commit.local" "$SCRATCH/mine"
run_mg hook install --force -C "$repo"
expect_status 3 "$status"
printf "meshgate: error: '%s' is another pre-commit hook, and '%s' exists too; move one of them away (nothing was changed)\n" \
	"$hooks/pre-commit" "$hooks/pre-commit.local" >"$SCRATCH/want"
expect_cmp "$SCRATCH/want" "$SCRATCH/err"
same_files "$SCRATCH/theirs" "$hooks/pre-commit"
same_files "$SCRATCH/mine" "$hooks/pre-commit.local"
rm -f "$hooks/pre-commit.local"

begin "uninstall: meshgate's hook alone is removed"
rm -f "$hooks/pre-commit"
run_mg hook install -C "$repo"
expect_status 0 "$status"
run_mg hook uninstall -C "$repo"
expect_status 0 "$status"
printf "meshgate: removed the pre-commit hook '%s'\n" "$hooks/pre-commit" >"$SCRATCH/want"
expect_cmp "$SCRATCH/want" "$SCRATCH/out"
if [ -e "$hooks/pre-commit" ]; then not_ok "hook left behind"; else ok; fi
run_mg hook uninstall -C "$repo"
expect_status 0 "$status"
printf "meshgate: no pre-commit hook in '%s'; nothing to uninstall\n" "$hooks" >"$SCRATCH/want"
expect_cmp "$SCRATCH/want" "$SCRATCH/out"

begin "uninstall: only pre-commit.local left (meshgate's hook deleted by hand): it is put back"
cp -p "$SCRATCH/theirs" "$hooks/pre-commit.local"
run_mg hook uninstall -C "$repo"
expect_status 0 "$status"
printf "meshgate: no meshgate hook in '%s'; put back the hook kept as '%s'\n" "$hooks" "$hooks/pre-commit.local" >"$SCRATCH/want"
expect_cmp "$SCRATCH/want" "$SCRATCH/out"
same_files "$SCRATCH/theirs" "$hooks/pre-commit"
if [ -e "$hooks/pre-commit.local" ]; then not_ok "pre-commit.local left behind"; else ok; fi
rm -f "$hooks/pre-commit"

begin "a symbolic link to a shared hook is kept as a link"
mkdir -p "$repo/tools"
cp -p "$SCRATCH/theirs" "$repo/tools/pre-commit"
ln -s ../../tools/pre-commit "$hooks/pre-commit"
run_mg hook install -C "$repo"
expect_status 0 "$status"
if [ -L "$hooks/pre-commit.local" ] && [ "$(readlink "$hooks/pre-commit.local")" = ../../tools/pre-commit ]; then ok; else
	not_ok "pre-commit.local is not the link"
fi
if [ -L "$hooks/pre-commit" ]; then not_ok "meshgate's hook written through the link"; else ok; fi
same_files "$SCRATCH/theirs" "$repo/tools/pre-commit"
: >"$SCRATCH/theirs.log"
commit_in "$repo" four
expect_status 0 "$status"
expect_grep "^args:" "$SCRATCH/theirs.log"
run_mg hook uninstall -C "$repo"
expect_status 0 "$status"
if [ "$(readlink "$hooks/pre-commit")" = ../../tools/pre-commit ]; then ok; else not_ok "the link is not back"; fi
rm -f "$hooks/pre-commit"

begin "a kept hook that is not executable is not run, as git would not run it"
printf '#!/bin/sh\nexit 1\n' >"$hooks/pre-commit"
chmod 644 "$hooks/pre-commit"
run_mg hook install -C "$repo"
expect_status 0 "$status"
commit_in "$repo" five
expect_status 0 "$status"
expect_grep "pre-commit.local' is not executable; not run" "$SCRATCH/err"
run_mg hook uninstall -C "$repo"
rm -f "$hooks/pre-commit"

# a hook manager: nothing may be written where it keeps its hooks
# expect_advice DIR LINE: install fails, says LINE, leaves DIR's hooks as they were
expect_advice() {
	find "$1" -type f -exec cksum {} + 2>/dev/null | sort >"$SCRATCH/before"
	run_mg hook install -C "$repo"
	expect_status 3 "$status"
	expect_grep "$2" "$SCRATCH/err"
	find "$1" -type f -exec cksum {} + 2>/dev/null | sort >"$SCRATCH/after"
	expect_cmp "$SCRATCH/before" "$SCRATCH/after"
}
framework_line='  - {repo: local, hooks: \[{id: meshgate-validate, name: meshgate validate --staged, entry: meshgate validate --staged, language: system, pass_filenames: false, always_run: true}\]}'

begin "the pre-commit framework's hook: the line for .pre-commit-config.yaml instead"
# the header and id the framework's installer writes (pre-commit 3's hook-tmpl)
cat >"$hooks/pre-commit" <<'EOF'
#!/usr/bin/env bash
# File generated by pre-commit: https://pre-commit.com
# ID: 138fd403232d2ddd5efb44317e38bf03
exec pre-commit hook-impl --hook-type=pre-commit --hook-dir "$(dirname "$0")" -- "$@"
EOF
chmod 755 "$hooks/pre-commit"
expect_advice "$hooks" "^meshgate: error: the pre-commit framework runs this repository's hooks ('$hooks/pre-commit' is its hook); add meshgate to .pre-commit-config.yaml instead"
expect_grep "^$framework_line\$" "$SCRATCH/err"
if [ -e "$hooks/pre-commit.local" ]; then not_ok "pre-commit.local written"; else ok; fi
if command -v pre-commit >/dev/null 2>&1; then
	# the hook the installed framework writes is recognised too
	rm -f "$hooks/pre-commit"
	printf 'repos: []\n' >"$repo/.pre-commit-config.yaml"
	(cd "$repo" && pre-commit install >/dev/null) || not_ok "pre-commit install failed"
	expect_advice "$hooks" "the pre-commit framework runs this repository's hooks"
	rm -f "$repo/.pre-commit-config.yaml"
fi
begin "the pre-commit framework's hook: --force keeps it and runs it first"
cp -p "$hooks/pre-commit" "$SCRATCH/framework"
run_mg hook install --force -C "$repo"
expect_status 0 "$status"
same_files "$SCRATCH/framework" "$hooks/pre-commit.local"
expect_cmp "$src/hooks/pre-commit" "$hooks/pre-commit"
run_mg hook uninstall -C "$repo"
same_files "$SCRATCH/framework" "$hooks/pre-commit"
rm -f "$hooks/pre-commit"

begin "husky 9 (core.hooksPath .husky/_): the line for .husky/pre-commit instead"
mkdir -p "$repo/.husky/_"
printf '#!/usr/bin/env sh\n. "$(dirname "$0")/h"\n' >"$repo/.husky/_/pre-commit"
chmod 755 "$repo/.husky/_/pre-commit"
git -C "$repo" config core.hooksPath .husky/_
expect_advice "$repo/.husky" "^meshgate: error: husky runs this repository's hooks (from '$repo/.husky'); add this line to '$repo/.husky/pre-commit' instead"
expect_grep "^  meshgate validate --staged\$" "$SCRATCH/err"

begin "husky 5-8 (core.hooksPath .husky), with a pre-commit of the team's"
printf 'npm test\n' >"$repo/.husky/pre-commit"
git -C "$repo" config core.hooksPath .husky
expect_advice "$repo/.husky" "add this line to '$repo/.husky/pre-commit' instead"

begin "a .husky/ folder before husky has set core.hooksPath"
git -C "$repo" config --unset core.hooksPath
expect_advice "$repo/.husky" "add this line to '$repo/.husky/pre-commit' instead"
if [ -e "$hooks/pre-commit" ]; then not_ok "a hook was installed"; else ok; fi
begin "husky: --force installs meshgate's hook where git runs hooks"
run_mg hook install --force -C "$repo"
expect_status 0 "$status"
expect_cmp "$src/hooks/pre-commit" "$hooks/pre-commit"
rm -rf "$repo/.husky" "$hooks/pre-commit"

begin "husky 4 (its own hook in .git/hooks): the line for package.json instead"
printf '#!/bin/sh\n# husky\n\n# Hook created by Husky\n. "$(dirname "$0")/husky.sh"\n' >"$hooks/pre-commit"
chmod 755 "$hooks/pre-commit"
expect_advice "$hooks" "in package.json instead"
expect_grep '^  "pre-commit": "meshgate validate --staged"$' "$SCRATCH/err"
rm -f "$hooks/pre-commit"

begin "usage"
run_mg hook -C "$repo"
expect_status 2 "$status"
expect_grep "which action? 'install' or 'uninstall'" "$SCRATCH/err"
run_mg hook uninstall --force -C "$repo"
expect_status 2 "$status"
expect_grep "\-\-force is for 'install' only" "$SCRATCH/err"

finish
