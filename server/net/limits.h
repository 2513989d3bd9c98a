// The limits the network layer enforces on a connection, as the configuration sets them.
#pragma once

#include <cstdint>

namespace strata::server {

// The settings the event loop enforces, as the configuration holds them now (CONFIG SET applies
// from the next batch of input). Redis's meanings: output_backpressure and idle_timeout_s 0 = off.
struct ConnectionLimits {
  int64_t max_bulk_len = 0;         // proto-max-bulk-len, for new connections
  int64_t query_buffer_limit = 0;   // client-query-buffer-limit
  int64_t output_backpressure = 0;  // client-output-backpressure (Strata's own)
  int64_t idle_timeout_s = 0;       // timeout
  int64_t tcp_keepalive_s = 0;      // tcp-keepalive, for new TCP connections
};

// One class's client-output-buffer-limit: a client whose unsent replies reach `hard` bytes, or
// stay above `soft` bytes for `soft_seconds`, is disconnected. 0 = no limit.
struct OutputBufferLimit {
  int64_t hard = 0;
  int64_t soft = 0;
  int64_t soft_seconds = 0;
};

}  // namespace strata::server
