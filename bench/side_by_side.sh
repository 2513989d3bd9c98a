#!/usr/bin/env bash
# side_by_side.sh: strata-server against redis-server 7.0 on this machine, in one interleaved
# run, reported as ratios (strata / redis), because a shared machine's absolute figures drift.
#
# Usage: bench/side_by_side.sh [--quick] [--rounds N] [--keys N] [--phases 'off everysec always notify scripts streams bullmq datatypes']
#                              [--strata-flags 'FLAGS'] [--server PATH] [--reference PATH]
#                              [--raw FILE] [--rebuild] [--no-restarts]
#
# Method:
#   - Both servers run side by side on 127.0.0.1, each in its own empty data directory, with the
#     same persistence: phase `off` (no log, no snapshots), `everysec` and `always` (Redis:
#     --appendonly yes --appendfsync X --save ''; Strata: its defaults with --appendfsync X).
#   - Each phase preloads KEYS keys (16-byte keys key:%012d, 32-byte values, redis-cli --pipe),
#     then runs ROUNDS rounds. In a round every workload runs on both servers, one after the
#     other, and the order flips each round (redis first in odd rounds), so drift in the machine's
#     load falls on both sides alike.
#   - A workload is one redis-benchmark run: 50 clients, random keys over the preloaded range.
#     For each run the server's CPU time (utime+stime from /proc/PID/stat) is read before and
#     after: `eff` is strata's operations per server CPU-second over redis's, the server's own
#     cost with the client's noise taken out.
#   - Phase `notify` (not run by default): as `off`, with notify-keyspace-events KEA on both and
#     one subscriber (redis-cli PSUBSCRIBE '*') on each, reading every event.
#   - Phase `streams` (not run by default): with everysec's persistence (the default), XADD with
#     auto IDs at -P 1 and -P 16; then, on a stream of N entries with explicit IDs and a group,
#     XREADGROUP COUNT 1 `>` until every entry is delivered, and XACK of random delivered IDs.
#   - Phase `bullmq` (not run by default): with everysec's persistence, BullMQ (npm, as installed
#     in tests/clients/node) adds N jobs and 4 workers of concurrency 8 complete them: jobs per
#     second (tests/clients/node/bullmq_throughput.mjs).
#   - Phase `datatypes` (not run by default): with everysec's persistence, unpipelined SETBIT,
#     GETBIT and BITCOUNT of a bitmap per key (1M random keys: redis-benchmark's random numbers
#     have leading zeros, which bit offsets refuse), PFADD of random elements and PFCOUNT of one
#     HyperLogLog, and GEOSEARCH of the 10 nearest within 50 km among 100k points.
#   - Phase `scripts` (not run by default): as `off`, EVALSHA and FCALL of the same small script
#     (INCR, EXPIRE, GET of one random key), unpipelined and with -P 16.
#   - Restarts (phase everysec): SHUTDOWN (SIGTERM) and kill -9, then the time until DBSIZE is
#     back to KEYS, as keys per second.
#   - Memory (phase off): RSS growth over the preload, in bytes per key.
#   - Figures are medians over the rounds; `range` is the min..max of the per-round ratios.
#   - The last lines say how much CPU other processes took during the run: over 10% of the
#     machine, the run is not evidence (run it again on a quiet machine).
#
# Default 1M keys, 5 rounds (about 4 minutes on 2 cores); --quick: 200k keys, 3 rounds, shorter
# runs (about 1 minute). --strata-flags adds flags to strata-server's command line only. --server
# runs another strata-server binary. --reference PATH puts a strata-server build (an older one)
# in redis-server's place, with the same flags as the candidate: a before/after comparison of
# a change in one interleaved run (the `redis` column is then that build); --no-restarts skips
# the restart measurements (a reference that keeps no data, say). Builds the release
# server in build/ if it is missing (or always, with --rebuild).
set -uo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SERVER=$REPO/build/server/strata-server
REFERENCE="" ROUNDS="" KEYS="" QUICK=0 PHASES="off everysec always" EXTRA="" RAW="" REBUILD=0
RESTARTS=1
while (($#)); do
  case $1 in
    --quick) QUICK=1; shift ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --keys) KEYS=$2; shift 2 ;;
    --phases) PHASES=$2; shift 2 ;;
    --strata-flags) EXTRA=$2; shift 2 ;;
    --raw) RAW=$2; shift 2 ;;
    --rebuild) REBUILD=1; shift ;;
    --no-restarts) RESTARTS=0; shift ;;
    --server) SERVER=$2; shift 2 ;;
    --reference) REFERENCE=$2; shift 2 ;;
    *) sed -n '2,38s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
  esac
