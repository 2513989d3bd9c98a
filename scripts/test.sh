#!/usr/bin/env bash
# Installs what is missing, builds three flavours and runs the tests:
# - every test in the release build (scripts/build.sh release: what users run);
# - every test, and each libFuzzer target for a bounded time over its seed corpus (fuzz_*), in
#   the clang ASan+UBSan build with fuzzing instrumentation (scripts/build.sh fuzz);
# - the concurrency tests (ctest label "concurrency") in the ThreadSanitizer build.
# Exit status is non-zero if anything fails. (The gcc ASan flavour is scripts/build.sh asan.)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# detect_deadlocks=0: LockAll holds every shard mutex at once (64 by default), more than TSan's
# deadlock detector tracks; lock order is by shard index, checked by the engine tests.
export TSAN_OPTIONS=${TSAN_OPTIONS:-detect_deadlocks=0:halt_on_error=1:second_deadlock_stack=1}
echo "=== release: build" >&2
scripts/build.sh release
echo "=== release: test" >&2
(cd build && ctest --output-on-failure --timeout 600 -j 2)
echo "=== asan+ubsan (clang, fuzz targets): build" >&2
scripts/build.sh fuzz
echo "=== asan+ubsan (clang, fuzz targets): test" >&2
(cd build-fuzz && ctest --output-on-failure --timeout 600 -j 2)
echo "=== tsan: build" >&2
scripts/build.sh tsan
echo "=== tsan: test" >&2
(cd build-tsan && ctest --output-on-failure --timeout 600 -j 2 -L concurrency)
