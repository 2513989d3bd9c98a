#!/usr/bin/env bash
# run_differential.sh STRATA_SERVER DIFFERENTIAL_TEST [gtest args...]
#
# Starts a fresh strata-server and a fresh redis-server (the reference) on free 127.0.0.1 ports,
# each with its own temporary data dir, exports STRATA_PORT and REDIS_PORT, runs the
# differential test binary, then stops both servers with SIGTERM (SIGKILL after 10 s).
# Exits with the test's exit code, or 2 if a server cannot be started.
set -uo pipefail

[[ $# -ge 2 ]] || { sed -n '2,7s/^# \{0,1\}//p' "$0" >&2; exit 2; }
STRATA_BIN=$1 TEST_BIN=$2
shift 2
for t in redis-server redis-cli ss; do
  command -v "$t" >/dev/null || { echo "run_differential: missing $t" >&2; exit 2; }
done

WORK=$(mktemp -d -t strata-differential.XXXXXX)
PIDS=()
USED_PORTS=" "

cleanup() {  # stop only the servers this script started
  local pid i
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for pid in "${PIDS[@]}"; do
    for ((i = 0; i < 200; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {  # below the ephemeral range, with no socket of any state on it
  local p
  while :; do
    p=$((20000 + RANDOM % 12000))
    [[ $USED_PORTS == *" $p "* ]] && continue
    if [[ -z $(ss -Htan "sport = :$p") ]]; then
      USED_PORTS+="$p "
      echo "$p"
      return
    fi
  done
}

# start NAME PORT CMD...: runs CMD in the background and waits (10 s at most) for PING.
start() {
  local name=$1 port=$2 pid i
  shift 2
  mkdir -p "$WORK/$name"
  (cd "$WORK/$name" && exec "$@") >"$WORK/$name.log" 2>&1 &
  pid=$!
  PIDS+=("$pid")
  for ((i = 0; i < 500; i++)); do
    [[ $(redis-cli -h 127.0.0.1 -p "$port" PING 2>/dev/null) == PONG ]] && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.02
  done
  echo "run_differential: $name did not start on port $port; its log:" >&2
  cat "$WORK/$name.log" >&2
  return 1
}

STRATA_PORT=$(free_port)
REDIS_PORT=$(free_port)
start strata "$STRATA_PORT" "$STRATA_BIN" --port "$STRATA_PORT" --bind 127.0.0.1 \
  --dir "$WORK/strata" --threads 2 || exit 2
start redis "$REDIS_PORT" redis-server --port "$REDIS_PORT" --bind 127.0.0.1 \
  --dir "$WORK/redis" --save '' --appendonly no || exit 2

export STRATA_PORT REDIS_PORT
"$TEST_BIN" "$@"
status=$?
if [[ $status -ne 0 ]]; then
  echo "run_differential: strata-server log (last 20 lines):" >&2
  tail -20 "$WORK/strata.log" >&2
fi
exit $status
