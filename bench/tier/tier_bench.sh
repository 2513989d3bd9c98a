#!/usr/bin/env bash
# A data set four times maxmemory, read with a skewed (zipfian) popularity, three ways:
#   tiered   strata-server --maxmemory M --tier-dir tier   (cold values in RocksDB)
#   in_ram   strata-server without maxmemory               (everything in RAM)
#   redis    redis-server --maxmemory M --maxmemory-policy allkeys-lru (loses what does not fit)
# For each: load throughput, read throughput, hits/misses/wrong values, process RSS after the
# reads, and the keys left. Then the ratios the tier is judged by: tiered/in_ram read throughput
# (target >= 0.5), tiered RSS against maxmemory + block cache (target <= 1.15 x maxmemory +
# block cache), and how many keys redis lost.
#
# Usage: bench/tier/tier_bench.sh [--maxmemory-mb M] [--value-size V] [--seconds S]
#                                 [--warmup W] [--threads T] [--pipeline K] [--theta Z]
#                                 [--policy P] [--quick]
# Each server is read for W seconds first (not measured: the keys in RAM after the load are the
# last written, not the popular ones), then for S seconds.
# Defaults: M=64, V=1000, S=20, W=20, T=4, K=16, theta 0.99, the tiered server's maxmemory-policy
# noeviction (its demotions then follow the LRU clock; allkeys-lfu makes them follow the LFU
# counter); --quick: M=16, S=5.
set -euo pipefail
cd "$(dirname "$0")/../.."
mm=64 vsize=1000 seconds=20 warmup=20 threads=4 pipeline=16 theta=0.99 cache_mb=32 policy=noeviction
while (($#)); do
  case $1 in
    --maxmemory-mb) mm=$2; shift 2 ;;
    --value-size) vsize=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --pipeline) pipeline=$2; shift 2 ;;
    --theta) theta=$2; shift 2 ;;
    --policy) policy=$2; shift 2 ;;
    --quick) mm=16; seconds=5; warmup=5; shift ;;
    *) sed -n '2,19s/^# \{0,1\}//p' "$0"; exit 2 ;;
  esac
done
[[ -x build/server/strata-server && -x build/bench/zipf_client ]] ||
  scripts/build.sh release strata-server zipf_client >/dev/null
maxmemory=$((mm * 1024 * 1024))
# About 4x maxmemory of keys and values (each key costs its value plus ~70 bytes of entry/index).
keys=$((4 * maxmemory / (vsize + 70)))
tmp=$(mktemp -d)
pid=
trap 'kill $pid 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$tmp"' EXIT
port=7641

info() { redis-cli -p $port info "$1" | tr -d '\r' | awk -F: -v f="$2" '$1 == f {print $2}'; }
rss_mb() { awk '/^VmRSS:/ {printf "%.1f", $2 / 1024}' /proc/$pid/status; }

run() {  # name, then the server command
  local name=$1; shift
  mkdir -p "$tmp/$name"
  (cd "$tmp/$name" && exec "$@" >"$tmp/$name.log" 2>&1) &
  pid=$!
  for _ in $(seq 200); do redis-cli -p $port ping >/dev/null 2>&1 && break; sleep 0.05; done
  local load read
  load=$(build/bench/zipf_client --port $port load --keys $keys --value-size $vsize \
           --threads $threads --pipeline $pipeline | sed 's/.*ops_per_sec=\([0-9]*\).*/\1/')
  if [[ $name == tiered ]]; then  # let the demotions catch up before reading
    for _ in $(seq 600); do
      (($(info memory used_memory_dataset) <= maxmemory * 105 / 100)) && break
      sleep 0.1
    done
  fi
  local dataset keys_left
  dataset=$(info memory used_memory_dataset)
  keys_left=$(redis-cli -p $port dbsize)
  ((warmup > 0)) && build/bench/zipf_client --port $port read --keys $keys --seconds $warmup \
    --theta $theta --threads $threads --pipeline $pipeline >/dev/null || true
  local reads_before
  reads_before=$(info tier tier_cold_reads); reads_before=${reads_before:-0}
  read=$(build/bench/zipf_client --port $port read --keys $keys --seconds $seconds --theta $theta \
           --threads $threads --pipeline $pipeline || true)
  local rss ops hits misses wrong tier_keys cold_reads avg_us
  rss=$(rss_mb)
  ops=$(sed 's/.*ops_per_sec=\([0-9]*\).*/\1/' <<<"$read")
  hits=$(sed 's/.*hits=\([0-9]*\).*/\1/' <<<"$read")
  misses=$(sed 's/.*misses=\([0-9]*\).*/\1/' <<<"$read")
  wrong=$(sed 's/.*wrong=\([0-9]*\).*/\1/' <<<"$read")
  tier_keys=$(info tier tier_keys); tier_keys=${tier_keys:--}
  cold_reads=$(info tier tier_cold_reads)
  [[ -n $cold_reads ]] && cold_reads=$((cold_reads - reads_before)) || cold_reads=-
  avg_us=$(info tier tier_cold_read_avg_us); avg_us=${avg_us:--}
  printf '%-7s %10s %10s %9s %9s %6s %8s %10s %10s %8s %9s %7s\n' "$name" "$load" "$ops" \
    "$hits" "$misses" "$wrong" "$rss" "$((dataset / 1048576))" "$keys_left" "$tier_keys" \
    "$cold_reads" "$avg_us"
  eval "${name}_ops=$ops ${name}_rss=$rss ${name}_left=$keys_left ${name}_misses=$misses"
  redis-cli -p $port shutdown nosave >/dev/null 2>&1 || kill $pid
  wait $pid 2>/dev/null || true
}

echo "keys=$keys value_size=$vsize maxmemory=${mm}mb block_cache=${cache_mb}mb theta=$theta policy=$policy" \
     "threads=$threads pipeline=$pipeline seconds=$seconds warmup=$warmup"
printf '%-7s %10s %10s %9s %9s %6s %8s %10s %10s %8s %9s %7s\n' server load_ops/s read_ops/s \
  hits misses wrong rss_mb dataset_mb keys_left tier_keys cold_reads avg_us
strata=$PWD/build/server/strata-server
run tiered "$strata" --port $port --bind 127.0.0.1 --dir . --save '' --maxmemory ${mm}mb \
  --tier-dir tier --tier-block-cache ${cache_mb}mb --maxmemory-policy $policy
run in_ram "$strata" --port $port --bind 127.0.0.1 --dir . --save ''
run redis redis-server --port $port --bind 127.0.0.1 --dir . --save '' --appendonly no \
  --maxmemory ${mm}mb --maxmemory-policy allkeys-lru
awk -v t="$tiered_ops" -v r="$in_ram_ops" -v rss="$tiered_rss" -v mm="$mm" -v c="$cache_mb" \
    -v keys="$keys" -v left="$redis_left" -v rm="$redis_misses" 'BEGIN {
  printf "tier_bench: read_ratio=%.2f (tiered/in_ram, target >= 0.5)", t / r
  printf " rss_ratio=%.2f (tiered rss / (maxmemory + block cache), target <= %.2f)", rss / (mm + c), (1.15 * mm + c) / (mm + c)
  printf " redis_keys_lost=%d of %d (%.0f%%) redis_read_misses=%d\n", keys - left, keys, 100 * (keys - left) / keys, rm
}'
