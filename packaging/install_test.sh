#!/usr/bin/env bash
# packaging_install (CTest): `cmake --install` into a temporary prefix puts strata-server,
# strata-inspect, the systemd unit and the sample config where they belong, and the installed
# server starts with the installed config (port and dir overridden on the command line) and
# shuts down cleanly. Usage: install_test.sh BUILD_DIR CONFIGURED_BINDIR
set -euo pipefail
build=$1
bindir=$2
prefix=$(mktemp -d "${TMPDIR:-/tmp}/strata-install.XXXXXX")
pid=
cleanup() {
  [[ -n $pid ]] && kill -9 "$pid" 2>/dev/null || true
  rm -rf "$prefix"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$prefix" >/dev/null

for f in bin/strata-server bin/strata-inspect; do
  [[ -x $prefix/$f ]] || fail "$f not installed (or not executable)"
done
unit=$prefix/lib/systemd/system/strata-server.service
conf=$prefix/etc/strata/strata.conf
[[ -f $unit ]] || fail "the unit is not in lib/systemd/system"
[[ -f $conf ]] || fail "the sample config is not in etc/strata"
grep -qx 'Type=notify' "$unit" || fail "the unit is not Type=notify"
grep -q "^ExecStart=$bindir/strata-server .*strata/strata.conf --supervised systemd" "$unit" ||
  fail "the unit's ExecStart does not name $bindir/strata-server: $(grep ExecStart "$unit")"
"$prefix/bin/strata-inspect" --help >/dev/null || fail "strata-inspect --help"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$prefix/bin/strata-server" "$conf" --port "$port" --dir "$prefix/data" >"$prefix/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
  [[ $(redis-cli -p "$port" PING 2>/dev/null) == PONG ]] && break
  kill -0 "$pid" 2>/dev/null || { cat "$prefix/server.log" >&2; fail "the server exited at start"; }
  sleep 0.1
done
[[ $(redis-cli -p "$port" SET installed yes) == OK ]] || { cat "$prefix/server.log" >&2; fail "SET"; }
[[ $(redis-cli -p "$port" CONFIG GET appendfsync | tail -1) == everysec ]] || fail "config not read"
redis-cli -p "$port" SHUTDOWN >/dev/null 2>&1 || true
rc=0
wait "$pid" || rc=$?
pid=
[[ $rc -eq 0 ]] || { cat "$prefix/server.log" >&2; fail "exit status $rc"; }
echo "packaging_install: ok ($prefix)"
