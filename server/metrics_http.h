// MetricsHttpServer: a minimal HTTP/1.1 server for Prometheus's scrapes, on a thread of its own
// (never a worker's): GET /metrics (a query string is ignored) answers 200 with what `render`
// returns, in Prometheus's text format 0.0.4; any other path 404 and any other method 405. One
// request per connection (Connection: close), one connection at a time; a client that sends no
// complete request head within 5 s, or one over 8 KB, is dropped.
//
// Lifetime: Start() binds and starts the thread; the destructor stops it and closes the socket.
// `render` is called on that thread and must be safe to call from it while the server runs.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "base/fd.h"
#include "base/status.h"

namespace strata::server {

class MetricsHttpServer {
 public:
  using Render = std::function<std::string()>;

  // Listens on bind:port (a numeric IPv4 or IPv6 address, or a host name).
  static Result<std::unique_ptr<MetricsHttpServer>> Start(const std::string& bind, int port,
                                                          Render render);
  ~MetricsHttpServer();
  MetricsHttpServer(const MetricsHttpServer&) = delete;
  MetricsHttpServer& operator=(const MetricsHttpServer&) = delete;

  // The response to one request head (exposed for tests): status line, headers and body.
  static std::string Respond(std::string_view head, const Render& render);

 private:
  MetricsHttpServer(Fd listener, Fd wake, Render render);
  void Loop();
  void Serve(int fd);

  Fd listener_;
  Fd wake_;  // an eventfd the destructor writes to end Loop()
  Render render_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace strata::server
