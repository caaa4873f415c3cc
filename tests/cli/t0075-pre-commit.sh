#!/bin/sh
# The pre-commit framework (Debian's pre-commit) runs meshgate's hook from a
# tag of a meshgate repository, as a catalogue repository's
# .pre-commit-config.yaml names it: the repository is a copy of this source
# tree committed into a scratch repository and tagged v$MESHGATE_VERSION.  A
# bad staged catalogue fails, a good one passes, with `pre-commit run
# --all-files` and with a real `git commit`.  The README's snippet is run as
# written, and so is the line `meshgate hook install` prints.  Nothing is
# downloaded: git may use only local paths and any HTTP(S) goes to a closed port.
. "$TESTDIR/cli/lib.sh"
: "${MESHGATE_VERSION:?}"
command -v pre-commit >/dev/null 2>&1 ||
	{ echo "skipped: the pre-commit framework is not installed (scripts/install-deps.sh --test installs Debian's pre-commit)"; exit 77; }
command -v git >/dev/null 2>&1 || { echo "skipped: git not installed"; exit 77; }

export HOME="$SCRATCH" GIT_CONFIG_NOSYSTEM=1 PRE_COMMIT_HOME="$SCRATCH/pre-commit-cache"
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY GIT_CEILING_DIRECTORIES MESHGATE_CONFIG
export GIT_ALLOW_PROTOCOL=file http_proxy=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9 \
	HTTP_PROXY=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 PIP_NO_INDEX=1
git config --global user.name "Test" && git config --global user.email test@example.com &&
	git config --global init.defaultBranch main && git config --global advice.detachedHead false || exit 1
src=${SRCDIR:-$TESTDIR/..}
# meshgate on PATH, as `language: system` needs
mkdir -p "$SCRATCH/bin" && ln -s "$MESHGATE" "$SCRATCH/bin/meshgate"
PATH=$SCRATCH/bin:$PATH
tag=v$MESHGATE_VERSION

begin "a tagged meshgate repository"
up=$SCRATCH/meshgate
mkdir -p "$up"
if git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
	# the tracked files as they are in the work tree (uncommitted changes included)
	(cd "$src" && git ls-files -z --cached --others --exclude-standard | xargs -0 cp -P --parents -t "$up" 2>/dev/null)
else
	cp "$src/.pre-commit-hooks.yaml" "$src/README.md" "$src/LICENSE" "$up/"
fi
[ -f "$up/.pre-commit-hooks.yaml" ] && ok || { not_ok "no .pre-commit-hooks.yaml"; finish; }
git init -q "$up" && git -C "$up" add -A && git -C "$up" commit -q -m "meshgate $MESHGATE_VERSION" &&
	git -C "$up" tag -a -m "meshgate $MESHGATE_VERSION" "$tag" && ok || not_ok "cannot tag $tag"
# a later commit on the branch that breaks the hook: the framework must use the tag
printf -- '- id: meshgate-validate\n  name: broken\n  entry: false\n  language: system\n' >"$up/.pre-commit-hooks.yaml"
git -C "$up" commit -q -a -m "after the tag"

cat_repo=$SCRATCH/catalogue
git init -q "$cat_repo"
product "$cat_repo/data-products-catalogue/prod/orders" orders orders-bucket 111122223333
f=data-products-catalogue/prod/orders/data-product.json
cp "$cat_repo/$f" "$SCRATCH/good.json"
sed 's/"data-product-owner"/"data-product-ownr"/' "$SCRATCH/good.json" >"$SCRATCH/broken.json"

# run_pc ARGS...: pre-commit in the catalogue repository, output in $SCRATCH/out
run_pc() {
	status=0
	(cd "$cat_repo" && timeout 120 pre-commit "$@") >"$SCRATCH/out" 2>&1 || status=$?
}

# check_config NAME: with .pre-commit-config.yaml in place, a good catalogue passes and a bad one fails
check_config() {
	git -C "$cat_repo" add -A
	begin "$1: a good catalogue passes"
	run_pc run --all-files
	expect_status 0 "$status"
	expect_grep "^meshgate validate --staged\.*Passed$" "$SCRATCH/out"
	begin "$1: a bad catalogue fails with the finding"
	cp "$SCRATCH/broken.json" "$cat_repo/$f" && git -C "$cat_repo" add "$f"
	run_pc run --all-files
	expect_status 1 "$status"
	expect_grep "^meshgate validate --staged\.*Failed$" "$SCRATCH/out"
	expect_grep "^$f:3:3: error: unknown key 'data-product-ownr'" "$SCRATCH/out"
	cp "$SCRATCH/good.json" "$cat_repo/$f" && git -C "$cat_repo" add "$f"
}

cat >"$cat_repo/.pre-commit-config.yaml" <<EOF
repos:
  - repo: $up
    rev: $tag
    hooks:
      - id: meshgate-validate
EOF
check_config "from the tag $tag"

begin "from the tag: git commit through the framework's hook"
run_pc install
expect_status 0 "$status"
cp "$SCRATCH/broken.json" "$cat_repo/$f" && git -C "$cat_repo" add -A
status=0
git -C "$cat_repo" commit -q -m broken >"$SCRATCH/out" 2>&1 || status=$?
expect_status 1 "$status"
expect_grep "error: unknown key 'data-product-ownr'" "$SCRATCH/out"
if git -C "$cat_repo" rev-parse -q --verify HEAD >/dev/null; then not_ok "the broken catalogue was committed"; else ok; fi
cp "$SCRATCH/good.json" "$cat_repo/$f" && git -C "$cat_repo" add -A
status=0
git -C "$cat_repo" commit -q -m good >"$SCRATCH/out" 2>&1 || status=$?
expect_status 0 "$status"
run_pc uninstall

begin "the README's snippet, as written"
# the first yaml block after the sentence that introduces it
awk '/add to `.pre-commit-config.yaml`/ {on=1; next} on && /^```yaml$/ {in_=1; next} in_ && /^```$/ {exit} in_ {print}' \
	"$src/README.md" >"$cat_repo/.pre-commit-config.yaml"
expect_grep "^repos:" "$cat_repo/.pre-commit-config.yaml"
check_config "README"

begin "the line 'meshgate hook install' prints for the framework's hook"
printf 'repos: []\n' >"$cat_repo/.pre-commit-config.yaml" && git -C "$cat_repo" add -A
run_pc install
run_mg hook install -C "$cat_repo"
expect_status 3 "$status"
{ echo "repos:"; grep '^  - {repo: local' "$SCRATCH/err"; } >"$cat_repo/.pre-commit-config.yaml"
[ "$(wc -l <"$cat_repo/.pre-commit-config.yaml")" = 2 ] && ok || not_ok "no line printed"
check_config "hook install's line"

finish
