#include "server/net/listeners.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <sstream>
#include <string>
#include <thread>

namespace strata::server {

Status OpenListeners(std::string_view bind, int port, int backlog, std::vector<int>* fds) {
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
    if (rc < 0 || ::listen(fd, backlog) < 0) {
      int err = errno;
      ::close(fd);
      if (optional) continue;
      return Status::IOError("Could not create server TCP listening socket " + addr + ":" +
                             std::to_string(port) + ": " + strerror(err));
    }
    fds->push_back(fd);
  }
  if (fds->empty()) return Status::InvalidArgument("Failed listening on any bind address");
  return Status::Ok();
}

Result<int> OpenUnixListener(const std::string& path, unsigned perm, int backlog) {
  sockaddr_un sa{};
  if (path.size() > sizeof(sa.sun_path) - 1) {
    return Status::InvalidArgument("Failed opening Unix socket: unix socket path too long (" +
                                   std::to_string(path.size()) + "), must be under " +
                                   std::to_string(sizeof(sa.sun_path)));
  }
  sa.sun_family = AF_UNIX;
  std::memcpy(sa.sun_path, path.data(), path.size());
  ::unlink(path.c_str());  // a socket file left by an earlier run; as Redis, failure is fine
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return Status::IOError(std::string("Failed opening Unix socket: ") + strerror(errno));
  if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) < 0 || ::listen(fd, backlog) < 0) {
    int err = errno;
    ::close(fd);
    return Status::IOError("Failed opening Unix socket: " + path + ": " + strerror(err));
  }
  if (perm != 0 && ::chmod(path.c_str(), perm) != 0) {
    int err = errno;
    ::close(fd);
    ::unlink(path.c_str());
    return Status::IOError("Failed opening Unix socket: chmod " + path + ": " + strerror(err));
  }
  return fd;
}

}  // namespace strata::server
