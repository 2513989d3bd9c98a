// The listening sockets of `bind` and `port`, as redis-server opens them.
#pragma once

#include <string_view>
#include <vector>

#include "base/status.h"

namespace strata::server {

// Opens a non-blocking listening TCP socket for each address of `bind` (space-separated; "*" is
// 0.0.0.0, "::*" is ::, a leading '-' marks an address that may fail quietly) on `port` (0: an
// ephemeral port) and appends them to *fds. *bound_port is the port they listen on. Fails when
// a required address cannot be bound or none could.
Status OpenListeners(std::string_view bind, int port, std::vector<int>* fds, int* bound_port);

}  // namespace strata::server
