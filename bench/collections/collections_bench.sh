#!/usr/bin/env bash
# collections_bench.sh [--rounds N] [--requests N] [--quick] [--memory-only | --throughput-only]:
# lists, hashes, sets and sorted sets, side by side with redis-server 7 on this machine.
#
# 1. Throughput: redis-benchmark -c 50 -t lpush,lpop,sadd,hset,zadd,lrange_100, unpipelined
#    (-P 1) and pipelined (-P 16), each round running redis then strata then the reverse order.
#    Prints the median requests/s of each, the ratio strata/redis, and eff: the ratio of
#    requests per server CPU-second (the server's own speed, whatever redis-benchmark costs).
# 2. Memory: bytes per element (used_memory after loading minus before, divided by the number
#    of elements) for small collections (compact encodings) and large ones, on both servers.
#
# Builds <repo>/build's Release server if missing. Both servers run without persistence
# (--appendonly no, no snapshots) so that the numbers measure the data structures.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SERVER=$REPO/build/server/strata-server
ROUNDS=3 N=200000 MEMORY=1 THROUGHPUT=1
while (($#)); do
  case $1 in
    --rounds) ROUNDS=$2; shift 2 ;;
    --requests) N=$2; shift 2 ;;
    --quick) ROUNDS=1 N=50000; shift ;;
    --memory-only) THROUGHPUT=0; shift ;;
    --throughput-only) MEMORY=0; shift ;;
    *) sed -n '2,13s/^# \{0,1\}//p' "$0"; exit 2 ;;
  esac
done
for t in redis-server redis-cli redis-benchmark awk; do
  command -v $t >/dev/null || { echo "missing $t" >&2; exit 2; }
done
[[ -x $SERVER ]] || "$REPO/scripts/build.sh" release >/dev/null

WORK=$(mktemp -d -t collections_bench.XXXXXX)
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 12000))
    [[ -z $(ss -Htan "sport = :$p" 2>/dev/null) ]] && { echo "$p"; return; }
  done
}

