#!/usr/bin/env bash
# replay_bench.sh [records] [rounds]: time to recover N logged writes, strata vs redis-server 7.
#
# For each server: start it with appendonly yes (appendfsync everysec) on an empty directory,
# write `records` SETs (redis-benchmark -t set -P 64, random keys out of `records`, 16-byte
# values), shut it down with SIGKILL (so nothing but the log is left: no snapshot, no RDB), then
# restart it and time until it answers PING. Redis loads its AOF (aof-use-rdb-preamble no, so
# the AOF is the command log); Strata replays its WAL. Rounds alternate the two servers.
# Default: 10,000,000 records, 2 rounds. Output: one line per restart and a ratio line
#   replay: records=N redis_s=... strata_s=... speedup=<redis time / strata time>
set -euo pipefail

RECORDS=${1:-10000000}
ROUNDS=${2:-2}
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
STRATA=$REPO/build/server/strata-server
[[ -x $STRATA ]] || { echo "build first: scripts/build.sh release" >&2; exit 2; }
WORK=$(mktemp -d -t replay_bench.XXXXXX)
PID=""
cleanup() { [[ -n $PID ]] && kill -KILL "$PID" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_ping() {  # prints seconds until PING answers
  local start=$EPOCHREALTIME
  until redis-cli -p "$1" ping 2>/dev/null | grep -q PONG; do sleep 0.01; done
  awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f", b - a }'
}
start_server() {  # kind dir port
  case $1 in
    redis) redis-server --port "$3" --bind 127.0.0.1 --dir "$2" --save "" --appendonly yes \
             --appendfsync everysec --aof-use-rdb-preamble no --logfile "$2/log" & ;;
    strata) "$STRATA" --port "$3" --bind 127.0.0.1 --dir "$2" --appendonly yes \
              --appendfsync everysec --logfile "$2/log" & ;;
  esac
  PID=$!
}

declare -A TOTAL=([redis]=0 [strata]=0)
for ((r = 1; r <= ROUNDS; r++)); do
  order="redis strata"; ((r % 2 == 0)) && order="strata redis"
  for kind in $order; do
    dir=$WORK/$kind-$r; mkdir -p "$dir"; p=$(port)
    start_server "$kind" "$dir" "$p"; wait_ping "$p" >/dev/null
    redis-benchmark -p "$p" -t set -n "$RECORDS" -r "$RECORDS" -d 16 -P 64 -c 50 -q >/dev/null
    sleep 1.5  # everysec: let the last second reach the file
    kill -KILL "$PID"; wait "$PID" 2>/dev/null || true
    size=$(du -sb "$dir" | cut -f1)
    start_server "$kind" "$dir" "$p"; t=$(wait_ping "$p")
    keys=$(redis-cli -p "$p" dbsize)
    kill -KILL "$PID"; wait "$PID" 2>/dev/null || true; PID=""
    echo "round $r $kind: $RECORDS writes, log $((size / 1048576)) MiB, $keys keys, restart ${t}s"
    TOTAL[$kind]=$(awk -v a="${TOTAL[$kind]}" -v b="$t" 'BEGIN { print a + b }')
    rm -rf "$dir"
  done
done
awk -v n="$RECORDS" -v r="${TOTAL[redis]}" -v s="${TOTAL[strata]}" -v k="$ROUNDS" \
  'BEGIN { printf "replay: records=%d redis_s=%.2f strata_s=%.2f speedup=%.2f\n", n, r / k, s / k, r / s }'
