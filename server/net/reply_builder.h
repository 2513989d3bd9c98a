// ReplyBuilder: appends RESP2 or RESP3 replies to a connection's output buffer.
//
// The protocol version only changes how nulls, maps, sets, doubles, booleans and verbatim text
// are framed; callers say what they mean (Map, Null, Double) and the builder frames it. Not
// thread safe; one per connection, used by the worker that owns the connection.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace strata::server {

class ReplyBuilder {
 public:
  explicit ReplyBuilder(std::string* out) : out_(out) {}

  void set_resp3(bool v) { resp3_ = v; }
  bool resp3() const { return resp3_; }
  std::string* buffer() { return out_; }

  void Simple(std::string_view s);               // +OK
  void Ok() { Simple("OK"); }
  void Error(std::string_view text);             // -ERR ... (text includes the prefix word)
  void Error(const Status& status);              // mapped by ErrorText()
  void Int(int64_t v);                           // :42
  void Bulk(std::string_view s);                 // $3 foo
  void Null();                                   // $-1 / _
  void NullArray();                              // *-1 / _
  void Array(size_t n);                          // *n
  // An array whose length is known only after its elements (a stream range walked once):
  // DeferArray marks where it starts, SetArrayLength writes its header there.
  size_t DeferArray() const { return out_->size(); }
  void SetArrayLength(size_t mark, size_t n);
  void Map(size_t n);                            // %n / *2n
  void Set(size_t n);                            // ~n / *n
  void Push(size_t n);                           // >n / *n
  void Double(double v);                         // ,v / bulk
  // A double already formatted (Redis's human form of GEOPOS): ,text / bulk text.
  void DoubleText(std::string_view text);
  void Bool(bool v);                             // #t / :1
  // =N fmt:... / bulk; `format` is cut or padded with spaces to three characters, as Redis.
  void Verbatim(std::string_view text, std::string_view format = "txt");
  void BigNumber(std::string_view digits);       // (digits / bulk
  void BulkOrNull(const std::string_view* s) { s ? Bulk(*s) : Null(); }

 private:
  void Header(char type, int64_t n);
  std::string* out_;
  bool resp3_ = false;
};

// Redis's error text (without the leading '-') for a Status.
std::string ErrorText(const Status& status);

}  // namespace strata::server
