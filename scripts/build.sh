#!/usr/bin/env bash
# Configures and builds one flavour of Strata. Usage: scripts/build.sh [release|asan|fuzz] [target...]
# release -> build/, asan -> build-asan/ (AddressSanitizer + UndefinedBehaviorSanitizer),
# fuzz -> build-fuzz/ (clang, ASan + UBSan, libFuzzer targets in fuzz/: fuzz/README.md).
# Targets, if given, are built instead of everything.
set -euo pipefail
cd "$(dirname "$0")/.."
flavour=${1:-release}
(($# > 0)) && shift
jobs=$(nproc)
case $flavour in
  release) dir=build; flags=(-DCMAKE_BUILD_TYPE=Release) ;;
  # -O1 -g1 (line tables): half the compile time of RelWithDebInfo's -O2 -g (96 s -> 52 s for
  # the slowest file), with stack traces that still name every line.
  asan) dir=build-asan; flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG"
                               -DSTRATA_SANITIZE=ON -DSTRATA_BUILD_BENCH=OFF) ;;
  # The same flags as asan, built by clang with every file instrumented for libFuzzer.
  fuzz) dir=build-fuzz; flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG"
                               -DSTRATA_SANITIZE=ON -DSTRATA_FUZZ=ON -DSTRATA_BUILD_BENCH=OFF)
        export CC=clang CXX=clang++ ;;
  *) echo "usage: $0 [release|asan|fuzz] [target...]" >&2; exit 2 ;;
esac
cmake -S . -B "$dir" "${flags[@]}" >/dev/null
targets=()
for t in "$@"; do targets+=(--target "$t"); done
cmake --build "$dir" -j "$jobs" "${targets[@]}"
