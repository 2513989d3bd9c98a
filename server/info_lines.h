// InfoLines: builds "name:value\r\n" lines, the body of an INFO section, for the parts of the
// server that report their own fields (persistence, snapshots).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

namespace strata::server {

class InfoLines {
 public:
  void Field(std::string_view name, std::string_view value) {
    out_.append(name);
    out_.push_back(':');
    out_.append(value);
    out_.append("\r\n");
  }
  template <typename Int, typename = std::enable_if_t<std::is_integral_v<Int>>>
  void Field(std::string_view name, Int value) {
    Field(name, std::string_view(std::to_string(value)));
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

}  // namespace strata::server
