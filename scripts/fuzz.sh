#!/usr/bin/env bash
# The long fuzz run: builds the fuzz flavour (scripts/build.sh fuzz: clang, ASan + UBSan,
# libFuzzer) and runs each chosen target for N seconds, one after another, each over a fresh
# copy of its seed corpus in build-fuzz/tests/fuzz/long/<target>/ (tests/fuzz/README.md).
# Usage: scripts/fuzz.sh [--seconds N] [target...]
#   targets: resp wal snapshot command (default: these four), lua_reply, lua_libs (any with
#   seeds under tests/fuzz/corpus/); N defaults to 600.
# Stops at the first target that finds something; its input is in
# build-fuzz/tests/fuzz/long/<target>/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=600
if [[ ${1:-} == --seconds ]]; then
  seconds=$2
  shift 2
fi
targets=("$@")
((${#targets[@]} == 0)) && targets=(resp wal snapshot command)
binaries=()
for t in "${targets[@]}"; do
  t=${t#fuzz_}
  [[ -d tests/fuzz/corpus/$t ]] || { echo "fuzz.sh: no target '$t' (see tests/fuzz/corpus/)" >&2; exit 2; }
  binaries+=("fuzz_$t")
done
scripts/install-deps.sh
scripts/build.sh fuzz "${binaries[@]}"
for t in "${targets[@]}"; do
  t=${t#fuzz_}
  echo "=== fuzz_$t: ${seconds}s" >&2
  tests/fuzz/run_fuzz.sh --seconds "$seconds" "build-fuzz/tests/fuzz/fuzz_$t" "tests/fuzz/corpus/$t" \
    "build-fuzz/tests/fuzz/long/$t"
done
