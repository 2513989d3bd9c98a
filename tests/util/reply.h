// Replies as values: a hiredis reply copied into a value type that compares and prints
// (Render: "+OK", "(integer) 3", "\"text\"", "(nil)", "[...]", "(error) ERR ..."), and a RESP2
// byte string parsed into one. Shared by the differential test, which compares Strata with
// redis-server over TCP, and the in-process command harness (command_harness.h).
#pragma once

#include <hiredis/hiredis.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strata::testing {

// A hiredis reply copied into a value type, so it can be compared and printed after the
// redisReply is freed.
struct Reply {
  enum class Kind { kNil, kStatus, kError, kInteger, kString, kArray, kOther };
  Kind kind = Kind::kNil;
  int64_t integer = 0;
  std::string text;
  std::vector<Reply> elements;

  bool operator==(const Reply&) const = default;
};

inline Reply ToReply(const redisReply* r) {
  Reply out;
  switch (r->type) {
    case REDIS_REPLY_NIL:
      out.kind = Reply::Kind::kNil;
      break;
    case REDIS_REPLY_STATUS:
      out.kind = Reply::Kind::kStatus;
      out.text.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ERROR:
      out.kind = Reply::Kind::kError;
      out.text.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      out.kind = Reply::Kind::kInteger;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_STRING:
      out.kind = Reply::Kind::kString;
      out.text.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ARRAY:
      out.kind = Reply::Kind::kArray;
      for (size_t i = 0; i < r->elements; ++i) out.elements.push_back(ToReply(r->element[i]));
      break;
    default:
      out.kind = Reply::Kind::kOther;
      out.integer = r->type;
      break;
  }
  return out;
}

// Printable, unambiguous form of a byte string.
inline std::string Quote(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  out += '"';
  return out;
}

inline std::string Render(const Reply& r) {
  switch (r.kind) {
    case Reply::Kind::kNil:
      return "(nil)";
    case Reply::Kind::kStatus:
      return "+" + r.text;
    case Reply::Kind::kError:
      return "(error) " + r.text;
    case Reply::Kind::kInteger:
      return "(integer) " + std::to_string(r.integer);
    case Reply::Kind::kString:
      return Quote(r.text);
    case Reply::Kind::kArray: {
      std::string out = "[";
      for (size_t i = 0; i < r.elements.size(); ++i) {
        if (i > 0) out += ", ";
        out += Render(r.elements[i]);
      }
      return out + "]";
    }
    case Reply::Kind::kOther:
      return "(unexpected hiredis type " + std::to_string(r.integer) + ")";
  }
  return "?";
}

inline std::string RenderCommand(const std::vector<std::string>& argv) {
  std::string out;
  for (const std::string& a : argv) {
    if (!out.empty()) out += ' ';
    const bool plain = !a.empty() && std::all_of(a.begin(), a.end(), [](char c) {
      return c > 0x20 && c < 0x7f && c != '"' && c != '\\';
    });
    out += plain ? a : Quote(a);
  }
  return out;
}

// Parses the RESP2 replies in `bytes`, in order; nullopt if they are not well-formed RESP2 or a
// reply is incomplete.
std::optional<std::vector<Reply>> ParseReplies(std::string_view bytes);

}  // namespace strata::testing
