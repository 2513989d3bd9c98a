#include "base/json.h"

#include <optional>

#include "base/string_util.h"

namespace strata {

const JsonValue* JsonValue::Find(std::string_view key) const {
  for (const auto& [k, v] : object) {
    if (k == key) return &v;
  }
  return nullptr;
}

namespace {

class JsonReader {
 public:
  explicit JsonReader(std::string_view text) : text_(text) {}

  Result<JsonValue> Document() {
    JsonValue v;
    RETURN_IF_ERROR(Value(&v, 0));
    SkipSpace();
    if (pos_ != text_.size()) return Error("trailing characters");
    return v;
  }

 private:
  Status Error(std::string_view what) const {
    return Status::InvalidArgument("JSON: " + std::string(what) + " at offset " +
                                   std::to_string(pos_));
  }
  void SkipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n' ||
                                   text_[pos_] == '\r' || text_[pos_] == '\t')) {
      ++pos_;
    }
  }
  bool Take(char c) {
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool TakeWord(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  Status Value(JsonValue* out, int depth) {
    if (depth > 64) return Error("nesting too deep");
    SkipSpace();
    if (pos_ >= text_.size()) return Error("unexpected end");
    const char c = text_[pos_];
    if (c == '{') return Object(out, depth);
    if (c == '[') return Array(out, depth);
    if (c == '"') {
      out->kind = JsonValue::Kind::kString;
      return String(&out->string);
    }
    if (TakeWord("null")) return Status::Ok();
    if (TakeWord("true") || TakeWord("false")) {
      out->kind = JsonValue::Kind::kBool;
      out->boolean = text_[pos_ - 4] == 't';
      return Status::Ok();
    }
    return Integer(out);
  }

  Status Integer(JsonValue* out) {
    const size_t start = pos_;
    if (pos_ < text_.size() && text_[pos_] == '-') ++pos_;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
    std::optional<int64_t> v = ParseInt64(text_.substr(start, pos_ - start));
    if (!v) return Error("not an integer");
    out->kind = JsonValue::Kind::kInt;
    out->integer = *v;
    return Status::Ok();
  }

  Status Array(JsonValue* out, int depth) {
    out->kind = JsonValue::Kind::kArray;
    ++pos_;
    if (Take(']')) return Status::Ok();
    do {
      RETURN_IF_ERROR(Value(&out->array.emplace_back(), depth + 1));
    } while (Take(','));
    return Take(']') ? Status::Ok() : Error("expected ']'");
  }

  Status Object(JsonValue* out, int depth) {
    out->kind = JsonValue::Kind::kObject;
    ++pos_;
    if (Take('}')) return Status::Ok();
    do {
      SkipSpace();
      auto& [key, value] = out->object.emplace_back();
      if (pos_ >= text_.size() || text_[pos_] != '"') return Error("expected a key");
      RETURN_IF_ERROR(String(&key));
      if (!Take(':')) return Error("expected ':'");
      RETURN_IF_ERROR(Value(&value, depth + 1));
    } while (Take(','));
    return Take('}') ? Status::Ok() : Error("expected '}'");
  }

  // A string from its opening quote; \uXXXX (surrogate pairs too) as UTF-8.
  Status String(std::string* out) {
    ++pos_;
    while (pos_ < text_.size() && text_[pos_] != '"') {
      char c = text_[pos_++];
      if (c != '\\') {
        out->push_back(c);
        continue;
      }
      if (pos_ >= text_.size()) break;
      c = text_[pos_++];
      switch (c) {
        case 'n': out->push_back('\n'); break;
        case 't': out->push_back('\t'); break;
        case 'r': out->push_back('\r'); break;
        case 'b': out->push_back('\b'); break;
        case 'f': out->push_back('\f'); break;
        case 'u': RETURN_IF_ERROR(Unicode(out)); break;
        default: out->push_back(c);  // '"', '\\', '/'
      }
    }
    if (pos_ >= text_.size()) return Error("unterminated string");
    ++pos_;
    return Status::Ok();
  }

  Status Hex4(uint32_t* out) {
    if (pos_ + 4 > text_.size()) return Error("short \\u escape");
    *out = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = text_[pos_++];
      const int d = c >= '0' && c <= '9'   ? c - '0'
                    : c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                           : -1;
      if (d < 0) return Error("bad \\u escape");
      *out = *out * 16 + static_cast<uint32_t>(d);
    }
    return Status::Ok();
  }

  Status Unicode(std::string* out) {
    uint32_t cp = 0;
    RETURN_IF_ERROR(Hex4(&cp));
    if (cp >= 0xD800 && cp < 0xDC00 && TakeWord("\\u")) {
      uint32_t low = 0;
      RETURN_IF_ERROR(Hex4(&low));
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    if (cp < 0x80) {
      out->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
    return Status::Ok();
  }

  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

Result<JsonValue> ParseJson(std::string_view text) { return JsonReader(text).Document(); }

}  // namespace strata
