#!/usr/bin/env bash
# Configures and builds one flavour of Strata. Usage: scripts/build.sh [release|asan|tsan|fuzz] [target...]
# release -> build/, asan -> build-asan/ (AddressSanitizer + UndefinedBehaviorSanitizer),
# tsan -> build-tsan/ (ThreadSanitizer; by default only the concurrency tests, which
# `ctest -L concurrency` runs), fuzz -> build-fuzz/ (clang, ASan + UBSan, and the libFuzzer
# targets in tests/fuzz/: tests/fuzz/README.md). Targets, if given, are built instead of everything.
set -euo pipefail
cd "$(dirname "$0")/.."
flavour=${1:-release}
(($# > 0)) && shift
jobs=$(nproc)
# ccache (where installed) keys objects on paths relative to the repository, so a fresh clone
# elsewhere reuses what another clone compiled.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD}
targets=("$@")
# -O1 -g1 (line tables) for the sanitizer flavours: half the compile time of RelWithDebInfo's
# -O2 -g (96 s -> 52 s for the slowest file), with stack traces that still name every line.
sanitized=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG"
           -DSTRATA_BUILD_BENCH=OFF)
case $flavour in
  release) dir=build; flags=(-DCMAKE_BUILD_TYPE=Release) ;;
  asan) dir=build-asan; flags=("${sanitized[@]}" -DSTRATA_SANITIZE=ON) ;;
  tsan) dir=build-tsan; flags=("${sanitized[@]}" -DSTRATA_TSAN=ON)
        ((${#targets[@]} > 0)) || targets=(concurrency_tests) ;;
  # The same flags as asan, built by clang with every file instrumented for libFuzzer.
  fuzz) dir=build-fuzz; flags=("${sanitized[@]}" -DSTRATA_SANITIZE=ON -DSTRATA_FUZZ=ON)
        export CC=clang CXX=clang++ ;;
  *) echo "usage: $0 [release|asan|tsan|fuzz] [target...]" >&2; exit 2 ;;
esac
cmake -S . -B "$dir" "${flags[@]}" >/dev/null
target_flags=()
for t in "${targets[@]}"; do target_flags+=(--target "$t"); done
cmake --build "$dir" -j "$jobs" "${target_flags[@]}"
