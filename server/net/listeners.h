// The listening sockets of `bind`, `port` and `unixsocket`, as redis-server opens them.
#pragma once

#include <string_view>
#include <vector>

#include "base/status.h"

namespace strata::server {

// Opens a non-blocking listening TCP socket for each address of `bind` (space-separated; "*" is
// 0.0.0.0, "::*" is ::, a leading '-' marks an address that may fail quietly) on `port` with a
// listen(2) backlog of `backlog` (tcp-backlog), and appends them to *fds. Fails when a required
// address cannot be bound or none could. Port 0 is not given here: it means no TCP listener.
Status OpenListeners(std::string_view bind, int port, int backlog, std::vector<int>* fds);

// Opens a non-blocking listening Unix stream socket at `path` (an existing socket file there is
// removed first, as Redis does) and sets its mode to `perm` when not 0 (unixsocketperm).
// Returns the descriptor; the caller unlinks `path` when it stops listening.
Result<int> OpenUnixListener(const std::string& path, unsigned perm, int backlog);

}  // namespace strata::server
