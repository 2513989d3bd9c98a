#include "server/metrics_http.h"

#include <netdb.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>
#include <utility>

#include "base/clock.h"
#include "base/logging.h"

namespace strata::server {
namespace {

constexpr size_t kMaxHead = 8192;
constexpr int kHeadTimeoutMs = 5000;

std::string Response(std::string_view status, std::string_view type, std::string_view body) {
  std::string out = "HTTP/1.1 ";
  out += status;
  out += "\r\nContent-Type: ";
  out += type;
  out += "\r\nContent-Length: " + std::to_string(body.size());
  out += "\r\nConnection: close\r\n\r\n";
  out += body;
  return out;
}

void SendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    data.remove_prefix(static_cast<size_t>(n));
  }
}

}  // namespace

Result<std::unique_ptr<MetricsHttpServer>> MetricsHttpServer::Start(const std::string& bind,
                                                                    int port, Render render) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* res = nullptr;
  const std::string service = std::to_string(port);
  const int rc = getaddrinfo(bind.empty() ? nullptr : bind.c_str(), service.c_str(), &hints, &res);
  if (rc != 0) {
    return Status::InvalidArgument("metrics-bind " + bind + ": " + gai_strerror(rc));
  }
  Status last = Status::IOError("metrics-bind " + bind + ": no address");
  Fd listener;
  for (addrinfo* a = res; a != nullptr && !listener.valid(); a = a->ai_next) {
    Fd fd(socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol));
    if (!fd.valid()) {
      last = ErrnoStatus("socket for", "metrics-port " + service, errno);
      continue;
    }
    const int one = 1;
    setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (::bind(fd.get(), a->ai_addr, a->ai_addrlen) != 0 || listen(fd.get(), 16) != 0) {
      last = ErrnoStatus("listen on", bind + ":" + service + " (metrics-port)", errno);
      continue;
    }
    listener = std::move(fd);
  }
  freeaddrinfo(res);
  if (!listener.valid()) return last;
  Fd wake(eventfd(0, EFD_CLOEXEC));
  if (!wake.valid()) return ErrnoStatus("eventfd for", "metrics-port", errno);
  return std::unique_ptr<MetricsHttpServer>(
      new MetricsHttpServer(std::move(listener), std::move(wake), std::move(render)));
}

MetricsHttpServer::MetricsHttpServer(Fd listener, Fd wake, Render render)
    : listener_(std::move(listener)), wake_(std::move(wake)), render_(std::move(render)) {
  thread_ = std::thread([this] { Loop(); });
}

MetricsHttpServer::~MetricsHttpServer() {
  stop_.store(true);
  const uint64_t one = 1;
  if (write(wake_.get(), &one, sizeof(one)) < 0) {
    // The eventfd cannot fail to take one increment; the loop also polls stop_ each second.
  }
  thread_.join();
}

void MetricsHttpServer::Loop() {
  while (!stop_.load()) {
    pollfd fds[2] = {{listener_.get(), POLLIN, 0}, {wake_.get(), POLLIN, 0}};
    if (poll(fds, 2, 1000) <= 0 || !(fds[0].revents & POLLIN)) continue;
    Fd conn(accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (conn.valid()) Serve(conn.get());
  }
}

void MetricsHttpServer::Serve(int fd) {
  std::string head;
  const int64_t deadline = MonotonicUs() / 1000 + kHeadTimeoutMs;
  while (head.find("\r\n\r\n") == std::string::npos && head.find("\n\n") == std::string::npos) {
    const int64_t left = deadline - MonotonicUs() / 1000;
    pollfd p{fd, POLLIN, 0};
    if (left <= 0 || head.size() > kMaxHead || poll(&p, 1, static_cast<int>(left)) <= 0) return;
    char buf[2048];
    const ssize_t n = recv(fd, buf, sizeof(buf), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    head.append(buf, static_cast<size_t>(n));
  }
  SendAll(fd, Respond(head, render_));
  shutdown(fd, SHUT_WR);
}

std::string MetricsHttpServer::Respond(std::string_view head, const Render& render) {
  std::string_view line = head.substr(0, head.find_first_of("\r\n"));
  const std::string_view method = line.substr(0, line.find(' '));
  line.remove_prefix(std::min(line.size(), method.size() + 1));
  std::string_view path = line.substr(0, line.find(' '));
  path = path.substr(0, path.find('?'));
  if (path != "/metrics") return Response("404 Not Found", "text/plain", "Not Found\n");
  if (method != "GET") return Response("405 Method Not Allowed", "text/plain", "GET only\n");
  return Response("200 OK", "text/plain; version=0.0.4; charset=utf-8", render());
}

}  // namespace strata::server
