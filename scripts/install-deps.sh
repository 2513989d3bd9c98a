#!/usr/bin/env bash
# Installs every build, test and benchmark dependency of Strata from Debian packages.
# Idempotent and fast when everything is there: apt is only called for what is missing.
set -euo pipefail

PACKAGES=(
  cmake g++ make pkg-config git ccache mold
  liburing-dev librocksdb-dev libzstd-dev libxxhash-dev libisal-dev libcli11-dev libjemalloc-dev
  libgtest-dev libgmock-dev nlohmann-json3-dev libbenchmark-dev liblua5.1-0-dev lua-cjson-dev lua-bitop-dev liblzf-dev
  libhiredis-dev libssl-dev libsystemd-dev redis-tools redis-server iproute2 procps python3
  clang libclang-rt-14-dev
  prometheus-redis-exporter prometheus
)

# node and npm run the JavaScript clients of the tests (tests/clients/node): Debian's, unless
# the machine has its own.
command -v node >/dev/null && command -v npm >/dev/null || PACKAGES+=(nodejs npm)

# The JavaScript clients, from tests/clients/node/package-lock.json: `npm ci` only when what is
# installed is not what the lock file names.
install_node_clients() {
  local dir
  dir="$(cd "$(dirname "$0")/.." && pwd)/tests/clients/node"
  cmp -s "$dir/package-lock.json" "$dir/node_modules/.strata-installed-lock" && return 0
  echo "install-deps: npm ci in tests/clients/node" >&2
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  cp "$dir/package-lock.json" "$dir/node_modules/.strata-installed-lock"
}

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  install_node_clients
  exit 0
fi

SUDO=""
[[ $(id -u) -ne 0 ]] && SUDO="sudo"
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The redis-server package starts a system service on 6379; Strata's defaults use that port too.
# The metrics tests start their own prometheus-redis-exporter; promtool alone is wanted of
# prometheus, not its server.
for service in redis-server prometheus-redis-exporter prometheus; do
  if command -v systemctl >/dev/null 2>&1; then $SUDO systemctl disable --now "$service" >/dev/null 2>&1 || true; fi
  if command -v service >/dev/null 2>&1; then $SUDO service "$service" stop >/dev/null 2>&1 || true; fi
done
install_node_clients
