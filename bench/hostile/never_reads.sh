#!/usr/bin/env bash
# A client that pipelines GETs of a large value and never reads the replies, against
# redis-server 7.0 (Debian's, its defaults) and strata-server (its defaults), one after the other.
# Prints each server's resident memory before and at the end, and whether another client was
# still answered. Usage: bench/hostile/never_reads.sh [--seconds N] [--value-bytes N]
#
# redis-server buffers every reply for such a client (client-output-buffer-limit normal 0 0 0);
# strata-server stops reading it once client-output-backpressure (1mb) of replies wait.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=10
value_bytes=1000000
while (($#)); do
  case $1 in
    --seconds) seconds=$2; shift 2 ;;
    --value-bytes) value_bytes=$2; shift 2 ;;
    *) echo "usage: $0 [--seconds N] [--value-bytes N]" >&2; exit 2 ;;
  esac
done
[[ -x build/server/strata-server ]] || scripts/build.sh release >/dev/null
tmp=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$tmp"' EXIT
port=7613
pid=
printf '%-14s %12s %12s %14s %s\n' server rss_before rss_after gets_sent other_client
for server in redis strata; do
  mkdir -p "$tmp/$server"
  if [[ $server == redis ]]; then
    redis-server --port $port --bind 127.0.0.1 --save '' --appendonly no --dir "$tmp/$server" \
      >"$tmp/$server.log" 2>&1 &
  else
    build/server/strata-server --port $port --bind 127.0.0.1 --appendonly no --save '' \
      --dir "$tmp/$server" >"$tmp/$server.log" 2>&1 &
  fi
  pid=$!
  for _ in $(seq 100); do redis-cli -p $port ping >/dev/null 2>&1 && break; sleep 0.05; done
  python3 - "$port" "$pid" "$seconds" "$value_bytes" "$server" <<'PY'
import socket, sys, time
port, pid, seconds, size, name = int(sys.argv[1]), sys.argv[2], float(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
def rss():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
def cmd(*args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out
good = socket.create_connection(("127.0.0.1", port))
good.sendall(cmd(b"SET", b"big", b"v" * size))
good.recv(16)
before = rss()
bad = socket.create_connection(("127.0.0.1", port))
bad.setblocking(False)
batch = cmd(b"GET", b"big") * 1000
sent = 0
end = time.time() + seconds
while time.time() < end:
    try:
        sent += bad.send(batch)
    except BlockingIOError:
        time.sleep(0.01)
after = rss()
good.settimeout(5)
good.sendall(b"PING\r\n")
try:
    answered = good.recv(16) == b"+PONG\r\n"
except OSError:
    answered = False
mb = lambda b: "%.0f MB" % (b / 1e6)
print("%-14s %12s %12s %14d %s" % (name, mb(before), mb(after), sent // len(cmd(b"GET", b"big")),
                                   "answered" if answered else "NOT answered"))
PY
  kill $pid; wait $pid 2>/dev/null || true
done
