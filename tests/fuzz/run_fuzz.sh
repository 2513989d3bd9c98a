#!/usr/bin/env bash
# Runs one libFuzzer target for a bounded time over a fresh copy of its seed corpus, so that the
# corpus in the repository is never written to. What the run finds new stays in the copy.
# Usage: tests/fuzz/run_fuzz.sh [--seconds N] <target binary> <seed dir> <work dir> [libFuzzer flags]
# <work dir>/corpus is the copy; a crash, leak or time-out is written to <work dir>/artifacts/
# and makes the exit status non-zero. Reproduce one with: <target binary> <artifact file>.
set -euo pipefail
seconds=15
if [[ ${1:-} == --seconds ]]; then
  seconds=$2
  shift 2
fi
if (($# < 3)); then
  echo "usage: $0 [--seconds N] <target binary> <seed dir> <work dir> [libFuzzer flags]" >&2
  exit 2
fi
binary=$1 seeds=$2 work=$3
shift 3
rm -rf "$work"
mkdir -p "$work/corpus" "$work/artifacts"
cp -R "$seeds"/. "$work/corpus/"
# Stack traces for UBSan findings too (scripts/test.sh sets the same).
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# -timeout: seconds one input may take; -rss_limit_mb: the process's memory ceiling (also the
# largest single allocation); both count as findings.
exec "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$work/artifacts/" "$@" "$work/corpus"
