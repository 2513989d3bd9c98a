#include "server/net/listeners.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <sstream>
#include <string>
#include <thread>

namespace strata::server {

Status OpenListeners(std::string_view bind, int port, std::vector<int>* fds, int* bound_port) {
  std::istringstream words{std::string(bind)};
  std::string addr;
  while (words >> addr) {
    bool optional = !addr.empty() && addr[0] == '-';  // Redis: "-::1" may fail quietly
    if (optional) addr.erase(0, 1);
    if (addr == "*") addr = "0.0.0.0";
    if (addr == "::*") addr = "::";
    sockaddr_storage ss{};
    socklen_t len;
    int family;
    if (inet_pton(AF_INET, addr.c_str(), &reinterpret_cast<sockaddr_in*>(&ss)->sin_addr) == 1) {
      family = AF_INET;
      auto* a = reinterpret_cast<sockaddr_in*>(&ss);
      a->sin_family = AF_INET;
      a->sin_port = htons(port);
      len = sizeof(sockaddr_in);
    } else if (inet_pton(AF_INET6, addr.c_str(),
                         &reinterpret_cast<sockaddr_in6*>(&ss)->sin6_addr) == 1) {
      family = AF_INET6;
      auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
      a->sin6_family = AF_INET6;
      a->sin6_port = htons(port);
      len = sizeof(sockaddr_in6);
    } else {
      return Status::InvalidArgument("Invalid bind address '" + addr + "'");
    }
    // Non-blocking: the epoll loop must never block in accept(2).
    int fd = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return Status::IOError(std::string("socket: ") + strerror(errno));
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (family == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
    // A server on io_uring killed a moment ago may still hold the port: the kernel tears its
    // ring down (and with it the accept that references the socket) asynchronously. Give that
    // a second before calling the port taken.
    int rc = ::bind(fd, reinterpret_cast<sockaddr*>(&ss), len);
    for (int attempt = 0; rc < 0 && errno == EADDRINUSE && attempt < 20; ++attempt) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      rc = ::bind(fd, reinterpret_cast<sockaddr*>(&ss), len);
    }
    if (rc < 0 || ::listen(fd, 511) < 0) {
      int err = errno;
      ::close(fd);
      if (optional) continue;
      return Status::IOError("Could not create server TCP listening socket " + addr + ":" +
                             std::to_string(port) + ": " + strerror(err));
    }
    if (port == 0) {  // an ephemeral port was asked for: learn which
      sockaddr_storage got{};
      socklen_t gl = sizeof(got);
      getsockname(fd, reinterpret_cast<sockaddr*>(&got), &gl);
      port = ntohs(got.ss_family == AF_INET ? reinterpret_cast<sockaddr_in*>(&got)->sin_port
                                            : reinterpret_cast<sockaddr_in6*>(&got)->sin6_port);
    }
    fds->push_back(fd);
  }
  if (fds->empty()) return Status::InvalidArgument("Failed listening on any bind address");
  *bound_port = port;
  return Status::Ok();
}

}  // namespace strata::server