declare -A PORT PID
start() {  # side: redis | strata
  local side=$1 port
  port=$(free_port)
  mkdir -p "$WORK/$side"
  if [[ $side == redis ]]; then
    redis-server --port "$port" --bind 127.0.0.1 --dir "$WORK/$side" --save '' \
      --appendonly no >"$WORK/$side.log" 2>&1 &
  else
    "$SERVER" --port "$port" --bind 127.0.0.1 --dir "$WORK/$side" --save '' \
      --snapshot-wal-bytes 0 --appendonly no >"$WORK/$side.log" 2>&1 &
  fi
  PID[$side]=$!
  PIDS+=($!)
  PORT[$side]=$port
  for _ in $(seq 200); do
    [[ $(redis-cli -p "$port" PING 2>/dev/null) == PONG ]] && return
    sleep 0.05
  done
  echo "$side did not start" >&2
  exit 1
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

start redis
start strata

# --- Throughput ------------------------------------------------------------------------------
TESTS=lpush,lpop,sadd,hset,zadd,lrange_100
if ((THROUGHPUT)); then
: >"$WORK/results"  # side pipeline test round rps cpu_ticks
for ((r = 1; r <= ROUNDS; r++)); do
  order="redis strata"
  ((r % 2 == 0)) && order="strata redis"
  for P in 1 16; do
    for side in $order; do
      port=${PORT[$side]}
      redis-cli -p "$port" FLUSHALL >/dev/null
      # lrange_100 reads the list lpush built: run them in one invocation, in Redis's order.
      for t in ${TESTS//,/ }; do
        before=$(cpu_ticks "${PID[$side]}")
        rps=$(redis-benchmark -p "$port" -c 50 -P "$P" -n "$N" -t "$t" --csv 2>/dev/null |
          awk -F'"' 'NR > 1 {v = $4} END {print v}')  # lrange_100's prefill LPUSH comes first
        after=$(cpu_ticks "${PID[$side]}")
        echo "$side $P $t $r $rps $((after - before))" >>"$WORK/results"
      done
    done
  done
done

HZ=$(getconf CLK_TCK)
echo "Throughput, requests/s (median of $ROUNDS rounds, $N requests, 50 clients):"
printf '%-12s %3s %12s %12s %7s %7s\n' test P redis strata ratio eff
for P in 1 16; do
  for t in ${TESTS//,/ }; do
    awk -v P="$P" -v t="$t" -v hz="$HZ" -v n="$N" '
      function median(a, k,   i, j, x) {  # sorts a[1..k] in place
        for (i = 2; i <= k; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
        return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
      }
      $2 == P && $3 == t { k[$1]++; rps[$1, k[$1]] = $5; eff[$1, k[$1]] = ($6 > 0 ? n * hz / $6 : 0) }
      END {
        for (i = 1; i <= k["redis"]; i++) { a[i] = rps["redis", i]; e[i] = eff["redis", i] }
        mr = median(a, k["redis"]); er = median(e, k["redis"])
        for (i = 1; i <= k["strata"]; i++) { a[i] = rps["strata", i]; e[i] = eff["strata", i] }
        ms = median(a, k["strata"]); es = median(e, k["strata"])
        printf "%-12s %3s %12.0f %12.0f %7.2f %7.2f\n", t, P, mr, ms, (mr ? ms / mr : 0), (er ? es / er : 0)
      }' "$WORK/results"
  done
done

fi

# --- Memory ------------------------------------------------------------------------------------
((MEMORY)) || exit 0
used_memory() { redis-cli -p "$1" INFO memory | awk -F: '/^used_memory:/ {print $2 + 0}'; }

# load PORT KIND KEYS ELEMENTS: KEYS keys of KIND, each with ELEMENTS elements, through --pipe.
load() {
  local port=$1 kind=$2 keys=$3 elems=$4
  awk -v kind="$kind" -v keys="$keys" -v elems="$elems" 'BEGIN {
    batch = 100
    for (k = 0; k < keys; k++) {
      key = sprintf("%s:%06d", kind, k)
      for (e = 0; e < elems; e += batch) {
        n = (elems - e < batch) ? elems - e : batch
        if (kind == "list")        { cmd = "RPUSH"; per = 1 }
        else if (kind == "intset") { cmd = "SADD"; per = 1 }
        else if (kind == "set")    { cmd = "SADD"; per = 1 }
        else if (kind == "hash")   { cmd = "HSET"; per = 2 }
        else                       { cmd = "ZADD"; per = 2 }
        printf "*%d\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", 2 + n * per, length(cmd), cmd, length(key), key
        for (i = e; i < e + n; i++) {
          if (kind == "intset") { v = sprintf("%d", i * 7) } else { v = sprintf("m%07d", i) }
          if (kind == "zset") { s = sprintf("%d", i); printf "$%d\r\n%s\r\n", length(s), s }
          printf "$%d\r\n%s\r\n", length(v), v
          if (kind == "hash") { w = sprintf("v%07d", i); printf "$%d\r\n%s\r\n", length(w), w }
        }
      }
    }
  }' | redis-cli -p "$port" --pipe >/dev/null
}

echo "Memory, bytes per element (used_memory delta / elements; members like m0000001):"
printf '%-28s %10s %10s %7s\n' case redis strata ratio
for spec in "list 2000 100" "list 4 200000" "hash 20000 10" "hash 4 200000" \
            "intset 2000 100" "set 20000 10" "set 4 200000" "zset 20000 10" "zset 4 200000"; do
  read -r kind keys elems <<<"$spec"
  declare -A BPE=()
  for side in redis strata; do
    port=${PORT[$side]}
    redis-cli -p "$port" FLUSHALL >/dev/null
    sleep 0.2
    before=$(used_memory "$port")
    load "$port" "$kind" "$keys" "$elems"
    after=$(used_memory "$port")
    BPE[$side]=$(awk -v a="$after" -v b="$before" -v n=$((keys * elems)) 'BEGIN {printf "%.1f", (a - b) / n}')
  done
  enc=$(redis-cli -p "${PORT[strata]}" OBJECT ENCODING "$kind:000000")
  printf '%-28s %10s %10s %7.2f\n' "$kind ${keys}x$elems ($enc)" "${BPE[redis]}" "${BPE[strata]}" \
    "$(awk -v s="${BPE[strata]}" -v r="${BPE[redis]}" 'BEGIN {print (r > 0 ? s / r : 0)}')"
done
