#!/bin/sh
# The main job, end to end on the example repository shipped in examples/:
# installs the dependencies, builds meshgate, and validates the example
# catalogue.  (Plan and apply on the embedded ledger join here as they land.)
set -eu
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc 2>/dev/null || echo 2)" --target meshgate
mg=$PWD/build/meshgate
echo "\$ meshgate validate -C examples/quickstart"
"$mg" validate -C examples/quickstart
