#!/usr/bin/env bash
# snapshot_bench.sh - Strata's snapshots against Redis's BGSAVE/RDB, side by side, one run.
#
# Usage: bench/snapshot/snapshot_bench.sh [--keys N] [--threads T] [--baseline-seconds S]
#        (from a Release build: build/server/strata-server and build/bench/snapshot_probe)
#
# Both servers get N keys (default 10,000,000) from DEBUG POPULATE N kkkkkkkk 32: 16-byte keys
# for most (kkkkkkkk:1000000 and up), 32-byte values. Strata runs with its defaults (WAL on,
# appendfsync everysec) but no automatic snapshots; Redis with --save '' --appendonly no. Then,
# for each server in turn:
#   1. baseline: T connections of unpipelined random SETs for S seconds (default 8 x 5 s);
#   2. the same load during a BGSAVE: p99 write latency, PSS growth (the server and any child:
#      Redis's fork counts; PSS splits shared pages fairly), and how long the snapshot took;
#   3. an idle BGSAVE: the snapshot write time;
#   4. SHUTDOWN NOSAVE and a restart: seconds from exec to the first PONG (Redis loads its RDB;
#      Strata its snapshot, then the log records past it, none here).
# Output: one table and a last line "snapshot_bench: name=ratio ..." (Redis/Strata for times,
# so > 1 means Strata is better). Takes about 3 minutes at 10M keys; needs ~4 GB of RAM.
set -euo pipefail

KEYS=10000000 THREADS=8 BASE_SECS=5
while (($#)); do
  case $1 in
    --keys) KEYS=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --baseline-seconds) BASE_SECS=$2; shift 2 ;;
    *) sed -n '2,20s/^# \{0,1\}//p' "$0"; exit 2 ;;
  esac
done
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
STRATA=$ROOT/build/server/strata-server
PROBE=$ROOT/build/bench/snapshot_probe
for f in "$STRATA" "$PROBE"; do [[ -x $f ]] || { echo "missing $f: build first" >&2; exit 2; }; done
for t in redis-server redis-cli ss bc; do command -v $t >/dev/null || { echo "missing $t" >&2; exit 2; }; done

WORK=$(mktemp -d -t snapshot_bench.XXXXXX)
declare -A PORT PID
cleanup() {
  for s in "${!PID[@]}"; do kill -KILL "${PID[$s]}" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
log() { echo "[$(date +%T)] $*" >&2; }
free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 12000))
    [[ -z $(ss -Htan "sport = :$p") ]] && { echo $p; return; }
  done
}
cli() { redis-cli -h 127.0.0.1 -p "${PORT[$1]}" "${@:2}" 2>&1 | tr -d '\r'; }
field() { sed -n "s/.*[[:space:]]$2=\([^ ]*\).*/\1/p;s/^$2=\([^ ]*\).*/\1/p" <<<"$1" | head -1; }

start() {  # start NAME: launches the server and waits for PONG; prints seconds to ready
  local s=$1 dir=$WORK/$1 t0 t1
  mkdir -p "$dir"
  t0=$(date +%s.%N)
  if [[ $s == strata ]]; then
    "$STRATA" --port "${PORT[$s]}" --bind 127.0.0.1 --dir "$dir" --save "" \
      --snapshot-wal-bytes 0 --enable-debug-command yes >>"$dir.log" 2>&1 &
  else
    redis-server --port "${PORT[$s]}" --bind 127.0.0.1 --dir "$dir" --save "" \
      --appendonly no --enable-debug-command yes >>"$dir.log" 2>&1 &
  fi
  PID[$s]=$!
  until [[ $(cli "$s" PING) == PONG ]]; do
    kill -0 "${PID[$s]}" 2>/dev/null || { cat "$dir.log" >&2; exit 1; }
    sleep 0.01
  done
  t1=$(date +%s.%N)
  printf "%.2f" "$(echo "$t1 - $t0" | bc)"
}

