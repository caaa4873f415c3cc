#!/bin/sh
# Installs the dependencies, builds meshgate with -Werror, runs every test,
# then does the same with AddressSanitizer + UndefinedBehaviorSanitizer, then
# runs every libFuzzer target for 30 s on its committed corpus (fuzz/README.md).
# This is the command .ci/run runs.
set -eu
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh --test
jobs=$(nproc 2>/dev/null || echo 2)

echo "== release build (-Werror) =="
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMESHGATE_WERROR=ON >/dev/null
cmake --build build -j"$jobs"
(cd build && ctest --output-on-failure -j"$jobs")

echo "== sanitizer build (ASan + UBSan) =="
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Asan -DMESHGATE_WERROR=ON >/dev/null
cmake --build build-asan -j"$jobs"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j"$jobs")

echo "== fuzzers (30 s per target) =="
sh fuzz/run.sh 30
