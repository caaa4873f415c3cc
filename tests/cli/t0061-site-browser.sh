#!/bin/sh
# A real browser: headless Chromium (Debian package, scripts/install-deps.sh --test) loads
# the site's index from file:// with a search in the URL hash, takes a screenshot into the
# scratch directory, and the dumped DOM shows the filter hid every other product.
. "$TESTDIR/cli/lib.sh"
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
  echo "SKIP: chromium is not installed (scripts/install-deps.sh --test installs it)"
  rm -rf "$SCRATCH"; exit 77
fi
cp -r "$TESTDIR/../examples/quickstart" "$SCRATCH/repo"
(cd "$SCRATCH/repo" && "$MESHGATE" site --today 2026-06-01 -o "$SCRATCH/site" 2>/dev/null)
chrome() {
  name=$1; shift
  timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$SCRATCH/profile-$name" --window-size=1280,800 "$@" 2>"$SCRATCH/chrome-$name.log"
}
begin "screenshot of the index"
chrome shot --screenshot="$SCRATCH/index.png" "file://$SCRATCH/site/index.html" >/dev/null
if [ -s "$SCRATCH/index.png" ]; then ok; else not_ok "no screenshot"; fi
begin "search from the URL hash filters the list"
chrome dom --dump-dom "file://$SCRATCH/site/index.html#q=customer" >"$SCRATCH/dom.html"
expect_grep '1 of 3 products' "$SCRATCH/dom.html"
test "$(grep -c '<tr hidden=' "$SCRATCH/dom.html")" -eq 2 && ok || not_ok "expected 2 hidden rows"
begin "environment filter"
chrome env --dump-dom "file://$SCRATCH/site/index.html#env=dev" >"$SCRATCH/dom2.html"
expect_grep '1 of 3 products' "$SCRATCH/dom2.html"
finish
