#!/bin/sh
# Installs the dependencies, builds meshgate with -Werror, runs every test,
# then builds without the optional backends and checks that configuring one
# is an error there, then builds and tests again with AddressSanitizer +
# UndefinedBehaviorSanitizer, then runs every libFuzzer target for 30 s on
# its committed corpus (fuzz/README.md).
# This is the command .ci/run runs.
set -eu
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh --test
jobs=$(nproc 2>/dev/null || echo 2)

echo "== release build (-Werror) =="
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMESHGATE_WERROR=ON >/dev/null
cmake --build build -j"$jobs"
(cd build && ctest --output-on-failure -j"$jobs")

echo "== minimal build (no postgres, no lakeformation): a configured backend it cannot drive is an error =="
cmake -S . -B build-minimal -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMESHGATE_WERROR=ON \
  -DMESHGATE_POSTGRES=OFF -DMESHGATE_LAKEFORMATION=OFF >/dev/null
cmake --build build-minimal -j"$jobs" --target meshgate
(cd build-minimal && ctest --output-on-failure -R 'cli/t0007-backends')
build-minimal/meshgate --version | grep -qx 'backends: local' ||
  { echo "minimal build drives more than the ledger" >&2; exit 1; }

echo "== sanitizer build (ASan + UBSan) =="
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Asan -DMESHGATE_WERROR=ON >/dev/null
cmake --build build-asan -j"$jobs"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j"$jobs")

echo "== fuzzers (30 s per target) =="
sh fuzz/run.sh 30
