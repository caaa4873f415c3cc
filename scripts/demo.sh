#!/bin/sh
# The main job, end to end, on the example repository shipped in
# examples/quickstart: installs the dependencies, builds meshgate, then in a
# scratch git repository made from the example it validates the catalogue,
# shows the plan, applies it to the embedded SQLite ledger (.meshgate/) and
# asks the ledger who can read what.  Run it again: the apply is idempotent.
set -eu
cd "$(dirname "$0")/.."
top=$PWD
sh scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc 2>/dev/null || echo 2)" --target meshgate
mg=$top/build/meshgate

demo=$top/build/demo-repo
rm -rf "$demo"
cp -r examples/quickstart "$demo"
cd "$demo"
git init -q -b main
git add -A
git -c user.name=meshgate-demo -c user.email=demo@example.com commit -q -m "quick-start catalogue"

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
step meshgate validate
"$mg" validate
step meshgate plan
"$mg" plan
step meshgate apply --audit -
"$mg" apply --audit -
step meshgate access --consumer 444455556666
"$mg" access --consumer 444455556666
step meshgate access --column customers.email
"$mg" access --column customers.email || true
step meshgate drift
"$mg" drift
step meshgate site --out site
"$mg" site --out site
printf '\nthe demo repository is %s; its ledger is %s/.meshgate/ledger.db\n' "$demo" "$demo"
