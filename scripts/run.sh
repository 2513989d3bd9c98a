#!/usr/bin/env bash
# Installs what is missing, builds the release server and starts it with its defaults
# (127.0.0.1:6379, data in ./data). Extra arguments go to strata-server, e.g. --port 7000.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh release
exec build/server/strata-server "$@"
