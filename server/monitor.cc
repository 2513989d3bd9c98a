#include "server/monitor.h"

#include <cctype>
#include <cstdio>

#include "base/clock.h"

namespace strata::server {

void Monitors::Add(ClientState* c) {
  std::lock_guard<std::mutex> l(mu_);
  if (clients_.insert(c).second) count_.fetch_add(1, std::memory_order_relaxed);
}

void Monitors::Remove(ClientState* c) {
  std::lock_guard<std::mutex> l(mu_);
  if (clients_.erase(c) > 0) count_.fetch_sub(1, std::memory_order_relaxed);
}

void AppendQuoted(std::string* out, std::string_view s) {
  out->push_back('"');
  for (unsigned char ch : s) {
    switch (ch) {
      case '\\': *out += "\\\\"; break;
      case '"': *out += "\\\""; break;
      case '\n': *out += "\\n"; break;
      case '\r': *out += "\\r"; break;
      case '\t': *out += "\\t"; break;
      case '\a': *out += "\\a"; break;
      case '\b': *out += "\\b"; break;
      default:
        if (std::isprint(ch)) {
          out->push_back(static_cast<char>(ch));
        } else {
          char hex[8];
          std::snprintf(hex, sizeof(hex), "\\x%02x", ch);
          *out += hex;
        }
    }
  }
  out->push_back('"');
}

void Monitors::Feed(const ClientState& client, int db, std::span<const std::string_view> args) {
  const int64_t now = NowUs();
  char head[64];
  std::snprintf(head, sizeof(head), "+%lld.%06lld [%d ", static_cast<long long>(now / 1'000'000),
                static_cast<long long>(now % 1'000'000), db);
  std::string line = head;
  if (client.in_script) {
    line += "lua";
  } else if (client.unix_socket) {
    line += "unix:";
    line += client.addr.substr(0, client.addr.rfind(':'));  // "path:0"
  } else {
    line += client.addr;
  }
  line += ']';
  for (std::string_view a : args) {
    line += ' ';
    AppendQuoted(&line, a);
  }
  line += "\r\n";
  std::lock_guard<std::mutex> l(mu_);
  for (ClientState* m : clients_) {
    if (m->worker != nullptr) m->worker->Deliver(m->id, line);
  }
}

}  // namespace strata::server
