# lib.sh - helpers for CLI tests (sourced).  Each test script gets its own
# scratch directory (removed on success), compares exact output with
# expect_cmp, and ends with `finish`, which prints "N passed, N failed".
set -u
: "${MESHGATE:?}" "${TESTDIR:?}"
export NO_COLOR=1 LC_ALL=C
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/mgcli.XXXXXX")
SHARED=${MESHGATE_SHARED:-$TESTDIR/../../shared}
passed=0 failed=0 current=""

begin() { current=$1; }
ok() { passed=$((passed + 1)); }
not_ok() {
  failed=$((failed + 1))
  echo "FAIL: $current: $*" >&2
}

# expect_cmp EXPECTED_FILE ACTUAL_FILE
expect_cmp() {
  if diff -u "$1" "$2" >"$SCRATCH/diff" 2>&1; then ok; else not_ok "output differs"; cat "$SCRATCH/diff" >&2; fi
}

# expect_status WANT GOT
expect_status() {
  if [ "$1" = "$2" ]; then ok; else not_ok "exit status $2, expected $1"; fi
}

# expect_grep PATTERN FILE
expect_grep() {
  if grep -q -- "$1" "$2"; then ok; else not_ok "'$1' not in $(basename "$2"):"; head -20 "$2" >&2; fi
}

# run_mg ARGS... : runs meshgate, stdout -> $SCRATCH/out, stderr -> $SCRATCH/err, status -> $status
run_mg() {
  status=0
  timeout 60 "$MESHGATE" "$@" >"$SCRATCH/out" 2>"$SCRATCH/err" || status=$?
}

# product DIR NAME BUCKET ACCOUNT : writes a valid minimal product folder
product() {
  mkdir -p "$1"
  cat >"$1/data-product.json" <<JSON
{
  "data-product-name": "$2",
  "data-product-owner": "owner@example.com"
}
JSON
  cat >"$1/data-product-producer-info.json" <<JSON
{
  "account-type": "aws",
  "producer-role-arn": "arn:aws:iam::$4:role/producer",
  "producer-account-id": "$4",
  "bucket-name": "$3"
}
JSON
  cat >"$1/data-product-outputs.json" <<JSON
{
  "outputs": {
    "events": {
      "file-format": "parquet",
      "port-type": "blob",
      "location": "s3://$3/events"
    }
  }
}
JSON
}

finish() {
  echo "$passed passed, $failed failed"
  if [ "$failed" -eq 0 ]; then rm -rf "$SCRATCH"; exit 0; fi
  echo "scratch kept: $SCRATCH" >&2
  exit 1
}

# git_user : git as a user runs it (commits, hooks), in the scratch directory:
# HOME is $SCRATCH with a global committer and init.defaultBranch main, no
# system configuration, and no repository inherited from a calling hook.
git_user() {
  export HOME="$SCRATCH" GIT_CONFIG_NOSYSTEM=1
  unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY GIT_CEILING_DIRECTORIES
  git config --global user.name "Test" && git config --global user.email test@example.com &&
    git config --global init.defaultBranch main || exit 1
}

# git_repo DIR : DIR (made if missing) becomes a git repository on branch
# main with a committer; git reads no user or system configuration and no
# CI variables steer check or apply.
git_repo() {
  export HOME="$SCRATCH" GIT_CONFIG_NOSYSTEM=1
  unset GITHUB_REF GITHUB_EVENT_NAME CI_COMMIT_BRANCH CI_MERGE_REQUEST_IID
  mkdir -p "$1"
  git -C "$1" init -q -b main
  git -C "$1" config user.name t
  git -C "$1" config user.email t@example.com
}

# commit MESSAGE : commits everything in $repo
commit() { git -C "$repo" add -A && git -C "$repo" commit -q -m "$1"; }

# quickstart_repo DIR : DIR becomes a git_repo holding examples/quickstart,
# committed.
quickstart_repo() {
  cp -r "$SRCDIR/examples/quickstart" "$1"
  git_repo "$1"
  git -C "$1" add -A
  git -C "$1" commit -q -m "quick start"
}

# narrow_shop CONSUMER TYPE : the change the backends' end-to-end tests make to
# the example catalogue in $repo (examples/postgres, examples/lakeformation):
# shop-orders keeps one consumer (CONSUMER, the YAML line that names it, of type
# TYPE), orders.amount becomes pii, customer-profiles is deleted; committed as
# "narrow".
narrow_shop() {
  _prod=$repo/data-products-catalogue/prod
  cat >"$_prod/shop-orders/data-product-consumers.yaml" <<YAML
consumers:
  - $1
    contact: analytics@example.com
    type: $2
    team: analytics
YAML
  cat >"$_prod/shop-orders/data-product-visibility.yaml" <<'YAML'
tables:
  - name: orders
    visibility: internal
    columns:
      - {name: customer_email, pii: true}
      - {name: card_number, pci: true}
      - {name: amount, pii: true}
  - name: payments
    visibility: confidential
  - name: refunds
    visibility: internal
    columns:
      - {name: iban, pci: true}
YAML
  rm -r "$_prod/customer-profiles"
  commit "narrow"
}
