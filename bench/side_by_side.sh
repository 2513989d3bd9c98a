#!/usr/bin/env bash
# side_by_side.sh [args...]: benchmarks strata-server against redis-server 7 on this machine.
#
# Builds the Release server in <repo>/build if it is missing (or, with --rebuild, always), then
# runs ../shared/bench/side_by_side.sh (relative to the repository) with strata-server as the
# candidate. Every other argument is passed through, e.g.:
#   bench/side_by_side.sh --quick
#   bench/side_by_side.sh --rounds 3 --phases off --raw /tmp/raw.txt
#   bench/side_by_side.sh --phases always --strata-flags '--wal-io-backend pwrite'
# --strata-flags adds flags to strata-server's command line only.
# The last line of output holds the candidate/redis ratios ("side_by_side: set_c50=... ").
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$REPO/build
SERVER=$BUILD/server/strata-server
SHARED=$REPO/../shared/bench/side_by_side.sh

REBUILD=0
EXTRA=""
ARGS=()
while (($#)); do
  case $1 in
    --rebuild) REBUILD=1; shift ;;
    --strata-flags) EXTRA=${2:-}; shift 2 ;;
    *) ARGS+=("$1"); shift ;;
  esac
done

[[ -x $SHARED ]] || { echo "side_by_side: $SHARED not found" >&2; exit 2; }

if ((REBUILD)) || [[ ! -x $SERVER ]]; then
  if [[ ! -f $BUILD/CMakeCache.txt ]]; then
    cmake -S "$REPO" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >&2
  fi
  cmake --build "$BUILD" --target strata-server -j "${JOBS:-$(nproc)}" >&2
fi
if grep -q '^CMAKE_BUILD_TYPE:STRING=Release$' "$BUILD/CMakeCache.txt" 2>/dev/null; then :; else
  echo "side_by_side: warning: $BUILD is not a Release build; numbers will not be representative" >&2
fi

# Single quotes on purpose: the shared script expands $PORT, $DIR, $AOF and $FSYNC per run.
# shellcheck disable=SC2016
CANDIDATE="exec $(printf %q "$SERVER")"' --port $PORT --bind 127.0.0.1 --dir $DIR --appendonly $AOF --appendfsync ${FSYNC/off/no} '"$EXTRA"

exec "$SHARED" --candidate "$CANDIDATE" "${ARGS[@]+"${ARGS[@]}"}"