done
for tool in redis-server redis-cli redis-benchmark ss python3; do
  command -v "$tool" >/dev/null || { echo "side_by_side: $tool is missing (scripts/install-deps.sh)" >&2; exit 2; }
done
if ((REBUILD)) || [[ $SERVER == "$REPO/build/server/strata-server" && ! -x $SERVER ]]; then "$REPO/scripts/build.sh" release strata-server >&2 || exit 1; fi

if ((QUICK)); then KEYS=${KEYS:-200000} N_P1=30000 N_P16=300000 N_TYPES=20000 N_ALWAYS=20000
else KEYS=${KEYS:-1000000} N_P1=100000 N_P16=1000000 N_TYPES=100000 N_ALWAYS=100000; fi
ROUNDS=${ROUNDS:-$((QUICK ? 3 : 5))}
TICKS=$(getconf CLK_TCK)
WORK=$(mktemp -d -t strata-side-by-side.XXXXXX)
RESULTS=$WORK/results   # kind workload side round value p50 p99 server_cpu_s
declare -A PID PORT

say() { echo "[$(date +%T)] $*" >&2; }
cleanup() {
  local s
  for s in redis strata; do [[ -n ${PID[$s]:-} ]] && kill -KILL "${PID[$s]}" 2>/dev/null; done
  wait 2>/dev/null
  [[ -n $RAW && -f $RESULTS ]] && cp "$RESULTS" "$RAW"
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A port below the ephemeral range that no socket uses.
pick_port() {
  local p
  while :; do
    p=$((21000 + RANDOM % 11000))
    [[ $p == "${PORT[redis]:-}" || $p == "${PORT[strata]:-}" ]] && continue
    [[ -z $(ss -Htan "sport = :$p") ]] && { echo "$p"; return; }
  done
}
PORT[redis]=$(pick_port)
PORT[strata]=$(pick_port)

cli() { timeout 60 redis-cli -h 127.0.0.1 -p "${PORT[$1]}" "${@:2}" 2>&1 | tr -d '\r'; }
cpu_ticks() { local f; f=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }
  f=${f##*) }; local a=($f); echo $((a[11] + a[12])); }
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
now() { echo "$EPOCHREALTIME"; }
elapsed_ms() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN {printf "%.1f", (b - a) * 1000}'; }

# start SIDE PHASE: the server in its phase's directory (kept across its restarts).
start() {
  local side=$1 phase=$2 dir=$WORK/$1-$2 deadline=$((EPOCHSECONDS + 120))
  mkdir -p "$dir"
  if [[ $side == redis && -z $REFERENCE ]]; then
    local aof=yes fsync=$phase notify=()
    [[ $phase == off || $phase == notify || $phase == scripts ]] && aof=no fsync=everysec
    [[ $phase == streams || $phase == bullmq || $phase == datatypes ]] && fsync=everysec
    [[ $phase == notify ]] && notify=(--notify-keyspace-events KEA)
    (cd "$dir" && exec redis-server --port "${PORT[redis]}" --bind 127.0.0.1 --dir "$dir" \
       --save '' --appendonly "$aof" --appendfsync "$fsync" "${notify[@]}") >>"$WORK/redis.log" 2>&1 &
  else
    local persistence=(--appendfsync "$phase") binary=$SERVER
    [[ $phase == off || $phase == scripts ]] && persistence=(--appendonly no --save '')
    [[ $phase == streams || $phase == bullmq || $phase == datatypes ]] && persistence=(--appendfsync everysec)
    [[ $phase == notify ]] && persistence=(--appendonly no --save '' --notify-keyspace-events KEA)
    [[ $side == redis ]] && binary=$REFERENCE
    # shellcheck disable=SC2086
    (cd "$dir" && exec "$binary" --port "${PORT[$side]}" --bind 127.0.0.1 --dir "$dir" \
       "${persistence[@]}" $EXTRA) >>"$WORK/$side.log" 2>&1 &
  fi
  PID[$side]=$!
  until [[ $(cli "$side" PING) == PONG ]]; do
    kill -0 "${PID[$side]}" 2>/dev/null || { tail -5 "$WORK/$side.log" >&2; say "$side exited"; exit 1; }
    ((EPOCHSECONDS < deadline)) || { say "$side did not start"; exit 1; }
    sleep 0.01
  done
}
stop() {  # SIDE [TERM|KILL]
  kill -"${2:-TERM}" "${PID[$1]}" 2>/dev/null
  wait "${PID[$1]}" 2>/dev/null
  PID[$1]=""
}

preload() {  # SIDE
  local out
  out=$(timeout 600 redis-cli -h 127.0.0.1 -p "${PORT[$1]}" --pipe <"$WORK/load.resp" 2>&1)
  [[ $out == *"errors: 0, replies: $KEYS"* ]] || { say "$1 preload failed: $out"; exit 1; }
}

# bench NAME_SUFFIX SIDE ROUND redis-benchmark-args...: one line per test of the run.
bench() {
  local suffix=$1 side=$2 round=$3 c0 c1 t0 secs
  shift 3
  c0=$(cpu_ticks "${PID[$side]}"); t0=$(now)
  timeout 600 redis-benchmark -h 127.0.0.1 -p "${PORT[$side]}" -c 50 -r "$KEYS" -d 32 --csv "$@" \
    >"$WORK/bench.csv" 2>&1
  c1=$(cpu_ticks "${PID[$side]}")
  secs=$(awk -v t="$((c1 - c0))" -v hz="$TICKS" 'BEGIN {print t / hz}')
  # "SET","120481.93","0.265","0.024","0.239","0.471","0.759","2.975": test, rps, avg, min, p50,
  # p95, p99, max. The server's CPU is shared among the tests of one run by their time.
  # A custom command's test is named by its whole line: BENCH_NAME names it instead.
  awk -F'"' -v sfx="$suffix" -v side="$side" -v r="$round" -v cpu="$secs" -v nm="${BENCH_NAME:-}" '
    ($2 ~ /^[A-Z_0-9]+$/ || nm != "") && $4 ~ /^[0-9.]+$/ { n++; name[n] = (nm != "" ? nm : tolower($2)) sfx; rps[n] = $4; p50[n] = $10; p99[n] = $14
                          t[n] = 1 / $4; total += 1 / $4 }
    END { for (i = 1; i <= n; i++)
            print "tput", name[i], side, r, rps[i], p50[i], p99[i], cpu * t[i] / total }' \
    "$WORK/bench.csv" >>"$RESULTS"
  grep -q '^"[A-Z]' "$WORK/bench.csv" || say "warning, $side: $(head -c 300 "$WORK/bench.csv")"
  grep -q '^"ERR\|^"NOSCRIPT\|(error)' "$WORK/bench.csv" && say "warning, $side: $(grep -m1 'ERR\|error' "$WORK/bench.csv")"
}

# bullmq_run SIDE ROUND: BullMQ jobs completed per second, and the server's CPU over the run.
bullmq_run() {
  local side=$1 round=$2 c0 c1 jobs secs
  c0=$(cpu_ticks "${PID[$side]}")
  jobs=$(timeout 600 node "$REPO/tests/clients/node/bullmq_throughput.mjs" "${PORT[$side]}" "$N_P1" 2>&1 | tail -1)
  c1=$(cpu_ticks "${PID[$side]}")
  [[ $jobs =~ ^[0-9]+$ ]] || { say "warning, $side: bullmq: $jobs"; return; }
  secs=$(awk -v t="$((c1 - c0))" -v hz="$TICKS" 'BEGIN {print t / hz}')
  echo "tput bullmq_jobs $side $round $jobs - - $secs" >>"$RESULTS"
}

# restart NAME SIDE ROUND SIGNAL PHASE: keys per second from the signal to DBSIZE == KEYS.
restart() {
  local name=$1 side=$2 round=$3 t0 ms
  stop "$side" "$4"
  t0=$(now)
  start "$side" "$5"
  until [[ $(cli "$side" DBSIZE) == "$KEYS" ]]; do
    ((EPOCHSECONDS - ${t0%.*} < 300)) || { say "$side $name: DBSIZE $(cli "$side" DBSIZE)"; break; }
    sleep 0.002
  done
  ms=$(elapsed_ms "$t0")
  echo "restart $name $side $round $(awk -v n="$KEYS" -v ms="$ms" 'BEGIN {printf "%.0f", n / ms * 1000}') - - -" >>"$RESULTS"
}

# Redis goes first in odd rounds, Strata in even ones.
order() { (($1 % 2)) && echo "redis strata" || echo "strata redis"; }

phase() {
  local p=$1 s r sfx
  for s in redis strata; do start "$s" "$p"; done
  local before_redis before_strata
  before_redis=$(rss_kb "${PID[redis]}"); before_strata=$(rss_kb "${PID[strata]}")
  for s in redis strata; do preload "$s"; done
  local subscribers=()
  if [[ $p == notify ]]; then
    for s in redis strata; do
      redis-cli -h 127.0.0.1 -p "${PORT[$s]}" psubscribe '*' >/dev/null 2>&1 &
      subscribers+=($!)
    done
  fi
  local sha=""
  if [[ $p == scripts ]]; then
    local lua="redis.call('INCR', KEYS[1]) redis.call('EXPIRE', KEYS[1], ARGV[1]) return redis.call('GET', KEYS[1])"
    for s in redis strata; do
      sha=$(cli "$s" SCRIPT LOAD "$lua")
      cli "$s" FUNCTION LOAD REPLACE "#!lua name=bench
redis.register_function('incr_expire_get', function(keys, args) $(sed 's/KEYS/keys/g; s/ARGV/args/g' <<<"$lua") end)" >/dev/null
    done
  fi
  if [[ $p == datatypes ]]; then
    for s in redis strata; do
      timeout 600 redis-cli -h 127.0.0.1 -p "${PORT[$s]}" --pipe <"$WORK/geo.resp" >/dev/null 2>&1
    done
  fi
  if [[ $p == off ]]; then
    sleep 1
    echo "mem bytes_per_key redis 1 $((($(rss_kb "${PID[redis]}") - before_redis) * 1024 / KEYS)) - - -" >>"$RESULTS"
    echo "mem bytes_per_key strata 1 $((($(rss_kb "${PID[strata]}") - before_strata) * 1024 / KEYS)) - - -" >>"$RESULTS"
  fi
  for ((r = 1; r <= ROUNDS; r++)); do
    say "phase $p: round $r of $ROUNDS"
    case $p in
      off)
        for s in $(order "$r"); do bench _p1 "$s" "$r" -P 1 -t set,get -n "$N_P1"; done
        for s in $(order "$r"); do bench _p16 "$s" "$r" -P 16 -t set,get -n "$N_P16"; done
        for s in $(order "$r"); do bench _p1 "$s" "$r" -P 1 -t lpush,lpop,hset,sadd,zadd -n "$N_TYPES"; done ;;
      everysec)
        for s in $(order "$r"); do bench _everysec "$s" "$r" -P 1 -t set,get -n "$N_P1"; done
        for s in $(order "$r"); do bench _everysec_p16 "$s" "$r" -P 16 -t set,get -n "$N_P16"; done
        ((RESTARTS)) || continue
        for s in $(order "$r"); do restart restart_shutdown "$s" "$r" TERM "$p"; done
        for s in $(order "$r"); do restart restart_kill9 "$s" "$r" KILL "$p"; done ;;
      always)
        for s in $(order "$r"); do bench _always "$s" "$r" -P 1 -t set,get -n "$N_ALWAYS"; done ;;
      scripts)
        for P in 1 16; do
          for s in $(order "$r"); do
            BENCH_NAME=evalsha bench "_p$P" "$s" "$r" -P "$P" -n "$N_P1" EVALSHA "$sha" 1 'counter:__rand_int__' 60
          done
          for s in $(order "$r"); do
            BENCH_NAME=fcall bench "_p$P" "$s" "$r" -P "$P" -n "$N_P1" FCALL incr_expire_get 1 'counter:__rand_int__' 60
          done
        done ;;
      streams)
        for P in 1 16; do
          for s in $(order "$r"); do BENCH_NAME=xadd bench "_p$P" "$s" "$r" -P "$P" -n "$N_P1" XADD bench:x '*' f v; done
        done
        for s in redis strata; do
          cli "$s" DEL bench:s >/dev/null
          timeout 600 redis-cli -h 127.0.0.1 -p "${PORT[$s]}" --pipe <"$WORK/stream.resp" >/dev/null 2>&1
          cli "$s" XGROUP CREATE bench:s g 0 >/dev/null
        done
        for s in $(order "$r"); do
          BENCH_NAME=xreadgroup bench _p1 "$s" "$r" -P 1 -n "$N_P1" XREADGROUP GROUP g c COUNT 1 STREAMS bench:s '>'
        done
        for s in $(order "$r"); do
          BENCH_NAME=xack bench _p1 "$s" "$r" -P 1 -n "$N_P1" -r "$N_P1" XACK bench:s g '__rand_int__-0'
        done ;;
      bullmq)
        for s in $(order "$r"); do bullmq_run "$s" "$r"; done ;;
      datatypes)
        local -a cmds=(
          "setbit SETBIT bench:b:__rand_int__ 7 1"
          "getbit GETBIT bench:b:__rand_int__ 7"
          "bitcount BITCOUNT bench:b:__rand_int__"
          "pfadd PFADD bench:h __rand_int__"
          "pfcount PFCOUNT bench:h"
          "geosearch GEOSEARCH bench:g FROMLONLAT 13.4 52.5 BYRADIUS 50 km ASC COUNT 10")
        local line
        for line in "${cmds[@]}"; do
          read -r -a words <<<"$line"
          for s in $(order "$r"); do
            BENCH_NAME=${words[0]} bench _p1 "$s" "$r" -P 1 -n "$N_P1" -r 1000000 "${words[@]:1}"
          done
        done ;;
      notify)
        for s in $(order "$r"); do bench _notify "$s" "$r" -P 1 -t set,get -n "$N_P1"; done
        for s in $(order "$r"); do bench _notify_p16 "$s" "$r" -P 16 -t set -n "$N_P16"; done
        for s in $(order "$r"); do bench _notify "$s" "$r" -P 1 -t lpush,hset,sadd,zadd -n "$N_TYPES"; done ;;
    esac
  done
  ((${#subscribers[@]})) && kill "${subscribers[@]}" 2>/dev/null && wait "${subscribers[@]}" 2>/dev/null
  for s in redis strata; do stop "$s"; done
}

awk -v n="$KEYS" 'BEGIN { ORS = ""; for (i = 0; i < n; i++) { k = sprintf("key:%012d", i)
  printf "*3\r\n$3\r\nSET\r\n$16\r\n%s\r\n$32\r\n%s0123456789abcdef\r\n", k, k } }' >"$WORK/load.resp"