declare -A R
for s in strata redis; do
  PORT[$s]=$(free_port)
  start $s >/dev/null
  log "$s: DEBUG POPULATE $KEYS"
  cli $s DEBUG POPULATE "$KEYS" kkkkkkkk 32 >/dev/null
  probe() { "$PROBE" --port "${PORT[$s]}" --pid "${PID[$s]}" --keys "$KEYS" "$@"; }
  log "$s: baseline load"
  out=$(probe --mode baseline --seconds "$BASE_SECS" --threads "$THREADS")
  R[$s.base_p99]=$(field "$out" p99_us); R[$s.base_ops]=$(field "$out" ops_per_sec)
  log "$s: load during BGSAVE"
  out=$(probe --mode bgsave --threads "$THREADS")
  R[$s.snap_p99]=$(field "$out" p99_us); R[$s.snap_ops]=$(field "$out" ops_per_sec)
  R[$s.pss]=$(field "$out" pss_growth_pct); R[$s.load_secs]=$(field "$out" secs)
  log "$s: idle BGSAVE"
  out=$(probe --mode bgsave --threads 0)
  R[$s.idle_secs]=$(field "$out" secs)
  cli $s SHUTDOWN NOSAVE >/dev/null || true
  wait "${PID[$s]}" 2>/dev/null || true
  log "$s: restart"
  R[$s.ready]=$(start $s)
  [[ $(cli $s DBSIZE) == "$KEYS" ]] || { echo "$s lost keys after restart" >&2; exit 1; }
  cli $s SHUTDOWN NOSAVE >/dev/null || true
  wait "${PID[$s]}" 2>/dev/null || true
  unset "PID[$s]"
  rm -rf "${WORK:?}/$s"
done

ratio() { printf "%.2f" "$(echo "scale=4; $1 / $2" | bc)"; }
printf '%-40s %12s %12s %8s\n' "$KEYS keys, $THREADS writers" redis strata ratio
printf '%-40s %12s %12s %8s\n' "snapshot write time, idle (s)" "${R[redis.idle_secs]}" \
  "${R[strata.idle_secs]}" "$(ratio "${R[redis.idle_secs]}" "${R[strata.idle_secs]}")"
printf '%-40s %12s %12s %8s\n' "snapshot time under write load (s)" "${R[redis.load_secs]}" \
  "${R[strata.load_secs]}" "$(ratio "${R[redis.load_secs]}" "${R[strata.load_secs]}")"
printf '%-40s %12s %12s %8s\n' "restart to ready (s)" "${R[redis.ready]}" "${R[strata.ready]}" \
  "$(ratio "${R[redis.ready]}" "${R[strata.ready]}")"
printf '%-40s %12s %12s\n' "memory (PSS) growth during snapshot (%)" "${R[redis.pss]}" "${R[strata.pss]}"
printf '%-40s %12s %12s\n' "write p99 without snapshot (us)" "${R[redis.base_p99]}" "${R[strata.base_p99]}"
printf '%-40s %12s %12s\n' "write p99 during snapshot (us)" "${R[redis.snap_p99]}" "${R[strata.snap_p99]}"
printf '%-40s %12s %12s\n' "  p99 during / p99 without" "$(ratio "${R[redis.snap_p99]}" "${R[redis.base_p99]}")" \
  "$(ratio "${R[strata.snap_p99]}" "${R[strata.base_p99]}")"
printf '%-40s %12s %12s\n' "writes/s without / during snapshot" "${R[redis.base_ops]}/${R[redis.snap_ops]}" \
  "${R[strata.base_ops]}/${R[strata.snap_ops]}"
echo "snapshot_bench: idle_write=$(ratio "${R[redis.idle_secs]}" "${R[strata.idle_secs]}")" \
  "loaded_write=$(ratio "${R[redis.load_secs]}" "${R[strata.load_secs]}")" \
  "restart=$(ratio "${R[redis.ready]}" "${R[strata.ready]}")" \
  "pss_growth_pct=${R[redis.pss]}/${R[strata.pss]}" \
  "p99_inflation=$(ratio "${R[redis.snap_p99]}" "${R[redis.base_p99]}")/$(ratio "${R[strata.snap_p99]}" "${R[strata.base_p99]}")"
