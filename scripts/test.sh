#!/usr/bin/env bash
# Installs what is missing, builds the release and the sanitizer (ASan+UBSan) flavours, and runs
# every test in both. Exit status is non-zero if anything fails.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
for flavour in release asan; do
  echo "=== $flavour: build" >&2
  scripts/build.sh "$flavour"
  dir=$([[ $flavour == release ]] && echo build || echo build-asan)
  echo "=== $flavour: test" >&2
  (cd "$dir" && ctest --output-on-failure --timeout 600 -j 2)
done