# 100k points over central Europe for GEOSEARCH (phase datatypes).
awk 'BEGIN { ORS = ""; srand(1); for (i = 0; i < 100000; i++) {
  lon = sprintf("%.6f", 5 + rand() * 20); lat = sprintf("%.6f", 45 + rand() * 10); m = "p" i
  printf "*5\r\n$6\r\nGEOADD\r\n$7\r\nbench:g\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", length(lon), lon, length(lat), lat, length(m), m } }' >"$WORK/geo.resp"
awk -v n="$N_P1" 'BEGIN { ORS = ""; for (i = 1; i <= n; i++) {
  id = sprintf("%d-0", i); printf "*5\r\n$4\r\nXADD\r\n$7\r\nbench:s\r\n$%d\r\n%s\r\n$1\r\nf\r\n$1\r\nv\r\n", length(id), id } }' \
  >"$WORK/stream.resp"
: >"$RESULTS"
say "strata: $SERVER $EXTRA; redis: ${REFERENCE:-redis-server $(redis-server --version | grep -o 'v=[0-9.]*')}; keys=$KEYS rounds=$ROUNDS"
machine_busy() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }
own_ticks() { local f; f=$(cat /proc/$$/stat); f=${f##*) }; local a=($f); echo $((a[11] + a[12] + a[13] + a[14])); }
T0=$EPOCHSECONDS B0=$(machine_busy) O0=$(own_ticks)
for p in $PHASES; do phase "$p"; done
wait 2>/dev/null
SECONDS_RUN=$((EPOCHSECONDS - T0))
OTHER=$(( $(machine_busy) - B0 - ($(own_ticks) - O0) ))
OTHER_PCT=$(awk -v t="$OTHER" -v hz="$TICKS" -v s="$SECONDS_RUN" -v n="$(nproc)" \
  'BEGIN {printf "%.1f", (s > 0 ? t / hz / (s * n) * 100 : 0)}')

python3 - "$RESULTS" "$OTHER_PCT" "$SECONDS_RUN" "$KEYS" "$ROUNDS" <<'EOF'
import statistics, sys
path, other, seconds, keys, rounds = sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
rows = {}  # (kind, name) -> side -> round -> (value, p50, p99, cpu)
order = []
for line in open(path):
    kind, name, side, rnd, value, p50, p99, cpu = line.split()
    if (kind, name) not in rows:
        rows[(kind, name)] = {"redis": {}, "strata": {}}
        order.append((kind, name))
    num = lambda x: None if x == "-" else float(x)
    rows[(kind, name)][side][int(rnd)] = (num(value), num(p50), num(p99), num(cpu))
def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None
def col(side, i):
    return [v[i] for v in side.values()]
def fmt(x, digits=0):
    return "-" if x is None else f"{x:,.{digits}f}"
summary = []
print(f"\n{'workload':<20} {'redis':>11} {'strata':>11} {'ratio':>6} {'range':<12} {'eff':>6}"
      f" {'redis p50/p99':>14} {'strata p50/p99':>15}")
for kind, name in order:
    if kind == "mem":
        continue
    r, s = rows[(kind, name)]["redis"], rows[(kind, name)]["strata"]
    a, b = median(col(r, 0)), median(col(s, 0))
    ratio = b / a if a and b else None
    per_round = [s[k][0] / r[k][0] for k in r if k in s and r[k][0] and s[k][0]]
    spread = f"{min(per_round):.2f}..{max(per_round):.2f}" if per_round else "-"
    eff = None
    if kind == "tput":
        ra, sa = median(col(r, 3)), median(col(s, 3))
        if ra and sa:  # ops per CPU-second: ops/s over CPU-seconds per second of run
            n_r = [r[k][0] / r[k][3] for k in r if r[k][3]]
            n_s = [s[k][0] / s[k][3] for k in s if s[k][3]]
            eff = median(n_s) / median(n_r) if n_r and n_s else None
    lat = lambda side: f"{fmt(median(col(side, 1)), 3)}/{fmt(median(col(side, 2)), 3)}" if kind == "tput" else ""
    print(f"{name:<20} {fmt(a):>11} {fmt(b):>11} {fmt(ratio, 2):>6} {spread:<12} {fmt(eff, 2):>6}"
          f" {lat(r):>14} {lat(s):>15}")
    summary.append(f"{name}={fmt(ratio, 2)}")
print("ops/s for workloads, keys/s for restarts; eff = strata's ops per server CPU-second / redis's")
if ("mem", "bytes_per_key") in rows:
    m = rows[("mem", "bytes_per_key")]
    a, b = m["redis"][1][0], m["strata"][1][0]
    print(f"\nmemory, {keys} keys (RSS growth / keys): redis {a:.0f} B/key, strata {b:.0f} B/key,"
          f" ratio {b / a:.2f}")
    summary.append(f"mem_ratio={b / a:.2f}")
verdict = "quiet enough" if other <= 10 else "TOO BUSY: not evidence, run again"
print(f"\nrun: {seconds} s, {rounds} rounds; other processes took {other:.1f}% of the machine's"
      f" CPU ({verdict})")
print("side_by_side: " + " ".join(summary) + f" other_cpu={other:.1f}%")
EOF
